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

1. prepare: drop read-only and unknown keys (or reject unknown ones), validate every value
   against its field's type and length (R15), and resolve what Owner, user lookups and
   lookups name (R32, R33, R24), key by key in the record's order -> INVALID_DATA;
2. by id: an upsert record carrying ``id`` updates that record (R25) -> else INVALID_DATA;
3. match: walk the check order; the first field whose non-empty normalised value (R8, R9)
   finds existing records decides (R10); several candidates -> oldest/newest/reject (R11);
   a user-based external field finds only the acting user's records (R24);
4. batch: a target already written by this request may be refused (R17 option);
5. If-Unmodified-Since: a target modified after that time -> ALREADY_MODIFIED (R34);
6. mandatory fields on insert (R13) -> MANDATORY_NOT_FOUND;
7. uniqueness of user-defined unique and external fields the record sets to a new value
   (R14, R24) -> DUPLICATE_DATA, or MULTIPLE_OR_MULTI_ERRORS for several fields;
8. an insert without Owner is owned by the acting user (R32).

Errors carry ``json_path``; the response layer removes it for v2/v2.1 (R23).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Protocol

from .errors import shown
from .fields import FieldDef, is_empty, record_id_text
from .options import (
    IntraBatch,
    MultiMatch,
    NonUniqueCheckField,
    Options,
    RecordId,
    UnknownFields,
    User,
)
from .rules import DISPLAY_FIELDS, MESSAGES, READ_ONLY_SYSTEM_FIELDS, USER_DATA_TYPES
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
        if policy is NonUniqueCheckField.MATCH and name in schema.fields:
            kept.append(name)
            continue
        return not_a_check_field(schema, position, name)
    return tuple(
        f for f in check_order(schema.system_fields, schema.unique_fields, kept) if f != "id"
    )


# --- what a decision reads ----------------------------------------------------------------------
class StoreView(Protocol):
    """Read access to one module's records, as they stand after the earlier records (R17)."""

    def find(self, field: str, key: str) -> Sequence[str]:
        """Ids of the records whose normalised ``field`` equals ``key``, in any order."""

    def key_of(self, record_id: str, field: str) -> str | None:
        """The normalised current value of ``field`` in record ``record_id``."""

    def oldest_first(self, record_ids: Iterable[str]) -> list[str]:
        """R11: ``record_ids`` from the oldest (earliest creation, then smallest id)."""

    def get(self, record_id: str) -> Mapping[str, Any] | None:
        """The stored fields of record ``record_id`` (not to be changed), or None."""


class OrgView(Protocol):
    """Read access to the org around the module: its users (R32) and other modules (R33)."""

    def user(self, user_id: str) -> User | None:
        """The org's user of that id, or None."""

    def module(self, name: str) -> tuple[ModuleSchema, StoreView] | None:
        """The schema and records of module ``name`` (API name), or None if not in the org."""


@dataclass(frozen=True, slots=True)
class Context:
    """What one request brings besides its body (R24, R32, R34)."""

    #: R32: the acting user (Created_By / Modified_By, a new record's Owner, R24 user fields).
    user: User
    #: R32: the module's id, for ``duplicate_record.module.id``.
    module_id: str = ""
    #: R32, R33: the org's users and modules; None: nothing is resolved (every id unknown).
    org: OrgView | None = None
    #: R34: ``If-Unmodified-Since``, an aware datetime, or None.
    unmodified_since: datetime | None = None
    #: R24, X-EXTERNAL ``Module.Lookup.Field``: lookup field -> external field of its target.
    lookup_external: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: R24, X-EXTERNAL ``Module.Field`` on the update API: records are named by this field.
    record_external: str | None = None


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


def _invalid(
    index: int, name: str, detail: dict[str, Any], reason: str, rule: str = "R15"
) -> Rejected:
    details = {"api_name": name, "json_path": _path(index, name), **detail}
    return Rejected("INVALID_DATA", details, rule, reason)


# --- users, owners and names (R32, R33) ---------------------------------------------------------
def user_value(user: User, data_type: str = "ownerlookup") -> dict[str, str]:
    """R32: a user as a record holds it: Owner ``{"name","id","email"}``, a user lookup
    ``{"name","id"}``."""
    if data_type == "ownerlookup":
        return {"name": user.name, "id": user.id, "email": user.email}
    return {"name": user.name, "id": user.id}


def insert_defaults(schema: ModuleSchema, ctx: Context) -> dict[str, Any]:
    """R32: what an insert that does not set them gets: ``Owner`` = the acting user."""
    owner = schema.fields.get("Owner")
    if owner is None or owner.data_type != "ownerlookup":
        return {}
    return {"Owner": user_value(ctx.user)}


def creator_of(record: Mapping[str, Any] | None) -> str | None:
    """The id of the user who created ``record`` (R24 user-based external fields)."""
    created_by = None if record is None else record.get("Created_By")
    if created_by.__class__ is dict or isinstance(created_by, Mapping):  # dict: fast
        return created_by.get("id")
    return None


