"""The decision: which record an upsert writes to, and whether it may (R5-R17).

Theory of operation
-------------------
This module owns every choice the engine makes about one record, and makes it without
touching any state: it reads the store through the small ``StoreView`` protocol and returns
a value, ``Accepted`` or ``Rejected``. ``Engine`` then applies an ``Accepted`` in one place.

For a request, ``resolve_check_order`` turns the module's system fields S, its user-defined
unique and external fields U (R24) and the request's ``duplicate_check_fields`` D into the
check order (R5, R7). ``Context`` carries what else a request brings: the acting user (R32),
the org around the module (for lookups, R33), ``If-Unmodified-Since`` (R34) and X-EXTERNAL
(R24). For each record, in request order (R17), ``decide`` runs these steps; the first that
rejects ends the record (R29's order):

1. prepare: drop read-only and unknown keys (or reject unknown ones; reserved keys, R35, are
   never unknown), validate every value against its field's type and length (R15), each
   reserved key (R26, R31, R35: payload.py) and each subform row (R36: subforms.py), and
   resolve what Owner, user lookups and lookups name (R32, R33, R24), key by key in the
   record's order -> INVALID_DATA for the first invalid key; convert each value to its
   field's JSON type (R28);
2. by id: an upsert record carrying ``id`` updates that record (R25) -> else INVALID_DATA;
3. match: walk the check order; the first field whose non-empty normalised value (R8, R9)
   finds existing records decides (R10); several candidates -> oldest/newest/reject (R11);
   a user-based external field finds only the acting user's records (R24);
4. batch: a target already written by this request may be refused (R17 option);
5. If-Unmodified-Since: a target modified after that time -> ALREADY_MODIFIED (R34);
6. rows and appends: subform rows named by id must be rows of the target, new rows need the
   subform's row-mandatory fields (R36) -> INVALID_DATA / MANDATORY_NOT_FOUND; multi-select
   values flagged in ``$append_values`` join the stored ones (R26);
7. mandatory fields on insert, the record's layout's included (R13, R4, R35)
   -> MANDATORY_NOT_FOUND;
8. uniqueness of user-defined unique and external fields the record sets to a new value
   (R14, R24) -> DUPLICATE_DATA, or MULTIPLE_OR_MULTI_ERRORS for several fields;
9. an insert without Owner is owned by the acting user (R32); an insert sent with
   ``"$approved": false`` answers the pending ``$approval_state`` (R31).

Errors carry ``json_path``; the response layer removes it for v2/v2.1 (R23).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from .errors import shown
from .fields import FieldDef, is_missing, record_id_text
from .options import (
    IntraBatch,
    NonUniqueCheckField,
    NullOwner,
    Options,
    RecordId,
    UnknownFields,
)
from .outcomes import (
    Accepted,
    Context,
    Decision,
    OrgView,
    Probe,
    Rejected,
    RequestError,
    StoreView,
    field_name,
    invalid_data,
    json_path,
)
from .payload import DROP, Refusal, append_to, check_reserved
from .references import (
    REFERENCE_TYPES,
    Resolver,
    computed_fields,
    creator_of,
    external_holders,
    insert_defaults,
    owner_summary,
    pick,
    resolve_reference,
)
from .rules import (
    APPROVED,
    MESSAGES,
    READ_ONLY_SYSTEM_FIELDS,
    RESERVED_KEYS,
    UNIQUE_CAPABLE_TYPES,
)
from .schema import ModuleSchema
from .subforms import CellResolver, check_rows, merge_rows

__all__ = [  # the values decide reads and returns live in outcomes.py
    "Accepted",
    "Context",
    "Decision",
    "OrgView",
    "Probe",
    "Rejected",
    "RequestError",
    "StoreView",
    "check_order",
    "decide",
    "duplicate_details",
    "missing_mandatory",
    "modified_after",
    "not_a_check_field",
    "prepare",
    "resolve_check_order",
]


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


def not_a_check_field(
    schema: ModuleSchema, position: int, name: str, policy: NonUniqueCheckField
) -> RequestError:
    """R7: the error for a ``duplicate_check_fields`` entry the policy does not take.

    The response says Zoho's ``"invalid data"`` (R27); the reason (for ``explain``) says why.
    """
    definition = schema.fields.get(name)
    if definition is None:
        why = "is not a field of the module"
    elif name in computed_fields(schema):
        why = "is composed on read and stored by no record, so it can be no match key"
    elif policy is NonUniqueCheckField.MATCH:
        why = (
            f"is a field of type {definition.data_type!r}; only fields of the types "
            f"{', '.join(sorted(UNIQUE_CAPABLE_TYPES))} can be match keys"
        )
    else:
        why = "is neither a system-defined duplicate check field nor a user-defined unique field"
    return RequestError(
        "INVALID_DATA",
        {
            "api_name": "duplicate_check_fields",
            "json_path": f"$.duplicate_check_fields[{position}]",
        },
        MESSAGES["INVALID_DATA"],
        "R7",
        reason=f"duplicate_check_fields[{position}] {shown(name)} {why} of {schema.api_name} "
        f"(non_unique_check_field={policy.value}); duplicate check fields: "
        f"{', '.join(schema.duplicate_check_fields) or 'none'}",
    )


def is_match_key(schema: ModuleSchema, name: str) -> bool:
    """R7 ``match``: a field of the module whose type R1 allows can be a match key; not one
    composed on read (Full_Name, ``COMPUTED_FIELDS``): no record stores it, so as a match key
    it would never match and the request would insert silently, a confident wrong answer."""
    definition = schema.fields.get(name)
    return (
        definition is not None
        and definition.data_type in UNIQUE_CAPABLE_TYPES
        and name not in computed_fields(schema)
    )


def resolve_check_order(
    schema: ModuleSchema, requested: Sequence[str] | None, options: Options
) -> tuple[str, ...] | RequestError:
    """R5 + R7: the check order of a request, or the INVALID_DATA error that fails it.

    ``requested`` must already be a list of strings (request.py checks its shape). ``"id"``
    may be named when ``Options.record_id`` is "update" (R25): it counts as a named field (so
    system fields not named are skipped, R5) but is no field of the walk, since an id in a
    record decides before any other key.
    """
    allowed = set(schema.duplicate_check_fields)
    kept: list[str] = []
    for position, name in enumerate(requested or ()):
        if name in allowed or (name == "id" and options.record_id is RecordId.UPDATE):
            kept.append(name)
            continue
        policy = options.non_unique_check_field
        if policy is NonUniqueCheckField.IGNORE:
            continue
        if policy is NonUniqueCheckField.MATCH and is_match_key(schema, name):
            kept.append(name)
            continue
        return not_a_check_field(schema, position, name, policy)
    return tuple(
        f for f in check_order(schema.system_fields, schema.unique_fields, kept) if f != "id"
    )


# --- step 1: prepare ----------------------------------------------------------------------------
def prepare(
    schema: ModuleSchema,
    options: Options,
    index: int,
    record: Mapping[Any, Any],
    resolve: Resolver | None = None,
) -> tuple[dict[str, Any], tuple[str, ...]] | Rejected:
    """R15/R28: the writable values of a record, typed as stored, and the keys ignored; or
    INVALID_DATA for the first invalid key in the record's key order.

    With ``resolve``, each non-null value of a reference field (R32, R33) is replaced by what
    ``resolve`` returns, or the record is rejected with it, in the record's key order (R29).
    """
    values: dict[str, Any] = {}
    ignored: list[str] = []
    fields = schema.fields
    computed = computed_fields(schema)
    for name, value in record.items():
        if not isinstance(name, str):
            return invalid_data(
                index,
                field_name(name),
                {"expected_data_type": "text"},
                f"field name {shown(name)} is not a string",
            )
        definition = fields.get(name)
        if definition is not None and name in computed:
            ignored.append(name)  # composed on read, ignored as system fields are (R12)
            continue
        if definition is None:
            if name in RESERVED_KEYS:  # R35: accepted, never refused as unknown
                kept = check_reserved(schema, options, name, value)
                if isinstance(kept, Refusal):
                    return _refused(index, name, kept)
                if kept is DROP:
                    ignored.append(name)
                else:
                    values[name] = kept
                continue
            if name in READ_ONLY_SYSTEM_FIELDS:
                ignored.append(name)  # R12: system fields are not written by clients
                continue
            if options.unknown_fields is UnknownFields.REJECT:
                return invalid_data(
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
            return invalid_data(index, name, details, reason)
        if resolve is not None and value is not None and definition.data_type in REFERENCE_TYPES:
            resolved = resolve(index, name, definition, value)
            if isinstance(resolved, Rejected):
                return resolved
            values[name] = resolved
            continue
        if definition.rows and isinstance(value, list) and value:  # R36: each row, in order
            rows = check_rows(definition, options, value, _cells(index, resolve))
            if isinstance(rows, Refusal):
                return _refused(index, name, rows)
            values[name] = rows
            continue
        # R28: stored (and matched, R8) in the field's JSON type
        values[name] = value if definition.convert is None else definition.convert(value)
    return values, tuple(ignored)


def _cells(index: int, resolve: Resolver | None) -> CellResolver | None:
    """R33, R36: a subform row's reference cells (a line item's Product_Name) are resolved as
    a record's lookups are; an error names the cell (``Subform[j].Field``)."""
    if resolve is None:
        return None

    def cell(definition: FieldDef, value: Any, where: str) -> Any:
        resolved = resolve(index, definition.api_name, definition, value)
        if not isinstance(resolved, Rejected):
            return resolved
        detail = {k: v for k, v in resolved.details.items() if k not in ("api_name", "json_path")}
        return Refusal(
            detail, resolved.rule, resolved.reason, definition.api_name, where, resolved.code
        )

    return cell


