"""Hypothesis strategies for Zoho records and upsert bodies of a module configuration.

    from upsert_engine import Engine
    from upsert_engine.testing.strategies import upsert_bodies

    engine = Engine()
    engine.add_field("Leads", "Mobile", "phone", unique=True)

    @given(upsert_bodies(engine.schema("Leads")))
    def test_...(body): ...

Every value ``records`` and ``upsert_bodies`` generate is valid for its field (R15), so records
fail only for the reasons the engine decides (matching, mandatory fields, uniqueness:
R10-R14); ``field_values`` covers every data type, the values at each limit included, and
``invalid_field_values`` the values just outside them, of the wrong kind or form. Duplicate
check fields (external fields included, R24) draw from a small pool of values, spelled in the
variants R8 treats as equal (case, surrounding white space, ``"0042"`` for 42), so that
records match and collide often. Owner and user lookups name one of ``user_ids`` (R32: the
default user unless given); a lookup to a module of the org names one of
``lookup_ids[field]``, and is left out when none are given (R33: any other id would be
refused); ``record_ids`` given, a record sometimes carries one as ``id`` (R25).
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from ..fields import INTEGER_TYPES, LOOKUP_TYPES, NUMBER_TYPES, ROW_TYPES, FieldDef
from ..options import User
from ..rules import JSON_TYPES, TRIGGER_VALUES, USER_DATA_TYPES
from ..schema import ModuleSchema

_WORD = string.ascii_letters + string.digits
_LOWER = string.ascii_lowercase + string.digits
PICKLIST_VALUES = ("-None-", "Contacted", "Not Contacted", "Attempted to Contact")
_OFFSETS = (timezone.utc, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-7)))
#: Long strings at a limit are drawn only for limits up to this many characters.
_LONGEST_DRAWN = 2000


def _bounded_text(max_length: int | None, alphabet: str = _WORD + " ") -> st.SearchStrategy[str]:
    limit = min(max_length or 40, 40)
    drawn = st.text(alphabet=alphabet, min_size=1, max_size=limit).filter(lambda s: s.strip() != "")
    if max_length is None or max_length > _LONGEST_DRAWN:
        return drawn
    return st.one_of(drawn, st.just("x" * max_length))  # R15: just inside the limit


def _emails(max_length: int | None) -> st.SearchStrategy[str]:
    parts = st.text(alphabet=_LOWER, min_size=1, max_size=10)
    emails = st.builds(lambda a, b: f"{a}@{b}.com", parts, parts)
    limit = max_length or 100
    fitting = emails.filter(lambda e: len(e) <= limit)
    if limit < 7:
        return fitting
    return st.one_of(fitting, st.just("a" * (limit - 6) + "@b.com"))


def _phones(max_length: int | None) -> st.SearchStrategy[str]:
    limit = max_length or 30
    digits = st.text(string.digits, min_size=1, max_size=max(1, min(limit, 15) - 1))
    plain = st.builds(lambda plus, d: plus + d, st.sampled_from(["", "+"]), digits)
    # Zoho's pattern takes letters and these shapes (R15 "Sample Attributes")
    shaped = [p for p in ("1800-FLOWERS", "+1 (555) 010-0000", "91(987)654321") if len(p) <= limit]
    return st.one_of(plain, st.sampled_from([*shaped, "1" * limit]))


def _whole_numbers(limit: int | None) -> st.SearchStrategy[int]:
    """Integers of at most ``limit`` digits, the largest and smallest often (R15)."""
    top = 10 ** min(limit or 18, 40) - 1
    return st.one_of(st.integers(-top, top), st.sampled_from([top, -top, 0]))


def _numbers(definition: FieldDef) -> st.SearchStrategy[Any]:
    """Currency, Decimal, Percent: ints, floats, numeric strings within the digit limit."""
    whole = _whole_numbers(definition.max_length)
    places = definition.decimal_place if definition.decimal_place is not None else 4
    fraction = st.integers(0, 10 ** min(places, 9) - 1)
    text = st.builds(
        lambda w, f: f"{w}.{f:0{places}d}" if places else str(w),
        st.integers(-99999, 99999).filter(
            lambda w: definition.max_length is None or len(str(abs(w))) <= definition.max_length
        ),
        fraction,
    )
    floats = st.floats(-1e9, 1e9, allow_nan=False).filter(
        lambda x: definition.max_length is None or abs(x) < 10**definition.max_length
    )
    return st.one_of(whole, floats, text)


def _rows(limit: int | None) -> st.SearchStrategy[list[dict[str, Any]]]:
    row = st.fixed_dictionaries({"Name": st.text(_WORD, min_size=1, max_size=5)})
    small = st.lists(row, max_size=min(limit or 3, 3))
    if limit is None or limit > 100:
        return small
    return st.one_of(small, st.just([{"Name": str(i)} for i in range(limit)]))


def field_values(definition: FieldDef) -> st.SearchStrategy[Any]:
    """Valid, non-empty values of one field (R15), as a client would send them in JSON,
    the values at each limit among them (the longest text, the most digits, ...)."""
    kind, limit = definition.data_type, definition.max_length
    if kind in ("text", "textarea"):
        return _bounded_text(limit)
    if kind == "email":
        return _emails(limit)
    if kind == "phone":
        return _phones(limit)
    if kind == "website":
        urls = st.builds(
            lambda d: f"https://{d}.example.com", st.text(_LOWER, min_size=1, max_size=12)
        )
        if limit is None:
            return urls
        at_limit = st.just("w" * (limit - 4) + ".com") if limit >= 5 else st.just("w.c")
        return st.one_of(urls.filter(lambda u: len(u) <= limit), at_limit)
    if kind == "picklist":
        return st.sampled_from([v for v in PICKLIST_VALUES if limit is None or len(v) <= limit])
    if kind == "multiselectpicklist":
        return st.lists(st.sampled_from(PICKLIST_VALUES[1:]), unique=True, max_size=3)
    if kind == "integer":
        return _whole_numbers(limit)
    if kind == "bigint":
        return _whole_numbers(limit).flatmap(lambda n: st.sampled_from([n, str(n)]))
    if kind in NUMBER_TYPES:
        return _numbers(definition)
    if kind == "boolean":
        return st.booleans()
    if kind == "date":
        return st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(date.isoformat)
    if kind == "datetime":
        moments = st.datetimes(
            datetime(1970, 1, 1), datetime(2100, 1, 1), timezones=st.sampled_from(_OFFSETS)
        )
        return moments.map(lambda m: m.isoformat(timespec="seconds"))
    if kind == "subform":  # R36: 1-3 new rows, each with the row-mandatory fields
        row = st.fixed_dictionaries(
            {
                r.api_name: field_values(r)
                for r in definition.rows
                if r.api_name in definition.row_mandatory
            },
            optional={
                r.api_name: field_values(r)
                for r in definition.rows
                if r.api_name not in definition.row_mandatory
            },
        )
        return st.lists(row, min_size=1, max_size=min(3, limit or 3))
    if kind in ROW_TYPES:
        return _rows(limit)
    assert kind in LOOKUP_TYPES, kind
    return st.integers(0, 10**6).map(lambda n: {"id": str(5725767000000000000 + n)})


def invalid_field_values(definition: FieldDef) -> st.SearchStrategy[Any]:
    """Values one field refuses with INVALID_DATA (R15): just over each limit, of the wrong
    JSON kind, or of the right kind but not the type's form."""
    kind, limit = definition.data_type, definition.max_length
    json_type = JSON_TYPES[kind]
    wrong_kind: list[Any] = [
        other
        for name, other in (("jsonarray", ["x"]), ("jsonobject", {"x": 1}), ("string", "x"))
        if name != json_type and not (name == "string" and kind in INTEGER_TYPES | NUMBER_TYPES)
    ]
    if kind != "boolean":
        wrong_kind.append(True)
    if json_type not in ("integer", "double") and kind != "bigint":
        wrong_kind.append(7)
    over: list[Any] = []
    if limit is not None and limit <= _LONGEST_DRAWN:
        if kind in INTEGER_TYPES or kind in NUMBER_TYPES:
            over += [10**limit, -(10**limit), "9" * (limit + 1)]
        elif kind in ROW_TYPES:
            over.append([{"Name": str(i)} for i in range(limit + 1)])
        elif kind == "email":
            over.append("a" * max(1, limit - 5) + "@b.com")
        elif kind not in ("multiselectpicklist",) and kind not in LOOKUP_TYPES:
            over.append("x" * (limit + 1))
    forms: dict[str, list[Any]] = {
        "email": ["p@zylker.c", "a@b", "a@@b.com"],
        "phone": ["+-()", "1  2. 3", "555!"],
        "website": ["HTTPS://x.com", "x"],
        "date": ["2026-02-30", "2026-1-5"],
        "datetime": ["2026-01-15T10:00:00Z", "2026-01-15T24:00:00+05:30"],
        "integer": ["1-2 People", 1.5, "4.0"],
        "bigint": ["12a", 1.5],
        "boolean": ["true", 1, "FALSE"],
        "multiselectpicklist": ["Contacted", ["a", 1]],
    }
    malformed = forms.get(kind, [])
    if kind in NUMBER_TYPES:
        malformed = ["lots", float("nan"), "1.2.3"]
    if kind in LOOKUP_TYPES:  # a record lookup may name an external key instead (R24)
        malformed = ["5725767000000600001", {} if kind == "lookup" else {"name": "x"}, {"id": "a"}]
    if kind in ROW_TYPES - {"subform"}:  # a subform's rows are checked row by row (R36)
        malformed = [[1], ["row"]]
    return st.sampled_from([*wrong_kind, *over, *malformed])


