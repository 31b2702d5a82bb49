"""``upsert-engine serve``: a fake Zoho CRM server (``app.ZohoServer``) until interrupted."""

from __future__ import annotations

import argparse
import gc
import signal
import sys
import warnings
from typing import Any

from .._cli_args import Once, add_input_arguments, add_org_arguments, options_from
from .._io_read import InputError, read_json
from ..errors import UpsertEngineError
from ..options import User
from .app import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_TOKEN,
    ZohoServer,
)
from .bulk import DEFAULT_MAX_BYTES as DEFAULT_UPLOAD_BYTES
from .bulk import DEFAULT_MAX_FILES as DEFAULT_UPLOAD_FILES
from .config import engine_factory, serve_store
from .log import DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES


def add_serve_parser(commands: Any) -> argparse.ArgumentParser:
    """Add ``serve`` to the CLI's subcommands (``commands`` from ``add_subparsers``)."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "serve",
        help="run a fake Zoho CRM server on the engine (for integration tests)",
        description="Serve the Zoho CRM API over HTTP from an in-memory org. Prints the base "
        "URL as the first line on stdout; stops on Ctrl-C or SIGTERM.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the accepted OAuth access token")
    parser.add_argument(
        "--client-id", default=DEFAULT_CLIENT_ID, help="the one client /oauth/v2/token serves"
    )
    parser.add_argument(
        "--client-secret", default=DEFAULT_CLIENT_SECRET, help="that client's secret"
    )
    add_org_arguments(
        parser,
        module_required=False,
        schema_help="JSON of module schemas, as `upsert-engine schema` prints them: one, a "
        'list, or {"modules": [...]}',
    )
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="TOKEN:ID:NAME[:EMAIL[:ZUID]]",
        help="a user of the org (R32) and the access token that acts as it; repeatable",
    )
    parser.add_argument(
        "--store",
        action=Once,
        help="the org's records, loaded at start and at every reset: a Zoho export (.csv, "
        ".xlsx) or what `apply --out` wrote (.jsonl, .json, .csv) of --module, or JSONL "
        'lines {"module": M, "record": {...}} naming their module',
    )
    add_input_arguments(parser)
    limits = parser.add_argument_group("limits under load")
    limits.add_argument(
        "--max-connections",
        type=int,
        default=DEFAULT_MAX_CONNECTIONS,
        help="connections served at once; more wait (default %(default)s)",
    )
    limits.add_argument(
        "--header-timeout",
        type=float,
        default=10.0,
        help="seconds for a request line and headers to arrive (default %(default)s)",
    )
    limits.add_argument(
        "--body-timeout",
        type=float,
        default=60.0,
        help="seconds for a body to arrive after its headers (default %(default)s)",
    )
    limits.add_argument(
        "--log-entries",
        type=int,
        default=DEFAULT_MAX_ENTRIES,
        help="request log entries kept; older ones are dropped (default %(default)s)",
    )
    limits.add_argument(
        "--log-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        help="bytes of bodies and answers the request log keeps (default %(default)s)",
    )
    limits.add_argument(
        "--upload-files",
        type=int,
        default=DEFAULT_UPLOAD_FILES,
        help="bulk write uploads kept; older ones are dropped (default %(default)s)",
    )
    limits.add_argument(
        "--upload-bytes",
        type=int,
        default=DEFAULT_UPLOAD_BYTES,
        help="bytes of uploaded CSVs (unzipped) kept; older ones are dropped (default %(default)s)",
    )
    return parser


def parse_user(spec: str) -> tuple[str, User]:
    """``TOKEN:ID:NAME[:EMAIL[:ZUID]]`` (``--user``): the token and the user it acts as."""
    parts = spec.split(":")
    if not 3 <= len(parts) <= 5:
        raise ValueError(f"--user {spec!r}: give TOKEN:ID:NAME[:EMAIL[:ZUID]]")
    token, user_id, name = parts[:3]
    local = ".".join(name.lower().split()) or "user"
    email = parts[3] if len(parts) > 3 else f"{local}@example.com"
    extra = {"zuid": parts[4]} if len(parts) > 4 else {}
    return token, User(name, user_id, email, **extra)


def run_serve(args: argparse.Namespace) -> int:
    """Run ``serve`` until interrupted; 2 for a bad configuration."""
    try:
        options = options_from(args)
        schema = read_json(args.schema) if args.schema else None
        specs = {"unique": args.unique, "normalize": args.normalize, "module": args.module}
        factory = engine_factory(schema=schema, options=options, **specs)
        if args.store:
            store, owners = serve_store(args, factory(), schema)
            factory = engine_factory(
                schema=schema, options=options, store=store, users=owners, **specs
            )
        users = [parse_user(spec) for spec in args.user]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            server = ZohoServer(
                factory,
                host=args.host,
                port=args.port,
                token=args.token,
                client_id=args.client_id,
                client_secret=args.client_secret,
                header_timeout=args.header_timeout,
                body_timeout=args.body_timeout,
                max_connections=args.max_connections,
                max_log_entries=args.log_entries,
                max_log_bytes=args.log_bytes,
                max_upload_files=args.upload_files,
                max_upload_bytes=args.upload_bytes,
                users=users,
            )
    except (OSError, ValueError, OverflowError, UpsertEngineError, InputError) as problem:
        print(f"upsert-engine serve: {problem}", file=sys.stderr)
        return 2
    for warning in caught:
        print(f"upsert-engine serve: warning: {warning.message}", file=sys.stderr)
    print(server.url, flush=True)
    print(f"token: {server.token}", flush=True)
    print(f"client: {server.client_id} secret: {server.client_secret}", flush=True)
    # issue 13: the loaded store stays out of the collector's passes from now on (a full
    # collection walks every record: about 4 s at 10^7 records, in the middle of a request)
    gc.collect()
    gc.freeze()

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
    return 0
