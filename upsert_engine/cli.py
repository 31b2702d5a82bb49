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
import json
import os
import sys
import traceback
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from . import __version__
from ._cli_args import (
    LATEST_NOW,
    Once,
    add_input_arguments,
    add_org_arguments,
    check_fields,
    configure_fields,
    delimiter,
    encoding,
    module_name,
    options_from,
    parse_now,
    parse_timezone,
    read_map,
)
from ._columns import Columns
from ._export import ExportRules, ExportUsers, load_store
from ._io_read import InputError, RowFile, read_json
from ._io_write import (
    AtomicFile,
    ReportWriter,
    check_paths,
    commit_all,
    store_format,
    write_store,
)
from ._org_config import apply_module_schema, schema_labels, schema_with_labels
from ._sending import Sending
from ._summary import Progress, Summary
from .demo import run_demo
from .engine import Engine, stepping_clock
from .errors import UpsertEngineError
from .schema import canonical_module_name
from .server import add_serve_parser, run_serve

#: The exit status of an internal error (sysexits.h's EX_SOFTWARE): never 1, "some rows failed".
EXIT_INTERNAL = 70


class RequestClock:
    """The engine's clock: the whole store is loaded at one time (``start``), request k is
    k seconds after ``base``, so record ages (R11) and timestamps do not depend on how the
    store is chunked, and the run is deterministic.

    ``base`` is set after the store is loaded (``after_store``): the newest Created_Time or
    Modified_Time in the store, or ``start`` if later (default the engine's epoch,
    2026-01-15T10:00:00+05:30; ``--now`` sets it). Records this run writes are then newer than
    every stored one (R11's oldest/newest; R18: Modified_Time never before Created_Time), also
    in a chain of ``apply --out`` stores.
    """

    __slots__ = ("base", "request", "start")

    def __init__(self, start: datetime | None = None) -> None:
        self.start = start if start is not None else stepping_clock(0)
        self.base = self.start
        self.request = 0

    def __call__(self, _write: int) -> datetime:
        return self.base + timedelta(seconds=self.request)

    def after_store(self, newest: datetime | None, given: bool) -> None:
        """Requests are stamped after ``newest`` (the store's newest stamp); a ``--now``
        (``given``) before it is refused: this run's records would count as older."""
        if newest is None or newest <= self.start:
            self.base = self.start
            return
        if newest > LATEST_NOW:
            raise InputError(
                f"the store holds a record stamped {newest.isoformat()}, after "
                f"{LATEST_NOW.isoformat()}: this run's requests, stamped after it (R11, R18), "
                f"would pass year 9999"
            )
        if given:
            first = self.start + timedelta(seconds=1)
            raise InputError(
                f"--now {first.isoformat()}: the store holds a record stamped "
                f"{newest.isoformat()}, not earlier; records this run writes would count as "
                f"older than stored ones (R11, R18); give --now "
                f"{(newest + timedelta(seconds=1)).isoformat()} or later"
            )
        self.base = newest


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand; every option has help text."""
    parser = argparse.ArgumentParser(
        prog="upsert-engine", description="Zoho CRM upsert semantics, offline and exact."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("demo", help="run the seed's sample request against an example org")
    schema = commands.add_parser(
        "schema",
        help="print a module's schema as JSON (for --schema)",
        description="Print a module's fields (with Zoho's labels), types, unique flags, system "
        "and mandatory fields as JSON; edit it and pass it back with --schema.",
    )
    add_org_arguments(schema, module_required=True)
    for name, text in (
        ("plan", "preview an import: how many rows insert, update (by field) and fail (why)"),
        ("apply", "the same, and write the resulting store to --out"),
    ):
        sub = commands.add_parser(name, help=text, description=text)
        add_org_arguments(sub, module_required=True)
        sub.add_argument(
            "rows",
            metavar="ROWS",
            help="the rows to upsert: .csv, .xlsx, .json (an array), .jsonl; - for stdin",
        )
        sub.add_argument(
            "--store",
            action=Once,
            metavar="EXPORT",
            help="the CRM's records now: a Zoho export (.csv, .xlsx) or a store apply wrote "
            "(.jsonl, .json, .csv); default: an empty CRM",
        )
        sub.add_argument(
            "--check-fields",
            action=Once,
            metavar="F1,F2",
            help="the request's duplicate_check_fields, API names or labels (default: none "
            "sent, so the module's system fields, then its unique fields: R5)",
        )
        add_input_arguments(sub)
        sub.add_argument(
            "--store-encoding",
            action=Once,
            metavar="ENCODING",
            help="of the --store file when it differs from the rows' --encoding (default "
            "UTF-8, or UTF-16 by its BOM)",
        )
        sub.add_argument(
            "--report",
            action=Once,
            metavar="REPORT",
            help="per-row report (.csv or .jsonl): outcome, "
            "target, the record an error matched, the fields an update changes",
        )
        sub.add_argument(
            "--explain",
            action="store_true",
            help="explain every row: check order, values "
            "tried, the rule that decided (R-numbers), the fields changed",
        )
        sub.add_argument("--json", action="store_true", help="print the summary as JSON")
        sub.add_argument(
            "--ids",
            choices=("placeholder", "engine"),
            default="placeholder" if name == "plan" else "engine",
            help="ids of inserted records in the report and --explain: placeholder (new-1, "
            "new-2...: Zoho assigns the real ones) or engine (the ids written to --out); "
            "default %(default)s",
        )
        sub.add_argument(
            "--now",
            action=Once,
            metavar="TIME",
            help="the time of the first request (R11, R18: the Created_Time and Modified_Time "
            "it writes; request k is k-1 seconds later), ISO 8601 in whole seconds with an "
            "offset of hours and minutes (as R18 writes it), without an offset read in "
            "--timezone, from 1900-01-01 to 9998-12-31 (UTC); default: one second after the "
            "newest Created_Time or Modified_Time of --store, or 2026-01-15T10:00:01+05:30 if "
            "that is later; a time before the store's newest is refused",
        )
        if name == "apply":
            sub.add_argument(
                "--out",
                action=Once,
                required=True,
                metavar="NEW_STORE",
                help="the resulting store: .jsonl, .json or .csv (by extension); a later "
                "--store reads it back",
            )
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
            _check_paths(args)
        now = getattr(args, "now", None)
        # --now is the first request's time; the store is loaded a second before it
        start = None if now is None else parse_now(now, args.timezone) - timedelta(seconds=1)
        clock = RequestClock(start)
        # the CLI holds one module's records and only the users its files name: the ids Owner
        # and lookups name cannot be checked here unless asked (R32, R33); Zoho checks them
        options = options_from(args, check_users=False, check_lookups=False)
        engine = Engine(options, clock=clock)
        module, labels = configure(engine, args)
        if args.command == "schema":
            data = schema_with_labels(engine.schema(module), labels)
            print(json.dumps(data, indent=2, ensure_ascii=False))
            return 0
        return run_import(engine, clock, module, labels, args)
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


def _check_paths(args: argparse.Namespace) -> None:
    """No output over an input (issue 8); at most one input from stdin ("-")."""
    inputs = [
        (option, path)
        for option, path in (
            ("--store", args.store),
            ("ROWS", args.rows),
            ("--map", args.map),
            ("--schema", args.schema),
        )
        if path is not None
    ]
    if sum(path == "-" for _, path in inputs) > 1:
        raise InputError("only one input can be standard input (-)")
    outputs = [
        (option, path)
        for option, path in (("--report", args.report), ("--out", getattr(args, "out", None)))
        if path is not None
    ]
    for option, path in outputs:
        if path == "-":
            raise InputError(f"{option} -: write to a file (stdout holds the summary)")
    check_paths([pair for pair in inputs if pair[1] != "-"], outputs)


# --- the org: module, --schema, --unique, --normalize ------------------------------------------
def configure(engine: Engine, args: argparse.Namespace) -> tuple[str, dict[str, str]]:
    """Set up ``engine`` from the options; returns the module's API name and custom labels."""
    labels: dict[str, str] = {}
    if args.schema is not None:
        data = read_json(args.schema)
        apply_schema(engine, args.module, data, args.schema)
        labels = schema_labels(data, args.schema)
    module = module_name(engine, args.module)
    configure_fields(engine, module, args, only=True)
    return module, labels


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


