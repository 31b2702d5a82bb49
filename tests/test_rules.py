"""One or more example tests per rule of UPSERT-SEMANTICS.md (R1-R23), exact where practical.

The default id source and clock are deterministic: ids count up from 5725767000000600001 and
each write request (``load`` included) happens one second after the previous one, from
2026-01-15T10:00:00+05:30.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from upsert_engine import (
    ConfigurationError,
    Engine,
    IntraBatch,
    MultiMatch,
    NonUniqueCheckField,
    Options,
    UnknownModuleError,
    User,
    check_order,
    normalize_digits,
    normalize_integer,
    normalize_text,
)

USER = {"name": "Example User", "id": "5725767000000411001"}
#: R32: the default user as Owner reads back, and as ``duplicate_record.Owner`` shows it.
OWNER = {**USER, "email": "example.user@example.com"}
DUPLICATE_OWNER = {**USER, "zuid": "60012345"}
#: R32: module ids, by position in the org: the standard modules first (rules.py order).
MODULE_IDS = {
    name: str(5725767000000002175 + 2 * n)
    for n, name in enumerate(
        ["Leads", "Accounts", "Contacts", "Deals", "Campaigns", "Cases", "Solutions", "Products",
         "Vendors", "Price_Books", "Quotes", "Sales_Orders", "Purchase_Orders", "Invoices",
         "Appointments", "Services", "Projects_X"]
    )
}  # fmt: skip


def duplicate_record(other: str, module: str = "Leads") -> dict[str, Any]:
    """R32: ``duplicate_record`` of a record owned by the default user."""
    return {
        "Owner": DUPLICATE_OWNER,
        "module": {"api_name": module, "id": MODULE_IDS[module]},
        "id": other,
    }


def rid(n: int) -> str:
    """The id of the n-th record the engine creates (n = 1, 2, ...)."""
    return str(5725767000000600000 + n)


def at(seconds: int) -> str:
    """The time of write request number ``seconds`` (0 = the first)."""
    return f"2026-01-15T10:00:{seconds:02d}+05:30"


def ok(
    action: str,
    record_id: str,
    created: str,
    modified: str,
    duplicate_field: str | None = None,
    created_by: dict[str, str] | None = None,
    approval: str | None = "approved",
) -> dict[str, Any]:
    """R18: one exact success entry; an insert's details end with ``$approval_state`` (R31:
    v6 on, the default version being v8; ``approval=None`` for older versions)."""
    details = {
        "Modified_Time": modified,
        "Modified_By": USER,
        "Created_Time": created,
        "id": record_id,
        "Created_By": created_by or USER,
    }
    if action == "insert" and approval is not None:
        details["$approval_state"] = approval
    return {
        "code": "SUCCESS",
        "duplicate_field": duplicate_field,
        "action": action,
        "details": details,
        "message": "record added" if action == "insert" else "record updated",
        "status": "success",
    }


def invalid(index: int, field: str, **detail: Any) -> dict[str, Any]:
    """R15: one exact INVALID_DATA entry."""
    return {
        "code": "INVALID_DATA",
        "details": {"api_name": field, "json_path": f"$.data[{index}].{field}", **detail},
        "message": "invalid data",
        "status": "error",
    }


def duplicate(
    index: int, field: str, other: str, module: str = "Leads", more: bool = False
) -> dict[str, Any]:
    """R14: one exact DUPLICATE_DATA entry."""
    return {
        "code": "DUPLICATE_DATA",
        "details": {
            "api_name": field,
            "json_path": f"$.data[{index}].{field}",
            "duplicate_record": duplicate_record(other, module),
            "more_records": more,
        },
        "message": "duplicate data",
        "status": "error",
    }


def snapshot(engine: Engine, module: str = "Leads") -> list[dict[str, Any]]:
    return list(engine.records(module))


def leads(*records: dict[str, Any], unique: tuple[str, ...] = ("Mobile",)) -> Engine:
    """An engine whose Leads have ``unique`` made unique, loaded with ``records`` (request 0)."""
    engine = Engine()
    for name in unique:
        data_type = engine.schema("Leads").fields[name].data_type if name != "Code" else "text"
        engine.add_field("Leads", name, data_type, unique=True)
    if records:
        engine.load("Leads", list(records))
    return engine


# --- R1 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("data_type", ["text", "email", "phone", "integer", "bigint", "website"])
def test_r1_unique_capable_types(data_type: str) -> None:
    """R1: Single Line, Email, Phone, Number, Long Integer and URL fields can be made unique."""
    engine = Engine()
    definition = engine.add_field("Leads", "Key_X", data_type, unique=True)
    assert definition.unique
    assert engine.schema("Leads").unique_fields == ("Key_X",)


@pytest.mark.parametrize(
    "data_type",
    ["textarea", "picklist", "multiselectpicklist", "date", "datetime", "boolean", "double",
     "currency", "percent", "decimal", "lookup", "ownerlookup", "userlookup"],
)  # fmt: skip
def test_r1_other_types_cannot_be_unique(data_type: str) -> None:
    """R1: making any other type unique raises at once, naming the field and its type."""
    engine = Engine()
    before = engine.schema("Leads")
    with pytest.raises(ConfigurationError, match=rf"Key_X.*{data_type}"):
        engine.add_field("Leads", "Key_X", data_type, unique=True)
    assert engine.schema("Leads") == before
    assert "Key_X" not in engine.schema("Leads").fields


def test_r1_non_unique_field_of_any_type_is_fine() -> None:
    """R1: the restriction is on uniqueness only; a plain textarea field is accepted."""
    engine = Engine()
    engine.add_field("Leads", "Notes_X", "textarea")
    assert engine.schema("Leads").fields["Notes_X"].data_type == "textarea"
    assert engine.schema("Leads").unique_fields == ()


# --- R2 ------------------------------------------------------------------------------------------
SYSTEM_FIELDS = {
    "Leads": "Email",
    "Accounts": "Account_Name",
    "Contacts": "Email",
    "Deals": "Deal_Name",
    "Campaigns": "Campaign_Name",
    "Cases": "Subject",
    "Solutions": "Solution_Title",
    "Products": "Product_Name",
    "Vendors": "Vendor_Name",
    "Price_Books": "Price_Book_Name",
    "Quotes": "Subject",
    "Sales_Orders": "Subject",
    "Purchase_Orders": "Subject",
    "Invoices": "Subject",
}


@pytest.mark.parametrize(("module", "field"), SYSTEM_FIELDS.items())
def test_r2_system_duplicate_check_field(module: str, field: str) -> None:
    """R2: each standard module's system duplicate check field."""
    assert Engine().schema(module).system_fields == (field,)


@pytest.mark.parametrize(("module", "field"), SYSTEM_FIELDS.items())
def test_r2_system_field_matches_in_every_module(module: str, field: str) -> None:
    """R2: upserting a record whose system field value exists updates that record."""
    engine = Engine()
    value = "a@example.com" if field == "Email" else "Alpha One"
    base = {field: value, "Last_Name": "L"} if field == "Email" else {field: value}
    (existing,) = engine.load(module, [base])
    incoming = {field: f"  {value.upper()} "}
    response = engine.upsert(module, {"data": [incoming]})
    assert response.status == 200
    assert response.body == {"data": [ok("update", existing, at(0), at(1), field)]}
    assert engine.count(module) == 1


def test_r2_modules_without_system_field() -> None:
    """R2: Appointments and Services have no system duplicate check field."""
    engine = Engine()
    assert engine.schema("Appointments").system_fields == ()
    assert engine.schema("Services").system_fields == ()


@pytest.mark.parametrize(
    ("alias", "api_name"),
    [("PriceBooks", "Price_Books"), ("SalesOrders", "Sales_Orders"),
     ("PurchaseOrders", "Purchase_Orders")],
)  # fmt: skip
def test_r2_seed_spellings_are_aliases(alias: str, api_name: str) -> None:
    """R2: PriceBooks, SalesOrders and PurchaseOrders name the same modules as the API names."""
    engine = Engine()
    assert engine.schema(alias).api_name == api_name
    field = SYSTEM_FIELDS[api_name]
    engine.set_mandatory(alias, [field])  # R4's other fields (line items, vendor) aside
    first = engine.upsert(alias, {"data": [{field: "Q-1"}]})
    second = engine.upsert(api_name, {"data": [{field: "q-1"}]})
    assert first.body == {"data": [ok("insert", rid(1), at(0), at(0))]}
    assert second.body == {"data": [ok("update", rid(1), at(0), at(1), field)]}
    assert [r["id"] for r in engine.records(alias)] == [rid(1)]
    assert alias not in engine.modules()


def test_r2_custom_module_system_field_is_name() -> None:
    """R2: a custom module's system duplicate check field is Name."""
    engine = Engine()
    schema = engine.add_module("Projects_X")
    assert schema.system_fields == ("Name",)
    assert schema.custom
    first = engine.upsert("Projects_X", {"data": [{"Name": "Apollo"}]})
    second = engine.upsert("Projects_X", {"data": [{"Name": " APOLLO"}]})
    assert first.body == {"data": [ok("insert", rid(1), at(0), at(0))]}
    assert second.body == {"data": [ok("update", rid(1), at(0), at(1), "Name")]}


