"""The ``upsert-engine`` command: a thin adapter from argv and files to the engine.

``main(argv) -> int`` never raises for a user error: it prints one line on stderr and returns 2.
Exit codes: 0 every row succeeded, 1 some rows failed (the summary says which), 2 usage or input
error (nothing written), 70 an internal error (a bug; the console script prints the traceback).
``plan`` and ``apply`` load the store as existing data (``Engine.load``: repeats allowed), then
send the rows as a client would: requests of at most 100 rows in file order, applied in turn to
one throwaway engine, so later requests see earlier ones.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import itertools
import json
import os
import sys
import traceback
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from ._io_read import InputError, RowFile, read_json
from ._io_write import AtomicFile, ReportWriter, check_paths, commit_all, write_jsonl
from ._org_config import apply_module_schema
from ._summary import Progress, Summary, Tally, report_row
from .decision import is_match_key
from .demo import run_demo
from .engine import Engine, stepping_clock
from .errors import InvalidLoadError, UpsertEngineError
from .options import Options, User
from .rules import READ_ONLY_SYSTEM_FIELDS, UNIQUE_CAPABLE_TYPES
from .schema import ModuleSchema, canonical_module_name
from .server import add_serve_parser, run_serve

#: Store rows handed to ``Engine.load`` at a time (bounds the copies held while loading).
LOAD_CHUNK = 5000
#: Column labels renamed by default: Zoho's CSV export calls the record id "Record Id".
DEFAULT_RENAME: dict[str, str | None] = {"Record Id": "id"}
#: The exit status of an internal error (sysexits.h's EX_SOFTWARE): never 1, "some rows failed".
EXIT_INTERNAL = 70


class RequestClock:
    """The engine's clock: the whole store is loaded at one time, request k is k seconds later.

    So record ages (R11) and timestamps do not depend on how the store is chunked.
    """

    __slots__ = ("request",)

    def __init__(self) -> None:
        self.request = 0

    def __call__(self, _write: int) -> datetime:
        return stepping_clock(self.request)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="upsert-engine", description="Zoho CRM upsert semantics, offline and exact."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("demo", help="run the seed's sample request against an example org")
    schema = commands.add_parser("schema", help="print a module's schema as JSON (for --schema)")
    _org_arguments(schema)
    for name, text in (
        ("plan", "preview an import: how many rows insert, update (by field) and fail (why)"),
        ("apply", "the same, and write the resulting store to --out"),
    ):
        sub = commands.add_parser(name, help=text, description=text)
        _org_arguments(sub)
        sub.add_argument("--store", required=True, metavar="EXPORT", help="the CRM's records now")
        sub.add_argument("rows", metavar="ROWS", help="the rows to upsert (.csv, .json, .jsonl)")
        sub.add_argument("--check-fields", metavar="F1,F2", help="duplicate_check_fields (R5)")
        sub.add_argument("--map", metavar="MAP.json", help='{"Display Label": "API_Name", ...}')
        sub.add_argument("--report", metavar="REPORT", help="per-row report (.jsonl or .csv)")
        sub.add_argument("--explain", action="store_true", help="explain every row (R-numbers)")
        sub.add_argument("--json", action="store_true", help="print the summary as JSON")
        if name == "apply":
            sub.add_argument("--out", required=True, metavar="NEW_STORE.jsonl")
        sub.add_argument(
            "--file-mode",
            type=_file_mode,
            metavar="OCTAL",
            help="mode of output files created (default 0600); existing files keep theirs",
        )
    add_serve_parser(commands)
    commands.add_parser(
        "conform", help="run the conformance corpus (conform --help)", add_help=False
    )
    return parser


def _file_mode(text: str) -> int:
    """``--file-mode 0640``: permission bits in octal."""
    try:
        mode = int(text, 8)
    except ValueError:
        mode = -1
    if not 0 <= mode <= 0o777:
        raise argparse.ArgumentTypeError(f"{text!r} is not an octal mode from 0 to 0777")
    return mode


def _org_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--module", required=True, help="module API name, e.g. Leads")
    parser.add_argument(
        "--unique",
        action="append",
        default=[],
        metavar="[Module.]Field:type",
        help="make a field user-defined unique (R1), e.g. Mobile:phone; repeatable",
    )
    parser.add_argument("--schema", metavar="SCHEMA.json", help="what `schema` prints, edited")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 some rows failed, 2 usage)."""
    given = list(sys.argv[1:] if argv is None else argv)
    if given[:1] == ["conform"]:  # issue 14: its own parser, upsert_engine/conformance/cli.py
        from .conformance.cli import main as conform_main

        return conform_main(given[1:])
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has printed the usage or the help
        return int(exit_.code or 0)
    try:
        if args.command == "demo":
            print(run_demo())
            return 0
        if args.command == "serve":
            return run_serve(args)
        if args.command in ("plan", "apply"):
            check_paths(
                [
                    (option, path)
                    for option, path in (
                        ("--store", args.store),
                        ("ROWS", args.rows),
                        ("--map", args.map),
                        ("--schema", args.schema),
                    )
                    if path is not None
                ],
                [
                    (option, path)
                    for option, path in (
                        ("--report", args.report),
                        ("--out", getattr(args, "out", None)),
                    )
                    if path is not None
                ],
            )
        clock = RequestClock()
        # the CLI holds one module's records and none of the org's users: the ids Owner and
        # lookups name cannot be checked here (R32, R33); Zoho checks them
        engine = Engine(Options(check_users=False, check_lookups=False), clock=clock)
        module = configure(engine, args.module, args.schema, args.unique)
        if args.command == "schema":
            print(json.dumps(engine.schema(module).to_json(), indent=2))
            return 0
        return run_import(engine, clock, module, args)
    except BrokenPipeError:
        raise
    except (InputError, UpsertEngineError, OSError) as error:
        print(f"upsert-engine: error: {error}", file=sys.stderr)
        return 2


