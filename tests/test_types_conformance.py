"""R15/R28 conformance: the cases of tests/types/*.json through Engine and ReferenceEngine.

Each file covers one row of R15's table: values just inside and just outside each limit,
the accepted and refused examples of Zoho's published patterns, and the JSON-kind errors;
each case gives the exact outcome (the value read back, R28, or the INVALID_DATA details).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from upsert_engine import Engine, Options
from upsert_engine.fields import known_data_types
from upsert_engine.reference import ReferenceEngine

CASES_DIR = Path(__file__).parent / "types"
FIELD = "F_X"


def _decode(value: Any) -> Any:
    """The value a case means: ``$repeat``, ``$concat`` and ``$rows`` spelled out."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, arg),) = value.items()
        if key == "$repeat":
            return arg[0] * arg[1]
        if key == "$concat":
            return "".join(_decode(part) for part in arg)
        if key == "$rows":
            return [{"Name": f"row {i}"} for i in range(arg)]
    return value


def _load() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(CASES_DIR.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert doc["data_type"] == path.stem, path
        for case in doc["cases"]:
            found.append((doc["data_type"], case))
    return found


CASES = _load()
IMPLEMENTATIONS = {"engine": Engine, "reference": ReferenceEngine}


def _typed(value: Any) -> Any:
    """``value`` with the JSON type of every part, so that 42, 42.0 and "42" differ."""
    if isinstance(value, list):
        return [_typed(item) for item in value]
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    return (type(value).__name__, value)


def _org(kind: str, data_type: str, case: dict[str, Any]) -> tuple[Any, str]:
    """An org with the case's field; returns it and the field's API name."""
    org = IMPLEMENTATIONS[kind](Options(check_formats=case.get("check_formats", True)))
    if "standard" in case:
        module, name = case["standard"].split(".")
        assert module == "Leads" and name in org.schema("Leads").fields
        return org, name
    settings = dict(case.get("field", {}))
    if data_type == "subform":  # R36: a subform has row fields; here one, Name (text)
        rows = settings.pop("max_length", None)
        org.add_subform("Leads", FIELD, [("Name", "text")], max_rows=rows)
    else:
        org.add_field("Leads", FIELD, data_type, **settings)
    return org, FIELD


def _without_row_ids(rows: Any) -> Any:
    """R36: a subform read back, each row's engine-given ``id`` checked and left out."""
    assert isinstance(rows, list) and all(isinstance(row.get("id"), str) for row in rows), rows
    return [{key: cell for key, cell in row.items() if key != "id"} for row in rows]


def _check(data_type: str, case: dict[str, Any], kind: str, api: str) -> None:
    org, name = _org(kind, data_type, case)
    value = _decode(case["value"])
    body = {"data": [{"Last_Name": "A", name: value}]}
    response = getattr(org, api)("Leads", body)
    (entry,) = response.body["data"]
    if "error" in case:
        assert response.status == 400
        at = f"$.data[0].{name}{case.get('at', '')}"  # R36: a row's error names the row
        details = {"api_name": name, "json_path": at, **case["error"]}
        assert entry == {
            "code": "INVALID_DATA",
            "details": details,
            "message": "invalid data",
            "status": "error",
        }
        assert org.count("Leads") == 0
    else:
        assert entry["code"] == "SUCCESS", entry
        (record,) = org.records("Leads")
        read = _without_row_ids(record[name]) if data_type == "subform" else record[name]
        assert _typed(read) == _typed(_decode(case["stored"]))


@pytest.mark.parametrize("kind", sorted(IMPLEMENTATIONS))
@pytest.mark.parametrize(("data_type", "case"), CASES, ids=[f"{t}:{c['name']}" for t, c in CASES])
def test_case_on_upsert(data_type: str, case: dict[str, Any], kind: str) -> None:
    """R15/R28: an upsert of the case's value gives exactly the case's outcome, in the engine
    (its compiled fast path) and in the reference model."""
    _check(data_type, case, kind, "upsert")


@pytest.mark.parametrize(("data_type", "case"), CASES, ids=[f"{t}:{c['name']}" for t, c in CASES])
def test_case_on_insert(data_type: str, case: dict[str, Any]) -> None:
    """R15/R28: the plain insert API (the engine's general path) gives the same outcome."""
    _check(data_type, case, "engine", "insert")


def test_every_type_has_cases_both_ways() -> None:
    """R15: every Zoho data type the engine knows has a file with accepted and refused cases,
    JSON-kind errors among them."""
    by_type: dict[str, list[dict[str, Any]]] = {}
    for data_type, case in CASES:
        by_type.setdefault(data_type, []).append(case)
    assert set(by_type) == set(known_data_types()) - {"decimal"}  # "decimal": the engine's alias
    for data_type, cases in by_type.items():
        assert any("stored" in case for case in cases), data_type
        assert any("error" in case for case in cases), data_type


# --- the bullets of issue 10, one test each ---------------------------------------------------
def _one(engine: Engine, record: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = engine.upsert("Leads", {"data": [record]}).body["data"][0]
    return entry


def test_multiselect_sent_as_string_is_jsonarray() -> None:
    """R15 [obs formie]: a multi-select picklist sent as a string expects "jsonarray"."""
    engine = Engine()
    engine.add_field("Leads", "Langs_X", "multiselectpicklist")
    entry = _one(engine, {"Last_Name": "A", "Langs_X": "English"})
    assert entry["details"]["expected_data_type"] == "jsonarray"


def test_number_format_error_reports_maximum_length() -> None:
    """R15 [obs formie]: a Number field of length 9 sent "1-2 People" reports
    expected_data_type "integer" and maximum_length 9."""
    engine = Engine()
    engine.add_field("Leads", "Staff_X", "integer", max_length=9)
    entry = _one(engine, {"Last_Name": "A", "Staff_X": "1-2 People"})
    assert entry["details"] == {
        "api_name": "Staff_X",
        "json_path": "$.data[0].Staff_X",
        "expected_data_type": "integer",
        "maximum_length": 9,
    }


def test_no_of_employees_has_nine_digits() -> None:
    """R15: Leads' No_of_Employees is a Number of 9 digits: 10 digits are refused."""
    engine = Engine()
    assert _one(engine, {"Last_Name": "A", "No_of_Employees": 1000000000})["code"] == (
        "INVALID_DATA"
    )
    assert _one(engine, {"Last_Name": "A", "No_of_Employees": 999999999})["code"] == "SUCCESS"


def test_phone_with_letters_accepted() -> None:
    """R15: Zoho's phone pattern takes ASCII letters: "1800-FLOWERS" is accepted."""
    assert _one(Engine(), {"Last_Name": "A", "Phone": "1800-FLOWERS"})["code"] == "SUCCESS"


def test_email_with_one_letter_top_level_refused() -> None:
    """R15: Zoho's email pattern wants a top-level label of 2-22 letters: "p@zylker.c" fails."""
    entry = _one(Engine(), {"Last_Name": "A", "Email": "p@zylker.c"})
    assert entry["details"]["expected_data_type"] == "email"


@pytest.mark.parametrize("kind", sorted(IMPLEMENTATIONS))
def test_first_invalid_key_in_record_order_wins(kind: str) -> None:
    """R15 [obs formie]: several invalid fields give one INVALID_DATA, for the first invalid
    key in the record's key order (whatever the fields' order in the module)."""
    org = IMPLEMENTATIONS[kind]()
    record = {"Last_Name": "A", "Website": "zylker", "Email": "p@zylker.c", "Phone": "!"}
    (entry,) = org.upsert("Leads", {"data": [record]}).body["data"]
    assert entry["details"] == {
        "api_name": "Website",
        "json_path": "$.data[0].Website",
        "expected_data_type": "website",
    }
    reordered = {"Phone": "!", "Email": "p@zylker.c", "Last_Name": "A"}
    (entry,) = org.upsert("Leads", {"data": [reordered]}).body["data"]
    assert entry["details"]["api_name"] == "Phone"


@pytest.mark.parametrize("kind", sorted(IMPLEMENTATIONS))
def test_typed_values_match_as_stored(kind: str) -> None:
    """R8/R28: a Number sent "0042" is stored 42 and a later 42.0 finds that record."""
    org = IMPLEMENTATIONS[kind]()
    org.add_field("Leads", "Badge_X", "integer", unique=True)
    first = org.upsert("Leads", {"data": [{"Last_Name": "A", "Badge_X": "0042"}]})
    second = org.upsert("Leads", {"data": [{"Badge_X": 42.0, "Company": "Z"}]})
    assert first.body["data"][0]["action"] == "insert"
    assert second.body["data"][0]["action"] == "update"
    assert second.body["data"][0]["duplicate_field"] == "Badge_X"
    (record,) = org.records("Leads")
    assert (record["Badge_X"], record["Company"]) == (42, "Z")
