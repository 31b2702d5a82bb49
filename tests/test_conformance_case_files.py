"""Case files are validated in full on load (review of the suite): ``conform --cases F`` refuses
a file ``cases/case.schema.json`` rejects, or with a malformed placeholder, naming the file,
the case id, the JSON path and what is wrong, and exits 2; the stdlib validator agrees with
the ``jsonschema`` library."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from upsert_engine.conformance.case import CaseFormatError, case_files, parse_file, schema_text
from upsert_engine.conformance.cli import main as conform
from upsert_engine.conformance.schema_check import SchemaError, Validator

SCHEMA = json.loads(schema_text())
FILES = {name: json.loads(text) for name, text in case_files()}
CASES = [case for data in FILES.values() for case in data["cases"]]


def _first(test: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    return copy.deepcopy(next(case for case in CASES if test(case)))


def _with_fields(case: dict[str, Any]) -> bool:
    return any(m.get("fields") for m in case.get("org", {}).get("modules", []))


def _with_body(case: dict[str, Any]) -> bool:
    return isinstance(case["steps"][0].get("expect", {}).get("body"), dict)


def _set_first_body(case: dict[str, Any], value: Any) -> None:
    case["steps"][0]["expect"]["body"] = {"data": [{"x": value}]}


# (name, a case to break, the break, what the message must say)
BREAKS: list[tuple[str, Callable[[dict[str, Any]], bool], Callable[[Any], Any], str]] = [
    ("unknown case key", _with_body, lambda c: c.update(colour="red"), "unknown key 'colour'"),
    (
        "extra record key",
        lambda c: bool(c.get("records")),
        lambda c: c["records"][0].update(colour="red"),
        "records[0].colour: unknown key",
    ),
    (
        "extra field key",
        _with_fields,
        lambda c: next(m for m in c["org"]["modules"] if m.get("fields"))["fields"][0].update(
            colour="red"
        ),
        "fields[0].colour: unknown key",
    ),
    ("uppercase id", _with_body, lambda c: c.update(id="R08-Email"), "does not match"),
    ("empty title", _with_body, lambda c: c.update(title=""), "at least 1 character"),
    ("status 99", _with_body, lambda c: c["steps"][0]["expect"].update(status=99), "minimum"),
    (
        "path outside /crm/vN/",
        _with_body,
        lambda c: c["steps"][0]["request"].update(path="/foo/Leads/upsert"),
        "does not match ^/crm/v",
    ),
    (
        "user ref me",
        _with_body,
        lambda c: c.setdefault("org", {}).update(
            users=[{"ref": "me", "name": "M", "id": "1", "email": "m@x.com", "zuid": "2"}]
        ),
        "is not allowed here",
    ),
    ("status 200.0", _with_body, lambda c: c["steps"][0]["expect"].update(status=200.0), "integer"),
]

# what the schema cannot say: refused by the loader's own checks
PLACEHOLDER_BREAKS: list[tuple[str, Any, str]] = [
    ("a misspelt $any type", {"$any": "strin"}, "$any needs null or one of"),
    ("a misspelt placeholder", {"$Time": None}, "'$Time' is not a placeholder"),
    ("an unknown user", {"$user": "u9.id"}, "$user 'u9.id': no user 'u9'"),
    ("an unknown user attribute", {"$user": "me.phone"}, "$user needs 'ref.attribute'"),
]


@pytest.mark.parametrize(("name", "pick", "damage", "said"), BREAKS, ids=[b[0] for b in BREAKS])
def test_loader_refuses_what_the_schema_refuses(
    name: str, pick: Callable[[dict[str, Any]], bool], damage: Callable[[Any], Any], said: str
) -> None:
    """Each break is refused by jsonschema and by the loader, whose message names the file,
    the case id, the JSON path and what is wrong."""
    case = _first(pick)
    damage(case)
    data = {"cases": [case]}
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(data)) or name == (
        "status 200.0"  # draft 2020-12 counts 200.0 as an integer; the loader is stricter
    )
    with pytest.raises(CaseFormatError) as refused:
        parse_file(json.dumps(data), "broken.json")
    message = str(refused.value)
    assert message.startswith(f"broken.json: case {case['id']!r}: $.cases[0]"), message
    assert said in message, message


@pytest.mark.parametrize(
    ("name", "value", "said"), PLACEHOLDER_BREAKS, ids=[b[0] for b in PLACEHOLDER_BREAKS]
)
def test_loader_refuses_a_malformed_placeholder(name: str, value: Any, said: str) -> None:
    """A placeholder the matcher cannot honour is a case error on load, naming where."""
    case = _first(_with_body)
    _set_first_body(case, value)
    with pytest.raises(CaseFormatError) as refused:
        parse_file(json.dumps({"cases": [case]}), "broken.json")
    message = str(refused.value)
    assert f"$.cases[0].steps[0].expect.body.data[0].x: {said}" in message, message


def test_conform_exits_two_on_a_case_file_the_schema_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``conform --cases F`` with an unknown key and a typo'd $any runs nothing: exit 2 and
    an error naming the file, the case and the path."""
    case = _first(_with_body)
    case["colour"] = "red"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"cases": [case]}), encoding="utf-8")
    assert conform(["--cases", str(path)]) == 2
    captured = capsys.readouterr()
    assert f"{path}: case {case['id']!r}: $.cases[0].colour: unknown key" in captured.err
    assert "PASS" not in captured.out
    del case["colour"]
    _set_first_body(case, {"$any": "strin"})
    path.write_text(json.dumps({"cases": [case]}), encoding="utf-8")
    assert conform(["--cases", str(path)]) == 2
    assert "'strin'" in capsys.readouterr().err


def test_duplicate_keys_are_refused() -> None:
    """A case with a key twice (the second would silently win) is refused."""
    text = '{"cases": [{"id": "a", "id": "b"}]}'
    with pytest.raises(CaseFormatError, match="'id' appears twice"):
        parse_file(text, "dup.json")


def test_the_validator_agrees_with_jsonschema_on_the_corpus() -> None:
    """Every shipped file is valid under both; the schema is itself valid draft 2020-12."""
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    theirs = jsonschema.Draft202012Validator(SCHEMA)
    mine = Validator(SCHEMA)
    assert len(FILES) >= 8
    for name, data in FILES.items():
        assert [e.message for e in theirs.iter_errors(data)] == [], name
        assert mine.errors(data) == [], name


def test_the_validator_refuses_a_schema_keyword_it_does_not_implement() -> None:
    """A constraint the validator would ignore (``maxLength``) or a remote $ref is refused, so
    the schema can never say more than the loader checks."""
    with pytest.raises(SchemaError, match="maxLength"):
        Validator({"$defs": {"x": {"type": "string", "maxLength": 3}}})
    with pytest.raises(SchemaError, match="only #/\\$defs"):
        Validator({"items": {"$ref": "https://example.com/s.json"}})
