"""Seeded workloads shared by every implementation: a store of Leads and request streams.

The org: Leads with Email as its system duplicate check field (R2) and Phone and Mobile made
user-defined unique (R1), so the check order without ``duplicate_check_fields`` is Email, Phone,
Mobile (R5). Loaded values use mixed case and several phone formats; requests repeat them with
other case and surrounding white space, so every hit goes through normalisation (R8).

The existing records are cut into disjoint slices, one per workload, so that the streams of one
round can run one after another on one store without seeing each other's writes; every round
uses fresh new keys. Everything is a pure function of its arguments (``random.Random(seed)``).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Record = dict[str, Any]
Body = dict[str, Any]
#: The per-record outcome every implementation must agree on: (action, duplicate_field, code).
Outcome = tuple[str | None, str | None, str]

MODULE = "Leads"
SYSTEM_FIELD = "Email"
UNIQUE_FIELDS = ("Phone", "Mobile")
CHECK_ORDER = ("Email", "Phone", "Mobile")  # R5 with duplicate_check_fields absent
#: Every field a workload record may carry (loaded or sent).
FIELDS = (
    "Last_Name",
    "First_Name",
    "Email",
    "Phone",
    "Mobile",
    "Company",
    "Lead_Status",
    "Lead_Source",
)
REQUEST_SIZE = 100  # R19

WORKLOADS = ("all_new", "hit_first", "hit_later", "collisions", "mix", "repeats")
DESCRIPTIONS = {
    "all_new": "every record new: inserts",
    "hit_first": "every record found by Email (the first check field)",
    "hit_later": "Email and Phone miss, Mobile (the last field) finds the record",
    "collisions": "found by Email, Phone (and 1 in 5 also Mobile) held by another record",
    "mix": "50% new, 30% via Email, 10% via Phone, 5% via Mobile, 5% collisions",
    "repeats": "each key twice in one request: new then repeat, or an existing record twice",
}

_FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Linus", "Radia", "Tim")
_LAST = ("Frey", "Moss", "Hopper", "Turing", "Liskov", "Thompson", "Hamilton", "Perlman", "Lee")
_DOMAINS = ("Example.com", "sample.ORG", "Mail.Example.net", "zylker.com")
_COMPANIES = ("Zylker", "Acme Corp", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay")
_STATUSES = ("Not Contacted", "Attempted to Contact", "Contacted", "Junk Lead", "Qualified")
_SOURCES = ("Web Download", "Cold Call", "Trade Show", "Partner", "Chat")


def _phone(digits: int, style: int) -> str:
    """Ten digits in one of five formats (Phone is compared as text, R8: format matters)."""
    s = f"{digits:010d}"
    if style == 0:
        return f"+1 ({s[:3]}) {s[3:6]}-{s[6:]}"
    if style == 1:
        return f"{s[:3]}-{s[3:6]}-{s[6:]}"
    if style == 2:
        return f"{s[:3]}.{s[3:6]}.{s[6:]}"
    if style == 3:
        return s
    return f"+1 {s[:3]} {s[3:6]} {s[6:]}"


def _mixed_case(text: str, rng: random.Random) -> str:
    style = rng.randrange(3)
    if style == 0:
        return text
    if style == 1:
        return text.upper()
    return "".join(c.upper() if i % 2 else c for i, c in enumerate(text))


def _variant(value: str, rng: random.Random) -> str:
    """The same key another way: other case, surrounding white space (R8)."""
    style = rng.randrange(4)
    if style == 0:
        return value
    if style == 1:
        return f"  {value.swapcase()} "
    if style == 2:
        return value.lower()
    return value.upper() + "\t"


def _email(tag: str, number: int, rng: random.Random) -> str:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    return _mixed_case(f"{first}.{last}.{tag}{number}@{rng.choice(_DOMAINS)}", rng)


PHONE_BASE = 2_000_000_000  # existing Phone digits: PHONE_BASE + i
MOBILE_BASE = 7_000_000_000  # existing Mobile digits: MOBILE_BASE + i
NEW_BASE = 4_000_000_000  # new phone digits: NEW_BASE + round stride + counter


def new_org(factory: Callable[[], Any]) -> Any:
    """An engine-like object with the benchmark org: Phone and Mobile unique (R1)."""
    engine = factory()
    for name in UNIQUE_FIELDS:
        engine.add_field(MODULE, name, "phone", unique=True)
    return engine


def make_leads(n: int, seed: int = 1) -> list[Record]:
    """``n`` existing Leads; Email, Phone and Mobile are all distinct (no loaded repeats)."""
    rng = random.Random(seed)
    leads: list[Record] = []
    for i in range(n):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        leads.append(
            {
                "Last_Name": last,
                "First_Name": first,
                "Email": _email("lead", i, rng),
                "Phone": _phone(PHONE_BASE + i, rng.randrange(5)),
                "Mobile": _phone(MOBILE_BASE + i, rng.randrange(5)),
                "Company": rng.choice(_COMPANIES),
                "Lead_Status": rng.choice(_STATUSES),
                "Lead_Source": rng.choice(_SOURCES),
            }
        )
    return leads


@dataclass
class _Maker:
    """Builds request records for one (workload, round) against the existing ``leads``."""

    leads: list[Record]
    rng: random.Random
    tag: str  # makes new keys unique per workload and round
    slice_start: int
    slice_end: int
    new_base: int
    _next_target: int = 0
    _next_new: int = 0

    def __post_init__(self) -> None:
        self._next_target = self.slice_start

    def target(self) -> int:
        """An existing record of this slice that no earlier record of the stream touched."""
        if self._next_target >= self.slice_end:
            raise ValueError(f"workload slice {self.slice_start}:{self.slice_end} is exhausted")
        self._next_target += 1
        return self._next_target - 1

    def new_email(self) -> str:
        self._next_new += 1
        return _email(self.tag, self._next_new, self.rng)

    def new_phone(self) -> str:
        self._next_new += 1
        return _phone(self.new_base + self._next_new, self.rng.randrange(5))

    def changes(self) -> Record:
        return {
            "Company": self.rng.choice(_COMPANIES),
            "Lead_Status": self.rng.choice(_STATUSES),
        }

    # --- the kinds of record ---------------------------------------------------------------
    def new(self) -> Record:
        return {
            "Last_Name": self.rng.choice(_LAST),
            "First_Name": self.rng.choice(_FIRST),
            "Email": self.new_email(),
            "Phone": self.new_phone(),
            "Mobile": self.new_phone(),
            "Lead_Source": self.rng.choice(_SOURCES),
            **self.changes(),
        }

    def via_email(self) -> Record:
        """Found by Email; the row repeats the record's Phone and Mobile unchanged."""
        lead = self.leads[self.target()]
        record: Record = {
            "Last_Name": lead["Last_Name"],
            "Email": _variant(lead["Email"], self.rng),
            **self.changes(),
        }
        if self.rng.random() < 0.5:
            record["Phone"] = _variant(lead["Phone"], self.rng)
            record["Mobile"] = lead["Mobile"]
        return record

    def via_phone(self) -> Record:
        """Email new (misses, then replaces the record's Email), Phone finds the record."""
        lead = self.leads[self.target()]
        return {
            "Last_Name": lead["Last_Name"],
            "Email": self.new_email(),
            "Phone": _variant(lead["Phone"], self.rng),
            **self.changes(),
        }

    def via_mobile(self) -> Record:
        """Email and Phone absent, Mobile finds the record."""
        lead = self.leads[self.target()]
        return {"Mobile": _variant(lead["Mobile"], self.rng), **self.changes()}

    def via_last(self) -> Record:
        """Email and Phone new (both miss), Mobile finds the record; writes a new Phone."""
        lead = self.leads[self.target()]
        return {
            "Last_Name": lead["Last_Name"],
            "Email": self.new_email(),
            "Phone": self.new_phone(),
            "Mobile": _variant(lead["Mobile"], self.rng),
            **self.changes(),
        }

    def collision(self, both: bool) -> Record:
        """Found by Email; sets Phone (and Mobile) to another record's: R14 rejects it."""
        lead = self.leads[self.target()]
        other = self.leads[self.target()]
        record: Record = {
            "Email": _variant(lead["Email"], self.rng),
            "Phone": _variant(other["Phone"], self.rng),
            **self.changes(),
        }
        if both:
            record["Mobile"] = other["Mobile"]
        return record

    def repeat(self, record: Record) -> Record:
        """The same key again, other case; other non-key values (R17: it updates the first)."""
        return {"Email": _variant(record["Email"].strip(), self.rng), **self.changes()}


