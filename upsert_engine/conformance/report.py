"""The report of a run: each case, a table per rule, and the summary that decides the exit code.

``--expect-inferred`` (issue 14, "disagreement is information"):

- ``engine`` (default): a failing case whose claims are all inferred ([inf]) is a *finding*
  (the target reads an undocumented point differently), not a failure; a case that also
  rests on a [seed], [doc] or [obs] claim fails, since its difference may break that claim;
- ``strict``: every failing case is a failure;
- ``skip``: inferred cases (every claim [inf]) are not run.

The summary separates "documented behaviour broken" (failing cases with any claim not
[inf]) from "inferred behaviour differs" (findings). The exit code is 2 when a case errored
(the case or the target could not be run: no verdict on it) or every case was skipped
(nothing was tested), else 1 when a case failed, else 0.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from .case import Case
from .runner import Outcome, Run

Expect = Literal["engine", "strict", "skip"]
EXPECT_CHOICES: tuple[Expect, ...] = ("engine", "strict", "skip")
RULES = tuple(f"R{n}" for n in range(1, 37))


def verdict(outcome: Outcome, expect: Expect) -> str:
    """``pass``, ``fail``, ``finding``, ``skip`` or ``error`` for one outcome."""
    if outcome.status == "fail" and expect == "engine" and outcome.case.inferred:
        return "finding"
    return outcome.status


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts of one run under one ``--expect-inferred``."""

    passed: int
    failed: int
    findings: int
    skipped: int
    errors: int

    @property
    def tested(self) -> int:
        """How many cases ran (not skipped)."""
        return self.passed + self.failed + self.findings + self.errors

    @property
    def exit_code(self) -> int:
        """2 when a case errored (the run is incomplete: a target error or a case that cannot
        run is a setup error, not a verdict) or no case ran (every selected case was skipped:
        a run that tested nothing must not pass a CI job); 1 when a case failed; else 0."""
        if self.errors:
            return 2
        if self.failed:
            return 1
        return 0 if self.tested else 2


def summarise(outcomes: Sequence[Outcome], expect: Expect) -> Summary:
    """The counts of ``outcomes`` under ``expect``."""
    verdicts = [verdict(o, expect) for o in outcomes]
    return Summary(
        verdicts.count("pass"),
        verdicts.count("fail"),
        verdicts.count("finding"),
        verdicts.count("skip"),
        verdicts.count("error"),
    )


def skip_inferred(cases: Iterable[Case]) -> list[Case]:
    """The cases ``--expect-inferred=skip`` runs."""
    return [case for case in cases if not case.inferred]


def _claims(case: Case) -> str:
    return ", ".join(f"{rule} [{case.evidence[rule]}]" for rule in case.rules)


def case_lines(outcome: Outcome, expect: Expect) -> list[str]:
    """The report lines of one case: a head line, then the diff or the reason."""
    kind = verdict(outcome, expect)
    label = {
        "pass": "PASS",
        "fail": "FAIL",
        "finding": "DIFFERS",
        "skip": "SKIP",
        "error": "ERROR",
    }[kind]
    head = f"{label:8}{outcome.case.id}  ({_claims(outcome.case)})"
    if kind == "pass":
        return [head]
    lines = [head, f"        {outcome.case.title}"]
    if kind in ("skip", "error"):
        return [*lines, f"        why: {outcome.reason}"]
    lines.append(f"        step {outcome.step}: {outcome.request}")
    lines += [f"          - {difference}" for difference in outcome.differences]
    if outcome.actual is not None:
        shown = json.dumps(outcome.actual, ensure_ascii=False)
        lines.append(f"        got: {shown[:600]}{'...' if len(shown) > 600 else ''}")
    return lines


def rule_table(outcomes: Sequence[Outcome], expect: Expect, *, live: bool = False) -> list[str]:
    """A Markdown table per rule: cases, and how many passed, failed, differed, were skipped.

    ``live`` words it for a run against Zoho: agrees / differs / not testable.
    """
    if live:
        head = "| rule | tags | cases | agrees | differs | not testable |"
    else:
        head = "| rule | tags | cases | pass | fail | differs ([inf]) | skipped | error |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for rule in RULES:
        mine = [o for o in outcomes if rule in o.case.rules]
        if not mine:
            continue
        tags = sorted({o.case.evidence[rule] for o in mine})
        kinds = [verdict(o, expect) for o in mine]
        if live:
            differs = kinds.count("fail") + kinds.count("finding")
            untestable = kinds.count("skip") + kinds.count("error")
            row = [rule, "/".join(tags), len(mine), kinds.count("pass"), differs, untestable]
        else:
            row = [
                rule,
                "/".join(tags),
                len(mine),
                kinds.count("pass"),
                kinds.count("fail"),
                kinds.count("finding"),
                kinds.count("skip"),
                kinds.count("error"),
            ]
        lines.append("| " + " | ".join(str(cell) for cell in row) + " |")
    return lines


def nothing_tested(outcomes: Sequence[Outcome]) -> str:
    """Why a run in which every case was skipped tested nothing (its distinct reasons)."""
    reasons = list(dict.fromkeys(o.reason for o in outcomes if o.status == "skip"))
    shown = "; ".join(reasons[:3]) + ("; ..." if len(reasons) > 3 else "")
    return f"every selected case ({len(outcomes)}) was skipped, nothing was tested: {shown}"


def render(run: Run, expect: Expect, *, verbose: bool = False, live: bool = False) -> str:
    """The whole report as text (cases that did not pass, or all with ``verbose``)."""
    lines = [f"conformance run against {run.target} (--expect-inferred={expect})", ""]
    for outcome in run.outcomes:
        if verbose or verdict(outcome, expect) != "pass":
            lines += case_lines(outcome, expect)
    lines += ["", *rule_table(run.outcomes, expect, live=live), ""]
    summary = summarise(run.outcomes, expect)
    lines.append(
        f"{len(run.outcomes)} cases: {summary.passed} passed, "
        f"{summary.failed} documented behaviour broken, "
        f"{summary.findings} inferred behaviour differs, "
        f"{summary.skipped} skipped, {summary.errors} errors"
    )
    return "\n".join(lines)


def to_json(run: Run, expect: Expect) -> dict[str, object]:
    """The run as JSON data (``--json``)."""
    summary = summarise(run.outcomes, expect)
    return {
        "target": run.target,
        "expect_inferred": expect,
        "summary": {
            "passed": summary.passed,
            "failed": summary.failed,
            "findings": summary.findings,
            "skipped": summary.skipped,
            "errors": summary.errors,
        },
        "cases": [
            {
                "id": o.case.id,
                "rules": list(o.case.rules),
                "evidence": dict(o.case.evidence),
                "verdict": verdict(o, expect),
                "reason": o.reason or None,
                "step": o.step,
                "request": o.request or None,
                "differences": [str(d) for d in o.differences],
            }
            for o in run.outcomes
        ],
    }
