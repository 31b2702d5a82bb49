"""The decision: which record an upsert writes to, and whether it may (R5-R17).

Theory of operation
-------------------
This module owns every choice the engine makes about one record, and makes it without
touching any state: it reads the store through the small ``StoreView`` protocol and returns
a value, ``Accepted`` or ``Rejected``. ``Engine`` then applies an ``Accepted`` in one place.

For a request, ``resolve_check_order`` turns the module's system fields S, its user-defined
unique fields U and the request's ``duplicate_check_fields`` D into the check order (R5, R7).
For each record, in request order (R17), ``decide`` runs these steps; the first that
rejects ends the record:

1. prepare: drop read-only and unknown keys (or reject unknown ones), validate every value
   against its field's type and length (R15) -> INVALID_DATA for the first invalid key in
   the record's order; convert each value to its field's JSON type (R28);
2. match: walk the check order; the first field whose non-empty normalised value (R8, R9)
   finds existing records decides (R10); several candidates -> oldest/newest/reject (R11);
3. batch: a target already written by this request may be refused (R17 option);
4. mandatory fields on insert (R13) -> MANDATORY_NOT_FOUND;
5. uniqueness of user-defined unique fields the record sets to a new value (R14)
   -> DUPLICATE_DATA, or MULTIPLE_OR_MULTI_ERRORS for several fields.

Errors carry ``json_path``; the response layer removes it for v2/v2.1 (R23).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .errors import shown
from .fields import is_empty
from .options import IntraBatch, MultiMatch, NonUniqueCheckField, Options, UnknownFields
from .rules import MESSAGES, READ_ONLY_SYSTEM_FIELDS
from .schema import ModuleSchema


# --- R5: the check order ------------------------------------------------------------------------
def check_order(
    system_fields: Sequence[str],
    unique_fields: Sequence[str],
    requested: Sequence[str] | None = None,
) -> tuple[str, ...]:
    """R5/R6: the order in which duplicate check fields are tried.

    ``requested`` absent or empty: S then U. Given: ``requested`` in its order without repeats,
    then every field of U it does not name; a system field is tried only when named.
    Pure and total; membership of ``requested`` in S ∪ U is checked by
    ``resolve_check_order`` (R7). O(|S| + |U| + |D|).
    """
    if not requested:
        return tuple(dict.fromkeys((*system_fields, *unique_fields)))
    named = dict.fromkeys(requested)
    return (*named, *(f for f in dict.fromkeys(unique_fields) if f not in named))


@dataclass(frozen=True, slots=True)
class RequestError:
    """A request-level error (R7, R19, R20, R22): the whole request fails, nothing is written."""

    code: str
    details: dict[str, Any]
    message: str
    rule: str
    status: int = 400

    def body(self) -> dict[str, Any]:
        """Zoho's top-level error shape."""
        return {
            "code": self.code,
            "details": self.details,
            "message": self.message,
            "status": "error",
        }


def not_a_check_field(schema: ModuleSchema, position: int, name: str) -> RequestError:
    """R7: the error for a ``duplicate_check_fields`` entry outside S ∪ U."""
    why = (
        "is not a field of the module"
        if name not in schema.fields
        else "is neither a system-defined duplicate check field nor a user-defined unique field"
    )
    return RequestError(
        "INVALID_DATA",
        {
            "api_name": "duplicate_check_fields",
            "json_path": f"$.duplicate_check_fields[{position}]",
        },
        f"duplicate_check_fields[{position}] {shown(name)} {why} of {schema.api_name}; "
        f"allowed: {', '.join(schema.duplicate_check_fields) or 'none'} (R7)",
        "R7",
    )


def resolve_check_order(
    schema: ModuleSchema, requested: Sequence[str] | None, options: Options
) -> tuple[str, ...] | RequestError:
    """R5 + R7: the check order of a request, or the INVALID_DATA error that fails it.

    ``requested`` must already be a list of strings (request.py checks its shape).
    """
    allowed = set(schema.duplicate_check_fields)
    kept: list[str] = []
    for position, name in enumerate(requested or ()):
        if name in allowed:
            kept.append(name)
            continue
        policy = options.non_unique_check_field
        if policy is NonUniqueCheckField.IGNORE:
            continue
        if policy is NonUniqueCheckField.MATCH and name in schema.fields:
            kept.append(name)
            continue
        return not_a_check_field(schema, position, name)
    return check_order(schema.system_fields, schema.unique_fields, kept)


