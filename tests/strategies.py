"""Hypothesis strategies for the differential tests: small orgs, stores and batches.

Values come from tiny pools so that collisions are the common case: the same email in another
case or with surrounding white space, integers spelled "0042"/42/42.0, empty strings, nulls,
missing keys, and a few invalid values. Some records also carry a field of another R15 type
(TYPED: every type, values at and just over its limits, converted on write by R28).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from upsert_engine import Engine, Options
from upsert_engine.options import IntraBatch, MultiMatch, NonUniqueCheckField, UnknownFields
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


#: Fields of every other R15 type, each with values just inside and just outside its limits,
#: in spellings R28 stores differently ("0042" -> 42, "12.50" -> 12.5, 1.239 -> 1.23, ...).
TYPED_FIELDS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("Big_X", "bigint", {}),
    ("Pct_X", "percent", {"decimal_place": 2}),
    ("Dec_X", "double", {}),
    ("Day_X", "date", {}),
    ("When_X", "datetime", {}),
    ("Langs_X", "multiselectpicklist", {}),
    ("Rows_X", "subform", {}),
    ("Acct_X", "lookup", {}),
    ("Files_X", "fileupload", {"max_length": 1}),
)
TYPED: dict[str, list[Any]] = {
    "No_of_Employees": [42, "0042", 42.0, 999999999, 1000000000, "1-2 People"],
    "Annual_Revenue": [12.5, "12.50", 1.239, "9999999999999999", 10**16, "lots", 7],
    "Email_Opt_Out": [True, False, "true"],
    "Website": ["x.io", "https://www.zylker.com", "HTTPS://x.io", "w" * 251 + ".com"],
    "Salutation": ["Mr.", "S" * 25, "S" * 26],
    "Big_X": [10**17, "123456789012345678", "1" * 19, "+005", "x1", 4.0],
    "Pct_X": [12.5, 99999, 100000, "5.555"],
    "Dec_X": [0.1 + 0.2, "2.1234567899", 10**16, "1e5"],
    "Day_X": ["2024-02-29", "2026-02-29"],
    "When_X": ["2026-01-15T10:00:00+05:30", "2026-01-15T10:00:00Z"],
    "Langs_X": [["en", "fr"], [], "en", ["en", 1]],
    "Rows_X": [[{"Name": "a"}], [], "row", [{"Name": str(i)} for i in range(101)]],
    "Acct_X": [{"id": "5725767000000600001"}, "5725767000000600001", {"name": "x"}],
    "Files_X": [[{"file_id": "a"}], [{"file_id": "a"}, {"file_id": "b"}]],
}


def add_typed_fields(target: Engine | ReferenceEngine) -> None:
    """Define TYPED_FIELDS in Leads (the same calls for the engine and the reference)."""
    for name, data_type, settings in TYPED_FIELDS:
        target.add_field("Leads", name, data_type, **settings)


@dataclass(frozen=True)
class Org:
    """An org configuration that can be built into both implementations."""

    options: Options
    unique: tuple[tuple[str, str], ...]

    def build(self) -> tuple[Engine, ReferenceEngine]:
        """A fresh engine and reference model with this configuration."""
        engine, reference = Engine(self.options), ReferenceEngine(self.options)
        add_typed_fields(engine)
        add_typed_fields(reference)
        for name, data_type in self.unique:
            engine.add_field("Leads", name, data_type, unique=True)
            reference.add_field("Leads", name, data_type, unique=True)
        return engine, reference


options = st.builds(
    Options,
    multi_match=st.sampled_from(MultiMatch),
    intra_batch=st.sampled_from(IntraBatch),
    non_unique_check_field=st.sampled_from(NonUniqueCheckField),
    unknown_fields=st.sampled_from([UnknownFields.IGNORE] * 3 + [UnknownFields.REJECT]),
    api_version=st.sampled_from(["v8", "v2"]),
    check_formats=st.booleans(),
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
    if draw(st.integers(0, 2)) == 0:  # R15/R28: a field of another type
        name = draw(st.sampled_from(sorted(TYPED)))
        record[name] = draw(st.sampled_from(TYPED[name]))
    if draw(st.integers(0, 14)) == 0:
        record["Unknown_Field"] = "?"
    return record


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
