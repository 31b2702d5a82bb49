"""What sync payloads carry besides plain fields (R26, R31, R35): the reserved keys.

Pure checks, called by ``decision.prepare`` key by key in the record's order (R29), and the
one merge they steer (``$append_values``, R26), called by ``decide`` once the target is known.
Each check returns the value to keep, ``DROP`` (accepted, not stored, listed by ``explain``
as ignored) or a ``Refusal`` that ``decision`` turns into a record's INVALID_DATA.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from .errors import shown
from .fields import record_id_text
from .options import AppendOther, Options, WizardKeys
from .rules import APPENDABLE_TYPES, RESERVED_KEYS
from .schema import ModuleSchema

#: A reserved key accepted and not stored.
DROP: Final[Any] = object()
#: Scalars a tag object may hold besides its name.
_SCALARS = (str, int, float, bool, type(None))


@dataclass(frozen=True, slots=True)
class Refusal:
    """An error for one key of a record: its details besides ``api_name`` and ``json_path``,
    the rule and the reason (for ``explain``). ``api_name`` and ``path`` (the part of the
    ``json_path`` after ``$.data[i].``) default to the key's; a subform row's error names the
    row field at ``Subform[j].Field`` (R36)."""

    detail: dict[str, Any]
    rule: str
    reason: str
    api_name: str | None = None
    path: str | None = None
    code: str = "INVALID_DATA"


def check_reserved(schema: ModuleSchema, options: Options, name: str, value: Any) -> Any:
    """R35: a reserved key ``name`` that is no field of the module: the value to keep,
    ``DROP``, or a ``Refusal``. ``null`` is kept (it clears a stored Layout or Tag, R12)."""
    kind = RESERVED_KEYS[name]
    if kind == "owner":  # R32: Owner where the module has none: accepted, not stored
        return DROP
    if kind == "wizard":
        if value is not None and not _wizard_shape(name, value):
            return Refusal(
                {"expected_data_type": "jsonobject" if name == "Wizard" else "jsonarray"},
                "R35",
                f"{name} = {shown(value)} is not "
                + ('{"id": <digits>}' if name == "Wizard" else "a list of ids"),
            )
        return value if options.wizard_keys is WizardKeys.STORE else DROP
    if value is None:
        return None
    if kind == "layout":
        return _layout(schema, value)
    if kind == "tag":
        return _tags(value)
    if kind == "approval":  # R31
        if isinstance(value, bool):
            return value
        return Refusal({"expected_data_type": "boolean"}, "R31", f"$approved = {shown(value)}")
    return _append_values(schema, options, value)  # R26


def _wizard_shape(name: str, value: Any) -> bool:
    if name == "Wizard":
        return isinstance(value, dict) and record_id_text(value.get("id")) is not None
    return isinstance(value, list) and all(record_id_text(item) is not None for item in value)


def _layout(schema: ModuleSchema, value: Any) -> Any:
    """R35: ``{"id": ...}`` of a layout of the module, kept as ``{"name", "id"}``."""
    if not isinstance(value, dict):
        return Refusal(
            {"expected_data_type": "jsonobject"}, "R35", f"Layout = {shown(value)} is no object"
        )
    layout_id = record_id_text(value.get("id"))
    layout = None if layout_id is None else schema.layouts.get(layout_id)
    if layout is None:
        known = ", ".join(schema.layouts) or "none"
        return Refusal(
            {},
            "R35",
            f"Layout = {shown(value)} names no layout of {schema.api_name} (layouts: {known})",
        )
    return {"name": layout.name, "id": layout.id}


def _tags(value: Any) -> Any:
    """R35: ``[{"name": ...}, ...]``, kept as sent (a copy is made when it is written)."""
    if isinstance(value, list) and all(
        isinstance(tag, dict)
        and isinstance(tag.get("name"), str)
        and tag["name"].strip()
        and all(isinstance(item, _SCALARS) for item in tag.values())
        for tag in value
    ):
        return value
    return Refusal(
        {"expected_data_type": "jsonarray"},
        "R35",
        f'Tag = {shown(value)} is not a list of {{"name": <text>}} objects',
    )


def _append_values(schema: ModuleSchema, options: Options, value: Any) -> Any:
    """R26: ``{"<multi-select field>": true | false}``; kept (without ignored names) for
    ``decide``."""
    if not isinstance(value, dict):
        return Refusal(
            {"expected_data_type": "jsonobject"},
            "R26",
            f"$append_values = {shown(value)} is no object",
        )
    kept: dict[str, bool] = {}
    for name, flag in value.items():
        definition = schema.fields.get(name) if isinstance(name, str) else None
        if definition is None or definition.data_type not in APPENDABLE_TYPES:
            if options.append_other is AppendOther.IGNORE:
                continue
            what = "no field" if definition is None else f"a {definition.data_type} field"
            return Refusal(
                {},
                "R26",
                f"$append_values names {shown(name)}, {what} of {schema.api_name}; only "
                f"multi-select picklists can be appended to (append_other=reject)",
            )
        if not isinstance(flag, bool):
            return Refusal(
                {"expected_data_type": "boolean"},
                "R26",
                f"$append_values.{name} = {shown(flag)} is not true or false",
            )
        kept[name] = flag
    return kept


def appended(stored: Any, incoming: Any, options: Options) -> Any:
    """R26: the multi-select value after appending ``incoming`` to ``stored``: the stored
    values in their order, then each incoming value not already there (every one with
    ``append_repeats``). Nothing to append (null, ``[]``) keeps the stored value."""
    if not isinstance(incoming, list) or not incoming:
        return stored
    merged = list(stored) if isinstance(stored, list) else []
    for item in incoming:
        if options.append_repeats or item not in merged:
            merged.append(item)
    return merged


def append_to(
    values: dict[str, Any],
    flags: Mapping[str, bool],
    stored: Mapping[str, Any] | None,
    options: Options,
) -> Sequence[str]:
    """R26: replace in ``values`` each field flagged ``true`` by its appended value (the
    target's ``stored`` record, or None on insert); returns the fields appended to."""
    done = []
    for name, flag in flags.items():
        if flag and name in values:
            current = None if stored is None else stored.get(name)
            values[name] = appended(current, values[name], options)
            done.append(name)
    return done
