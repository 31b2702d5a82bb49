"""Compare two Zoho responses ignoring what two correct implementations may choose differently.

Record ids and timestamps are the implementation's own (an id source, a clock): two correct
implementations of the contract answer the same request with other ids and times. What must
agree is everything else, and *which* records the ids point to. So:

- every value of a key named ``id`` or an item of a list under ``ids`` (R11's candidates) is
  renamed ``<id 1>``, ``<id 2>``, ... in the order first met, each side on its own: an id met
  twice must be met at the same places on both sides (an update of the record inserted by
  row 0 is an update of row 0's record in both);
- the value of a key ending in ``_Time`` (``Created_Time``, ``Modified_Time``) becomes
  ``<time>``.

Objects are walked in sorted key order, so key order never matters. Use it as

    from upsert_engine.testing.compare import assert_same_response
    assert_same_response(reference.upsert("Leads", body), mine.upsert("Leads", body))

``expected`` and ``actual`` may each be a ``Response``, a ``(status, body)`` pair or a bare body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..responses import Response

__all__ = ["assert_same_response", "normalized", "response_differences"]

_ABSENT = object()


def _status_and_body(response: Any) -> tuple[int | None, Any]:
    if isinstance(response, Response):
        return response.status, response.body
    if isinstance(response, tuple) and len(response) == 2 and isinstance(response[0], int):
        return response[0], response[1]
    return None, response


def normalized(value: Any) -> Any:
    """``value`` with ids renamed in order of first appearance and ``*_Time`` values masked."""
    names: dict[str, str] = {}

    def rename(record_id: Any) -> Any:
        if record_id is None:
            return None
        key = str(record_id)
        if key not in names:
            names[key] = f"<id {len(names) + 1}>"
        return names[key]

    def walk(item: Any) -> Any:
        if isinstance(item, Mapping):
            out: dict[str, Any] = {}
            for key in sorted(item, key=str):
                child = item[key]
                if key == "id" and not isinstance(child, (Mapping, list)):
                    out[key] = rename(child)
                elif key == "ids" and isinstance(child, list):
                    out[key] = [rename(c) for c in child]
                elif isinstance(key, str) and key.endswith("_Time") and child is not None:
                    out[key] = "<time>"
                else:
                    out[key] = walk(child)
            return out
        if isinstance(item, list):
            return [walk(child) for child in item]
        return item

    return walk(value)


def response_differences(expected: Any, actual: Any) -> list[str]:
    """Where ``actual`` differs from ``expected`` (ids and times aside): one line per place.

    The first line names the HTTP status when both carry one and they differ. An empty list
    means the two responses agree.
    """
    status_a, body_a = _status_and_body(expected)
    status_b, body_b = _status_and_body(actual)
    out: list[str] = []
    if status_a is not None and status_b is not None and status_a != status_b:
        out.append(f"status: expected {status_a}, got {status_b}")
    _diff("$", normalized(body_a), normalized(body_b), out)
    return out


def _diff(path: str, a: Any, b: Any, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            _diff(f"{path}.{key}", a.get(key, _ABSENT), b.get(key, _ABSENT), out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for position, (x, y) in enumerate(zip(a, b, strict=True)):
            _diff(f"{path}[{position}]", x, y, out)
    elif a is _ABSENT:
        out.append(f"{path}: unexpected {b!r}")
    elif b is _ABSENT:
        out.append(f"{path}: missing (expected {a!r})")
    elif a != b or type(a) is not type(b):
        out.append(f"{path}: expected {a!r}, got {b!r}")


def assert_same_response(expected: Any, actual: Any) -> None:
    """Raise ``AssertionError`` listing every difference ``response_differences`` finds."""
    differences = response_differences(expected, actual)
    if differences:
        shown = "\n  ".join(differences[:20])
        more = f"\n  ... and {len(differences) - 20} more" if len(differences) > 20 else ""
        raise AssertionError(f"the responses differ (ids and times aside):\n  {shown}{more}")
