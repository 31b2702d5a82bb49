"""Hypothesis strategies for the differential tests: small orgs, stores and batches.

Values come from tiny pools so that collisions are the common case: the same email in another
case or with surrounding white space, integers spelled "0042"/42/42.0, empty strings, nulls,
missing keys, and a few invalid values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from upsert_engine import Engine, Options
from upsert_engine.options import (
    AppendOther,
    IntraBatch,
    MultiMatch,
    NonUniqueCheckField,
    UnknownFields,
)
from upsert_engine.reference import ReferenceEngine

#: Candidate user-defined unique fields of Leads: (name, data_type).
UNIQUE_POOL = (
    ("Mobile", "phone"),
    ("Phone", "phone"),
    ("Code", "text"),
    ("Badge", "integer"),
    ("Big", "bigint"),
    ("Site", "website"),
)

VALUES: dict[str, list[Any]] = {
    "Email": ["a@x.io", "A@X.io", " a@x.io ", "b@x.io", "c@x.io", "B@x.io", ""],
    "Mobile": ["555", " 555", "555 ", "+1 555", "777", ""],
    "Phone": ["555", "777", "888", " 777 "],
    "Code": ["k1", "K1", " k1 ", "k2", "k3", ""],
    "Badge": [42, "0042", 42.0, "42", 7, "7", ""],
    "Big": [10**12, "1000000000000", 5, "-5"],
    "Site": ["x.io", "X.IO", "y.io"],
    "Last_Name": ["Frey", "Moss"],
    "Company": ["abc", "def"],
}


@dataclass(frozen=True)
class Org:
    """An org configuration that can be built into both implementations."""

    options: Options
    unique: tuple[tuple[str, str], ...]

    def build(self) -> tuple[Engine, ReferenceEngine]:
        """A fresh engine and reference model with this configuration, and what sync payloads
        carry (spec v2): a multi-select (R26), a subform (R36), a layout (R35)."""
        engine, reference = Engine(self.options), ReferenceEngine(self.options)
        for org in (engine, reference):
            for name, data_type in self.unique:
                org.add_field("Leads", name, data_type, unique=True)
            org.add_field("Leads", "Langs", "multiselectpicklist")
            org.add_subform("Leads", "Items", ITEM_FIELDS, mandatory=["Name"], max_rows=4)
            org.add_layout("Leads", "900", mandatory=["Company"])
        return engine, reference


#: R36: the row fields of the Leads subform ``Items`` the differential tests use.
ITEM_FIELDS = (("Name", "text"), ("Qty", "integer"))


def rid(n: int) -> str:
    """The n-th id an org issues (records and subform rows share the id source)."""
    return str(5725767000000600000 + n)


#: Row ids rows name: ids that loaded rows bring (stores are drawn from the same records), and
#: ids the org issues early (to a record or a row).
ROW_IDS = st.one_of(
    st.sampled_from(["9001", "9002"]),
    st.sampled_from(["9001", "9002"]),
    st.integers(4, 12).map(rid),
)

#: R36: rows of ``Items``: new rows (rarely one lacking its mandatory Name or with a bad
#: Qty), rows naming one of the ids issued early (a record's or a row's: a row of the target
#: or not) to update or remove it.
ROWS: st.SearchStrategy[dict[str, Any]] = st.one_of(
    st.sampled_from(
        [
            {"Name": "a"},
            {"Name": "b", "Qty": 2},
            {"Name": "c"},
            {"Qty": 1},
            {"Name": "d", "Qty": "x"},
        ]
    ),
    st.builds(lambda i: {"id": i, "Qty": 7}, ROW_IDS),
    st.builds(lambda i: {"id": i, "_delete": None}, ROW_IDS),
)


options = st.builds(
    Options,
    multi_match=st.sampled_from(MultiMatch),
    intra_batch=st.sampled_from(IntraBatch),
    non_unique_check_field=st.sampled_from(NonUniqueCheckField),
    unknown_fields=st.sampled_from([UnknownFields.IGNORE] * 3 + [UnknownFields.REJECT]),
    api_version=st.sampled_from(["v8", "v2", "v5"]),
    check_formats=st.booleans(),
    append_repeats=st.booleans(),
    append_other=st.sampled_from(AppendOther),
)

orgs = st.builds(
    Org,
    options=options,
    unique=st.lists(st.sampled_from(UNIQUE_POOL), unique_by=lambda f: f[0], max_size=4).map(tuple),
)


#: Rare values that fail validation (R15) or are empty where mandatory (R13).
INVALID: dict[str, list[Any]] = {
    "Email": ["not-an-email"],
    "Badge": ["x7", 1.5],
    "Mobile": ["call me"],
    "Last_Name": ["", None],
}


@st.composite
def records(draw: st.DrawFn, fields: tuple[str, ...] = tuple(VALUES)) -> dict[str, Any]:
    """A Leads record over a random subset of ``fields``; rarely a null, bad or unknown value."""
    chosen = draw(st.lists(st.sampled_from(fields), unique=True, max_size=5))
    record: dict[str, Any] = {}
    if draw(st.integers(0, 9)) > 0:
        record["Last_Name"] = draw(st.sampled_from(VALUES["Last_Name"]))
    for name in chosen:
        record[name] = draw(st.sampled_from(VALUES[name]))
        if draw(st.integers(0, 14)) == 0:
            record[name] = None
    if draw(st.integers(0, 14)) == 0:
        name = draw(st.sampled_from(sorted(INVALID)))
        record[name] = draw(st.sampled_from(INVALID[name]))
    if draw(st.integers(0, 14)) == 0:
        record["Unknown_Field"] = "?"
    for key, values in PAYLOAD.items():  # spec v2: R26, R31, R35, R36, each now and then
        if draw(st.integers(0, 7)) == 0:
            record[key] = draw(values)
    return record


#: What sync payloads carry (R26, R31, R35, R36), valid and not.
PAYLOAD: dict[str, st.SearchStrategy[Any]] = {
    "Langs": st.lists(st.sampled_from(["EN", "FR", "DE"]), max_size=3),
    "$append_values": st.sampled_from(
        [{"Langs": True}, {"Langs": True}, {"Langs": False}, {"Email": True}, {"Langs": 1}]
    ),
    "Layout": st.sampled_from([{"id": "900"}, {"id": "901"}, None]),
    "Tag": st.sampled_from([[{"name": "t"}], [], "t"]),
    "$approved": st.sampled_from([True, False, "no"]),
    "Items": st.one_of(
        st.lists(ROWS, max_size=3), st.lists(ROWS, max_size=3), st.sampled_from([None, [], "x"])
    ),
}


stores = st.lists(records(), max_size=8)

check_fields = st.one_of(
    st.none(),
    st.lists(
        st.sampled_from(["Email", "Mobile", "Phone", "Code", "Badge", "Big", "Site"]), max_size=4
    ),
    st.lists(st.sampled_from(["Email", "Mobile", "Last_Name", "Nope"]), min_size=1, max_size=3),
)


@st.composite
def bodies(draw: st.DrawFn) -> dict[str, Any]:
    """An upsert body of 1-8 records, with or without duplicate_check_fields."""
    body: dict[str, Any] = {"data": draw(st.lists(records(), min_size=1, max_size=8))}
    requested = draw(check_fields)
    if requested is not None:
        body["duplicate_check_fields"] = requested
    return body


# --- R26, R36: focused records, which reach existing rows and lists often ------------------------
@st.composite
def row_records(draw: st.DrawFn, loaded: bool = False) -> dict[str, Any]:
    """A Leads record keyed by one of three emails, with ``Items`` rows (loaded: rows with the
    ids 9001 and 9002; sent: updates and removals of those or of issued ids, new rows) and maybe
    ``Langs`` with ``$append_values``."""
    record: dict[str, Any] = {"Last_Name": "L", "Email": draw(st.sampled_from(EMAILS))}
    if loaded:
        record["Items"] = [{"id": i, "Name": f"n{i}", "Qty": 1} for i in ("9001", "9002")]
        record["Langs"] = draw(st.lists(st.sampled_from(["EN", "FR"]), unique=True))
        return record
    if draw(st.booleans()):
        record["Items"] = draw(
            st.one_of(st.lists(ROWS, min_size=1, max_size=3), st.sampled_from([[], None]))
        )
    if draw(st.booleans()):
        record["Langs"] = draw(st.lists(st.sampled_from(["EN", "FR", "DE"]), max_size=2))
        record["$append_values"] = {"Langs": draw(st.booleans())}
    return record


EMAILS = ("a@x.io", "b@x.io", "c@x.io")
