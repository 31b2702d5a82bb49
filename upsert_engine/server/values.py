"""How the fake server's queries compare a stored value with a literal, per field type (pure).

Search criteria (``criteria``), COQL (``coql``) and list sorting
(``listing``) share these rules. A field's Zoho ``data_type`` maps to a *kind*; a
literal is parsed for its kind once (``parse_literal``, which raises ``LiteralError`` naming
the expected data type), and a stored value is read the same way (``stored``), so that
comparing is plain Python comparison of like values:

- text kinds compare case-insensitively with surrounding white space stripped (R8: Zoho's
  unique metadata is case-insensitive; its search and COQL ignore case [inf]);
- numbers compare as ``Decimal`` (``"0042"`` = 42, R8); dates as ``date``; date-times as aware
  ``datetime`` (a literal needs an offset: Zoho's format ``yyyy-MM-ddTHH:mm:ss±HH:mm``);
- booleans are ``true``/``false``; lookups and users compare by their ``id``;
- a multi-select picklist holds a list and matches when one of its values does.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from ..fields import normalize_text
from ..schema import ModuleSchema

KIND_OF_TYPE: Final[dict[str, str]] = {
    "text": "text",
    "textarea": "text",
    "email": "text",
    "phone": "text",
    "website": "text",
    "picklist": "text",
    "autonumber": "text",
    "integer": "number",
    "bigint": "number",
    "double": "number",
    "currency": "number",
    "percent": "number",
    "decimal": "number",
    "date": "date",
    "datetime": "datetime",
    "boolean": "boolean",
    "lookup": "lookup",
    "ownerlookup": "lookup",
    "userlookup": "lookup",
    "multiselectpicklist": "multi",
}

#: The system fields every record has and their data types (Zoho's field metadata).
SYSTEM_FIELD_TYPES: Final[dict[str, str]] = {
    "id": "bigint",
    "Created_Time": "datetime",
    "Modified_Time": "datetime",
    "Created_By": "ownerlookup",
    "Modified_By": "ownerlookup",
}

# [0-9], not \d: Zoho's values are ASCII digits (\d would take any script's digits)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_MAX_NUMBER_CHARS: Final = 60


class LiteralError(ValueError):
    """A literal that is not a value of the field's type; ``expected`` is Zoho's type name."""

    def __init__(self, expected: str, text: str) -> None:
        super().__init__(f"{text[:60]!r} is not a {expected} value")
        self.expected = expected


def field_type(schema: ModuleSchema, name: str) -> str | None:
    """The Zoho data type of ``name`` in ``schema`` (system fields included), or None."""
    definition = schema.fields.get(name)
    if definition is not None:
        return definition.data_type
    if name == "Owner":
        return "ownerlookup"
    return SYSTEM_FIELD_TYPES.get(name)


def kind_of(data_type: str) -> str:
    """The comparison kind of a data type (unknown types compare as text)."""
    return KIND_OF_TYPE.get(data_type, "text")


def _parse_datetime(text: str) -> datetime | None:
    if not _DATETIME.fullmatch(text):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_literal(data_type: str, text: str) -> Any:
    """``text`` as a comparable value of ``data_type``; ``LiteralError`` when it is not one."""
    kind = kind_of(data_type)
    value = text.strip()
    if kind in ("text", "multi"):
        return normalize_text(value) or ""
    if kind == "number":
        if len(value) > _MAX_NUMBER_CHARS or not _NUMBER.fullmatch(value):
            raise LiteralError(data_type, text)
        return Decimal(value)
    if kind == "date":
        if _DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise LiteralError("date", text)
    if kind == "datetime":
        parsed = _parse_datetime(value)
        if parsed is None:
            raise LiteralError("datetime", text)
        return parsed
    if kind == "boolean":
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise LiteralError("boolean", text)
    # lookup: a record or user id
    if not (value.isascii() and value.isdigit()):
        raise LiteralError("bigint", text)
    return value.lstrip("0") or "0"


def stored(data_type: str, value: Any) -> Any:
    """A stored field value read as ``parse_literal`` reads a literal; None when empty."""
    if value is None:
        return None
    kind = kind_of(data_type)
    if kind == "multi":
        items = value if isinstance(value, list) else [value]
        return [normalize_text(str(item)) or "" for item in items if item is not None]
    if kind == "lookup":
        if isinstance(value, dict):
            value = value.get("id")
        if value is None:
            return None
        text = str(value)
        return text.lstrip("0") or "0"
    if kind == "boolean":
        return value if isinstance(value, bool) else None
    if isinstance(value, (bool, dict, list)):
        return None
    if kind == "number" and isinstance(value, (int, float)):
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        return number if number.is_finite() else None
    try:
        return parse_literal(data_type, str(value))
    except LiteralError:
        return None


def is_empty(data_type: str, value: Any) -> bool:
    """R9: no value at all (missing, null, blank text, empty list)."""
    read = stored(data_type, value)
    return read is None or read in ("", [])


def sort_key(data_type: str, value: Any) -> tuple[int, Any]:
    """A key ordering values of one field: empty values after all others, then by value."""
    read = stored(data_type, value)
    if read is None or read in ("", []):
        return (1, 0)
    if isinstance(read, list):
        return (0, tuple(read))
    if kind_of(data_type) == "lookup":
        return (0, (len(read), read))  # ids as numbers
    return (0, read)


def equals(data_type: str, value: Any, literal: Any) -> bool:
    """Whether a stored value equals a parsed literal (a multi-select: one of its values)."""
    read = stored(data_type, value)
    if isinstance(read, list):
        return literal in read
    return read is not None and read == literal


def compare(data_type: str, value: Any, literal: Any) -> int | None:
    """-1, 0 or 1 as the stored value is below, equal to or above ``literal``; None: empty."""
    read = stored(data_type, value)
    if read is None or isinstance(read, list) or read == "":
        return None
    if kind_of(data_type) == "lookup":
        read, literal = (len(read), read), (len(literal), literal)
    try:
        return int(read > literal) - int(read < literal)
    except TypeError:
        return None
