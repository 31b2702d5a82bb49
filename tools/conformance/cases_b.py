"""Cases for R15 (every row of its table) and R17-R36."""

from __future__ import annotations

from typing import Any

from build import (
    ANY_TEXT,
    SECOND_USER,
    UNIQUE12,
    ID,
    case,
    duplicate,
    error,
    field,
    insert,
    inserted,
    invalid,
    mandatory,
    module,
    owner,
    read,
    record,
    request,
    step,
    top,
    updated,
    upsert,
)

Case = dict[str, Any]


# --- R15: one or more cases per row of the table ----------------------------------------------
def _cf(data_type: str, **extra: Any) -> list[dict[str, Any]]:
    return [module("Leads", field("cf", data_type, **extra))]


def _bad(
    case_id: str,
    title: str,
    data_type: str,
    value: Any,
    details: dict[str, Any],
    tag: str = "doc",
    **extra: Any,
) -> Case:
    return case(
        f"r15-{case_id}",
        title,
        {"R15": tag},
        [upsert([{"Last_Name": "X", "cf": value}], 400, [invalid(0, "cf", **details)])],
        modules=_cf(data_type, **extra),
    )


def _good(
    case_id: str,
    title: str,
    data_type: str,
    value: Any,
    back: Any = None,
    tag: str = "doc",
    **extra: Any,
) -> Case:
    steps = [upsert([{"Last_Name": "X", "cf": value}], 200, [inserted("r")])]
    if back is not None:
        steps.append(read("r", {"cf": back}))
    return case(f"r15-{case_id}", title, {"R15": tag}, steps, modules=_cf(data_type, **extra))


