"""The new rules' workload (issue 13): what sync payloads carry since issues 9 and 10.

The org of workloads.py (Leads: Email; Phone and Mobile unique) plus an org-based external
field ``Ext_Id`` (R24), typed fields (R15, R28: Number, Currency, Boolean, Date, a
multi-select) and a lookup to Accounts (R33). A ``sync`` stream's records:

- 40% new: a new ``Ext_Id``, typed values as stored, an account by id, half with an Owner;
- 30% found by ``Ext_Id`` (case differs, R8), a new account;
- 20% found by Email, typed values spelled as strings R28 converts ("0042", "12.50");
- 10% found by ``Ext_Id`` naming an account that does not exist: INVALID_DATA (R33).

Only the engine and the reference model implement these rules, so the stream is timed on the
engine alone, against the mix on the same org and store in the same rounds (which shows what
the new rules cost: records carrying them are decided by ``decide``, not compiled), and its
outcomes are checked against the reference model on a small store first.
"""

from __future__ import annotations

import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .workloads import (
    MODULE,
    REQUEST_SIZE,
    UNIQUE_FIELDS,
    Body,
    Outcome,
    Record,
    make_leads,
    make_stream,
    outcomes_of_response,
)
from .workloads import TARGETS_PER_RECORD as MIX_TARGETS

#: R32: the users a sync acts as and assigns.
OWNER_IDS = ("5725767000000411002", "5725767000000411003")
#: Existing records a ``sync`` record may consume (60% of them are found, drawn at random).
TARGETS_PER_RECORD = 1.0


def sync_org(factory: Callable[[], Any]) -> Any:
    """The benchmark org with the new rules' fields, for the engine or the reference."""
    from upsert_engine import User

    engine = factory()
    for name in UNIQUE_FIELDS:
        engine.add_field(MODULE, name, "phone", unique=True)
    engine.add_field(MODULE, "Ext_Id", "text", external="org")
    engine.add_field(MODULE, "Sync_Date", "date")
    engine.add_field(MODULE, "Langs", "multiselectpicklist")
    engine.add_field(MODULE, "Account_Ref", "lookup", lookup_module="Accounts")
    engine.add_user(User("Alice Archer", OWNER_IDS[0], "alice@example.com"))
    engine.add_user(User("Bob Baker", OWNER_IDS[1], "bob@example.com"))
    return engine


