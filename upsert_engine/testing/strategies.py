"""Hypothesis strategies for Zoho records and upsert bodies of a module configuration.

    from upsert_engine import Engine
    from upsert_engine.testing.strategies import upsert_bodies

    engine = Engine()
    engine.add_field("Leads", "Mobile", "phone", unique=True)

    @given(upsert_bodies(engine.schema("Leads")))
    def test_...(body): ...

Every generated value is valid for its field (R15), so records fail only for the reasons the
engine decides (matching, mandatory fields, uniqueness: R10-R14). Duplicate check fields
(external fields included, R24) draw from a small pool of values, spelled in the variants R8
treats as equal (case, surrounding white space, ``"0042"`` for 42), so that records match and
collide often. Owner and user lookups name one of ``user_ids`` (R32: the default user unless
given); a lookup to a module of the org names one of ``lookup_ids[field]``, and is left out
when none are given (R33: any other id would be refused); ``record_ids`` given, a record
sometimes carries one as ``id`` (R25).
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from ..fields import FieldDef
from ..options import User
from ..rules import INTEGER_RANGES, TRIGGER_VALUES, USER_DATA_TYPES
from ..schema import ModuleSchema

_WORD = string.ascii_letters + string.digits
_LOWER = string.ascii_lowercase + string.digits
PICKLIST_VALUES = ("-None-", "Contacted", "Not Contacted", "Attempted to Contact")
_OFFSETS = (timezone.utc, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-7)))


def _bounded_text(max_length: int | None, alphabet: str = _WORD + " ") -> st.SearchStrategy[str]:
    limit = min(max_length or 40, 40)
    return st.text(alphabet=alphabet, min_size=1, max_size=limit).filter(lambda s: s.strip() != "")


def _emails(max_length: int | None) -> st.SearchStrategy[str]:
    parts = st.text(alphabet=_LOWER, min_size=1, max_size=10)
    emails = st.builds(lambda a, b: f"{a}@{b}.com", parts, parts)
    return emails.filter(lambda e: len(e) <= (max_length or 100))


def _phones(max_length: int | None) -> st.SearchStrategy[str]:
    digits = st.text(string.digits, min_size=1, max_size=max(1, min(max_length or 30, 15) - 1))
    return st.builds(lambda plus, d: plus + d, st.sampled_from(["", "+"]), digits)


def field_values(definition: FieldDef) -> st.SearchStrategy[Any]:
    """Valid, non-empty values of one field (R15), as a client would send them in JSON."""
    kind, limit = definition.data_type, definition.max_length
    if kind in ("text", "textarea"):
        return _bounded_text(limit)
    if kind == "email":
        return _emails(limit)
    if kind == "phone":
        return _phones(limit)
    if kind == "website":
        return st.builds(
            lambda d: f"https://{d}.example.com", st.text(_LOWER, min_size=1, max_size=12)
        )
    if kind == "picklist":
        return st.sampled_from(PICKLIST_VALUES)
    if kind == "multiselectpicklist":
        return st.lists(st.sampled_from(PICKLIST_VALUES[1:]), unique=True, max_size=3)
    if kind in INTEGER_RANGES:
        low, high = INTEGER_RANGES[kind]
        return st.integers(low, high)
    if kind in ("double", "currency", "percent", "decimal"):
        return st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False).map(
            lambda x: round(x, 2)
        )
    if kind == "boolean":
        return st.booleans()
    if kind == "date":
        return st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(date.isoformat)
    if kind == "datetime":
        moments = st.datetimes(
            datetime(1970, 1, 1), datetime(2100, 1, 1), timezones=st.sampled_from(_OFFSETS)
        )
        return moments.map(lambda m: m.isoformat(timespec="seconds"))
    # lookup, ownerlookup, userlookup: a reference by id
    return st.integers(0, 10**6).map(lambda n: {"id": str(5725767000000000000 + n)})


def _pool_value(definition: FieldDef, i: int) -> Any:
    kind = definition.data_type
    if kind == "email":
        return f"key{i}@example.com"
    if kind == "phone":
        return f"+1 555 0{i:03d}"
    if kind == "website":
        return f"https://key{i}.example.com"
    if kind in INTEGER_RANGES:
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
