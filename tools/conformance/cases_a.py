"""Cases for R1-R16 (configuration, check order, matching, writing, types)."""

from __future__ import annotations

from typing import Any

from build import (
    SECOND_USER,
    insert,
    UNIQUE12,
    by,
    case,
    check_fields_error,
    configure,
    duplicate,
    field,
    inserted,
    invalid,
    mandatory,
    module,
    multi,
    owner,
    read,
    record,
    T,
    updated,
    upsert,
)

Case = dict[str, Any]


# --- R1 ---------------------------------------------------------------------------------------
UNIQUE_VALUES = {
    "text": "K-100",
    "email": "k100@example.com",
    "phone": "555-0101",
    "integer": 42,
    "bigint": "123456789012",
    "website": "www.example.com",
}
NOT_UNIQUE_TYPES = [
    "textarea",
    "date",
    "datetime",
    "boolean",
    "picklist",
    "multiselectpicklist",
    "currency",
    "double",
    "percent",
]


def r01() -> list[Case]:
    out = []
    for data_type, value in UNIQUE_VALUES.items():
        out.append(
            case(
                f"r01-unique-{data_type}",
                f"a {data_type} field can be made unique, and then matches as a duplicate check field",
                {"R1": "seed"},
                [
                    configure([module("Leads", field("cf_key", data_type, unique=True))], True),
                    upsert([{"Last_Name": "One", "cf_key": value}], 200, [inserted("r1")]),
                    upsert([{"Last_Name": "Two", "cf_key": value}], 200, [updated("r1", "cf_key")]),
                ],
            )
        )
    for data_type in NOT_UNIQUE_TYPES:
        out.append(
            case(
                f"r01-not-unique-{data_type}",
                f"a {data_type} field cannot be made unique: the configuration is refused",
                {"R1": "seed"},
                [configure([module("Leads", field("cf_key", data_type, unique=True))], False)],
            )
        )
    return out


# --- R2 ---------------------------------------------------------------------------------------
SYSTEM_FIELD = {
    "Leads": ("Email", "alpha@example.com"),
    "Accounts": ("Account_Name", "Alpha Inc"),
    "Contacts": ("Email", "alpha@example.com"),
    "Deals": ("Deal_Name", "Alpha deal"),
    "Campaigns": ("Campaign_Name", "Alpha campaign"),
    "Cases": ("Subject", "Alpha case"),
    "Solutions": ("Solution_Title", "Alpha solution"),
    "Products": ("Product_Name", "Alpha product"),
    "Vendors": ("Vendor_Name", "Alpha vendor"),
    "Price_Books": ("Price_Book_Name", "Alpha price book"),
    "Quotes": ("Subject", "Alpha quote"),
    "Sales_Orders": ("Subject", "Alpha order"),
    "Purchase_Orders": ("Subject", "Alpha purchase"),
    "Invoices": ("Subject", "Alpha invoice"),
}


def r02() -> list[Case]:
    out = []
    for name, (key, value) in SYSTEM_FIELD.items():
        out.append(
            case(
                f"r02-system-field-{name.lower().replace('_', '-')}",
                f"{name}: {key} is the system duplicate check field",
                {"R2": "seed"},
                [upsert([{key: value}], 200, [updated("a", key)], module=name)],
                records=[record("a", name, **{key: value})],
            )
        )
    out.append(
        case(
            "r02-custom-module-name",
            "a custom module's system duplicate check field is Name",
            {"R2": "doc"},
            [
                upsert(
                    [{"Name": "T-1", "Note_Text": "again"}],
                    200,
                    [updated("t", "Name")],
                    module="Tickets",
                )
            ],
            modules=[module("Tickets", field("Note_Text", "text"), custom=True)],
            records=[record("t", "Tickets", Name="T-1")],
        )
    )
    for alias, name in (
        ("PriceBooks", "Price_Books"),
        ("SalesOrders", "Sales_Orders"),
        ("PurchaseOrders", "Purchase_Orders"),
    ):
        key, value = SYSTEM_FIELD[name]
        out.append(
            case(
                f"r02-alias-{alias.lower()}",
                f"the seed's spelling {alias} names {name}",
                {"R2": "inf"},
                [upsert([{key: value}], 200, [updated("a", key)], module=alias)],
                records=[record("a", name, **{key: value})],
            )
        )
    for name, key in (("Appointments", "Appointment_Name"), ("Services", "Service_Name")):
        out.append(
            case(
                f"r02-no-system-field-{name.lower()}",
                f"{name} has no system duplicate check field: the same {key} inserts again",
                {"R2": "inf", "R4": "inf"},
                [upsert([{key: "Same"}], 200, [inserted("b")], module=name)],
                records=[record("a", name, **{key: "Same"})],
            )
        )
    return out


