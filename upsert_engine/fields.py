"""Field values: validation (R15), typed storage (R28) and normalisation for matching (R8, R9).

A *normaliser* maps a stored or incoming value to the key it is matched and indexed under, or to
``None`` when the value is empty and so never matches and is never indexed (R9). Normalisers
are total: they never raise, whatever they are given (loaded data is not validated).
A *validator* returns ``None`` for an acceptable value, or the details of its INVALID_DATA
error. A *converter* turns an accepted value into the value stored and read back (R28); it
returns the very object it was given when that is already the stored form, and types stored
as sent have none. Conversion happens before matching, so keys come from stored forms (R8).
Validators avoid regular expressions: they run once per field per record on the hot path.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Context, Decimal
from types import MappingProxyType
from typing import Any, Final

from .formats import is_email, is_phone, is_url
from .rules import DATA_TYPE_MAX_LENGTH, JSON_TYPES, MAX_RECORD_ID_DIGITS

Normalizer = Callable[[Any], "str | None"]
Converter = Callable[[Any], Any]

#: INVALID_DATA details, in order: ``(("expected_data_type", t),)``, ``(("maximum_length", n),)``
#: or both (a Number field, R15).
Problem = tuple[tuple[str, "str | int"], ...]

_DIGITS: Final = frozenset("0123456789")
_MAX_INTEGER_TEXT: Final = 40  # longer digit strings are no key of any range; skip int()
#: Strings up to the length limit, nothing more (R15).
PLAIN_STRING_TYPES: Final = frozenset({"text", "textarea", "picklist"})
#: R15 [inf]: the types whose format ``Options.check_formats`` switches (Zoho's patterns).
FORMAT_CHECKS: Final[Mapping[str, Callable[[str], bool]]] = MappingProxyType(
    {"email": is_email, "phone": is_phone, "website": is_url}
)
#: JSON strings whose content is checked whatever the options say (R15).
_DATE_TYPES: Final = frozenset({"date", "datetime"})
INTEGER_TYPES: Final = frozenset({"integer", "bigint"})
NUMBER_TYPES: Final = frozenset({"currency", "double", "decimal", "percent"})
#: R15: the JSON values each number type takes: Currency and Decimal also a numeric string
#: [inf]; Percent a JSON number only.
NUMBER_JSON_KINDS: Final[Mapping[str, tuple[type, ...]]] = MappingProxyType(
    {
        "currency": (str, int, float),
        "double": (str, int, float),
        "decimal": (str, int, float),
        "percent": (int, float),
    }
)
LOOKUP_TYPES: Final = frozenset({"lookup", "ownerlookup", "userlookup"})
#: Arrays of objects (R15, R36): subform rows, multi-select lookups, uploaded files.
ROW_TYPES: Final = frozenset(
    {"subform", "multiselectlookup", "multiuserlookup", "fileupload", "imageupload"}
)
#: The only data types whose valid values are lists or objects (copied when written).
CONTAINER_TYPES: Final = frozenset({"multiselectpicklist"}) | LOOKUP_TYPES | ROW_TYPES
#: Types whose stored value may differ from the one sent (R28).
CONVERTED_TYPES: Final = INTEGER_TYPES | NUMBER_TYPES


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
        if key == value:  # the very string: an index key then shares the stored value's memory
            return value or None
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


def is_missing(value: Any) -> bool:
    """R13: a mandatory field's value that counts as absent: empty (R9), or an empty list (a
    multi-select without values, a subform without rows). The one statement of it: the
    decision and the compiled fast path both call this."""
    return is_empty(value) or (isinstance(value, list) and not value)


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


def _int_digits(number: int) -> int:
    """Digits of ``abs(number)``; for ints beyond ``str()`` (4300+ digits) a lower bound."""
    number = abs(number)
    if number.bit_length() <= 13000:
        return len(str(number))
    return number.bit_length() * 3 // 10  # log10(2) > 0.3: still far over any limit


def _digit_string(text: str) -> str | None:
    """The digits of ``[+-]digits`` (ASCII), or None."""
    body = text[1:] if text[:1] in ("+", "-") else text
    return body if body and body.isascii() and body.isdigit() else None


def integer_digits(value: Any) -> int | None:
    """R8/R15: digits of an integral Number or Long Integer value (42, 42.0, " 0042 ", "-7"),
    leading zeros not counted; None when the value is not an integer."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _int_digits(value)
    if isinstance(value, float):
        return _int_digits(int(value)) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        digits = _digit_string(value.strip())
        return None if digits is None else len(digits.lstrip("0")) or 1
    return None