def _pool_value(definition: FieldDef, i: int) -> Any:
    kind = definition.data_type
    if kind == "email":
        return f"key{i}@example.com"
    if kind == "phone":
        return f"+1 555 0{i:03d}"
    if kind == "website":
        return f"https://key{i}.example.com"
    if kind in INTEGER_TYPES:
        return i + 1
    text = f"Key {i}"
    return text if definition.max_length is None or len(text) <= definition.max_length else str(i)


def key_values(definition: FieldDef, pool_size: int = 4) -> st.SearchStrategy[Any]:
    """One of ``pool_size`` values, in spellings R8 treats as equal (so records match)."""

    def spell(i: int, variant: int) -> Any:
        value = _pool_value(definition, i)
        if isinstance(value, int):
            return (value, str(value), f"00{value}", float(value))[variant]
        fits = definition.max_length is None or len(value) + 2 <= definition.max_length
        return (value, value.upper(), f" {value} " if fits else value, value.lower())[variant]

    return st.builds(spell, st.integers(0, max(pool_size, 1) - 1), st.integers(0, 3))


def records(
    schema: ModuleSchema,
    *,
    pool_size: int = 4,
    mandatory: bool = True,
    other_fields: bool = True,
    user_ids: Sequence[str] = (User().id,),
    lookup_ids: Mapping[str, Sequence[str]] | None = None,
    record_ids: Sequence[str] = (),
) -> st.SearchStrategy[dict[str, Any]]:
    """Records of ``schema``'s module: duplicate check fields from a small pool (maybe absent
    or null, R9), mandatory fields present when ``mandatory`` (R13), other fields optional;
    references as the module docstring says (R25, R32, R33)."""
    keys = set(schema.duplicate_check_fields)
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    if record_ids:
        optional["id"] = st.sampled_from(list(record_ids))
    for name, definition in schema.fields.items():
        if definition.data_type in USER_DATA_TYPES:
            if other_fields and user_ids:
                optional[name] = st.builds(lambda i: {"id": i}, st.sampled_from(list(user_ids)))
            continue
        if definition.lookup_module is not None:
            ids = (lookup_ids or {}).get(name, ())
            if other_fields and ids:
                optional[name] = st.builds(lambda i: {"id": i}, st.sampled_from(list(ids)))
            continue
        if name in keys:
            pooled = key_values(definition, pool_size)
            if mandatory and name in schema.mandatory_fields:
                required[name] = pooled
            else:
                optional[name] = st.one_of(pooled, st.none())
        elif mandatory and name in schema.mandatory_fields:
            required[name] = field_values(definition)
        elif other_fields:
            optional[name] = st.one_of(field_values(definition), st.none())
    return st.fixed_dictionaries(required, optional=optional)