# --- R3 ---------------------------------------------------------------------------------------
def r03() -> list[Case]:
    return [
        case(
            "r03-two-unique-fields",
            "a module takes two user-defined unique fields, and both are duplicate check fields",
            {"R3": "doc"},
            [
                configure(UNIQUE12, True),
                upsert([{"Last_Name": "A", "unique1": "a-1"}], 200, [inserted("a")]),
                upsert([{"Last_Name": "B", "unique2": "b-1"}], 200, [inserted("b")]),
                upsert([{"unique2": "b-1", "First_Name": "Bee"}], 200, [updated("b", "unique2")]),
                upsert([{"unique1": "a-1", "First_Name": "Ay"}], 200, [updated("a", "unique1")]),
            ],
        ),
        case(
            "r03-external-not-counted",
            "an external field comes on top of two unique fields (not counted against the cap)",
            {"R3": "inf", "R24": "doc"},
            [
                configure(
                    [
                        module(
                            "Leads",
                            field("unique1", "text", unique=True),
                            field("unique2", "text", unique=True),
                            field("Ext_Id", "text", external="org"),
                        )
                    ],
                    True,
                ),
                upsert([{"Last_Name": "A", "Ext_Id": "E-1"}], 200, [inserted("a")]),
                upsert([{"Ext_Id": "E-1", "First_Name": "Ay"}], 200, [updated("a", "Ext_Id")]),
            ],
        ),
    ]


# --- R4 and R13 -------------------------------------------------------------------------------
def _missing(
    case_id: str, title: str, name: str, body: dict[str, Any], missing: str, **kw: Any
) -> Case:
    evidence = kw.pop("evidence", {"R4": "doc", "R13": "doc"})
    return case(
        case_id,
        title,
        evidence,
        [upsert([body], 400, [mandatory(0, missing)], module=name)],
        **kw,
    )


