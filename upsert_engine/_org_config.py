"""Applying a module schema given as JSON (``ModuleSchema.to_json()``): the CLI's and the
server's ``--schema``. An adapter helper: it reads no file, it only translates data into
``Engine`` configuration calls, and every problem is a ``ConfigurationError`` naming where.
"""

from __future__ import annotations

from typing import Any

from .engine import Engine
from .errors import ConfigurationError, UpsertEngineError
from .schema import ModuleSchema, canonical_module_name
from .standard_labels import label_of


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def apply_module_schema(
    engine: Engine, module: str, data: dict[str, Any], where: str, *, create: bool
) -> None:
    """Configure ``module`` from one schema object; ``create`` adds it as a custom module
    when the org lacks it. System fields of an existing module must match (R2)."""
    system, mandatory = data.get("system_fields"), data.get("mandatory_fields")
    for key, value in (("system_fields", system), ("mandatory_fields", mandatory)):
        if value is not None and not _strings(value):
            raise ConfigurationError(f"{where}: {key} must be a list of field API names")
    try:
        if create and canonical_module_name(module) not in engine.modules():
            engine.add_module(
                module,
                system_fields=("Name",) if system is None else system,
                mandatory_fields=("Name",) if mandatory is None else mandatory,
            )
        current = engine.schema(module)
    except UpsertEngineError as error:
        raise ConfigurationError(f"{where}: {error}") from None
    if system is not None and tuple(system) != current.system_fields:
        raise ConfigurationError(
            f"{where}: system_fields {system} differ from {current.api_name}'s "
            f"{list(current.system_fields)}; they are fixed for a standard module (R2)"
        )
    fields = data.get("fields", [])
    if not isinstance(fields, list):
        raise ConfigurationError(f"{where}: fields must be a list")
    for position, field in enumerate(fields):
        at = f"{where}: fields[{position}]"
        if not isinstance(field, dict):
            raise ConfigurationError(f"{at} is not an object")
        name, data_type = field.get("api_name"), field.get("data_type")
        unique, max_length = field.get("unique", False), field.get("max_length")
        external, lookup_module = field.get("external"), field.get("lookup_module")
        if not isinstance(name, str) or not isinstance(data_type, str):
            raise ConfigurationError(f"{at}: api_name and data_type must be strings")
        if not isinstance(unique, bool):
            raise ConfigurationError(f"{at}: unique must be true or false")
        if external not in (None, "org", "user"):
            raise ConfigurationError(f'{at}: external must be "org", "user" or null (R24)')
        if lookup_module is not None and not isinstance(lookup_module, str):
            raise ConfigurationError(f"{at}: lookup_module must be a module name (R33)")
        try:
            if data_type == "subform":  # R36
                rows, needed = field.get("rows"), field.get("row_mandatory", [])
                if not isinstance(rows, list) or not _strings(needed):
                    raise ConfigurationError(
                        "a subform needs rows (a list of [api_name, data_type, max_length] or "
                        "[api_name, data_type, max_length, lookup_module]) and row_mandatory "
                        "(a list of row field names)"
                    )
                engine.add_subform(module, name, rows, mandatory=needed, max_rows=max_length)
            else:
                engine.add_field(
                    module,
                    name,
                    data_type,
                    unique=unique,
                    max_length=max_length,
                    decimal_place=field.get("decimal_place"),
                    external=external,
                    lookup_module=lookup_module,
                    pick_list_values=field.get("pick_list_values", ()),
                )
        except ConfigurationError as error:
            raise ConfigurationError(f"{at}: {error}") from None
    if mandatory is not None:
        try:
            engine.set_mandatory(module, mandatory)
        except ConfigurationError as error:
            raise ConfigurationError(f"{where}: {error}") from None
    _apply_settings_and_layouts(engine, module, data, where)


def _apply_settings_and_layouts(
    engine: Engine, module: str, data: dict[str, Any], where: str
) -> None:
    """R4 module settings (``"settings": ["pipelines"]``) and R35 layouts (``"layouts":
    [{"id", "name", "mandatory_fields"}]``) of a schema object."""
    settings, layouts = data.get("settings", []), data.get("layouts", [])
    if not _strings(settings):
        raise ConfigurationError(f"{where}: settings must be a list of setting names")
    if not isinstance(layouts, list) or not all(isinstance(item, dict) for item in layouts):
        raise ConfigurationError(f"{where}: layouts must be a list of objects")
    try:
        for setting in settings:
            engine.set_setting(module, setting)
        for layout in layouts:
            needed = layout.get("mandatory_fields", [])
            if not _strings(needed):
                raise ConfigurationError("a layout's mandatory_fields must be a list of names")
            engine.add_layout(module, layout.get("id"), mandatory=needed, name=layout.get("name"))
    except ConfigurationError as error:
        raise ConfigurationError(f"{where}: {error}") from None


def schema_labels(data: dict[str, Any], where: str) -> dict[str, str]:
    """The labels a schema object gives its fields (``"label"``): label -> API name."""
    labels: dict[str, str] = {}
    for position, field in enumerate(data.get("fields", [])):
        label = field.get("label") if isinstance(field, dict) else None
        if label is None:
            continue
        if not isinstance(label, str) or not label.strip():
            raise ConfigurationError(f"{where}: fields[{position}]: label must be a string")
        labels[label] = field["api_name"]
    return labels


def schema_with_labels(schema: ModuleSchema, labels: dict[str, str]) -> dict[str, Any]:
    """``schema.to_json()`` with each field's label: a custom one, else Zoho's standard one."""
    data = schema.to_json()
    custom = {api: label for label, api in labels.items()}
    for field in data["fields"]:
        api = field["api_name"]
        label = custom.get(api) or label_of(schema.api_name, api)
        if label is not None:
            field["label"] = label
    return data