def r15() -> list[Case]:
    return [
        _bad(
            "text-too-long",
            "Single Line: longer than the field's length",
            "text",
            "x" * 11,
            {"maximum_length": 10},
            max_length=10,
        ),
        _bad(
            "text-default-255",
            "Single Line: 255 characters by default",
            "text",
            "x" * 256,
            {"maximum_length": 255},
        ),
        _good(
            "text-at-limit",
            "Single Line: exactly the length is accepted",
            "text",
            "x" * 10,
            "x" * 10,
            max_length=10,
        ),
        _bad(
            "text-not-string",
            "Single Line: a number is the wrong JSON kind",
            "text",
            5,
            {"expected_data_type": "string"},
            tag="inf",
        ),
        _bad(
            "textarea-too-long",
            "Multi Line (small): 2000 characters",
            "textarea",
            "y" * 2001,
            {"maximum_length": 2000},
            max_length=2000,
        ),
        _good(
            "textarea-any",
            "Multi Line: any characters, line breaks included",
            "textarea",
            "one\ntwo\tthree",
            "one\ntwo\tthree",
        ),
        _bad(
            "email-pattern",
            "Email: not Zoho's email pattern",
            "email",
            "not-an-email",
            {"expected_data_type": "email"},
            tag="obs",
        ),
        _bad(
            "email-too-long",
            "Email: 100 characters",
            "email",
            "a" * 89 + "@example.com",
            {"maximum_length": 100},
        ),
        _good(
            "email-ok",
            "Email: letters, digits, + and . in the local part",
            "email",
            "Ann.Lee+crm@example.co.uk",
        ),
        _bad(
            "phone-pattern",
            "Phone: two separators in a row",
            "phone",
            "555--0100",
            {"expected_data_type": "phone"},
            tag="obs",
        ),
        _bad("phone-too-long", "Phone: 30 characters", "phone", "1" * 31, {"maximum_length": 30}),
        _good("phone-letters", "Phone: ASCII letters are accepted", "phone", "1-800-FLOWERS"),
        _good(
            "phone-parentheses",
            "Phone: parentheses around a group",
            "phone",
            "(555) 123-4567",
            tag="inf",
        ),
        _bad(
            "website-pattern",
            "URL: no dot",
            "website",
            "not a url",
            {"expected_data_type": "website"},
        ),
        _good(
            "website-ok",
            "URL: scheme, www, path and query",
            "website",
            "https://www.example.com/a?b=c",
        ),
        _good(
            "picklist-any",
            "Pick List: a value not configured is accepted",
            "picklist",
            "Brand New Value",
            "Brand New Value",
        ),
        _bad(
            "multiselect-string",
            "Multi-Select: a string is the wrong JSON kind",
            "multiselectpicklist",
            "a;b",
            {"expected_data_type": "jsonarray"},
            tag="obs",
        ),
        _good(
            "multiselect-list",
            "Multi-Select: a list of strings",
            "multiselectpicklist",
            ["a", "b"],
            ["a", "b"],
        ),
        _bad(
            "date-not-a-day",
            "Date: 2024-02-30 is no calendar date",
            "date",
            "2024-02-30",
            {"expected_data_type": "date"},
        ),
        _bad(
            "date-format",
            "Date: not yyyy-MM-dd",
            "date",
            "02/03/2024",
            {"expected_data_type": "date"},
        ),
        _good("date-leap-day", "Date: 2024-02-29", "date", "2024-02-29", "2024-02-29"),
        _bad(
            "datetime-format",
            "Date/Time: no offset",
            "datetime",
            "2024-01-01T10:00:00",
            {"expected_data_type": "datetime"},
        ),
        _good(
            "datetime-ok",
            "Date/Time: yyyy-MM-ddTHH:mm:ss+HH:mm",
            "datetime",
            "2024-01-01T10:00:00+05:30",
        ),
        _bad(
            "integer-letters",
            "Number: letters (maximum_length comes along)",
            "integer",
            "abc",
            {"expected_data_type": "integer", "maximum_length": 9},
            tag="obs",
        ),
        _bad(
            "integer-ten-digits",
            "Number: more than 9 digits",
            "integer",
            1234567890,
            {"expected_data_type": "integer", "maximum_length": 9},
            tag="obs",
        ),
        _good("integer-string", "Number: a string of digits", "integer", "-17", -17),
        _bad(
            "bigint-letters",
            "Long Integer: letters",
            "bigint",
            "12a",
            {"expected_data_type": "bigint"},
        ),
        _bad(
            "bigint-19-digits",
            "Long Integer: more than 18 digits",
            "bigint",
            "1" * 19,
            {"maximum_length": 18},
        ),
        _good(
            "bigint-integer",
            "Long Integer: a JSON integer",
            "bigint",
            123456789012345678,
            "123456789012345678",
        ),
        _bad(
            "currency-two-points",
            "Currency: two decimal points",
            "currency",
            "12.3.4",
            {"expected_data_type": "currency"},
            tag="inf",
        ),
        _bad(
            "currency-17-digits",
            "Currency: 17 digits before the point",
            "currency",
            12345678901234567,
            {"maximum_length": 16},
        ),
        _good("currency-number", "Currency: a number", "currency", 1500.5, 1500.5),
        _bad(
            "double-letters",
            "Decimal: letters",
            "double",
            "abc",
            {"expected_data_type": "double"},
            tag="inf",
        ),
        _good("double-number", "Decimal: a number", "double", 3.25, 3.25),
        _bad(
            "percent-six-digits",
            "Percent: 6 digits before the point",
            "percent",
            123456,
            {"maximum_length": 5},
        ),
        _good("percent-number", "Percent: a number", "percent", 12.5, 12.5),
        _bad(
            "boolean-string",
            'Checkbox: "true" is not a boolean',
            "boolean",
            "true",
            {"expected_data_type": "boolean"},
            tag="inf",
        ),
        _bad(
            "boolean-number",
            "Checkbox: 1 is not a boolean",
            "boolean",
            1,
            {"expected_data_type": "boolean"},
            tag="inf",
        ),
        _good("boolean-ok", "Checkbox: true", "boolean", True, True),
        case(
            "r15-lookup-string",
            "Lookup: a string is the wrong JSON kind",
            {"R15": "inf", "R33": "doc"},
            [
                upsert(
                    [{"Last_Name": "X", "Account_Name": "123"}],
                    400,
                    [invalid(0, "Account_Name", expected_data_type="jsonobject")],
                    module="Contacts",
                )
            ],
        ),
        case(
            "r15-owner-string",
            "Owner: a string is the wrong JSON kind",
            {"R15": "inf", "R32": "doc"},
            [
                upsert(
                    [{"Last_Name": "X", "Owner": "123"}],
                    400,
                    [invalid(0, "Owner", expected_data_type="jsonobject")],
                )
            ],
        ),
        case(
            "r15-subform-object",
            "Subform: an object is the wrong JSON kind",
            {"R15": "inf", "R36": "doc"},
            [
                upsert(
                    [{"Subject": "Q", "Quoted_Items": {"Quantity": 1}}],
                    400,
                    [invalid(0, "Quoted_Items", expected_data_type="jsonarray")],
                    module="Quotes",
                )
            ],
        ),
        _bad(
            "multiselectlookup-object",
            "Multi-select lookup: an object is the wrong JSON kind",
            "multiselectlookup",
            {"id": "1"},
            {"expected_data_type": "jsonarray"},
            tag="inf",
        ),
        case(
            "r15-first-invalid-key",
            "several invalid fields: one INVALID_DATA, for the first in key order",
            {"R15": "obs", "R29": "obs"},
            [
                upsert(
                    [
                        {
                            "Last_Name": "X",
                            "No_of_Employees": "many",
                            "Email": "bad",
                            "Website": "bad",
                        }
                    ],
                    400,
                    [invalid(0, "No_of_Employees", expected_data_type="integer", maximum_length=9)],
                )
            ],
        ),
        case(
            "r15-space-stripped",
            "a value is checked with surrounding white space stripped",
            {"R15": "doc"},
            [upsert([{"Last_Name": "X", "Email": "  ann@example.com  "}], 200, [inserted("r")])],
        ),
    ]


# --- R17-R23 ----------------------------------------------------------------------------------
def _top_data(code: str, json_path: str) -> dict[str, Any]:
    return top(code, {"api_name": "data", "json_path": json_path})