# --- R3 ------------------------------------------------------------------------------------------
def test_r3_any_number_of_unique_fields_by_default() -> None:
    """R3: by default the engine accepts more than two user-defined unique fields."""
    engine = Engine()
    for name in ("U_1", "U_2", "U_3", "U_4"):
        engine.add_field("Leads", name, "text", unique=True)
    assert engine.schema("Leads").unique_fields == ("U_1", "U_2", "U_3", "U_4")


def test_r3_cap_is_an_option() -> None:
    """R3: with max_unique_fields=2 a third unique field is a configuration error."""
    engine = Engine(Options(max_unique_fields=2))
    engine.add_field("Leads", "U_1", "text", unique=True)
    engine.add_field("Leads", "U_2", "text", unique=True)
    before = engine.schema("Leads")
    with pytest.raises(ConfigurationError, match=r"U_3.*cap is 2"):
        engine.add_field("Leads", "U_3", "text", unique=True)
    assert engine.schema("Leads") == before
    engine.add_field("Leads", "U_3", "text")  # not unique: no cap
    engine.add_field("Leads", "U_1", "text", unique=True)  # redefining keeps the count at 2


# --- R4 ------------------------------------------------------------------------------------------
#: The contract as the repository carries it (a test keeps it in step with the shared spec).
CONTRACT = Path(__file__).resolve().parent.parent / "docs" / "UPSERT-SEMANTICS.md"


def r4_from_the_contract() -> dict[str, tuple[str, ...]]:
    """R4's list read from the contract's own prose (``Leads, Contacts → Last_Name · …``), so the
    engine's table is checked against the spec's text, not against a copy of itself."""
    text = CONTRACT.read_text(encoding="utf-8")
    rule = text[text.index("- **R4**") : text.index("- **R5**")]
    listing = rule.split('mandatory fields for each module"):', 1)[1].split("Users add", 1)[0]
    table: dict[str, tuple[str, ...]] = {}
    for entry in " ".join(listing.split()).split(" · "):
        modules, fields = entry.split(" → ")
        fields = re.sub(r"\s*\(.*\)|\s*\[inf\]|\.$", "", fields)  # Deals' Pipeline setting aside
        names = () if fields == "none known" else tuple(fields.split(", "))
        table.update(dict.fromkeys(modules.split(", "), names))
    return table


R4_CONTRACT = r4_from_the_contract()
#: R4 for the standard modules, as the contract lists them (Zoho's v7 Insert Records page).
SPEC_MANDATORY = {m: names for m, names in R4_CONTRACT.items() if m != "custom modules"}


def test_r4_the_contract_lists_every_module() -> None:
    """R4: the list read from the contract covers the engine's 16 standard modules and custom
    modules, and reads known rows right (so the test below cannot pass by reading nothing)."""
    assert len(SPEC_MANDATORY) == 16
    assert set(SPEC_MANDATORY) == set(Engine().modules())
    assert SPEC_MANDATORY["Contacts"] == ("Last_Name",)  # "Leads, Contacts → Last_Name"
    assert SPEC_MANDATORY["Deals"] == ("Deal_Name", "Stage")  # Pipeline: a setting, test below
    assert SPEC_MANDATORY["Purchase_Orders"] == ("Subject", "Vendor_Name", "Purchased_Items")
    assert SPEC_MANDATORY["Services"] == ()  # "Appointments, Services → none known [inf]."
    engine = Engine()
    engine.add_module("Projects_X")
    assert R4_CONTRACT["custom modules"] == ("Name",)  # "custom modules → Name [inf]"
    assert engine.schema("Projects_X").mandatory_fields == R4_CONTRACT["custom modules"]


@pytest.mark.parametrize(("module", "mandatory"), SPEC_MANDATORY.items())
def test_r4_mandatory_fields(module: str, mandatory: tuple[str, ...]) -> None:
    """R4: each standard module's system-defined mandatory fields, as Zoho lists them; an
    insert without them gets MANDATORY_NOT_FOUND naming the first one missing (R13)."""
    engine = Engine()
    assert engine.schema(module).mandatory_fields == mandatory
    response = engine.upsert(module, {"data": [{"Description": "x"}]})
    if not mandatory:  # Appointments, Services: none known
        assert response.status == 200
        return
    assert response.status == 400
    assert response.body["data"][0]["code"] == "MANDATORY_NOT_FOUND"
    assert response.body["data"][0]["details"]["api_name"] == mandatory[0]
    assert engine.count(module) == 0


def test_r4_deal_needs_stage_and_case_needs_origin_and_status() -> None:
    """R4 (issue 10): a Deal without Stage, a Case without Case_Origin or Status are refused."""
    engine = Engine()
    deal = engine.upsert("Deals", {"data": [{"Deal_Name": "Big"}]})
    assert deal.status == 400
    assert deal.body["data"][0]["details"] == {"api_name": "Stage", "json_path": "$.data[0].Stage"}
    cases = engine.insert(
        "Cases",
        {"data": [{"Subject": "Broke", "Status": "New"}, {"Subject": "L", "Case_Origin": "Web"}]},
    )
    assert [e["details"]["api_name"] for e in cases.body["data"]] == ["Case_Origin", "Status"]
    assert engine.count("Deals") == engine.count("Cases") == 0
    added = engine.upsert("Deals", {"data": [{"Deal_Name": "Big", "Stage": "Qualification"}]})
    assert added.status == 200 and engine.count("Deals") == 1


def test_r4_deals_pipeline_is_a_module_setting() -> None:
    """R4: Deals need Pipeline only when the org has pipelines enabled (a module setting)."""
    engine = Engine()
    deal = {"Deal_Name": "Big", "Stage": "Qualification"}
    assert engine.upsert("Deals", {"data": [deal]}).status == 200
    schema = engine.set_setting("Deals", "pipelines")
    assert schema.settings == frozenset({"pipelines"})
    assert schema.insert_mandatory() == ("Deal_Name", "Stage", "Pipeline")
    refused = engine.upsert("Deals", {"data": [{**deal, "Deal_Name": "Other"}]})
    assert refused.body["data"][0]["details"]["api_name"] == "Pipeline"
    updated = engine.upsert("Deals", {"data": [{"Deal_Name": "big", "Amount": 5}]})
    assert updated.body["data"][0]["action"] == "update"  # updates need no mandatory field
    added = engine.upsert("Deals", {"data": [{**deal, "Deal_Name": "O", "Pipeline": "Standard"}]})
    assert added.status == 200
    engine.set_setting("Deals", "pipelines", False)
    assert engine.upsert("Deals", {"data": [{**deal, "Deal_Name": "Third"}]}).status == 200
    with pytest.raises(ConfigurationError, match="no setting 'pipelines'"):
        engine.set_setting("Leads", "pipelines")
    with pytest.raises(ConfigurationError, match="must be a bool"):
        engine.set_setting("Deals", "pipelines", "yes")  # type: ignore[arg-type]


def test_r4_custom_module_needs_name() -> None:
    """R4: a custom module's mandatory field is Name."""
    engine = Engine()
    engine.add_module("Projects_X")
    response = engine.upsert("Projects_X", {"data": [{"Email": "p@example.com"}]})
    assert response.body["data"][0]["details"] == {
        "api_name": "Name",
        "json_path": "$.data[0].Name",
    }


def test_r4_mandatory_fields_are_configurable() -> None:
    """R4: set_mandatory replaces a module's mandatory fields."""
    engine = Engine()
    engine.set_mandatory("Leads", ["Last_Name", "Company"])
    response = engine.upsert("Leads", {"data": [{"Last_Name": "Frey"}, {"Company": "abc"}]})
    assert response.status == 400
    assert [e["details"]["api_name"] for e in response.body["data"]] == ["Company", "Last_Name"]
    engine.set_mandatory("Leads", [])
    assert engine.upsert("Leads", {"data": [{"Company": "abc"}]}).status == 200


# --- R5 / R6 -------------------------------------------------------------------------------------
#: R6: the seed's worked examples (S = [Email], U = [unique1, unique2]): D → check order.
R6_EXAMPLES = [
    (["unique1"], ("unique1", "unique2")),
    (["unique2"], ("unique2", "unique1")),
    (["unique1", "unique2"], ("unique1", "unique2")),
    (["Email"], ("Email", "unique1", "unique2")),
    (None, ("Email", "unique1", "unique2")),
]


@pytest.mark.parametrize(("requested", "expected"), R6_EXAMPLES)
def test_r6_worked_examples(requested: list[str] | None, expected: tuple[str, ...]) -> None:
    """R6: every row of the seed's table, for the pure function."""
    assert check_order(("Email",), ("unique1", "unique2"), requested) == expected


@pytest.mark.parametrize(("requested", "expected"), R6_EXAMPLES)
def test_r6_worked_examples_through_the_engine(
    requested: list[str] | None, expected: tuple[str, ...]
) -> None:
    """R6: every row of the seed's table, as the engine resolves and walks it."""
    engine = Engine()
    engine.add_field("Leads", "unique1", "text", unique=True)
    engine.add_field("Leads", "unique2", "text", unique=True)
    engine.load("Leads", [{"Last_Name": "A", "unique1": "u1"}, {"Last_Name": "B", "unique2": "u2"}])
    body: dict[str, Any] = {"data": [{"Email": "new@example.com", "unique1": "u1"}]}
    if requested is not None:
        body["duplicate_check_fields"] = requested
    explanation = engine.explain("Leads", body)
    assert explanation.check_order == expected
    trace = explanation.records[0]
    tried = [probe.field for probe in trace.probes]
    assert tried == list(expected[: expected.index("unique1") + 1])
    assert trace.duplicate_field == "unique1"
    assert trace.record_id == rid(1)


