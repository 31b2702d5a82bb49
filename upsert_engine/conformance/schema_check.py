"""A strict validator of the JSON Schema keywords ``cases/case.schema.json`` uses (stdlib only).

The loader checks every case file against the schema itself, so ``conform --cases F`` never
runs a case the schema refuses. The schema stays the one statement of the format: this
validator implements the keywords the schema uses (draft 2020-12 meaning), and refuses a
schema with any other keyword, so a constraint can never be written there and silently
ignored here. The test suite checks that it agrees with the ``jsonschema`` library on the
corpus and on broken cases (``jsonschema`` is a test dependency only).

Two points are stricter than draft 2020-12, on purpose: ``integer`` is an int (not ``200.0``)
and ``true`` is never a number; a ``pattern`` is matched with ASCII ``\\d`` and a final ``$``
that does not match before a trailing newline (ECMA-262's meaning).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

#: keywords that only annotate (they constrain nothing)
ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "$defs"})
#: keywords this validator enforces
KEYWORDS = frozenset(
    {
        "type",
        "required",
        "properties",
        "additionalProperties",
        "propertyNames",
        "minProperties",
        "items",
        "minItems",
        "uniqueItems",
        "pattern",
        "minLength",
        "minimum",
        "maximum",
        "enum",
        "const",
        "not",
        "oneOf",
        "$ref",
    }
)

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: type(v) is int,
    "number": lambda v: type(v) in (int, float),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


class SchemaError(ValueError):
    """The schema uses a keyword (or a ``$ref``) this validator does not implement."""


@lru_cache(maxsize=64)
def _pattern(text: str) -> re.Pattern[str]:
    if text.endswith("$") and not text.endswith("\\$"):
        text = text[:-1] + r"\Z"
    return re.compile(text, re.ASCII)


def _same(a: Any, b: Any) -> bool:
    """JSON equality for ``enum``/``const``/``uniqueItems``, type-strict: the texts of 1 and
    1.0, or of true and 1, differ."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


class Validator:
    """Validates instances against one schema (with its ``$defs``)."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self._check_keywords(schema, "#")

    def _check_keywords(self, schema: Any, where: str) -> None:
        if isinstance(schema, bool):
            return
        if not isinstance(schema, dict):
            raise SchemaError(f"{where}: a schema must be an object or a boolean")
        unknown = set(schema) - KEYWORDS - ANNOTATIONS
        if unknown:
            raise SchemaError(f"{where}: keywords not implemented: {sorted(unknown)}")
        for name, sub in schema.get("$defs", {}).items():
            self._check_keywords(sub, f"{where}/$defs/{name}")
        for name, sub in schema.get("properties", {}).items():
            self._check_keywords(sub, f"{where}/properties/{name}")
        for key in ("items", "additionalProperties", "propertyNames", "not"):
            if key in schema:
                self._check_keywords(schema[key], f"{where}/{key}")
        for index, sub in enumerate(schema.get("oneOf", [])):
            self._check_keywords(sub, f"{where}/oneOf/{index}")
        if "$ref" in schema:
            self._resolve(schema["$ref"])

    def _resolve(self, ref: str) -> Any:
        if not ref.startswith("#/$defs/") or ref[8:] not in self.schema.get("$defs", {}):
            raise SchemaError(f"$ref {ref!r}: only #/$defs/NAME of this schema is implemented")
        return self.schema["$defs"][ref[8:]]

    def errors(self, instance: Any) -> list[tuple[str, str]]:
        """Every (JSON path, what is wrong) of ``instance``; empty when it is valid."""
        return list(self._errors(self.schema, instance, "$"))

    def _errors(self, schema: Any, value: Any, path: str) -> Iterator[tuple[str, str]]:
        if schema is True:
            return
        if schema is False:
            yield path, "nothing is allowed here"
            return
        if "$ref" in schema:
            yield from self._errors(self._resolve(schema["$ref"]), value, path)
        kind = schema.get("type")
        if kind is not None and not _TYPES[kind](value):
            yield path, f"must be of type {kind}, not {_show(value)}"
            return
        if "enum" in schema and not any(_same(value, o) for o in schema["enum"]):
            yield path, f"must be one of {_show(schema['enum'])}, not {_show(value)}"
        if "const" in schema and not _same(value, schema["const"]):
            yield path, f"must be {_show(schema['const'])}, not {_show(value)}"
        if "not" in schema and not list(self._errors(schema["not"], value, path)):
            said = schema["not"].get("description") if isinstance(schema["not"], dict) else None
            if said:  # the schema says why, better than the pattern can
                yield path, f"{_show(value)} is refused: {said}"
            else:
                yield path, f"{_show(value)} is not allowed here"
        if "oneOf" in schema:
            yield from self._one_of(schema["oneOf"], value, path)
        if isinstance(value, dict):
            yield from self._object(schema, value, path)
        if isinstance(value, list):
            yield from self._array(schema, value, path)
        if isinstance(value, str):
            if len(value) < schema.get("minLength", 0):
                yield path, f"must have at least {schema['minLength']} character(s)"
            if "pattern" in schema and not _pattern(schema["pattern"]).search(value):
                yield path, f"{_show(value)} does not match {schema['pattern']}"
        if _TYPES["number"](value):
            if "minimum" in schema and value < schema["minimum"]:
                yield path, f"{value} is less than the minimum {schema['minimum']}"
            if "maximum" in schema and value > schema["maximum"]:
                yield path, f"{value} is more than the maximum {schema['maximum']}"

    def _one_of(self, forms: list[Any], value: Any, path: str) -> Iterator[tuple[str, str]]:
        found = [list(self._errors(form, value, path)) for form in forms]
        passing = sum(1 for errors in found if not errors)
        if passing == 1:
            return
        if passing > 1:
            yield path, f"matches {passing} of its {len(forms)} forms, not exactly one"
            return
        # the form whose first required key is present says best what is wrong
        named = [
            errors
            for form, errors in zip(forms, found, strict=True)
            if isinstance(value, dict) and form.get("required", [None])[0] in value
        ]
        if len(named) == 1:
            yield from named[0]
        else:
            yield path, f"matches none of its {len(forms)} forms: {_show(value)}"

    def _object(
        self, schema: dict[str, Any], value: dict[str, Any], path: str
    ) -> Iterator[tuple[str, str]]:
        for key in schema.get("required", []):
            if key not in value:
                yield path, f"{key!r} is required"
        if len(value) < schema.get("minProperties", 0):
            yield path, f"must have at least {schema['minProperties']} key(s)"
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            where = f"{path}.{key}"
            if "propertyNames" in schema:
                for _, problem in self._errors(schema["propertyNames"], key, where):
                    yield where, f"key {problem}"
            if key in properties:
                yield from self._errors(properties[key], item, where)
            elif extra is False:
                yield where, f"unknown key {key!r} (allowed: {', '.join(properties)})"
            else:
                yield from self._errors(extra, item, where)

    def _array(
        self, schema: dict[str, Any], value: list[Any], path: str
    ) -> Iterator[tuple[str, str]]:
        if len(value) < schema.get("minItems", 0):
            yield path, f"must have at least {schema['minItems']} item(s)"
        if schema.get("uniqueItems") and any(
            _same(a, b) for i, a in enumerate(value) for b in value[i + 1 :]
        ):
            yield path, "items must be unique"
        if "items" in schema:
            for index, item in enumerate(value):
                yield from self._errors(schema["items"], item, f"{path}[{index}]")