def r04() -> list[Case]:
    out = [
        _missing(
            "r04-leads-last-name",
            "Leads need Last_Name",
            "Leads",
            {"First_Name": "Ann"},
            "Last_Name",
        ),
        _missing(
            "r04-contacts-last-name",
            "Contacts need Last_Name",
            "Contacts",
            {"First_Name": "Ann"},
            "Last_Name",
        ),
        _missing(
            "r04-accounts-account-name",
            "Accounts need Account_Name",
            "Accounts",
            {"Phone": "555-0100"},
            "Account_Name",
        ),
        _missing("r04-deals-stage", "Deals need Stage", "Deals", {"Deal_Name": "D-1"}, "Stage"),
        _missing(
            "r04-deals-deal-name",
            "Deals need Deal_Name",
            "Deals",
            {"Stage": "Qualification"},
            "Deal_Name",
        ),
        _missing(
            "r04-deals-pipeline",
            "with pipelines enabled, Deals need Pipeline",
            "Deals",
            {"Deal_Name": "D-1", "Stage": "Qualification"},
            "Pipeline",
            modules=[module("Deals", settings=["pipelines"])],
        ),
        _missing("r04-campaigns", "Campaigns need Campaign_Name", "Campaigns", {}, "Campaign_Name"),
        _missing(
            "r04-cases-subject",
            "Cases need Subject",
            "Cases",
            {"Case_Origin": "Email", "Status": "New"},
            "Subject",
        ),
        _missing(
            "r04-cases-origin",
            "Cases need Case_Origin",
            "Cases",
            {"Subject": "Broken", "Status": "New"},
            "Case_Origin",
        ),
        _missing(
            "r04-cases-status",
            "Cases need Status",
            "Cases",
            {"Subject": "Broken", "Case_Origin": "Email"},
            "Status",
        ),
        _missing(
            "r04-solutions", "Solutions need Solution_Title", "Solutions", {}, "Solution_Title"
        ),
        _missing("r04-products", "Products need Product_Name", "Products", {}, "Product_Name"),
        _missing("r04-vendors", "Vendors need Vendor_Name", "Vendors", {}, "Vendor_Name"),
        _missing(
            "r04-price-books",
            "Price_Books need Pricing_Details",
            "Price_Books",
            {"Price_Book_Name": "PB-1"},
            "Pricing_Details",
        ),
        _missing(
            "r04-quotes", "Quotes need Quoted_Items", "Quotes", {"Subject": "Q-1"}, "Quoted_Items"
        ),
        _missing(
            "r04-sales-orders",
            "Sales_Orders need Ordered_Items",
            "Sales_Orders",
            {"Subject": "S-1"},
            "Ordered_Items",
        ),
        _missing(
            "r04-invoices",
            "Invoices need Invoiced_Items",
            "Invoices",
            {"Subject": "I-1"},
            "Invoiced_Items",
        ),
        _missing(
            "r04-purchase-orders",
            "Purchase_Orders need Purchased_Items",
            "Purchase_Orders",
            {"Subject": "P-1", "Vendor_Name": {"id": {"$id": "v"}}},
            "Purchased_Items",
            records=[record("v", "Vendors", Vendor_Name="Vend")],
        ),
        _missing(
            "r04-custom-module-name",
            "a custom module needs Name",
            "Tickets",
            {"Note_Text": "x"},
            "Name",
            modules=[module("Tickets", field("Note_Text", "text"), custom=True)],
            evidence={"R4": "inf", "R13": "doc"},
        ),
        _missing(
            "r04-user-mandatory",
            "a field the user made mandatory is needed on insert",
            "Leads",
            {"Last_Name": "Ann"},
            "Region",
            modules=[
                module("Leads", field("Region", "text"), mandatory_fields=["Last_Name", "Region"])
            ],
        ),
        case(
            "r04-deals-without-pipelines",
            "without pipelines, Deals need only Deal_Name and Stage",
            {"R4": "doc"},
            [
                upsert(
                    [{"Deal_Name": "D-1", "Stage": "Qualification"}],
                    200,
                    [inserted("d")],
                    module="Deals",
                )
            ],
        ),
        case(
            "r04-appointments-none",
            "Appointments have no known mandatory field: an empty record is added",
            {"R4": "inf"},
            [upsert([{"Status": "Scheduled"}], 200, [inserted("a")], module="Appointments")],
        ),
        case(
            "r13-empty-string",
            "an empty mandatory value is missing",
            {"R13": "doc"},
            [upsert([{"Last_Name": ""}], 400, [mandatory(0, "Last_Name")])],
        ),
        case(
            "r13-null",
            "a null mandatory value is missing",
            {"R13": "doc"},
            [upsert([{"Last_Name": None, "First_Name": "Ann"}], 400, [mandatory(0, "Last_Name")])],
        ),
        case(
            "r13-blank",
            "a mandatory value of white space only is missing",
            {"R13": "inf"},
            [upsert([{"Last_Name": "   "}], 400, [mandatory(0, "Last_Name")])],
        ),
        case(
            "r13-update-needs-none",
            "an update needs no mandatory field",
            {"R13": "doc", "R12": "doc"},
            [
                upsert(
                    [{"Email": "ann@example.com", "First_Name": "Ann"}],
                    200,
                    [updated("a", "Email")],
                )
            ],
            records=[record("a", Last_Name="Lee", Email="ann@example.com")],
        ),
    ]
    return out


# --- R5, R6 -----------------------------------------------------------------------------------
SPLIT_RECORDS = [
    record("A", Last_Name="A", Email="ann@example.com"),
    record("B", Last_Name="B", unique1="u1"),
    record("C", Last_Name="C", unique2="u2"),
]
SAME_RECORD = [record("B", Last_Name="B", Email="bee@example.com", unique1="u1", unique2="u2")]
R6_ROWS: list[tuple[str, list[str] | None, str, str]] = [
    # (row id, D, the field that decides on one record, the collision when records are split)
    ("d-unique1", ["unique1"], "unique1", "unique2"),
    ("d-unique2", ["unique2"], "unique2", "unique1"),
    ("d-unique1-unique2", ["unique1", "unique2"], "unique1", "unique2"),
    ("d-email", ["Email"], "Email", "unique1"),
    ("d-absent", None, "Email", "unique1"),
]


