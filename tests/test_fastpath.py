"""The compiled fast path against ``decide`` (issue 13): strictly the same engine.

Two engines built alike take the same calls; one answers every upsert record through the
function compiled for its shape (``_fastcode.py``), the other sends every record to
``decision.decide`` (the one statement of the rules). After every call they must hold exactly
the same: response status and full body, records in order (each with its fields in order),
every index (keys in order, holders in order) and the id and clock counters. The inputs are
every workload of the benchmark (under several options) and the Hypothesis strategies of the
differential tests.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import upsert_engine._fastpath as fastpath
from benchmarks.workloads import (
    MODULE,
    TARGETS_PER_RECORD,
    UNIQUE_FIELDS,
    WORKLOADS,
    make_leads,
    make_stream,
)
from upsert_engine import Engine, Options
from upsert_engine._org import FIRST_ID
from upsert_engine.formats import _PHONE_GROUP, _PHONE_PLAIN, FAST_ACCEPT, is_email, is_phone
from upsert_engine.options import IntraBatch, UnknownFields
from upsert_engine.reference_types import email_ok, phone_ok

from .strategies import INVALID, TYPED, VALUES, Org, bodies, check_fields, keywords, orgs, stores


@contextmanager
def general_path() -> Iterator[None]:
    """Within it, no shape is compiled: every upsert record goes to ``decide``."""
    lookup = fastpath.FastPlan.lookup
    fastpath.FastPlan.lookup = lambda self, shape: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        fastpath.FastPlan.lookup = lookup  # type: ignore[method-assign]


def state(engine: Engine) -> dict[str, Any]:
    """Everything a call may change, in order: records with their fields, every index with its
    holders, the counters and the ids loaded as given."""
    return {
        "stores": {
            name: (
                [(rid, list(record.items())) for rid, record in store.records.items()],
                {field: list(index.items()) for field, index in store.indexes.items()},
            )
            for name, store in engine._stores.items()
        },
        "counters": (engine._id_seq, engine._write_seq, engine._explicit_ids),
        "given": sorted(engine._given_ids),
    }


def unordered(state: dict[str, Any]) -> dict[str, Any]:
    """``state`` with each index as a dict: a rollback may put a key back at another place
    in the hash map (no state, as tests/test_faults.py says); each key's holders keep order."""
    return {
        **state,
        "stores": {
            name: (records, {field: dict(items) for field, items in indexes.items()})
            for name, (records, indexes) in state["stores"].items()
        },
    }


def same(fast: Engine, general: Engine, call: Callable[[Engine], Any]) -> Any:
    """Make ``call`` on both engines (``general`` without the fast path); the answers and
    the engines' states must be equal. Returns the fast engine's answer."""
    got = call(fast)
    with general_path():
        want = call(general)
    assert (got.status, got.body) == (want.status, want.body)
    assert state(fast) == state(general)
    return got


def bench_org(options: Options) -> Engine:
    """The benchmark's org: Leads with Phone and Mobile unique (R1)."""
    engine = Engine(options)
    for name in UNIQUE_FIELDS:
        engine.add_field(MODULE, name, "phone", unique=True)
    return engine


OPTIONS = {
    "defaults": Options(),
    "intra_batch=reject": Options(intra_batch=IntraBatch.REJECT),
    "unknown_fields=reject, v2": Options(unknown_fields=UnknownFields.REJECT, api_version="v2"),
    "check_formats=False": Options(check_formats=False),
}


