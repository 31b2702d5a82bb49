"""Zoho's metadata shapes for the fake server: ``/settings/fields``, ``/settings/modules``,
``/users`` and ``/org``, built from the engine's schemas.

Everything here is derived from the configuration, never invented: a field's ``length`` is
the engine's ``max_length`` (absent when the engine has none), ``system_mandatory`` is the
module's mandatory fields, its settings' included (R4), ``unique`` is Zoho's
``{"casesensitive": "false"}`` for a user-defined unique field (R8: case-insensitive) and
``{}`` otherwise. A field Zoho composes (Full_Name) has ``view_type`` ``edit`` and
``create`` false, as in Zoho's embedded-app SDK sample, and ``read_only`` and
``field_read_only`` true [inf: that sample shows ``read_only`` false; the fake's flags say
what its writes do: a write of the field is ignored]. Subform fields (R36) are left out.
``fieldmeta`` then gives each field the key set of the API version asked for, and a
picklist the values configured with ``add_field(pick_list_values=)`` (none: ``[]``, and
Zoho's SDK skips its client-side value check, as it would for any value the engine accepts).
A lookup is listed only when the fake can answer for its target module (Zoho's SDK fetches
the target's fields too), so lookups to modules outside the org, or with an unknown target,
are left out. An external field carries ``"external": {"show": true, "type": "org"|"user"}``
(R24), every other field ``"external": null`` [doc v7 field-meta sample]. Ids are numeric
strings, stable for a given module order (the engine's ``module_id``, R32).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any, Final

from ..options import User
from ..references import computed_fields
from ..rules import JSON_TYPES, MODULE_ID_BASE
from ..schema import CUSTOM_MODULE_FIELDS, ModuleSchema
from ..standard_fields import STANDARD_FIELDS
from ..standard_labels import label_of

#: The read-only system fields every record has, as Zoho lists them (the SDK skips them).
SYSTEM_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("Created_By", "ownerlookup"),
    ("Modified_By", "ownerlookup"),
    ("Created_Time", "datetime"),
    ("Modified_Time", "datetime"),
)

_FIELD_ID_BASE: Final = 5725767000000010001
_CUSTOM_FIELD_ID_BASE: Final = 5725767000100000000
ORG_ID: Final = "5725767000000317001"
ORG_ZGID: Final = "60012345"


def module_id(modules: Sequence[str], module: str) -> str:
    """The numeric string id of ``module``: stable for a given module order (R32: the same
    as ``Engine.module_id``)."""
    return str(MODULE_ID_BASE + 2 * modules.index(module))


def _label(api_name: str, module: str | None = None) -> str:
    """A field's label: Zoho's for a standard field (``standard_labels``), else the API name
    with spaces (a module's label: the API name with spaces)."""
    return (label_of(module, api_name) if module else None) or api_name.replace("_", " ")


def _is_custom_field(schema: ModuleSchema, api_name: str) -> bool:
    if schema.custom:
        return api_name not in {row[0] for row in CUSTOM_MODULE_FIELDS}
    return api_name not in {row[0] for row in STANDARD_FIELDS.get(schema.api_name, ())}


def _field_id(schema: ModuleSchema, index: int, position: int, name: str, used: set[str]) -> str:
    """A field's id: by position for the module's own fields; for a custom field from its API
    name (CRC-32, the next free number on a clash), so that deleting one custom field
    (``DELETE /settings/fields/{id}``) never hands its id to another."""
    if not _is_custom_field(schema, name):
        number = _FIELD_ID_BASE + 1000 * index + position
    else:
        number = _CUSTOM_FIELD_ID_BASE + 10**6 * index + zlib.crc32(name.encode()) % 10**6
        while str(number) in used:
            number += 1
    used.add(str(number))
    return str(number)


def fields_metadata(modules: Sequence[str], schema: ModuleSchema) -> dict[str, Any]:
    """``GET /settings/fields?module=M``: ``{"fields": [...]}`` in Zoho's shape."""
    index = modules.index(schema.api_name)
    mandatory = schema.insert_mandatory()  # R4: Deals' Pipeline when pipelines are on
    out: list[dict[str, Any]] = []
    used: set[str] = set()
    computed = computed_fields(schema)
    for position, definition in enumerate(schema.fields.values()):
        lookup: dict[str, Any] | None = None
        if definition.rows:  # R36: Zoho's SDK would fetch the subform's own module: left out
            continue
        if definition.data_type == "lookup":
            target = definition.lookup_module
            if target is None or target not in modules:
                continue  # the SDK would fetch the target's fields: list only answerable ones
            lookup = {
                "display_label": _label(definition.api_name),
                "api_name": definition.api_name,
                "module": {"api_name": target, "id": module_id(modules, target)},
            }
        entry: dict[str, Any] = {
            "api_name": definition.api_name,
            "field_label": _label(definition.api_name, schema.api_name),
            "display_label": _label(definition.api_name, schema.api_name),
            "data_type": definition.data_type,
            "json_type": JSON_TYPES.get(definition.data_type, "string"),
            "id": _field_id(schema, index, position, definition.api_name, used),
            "system_mandatory": definition.api_name in mandatory,
            "custom_field": _is_custom_field(schema, definition.api_name),
            "read_only": definition.api_name in computed,
            "field_read_only": definition.api_name in computed,
            "unique": {"casesensitive": "false"} if definition.unique else {},
            "external": (
                None if definition.external is None else {"show": True, "type": definition.external}
            ),
        }
        if definition.max_length is not None:
            entry["length"] = definition.max_length
        if definition.decimal_place is not None:
            entry["decimal_place"] = definition.decimal_place
        if lookup is not None:
            entry["lookup"] = lookup
        if definition.api_name in computed:  # composed by Zoho, never edited
            entry["view_type"] = dict.fromkeys(("edit", "quick_create", "create"), False)
            entry["view_type"]["view"] = True
        out.append(entry)
    for offset, (api_name, data_type) in enumerate(SYSTEM_FIELDS, start=900):
        out.append(
            {
                "api_name": api_name,
                "field_label": _label(api_name, schema.api_name),
                "display_label": _label(api_name, schema.api_name),
                "data_type": data_type,
                "json_type": JSON_TYPES.get(data_type, "string"),
                "id": str(_FIELD_ID_BASE + 1000 * index + offset),
                "system_mandatory": False,
                "custom_field": False,
                "read_only": True,
                "field_read_only": True,
                "unique": {},
                "external": None,
            }
        )
    return {"fields": out}


def layouts_metadata(schema: ModuleSchema) -> dict[str, Any]:
    """``GET /settings/layouts?module=M``: the module's layouts (R35), each with one section
    listing the module's fields, ``required`` for those an insert naming the layout needs."""
    layouts = []
    for layout in schema.layouts.values():
        required = set(schema.insert_mandatory(layout.id))
        layouts.append(
            {
                "id": layout.id,
                "name": layout.name,
                "status": "active",
                "visible": True,
                "sections": [
                    {
                        "api_name": "Information",
                        "name": "Information",
                        "display_label": "Information",
                        "fields": [
                            {"api_name": name, "required": name in required}
                            for name in schema.fields
                        ],
                    }
                ],
            }
        )
    return {"layouts": layouts}


def modules_metadata(modules: Sequence[str], schemas: Sequence[ModuleSchema]) -> dict[str, Any]:
    """``GET /settings/modules``: every module of the org, API-supported."""
    return {
        "modules": [
            {
                "api_name": schema.api_name,
                "module_name": schema.api_name,
                "singular_label": _label(schema.api_name),
                "plural_label": _label(schema.api_name),
                "id": module_id(modules, schema.api_name),
                "api_supported": True,
                "generated_type": "custom" if schema.custom else "default",
                "creatable": True,
                "editable": True,
                "deletable": True,
                "viewable": True,
            }
            for schema in schemas
        ]
    }


def users_metadata(users: Sequence[User]) -> dict[str, Any]:
    """``GET /users``: the org's users (R32); ``?type=CurrentUser`` passes the acting one."""
    return {
        "users": [
            {
                "id": user.id,
                "full_name": user.name,
                "email": user.email,
                "status": "active",
                "zuid": user.zuid,
            }
            for user in users
        ],
        "info": {"per_page": 200, "count": len(users), "page": 1, "more_records": False},
    }


def org_metadata() -> dict[str, Any]:
    """``GET /org``: one organisation; ``zgid`` is what Zoho's SDK reads."""
    return {
        "org": [
            {
                "id": ORG_ID,
                "company_name": "Example Org",
                "zgid": ORG_ZGID,
                "country_code": "US",
                "time_zone": "Asia/Kolkata",
            }
        ]
    }
