// Drives Zoho's Node SDK (@zohocrm/nodejs-sdk-8.0) against the fake Zoho server.
// Usage: node sdk8_probe.mjs <base url> <client id> <client secret> <work dir>
// Prints one JSON object: what the SDK parsed at each step (tests/test_sdk_node.py checks it).
import * as Z from "@zohocrm/nodejs-sdk-8.0";

const [base, clientId, clientSecret, work] = process.argv.slice(2);
const out = {};

function entries(response) {
  const object = response.getObject();
  if (!(object instanceof Z.Record.ActionWrapper)) {
    return { kind: object ? object.constructor.name : null };
  }
  return object.getData().map((entry) => ({
    kind: entry.constructor.name,
    code: entry.getCode().getValue(),
    message: entry.getMessage().getValue(),
    action: entry instanceof Z.Record.SuccessResponse ? entry.getAction()?.getValue() : null,
    details: Object.fromEntries(
      [...entry.getDetails().entries()].map(([k, v]) => [k, typeof v === "object" ? String(v) : v])
    ),
  }));
}

function lead(last, email, mobile) {
  const record = new Z.Record.Record();
  record.addFieldValue(Z.Record.Field.Leads.LAST_NAME, last);
  record.addFieldValue(Z.Record.Field.Leads.EMAIL, email);
  if (mobile) record.addFieldValue(Z.Record.Field.Leads.MOBILE, mobile);
  return record;
}

async function upsert(records) {
  const body = new Z.Record.BodyWrapper();
  body.setData(records);
  const response = await new Z.Record.RecordOperations("Leads").upsertRecords(body);
  return { status: response.getStatusCode(), entries: entries(response) };
}

async function main() {
  const environment = new Z.Environment(base, base + "/oauth/v2/token", base);
  const token = new Z.OAuthBuilder()
    .clientId(clientId)
    .clientSecret(clientSecret)
    .refreshToken("fake-refresh-token")
    .build();
  await (await new Z.InitializeBuilder())
    .environment(environment)
    .token(token)
    .store(new Z.FileStore(work + "/tokens.txt"))
    .SDKConfig(new Z.SDKConfigBuilder().pickListValidation(false).autoRefreshFields(false).build())
    .resourcePath(work)
    .initialize();

  out.insert = await upsert([lead("Frey", "frey@x.org", "555 0100"), lead("Moss", "moss@x.org")]);
  out.update = await upsert([lead("Frey", "FREY@x.org"), lead("Moss", "moss@x.org", "555 0100")]);

  const operations = new Z.Record.RecordOperations("Leads");
  const id = BigInt(out.insert.entries[0].details.id);
  const one = await operations.getRecord(id);
  out.get = one.getObject().getData().map((r) => ({ id: String(r.getId()), last: r.getKeyValue("Last_Name") }));

  const listParams = new Z.ParameterMap();
  await listParams.add(Z.Record.GetRecordsParam.FIELDS, "Last_Name,Email");
  await listParams.add(Z.Record.GetRecordsParam.PER_PAGE, 1);
  const listed = (await operations.getRecords(listParams)).getObject();
  out.list = {
    names: listed.getData().map((r) => r.getKeyValue("Last_Name")),
    more: listed.getInfo().getMoreRecords(),
    sortBy: listed.getInfo().getSortBy(),
    nextToken: typeof listed.getInfo().getNextPageToken(),
  };

  const searchParams = new Z.ParameterMap();
  await searchParams.add(Z.Record.SearchRecordsParam.CRITERIA, "(Last_Name:starts_with:Mo)");
  const found = (await operations.searchRecords(searchParams)).getObject();
  out.search = found.getData().map((r) => r.getKeyValue("Last_Name"));

  const fieldParams = new Z.ParameterMap();
  await fieldParams.add(Z.Fields.GetFieldsParam.MODULE, "Leads");
  const fields = (await new Z.Fields.FieldsOperations().getFields(fieldParams)).getObject().getFields();
  out.fields = Object.fromEntries(
    fields.map((f) => [f.getAPIName(), { type: f.getDataType(), length: f.getLength() }])
  );
}

main()
  .then(() => console.log(JSON.stringify(out)))
  .catch((error) => {
    console.log(JSON.stringify({ ...out, error: String(error), stack: error?.stack ?? null }));
    process.exitCode = 1;
  });
