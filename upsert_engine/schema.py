"""Module schemas: the configuration the engine decides against (R1-R4).

A ``ModuleSchema`` is a frozen value; changing a module's configuration builds a new one.
All checks on configuration happen here, when the configuration is built (R1, R3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from .errors import ConfigurationError, shown
from .fields import FieldDef, Normalizer, default_normalizer, known_data_types, record_id_text
from .rules import (
    COMPUTED_FIELDS,
    CUSTOM_MODULE_MANDATORY_FIELDS,
    CUSTOM_MODULE_SYSTEM_FIELDS,
    DATA_TYPE_DECIMAL_PLACE,
    DATA_TYPE_MAX_LENGTH,
    EXTERNAL_DATA_TYPES,
    EXTERNAL_KINDS,
    MANDATORY_FIELDS,
    MAX_DECIMAL_PLACE,
    MAX_RECORD_ID_DIGITS,
    MODULE_ALIASES,
    MODULE_SETTINGS,
    READ_ONLY_SYSTEM_FIELDS,
    ROW_DELETE,
    ROW_ID,
    SYSTEM_DUPLICATE_FIELDS,
    UNIQUE_CAPABLE_TYPES,
)
from .standard_fields import (
    LOOKUP_TARGETS,
    STANDARD_DECIMAL_PLACES,
    STANDARD_FIELDS,
    STANDARD_SUBFORMS,
    SUBFORM_LOOKUP_TARGETS,
)

#: Fields every custom module starts with (Zoho creates Owner, Name, Email, Secondary_Email).
CUSTOM_MODULE_FIELDS: tuple[tuple[str, str, int | None], ...] = (
    ("Owner", "ownerlookup", None),  # R32
    ("Name", "text", 120),
    ("Email", "email", 100),
    ("Secondary_Email", "email", 100),
    ("Email_Opt_Out", "boolean", None),
)


@dataclass(frozen=True, slots=True)
class Layout:
    """R35: a layout of a module: its id, its name and the fields it makes mandatory on an
    insert that names it (``"Layout": {"id": ...}``)."""

    id: str
    name: str
    mandatory_fields: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The layout as plain JSON data (``ModuleSchema.to_json``)."""
        return {"id": self.id, "name": self.name, "mandatory_fields": list(self.mandatory_fields)}


@dataclass(frozen=True, slots=True)
class ModuleSchema:
    """One module's fields, system duplicate check fields (R2), mandatory fields (R4), module
    settings (R4: Deals' pipelines) and layouts (R35)."""

    api_name: str
    fields: Mapping[str, FieldDef]
    system_fields: tuple[str, ...]
    mandatory_fields: tuple[str, ...]
    custom: bool = False
    #: R4: the module settings that are on (``rules.MODULE_SETTINGS``), e.g. Deals' pipelines.
    settings: frozenset[str] = frozenset()
    #: R35: layout id -> layout, in the order they were added.
    layouts: Mapping[str, Layout] = field(default_factory=dict)
    #: R5, R24: user-defined unique fields and external fields (U), in field-metadata order.
    unique_fields: tuple[str, ...] = field(init=False)
    #: R24: external field -> "org" or "user".
    external_fields: Mapping[str, str] = field(init=False)
    #: R33: lookup fields whose looked-up module is known.
    lookup_fields: tuple[str, ...] = field(init=False)
    #: R36: the subform fields, in field order.
    subform_fields: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))
        object.__setattr__(self, "layouts", MappingProxyType(dict(self.layouts)))
        object.__setattr__(self, "settings", frozenset(self.settings))
        unique = tuple(name for name, f in self.fields.items() if f.unique or f.external)
        object.__setattr__(self, "unique_fields", unique)
        external = {name: f.external for name, f in self.fields.items() if f.external}
        object.__setattr__(self, "external_fields", MappingProxyType(external))
        lookups = tuple(name for name, f in self.fields.items() if f.lookup_module is not None)
        object.__setattr__(self, "lookup_fields", lookups)
        subforms = tuple(name for name, f in self.fields.items() if f.data_type == "subform")
        object.__setattr__(self, "subform_fields", subforms)
        needed = [name for layout in self.layouts.values() for name in layout.mandatory_fields]
        for name in (*self.system_fields, *self.mandatory_fields, *needed):
            if name not in self.fields:
                raise ConfigurationError(
                    f"module {self.api_name!r}: field {name!r} is named as a system, "
                    f"mandatory or layout-mandatory field but is not a field of the module "
                    f"(R2, R4, R35)"
                )
        known: Mapping[str, tuple[str, ...]] = MODULE_SETTINGS.get(self.api_name, {})
        for setting in self.settings:
            if setting not in known:
                raise ConfigurationError(
                    f"module {self.api_name!r} has no setting {setting!r}; settings: "
                    f"{', '.join(known) or 'none'} (R4)"
                )
            for name in known[setting]:
                if name not in self.fields:
                    raise ConfigurationError(
                        f"module {self.api_name!r}: setting {setting!r} needs field {name!r} (R4)"
                    )

    def insert_mandatory(self, layout: str | None = None) -> tuple[str, ...]:
        """R4, R13, R35: the fields an insert needs: the module's mandatory fields, those of
        its settings that are on, then those of ``layout`` (a layout id of the module)."""
        known: Mapping[str, tuple[str, ...]] = MODULE_SETTINGS.get(self.api_name, {})
        names = [*self.mandatory_fields]
        for setting in sorted(self.settings):
            names.extend(known[setting])
        chosen = self.layouts.get(layout) if layout is not None else None
        if chosen is not None:
            names.extend(chosen.mandatory_fields)
        return tuple(dict.fromkeys(names))

    @property
    def duplicate_check_fields(self) -> tuple[str, ...]:
        """S then U without repeats: every field that may appear in a check order (R5, R7)."""
        return tuple(dict.fromkeys((*self.system_fields, *self.unique_fields)))

    def to_json(self) -> dict[str, Any]:
        """The schema as plain JSON data (the CLI's ``schema`` command and ``--schema`` input)."""
        return {
            "module": self.api_name,
            "custom": self.custom,
            "system_fields": list(self.system_fields),
            "mandatory_fields": list(self.mandatory_fields),
            "settings": sorted(self.settings),
            "layouts": [layout.to_json() for layout in self.layouts.values()],
            "fields": [_field_json(f) for f in self.fields.values()],
        }


