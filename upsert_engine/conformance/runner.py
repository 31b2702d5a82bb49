"""Running cases against a target: one ``Outcome`` per case (pass, fail, skip or error).

For each case the runner asks the target for a fresh org, adds the case's users, applies its
schemas, creates its records (binding their ``ref`` names to the ids the target gives), then
runs the steps in order. A step fails when the status or the body differs (placeholders as in
``matching``); the case stops at its first failing step, since later steps build on it.
``error`` is a case the target could not be set up for, or a case that is wrong itself
(``CaseError``): never counted as a pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .case import Case, Step
from .matching import Bindings, CaseError, Difference, compare, fill, fill_path, placeholder
from .target import Target, TargetError

Status = Literal["pass", "fail", "skip", "error"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one case came to on one target."""

    case: Case
    status: Status
    #: why it was skipped or errored
    reason: str = ""
    #: the failing step (index) and what it sent
    step: int | None = None
    request: str = ""
    differences: tuple[Difference, ...] = ()
    #: the whole actual body of the failing step, for the report
    actual: Any = None
    expected: Any = None


class SetupRefused(TargetError):
    """The target refused the case's setup (a schema, a user, a record)."""


def _module_refs(value: Any, found: set[str]) -> None:
    hit = placeholder(value)
    if hit is not None:
        if hit[0] == "$module_id":
            found.add(str(hit[1]))
        return
    if isinstance(value, dict):
        for item in value.values():
            _module_refs(item, found)
    elif isinstance(value, list):
        for item in value:
            _module_refs(item, found)


def _load_records(target: Target, case: Case, bindings: Bindings) -> None:
    """Existing records, consecutive records of one module in one call, refs bound."""
    groups: list[tuple[str, list[Mapping[str, Any]]]] = []
    for record in case.records:
        if groups and groups[-1][0] == record["module"]:
            groups[-1][1].append(record)
        else:
            groups.append((record["module"], [record]))
    for module, records in groups:
        ids = target.load(module, [fill(record["fields"], bindings) for record in records])
        if len(ids) != len(records):
            raise SetupRefused(f"{module}: {len(records)} records sent, {len(ids)} ids back")
        for record, record_id in zip(records, ids, strict=True):
            ref = record.get("ref")
            if isinstance(ref, str):
                bindings.ids[ref] = record_id


def _bind_module_ids(target: Target, step: Step, bindings: Bindings) -> None:
    """Ask the target for the id of each module the step names in ``$module_id`` (R32), at
    the step: a custom module an earlier ``configure`` step added exists by then."""
    wanted: set[str] = set()
    if step.request is not None:
        _module_refs(step.request.body, wanted)
    _module_refs(step.body, wanted)
    for module in sorted(wanted - set(bindings.module_ids)):
        bindings.module_ids[module] = target.module_id(module)


def _run_step(
    target: Target, step: Step, index: int, bindings: Bindings, case: Case
) -> Outcome | None:
    _bind_module_ids(target, step, bindings)
    if step.configure is not None:
        refused = target.configure(step.configure)
        if (refused is None) == step.accepted:
            return None
        want = "accepted" if step.accepted else "refused"
        got = "accepted" if refused is None else f"refused ({refused})"
        diff = Difference("configure", want, got)
        return Outcome(case, "fail", step=index, request="configure", differences=(diff,))
    request = step.request
    assert request is not None  # a step is a request or a configuration change
    path = fill_path(request.path, bindings)
    headers = {key: str(fill(value, bindings)) for key, value in (request.headers or {}).items()}
    body = fill(request.body, bindings)
    user = None
    if request.user is not None and request.user != "me":
        if request.user not in bindings.users:
            raise CaseError(f"step {index}: no user {request.user!r} in the case")
        user = bindings.users[request.user]["id"]
    reply = target.send(request.method, path, headers, body, user)
    differences = []
    if reply.status != step.status:
        differences.append(Difference("HTTP status", str(step.status), str(reply.status)))
    differences += compare(step.body, reply.body, bindings, subset=step.subset)
    if not differences:
        return None
    return Outcome(
        case,
        "fail",
        step=index,
        request=f"{request.method} {path}",
        differences=tuple(differences),
        actual={"status": reply.status, "body": reply.body},
        expected={"status": step.status, "body": step.body},
    )


def run_case(target: Target, case: Case) -> Outcome:
    """Run one case on ``target``."""
    why = target.why_not(case)
    if why is not None:
        return Outcome(case, "skip", reason=why)
    bindings = Bindings()
    try:
        bindings.users["me"] = target.start_case()
        for user in case.users:
            bindings.users[user["ref"]] = target.add_user(user)
        if case.modules:
            refused = target.configure(case.modules)
            if refused is not None:
                raise SetupRefused(f"the case's schema was refused: {refused}")
        _load_records(target, case, bindings)
        for index, step in enumerate(case.steps):
            failed = _run_step(target, step, index, bindings, case)
            if failed is not None:
                return failed
        return Outcome(case, "pass")
    except CaseError as problem:
        return Outcome(case, "error", reason=f"the case is wrong: {problem}")
    except SetupRefused as problem:  # live: what Zoho will not set up is not testable
        return Outcome(
            case, "skip" if getattr(target, "live", False) else "error", reason=str(problem)
        )
    except TargetError as problem:
        return Outcome(case, "error", reason=str(problem))
    finally:
        target.end_case()


@dataclass(slots=True)
class Run:
    """Every outcome of one run, in corpus order, and what it ran against."""

    target: str
    outcomes: list[Outcome] = field(default_factory=list)


def run(
    target: Target,
    cases: Iterable[Case],
    *,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> Run:
    """Run ``cases`` in order on ``target``; ``on_outcome`` sees each as it comes."""
    result = Run(target.name)
    for case in cases:
        outcome = run_case(target, case)
        result.outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return result


def failing(outcomes: Sequence[Outcome]) -> list[str]:
    """Ids of the cases that did not pass or skip (failures and errors)."""
    return [o.case.id for o in outcomes if o.status in ("fail", "error")]