def r05_r06() -> list[Case]:
    out = []
    for row, check, decides, _ in R6_ROWS:
        incoming: dict[str, Any] = {"First_Name": "X", "unique1": "u1", "unique2": "u2"}
        if decides == "Email":
            incoming["Email"] = "bee@example.com"
        out.append(
            case(
                f"r06-{row}-decides",
                f"R6 row D={check}: {decides} is checked first (all keys name one record)",
                {"R5": "seed", "R6": "seed", "R10": "seed"},
                [upsert([incoming], 200, [updated("B", decides)], check=check)],
                modules=UNIQUE12,
                records=SAME_RECORD,
            )
        )
    holder = {"unique1": "B", "unique2": "C"}
    for row, check, _, collides in R6_ROWS:
        if collides == "unique2" or check == ["unique2"]:
            incoming = {"First_Name": "X", "unique1": "u1", "unique2": "u2"}
        else:
            incoming = {"First_Name": "X", "Email": "ann@example.com", "unique1": "u1"}
        out.append(
            case(
                f"r06-{row}-order",
                f"R6 row D={check}: the first field in the order picks the target, the next collides",
                {"R5": "seed", "R6": "seed", "R14": "doc"},
                [upsert([incoming], 400, [duplicate(0, collides, holder[collides])], check=check)],
                modules=UNIQUE12,
                records=SPLIT_RECORDS,
            )
        )
    out += [
        case(
            "r05-system-field-ignored",
            "D without Email: Email is not checked, the record is inserted",
            {"R5": "seed"},
            [
                upsert(
                    [{"Last_Name": "New", "Email": "ann@example.com", "unique1": "fresh"}],
                    200,
                    [inserted("n")],
                    check=["unique1"],
                )
            ],
            modules=UNIQUE12,
            records=SPLIT_RECORDS,
        ),
        case(
            "r05-empty-list",
            "an empty D is the same as no D: Email is checked",
            {"R5": "seed"},
            [
                upsert(
                    [{"Email": "ann@example.com", "First_Name": "Ann"}],
                    200,
                    [updated("A", "Email")],
                    check=[],
                )
            ],
            modules=UNIQUE12,
            records=SPLIT_RECORDS,
        ),
        case(
            "r05-unique-fields-follow",
            "D=[unique2]: unique1, not named, is still checked after it",
            {"R5": "seed"},
            [
                upsert(
                    [{"unique1": "u1", "First_Name": "Bee"}],
                    200,
                    [updated("B", "unique1")],
                    check=["unique2"],
                )
            ],
            modules=UNIQUE12,
            records=SPLIT_RECORDS,
        ),
        case(
            "r05-repeats-dropped",
            "a name repeated in D counts once, at its first position",
            {"R5": "seed"},
            [
                upsert(
                    [{"First_Name": "X", "unique1": "u1", "unique2": "u2"}],
                    200,
                    [updated("B", "unique2")],
                    check=["unique2", "unique2", "unique1"],
                )
            ],
            modules=UNIQUE12,
            records=SAME_RECORD,
        ),
        case(
            "r05-all-three-collide",
            "no D: Email picks A, then unique1 and unique2 collide with B and C",
            {"R5": "seed", "R14": "doc", "R27": "doc"},
            [
                upsert(
                    [{"Email": "ann@example.com", "unique1": "u1", "unique2": "u2"}],
                    400,
                    [multi(duplicate(0, "unique1", "B"), duplicate(0, "unique2", "C"))],
                )
            ],
            modules=UNIQUE12,
            records=SPLIT_RECORDS,
        ),
    ]
    return out


