"""Live mode of the conformance suite (issue 14), against the fake server standing in for Zoho
(its OAuth, org, users, field metadata and custom-field endpoints): it refuses a non-sandbox
org, creates and cleans up, survives an interrupt, and ``--cleanup JOURNAL`` removes what a
run killed outright left behind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from upsert_engine import Engine
from upsert_engine.conformance import live
from upsert_engine.conformance.case import load_corpus, select
from upsert_engine.conformance.cli import main as conform
from upsert_engine.conformance.live import Api, Journal, LiveTarget
from upsert_engine.conformance.runner import run
from upsert_engine.server import ZohoServer

CORPUS = load_corpus()
STANDARD = Engine()


def _args(server: ZohoServer, journal: Path, *more: str) -> list[str]:
    return [
        "--accounts-url",
        server.url,
        "--client-id",
        server.client_id,
        "--client-secret",
        server.client_secret,
        "--refresh-token",
        "any-refresh-token",
        "--journal",
        str(journal),
        *more,
    ]


def _leftovers(server: ZohoServer) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Records per module, and fields not in a fresh org, per module."""
    engine = server.engine
    records = {m: engine.count(m) for m in engine.modules() if engine.count(m)}
    fields = {
        m: [f for f in engine.schema(m).fields if f not in STANDARD.schema(m).fields]
        for m in engine.modules()
    }
    return records, {m: f for m, f in fields.items() if f}


def test_live_refuses_an_org_that_is_not_a_sandbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GET /org names no sandbox type: without --i-understand-this-writes nothing runs."""
    journal = tmp_path / "journal.jsonl"
    with ZohoServer() as server:
        assert conform(["--live", *_args(server, journal)]) == 2
        assert _leftovers(server) == ({}, {})
    assert "--i-understand-this-writes" in capsys.readouterr().err
    assert not journal.exists()


def test_live_runs_in_a_sandbox_without_the_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An org whose type is sandbox needs no flag (the R6 cases run and agree)."""
    monkeypatch.setattr(Api, "org_type", lambda self: "sandbox")
    with ZohoServer() as server:
        code = conform(["--live", "--rule", "R6", *_args(server, tmp_path / "j.jsonl")])
        assert _leftovers(server) == ({}, {})
    out = capsys.readouterr().out
    assert code == 0
    assert "| R6 | seed | 10 | 10 | 0 | 0 |" in out
    assert "| rule | tags | cases | agrees | differs | not testable |" in out


