"""``Engine.load``'s checks: existing data is written as is, but only if all of it is sound.

Pure: takes the rows and a predicate telling which ids the org already holds; returns a copy
of each row to write. Nothing is written unless every row passes (R16 for loads).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from .errors import InvalidLoadError, shown
from .fields import record_id_text
from .rules import MAX_RECORD_ID_DIGITS

SCALARS = frozenset({str, int, float, bool, type(None)})
STAMPS = frozenset({"Created_Time", "Modified_Time", "Created_By", "Modified_By"})


def copy_value(value: Any) -> Any:
    """A private copy of a stored value: containers are deep-copied, scalars shared."""
    return copy.deepcopy(value) if isinstance(value, (dict, list)) else value


def _non_finite(row: Mapping[str, Any]) -> str | None:
    """The key of the first value of ``row`` that is or holds a NaN or an infinity, or None.

    Such a value cannot be answered as JSON (a strict parser refuses ``Infinity``)."""
    for key, value in row.items():
        if value.__class__ in SCALARS and value.__class__ is not float:
            continue
        stack, seen = [value], set()  # seen: a container holding itself is walked once
        while stack:
            item = stack.pop()
            if isinstance(item, float) and not math.isfinite(item):
                return str(key)
            if isinstance(item, (dict, list, tuple)) and id(item) not in seen:
                seen.add(id(item))
                stack.extend(item.values() if isinstance(item, dict) else item)
    return None


def check_load(
    module: str, rows: list[Any], taken: Callable[[str], bool]
) -> tuple[list[tuple[str | None, dict[str, Any]]], set[str]]:
    """``load``'s checks, and a copy of each row to write: (given id, fields); the ids."""
    seen: set[str] = set()
    prepared: list[tuple[str | None, dict[str, Any]]] = []
    good_shapes: set[tuple[Any, ...]] = set()  # key tuples already known to be all str
    for position, row in enumerate(rows):
        if row.__class__ is not dict and not isinstance(row, Mapping):
            raise InvalidLoadError(f"{module} record {position}: {shown(row)} is not a mapping")
        shape = tuple(row)
        if shape not in good_shapes:
            for key in row:
                if not isinstance(key, str):
                    raise InvalidLoadError(
                        f"{module} record {position}: field name {shown(key)} is not a str"
                    )
            if len(good_shapes) < 1024:
                good_shapes.add(shape)
        given: str | None = None
        if row.get("id") is not None:
            given = record_id_text(row["id"])
            if given is None:
                raise InvalidLoadError(
                    f"{module} record {position}: id {shown(row['id'])} is not digits "
                    f"(a record id has 1 to {MAX_RECORD_ID_DIGITS} digits)"
                )
            if given in seen or taken(given):
                raise InvalidLoadError(f"{module} record {position}: id {given} is already taken")
            seen.add(given)
        null_stamp = False
        canonical: dict[str, str] = {}  # R18: stamps kept to the second, with an offset
        for stamp in ("Created_Time", "Modified_Time"):
            value = row.get(stamp)
            if value is None:
                null_stamp = null_stamp or stamp in row
                continue
            try:
                parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            except ValueError:
                parsed = None
            if not isinstance(value, str) or parsed is None or parsed.utcoffset() is None:
                raise InvalidLoadError(
                    f"{module} record {position}: {stamp} {shown(value)} is not an ISO 8601 "
                    f"time with an offset"
                )
            if parsed.microsecond or value != parsed.isoformat():
                canonical[stamp] = parsed.replace(microsecond=0).isoformat()
        for by in ("Created_By", "Modified_By"):
            user = row.get(by)
            if user is None:
                null_stamp = null_stamp or by in row
            elif not (
                isinstance(user, Mapping)
                and isinstance(user.get("name"), str)
                and isinstance(user.get("id"), str)
            ):
                raise InvalidLoadError(
                    f"{module} record {position}: {by} {shown(user)} is not a user "
                    f"{{'name': str, 'id': str}}"
                )
        owner = row.get("Owner")
        if owner is not None and not (
            isinstance(owner, Mapping) and isinstance(owner.get("id"), str)
        ):
            raise InvalidLoadError(
                f"{module} record {position}: Owner {shown(owner)} is not a user "
                f"{{'id': str, ...}} (R32)"
            )
        bad = _non_finite(row)
        if bad is not None:
            raise InvalidLoadError(
                f"{module} record {position}: {bad} is not a finite number (JSON has no "
                f"NaN or Infinity)"
            )
        # copy now, so that nothing below can fail half-way through the writes
        fields = dict(row)
        fields.pop("id", None)
        if null_stamp or not SCALARS.issuperset(map(type, fields.values())):
            try:
                fields = {
                    k: copy_value(v)
                    for k, v in row.items()
                    if k != "id" and not (v is None and k in STAMPS)
                }
            except RecursionError:
                raise InvalidLoadError(
                    f"{module} record {position}: a value is nested too deeply"
                ) from None
        fields.update(canonical)
        prepared.append((given, fields))
    return prepared, seen
