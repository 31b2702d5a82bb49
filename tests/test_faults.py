"""Fault injection, the way SQLite tests its fault handling (issue 8; spec section 8, R16).

For every public mutating call (load, upsert, plan, explain, insert, update, delete,
add_field, set_mandatory, add_module, add_user; upserts carrying external fields, ids, owners
and lookups, acting as other users, with X-EXTERNAL and If-Unmodified-Since) run on a
realistic org, and for every k = 1, 2, 3, ...:
make the k-th *normaliser call* raise, or (separately) the k-th *store write* (a write to an
index or to the records dict), or the commit (after the counters moved), once with an ordinary
exception and once with ``KeyboardInterrupt``. Then the engine must equal a snapshot taken
before the call (records in order, every index with its holders in order, schemas, id and
clock counters, the ids loaded as given), pass ``_check()``, and answer the call, repeated
without a fault, exactly as an untouched engine does. The loop ends at the first k at which
the call completes (it made fewer than k such calls), so every injection point is covered.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

import upsert_engine.store as store_module
from upsert_engine import Engine, Options, User
from upsert_engine.fields import normalize_integer, normalize_text
from upsert_engine.options import NonUniqueCheckField
from upsert_engine.schema import ModuleSchema


class InjectedFault(Exception):
    """The ordinary exception the harness injects."""


@dataclass
class Injector:
    """Counts calls per site and raises once, at the ``at``-th call of ``site``."""

    site: str | None = None
    at: int = 0
    raising: type[BaseException] = InjectedFault
    counts: dict[str, int] = field(default_factory=dict)
    fired: bool = False

    def tick(self, site: str) -> None:
        """One call at ``site``; raises if it is the armed one."""
        self.counts[site] = self.counts.get(site, 0) + 1
        if site == self.site and not self.fired and self.counts[site] == self.at:
            self.fired = True
            raise self.raising(f"injected at {site} call {self.at}")

    def arm(self, site: str, at: int, raising: type[BaseException]) -> None:
        """Raise at the ``at``-th call of ``site`` from now on."""
        self.site, self.at, self.raising, self.fired = site, at, raising, False
        self.counts = {}

    def disarm(self) -> None:
        """Count, never raise."""
        self.site = None


INJECTOR = Injector()


def counted(normalize: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    """``normalize`` with a fault injection point before each call."""

    def run(value: Any) -> str | None:
        INJECTOR.tick("normalize")
        return normalize(value)

    return run


class FaultyDict(dict):  # type: ignore[type-arg]
    """A dict whose writes are injection points (the store's indexes and records)."""

    def __setitem__(self, key: Any, value: Any) -> None:
        INJECTOR.tick("write")
        super().__setitem__(key, value)

    def __delitem__(self, key: Any) -> None:
        INJECTOR.tick("write")
        super().__delitem__(key)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        INJECTOR.tick("write")
        return super().setdefault(key, default)

    def pop(self, key: Any, *default: Any) -> Any:
        INJECTOR.tick("write")
        return super().pop(key, *default)


@pytest.fixture(autouse=True)
def faulty_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every index and records dict the store creates is a ``FaultyDict``, and the commit
    point is an injection point too (an interrupt after the counters moved, just before the
    commit)."""
    monkeypatch.setattr(store_module, "_new_index", FaultyDict)
    monkeypatch.setattr(store_module, "_new_records", FaultyDict)
    commit = store_module.ModuleStore.commit

    def faulty_commit(store: store_module.ModuleStore) -> None:
        INJECTOR.tick("commit")
        commit(store)

    monkeypatch.setattr(store_module.ModuleStore, "commit", faulty_commit)
    INJECTOR.disarm()


#: Existing data: repeats on the system field Email (R11) and on Code, loaded before it was
#: made unique (R14), integers spelled two ways (R8), a record without any key (R9).
ROWS: list[dict[str, Any]] = [
    {
        "Last_Name": "Ada",
        "Email": "ada@x.io",
        "Mobile": "111",
        "Code": "k1",
        "Badge": 1,
        "Items": [{"id": "8001", "Name": "a", "Qty": 1}, {"id": "8002", "Name": "b"}],
    },
    {"Last_Name": "Bo", "Email": "ADA@x.io", "Mobile": "222", "Code": "k2", "Badge": "0002"},
    {"Last_Name": "Cy", "Email": "cy@x.io", "Mobile": "333", "Code": "k2", "Badge": 3},
    {"Last_Name": "Di", "Email": "di@x.io", "Company": "Acme"},
    {"Last_Name": "Ed", "Email": " ed@x.io ", "Mobile": "555", "Code": "k5", "Badge": 5},
    {"Last_Name": "Fay"},
    {"id": "42", "Last_Name": "Gil", "Email": "gil@x.io", "Mobile": "777", "Code": "k7"},
]

#: A request mix: updates through each field, inserts, an R14 collision, an invalid value,
#: a missing mandatory field, two records of the batch reaching one another (R17).
BODY: dict[str, Any] = {
    "data": [
        {"Last_Name": "Ada2", "Email": "ADA@X.IO", "Mobile": "999"},
        {"Last_Name": "New", "Email": "new@x.io", "Mobile": "888", "Code": "n1", "Badge": 8},
        {"Last_Name": "Cy2", "Code": "K5"},
        {"Last_Name": "Clash", "Email": "cy@x.io", "Mobile": "777"},
        {"Last_Name": "Bad", "Email": "not an email"},
        {"Email": "nobody@x.io"},
        {"Last_Name": "New2", "Email": "NEW@x.io", "Code": "n2", "Badge": "0009"},
        {"Last_Name": "Gil2", "Email": "gil@x.io", "Mobile": None, "Code": "k9"},
        {"Last_Name": "Di2", "Email": "di@x.io", "Company": "Acme Corp", "Badge": 4},
    ],
    "duplicate_check_fields": ["Email", "Mobile", "Code"],
}


#: Records carrying what sync payloads carry (R26, R31, R35): appends, a layout, tags.
PAYLOAD_BODY: dict[str, Any] = {
    "data": [
        {
            "Email": "ada@x.io",
            "Langs": ["EN"],
            "$append_values": {"Langs": True},
            "Items": [{"id": "8001", "Qty": 5}, {"id": "8002", "_delete": None}, {"Name": "c"}],
        },
        {"Email": "ada@x.io", "Langs": ["FR", "EN"], "$append_values": {"Langs": True}},
        {"Last_Name": "Pat", "Email": "pat@x.io", "Layout": {"id": "900"}},
        {"Last_Name": "Pat", "Email": "pat@x.io", "Company": "P", "Layout": {"id": "900"}},
        {"Last_Name": "Ap", "Mobile": "4040", "$approved": False, "Tag": [{"name": "t"}]},
        {"Last_Name": "Rows", "Items": [{"Name": "r1"}, {"Name": "r2", "Qty": "3"}]},
        {"Last_Name": "Bad", "Items": [{"Qty": 1}]},
        {"Email": "cy@x.io", "Mobile": "4040", "Tag": None, "$append_values": {"Langs": False}},
    ],
    "duplicate_check_fields": ["Email", "Mobile"],
}
ALICE = User("Alice Archer", "5725767000000411002", "alice@example.com", "60012346")
BOB = User("Bob Baker", "5725767000000411003", "bob@example.com", "60012347")


def build(options: Options | None = None) -> Engine:
    """A Leads org whose check fields' normalisers are injection points, loaded with ROWS;
    with two more users, an org- and a user-based external field (R24), a lookup to Leads
    and one to Accounts, whose external field is an injection point too (R33)."""
    engine = Engine(options)
    engine.add_user(ALICE)
    engine.add_user(BOB)
    engine.add_field("Leads", "Email", "email", normalizer=counted(normalize_text))
    engine.add_field("Leads", "Mobile", "phone", unique=True, normalizer=counted(normalize_text))
    engine.add_field("Leads", "Code", "text", unique=True, normalizer=counted(normalize_text))
    engine.add_field(
        "Leads", "Badge", "integer", unique=True, normalizer=counted(normalize_integer)
    )
    engine.add_field("Leads", "Langs", "multiselectpicklist")
    engine.add_subform("Leads", "Items", [("Name", "text"), ("Qty", "integer")], mandatory=["Name"])
    engine.add_layout("Leads", "900", mandatory=["Company"], name="Partners")
    engine.add_field("Leads", "Ext", "text", external="org", normalizer=counted(normalize_text))
    engine.add_field("Leads", "Mine", "text", external="user", normalizer=counted(normalize_text))
    engine.add_field("Leads", "Referrer", "lookup", lookup_module="Leads")
    engine.add_field("Leads", "Account_Ref", "lookup", lookup_module="Accounts")
    engine.add_field(
        "Accounts", "Acct_Ext", "text", external="org", normalizer=counted(normalize_text)
    )
    engine.load("Accounts", [{"Account_Name": "Acme", "Acct_Ext": "a1"}])  # id ...600001
    engine.load("Leads", copy.deepcopy(ROWS))
    engine.upsert("Leads", {"data": [{"Last_Name": "Hal", "Email": "hal@x.io", "Code": "k8"}]})
    engine.upsert(
        "Leads", {"data": [{"Last_Name": "Ivy", "Ext": "x1", "Mine": "m1"}]}, as_user=ALICE.id
    )
    return engine


#: Spec v2 section 7 in one request: ids (R25), external fields of both kinds (R24), Owner
#: (R32), lookups by id and by external value (R33, R24), refusals of each kind among them.
SYNC_BODY: dict[str, Any] = {
    "data": [
        {"id": "42", "Last_Name": "Gil3", "Mobile": "1000", "Owner": {"id": BOB.id}},
        {"id": "5725767000000699999", "Last_Name": "NoSuch"},
        {"Last_Name": "Ivy2", "Ext": "X1", "Referrer": {"id": "42"}},
        {"Last_Name": "Mine", "Mine": "M1", "Account_Ref": {"Acct_Ext": "A1"}},
        {"Last_Name": "New", "Ext": "x9", "Mine": "m9", "Owner": {"id": ALICE.id}},
        {"Last_Name": "Clash", "Ext": "x1", "Email": "cy@x.io"},
        {"Last_Name": "Bad", "Account_Ref": {"Acct_Ext": "none"}},
        {"Last_Name": "Bad2", "Owner": {"id": "7"}},
        {"Last_Name": "Self", "Email": "self@x.io", "Referrer": {"id": "5725767000000600010"}},
    ],
    "duplicate_check_fields": ["Email", "Ext", "Mine"],
}
SYNC = {"as_user": ALICE.id, "external": "Leads.Account_Ref.Acct_Ext"}


def snapshot(engine: Engine) -> dict[str, Any]:
    """Everything a call may change, by value (holder lists as tuples, order kept)."""
    stores = engine._stores
    return {
        "modules": list(stores),
        "stores": {
            name: (
                _schema_summary(store.schema),
                [(rid, copy.deepcopy(record)) for rid, record in store.records.items()],
                {  # key order is no state (a hash map), each key's holder order is (R11)
                    field: {k: v if isinstance(v, str) else tuple(v) for k, v in index.items()}
                    for field, index in store.indexes.items()
                },
                store.in_transaction(),
            )
            for name, store in stores.items()
        },
        "counters": (engine._id_seq, engine._write_seq, engine._explicit_ids),
        "given_ids": frozenset(engine._given_ids),
        "users": tuple(engine._users.items()),
    }


def _schema_summary(schema: ModuleSchema) -> tuple[Any, ...]:
    """A schema by value (normalisers by name: each ``build`` makes new closures)."""
    fields = tuple(
        (name, f.data_type, f.unique, f.max_length, f.normalizer.__name__)
        for name, f in schema.fields.items()
    )
    fields_more = tuple((f.external, f.lookup_module) for f in schema.fields.values())
    return (
        schema.api_name,
        fields,
        fields_more,
        schema.duplicate_check_fields,
        schema.mandatory_fields,
        tuple(sorted(schema.settings)),
        tuple(layout.to_json()["mandatory_fields"] for layout in schema.layouts.values()),
    )


def _schemas(engine: Engine) -> dict[str, ModuleSchema]:
    return {name: store.schema for name, store in engine._stores.items()}


@dataclass(frozen=True)
class Call:
    """A public call to inject faults into: ``run(engine)`` returns a comparable result."""

    name: str
    run: Callable[[Engine], Any]
    options: Options | None = None


def _response(result: Any) -> Any:
    return (result.status, result.body)


MATCH = Options(non_unique_check_field=NonUniqueCheckField.MATCH)

CALLS = [
    Call("load", lambda e: e.load("Leads", [*copy.deepcopy(ROWS[:5]), {"Last_Name": "Zed"}])),
    Call(
        "load-given-ids",
        lambda e: e.load("Leads", [{"id": "7001", "Last_Name": "Id", "Mobile": "111"}]),
    ),
    Call("upsert", lambda e: _response(e.upsert("Leads", copy.deepcopy(BODY)))),
    Call("plan", lambda e: _response(e.plan("Leads", copy.deepcopy(BODY)))),
    Call("explain", lambda e: e.explain("Leads", copy.deepcopy(BODY)).to_dict()),
    Call(
        "upsert-match",
        lambda e: _response(
            e.upsert("Leads", {**copy.deepcopy(BODY), "duplicate_check_fields": ["Company"]})
        ),
        MATCH,
    ),
    Call(
        "plan-match",
        lambda e: _response(
            e.plan("Leads", {**copy.deepcopy(BODY), "duplicate_check_fields": ["Company"]})
        ),
        MATCH,
    ),
    Call("insert", lambda e: _response(e.insert("Leads", {"data": copy.deepcopy(BODY["data"])}))),
    Call(
        "update",
        lambda e: _response(
            e.update(
                "Leads",
                {
                    "data": [
                        {"id": "42", "Mobile": "222", "Code": "k1"},
                        {"id": "42", "Mobile": "1234", "Code": "zz", "Badge": 77},
                        {"id": "5725767000000600000", "Code": "k7"},
                    ]
                },
            )
        ),
    ),
    Call("delete", lambda e: _response(e.delete("Leads", ["42", "5725767000000600001", "9"]))),
    Call(
        "add_field-unique",
        lambda e: (
            e.add_field(
                "Leads", "Company", "text", unique=True, normalizer=counted(normalize_text)
            ).api_name
        ),
    ),
    Call(
        "add_field-redefine",
        lambda e: e.add_field("Leads", "Code", "text", normalizer=counted(normalize_text)).unique,
    ),
    Call("set_mandatory", lambda e: e.set_mandatory("Leads", ["Last_Name", "Company"]).api_name),
    Call("add_module", lambda e: e.add_module("Projects").api_name),
    Call(
        "upsert-payload",  # R26, R31, R35: reserved keys through decide(), not the fast path
        lambda e: _response(e.upsert("Leads", copy.deepcopy(PAYLOAD_BODY))),
    ),
    Call("add_layout", lambda e: e.add_layout("Leads", "901", mandatory=["Mobile"]).api_name),
    Call("add_layout-redefine", lambda e: len(e.add_layout("Leads", "900").layouts)),
    Call("set_setting", lambda e: sorted(e.set_setting("Deals", "pipelines").settings)),
    Call("add_subform", lambda e: e.add_subform("Leads", "Items", [("Name", "text")]).api_name),
    Call(
        "update-rows",
        lambda e: _response(
            e.update(
                "Leads",
                {"data": [{"id": "42", "Code": "kz", "Items": [{"Name": "x"}, {"Name": "y"}]}]},
            )
        ),
    ),
    Call("add_user", lambda e: e.add_user(User("Cy", "5725767000000411004")).name),
    Call(
        "add_field-external",
        lambda e: (
            e.add_field(
                "Leads", "Company", "text", external="user", normalizer=counted(normalize_text)
            ).external
        ),
    ),
    Call("upsert-sync", lambda e: _response(e.upsert("Leads", copy.deepcopy(SYNC_BODY), **SYNC))),
    Call("plan-sync", lambda e: _response(e.plan("Leads", copy.deepcopy(SYNC_BODY), **SYNC))),
    Call("explain-sync", lambda e: e.explain("Leads", copy.deepcopy(SYNC_BODY), **SYNC).to_dict()),
    Call(
        "upsert-sync-as-bob-since",
        lambda e: _response(
            e.upsert(
                "Leads",
                copy.deepcopy(SYNC_BODY),
                as_user=BOB.id,
                if_unmodified_since="2026-01-15T10:00:02+05:30",
            )
        ),
    ),
    Call(
        "update-external",
        lambda e: _response(
            e.update(
                "Leads",
                {
                    "data": [
                        {"Mine": "m1", "Code": "k1"},
                        {"Mine": "m1", "Code": "zz"},
                        {"Mine": "q"},
                    ]
                },
                external="Leads.Mine",
                as_user=ALICE.id,
            )
        ),
    ),
    Call(
        "delete-external",
        lambda e: _response(e.delete("Leads", ["x1", "nope"], external="Leads.Ext")),
    ),
]


def _outcome(call: Call, engine: Engine) -> tuple[str, Any]:
    try:
        return "ok", call.run(engine)
    except InjectedFault:
        raise
    except Exception as error:  # a call may refuse: that answer must repeat too
        return "raised", repr(error)


@pytest.mark.parametrize("raising", [InjectedFault, KeyboardInterrupt], ids=["error", "ctrl-c"])
@pytest.mark.parametrize("site", ["normalize", "write", "commit"])
@pytest.mark.parametrize("call", CALLS, ids=[c.name for c in CALLS])
def test_every_injection_point_leaves_the_engine_as_it_was(
    call: Call, site: str, raising: type[BaseException]
) -> None:
    """Spec section 8 (atomicity), R16: a fault at the k-th normaliser call or store write of
    any public call, for every k, leaves records, indexes, schemas and counters exactly as
    before, ``_check()`` holds, and the same call then answers as on an untouched engine."""
    INJECTOR.disarm()
    expected = _outcome(call, build(call.options))
    expected_state = snapshot(_after(call))
    points = 0
    at = 1
    while True:
        engine = build(call.options)
        before = snapshot(engine)
        schemas = _schemas(engine)
        INJECTOR.arm(site, at, raising)
        try:
            result = _outcome(call, engine)
        except raising:
            result = None
        finally:
            fired = INJECTOR.fired
            INJECTOR.disarm()
        if not fired:  # fewer than ``at`` calls at this site: every point was covered
            assert result == expected
            break
        assert result is None, f"{call.name}: the injected fault at {site} #{at} was swallowed"
        assert snapshot(engine) == before, f"{call.name}: state changed by a fault at {site} #{at}"
        now = _schemas(engine)
        assert all(now[name] is schema for name, schema in schemas.items()), "schema replaced"
        assert now.keys() == schemas.keys()
        engine._check()
        assert _outcome(call, engine) == expected, f"{call.name} after a fault at {site} #{at}"
        assert snapshot(engine) == expected_state
        engine._check()
        points += 1
        at += 1
    INJECTION_POINTS[(call.name, site, raising.__name__)] = points
    if site == "normalize" and call.name not in {
        "add_module",
        "set_mandatory",
        "add_user",
        "add_layout",
        "add_layout-redefine",
        "set_setting",
        "add_subform",
    }:
        assert points > 0, f"{call.name} calls no normaliser: the harness tests nothing"


def _after(call: Call) -> Engine:
    engine = build(call.options)
    _outcome(call, engine)
    return engine


#: (call, site, exception) -> number of injection points exercised (reported by the last test).
INJECTION_POINTS: dict[tuple[str, str, str], int] = {}


def test_injection_points_counted() -> None:
    """The harness covered injection points at both sites for every call that writes; the
    count is printed for the closing note (run with ``-s``)."""
    if not INJECTION_POINTS:
        pytest.skip("run with the harness above")
    total = sum(INJECTION_POINTS.values())
    writes = sum(n for (name, site, _), n in INJECTION_POINTS.items() if site == "write")
    print(f"\nfault injection: {total} points over {len(INJECTION_POINTS)} runs ({writes} writes)")
    assert writes > 0
