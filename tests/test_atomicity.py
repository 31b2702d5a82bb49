"""Issue 8's library cases, one test each (spec section 8 "Atomicity", R16).

The general harness is tests/test_faults.py; these are the faults as they were reported.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from upsert_engine import Engine, Options
from upsert_engine.errors import InvalidLoadError
from upsert_engine.fields import normalize_text
from upsert_engine.options import NonUniqueCheckField


class Refused(Exception):
    """What the test normalisers raise."""


def raising_on(bad: str, error: type[BaseException] = Refused) -> Any:
    """A normaliser that raises ``error`` for the value ``bad`` and normalises the others."""

    def normalize(value: Any) -> str | None:
        if value == bad:
            raise error(f"normaliser refuses {value!r}")
        return normalize_text(value)

    return normalize


def state(engine: Engine) -> tuple[Any, ...]:
    """Records in order, indexes, counters."""
    store = engine._stores["Leads"]
    return (
        list(engine.records("Leads")),
        {name: dict(index) for name, index in store.indexes.items()},
        engine._id_seq,
        engine._write_seq,
    )


def test_load_with_a_raising_normaliser_stores_nothing() -> None:
    """Issue 8 item 1, spec section 8: a load whose normaliser raises on its second row
    stores nothing, and the next insert gets a fresh id instead of replacing a record."""
    engine = Engine()
    engine.add_field("Leads", "Mobile", "phone", unique=True, normalizer=raising_on("666"))
    before = state(engine)
    with pytest.raises(Refused):
        engine.load(
            "Leads", [{"Last_Name": "A", "Mobile": "111"}, {"Last_Name": "B", "Mobile": "666"}]
        )
    assert state(engine) == before
    engine._check()
    loaded = engine.load("Leads", [{"Last_Name": "A", "Mobile": "111"}])
    inserted = engine.upsert("Leads", {"data": [{"Last_Name": "C", "Mobile": "222"}]})
    assert inserted.body["data"][0]["details"]["id"] != loaded[0]
    assert [r["Last_Name"] for r in engine.records("Leads")] == ["A", "C"]


def test_keyboard_interrupt_half_way_through_a_big_load_loads_nothing() -> None:
    """Issue 8 item 1: Ctrl-C during a 60k-record load (at the 30 000th normaliser call)
    leaves no record, no index entry and no counter change."""
    calls = 0

    def interrupting(value: Any) -> str | None:
        nonlocal calls
        calls += 1
        if calls == 30_000:
            raise KeyboardInterrupt
        return normalize_text(value)

    engine = Engine()
    engine.add_field("Leads", "Code", "text", unique=True, normalizer=interrupting)
    engine.load("Leads", [{"Last_Name": "Kept", "Code": "kept"}])
    before = state(engine)
    rows = [{"Last_Name": f"L{n}", "Code": f"c{n}"} for n in range(60_000)]
    with pytest.raises(KeyboardInterrupt):
        engine.load("Leads", rows)
    assert state(engine) == before
    engine._check()
    assert engine.count("Leads") == 1


def test_interrupted_plan_under_match_leaves_no_record() -> None:
    """Issue 8 item 2, R7 (``match``), R16: a dry run interrupted by a raising normaliser
    leaves nothing stored."""
    engine = Engine(Options(non_unique_check_field=NonUniqueCheckField.MATCH))
    engine.add_field("Leads", "Code", "text", normalizer=raising_on("boom"))
    engine.load("Leads", [{"Last_Name": "A", "Code": "a"}])
    before = state(engine)
    body = {
        "data": [{"Last_Name": "New", "Code": "n"}, {"Last_Name": "X", "Code": "boom"}],
        "duplicate_check_fields": ["Code"],
    }
    with pytest.raises(Refused):
        engine.plan("Leads", body)
    assert state(engine) == before
    engine._check()


def test_interrupted_upsert_leaves_indexes_that_match_the_records() -> None:
    """Issue 8 item 2, R14: an upsert interrupted after some records were written rolls them
    back; the indexes still agree with the records, and the id counter did not move."""
    engine = Engine()
    engine.add_field("Leads", "Mobile", "phone", unique=True, normalizer=raising_on("666"))
    engine.load("Leads", [{"Last_Name": "A", "Mobile": "111", "Email": "a@x.io"}])
    before = state(engine)
    body = {
        "data": [
            {"Last_Name": "A2", "Email": "a@x.io", "Mobile": "222"},
            {"Last_Name": "B", "Mobile": "333"},
            {"Last_Name": "C", "Mobile": "666"},
        ]
    }
    with pytest.raises(Refused):
        engine.upsert("Leads", body)
    assert state(engine) == before
    engine._check()
    answer = engine.upsert("Leads", {"data": [{"Last_Name": "D", "Mobile": "111"}]})
    assert answer.body["data"][0]["action"] == "update"  # 111 is still indexed (R10)


def test_add_field_with_a_raising_normaliser_changes_nothing() -> None:
    """Issue 8 item 3, R14: ``add_field`` whose normaliser raises on a stored value keeps the
    old schema, indexes and compiled plans; a later duplicate is still refused."""
    engine = Engine()
    engine.add_field("Leads", "Code", "text", unique=True)
    engine.load("Leads", [{"Last_Name": "A", "Code": "k1"}, {"Last_Name": "B", "Code": "bad"}])
    engine.upsert("Leads", {"data": [{"Last_Name": "C", "Code": "k3"}]})  # compiles a plan
    store = engine._stores["Leads"]
    schema, indexes, plans = store.schema, store.indexes, store.fast_plans
    with pytest.raises(Refused):
        engine.add_field("Leads", "Code", "text", unique=True, normalizer=raising_on("bad"))
    assert (store.schema, store.indexes, store.fast_plans) == (schema, indexes, plans)
    assert store.schema is schema and store.fast_plans is plans
    engine._check()
    answer = engine.upsert(
        "Leads", {"data": [{"Last_Name": "D", "Code": "K1"}], "duplicate_check_fields": ["Email"]}
    )
    assert answer.body["data"][0]["action"] == "update"  # Code decides: K1 is held by A (R10)


def test_add_field_interrupted_by_ctrl_c_changes_nothing() -> None:
    """Issue 8 item 3: Ctrl-C while a new unique index is built leaves the schema without
    the field; R14 is then not half-enforced."""
    engine = Engine()
    engine.load("Leads", [{"Last_Name": "A", "Code": "k1"}, {"Last_Name": "B", "Code": "stop"}])
    before = state(engine)
    with pytest.raises(KeyboardInterrupt):
        engine.add_field(
            "Leads", "Code", "text", unique=True, normalizer=raising_on("stop", KeyboardInterrupt)
        )
    assert state(engine) == before
    assert engine.schema("Leads").unique_fields == ()
    engine._check()


def test_one_engine_shared_by_an_upsert_thread_and_a_plan_thread() -> None:
    """Issue 8 item 4, R14, spec section 8: upserts and plans from two threads apply one at a
    time: no exception, no unique value held twice, indexes sound."""
    engine = Engine()
    engine.add_field("Leads", "Code", "text", unique=True)
    errors: list[BaseException] = []

    def upserts() -> None:
        try:
            for n in range(400):
                body = {"data": [{"Last_Name": f"U{n}", "Code": f"c{n % 50}"}]}
                engine.upsert("Leads", body)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    def plans() -> None:
        try:
            for n in range(400):
                body = {"data": [{"Last_Name": f"P{n}", "Code": f"c{(n * 7) % 60}"}] * 3}
                engine.plan("Leads", body)
                list(engine.records("Leads"))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=upserts), threading.Thread(target=plans)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    engine._check()
    codes = [r["Code"] for r in engine.records("Leads")]
    assert len(codes) == len(set(codes)) == 50


@pytest.mark.parametrize("digits", [33, 4400])
def test_record_ids_are_bounded_where_they_enter(digits: int) -> None:
    """Issue 8 item 5: an id of more than 32 digits is refused by ``load`` (string or int),
    answered as an unknown id by update, delete and get, and never breaks a later R11
    decision."""
    engine = Engine()
    huge, huge_int = "9" * digits, 10 ** (digits - 1)
    with pytest.raises(InvalidLoadError, match="1 to 32 digits"):
        engine.load("Leads", [{"id": huge, "Last_Name": "A"}])
    with pytest.raises(InvalidLoadError, match="1 to 32 digits"):
        engine.load("Leads", [{"id": huge_int, "Last_Name": "A"}])
    engine.load(
        "Leads", [{"Last_Name": "A", "Email": "a@x.io"}, {"Last_Name": "B", "Email": "A@x.io"}]
    )
    updated = engine.update("Leads", {"data": [{"id": huge_int, "Last_Name": "X"}]})
    assert updated.body["data"][0]["code"] == "INVALID_DATA"
    deleted = engine.delete("Leads", [huge_int, huge])
    assert [e["code"] for e in deleted.body["data"]] == ["INVALID_DATA", "INVALID_DATA"]
    assert engine.get("Leads", huge_int) is None and engine.get("Leads", huge) is None
    answer = engine.upsert("Leads", {"data": [{"Last_Name": "C", "Email": "a@x.io"}]})
    assert answer.body["data"][0]["action"] == "update"  # R11 over two candidates, no error


def test_an_id_source_beyond_32_digits_is_a_configuration_error() -> None:
    """Issue 8 item 5: the injected id source is held to the same bound; nothing is written."""
    from upsert_engine.errors import ConfigurationError

    engine = Engine(ids=lambda n: "1" * 40)
    with pytest.raises(ConfigurationError, match="1 to 32 ASCII digits"):
        engine.upsert("Leads", {"data": [{"Last_Name": "A"}]})
    assert engine.count("Leads") == 0
    engine._check()


def test_delete_refuses_a_non_list_of_ids() -> None:
    """R19: ``delete`` takes a list of ids; anything else is a request error, nothing
    deleted."""
    engine = Engine()
    engine.load("Leads", [{"id": "12", "Last_Name": "A"}])
    answer = engine.delete("Leads", "12")  # type: ignore[arg-type]
    assert answer.status == 400 and answer.body["code"] == "INVALID_DATA"
    assert engine.count("Leads") == 1