def _refused(
    index: int,
    name: str,
    refusal: Refusal,
    probes: tuple[Probe, ...] = (),
    ignored: tuple[str, ...] = (),
) -> Rejected:
    """A ``Refusal`` of key ``name`` (payload.py, subforms.py) as the record's error."""
    details = {
        "api_name": refusal.api_name or name,
        "json_path": json_path(index, refusal.path or name),
        **refusal.detail,
    }
    return Rejected(refusal.code, details, refusal.rule, refusal.reason, probes, ignored)


# --- steps 2-8 ----------------------------------------------------------------------------------
def duplicate_details(
    schema: ModuleSchema,
    index: int,
    name: str,
    other_ids: Sequence[str],
    view: StoreView,
    ctx: Context,
) -> dict[str, Any]:
    """R14, R32: DUPLICATE_DATA details naming the first (oldest) of ``other_ids``: its
    Owner (when it has one), module (API name and id) and id."""
    other = other_ids[0]
    owner = owner_summary(view.get(other), ctx)
    duplicate: dict[str, Any] = {} if owner is None else {"Owner": owner}
    duplicate["module"] = {"api_name": schema.api_name, "id": ctx.module_id}
    duplicate["id"] = other
    return {
        "api_name": name,
        "json_path": json_path(index, name),
        "duplicate_record": duplicate,
        "more_records": len(other_ids) > 1,
    }