def test_r5_empty_list_is_like_absent() -> None:
    """R5: an empty duplicate_check_fields gives S then U."""
    assert check_order(("Email",), ("U",), []) == ("Email", "U")
    engine = leads({"Last_Name": "A", "Email": "a@example.com"})
    body = {"data": [{"Email": "A@example.com"}], "duplicate_check_fields": []}
    assert engine.upsert("Leads", body).body == {
        "data": [ok("update", rid(1), at(0), at(1), "Email")]
    }


def test_r5_repeats_dropped() -> None:
    """R5: names repeated in duplicate_check_fields are tried once, in first-seen order."""
    assert check_order(("Email",), ("U1", "U2"), ["U2", "Email", "U2", "Email"]) == (
        "U2",
        "Email",
        "U1",
    )


def test_r5_system_field_ignored_unless_named() -> None:
    """R5: when D is given without the system field, the system field is not checked."""
    engine = leads({"Last_Name": "A", "Email": "a@example.com"})
    body = {
        "data": [{"Last_Name": "B", "Email": "a@example.com", "Mobile": "555 0100"}],
        "duplicate_check_fields": ["Mobile"],
    }
    response = engine.upsert("Leads", body)
    assert response.body == {"data": [ok("insert", rid(2), at(1), at(1))]}
    assert [r["Email"] for r in engine.records("Leads")] == ["a@example.com", "a@example.com"]


# --- R7 ------------------------------------------------------------------------------------------
def test_r7_non_unique_field_fails_whole_request_under_reject() -> None:
    """R7 (seed reading, non_unique_check_field="reject"): a name outside S ∪ U fails the
    whole request with 400 and Zoho's exact top-level body; nothing is written; the reason
    goes to explain, not to the message (R27)."""
    engine = Engine(Options(non_unique_check_field="reject"))
    engine.load("Leads", [{"Last_Name": "A", "Email": "a@example.com"}])
    before = snapshot(engine)
    body = {
        "data": [{"Last_Name": "B", "Email": "b@example.com"}],
        "duplicate_check_fields": ["Email", "Company"],
    }
    response = engine.upsert("Leads", body)
    assert response.status == 400
    assert response.body == {
        "code": "INVALID_DATA",
        "details": {
            "api_name": "duplicate_check_fields",
            "json_path": "$.duplicate_check_fields[1]",
        },
        "message": "invalid data",
        "status": "error",
    }
    why = engine.explain("Leads", body).request_error or ""
    assert "R7" in why and "'Company'" in why and "neither" in why
    assert snapshot(engine) == before


def test_r7_default_matches_on_a_non_unique_field() -> None:
    """R7 (spec v2 default, issue 10): Phone on Leads, not unique, named in D is a match key;
    it is no uniqueness constraint (a second record may hold the same phone)."""
    engine = Engine()
    assert engine.options.non_unique_check_field is NonUniqueCheckField.MATCH
    engine.load("Leads", [{"Last_Name": "A", "Phone": "555 0100"}])
    body = {"data": [{"Last_Name": "B", "Phone": "555 0100"}], "duplicate_check_fields": ["Phone"]}
    response = engine.upsert("Leads", body)
    assert response.body == {"data": [ok("update", rid(1), at(0), at(1), "Phone")]}
    other = engine.upsert(
        "Leads",
        {"data": [{"Last_Name": "C", "Email": "c@x.io", "Phone": "555 0100"}]},
    )
    assert other.body["data"][0]["action"] == "insert"  # R14 does not apply to Phone
    engine._check()


@pytest.mark.parametrize(
    ("name", "why"),
    [("Nope_X", "not a field"), ("Description", "'textarea'"), ("Lead_Source", "'picklist'"),
     ("No_of_Employees_X", "not a field")],
)  # fmt: skip
def test_r7_unknown_or_other_typed_field_fails_whole_request(name: str, why: str) -> None:
    """R7: under the default, a name that is no field of the module, or a field whose type R1
    does not allow, fails the whole request with 400 "invalid data"; nothing is written."""
    engine = Engine()
    body = {"data": [{"Last_Name": "B"}], "duplicate_check_fields": ["Email", name]}
    response = engine.upsert("Leads", body)
    assert response.status == 400
    assert response.body["message"] == "invalid data"
    assert response.body["details"]["json_path"] == "$.duplicate_check_fields[1]"
    assert why in (engine.explain("Leads", body).request_error or "")
    assert engine.count("Leads") == 0


def test_r7_ignore_option_drops_the_name() -> None:
    """R7: non_unique_check_field=ignore drops names that are not duplicate check fields."""
    engine = Engine(Options(non_unique_check_field=NonUniqueCheckField.IGNORE))
    engine.load("Leads", [{"Last_Name": "A", "Email": "a@example.com", "Company": "Acme"}])
    body = {
        "data": [{"Email": "A@example.com", "Company": "acme"}],
        "duplicate_check_fields": ["Company", "Nope_X", "Email"],
    }
    assert engine.explain("Leads", body).check_order == ("Email",)
    assert engine.upsert("Leads", body).body == {
        "data": [ok("update", rid(1), at(0), at(1), "Email")]
    }


def test_r7_match_option_uses_the_field_as_a_key() -> None:
    """R7: non_unique_check_field=match treats a named non-unique field as a match key."""
    engine = Engine(Options(non_unique_check_field="match"))
    engine.load("Leads", [{"Last_Name": "A", "Company": "Acme"}])
    body = {"data": [{"Company": " ACME "}], "duplicate_check_fields": ["Company"]}
    assert engine.plan("Leads", body).body == {
        "data": [ok("update", rid(1), at(0), at(1), "Company")]
    }
    assert engine.upsert("Leads", body).body == {
        "data": [ok("update", rid(1), at(0), at(1), "Company")]
    }
    engine._check()
    unknown = engine.upsert("Leads", {"data": [{"Company": "x"}], "duplicate_check_fields": ["N"]})
    assert unknown.status == 400
    assert unknown.body["details"]["json_path"] == "$.duplicate_check_fields[0]"


def test_r7_not_a_list_of_strings() -> None:
    """R7: D that is not a list of strings is the same INVALID_DATA error."""
    engine = Engine()
    for bad, path in (
        ("Email", "$.duplicate_check_fields"),
        (["Email", 3], "$.duplicate_check_fields[1]"),
    ):
        response = engine.upsert(
            "Leads", {"data": [{"Last_Name": "A"}], "duplicate_check_fields": bad}
        )
        assert response.status == 400
        assert response.body["code"] == "INVALID_DATA"
        assert response.body["details"] == {"api_name": "duplicate_check_fields", "json_path": path}
    assert engine.count("Leads") == 0


# --- R8 ------------------------------------------------------------------------------------------
def test_r8_text_normalisation_strips_and_ignores_case() -> None:
    """R8: text values compare stripped and case-insensitively; the original value is stored."""
    engine = leads({"Last_Name": "Frey", "Email": "Frey@Sample.com "})
    body = {"data": [{"Email": "  fREY@sample.COM", "Company": "abc"}]}
    assert engine.upsert("Leads", body).body == {
        "data": [ok("update", rid(1), at(0), at(1), "Email")]
    }
    assert engine.get("Leads", rid(1))["Email"] == "  fREY@sample.COM"


@pytest.mark.parametrize("incoming", ["0042", 42, 42.0, " 42 ", "+42", "042"])
@pytest.mark.parametrize("stored", [42, "42", "0042", 42.0])
def test_r8_integers_compare_as_integers(stored: Any, incoming: Any) -> None:
    """R8: Number fields compare as integers: "0042", 42 and 42.0 are equal; R28: the value
    is stored and read back as a JSON integer (spec v2; it was stored as sent)."""
    engine = Engine()
    engine.add_field("Leads", "Badge_X", "integer", unique=True)
    engine.load("Leads", [{"Last_Name": "A", "Badge_X": stored}])
    response = engine.upsert("Leads", {"data": [{"Badge_X": incoming}]})
    assert response.body == {"data": [ok("update", rid(1), at(0), at(1), "Badge_X")]}
    stored_value = engine.get("Leads", rid(1))["Badge_X"]
    assert stored_value == 42 and type(stored_value) is int


def test_r8_bigint_compares_as_integer() -> None:
    """R8: Long Integer fields compare as integers too; R28: read back as a string of digits
    (18 digits at most, R15: 2**59 has 18)."""
    engine = Engine()
    engine.add_field("Leads", "Big_X", "bigint", unique=True)
    engine.load("Leads", [{"Last_Name": "A", "Big_X": 2**59}])
    response = engine.upsert("Leads", {"data": [{"Big_X": f"000{2**59}"}]})
    assert response.body == {"data": [ok("update", rid(1), at(0), at(1), "Big_X")]}
    assert engine.get("Leads", rid(1))["Big_X"] == str(2**59)


@pytest.mark.parametrize("value", [42.5, "42.5", "4.2e1", "42abc", "0x2A", "٤٢"])
def test_r8_non_integral_number_is_invalid(value: Any) -> None:
    """R8: a non-integral value for a Number field is INVALID_DATA (R15: with its digit limit)."""
    engine = Engine()
    engine.add_field("Leads", "Badge_X", "integer", unique=True)
    response = engine.upsert("Leads", {"data": [{"Last_Name": "A", "Badge_X": value}]})
    assert response.status == 400
    assert response.body == {
        "data": [invalid(0, "Badge_X", expected_data_type="integer", maximum_length=9)]
    }
    assert engine.count("Leads") == 0


