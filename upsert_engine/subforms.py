"""Subforms and line items (R36): the rows a subform value holds, checked and merged.

Pure. ``check_rows`` runs in ``decision.prepare`` (R15's step, key by key): each row must be
an object of the subform's row fields, with ``id`` naming a row and ``"_delete": null``
marking one for removal. ``merge_rows`` runs in ``decide`` once the target is known: a row
with ``id`` updates that row, a row without one is appended (and must carry the subform's
row-mandatory fields), a marked row is removed, ``[]`` or null clears the subform. Rows not
named keep their place. New rows get their ids when the engine writes (``_requests.apply``),
from its id source, in the order ``merge_rows`` lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .errors import shown
from .fields import FieldDef, is_empty, record_id_text
from .options import Options, UnknownFields
from .payload import Refusal
from .references import REFERENCE_TYPES
from .rules import ROW_DELETE, ROW_ID


def _field_text(key: Any) -> str:
    return key if isinstance(key, str) else shown(key)


#: Resolves a reference cell of a row (R33): (row field, value, json path suffix) -> the value
#: to store, or a ``Refusal``.
CellResolver = Callable[[FieldDef, Any, str], Any]


def check_rows(
    definition: FieldDef,
    options: Options,
    value: list[Any],
    resolve: CellResolver | None = None,
) -> list[dict[str, Any]] | Refusal:
    """R36, R15: the rows of subform ``definition`` as they will be merged (unknown row keys
    dropped under ``unknown_fields="ignore"``), or the first problem in row and key order.
    ``value`` is a list within the row limit (``FieldDef.validate`` checked that)."""
    name = definition.api_name
    rows: list[dict[str, Any]] = []
    for j, row in enumerate(value):
        at = f"{name}[{j}]"
        if not isinstance(row, dict):
            return Refusal(
                {"expected_data_type": "jsonobject"},
                "R36",
                f"{at} = {shown(row)} is not a row object",
                name,
                at,
            )
        clean: dict[str, Any] = {}
        for key, cell in row.items():
            where = f"{at}.{_field_text(key)}"
            if key == ROW_ID:
                row_id = record_id_text(cell)
                if row_id is None:
                    return Refusal(
                        {}, "R36", f"{where} = {shown(cell)} is not a row id", ROW_ID, where
                    )
                clean[ROW_ID] = row_id
                continue
            if key == ROW_DELETE:
                if cell is not None:
                    return Refusal(
                        {},
                        "R36",
                        f'{where} = {shown(cell)}: a row is removed by "_delete": null',
                        ROW_DELETE,
                        where,
                    )
                clean[ROW_DELETE] = None
                continue
            field = definition.row_field(key) if isinstance(key, str) else None
            if field is None:
                if options.unknown_fields is UnknownFields.REJECT or not isinstance(key, str):
                    return Refusal(
                        {},
                        "R36",
                        f"{where}: not a row field of {name} (unknown_fields=reject)",
                        _field_text(key),
                        where,
                    )
                continue
            problem = field.validate(cell)
            if problem is not None:
                said = ", ".join(f"{kind} {expected}" for kind, expected in problem)
                return Refusal(dict(problem), "R15", f"{where} = {shown(cell)}: {said}", key, where)
            if resolve is not None and cell is not None and field.data_type in REFERENCE_TYPES:
                named = resolve(field, cell, where)  # R33: a lookup cell names a record
                if isinstance(named, Refusal):
                    return named
                clean[key] = named
                continue
            clean[key] = field.stored(cell)  # R28: a row's cells read back typed too
        if ROW_DELETE in clean and ROW_ID not in clean:
            return Refusal(
                {}, "R36", f"{at}: a row to delete needs its id", ROW_DELETE, f"{at}.{ROW_DELETE}"
            )
        rows.append(clean)
    return rows


def merge_rows(
    definition: FieldDef, stored: Any, incoming: Any
) -> tuple[Any, tuple[int, ...]] | Refusal:
    """R36: the subform's rows after this write, and the positions of the new rows (which
    need ids); or the problem: a row id that names no row of the target (INVALID_DATA on
    ``id``), a new row without a row-mandatory field or an updated row that would empty one
    (MANDATORY_NOT_FOUND), more rows than
    the limit (INVALID_DATA, ``maximum_length``)."""
    name = definition.api_name
    if not isinstance(incoming, list) or not incoming:
        return incoming, ()  # null or []: the subform is cleared
    rows: list[dict[str, Any]] = list(stored) if isinstance(stored, list) else []
    added: list[dict[str, Any]] = []
    for j, row in enumerate(incoming):
        at = f"{name}[{j}]"
        row_id = row.get(ROW_ID)
        if row_id is None:
            for needed in definition.row_mandatory:
                if is_empty(row.get(needed)):
                    return Refusal(
                        {},
                        "R36",
                        f"{at}: a new row lacks {needed}",
                        needed,
                        f"{at}.{needed}",
                        "MANDATORY_NOT_FOUND",
                    )
            added.append(row)
            continue
        place = _position(rows, row_id)
        if place is None:
            return Refusal(
                {},
                "R36",
                f"{at}.id = {row_id} names no row of {name} in the record",
                ROW_ID,
                f"{at}.{ROW_ID}",
            )
        if ROW_DELETE in row:
            del rows[place]
            continue
        updated = {**rows[place], **row}
        for needed in definition.row_mandatory:  # an updated row keeps its mandatory cells
            if needed in row and is_empty(updated.get(needed)):
                return Refusal(
                    {},
                    "R36",
                    f"{at}: the update would empty {needed}, which a row needs",
                    needed,
                    f"{at}.{needed}",
                    "MANDATORY_NOT_FOUND",
                )
        rows[place] = updated
    merged = rows + added
    limit = definition.max_length
    if limit is not None and len(merged) > limit:
        return Refusal(
            {"maximum_length": limit}, "R36", f"{name} would hold {len(merged)} rows", name, name
        )
    return merged, tuple(range(len(rows), len(merged)))


def _position(rows: Sequence[Any], row_id: str) -> int | None:
    for place, row in enumerate(rows):
        if isinstance(row, dict) and row.get(ROW_ID) == row_id:
            return place
    return None