def number_digits(value: Any) -> int | None:
    """R15: digits before the point of a Currency/Decimal/Percent value: a finite JSON
    number, or a string of an optional sign, digits and at most one point [inf]; None if it
    is not one. Leading zeros are not counted."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _int_digits(value)
    if isinstance(value, float):
        return _int_digits(int(value)) if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        whole, _, fraction = (text[1:] if text[:1] in ("+", "-") else text).partition(".")
        if not (whole or fraction) or not (whole + fraction).isascii():
            return None
        if (whole and not whole.isdigit()) or (fraction and not fraction.isdigit()):
            return None
        return len(whole.lstrip("0")) or 1
    return None


def _two_digits(text: str, high: int) -> bool:
    return len(text) == 2 and text.isascii() and text.isdigit() and int(text) <= high


def valid_date(text: str) -> bool:
    """R15: ``yyyy-MM-dd``, a real calendar date (ASCII digits only)."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return False
    year, month, day = text[:4], text[5:7], text[8:]
    if not (year + month + day).isascii() or not (year + month + day).isdigit():
        return False
    try:
        date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def valid_datetime(text: str) -> bool:
    """R15: ``yyyy-MM-ddTHH:mm:ss±HH:mm`` exactly (a real date, a time of day, an offset
    under 24 hours [inf]); no fractions of a second, no ``Z``."""
    return (
        len(text) == 25
        and valid_date(text[:10])
        and text[10] == "T"
        and text[13] == text[16] == text[22] == ":"
        and text[19] in "+-"
        and _two_digits(text[11:13], 23)
        and _two_digits(text[14:16], 59)
        and _two_digits(text[17:19], 59)
        and _two_digits(text[20:22], 23)
        and _two_digits(text[23:25], 59)
    )


def _valid_lookup(value: dict[Any, Any], by_external: bool) -> bool:
    """``{"id": ..., "name": ...}``: an object of scalars with a record id; for a record
    lookup also a non-empty object of scalars without ``id`` (an external key, R24: resolved
    by the decision, R33). A bare id is no object: refused before this (R15, R33)."""
    if not all(isinstance(v, (str, int, float, bool)) or v is None for v in value.values()):
        return False
    if "id" in value:
        return is_record_id(value["id"])
    return by_external and bool(value)


def _kind(data_type: str) -> Problem:
    """R15: the value is not of the JSON kind the type takes: name that JSON type."""
    return (("expected_data_type", JSON_TYPES[data_type]),)