def test_r8_normaliser_functions() -> None:
    """R8: the default normalisers, called directly."""
    assert normalize_text("  Frey@Sample.COM ") == "frey@sample.com"
    assert normalize_text("   ") is None
    assert normalize_integer("0042") == normalize_integer(42) == normalize_integer(42.0) == "42"
    assert normalize_integer(42.5) is None
    assert normalize_integer(True) is None
    assert normalize_digits("+1 (555) 010-0000") == "15550100000"


def test_r8_normaliser_is_pluggable_per_field() -> None:
    """R8: a field can be given its own normaliser (here: phones compared by digits)."""
    engine = Engine()
    engine.add_field("Leads", "Mobile", "phone", unique=True, normalizer=normalize_digits)
    engine.load("Leads", [{"Last_Name": "A", "Mobile": "+1 (555) 010-0000"}])
    body = {"data": [{"Mobile": "1.555.010.0000"}], "duplicate_check_fields": ["Mobile"]}
    assert engine.upsert("Leads", body).body == {
        "data": [ok("update", rid(1), at(0), at(1), "Mobile")]
    }
    plain = leads({"Last_Name": "A", "Mobile": "+1 (555) 010-0000"})
    assert (
        plain.upsert("Leads", {"data": [{"Last_Name": "B", "Mobile": "1.555.010.0000"}]}).body[
            "data"
        ][0]["action"]
        == "insert"
    )


# --- R9 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("empty", [None, "", "   ", "\t\n"])
def test_r9_empty_values_never_match(empty: Any) -> None:
    """R9: null or blank values never match, even a record whose value is also empty."""
    engine = leads(
        {"Last_Name": "A", "Email": None, "Mobile": ""},
        {"Last_Name": "B", "Email": "  ", "Mobile": None},
        {"Last_Name": "C"},
    )
    body = {"data": [{"Last_Name": "D", "Email": empty, "Mobile": empty}]}
    response = engine.upsert("Leads", body)
    assert response.body == {"data": [ok("insert", rid(4), at(1), at(1))]}
    trace = engine.explain("Leads", body).records[0]
    assert [(p.field, p.key, p.candidates) for p in trace.probes] == [
        ("Email", None, ()),
        ("Mobile", None, ()),
    ]
    engine._check()


def test_r9_missing_key_never_matches() -> None:
    """R9: a record without the key goes on to the next field of the check order."""
    engine = leads({"Last_Name": "A", "Mobile": "555 0100"})
    response = engine.upsert("Leads", {"data": [{"Mobile": "555 0100", "Company": "x"}]})
    assert response.body == {"data": [ok("update", rid(1), at(0), at(1), "Mobile")]}


def test_r9_empty_values_are_not_indexed() -> None:
    """R9: blank values are stored but never indexed."""
    engine = leads({"Last_Name": "A", "Email": "  "})
    store = engine._stores["Leads"]
    assert store.indexes["Email"] == {}
    assert store.indexes["Mobile"] == {}
    engine.upsert("Leads", {"data": [{"Last_Name": "B", "Email": "", "Mobile": "  "}]})
    assert store.indexes["Email"] == {}
    assert store.indexes["Mobile"] == {}
    assert engine.count("Leads") == 2


# --- R10 -----------------------------------------------------------------------------------------
def test_r10_first_field_decides() -> None:
    """R10: the first field of the check order that finds a record decides."""
    engine = leads(
        {"Last_Name": "A", "Email": "a@example.com"},
        {"Last_Name": "B", "Mobile": "555 0100"},
    )
    body = {
        "data": [{"Email": "A@example.com", "Mobile": "555 0100"}],
        "duplicate_check_fields": ["Mobile", "Email"],
    }
    assert engine.upsert("Leads", body).body == {
        "data": [ok("update", rid(2), at(0), at(1), "Mobile")]
    }
    assert engine.get("Leads", rid(2))["Email"] == "A@example.com"
    assert engine.get("Leads", rid(1))["Last_Name"] == "A"


def test_r10_later_field_decides_when_earlier_finds_nothing() -> None:
    """R10: a field that finds nothing passes the decision on to the next one."""
    engine = leads({"Last_Name": "B", "Mobile": "555 0100"})
    body = {"data": [{"Email": "new@example.com", "Mobile": "555 0100"}]}
    assert engine.upsert("Leads", body).body == {
        "data": [ok("update", rid(1), at(0), at(1), "Mobile")]
    }


def test_r10_nothing_found_inserts_with_null_duplicate_field() -> None:
    """R10: when no field finds a record the action is insert and duplicate_field is null."""
    engine = leads({"Last_Name": "A", "Email": "a@example.com", "Mobile": "1"})
    body = {"data": [{"Last_Name": "N", "Email": "n@example.com", "Mobile": "2"}]}
    assert engine.upsert("Leads", body).body == {"data": [ok("insert", rid(2), at(1), at(1))]}


# --- R11 -----------------------------------------------------------------------------------------
REPEATS = (
    {"Last_Name": "Late", "Email": "dup@example.com", "Created_Time": "2025-02-01T00:00:00+00:00"},
    {"Last_Name": "Early", "Email": "DUP@example.com", "Created_Time": "2025-01-01T00:00:00+00:00"},
    {"Last_Name": "Mid", "Email": "dup@example.com ", "Created_Time": "2025-01-15T00:00:00+00:00"},
)


def test_r11_oldest_by_creation_time() -> None:
    """R11: several candidates → the oldest by creation time (not by id or load order)."""
    engine = Engine()
    engine.load("Leads", REPEATS)
    response = engine.upsert("Leads", {"data": [{"Email": "dup@example.com", "Company": "x"}]})
    assert response.body == {
        "data": [ok("update", rid(2), "2025-01-01T00:00:00+00:00", at(1), "Email")]
    }
    assert engine.get("Leads", rid(2))["Company"] == "x"


def test_r11_same_time_smallest_id() -> None:
    """R11: equal creation times → the smallest id, compared as numbers."""
    engine = Engine()
    t = "2025-01-01T00:00:00+00:00"
    engine.load(
        "Leads",
        [
            {"id": "100", "Last_Name": "A", "Email": "d@example.com", "Created_Time": t},
            {"id": "99", "Last_Name": "B", "Email": "d@example.com", "Created_Time": t},
        ],
    )
    response = engine.upsert("Leads", {"data": [{"Email": "d@example.com"}]})
    assert response.body["data"][0]["details"]["id"] == "99"


def test_r11_newest_option() -> None:
    """R11: multi_match=newest updates the newest candidate."""
    engine = Engine(Options(multi_match=MultiMatch.NEWEST))
    engine.load("Leads", REPEATS)
    response = engine.upsert("Leads", {"data": [{"Email": "dup@example.com"}]})
    assert response.body == {
        "data": [ok("update", rid(1), "2025-02-01T00:00:00+00:00", at(1), "Email")]
    }


def test_r11_reject_option() -> None:
    """R11: multi_match=reject refuses with AMBIGUITY_DURING_PROCESSING naming field and ids."""
    engine = Engine(Options(multi_match="reject"))
    engine.load("Leads", REPEATS)
    before = snapshot(engine)
    response = engine.upsert("Leads", {"data": [{"Last_Name": "X"}, {"Email": "dup@example.com"}]})
    assert response.status == 207
    assert response.body["data"][1] == {
        "code": "AMBIGUITY_DURING_PROCESSING",
        "details": {
            "api_name": "Email",
            "json_path": "$.data[1].Email",
            "ids": [rid(2), rid(3), rid(1)],
        },
        "message": "ambiguity while processing the request",
        "status": "error",
    }
    assert snapshot(engine)[:3] == before


def test_r11_repeats_loaded_before_field_made_unique() -> None:
    """R11: repeats of a user-defined unique field loaded earlier: the oldest is the target."""
    engine = Engine()
    engine.load("Leads", [{"Last_Name": "A", "Mobile": "555"}, {"Last_Name": "B", "Mobile": "555"}])
    engine.add_field("Leads", "Mobile", "phone", unique=True)
    response = engine.upsert("Leads", {"data": [{"Mobile": " 555 ", "Company": "c"}]})
    assert response.body == {"data": [ok("update", rid(1), at(0), at(1), "Mobile")]}
    engine._check()


# --- R12 -----------------------------------------------------------------------------------------
def test_r12_patch_semantics() -> None:
    """R12: an update writes only the fields it carries; the others keep their values (and
    Full_Name reads as First_Name and Last_Name, F8)."""
    engine = leads(
        {"Last_Name": "Frey", "First_Name": "Ada", "Email": "a@example.com", "Company": "Old"}
    )
    engine.upsert("Leads", {"data": [{"Email": "a@example.com", "Company": "New"}]})
    assert engine.get("Leads", rid(1)) == {
        "id": rid(1),
        "Last_Name": "Frey",
        "First_Name": "Ada",
        "Full_Name": "Ada Frey",
        "Email": "a@example.com",
        "Company": "New",
        "Created_Time": at(0),
        "Modified_Time": at(1),
        "Created_By": USER,
        "Modified_By": USER,
        "Owner": OWNER,
    }