def _field_json(definition: FieldDef) -> dict[str, Any]:
    """One field of ``ModuleSchema.to_json``; ``decimal_place`` (R15) only for types that
    have it, ``external`` (R24) and ``lookup_module`` (R33) only when set; a subform's with its
    ``rows`` and ``row_mandatory`` (R36)."""
    out: dict[str, Any] = {
        "api_name": definition.api_name,
        "data_type": definition.data_type,
        "max_length": definition.max_length,
        "unique": definition.unique,
    }
    if definition.decimal_place is not None:
        out["decimal_place"] = definition.decimal_place
    if definition.external is not None:
        out["external"] = definition.external
    if definition.lookup_module is not None:
        out["lookup_module"] = definition.lookup_module
    if definition.pick_list_values:
        out["pick_list_values"] = list(definition.pick_list_values)
    if definition.rows:
        out["rows"] = [_row_json(r) for r in definition.rows]
        out["row_mandatory"] = list(definition.row_mandatory)
    return out


def canonical_module_name(name: str) -> str:
    """R2: the API name of a module, accepting the seed's spellings (PriceBooks, ...)."""
    return MODULE_ALIASES.get(name, name)


def make_field(
    module: str,
    api_name: str,
    data_type: str,
    *,
    unique: bool = False,
    max_length: int | None = None,
    normalizer: Normalizer | None = None,
    check_formats: bool = True,
    decimal_place: int | None = None,
    external: str | None = None,
    lookup_module: str | None = None,
    rows: Sequence[FieldDef] = (),
    row_mandatory: Sequence[str] = (),
    pick_list_values: Sequence[str] = (),
) -> FieldDef:
    """A checked field definition; impossible ones raise ``ConfigurationError`` now (R1, R15,
    R24).

    ``pick_list_values``: a picklist's or multi-select picklist's configured values (R15:
    field metadata only; writes still accept any value), distinct non-empty strings.

    ``max_length`` (Zoho's ``length``) and ``decimal_place`` default to the type's (R15).
    A ``subform`` (R36) takes its row fields (``rows``, made with ``make_field`` too) and the
    row fields a new row needs (``row_mandatory``); no other type takes either.
    """
    if not isinstance(api_name, str) or not api_name.strip():
        raise ConfigurationError(
            f"module {module!r}: field name {api_name!r} must be a non-empty str"
        )
    if api_name in READ_ONLY_SYSTEM_FIELDS:
        raise ConfigurationError(
            f"module {module!r}: {api_name!r} is a read-only system field and cannot be defined"
        )
    if data_type not in DATA_TYPE_MAX_LENGTH:
        raise ConfigurationError(
            f"module {module!r}: field {api_name!r} has unknown data type {data_type!r}; "
            f"known types: {', '.join(known_data_types())}"
        )
    if unique and data_type not in UNIQUE_CAPABLE_TYPES:
        raise ConfigurationError(
            f"module {module!r}: field {api_name!r} of type {data_type!r} cannot be unique "
            f"(R1: only {', '.join(sorted(UNIQUE_CAPABLE_TYPES))})"
        )
    if external is not None:
        if external not in EXTERNAL_KINDS:
            raise ConfigurationError(
                f"module {module!r}: field {api_name!r} has external={external!r}; it must be "
                f"one of {', '.join(map(repr, EXTERNAL_KINDS))} or None (R24)"
            )
        if data_type not in EXTERNAL_DATA_TYPES:
            raise ConfigurationError(
                f"module {module!r}: field {api_name!r} of type {data_type!r} cannot be external "
                f"(R24: Zoho supports external fields of type text only)"
            )
        if unique:
            raise ConfigurationError(
                f"module {module!r}: field {api_name!r} cannot be both unique and external: an "
                f"external field is already a duplicate check field (R24)"
            )
    if normalizer is not None and not callable(normalizer):
        raise ConfigurationError(
            f"module {module!r}: field {api_name!r}: normalizer={normalizer!r} is not callable "
            f"(R8: a function from a value to its match key)"
        )
    if lookup_module is not None and (data_type != "lookup" or not isinstance(lookup_module, str)):
        raise ConfigurationError(
            f"module {module!r}: field {api_name!r}: lookup_module={lookup_module!r} needs a "
            f"field of type 'lookup' and a module name (R33)"
        )
    if max_length is None:
        max_length = DATA_TYPE_MAX_LENGTH[data_type]
    elif isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1:
        raise ConfigurationError(
            f"module {module!r}: field {api_name!r} has max_length={max_length!r}; "
            f"it must be a positive int"
        )
    if decimal_place is None:
        decimal_place = DATA_TYPE_DECIMAL_PLACE.get(data_type)
    elif data_type not in ("currency", "double", "decimal", "percent"):
        raise ConfigurationError(
            f"module {module!r}: field {api_name!r} of type {data_type!r} has no decimal "
            f"places; decimal_place is for currency, double and percent fields (R15)"
        )
    elif (
        isinstance(decimal_place, bool)
        or not isinstance(decimal_place, int)
        or not 0 <= decimal_place <= MAX_DECIMAL_PLACE
    ):
        raise ConfigurationError(
            f"module {module!r}: field {api_name!r} has decimal_place={decimal_place!r}; "
            f"it must be an int from 0 to {MAX_DECIMAL_PLACE} (R15)"
        )
    _check_rows(module, api_name, data_type, rows, row_mandatory)
    return FieldDef(
        api_name=api_name,
        data_type=data_type,
        max_length=max_length,
        unique=unique,
        normalizer=normalizer or default_normalizer(data_type),
        check_formats=check_formats,
        decimal_place=decimal_place,
        external=external,
        lookup_module=lookup_module,
        rows=tuple(rows),
        row_mandatory=tuple(dict.fromkeys(row_mandatory)),
        pick_list_values=_pick_list_values(module, api_name, data_type, pick_list_values),
    )