def validate_value(
    data_type: str, max_length: int | None, value: Any, check_formats: bool = True
) -> Problem | None:
    """R15: None when ``value`` fits a field of ``data_type``, else the INVALID_DATA details.

    Empty values (R9) are always acceptable: they clear the field. Strings are checked with
    surrounding white space stripped. ``expected_data_type`` names Zoho's ``data_type`` when
    the JSON kind is right but the content is not, the JSON type (``string``, ``jsonarray``,
    ``jsonobject``, ``boolean``, ``double``...) when the kind is wrong; ``maximum_length``
    comes with a value over the field's limit, and with every error of a Number field.
    """
    if is_empty(value):
        return None
    wrong: Problem = (("expected_data_type", data_type),)
    if data_type == "integer":  # R15 [obs formie]: maximum_length with every error
        digits = integer_digits(value)
        if digits is not None and (max_length is None or digits <= max_length):
            return None
        return wrong if max_length is None else (*wrong, ("maximum_length", max_length))
    too_long: Problem = (("maximum_length", max_length if max_length is not None else 0),)
    if JSON_TYPES[data_type] == "string" and data_type != "bigint":
        if not isinstance(value, str):
            return _kind(data_type)
        text = value.strip()
        if data_type in _DATE_TYPES:  # their form fixes their length: no length check [inf]
            ok = valid_date(text) if data_type == "date" else valid_datetime(text)
            return None if ok else wrong
        if max_length is not None and len(text) > max_length:
            return too_long
        if check_formats and data_type in FORMAT_CHECKS and not FORMAT_CHECKS[data_type](text):
            return wrong
        return None
    if data_type == "bigint":
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return _kind(data_type)
        digits = integer_digits(value)
        if digits is None:
            return wrong
        return too_long if max_length is not None and digits > max_length else None
    if data_type in NUMBER_TYPES:
        if isinstance(value, bool) or not isinstance(value, NUMBER_JSON_KINDS[data_type]):
            return _kind(data_type)
        digits = number_digits(value)
        if digits is None:
            return wrong
        return too_long if max_length is not None and digits > max_length else None
    if data_type == "boolean":
        return None if isinstance(value, bool) else _kind(data_type)
    if data_type in LOOKUP_TYPES:
        if not isinstance(value, dict):
            return _kind(data_type)
        return None if _valid_lookup(value, data_type == "lookup") else wrong
    if not isinstance(value, list):  # multiselectpicklist and ROW_TYPES: JSON arrays
        return _kind(data_type)
    if data_type == "multiselectpicklist":
        return None if all(isinstance(item, str) for item in value) else wrong
    if data_type not in ROW_TYPES:  # pragma: no cover - schema.py admits only known types
        raise AssertionError(f"unknown data type {data_type!r}")
    if max_length is not None and len(value) > max_length:
        return too_long
    if data_type == "subform":  # R36: its rows are checked key by key (subforms.check_rows)
        return None
    return None if all(isinstance(row, dict) for row in value) else wrong


Validator = Callable[[Any], "Problem | None"]


def string_form(
    data_type: str, max_length: int | None, check_formats: bool = True
) -> tuple[int, Callable[[str], bool] | None] | None:
    """R15 for a str value of a string type, as data: ``(limit, form)``.

    A str value is valid exactly when its stripped text is empty, or is at most ``limit``
    characters long (-1: no limit) and ``form`` accepts it (None: any text). None for the
    types whose values are not checked this way. ``make_validator`` builds its string checks
    from it, and the compiled fast path (_fastcode.py) inlines the same two tests.
    """
    limit = max_length if max_length is not None else -1
    if data_type in PLAIN_STRING_TYPES or (not check_formats and data_type in FORMAT_CHECKS):
        return limit, None
    if data_type in FORMAT_CHECKS:
        return limit, FORMAT_CHECKS[data_type]
    return None


def make_validator(data_type: str, max_length: int | None, check_formats: bool = True) -> Validator:
    """``validate_value`` specialised to one field: the same answer for every value, faster.

    The string types get their own closure, built from ``string_form`` (no dispatch on the
    type name per call); the others delegate to ``validate_value``.
    """
    wrong_kind = _kind(data_type)
    wrong_form: Problem = (("expected_data_type", data_type),)
    too_long: Problem = (("maximum_length", max_length if max_length is not None else 0),)
    rule = string_form(data_type, max_length, check_formats)

    if rule is not None and rule[1] is None:
        limit = rule[0]

        def check_string(value: Any) -> Problem | None:
            if value is None:
                return None
            if not isinstance(value, str):
                return wrong_kind
            if limit < 0 or len(value) <= limit:  # stripping cannot make it longer
                return None
            return too_long if len(value.strip()) > limit else None

        return check_string

    if rule is not None:
        limit, well_formed = rule
        assert well_formed is not None

        def check_format(value: Any) -> Problem | None:  # email, phone, URL: length, then form
            if value is None:
                return None
            if not isinstance(value, str):
                return wrong_kind
            text = value.strip()
            if not text:
                return None
            if limit >= 0 and len(text) > limit:
                return too_long
            return None if well_formed(text) else wrong_form

        return check_format

    def check_other(value: Any) -> Problem | None:
        return validate_value(data_type, max_length, value, check_formats)

    return check_other


# --- typed values (R28) ---------------------------------------------------------------------------
def _truncated(exact: Decimal, decimal_place: int | None) -> Decimal:
    """R15 [doc]: digits after ``decimal_place`` are cut off (toward zero) when stored."""
    parts = exact.as_tuple()
    if decimal_place is None or int(parts.exponent) >= -decimal_place:  # finite: an int
        return exact
    context = Context(prec=len(parts.digits) + decimal_place + 1)  # room for every digit kept
    cut = exact.quantize(Decimal(1).scaleb(-decimal_place), rounding=ROUND_DOWN, context=context)
    return exact if cut == exact else cut  # only zeros cut off: unchanged


