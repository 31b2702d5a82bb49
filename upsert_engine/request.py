"""The shape of an upsert request body (R7 shape, R19, R22) and of its headers (R24, R34),
checked before any record.

The parsers never raise for any input: a malformed body or header yields a ``RequestError``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .decision import RequestError
from .errors import shown
from .fields import is_record_id
from .rules import MESSAGES, TRIGGER_VALUES
from .schema import ModuleSchema


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
    if "duplicate_check_fields" in body:  # R7: present means a list, null included
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


# --- request headers (R24, R34) -----------------------------------------------------------------
def _header_error(name: str, message: str, rule: str) -> RequestError:
    """A header's INVALID_DATA; ``message`` a plain sentence without rule numbers (R27)."""
    return RequestError("INVALID_DATA", {"param_name": name}, message, rule)


def parse_unmodified_since(value: Any) -> datetime | RequestError | None:
    """R34: ``If-Unmodified-Since`` as an aware datetime (ISO 8601 with an offset, as Zoho's
    pages show it: ``2024-01-15T15:26:49+05:30``), None when absent, else the error."""
    if value is None:
        return None
    when = value
    if isinstance(value, str) and len(value) <= 64:
        try:
            when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            when = None
    if isinstance(when, datetime) and when.utcoffset() is not None:
        return when
    return _header_error(
        "If-Unmodified-Since",
        f"If-Unmodified-Since {shown(value)} is not an ISO 8601 time with an offset, "
        f"e.g. 2024-01-15T15:26:49+05:30",
        "R34",
    )


def parse_external(
    value: Any, schema: ModuleSchema, targets: Callable[[str], ModuleSchema | None]
) -> tuple[str | None, dict[str, str]] | RequestError:
    """R24: the ``X-EXTERNAL`` header (a comma-separated str, or a list of its items), as
    (the external field naming the records, {lookup field: external field of its target}).

    ``Module.Field``: ``Field`` is an external field of the request's module; it names the
    records of the update API (upsert matches external fields without it [doc]).
    ``Module.Lookup.Field``: lookup values of ``Lookup`` are read by the external field
    ``Field`` of the looked-up module (``targets`` gives its schema) [doc insert-records-ext].
    Subform and multi-module forms (``->``) are not modelled: refused.
    """
    if value is None:
        return None, {}
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
        return _header_error("X-EXTERNAL", f"X-EXTERNAL {shown(value)} is not text", "R24")
    record_field: str | None = None
    lookups: dict[str, str] = {}
    for item in (i.strip() for i in items):
        parts = item.split(".")
        problem = None
        if "->" in item or len(parts) not in (2, 3):
            problem = "only {module}.{field} and {module}.{lookup}.{field} are modelled"
        elif parts[0] != schema.api_name:
            problem = f"it does not start with the request's module {schema.api_name}"
        elif len(parts) == 2:
            if schema.external_fields.get(parts[1]) is None:
                problem = f"{parts[1]} is not an external field of {schema.api_name}"
            elif record_field not in (None, parts[1]):
                problem = f"it names a second field after {record_field}"
            else:
                record_field = parts[1]
        else:
            lookup = schema.fields.get(parts[1])
            target_name = None if lookup is None else lookup.lookup_module
            target = None if target_name is None else targets(target_name)
            if target is None:
                problem = f"{parts[1]} is not a lookup of {schema.api_name} to a module of the org"
            elif target.external_fields.get(parts[2]) is None:
                problem = f"{parts[2]} is not an external field of {target.api_name}"
            else:
                lookups[parts[1]] = parts[2]
        if problem is not None:
            return _header_error("X-EXTERNAL", f"X-EXTERNAL {shown(item)}: {problem}", "R24")
    return record_field, lookups