# --- R7 ---------------------------------------------------------------------------------------
def r07() -> list[Case]:
    phones = [
        record("A", Last_Name="A", Email="ann@example.com", Phone="555-0100"),
        record("B", Last_Name="B", Email="bob@example.com", Phone="555-0200"),
    ]
    return [
        case(
            "r07-match-key",
            "a non-unique Phone named in D is a match key",
            {"R7": "obs"},
            [
                upsert(
                    [{"Phone": "555-0200", "First_Name": "Bob"}],
                    200,
                    [updated("B", "Phone")],
                    check=["Phone"],
                )
            ],
            records=phones,
        ),
        case(
            "r07-sdk-sample",
            "Zoho's SDK sample D=[City, Last_Name, First_Name] matches by City",
            {"R7": "obs"},
            [
                upsert(
                    [{"City": "Austin", "Last_Name": "Boyle", "First_Name": "Pat"}],
                    200,
                    [updated("A", "City")],
                    check=["City", "Last_Name", "First_Name"],
                )
            ],
            records=[record("A", Last_Name="Boyle", First_Name="Pat", City="Austin")],
        ),
        case(
            "r07-match-key-not-unique",
            "a match key is no uniqueness constraint: a record may take another's Phone",
            {"R7": "inf", "R14": "doc"},
            [
                upsert(
                    [{"Email": "ann@example.com", "Phone": "555-0200"}],
                    200,
                    [updated("A", "Email")],
                    check=["Email", "Phone"],
                )
            ],
            records=phones,
        ),
        case(
            "r07-match-key-oldest",
            "a match key finding two records updates the oldest",
            {"R7": "inf", "R11": "inf"},
            [
                upsert(
                    [{"Phone": "555-0100", "First_Name": "Z"}],
                    200,
                    [updated("A", "Phone")],
                    check=["Phone"],
                )
            ],
            records=[
                record("A", Last_Name="A", Phone="555-0100"),
                record("B", Last_Name="B", Phone="555-0100"),
            ],
        ),
        case(
            "r07-unknown-name",
            "a name that is no field of the module fails the whole request",
            {"R7": "inf"},
            [
                upsert(
                    [{"Last_Name": "N", "Email": "n@example.com"}],
                    400,
                    check_fields_error(1),
                    check=["Email", "Nope"],
                )
            ],
        ),
        case(
            "r07-wrong-type",
            "a field of a type R1 does not allow (textarea) fails the whole request",
            {"R7": "inf"},
            [upsert([{"Last_Name": "N"}], 400, check_fields_error(0), check=["Description"])],
        ),
        case(
            "r07-not-a-list",
            "D that is not a list fails the whole request",
            {"R7": "inf"},
            [
                upsert(
                    [{"Last_Name": "N"}],
                    400,
                    {
                        "code": "INVALID_DATA",
                        "details": {
                            "api_name": "duplicate_check_fields",
                            "json_path": "$.duplicate_check_fields",
                        },
                        "message": "invalid data",
                        "status": "error",
                    },
                    check="Email",  # type: ignore[arg-type]
                )
            ],
        ),
        case(
            "r07-not-a-string",
            "a non-string in D fails the whole request",
            {"R7": "inf"},
            [upsert([{"Last_Name": "N"}], 400, check_fields_error(1), check=["Email", 5])],
        ),
        case(
            "r07-nothing-written",
            "a request refused for D writes nothing: the same record then inserts",
            {"R7": "inf", "R16": "inf"},
            [
                upsert(
                    [{"Last_Name": "N", "Email": "n@example.com"}],
                    400,
                    check_fields_error(0),
                    check=["Nope"],
                ),
                upsert([{"Last_Name": "N", "Email": "n@example.com"}], 200, [inserted("n")]),
            ],
        ),
    ]


# --- R8-R11 -----------------------------------------------------------------------------------
def _typed_unique(data_type: str) -> list[dict[str, Any]]:
    return [module("Leads", field("cf_key", data_type, unique=True))]