def _pick_list_values(
    module: str, api_name: str, data_type: str, values: Sequence[Any]
) -> tuple[str, ...]:
    """R15: the configured values of a picklist, checked."""
    if not values:
        return ()
    where = f"module {module!r}: field {api_name!r}"
    if data_type not in ("picklist", "multiselectpicklist"):
        raise ConfigurationError(
            f"{where} of type {data_type!r} has pick_list_values; only picklist and "
            f"multiselectpicklist fields have them (R15)"
        )
    if isinstance(values, str) or not all(isinstance(v, str) and v.strip() for v in values):
        raise ConfigurationError(
            f"{where}: pick_list_values must be a list of non-empty strings, not {values!r:.80}"
        )
    if len(set(values)) != len(values):
        raise ConfigurationError(f"{where}: pick_list_values {list(values)!r:.80} repeat a value")
    return tuple(values)


def _check_rows(
    module: str, api_name: str, data_type: str, rows: Sequence[Any], mandatory: Sequence[Any]
) -> None:
    """R36: a subform has one or more row fields (no subform among them, none named ``id`` or
    ``_delete``, no repeats) and its row-mandatory fields are among them."""
    where = f"module {module!r}: field {api_name!r}"
    if data_type != "subform":
        if rows or mandatory:
            raise ConfigurationError(f"{where} of type {data_type!r} has no rows (R36)")
        return
    if isinstance(rows, (str, bytes)) or not rows:
        raise ConfigurationError(
            f"{where}: a subform needs one or more row fields: define it with "
            f"Engine.add_subform (R36)"
        )
    names: list[str] = []
    for row in rows:
        if not isinstance(row, FieldDef):
            raise ConfigurationError(f"{where}: row field {shown(row)} is not a FieldDef (R36)")
        if row.data_type == "subform" or row.unique or row.api_name in (ROW_ID, ROW_DELETE):
            raise ConfigurationError(
                f"{where}: row field {row.api_name!r} cannot be a subform, unique, or named "
                f"{ROW_ID!r} / {ROW_DELETE!r} (R36)"
            )
        if row.api_name in names:
            raise ConfigurationError(f"{where}: row field {row.api_name!r} is repeated (R36)")
        names.append(row.api_name)
    if isinstance(mandatory, (str, bytes)) or any(name not in names for name in mandatory):
        raise ConfigurationError(
            f"{where}: row-mandatory fields {shown(mandatory)} must be row fields of the "
            f"subform ({', '.join(names)}) (R36)"
        )


