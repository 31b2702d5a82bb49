"""Case files that could only crash or mislead a run are refused at load (tester's b5 findings
10 and 11): ``conform --cases F`` exits 2 naming the file, the case id and the JSON path, the
same in process and over HTTP, and never ends with a traceback (exit 70).

- a ``{"$module_id": M}`` of a module the case's org cannot have (R20, R32): in process it
  crashed with UnknownModuleError (exit 70), over HTTP it was a plain FAIL (exit 1);
- a request header name or value the HTTP wire cannot carry (CR, LF or NUL in a value, a
  name that is not an RFC 9110 token): over HTTP the runner crashed with ValueError (exit
  70), in process the run passed (exit 0);
- a placeholder object with an extra key (it compared as a literal object), and NaN or
  Infinity anywhere (JSON has neither; Python's json reads them).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from upsert_engine.conformance.case import CaseFormatError, case_files, parse_file, schema_text
from upsert_engine.conformance.cli import main as conform
from upsert_engine.conformance.http import HttpTarget
from upsert_engine.conformance.runner import run_case
from upsert_engine.conformance.target import engine_target
from upsert_engine.server import ZohoServer

CASES = {case["id"]: case for _, text in case_files() for case in json.loads(text)["cases"]}


def _case(case_id: str = "r01-unique-text") -> dict[str, Any]:
    return copy.deepcopy(CASES[case_id])


def _write(tmp_path: Path, case: dict[str, Any], text: str | None = None) -> Path:
    path = tmp_path / "m.json"
    path.write_text(text or json.dumps({"cases": [case]}), encoding="utf-8")
    return path


def _refused(text: str) -> str:
    with pytest.raises(CaseFormatError) as refused:
        parse_file(text, "m.json")
    return str(refused.value)


def _both_runs_exit_two(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """``conform --cases`` in process and against ``serve``: both exit 2, the same error."""
    assert conform(["--cases", str(path)]) == 2
    in_process = capsys.readouterr()
    with ZohoServer() as server:
        assert conform(["--url", server.url, "--cases", str(path)]) == 2
    over_http = capsys.readouterr()
    assert in_process.err == over_http.err
    assert "PASS" not in in_process.out + over_http.out
    assert "Traceback" not in in_process.err
    return in_process.err


def test_an_unknown_module_id_placeholder_is_refused_at_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """F10: ``{"$module_id": "Nope"}`` in an expected body names a module the org cannot have
    (R32's module id of R20's unknown module): exit 2 naming file, case and path, in process
    (was exit 70, UnknownModuleError) and over HTTP (was a FAIL, exit 1)."""
    case = _case()
    case["steps"][1]["expect"]["body"]["data"][0]["details"]["id"] = {"$module_id": "Nope"}
    err = _both_runs_exit_two(_write(tmp_path, case), capsys)
    assert (
        f"{tmp_path / 'm.json'}: case 'r01-unique-text': "
        "$.cases[0].steps[1].expect.body.data[0].details.id: $module_id 'Nope'" in err
    ), err
    assert "Leads" in err  # the modules it could name


def test_module_id_placeholders_follow_the_modules_the_case_adds() -> None:
    """A custom module is known from the step whose accepted ``configure`` adds it (or from
    the start when ``org.modules`` declares it): a $module_id of it before that step, or in a
    request, is refused; an alias (PriceBooks) is refused with the API name to use, since
    ``GET /settings/modules`` lists API names only (R2)."""
    case = _case()
    tickets = {"module": "Tickets", "custom": True}
    case["steps"][0]["configure"].append(tickets)
    details = case["steps"][1]["expect"]["body"]["data"][0]["details"]
    details["id"] = {"$module_id": "Tickets"}
    assert [c.id for c in parse_file(json.dumps({"cases": [case]}), "m.json")] == [case["id"]]
    case["steps"][0]["expect"]["accepted"] = False  # a refused configure adds nothing
    assert "$module_id 'Tickets'" in _refused(json.dumps({"cases": [case]}))
    case = _case()
    case["steps"][1]["request"]["body"]["data"][0]["cf_key"] = {"$module_id": "Tickets"}
    message = _refused(json.dumps({"cases": [case]}))
    assert "$.cases[0].steps[1].request.body.data[0].cf_key: $module_id 'Tickets'" in message
    case = _case()
    case.setdefault("org", {})["modules"] = [tickets]
    case["steps"][1]["request"]["body"]["data"][0]["cf_key"] = {"$module_id": "Tickets"}
    assert parse_file(json.dumps({"cases": [case]}), "m.json")[0].id == case["id"]
    case["steps"][1]["request"]["body"]["data"][0]["cf_key"] = {"$module_id": "PriceBooks"}
    assert "use its API name 'Price_Books'" in _refused(json.dumps({"cases": [case]}))


def test_records_of_an_unknown_module_are_refused_at_load() -> None:
    """A case record in a module the org cannot have would crash the in-process load
    (UnknownModuleError, R20): refused at load, naming the record's path."""
    case = next(copy.deepcopy(c) for c in CASES.values() if c.get("records"))
    case["records"][0]["module"] = "Nope"
    assert "$.cases[0].records[0].module: module 'Nope'" in _refused(json.dumps({"cases": [case]}))


