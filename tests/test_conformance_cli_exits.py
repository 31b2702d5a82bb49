"""``upsert-engine conform`` exit codes (review of the suite): a run that cannot test anything
is a setup error (exit 2, saying why), never a traceback (70) nor a silent 0 that would let a CI
job pass having tested nothing."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from upsert_engine import Engine
from upsert_engine.cli import main as cli_main
from upsert_engine.conformance.case import load_corpus
from upsert_engine.conformance.cli import main as conform
from upsert_engine.conformance.report import summarise
from upsert_engine.conformance.runner import run
from upsert_engine.conformance.target import InProcessTarget
from upsert_engine.server import ZohoServer


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_url_is_a_setup_error(capsys: pytest.CaptureFixture[str]) -> None:
    """--url where nothing listens: exit 2 (not 70) and a message naming the URL, no
    traceback."""
    url = f"http://127.0.0.1:{_closed_port()}"
    assert cli_main(["conform", "--url", url, "--rule", "R11"]) == 2
    err = capsys.readouterr().err
    assert "upsert-engine conform: error:" in err and url in err
    assert "Traceback" not in err


def test_a_url_without_the_admin_api_tests_nothing_and_exits_two(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every selected case skipped (no /__admin/reset): exit 2, the report still printed,
    and an error saying nothing was tested and why."""
    with ZohoServer() as server:
        code = conform(["--url", server.url + "/nothing-here", "--rule", "R11"])
    captured = capsys.readouterr()
    assert code == 2
    assert "3 cases: 0 passed" in captured.out and "3 skipped" in captured.out
    assert "every selected case (3) was skipped" in captured.err
    assert "admin API" in captured.err


class SkipsR11(InProcessTarget):
    """Engine, refusing to run R11's cases (as a live org refuses what it cannot set up)."""

    def why_not(self, case: Any) -> str | None:
        return "R11 not here" if "R11" in case.rules else None


def test_some_skipped_cases_do_not_change_the_exit_code() -> None:
    """A run where some cases ran and passed and others were skipped exits 0; a run where
    every case was skipped (or none ran) exits 2: the all-skipped rule is about testing
    nothing at all."""
    corpus = load_corpus()
    some = [c for c in corpus if "R11" in c.rules or "R3" in c.rules]
    outcomes = run(SkipsR11(Engine, "skips R11"), some).outcomes
    summary = summarise(outcomes, "engine")
    assert (summary.passed, summary.skipped, summary.exit_code) == (2, 3, 0)
    only = [o for o in outcomes if o.status == "skip"]
    assert summarise(only, "engine").exit_code == 2
    assert summarise([], "engine").exit_code == 2


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--rule", "R99"], "--rule R99: no such rule (R1..R36)"),
        (["--rule", "R0"], "--rule R0: no such rule (R1..R36)"),
        (["--rule", "11"], "--rule 11: no such rule (R1..R36)"),
        (["--case", "r08-email-cas"], "--case r08-email-cas: no such case"),
        (["--rule", "R3", "--case", "r11-oldest-by-id"], "no case is selected"),
    ],
)
def test_selecting_nothing_is_a_usage_error(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown rule or case id, or a selection matching no case, exits 2 with a message
    instead of running 0 cases and exiting 0."""
    assert conform(argv) == 2
    assert said in capsys.readouterr().err


def test_a_misspelt_case_id_gets_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    """--case r08-email-cas names the close ids it may have meant."""
    assert conform(["--case", "r08-email-cas"]) == 2
    assert "did you mean r08-email-case" in capsys.readouterr().err


def test_lower_case_rule_ids_are_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    """--rule r11 selects R11's three cases, as --rule R11 does."""
    assert conform(["--rule", "r11", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["cases"]) == 3 and all("R11" in c["rules"] for c in data["cases"])


def test_skip_leaving_nothing_to_run_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--expect-inferred=skip with only all-[inf] cases selected (R11's) runs nothing: exit 2."""
    assert conform(["--rule", "R11", "--expect-inferred", "skip"]) == 2
    assert "no case is selected" in capsys.readouterr().err


def _pytest_corpus(url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--pyargs",
            "upsert_engine.conformance",
            "-q",
            "-p",
            "no:cacheprovider",
            "-k",
            "r11",
            "--conform-url",
            url,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_pytest_entry_point_fails_where_it_can_test_nothing(tmp_path: Path) -> None:
    """pytest --pyargs upsert_engine.conformance against a URL without the admin API, or where
    nothing listens, fails (non-zero exit, saying why) instead of skipping every case."""
    with ZohoServer() as server:
        done = _pytest_corpus(server.url + "/nothing-here", tmp_path)
    assert done.returncode != 0, done.stdout[-2000:]
    assert "admin API" in done.stdout and "skipped" not in done.stdout.splitlines()[-1]
    done = _pytest_corpus(f"http://127.0.0.1:{_closed_port()}", tmp_path)
    assert done.returncode != 0, done.stdout[-2000:]
    assert "Connection refused" in done.stdout
