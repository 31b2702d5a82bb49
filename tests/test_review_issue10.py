"""What a fresh user found trying to break issue 10's work, one test each (R4, R7, R13,
R15, R28, R36; spec section 8)."""

from __future__ import annotations

from typing import Any

import pytest

from upsert_engine import Engine
from upsert_engine.reference import ReferenceEngine


def _org(cls: Any) -> Any:
    org = cls()
    org.add_field("Leads", "Langs", "multiselectpicklist")
    org.set_mandatory("Leads", ["Last_Name", "Langs"])
    return org


@pytest.mark.parametrize("call", ["upsert", "plan", "insert"])
def test_an_empty_list_in_a_mandatory_field_is_missing_on_every_path(call: str) -> None:
    """R13, R4: ``[]`` in a mandatory multi-select counts as missing: the fast path, the
    general path, the insert API and the reference model agree (section 8: plan == apply)."""
    body = {"data": [{"Last_Name": "Frey", "Langs": []}]}
    got = getattr(_org(Engine), call)("Leads", body)
    want = getattr(_org(ReferenceEngine), call)("Leads", body)
    assert got.body["data"][0]["code"] == "MANDATORY_NOT_FOUND"
    assert got.body["data"][0]["details"]["api_name"] == "Langs"
    assert (got.status, got.body) == (want.status, want.body)


@pytest.mark.parametrize("emptied", [None, "  "])
def test_an_update_cannot_empty_a_line_items_mandatory_cell(emptied: Any) -> None:
    """R36: line-item rows need Product_Name and Quantity; updating an existing row to
    null or blank is MANDATORY_NOT_FOUND at the row's cell, nothing written; the reference
    model agrees."""
    answers = []
    for cls in (Engine, ReferenceEngine):
        org = cls()
        product = org.upsert("Products", {"data": [{"Product_Name": "Pen"}]})
        product_id = product.body["data"][0]["details"]["id"]
        row = {"Product_Name": {"id": product_id}, "Quantity": 2}
        quote = org.upsert("Quotes", {"data": [{"Subject": "Q1", "Quoted_Items": [row]}]})
        quote_id = quote.body["data"][0]["details"]["id"]
        row_id = org.get("Quotes", quote_id)["Quoted_Items"][0]["id"]
        change = {"id": row_id, "Quantity": emptied}
        body = {"data": [{"Subject": "Q1", "Quoted_Items": [change]}]}
        answer = org.upsert("Quotes", body)
        assert answer.body["data"][0]["code"] == "MANDATORY_NOT_FOUND"
        assert (
            answer.body["data"][0]["details"]["json_path"] == "$.data[0].Quoted_Items[0].Quantity"
        )
        assert org.get("Quotes", quote_id)["Quoted_Items"][0]["Quantity"] == 2
        answers.append((answer.status, answer.body))
    assert answers[0] == answers[1]


def test_null_duplicate_check_fields_is_not_a_list() -> None:
    """R7: "D that is not a list of strings" fails the whole request with HTTP 400
    INVALID_DATA, ``null`` included (absent is the only way to leave D out); nothing is
    written, and the reference model agrees."""
    body = {"data": [{"Last_Name": "A"}], "duplicate_check_fields": None}
    for org in (Engine(), ReferenceEngine()):
        answer = org.upsert("Leads", body)
        assert answer.status == 400 and answer.body["code"] == "INVALID_DATA"
        assert answer.body["details"] == {
            "api_name": "duplicate_check_fields",
            "json_path": "$.duplicate_check_fields",
        }
        assert org.count("Leads") == 0


def test_percent_takes_a_json_number_only() -> None:
    """R15: Percent's JSON value is a number; a numeric string is the wrong JSON kind
    (``expected_data_type`` names the JSON type, ``double``)."""
    engine = Engine()
    engine.add_field("Leads", "Pct", "percent")
    answer = engine.plan("Leads", {"data": [{"Last_Name": "A", "Pct": "50"}]})
    assert answer.body["data"][0]["details"]["expected_data_type"] == "double"


@pytest.mark.parametrize(
    ("text", "said"),
    [("9" * 5000, "more than 4300 digits"), ("1e400", "out of range"), ("Infinity", "not JSON")],
)
def test_the_server_refuses_numbers_it_cannot_carry_in_plain_words(text: str, said: str) -> None:
    """R27: a body number the fake cannot read back as JSON is refused with a short plain
    sentence (no Python remedy text)."""
    from upsert_engine.server.parsing import parse_json

    with pytest.raises(ValueError, match=said) as raised:
        parse_json(f'{{"data": [{{"Last_Name": "A", "N": {text}}}]}}'.encode())
    assert "sys.set_int_max_str_digits" not in str(raised.value)


def test_the_reference_model_is_all_or_nothing_too() -> None:
    """Section 8: the oracle keeps the atomicity promise: a normaliser raising (here Ctrl-C)
    on the second record leaves no first record and no moved counter."""

    def refusing(value: Any) -> str | None:
        if value == "666":
            raise KeyboardInterrupt
        return str(value).strip().lower() or None

    reference = ReferenceEngine()
    reference.add_field("Leads", "Mobile", "phone", unique=True, normalizer=refusing)
    body = {"data": [{"Last_Name": "A", "Mobile": "111"}, {"Last_Name": "B", "Mobile": "666"}]}
    with pytest.raises(KeyboardInterrupt):
        reference.upsert("Leads", body)
    assert reference.count("Leads") == 0
    fresh = ReferenceEngine()
    fresh.add_field("Leads", "Mobile", "phone", unique=True)
    then = {"data": [{"Last_Name": "C", "Mobile": "222"}]}
    assert reference.upsert("Leads", then) == fresh.upsert("Leads", then)


def test_loaded_values_read_back_typed() -> None:
    """R28: a loaded value its typed field accepts is stored in the field's JSON type (a CSV
    export's ``"0042"`` in a Number field reads back 42, a currency ``"1.50"`` 1.5); a value
    the field refuses is loaded as it is; the reference model agrees."""
    rows = [{"Last_Name": "A", "Num": "0042", "Money": "1.50", "Big": 42}, {"Num": "n/a"}]
    got = []
    for cls in (Engine, ReferenceEngine):
        org = cls()
        org.add_field("Leads", "Num", "integer")
        org.add_field("Leads", "Money", "currency")
        org.add_field("Leads", "Big", "bigint")
        org.load("Leads", rows)
        got.append([(r.get("Num"), r.get("Money"), r.get("Big")) for r in org.records("Leads")])
    assert got[0] == got[1] == [(42, 1.5, "42"), ("n/a", None, None)]
