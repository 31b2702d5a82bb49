"""The corpus: cases read from ``cases/*.json`` (shipped in the package), checked for shape.

Each file holds ``{"cases": [...]}``; the format is ``cases/case.schema.json`` (JSON Schema).
The loader validates every file fully against it (``schema_check``, stdlib only), then checks
what a schema cannot say (placeholders well formed, request users declared), and refuses
anything malformed with ``CaseFormatError`` naming the file, case id, JSON path and what is
wrong, so a bad case never runs, let alone passes.

A case: ``id``, ``title``, ``rules`` (``["R14", "R21"]``), ``evidence`` (each rule's tag for
what the case claims: ``seed``, ``doc``, ``obs`` or ``inf``, as UPSERT-SEMANTICS.md tags it),
``org`` (``modules``: schema objects as ``upsert-engine schema`` prints them; ``users``),
``records`` (existing records, each with a ``ref`` its id binds to), ``steps`` (a request and
its expected status and body, or a configuration change and whether it is accepted) and
optionally ``live`` (``{"testable": false, "why": ...}`` where Zoho's own APIs cannot set the
case up).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..rules import SYSTEM_DUPLICATE_FIELDS
from ..schema import canonical_module_name
from .matching import placeholder, placeholder_problems
from .schema_check import Validator

TAGS = ("seed", "doc", "obs", "inf")
RULE = re.compile(r"R([1-9]|[12][0-9]|3[0-6])\Z")
METHODS = ("GET", "POST", "PUT", "DELETE")
#: the modules every org has (R20); a case adds custom ones (``"custom": true``)
STANDARD_MODULES = tuple(SYSTEM_DUPLICATE_FIELDS)

#: The evidence tags UPSERT-SEMANTICS.md gives each rule. A case may tag a claim of a rule
#: with one of these, or with "inf" (an undocumented reading is always marked inferred).
#: R16 carries no tag in the spec: its cases are "inf".
SPEC_TAGS: dict[str, tuple[str, ...]] = {
    "R1": ("seed",),
    "R2": ("seed", "doc", "inf"),
    "R3": ("doc",),
    "R4": ("doc", "inf"),
    "R5": ("seed",),
    "R6": ("seed",),
    "R7": ("seed", "doc", "obs", "inf"),
    "R8": ("inf", "doc"),
    "R9": ("doc", "inf"),
    "R10": ("seed", "inf"),
    "R11": ("inf",),
    "R12": ("doc",),
    "R13": ("doc",),
    "R14": ("doc",),
    "R15": ("doc", "obs", "inf"),
    "R16": (),
    "R17": ("obs", "inf"),
    "R18": ("doc",),
    "R19": ("doc",),
    "R20": ("doc",),
    "R21": ("doc", "inf"),
    "R22": ("doc",),
    "R23": ("doc",),
    "R24": ("doc",),
    "R25": ("obs", "inf"),
    "R26": ("doc", "inf"),
    "R27": ("doc", "obs"),
    "R28": ("doc", "inf"),
    "R29": ("obs", "inf"),
    "R30": ("doc", "obs"),
    "R31": ("obs", "doc", "inf"),
    "R32": ("doc", "obs", "inf"),
    "R33": ("doc", "inf"),
    "R34": ("doc",),
    "R35": ("doc", "inf"),
    "R36": ("doc", "inf"),
}


class CaseFormatError(ValueError):
    """A case file that does not follow the format (names the file and the case)."""


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request of a step (placeholders not yet filled)."""

    method: str
    path: str
    body: Any = None
    headers: Mapping[str, Any] | None = None
    #: the reference of the user the request acts as (None: the target's own user, ``me``)
    user: str | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """A request and what it must answer, or a configuration change and whether it is
    accepted (R1, R3)."""

    request: Request | None
    status: int | None
    body: Any
    subset: bool
    configure: Sequence[Mapping[str, Any]] | None = None
    accepted: bool | None = None


