"""The corpus as pytest tests: ``pytest --pyargs upsert_engine.conformance --conform-url URL``.

One test per case. A case whose claims are all inferred ([inf]) and that differs is reported
as xfailed (a finding) under ``--conform-expect-inferred=engine``, the default; skipped cases
say why.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .case import Case, load_corpus
from .http import HttpTarget
from .report import case_lines, verdict
from .runner import run_case
from .target import Target, engine_target

CASES = load_corpus()


@pytest.fixture(scope="module")
def conform_target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """The implementation under test: ``--conform-url``, else the in-process Engine."""
    url = request.config.getoption("--conform-url")
    if not url:
        yield engine_target()
        return
    target = HttpTarget(url, request.config.getoption("--conform-token"))
    yield target
    target.client.close()


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