def _records_for(workload: str, maker: _Maker, count: int) -> list[Record]:
    rng = maker.rng
    if workload == "all_new":
        return [maker.new() for _ in range(count)]
    if workload == "hit_first":
        return [maker.via_email() for _ in range(count)]
    if workload == "hit_later":
        return [maker.via_last() for _ in range(count)]
    if workload == "collisions":
        return [maker.collision(both=i % 5 == 4) for i in range(count)]
    if workload == "mix":
        kinds: list[Callable[[], Record]] = (
            [maker.new] * 50
            + [maker.via_email] * 30
            + [maker.via_phone] * 10
            + [maker.via_mobile] * 5
            + [lambda: maker.collision(both=False)] * 4
            + [lambda: maker.collision(both=True)]
        )
        records: list[Record] = []
        while len(records) < count:
            batch = kinds[:]
            rng.shuffle(batch)
            records.extend(make() for make in batch)
        return records[:count]
    if workload == "repeats":
        records = []
        while len(records) < count:
            first = maker.new() if rng.random() < 0.5 else maker.via_email()
            records.append(first)
            records.append(maker.repeat(first))
        return records[:count]
    raise ValueError(f"unknown workload {workload!r}; known: {', '.join(WORKLOADS)}")


#: Existing records one request of a workload consumes, at most (collisions take two each).
TARGETS_PER_RECORD = {
    "all_new": 0.0,
    "hit_first": 1.0,
    "hit_later": 1.0,
    "collisions": 2.0,
    "mix": 0.55,
    "repeats": 0.5,
}