@dataclass(frozen=True, slots=True)
class Case:
    """One conformance case."""

    id: str
    title: str
    rules: tuple[str, ...]
    evidence: Mapping[str, str]
    modules: Sequence[Mapping[str, Any]]
    users: Sequence[Mapping[str, str]]
    records: Sequence[Mapping[str, Any]]
    steps: tuple[Step, ...]
    live_why_not: str | None
    source: str

    @property
    def inferred(self) -> bool:
        """Whether every claim of the case is inferred ([inf]): only then is a difference a
        finding. A case resting on any [seed], [doc] or [obs] claim cannot tell which claim a
        difference breaks, so it fails like a documented case."""
        return all(tag == "inf" for tag in self.evidence.values())

    @property
    def tags(self) -> tuple[str, ...]:
        """The evidence tags of the case, in TAGS order."""
        return tuple(tag for tag in TAGS if tag in self.evidence.values())


def _need(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise CaseFormatError(f"{where}: {message}")


def _request(data: Any, where: str) -> Request:
    _need(isinstance(data, dict), where, "request must be an object")
    method, path = data.get("method"), data.get("path")
    _need(method in METHODS, where, f"method must be one of {', '.join(METHODS)}")
    _need(isinstance(path, str) and path.startswith("/"), where, "path must start with /")
    headers = data.get("headers")
    _need(headers is None or isinstance(headers, dict), where, "headers must be an object")
    user = data.get("user")
    _need(user is None or isinstance(user, str), where, "user must be a user reference")
    return Request(method, path, data.get("body"), headers, user)


def _step(data: Any, where: str) -> Step:
    _need(isinstance(data, dict), where, "a step must be an object")
    expect = data.get("expect")
    _need(isinstance(expect, dict), where, "a step needs expect")
    if "configure" in data:
        modules = data["configure"]
        _need(isinstance(modules, list), where, "configure must be a list of schema objects")
        _need(isinstance(expect.get("accepted"), bool), where, "expect.accepted must be a bool")
        return Step(None, None, None, False, modules, expect["accepted"])
    status = expect.get("status")
    _need(isinstance(status, int), where, "expect.status must be an HTTP status")
    _need("body" in expect, where, "expect.body is required (null for no body)")
    compare = expect.get("compare", "exact")
    _need(compare in ("exact", "subset"), where, "expect.compare is exact or subset")
    return Step(_request(data.get("request"), where), status, expect["body"], compare == "subset")


def parse_case(data: Any, source: str) -> Case:
    """One case from its JSON object; ``CaseFormatError`` naming ``source`` and the case."""
    _need(isinstance(data, dict), source, "a case must be an object")
    case_id = data.get("id")
    where = f"{source}: case {case_id!r}"
    _need(isinstance(case_id, str) and case_id != "", source, "a case needs an id")
    rules = data.get("rules")
    _need(
        isinstance(rules, list)
        and rules != []
        and all(isinstance(r, str) and RULE.match(r) for r in rules),
        where,
        "rules must be a non-empty list of R1..R36",
    )
    evidence = data.get("evidence")
    _need(
        isinstance(evidence, dict)
        and set(evidence) == set(rules)
        and all(t in TAGS for t in evidence.values()),
        where,
        f"evidence must give each rule of the case one tag of {', '.join(TAGS)}",
    )
    org = data.get("org", {})
    _need(isinstance(org, dict), where, "org must be an object")
    modules, users = org.get("modules", []), org.get("users", [])
    _need(isinstance(modules, list), where, "org.modules must be a list")
    _need(
        isinstance(users, list)
        and all(isinstance(u, dict) and isinstance(u.get("ref"), str) for u in users),
        where,
        "org.users must be a list of users with a ref",
    )
    records = data.get("records", [])
    _need(
        isinstance(records, list)
        and all(
            isinstance(r, dict)
            and isinstance(r.get("module"), str)
            and isinstance(r.get("fields"), dict)
            for r in records
        ),
        where,
        "records must be a list of {module, ref, fields}",
    )
    steps = data.get("steps")
    _need(isinstance(steps, list) and steps != [], where, "steps must be a non-empty list")
    live = data.get("live", {})
    _need(isinstance(live, dict), where, "live must be an object")
    why_not = None if live.get("testable", True) else str(live.get("why", "not testable live"))
    return Case(
        id=case_id,
        title=str(data.get("title", "")),
        rules=tuple(rules),
        evidence=dict(evidence),
        modules=modules,
        users=users,
        records=records,
        steps=tuple(_step(step, f"{where} step {i}") for i, step in enumerate(steps)),
        live_why_not=why_not,
        source=source,
    )


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    if twice:
        raise ValueError(f"key {twice[0]!r} appears twice in one object")
    return dict(pairs)


@dataclass(frozen=True, slots=True)
class _NonFinite:
    """Where the file says ``NaN``, ``Infinity`` or a number too large for a float (1e999):
    Python's json reads them, JSON (RFC 8259 section 6) has none of them."""

    text: str


def _number(text: str) -> float | _NonFinite:
    number = float(text)
    return number if math.isfinite(number) else _NonFinite(text)


def _non_finite(value: Any, path: str) -> list[tuple[str, str]]:
    """(JSON path, what is wrong) of every ``_NonFinite`` in ``value``."""
    if isinstance(value, _NonFinite):
        why = "JSON has no NaN or Infinity" if value.text[-1].isalpha() else "it overflows"
        return [(path, f"{value.text} is not a JSON number ({why}, RFC 8259 section 6)")]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _non_finite(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _non_finite(item, f"{path}[{i}]")]
    return []


@lru_cache(maxsize=1)
def _validator() -> Validator:
    return Validator(json.loads(schema_text()))


def _module_ids(value: Any, path: str) -> list[tuple[str, str]]:
    """(JSON path, module) of every ``{"$module_id": module}`` in ``value``."""
    found = placeholder(value)
    if found is not None:
        return [(path, found[1])] if found[0] == "$module_id" and found[1] else []
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _module_ids(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _module_ids(item, f"{path}[{i}]")]
    return []


def _custom(modules: Iterable[Mapping[str, Any]]) -> set[str]:
    return {item["module"] for item in modules if item.get("custom", False)}


def _module_problems(index: int, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Modules a case's org cannot have (R20): a record of one (the target's load would
    fail), a ``$module_id`` of one (R32: no id to give). The org has the standard modules,
    the custom ones ``org.modules`` declares, and from each accepted ``configure`` step on,
    the custom ones it adds. Request paths may name any module: R20 cases send to
    unknown ones on purpose."""
    where = f"$.cases[{index}]"
    known = set(STANDARD_MODULES) | _custom(data.get("org", {}).get("modules", []))
    found: list[tuple[str, str]] = []
    for at, record in enumerate(data.get("records", [])):
        if canonical_module_name(record["module"]) not in known:
            found.append(
                (
                    f"{where}.records[{at}].module",
                    f"module {record['module']!r} is not in the case's org (R20); "
                    f"modules: {', '.join(sorted(known))}",
                )
            )
    for at, step in enumerate(data["steps"]):
        if "configure" in step:
            if step["expect"].get("accepted") is True:
                known |= _custom(step["configure"])
            continue
        step_at = f"{where}.steps[{at}]"
        named = _module_ids(step["request"].get("body"), f"{step_at}.request.body")
        named += _module_ids(step["expect"].get("body"), f"{step_at}.expect.body")
        for path, module in named:
            if module in known:
                continue
            canonical = canonical_module_name(module)
            fix = (
                f"use its API name {canonical!r} (GET /settings/modules lists API names, R2)"
                if canonical in known
                else f"modules at this step: {', '.join(sorted(known))}"
            )
            found.append(
                (path, f"$module_id {module!r}: no such module in the case's org (R20, R32); {fix}")
            )
    return found


def _case_problems(index: int, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What the schema cannot say: placeholders well formed, users known (``matching``),
    modules known (``_module_problems``)."""
    users = {"me"} | {u["ref"] for u in data.get("org", {}).get("users", [])}
    where = f"$.cases[{index}]"
    found: list[tuple[str, str]] = []
    for at, record in enumerate(data.get("records", [])):
        found += placeholder_problems(record["fields"], users, f"{where}.records[{at}].fields")
    for at, step in enumerate(data["steps"]):
        step_at = f"{where}.steps[{at}]"
        request = step.get("request")
        if request is not None:
            for key in ("body", "headers"):
                found += placeholder_problems(
                    request.get(key), users, f"{step_at}.request.{key}", request=True
                )
            if request.get("user", "me") not in users:
                found.append((f"{step_at}.request.user", f"no user {request['user']!r}"))
        found += placeholder_problems(step["expect"].get("body"), users, f"{step_at}.expect.body")
    return found + _module_problems(index, data)


def check_file(data: Any, source: str) -> None:
    """``CaseFormatError`` listing every way ``data`` breaks ``cases/case.schema.json`` or
    the placeholder rules: file, case id, JSON path and what is wrong (at most 20)."""
    problems = _non_finite(data, "$") or _validator().errors(data)
    if not problems:
        problems = [p for i, case in enumerate(data["cases"]) for p in _case_problems(i, case)]
    if not problems:
        return
    cases = data.get("cases") if isinstance(data, dict) else None
    lines = []
    for path, message in problems[:20]:
        found = re.match(r"\$\.cases\[(\d+)\]", path)
        case = cases[int(found.group(1))] if found and isinstance(cases, list) else None
        named = f"case {case.get('id')!r}: " if isinstance(case, dict) else ""
        lines.append(f"{source}: {named}{path}: {message}")
    more = f"\n({len(problems) - 20} more)" if len(problems) > 20 else ""
    raise CaseFormatError("\n".join(lines) + more)


def parse_file(text: str, source: str) -> list[Case]:
    """The cases of one file's text, checked against the schema first (``check_file``)."""
    try:
        data = json.loads(
            text,
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_NonFinite,
            parse_float=_number,
        )
    except ValueError as problem:
        raise CaseFormatError(f"{source}: not JSON: {problem}") from None
    check_file(data, source)
    _need(
        isinstance(data, dict) and isinstance(data.get("cases"), list),
        source,
        'expected {"cases": [...]}',
    )
    return [parse_case(item, source) for item in data["cases"]]


def case_files() -> list[tuple[str, str]]:
    """(file name, text) of every shipped case file, sorted by name."""
    folder = resources.files("upsert_engine.conformance") / "cases"
    found = [
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".json") and entry.name != "case.schema.json"
    ]
    return sorted(found)


def schema_text() -> str:
    """The JSON Schema of a case file (``cases/case.schema.json``)."""
    folder = resources.files("upsert_engine.conformance") / "cases"
    return (folder / "case.schema.json").read_text(encoding="utf-8")


def load_corpus(paths: Iterable[str | Path] = ()) -> list[Case]:
    """The shipped cases, or the cases of the given files; ids must be unique."""
    given = [Path(p) for p in paths]
    files = [(str(p), p.read_text(encoding="utf-8")) for p in given] if given else case_files()
    cases = [case for name, text in files for case in parse_file(text, name)]
    seen: dict[str, str] = {}
    for case in cases:
        if case.id in seen:
            raise CaseFormatError(f"{case.source}: case id {case.id!r} is also in {seen[case.id]}")
        seen[case.id] = case.source
    return cases


def select(cases: Sequence[Case], rules: Sequence[str] = (), ids: Sequence[str] = ()) -> list[Case]:
    """The cases checking any of ``rules`` and/or named in ``ids`` (all when both are empty)."""
    wanted_rules, wanted_ids = set(rules), set(ids)
    return [
        case
        for case in cases
        if (not wanted_rules or wanted_rules & set(case.rules))
        and (not wanted_ids or case.id in wanted_ids)
    ]
