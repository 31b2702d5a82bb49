"""A tester's findings on the import preview (`plan` / `apply`), one section per finding.

Each test failed before its fix. Rules are the spec's (docs/UPSERT-SEMANTICS.md); Zoho sources
are cited where the spec is silent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .cli_support import jsonl, refused, run, write


def report_lines(path: Path) -> list[str]:
    """The report's lines after its header."""
    return path.read_text(encoding="utf-8").splitlines()[1:]


# --- 1. the CLI's clock: after the store's newest time (R11, R18) -----------------------------
JUNE_STORE = (
    "Record Id,Last Name,Company,Email,Created Time,Modified Time\n"
    "zcrm_5725767000000500001,June,Acme,june@x.com,2026-06-01 09:00:00,2026-06-01 09:00:00\n"
)
#: row 1 inserts, row 2 gives it Company Acme, row 3 finds two Acme records (R11)
JUNE_ROWS = "Last Name,Email,Company\nNew,new@x.com,Beta\nNew,new@x.com,Acme\n,,Acme\n"


def test_1_records_written_are_newer_than_the_store(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """R11 (oldest by Created_Time): a record this run inserts is newer than a store record
    created in June, so the oldest Acme is the June one; before, the run's fixed January clock
    made the inserted record the oldest."""
    store = write(tmp_path / "st.csv", JUNE_STORE)
    rows = write(tmp_path / "rows.csv", JUNE_ROWS)
    report = tmp_path / "r.csv"
    code, _, err = run(capsys, "plan", "--module", "Leads", "--store", store, rows,
                       "--check-fields", "Email,Company", "--report", str(report))  # fmt: skip
    assert code == 0, err
    lines = report_lines(report)
    assert lines[0].startswith("1,2,insert,,new-1,")
    assert lines[1].startswith("2,3,update,Email,new-1,")
    assert lines[2].startswith("3,4,update,Company,5725767000000500001,")
    # --multi-match newest picks the record this run wrote
    code, _, err = run(capsys, "plan", "--module", "Leads", "--store", store, rows,
                       "--check-fields", "Email,Company", "--report", str(report),
                       "--multi-match", "newest")  # fmt: skip
    assert report_lines(report)[2].startswith("3,4,update,Company,new-1,")


def test_1_apply_out_stays_monotonic_along_a_chain(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """R18: Modified_Time is never before Created_Time in apply --out, and a second apply over
    the first's --out stamps after every time it holds."""
    store = write(tmp_path / "st.csv", JUNE_STORE)
    rows = write(tmp_path / "rows.csv", "Email,Company\njune@x.com,Acme Ltd\nnew@x.com,Beta\n")
    first, second = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    argv = ["apply", "--module", "Leads", "--check-fields", "Email", rows]
    code, _, err = run(capsys, *argv, "--store", store, "--out", str(first))
    assert code == 1, err  # row 2 has no Last_Name (R4)
    (june,) = jsonl(first)
    assert june["Created_Time"] == "2026-06-01T09:00:00+00:00"
    assert june["Modified_Time"] == "2026-06-01T09:00:01+00:00"
    code, _, err = run(capsys, *argv, "--store", str(first), "--out", str(second))
    (june,) = jsonl(second)
    assert june["Modified_Time"] == "2026-06-01T09:00:02+00:00"


def test_1_now_sets_the_first_request_and_refuses_the_past(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--now is the first request's time (read in --timezone without an offset); a time not
    after the store's newest is refused (R11, R18), and nothing is written."""
    store = write(tmp_path / "st.csv", JUNE_STORE)
    rows = write(tmp_path / "rows.csv", "Last Name,Email\nNew,new@x.com\n")
    out = tmp_path / "out.jsonl"
    argv = ["apply", "--module", "Leads", "--store", store, rows, "--out", str(out)]
    code, _, err = run(capsys, *argv, "--now", "2026-07-01 12:00:00", "--timezone=-05:00")
    assert code == 0, err
    assert [r["Created_Time"] for r in jsonl(out)] == [
        "2026-06-01T09:00:00-05:00",  # the store's times are read in --timezone too
        "2026-07-01T12:00:00-05:00",
    ]
    out.unlink()
    assert refused(capsys, *argv, "--now", "2026-06-01T09:00:00Z") == (
        "--now 2026-06-01T09:00:00+00:00: the store holds a record stamped "
        "2026-06-01T09:00:00+00:00, not earlier; records this run writes would count as "
        "older than stored ones (R11, R18); give --now 2026-06-01T09:00:01+00:00 or later"
    )
    assert not out.exists()
    assert refused(capsys, *argv, "--now", "soon").startswith("--now soon: not an ISO 8601 time")


def test_1_without_store_times_the_default_epoch_stays(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An empty store (or one older than the epoch) keeps the deterministic default: request 1
    at 2026-01-15T10:00:01+05:30."""
    rows = write(tmp_path / "rows.csv", "Last Name\nNew\n")
    out = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "apply", "--module", "Leads", rows, "--out", str(out))
    assert code == 0, err
    assert jsonl(out)[0]["Created_Time"] == "2026-01-15T10:00:01+05:30"


# --- 2. Leads' "Title" is the label of Designation; an exact API name wins -------------------
def test_2_leads_has_no_api_field_title() -> None:
    """Zoho's Leads field metadata (v7 GET /settings/fields?module=Leads, the labels table's
    leads_v7 source): the field labelled "Title" is api_name Designation (convert_mapping
    Contacts.Title); Leads has no API field Title. Contacts has one."""
    from upsert_engine import Engine

    engine = Engine()
    assert "Title" not in engine.schema("Leads").fields
    assert "Title" in engine.schema("Contacts").fields
    engine.upsert("Leads", {"data": [{"Last_Name": "A", "Title": "T", "Designation": "D"}]})
    (record,) = engine.records("Leads")
    assert record["Designation"] == "D" and "Title" not in record  # an unknown key: ignored


def test_2_title_key_is_designation_in_every_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """README "Columns": a key names a field by its API name or by Zoho's label; "Title" is
    Leads' label of Designation, in a CSV header and a JSON key alike."""
    out = tmp_path / "out.jsonl"
    for name, text in (
        ("rows.json", '[{"Last_Name": "A", "Title": "T"}]'),
        ("rows.csv", "Last Name,Title\nA,T\n"),
    ):
        rows = write(tmp_path / name, text)
        code, _, err = run(capsys, "apply", "--module", "Leads", rows, "--out", str(out))
        assert code == 0, err
        (record,) = jsonl(out)
        assert record["Designation"] == "T" and "Title" not in record
        out.unlink()


def test_2_an_exact_api_name_wins_over_a_label(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """README "Columns": a header names a field by API name or label; when a custom field's
    API name is another field's label (a custom Leads field Title beside Designation, labelled
    "Title"), the exact API name names the custom field; the label in another case still
    names Designation."""
    schema = write(
        tmp_path / "schema.json",
        '{"module": "Leads", "fields": [{"api_name": "Title", "data_type": "text", '
        '"max_length": 50, "label": "Job Title"}]}',
    )
    rows = write(tmp_path / "rows.json", '[{"Last_Name": "A", "Title": "T", "TITLE ": "D"}]')
    out = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "apply", "--module", "Leads", "--schema", schema, rows,
                       "--out", str(out))  # fmt: skip
    assert code == 0, err
    (record,) = jsonl(out)
    assert (record["Title"], record["Designation"]) == ("T", "D")


# --- 3. store values in their field's JSON type (R28) ----------------------------------------
TYPED_STORE = (
    "Record Id,Last Name,Email,Email Opt Out,Annual Revenue,No. of Employees\n"
    'zcrm_101,A,a@x.com,true,"1,200.50",12\n'
    "zcrm_102,B,b@x.com,FALSE,7, 0042 \n"
)


@pytest.mark.parametrize("extension", [".jsonl", ".json", ".csv"])
def test_3_store_checkbox_and_currency_read_as_json_types(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, extension: str
) -> None:
    """R28: a stored Checkbox reads back a JSON boolean, Currency a JSON number, Number a JSON
    integer, whatever the export wrote ("true", "1,200.50", "12"); before, only Number was
    converted and apply --out kept "true" and "1,200.50" as strings. A chain keeps them."""
    store = write(tmp_path / "st.csv", TYPED_STORE)
    rows = write(tmp_path / "rows.csv", "Last Name,Email\nC,c@x.com\n")
    out, again = tmp_path / f"out{extension}", tmp_path / "again.jsonl"
    argv = ["apply", "--module", "Leads", rows]
    code, _, err = run(capsys, *argv, "--store", store, "--out", str(out))
    assert code == 0, err
    code, _, err = run(capsys, *argv, "--store", str(out), "--out", str(again))
    assert code == 0, err
    typed = [
        (r["Email_Opt_Out"], r["Annual_Revenue"], r["No_of_Employees"])
        for r in jsonl(again)
        if r["Last_Name"] in ("A", "B")
    ]
    assert typed == [(True, 1200.5, 12), (False, 7, 42)]
    assert [type(value) for value in typed[0]] == [bool, float, int]


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ("maybe,7,1", "column 'Email Opt Out' (Email_Opt_Out, boolean): 'maybe' is not true "
         "or false (or 1 or 0)"),
        ("true,1.200.50,1", "column 'Annual Revenue' (Annual_Revenue, currency): '1.200.50' "
         "is not a number such as 1200.50 or 1,200.50"),
        ("true,$7,1", "column 'Annual Revenue' (Annual_Revenue, currency): '$7' is not a "
         "number such as 1200.50 or 1,200.50"),
        ("true,7,12.5", "column 'No. of Employees' (No_of_Employees, integer): '12.5' is not "
         "a whole number such as 12"),
        ("true,7,1234567890", "column 'No. of Employees' (No_of_Employees, integer): "
         "'1234567890' has more digits than the field's 9"),
    ],
)  # fmt: skip
def test_3_store_value_of_no_json_type_is_refused_by_line_and_column(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, cells: str, message: str
) -> None:
    """R28: a store value that is no value of its field's type stops the run with exit 2
    naming the file, line, column and value; nothing is written."""
    store = write(
        tmp_path / "st.csv",
        f"Last Name,Email Opt Out,Annual Revenue,No. of Employees\nA,true,7,1\nB,{cells}\n",
    )
    rows = write(tmp_path / "rows.csv", "Last Name\nC\n")
    out = tmp_path / "out.jsonl"
    error = refused(capsys, "apply", "--module", "Leads", "--store", store, rows, "--out",
                    str(out))  # fmt: skip
    why = "(R28: a stored value is read as its field's JSON type)"
    assert error == f"{store} line 3: {message} {why}"
    assert not out.exists()


def test_3_json_store_of_the_wrong_kind_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """R28: the same rule for a JSON store: text is read as the type ("true" → true), a value
    of another JSON kind (a number in a checkbox) is refused, naming the key and the line."""
    store = write(
        tmp_path / "st.jsonl",
        '{"Last_Name": "A", "Email_Opt_Out": "true"}\n{"Last_Name": "B", "Email_Opt_Out": 1}\n',
    )
    rows = write(tmp_path / "rows.csv", "Last Name\nC\n")
    assert refused(capsys, "plan", "--module", "Leads", "--store", store, rows) == (
        f"{store} line 2: column 'Email_Opt_Out' (boolean): 1 is not a JSON boolean (true or "
        'false); text ("true", "false", "1", "0") is read too (R28: a stored value is read as '
        "its field's JSON type)"
    )


# --- 4. checkbox and number cells in the rows, sent as a client would -------------------------
def test_4_checkbox_and_number_cells_are_sent_as_json_values(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """R15: Checkbox takes a JSON boolean and Percent a JSON number only; a CSV row's "true",
    "1", "FALSE" and "12.5" are sent as true, true, false and 12.5, as a client reading the
    file would send them (README "Typed cells"); "maybe" is sent as text: that row alone
    fails R15 (INVALID_DATA on Email_Opt_Out)."""
    schema = write(
        tmp_path / "schema.json",
        '{"module": "Leads", "fields": [{"api_name": "Score", "data_type": "percent", '
        '"max_length": 3, "label": "Score"}]}',
    )
    rows = write(
        tmp_path / "rows.csv",
        'Last Name,Email Opt Out,Score,Annual Revenue\nA,true,12.5,"1,200"\nB,1,,\n'
        "C,FALSE,,\nD,maybe,,\n",
    )
    out, report = tmp_path / "out.jsonl", tmp_path / "r.csv"
    code, _, err = run(capsys, "apply", "--module", "Leads", "--schema", schema, rows, "--out",
                       str(out), "--report", str(report))  # fmt: skip
    assert code == 1, err
    records = {r["Last_Name"]: r for r in jsonl(out)}
    assert (records["A"]["Email_Opt_Out"], records["A"]["Score"]) == (True, 12.5)
    assert records["A"]["Annual_Revenue"] == 1200
    assert (records["B"]["Email_Opt_Out"], records["C"]["Email_Opt_Out"]) == (True, False)
    assert "D" not in records
    assert report_lines(report)[3].startswith("4,5,error,,,INVALID_DATA,Email_Opt_Out,")


def test_4_xlsx_checkbox_cells_are_booleans(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """R15: an xlsx checkbox cell (a real boolean) is sent as a JSON boolean, not refused."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Last Name", "Email Opt Out"])
    sheet.append(["A", True])
    sheet.append(["B", False])
    book.save(tmp_path / "rows.xlsx")
    out = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "apply", "--module", "Leads", str(tmp_path / "rows.xlsx"),
                       "--out", str(out))  # fmt: skip
    assert code == 0, err
    assert [r["Email_Opt_Out"] for r in jsonl(out)] == [True, False]


def test_4_json_rows_are_sent_as_they_are(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """R15: JSON rows hold JSON values already: a string "true" for a checkbox is the wrong
    JSON kind and fails its row, as it would at Zoho (only CSV and xlsx text is read)."""
    rows = write(tmp_path / "rows.json", '[{"Last_Name": "A", "Email_Opt_Out": "true"}]')
    report = tmp_path / "r.csv"
    code, _, _ = run(capsys, "plan", "--module", "Leads", rows, "--report", str(report))
    assert code == 1
    assert report_lines(report)[0].startswith("1,1,error,,,INVALID_DATA,Email_Opt_Out,")


# --- 6. a repeated single option is refused ---------------------------------------------------
@pytest.mark.parametrize("option", ["--store", "--check-fields", "--report", "--map", "--module"])
def test_6_an_option_given_twice_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, option: str
) -> None:
    """`--store A --store B` kept only B, silently; a repeat of any single-valued option is
    now a usage error (exit 2) naming the option and both values; nothing is read."""
    rows = write(tmp_path / "rows.csv", "Last Name\nA\n")
    module = [] if option == "--module" else ["--module", "Leads"]
    code, out, err = run(capsys, "plan", *module, option, "A", option, "B", rows)
    assert (code, out) == (2, "")
    assert err.splitlines()[-1].endswith(
        f"error: argument {option}: given twice ('A' and 'B'); give it once"
    )


# --- 7. minor: options that did nothing, help text, encodings ---------------------------------
def test_7_unique_or_normalize_naming_another_module_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """R1: `--unique Contacts.Mobile` with `--module Leads` made Contacts' field unique in a run
    that reads only Leads: accepted and doing nothing. Now refused, naming the fix."""
    rows = write(tmp_path / "rows.csv", "Last Name\nA\n")
    assert refused(capsys, "plan", "--module", "Leads", "--unique", "Contacts.Mobile", rows) == (
        "--unique Contacts.Mobile: names Contacts, but --module is Leads (the only module plan "
        "reads); write --unique Mobile for the field of Leads"
    )
    assert refused(
        capsys, "plan", "--module", "Leads", "--normalize", "Contacts.Mobile:digits", rows
    ).startswith("--normalize Contacts.Mobile:digits: names Contacts, but --module is Leads")
    code, _, err = run(capsys, "plan", "--module", "Leads", "--unique", "Leads.Mobile", rows)
    assert code == 0, err


@pytest.mark.parametrize("text", ["Email,,Mobile", "Email,", ",Email", " , "])
def test_7_check_fields_with_an_empty_name_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str
) -> None:
    """R5: duplicate_check_fields names fields; an empty name between commas was dropped
    silently. Now refused."""
    rows = write(tmp_path / "rows.csv", "Last Name\nA\n")
    assert refused(capsys, "plan", "--module", "Leads", "--check-fields", text, rows) == (
        f"--check-fields {text}: an empty field name (between, before or after a comma); give "
        f"field names separated by commas, e.g. Email,Mobile"
    )


def test_7_help_names_each_rule_once(capsys: pytest.CaptureFixture[str]) -> None:
    """--help said "R11: R11 [inf]: ..."; each engine option's help names its rule once."""
    code, out, _ = run(capsys, "plan", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "R11 [inf]: what to do when the deciding field finds several existing records " in text
    for rule in ("R11", "R17", "R7", "R25", "R32", "R35", "R26"):
        assert f"{rule}: {rule} " not in text


def test_7_utf16_without_bom_gets_an_encoding_hint(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """UTF-16LE without a BOM read as UTF-8 showed 'L\\x00a\\x00s\\x00t' as an unknown column;
    NUL bytes now get a hint naming --encoding, and with it the file reads."""
    rows = write(tmp_path / "rows.csv", "Last Name\nA\n", encoding="utf-16-le")
    assert refused(capsys, "plan", "--module", "Leads", rows) == (
        f"{rows}: NUL bytes in a file read as UTF-8: UTF-16 without a BOM? give --encoding "
        f"utf-16-le (--store-encoding for the store)"
    )
    code, _, err = run(capsys, "plan", "--module", "Leads", rows, "--encoding", "utf-16-le")
    assert code == 0, err


def test_7_xlsx_named_csv_is_named_a_workbook(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An .xlsx renamed .csv said "not UTF-8 ... give --encoding"; its zip signature is now
    recognised and the message says it is a workbook."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Last Name"])
    book.save(tmp_path / "rows.csv")
    rows = str(tmp_path / "rows.csv")
    assert refused(capsys, "plan", "--module", "Leads", rows) == (
        f"{rows}: an xlsx workbook (a zip file), not CSV; name it with the extension .xlsx"
    )


# --- 5. lookup cells, and owner names under --check-users ------------------------------------
def test_5_lookup_cells_holding_ids_or_objects_are_sent_as_objects(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """R15, R33: a lookup takes a JSON object; a CSV cell `zcrm_123`, `456` or `{"id": "789"}`
    is sent as {"id": ...} (or that object), as a client would: every row was refused
    "not a valid jsonobject" before. With --check-lookups the ids are checked (R33)."""
    rows = write(
        tmp_path / "rows.csv",
        'Last Name,Account Name\nA,zcrm_123\nB, 456 \nC,"{""id"": ""789""}"\n',
    )
    out, report = tmp_path / "out.jsonl", tmp_path / "r.csv"
    code, _, err = run(capsys, "apply", "--module", "Contacts", rows, "--out", str(out))
    assert code == 0, err
    assert [r["Account_Name"]["id"] for r in jsonl(out)] == ["123", "456", "789"]
    code, _, _ = run(capsys, "plan", "--module", "Contacts", rows, "--check-lookups",
                     "--report", str(report))  # fmt: skip
    assert code == 1
    assert all(",INVALID_DATA,Account_Name," in line for line in report_lines(report))


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("Acme Corp", "'Acme Corp' is no record id; a lookup cell holds the record's id (123 or "
         'zcrm_123) or a JSON object ({"id": "123"}); the command line cannot look a record up '
         "by name (R33); --ignore-column 'Account Name' leaves the column out"),
        ('"[""123""]"', "'[\"123\"]' is no record id; a lookup cell holds"),
        ('"{""id"": "', "'{\"id\": ' is not JSON ("),
    ],
)  # fmt: skip
def test_5_a_lookup_cell_naming_a_record_by_name_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, cell: str, reason: str
) -> None:
    """R33: the CLI holds one module's records and cannot find the Account a name means; a
    name (or any text that is no id or JSON object) stops the run with exit 2 naming the
    line, the column and the value, instead of failing every row with "jsonobject"."""
    rows = write(tmp_path / "rows.csv", f"Last Name,Account Name\nA,1\nB,{cell}\n")
    error = refused(capsys, "plan", "--module", "Contacts", rows)
    assert error.startswith(
        f"{rows} line 3: column 'Account Name' (Account_Name, a lookup to Accounts): {reason}"
    )


def test_5_check_users_fails_rows_whose_owner_names_no_user(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """R32 (check_users): an Owner naming no user of the org is INVALID_DATA on Owner. Under
    --check-users a row's owner name must be a user the files name (the store's owners, the
    acting user); before, every unknown name became a user and the check could never fail.
    Without --check-users names still become users (README "An export's conventions")."""
    store = write(
        tmp_path / "st.csv", "Lead Owner,Last Name,Email\nAmélie Dubois,Frey,frey@x.com\n"
    )
    rows = write(
        tmp_path / "rows.csv",
        "Lead Owner,Last Name,Email\namélie dubois ,Moss,moss@x.com\nJürgen Neu,Hart,h@x.com\n"
        "Example User,Kim,k@x.com\n",
    )
    report = tmp_path / "r.csv"
    argv = ["plan", "--module", "Leads", "--store", store, rows, "--report", str(report)]
    code, _, err = run(capsys, *argv, "--check-users")
    assert code == 1, err
    lines = report_lines(report)
    assert lines[0].startswith("1,2,insert,")
    assert lines[1].startswith("2,3,error,,,INVALID_DATA,Owner,")
    assert lines[2].startswith("3,4,insert,")
    code, _, err = run(capsys, *argv)
    assert code == 0, err
