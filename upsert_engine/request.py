"""The shape of an upsert request body (R7 shape, R19, R22), checked before any record.

``parse_request`` never raises for any input: a malformed body yields a ``RequestError``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .decision import RequestError
from .errors import shown
from .fields import is_record_id
from .rules import MESSAGES, TRIGGER_VALUES


@dataclass(frozen=True, slots=True)
class ParsedRequest:
    """A body whose shape is right: its records and its ``duplicate_check_fields``."""

    records: list[dict[Any, Any]]
    duplicate_check_fields: list[str] | None


def _invalid(name: str, path: str, message: str, rule: str, reason: str = "") -> RequestError:
    """A top-level INVALID_DATA; ``message`` a plain sentence without rule numbers (R27)."""
    return RequestError(
        "INVALID_DATA", {"api_name": name, "json_path": path}, message, rule, reason=reason
    )


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _is_bool_like(value: Any) -> bool:
    return isinstance(value, bool) or value in ("true", "false")


def _is_feature_list(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, dict) and isinstance(item.get("name"), str) for item in value
    )


def _is_string_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


#: R22: the other body keys, each with its shape check and the shape's description.
OPTIONAL_KEYS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "wf_trigger": (_is_bool_like, "a boolean"),
    "lar_id": (is_record_id, "a record id (string of digits)"),
    "process": (_is_string_list, "a list of strings"),
    "apply_feature_execution": (_is_feature_list, 'a list of objects with a string "name"'),
    "skip_feature_execution": (_is_feature_list, 'a list of objects with a string "name"'),
    "apply_validation_rule": (_is_bool_like, "a boolean"),
    "apply_function_validation_rule": (_is_bool_like, "a boolean"),
}


def parse_request(body: Any, max_records: int) -> ParsedRequest | RequestError:
    """R19, R22 and the shape half of R7: the request, or the error that fails all of it."""
    if not isinstance(body, dict):
        return _invalid(
            "body", "$", f"the body must be a JSON object, not {_type_name(body)}", "R19"
        )
    if "data" not in body:
        return RequestError(
            "MANDATORY_NOT_FOUND",
            {"api_name": "data", "json_path": "$.data"},
            "the body has no 'data' key: send the records as a list under 'data'",
            "R19",
        )
    data = body["data"]
    if not isinstance(data, list):
        return _invalid(
            "data", "$.data", f"'data' must be a list of records, not {_type_name(data)}", "R19"
        )
    if not data:
        return _invalid("data", "$.data", "'data' is empty: send 1 to 100 records", "R19")
    if len(data) > max_records:
        return RequestError(
            "LIMIT_EXCEEDED",
            {"limit": max_records},
            f"{len(data)} records sent; at most {max_records} are allowed per request",
            "R19",
        )
    for position, record in enumerate(data):
        if not isinstance(record, dict):
            return _invalid(
                "data",
                f"$.data[{position}]",
                f"data[{position}] must be a record object, not {_type_name(record)}",
                "R19",
            )

    requested = body.get("duplicate_check_fields")
    if requested is not None:
        if not isinstance(requested, list):  # R7: "invalid data", as for an unknown name
            return _invalid(
                "duplicate_check_fields",
                "$.duplicate_check_fields",
                MESSAGES["INVALID_DATA"],
                "R7",
                f"duplicate_check_fields must be a list of field API names, not "
                f"{_type_name(requested)}",
            )
        for position, name in enumerate(requested):
            if not isinstance(name, str):
                return _invalid(
                    "duplicate_check_fields",
                    f"$.duplicate_check_fields[{position}]",
                    MESSAGES["INVALID_DATA"],
                    "R7",
                    f"duplicate_check_fields[{position}] must be a field API name, not "
                    f"{_type_name(name)} {shown(name)}",
                )

    trigger = body.get("trigger")
    if trigger is not None:
        if not isinstance(trigger, list):
            return _invalid(
                "trigger",
                "$.trigger",
                f"trigger must be a list, not {_type_name(trigger)}",
                "R22",
            )
        for position, item in enumerate(trigger):
            if not isinstance(item, str) or item not in TRIGGER_VALUES:
                return _invalid(
                    "trigger",
                    f"$.trigger[{position}]",
                    f"trigger[{position}] = {shown(item)} is not one of "
                    f"{', '.join(sorted(TRIGGER_VALUES))}",
                    "R22",
                )
    for key, (accepts, shape) in OPTIONAL_KEYS.items():
        if key in body and body[key] is not None and not accepts(body[key]):
            return _invalid(
                key, f"$.{key}", f"{key} must be {shape}, not {shown(body[key])}", "R22"
            )
    return ParsedRequest(data, requested)