def r08_r11() -> list[Case]:
    out = [
        case(
            "r08-email-case",
            "Email matches case-insensitively; the value sent is stored",
            {"R8": "inf"},
            [
                upsert([{"Email": "ANN@example.COM"}], 200, [updated("A", "Email")]),
                read("A", {"Email": "ANN@example.COM"}),
            ],
            records=[record("A", Last_Name="A", Email="Ann@Example.com")],
        ),
        case(
            "r08-email-space",
            "Email matches with surrounding white space stripped",
            {"R8": "inf"},
            [upsert([{"Email": "  ann@example.com "}], 200, [updated("A", "Email")])],
            records=[record("A", Last_Name="A", Email="ann@example.com")],
        ),
        case(
            "r08-unique-text-case",
            "a unique text field matches case-insensitively (case_sensitive: false)",
            {"R8": "doc"},
            [upsert([{"cf_key": "abc-1", "First_Name": "x"}], 200, [updated("A", "cf_key")])],
            modules=_typed_unique("text"),
            records=[record("A", Last_Name="A", cf_key="ABC-1")],
        ),
        case(
            "r08-unique-text-space",
            "a unique text field matches with surrounding white space stripped",
            {"R8": "inf"},
            [upsert([{"cf_key": " ABC-1  ", "First_Name": "x"}], 200, [updated("A", "cf_key")])],
            modules=_typed_unique("text"),
            records=[record("A", Last_Name="A", cf_key="ABC-1")],
        ),
        case(
            "r08-integer-leading-zeros",
            'a Number field: "0042" matches 42',
            {"R8": "inf"},
            [upsert([{"cf_key": "0042", "First_Name": "x"}], 200, [updated("A", "cf_key")])],
            modules=_typed_unique("integer"),
            records=[record("A", Last_Name="A", cf_key=42)],
        ),
        case(
            "r08-integer-float",
            "a Number field: 42.0 matches 42",
            {"R8": "inf"},
            [upsert([{"cf_key": 42.0, "First_Name": "x"}], 200, [updated("A", "cf_key")])],
            modules=_typed_unique("integer"),
            records=[record("A", Last_Name="A", cf_key=42)],
        ),
        case(
            "r08-integer-fraction",
            "a Number field: 42.5 is INVALID_DATA",
            {"R8": "inf", "R15": "obs"},
            [
                upsert(
                    [{"cf_key": 42.5, "Last_Name": "x"}],
                    400,
                    [invalid(0, "cf_key", expected_data_type="integer", maximum_length=9)],
                )
            ],
            modules=_typed_unique("integer"),
        ),
        case(
            "r08-bigint",
            'a Long Integer field: 7 matches "007"',
            {"R8": "inf"},
            [upsert([{"cf_key": 7, "First_Name": "x"}], 200, [updated("A", "cf_key")])],
            modules=_typed_unique("bigint"),
            records=[record("A", Last_Name="A", cf_key="007")],
        ),
        case(
            "r08-website-case",
            "a unique URL field matches case-insensitively",
            {"R8": "inf"},
            [
                upsert(
                    [{"cf_key": "WWW.example.COM", "First_Name": "x"}],
                    200,
                    [updated("A", "cf_key")],
                )
            ],
            modules=_typed_unique("website"),
            records=[record("A", Last_Name="A", cf_key="www.Example.com")],
        ),
        case(
            "r08-phone-space",
            "a unique phone field matches with surrounding white space stripped",
            {"R8": "inf"},
            [upsert([{"cf_key": " 555-0100 ", "First_Name": "x"}], 200, [updated("A", "cf_key")])],
            modules=_typed_unique("phone"),
            records=[record("A", Last_Name="A", cf_key="555-0100")],
        ),
        case(
            "r09-missing-key",
            "a record without Email does not match a record without Email",
            {"R9": "doc"},
            [upsert([{"Last_Name": "B"}], 200, [inserted("B")])],
            records=[record("A", Last_Name="A")],
        ),
        case(
            "r09-null",
            "Email null matches nothing",
            {"R9": "doc"},
            [upsert([{"Last_Name": "B", "Email": None}], 200, [inserted("B")])],
            records=[record("A", Last_Name="A")],
        ),
        case(
            "r09-empty-not-indexed",
            'Email "" matches nothing and is not indexed: two such records are two inserts',
            {"R9": "inf"},
            [
                upsert([{"Last_Name": "B", "Email": ""}], 200, [inserted("B")]),
                upsert([{"Last_Name": "C", "Email": ""}], 200, [inserted("C")]),
            ],
        ),
        case(
            "r09-blank-unique",
            "a unique value of white space only matches nothing",
            {"R9": "inf"},
            [
                upsert([{"Last_Name": "B", "unique1": "   "}], 200, [inserted("B")]),
                upsert([{"Last_Name": "C", "unique1": "  "}], 200, [inserted("C")]),
            ],
            modules=UNIQUE12,
        ),
        case(
            "r10-empty-skipped",
            "an empty Email is skipped; unique1 decides",
            {"R10": "seed", "R9": "inf"},
            [upsert([{"Email": "", "unique1": "u1"}], 200, [updated("B", "unique1")])],
            modules=UNIQUE12,
            records=SPLIT_RECORDS,
        ),
        case(
            "r10-later-field",
            "Email finds nothing; unique1 finds B and decides",
            {"R10": "seed"},
            [
                upsert(
                    [{"Email": "nobody@example.com", "unique1": "u1"}],
                    200,
                    [updated("B", "unique1")],
                ),
                read("B", {"Email": "nobody@example.com", "unique1": "u1"}),
            ],
            modules=UNIQUE12,
            records=SPLIT_RECORDS,
        ),
        case(
            "r10-no-match",
            "nothing found: insert with duplicate_field null",
            {"R10": "seed"},
            [
                upsert(
                    [{"Last_Name": "N", "Email": "new@example.com", "unique1": "new"}],
                    200,
                    [inserted("N")],
                )
            ],
            modules=UNIQUE12,
            records=SPLIT_RECORDS,
        ),
        case(
            "r11-oldest-by-time",
            "two records hold the Email: the one created first is updated",
            {"R11": "inf"},
            [
                upsert(
                    [{"Email": "dup@example.com", "First_Name": "x"}],
                    200,
                    [updated("old", "Email")],
                )
            ],
            records=[
                record(
                    "new",
                    Last_Name="New",
                    Email="dup@example.com",
                    Created_Time="2025-06-01T10:00:00+05:30",
                ),
                record(
                    "old",
                    Last_Name="Old",
                    Email="dup@example.com",
                    Created_Time="2025-01-01T10:00:00+05:30",
                ),
            ],
        ),
        case(
            "r11-oldest-by-id",
            "two records hold the Email, created together: the smaller id is updated",
            {"R11": "inf"},
            [
                upsert(
                    [{"Email": "dup@example.com", "First_Name": "x"}],
                    200,
                    [updated("first", "Email")],
                )
            ],
            records=[
                record("first", Last_Name="First", Email="dup@example.com"),
                record("second", Last_Name="Second", Email="dup@example.com"),
            ],
        ),
    ]
    return out


