"""``upsert-engine conform``: run the corpus and report (issue 14).

    upsert-engine conform                          # in process, against Engine
    upsert-engine conform --target reference       # against ReferenceEngine
    upsert-engine conform --url URL --token T      # over HTTP (setup by the admin API)
    upsert-engine conform --live --accounts-url https://accounts.zoho.com \\
        --client-id ID --client-secret S --refresh-token R [--i-understand-this-writes]
    upsert-engine conform --cleanup JOURNAL        # remove what an interrupted live run left

Exit codes: 0 every case passed (or, under ``--expect-inferred=engine``, only cases whose
claims are all inferred differed), 1 a case failed or errored, 2 usage or setup error,
130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .case import CaseFormatError, load_corpus, select
from .report import EXPECT_CHOICES, Expect, render, skip_inferred, summarise, to_json
from .runner import Outcome, run
from .target import Target, TargetError, engine_target, reference_target


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="upsert-engine conform",
        description="Run the conformance corpus (R1-R36) against this engine, an HTTP "
        "implementation, or a real Zoho org, and report per case and per rule.",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--target",
        choices=("engine", "reference"),
        default=None,
        help="run in process against Engine (default) or ReferenceEngine",
    )
    where.add_argument("--url", help="base URL of an HTTP implementation with the admin API")
    where.add_argument("--live", action="store_true", help="run against a real Zoho org")
    where.add_argument(
        "--cleanup", metavar="JOURNAL", help="delete what a live run's journal lists"
    )
    parser.add_argument("--token", default="fake-zoho-token", help="access token for --url")
    parser.add_argument(
        "--accounts-url", help="live: Zoho Accounts URL, e.g. https://accounts.zoho.com"
    )
    parser.add_argument(
        "--api-domain", help="live: the API domain (default: what the token answer says)"
    )
    parser.add_argument("--client-id", help="live: OAuth client id")
    parser.add_argument("--client-secret", default="", help="live: OAuth client secret")
    parser.add_argument("--refresh-token", help="live: OAuth refresh token")
    parser.add_argument("--journal", default="conform-journal.jsonl", help="live: journal file")
    parser.add_argument(
        "--i-understand-this-writes",
        dest="writes_ok",
        action="store_true",
        help="live: run against an org that is not a sandbox",
    )
    parser.add_argument(
        "--expect-inferred",
        choices=EXPECT_CHOICES,
        default="engine",
        help="engine (default): a case whose claims are all [inf] and that differs is a "
        "finding, not a failure (a case with any [seed]/[doc]/[obs] claim fails); "
        "strict: it fails too; skip: all-[inf] cases are not run",
    )
    parser.add_argument(
        "--rule", action="append", default=[], metavar="Rn", help="only cases of these rules"
    )
    parser.add_argument(
        "--case", action="append", default=[], metavar="ID", help="only these cases"
    )
    parser.add_argument(
        "--cases",
        action="append",
        default=[],
        metavar="FILE",
        help="case files instead of the corpus",
    )
    parser.add_argument("--json", action="store_true", help="print the run as JSON")
    parser.add_argument("--verbose", "-v", action="store_true", help="list passing cases too")
    return parser


def _target(args: argparse.Namespace) -> Target:
    if args.url:
        from .http import HttpTarget

        return HttpTarget(args.url, args.token)
    if args.live:
        from .live import live_target

        return live_target(args)
    return reference_target() if args.target == "reference" else engine_target()


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``conform``; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    expect: Expect = args.expect_inferred
    try:
        if args.cleanup:
            from .live import cleanup_command

            return cleanup_command(args)
        cases = select(load_corpus(args.cases), args.rule, args.case)
        if expect == "skip":
            cases = skip_inferred(cases)
        target = _target(args)
    except (CaseFormatError, TargetError, OSError, ValueError) as problem:
        print(f"upsert-engine conform: error: {problem}", file=sys.stderr)
        return 2

    def progress(outcome: Outcome) -> None:
        if not args.json:
            print(".", end="", file=sys.stderr, flush=True)

    try:
        result = run(target, cases, on_outcome=progress)
    except KeyboardInterrupt:
        print("\nupsert-engine conform: interrupted", file=sys.stderr)
        return 130
    finally:
        closing = getattr(target, "close", None)
        if callable(closing):
            closing()
    if not args.json:
        print(file=sys.stderr)
        print(render(result, expect, verbose=args.verbose, live=args.live))
    else:
        print(json.dumps(to_json(result, expect), indent=2))
    return summarise(result.outcomes, expect).exit_code