def test_a_module_id_of_a_module_added_mid_case_is_resolved_when_used() -> None:
    """The runner asks the target for a module's id at the step that uses it, so a custom
    module an accepted ``configure`` step adds (R4, R32) has an id by then; before, every
    id was asked before step 0 and the in-process target crashed (ValueError)."""
    case = _case()
    case["steps"][0]["configure"].append({"module": "Tickets", "custom": True})
    case["steps"].append(
        {
            "request": {
                "method": "POST",
                "path": "/crm/v8/Tickets/upsert",
                "body": {"data": [{"Name": "T-1"}]},
            },
            "expect": {
                "status": 200,
                "body": {"data": [{"code": "SUCCESS"}]},
                "compare": "subset",
            },
        }
    )
    case["steps"][1]["expect"]["body"]["data"][0]["details"]["Module"] = {"$module_id": "Tickets"}
    (loaded,) = parse_file(json.dumps({"cases": [case]}), "m.json")
    outcome = run_case(engine_target(), loaded)
    assert outcome.status == "fail", outcome  # the upsert's details have no "Module" key
    (difference,) = outcome.differences
    assert difference.path == "$.data[0].details.Module"
    assert difference.expected.endswith("(module id of Tickets)"), difference


@pytest.mark.parametrize(
    ("headers", "said"),
    [
        ({"X-A": "a\r\nX-Injected: 1"}, "headers.X-A"),
        ({"X-A": "a\nb"}, "headers.X-A"),
        ({"X-A": "a\u0000b"}, "headers.X-A"),
        ({"X-A": "a\n"}, "headers.X-A"),
        ({"X-A": "\u20ac"}, "headers.X-A"),
        ({"X A": "a"}, "headers.X A"),
        ({"X-A\n": "a"}, "headers.X-A\n"),
        ({"": "a"}, "headers."),
        ({"X:A": "a"}, "headers.X:A"),
    ],
)
def test_a_header_the_wire_cannot_carry_is_refused_at_load(
    headers: dict[str, str], said: str
) -> None:
    """F11: a header value with CR, LF or NUL (a header injection: http.client raised
    ValueError, exit 70, while in process the run passed), or a name that is not an RFC 9110
    token, is refused at load with the header's JSON path; a non-ASCII value too (http.client
    cannot encode it: UnicodeEncodeError, exit 70). jsonschema agrees with the loader."""
    case = _case()
    case["steps"][1]["request"]["headers"] = headers
    schema = json.loads(schema_text())
    assert list(jsonschema.Draft202012Validator(schema).iter_errors({"cases": [case]}))
    message = _refused(json.dumps({"cases": [case]}))
    assert f"m.json: case 'r01-unique-text': $.cases[0].steps[1].request.{said}" in message


