"""The fast engine against the reference model, plan against apply, R16 (properties)."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from upsert_engine import Engine, check_order

from .strategies import Org, bodies, keywords, orgs, row_records, stores


def _state(engine: Any) -> list[dict[str, Any]]:
    return list(engine.records("Leads"))


@given(orgs, stores, st.lists(st.tuples(bodies(), keywords), min_size=1, max_size=4))
@settings(max_examples=300, deadline=None)
def test_engine_equals_reference(
    org: Org, store: list[dict[str, Any]], batches: list[tuple[Any, dict[str, Any]]]
) -> None:
    """R1-R25, R32-R34: the engine answers and stores exactly what the reference model does,
    with external fields, ids in records, several users, lookups and If-Unmodified-Since."""
    engine, reference = org.build()
    assert engine.load("Leads", store) == reference.load("Leads", store)
    for body, extra in batches:
        got = engine.upsert("Leads", body, **extra)
        want = reference.upsert("Leads", body, **extra)
        assert (got.status, got.body) == (want.status, want.body)
        assert _state(engine) == _state(reference)
        engine._check()


@given(orgs, stores, bodies(), bodies(), keywords)
@settings(max_examples=200, deadline=None)
def test_plan_equals_apply(
    org: Org, store: list[dict[str, Any]], first: Any, second: Any, extra: dict[str, Any]
) -> None:
    """Dry run: plan() answers what upsert() then answers, and writes nothing."""
    engine, _ = org.build()
    engine.load("Leads", store)
    engine.upsert("Leads", first)
    before = _state(engine)
    planned = engine.plan("Leads", second, **extra)
    explained = engine.explain("Leads", second, **extra)
    assert _state(engine) == before
    engine._check()
    applied = engine.upsert("Leads", second, **extra)
    assert planned == applied == explained.response
    assert len(explained.records) == (len(second["data"]) if explained.request_error is None else 0)
    engine._check()


@given(orgs, stores, bodies(), keywords)
@settings(max_examples=200, deadline=None)
def test_rejections_change_nothing(
    org: Org, store: list[dict[str, Any]], body: Any, extra: dict[str, Any]
) -> None:
    """R16: rejected records and requests change nothing; the body is never mutated."""
    engine, _ = org.build()
    engine.load("Leads", store)
    before = _state(engine)
    sent = copy.deepcopy(body)
    response = engine.upsert("Leads", body, **extra)
    assert body == sent
    json.dumps(response.body)
    entries = response.body.get("data", [])
    written = {e["details"]["id"] for e in entries if e["status"] == "success"}
    after = {r["id"]: r for r in _state(engine)}
    for record in before:  # R16: records no accepted entry names are untouched
        if record["id"] not in written:
            assert after[record["id"]] == record
    new_ids = set(after) - {r["id"] for r in before}
    assert new_ids <= written
    if response.status in (400, 412):
        assert _state(engine) == before


@given(org=orgs, store=stores, body=bodies())
@settings(max_examples=100, deadline=None)
def test_same_calls_same_responses(org: Org, store: list[dict[str, Any]], body: Any) -> None:
    """Determinism: two engines fed the same calls give the same responses and stores."""
    first, _ = org.build()
    second, _ = org.build()
    first.load("Leads", store)
    second.load("Leads", store)
    assert first.upsert("Leads", body) == second.upsert("Leads", body)
    assert _state(first) == _state(second)


names = st.text(alphabet="abcdeEU", min_size=1, max_size=3)


@given(
    st.lists(names, max_size=3, unique=True),
    st.lists(names, max_size=4, unique=True),
    st.one_of(st.none(), st.lists(names, max_size=5)),
)
def test_check_order_obeys_r5(system: list[str], unique: list[str], requested: Any) -> None:
    """R5: absent or empty D gives S then U; else D without repeats, then U minus D."""
    order = check_order(system, unique, requested)
    assert len(order) == len(set(order))
    if not requested:
        assert order == tuple(dict.fromkeys(system + unique))
    else:
        named = list(dict.fromkeys(requested))
        assert list(order[: len(named)]) == named
        assert list(order[len(named) :]) == [u for u in unique if u not in named]
        assert not (set(system) - set(requested)) & set(order) - set(unique)


def test_default_engine_has_the_standard_modules() -> None:
    """R2: the default org holds the standard modules with their system fields."""
    engine = Engine()
    assert engine.schema("Leads").system_fields == ("Email",)
    assert engine.schema("PriceBooks").api_name == "Price_Books"


@given(
    orgs,
    st.lists(row_records(loaded=True), min_size=2, max_size=4),
    st.lists(st.lists(row_records(), min_size=1, max_size=4), min_size=1, max_size=4),
)
@settings(max_examples=200, deadline=None)
def test_subform_rows_and_appends_equal_reference(
    org: Org, store: list[dict[str, Any]], batches: list[list[dict[str, Any]]]
) -> None:
    """R26, R36: rows updated by id, removed, appended, cleared, and multi-select values
    appended, over several requests: the engine answers and stores what the reference does,
    plan() predicts it (row ids included), and the insert API agrees too (R30)."""
    engine, reference = org.build()
    assert engine.load("Leads", store) == reference.load("Leads", store)
    for position, data in enumerate(batches):
        body = {"data": data, "duplicate_check_fields": ["Email"]}
        planned = engine.plan("Leads", body)
        if position % 3 == 2:
            got, want = engine.insert("Leads", body), reference.insert("Leads", body)
        else:
            got, want = engine.upsert("Leads", body), reference.upsert("Leads", body)
            assert planned == got
        assert (got.status, got.body) == (want.status, want.body)
        assert _state(engine) == _state(reference)
        engine._check()
