"""Zoho's response shapes (R18-R21, R23): plain dicts built from decisions.

Nothing here decides anything; the same builders serve the engine and the reference model.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .rules import (
    API_VERSIONS,
    APPROVAL_STATE_KEY,
    APPROVED,
    MESSAGES,
    VERSIONS_WITHOUT_JSON_PATH,
)


@dataclass(frozen=True, slots=True)
class Response:
    """What Zoho answers: an HTTP status (R21) and a JSON-serialisable body (R18-R20)."""

    status: int
    body: dict[str, Any]


def success_entry(
    action: str,
    duplicate_field: str | None,
    record_id: str,
    record: dict[str, Any],
    modified_time: str,
    modified_by: dict[str, str],
    approval_state: str = APPROVED,
) -> dict[str, Any]:
    """R18: one record's success entry; an insert's ``details`` end with ``$approval_state``
    (R31: removed for versions before v6 by ``without_approval_state``)."""
    details = {
        "Modified_Time": modified_time,
        "Modified_By": dict(modified_by),
        "Created_Time": record["Created_Time"],
        "id": record_id,
        "Created_By": stamp_of(record["Created_By"]),
    }
    if action == "insert":
        details[APPROVAL_STATE_KEY] = approval_state
    return {
        "code": "SUCCESS",
        "duplicate_field": duplicate_field,
        "action": action,
        "details": details,
        "message": MESSAGES["SUCCESS_" + action],
        "status": "success",
    }


def stamp_of(user: Any) -> dict[str, Any]:
    """R18: a stored Created_By / Modified_By as a response shows it: ``{"name", "id"}`` only
    (a loaded stamp may carry more keys, e.g. ``email``)."""
    return {"name": user.get("name"), "id": user.get("id")}


_status = operator.itemgetter("status")


def batch_status(entries: Sequence[dict[str, Any]], *, insert: bool = False) -> int:
    """R21: 200 when every record succeeded, 400 when every one failed (412 when every one
    failed with ALREADY_MODIFIED, R34 [doc]), else 207.

    R30: the Insert Records API (``insert``) answers 201 when every record was added.
    """
    succeeded = list(map(_status, entries)).count("success")
    if succeeded == len(entries):
        return 201 if insert else 200
    if succeeded:
        return 207
    return 412 if all(entry["code"] == "ALREADY_MODIFIED" for entry in entries) else 400


def without_approval_state(body: dict[str, Any]) -> dict[str, Any]:
    """R31: ``body`` without ``$approval_state`` in its entries' details (versions before
    ``Options.approval_state_since``: v2-v5 by default)."""
    data = body.get("data")
    if not isinstance(data, list):
        return body
    entries = []
    for entry in data:
        details = entry.get("details") if isinstance(entry, dict) else None
        if isinstance(details, dict) and APPROVAL_STATE_KEY in details:
            kept = {k: v for k, v in details.items() if k != APPROVAL_STATE_KEY}
            entries.append({**entry, "details": kept})
        else:
            entries.append(entry)
    return {**body, "data": entries}


def shows_approval_state(api_version: str, since: str) -> bool:
    """R31: whether responses of ``api_version`` carry ``$approval_state`` (from ``since``)."""
    return API_VERSIONS.index(api_version) >= API_VERSIONS.index(since)


def without_json_path(value: Any) -> Any:
    """R23: a copy of ``value`` with every ``json_path`` key removed (v2, v2.1)."""
    if isinstance(value, dict):
        return {k: without_json_path(v) for k, v in value.items() if k != "json_path"}
    if isinstance(value, list):
        return [without_json_path(v) for v in value]
    return value


def for_version(body: dict[str, Any], api_version: str) -> dict[str, Any]:
    """The body as ``api_version`` shapes it (R23)."""
    return without_json_path(body) if api_version in VERSIONS_WITHOUT_JSON_PATH else body
