"""The corpus as pytest tests: ``pytest --pyargs upsert_engine.conformance --conform-url URL``.

One test per case. A case whose claims are all inferred ([inf]) and that differs is reported
as xfailed (a finding) under ``--conform-expect-inferred=engine``, the default; skipped cases
say why. A ``--conform-url`` that cannot be reached, or has no admin API, fails every test
(nothing could be tested) rather than skipping them all.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .case import Case, load_corpus
from .http import HttpTarget
from .report import case_lines, verdict
from .runner import run_case
from .target import Target, TargetError, engine_target

CASES = load_corpus()


@pytest.fixture(scope="module")
def conform_target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """The implementation under test: ``--conform-url``, else the in-process Engine."""
    url = request.config.getoption("--conform-url")
    if not url:
        yield engine_target()
        return
    target = HttpTarget(url, request.config.getoption("--conform-token"))
    try:  # a target that can test nothing fails every test, never skips them all
        target.probe()
    except TargetError as problem:
        pytest.fail(f"cannot reach the target: {problem}", pytrace=False)
    if not target.admin_api:
        pytest.fail(str(target.why_not(None)), pytrace=False)
    yield target
    target.close()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(case: Case, conform_target: Target, request: pytest.FixtureRequest) -> None:
    """One conformance case (its rules and evidence tags are in its id's file)."""
    expect = request.config.getoption("--conform-expect-inferred")
    outcome = run_case(conform_target, case)
    kind = verdict(outcome, expect)
    report = "\n".join(case_lines(outcome, expect))
    if kind == "skip":
        pytest.skip(outcome.reason)
    if kind == "finding":
        pytest.xfail(report)
    if kind != "pass":
        pytest.fail(report, pytrace=False)
