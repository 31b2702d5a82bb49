"""The conformance suite (issue 14): the corpus, its schema, its coverage of R1-R36, and its
runners in process and over HTTP, including a deliberately broken fake that must fail."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from upsert_engine import Engine
from upsert_engine.cli import main as cli_main
from upsert_engine.conformance.case import (
    SPEC_TAGS,
    CaseFormatError,
    case_files,
    load_corpus,
    parse_file,
    schema_text,
)
from upsert_engine.conformance.cli import main as conform
from upsert_engine.conformance.http import HttpTarget, module_id_from
from upsert_engine.conformance.matching import Bindings, compare, fill, fill_path
from upsert_engine.conformance.report import render, summarise
from upsert_engine.conformance.runner import run
from upsert_engine.conformance.target import (
    InProcessTarget,
    TargetError,
    apply_modules,
    engine_target,
    reference_target,
)
from upsert_engine.options import MultiMatch, Options
from upsert_engine.server import ZohoServer
from upsert_engine.server.api import Wire

CORPUS = load_corpus()
#: the contract as the repository carries it (kept in step with the shared spec by a test)
SPEC = Path(__file__).resolve().parent.parent / "docs" / "UPSERT-SEMANTICS.md"


# --- the corpus and its schema ------------------------------------------------------------------
def test_every_case_file_validates_against_the_json_schema() -> None:
    """Each shipped cases/*.json is valid under cases/case.schema.json (draft 2020-12)."""
    schema = json.loads(schema_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    files = case_files()
    assert len(files) >= 8
    for name, text in files:
        errors = [e.message for e in validator.iter_errors(json.loads(text))]
        assert errors == [], name


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c.pop("rules"),
        lambda c: c["evidence"].update({c["rules"][0]: "guess"}),
        lambda c: c.update({"rules": ["R37"]}),
        lambda c: (
            c["steps"][0]["expect"].pop("status", None) or c["steps"][0]["expect"].pop("accepted")
        ),
        lambda c: c.update({"colour": "red"}),
    ],
)
def test_schema_and_loader_refuse_a_malformed_case(mutate: Any) -> None:
    """A case without rules, with an unknown tag or rule, without a status, or with an unknown
    key fails the schema; the loader refuses the first four itself, naming the case."""
    name, text = case_files()[0]
    data = json.loads(text)
    broken = copy.deepcopy(data["cases"][0])
    mutate(broken)
    validator = jsonschema.Draft202012Validator(json.loads(schema_text()))
    assert list(validator.iter_errors({"cases": [broken]}))
    if "colour" not in broken:
        with pytest.raises(CaseFormatError, match=broken.get("id", "case")):
            parse_file(json.dumps({"cases": [broken]}), name)


def test_corpus_covers_every_rule_with_its_evidence_tags() -> None:
    """At least 150 cases; every rule R1-R36 has a case; every tag is one the spec gives that
    rule, or "inf"; ids are unique (load_corpus checks)."""
    assert len(CORPUS) >= 150
    covered = {rule for case in CORPUS for rule in case.rules}
    assert covered == {f"R{n}" for n in range(1, 37)}
    for case in CORPUS:
        for rule, tag in case.evidence.items():
            assert tag == "inf" or tag in SPEC_TAGS[rule], (case.id, rule, tag)


def test_spec_tags_table_follows_the_spec() -> None:
    """SPEC_TAGS holds the tags written after each rule's number in the spec, and no tag the
    rule's text does not carry somewhere ([inf] on one of its points, say)."""
    text = SPEC.read_text(encoding="utf-8")
    for rule, tags in SPEC_TAGS.items():
        start = text.index(f"**{rule}**")
        end = min(i for i in (text.find("- **R", start + 1), text.find("\n## ", start)) if i > 0)
        paragraph = text[start:end]
        head = re.match(rf"\*\*{rule}\*\* ((?:\[[^\]]*\])*)", paragraph)
        assert head is not None, rule

        def names(found: str) -> set[str]:
            parts = [p for b in re.findall(r"\[([^\]]*)\]", found) for p in b.split(";")]
            return {p.strip().split(":")[0].split(" ")[0] for p in parts if p.strip()}

        anywhere = names(paragraph) & {"seed", "doc", "obs", "inf"}
        assert names(head.group(1)) & anywhere <= set(tags) <= anywhere, rule


def test_every_row_of_r6_has_a_case() -> None:
    """R6's five rows (D = [unique1], [unique2], [unique1, unique2], [Email], absent) each have
    a case checking the order that row states."""
    seen = []
    for case in CORPUS:
        if "R6" in case.rules:
            for step in case.steps:
                body = step.request.body if step.request else None
                if isinstance(body, dict):
                    seen.append(tuple(body.get("duplicate_check_fields") or ["absent"]))
    for row in [("unique1",), ("unique2",), ("unique1", "unique2"), ("Email",), ("absent",)]:
        assert row in seen


R15_ROWS = [
    {"text"},
    {"textarea"},
    {"email"},
    {"phone"},
    {"website"},
    {"picklist"},
    {"multiselectpicklist"},
    {"date"},
    {"datetime"},
    {"integer"},
    {"bigint"},
    {"currency", "double"},
    {"percent"},
    {"boolean"},
    {"lookup"},
    {"ownerlookup", "userlookup"},
    {"subform"},
    {"multiselectlookup", "multiuserlookup", "fileupload", "imageupload"},
]


def test_every_row_of_r15_has_a_case() -> None:
    """Each row of R15's table is the data type of a field some R15 case sends (typed by
    the case's own org, applied to an Engine)."""
    exercised: set[str] = set()
    for case in CORPUS:
        if "R15" not in case.rules:
            continue
        engine = Engine()
        apply_modules(engine, case.modules, list(engine.modules()))
        for step in case.steps:
            if step.request is None or not isinstance(step.request.body, dict):
                continue
            module = step.request.path.split("/")[3]
            fields = engine.schema(module).fields
            for record in step.request.body.get("data", []):
                exercised |= {fields[k].data_type for k in record if k in fields}
    for row in R15_ROWS:
        assert row & exercised, row


# --- runners ------------------------------------------------------------------------------------
def test_engine_passes_every_case() -> None:
    """Engine, in process, with default options: every case passes."""
    outcomes = run(engine_target(), CORPUS).outcomes
    assert [
        (o.case.id, o.reason, [str(d) for d in o.differences])
        for o in outcomes
        if o.status != "pass"
    ] == []


def test_reference_passes_every_case() -> None:
    """ReferenceEngine, in process: every case passes."""
    outcomes = run(reference_target(), CORPUS).outcomes
    assert [(o.case.id, o.reason) for o in outcomes if o.status != "pass"] == []


def test_fake_server_passes_every_case_over_http() -> None:
    """The fake server over HTTP (one server, reset through the admin API between cases)."""
    with ZohoServer() as server:
        target = HttpTarget(server.url, server.token)
        outcomes = run(target, CORPUS).outcomes
        target.client.close()
    assert [
        (o.case.id, o.reason, [str(d) for d in o.differences])
        for o in outcomes
        if o.status != "pass"
    ] == []


def test_an_option_changing_an_inferred_rule_fails_exactly_its_cases() -> None:
    """Engine with multi_match=newest (R11's other reading) fails the cases whose expected
    update is the oldest of several holders, and no other; they are findings, not failures."""
    target = InProcessTarget(lambda: Engine(Options(multi_match=MultiMatch.NEWEST)), "newest")
    result = run(target, CORPUS)
    failing = {o.case.id for o in result.outcomes if o.status != "pass"}
    assert failing == {"r07-match-key-oldest", "r11-oldest-by-time", "r11-oldest-by-id"}
    summary = summarise(result.outcomes, "engine")
    assert (summary.failed, summary.findings, summary.exit_code) == (0, 3, 0)
    assert summarise(result.outcomes, "strict").exit_code == 1


class AllFailedIs200(ZohoServer):
    """A deliberately broken fake: it answers 200 where every record of a write failed."""

    def handle(self, method: str, target: str, headers: Any, raw: Any) -> Wire:
        wire = super().handle(method, target, headers, raw)
        if wire.status == 400 and wire.payload:
            body = json.loads(wire.payload)
            data = body.get("data") if isinstance(body, dict) else None
            if isinstance(data, list) and all(e.get("status") == "error" for e in data):
                return Wire(200, wire.payload, wire.content_type, wire.headers)
        return wire


def _expects_all_failed(case: Any) -> bool:
    return any(
        step.status == 400
        and isinstance(step.body, dict)
        and isinstance(step.body.get("data"), list)
        for step in case.steps
    )


def test_a_broken_fake_fails_the_cases_it_should_and_only_those() -> None:
    """200 for an all-failed request: exactly the cases that expect a 400 with per-record
    errors fail (each on its HTTP status); documented and inferred ones are told apart."""
    with AllFailedIs200() as server:
        target = HttpTarget(server.url, server.token)
        result = run(target, CORPUS)
        target.client.close()
    failing = {o.case.id for o in result.outcomes if o.status != "pass"}
    should = {case.id for case in CORPUS if _expects_all_failed(case)}
    assert len(should) > 50
    assert failing == should
    for outcome in result.outcomes:
        if outcome.status == "fail":
            assert outcome.differences[0].path == "HTTP status"
    summary = summarise(result.outcomes, "engine")
    assert summary.failed > 40 and summary.findings > 5 and summary.exit_code == 1
    text = render(result, "engine")
    assert "FAIL    r04-leads-last-name" in text and "DIFFERS r21-all-fail" in text
    assert "| R21 |" in text


def test_http_target_without_admin_api_skips_every_case_saying_why() -> None:
    """A URL that answers no /__admin/reset: each case is skipped with the reason."""
    with ZohoServer() as server:
        target = HttpTarget(server.url + "/nothing-here", server.token)
        outcomes = run(target, CORPUS[:3]).outcomes
    assert {o.status for o in outcomes} == {"skip"}
    assert "admin API" in outcomes[0].reason


def test_module_ids_are_read_once_and_an_unlisted_module_is_an_error() -> None:
    """HttpTarget and LiveTarget read GET /settings/modules once (R32's module ids); a module
    it does not list, or a body that is not a listing, is a TargetError naming the module."""
    calls: list[str] = []

    def listing() -> Any:
        calls.append("GET")
        return {"modules": [{"api_name": "Leads", "id": 7}, {"api_name": "Deals", "id": "9"}]}

    known: dict[str, str] = {}
    assert module_id_from(known, "Leads", listing) == "7"
    assert module_id_from(known, "Deals", listing) == "9"
    assert calls == ["GET"]
    with pytest.raises(TargetError, match="does not list Projects_X"):
        module_id_from(known, "Projects_X", listing)
    with pytest.raises(TargetError, match="does not list Leads"):
        module_id_from({}, "Leads", lambda: "<html>not json</html>")


# --- placeholders ---------------------------------------------------------------------------
def test_id_placeholders_bind_on_first_sight_and_must_match_after() -> None:
    """{"$id"} binds to a digit string, then must match; a non-id or a different id differs."""
    bindings = Bindings()
    assert compare({"id": {"$id": "a"}}, {"id": "123"}, bindings) == []
    assert bindings.ids == {"a": "123"}
    assert compare({"id": {"$id": "a"}}, {"id": "123"}, bindings) == []
    [wrong] = compare({"id": {"$id": "a"}}, {"id": "124"}, bindings)
    assert "bound to $id 'a'" in str(wrong)
    [bad] = compare({"id": {"$id": "b"}}, {"id": "x1"}, bindings)
    assert "a record id" in str(bad) and "b" not in bindings.ids
    assert fill({"x": [{"$id": "a"}]}, bindings) == {"x": ["123"]}
    assert fill_path("/crm/v8/Leads/{a}", bindings) == "/crm/v8/Leads/123"


def test_time_any_and_exact_comparison() -> None:
    """$time wants seconds and an offset; $any checks the JSON type only; true is not 1 and
    1 is not 1.0 (JSON types matter); exact comparison reports extra keys, subset does not."""
    bindings = Bindings()
    assert compare({"$time": None}, "2026-01-15T10:00:00+05:30", bindings) == []
    assert compare({"$time": None}, "2026-01-15T10:00:00Z", bindings) != []
    assert compare({"$any": "string"}, "anything", bindings) == []
    assert compare({"$any": "string"}, 5, bindings) != []
    assert compare(True, 1, bindings) != [] and compare(1, 1.0, bindings) != []
    assert compare({"a": 1}, {"a": 1, "b": 2}, bindings) != []
    assert compare({"a": 1}, {"a": 1, "b": 2}, bindings, subset=True) == []
    assert compare([1, 2], [1], bindings) != []


def test_a_case_using_an_unbound_id_is_an_error_not_a_failure(tmp_path: Path) -> None:
    """A request naming {"$id": "nobody"} before it is bound: the case errors, saying so."""
    case = {
        "id": "bad-case",
        "title": "uses an unbound id",
        "rules": ["R25"],
        "evidence": {"R25": "inf"},
        "steps": [
            {
                "request": {
                    "method": "POST",
                    "path": "/crm/v8/Leads/upsert",
                    "body": {"data": [{"id": {"$id": "nobody"}}]},
                },
                "expect": {"status": 200, "body": None},
            }
        ],
    }
    [parsed] = parse_file(json.dumps({"cases": [case]}), "bad.json")
    [outcome] = run(engine_target(), [parsed]).outcomes
    assert outcome.status == "error" and "before it is bound" in outcome.reason


# --- the command ------------------------------------------------------------------------------
def _one_case(tmp_path: Path, tag: str, expected_status: int) -> Path:
    case = {
        "id": "one",
        "title": "an insert",
        "rules": ["R18"],
        "evidence": {"R18": tag},
        "steps": [
            {
                "request": {
                    "method": "POST",
                    "path": "/crm/v8/Leads/upsert",
                    "body": {"data": [{"Last_Name": "N"}]},
                },
                "expect": {
                    "status": expected_status,
                    "body": {"data": [{"code": "SUCCESS"}]},
                    "compare": "subset",
                },
            }
        ],
    }
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"cases": [case]}), encoding="utf-8")
    return path


def test_conform_exits_one_with_a_readable_diff_when_a_case_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A documented case expecting 201 where the upsert answers 200: FAIL, the diff, exit 1."""
    path = _one_case(tmp_path, "doc", 201)
    assert cli_main(["conform", "--cases", str(path)]) == 1
    out = capsys.readouterr().out
    assert "FAIL    one  (R18 [doc])" in out
    assert "HTTP status: expected 201, got 200" in out
    assert "1 documented behaviour broken" in out


def test_expect_inferred_modes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same wrong expectation tagged [inf]: a finding under engine (exit 0), a failure
    under strict (exit 1), not run under skip (which then leaves no case: exit 2)."""
    path = _one_case(tmp_path, "inf", 201)
    assert conform(["--cases", str(path)]) == 0
    assert "DIFFERS one" in capsys.readouterr().out
    assert conform(["--cases", str(path), "--expect-inferred", "strict"]) == 1
    assert "FAIL    one" in capsys.readouterr().out
    assert conform(["--cases", str(path), "--expect-inferred", "skip", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "no case is selected" in captured.err


def test_conform_json_and_selection(capsys: pytest.CaptureFixture[str]) -> None:
    """--rule selects cases; --json prints every case's verdict; the reference passes R6."""
    assert conform(["--target", "reference", "--rule", "R6", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["passed"] == len(data["cases"]) == 10
    assert all("R6" in case["rules"] for case in data["cases"])


def test_conform_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing case file, a malformed one and --live without credentials exit 2."""
    assert conform(["--cases", str(tmp_path / "none.json")]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text('{"cases": [{"id": "x"}]}', encoding="utf-8")
    assert conform(["--cases", str(bad)]) == 2
    assert conform(["--live"]) == 2
    assert "--accounts-url" in capsys.readouterr().err


def test_pytest_entry_point_runs_the_corpus_against_a_url(tmp_path: Path) -> None:
    """pytest --pyargs upsert_engine.conformance --conform-url URL: one test per case."""
    with ZohoServer() as server:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "--pyargs",
                "upsert_engine.conformance",
                "-q",
                "-p",
                "no:cacheprovider",
                "--conform-url",
                server.url,
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert done.returncode == 0, done.stdout[-2000:]
    assert f"{len(CORPUS)} passed" in done.stdout
