"""Smoke test of the benchmarks' quick path on tiny stores: correctness only, no timing.

Every implementation (engine, SQLite, the dict-loop ceiling, and a reference stand-in)
must give the same per-record outcomes on every workload, and each workload must be what
its name says.
"""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.run import EngineImpl, Mismatch, compare, parse, run
from benchmarks.workloads import (
    CHECK_ORDER,
    WORKLOADS,
    make_leads,
    make_stream,
    outcomes_of_response,
    slices,
)
from upsert_engine import Engine


class StandInReference(Engine):
    """Stands in for ``upsert_engine.reference.ReferenceEngine`` (same public API)."""


def quick_config(tmp_path: Any) -> Any:
    config, _ = parse(
        [
            "--quick",
            "--main-size",
            "2500",
            "--sizes",
            "1500",
            "2500",
            "--small-size",
            "3500",
            "--memory-sizes",
            "--requests",
            "1",
            "--rounds",
            "1",
            "--output",
            str(tmp_path / "RESULTS.md"),
        ]
    )
    return config


def test_quick_run_checks_every_workload(tmp_path: Any) -> None:
    """The quick run checks every workload on every implementation before timing, and its
    report carries the correctness line, the targets and the new rules' section."""
    lines: list[str] = []
    report = run(quick_config(tmp_path), reference=StandInReference, log=lines.append)
    assert report.main is not None and report.small is not None
    assert set(report.main.histograms) == set(WORKLOADS)
    assert report.small.names == ["engine", "reference", "sqlite", "ceiling"]
    assert report.main.names == ["engine", "sqlite", "ceiling", "floor"]
    assert sum(1 for line in lines if line.strip().startswith("check")) >= 2 * len(WORKLOADS)
    assert report.scale.keys() == {1500, 2500}
    text = "\n".join(report.lines)
    assert "Correctness: before any timing" in text
    assert "Targets (issue 13" in text
    assert report.sync is not None and "The new rules (issue 13)" in text
    assert any(line.startswith("N=3500: sync, mix") for line in report.checked)


def test_sync_workload_is_what_it_says() -> None:
    """Issue 13: the sync stream inserts, updates by the external field and by Email, and
    refuses lookups to no account, as its docstring says; the reference model agrees."""
    from benchmarks.sync import check_sync, measure_sync
    from upsert_engine.reference import ReferenceEngine

    assert check_sync(Engine, ReferenceEngine, 800).startswith("N=800: sync, mix")
    measured = measure_sync(Engine, 3000, 2, 1, seed=3)
    kinds = {(action, field, code) for action, field, code in measured.histogram}
    assert kinds == {
        ("insert", None, "SUCCESS"),
        ("update", "Ext_Id", "SUCCESS"),
        ("update", "Email", "SUCCESS"),
        (None, None, "INVALID_DATA"),
    }
    assert sum(measured.histogram.values()) == 200
    assert len(measured.seconds["sync"]) == len(measured.seconds["mix"]) == 1


def test_workloads_are_what_they_say() -> None:
    """Each workload's outcomes are what its name says (inserts, updates by which field,
    R14 collisions, repeats)."""
    leads = make_leads(2000, seed=7)
    engine = Engine()
    for name in CHECK_ORDER[1:]:
        engine.add_field("Leads", name, "phone", unique=True)
    engine.load("Leads", leads)
    spans = slices(2000, 2)
    seen: dict[str, dict[tuple[Any, ...], int]] = {}
    for workload in WORKLOADS:
        counts: dict[tuple[Any, ...], int] = {}
        for body in make_stream(workload, leads, 2, 0, spans[workload], seed=7):
            for outcome in outcomes_of_response(engine.upsert("Leads", body).body):
                counts[outcome] = counts.get(outcome, 0) + 1
        seen[workload] = counts
    assert seen["all_new"] == {("insert", None, "SUCCESS"): 200}
    assert seen["hit_first"] == {("update", "Email", "SUCCESS"): 200}
    assert seen["hit_later"] == {("update", "Mobile", "SUCCESS"): 200}
    assert seen["collisions"] == {
        (None, None, "DUPLICATE_DATA"): 160,
        (None, None, "MULTIPLE_OR_MULTI_ERRORS"): 40,
    }
    assert seen["mix"] == {
        ("insert", None, "SUCCESS"): 100,
        ("update", "Email", "SUCCESS"): 60,
        ("update", "Phone", "SUCCESS"): 20,
        ("update", "Mobile", "SUCCESS"): 10,
        (None, None, "DUPLICATE_DATA"): 8,
        (None, None, "MULTIPLE_OR_MULTI_ERRORS"): 2,
    }
    assert seen["repeats"][("update", "Email", "SUCCESS")] >= 100


def test_a_disagreement_stops_the_run() -> None:
    """Implementations that disagree on any record stop the run: no timing is reported."""
    with pytest.raises(Mismatch, match="outcomes differ"):
        compare(
            "mix",
            {
                "engine": [("insert", None, "SUCCESS")],
                "sqlite": [("update", "Email", "SUCCESS")],
            },
        )


def test_engine_adapter_reports_outcomes() -> None:
    """The engine adapter turns responses into per-record outcomes."""
    impl = EngineImpl("engine", Engine)
    impl.load(make_leads(10))
    answers = impl.run([{"data": [{"Last_Name": "X", "Email": "x@example.com"}]}])
    assert impl.outcomes(answers) == [("insert", None, "SUCCESS")]


def _without_times(value: Any) -> Any:
    """A response body with its time stamps dropped (the engine's clock steps per write)."""
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items() if not k.endswith("_Time")}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def test_floor_answers_what_the_engine_answers() -> None:
    """Issue 13: the floor (benchmarks/floor.py) does the output work the rules require, so on
    every workload its response bodies are the engine's, entry for entry (R18: codes, ids,
    stamps, duplicate_record), time stamps aside."""
    from benchmarks.floor import Floor

    leads = make_leads(3000)
    engine, floor = EngineImpl("engine", Engine), Floor()
    engine.load(leads)
    floor.load(leads)
    spans = slices(3000, 2)
    for workload in WORKLOADS:
        stream = make_stream(workload, leads, 2, 0, spans[workload])
        expected = [_without_times(r.body) for r in engine.run(stream)]
        assert [_without_times(b) for b in floor.run(stream)] == expected, workload
