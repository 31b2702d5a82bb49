"""Module schemas: the configuration the engine decides against (R1-R4).

A ``ModuleSchema`` is a frozen value; changing a module's configuration builds a new one.
All checks on configuration happen here, when the configuration is built (R1, R3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .errors import ConfigurationError
from .fields import FieldDef, Normalizer, default_normalizer, known_data_types
from .rules import (
    CUSTOM_MODULE_MANDATORY_FIELDS,
    CUSTOM_MODULE_SYSTEM_FIELDS,
    DATA_TYPE_MAX_LENGTH,
    EXTERNAL_DATA_TYPES,
    EXTERNAL_KINDS,
    MANDATORY_FIELDS,
    MODULE_ALIASES,
    READ_ONLY_SYSTEM_FIELDS,
    SYSTEM_DUPLICATE_FIELDS,
    UNIQUE_CAPABLE_TYPES,
)
from .standard_fields import LOOKUP_TARGETS, STANDARD_FIELDS

#: Fields every custom module starts with (Zoho creates Owner, Name, Email, Secondary_Email).
CUSTOM_MODULE_FIELDS: tuple[tuple[str, str, int | None], ...] = (
    ("Owner", "ownerlookup", None),  # R32
    ("Name", "text", 120),
    ("Email", "email", 100),
    ("Secondary_Email", "email", 100),
    ("Email_Opt_Out", "boolean", None),
)


@dataclass(frozen=True, slots=True)
class ModuleSchema:
    """One module's fields, system duplicate check fields (R2) and mandatory fields (R4)."""

    api_name: str
    fields: Mapping[str, FieldDef]
    system_fields: tuple[str, ...]
    mandatory_fields: tuple[str, ...]
    custom: bool = False
    #: R5, R24: user-defined unique fields and external fields (U), in field-metadata order.
    unique_fields: tuple[str, ...] = field(init=False)
    #: R24: external field -> "org" or "user".
    external_fields: Mapping[str, str] = field(init=False)
    #: R33: lookup fields whose looked-up module is known.
    lookup_fields: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))
        unique = tuple(name for name, f in self.fields.items() if f.unique or f.external)
        object.__setattr__(self, "unique_fields", unique)
        external = {name: f.external for name, f in self.fields.items() if f.external}
        object.__setattr__(self, "external_fields", MappingProxyType(external))
        lookups = tuple(name for name, f in self.fields.items() if f.lookup_module is not None)
        object.__setattr__(self, "lookup_fields", lookups)
        for name in (*self.system_fields, *self.mandatory_fields):
            if name not in self.fields:
                raise ConfigurationError(
                    f"module {self.api_name!r}: field {name!r} is named as a system or "
                    f"mandatory field but is not a field of the module (R2, R4)"
                )

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
            "fields": [_field_json(f) for f in self.fields.values()],
        }


def _field_json(definition: FieldDef) -> dict[str, Any]:
    """One field of ``ModuleSchema.to_json``; ``external`` (R24) and ``lookup_module`` (R33)
    only when set."""
    out: dict[str, Any] = {
        "api_name": definition.api_name,
        "data_type": definition.data_type,
        "max_length": definition.max_length,
        "unique": definition.unique,
    }
    if definition.external is not None:
        out["external"] = definition.external
    if definition.lookup_module is not None:
        out["lookup_module"] = definition.lookup_module
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
    external: str | None = None,
    lookup_module: str | None = None,
) -> FieldDef:
    """A checked field definition; impossible ones raise ``ConfigurationError`` now (R1, R24)."""
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
    return FieldDef(
        api_name=api_name,
        data_type=data_type,
        max_length=max_length,
        unique=unique,
        normalizer=normalizer or default_normalizer(data_type),
        check_formats=check_formats,
        external=external,
        lookup_module=lookup_module,
    )


def standard_module(name: str, *, check_formats: bool = True) -> ModuleSchema:
    """The default schema of a standard module (R2, R4), by API name or seed alias."""
    api_name = canonical_module_name(name)
    system = SYSTEM_DUPLICATE_FIELDS[api_name]
    mandatory = MANDATORY_FIELDS.get(api_name, system)
    fields = {
        row[0]: make_field(
            api_name,
            row[0],
            row[1],
            max_length=row[2],
            check_formats=check_formats,
            lookup_module=LOOKUP_TARGETS.get((api_name, row[0])),
        )
        for row in STANDARD_FIELDS.get(api_name, ())
    }
    for needed in (*system, *mandatory):  # the tables guarantee these; keep the schema whole
        fields.setdefault(needed, make_field(api_name, needed, "text"))  # text: no format
    return ModuleSchema(api_name, fields, system, mandatory)


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
    return ModuleSchema(
        schema.api_name, fields, schema.system_fields, schema.mandatory_fields, schema.custom
    )


def with_mandatory(schema: ModuleSchema, mandatory: tuple[str, ...]) -> ModuleSchema:
    """``schema`` with another list of mandatory fields (R4 is configurable)."""
    return ModuleSchema(
        schema.api_name, schema.fields, schema.system_fields, tuple(mandatory), schema.custom
    )