# --- plan and apply ---------------------------------------------------------------------------
def run_import(
    engine: Engine,
    clock: RequestClock,
    module: str,
    labels: dict[str, str],
    args: argparse.Namespace,
) -> int:
    """``plan`` and ``apply``: load the store, send the rows, report and summarise."""
    if args.explain and args.json and args.report is None:
        raise InputError("--explain with --json needs --report (stdout holds only the JSON)")
    schema = engine.schema(module)
    check = check_fields(schema, args.check_fields, engine.options)
    columns = Columns(
        schema,
        read_map(args.map),
        labels,
        args.ignore_column,
        args.ignore_unknown_columns,
        send_unknown=args.unknown_fields is not None,
    )
    rules = ExportRules(
        schema,
        parse_timezone(args.timezone),
        ExportUsers(engine),
        headers=columns.headers,
        # R32: under --check-users a row's owner must name a user the files name (the store's)
        row_users=not engine.options.check_users,
    )
    codec, separator = encoding(args.encoding), delimiter(args.delimiter)
    store_codec = encoding(args.store_encoding, "--store-encoding")
    out_path: str | None = getattr(args, "out", None)
    out_format = store_format("--out", out_path) if out_path is not None else None
    progress = Progress(sys.stderr)
    with contextlib.ExitStack() as stack:  # every file opened before any work
        store = None
        if args.store is not None:
            store = stack.enter_context(
                RowFile(args.store, columns, empty_ok=True, encoding=store_codec)
            )
        rows = stack.enter_context(RowFile(args.rows, columns, encoding=codec, delimiter=separator))
        report = ReportWriter(args.report, args.explain, args.file_mode) if args.report else None
        if report is not None:
            stack.enter_context(report.file)
        out = stack.enter_context(AtomicFile(out_path, args.file_mode)) if out_path else None
        stored = load_store(engine, module, store, rules, progress) if store is not None else 0
        clock.after_store(rules.newest, getattr(args, "now", None) is not None)
        # the loaded store: maybe a million records the collector need not walk again (left
        # alone if the caller has frozen objects of its own: unfreezing would thaw them too)
        freezing = gc.get_freeze_count() == 0
        if freezing:
            gc.freeze()
        try:
            sending = Sending(engine, clock, module, check, report, args.explain, args.ids)
            sending.translate = rules.translate_rows
            tally = sending.run(rows, progress)
        finally:
            if freezing:
                gc.unfreeze()
        progress.done()
        if out is not None and out_format is not None:
            write_store(out, lambda: engine.records(module), out_format)
        # the store first: an interrupted commit never leaves a new report by an old store
        files = [out] if out is not None else []
        commit_all([*files, report.file] if report is not None else files)
    for path, dropped in columns.dropped.items():
        print(
            f"upsert-engine: note: {path}: columns left out: {', '.join(dropped)}",
            file=sys.stderr,
        )
    summary = Summary.of(
        args.command,
        module,
        stored,
        tally,
        engine.count(module),
        out_path,
        timezone=args.timezone,
        times_read=rules.times_read,
    )
    print(summary.to_json() if args.json else summary.to_text())
    return 1 if tally.failed else 0