def display_name(schema: ModuleSchema, record: Mapping[str, Any] | None) -> str | None:
    """R33: a record's name as a lookup to it reads back: its display fields, joined."""
    if record is None:
        return None
    names = DISPLAY_FIELDS.get(schema.api_name) or (
        ("Name",) if schema.custom else schema.system_fields[:1]
    )
    parts = [record[n].strip() for n in names if isinstance(record.get(n), str)]
    return " ".join(p for p in parts if p) or None


def owner_summary(record: Mapping[str, Any] | None, ctx: Context) -> dict[str, Any] | None:
    """R32: ``duplicate_record.Owner``: ``{"name","id","zuid"}`` of the record's owner."""
    owner = None if record is None else record.get("Owner")
    if not (owner.__class__ is dict or isinstance(owner, Mapping)):  # dict: fast
        return None
    if not isinstance(owner.get("id"), str):
        return None
    user = None if ctx.org is None else ctx.org.user(owner["id"])
    if user is None:  # stored under check_users=False, or loaded as is
        return {"name": owner.get("name"), "id": owner["id"], "zuid": None}
    return {"name": user.name, "id": user.id, "zuid": user.zuid}


def _id_of(value: Any) -> str | None:
    """The record or user id a lookup value names (``{"id": ...}`` or a bare id)."""
    return record_id_text(value.get("id") if isinstance(value, dict) else value)


def external_holders(
    schema: ModuleSchema, view: StoreView, name: str, key: str, user: User
) -> list[str]:
    """R24: records holding ``key`` in external field ``name``, oldest first; for a
    user-based field only those the acting user created."""
    found = view.oldest_first(view.find(name, key))
    if schema.external_fields.get(name) == "user":
        return [rid for rid in found if creator_of(view.get(rid)) == user.id]
    return found


def _pick(options: Options, ranked: list[str]) -> str | None:
    """R11 among ``ranked`` (oldest first): the target, or None under multi_match=reject."""
    if len(ranked) > 1 and options.multi_match is MultiMatch.REJECT:
        return None
    return ranked[-1] if options.multi_match is MultiMatch.NEWEST else ranked[0]


def resolve_reference(
    options: Options, ctx: Context, index: int, name: str, definition: FieldDef, value: Any
) -> Any:
    """R24, R32, R33: the value a user or record reference is stored as, or ``Rejected``.

    Called by ``prepare`` for each non-null, well-shaped value of an ownerlookup, userlookup
    or lookup field, in the record's key order.
    """
    org = ctx.org
    if definition.data_type in USER_DATA_TYPES:  # R32
        user_id = _id_of(value)
        user = None if org is None or user_id is None else org.user(user_id)
        if user is not None:
            return user_value(user, definition.data_type)
        if options.check_users or user_id is None:
            return _invalid(
                index, name, {}, f"{name} = {shown(value)} names no user of the org", "R32"
            )
        unknown: dict[str, Any] = {"name": None, "id": user_id}
        if definition.data_type == "ownerlookup":
            unknown["email"] = None
        return unknown
    target_name = definition.lookup_module  # R33
    target = None if org is None or target_name is None else org.module(target_name)
    external = ctx.lookup_external.get(name)
    if external is not None and target is not None:  # X-EXTERNAL names this lookup (R24)
        schema, view = target
        raw = value.get(external) if isinstance(value, dict) else None
        key = schema.fields[external].key(raw)
        ranked = [] if key is None else external_holders(schema, view, external, key, ctx.user)
        if not ranked:
            return _invalid(
                index,
                name,
                {},
                f"{name} = {shown(value)}: no {target_name} record holds {external} = "
                f"{shown(raw)} (X-EXTERNAL {target_name}.{external})",
                "R24",
            )
        chosen = _pick(options, ranked)
        if chosen is None:
            return Rejected(
                "AMBIGUITY_DURING_PROCESSING",
                {"api_name": name, "json_path": _path(index, name), "ids": ranked},
                "R11",
                f"{name}: {external} = {shown(raw)} finds {len(ranked)} {target_name} records "
                f"{ranked} (multi_match=reject)",
            )
        return {"name": display_name(schema, view.get(chosen)), "id": chosen}
    record_id = _id_of(value)
    if record_id is None:  # an external key without the header [doc update-records-ext]
        return _invalid(
            index,
            name,
            {"expected_data_type": "lookup"},
            f"{name} = {shown(value)} has no id; an external key needs the X-EXTERNAL header "
            f"naming it ({{module}}.{name}.{{external field}})",
            "R24",
        )
    if target is None:  # the looked-up module is unknown or not in the org: kept as sent
        return value
    schema, view = target
    record = view.get(record_id)
    if record is None and options.check_lookups:
        return _invalid(
            index, name, {}, f"{name}: id {record_id} names no record of {target_name}", "R33"
        )
    return {"name": display_name(schema, record), "id": record_id}


