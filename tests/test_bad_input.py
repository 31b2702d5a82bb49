"""Malformed input: every bad body gets a Zoho-shaped error and changes nothing (R7, R15-R22).

Bad configuration (R1, options) and bad ``Engine.load`` data raise the package's own
exceptions at once, and leave the engine as it was.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from upsert_engine import (
    ConfigurationError,
    Engine,
    InvalidLoadError,
    Options,
    UnknownFields,
)

NAN = float("nan")
INF = float("inf")
HUGE_TEXT = "x" * 10**6
HUGE_DIGITS = "9" * 10**5
ODD_UNICODE = [
    "e\u0301\u0302\u0303",  # combining marks
    "\u202eevil\u202c",  # right-to-left override
    "\u05e9\u05dc\u05d5\u05dd",  # Hebrew (RTL)
    "nul\x00byte",
    "\ud800",  # a lone surrogate
    "\udfff\ud800",
    "\U0001f600\U0001f469\u200d\U0001f4bb",  # emoji, with a zero-width joiner
    "\ufeffbom",
    "\u200b",  # zero-width space
]


def label(value: Any) -> str | None:
    """Short test ids for huge parameters (pytest would print them whole, or fail to)."""
    if isinstance(value, int) and value.bit_length() > 64:
        return f"int_{value.bit_length()}_bits"
    if isinstance(value, str) and len(value) > 40:
        return f"str_{len(value)}_chars"
    return None


def make_engine(**options: Any) -> Engine:
    """Leads with Mobile and a text field Code unique, and three records loaded."""
    engine = Engine(Options(**options))
    engine.add_field("Leads", "Mobile", "phone", unique=True)
    engine.add_field("Leads", "Code", "text", unique=True, max_length=20)
    engine.load(
        "Leads",
        [
            {"Last_Name": "Frey", "Email": "frey@example.com", "Mobile": "555", "Code": "A"},
            {"Last_Name": "Moss", "Email": "moss@example.com", "Code": "B"},
            {"Last_Name": "Dup", "Email": "frey@example.com"},
        ],
    )
    return engine


def state(engine: Engine) -> list[list[dict[str, Any]]]:
    return [list(engine.records(module)) for module in engine.modules()]


def assert_error_shape(error: dict[str, Any]) -> None:
    """A Zoho error object: code, details, message, status "error"."""
    assert set(error) == {"code", "details", "message", "status"}
    assert isinstance(error["code"], str) and error["code"].isupper()
    assert isinstance(error["details"], dict)
    assert isinstance(error["message"], str) and error["message"]
    assert error["status"] == "error"


def refused(
    body: Any,
    *,
    module: str = "Leads",
    engine: Engine | None = None,
    method: str = "upsert",
) -> dict[str, Any]:
    """Send ``body``; assert HTTP 400, JSON-able, nothing changed; return the body."""
    engine = engine or make_engine()
    before = state(engine)
    response = getattr(engine, method)(module, body)
    json.dumps(response.body, allow_nan=False)
    assert response.status == 400, response.body
    assert state(engine) == before
    engine._check()
    return response.body


def refused_request(body: Any, code: str, api_name: str, json_path: str) -> dict[str, Any]:
    """A request-level error (R7, R19, R22) naming ``api_name`` at ``json_path``."""
    result = refused(body)
    assert_error_shape(result)
    assert result["code"] == code
    assert result["details"] == {"api_name": api_name, "json_path": json_path}
    return result


def refused_record(
    record: Any, api_name: str, detail: dict[str, Any] | None = None, **options: Any
) -> dict[str, Any]:
    """A one-record body whose record is refused with INVALID_DATA naming ``api_name``."""
    result = refused({"data": [record]}, engine=make_engine(**options))
    assert list(result) == ["data"]
    (error,) = result["data"]
    assert_error_shape(error)
    assert error["code"] == "INVALID_DATA"
    expected = {"api_name": api_name, "json_path": f"$.data[0].{api_name}", **(detail or {})}
    assert error["details"] == expected
    return error


# --- the body itself -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [None, [], [{"Last_Name": "A"}], "data", "", 5, 5.5, NAN, True, b"{}", ("data",), {1, 2}],
    ids=label,
)
def test_body_not_an_object(body: Any) -> None:
    """R19: a body that is not a JSON object is INVALID_DATA at $."""
    result = refused_request(body, "INVALID_DATA", "body", "$")
    assert "JSON object" in result["message"]


@pytest.mark.parametrize(
    "body", [{}, {"Data": [{"Last_Name": "A"}]}, {"duplicate_check_fields": ["Email"]}], ids=label
)
def test_data_missing(body: dict[str, Any]) -> None:
    """R19: a body without 'data' is MANDATORY_NOT_FOUND naming data."""
    refused_request(body, "MANDATORY_NOT_FOUND", "data", "$.data")


@pytest.mark.parametrize(
    "data", [None, {}, {"Last_Name": "A"}, "records", 0, NAN, True, [], (), HUGE_TEXT], ids=label
)
def test_data_not_a_nonempty_list(data: Any) -> None:
    """R19: data that is empty or not a list is INVALID_DATA naming data."""
    refused_request({"data": data}, "INVALID_DATA", "data", "$.data")


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ([None], "$.data[0]"),
        (["Frey"], "$.data[0]"),
        ([[{"Last_Name": "A"}]], "$.data[0]"),
        ([{"Last_Name": "A"}, 5], "$.data[1]"),
        ([{"Last_Name": "A"}, {"Last_Name": "B"}, NAN], "$.data[2]"),
        ([{"Last_Name": "A"}, True], "$.data[1]"),
    ],
    ids=label,
)
def test_record_not_an_object(data: list[Any], path: str) -> None:
    """R19: a record that is not an object fails the whole request, naming its position."""
    refused_request({"data": data}, "INVALID_DATA", "data", path)


@pytest.mark.parametrize("count", [101, 1000, 10**4], ids=label)
def test_over_one_hundred_records(count: int) -> None:
    """R19: over 100 records (of any shape) is LIMIT_EXCEEDED."""
    for records in ([{"Last_Name": "A"}] * count, [None] * count):
        result = refused({"data": records})
        assert_error_shape(result)
        assert result["code"] == "LIMIT_EXCEEDED"
        assert result["details"] == {"limit": 100}
        assert str(count) in result["message"]


# --- duplicate_check_fields -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "path"),
    [
        ("Email", "$.duplicate_check_fields"),
        ({"Email": True}, "$.duplicate_check_fields"),
        (5, "$.duplicate_check_fields"),
        (True, "$.duplicate_check_fields"),
        (NAN, "$.duplicate_check_fields"),
        ([None], "$.duplicate_check_fields[0]"),
        (["Email", 1], "$.duplicate_check_fields[1]"),
        ([["Email"]], "$.duplicate_check_fields[0]"),
        ([{"api_name": "Email"}], "$.duplicate_check_fields[0]"),
        (["Email", NAN], "$.duplicate_check_fields[1]"),
        (["Email", True], "$.duplicate_check_fields[1]"),
        ([10**100], "$.duplicate_check_fields[0]"),
        (["Email", 10**5000], "$.duplicate_check_fields[1]"),
    ],
    ids=label,
)
def test_duplicate_check_fields_not_a_list_of_strings(value: Any, path: str) -> None:
    """R7: duplicate_check_fields must be a list of strings; the response says Zoho's
    "invalid data" (R27), explain says what is wrong."""
    body = {"data": [{"Last_Name": "A"}], "duplicate_check_fields": value}
    result = refused_request(body, "INVALID_DATA", "duplicate_check_fields", path)
    assert result["message"] == "invalid data"
    assert "duplicate_check_fields" in (Engine().explain("Leads", body).request_error or "")


@pytest.mark.parametrize(
    "name",
    ["email", "Email ", "Émail", "Email\x00", "", "Description", "Lead_Source", HUGE_TEXT,
     *ODD_UNICODE],
    ids=label,
)  # fmt: skip
def test_duplicate_check_fields_unknown_names(name: str) -> None:
    """R7: a name that is no field of the module (exact API name), or a field of a type R1
    does not allow, fails the request."""
    body = {"data": [{"Last_Name": "A"}], "duplicate_check_fields": ["Mobile", name]}
    refused_request(body, "INVALID_DATA", "duplicate_check_fields", "$.duplicate_check_fields[1]")


# --- trigger and the other keys (R22) -----------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "value", "path"),
    [
        ("trigger", "workflow", "$.trigger"),
        ("trigger", {"workflow": True}, "$.trigger"),
        ("trigger", True, "$.trigger"),
        ("trigger", 1, "$.trigger"),
        ("trigger", [None], "$.trigger[0]"),
        ("trigger", ["WORKFLOW"], "$.trigger[0]"),
        ("trigger", ["workflow", ["approval"]], "$.trigger[1]"),
        ("trigger", ["workflow", NAN], "$.trigger[1]"),
        ("trigger", ["\ud800"], "$.trigger[0]"),
        ("trigger", [10**5000], "$.trigger[0]"),
        ("wf_trigger", "maybe", "$.wf_trigger"),
        ("wf_trigger", 1, "$.wf_trigger"),
        ("wf_trigger", [True], "$.wf_trigger"),
        ("lar_id", True, "$.lar_id"),
        ("lar_id", -1, "$.lar_id"),
        ("lar_id", 1.5, "$.lar_id"),
        ("lar_id", "", "$.lar_id"),
        ("lar_id", "１２３", "$.lar_id"),
        ("lar_id", HUGE_DIGITS, "$.lar_id"),
        ("lar_id", -(10**5000), "$.lar_id"),
        ("lar_id", {"id": "1"}, "$.lar_id"),
        ("process", "review", "$.process"),
        ("process", [1], "$.process"),
        ("apply_feature_execution", [{"name": 1}], "$.apply_feature_execution"),
        ("apply_feature_execution", ["layout_rules"], "$.apply_feature_execution"),
        ("skip_feature_execution", {"name": "x"}, "$.skip_feature_execution"),
        ("apply_validation_rule", "no", "$.apply_validation_rule"),
    ],
    ids=label,
)
def test_other_keys_wrong_shape(key: str, value: Any, path: str) -> None:
    """R22: a malformed trigger or other body key fails the request, naming the key."""
    result = refused_request({"data": [{"Last_Name": "A"}], key: value}, "INVALID_DATA", key, path)
    assert key in result["message"]
    assert len(result["message"]) < 1000


# --- record keys ---------------------------------------------------------------------------------
@pytest.mark.parametrize("key", [1, None, True, 1.5, (1, 2), NAN, 10**100], ids=label)
def test_non_string_field_names(key: Any) -> None:
    """R15: a non-string field name is INVALID_DATA naming it."""
    refused_record({"Last_Name": "A", key: "x"}, str(key), {"expected_data_type": "text"})


def test_huge_int_field_name() -> None:
    """R15: a field name too big for str() is still INVALID_DATA, not a crash."""
    (error,) = refused({"data": [{"Last_Name": "A", 10**5000: "x"}]})["data"]
    assert_error_shape(error)
    assert error["code"] == "INVALID_DATA"
    assert error["details"]["expected_data_type"] == "text"
    assert error["details"]["api_name"] == "<int>"


@pytest.mark.parametrize("key", ["Nope", "last_name", "", " ", HUGE_TEXT, *ODD_UNICODE], ids=label)
def test_unknown_field_names_rejected_when_asked(key: str) -> None:
    """unknown_fields=reject: an unknown key is INVALID_DATA naming it."""
    refused_record({"Last_Name": "A", key: "x"}, key, unknown_fields=UnknownFields.REJECT)


@pytest.mark.parametrize("key", ["Nope", "last_name", "", HUGE_TEXT, *ODD_UNICODE], ids=label)
def test_unknown_field_names_ignored_by_default(key: str) -> None:
    """unknown_fields=ignore (default): an unknown key is dropped, not stored."""
    engine = make_engine()
    response = engine.upsert("Leads", {"data": [{"Last_Name": "New", key: {"deep": [1]}}]})
    assert response.status == 200
    record = engine.get("Leads", response.body["data"][0]["details"]["id"])
    assert record is not None and key not in record


# --- values of the wrong type --------------------------------------------------------------------
#: R15 (spec v2): a value of the wrong JSON kind names the field's JSON type; a value of the
#: right kind but wrong content names Zoho's data_type; a Number field adds maximum_length.
STRING = {"expected_data_type": "string"}
NUMBER = {"expected_data_type": "integer", "maximum_length": 9}
DOUBLE = {"expected_data_type": "double"}
CURRENCY = {"expected_data_type": "currency"}
CURRENCY_DIGITS = {"maximum_length": 16}
BOOLEAN = {"expected_data_type": "boolean"}

WRONG_VALUES = [
    # objects and lists where scalars belong
    ("Last_Name", {"value": "Frey"}, STRING),
    ("Last_Name", ["Frey"], STRING),
    ("Last_Name", [], STRING),
    ("Company", {}, STRING),
    ("Email", ["a@example.com"], STRING),
    ("Email", {"email": "a@example.com"}, STRING),
    ("Phone", {"number": "555"}, STRING),
    ("Mobile", ["555"], STRING),
    ("Website", [], STRING),
    ("No_of_Employees", [5], NUMBER),
    ("No_of_Employees", {"n": 5}, NUMBER),
    ("Annual_Revenue", [1.5], DOUBLE),
    ("Email_Opt_Out", {}, BOOLEAN),
    ("Lead_Status", ["Contacted"], STRING),
    ("Description", {"text": "d"}, STRING),
    # NaN and Infinity
    ("Last_Name", NAN, STRING),
    ("Email", INF, STRING),
    ("Mobile", NAN, STRING),
    ("No_of_Employees", NAN, NUMBER),
    ("No_of_Employees", INF, NUMBER),
    ("No_of_Employees", -INF, NUMBER),
    ("Annual_Revenue", NAN, CURRENCY),
    ("Annual_Revenue", INF, CURRENCY),
    ("Annual_Revenue", "NaN", CURRENCY),
    ("Annual_Revenue", "Infinity", CURRENCY),
    ("Annual_Revenue", "1e999", CURRENCY),
    ("Email_Opt_Out", NAN, BOOLEAN),
    # huge numbers
    ("No_of_Employees", 10**100, NUMBER),
    ("No_of_Employees", -(10**100), NUMBER),
    ("No_of_Employees", HUGE_DIGITS, NUMBER),
    ("No_of_Employees", "-" + HUGE_DIGITS, NUMBER),
    ("No_of_Employees", 1e300, NUMBER),
    ("Code", 10**100, STRING),
    ("Last_Name", 10**5000, STRING),
    ("No_of_Employees", 10**5000, NUMBER),
    ("Annual_Revenue", 10**400, CURRENCY_DIGITS),
    ("Annual_Revenue", HUGE_DIGITS, CURRENCY_DIGITS),
    ("Mobile", 10**100, STRING),
    # booleans where numbers or text are expected
    ("No_of_Employees", True, NUMBER),
    ("No_of_Employees", False, NUMBER),
    ("Annual_Revenue", True, DOUBLE),
    ("Last_Name", True, STRING),
    ("Code", False, STRING),
    ("Email", True, STRING),
    # odd unicode where only ASCII shapes are valid
    ("No_of_Employees", "４２", NUMBER),
    ("No_of_Employees", "4\u200b2", NUMBER),
    ("Mobile", "５５５", {"expected_data_type": "phone"}),
    ("Mobile", "\U0001f4de 555", {"expected_data_type": "phone"}),
    ("Phone", "555\x00", {"expected_data_type": "phone"}),
    ("Email", "\ud800", {"expected_data_type": "email"}),
    ("Email", "a@b\u3002com", {"expected_data_type": "email"}),
    ("Email_Opt_Out", "tru\u0435", BOOLEAN),  # Cyrillic e
]


@pytest.mark.parametrize(("field", "value", "detail"), WRONG_VALUES, ids=label)
def test_wrong_value_types(field: str, value: Any, detail: dict[str, Any]) -> None:
    """R15: a value of the wrong type is INVALID_DATA with expected_data_type (the JSON type
    for a wrong JSON kind, the data_type for wrong content) or maximum_length."""
    error = refused_record({"Last_Name": "A", field: value}, field, detail)
    assert len(error["message"]) < 1000


@pytest.mark.parametrize(("field", "value", "detail"), WRONG_VALUES, ids=label)
def test_wrong_value_types_on_update(field: str, value: Any, detail: dict[str, Any]) -> None:
    """R15/R16: a wrong value on an update refuses the record and leaves the target as it was."""
    body = {"data": [{"Email": "moss@example.com", "Company": "changed", field: value}]}
    (error,) = refused(body)["data"]
    assert {key: error["details"].get(key) for key in detail} == detail


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("Last_Name", 80),
        ("Company", 200),
        ("Code", 20),
        ("Email", 100),
        ("Mobile", 30),
        ("Phone", 30),
        ("Website", 255),
        ("Description", 32000),
    ],
    ids=label,
)
def test_huge_strings(field: str, limit: int) -> None:
    """R15: a 10^6-character string is INVALID_DATA with maximum_length."""
    value = {"Email": "a@" + "b" * 10**6 + ".com", "Mobile": "5" * 10**6, "Phone": "5" * 10**6}
    refused_record(
        {"Last_Name": "A", field: value.get(field, HUGE_TEXT)}, field, {"maximum_length": limit}
    )


@pytest.mark.parametrize("text", ODD_UNICODE, ids=label)
def test_odd_unicode_in_text_is_stored_as_sent(text: str) -> None:
    """R8/R15: odd but valid unicode text is stored as sent and matches itself."""
    engine = make_engine()
    body = {"data": [{"Last_Name": text, "Code": text}]}
    first = engine.upsert("Leads", body)
    json.dumps(first.body, allow_nan=False)
    assert first.status == 200
    assert first.body["data"][0]["action"] == "insert"
    record_id = first.body["data"][0]["details"]["id"]
    assert engine.get("Leads", record_id)["Last_Name"] == text
    second = engine.upsert("Leads", body)
    assert second.body["data"][0]["action"] == "update"
    assert second.body["data"][0]["details"]["id"] == record_id
    assert second.body["data"][0]["duplicate_field"] == "Code"
    engine._check()


@pytest.mark.parametrize(
    ("text", "ok"),
    [("\U0001f600" * 80, True), ("\U0001f600" * 81, False), ("e\u0301" * 41, False)],
    ids=label,
)
def test_length_counts_code_points(text: str, ok: bool) -> None:
    """R15: length is counted in characters (code points) of the stripped value."""
    engine = make_engine()
    response = engine.upsert("Leads", {"data": [{"Last_Name": text}]})
    assert (response.status == 200) is ok
    if not ok:
        assert response.body["data"][0]["details"]["maximum_length"] == 80


@pytest.mark.parametrize("blank", ["\u00a0", "\u2003\u3000", "\t\r\n\x0b\x0c"], ids=label)
def test_unicode_white_space_is_empty(blank: str) -> None:
    """R9/R13: a value of unicode white space only is empty, so a mandatory field is missing."""
    (error,) = refused({"data": [{"Last_Name": blank, "Email": blank}]})["data"]
    assert error["code"] == "MANDATORY_NOT_FOUND"
    assert error["details"] == {"api_name": "Last_Name", "json_path": "$.data[0].Last_Name"}


def test_deep_nesting() -> None:
    """R15: a deeply nested list where a scalar belongs is refused, not a RecursionError."""
    deep: list[Any] = []
    for _ in range(5000):
        deep = [deep]
    refused_record({"Last_Name": deep}, "Last_Name", STRING)


@pytest.mark.parametrize(
    "lookup",
    [
        {"id": "5725767000000600001", "extra": json.loads("[" * 900 + "]" * 900)},
        {"id": "5725767000000600001", "name": {"first": "A"}},
        {"id": "5725767000000600001", "tags": ["a"]},
        {"id": {"id": "5725767000000600001"}},
        {"name": "no id"},
    ],
    ids=["deep", "object", "list", "nested_id", "no_id"],
)
def test_lookup_objects_hold_scalars(lookup: dict[str, Any]) -> None:
    """R15: a lookup is an id or an object of scalars ({"id", "name"}), however deep the rest."""
    body = {"data": [{"Account_Name": "A", "Parent_Account": lookup}]}
    (error,) = refused(body, module="Accounts")["data"]
    assert error["code"] == "INVALID_DATA"
    assert error["details"]["expected_data_type"] == "lookup"


def test_body_not_mutated() -> None:
    """R16: the request body is never mutated, whatever the outcome."""
    body = {
        "data": [
            {"Email": " FREY@example.com ", "Mobile": "555", "Code": "B", "id": "1"},
            {"Last_Name": "N", "Tags": [{"name": "t"}]},
            {"Company": "no last name"},
        ],
        "duplicate_check_fields": ["Email", "Email"],
        "trigger": ["workflow"],
    }
    frozen = json.dumps(body, sort_keys=True)
    engine = make_engine()
    engine.upsert("Leads", body)
    engine.plan("Leads", body)
    engine.explain("Leads", body)
    assert json.dumps(body, sort_keys=True) == frozen


# --- the plain update API ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "code"),
    [
        (None, "MANDATORY_NOT_FOUND"),
        ({"id": "1"}, "INVALID_DATA"),
        ([], "INVALID_DATA"),
        (True, "INVALID_DATA"),
        (1.5, "INVALID_DATA"),
        (NAN, "INVALID_DATA"),
        ("abc", "INVALID_DATA"),
        (10**100, "INVALID_DATA"),
        (10**5000, "INVALID_DATA"),
        (HUGE_DIGITS, "INVALID_DATA"),
        ("\ud800", "INVALID_DATA"),
    ],
    ids=label,
)
def test_update_api_bad_ids(given: Any, code: str) -> None:
    """R12 (plain update): a missing or malformed id refuses the record, naming id."""
    (error,) = refused({"data": [{"id": given, "Company": "x"}]}, method="update")["data"]
    assert_error_shape(error)
    assert error["code"] == code
    assert error["details"] == {"api_name": "id", "json_path": "$.data[0].id"}


def test_update_api_repeated_id_with_intra_batch_reject() -> None:
    """R17 (plain update, intra_batch=reject): a repeated id is refused, not an AssertionError."""
    engine = make_engine(intra_batch="reject")
    record_id = next(engine.records("Leads"))["id"]
    response = engine.update(
        "Leads", {"data": [{"id": record_id, "Company": "1"}, {"id": record_id, "Company": "2"}]}
    )
    assert response.status == 207
    error = response.body["data"][1]
    assert_error_shape(error)
    assert error["code"] == "DUPLICATE_DATA"
    assert error["details"] == {
        "api_name": "id",
        "json_path": "$.data[1].id",
        "duplicate_record": {
            "Owner": {"name": "Example User", "id": "5725767000000411001", "zuid": "60012345"},
            "module": {"api_name": "Leads", "id": "5725767000000002175"},
            "id": record_id,
        },
        "more_records": False,
    }
    assert engine.get("Leads", record_id)["Company"] == "1"


# --- Hypothesis: arbitrary JSON-ish bodies --------------------------------------------------------
LEAD_KEYS = ["Last_Name", "Email", "Mobile", "Code", "Company", "No_of_Employees", "id"]
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["frey@example.com", " FREY@EXAMPLE.COM", "555", "a", "B", "0042", ""])
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
records = st.dictionaries(st.sampled_from(LEAD_KEYS) | st.text(max_size=8), json_values, max_size=6)
#: Mostly valid records that collide with the loaded ones and with each other.
plausible_records = st.fixed_dictionaries(
    {},
    optional={
        "Last_Name": st.sampled_from(["Frey", "New", "", None]),
        "Email": st.sampled_from(["frey@example.com", " FREY@example.com", "n@example.com", None]),
        "Mobile": st.sampled_from(["555", " 555 ", "556", "", None]),
        "Code": st.sampled_from(["A", "a ", "B", "C", None]),
        "No_of_Employees": st.sampled_from(["0042", 42, 42.0, None]),
        "Company": st.text(max_size=3),
    },
)
check_fields = st.lists(
    st.sampled_from(["Email", "Mobile", "Code", "Company", "Nope"]) | json_values, max_size=4
)
bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"data": st.lists(records | json_values, max_size=5) | json_values},
        optional={
            "duplicate_check_fields": check_fields | json_values,
            "trigger": st.lists(st.sampled_from(["workflow", "approval", "x"]), max_size=3)
            | json_values,
            "wf_trigger": json_values,
            "lar_id": json_values,
            "process": json_values,
        },
    ),
    st.fixed_dictionaries(
        {"data": st.lists(plausible_records, min_size=1, max_size=8)},
        optional={
            "duplicate_check_fields": st.lists(st.sampled_from(["Email", "Mobile", "Code"])),
            "trigger": st.just(["workflow"]),
        },
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies, method=st.sampled_from(["upsert", "plan", "insert", "update"]))
def test_arbitrary_bodies_never_raise(body: Any, method: str) -> None:
    """R16-R21: any JSON-ish body gets a JSON-able Zoho response; a 400 changes nothing."""
    engine = make_engine()
    before = state(engine)
    response = getattr(engine, method)("Leads", body)
    json.dumps(response.body, allow_nan=False)
    assert response.status in (200, 201, 207, 400)
    if "data" in response.body:
        entries = response.body["data"]
        assert isinstance(body, dict) and len(entries) == len(body["data"])
        for entry in entries:
            assert entry["status"] in ("success", "error")
            if entry["status"] == "error":
                assert_error_shape(entry)
    else:
        assert_error_shape(response.body)
        assert response.status == 400
    if response.status == 400 or method == "plan":
        assert state(engine) == before
    else:  # record count equals inserts (the plain insert API answers without "action")
        entries = response.body["data"]
        inserted = sum(
            e["status"] == "success" and e.get("action", method) == "insert" for e in entries
        )
        assert engine.count("Leads") == len(before[0]) + inserted
    engine._check()


@settings(max_examples=100, deadline=None)
@given(body=bodies)
def test_plan_equals_upsert_on_arbitrary_bodies(body: Any) -> None:
    """Plan: for any body, plan() answers exactly what upsert() then answers."""
    engine = make_engine()
    planned = engine.plan("Leads", body)
    assert engine.upsert("Leads", body) == planned
    engine._check()


# --- Engine.load ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "rows",
    [
        5,
        None,
        [5],
        [None],
        ["Frey"],
        [{"Last_Name": "ok"}, ["Last_Name", "x"]],
        [{"Last_Name": "ok"}, {1: "x"}],
        [{"Last_Name": "ok"}, {"id": "abc"}],
        [{"id": -1}],
        [{"id": True}],
        [{"id": 1.5}],
        [{"id": ""}],
        [{"id": "١٢٣"}],
        [{"id": "7"}, {"id": 7}],
        [{"id": "5725767000000600001"}],  # taken by make_engine's first record
        [{"Created_Time": "yesterday"}],
        [{"Created_Time": "2026-01-15T10:00:00"}],  # no offset
        [{"Created_Time": 1700000000}],
        [{"Created_Time": datetime(2026, 1, 1)}],
        [{"Modified_Time": "2026-02-30T00:00:00+00:00"}],
        [{"Created_By": "someone"}],
        [{"Modified_By": {"name": "no id"}}],
        [{"Created_By": {"name": 5, "id": "1"}}],
        [{"id": 10**5000}],
        [{"Last_Name": "ok"}, {"Description": json.loads("[" * 900 + "]" * 900)}],
    ],
    ids=label,
)
def test_load_bad_data(rows: Any) -> None:
    """load: malformed data raises InvalidLoadError and loads nothing."""
    engine = make_engine()
    before = state(engine)
    with pytest.raises(InvalidLoadError):
        engine.load("Leads", rows)
    assert state(engine) == before
    engine._check()


@pytest.mark.parametrize(
    "value",
    # (NaN and infinities are refused: JSON cannot carry them; tests/test_hostile_use.py)
    [10**400, -(10**400), 10**5000, 1e308, {"a": [1]}, [1, 2], True, "\ud800"],
    ids=label,
)
@pytest.mark.parametrize("field", ["Email", "Mobile", "Code", "No_of_Employees"], ids=label)
def test_load_odd_values_in_indexed_fields(field: str, value: Any) -> None:
    """load writes values as is; normalisers are total, so odd values load and index cleanly."""
    engine = make_engine()
    engine.add_field("Leads", "No_of_Employees", "integer", unique=True)
    (record_id,) = engine.load("Leads", [{"Last_Name": "Odd", field: value}])
    engine._check()
    assert engine.get("Leads", record_id)["Last_Name"] == "Odd"
    response = engine.upsert("Leads", {"data": [{"Last_Name": "Next", "Email": "n@example.com"}]})
    assert response.status == 200
    engine._check()


def test_load_explicit_id_equal_to_a_generated_one() -> None:
    """load: a generated id never takes an id that a later record of the same load brings."""
    engine = Engine()
    first = "5725767000000600001"  # what the id source gives first
    ids = engine.load(
        "Leads",
        [{"Last_Name": "A", "Email": "a@example.com"}, {"id": first, "Last_Name": "B"}],
    )
    assert ids == ["5725767000000600002", first]
    assert [r["Last_Name"] for r in engine.records("Leads")] == ["A", "B"]
    engine._check()
    response = engine.upsert("Leads", {"data": [{"Last_Name": "C"}]})
    assert response.body["data"][0]["details"]["id"] == "5725767000000600003"


def test_load_null_system_stamps_mean_absent() -> None:
    """load: Created_Time/Created_By given as null are filled in like absent ones (R11, R18)."""
    engine = Engine()
    engine.load(
        "Leads",
        [
            {"Last_Name": "A", "Email": "a@example.com", "Created_Time": None, "Created_By": None},
            {"Last_Name": "B", "Email": "a@example.com"},
        ],
    )
    response = engine.upsert("Leads", {"data": [{"Email": "a@example.com"}]})
    assert response.status == 200
    details = response.body["data"][0]["details"]
    assert details["Created_Time"] == "2026-01-15T10:00:00+05:30"
    assert details["Created_By"] == {"name": "Example User", "id": "5725767000000411001"}


def test_load_unknown_module() -> None:
    """R20: load into an unknown module raises (and is an UpsertEngineError)."""
    from upsert_engine import UnknownModuleError

    with pytest.raises(UnknownModuleError):
        Engine().load("Nope", [{"Name": "x"}])


# --- configuration -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data_type", ["textarea", "boolean", "date", "lookup", "picklist"], ids=label
)
def test_add_field_unique_needs_capable_type(data_type: str) -> None:
    """R1: a unique field of another type raises ConfigurationError naming field and type."""
    engine = make_engine()
    before = engine.schema("Leads")
    with pytest.raises(ConfigurationError) as raised:
        engine.add_field("Leads", "Notes_X", data_type, unique=True)
    assert "Notes_X" in str(raised.value)
    assert repr(data_type) in str(raised.value)
    assert engine.schema("Leads") == before


def test_redefining_a_unique_field_to_an_incapable_type_fails() -> None:
    """R1: a unique field redefined as a textarea (still unique) is refused; nothing changes."""
    engine = make_engine()
    before = engine.schema("Leads")
    with pytest.raises(ConfigurationError, match=r"Code.*textarea"):
        engine.add_field("Leads", "Code", "textarea", unique=True)
    assert engine.schema("Leads") == before
    engine._check()


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("Leads", "F_X", "string"), {}),
        (("Leads", "F_X", "Text"), {}),
        (("Leads", "F_X", None), {}),
        (("Leads", "", "text"), {}),
        (("Leads", "   ", "text"), {}),
        (("Leads", 5, "text"), {}),
        (("Leads", None, "text"), {}),
        (("Leads", "id", "text"), {}),
        (("Leads", "Created_Time", "datetime"), {}),
        (("Leads", "F_X", "text"), {"max_length": 0}),
        (("Leads", "F_X", "text"), {"max_length": -1}),
        (("Leads", "F_X", "text"), {"max_length": True}),
        (("Leads", "F_X", "text"), {"max_length": "10"}),
        (("Leads", "F_X", "text"), {"max_length": 1.5}),
    ],
    ids=label,
)
def test_add_field_bad_configuration(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """R1/R15: an impossible field definition raises ConfigurationError and changes nothing."""
    engine = make_engine()
    before = engine.schema("Leads")
    with pytest.raises(ConfigurationError):
        engine.add_field(*args, **kwargs)
    assert engine.schema("Leads") == before


@pytest.mark.parametrize("name", ["", "  ", "a/b", 5, None, "Leads", "PriceBooks"], ids=label)
def test_add_module_bad_names(name: Any) -> None:
    """R2: a custom module needs a new, non-empty name without '/'."""
    engine = Engine()
    modules = engine.modules()
    with pytest.raises(ConfigurationError):
        engine.add_module(name)
    assert engine.modules() == modules


@pytest.mark.parametrize("fields", [["Nope"], "Last_Name", ["Last_Name", "Nope"]], ids=label)
def test_set_mandatory_unknown_field(fields: Any) -> None:
    """R4: mandatory fields must be fields of the module."""
    engine = Engine()
    with pytest.raises(ConfigurationError):
        engine.set_mandatory("Leads", fields)
    assert engine.schema("Leads").mandatory_fields == ("Last_Name",)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"multi_match": "first"},
        {"multi_match": None},
        {"multi_match": ["oldest"]},
        {"intra_batch": 1},
        {"non_unique_check_field": "error"},
        {"unknown_fields": "drop"},
        {"api_version": "v9"},
        {"api_version": "V8"},
        {"api_version": 2},
        {"api_version": None},
        {"max_unique_fields": -1},
        {"max_unique_fields": "2"},
        {"max_unique_fields": True},
        {"max_unique_fields": 1.5},
        {"max_records": 0},
        {"max_records": -5},
        {"max_records": "5"},
        {"max_records": None},
        {"max_records": True},
        {"max_records": 2.5},
        {"user": "bob"},
        {"user": None},
    ],
    ids=label,
)
def test_bad_options(kwargs: dict[str, Any]) -> None:
    """Options: a bad value raises ConfigurationError naming the option."""
    with pytest.raises(ConfigurationError) as raised:
        Options(**kwargs)
    assert next(iter(kwargs)) in str(raised.value)


def test_options_accept_enum_values_and_strings() -> None:
    """Options: each choice may be given as its enum member or its string value."""
    options = Options(multi_match="newest", intra_batch="reject", unknown_fields="reject")
    assert options.multi_match.value == "newest"
    assert options.intra_batch.value == "reject"
    assert Options(max_unique_fields=0, max_records=1).max_records == 1


@pytest.mark.parametrize(
    "engine_kwargs",
    [
        {"clock": lambda n: "2026-01-15T10:00:00+05:30"},
        {"clock": lambda n: datetime(2026, 1, 15, 10, 0, 0)},  # naive
        {"ids": lambda n: "abc"},
        {"ids": lambda n: 5725767000000600001 + n},
    ],
    ids=label,
)
def test_bad_injected_sources(engine_kwargs: dict[str, Any]) -> None:
    """A bad clock or id source raises ConfigurationError and writes nothing."""
    engine = Engine(**engine_kwargs)
    with pytest.raises(ConfigurationError):
        engine.upsert("Leads", {"data": [{"Last_Name": "A"}]})
    assert engine.count("Leads") == 0
    engine._check()


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        # an id another module's record holds; a bad time in a later row
        (
            [{"Last_Name": "A"}, {"id": "7", "Last_Name": "B"}, {"Created_Time": "x"}],
            "Leads record 1: id 7 is already taken",
        ),
        # a bad time first, then a taken id: the first bad row is named
        (
            [{"Created_Time": "x"}, {"id": "7", "Last_Name": "B"}],
            "Leads record 0: Created_Time 'x'",
        ),
        # one row with both: its id is checked first, as before
        ([{"id": "7", "Created_Time": "x"}], "Leads record 0: id 7 is already taken"),
        # an id a row of this very load brings, then the org's
        (
            [{"id": "8"}, {"id": "8"}, {"id": "7"}],
            "Leads record 1: id 8 is already taken",
        ),
    ],
)
def test_load_names_the_first_bad_row(rows: list[dict[str, Any]], error: str) -> None:
    """load: ids taken anywhere in the org are found for all rows at once (issue 13: one
    pass in C), yet the error names the first bad row, whatever is wrong with it; nothing
    is loaded."""
    engine = Engine()
    engine.load("Accounts", [{"id": "7", "Account_Name": "Acme"}])
    with pytest.raises(InvalidLoadError, match=re.escape(error)):
        engine.load("Leads", rows)
    assert engine.count("Leads") == 0
    engine._check()
