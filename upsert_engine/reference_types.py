"""The reference model's reading of R15 (types, formats, limits) and R28 (typed values).

Written again, plainly and apart from fields.py and formats.py, so that the two can be tested
against each other: formats are regular expressions (Zoho's published patterns, restated
without atomic groups or ``\\p{..}`` classes, see below), limits are comparisons with powers of
ten, truncation is string slicing. Slow and obvious; for the reference model only.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date
from decimal import Decimal
from typing import Any, Final

from .fields import FieldDef

# --- Zoho's patterns (R15; https://www.zoho.com/crm/developer/docs/api/v7/insert-records.html)
#: Email, over a copy of the value where every letter or mark is "a", every number "9" and
#: every character outside the pattern's classes NUL: Zoho's pattern with \p{L}\p{M} -> a,
#: \p{N} -> 9 and a label written ``[a9](?:[a9_-]*[a9])?`` (the same strings, no blow-up).
_EMAIL: Final = re.compile(
    r"[+\-a9_][a9!#$%&'*+\-/=?^_`{|}~.]*@(?=.{4,256}\Z)(?:[a9](?:[a9_-]*[a9])?\.)+a{2,22}\Z", re.S
)
_EMAIL_KEPT: Final = frozenset("!#$%&'*+-/=?^_`{|}~.@")

#: Phone: Zoho's pattern, its atomic groups worked out (tests/test_formats.py compares the two
#: on every string of up to 9 characters over "1a .-+,;#").
_R: Final = "[0-9A-Za-z]+"
_TWO_SPACE_RUN: Final = rf"  {_R}(?:\.{_R})*(?:[ -]{_R}(?:[ .-]{_R})*|(?!\.))"
_PHONE: Final = re.compile(
    rf"\+?(?: ?{_R}|{_TWO_SPACE_RUN})(?:(?:[.-] ?| ){_R}|{_TWO_SPACE_RUN})*"
    rf"(?:(?:(?:,+;?|;){_R})+(?:#{_R})*)?[#;]?\Z"
)
#: R15 [inf]: parentheses around a group (``91(987)654321``): "(" before and ")" after a
#: letter or digit, paired, not nested; they are dropped before the pattern applies.
_PARENTHESES: Final = re.compile(r"(?:[^()]|\((?=[0-9A-Za-z])[^()]*(?<=[0-9A-Za-z])\))*\Z")

#: URL: Zoho's pattern; Java's "." (no line terminator) written out, ``([\/\?].*)*`` as the
#: equivalent ``(?:[/?].*)?``.
_DOT: Final = "[^\n\r\u0085\u2028\u2029]"
_URL: Final = re.compile(
    rf"(?:http://www{_DOT}|https://www{_DOT}|ftp://www{_DOT}|www{_DOT}|http://|https://|ftp://|)"
    r"[^\x00-\x19\x22-\x27\x2A-\x2C\x2E-\x2F\x3A-\x3F\x5B-\x5E\x60\x7B\x7D-\x7F]+"
    r"(?:\.[^\x00-\x19\x22\x24-\x2C\x2E-\x2F\x3C\x3E\x40\x5B-\x5E\x60\x7B\x7D-\x7F]+)+"
    rf"(?:[/?]{_DOT}*)?\Z"
)

_INTEGER: Final = re.compile(r"[+-]?([0-9]+)\Z")
_NUMBER: Final = re.compile(r"[+-]?([0-9]*)(?:\.([0-9]*))?\Z")
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_DATETIME: Final = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})[+-]([0-9]{2}):([0-9]{2})\Z"
)


def email_ok(text: str) -> bool:
    """Zoho's email pattern (R15)."""
    shape = []
    for char in text:
        category = unicodedata.category(char)
        if char in _EMAIL_KEPT:
            shape.append(char)
        elif category[0] in "LM":
            shape.append("a")
        elif category[0] == "N":
            shape.append("9")
        else:
            shape.append("\0")
    return _EMAIL.match("".join(shape)) is not None


def phone_ok(text: str) -> bool:
    """Zoho's phone pattern (R15), parentheses allowed around a group [inf]."""
    if _PARENTHESES.match(text) is None:
        return False
    return _PHONE.match(text.replace("(", "").replace(")", "")) is not None


def url_ok(text: str) -> bool:
    """Zoho's URL pattern (R15)."""
    return _URL.match(text) is not None


def _date_ok(text: str) -> bool:
    if _DATE.match(text) is None:
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _datetime_ok(text: str) -> bool:
    found = _DATETIME.match(text)
    if found is None or not _date_ok(found.group(1)):
        return False
    hour, minute, second, off_hour, off_minute = (int(g) for g in found.groups()[1:])
    return hour < 24 and minute < 60 and second < 60 and off_hour < 24 and off_minute < 60