def standard_module(name: str, *, check_formats: bool = True) -> ModuleSchema:
    """The default schema of a standard module (R2, R4), by API name or seed alias."""
    api_name = canonical_module_name(name)
    system = SYSTEM_DUPLICATE_FIELDS[api_name]
    mandatory = MANDATORY_FIELDS.get(api_name, system)
    fields = {}
    for row in STANDARD_FIELDS.get(api_name, ()):
        subform = STANDARD_SUBFORMS.get((api_name, row[0]))  # R36
        cells = (
            []
            if subform is None
            else subform_rows(
                api_name,
                [(*cell, SUBFORM_LOOKUP_TARGETS.get((row[0], cell[0]))) for cell in subform[0]],
                check_formats,
            )
        )
        fields[row[0]] = make_field(
            api_name,
            row[0],
            row[1],
            max_length=row[2],
            check_formats=check_formats,
            decimal_place=STANDARD_DECIMAL_PLACES.get((api_name, row[0])),
            lookup_module=LOOKUP_TARGETS.get((api_name, row[0])),
            rows=cells,
            row_mandatory=() if subform is None else subform[1],
        )
    for needed in (*system, *mandatory):  # the tables guarantee these; keep the schema whole
        fields.setdefault(needed, make_field(api_name, needed, "text"))  # text: no format
    return ModuleSchema(api_name, fields, system, mandatory)


#: A row field as configuration gives it: (api_name, data_type, max_length, lookup_module).
RowSpec = tuple[str, str, "int | None", "str | None"]


def subform_rows(
    module: str, rows: Sequence[RowSpec], check_formats: bool = True
) -> list[FieldDef]:
    """R36: the row fields of a subform from ``(api_name, data_type, max_length,
    lookup_module)`` rows (a lookup cell is checked against its module, R33)."""
    return [
        make_field(
            module,
            name,
            data_type,
            max_length=length,
            check_formats=check_formats,
            lookup_module=target,
        )
        for name, data_type, length, target in rows
    ]


def _row_json(row: FieldDef) -> list[Any]:
    """A row field in ``to_json``: [api_name, data_type, max_length(, lookup_module)]."""
    out: list[Any] = [row.api_name, row.data_type, row.max_length]
    return out if row.lookup_module is None else [*out, row.lookup_module]


def subform_field(
    module: str,
    api_name: str,
    rows: Sequence[Sequence[Any]],
    mandatory: Sequence[str] = (),
    max_rows: int | None = None,
    *,
    check_formats: bool = True,
) -> FieldDef:
    """R36: a subform field whose rows hold ``rows`` (``(api_name, data_type)``,
    ``(api_name, data_type, max_length)`` or ``(api_name, "lookup", max_length,
    lookup_module)`` each), of which ``mandatory`` are needed in a new row; at most
    ``max_rows`` rows (default 100 [inf])."""
    cells: list[RowSpec] = []
    if isinstance(rows, (str, bytes)):
        rows = [rows]
    for row in rows:
        if (
            isinstance(row, (str, bytes))
            or not isinstance(row, Sequence)
            or len(row) not in (2, 3, 4)
            or not all(isinstance(part, str) for part in row[:2])
        ):
            raise ConfigurationError(
                f"module {module!r}: subform {api_name!r}: row field {shown(row)} must be "
                f"(api_name, data_type[, max_length[, lookup_module]]) (R36)"
            )
        padded = (*row, None, None)
        cells.append((row[0], row[1], padded[2], padded[3]))
    return make_field(
        module,
        api_name,
        "subform",
        max_length=max_rows,
        check_formats=check_formats,
        rows=subform_rows(module, cells, check_formats),
        row_mandatory=mandatory,
    )


