"""How the engine runs a request: decide each record in order, apply, answer (R10-R21).

For one upsert, plan, explain, insert or update, ``run`` (1) checks the body's shape
(request.py), (2) resolves the check order (decision.py), (3) decides each record in order
against the store as it stands (the compiled fast path, ``_fastpath.py``, or ``decide``
itself), (4) applies each accepted record in one place, ``apply``, inside the store's
transaction (``Org._atomic``), and (5) commits (``upsert``, ``insert``, ``update``) or rolls
back (``plan``, ``explain``). ``delete`` is the Delete Records API, under the same discipline.
Every function here is called with the org's lock held.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ._fastpath import EngineHooks, FastPlan, run_upserts
from ._loading import copy_value
from ._org import FIRST_ID, Org, OrgView, sequential_ids
from .decision import (
    Accepted,
    Context,
    Decision,
    Rejected,
    RequestError,
    decide,
    resolve_check_order,
)
from .errors import ConfigurationError, shown
from .explain import RecordTrace
from .fields import record_id_text
from .options import NonUniqueCheckField, User
from .references import external_holders, insert_defaults, pick, update_target
from .request import parse_external, parse_request, parse_unmodified_since
from .responses import (
    Response,
    batch_status,
    for_version,
    shows_approval_state,
    success_entry,
    without_approval_state,
)
from .rules import API_VERSIONS, MESSAGES
from .schema import canonical_module_name
from .store import ModuleStore

#: What ``run`` answers: the response, the check order, the traces (explain) and, for a
#: request-level error, why (explain).
Ran = tuple[Response, tuple[str, ...], list[RecordTrace], "str | None"]


@dataclass(frozen=True, slots=True)
class Call:
    """One request call: its API and what it brings besides the body (R24, R32, R34)."""

    mode: str  # "upsert" | "insert" | "update"
    commit: bool
    trace: bool
    as_user: str | None
    since: Any
    external: Any


def by_external(org: Org, store: ModuleStore, field: str, value: Any, acting: User) -> str | None:
    """R24: the id of the record holding ``value`` in external field ``field`` (among the
    acting user's records for a user-based field; by ``multi_match`` when several), or None."""
    key = store.schema.fields[field].key(value) if isinstance(value, str) else None
    ranked = [] if key is None else external_holders(store.schema, store, field, key, acting)
    return pick(org.options, ranked) if ranked else None


def delete(
    org: Org, module: str, record_ids: Sequence[Any], acting: User, external: Any
) -> Response:
    """The Delete Records API (R19, R24): unknown ids fail one by one; all or nothing."""
    store = org._stores.get(canonical_module_name(module)) if isinstance(module, str) else None
    if store is None:
        return refuse(invalid_module(), org.options.api_version)[0]
    if not isinstance(record_ids, (list, tuple)):
        error = RequestError(
            "INVALID_DATA",
            {"api_name": "ids"},
            f"ids must be a list of record ids, not {shown(record_ids)}",
            "R19",
        )
        return refuse(error, org.options.api_version)[0]
    if not 1 <= len(record_ids) <= org.options.max_records:
        error = RequestError(
            "LIMIT_EXCEEDED" if record_ids else "MANDATORY_NOT_FOUND",
            {"limit": org.options.max_records} if record_ids else {"api_name": "ids"},
            f"send 1 to {org.options.max_records} ids, not {len(record_ids)}",
            "R19",
        )
        return refuse(error, org.options.api_version)[0]
    header = parse_external(external, store.schema, org._schema_of)
    if isinstance(header, RequestError):
        return refuse(header, org.options.api_version)[0]
    by_field = header[0]
    entries: list[dict[str, Any]] = []
    with org._atomic(store):
        for given in record_ids:
            if by_field is None:
                record_id = record_id_text(given)
            else:
                record_id = by_external(org, store, by_field, given, acting)
            if record_id is not None and record_id in store.records:
                store.delete(record_id)
                entries.append(
                    {
                        "code": "SUCCESS",
                        "details": {"id": record_id},
                        "message": "record deleted",
                        "status": "success",
                    }
                )
            else:
                entries.append(
                    {
                        "code": "INVALID_DATA",
                        "details": {
                            "id": echoed(given) if by_field else record_id or echoed(given)
                        },
                        "message": "the id given seems to be invalid",
                        "status": "error",
                    }
                )
        status = batch_status(entries)
        if status != 400:  # R16: nothing deleted, nothing changed
            org._write_seq += 1
    return Response(status, {"data": entries})


def run(org: Org, module: str, body: Any, api_version: str | None, call: Call) -> Ran:
    """One request (upsert, plan, explain, insert, update), all or nothing (``_atomic``)."""
    version = api_version or org.options.api_version
    if version not in API_VERSIONS:
        raise ConfigurationError(f"api_version={version!r} is not one of {API_VERSIONS} (R23)")
    acting = org._acting(call.as_user)
    store = org._stores.get(canonical_module_name(module)) if isinstance(module, str) else None
    if store is None:  # R20
        return refuse(invalid_module(), version)
    parsed = parse_request(body, org.options.max_records)
    if isinstance(parsed, RequestError):
        return refuse(parsed, version)
    since = parse_unmodified_since(call.since)
    if isinstance(since, RequestError):
        return refuse(since, version)
    header = parse_external(call.external, store.schema, org._schema_of)
    if isinstance(header, RequestError):
        return refuse(header, version)
    order: tuple[str, ...] = ()
    if call.mode == "upsert":
        resolved = resolve_check_order(store.schema, parsed.duplicate_check_fields, org.options)
        if isinstance(resolved, RequestError):
            return refuse(resolved, version)
        order = resolved
    ctx = Context(
        acting,
        org._module_id(store),
        OrgView(org),  # per request: no engine <-> view cycle to outlive a reset
        since,
        MappingProxyType(header[1]),
        header[0] if call.mode == "update" else None,  # upsert needs none [doc]
    )
    now = org._now()
    entries: list[dict[str, Any]] = []
    traces: list[RecordTrace] = []
    with org._atomic(store):
        if call.commit and org.options.non_unique_check_field is NonUniqueCheckField.MATCH:
            for name in order:  # (plan and explain scan instead: they build nothing)
                store.ensure_index(name)
        seq = write_records(
            org,
            store,
            parsed.records,
            order,
            call.mode,
            now,
            entries,
            traces if call.trace else None,
            ctx,
        )
        status = batch_status(entries, insert=call.mode == "insert")  # R21, R30
        if call.commit:  # the counters move with the commit (``_atomic``)
            org._id_seq = seq
            if status < 400:  # R16: a request that wrote nothing leaves the clock too
                org._write_seq += 1
        else:
            store.rollback()
    body = for_version({"data": entries}, version)
    if not shows_approval_state(version, org.options.approval_state_since):
        body = without_approval_state(body)  # R31
    return Response(status, body), order, traces, None


def write_records(
    org: Org,
    store: ModuleStore,
    records: list[dict[Any, Any]],
    order: tuple[str, ...],
    mode: str,
    now: str,
    entries: list[dict[str, Any]],
    traces: list[RecordTrace] | None,
    ctx: Context,
) -> int:
    """Decide and write each record in order (R10-R17) into the open transaction.

    Appends one response entry per record to ``entries`` (and a trace to ``traces`` when
    given); returns the next id sequence number (the engine's counter is not moved here).
    """
    written: dict[str, None] = {}
    seq = org._id_seq
    stamp = stamp_of_user(ctx.user)

    def write(store: ModuleStore, decision: Accepted, now: str, seq: int) -> tuple[str, int]:
        return apply(org, store, decision, now, seq, stamp)

    # the fast path needs an index on every field it walks (a dry run builds none, R7
    # match); it leaves requests with R34 or X-EXTERNAL lookups to ``decide``
    fast = (
        mode == "upsert"
        and traces is None
        and ctx.unmodified_since is None
        and not ctx.lookup_external
        and all(n in store.indexes for n in order)
    )
    if fast:
        return run_upserts(
            fast_plan(org, store, order),
            store,
            records,
            now,
            seq,
            entries,
            EngineHooks(
                org.options,
                stamp,
                ctx,
                insert_defaults(store.schema, ctx),
                org._ids is sequential_ids,
                FIRST_ID,
                org._given_ids,
                write,
                org._next_id,
            ),
        )
    for position, record in enumerate(records):
        decision: Decision
        if mode == "update":
            target = update_target(store.schema, store, ctx, org.options, position, record)
            if isinstance(target, Rejected):
                decision = target
            else:
                decision = decide(
                    store.schema,
                    org.options,
                    (),
                    position,
                    record,
                    store,
                    written,
                    ctx,
                    update_id=target,
                )
        else:
            decision = decide(
                store.schema,
                org.options,
                order,
                position,
                record,
                store,
                written,
                ctx,
                trace=traces is not None,
                by_id=mode == "upsert",
            )
        record_id: str | None = None
        if isinstance(decision, Accepted):
            record_id, seq = write(store, decision, now, seq)
            written[record_id] = None
            entry = success_entry(
                decision.action,
                decision.duplicate_field,
                record_id,
                store.records[record_id],
                now,
                stamp,
                decision.approval_state,
            )
            if mode != "upsert":  # the plain APIs answer without these two keys
                del entry["action"], entry["duplicate_field"]
            if ctx.record_external is not None:  # [doc update-records-ext sample]
                entry["details"] = with_external(
                    entry["details"], ctx.record_external, record[ctx.record_external]
                )
            entries.append(entry)
        else:
            entries.append(decision.entry())
        if traces is not None:
            traces.append(trace_of(position, order, decision, record_id))
    return seq


def fast_plan(org: Org, store: ModuleStore, order: tuple[str, ...]) -> FastPlan:
    """The compiled plan of ``store`` for check order ``order`` (made once, then cached)."""
    plan = store.fast_plans.get(order)
    if plan is None:
        plan = store.fast_plans[order] = FastPlan(store, order, org.options)
    return plan


def refuse(error: RequestError, version: str) -> Ran:
    """R16: a request-level error changes nothing."""
    response = Response(error.status, for_version(error.body(), version))
    return response, (), [], error.why()


def apply(
    org: Org, store: ModuleStore, decision: Accepted, now: str, seq: int, stamp: dict[str, str]
) -> tuple[str, int]:
    """The one place a decision becomes a write (R12): returns the id and the next seq."""
    values = {name: copy_value(value) for name, value in decision.values.items()}
    values["Modified_Time"] = now
    values["Modified_By"] = stamp
    record_id = decision.target_id
    if record_id is None:
        record_id, seq = org._next_id(seq)
    for name, position in decision.new_rows:  # R36: a new row's id, after the record's
        row_id, seq = org._next_id(seq)
        values[name][position] = {"id": row_id, **values[name][position]}
    if decision.target_id is None:
        values["Created_Time"] = now
        values["Created_By"] = stamp
        store.insert(record_id, values)
        return record_id, seq
    store.update(record_id, values)
    return record_id, seq


def invalid_module() -> RequestError:
    """R20: the top-level error for a module the org does not hold."""
    return RequestError(
        "INVALID_MODULE", {"resource_path_index": 0}, MESSAGES["INVALID_MODULE"], "R20"
    )


def echoed(given: Any) -> str:
    """An id that names no record, as an error entry echoes it (bounded; never ``str`` of a
    huge int)."""
    if isinstance(given, str) and len(given) <= 64:
        return given
    return shown(given, 40)


def stamp_of_user(user: User) -> dict[str, str]:
    """R18: a user as Created_By / Modified_By show it."""
    return {"name": user.name, "id": user.id}


def with_external(details: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    """Success details of an update by external value: the field after Created_Time, as
    Zoho's update-records-ext sample shows it (R24)."""
    out: dict[str, Any] = {}
    for key, item in details.items():
        if key == "id":
            out[name] = value
        out[key] = item
    return out


def trace_of(
    position: int, order: tuple[str, ...], decision: Decision, record_id: str | None
) -> RecordTrace:
    if isinstance(decision, Rejected):
        return RecordTrace(
            position,
            order,
            decision.probes,
            decision.code,
            None,
            None,
            decision.rule,
            decision.reason,
            decision.ignored,
        )
    reason = decision.reason
    if decision.action == "insert":
        reason = reason.replace("inserted", f"inserted as {record_id}")
    return RecordTrace(
        position,
        order,
        decision.probes,
        decision.action,
        record_id,
        decision.duplicate_field,
        decision.rule,
        reason,
        decision.ignored,
    )
