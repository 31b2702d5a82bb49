"""Field values: validation per Zoho data type (R15) and normalisation for matching (R8, R9).

A *normaliser* maps a stored or incoming value to the key it is matched and indexed under, or to
``None`` when the value is empty and so never matches and is never indexed (R9). Normalisers
are total: they never raise, whatever they are given (loaded data is not validated).
A *validator* returns ``None`` for an acceptable value, or the detail of an INVALID_DATA error.
Both avoid regular expressions: they run once per field per record on the hot path.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Final

from .rules import DATA_TYPE_MAX_LENGTH, INTEGER_RANGES, MAX_RECORD_ID_DIGITS

Normalizer = Callable[[Any], "str | None"]

#: An INVALID_DATA detail: ``("expected_data_type", type)`` or ``("maximum_length", n)``.
Problem = tuple[str, "str | int"]

_PHONE_PUNCTUATION: Final = " +-()."
_PHONE_CHARS_TEXT: Final = "0123456789" + _PHONE_PUNCTUATION
_DIGITS: Final = frozenset("0123456789")
#: The only data types whose valid values may be lists or objects (copied when written).
CONTAINER_TYPES: Final = frozenset({"multiselectpicklist", "lookup", "ownerlookup", "userlookup"})
#: Types whose valid non-empty values are exactly the strings up to the length limit (R15).
PLAIN_STRING_TYPES: Final = frozenset({"text", "textarea", "picklist", "website"})
_MAX_INTEGER_TEXT: Final = 40  # longer digit strings cannot be in range; skip int() on them


# --- normalisers (R8) ---------------------------------------------------------------------------
def _int_text(number: int) -> str | None:
    """``str(number)``, or None for an int too long for ``str()`` (over 4300 digits)."""
    try:
        return str(number)
    except ValueError:
        return None


def normalize_text(value: Any) -> str | None:
    """R8: strip surrounding white space, compare case-insensitively; empty → None (R9)."""
    if isinstance(value, str):
        key = value.strip().lower()
        return key or None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):  # loaded data only; beyond float range too (no isfinite)
        return _int_text(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(value).lower()
    return None


def integer_value(value: Any) -> int | None:
    """The integer a Number/Long Integer value stands for (R8: "0042", 42, 42.0), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] in ("-", "+") else text
        if digits and len(digits) <= _MAX_INTEGER_TEXT and digits.isascii() and digits.isdigit():
            return int(text)
    return None


def normalize_integer(value: Any) -> str | None:
    """R8: Number and Long Integer compare as integers; empty or non-integral → None."""
    number = integer_value(value)
    return None if number is None else _int_text(number)


def normalize_digits(value: Any) -> str | None:
    """An alternative phone normaliser: keep only the digits ("+1 (555) 010-0000" → 15550100000).

    Not a default: the spec (R8) compares phones as text. Install it per field with
    ``engine.add_field(..., normalizer=normalize_digits)``.
    """
    if not isinstance(value, str):
        return normalize_text(value)
    return "".join(c for c in value if c in _DIGITS) or None


DEFAULT_NORMALIZERS: Final[Mapping[str, Normalizer]] = MappingProxyType(
    {"integer": normalize_integer, "bigint": normalize_integer}
)


def default_normalizer(data_type: str) -> Normalizer:
    """The R8 normaliser of a data type (text comparison unless the type is integral)."""
    return DEFAULT_NORMALIZERS.get(data_type, normalize_text)


# --- validators (R15) ---------------------------------------------------------------------------
def is_empty(value: Any) -> bool:
    """R9: null, or a string that is empty once stripped."""
    return value is None or (isinstance(value, str) and not value.strip())


def _check_string(value: Any, data_type: str, max_length: int | None) -> Problem | None:
    if not isinstance(value, str):
        return ("expected_data_type", data_type)
    if max_length is not None and len(value.strip()) > max_length:
        return ("maximum_length", max_length)
    return None