def load_sync(engine: Any, leads: list[Record]) -> list[str]:
    """Accounts (one per ten leads) then the leads, each with an ``Ext_Id``; the account ids."""
    accounts = engine.load(
        "Accounts", [{"Account_Name": f"Account {i}"} for i in range(max(1, len(leads) // 10))]
    )
    engine.load(MODULE, [{**lead, "Ext_Id": f"EXT-{i}"} for i, lead in enumerate(leads)])
    return list(accounts)


def make_sync_stream(
    leads: list[Record], accounts: list[str], requests: int, round_: int, span: range, seed: int
) -> list[Body]:
    """``requests`` bodies of 100 ``sync`` records (see the module docstring), seeded."""
    rng = random.Random(seed * 7_000_003 + round_)
    targets = iter(span)
    records: list[Record] = []
    for n in range(requests * REQUEST_SIZE):
        kind = rng.randrange(10)
        account = {"id": rng.choice(accounts)}
        if kind < 4:
            record: Record = {
                "Last_Name": rng.choice(("Frey", "Moss", "Lee")),
                "Email": f"sync.r{round_}n{n}@example.com",
                "Ext_Id": f"NEW-{round_}-{n}",
                "No_of_Employees": rng.randrange(1, 5000),
                "Annual_Revenue": rng.randrange(1000, 10**7) / 100,
                "Email_Opt_Out": rng.random() < 0.2,
                "Sync_Date": f"2026-0{rng.randrange(1, 10)}-1{rng.randrange(10)}",
                "Langs": rng.sample(["EN", "FR", "DE", "ES"], 2),
                "Account_Ref": account,
            }
            if kind < 2:
                record["Owner"] = {"id": OWNER_IDS[kind]}
        else:
            i = next(targets)
            if kind < 7:
                record = {"Ext_Id": f"ext-{i}", "Account_Ref": account, "Lead_Status": "Contacted"}
            elif kind < 9:
                record = {
                    "Email": leads[i]["Email"].upper(),
                    "No_of_Employees": f"00{rng.randrange(1, 99)}",
                    "Annual_Revenue": f"{rng.randrange(1, 999)}.50",
                    "Email_Opt_Out": False,
                }
            else:
                record = {"Ext_Id": f"EXT-{i}", "Account_Ref": {"id": "99"}}
        records.append(record)
    return [{"data": records[i : i + REQUEST_SIZE]} for i in range(0, len(records), REQUEST_SIZE)]


def outcomes(engine: Any, bodies: list[Body]) -> list[Outcome]:
    """Upsert ``bodies`` in order; the per-record outcomes."""
    return [o for body in bodies for o in outcomes_of_response(engine.upsert(MODULE, body).body)]


def check_sync(engine_factory: Callable[[], Any], reference: Callable[[], Any], n: int) -> str:
    """Engine and reference model give the same outcomes on a ``sync`` stream of a small
    store (and on a mix stream of the same org); raises AssertionError otherwise."""
    leads = make_leads(n, seed=5)
    engine, model = sync_org(engine_factory), sync_org(reference)
    accounts = load_sync(engine, leads)
    assert load_sync(model, leads) == accounts
    stream = make_sync_stream(leads, accounts, 2, 0, range(n // 2), seed=5)
    mix = make_stream("mix", leads, 1, 0, range(n // 2, n), seed=5)
    got, want = outcomes(engine, stream + mix), outcomes(model, stream + mix)
    assert got == want, "sync workload: the engine and the reference model disagree"
    return f"N={n}: sync, mix (engine = reference model, {len(got)} records)"


@dataclass
class SyncMeasured:
    """Seconds per round of the ``sync`` and ``mix`` streams on one engine, and outcomes."""

    n: int
    requests: int
    seconds: dict[str, list[float]] = field(default_factory=lambda: {"sync": [], "mix": []})
    histogram: Counter[Outcome] = field(default_factory=Counter)

    def us_per_record(self, workload: str) -> float:
        """Median CPU microseconds per record."""
        return statistics.median(self.seconds[workload]) / (self.requests * REQUEST_SIZE) * 1e6


def measure_sync(
    engine_factory: Callable[[], Any], n: int, requests: int, rounds: int, seed: int
) -> SyncMeasured:
    """Time ``sync`` and ``mix`` streams alternately on one engine of ``n`` leads."""
    leads = make_leads(n, seed)
    engine = sync_org(engine_factory)
    accounts = load_sync(engine, leads)
    measured = SyncMeasured(n, requests)
    need = int(TARGETS_PER_RECORD * requests * REQUEST_SIZE)
    mix_need = int(MIX_TARGETS["mix"] * requests * REQUEST_SIZE) + 1
    start = 0
    for round_ in range(rounds + 1):
        streams = {
            "sync": make_sync_stream(
                leads, accounts, requests, round_, range(start, start + need), seed
            ),
            "mix": make_stream(
                "mix", leads, requests, round_, range(start + need, start + need + mix_need), seed
            ),
        }
        start += need + mix_need
        for workload in sorted(streams, reverse=bool(round_ % 2)):
            elapsed = 0.0
            for body in streams[workload]:
                begin = time.process_time()
                response = engine.upsert(MODULE, body)
                elapsed += time.process_time() - begin
                if workload == "sync" and round_ == 0:
                    measured.histogram.update(outcomes_of_response(response.body))
            if round_:
                measured.seconds[workload].append(elapsed)
    return measured
