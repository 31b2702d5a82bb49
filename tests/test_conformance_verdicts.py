"""Conformance verdicts (issue 14, review of the suite): a case is "inferred" only when every
claim it makes is [inf]; a difference in a case resting on any [doc]/[seed]/[obs] claim is a
failure, never a finding."""

from __future__ import annotations

import pytest

from upsert_engine import Engine
from upsert_engine.conformance.case import load_corpus
from upsert_engine.conformance.report import skip_inferred, summarise, verdict
from upsert_engine.conformance.runner import run
from upsert_engine.conformance.target import InProcessTarget
from upsert_engine.options import Options

CORPUS = {case.id: case for case in load_corpus()}


def test_a_case_is_inferred_only_when_every_claim_is_inferred() -> None:
    """Mixed cases ({'R16': 'inf', 'R19': 'doc'}) are not inferred; all-[inf] ones are; and
    --expect-inferred=skip keeps the mixed ones."""
    mixed = [c for c in CORPUS.values() if "inf" in c.evidence.values() and not c.inferred]
    assert len(mixed) >= 10
    assert not CORPUS["r16-refused-request"].inferred
    assert CORPUS["r11-oldest-by-time"].inferred
    kept = {c.id for c in skip_inferred(CORPUS.values())}
    assert {c.id for c in mixed} <= kept and "r11-oldest-by-time" not in kept


@pytest.mark.parametrize(
    ("options", "case_id"),
    [
        (Options(max_records=200), "r16-refused-request"),  # R19 [doc]: at most 100 records
        (Options(load_owner=False), "r16-rejected-record"),  # R14 [doc]: DUPLICATE_DATA
    ],
)
def test_a_broken_documented_claim_in_a_mixed_case_is_a_failure(
    options: Options, case_id: str
) -> None:
    """An engine breaking a documented rule (R19's limit, R14's duplicate check) fails the
    mixed case that checks it under --expect-inferred=engine, and the run exits 1 (R16's [inf]
    tag on the same case does not turn the broken [doc] claim into a finding)."""
    target = InProcessTarget(lambda: Engine(options), "broken")
    result = run(target, [CORPUS[case_id]])
    [outcome] = result.outcomes
    assert outcome.status == "fail"
    assert verdict(outcome, "engine") == "fail"
    summary = summarise(result.outcomes, "engine")
    assert (summary.failed, summary.findings, summary.exit_code) == (1, 0, 1)