#: A resolver of references for ``prepare``: see ``resolve_reference``.
Resolver = Callable[[int, str, FieldDef, Any], Any]

#: Data types whose values ``prepare`` hands to its resolver (R24, R32, R33).
REFERENCE_TYPES = frozenset({"lookup", *USER_DATA_TYPES})


# --- step 1: prepare ----------------------------------------------------------------------------
def prepare(
    schema: ModuleSchema,
    options: Options,
    index: int,
    record: Mapping[Any, Any],
    resolve: Resolver | None = None,
) -> tuple[dict[str, Any], tuple[str, ...]] | Rejected:
    """R15: the writable values of a record and the keys ignored, or INVALID_DATA.

    With ``resolve``, each non-null value of a reference field (R32, R33) is replaced by what
    ``resolve`` returns, or the record is rejected with it, in the record's key order (R29).
    """
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
            kind, expected = problem
            reason = (
                f"{name} = {shown(value)} is longer than {expected} characters"
                if kind == "maximum_length"
                else f"{name} = {shown(value)} is not a valid {expected}"
            )
            return _invalid(index, name, {kind: expected}, reason)
        if resolve is not None and value is not None and definition.data_type in REFERENCE_TYPES:
            resolved = resolve(index, name, definition, value)
            if isinstance(resolved, Rejected):
                return resolved
            values[name] = resolved
            continue
        values[name] = value
    return values, tuple(ignored)


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
        "json_path": _path(index, name),
        "duplicate_record": duplicate,
        "more_records": len(other_ids) > 1,
    }


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


def update_target(
    schema: ModuleSchema,
    view: StoreView,
    ctx: Context,
    options: Options,
    position: int,
    record: Mapping[Any, Any],
) -> str | Rejected:
    """The plain update API's target (R12): the record's ``id``, which must name an existing
    record; or, with X-EXTERNAL ``Module.Field``, the record holding that external value (R24)."""
    name = ctx.record_external or "id"
    path = _path(position, name)
    given = record.get(name)
    if given is None:
        return Rejected(
            "MANDATORY_NOT_FOUND",
            {"api_name": name, "json_path": path},
            "R12",
            f"an update by {name} needs the record's {name}",
        )
    if ctx.record_external is not None:
        key = schema.fields[name].key(given)
        ranked = [] if key is None else external_holders(schema, view, name, key, ctx.user)
        chosen = _pick(options, ranked) if ranked else None
        if chosen is None:
            return Rejected(
                "INVALID_DATA" if not ranked else "AMBIGUITY_DURING_PROCESSING",
                {"api_name": name, "json_path": path} | ({"ids": ranked} if ranked else {}),
                "R24" if not ranked else "R11",
                f"{name} = {shown(given, 40)} names "
                + (
                    f"{len(ranked)} records {ranked} (multi_match=reject)"
                    if ranked
                    else "no record"
                )
                + f" of {schema.api_name} (X-EXTERNAL {schema.api_name}.{name})",
            )
        return chosen
    record_id = record_id_text(given)  # bounded: no str() of a huge int
    if record_id is None or view.get(record_id) is None:
        return Rejected(
            "INVALID_DATA",
            {"api_name": "id", "json_path": path},
            "R12",
            f"id {shown(given, 40)} names no record of {schema.api_name}",
        )
    return record_id


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
    """Steps 1-8 of the module docstring for record ``index`` of a request.

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
                {"api_name": "id", "json_path": _path(index, "id")},
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
        target = _pick(options, ranked)
        if target is None:  # R11
            return Rejected(
                "AMBIGUITY_DURING_PROCESSING",
                {"api_name": name, "json_path": _path(index, name), "ids": ranked},
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

    # step 6: R13 - mandatory fields on insert; R32 - an update cannot leave a record ownerless.
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
    elif "Owner" in values and values["Owner"] is None and "Owner" in insert_defaults(schema, ctx):
        return Rejected(
            "INVALID_DATA",
            {"api_name": "Owner", "json_path": _path(index, "Owner")},
            "R32",
            "Owner = null would leave the record without an owner",
            tuple(probes),
            ignored,
        )

    # step 7: R14, R24 - unique and external fields set to a new value must not collide.
    collisions: list[tuple[str, list[str]]] = []
    for name in schema.unique_fields:
        if name not in values:
            continue
        key = keys[name] if name in keys else fields[name].key(values[name])
        if key is None:
            continue
        if target is not None and view.key_of(target, name) == key:
            continue  # unchanged values are not re-checked
        if name in schema.external_fields:
            holders = external_holders(schema, view, name, key, ctx.user)
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
        )
    if target is None:  # step 8: R32 - the acting user owns what it inserts without Owner
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
    )