# --- R12, R14, R16 ----------------------------------------------------------------------------
ACME = record("A", Last_Name="Lee", First_Name="Ann", Company="Acme", Email="ann@example.com")


def r12_r16() -> list[Case]:
    return [
        case(
            "r12-patch",
            "an update writes only the fields sent",
            {"R12": "doc"},
            [
                upsert(
                    [{"Email": "ann@example.com", "Company": "Beta"}], 200, [updated("A", "Email")]
                ),
                read("A", {"Last_Name": "Lee", "First_Name": "Ann", "Company": "Beta"}),
            ],
            records=[ACME],
        ),
        case(
            "r12-null-clears",
            "null clears a field",
            {"R12": "doc"},
            [
                upsert(
                    [{"Email": "ann@example.com", "Company": None}], 200, [updated("A", "Email")]
                ),
                read("A", {"Company": None, "First_Name": "Ann"}),
            ],
            records=[ACME],
        ),
        case(
            "r12-created-stays",
            "Created_Time and Created_By stay; Modified_By is the acting user",
            {"R12": "doc", "R18": "doc"},
            [
                read("A", {"Created_Time": T("c0"), "Created_By": by("me")}),
                upsert(
                    [{"Email": "ann@example.com", "Company": "Beta"}],
                    200,
                    [updated("A", "Email", created="c0")],
                ),
                read(
                    "A", {"Created_Time": T("c0"), "Created_By": by("me"), "Modified_By": by("me")}
                ),
            ],
            records=[ACME],
        ),
        case(
            "r12-other-user",
            "an update by another user: Modified_By is that user, Created_By stays",
            {"R12": "doc", "R32": "doc"},
            [
                upsert(
                    [{"Email": "ann@example.com", "Company": "Beta"}],
                    200,
                    [updated("A", "Email", user="u2", creator="me")],
                    user="u2",
                ),
                read("A", {"Created_By": by("me"), "Modified_By": by("u2"), "Owner": owner("me")}),
            ],
            users=[SECOND_USER],
            records=[ACME],
        ),
        case(
            "r14-duplicate-data",
            "Email picks B; unique1 then collides with A: DUPLICATE_DATA naming A",
            {"R14": "doc", "R27": "doc", "R32": "obs"},
            [
                upsert(
                    [{"Email": "bob@example.com", "unique1": "u1"}],
                    400,
                    [duplicate(0, "unique1", "A")],
                )
            ],
            modules=UNIQUE12,
            records=[
                record("A", Last_Name="A", unique1="u1"),
                record("B", Last_Name="B", Email="bob@example.com"),
            ],
        ),
        case(
            "r14-more-records",
            "loaded repeats: duplicate_record is the oldest holder, more_records true",
            {"R14": "doc"},
            [
                upsert(
                    [{"Email": "bob@example.com", "unique1": "u1"}],
                    400,
                    [duplicate(0, "unique1", "A", more=True)],
                )
            ],
            modules=UNIQUE12,
            records=[
                record("A", Last_Name="A", unique1="u1"),
                record("A2", Last_Name="A2", unique1="u1"),
                record("B", Last_Name="B", Email="bob@example.com"),
            ],
        ),
        case(
            "r14-unchanged-not-rechecked",
            "a record loaded with a repeated unique value can still be updated",
            {"R14": "doc"},
            [
                upsert(
                    [{"Email": "ann@example.com", "unique1": "U1", "First_Name": "x"}],
                    200,
                    [updated("A", "Email")],
                )
            ],
            modules=UNIQUE12,
            records=[
                record("A", Last_Name="A", Email="ann@example.com", unique1="u1"),
                record("A2", Last_Name="A2", unique1="u1"),
            ],
        ),
        case(
            "r14-system-field-not-constraint",
            "Email is no constraint: a second record may hold it",
            {"R14": "doc"},
            [
                upsert(
                    [{"Last_Name": "N", "Email": "ann@example.com", "unique1": "n1"}],
                    200,
                    [inserted("N")],
                    check=["unique1"],
                )
            ],
            modules=UNIQUE12,
            records=[record("A", Last_Name="A", Email="ann@example.com")],
        ),
        case(
            "r14-insert-collides",
            "Insert Records: a unique value held by another record is DUPLICATE_DATA",
            {"R14": "doc", "R30": "doc"},
            [insert([{"Last_Name": "N", "unique1": "u1"}], 400, [duplicate(0, "unique1", "A")])],
            modules=UNIQUE12,
            records=[record("A", Last_Name="A", unique1="u1")],
        ),
        case(
            "r16-rejected-record",
            "a record refused with DUPLICATE_DATA changes nothing",
            {"R16": "inf", "R14": "doc"},
            [
                upsert(
                    [{"Email": "ann@example.com", "unique1": "u2", "Company": "Changed"}],
                    400,
                    [duplicate(0, "unique1", "B")],
                ),
                read("A", {"Company": "Acme", "unique1": "u1"}),
            ],
            modules=UNIQUE12,
            records=[
                record("A", Last_Name="A", Email="ann@example.com", Company="Acme", unique1="u1"),
                record("B", Last_Name="B", unique1="u2"),
            ],
        ),
        case(
            "r16-refused-request",
            "a request refused whole (101 records) changes nothing",
            {"R16": "inf", "R19": "doc"},
            [
                upsert(
                    [{"Email": "ann@example.com", "Company": "Changed"}]
                    + [{"Last_Name": f"N{i}"} for i in range(100)],
                    400,
                    {
                        "code": "LIMIT_EXCEEDED",
                        "details": {"limit": 100},
                        "message": {"$any": "string"},
                        "status": "error",
                    },
                ),
                read("A", {"Company": "Acme"}),
            ],
            records=[ACME],
        ),
    ]


ALL = [r01, r02, r03, r04, r05_r06, r07, r08_r11, r12_r16]