def r17_r23() -> list[Case]:
    ann = record("A", Last_Name="A", Email="ann@example.com")
    return [
        case(
            "r17-insert-then-update",
            "two new records share an Email: the first is added, the second updates it",
            {"R17": "inf"},
            [
                upsert(
                    [
                        {"Last_Name": "N1", "Email": "n@example.com"},
                        {"Last_Name": "N2", "Email": "n@example.com"},
                    ],
                    200,
                    [inserted("N"), updated("N", "Email")],
                ),
                read("N", {"Last_Name": "N2"}),
            ],
        ),
        case(
            "r17-both-update",
            "two records match one existing record: both update it, in order",
            {"R17": "obs"},
            [
                upsert(
                    [
                        {"Email": "ann@example.com", "First_Name": "x"},
                        {"Email": "ann@example.com", "First_Name": "y"},
                    ],
                    200,
                    [updated("A", "Email"), updated("A", "Email")],
                ),
                read("A", {"First_Name": "y"}),
            ],
            records=[ann],
        ),
        case(
            "r17-sees-earlier",
            "record 1 finds the unique value record 0 just wrote",
            {"R17": "inf"},
            [
                upsert(
                    [
                        {"Email": "ann@example.com", "unique1": "z"},
                        {"Last_Name": "N", "unique1": "z"},
                    ],
                    200,
                    [updated("A", "Email"), updated("A", "unique1")],
                )
            ],
            modules=UNIQUE12,
            records=[ann],
        ),
        case(
            "r18-order",
            "data[i] answers record i: insert, error, update",
            {"R18": "doc", "R21": "doc"},
            [
                upsert(
                    [
                        {"Last_Name": "N"},
                        {"First_Name": "only"},
                        {"Email": "ann@example.com", "First_Name": "z"},
                    ],
                    207,
                    [inserted("N"), mandatory(1, "Last_Name"), updated("A", "Email")],
                )
            ],
            records=[ann],
        ),
        case(
            "r19-too-many",
            "101 records: LIMIT_EXCEEDED for the whole request",
            {"R19": "doc"},
            [
                upsert(
                    [{"Last_Name": f"N{i}"} for i in range(101)],
                    400,
                    top("LIMIT_EXCEEDED", {"limit": 100}),
                )
            ],
        ),
        case(
            "r19-hundred",
            "100 records are accepted",
            {"R19": "doc"},
            [
                upsert(
                    [{"Last_Name": f"N{i}"} for i in range(100)],
                    200,
                    [inserted(f"n{i}") for i in range(100)],
                )
            ],
            live="100 inserts in a real org: left out of live runs to spare the API quota",
        ),
        case(
            "r19-no-data",
            "no data: MANDATORY_NOT_FOUND for the request",
            {"R19": "inf"},
            [
                step(
                    request({"duplicate_check_fields": ["Email"]}),
                    400,
                    _top_data("MANDATORY_NOT_FOUND", "$.data"),
                )
            ],
        ),
        case(
            "r19-empty-data",
            "data []: INVALID_DATA for the request",
            {"R19": "inf"},
            [step(request({"data": []}), 400, _top_data("INVALID_DATA", "$.data"))],
        ),
        case(
            "r19-data-not-list",
            "data that is no list: INVALID_DATA",
            {"R19": "inf"},
            [step(request({"data": {"Last_Name": "N"}}), 400, _top_data("INVALID_DATA", "$.data"))],
        ),
        case(
            "r19-not-an-object",
            "a record that is no object: INVALID_DATA naming it",
            {"R19": "inf"},
            [
                step(
                    request({"data": [{"Last_Name": "N"}, "x"]}),
                    400,
                    _top_data("INVALID_DATA", "$.data[1]"),
                )
            ],
        ),
        case(
            "r20-unknown-module",
            "an unknown module: INVALID_MODULE",
            {"R20": "doc", "R27": "doc"},
            [
                upsert(
                    [{"Last_Name": "N"}],
                    400,
                    top(
                        "INVALID_MODULE",
                        {"resource_path_index": 0},
                        "the module name given seems to be invalid",
                    ),
                    module="Nonexistent_Module",
                )
            ],
        ),
        case(
            "r20-unknown-module-insert",
            "Insert Records to an unknown module: INVALID_MODULE",
            {"R20": "doc"},
            [
                insert(
                    [{"Last_Name": "N"}],
                    400,
                    top(
                        "INVALID_MODULE",
                        {"resource_path_index": 0},
                        "the module name given seems to be invalid",
                    ),
                    module="Nonexistent_Module",
                )
            ],
        ),
        case(
            "r21-all-succeed",
            "every record succeeded: 200",
            {"R21": "doc"},
            [
                upsert(
                    [{"Last_Name": "N"}, {"Email": "ann@example.com"}],
                    200,
                    [inserted("N"), updated("A", "Email")],
                )
            ],
            records=[ann],
        ),
        case(
            "r21-some-fail",
            "some succeeded, some failed: 207",
            {"R21": "doc"},
            [
                upsert(
                    [{"Last_Name": "N"}, {"Email": "bad"}],
                    207,
                    [inserted("N"), invalid(1, "Email", expected_data_type="email")],
                )
            ],
        ),
        case(
            "r21-all-fail",
            "every record failed: 400",
            {"R21": "inf"},
            [
                upsert(
                    [{"First_Name": "a"}, {"Email": "bad"}],
                    400,
                    [mandatory(0, "Last_Name"), invalid(1, "Email", expected_data_type="email")],
                )
            ],
        ),
        case(
            "r22-trigger-empty",
            "trigger [] is accepted",
            {"R22": "doc"},
            [upsert([{"Last_Name": "N"}], 200, [inserted("N")], extra={"trigger": []})],
        ),
        case(
            "r22-trigger-values",
            "trigger with workflow, approval and blueprint is accepted",
            {"R22": "doc"},
            [
                upsert(
                    [{"Last_Name": "N"}],
                    200,
                    [inserted("N")],
                    extra={"trigger": ["workflow", "approval", "blueprint"]},
                )
            ],
        ),
        case(
            "r22-other-keys",
            "wf_trigger, lar_id, apply_feature_execution and skip_feature_execution are accepted",
            {"R22": "doc"},
            [
                upsert(
                    [{"Last_Name": "N"}],
                    200,
                    [inserted("N")],
                    extra={
                        "wf_trigger": "true",
                        "lar_id": "5725767000000123001",
                        "apply_feature_execution": [{"name": "layout_rules"}],
                        "skip_feature_execution": [{"name": "cadences"}],
                    },
                )
            ],
        ),
        case(
            "r22-trigger-unknown",
            "a trigger outside the list fails the request",
            {"R22": "inf"},
            [
                upsert(
                    [{"Last_Name": "N"}],
                    400,
                    top("INVALID_DATA", {"api_name": "trigger", "json_path": "$.trigger[0]"}),
                    extra={"trigger": ["nope"]},
                )
            ],
        ),
        case(
            "r22-trigger-not-list",
            "trigger that is no list fails the request",
            {"R22": "inf"},
            [
                upsert(
                    [{"Last_Name": "N"}],
                    400,
                    top("INVALID_DATA", {"api_name": "trigger", "json_path": "$.trigger"}),
                    extra={"trigger": "workflow"},
                )
            ],
        ),
        case(
            "r23-v2-duplicate",
            "v2: DUPLICATE_DATA without json_path",
            {"R23": "doc", "R14": "doc"},
            [
                upsert(
                    [{"Email": "bob@example.com", "unique1": "u1"}],
                    400,
                    [duplicate(0, "unique1", "A", version="v2")],
                    version="v2",
                )
            ],
            modules=UNIQUE12,
            records=[
                record("A", Last_Name="A", unique1="u1"),
                record("B", Last_Name="B", Email="bob@example.com"),
            ],
        ),
        case(
            "r23-v2-mandatory",
            "v2: MANDATORY_NOT_FOUND without json_path",
            {"R23": "doc"},
            [upsert([{"First_Name": "x"}], 400, [mandatory(0, "Last_Name", "v2")], version="v2")],
        ),
        case(
            "r23-v2-1-invalid",
            "v2.1: INVALID_DATA without json_path",
            {"R23": "doc"},
            [
                upsert(
                    [{"Last_Name": "x", "Email": "bad"}],
                    400,
                    [invalid(0, "Email", "v2.1", expected_data_type="email")],
                    version="v2.1",
                )
            ],
        ),
        case(
            "r23-same-semantics",
            "v3, v4, v7: the same update with the same shape",
            {"R23": "doc"},
            [
                upsert(
                    [{"Email": "ann@example.com", "First_Name": v}],
                    200,
                    [updated("A", "Email")],
                    version=v,
                )
                for v in ("v3", "v4", "v7")
            ],
            records=[ann],
        ),
    ]