def console_main() -> None:
    """Entry point of the console script."""
    try:
        code = main()
        sys.stdout.flush()
        # the process ends: spare the interpreter's last collection a walk over the store
        # (now garbage, held in reference cycles) and let the operating system reclaim it
        gc.freeze()
    except BrokenPipeError:  # e.g. `upsert-engine demo | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    except KeyboardInterrupt:
        code = 130
    except Exception:  # a bug: the traceback, and a status that is not "some rows failed"
        traceback.print_exc()
        print("upsert-engine: internal error (a bug; please report it)", file=sys.stderr)
        code = EXIT_INTERNAL
    sys.exit(code)


# --- the org: module, --schema, --unique ------------------------------------------------------
def configure(engine: Engine, module: str, schema_path: str | None, unique: Sequence[str]) -> str:
    """Set up ``engine`` from the options; returns the module's API name."""
    if schema_path is not None:
        apply_schema(engine, module, read_json(schema_path), schema_path)
    if canonical_module_name(module) not in engine.modules():
        raise InputError(
            f"--module {module}: not a module of the org ({', '.join(engine.modules())}); "
            f'for a custom module give --schema with "custom": true'
        )
    for spec in unique:
        make_unique(engine, module, spec)
    return engine.schema(module).api_name


def apply_schema(engine: Engine, module: str, data: Any, path: str) -> None:
    """Apply the JSON that ``upsert-engine schema`` prints (``ModuleSchema.to_json``)."""
    if not isinstance(data, dict) or not isinstance(data.get("fields"), list):
        raise InputError(
            f'{path}: expected what `upsert-engine schema` prints: {{"fields": [...]}}'
        )
    named = data.get("module", module)
    if not isinstance(named, str) or canonical_module_name(named) != canonical_module_name(module):
        raise InputError(f"{path}: the schema of {named!r}, not of --module {module}")
    apply_module_schema(engine, module, data, path, create=data.get("custom") is True)


def make_unique(engine: Engine, module: str, spec: str) -> None:
    """``--unique Field:type`` or ``Module.Field:type``: a user-defined unique field (R1)."""
    target, colon, data_type = spec.rpartition(":")
    owner, dot, field = target.rpartition(".")
    if not colon or not field or not data_type or (dot and not owner):
        raise InputError(f"--unique {spec}: expected Field:data_type or Module.Field:data_type")
    try:
        existing = engine.schema(owner or module).fields.get(field)
        same_type = existing is not None and existing.data_type == data_type
        max_length = existing.max_length if existing is not None and same_type else None
        engine.add_field(owner or module, field, data_type, unique=True, max_length=max_length)
    except UpsertEngineError as error:
        raise InputError(f"--unique {spec}: {error}") from None


def check_fields(schema: ModuleSchema, text: str | None) -> list[str] | None:
    """``--check-fields A,B``: the request's duplicate_check_fields, each a check field or a
    field R7's default takes as a match key (a type R1 allows); external fields (R24) and
    ``id`` (R25) included."""
    if text is None:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    for name in names:
        if name == "id":  # R25: rows carrying an id update that record
            continue
        if name not in schema.fields:
            raise InputError(f"--check-fields: {name} is not a field of {schema.api_name}")
        if name not in schema.duplicate_check_fields and not is_match_key(schema, name):
            raise InputError(
                f"--check-fields: {name} is not a duplicate check field of {schema.api_name} "
                f"(these are: {', '.join(schema.duplicate_check_fields) or 'none'}), and a "
                f"{schema.fields[name].data_type} field cannot be a match key (R7: only "
                f"{', '.join(sorted(UNIQUE_CAPABLE_TYPES))})"
            )
    return names