def upsert_bodies(
    schema: ModuleSchema,
    *,
    min_records: int = 1,
    max_records: int = 5,
    pool_size: int = 4,
    other_fields: bool = True,
    user_ids: Sequence[str] = (User().id,),
    lookup_ids: Mapping[str, Sequence[str]] | None = None,
    record_ids: Sequence[str] = (),
) -> st.SearchStrategy[dict[str, Any]]:
    """Well-formed upsert bodies (R19, R22): ``data``, and maybe ``duplicate_check_fields``
    (drawn from the module's S ∪ U, R5/R7) and ``trigger``; references as ``records``."""
    data = st.lists(
        records(
            schema,
            pool_size=pool_size,
            other_fields=other_fields,
            user_ids=user_ids,
            lookup_ids=lookup_ids,
            record_ids=record_ids,
        ),
        min_size=min_records,
        max_size=max_records,
    )
    optional: dict[str, st.SearchStrategy[Any]] = {
        "trigger": st.lists(st.sampled_from(sorted(TRIGGER_VALUES)), unique=True, max_size=2)
    }
    if schema.duplicate_check_fields:
        optional["duplicate_check_fields"] = st.lists(
            st.sampled_from(schema.duplicate_check_fields), unique=True, min_size=1
        )
    return st.fixed_dictionaries({"data": data}, optional=optional)