@pytest.mark.parametrize("name", list(OPTIONS))
def test_benchmark_workloads_fast_equals_decide(name: str, monkeypatch: Any) -> None:
    """Issue 13: on every benchmark workload, plan() and then upsert() of each request answer
    and store exactly what ``decide`` does; and the fast path answered nearly every record
    (so the comparison is of the compiled code, not of decide with itself)."""
    options = OPTIONS[name]
    fast, general = bench_org(options), bench_org(options)
    leads = make_leads(2500, seed=3)
    assert fast.load(MODULE, copy.deepcopy(leads)) == general.load(MODULE, copy.deepcopy(leads))
    decided = 0
    decide = fastpath.decide

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal decided
        decided += 1
        return decide(*args, **kwargs)

    monkeypatch.setattr(fastpath, "decide", counted)
    sent = 0
    start = 0
    for round_ in range(2):
        for workload in WORKLOADS:
            need = int(TARGETS_PER_RECORD[workload] * 200)
            span = range(start, start + need)
            start += need
            for body in make_stream(workload, leads, 2, round_, span, seed=3):
                before = state(fast)
                same(fast, general, lambda e, b=body: e.plan(MODULE, b))
                assert unordered(state(fast)) == unordered(before)  # R16: a dry run writes nothing
                decided_before = decided
                same(fast, general, lambda e, b=body: e.upsert(MODULE, b))
                sent += len(body["data"])
                assert decided >= decided_before
    fast._check()
    general._check()
    assert sent == 2 * len(WORKLOADS) * 200
    # decide() ran for every record of the general engine (plan and upsert) and for the few
    # the compiled code deferred: R17 refusals under intra_batch=reject (half the repeats
    # workload), R14 collisions with several holders; under a tenth of plans and upserts
    assert decided - 2 * sent < 2 * sent / 10


def test_generated_ids_skip_ids_loaded_as_given() -> None:
    """Issue 13: the fast path inlines the default id source and skips the ids loaded as given
    (a load's own ids), as ``Org._next_id`` does; the same records, ids and counters as
    ``decide``'s path."""
    leads = make_leads(600, seed=4)
    given = {str(FIRST_ID + 3 * k + 1) for k in range(300)}  # ids the default source reaches
    for lead, record_id in zip(leads, sorted(given), strict=False):
        lead["id"] = record_id
    fast, general = bench_org(Options()), bench_org(Options())
    assert fast.load(MODULE, copy.deepcopy(leads)) == general.load(MODULE, copy.deepcopy(leads))
    streams = make_stream("all_new", leads, 3, 0, range(0), seed=4)
    streams += make_stream("mix", leads, 2, 1, range(300, 600), seed=4)
    inserted: list[str] = []
    for body in streams:
        response = same(fast, general, lambda e, b=body: e.upsert(MODULE, b))
        data = response.body["data"]
        inserted += [e["details"]["id"] for e in data if e.get("action") == "insert"]
    assert len(inserted) == len(set(inserted)) > 300 and not given & set(inserted)
    assert max(inserted) > max(given)  # the source went past every given id, skipping them
    fast._check()


@given(orgs, stores, st.lists(st.tuples(bodies(), keywords), min_size=1, max_size=4))
@settings(max_examples=300, deadline=None)
def test_strategies_fast_equals_decide(
    org: Org, store: list[dict[str, Any]], batches: list[tuple[Any, dict[str, Any]]]
) -> None:
    """Issue 13: for the differential tests' orgs, stores and requests (every option, external
    fields, ids, users, lookups, typed fields, subforms, R34 and X-EXTERNAL headers), the fast
    path and ``decide`` give identical responses, records, indexes and counters, for plan()
    and upsert() alike."""
    fast, general = org.build()[0], org.build()[0]
    assert fast.load("Leads", copy.deepcopy(store)) == general.load("Leads", copy.deepcopy(store))
    for body, extra in batches:
        same(fast, general, lambda e, b=body, x=extra: e.plan("Leads", b, **x))
        same(fast, general, lambda e, b=body, x=extra: e.upsert("Leads", b, **x))
    fast._check()


#: Fields a compiled shape may carry (no ids, user-based external fields, Owner, lookups,
#: reserved keys or subforms: R24-R26, R31-R33, R35, R36 go to decide() whole).
PLAIN = tuple(n for n in VALUES if n not in ("Owner", "Referrer", "Account_Ref", "Ext_User"))
TYPED_PLAIN = tuple(n for n in TYPED if n not in ("Rows_X", "Acct_X"))


