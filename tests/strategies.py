"""Hypothesis strategies for the differential tests: small orgs, stores and batches.

Values come from tiny pools so that collisions are the common case: the same email in another
case or with surrounding white space, integers spelled "0042"/42/42.0, empty strings, nulls,
missing keys, and a few invalid values. Spec v2 section 7 too: external fields of both kinds
(R24), ids of existing and missing records inside upsert records (R25), three users acting and
owning (R32), lookups to Leads itself and to Accounts, by id and by external value (R33),
and If-Unmodified-Since times before, at and after the records' modification (R34); and what
else sync payloads carry (issue 10): a multi-select with ``$append_values`` (R26), ``$approved``
(R31), a layout and Tag (R35), an ``Items`` subform whose rows are updated by id, removed and
appended (R36). Some records also carry a field of another R15 type (TYPED: every type,
values at and just over its limits, converted on write by R28).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from upsert_engine import Engine, Options, User
from upsert_engine.options import (
    AppendOther,
    IntraBatch,
    MultiMatch,
    NonUniqueCheckField,
    NullOwner,
    RecordId,
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
#: Candidate external fields of Leads: (name, kind) (R24).
EXTERNAL_POOL = (("Ext_Org", "org"), ("Ext_User", "user"))

#: R32: the org's users besides the default one (Options.user).
USERS = (
    User("Alice Archer", "5725767000000411002", "alice@example.com", "60012346"),
    User("Bob Baker", "5725767000000411003", "bob@example.com", "60012347"),
)
USER_IDS = [User().id, *(u.id for u in USERS)]


def rid(n: int) -> str:
    """The id of the n-th record the engine creates (n = 1, 2, ...)."""
    return str(5725767000000600000 + n)


#: Accounts loaded into every org before anything else: ids rid(1) and rid(2) (R33).
ACCOUNTS = [
    {"Account_Name": "Acme", "Acct_Ext": "a1"},
    {
        "Account_Name": "Globex",
        "Acct_Ext": "a2",
        "Created_By": {"name": "Bob Baker", "id": USERS[1].id},
    },
]
#: Ids a record may name: the two accounts, early Leads, and ids of nothing.
IDS = [rid(n) for n in range(1, 7)] + ["99", "5725767000000699999"]

VALUES: dict[str, list[Any]] = {
    "Email": ["a@x.io", "A@X.io", " a@x.io ", "b@x.io", "c@x.io", "B@x.io", ""],
    "Mobile": ["555", " 555", "555 ", "+1 555", "777", ""],
    "Phone": ["555", "777", "888", " 777 "],
    "Code": ["k1", "K1", " k1 ", "k2", "k3", ""],
    "Badge": [42, "0042", 42.0, "42", 7, "7", ""],
    "Big": [10**12, "1000000000000", 5, "-5"],
    "Site": ["x.io", "X.IO", "y.io"],
    "Last_Name": ["Frey", "Moss"],
    "First_Name": ["Ada", " Bo "],
    "Company": ["abc", "def"],
    "Ext_Org": ["e1", "E1", "e2", ""],
    "Ext_User": ["u1", " U1", "u2"],
    "Owner": [{"id": i} for i in USER_IDS] + [{"id": "42"}, None],
    "Referrer": [{"id": i} for i in IDS] + [{"name": "no id"}],
    "Account_Ref": [{"id": rid(1)}, {"id": rid(2), "name": "x"}, {"id": "99"}, {"Acct_Ext": "A1"},
                    {"Acct_Ext": "a2"}, {"Acct_Ext": "zz"}, {"id": rid(1), "Acct_Ext": "a2"}],
}  # fmt: skip

#: R34: If-Unmodified-Since values around the default clock (one second per write request).
SINCE = ["2020-01-01T00:00:00+00:00", "2026-01-15T10:00:01+05:30", "2026-01-15T10:00:03+05:30"]
LOOKUP_HEADER = "Leads.Account_Ref.Acct_Ext"


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
    """Define TYPED_FIELDS in Leads (the same calls for the engine and the reference); the
    subform with one text row field, Name (R36)."""
    for name, data_type, settings in TYPED_FIELDS:
        if data_type == "subform":
            target.add_subform("Leads", name, [("Name", "text")], **settings)
        else:
            target.add_field("Leads", name, data_type, **settings)


@dataclass(frozen=True)
class Org:
    """An org configuration that can be built into both implementations."""

    options: Options
    unique: tuple[tuple[str, str], ...]
    external: tuple[tuple[str, str], ...] = ()

    def build(self) -> tuple[Engine, ReferenceEngine]:
        """A fresh engine and reference model with this configuration: users, Leads' unique,
        external and lookup fields, Accounts with an external field and two records; Leads'
        multi-select (R26), subform (R36) and layout (R35)."""
        engine, reference = Engine(self.options), ReferenceEngine(self.options)
        for org in (engine, reference):
            add_typed_fields(org)
            for user in USERS:
                org.add_user(user)
            for name, data_type in self.unique:
                org.add_field("Leads", name, data_type, unique=True)
            for name, kind in self.external:
                org.add_field("Leads", name, "text", external=kind)
            org.add_field("Leads", "Referrer", "lookup", lookup_module="Leads")
            org.add_field("Leads", "Account_Ref", "lookup", lookup_module="Accounts")
            org.add_field("Accounts", "Acct_Ext", "text", external="org")
            org.add_field("Leads", "Langs", "multiselectpicklist")
            org.add_subform("Leads", "Items", ITEM_FIELDS, mandatory=["Name"], max_rows=4)
            org.add_layout("Leads", "900", mandatory=["Company"])
            assert org.load("Accounts", [dict(a) for a in ACCOUNTS]) == [rid(1), rid(2)]
        return engine, reference


#: R36: the row fields of the Leads subform ``Items`` the differential tests use.
ITEM_FIELDS = (("Name", "text"), ("Qty", "integer"))

#: Row ids rows name: ids that loaded rows bring (``row_records``), and ids the org issues
#: early (to a record or a row).
ROW_IDS = st.one_of(
    st.sampled_from(["9001", "9002"]),
    st.sampled_from(["9001", "9002"]),
    st.integers(4, 14).map(rid),
)

#: R36: rows of ``Items``: new rows (now and then one lacking its mandatory Name or with a bad
#: Qty), rows naming an id (a row of the target or not) to update or remove it.
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
    record_id=st.sampled_from([RecordId.UPDATE] * 3 + [RecordId.IGNORE, RecordId.REJECT]),
    check_lookups=st.booleans(),
    check_users=st.booleans(),
    null_owner=st.sampled_from(NullOwner),
    load_owner=st.booleans(),
    append_repeats=st.booleans(),
    append_other=st.sampled_from(AppendOther),
)

orgs = st.builds(
    Org,
    options=options,
    unique=st.lists(st.sampled_from(UNIQUE_POOL), unique_by=lambda f: f[0], max_size=4).map(tuple),
    external=st.lists(st.sampled_from(EXTERNAL_POOL), unique_by=lambda f: f[0]).map(tuple),
)


#: Rare values that fail validation (R15) or are empty where mandatory (R13).
INVALID: dict[str, list[Any]] = {
    "Email": ["not-an-email"],
    "Badge": ["x7", 1.5],
    "Mobile": ["call me"],
    "Last_Name": ["", None],
    "Owner": ["nobody", {"id": None}],
}


@st.composite
def records(
    draw: st.DrawFn, fields: tuple[str, ...] = tuple(VALUES), ids: bool = True
) -> dict[str, Any]:
    """A Leads record over a random subset of ``fields``; rarely a null, bad or unknown value;
    with ``ids``, sometimes an ``id`` (R25)."""
    chosen = draw(st.lists(st.sampled_from(fields), unique=True, max_size=5))
    record: dict[str, Any] = {}
    if ids and draw(st.integers(0, 5)) == 0:
        record["id"] = draw(st.sampled_from([*IDS, None, "x", int(rid(3))]))
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


@st.composite
def stored(draw: st.DrawFn) -> dict[str, Any]:
    """Existing data: a record without id, maybe created by another user (R24, R32)."""
    record = draw(records(ids=False))
    owner = record.get("Owner")
    if owner is not None and not (isinstance(owner, dict) and isinstance(owner.get("id"), str)):
        del record["Owner"]  # load refuses an Owner that is no user object (R32)
    creator = draw(st.sampled_from([None, *USERS]))
    if creator is not None:
        record["Created_By"] = {"name": creator.name, "id": creator.id}
    return record


stores = st.lists(stored(), max_size=8)

check_fields = st.one_of(
    st.none(),
    st.lists(
        st.sampled_from(
            ["Email", "Mobile", "Phone", "Code", "Badge", "Big", "Site", "Ext_Org", "Ext_User"]
        ),
        max_size=4,
    ),
    st.lists(
        st.sampled_from(["Email", "Mobile", "Last_Name", "Nope", "id"]), min_size=1, max_size=3
    ),
)


@st.composite
def bodies(draw: st.DrawFn) -> dict[str, Any]:
    """An upsert body of 1-8 records, with or without duplicate_check_fields."""
    body: dict[str, Any] = {"data": draw(st.lists(records(), min_size=1, max_size=8))}
    requested = draw(check_fields)
    if requested is not None:
        body["duplicate_check_fields"] = requested
    return body


#: The keywords of an upsert call: who acts (R32), If-Unmodified-Since (R34), X-EXTERNAL (R24).
keywords = st.fixed_dictionaries(
    {},
    optional={
        "as_user": st.sampled_from(USER_IDS),
        "if_unmodified_since": st.sampled_from(SINCE),
        "external": st.sampled_from([LOOKUP_HEADER, "Leads.Ext_Org", "Leads.Nope"]),
    },
)


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