# --- R24-R29 ----------------------------------------------------------------------------------
EXT = [module("Leads", field("Ext_Id", "text", external="org"))]
EXT_USER = [module("Leads", field("Ext_U", "text", external="user"))]


def r24_r29() -> list[Case]:
    ann = record("A", Last_Name="A", Email="ann@example.com")
    by_u2 = {"name": {"$user": "u2.name"}, "id": {"$user": "u2.id"}}
    return [
        case(
            "r24-org-external-matches",
            "an org external field is a duplicate check field without any header",
            {"R24": "doc"},
            [upsert([{"Ext_Id": "E-1", "First_Name": "x"}], 200, [updated("A", "Ext_Id")])],
            modules=EXT,
            records=[record("A", Last_Name="A", Ext_Id="E-1")],
        ),
        case(
            "r24-org-external-unique",
            "an org external value held by another record: DUPLICATE_DATA",
            {"R24": "doc", "R14": "doc"},
            [
                upsert(
                    [{"Email": "bob@example.com", "Ext_Id": "E-1"}],
                    400,
                    [duplicate(0, "Ext_Id", "A")],
                )
            ],
            modules=EXT,
            records=[
                record("A", Last_Name="A", Ext_Id="E-1"),
                record("B", Last_Name="B", Email="bob@example.com"),
            ],
        ),
        case(
            "r24-external-in-d",
            "D names the external field: Email is not checked",
            {"R24": "doc", "R5": "seed"},
            [
                upsert(
                    [{"Email": "ann@example.com", "Ext_Id": "E-2"}],
                    200,
                    [updated("B", "Ext_Id")],
                    check=["Ext_Id"],
                )
            ],
            modules=EXT,
            records=[ann, record("B", Last_Name="B", Ext_Id="E-2")],
        ),
        case(
            "r24-user-external-other-user",
            "a user-based external value of another user's record is neither a match nor a collision",
            {"R24": "doc", "R32": "doc"},
            [upsert([{"Last_Name": "Mine", "Ext_U": "X-1"}], 200, [inserted("M")])],
            modules=EXT_USER,
            users=[SECOND_USER],
            records=[record("T", Last_Name="Theirs", Ext_U="X-1", Created_By=by_u2)],
        ),
        case(
            "r24-user-external-same-user",
            "a user-based external value matches the acting user's own record",
            {"R24": "doc"},
            [upsert([{"Ext_U": "X-1", "First_Name": "x"}], 200, [updated("A", "Ext_U")])],
            modules=EXT_USER,
            records=[record("A", Last_Name="A", Ext_U="X-1")],
        ),
        case(
            "r24-lookup-by-external",
            "with X-EXTERNAL Contacts.Account_Name.Acct_Ext, a lookup names its record by that external field",
            {"R24": "doc", "R33": "doc"},
            [
                upsert(
                    [{"Last_Name": "C", "Account_Name": {"Acct_Ext": "AC-1"}}],
                    200,
                    [inserted("C")],
                    module="Contacts",
                    headers={"X-EXTERNAL": "Contacts.Account_Name.Acct_Ext"},
                ),
                read("C", {"Account_Name": {"name": "Acme", "id": ID("acc")}}, module="Contacts"),
            ],
            modules=[module("Accounts", field("Acct_Ext", "text", external="org"))],
            records=[record("acc", "Accounts", Account_Name="Acme", Acct_Ext="AC-1")],
        ),
        case(
            "r25-id-updates",
            "a record carrying id updates that record; duplicate_field is id",
            {"R25": "inf"},
            [
                upsert([{"id": ID("A"), "Last_Name": "Z"}], 200, [updated("A", "id")]),
                read("A", {"Last_Name": "Z"}),
            ],
            records=[ann],
        ),
        case(
            "r25-id-no-mandatory",
            "an update by id needs no mandatory field",
            {"R25": "inf"},
            [upsert([{"id": ID("A"), "First_Name": "q"}], 200, [updated("A", "id")])],
            records=[ann],
        ),
        case(
            "r25-id-wins",
            "id decides; other keys are not consulted",
            {"R25": "inf"},
            [upsert([{"id": ID("A"), "Email": "bob@example.com"}], 200, [updated("A", "id")])],
            records=[ann, record("B", Last_Name="B", Email="bob@example.com")],
        ),
        case(
            "r25-unknown-id",
            "an id that is no record of the module: INVALID_DATA on id",
            {"R25": "inf"},
            [upsert([{"id": "111111111111111111", "Last_Name": "Z"}], 400, [invalid(0, "id")])],
        ),
        case(
            "r25-id-in-d",
            'D may name "id"',
            {"R25": "obs", "R7": "obs"},
            [upsert([{"id": ID("A"), "First_Name": "q"}], 200, [updated("A", "id")], check=["id"])],
            records=[ann],
        ),
        case(
            "r26-append",
            "$append_values true appends to the stored values",
            {"R26": "doc"},
            [
                upsert(
                    [
                        {
                            "Email": "ann@example.com",
                            "Tags_MS": ["c"],
                            "$append_values": {"Tags_MS": True},
                        }
                    ],
                    200,
                    [updated("A", "Email")],
                ),
                read("A", {"Tags_MS": ["a", "b", "c"]}),
            ],
            modules=[module("Leads", field("Tags_MS", "multiselectpicklist"))],
            records=[record("A", Last_Name="A", Email="ann@example.com", Tags_MS=["a", "b"])],
        ),
        case(
            "r26-append-no-repeats",
            "appending a value already there does not repeat it",
            {"R26": "inf"},
            [
                upsert(
                    [
                        {
                            "Email": "ann@example.com",
                            "Tags_MS": ["b", "c"],
                            "$append_values": {"Tags_MS": True},
                        }
                    ],
                    200,
                    [updated("A", "Email")],
                ),
                read("A", {"Tags_MS": ["a", "b", "c"]}),
            ],
            modules=[module("Leads", field("Tags_MS", "multiselectpicklist"))],
            records=[record("A", Last_Name="A", Email="ann@example.com", Tags_MS=["a", "b"])],
        ),
        case(
            "r26-replace",
            "$append_values false replaces",
            {"R26": "doc"},
            [
                upsert(
                    [
                        {
                            "Email": "ann@example.com",
                            "Tags_MS": ["c"],
                            "$append_values": {"Tags_MS": False},
                        }
                    ],
                    200,
                    [updated("A", "Email")],
                ),
                read("A", {"Tags_MS": ["c"]}),
            ],
            modules=[module("Leads", field("Tags_MS", "multiselectpicklist"))],
            records=[record("A", Last_Name="A", Email="ann@example.com", Tags_MS=["a", "b"])],
        ),
        case(
            "r26-not-multiselect",
            "$append_values naming a field that is not multi-select: INVALID_DATA on $append_values",
            {"R26": "inf"},
            [
                upsert(
                    [{"Email": "ann@example.com", "$append_values": {"First_Name": True}}],
                    400,
                    [invalid(0, "$append_values")],
                )
            ],
            records=[ann],
        ),
        case(
            "r27-success-messages",
            'messages are Zoho\'s: "record added", "record updated"',
            {"R27": "doc"},
            [
                upsert(
                    [{"Last_Name": "N"}, {"Email": "ann@example.com"}],
                    200,
                    [inserted("N"), updated("A", "Email")],
                )
            ],
            records=[ann],
        ),
        case(
            "r27-error-messages",
            'messages are Zoho\'s: "invalid data", "required field not found"',
            {"R27": "doc"},
            [
                upsert(
                    [{"Last_Name": "N", "Email": "bad"}, {"First_Name": "x"}],
                    400,
                    [invalid(0, "Email", expected_data_type="email"), mandatory(1, "Last_Name")],
                )
            ],
        ),
        case(
            "r28-number",
            'a Number sent as "0042" reads back 42',
            {"R28": "inf"},
            [
                upsert([{"Last_Name": "N", "No_of_Employees": "0042"}], 200, [inserted("N")]),
                read("N", {"No_of_Employees": 42}),
            ],
        ),
        case(
            "r28-bigint",
            "a Long Integer sent as a number reads back a string of digits",
            {"R28": "doc"},
            [
                upsert([{"Last_Name": "N", "cf": 1234567}], 200, [inserted("N")]),
                read("N", {"cf": "1234567"}),
            ],
            modules=[module("Leads", field("cf", "bigint"))],
        ),
        case(
            "r28-currency",
            "a Currency sent as a numeric string reads back a number",
            {"R28": "inf"},
            [
                upsert([{"Last_Name": "N", "Annual_Revenue": "1500.50"}], 200, [inserted("N")]),
                read("N", {"Annual_Revenue": 1500.5}),
            ],
        ),
        case(
            "r28-checkbox-text",
            "a Checkbox reads back a boolean, text as sent",
            {"R28": "doc"},
            [
                upsert(
                    [{"Last_Name": "N", "First_Name": "Ann", "Email_Opt_Out": True}],
                    200,
                    [inserted("N")],
                ),
                read("N", {"Email_Opt_Out": True, "First_Name": "Ann"}),
            ],
        ),
        case(
            "r29-invalid-before-unknown-id",
            "an invalid field wins over an unknown id",
            {"R29": "inf"},
            [
                upsert(
                    [{"id": "111111111111111111", "Email": "bad"}],
                    400,
                    [invalid(0, "Email", expected_data_type="email")],
                )
            ],
        ),
        case(
            "r29-unknown-id-before-mandatory",
            "an unknown id wins over a missing mandatory field",
            {"R29": "inf"},
            [upsert([{"id": "111111111111111111", "First_Name": "x"}], 400, [invalid(0, "id")])],
        ),
        case(
            "r29-invalid-before-mandatory",
            "an invalid field wins over a missing mandatory field",
            {"R29": "obs"},
            [
                upsert(
                    [{"First_Name": "x", "Email": "bad"}],
                    400,
                    [invalid(0, "Email", expected_data_type="email")],
                )
            ],
        ),
        case(
            "r29-invalid-before-duplicate",
            "an invalid field wins over a uniqueness collision",
            {"R29": "inf"},
            [
                upsert(
                    [{"Email": "bob@example.com", "unique1": "u1", "No_of_Employees": "x"}],
                    400,
                    [invalid(0, "No_of_Employees", expected_data_type="integer", maximum_length=9)],
                )
            ],
            modules=UNIQUE12,
            records=[
                record("A", Last_Name="A", unique1="u1"),
                record("B", Last_Name="B", Email="bob@example.com"),
            ],
        ),
    ]