@st.composite
def plain_records(draw: st.DrawFn) -> dict[str, Any]:
    """A record the fast path compiles: plain and typed fields from the differential tests'
    tiny pools (so that matches, R14 collisions and R17 repeats are common); now and then a
    null, an invalid value (R15), a value R28 converts, a read-only or unknown key."""
    record: dict[str, Any] = {}
    if draw(st.integers(0, 9)) > 0:
        record["Last_Name"] = draw(st.sampled_from(VALUES["Last_Name"]))
    for name in draw(st.lists(st.sampled_from(PLAIN), unique=True, min_size=1, max_size=4)):
        record[name] = draw(st.sampled_from([*VALUES[name], None]))
    if draw(st.integers(0, 9)) == 0:
        name = draw(st.sampled_from(["Email", "Badge", "Mobile", "Last_Name"]))
        record[name] = draw(st.sampled_from(INVALID[name]))
    if draw(st.integers(0, 3)) == 0:
        name = draw(st.sampled_from(TYPED_PLAIN))
        record[name] = draw(st.sampled_from(TYPED[name]))
    if draw(st.integers(0, 9)) == 0:
        record[draw(st.sampled_from(["Unknown_Field", "Created_Time"]))] = "?"
    return record


@given(
    orgs,
    stores,
    st.lists(
        st.tuples(
            st.builds(
                lambda data, fields: (
                    {"data": data} | ({} if fields is None else {"duplicate_check_fields": fields})
                ),
                st.lists(plain_records(), min_size=1, max_size=8),
                check_fields,
            ),
            keywords.filter(lambda k: "if_unmodified_since" not in k),
        ),
        min_size=1,
        max_size=4,
    ),
)
@settings(max_examples=300, deadline=None)
def test_plain_records_fast_equals_decide(
    org: Org, store: list[dict[str, Any]], batches: list[tuple[Any, dict[str, Any]]]
) -> None:
    """Issue 13: records of the shapes the fast path compiles, under every option: identical
    responses, records, indexes and counters, for plan() and upsert() alike."""
    test_strategies_fast_equals_decide.hypothesis.inner_test(org, store, batches)  # type: ignore[attr-defined]


@given(
    st.one_of(
        st.text("1a ().-+,;#", min_size=1, max_size=24),
        st.text("aZ9\u00e9@.-_+!", min_size=1, max_size=24),
    )
)
@settings(max_examples=3000, deadline=None)
def test_fast_accepting_patterns_accept_only_valid_values(text: str) -> None:
    """R15: what the fast path's one-call patterns (formats.FAST_ACCEPT) and is_phone's
    first two patterns accept, the full checks and the reference model's readings accept,
    over strings longer than the exhaustive tests of tests/test_formats.py."""
    for check, accepts in FAST_ACCEPT.items():
        if accepts(text):
            assert check(text), (check.__name__, text)
    if _PHONE_PLAIN.match(text) or _PHONE_GROUP.match(text):
        assert phone_ok(text)
    assert is_phone(text) == phone_ok(text)
    assert is_email(text) == email_ok(text)


def test_generated_lines_cite_their_rules() -> None:
    """Issue 13: the compiled code is built from per-rule templates whose lines say which
    rule they implement; the source of a benchmark shape shows R8-R18 and the undo log."""
    engine = bench_org(Options())
    engine.load(MODULE, make_leads(10, seed=1))
    record = make_stream("all_new", make_leads(10, seed=1), 1, 0, range(0))[0]["data"][0]
    engine.upsert(MODULE, {"data": [record]})
    store = engine._stores[MODULE]
    (plan,) = store.fast_plans.values()
    source = plan.source(tuple(record))
    assert source is not None
    for rule in ("R8", "R9", "R10", "R11", "R12", "R13", "R15", "R18", "undo logged first"):
        assert f"# {rule}" in source or f", {rule}" in source or rule in source, rule
    assert source.index('log(("put"') < source.index("R[rid] = values")
    assert source.index('log(("update"') < source.index("stored.update(")
