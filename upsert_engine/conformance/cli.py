"""``upsert-engine conform``: run the corpus and report (issue 14).

    upsert-engine conform                          # in process, against Engine
    upsert-engine conform --target reference       # against ReferenceEngine
    upsert-engine conform --url URL --token T      # over HTTP (setup by the admin API)
    upsert-engine conform --live --accounts-url https://accounts.zoho.com \\
        --client-id ID --client-secret S --refresh-token R [--i-understand-this-writes]
    upsert-engine conform --cleanup JOURNAL        # remove what an interrupted live run left

Exit codes: 0 every case that ran passed (or, under ``--expect-inferred=engine``, only cases
whose claims are all inferred differed), 1 a case failed, 2 usage or setup error (an unknown
``--rule``/``--case``, a selection of no case, a malformed case file, a target that cannot be
reached, a case that errored: the target could not be driven through it, or a run in which
every selected case was skipped: nothing was tested), 130 interrupted; 70 only for a bug.
``--rule`` takes ``R11`` or ``r11``.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Sequence

from .case import RULE, Case, CaseFormatError, load_corpus, select
from .report import (
    EXPECT_CHOICES,
    Expect,
    nothing_tested,
    render,
    skip_inferred,
    summarise,
    to_json,
)
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
        "--rule",
        action="append",
        default=[],
        metavar="Rn",
        help="only cases of these rules (R1..R36, r11 is R11)",
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


def _close(target: Target) -> None:
    closing = getattr(target, "close", None)
    if callable(closing):
        closing()


def _selection(cases: list[Case], args: argparse.Namespace, expect: Expect) -> list[Case]:
    """The cases ``--rule``/``--case``/``--expect-inferred=skip`` select; ``ValueError`` for an
    unknown rule or case id, or a selection of no case (a run that would test nothing)."""
    rules = []
    for given in args.rule:
        rule = given.strip().upper()  # r11 is R11
        if not RULE.match(rule):
            raise ValueError(f"--rule {given}: no such rule (R1..R36)")
        rules.append(rule)
    known = [case.id for case in cases]
    for case_id in args.case:
        if case_id not in known:
            near = difflib.get_close_matches(case_id, known, n=3)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            raise ValueError(f"--case {case_id}: no such case in the corpus{hint}")
    chosen = select(cases, rules, args.case)
    if expect == "skip":
        chosen = skip_inferred(chosen)
    if not chosen:
        asked = " ".join([*(f"--rule {r}" for r in rules), *(f"--case {c}" for c in args.case)])
        skipping = (
            " with --expect-inferred=skip (all-[inf] cases left out)" if expect == "skip" else ""
        )
        raise ValueError(f"no case is selected by {asked or 'the corpus'}{skipping}")
    return chosen


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
        cases = _selection(load_corpus(args.cases), args, expect)
        target = _target(args)
    except (CaseFormatError, TargetError, OSError, ValueError) as problem:
        print(f"upsert-engine conform: error: {problem}", file=sys.stderr)
        return 2
    try:
        probe = getattr(target, "probe", None)
        if callable(probe):
            probe()
    except TargetError as problem:
        _close(target)
        print(f"upsert-engine conform: error: cannot reach the target: {problem}", file=sys.stderr)
        return 2

    def progress(outcome: Outcome) -> None:
        if not args.json:
            print(".", end="", file=sys.stderr, flush=True)

    try:
        result = run(target, cases, on_outcome=progress)
    except KeyboardInterrupt:
        print("\nupsert-engine conform: interrupted", file=sys.stderr)
        return 130
    except TargetError as problem:  # the target went away outside any case
        print(f"\nupsert-engine conform: error: {problem}", file=sys.stderr)
        return 2
    finally:
        _close(target)
    if not args.json:
        print(file=sys.stderr)
        print(render(result, expect, verbose=args.verbose, live=args.live))
    else:
        print(json.dumps(to_json(result, expect), indent=2))
    summary = summarise(result.outcomes, expect)
    if not summary.tested:
        print(f"upsert-engine conform: error: {nothing_tested(result.outcomes)}", file=sys.stderr)
    elif summary.errors:
        errored = [o.case.id for o in result.outcomes if o.status == "error"]
        print(
            f"upsert-engine conform: error: {len(errored)} case(s) could not be run (no "
            f"verdict; see ERROR above): {', '.join(errored)}",
            file=sys.stderr,
        )
    return summary.exit_code