def convert_value(data_type: str, value: Any, decimal_place: int | None = None) -> Any:
    """R28: the value stored and read back for an accepted ``value`` of ``data_type``.

    Number: a JSON integer ("0042" and 42.0 read back 42). Long Integer: a string of digits
    (42 and "+0042" read back "42"). Currency, Decimal, Percent: a JSON number; a numeric
    string reads back as the number it spells (an int without a point, else the nearest
    float [inf]); digits beyond ``decimal_place`` are truncated [doc]. Everything else, and
    empty values (R9), as sent. Returns ``value`` itself when it is already the stored form.
    """
    if is_empty(value) or data_type not in CONVERTED_TYPES:
        return value
    if data_type == "integer":
        if value.__class__ is int:
            return value
        return int(value) if isinstance(value, float) else int(value.strip())
    if data_type == "bigint":
        text = str(int(value)) if isinstance(value, (int, float)) else str(int(value.strip()))
        return value if value == text else text
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if decimal_place is None:
            return value
        exact = Decimal(repr(value))
        cut = _truncated(exact, decimal_place)
        return value if cut is exact else float(cut)
    text = value.strip()
    if "." not in text:
        return int(text)
    return float(_truncated(Decimal(text), decimal_place))


def make_converter(data_type: str, decimal_place: int | None = None) -> Converter | None:
    """``convert_value`` for one field, or None for types stored as sent."""
    if data_type not in CONVERTED_TYPES:
        return None

    def convert(value: Any) -> Any:
        return convert_value(data_type, value, decimal_place)

    return convert


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One field of a module: API name, Zoho data type, limits, uniqueness (R1, R15, R28).

    ``max_length`` is Zoho's field ``length``: characters for text types, digits for
    Number and Long Integer, digits before the point for Currency, Decimal and Percent, rows
    or files for arrays of objects. ``decimal_place``: digits kept after the point.
    """

    api_name: str
    data_type: str
    max_length: int | None = None
    unique: bool = False
    normalizer: Normalizer = normalize_text
    #: R15 [inf]: whether email, phone and URL values must also have Zoho's format.
    check_formats: bool = True
    decimal_place: int | None = None
    #: R24: "org" or "user" for an external field (a duplicate check field), else None.
    external: str | None = None
    #: R33: the module a lookup field looks up, when known (its ids are checked against it).
    lookup_module: str | None = None
    #: R15: a picklist's configured values, as its field metadata lists them; a value outside
    #: them is still accepted (Zoho: "pass an existing pick list value or add a new one").
    pick_list_values: tuple[str, ...] = ()
    #: R36: a subform's row fields, in order (empty for every other type) ...
    rows: tuple[FieldDef, ...] = ()
    #: ... and the row fields a new row must carry (line items: Product_Name, Quantity).
    row_mandatory: tuple[str, ...] = ()
    #: ``validate_value`` specialised to this field (derived, not compared).
    check: Validator = field(init=False, repr=False, compare=False)
    #: R28: ``convert_value`` for this field, None when values are stored as sent (derived).
    convert: Converter | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "check", make_validator(self.data_type, self.max_length, self.check_formats)
        )
        object.__setattr__(self, "convert", make_converter(self.data_type, self.decimal_place))

    def validate(self, value: Any) -> Problem | None:
        """R15: None if ``value`` may be written to this field, else the INVALID_DATA details."""
        return self.check(value)

    def stored(self, value: Any) -> Any:
        """R28: the form in which an accepted ``value`` is stored and read back."""
        return value if self.convert is None else self.convert(value)

    def row_field(self, name: str) -> FieldDef | None:
        """R36: the row field ``name`` of this subform, or None."""
        return next((row for row in self.rows if row.api_name == name), None)

    def key(self, value: Any) -> str | None:
        """R8/R9: the normalised match key of ``value``; None when it never matches."""
        if value is None:
            return None
        return self.normalizer(value) or None


def known_data_types() -> tuple[str, ...]:
    """Every data type a field may be declared with."""
    return tuple(DATA_TYPE_MAX_LENGTH)