def _valid_email(text: str) -> bool:
    """``local@domain``: one @ after a non-empty local part; in the domain a dot with text
    before and after it, not in first place; no white space anywhere."""
    at = text.find("@")
    if at < 1 or text.find("@", at + 1) >= 0:
        return False
    dot = text.rfind(".")  # the domain's last dot, if the domain has one
    if dot <= at + 1 or dot == len(text) - 1 or text[at + 1] == ".":
        return False
    if text.isascii() and text.isprintable():  # ASCII white space other than " " is unprintable
        return " " not in text
    return text.split(None, 1) == [text]  # str.split() splits on exactly what isspace() accepts


def _valid_phone(text: str) -> bool:
    """Only digits and ``+-(). `` (nothing left once they are stripped), and a digit."""
    return not text.strip(_PHONE_CHARS_TEXT) and bool(text.strip(_PHONE_PUNCTUATION))


def _valid_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        try:
            return math.isfinite(value)
        except OverflowError:  # an int beyond float range
            return False
    if isinstance(value, str) and len(value) <= 64:
        try:
            return math.isfinite(float(value))
        except ValueError:
            return False
    return False


def _valid_date(value: Any) -> bool:
    if not isinstance(value, str) or len(value.strip()) != 10:
        return False
    try:
        date.fromisoformat(value.strip())
    except ValueError:
        return False
    return True


