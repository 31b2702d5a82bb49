"""Export text in checkbox and number columns, read as a client reads it (adapter code).

A CSV or xlsx cell is text; a client sending such a row to Zoho sends a checkbox as a JSON
boolean and a number as a JSON number. ``cell_value`` reads one cell of a typed column that
way, or answers ``UNREAD`` when the text is no such value:

- boolean (Checkbox): ``true``/``false`` and ``1``/``0``, any case, trimmed. Zoho's import
  reads checkbox data the same way ("True or 1", "False or 0": Zoho CRM's import rules, as
  quoted by support.nuagecx.in and support.mangoho.com "rules for data importing in Zoho CRM");
  an xlsx checkbox cell reads as ``true``/``false`` (``_io_xlsx.cell_text``).
- integer (Number): ``[+-]digits`` → an int (R28: Number reads back as a JSON integer);
- currency, double, decimal, percent: ``[+-]digits[.digits]``, the whole part optionally in
  comma-separated groups of three (``1,200.50``, a US-format export) → an int without a point,
  else a float (R28: a JSON number; the engine cuts digits after ``decimal_place``);
- bigint (Long Integer) is a JSON string of digits (R28): left as text.

Where it is used: the store (``ExportRules.translate``, finding 3: every stored value of these
types in its JSON type, else an ``InputError`` naming the line, column and value) and the rows
of CSV and xlsx files (``ExportRules.translate_rows``, finding 4: text that is no such value is
sent as it is, for the engine to refuse by R15).
"""

from __future__ import annotations

import re
from typing import Any, Final

from .fields import INTEGER_TYPES, NUMBER_TYPES

#: The data types whose export text ``cell_value`` reads (Long Integer is a JSON string).
TYPED_CELLS: Final = frozenset({"boolean", "integer"}) | NUMBER_TYPES
#: What ``cell_value`` answers for text that is no value of the type.
UNREAD: Final = object()

_BOOLEANS: Final = {"true": True, "false": False, "1": True, "0": False}
_INTEGER: Final = re.compile(r"[+-]?[0-9]+")
_NUMBER: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_GROUPED: Final = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")
#: Longer number text is left to the engine (it refuses it: more digits than any field holds).
_MAX_NUMBER_TEXT: Final = 64


def cell_value(data_type: str, text: str) -> Any:
    """The JSON value export ``text`` stands for in a ``data_type`` column, or ``UNREAD``."""
    cell = text.strip()
    if data_type == "boolean":
        return _BOOLEANS.get(cell.casefold(), UNREAD)
    if len(cell) > _MAX_NUMBER_TEXT:
        return UNREAD
    if data_type in INTEGER_TYPES:
        return int(cell) if _INTEGER.fullmatch(cell) else UNREAD
    if data_type in NUMBER_TYPES:
        if _GROUPED.fullmatch(cell):
            cell = cell.replace(",", "")
        elif not _NUMBER.fullmatch(cell):
            return UNREAD
        return float(cell) if "." in cell else int(cell)
    raise AssertionError(f"{data_type} is not one of TYPED_CELLS")


def expected(data_type: str) -> str:
    """What a cell of ``data_type`` must hold, for an error message."""
    if data_type == "boolean":
        return "true or false (or 1 or 0)"
    if data_type in INTEGER_TYPES:
        return "a whole number such as 12"
    return "a number such as 1200.50 or 1,200.50"


def expected_json(data_type: str, value: Any) -> str:
    """What a store value of ``data_type`` must be when ``value`` is JSON, not export text:
    a checkbox's JSON 1 is no boolean (only the text "1" is read as one), so the message
    names the JSON kinds taken and the text apart (b5 finding 12)."""
    if data_type == "boolean":
        return 'a JSON boolean (true or false); text ("true", "false", "1", "0") is read too'
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if is_number:  # the right kind, the wrong value: as for text
        return expected(data_type)
    if data_type in INTEGER_TYPES:
        return 'a JSON number such as 12; text ("12") is read too'
    return 'a JSON number such as 1200.5; text ("1200.50", "1,200.50") is read too'
