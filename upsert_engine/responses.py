"""Zoho's response shapes (R18-R21, R23): plain dicts built from decisions.

Nothing here decides anything; the same builders serve the engine and the reference model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .rules import MESSAGES, VERSIONS_WITHOUT_JSON_PATH


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
) -> dict[str, Any]:
    """R18: one record's success entry."""
    return {
        "code": "SUCCESS",
        "duplicate_field": duplicate_field,
        "action": action,
        "details": {
            "Modified_Time": modified_time,
            "Modified_By": dict(modified_by),
            "Created_Time": record["Created_Time"],
            "id": record_id,
            "Created_By": dict(record["Created_By"]),
        },
        "message": MESSAGES["SUCCESS_" + action],
        "status": "success",
    }


def batch_status(entries: Sequence[dict[str, Any]]) -> int:
    """R21: 200 when every record succeeded, 400 when every one failed (412 when every one
    failed with ALREADY_MODIFIED, R34 [doc]), else 207."""
    succeeded = sum(1 for entry in entries if entry["status"] == "success")
    if succeeded == len(entries):
        return 200
    if succeeded:
        return 207
    return 412 if all(entry["code"] == "ALREADY_MODIFIED" for entry in entries) else 400


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
