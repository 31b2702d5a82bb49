"""Field metadata per API version, with every key Zoho sends (``GET /settings/fields``; pure).

``metadata.fields_metadata`` builds what the fake knows of each field; ``shape_fields`` gives
it the shape of the API version asked for:

- **v2, v2.1**: ``lookup.module`` is the target module's API name, a string (zohocrmsdk2-0
  reads it as one: its ``fields.Module`` class has ``module: String``); v3+ keep Zoho's object
  ``{"api_name", "id"}``.
- **every version**: the full key set of Zoho's field object, from the member lists of Zoho's
  own SDKs (``json_details.json`` of zohocrmsdk2-0 for v2/v2.1, of zohocrmsdk8-0 for v3+),
  which is what a client indexing ``field["currency"]`` relies on. A key that does not apply
  to the field is present and empty: ``{}`` for the structures Zoho answers empty
  (``currency``, ``lookup``, ``formula``, ``auto_number``, ``multiselectlookup``,
  ``multi_module_lookup``, ``rollup_summary``), ``[]`` for ``pick_list_values``, ``null`` for
  the rest, and Zoho's usual flags (``visible``, ``webhook`` ...) [inf values].
- ``length`` is on every field: the field's own, else Zoho's default for its type (R15: 9
  digits for Number, 18 for Long Integer, 16 for Currency and Decimal, 5 for Percent) or, for
  types whose length Zoho does not document, a value marked [inf] in ``DEFAULT_LENGTHS``.
- a picklist lists the values the org configured (``picklist_values``), each as Zoho's
  ``{"display_value", "actual_value", "id"}``; none configured: ``[]`` (the SDK then checks no
  value, as the engine accepts any, R15).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from .metadata import _FIELD_ID_BASE

OLD_VERSIONS: Final = frozenset({"v2", "v2.1"})

#: Zoho's field keys, v2 and v2.1 (zohocrmsdk2-0 ``fields.Field`` members, less SDK internals).
V2_KEYS: Final = (
    "system_mandatory",
    "webhook",
    "json_type",
    "crypt",
    "field_label",
    "tooltip",
    "created_source",
    "field_read_only",
    "display_label",
    "read_only",
    "association_details",
    "quick_sequence_number",
    "businesscard_supported",
    "multi_module_lookup",
    "currency",
    "id",
    "custom_field",
    "lookup",
    "visible",
    "length",
    "view_type",
    "subform",
    "api_name",
    "unique",
    "history_tracking",
    "data_type",
    "formula",
    "decimal_place",
    "mass_update",
    "blueprint_supported",
    "multiselectlookup",
    "pick_list_values",
    "auto_number",
    "convert_mapping",
    "private",
    "default_value",
    "column_name",
)

#: Zoho's field keys, v3 to v8 (zohocrmsdk8-0 ``fields.Fields`` members, less SDK internals).
V8_KEYS: Final = (
    "associated_module",
    "webhook",
    "operation_type",
    "colour_code_enabled_by_system",
    "field_label",
    "tooltip",
    "type",
    "field_read_only",
    "customizable_properties",
    "display_label",
    "read_only",
    "association_details",
    "businesscard_supported",
    "multi_module_lookup",
    "id",
    "created_time",
    "filterable",
    "visible",
    "refer_from_field",
    "profiles",
    "view_type",
    "separator",
    "searchable",
    "external",
    "api_name",
    "unique",
    "enable_colour_code",
    "pick_list_values",
    "system_mandatory",
    "virtual_field",
    "json_type",
    "crypt",
    "created_source",
    "display_type",
    "ui_type",
    "modified_time",
    "email_parser",
    "currency",
    "custom_field",
    "lookup",
    "convert_mapping",
    "rollup_summary",
    "length",
    "column_name",
    "static_field",
    "data_type",
    "formula",
    "decimal_place",
    "mass_update",
    "multiselectlookup",
    "multiuserlookup",
    "auto_number",
    "history_tracking",
    "sortable",
    "quick_sequence_number",
    "sequence_number",
    "hipaa_compliance_enabled",
    "hipaa_compliance",
    "textarea",
    "global_picklist",
    "private",
    "allowed_modules",
    "sub_module",
    "display_field",
    "pick_list_values_sorted_lexically",
    "available_in_user_layout",
    "number_separator",
    "layout_associations",
    "category",
    "subform",
    "default_value",
    "blueprint_supported",
)

_EMPTY_OBJECTS: Final = frozenset(
    {"currency", "lookup", "formula", "auto_number", "multiselectlookup", "multiuserlookup"}
    | {"multi_module_lookup", "rollup_summary", "unique"}
)
_EMPTY_LISTS: Final = frozenset({"pick_list_values"})
#: [inf] flags Zoho's samples show for an ordinary field.
_FLAGS: Final[dict[str, Any]] = {
    "visible": True,
    "webhook": True,
    "filterable": True,
    "searchable": True,
    "sortable": True,
    "available_in_user_layout": True,
    "businesscard_supported": True,
    "mass_update": False,
    "blueprint_supported": False,
    "virtual_field": False,
    "static_field": False,
    "separator": False,
    "enable_colour_code": False,
    "colour_code_enabled_by_system": False,
    "hipaa_compliance_enabled": False,
    "pick_list_values_sorted_lexically": False,
    "display_field": False,
    "number_separator": False,
    "customizable_properties": [],
    "profiles": [],
    "type": "used",
}
#: R15 [doc] digit limits, and [inf] lengths for types whose length Zoho does not document.
DEFAULT_LENGTHS: Final[dict[str, int]] = {
    "integer": 9,
    "bigint": 18,
    "currency": 16,
    "double": 16,
    "decimal": 16,
    "percent": 5,
    "boolean": 5,  # [inf]
    "date": 20,  # [inf]
    "datetime": 120,  # [inf]
    "lookup": 120,  # [inf]
    "ownerlookup": 120,  # [inf]
    "userlookup": 120,  # [inf]
    "multiselectpicklist": 2000,  # [inf]
    "picklist": 120,  # [inf]
}
#: Picklist value ids: this plus 100 per field id step, plus the value's position.
_PICK_ID_BASE: Final = 5725767000100000001


def _view_type() -> dict[str, bool]:
    return {"view": True, "edit": True, "quick_create": False, "create": True}


def _default(key: str, entry: Mapping[str, Any]) -> Any:
    if key in _EMPTY_OBJECTS:
        return {}
    if key in _EMPTY_LISTS:
        return []
    if key == "view_type":
        return _view_type()
    if key == "created_source":
        return "user" if entry.get("custom_field") else "default"
    if key == "length":
        return DEFAULT_LENGTHS.get(str(entry.get("data_type")))
    if key == "decimal_place" and entry.get("data_type") == "currency":
        return 2  # [inf] Zoho's default currency precision
    if key in _FLAGS:
        value = _FLAGS[key]
        return list(value) if isinstance(value, list) else value
    return None


def picklist_entries(field_id: str, values: Sequence[str]) -> list[dict[str, Any]]:
    """Zoho's ``pick_list_values`` for ``values`` (display and actual value the same)."""
    step = int(field_id) - _FIELD_ID_BASE if field_id.isdigit() else 0
    base = _PICK_ID_BASE + max(step, 0) * 100
    return [
        {"display_value": v, "actual_value": v, "id": str(base + n), "sequence_number": n + 1}
        for n, v in enumerate(values)
    ]