def slices(n: int, requests: int, workloads: tuple[str, ...] = WORKLOADS) -> dict[str, range]:
    """Disjoint ranges of the ``n`` existing records, one per workload, or ValueError."""
    out: dict[str, range] = {}
    start = 0
    for workload in workloads:
        need = math.ceil(TARGETS_PER_RECORD[workload] * requests * REQUEST_SIZE)
        out[workload] = range(start, start + need)
        start += need
    if start > n:
        raise ValueError(
            f"{requests} requests per workload need {start} existing records; the store has {n}"
        )
    return out


def max_requests(n: int, workloads: tuple[str, ...] = WORKLOADS) -> int:
    """The most requests per workload that the ``n`` records can serve with disjoint slices."""
    per_request = sum(TARGETS_PER_RECORD[w] for w in workloads) * REQUEST_SIZE
    spare = n - REQUEST_SIZE * len(workloads)
    return max(0, int(spare / per_request)) if per_request else 10**9


def make_stream(
    workload: str,
    leads: list[Record],
    requests: int,
    round_: int,
    span: range,
    seed: int = 1,
) -> list[Body]:
    """``requests`` bodies of 100 records for ``workload`` in round ``round_`` (seeded)."""
    index = WORKLOADS.index(workload)
    rng = random.Random(seed * 1_000_003 + round_ * 101 + index)
    maker = _Maker(
        leads,
        rng,
        tag=f"r{round_}w{index}n",
        slice_start=span.start,
        slice_end=span.stop,
        new_base=NEW_BASE + (round_ * len(WORKLOADS) + index) * 10_000_000,
    )
    records = _records_for(workload, maker, requests * REQUEST_SIZE)
    return [
        {"data": records[i : i + REQUEST_SIZE], "trigger": []}
        for i in range(0, len(records), REQUEST_SIZE)
    ]


# --- normalisation as the benchmarks' own implementations do it (R8, R9) -------------------------
def text_key(value: Any) -> str | None:
    """R8/R9 for the text types of this org: strip, lower case; empty → None."""
    if value is None:
        return None
    return value.strip().lower() or None


def prenormalise(stream: list[Body]) -> list[list[tuple[Any, ...]]]:
    """The ceiling's input: per record (email_key, phone_key, mobile_key, fields)."""
    return [
        [
            (
                text_key(r.get("Email")),
                text_key(r.get("Phone")),
                text_key(r.get("Mobile")),
                r,
            )
            for r in body["data"]
        ]
        for body in stream
    ]


def outcomes_of_response(body: dict[str, Any]) -> list[Outcome]:
    """Per-record outcomes of a Zoho response body (R18)."""
    return [
        (entry.get("action"), entry.get("duplicate_field"), entry["code"]) for entry in body["data"]
    ]
