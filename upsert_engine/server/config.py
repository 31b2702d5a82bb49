"""Configuring the fake server's org: ``--unique``, ``--schema`` and ``--store`` (app.py).

``engine_factory`` checks a configuration once and returns a function that builds a fresh,
identical org from it: the server calls it at start and at every reset.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from .._cli_args import (
    delimiter,
    encoding,
    make_unique,
    module_name,
    parse_timezone,
    read_map,
    set_normalizer,
)
from .._columns import Columns
from .._export import ExportRules, ExportUsers, read_records
from .._io_read import InputError, RowFile
from .._org_config import apply_module_schema, schema_labels
from ..engine import Engine
from ..errors import ConfigurationError, InvalidLoadError, UnknownModuleError
from ..options import Options, User
from ..schema import canonical_module_name

EngineFactory = Callable[[], Engine]


def parse_unique(spec: str) -> tuple[str, str, str | None]:
    """``Leads.Mobile:phone`` → ("Leads", "Mobile", "phone"); the type may be left out.

    The grammar of every ``--unique``: ``[Module.]Field[:type]``; here the module is needed.
    """
    target, _, data_type = spec.partition(":")
    module, dot, field = target.rpartition(".")
    if not (dot and module and field):
        raise ConfigurationError(
            f"--unique {spec!r}: write Module.Field or Module.Field:type (or give --module)"
        )
    return module, field, data_type or None


def apply_schema(engine: Engine, data: Any) -> None:
    """Apply ``ModuleSchema.to_json()`` shapes: one module, a list, or ``{"modules": [...]}``."""
    modules = data.get("modules", data) if isinstance(data, dict) else data
    for item in [modules] if isinstance(modules, dict) else modules:
        if not isinstance(item, dict) or not isinstance(item.get("module"), str):
            raise ConfigurationError(f"schema entry {item!r:.80} has no module name")
        apply_module_schema(engine, item["module"], item, "schema", create=True)


def read_store(path: str) -> list[tuple[str, dict[str, Any]]]:
    """A store of ``{"module": M, "record": {...}}`` objects (JSONL or a JSON array)."""
    rows: list[tuple[str, dict[str, Any]]] = []
    try:
        with RowFile(path, {}, empty_ok=True) as lines:
            for row in lines:
                module, record = row.values.get("module"), row.values.get("record")
                if not (isinstance(module, str) and isinstance(record, dict)):
                    raise ConfigurationError(
                        f'{path} line {row.line}: expected {{"module": M, "record": {{...}}}}'
                    )
                rows.append((module, record))
    except InputError as error:
        raise ConfigurationError(str(error)) from None
    return rows


def is_wrapped_store(path: str) -> bool:
    """Whether a JSON or JSONL store's first object is ``{"module": M, "record": {...}}`` (or
    names either key: ``read_store`` then says what is wrong with it)."""
    with RowFile(path, {}, empty_ok=True) as rows:
        if rows.format not in ("json", "jsonl"):
            return False
        first = next(iter(rows), None)
    return first is not None and not {"module", "record"}.isdisjoint(first.values)


def engine_factory(
    *,
    unique: Sequence[str] = (),
    schema: Any = None,
    store: Sequence[tuple[str, dict[str, Any]]] = (),
    options: Options | None = None,
    normalize: Sequence[str] = (),
    module: str | None = None,
    users: Sequence[User] = (),
) -> EngineFactory:
    """A function making a fresh, identically configured org (used at start and reset).

    ``schema`` is JSON data as ``apply_schema`` takes it; ``unique`` and ``normalize`` are
    ``--unique [Module.]Field[:type]`` and ``--normalize [Module.]Field:NAME`` specs (the module
    defaults to ``module``); ``users`` are added to the org (R32: e.g. the owners a store
    names); ``store`` is (module, record) pairs loaded in order. The
    configuration is checked now: a bad one raises ConfigurationError.
    """
    rows = list(store)

    def make() -> Engine:
        engine = Engine(options)
        for user in users:
            engine.add_user(user)
        if schema is not None:
            apply_schema(engine, schema)
        try:
            for spec in unique:
                make_unique(engine, spec, module)
            for spec in normalize:
                set_normalizer(engine, spec, module)
        except InputError as error:
            raise ConfigurationError(str(error)) from None
        by_module: dict[str, list[dict[str, Any]]] = {}
        for name, record in rows:  # consecutive rows of a module load in one call
            by_module.setdefault(name, []).append(record)
        for name, records in by_module.items():
            engine.load(name, records)
        return engine

    try:
        make()
    except (UnknownModuleError, InvalidLoadError, KeyError, TypeError) as problem:
        raise ConfigurationError(str(problem)) from None
    return make


def serve_store(
    args: argparse.Namespace, org: Engine, schema: Any
) -> tuple[list[tuple[str, Any]], list[User]]:
    """``serve --store``: (module, record) pairs from any store format (issue 12 item 4), and
    the users its owners' names made (R32)."""
    path = args.store
    if is_wrapped_store(path):
        return read_store(path), []
    if args.module is None:
        raise InputError(
            f'--store {path}: the records of which module? give --module (a store of {{"module"'
            f', "record"}} lines names its own)'
        )
    module = module_name(org, args.module)
    labels: dict[str, str] = {}
    for item in _schema_items(schema):
        if canonical_module_name(str(item.get("module"))) == module:
            labels.update(schema_labels(item, "--schema"))
    columns = Columns(
        org.schema(module),
        read_map(args.map),
        labels,
        args.ignore_column,
        args.ignore_unknown_columns,
        send_unknown=args.unknown_fields is not None,
    )
    users = ExportUsers(org)
    rules = ExportRules(
        org.schema(module), parse_timezone(args.timezone), users, headers=columns.headers
    )
    codec, separator = encoding(args.encoding), delimiter(args.delimiter)
    with RowFile(path, columns, empty_ok=True, encoding=codec, delimiter=separator) as rows:
        return [(module, record) for record in read_records(rows, rules)], users.made


def _schema_items(schema: Any) -> list[Any]:
    modules = schema.get("modules", schema) if isinstance(schema, dict) else schema
    items = [modules] if isinstance(modules, dict) else modules or []
    return [item for item in items if isinstance(item, dict)]