def test_r12_null_clears_a_field() -> None:
    """R12: null clears a field, and a cleared match key no longer matches."""
    engine = leads({"Last_Name": "Frey", "Email": "a@example.com", "Mobile": "555", "Company": "C"})
    response = engine.upsert("Leads", {"data": [{"Mobile": "555", "Email": None, "Company": None}]})
    assert response.body == {"data": [ok("update", rid(1), at(0), at(1), "Mobile")]}
    record = engine.get("Leads", rid(1))
    assert record["Email"] is None
    assert record["Company"] is None
    again = engine.upsert("Leads", {"data": [{"Last_Name": "N", "Email": "a@example.com"}]})
    assert again.body["data"][0]["action"] == "insert"
    engine._check()


def test_r12_created_kept_modified_set() -> None:
    """R12: Created_* stay as they were; Modified_* are set by the update."""
    loader = {"name": "Loader", "id": "111"}
    engine = Engine(Options(user=User("Example User", "5725767000000411001")))
    engine.load(
        "Leads",
        [
            {
                "Last_Name": "A",
                "Email": "a@example.com",
                "Created_Time": "2024-05-05T05:05:05+00:00",
                "Modified_Time": "2024-06-06T06:06:06+00:00",
                "Created_By": loader,
                "Modified_By": loader,
            }
        ],
    )
    body = {
        "data": [
            {
                "Email": "a@example.com",
                "Created_Time": "1999-01-01T00:00:00+00:00",
                "Created_By": {"name": "Mallory", "id": "666"},
                "Modified_By": {"name": "Mallory", "id": "666"},
            }
        ]
    }
    response = engine.upsert("Leads", body)
    assert response.body == {
        "data": [
            ok("update", rid(1), "2024-05-05T05:05:05+00:00", at(1), "Email", created_by=loader)
        ]
    }
    record = engine.get("Leads", rid(1))
    assert record["Created_Time"] == "2024-05-05T05:05:05+00:00"
    assert record["Created_By"] == loader
    assert record["Modified_Time"] == at(1)
    assert record["Modified_By"] == USER


# --- R13 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("record", [{}, {"Last_Name": None}, {"Last_Name": ""}, {"Last_Name": " "}])
def test_r13_mandatory_not_found(record: dict[str, Any]) -> None:
    """R13: an insert missing a mandatory field gives MANDATORY_NOT_FOUND with its json_path."""
    engine = Engine()
    body = {"data": [{"Last_Name": "Ok"}, {"Company": "abc", **record}]}
    response = engine.upsert("Leads", body)
    assert response.status == 207
    assert response.body["data"][1] == {
        "code": "MANDATORY_NOT_FOUND",
        "details": {"api_name": "Last_Name", "json_path": "$.data[1].Last_Name"},
        "message": "required field not found",
        "status": "error",
    }
    assert [r["Last_Name"] for r in engine.records("Leads")] == ["Ok"]


def test_r13_update_needs_no_mandatory_field() -> None:
    """R13: mandatory fields apply to inserts; an update may omit them."""
    engine = leads({"Last_Name": "A", "Email": "a@example.com"})
    response = engine.upsert("Leads", {"data": [{"Email": "a@example.com", "Company": "c"}]})
    assert response.status == 200


# --- R14 -----------------------------------------------------------------------------------------
def test_r14_match_x_collide_with_y() -> None:
    """R14: matching X on one key and colliding with Y on a unique field is DUPLICATE_DATA."""
    engine = leads(
        {"Last_Name": "X", "Email": "x@example.com"},
        {"Last_Name": "Y", "Mobile": "555 0100"},
    )
    before = snapshot(engine)
    body = {"data": [{"Email": "x@example.com", "Mobile": "555 0100", "Company": "c"}]}
    response = engine.upsert("Leads", body)
    assert response.status == 400
    assert response.body == {"data": [duplicate(0, "Mobile", rid(2))]}
    assert snapshot(engine) == before


def test_r14_more_records_and_oldest_named() -> None:
    """R14: duplicate_record is the oldest holder and more_records says there are others."""
    engine = Engine()
    engine.load(
        "Leads",
        [
            {"Last_Name": "X", "Email": "x@example.com"},
            {"Last_Name": "Y2", "Mobile": "555", "Created_Time": "2025-03-01T00:00:00+00:00"},
            {"Last_Name": "Y1", "Mobile": "555", "Created_Time": "2025-02-01T00:00:00+00:00"},
        ],
    )
    engine.add_field("Leads", "Mobile", "phone", unique=True)
    body = {
        "data": [{"Email": "x@example.com", "Mobile": "555"}],
        "duplicate_check_fields": ["Email"],
    }
    response = engine.upsert("Leads", body)
    assert response.body == {"data": [duplicate(0, "Mobile", rid(3), more=True)]}


def test_r14_two_collisions_give_multiple_errors() -> None:
    """R14: collisions on two fields give MULTIPLE_OR_MULTI_ERRORS with one DUPLICATE_DATA each."""
    engine = leads(
        {"Last_Name": "X", "Email": "x@example.com"},
        {"Last_Name": "Y", "Mobile": "555"},
        {"Last_Name": "Z", "Code": "Z-1"},
        unique=("Mobile", "Code"),
    )
    body = {"data": [{"Email": "x@example.com", "Mobile": "555", "Code": "z-1"}]}
    response = engine.upsert("Leads", body)
    assert response.status == 400
    assert response.body == {
        "data": [
            {
                "code": "MULTIPLE_OR_MULTI_ERRORS",
                "details": {
                    "errors": [duplicate(0, "Mobile", rid(2)), duplicate(0, "Code", rid(3))]
                },
                "message": "Multiple errors in the request",
                "status": "error",
            }
        ]
    }


def test_r14_unchanged_repeats_are_not_rechecked() -> None:
    """R14: a loaded repeat can be updated while it keeps (or re-sends) its value."""
    engine = Engine()
    engine.load(
        "Leads",
        [
            {"Last_Name": "A", "Email": "a@example.com", "Mobile": "555"},
            {"Last_Name": "B", "Email": "b@example.com", "Mobile": "555"},
        ],
    )
    engine.add_field("Leads", "Mobile", "phone", unique=True)
    body = {
        "data": [
            {"Email": "b@example.com", "Company": "no mobile sent"},
            {"Email": "b@example.com", "Mobile": " 555 "},  # same value up to R8
        ],
        "duplicate_check_fields": ["Email"],
    }
    response = engine.upsert("Leads", body)
    assert response.body == {
        "data": [
            ok("update", rid(2), at(0), at(1), "Email"),
            ok("update", rid(2), at(0), at(1), "Email"),
        ]
    }
    changed = engine.upsert(
        "Leads",
        {
            "data": [{"Email": "b@example.com", "Mobile": "556"}],
            "duplicate_check_fields": ["Email"],
        },
    )
    assert changed.status == 200
    back = engine.upsert(
        "Leads",
        {
            "data": [{"Email": "b@example.com", "Mobile": "555"}],
            "duplicate_check_fields": ["Email"],
        },
    )
    assert back.body == {"data": [duplicate(0, "Mobile", rid(1))]}


def test_r14_system_fields_are_not_constraints() -> None:
    """R14: only user-defined unique fields are enforced; system fields may repeat."""
    engine = leads({"Last_Name": "A", "Email": "a@example.com", "Mobile": "1"})
    response = engine.insert(
        "Leads",
        {"data": [{"Last_Name": "B", "Email": "a@example.com"}, {"Last_Name": "C", "Mobile": "1"}]},
    )
    assert response.status == 207
    assert response.body["data"][0]["status"] == "success"
    assert response.body["data"][1] == duplicate(1, "Mobile", rid(1))
    assert [r["Email"] for r in engine.records("Leads")] == ["a@example.com", "a@example.com"]