def _valid_datetime(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 64:
        return False
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return False
    return parsed.tzinfo is not None


_RECORD_ID_BOUND = 10**MAX_RECORD_ID_DIGITS


def record_id_text(value: Any) -> str | None:
    """A record id as a client may send it, as the engine keeps it, or None if it is none.

    Accepted: a non-negative int or a str of ASCII digits, at most ``MAX_RECORD_ID_DIGITS``
    (32) digits either way; so every id the engine holds stays far below Python's
    int-string limit (4300 digits), and ``str()`` of an int is only called on small ones.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if 0 <= value < _RECORD_ID_BOUND else None
    if (
        isinstance(value, str)
        and 0 < len(value) <= MAX_RECORD_ID_DIGITS
        and value.isascii()
        and value.isdigit()
    ):
        return value
    return None


def is_record_id(value: Any) -> bool:
    """Whether ``value`` is a record id as a client may send it (``record_id_text``)."""
    return record_id_text(value) is not None


def _valid_lookup(value: Any, by_external: bool) -> bool:
    """``{"id": ..., ...}`` (an object of scalars), or a bare id; for a record lookup also an
    object of scalars without ``id`` (an external key, R24: resolved by the decision, R33)."""
    if isinstance(value, dict):
        scalars = all(isinstance(v, (str, int, float, bool)) or v is None for v in value.values())
        if "id" in value:
            return scalars and is_record_id(value["id"])
        return by_external and scalars and bool(value)
    return is_record_id(value)


def validate_value(
    data_type: str, max_length: int | None, value: Any, check_formats: bool = True
) -> Problem | None:
    """R15: None when ``value`` fits a field of ``data_type``, else the INVALID_DATA detail.

    Empty values (R9) are always acceptable: they clear the field. Validation looks at the
    value with surrounding white space stripped.
    """
    if is_empty(value):
        return None
    if data_type in ("text", "textarea", "picklist", "website"):
        return _check_string(value, data_type, max_length)
    if not check_formats and data_type in _FORMAT_CHECKS:  # Options.check_formats=False
        return _check_string(value, data_type, max_length)
    if data_type == "email":
        problem = _check_string(value, data_type, max_length)
        if problem is None and not _valid_email(value.strip()):
            return ("expected_data_type", data_type)
        return problem
    if data_type == "phone":
        problem = _check_string(value, data_type, max_length)
        if problem is None and not _valid_phone(value.strip()):
            return ("expected_data_type", data_type)
        return problem
    if data_type in INTEGER_RANGES:
        number = integer_value(value)
        low, high = INTEGER_RANGES[data_type]
        if number is None or not low <= number <= high:
            return ("expected_data_type", data_type)
        return None
    ok: bool
    if data_type in ("double", "currency", "percent", "decimal"):
        ok = _valid_number(value)
    elif data_type == "boolean":
        ok = isinstance(value, bool) or (
            isinstance(value, str) and value.strip().lower() in ("true", "false")
        )
    elif data_type == "date":
        ok = _valid_date(value)
    elif data_type == "datetime":
        ok = _valid_datetime(value)
    elif data_type == "multiselectpicklist":
        ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
    elif data_type in ("lookup", "ownerlookup", "userlookup"):
        ok = _valid_lookup(value, data_type == "lookup")
    else:  # pragma: no cover - schema.py admits only types of DATA_TYPE_MAX_LENGTH
        raise AssertionError(f"unknown data type {data_type!r}")
    return None if ok else ("expected_data_type", data_type)


Validator = Callable[[Any], "Problem | None"]

#: R15 [inf]: the formats of email and phone values (stripped, non-empty, within length).
_FORMAT_CHECKS: Final[Mapping[str, Callable[[str], bool]]] = MappingProxyType(
    {"email": _valid_email, "phone": _valid_phone}
)


def make_validator(data_type: str, max_length: int | None, check_formats: bool = True) -> Validator:
    """``validate_value`` specialised to one field: the same answer for every value, faster.

    The common types get their own closure (no dispatch on the type name per call); the
    others delegate to ``validate_value``.
    """
    wrong_type: Problem = ("expected_data_type", data_type)
    too_long: Problem = ("maximum_length", max_length if max_length is not None else 0)
    limit = max_length if max_length is not None else -1

    if data_type in PLAIN_STRING_TYPES or (not check_formats and data_type in _FORMAT_CHECKS):

        def check_string(value: Any) -> Problem | None:
            if value is None:
                return None
            if not isinstance(value, str):
                return wrong_type
            if limit < 0 or len(value) <= limit:  # stripping cannot make it longer
                return None
            return too_long if len(value.strip()) > limit else None

        return check_string

    if data_type in _FORMAT_CHECKS:
        well_formed = _FORMAT_CHECKS[data_type]

        def check_format(value: Any) -> Problem | None:  # email, phone: length, then form
            if value is None:
                return None
            if not isinstance(value, str):
                return wrong_type
            text = value.strip()
            if not text:
                return None
            if limit >= 0 and len(text) > limit:
                return too_long
            return None if well_formed(text) else wrong_type

        return check_format

    def check_other(value: Any) -> Problem | None:
        return validate_value(data_type, max_length, value, check_formats)

    return check_other


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One field of a module: API name, Zoho data type, length limit, uniqueness (R1, R15)."""

    api_name: str
    data_type: str
    max_length: int | None = None
    unique: bool = False
    normalizer: Normalizer = normalize_text
    #: R15 [inf]: whether email and phone values must also have their format (``Options``).
    check_formats: bool = True
    #: R24: "org" or "user" for an external field (a duplicate check field), else None.
    external: str | None = None
    #: R33: the module a lookup field looks up, when known (its ids are checked against it).
    lookup_module: str | None = None
    #: ``validate_value`` specialised to this field (derived, not compared).
    check: Validator = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "check", make_validator(self.data_type, self.max_length, self.check_formats)
        )

    def validate(self, value: Any) -> Problem | None:
        """R15: None if ``value`` may be written to this field, else the INVALID_DATA detail."""
        return self.check(value)

    def key(self, value: Any) -> str | None:
        """R8/R9: the normalised match key of ``value``; None when it never matches."""
        if value is None:
            return None
        return self.normalizer(value) or None


def known_data_types() -> tuple[str, ...]:
    """Every data type a field may be declared with."""
    return tuple(DATA_TYPE_MAX_LENGTH)