def missing_mandatory(
    index: int, name: str, probes: tuple[Probe, ...] = (), ignored: tuple[str, ...] = ()
) -> Rejected:
    """R13: record ``index`` matched nothing, and as an insert it lacks mandatory ``name``."""
    return Rejected(
        "MANDATORY_NOT_FOUND",
        {"api_name": name, "json_path": json_path(index, name)},
        "R13",
        f"no record matched, and the insert lacks mandatory field {name}",
        probes,
        ignored,
    )


def modified_after(record: Mapping[str, Any] | None, since: datetime) -> str | None:
    """R34: the record's Modified_Time when it is later than ``since``, else None."""
    stamp = None if record is None else record.get("Modified_Time")
    if not isinstance(stamp, str):
        return None
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if when.utcoffset() is not None and when > since else None


def decide(
    schema: ModuleSchema,
    options: Options,
    order: Sequence[str],
    index: int,
    record: Mapping[Any, Any],
    view: StoreView,
    written: Mapping[str, Any] | set[str],
    ctx: Context,
    *,
    trace: bool = False,
    update_id: str | None = None,
    by_id: bool = False,
) -> Decision:
    """Steps 1-9 of the module docstring for record ``index`` of a request.

    ``written`` holds the ids already written by earlier records of the same request (R17).
    ``update_id`` (the plain update API, not upsert) names the target and skips matching;
    the plain insert API passes an empty ``order`` instead. ``by_id`` (upsert): an ``id`` in
    the record decides (R25, per ``Options.record_id``).
    With ``trace`` the decision carries a ``Probe`` per field tried (for ``explain``).
    Cost: one index lookup per field tried, plus one per unique field set (R14).
    """
    prepared = prepare(
        schema,
        options,
        index,
        record,
        lambda i, name, definition, value: resolve_reference(
            options, ctx, i, name, definition, value
        ),
    )
    if isinstance(prepared, Rejected):
        return prepared
    values, ignored = prepared
    flags: dict[str, bool] = values.pop("$append_values", None) or {}  # R26, not stored
    approved = values.pop("$approved", None)  # R31, not stored
    layout = values.get("Layout")  # R35: {"name", "id"} of a layout of the module
    fields = schema.fields
    probes: list[Probe] = []

    # step 2: R25 - an id in an upsert record names its target.
    target: str | None = update_id
    deciding: str | None = None
    rule = "R10"
    several = False
    given = record.get("id") if by_id and options.record_id is not RecordId.IGNORE else None
    if given is not None:
        ignored = tuple(key for key in ignored if key != "id")  # read, not dropped
        record_id = record_id_text(given)
        if options.record_id is RecordId.REJECT or record_id is None or view.get(record_id) is None:
            why = (
                "an id in an upsert record is refused (record_id=reject)"
                if options.record_id is RecordId.REJECT
                else f"id {shown(given, 40)} names no record of {schema.api_name}"
            )
            return Rejected(
                "INVALID_DATA",
                {"api_name": "id", "json_path": json_path(index, "id")},
                "R25",
                why,
                (Probe("id", given, record_id, ()),) if trace else (),
                ignored,
            )
        target, deciding, rule = record_id, "id", "R25"
        if trace:
            probes.append(Probe("id", given, record_id, (record_id,)))

    # step 3: R10 - the first field of the check order that finds a record decides.
    keys: dict[str, str | None] = {}
    for name in order if target is None else ():
        raw = values.get(name)
        key = fields[name].key(raw)
        keys[name] = key
        if key is None:  # R9: empty values never match
            if trace:
                probes.append(Probe(name, raw, None, ()))
            continue
        if name in schema.external_fields:  # R24: per user for a user-based field
            ranked = external_holders(schema, view, name, key, ctx.user)
        else:
            found = view.find(name, key)
            ranked = view.oldest_first(found) if trace or len(found) > 1 else list(found)
        if trace:
            probes.append(Probe(name, raw, key, tuple(ranked)))
        if not ranked:
            continue
        deciding = name
        rule = "R24" if name in schema.external_fields else "R10"
        several = len(ranked) > 1
        target = pick(options, ranked)
        if target is None:  # R11
            return Rejected(
                "AMBIGUITY_DURING_PROCESSING",
                {"api_name": name, "json_path": json_path(index, name), "ids": ranked},
                "R11",
                f"{name} = {raw!r} finds {len(ranked)} records {ranked} (multi_match=reject)",
                tuple(probes),
                ignored,
            )
        if several:
            rule = "R11"
        break

    # step 4: R17 option - a record this request already wrote.
    if target is not None and target in written and options.intra_batch is IntraBatch.REJECT:
        named_by = deciding if deciding is not None else (ctx.record_external or "id")
        return Rejected(
            "DUPLICATE_DATA",
            duplicate_details(schema, index, named_by, [target], view, ctx),
            "R17",
            f"{named_by} = {shown(record.get(named_by))} finds record {target}, already written "
            f"by an earlier record of this request (intra_batch=reject)",
            tuple(probes),
            ignored,
        )

    # step 5: R34 - If-Unmodified-Since.
    if target is not None and ctx.unmodified_since is not None:
        stamp = modified_after(view.get(target), ctx.unmodified_since)
        if stamp is not None:
            return Rejected(
                "ALREADY_MODIFIED",
                {"id": target},
                "R34",
                f"record {target} was modified at {stamp}, after If-Unmodified-Since "
                f"{ctx.unmodified_since.isoformat()}",
                tuple(probes),
                ignored,
            )

    # step 6: R36 - subform rows updated by id, removed, appended (new rows need their
    # row-mandatory fields); R26 - multi-select values flagged in $append_values join the
    # target's stored ones.
    stored = None if target is None else view.get(target)
    new_rows: list[tuple[str, int]] = []
    for name in schema.subform_fields:
        if name not in values:
            continue
        merged = merge_rows(
            fields[name], None if stored is None else stored.get(name), values[name]
        )
        if isinstance(merged, Refusal):
            return _refused(index, name, merged, tuple(probes), ignored)
        values[name] = merged[0]
        new_rows.extend((name, position) for position in merged[1])
    if flags:
        append_to(values, flags, stored, options)

    # step 7: R13 - mandatory fields on insert (R4, and the record's layout's: R35; an empty
    # list, a subform without rows, is missing too); R32 - an update cannot leave a record
    # ownerless.
    if target is None:
        for name in schema.insert_mandatory(layout["id"] if layout else None):
            if is_missing(values.get(name)):
                return missing_mandatory(index, name, tuple(probes), ignored)
    elif "Owner" in values and values["Owner"] is None and "Owner" in insert_defaults(schema, ctx):
        if options.null_owner is NullOwner.KEEP:
            del values["Owner"]  # the owner stays
        else:
            return Rejected(
                "INVALID_DATA",
                {"api_name": "Owner", "json_path": json_path(index, "Owner")},
                "R32",
                "Owner = null would leave the record without an owner (null_owner=reject)",
                tuple(probes),
                ignored,
            )

    # step 8: R14, R24 - unique and external fields set to a new value must not collide.
    collisions: list[tuple[str, list[str]]] = []
    for name in schema.unique_fields:
        if name not in values:
            continue
        key = keys[name] if name in keys else fields[name].key(values[name])
        if key is None:
            continue
        if target is not None and view.key_of(target, name) == key:
            continue  # unchanged values are not re-checked
        if name in schema.external_fields:  # R24: a user-based value, among its creator's
            creator = None if target is None else creator_of(view.get(target))
            holders = external_holders(schema, view, name, key, ctx.user, creator)
        else:
            holders = view.oldest_first(view.find(name, key))
        others = [other for other in holders if other != target]
        if others:
            collisions.append((name, others))
    if collisions:
        errors: list[dict[str, Any]] = [
            {
                "code": "DUPLICATE_DATA",
                "details": duplicate_details(schema, index, name, others, view, ctx),
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
        by = ctx.record_external
        return Accepted(
            "update",
            update_id,
            None,
            values,
            "R24" if by else "R12",
            f"record {update_id} updated by " + (f"{by} (X-EXTERNAL)" if by else "id"),
            tuple(probes),
            ignored,
            new_rows=tuple(new_rows),
        )
    if target is None:  # step 9: R32 - the acting user owns what it inserts without Owner
        for name, default in insert_defaults(schema, ctx).items():
            if values.get(name) is None:
                values[name] = default
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
            options.pending_approval_state if approved is False else APPROVED,  # R31
            tuple(new_rows),
        )
    assert deciding is not None
    how = {"R25": "names", "R24": "(external) finds"}.get(rule, "finds")
    shown_value = given if rule == "R25" else values.get(deciding)
    return Accepted(
        "update",
        target,
        deciding,
        values,
        rule,
        f"{deciding} = {shown_value!r} {how} record {target}; updated",
        tuple(probes),
        ignored,
        new_rows=tuple(new_rows),
    )