# --- what a decision reads ----------------------------------------------------------------------
class StoreView(Protocol):
    """Read access to one module's records, as they stand after the earlier records (R17)."""

    def find(self, field: str, key: str) -> Sequence[str]:
        """Ids of the records whose normalised ``field`` equals ``key``, in any order."""

    def key_of(self, record_id: str, field: str) -> str | None:
        """The normalised current value of ``field`` in record ``record_id``."""

    def oldest_first(self, record_ids: Iterable[str]) -> list[str]:
        """R11: ``record_ids`` from the oldest (earliest creation, then smallest id)."""


# --- what a decision returns --------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Probe:
    """One step of the walk (R10): a field tried, its raw and normalised value, what it found."""

    field: str
    raw: Any
    key: str | None
    candidates: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Accepted:
    """The record will be written: inserted, or ``target_id`` updated (R10, R12)."""

    action: str  # "insert" | "update"
    target_id: str | None
    duplicate_field: str | None
    values: dict[str, Any]
    rule: str
    reason: str
    probes: tuple[Probe, ...] = ()
    ignored: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rejected:
    """The record is refused; nothing is written for it (R16)."""

    code: str
    details: dict[str, Any]
    rule: str
    reason: str
    probes: tuple[Probe, ...] = ()
    ignored: tuple[str, ...] = field(default=())

    def entry(self) -> dict[str, Any]:
        """Zoho's per-record error shape (R18)."""
        return {
            "code": self.code,
            "details": self.details,
            "message": MESSAGES[self.code],
            "status": "error",
        }


Decision = Accepted | Rejected


def _path(index: int, name: str) -> str:
    return f"$.data[{index}].{name}"


def _field_name(name: Any) -> str:
    """A non-string record key as text for ``api_name`` (str() fails on huge ints)."""
    try:
        return str(name)
    except (ValueError, RecursionError):
        return shown(name)


def _invalid(index: int, name: str, detail: dict[str, Any], reason: str) -> Rejected:
    details = {"api_name": name, "json_path": _path(index, name), **detail}
    return Rejected("INVALID_DATA", details, "R15", reason)


# --- step 1: prepare ----------------------------------------------------------------------------
def prepare(
    schema: ModuleSchema, options: Options, index: int, record: Mapping[Any, Any]
) -> tuple[dict[str, Any], tuple[str, ...]] | Rejected:
    """R15/R28: the writable values of a record, typed as stored, and the keys ignored; or
    INVALID_DATA for the first invalid key in the record's key order."""
    values: dict[str, Any] = {}
    ignored: list[str] = []
    fields = schema.fields
    for name, value in record.items():
        if not isinstance(name, str):
            return _invalid(
                index,
                _field_name(name),
                {"expected_data_type": "text"},
                f"field name {shown(name)} is not a string",
            )
        definition = fields.get(name)
        if definition is None:
            if name in READ_ONLY_SYSTEM_FIELDS:
                ignored.append(name)  # R12: system fields are not written by clients
                continue
            if options.unknown_fields is UnknownFields.REJECT:
                return _invalid(
                    index,
                    name,
                    {},
                    f"{shown(name)} is not a field of {schema.api_name} (unknown_fields=reject)",
                )
            ignored.append(name)
            continue
        problem = definition.validate(value)
        if problem is not None:
            details = dict(problem)
            reason = (
                f"{name} = {shown(value)} is not a valid {details['expected_data_type']}"
                if "expected_data_type" in details
                else f"{name} = {shown(value)} is over the limit of {details['maximum_length']}"
            )
            return _invalid(index, name, details, reason)
        # R28: stored (and matched, R8) in the field's JSON type
        values[name] = value if definition.convert is None else definition.convert(value)
    return values, tuple(ignored)


# --- steps 2-5 ----------------------------------------------------------------------------------
def duplicate_details(
    schema: ModuleSchema, index: int, name: str, other_ids: Sequence[str]
) -> dict[str, Any]:
    """R14: DUPLICATE_DATA details naming the first (oldest) of ``other_ids``."""
    return {
        "api_name": name,
        "json_path": _path(index, name),
        "duplicate_record": {"id": other_ids[0], "module": {"api_name": schema.api_name}},
        "more_records": len(other_ids) > 1,
    }