def test_live_run_creates_and_cleans_up_everything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole corpus live against the stand-in: what Zoho's APIs can set up agrees, the
    rest is not testable with a reason; afterwards no record or field of the run remains and
    the journal lists a deletion for every creation."""
    journal = tmp_path / "journal.jsonl"
    with ZohoServer() as server:
        code = conform(["--live", "--i-understand-this-writes", *_args(server, journal)])
        assert _leftovers(server) == ({}, {})
    out = capsys.readouterr().out
    assert code == 0
    summary = out.strip().splitlines()[-1]
    assert "0 documented behaviour broken, 0 inferred behaviour differs" in summary
    assert "other users of the org cannot be created" in out
    assert Journal(journal).leftovers() == ([], [])
    entries = Journal(journal).entries()
    created = [e for e in entries if e["op"] == "created"]
    assert {e["kind"] for e in created} == {"record", "field"}
    assert len(created) > 200


def test_live_never_touches_a_record_it_did_not_create(tmp_path: Path) -> None:
    """A record of the org holds the Email a case matches by: that case is not run."""
    with ZohoServer() as server:
        [theirs] = server.engine.load(
            "Leads", [{"Last_Name": "Theirs", "Email": "ann@example.com"}]
        )
        api = Api(server.url, server.token)
        target = LiveTarget(api, Journal(tmp_path / "j.jsonl"), "stand-in")
        [outcome] = run(target, select(CORPUS, ids=["r17-both-update"])).outcomes
        kept = server.engine.get("Leads", theirs)
    assert outcome.status == "skip"
    assert "already holds a Leads record with Email" in outcome.reason
    assert kept is not None and kept["Last_Name"] == "Theirs" and server.engine.count("Leads") == 1


def test_live_refused_setup_is_not_testable(tmp_path: Path) -> None:
    """A field name the org already has is left alone; the case is not testable."""
    with ZohoServer() as server:
        server.engine.add_field("Leads", "unique1", "text")
        target = LiveTarget(Api(server.url, server.token), Journal(tmp_path / "j.jsonl"), "x")
        [outcome] = run(target, select(CORPUS, ids=["r06-d-absent-order"])).outcomes
    assert outcome.status == "skip" and "already has a field unique1" in outcome.reason


class Interrupt(KeyboardInterrupt):
    """Ctrl-C, raised by the test in the middle of a case."""


def test_an_interrupted_live_run_still_cleans_up(tmp_path: Path) -> None:
    """Ctrl-C in the middle of a case (after its fields and records exist): the case's
    clean-up runs before the interrupt propagates; nothing remains."""
    journal = Journal(tmp_path / "j.jsonl")
    with ZohoServer() as server:
        target = LiveTarget(Api(server.url, server.token), journal, "stand-in")
        sends = 0
        real_send = target.send

        def send(*args: Any) -> Any:
            nonlocal sends
            sends += 1
            if sends == 3:
                raise Interrupt
            return real_send(*args)

        target.send = send  # type: ignore[method-assign]
        with pytest.raises(Interrupt):
            run(target, select(CORPUS, ids=["r03-two-unique-fields"]))
        assert _leftovers(server) == ({}, {})
    assert journal.leftovers() == ([], [])


def test_cleanup_journal_removes_what_a_killed_run_left(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run killed outright (its clean-up never ran) leaves fields and records; the journal
    lists them, and ``conform --cleanup JOURNAL`` deletes exactly those, also a field whose
    creation was announced but never confirmed."""
    path = tmp_path / "j.jsonl"
    journal = Journal(path)
    with ZohoServer() as server:
        [mine_before] = server.engine.load("Contacts", [{"Last_Name": "Not ours"}])
        target = LiveTarget(Api(server.url, server.token), journal, "stand-in")
        target.end_case = lambda: None  # type: ignore[method-assign]  # killed: no clean-up
        cases = select(CORPUS, ids=["r05-all-three-collide", "r28-number", "r30-insert-201"])
        outcomes = run(target, cases).outcomes
        assert [o.status for o in outcomes] == ["pass", "pass", "pass"]
        records, fields = _leftovers(server)
        assert fields == {"Leads": ["unique1", "unique2"]} and records["Leads"] == 5
        # a creation announced but never confirmed (killed between request and reply)
        server.engine.add_field("Accounts", "Half_Made", "text")
        journal.write(op="intent", kind="field", module="Accounts", label="Half_Made")
        assert len(journal.leftovers()[0]) == 5 and len(journal.leftovers()[1]) == 3
        code = conform(["--cleanup", str(path), *_args(server, path)[:-2]])
        assert _leftovers(server) == ({"Contacts": 1}, {})
        assert server.engine.get("Contacts", mine_before) is not None
    assert code == 0
    assert "deleted 5 records and 3 fields" in capsys.readouterr().out
    assert journal.leftovers() == ([], [])


def test_cleanup_of_a_missing_journal_is_a_usage_error(tmp_path: Path) -> None:
    """--cleanup naming no file exits 2 without connecting."""
    assert conform(["--cleanup", str(tmp_path / "none.jsonl")]) == 2


def test_access_token_refused(tmp_path: Path) -> None:
    """A wrong client secret: Zoho Accounts (the stand-in) refuses; the run exits 2."""
    with ZohoServer() as server:
        args = _args(server, tmp_path / "j.jsonl")
        args[args.index("--client-secret") + 1] = "wrong"
        assert conform(["--live", *args]) == 2
    with pytest.raises(Exception, match="refused the refresh token"), ZohoServer() as server:
        live.access_token(server.url, "nobody", "nothing", "r")


def test_journal_lines_are_json(tmp_path: Path) -> None:
    """Each journal entry is one JSON object per line, appended."""
    journal = Journal(tmp_path / "j.jsonl")
    journal.write(op="created", kind="record", module="Leads", id="1")
    journal.write(op="deleted", kind="record", module="Leads", id="1")
    lines = (tmp_path / "j.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["op"] for line in lines] == ["created", "deleted"]
    assert journal.leftovers() == ([], [])