# --- the JSON kinds each type takes (R15) ----------------------------------------------------
_STRING_TYPES: Final = ("text", "textarea", "picklist", "email", "phone", "website", "date")
_KINDS: Final[dict[str, tuple[str, tuple[type, ...]]]] = {
    **dict.fromkeys((*_STRING_TYPES, "datetime"), ("string", (str,))),
    "integer": ("integer", (int, float, str)),
    "bigint": ("string", (int, float, str)),
    **dict.fromkeys(("currency", "double", "decimal"), ("double", (int, float, str))),
    "percent": ("double", (int, float)),  # R15: a JSON number only
    "boolean": ("boolean", (bool,)),
    **dict.fromkeys(("lookup", "ownerlookup", "userlookup"), ("jsonobject", (dict,))),
    "multiselectpicklist": ("jsonarray", (list,)),
    **dict.fromkeys(
        ("subform", "multiselectlookup", "multiuserlookup", "fileupload", "imageupload"),
        ("jsonarray", (list,)),
    ),
}


def _of_kind(value: Any, takes: tuple[type, ...]) -> bool:
    return isinstance(value, takes)


def _whole(value: int | float) -> int | None:
    """The integer an integral JSON number stands for (42, 42.0), else None."""
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value == int(value) else None
    return value


def _plain(number: Decimal) -> str:
    return format(number, "f")


def _stored_number(value: Any, decimal_place: int | None) -> Any:
    """R28: a JSON number; digits after ``decimal_place`` cut off [doc]."""
    if isinstance(value, int):
        return value
    text = _plain(Decimal(repr(value))) if isinstance(value, float) else value.strip()
    if isinstance(value, str) and "." not in text:
        return int(text)
    whole, _, fraction = text.partition(".")
    if decimal_place is not None and len(fraction.rstrip("0")) > decimal_place:
        return float(Decimal(f"{whole or '0'}.{fraction[:decimal_place] or '0'}"))
    return value if isinstance(value, float) else float(Decimal(text))


def check(definition: FieldDef, value: Any) -> tuple[dict[str, Any] | None, Any]:
    """R15 and R28 for one value: (INVALID_DATA details or None, the value as stored)."""
    kind, limit = definition.data_type, definition.max_length
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None, value  # R9: empty clears the field
    json_type, takes = _KINDS[kind]
    named: dict[str, Any] = {"expected_data_type": kind}
    if kind == "integer":
        named = {**named, "maximum_length": limit} if limit is not None else named
    if (isinstance(value, bool) and kind != "boolean") or not _of_kind(value, takes):
        return (named if kind == "integer" else {"expected_data_type": json_type}), None
    over: dict[str, Any] = {"maximum_length": limit}
    if kind in _STRING_TYPES or kind == "datetime":
        text = value.strip()
        if kind == "date":  # a date or time has its own length: no length check [inf]
            return (None, value) if _date_ok(text) else (named, None)
        if kind == "datetime":
            return (None, value) if _datetime_ok(text) else (named, None)
        if limit is not None and len(text) > limit:
            return over, None
        formats = {"email": email_ok, "phone": phone_ok, "website": url_ok}
        if definition.check_formats and kind in formats and not formats[kind](text):
            return named, None
        return None, value
    if kind in ("integer", "bigint"):
        if isinstance(value, str):
            found = _INTEGER.match(value.strip())
            if found is None:
                return named, None
            if limit is not None and len(found.group(1).lstrip("0")) > limit:
                return (named if kind == "integer" else over), None  # before int(): any size
            number: int | None = int(value.strip())
        else:
            number = _whole(value)
        if number is None:
            return named, None
        if limit is not None and abs(number) >= 10**limit:
            return (named if kind == "integer" else over), None
        return None, (number if kind == "integer" else str(number))
    if kind in ("currency", "double", "decimal", "percent"):
        if isinstance(value, float):
            if not math.isfinite(value):
                return named, None
            whole = abs(int(value))
        elif isinstance(value, int):
            whole = abs(value)
        else:
            found = _NUMBER.match(value.strip())
            if found is None or not (found.group(1) or found.group(2)):
                return named, None
            digits = (found.group(1) or "0").lstrip("0")
            if limit is not None and len(digits) > limit:
                return over, None
            whole = int(digits or "0")
        if limit is not None and whole >= 10**limit:
            return over, None
        return None, _stored_number(value, definition.decimal_place)
    if kind == "boolean":
        return None, value
    if kind in ("lookup", "ownerlookup", "userlookup"):
        record_id = value.get("id")
        good_id = (
            isinstance(record_id, int)
            and not isinstance(record_id, bool)
            and 0 <= record_id < 10**32
        ) or (isinstance(record_id, str) and re.fullmatch(r"[0-9]{1,32}", record_id) is not None)
        if "id" not in value and kind == "lookup":  # R24, R33: an external key, resolved later
            good_id = len(value) > 0
        scalars = all(v is None or isinstance(v, (str, int, float, bool)) for v in value.values())
        return (None, value) if good_id and scalars else (named, None)
    if kind == "multiselectpicklist":
        return (None, value) if all(isinstance(v, str) for v in value) else (named, None)
    if limit is not None and len(value) > limit:
        return over, None
    if kind == "subform":  # R36: its rows are read key by key, each where it stands
        return None, value
    return (None, value) if all(isinstance(row, dict) for row in value) else (named, None)


__all__ = ["check", "email_ok", "phone_ok", "url_ok"]
