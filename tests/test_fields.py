"""Field validators and normalisers (R8, R9, R15): the fast forms agree with the plain ones."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from upsert_engine.fields import (
    FieldDef,
    convert_value,
    integer_value,
    make_validator,
    normalize_digits,
    normalize_integer,
    normalize_text,
    validate_value,
)
from upsert_engine.reference_types import check
from upsert_engine.rules import DATA_TYPE_MAX_LENGTH
from upsert_engine.schema import make_field
from upsert_engine.testing.strategies import field_values, invalid_field_values

#: Values near every boundary the validators draw: emails, phones, numbers, dates, padding.
TRICKY = st.sampled_from(
    [
        "a@x.io",
        " a@x.io ",
        "a@@x.io",
        "@x.io",
        "a@.io",
        "a@x.",
        "a@xio",
        "a b@x.io",
        "a@x.io\t",
        "a\u00a0@x.io",
        "a@x\u2028.io",
        "+1 (555) 010-0000",
        "1800-FLOWERS",
        "91(987)654321",
        "1  2. 3",
        "1  2-3. 4",
        "555 0100,22#3",
        "5550100#22",
        "p@zylker.c",
        "e\u0301@zylker.com",
        "https://www.zylker.com",
        "HTTPS://zylker.com",
        "zylker.com/a?b",
        "555",
        "--",
        "5x",
        "٣٣",
        "0042",
        "-7",
        "+7",
        "42.0",
        "1e3",
        "nan",
        "inf",
        "2026-01-15",
        "2026-1-5",
        "2026-01-15T10:00:00+05:30",
        "2026-01-15T10:00:00Z",
        "2026-01-15T10:00:00",
        "2026-01-15T24:00:00+05:30",
        "2026-02-29",
        "999999999",
        "1000000000",
        "-999999999999999999",
        "1234567890123456.123456789",
        "12345678901234567",
        ".5",
        "5.",
        "-",
        "true",
        " FALSE ",
        "",
        "   ",
        "x" * 300,
        " " + "y" * 255 + " ",
    ]
)
VALUES = st.one_of(
    TRICKY,
    st.text(max_size=40),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.one_of(st.text(max_size=5), st.integers()), max_size=3),
    st.dictionaries(st.sampled_from(["id", "name"]), st.one_of(st.text(max_size=5), st.integers())),
    st.lists(st.dictionaries(st.sampled_from(["id", "Name"]), st.text(max_size=3)), max_size=12),
    st.sampled_from([10**9, 10**9 - 1, -(10**18), 10**16 - 1, 10**16, 1.1234567891, 0.1 + 0.2]),
)
TYPES = st.sampled_from(sorted(DATA_TYPE_MAX_LENGTH))
LENGTHS = st.one_of(st.none(), st.integers(min_value=1, max_value=300))


@given(TYPES, LENGTHS, VALUES, st.booleans())
def test_specialised_validator_equals_validate_value(
    data_type: str, max_length: int | None, value: Any, check_formats: bool
) -> None:
    """R15: make_validator(type, length) answers exactly as validate_value for any value."""
    assert make_validator(data_type, max_length, check_formats)(value) == validate_value(
        data_type, max_length, value, check_formats
    )


DECIMAL_PLACES = st.one_of(st.none(), st.integers(min_value=0, max_value=9))


def _rows(data_type: str) -> tuple[FieldDef, ...]:
    """A subform's row fields (R36: a subform has at least one); none for other types."""
    return (make_field("Leads", "Name", "text"),) if data_type == "subform" else ()


@given(TYPES, LENGTHS, DECIMAL_PLACES, VALUES, st.booleans())
def test_engine_types_equal_reference_types(
    data_type: str, max_length: int | None, decimal_place: int | None, value: Any, formats: bool
) -> None:
    """R15/R28: fields.py and the reference model's own reading (reference_types.py) give
    the same INVALID_DATA details, or the same stored value of the same JSON type."""
    if data_type not in ("currency", "double", "decimal", "percent"):
        decimal_place = None
    field = make_field(
        "Leads",
        "F_X",
        data_type,
        max_length=max_length,
        decimal_place=decimal_place,
        check_formats=formats,
        rows=_rows(data_type),
    )
    problem = field.validate(value)
    details, stored = check(field, value)
    assert (None if problem is None else dict(problem)) == details
    if problem is None:
        converted = field.stored(value)
        assert (type(converted), converted) == (type(stored), stored)
        assert converted == convert_value(data_type, value, field.decimal_place)


@given(TYPES, st.one_of(st.none(), st.integers(min_value=8, max_value=300)), st.data())
def test_strategies_generate_valid_and_invalid_values(
    data_type: str, max_length: int | None, data: st.DataObject
) -> None:
    """R15: testing.strategies' values of every type are accepted (field_values) or refused
    (invalid_field_values) by the field they were drawn for, near its limits too."""
    field = make_field("Leads", "F_X", data_type, max_length=max_length, rows=_rows(data_type))
    good = data.draw(field_values(field))
    assert field.validate(good) is None, good
    bad = data.draw(invalid_field_values(field))
    assert field.validate(bad) is not None, bad


@given(VALUES)
def test_normalisers_are_total(value: Any) -> None:
    """R8/R9: normalisers never raise, and give a non-empty key or None."""
    for normalise in (normalize_text, normalize_integer, normalize_digits):
        key = normalise(value)
        assert key is None or (isinstance(key, str) and key)


def test_text_keys_ignore_case_and_padding() -> None:
    """R8: text compares after stripping, case-insensitively; empty never matches (R9)."""
    assert normalize_text(" Frey@Sample.COM\t") == normalize_text("frey@sample.com")
    assert normalize_text("   ") is None
    assert normalize_text(None) is None


def test_integer_spellings_are_one_key() -> None:
    """R8: "0042", 42 and 42.0 are one integer; 42.5 and True are not integers."""
    assert normalize_integer("0042") == normalize_integer(42) == normalize_integer(42.0) == "42"
    assert integer_value(42.5) is None
    assert integer_value(True) is None
    assert integer_value("4" * 41) is None  # too long to be in any range


def test_digits_normaliser_keeps_digits_only() -> None:
    """R8 option: normalize_digits makes phone spellings one key."""
    assert normalize_digits("+1 (555) 010-0000") == normalize_digits("15550100000")
    assert normalize_digits("--") is None
    assert normalize_digits(7) == "7"
