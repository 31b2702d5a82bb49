"""Configuring the fake server's org: ``--unique``, ``--schema`` and ``--store`` (app.py).

``engine_factory`` checks a configuration once and returns a function that builds a fresh,
identical org from it: the server calls it at start and at every reset.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from .._org_config import apply_module_schema
from ..engine import Engine
from ..errors import ConfigurationError, InvalidLoadError, UnknownModuleError
from ..options import Options

EngineFactory = Callable[[], Engine]


def parse_unique(spec: str) -> tuple[str, str, str | None]:
    """``Leads.Mobile:phone`` → ("Leads", "Mobile", "phone"); the type may be left out."""
    module, dot, rest = spec.partition(".")
    field, _, data_type = rest.partition(":")
    if not (dot and module and field):
        raise ConfigurationError(f"--unique {spec!r}: write Module.Field or Module.Field:type")
    return module, field, data_type or None


def apply_schema(engine: Engine, data: Any) -> None:
    """Apply ``ModuleSchema.to_json()`` shapes: one module, a list, or ``{"modules": [...]}``."""
    modules = data.get("modules", data) if isinstance(data, dict) else data
    for item in [modules] if isinstance(modules, dict) else modules:
        if not isinstance(item, dict) or not isinstance(item.get("module"), str):
            raise ConfigurationError(f"schema entry {item!r:.80} has no module name")
        apply_module_schema(engine, item["module"], item, "schema", create=True)


def read_store(path: str) -> list[tuple[str, dict[str, Any]]]:
    """A JSONL file of ``{"module": M, "record": {...}}`` lines (blank lines skipped)."""
    rows: list[tuple[str, dict[str, Any]]] = []
    with open(path, encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as problem:
                raise ConfigurationError(f"{path} line {number}: {problem.msg}") from None
            if not (
                isinstance(row, dict)
                and isinstance(row.get("module"), str)
                and isinstance(row.get("record"), dict)
            ):
                raise ConfigurationError(
                    f'{path} line {number}: expected {{"module": M, "record": {{...}}}}'
                )
            rows.append((row["module"], row["record"]))
    return rows


def engine_factory(
    *,
    unique: Sequence[str] = (),
    schema: Any = None,
    store: Sequence[tuple[str, dict[str, Any]]] = (),
    options: Options | None = None,
) -> EngineFactory:
    """A function making a fresh, identically configured org (used at start and reset).

    ``schema`` is JSON data as ``apply_schema`` takes it; ``store`` is (module, record) pairs
    loaded in order. The configuration is checked now: a bad one raises ConfigurationError.
    """
    specs = [parse_unique(spec) for spec in unique]
    rows = list(store)

    def make() -> Engine:
        engine = Engine(options)
        if schema is not None:
            apply_schema(engine, schema)
        for module, field, data_type in specs:
            current = engine.schema(module).fields.get(field)
            if data_type is None and current is None:
                raise ConfigurationError(f"--unique {module}.{field}: unknown field; add :type")
            kind = data_type or (current.data_type if current else "text")
            engine.add_field(
                module,
                field,
                kind,
                unique=True,
                max_length=current.max_length if current and not data_type else None,
            )
        by_module: dict[str, list[dict[str, Any]]] = {}
        for module, record in rows:  # consecutive rows of a module load in one call
            by_module.setdefault(module, []).append(record)
        for module, records in by_module.items():
            engine.load(module, records)
        return engine

    try:
        make()
    except (UnknownModuleError, InvalidLoadError, KeyError, TypeError) as problem:
        raise ConfigurationError(str(problem)) from None
    return make
