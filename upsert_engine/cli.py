"""The ``upsert-engine`` command: a thin adapter from argv to the engine.

``main(argv) -> int`` never raises for a user error: it prints one line and returns 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .demo import run_demo
from .server import add_serve_parser, run_serve


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="upsert-engine", description="Zoho CRM upsert semantics, offline and exact."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run the seed's sample request against an example org")
    add_serve_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 some rows failed, 2 usage)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if args.command == "demo":
        print(run_demo())
        return 0
    if args.command == "serve":
        return run_serve(args)
    raise AssertionError(args.command)  # pragma: no cover - argparse admits only known commands


def console_main() -> None:
    """Entry point of the console script."""
    sys.exit(main())