def test_a_header_injection_exits_two_in_process_and_over_http(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """F11 end to end: the tester's file exits 2 both ways (was 70 over HTTP, 0 in process);
    an ordinary header (If-Unmodified-Since, R33) still loads."""
    case = _case()
    case["steps"][1]["request"]["headers"] = {"X-A": "a\r\nX-Injected: 1"}
    err = _both_runs_exit_two(_write(tmp_path, case), capsys)
    assert "$.cases[0].steps[1].request.headers.X-A" in err, err
    case["steps"][1]["request"]["headers"] = {"If-Unmodified-Since": "2020-01-01T00:00:00+00:00"}
    assert parse_file(json.dumps({"cases": [case]}), "m.json")[0].id == case["id"]


def test_a_placeholder_with_an_extra_key_is_refused() -> None:
    """``{"$id": "r1", "x": 1}`` is no placeholder (one key only) and compared as a literal
    object, so the case failed for a typo in the case: refused at load, naming the path."""
    case = _case()
    case["steps"][1]["expect"]["body"]["data"][0]["details"]["id"] = {"$id": "r1", "x": 1}
    message = _refused(json.dumps({"cases": [case]}))
    assert "$.cases[0].steps[1].expect.body.data[0].details.id: " in message, message
    assert "one key" in message


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_nan_and_infinity_are_refused_anywhere(constant: str) -> None:
    """JSON has no NaN or Infinity (RFC 8259 section 6); Python's json reads them, and 1e999
    as inf, so a case expecting NaN compared literally and failed. Refused with the path,
    in an expected body and in a request body alike."""
    case = _case()
    case["steps"][1]["expect"]["body"]["data"][0]["details"]["id"] = "MARK"
    text = json.dumps({"cases": [case]}).replace('"MARK"', constant)
    message = _refused(text)
    assert "$.cases[0].steps[1].expect.body.data[0].details.id: " in message, message
    assert "not a JSON number" in message
    case = _case()
    case["steps"][1]["request"]["body"]["data"][0]["cf_key"] = "MARK"
    message = _refused(json.dumps({"cases": [case]}).replace('"MARK"', constant))
    assert "$.cases[0].steps[1].request.body.data[0].cf_key: " in message, message


def test_a_module_added_mid_case_has_an_id_over_http_too() -> None:
    """HttpTarget lists the modules again after an accepted schema change (R32), so the
    module id of a custom module a ``configure`` step added is found, not a TargetError."""
    case = _case()
    case["steps"][0]["configure"].append({"module": "Tickets", "custom": True})
    case["steps"][1]["expect"]["body"]["data"][0]["details"]["Module"] = {"$module_id": "Tickets"}
    (loaded,) = parse_file(json.dumps({"cases": [case]}), "m.json")
    with ZohoServer() as server:
        target = HttpTarget(server.url, "fake-zoho-token")
        target.probe()
        outcome = run_case(target, loaded)
        target.close()
    assert outcome.status == "fail", outcome
    (difference,) = outcome.differences
    assert difference.expected.endswith("(module id of Tickets)"), difference


def _with_unknown_module_read(tmp_path: Path) -> Path:
    case = _case()
    case["steps"].append(
        {
            "request": {"method": "GET", "path": "/crm/v8/Nope/{r1}"},
            "expect": {"status": 400, "body": {"$any": "object"}},
        }
    )
    return _write(tmp_path, case)


def test_an_engine_error_in_a_case_is_a_case_error_and_exit_two(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the in-process target cannot answer (a read of an unknown module: the engine's
    UnknownModuleError, R20) is that case's error, saying so, and the run exits 2 (the
    target could not be driven: no verdict), not a traceback with exit 70."""
    path = _with_unknown_module_read(tmp_path)
    assert conform(["--cases", str(path)]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "internal error" not in captured.err
    assert "ERROR   r01-unique-text" in captured.out, captured.out
    assert "UnknownModuleError" in captured.out and "GET /crm/v8/Nope/" in captured.out
    assert "1 case(s) could not be run" in captured.err, captured.err


def test_a_case_error_exits_two_even_when_another_case_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run with an errored case exits 2 (incomplete: no verdict on that case), not 1, even
    when another case failed; both are reported."""
    errored = json.loads(_with_unknown_module_read(tmp_path).read_text(encoding="utf-8"))
    failing = _case("r01-unique-text")
    failing["id"] = "r01-unique-text-wrong"
    failing["steps"][1]["expect"]["status"] = 201
    path = _write(tmp_path, {}, json.dumps({"cases": [*errored["cases"], failing]}))
    assert conform(["--cases", str(path)]) == 2
    captured = capsys.readouterr()
    assert "FAIL    r01-unique-text-wrong" in captured.out, captured.out
    assert "ERROR   r01-unique-text " in captured.out, captured.out