# --- R15 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value", "detail"),
    [
        ("Email", "no-at-sign", {"expected_data_type": "email"}),
        ("Email", "a@b", {"expected_data_type": "email"}),
        ("Email", "a@@b.com", {"expected_data_type": "email"}),
        ("Email", "a b@c.com", {"expected_data_type": "email"}),
        ("Email", "@b.com", {"expected_data_type": "email"}),
        ("Email", 42, {"expected_data_type": "string"}),
        ("Email", "p@zylker.c", {"expected_data_type": "email"}),
        ("Email", "a@" + "b" * 95 + ".com", {"maximum_length": 100}),
        ("Phone", "call me!", {"expected_data_type": "phone"}),
        ("Phone", "+-()", {"expected_data_type": "phone"}),
        ("Phone", 5550100, {"expected_data_type": "string"}),
        ("Phone", "1" * 31, {"maximum_length": 30}),
        ("No_of_Employees", "many", {"expected_data_type": "integer", "maximum_length": 9}),
        ("No_of_Employees", 10**9, {"expected_data_type": "integer", "maximum_length": 9}),
        ("No_of_Employees", True, {"expected_data_type": "integer", "maximum_length": 9}),
        ("Last_Name", "x" * 81, {"maximum_length": 80}),
        ("Last_Name", 7, {"expected_data_type": "string"}),
        ("Company", ["a"], {"expected_data_type": "string"}),
        ("Website", "w" * 256, {"maximum_length": 255}),
        ("Website", {"url": "x"}, {"expected_data_type": "string"}),
        ("Website", "zylker", {"expected_data_type": "website"}),
        ("Description", "d" * 32001, {"maximum_length": 32000}),
        ("Lead_Status", 3, {"expected_data_type": "string"}),
        ("Salutation", "S" * 26, {"maximum_length": 25}),
        ("Annual_Revenue", "lots", {"expected_data_type": "currency"}),
        ("Email_Opt_Out", "yes", {"expected_data_type": "boolean"}),
        ("Email_Opt_Out", "TRUE", {"expected_data_type": "boolean"}),
    ],
)
def test_r15_invalid_leads_values(field: str, value: Any, detail: dict[str, Any]) -> None:
    """R15: a wrong type or an over-long value is INVALID_DATA with the details that say why
    (spec v2: the JSON type name for a value of the wrong JSON kind)."""
    engine = leads({"Last_Name": "A", "Email": "a@example.com"})
    before = snapshot(engine)
    body = {"data": [{"Email": "a@example.com", field: value}]}
    response = engine.upsert("Leads", body)
    assert response.status == 400
    assert response.body == {"data": [invalid(0, field, **detail)]}
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    ("field", "value", "stored"),
    [
        ("Email", "  a@example.com  ", "  a@example.com  "),
        ("Phone", "+1 (555) 010-0000", "+1 (555) 010-0000"),
        ("Phone", "1800-FLOWERS", "1800-FLOWERS"),
        ("No_of_Employees", "0042", 42),
        ("No_of_Employees", 999_999_999, 999_999_999),
        ("No_of_Employees", -999_999_999, -999_999_999),
        ("Last_Name", "  " + "x" * 80 + "  ", "  " + "x" * 80 + "  "),  # R15: stripped length
        ("Website", "w" * 251 + ".com", "w" * 251 + ".com"),
        ("Salutation", "S" * 25, "S" * 25),
        ("Annual_Revenue", "12.5", 12.5),
        ("Annual_Revenue", 12.349, 12.34),  # R15 [doc]: decimal_place 2, truncated
        ("Email_Opt_Out", False, False),
    ],
)
def test_r15_valid_leads_values(field: str, value: Any, stored: Any) -> None:
    """R15: values of the right type and length are accepted; R28: read back in the field's
    JSON type (text as sent, Number an int, Currency a number)."""
    engine = Engine()
    body = {"data": [{"Last_Name": "A", field: value}]}
    response = engine.upsert("Leads", body)
    assert response.status == 200, response.body
    got = engine.get("Leads", rid(1))[field]
    assert (got, type(got)) == (stored, type(stored))


@pytest.mark.parametrize(
    ("module", "field", "value", "data_type"),
    [
        ("Contacts", "Date_of_Birth", "2026-13-01", "date"),
        ("Contacts", "Date_of_Birth", "01/02/2026", "date"),
        ("Appointments", "Appointment_Start_Time", "2026-01-15T10:00:00", "datetime"),
        ("Appointments", "Appointment_Start_Time", "tomorrow", "datetime"),
        ("Products", "Qty_in_Stock", "ten", "double"),
        ("Products", "Qty_in_Stock", float("inf"), "double"),
        ("Products", "Tax", "VAT", "jsonarray"),
        ("Products", "Tax", ["VAT", 5], "multiselectpicklist"),
        ("Products", "Handler", {"name": "x"}, "ownerlookup"),
        ("Accounts", "Parent_Account", "abc", "jsonobject"),
        ("Accounts", "Parent_Account", "5725767000000600001", "jsonobject"),
        ("Accounts", "Parent_Account", {"id": "abc"}, "lookup"),
    ],
)
def test_r15_invalid_other_types(module: str, field: str, value: Any, data_type: str) -> None:
    """R15: dates, datetimes, doubles, multi-select picklists and lookups are type-checked
    (a JSON kind error names the JSON type: jsonarray, jsonobject)."""
    engine = Engine()
    mandatory = engine.schema(module).mandatory_fields or ("Description",)
    response = engine.upsert(module, {"data": [{mandatory[0]: "M", field: value}]})
    assert response.body == {"data": [invalid(0, field, expected_data_type=data_type)]}
    assert engine.count(module) == 0


@pytest.mark.parametrize(
    ("module", "field", "value"),
    [
        ("Contacts", "Date_of_Birth", "2000-02-29"),
        ("Appointments", "Appointment_Start_Time", "2026-01-15T10:00:00+05:30"),
        ("Products", "Qty_in_Stock", 2.5),
        ("Products", "Tax", ["VAT", "GST"]),
        ("Products", "Handler", {"id": "5725767000000411001"}),
        ("Accounts", "Parent_Account", {"id": "5725767000000600001"}),
    ],
)
def test_r15_valid_other_types(module: str, field: str, value: Any) -> None:
    """R15: well-formed values of the other types are accepted (R33's check that a lookup
    names a record is off here; it has tests of its own)."""
    engine = Engine(Options(check_lookups=False))
    mandatory = engine.schema(module).mandatory_fields or ("Description",)
    response = engine.upsert(module, {"data": [{mandatory[0]: "M", field: value}]})
    assert response.status == 200, response.body


def test_r15_field_max_length() -> None:
    """R15: a field's own max_length is enforced and reported as maximum_length."""
    engine = Engine()
    engine.add_field("Leads", "Code", "text", unique=True, max_length=5)
    response = engine.upsert(
        "Leads",
        {"data": [{"Last_Name": "A", "Code": "abcde"}, {"Last_Name": "B", "Code": "abcdef"}]},
    )
    assert response.status == 207
    assert response.body["data"][1] == invalid(1, "Code", maximum_length=5)


def test_r15_checked_before_anything_is_written() -> None:
    """R15: one bad field refuses the whole record, even its valid fields."""
    engine = leads({"Last_Name": "A", "Email": "a@example.com", "Company": "Old"})
    response = engine.upsert(
        "Leads", {"data": [{"Email": "a@example.com", "Company": "New", "Phone": "phone!"}]}
    )
    assert response.body == {"data": [invalid(0, "Phone", expected_data_type="phone")]}
    assert engine.get("Leads", rid(1))["Company"] == "Old"


# --- R16 -----------------------------------------------------------------------------------------
def test_r16_rejected_record_changes_nothing() -> None:
    """R16: a rejected record changes nothing, while its neighbours are written."""
    engine = leads(
        {"Last_Name": "X", "Email": "x@example.com"}, {"Last_Name": "Y", "Mobile": "555"}
    )
    before = snapshot(engine)
    body = {
        "data": [
            {"Email": "x@example.com", "Mobile": "555", "Company": "changed"},
            {"Last_Name": "New", "Email": "new@example.com"},
        ]
    }
    response = engine.upsert("Leads", body)
    assert response.status == 207
    after = snapshot(engine)
    assert after[:2] == before
    assert [r["Last_Name"] for r in after] == ["X", "Y", "New"]
    engine._check()


@pytest.mark.parametrize(
    "body",
    [
        {"data": [{"Last_Name": "A"}] * 101},
        {"data": [{"Last_Name": "A"}], "duplicate_check_fields": ["Description"]},
        {"data": [{"Last_Name": "A"}, 5]},
        {"data": [{"Last_Name": "A"}], "trigger": ["cron"]},
    ],
)
def test_r16_request_error_changes_nothing(body: dict[str, Any]) -> None:
    """R16: a request-level error writes no record at all."""
    engine = leads({"Last_Name": "X", "Email": "x@example.com"})
    before = snapshot(engine)
    response = engine.upsert("Leads", body)
    assert response.status == 400
    assert response.body["status"] == "error"
    assert snapshot(engine) == before
    engine._check()


# --- R17 -----------------------------------------------------------------------------------------
def test_r17_two_new_records_sharing_a_key() -> None:
    """R17: two new records sharing a key: the first is inserted, the second updates it."""
    engine = Engine()
    body = {
        "data": [
            {"Last_Name": "One", "Email": "s@example.com"},
            {"Last_Name": "Two", "Email": "S@example.com"},
        ]
    }
    response = engine.upsert("Leads", body)
    assert response.body == {
        "data": [ok("insert", rid(1), at(0), at(0)), ok("update", rid(1), at(0), at(0), "Email")]
    }
    assert engine.get("Leads", rid(1))["Last_Name"] == "Two"
    assert engine.count("Leads") == 1


def test_r17_two_records_matching_one_existing_both_update() -> None:
    """R17: two records matching one existing record both update it."""
    engine = leads({"Last_Name": "A", "Email": "a@example.com"})
    body = {"data": [{"Email": "a@example.com", "Company": "1"}, {"Email": "a@example.com"}]}
    assert engine.upsert("Leads", body).body == {
        "data": [
            ok("update", rid(1), at(0), at(1), "Email"),
            ok("update", rid(1), at(0), at(1), "Email"),
        ]
    }


def test_r17_record_sees_earlier_records() -> None:
    """R17: record i sees the effects of records 0..i-1 (a key moved away no longer matches)."""
    engine = leads({"Last_Name": "A", "Email": "old@example.com"})
    body = {
        "data": [
            {"Email": "old@example.com", "Mobile": "555"},
            {"Mobile": "555", "Email": "moved@example.com"},
            {"Last_Name": "B", "Email": "old@example.com"},
        ],
        "duplicate_check_fields": ["Email"],
    }
    assert engine.upsert("Leads", body).body == {
        "data": [
            ok("update", rid(1), at(0), at(1), "Email"),
            ok("update", rid(1), at(0), at(1), "Mobile"),
            ok("insert", rid(2), at(1), at(1)),
        ]
    }