def custom_module(
    name: str,
    system_fields: tuple[str, ...] = CUSTOM_MODULE_SYSTEM_FIELDS,
    mandatory_fields: tuple[str, ...] = CUSTOM_MODULE_MANDATORY_FIELDS,
    *,
    check_formats: bool = True,
) -> ModuleSchema:
    """A custom module: Name is its system duplicate check field and mandatory (R2, R4)."""
    if not isinstance(name, str) or not name.strip() or "/" in name:
        raise ConfigurationError(f"module name {name!r} must be a non-empty str without '/'")
    fields = {
        row[0]: make_field(name, row[0], row[1], max_length=row[2], check_formats=check_formats)
        for row in CUSTOM_MODULE_FIELDS
    }
    for needed in (*system_fields, *mandatory_fields):
        fields.setdefault(needed, make_field(name, needed, "text"))
    return ModuleSchema(name, fields, tuple(system_fields), tuple(mandatory_fields), custom=True)


def with_field(
    schema: ModuleSchema,
    definition: FieldDef,
    max_unique: int | None,
    count_external: bool = False,
) -> ModuleSchema:
    """``schema`` with ``definition`` added or replacing the field of that name (R1, R3).

    External fields count against the cap only with ``count_external`` (R24 [inf]).
    """
    if (definition.unique or definition.external) and definition.api_name in COMPUTED_FIELDS.get(
        schema.api_name, ()
    ):
        raise ConfigurationError(
            f"module {schema.api_name!r}: {definition.api_name!r} is composed on read from the "
            "name fields and stored by no record, so it cannot be unique or external: as a "
            "duplicate check field it would never find a record (R1, R24)"
        )
    fields = dict(schema.fields)
    fields[definition.api_name] = definition
    unique = [
        name
        for name, f in fields.items()
        if (f.unique or (count_external and f.external)) and name not in schema.system_fields
    ]
    if max_unique is not None and len(unique) > max_unique:
        raise ConfigurationError(
            f"module {schema.api_name!r}: making {definition.api_name!r} unique gives "
            f"{len(unique)} user-defined unique fields {unique}; the cap is {max_unique} (R3)"
        )
    return replace(schema, fields=fields)


def with_mandatory(schema: ModuleSchema, mandatory: tuple[str, ...]) -> ModuleSchema:
    """``schema`` with another list of mandatory fields (R4 is configurable)."""
    return replace(schema, mandatory_fields=tuple(mandatory))


def with_setting(schema: ModuleSchema, setting: str, enabled: bool) -> ModuleSchema:
    """``schema`` with module setting ``setting`` on or off (R4: Deals' ``pipelines``)."""
    if not isinstance(enabled, bool):
        raise ConfigurationError(f"setting {setting!r}: enabled={enabled!r} must be a bool (R4)")
    if not isinstance(setting, str) or setting not in MODULE_SETTINGS.get(schema.api_name, {}):
        known = ", ".join(MODULE_SETTINGS.get(schema.api_name, {})) or "none"
        raise ConfigurationError(
            f"module {schema.api_name!r} has no setting {setting!r}; settings: {known} (R4)"
        )
    settings = schema.settings | {setting} if enabled else schema.settings - {setting}
    return replace(schema, settings=settings)


def with_layout(
    schema: ModuleSchema, layout_id: Any, name: Any, mandatory: Sequence[Any]
) -> ModuleSchema:
    """``schema`` with layout ``layout_id`` added, or redefined (R35).

    The id is a record id (1 to 32 ASCII digits, or an int); ``mandatory`` names fields of
    the module, which inserts naming the layout must carry.
    """
    text = record_id_text(layout_id)
    if text is None:
        raise ConfigurationError(
            f"module {schema.api_name!r}: layout id {shown(layout_id)} must be 1 to "
            f"{MAX_RECORD_ID_DIGITS} ASCII digits (R35)"
        )
    if name is None:
        name = f"Layout {text}"
    if not isinstance(name, str) or not name.strip():
        raise ConfigurationError(f"layout {text}: name {shown(name)} must be a non-empty str")
    if isinstance(mandatory, str) or not all(isinstance(f, str) for f in mandatory):
        raise ConfigurationError(
            f"layout {text}: mandatory={shown(mandatory)} must be a list of field API names"
        )
    layouts = dict(schema.layouts)
    layouts[text] = Layout(text, name, tuple(dict.fromkeys(mandatory)))
    return replace(schema, layouts=layouts)