def rename_map(path: str | None) -> dict[str, str | None]:
    """``--map``: column labels to API names (null drops a column), over DEFAULT_RENAME."""
    rename = dict(DEFAULT_RENAME)
    if path is not None:
        data = read_json(path)
        if not isinstance(data, dict) or not all(
            value is None or isinstance(value, str) for value in data.values()
        ):
            raise InputError(f'{path}: expected {{"Display Label": "API_Name" or null, ...}}')
        rename.update(data)
    return rename


# --- plan and apply ---------------------------------------------------------------------------
def run_import(engine: Engine, clock: RequestClock, module: str, args: argparse.Namespace) -> int:
    """``plan`` and ``apply``: load the store, send the rows, report and summarise."""
    if args.explain and args.json and args.report is None:
        raise InputError("--explain with --json needs --report (stdout holds only the JSON)")
    check = check_fields(engine.schema(module), args.check_fields)
    rename = rename_map(args.map)
    progress = Progress(sys.stderr)
    out_path: str | None = getattr(args, "out", None)
    with contextlib.ExitStack() as stack:  # every file opened before any work
        store = stack.enter_context(RowFile(args.store, rename))
        rows = stack.enter_context(RowFile(args.rows, rename))
        report = ReportWriter(args.report, args.explain, args.file_mode) if args.report else None
        if report is not None:
            stack.enter_context(report.file)
        out = stack.enter_context(AtomicFile(out_path, args.file_mode)) if out_path else None
        stored = load_store(engine, module, store, progress)
        # the loaded store: maybe a million records the collector need not walk again (left
        # alone if the caller has frozen objects of its own: unfreezing would thaw them too)
        freezing = gc.get_freeze_count() == 0
        if freezing:
            gc.freeze()
        try:
            tally = send_rows(engine, clock, module, rows, check, report, args.explain, progress)
        finally:
            if freezing:
                gc.unfreeze()
        progress.done()
        if out is not None:
            write_jsonl(out, engine.records(module))
        # the store first: an interrupted commit never leaves a new report by an old store
        files = [out] if out is not None else []
        commit_all([*files, report.file] if report is not None else files)
    summary = Summary.of(args.command, module, stored, tally, engine.count(module), out_path)
    print(summary.to_json() if args.json else summary.to_text())
    return 1 if tally.failed else 0


#: The fields ``_stored`` translates; a chunk of rows naming none of them is left as it is.
_EXPORT_STAMPS = frozenset(("Created_By", "Modified_By", "Created_Time", "Modified_Time"))


def _stored(values: dict[str, Any], user_id: str) -> dict[str, Any]:
    """A store row as ``Engine.load`` takes it: Zoho's export conventions translated.

    ``user_id``: the engine's acting user's (``User().id``), for the users an export names.
    """
    record_id = values.get("id")
    if isinstance(record_id, str) and record_id.startswith("zcrm_"):  # Zoho's export prefix
        values["id"] = record_id[5:]
    for name in ("Created_By", "Modified_By", "Created_Time", "Modified_Time"):
        if name in values:
            value = values[name]
            if value is None:
                del values[name]
            elif name.endswith("_By") and not isinstance(value, dict):
                # an export names the user only; the id is the engine's acting user's
                values[name] = {"name": str(value), "id": user_id}
    return values


def _stored_chunk(
    records: list[dict[str, Any]], columns: frozenset[str] | None, user_id: str
) -> None:
    """``_stored`` on each record, in place; ``columns``: the keys a CSV file's rows can have.

    Only what the rows can hold is looked at: the ids if there is an id column, the stamps if
    any row has one.
    """
    if columns is not None and "id" not in columns and _EXPORT_STAMPS.isdisjoint(columns):
        return
    if _EXPORT_STAMPS.isdisjoint(columns or itertools.chain.from_iterable(records)):
        for values in records:  # the common case, inlined: only the id's prefix to drop
            record_id = values.get("id")
            if isinstance(record_id, str) and record_id.startswith("zcrm_"):
                values["id"] = record_id[5:]
    else:
        for values in records:
            _stored(values, user_id)