def test_r17_reject_option() -> None:
    """R17: intra_batch=reject refuses a record whose target this request already wrote."""
    engine = Engine(Options(intra_batch=IntraBatch.REJECT))
    engine.load("Leads", [{"Last_Name": "A", "Email": "a@example.com"}])
    body = {
        "data": [
            {"Last_Name": "One", "Email": "s@example.com"},
            {"Last_Name": "Two", "Email": "S@example.com"},
            {"Email": "a@example.com"},
            {"Email": "a@example.com", "Company": "again"},
        ]
    }
    response = engine.upsert("Leads", body)
    assert response.status == 207
    assert response.body == {
        "data": [
            ok("insert", rid(2), at(1), at(1)),
            duplicate(1, "Email", rid(2)),
            ok("update", rid(1), at(0), at(1), "Email"),
            duplicate(3, "Email", rid(1)),
        ]
    }
    assert engine.get("Leads", rid(2))["Last_Name"] == "One"
    assert "Company" not in engine.get("Leads", rid(1))


# --- R18 -----------------------------------------------------------------------------------------
def test_r18_success_shape() -> None:
    """R18: the exact success entries for an insert and an update, keys in Zoho's order."""
    engine = leads({"Last_Name": "A", "Email": "a@example.com"})
    response = engine.upsert("Leads", {"data": [{"Last_Name": "N"}, {"Email": "a@example.com"}]})
    assert response.body == {
        "data": [ok("insert", rid(2), at(1), at(1)), ok("update", rid(1), at(0), at(1), "Email")]
    }
    entry = response.body["data"][0]
    assert list(entry) == ["code", "duplicate_field", "action", "details", "message", "status"]
    assert list(entry["details"]) == [
        "Modified_Time",
        "Modified_By",
        "Created_Time",
        "id",
        "Created_By",
        "$approval_state",
    ]  # fmt: skip (R31: an added record's details end with $approval_state from v6)
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", entry["details"]["Created_Time"]
    )
    assert re.fullmatch(r"\d{19}", entry["details"]["id"])


def test_r18_response_answers_request_in_order() -> None:
    """R18: data[i] of the response answers data[i] of the request."""
    engine = Engine()
    body = {"data": [{"Last_Name": f"L{i}"} if i % 3 else {"Company": "x"} for i in range(9)]}
    response = engine.upsert("Leads", body)
    codes = [entry["code"] for entry in response.body["data"]]
    assert codes == ["MANDATORY_NOT_FOUND", "SUCCESS", "SUCCESS"] * 3
    paths = [e["details"]["json_path"] for e in response.body["data"] if e["status"] == "error"]
    assert paths == ["$.data[0].Last_Name", "$.data[3].Last_Name", "$.data[6].Last_Name"]
    ids = [e["details"]["id"] for e in response.body["data"] if e["status"] == "success"]
    assert ids == [rid(n) for n in range(1, 7)]


def test_r18_times_come_from_the_injected_clock() -> None:
    """R18: times are ISO 8601 with offset at seconds precision, from the injected clock."""
    from datetime import datetime, timezone

    engine = Engine(
        clock=lambda n: datetime(2020, 10, 14, 5, 1, 43, 999, tzinfo=timezone.utc),
        ids=lambda n: f"{n + 1:019d}",
    )
    response = engine.upsert("Leads", {"data": [{"Last_Name": "A"}]})
    details = response.body["data"][0]["details"]
    assert details["Created_Time"] == "2020-10-14T05:01:43+00:00"
    assert details["id"] == "0000000000000000001"


# --- R19 -----------------------------------------------------------------------------------------
def test_r19_one_hundred_records_allowed() -> None:
    """R19: exactly 100 records are accepted."""
    engine = Engine()
    response = engine.upsert("Leads", {"data": [{"Last_Name": f"L{i}"} for i in range(100)]})
    assert response.status == 200
    assert engine.count("Leads") == 100


def test_r19_limit_exceeded() -> None:
    """R19: 101 records fail the whole request with LIMIT_EXCEEDED."""
    engine = Engine()
    response = engine.upsert("Leads", {"data": [{"Last_Name": f"L{i}"} for i in range(101)]})
    assert response.status == 400
    assert response.body == {
        "code": "LIMIT_EXCEEDED",
        "details": {"limit": 100},
        "message": response.body["message"],
        "status": "error",
    }
    assert "101" in response.body["message"]
    assert engine.count("Leads") == 0


@pytest.mark.parametrize(
    ("body", "code", "details"),
    [
        ({}, "MANDATORY_NOT_FOUND", {"api_name": "data", "json_path": "$.data"}),
        ({"data": []}, "INVALID_DATA", {"api_name": "data", "json_path": "$.data"}),
        ({"data": {"Last_Name": "A"}}, "INVALID_DATA", {"api_name": "data", "json_path": "$.data"}),
        ({"data": None}, "INVALID_DATA", {"api_name": "data", "json_path": "$.data"}),
        (
            {"data": [{"Last_Name": "A"}, "B"]},
            "INVALID_DATA",
            {"api_name": "data", "json_path": "$.data[1]"},
        ),
    ],
)
def test_r19_data_shape(body: dict[str, Any], code: str, details: dict[str, Any]) -> None:
    """R19: data missing, empty, not a list, or holding a non-object fails the request."""
    engine = Engine()
    response = engine.upsert("Leads", body)
    assert response.status == 400
    assert response.body["code"] == code
    assert response.body["details"] == details
    assert response.body["status"] == "error"
    assert isinstance(response.body["message"], str) and response.body["message"]
    assert engine.count("Leads") == 0


def test_r19_max_records_option() -> None:
    """R19: the record limit is an option, reported in details.limit."""
    engine = Engine(Options(max_records=2))
    response = engine.upsert("Leads", {"data": [{"Last_Name": "A"}] * 3})
    assert response.body["details"] == {"limit": 2}


# --- R20 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("module", ["Nope", "leads", "", "Price Books", None, 3])
def test_r20_invalid_module(module: Any) -> None:
    """R20: an unknown module is a top-level INVALID_MODULE with HTTP 400."""
    engine = Engine()
    response = engine.upsert(module, {"data": [{"Last_Name": "A"}]})
    assert response.status == 400
    assert response.body == {
        "code": "INVALID_MODULE",
        "details": {"resource_path_index": 0},
        "message": "the module name given seems to be invalid",
        "status": "error",
    }
    assert engine.count("Leads") == 0


def test_r20_programmatic_calls_raise() -> None:
    """R20: the reading and configuration APIs raise UnknownModuleError for an unknown module."""
    engine = Engine()
    with pytest.raises(UnknownModuleError, match="Nope"):
        engine.get("Nope", "1")
    with pytest.raises(UnknownModuleError):
        list(engine.records("Nope"))
    with pytest.raises(UnknownModuleError):
        engine.add_field("Nope", "F", "text")


# --- R21 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("records", "status"),
    [
        ([{"Last_Name": "A"}, {"Last_Name": "B"}], 200),
        ([{"Last_Name": "A"}, {"Company": "B"}], 207),
        ([{"Company": "A"}, {"Last_Name": 5}], 400),
    ],
)
def test_r21_status(records: list[dict[str, Any]], status: int) -> None:
    """R21: all succeeded → 200; some → 207; none → 400 (with a per-record body)."""
    engine = Engine()
    response = engine.upsert("Leads", {"data": records})
    assert response.status == status
    assert len(response.body["data"]) == len(records)


# --- R22 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "extra",
    [
        {"trigger": []},
        {"trigger": ["workflow", "approval", "blueprint", "pathfinder", "orchestration"]},
        {"wf_trigger": True},
        {"wf_trigger": "false"},
        {"lar_id": "5725767000000389001"},
        {"lar_id": 5725767000000389001},
        {"process": ["review_process"]},
        {"apply_feature_execution": [{"name": "layout_rules"}]},
        {"skip_feature_execution": [{"name": "cadences"}]},
        {"trigger": None},
        {"something_else": {"ignored": True}},
    ],
)
def test_r22_other_keys_accepted(extra: dict[str, Any]) -> None:
    """R22: trigger and the other body keys are accepted and change nothing in the result."""
    plain, extended = (
        leads({"Last_Name": "A", "Email": "a@example.com"}),
        leads({"Last_Name": "A", "Email": "a@example.com"}),
    )
    records = [{"Email": "a@example.com"}, {"Last_Name": "B"}]
    response = extended.upsert("Leads", {"data": records, **extra})
    assert response == plain.upsert("Leads", {"data": records})
    assert response.status == 200
    assert snapshot(extended) == snapshot(plain)


@pytest.mark.parametrize(
    ("extra", "name", "path"),
    [
        ({"trigger": "workflow"}, "trigger", "$.trigger"),
        ({"trigger": ["workflow", "cron"]}, "trigger", "$.trigger[1]"),
        ({"trigger": [1]}, "trigger", "$.trigger[0]"),
        ({"wf_trigger": "yes"}, "wf_trigger", "$.wf_trigger"),
        ({"lar_id": "abc"}, "lar_id", "$.lar_id"),
        ({"lar_id": True}, "lar_id", "$.lar_id"),
        ({"process": "p"}, "process", "$.process"),
        ({"apply_feature_execution": [{"nom": "x"}]}, "apply_feature_execution",
         "$.apply_feature_execution"),
        ({"skip_feature_execution": {"name": "x"}}, "skip_feature_execution",
         "$.skip_feature_execution"),
    ],
)  # fmt: skip
def test_r22_other_keys_validated(extra: dict[str, Any], name: str, path: str) -> None:
    """R22: a malformed trigger or other key fails the request, naming the key."""
    engine = Engine()
    response = engine.upsert("Leads", {"data": [{"Last_Name": "A"}], **extra})
    assert response.status == 400
    assert response.body["code"] == "INVALID_DATA"
    assert response.body["details"] == {"api_name": name, "json_path": path}
    assert name in response.body["message"]
    assert engine.count("Leads") == 0