# --- R30-R36 ----------------------------------------------------------------------------------
def _item(product: str, quantity: Any, **more: Any) -> dict[str, Any]:
    return {"Product_Name": {"id": ID(product)}, "Quantity": quantity, **more}


def r30_r36() -> list[Case]:
    ann = record("A", Last_Name="A", Email="ann@example.com")
    widget = record("p", "Products", Product_Name="Widget")
    gadget = record("g", "Products", Product_Name="Gadget")
    layout = [
        module(
            "Leads",
            layouts=[
                {"id": "5725767000000091055", "name": "Partner", "mandatory_fields": ["Company"]}
            ],
        )
    ]
    return [
        case(
            "r30-insert-201",
            "Insert Records: every record added is 201; entries carry no action",
            {"R30": "doc"},
            [insert([{"Last_Name": "N"}], 201, [inserted("N", upsert=False)])],
        ),
        case(
            "r30-insert-207",
            "Insert Records: some failed is 207",
            {"R30": "doc"},
            [
                insert(
                    [{"Last_Name": "N"}, {"First_Name": "x"}],
                    207,
                    [inserted("N", upsert=False), mandatory(1, "Last_Name")],
                )
            ],
        ),
        case(
            "r30-insert-400",
            "Insert Records: all failed is 400",
            {"R30": "doc"},
            [insert([{"First_Name": "x"}], 400, [mandatory(0, "Last_Name")])],
        ),
        case(
            "r30-insert-no-matching",
            "Insert Records does not match: an existing Email is added again",
            {"R30": "doc"},
            [
                insert(
                    [{"Last_Name": "N", "Email": "ann@example.com"}],
                    201,
                    [inserted("N", upsert=False)],
                )
            ],
            records=[ann],
        ),
        case(
            "r30-upsert-inserts-200",
            "an upsert that only inserts answers 200",
            {"R30": "obs"},
            [upsert([{"Last_Name": "N"}], 200, [inserted("N")])],
        ),
        case(
            "r31-v5-no-approval-state",
            "v5: an added record's details carry no $approval_state",
            {"R31": "inf"},
            [upsert([{"Last_Name": "N"}], 200, [inserted("N", version="v5")], version="v5")],
        ),
        case(
            "r31-v2-no-approval-state",
            "v2: no $approval_state",
            {"R31": "obs"},
            [upsert([{"Last_Name": "N"}], 200, [inserted("N", version="v2")], version="v2")],
        ),
        case(
            "r31-v6-approval-state",
            "v6: an added record's details end with $approval_state approved",
            {"R31": "obs"},
            [upsert([{"Last_Name": "N"}], 200, [inserted("N", version="v6")], version="v6")],
        ),
        case(
            "r31-approved-false",
            "$approved false creates the record in approval mode",
            {"R31": "inf"},
            [
                upsert(
                    [{"Last_Name": "N", "$approved": False}],
                    200,
                    [inserted("N", approval="approval_process_pending")],
                )
            ],
        ),
        case(
            "r32-owner-default",
            "an insert without Owner is owned by the acting user",
            {"R32": "doc"},
            [upsert([{"Last_Name": "N"}], 200, [inserted("N")]), read("N", {"Owner": owner("me")})],
        ),
        case(
            "r32-owner-given",
            "Owner {id} of another user of the org",
            {"R32": "doc"},
            [
                upsert(
                    [{"Last_Name": "N", "Owner": {"id": {"$user": "u2.id"}}}], 200, [inserted("N")]
                ),
                read("N", {"Owner": owner("u2")}),
            ],
            users=[SECOND_USER],
        ),
        case(
            "r32-owner-unknown",
            "Owner naming no user of the org: INVALID_DATA on Owner",
            {"R32": "inf"},
            [
                upsert(
                    [{"Last_Name": "N", "Owner": {"id": "111111111111111111"}}],
                    400,
                    [invalid(0, "Owner")],
                )
            ],
        ),
        case(
            "r32-acting-user",
            "a request acting as another user: Created_By, Modified_By and Owner are that user",
            {"R32": "doc"},
            [
                upsert([{"Last_Name": "N"}], 200, [inserted("N", user="u2")], user="u2"),
                read("N", {"Owner": owner("u2")}),
            ],
            users=[SECOND_USER],
        ),
        case(
            "r32-duplicate-owner",
            "duplicate_record names the holder's Owner with its zuid",
            {"R32": "obs", "R14": "doc"},
            [
                upsert(
                    [{"Email": "bob@example.com", "unique1": "u1"}],
                    400,
                    [duplicate(0, "unique1", "A", owner_ref="u2")],
                )
            ],
            modules=UNIQUE12,
            users=[SECOND_USER],
            records=[
                record(
                    "A",
                    Last_Name="A",
                    unique1="u1",
                    Owner={
                        "id": {"$user": "u2.id"},
                        "name": {"$user": "u2.name"},
                        "email": {"$user": "u2.email"},
                    },
                ),
                record("B", Last_Name="B", Email="bob@example.com"),
            ],
        ),
        case(
            "r32-price-books-no-owner",
            "Price_Books have no Owner: duplicate_record has none",
            {"R32": "inf"},
            [
                upsert(
                    [{"Price_Book_Name": "PB-2", "cf_code": "C1"}],
                    400,
                    [duplicate(0, "cf_code", "a", module="Price_Books", owner_ref=None)],
                    module="Price_Books",
                )
            ],
            modules=[module("Price_Books", field("cf_code", "text", unique=True))],
            records=[
                record("a", "Price_Books", Price_Book_Name="PB-1", cf_code="C1"),
                record("b", "Price_Books", Price_Book_Name="PB-2"),
            ],
        ),
        case(
            "r33-lookup-read-back",
            "a lookup {id} reads back as {name, id}",
            {"R33": "doc"},
            [
                upsert(
                    [{"Last_Name": "C", "Account_Name": {"id": ID("acc")}}],
                    200,
                    [inserted("C")],
                    module="Contacts",
                ),
                read("C", {"Account_Name": {"name": "Acme", "id": ID("acc")}}, module="Contacts"),
            ],
            records=[record("acc", "Accounts", Account_Name="Acme")],
        ),
        case(
            "r33-lookup-unknown",
            "a lookup id that is no record of the looked-up module: INVALID_DATA",
            {"R33": "inf"},
            [
                upsert(
                    [{"Last_Name": "C", "Account_Name": {"id": "111111111111111111"}}],
                    400,
                    [invalid(0, "Account_Name")],
                    module="Contacts",
                )
            ],
        ),
        case(
            "r34-already-modified",
            "If-Unmodified-Since before the record's last change: ALREADY_MODIFIED, 412",
            {"R34": "doc"},
            [
                upsert(
                    [{"Email": "ann@example.com", "First_Name": "x"}],
                    412,
                    [
                        error(
                            "ALREADY_MODIFIED",
                            {"id": ID("A")},
                            "Record updated time has already passed if-unmodified-since time",
                        )
                    ],
                    headers={"If-Unmodified-Since": "2020-01-01T00:00:00+00:00"},
                ),
                read("A", {"First_Name": "Ann"}),
            ],
            records=[record("A", Last_Name="A", First_Name="Ann", Email="ann@example.com")],
        ),
        case(
            "r34-not-modified",
            "If-Unmodified-Since after the record's last change: written",
            {"R34": "doc"},
            [
                upsert(
                    [{"Email": "ann@example.com", "First_Name": "x"}],
                    200,
                    [updated("A", "Email")],
                    headers={"If-Unmodified-Since": "2099-01-01T00:00:00+00:00"},
                )
            ],
            records=[ann],
        ),
        case(
            "r34-inserts-unaffected",
            "If-Unmodified-Since does not stop an insert",
            {"R34": "doc", "R21": "doc"},
            [
                upsert(
                    [{"Email": "ann@example.com", "First_Name": "x"}, {"Last_Name": "N"}],
                    207,
                    [
                        error(
                            "ALREADY_MODIFIED",
                            {"id": ID("A")},
                            "Record updated time has already passed if-unmodified-since time",
                        ),
                        inserted("N"),
                    ],
                    headers={"If-Unmodified-Since": "2020-01-01T00:00:00+00:00"},
                )
            ],
            records=[ann],
        ),
        case(
            "r35-layout-mandatory",
            "a layout's mandatory field is needed when the record names the layout",
            {"R35": "doc", "R13": "doc"},
            [
                upsert(
                    [{"Last_Name": "N", "Layout": {"id": "5725767000000091055"}}],
                    400,
                    [mandatory(0, "Company")],
                )
            ],
            modules=layout,
        ),
        case(
            "r35-layout-ok",
            "without Layout, the layout's mandatory fields are not needed",
            {"R35": "doc"},
            [upsert([{"Last_Name": "N"}], 200, [inserted("N")])],
            modules=layout,
        ),
        case(
            "r35-layout-unknown",
            "a Layout id the module does not define: INVALID_DATA on Layout",
            {"R35": "inf"},
            [
                upsert(
                    [{"Last_Name": "N", "Layout": {"id": "111111111111111111"}}],
                    400,
                    [invalid(0, "Layout")],
                )
            ],
        ),
        case(
            "r35-tag-stored",
            "Tag is accepted and stored",
            {"R35": "doc"},
            [
                upsert([{"Last_Name": "N", "Tag": [{"name": "vip"}]}], 200, [inserted("N")]),
                read("N", {"Tag": [{"name": "vip"}]}),
            ],
        ),
        case(
            "r35-wizard-keys",
            "$wizard_connection_path and Wizard are accepted",
            {"R35": "doc"},
            [
                upsert(
                    [
                        {
                            "Last_Name": "N",
                            "$wizard_connection_path": ["5725767000000123001"],
                            "Wizard": {"id": "5725767000000123002"},
                        }
                    ],
                    200,
                    [inserted("N")],
                )
            ],
        ),
        case(
            "r36-line-items",
            "line items: rows get ids; Product_Name reads back with its name",
            {"R36": "doc", "R33": "doc"},
            [
                upsert(
                    [{"Subject": "Q", "Quoted_Items": [_item("p", 2)]}],
                    200,
                    [inserted("Q")],
                    module="Quotes",
                ),
                read(
                    "Q",
                    {
                        "Quoted_Items": [
                            {
                                "id": ID("row1"),
                                "Product_Name": {"name": "Widget", "id": ID("p")},
                                "Quantity": 2,
                            }
                        ]
                    },
                    module="Quotes",
                ),
            ],
            records=[widget],
        ),
        case(
            "r36-row-update-append-delete",
            "on update: a row with id is updated, one without is appended, _delete removes",
            {"R36": "doc"},
            [
                upsert(
                    [{"Subject": "Q", "Quoted_Items": [_item("p", 2), _item("g", 3)]}],
                    200,
                    [inserted("Q")],
                    module="Quotes",
                ),
                read(
                    "Q",
                    {
                        "Quoted_Items": [
                            {"id": ID("row1"), "Quantity": 2},
                            {"id": ID("row2"), "Quantity": 3},
                        ]
                    },
                    module="Quotes",
                ),
                upsert(
                    [
                        {
                            "Subject": "Q",
                            "Quoted_Items": [
                                {"id": ID("row1"), "Quantity": 5},
                                {"id": ID("row2"), "_delete": None},
                                _item("g", 7),
                            ],
                        }
                    ],
                    200,
                    [updated("Q", "Subject")],
                    module="Quotes",
                ),
                read(
                    "Q",
                    {
                        "Quoted_Items": [
                            {"id": ID("row1"), "Quantity": 5},
                            {"id": ID("row3"), "Quantity": 7},
                        ]
                    },
                    module="Quotes",
                ),
            ],
            records=[widget, gadget],
        ),
        case(
            "r36-clear",
            "[] clears a subform on update",
            {"R36": "doc"},
            [
                upsert(
                    [{"Subject": "Q", "Quoted_Items": [_item("p", 2)]}],
                    200,
                    [inserted("Q")],
                    module="Quotes",
                ),
                upsert(
                    [{"Subject": "Q", "Quoted_Items": []}],
                    200,
                    [updated("Q", "Subject")],
                    module="Quotes",
                ),
                read("Q", {"Quoted_Items": []}, module="Quotes"),
            ],
            records=[widget],
        ),
        case(
            "r36-row-mandatory",
            "a new line item needs Quantity",
            {"R36": "doc"},
            [
                upsert(
                    [{"Subject": "Q", "Quoted_Items": [{"Product_Name": {"id": ID("p")}}]}],
                    400,
                    [
                        error(
                            "MANDATORY_NOT_FOUND",
                            {
                                "api_name": "Quantity",
                                "json_path": "$.data[0].Quoted_Items[0].Quantity",
                            },
                            "required field not found",
                        )
                    ],
                    module="Quotes",
                )
            ],
            records=[widget],
        ),
        case(
            "r36-too-many-rows",
            "more than 100 rows: INVALID_DATA with maximum_length 100",
            {"R36": "inf"},
            [
                upsert(
                    [{"Subject": "Q", "Quoted_Items": [_item("p", 1) for _ in range(101)]}],
                    400,
                    [invalid(0, "Quoted_Items", maximum_length=100)],
                    module="Quotes",
                )
            ],
            records=[widget],
        ),
    ]


ALL = [r15, r17_r23, r24_r29, r30_r36]
FILES = {
    "r15-types.json": [r15],
    "r17-r23-batches.json": [r17_r23],
    "r24-r29-payloads.json": [r24_r29],
    "r30-r36-apis.json": [r30_r36],
}