class _UnknownKeys:
    """The keys of rows that are not fields of the module, in the order first seen."""

    __slots__ = ("_known", "keys")

    def __init__(self, schema: ModuleSchema) -> None:
        self._known = frozenset(schema.fields) | READ_ONLY_SYSTEM_FIELDS
        self.keys: dict[str, None] = {}

    def add(self, records: list[dict[str, Any]], columns: frozenset[str] | None) -> None:
        """Note the unknown keys of a chunk of rows; ``columns`` as for ``_stored_chunk``."""
        known = self._known
        if known.issuperset(columns or itertools.chain.from_iterable(records)):
            return
        if columns is not None and self.keys.keys() >= columns - known:  # all seen already
            return
        for values in records:
            for key in values:
                if key not in known:
                    self.keys[key] = None


def _warn_unknown(path: str, schema: ModuleSchema, keys: Iterable[str], what: str) -> None:
    unknown = [k for k in keys if k not in schema.fields and k not in READ_ONLY_SYSTEM_FIELDS]
    if unknown:
        shown = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more" if unknown[10:] else "")
        print(
            f"upsert-engine: warning: {path}: not fields of {schema.api_name} ({what}; "
            f"see --map or --schema): {shown}",
            file=sys.stderr,
        )


def load_store(engine: Engine, module: str, store: RowFile, progress: Progress) -> int:
    """Load the export as existing data (R11, R14: repeats allowed); returns the record count.

    The collector is off while loading (the rows are new records, not garbage); the loaded
    records are then frozen out of its passes (``gc.freeze``) until ``run_import`` ends.
    """
    unknown = _UnknownKeys(engine.schema(module))
    user_id = User().id
    count = 0
    collecting = gc.isenabled()
    gc.disable()
    try:
        for lines, records in store.batches(LOAD_CHUNK):
            _stored_chunk(records, store.columns, user_id)
            unknown.add(records, store.columns)
            try:
                engine.load(module, records)
            except InvalidLoadError:
                _locate_bad_record(engine, module, store.path, lines, records)
            count += len(records)
            progress.update(f"loading {store.path}: {count:,} records")
    finally:
        if collecting:
            gc.enable()
    _warn_unknown(store.path, engine.schema(module), unknown.keys, "kept, never matched")
    return count


def _locate_bad_record(
    engine: Engine, module: str, path: str, lines: list[int], records: list[dict[str, Any]]
) -> None:
    """A chunk failed to load (nothing of it was loaded): load it row by row to find the line."""
    for line, record in zip(lines, records, strict=True):
        try:
            engine.load(module, [record])
        except InvalidLoadError as error:
            reason = str(error).removeprefix(f"{engine.schema(module).api_name} record 0: ")
            raise InputError(f"{path} line {line}: {reason}") from None
    raise AssertionError("a chunk failed to load but each of its records loads")


def send_rows(
    engine: Engine,
    clock: RequestClock,
    module: str,
    rows: RowFile,
    check: list[str] | None,
    report: ReportWriter | None,
    explain: bool,
    progress: Progress,
) -> Tally:
    """Send the rows in requests of at most 100, in file order (R17, R19); count the outcomes."""
    tally = Tally()
    unknown = _UnknownKeys(engine.schema(module))
    for lines, records in rows.batches(engine.options.max_records):
        body: dict[str, Any] = {"data": records}
        if check:
            body["duplicate_check_fields"] = check
        clock.request = tally.requests + 1
        traces = engine.explain(module, body).records if explain else ()
        response = engine.upsert(module, body)
        entries = response.body.get("data")
        if not isinstance(entries, list):  # a request-level error fails every row of it
            entries = [response.body] * len(records)
        elif len(entries) != len(records):
            raise AssertionError("the response has not one entry per record")
        unknown.add(records, rows.columns)
        if report is None and not explain:  # only counting: straight from the entries
            tally.add_entries(entries)
        else:
            for position, (line, entry) in enumerate(zip(lines, entries, strict=True)):
                trace = traces[position] if position < len(traces) else None
                outcome = report_row(tally.rows + 1, line, entry, trace)
                tally.add(outcome)
                if report is not None:
                    report.write(outcome)
                elif outcome.explanation is not None:
                    text = outcome.explanation.to_text()
                    print(
                        text.replace(
                            f"record {outcome.row}:", f"row {outcome.row} (line {line}):", 1
                        )
                    )
        tally.requests += 1
        progress.update(f"{rows.path}: {tally.rows:,} rows, {tally.requests:,} requests")
    _warn_unknown(rows.path, engine.schema(module), unknown.keys, "ignored")
    return tally