# --- R23 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("version", ["v2", "v2.1"])
def test_r23_old_versions_omit_json_path(version: str) -> None:
    """R23: v2 and v2.1 error details carry no json_path, at every level."""
    engine = leads(
        {"Last_Name": "X", "Email": "x@example.com"},
        {"Last_Name": "Y", "Mobile": "555"},
        {"Last_Name": "Z", "Code": "z"},
        unique=("Mobile", "Code"),
    )
    body = {
        "data": [
            {"Company": "no last name"},
            {"Email": "x@example.com", "Mobile": "555"},
            {"Email": "x@example.com", "Mobile": "555", "Code": "z"},
            {"Last_Name": "N", "Phone": "?"},
        ]
    }
    response = engine.upsert("Leads", body, api_version=version)
    assert response.body == {
        "data": [
            {
                "code": "MANDATORY_NOT_FOUND",
                "details": {"api_name": "Last_Name"},
                "message": "required field not found",
                "status": "error",
            },
            {
                "code": "DUPLICATE_DATA",
                "details": {
                    "api_name": "Mobile",
                    "duplicate_record": duplicate_record(rid(2)),
                    "more_records": False,
                },
                "message": "duplicate data",
                "status": "error",
            },
            {
                "code": "MULTIPLE_OR_MULTI_ERRORS",
                "details": {
                    "errors": [
                        {
                            "code": "DUPLICATE_DATA",
                            "details": {
                                "api_name": field,
                                "duplicate_record": duplicate_record(other),
                                "more_records": False,
                            },
                            "message": "duplicate data",
                            "status": "error",
                        }
                        for field, other in (("Mobile", rid(2)), ("Code", rid(3)))
                    ]
                },
                "message": "Multiple errors in the request",
                "status": "error",
            },
            {
                "code": "INVALID_DATA",
                "details": {"api_name": "Phone", "expected_data_type": "phone"},
                "message": "invalid data",
                "status": "error",
            },
        ]
    }
    top = engine.upsert(
        "Leads", {"data": [{"Last_Name": "A"}], "duplicate_check_fields": ["Description"]},
        api_version=version,
    )  # fmt: skip
    assert top.body["details"] == {"api_name": "duplicate_check_fields"}


def test_r23_version_option_and_later_versions_keep_json_path() -> None:
    """R23: the api_version option sets the default; v3..v8 keep json_path."""
    old = Engine(Options(api_version="v2.1"))
    assert old.upsert("Leads", {"data": [{}]}).body["data"][0]["details"] == {
        "api_name": "Last_Name"
    }
    assert old.upsert("Leads", {"data": [{}]}, api_version="v3").body["data"][0]["details"] == {
        "api_name": "Last_Name",
        "json_path": "$.data[0].Last_Name",
    }
    for version in ("v3", "v4", "v5", "v6", "v7", "v8"):
        response = Engine(Options(api_version=version)).upsert("Leads", {"data": [{}]})
        assert response.body["data"][0]["details"]["json_path"] == "$.data[0].Last_Name"
    with pytest.raises(ConfigurationError):
        Engine().upsert("Leads", {"data": [{}]}, api_version="v9")


@pytest.mark.parametrize("version", ["v2", "v2.1", "v3", "v8"])
def test_r23_versions_share_semantics(version: str) -> None:
    """R23: every version gives the same successes for the same request."""
    engine = leads({"Last_Name": "A", "Email": "a@example.com"})
    body = {"data": [{"Email": "A@example.com"}, {"Last_Name": "B"}]}
    approval = "approved" if version == "v8" else None  # R31: from v6 on
    assert engine.upsert("Leads", body, api_version=version).body == {
        "data": [
            ok("update", rid(1), at(0), at(1), "Email"),
            ok("insert", rid(2), at(1), at(1), approval=approval),
        ]
    }


def test_r23_custom_module_via_add_module() -> None:
    """R23/R2: a custom module takes upserts with its own unique fields."""
    engine = Engine()
    engine.add_module("Projects_X")
    engine.add_field("Projects_X", "Code", "text", unique=True)
    engine.load("Projects_X", [{"Name": "Apollo", "Code": "AP"}, {"Name": "Gemini", "Code": "GE"}])
    body = {"data": [{"Name": "apollo", "Code": "ge"}, {"Name": "Mercury", "Code": "me"}]}
    response = engine.upsert("Projects_X", body)
    assert response.body == {
        "data": [
            duplicate(0, "Code", rid(2), module="Projects_X"),
            ok("insert", rid(3), at(1), at(1)),
        ]
    }
    with pytest.raises(ConfigurationError):
        engine.add_module("Projects_X")
    with pytest.raises(ConfigurationError):
        engine.add_module("PriceBooks")


def test_plain_insert_api() -> None:
    """R23 (plain APIs): insert never matches; mandatory fields and R14 apply; no action key."""
    engine = leads({"Last_Name": "A", "Email": "a@example.com", "Mobile": "1"})
    response = engine.insert(
        "Leads",
        {"data": [{"Last_Name": "B", "Email": "a@example.com"}, {"Company": "c"}]},
    )
    assert response.status == 207
    success = ok("insert", rid(2), at(1), at(1))
    del success["action"], success["duplicate_field"]
    assert response.body["data"][0] == success
    assert response.body["data"][1]["code"] == "MANDATORY_NOT_FOUND"
    assert engine.count("Leads") == 2


def test_plain_update_api() -> None:
    """R23 (plain APIs): update by id patches (R12); missing or unknown ids fail one by one."""
    engine = leads({"Last_Name": "A", "Email": "a@example.com", "Company": "Old"})
    response = engine.update(
        "Leads",
        {
            "data": [
                {"id": rid(1), "Company": "New"},
                {"Company": "x"},
                {"id": "123", "Company": "x"},
            ]
        },
    )
    assert response.status == 207
    success = ok("update", rid(1), at(0), at(1))
    del success["action"], success["duplicate_field"]
    assert response.body["data"] == [
        success,
        {
            "code": "MANDATORY_NOT_FOUND",
            "details": {"api_name": "id", "json_path": "$.data[1].id"},
            "message": "required field not found",
            "status": "error",
        },
        {
            "code": "INVALID_DATA",
            "details": {"api_name": "id", "json_path": "$.data[2].id"},
            "message": "invalid data",
            "status": "error",
        },
    ]
    assert engine.get("Leads", rid(1))["Company"] == "New"
    assert engine.get("Leads", rid(1))["Last_Name"] == "A"


def test_plain_update_api_enforces_uniqueness() -> None:
    """R23 (plain APIs): update by id is refused when it would duplicate a unique value (R14)."""
    engine = leads({"Last_Name": "A", "Mobile": "1"}, {"Last_Name": "B", "Mobile": "2"})
    response = engine.update("Leads", {"data": [{"id": rid(2), "Mobile": "1"}]})
    assert response.body == {"data": [duplicate(0, "Mobile", rid(1))]}


def test_plain_delete_api() -> None:
    """R23 (plain APIs): delete answers per id; unknown ids fail; freed keys match no more."""
    engine = leads({"Last_Name": "A", "Email": "a@example.com"}, {"Last_Name": "B"})
    response = engine.delete("Leads", [rid(1), "42"])
    assert response.status == 207
    assert response.body == {
        "data": [
            {"code": "SUCCESS", "details": {"id": rid(1)}, "message": "record deleted",
             "status": "success"},
            {"code": "INVALID_DATA", "details": {"id": "42"},
             "message": "the id given seems to be invalid", "status": "error"},
        ]
    }  # fmt: skip
    assert [r["id"] for r in engine.records("Leads")] == [rid(2)]
    again = engine.upsert("Leads", {"data": [{"Last_Name": "C", "Email": "a@example.com"}]})
    assert again.body["data"][0]["action"] == "insert"
    assert engine.delete("Nope", ["1"]).body["code"] == "INVALID_MODULE"
    assert engine.delete("Leads", []).status == 400
    assert engine.delete("Leads", ["1"] * 101).body["code"] == "LIMIT_EXCEEDED"
    engine._check()


# --- beyond Zoho: plan ---------------------------------------------------------------------------
def test_plan_matches_upsert_and_writes_nothing() -> None:
    """R16/plan: plan() answers exactly as upsert() then would, and writes nothing."""
    engine = leads({"Last_Name": "A", "Email": "a@example.com"}, {"Last_Name": "Y", "Mobile": "5"})
    body = {
        "data": [
            {"Email": "a@example.com", "Mobile": "5"},
            {"Last_Name": "N", "Email": "n@example.com"},
            {"Email": "N@example.com", "Company": "c"},
        ]
    }
    before = snapshot(engine)
    planned = engine.plan("Leads", body)
    assert snapshot(engine) == before
    engine._check()
    assert engine.upsert("Leads", body) == planned
    assert planned.status == 207