def decide(
    schema: ModuleSchema,
    options: Options,
    order: Sequence[str],
    index: int,
    record: Mapping[Any, Any],
    view: StoreView,
    written: Mapping[str, Any] | set[str],
    *,
    trace: bool = False,
    update_id: str | None = None,
) -> Decision:
    """Steps 1-5 of the module docstring for record ``index`` of a request.

    ``written`` holds the ids already written by earlier records of the same request (R17).
    ``update_id`` (the plain update API, not upsert) names the target and skips matching;
    the plain insert API passes an empty ``order`` instead.
    With ``trace`` the decision carries a ``Probe`` per field tried (for ``explain``).
    Cost: one index lookup per field tried, plus one per unique field set (R14).
    """
    prepared = prepare(schema, options, index, record)
    if isinstance(prepared, Rejected):
        return prepared
    values, ignored = prepared
    fields = schema.fields
    probes: list[Probe] = []

    # step 2: R10 - the first field of the check order that finds a record decides.
    target: str | None = update_id
    deciding: str | None = None
    several = False
    keys: dict[str, str | None] = {}
    for name in order if update_id is None else ():
        raw = values.get(name)
        key = fields[name].key(raw)
        keys[name] = key
        if key is None:  # R9: empty values never match
            if trace:
                probes.append(Probe(name, raw, None, ()))
            continue
        found = view.find(name, key)
        if trace:
            probes.append(Probe(name, raw, key, tuple(view.oldest_first(found))))
        if not found:
            continue
        deciding = name
        several = len(found) > 1
        if not several:
            target = found[0]
        else:  # R11
            ranked = view.oldest_first(found)
            if options.multi_match is MultiMatch.REJECT:
                return Rejected(
                    "AMBIGUITY_DURING_PROCESSING",
                    {"api_name": name, "json_path": _path(index, name), "ids": ranked},
                    "R11",
                    f"{name} = {raw!r} finds {len(ranked)} records {ranked} (multi_match=reject)",
                    tuple(probes),
                    ignored,
                )
            target = ranked[0] if options.multi_match is MultiMatch.OLDEST else ranked[-1]
        break

    # step 3: R17 option - a record this request already wrote.
    if target is not None and target in written and options.intra_batch is IntraBatch.REJECT:
        named_by = deciding if deciding is not None else "id"  # plain update API: by id
        return Rejected(
            "DUPLICATE_DATA",
            duplicate_details(schema, index, named_by, [target]),
            "R17",
            f"{named_by} = {shown(record.get(named_by))} finds record {target}, already written "
            f"by an earlier record of this request (intra_batch=reject)",
            tuple(probes),
            ignored,
        )

    # step 4: R13 - mandatory fields on insert.
    if target is None:
        for name in schema.mandatory_fields:
            if is_empty(values.get(name)):
                return Rejected(
                    "MANDATORY_NOT_FOUND",
                    {"api_name": name, "json_path": _path(index, name)},
                    "R13",
                    f"no record matched, and the insert lacks mandatory field {name}",
                    tuple(probes),
                    ignored,
                )

    # step 5: R14 - user-defined unique fields set to a new value must not collide.
    collisions: list[tuple[str, list[str]]] = []
    for name in schema.unique_fields:
        if name not in values:
            continue
        key = keys[name] if name in keys else fields[name].key(values[name])
        if key is None:
            continue
        if target is not None and view.key_of(target, name) == key:
            continue  # unchanged values are not re-checked
        others = [other for other in view.find(name, key) if other != target]
        if others:
            collisions.append((name, view.oldest_first(others)))
    if collisions:
        errors: list[dict[str, Any]] = [
            {
                "code": "DUPLICATE_DATA",
                "details": duplicate_details(schema, index, name, others),
                "message": MESSAGES["DUPLICATE_DATA"],
                "status": "error",
            }
            for name, others in collisions
        ]
        reason = "; ".join(
            f"{name} = {values[name]!r} is held by record {others[0]}"
            for name, others in collisions
        )
        if len(errors) == 1:
            return Rejected(
                "DUPLICATE_DATA", errors[0]["details"], "R14", reason, tuple(probes), ignored
            )
        return Rejected(
            "MULTIPLE_OR_MULTI_ERRORS", {"errors": errors}, "R14", reason, tuple(probes), ignored
        )

    if update_id is not None:
        return Accepted(
            "update",
            update_id,
            None,
            values,
            "R12",
            f"record {update_id} updated by id",
            tuple(probes),
            ignored,
        )
    if target is None:
        tried = ", ".join(order) or "no duplicate check field"
        return Accepted(
            "insert",
            None,
            None,
            values,
            "R10",
            f"no record found by {tried}; inserted",
            tuple(probes),
            ignored,
        )
    assert deciding is not None
    return Accepted(
        "update",
        target,
        deciding,
        values,
        "R11" if several else "R10",
        f"{deciding} = {values.get(deciding)!r} finds record {target}; updated",
        tuple(probes),
        ignored,
    )