def shape_field(
    entry: Mapping[str, Any], version: str, picklist: Sequence[str] | None = None
) -> dict[str, Any]:
    """One field's metadata in ``version``'s shape, every key of that version present."""
    out = dict(entry)
    old = version in OLD_VERSIONS
    lookup = out.get("lookup")
    if old and isinstance(lookup, dict) and isinstance(lookup.get("module"), dict):
        out["lookup"] = {**lookup, "module": lookup["module"].get("api_name")}
    if out.get("data_type") == "currency" and not out.get("currency"):
        out["currency"] = {"rounding_option": "normal", "precision": 2}  # [inf]
    if picklist and out.get("data_type") in ("picklist", "multiselectpicklist"):
        out["pick_list_values"] = picklist_entries(str(out.get("id", "0")), picklist)
    for key in V2_KEYS if old else V8_KEYS:
        if key not in out or (key == "length" and out[key] is None):
            out[key] = _default(key, out)
    return out


def shape_fields(
    body: Mapping[str, Any],
    version: str,
    picklist_values: Callable[[str], Sequence[str] | None] = lambda name: None,
) -> dict[str, Any]:
    """``{"fields": [...]}`` in ``version``'s shape (see the module docstring)."""
    fields = body.get("fields", [])
    shaped = [shape_field(f, version, picklist_values(str(f.get("api_name")))) for f in fields]
    return {**body, "fields": shaped}
