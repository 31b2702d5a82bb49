"""What a record's references name (R24, R32, R33): users and owners, lookups by id or by
external value, records named by an external value; and the names lookups read back with.

Pure functions of the org as ``OrgView`` shows it: ``decide`` (decision.py) calls
``resolve_reference`` for each Owner, user lookup and lookup of a record while it validates
it, key by key (R29), and the update API's target comes from ``update_target``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .errors import shown
from .fields import FieldDef, record_id_text
from .options import MultiMatch, Options, User
from .outcomes import Context, Rejected, StoreView, invalid_data, json_path
from .rules import COMPUTED_FIELDS, DISPLAY_FIELDS, USER_DATA_TYPES
from .schema import ModuleSchema


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


def computed_fields(schema: ModuleSchema) -> tuple[str, ...]:
    """The module's fields Zoho composes on read (``COMPUTED_FIELDS``) that it defines."""
    return tuple(n for n in COMPUTED_FIELDS.get(schema.api_name, ()) if n in schema.fields)


def computed_values(schema: ModuleSchema, record: Mapping[str, Any]) -> dict[str, Any]:
    """R33: the composed fields of ``record`` as a read shows them: Full_Name is the
    record's name as a lookup to it shows it (None when it has none)."""
    return {name: display_name(schema, record) for name in computed_fields(schema)}


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


def id_of(value: Any) -> str | None:
    """The record or user id a lookup value names (``{"id": ...}`` or a bare id)."""
    return record_id_text(value.get("id") if isinstance(value, dict) else value)


def external_holders(
    schema: ModuleSchema,
    view: StoreView,
    name: str,
    key: str,
    user: User,
    creator: str | None = None,
) -> list[str]:
    """R24: records holding ``key`` in external field ``name``, oldest first; for a
    user-based field only those created by ``creator`` (default: the acting user).

    R14 passes the creator of the record being written (its target's creator on update) so
    that a user-based value stays unique among one creator's records whoever writes it
    [inf: Zoho's pages speak of the acting user only].
    """
    found = view.oldest_first(view.find(name, key))
    if schema.external_fields.get(name) == "user":
        scope = user.id if creator is None else creator
        return [rid for rid in found if creator_of(view.get(rid)) == scope]
    return found


def pick(options: Options, ranked: list[str]) -> str | None:
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
        user_id = id_of(value)
        user = None if org is None or user_id is None else org.user(user_id)
        if user is not None:
            return user_value(user, definition.data_type)
        if options.check_users or user_id is None:
            return invalid_data(
                index, name, {}, f"{name} = {shown(value)} names no user of the org", "R32"
            )
        unknown: dict[str, Any] = {"name": None, "id": user_id}
        if definition.data_type == "ownerlookup":
            unknown["email"] = None
        return unknown
    target_name = definition.lookup_module  # R33
    target = None if org is None or target_name is None else org.module(target_name)
    external = ctx.lookup_external.get(name)
    # X-EXTERNAL names this lookup (R24) [doc v7 insert-records-ext: "If you specify the value
    # and the record ID of the external field for the lookup record, the system considers
    # only the value of the external field when you give the X-EXTERNAL header"]
    if external is not None and target is not None:
        schema, view = target
        raw = value.get(external) if isinstance(value, dict) else None
        key = schema.fields[external].key(raw)
        ranked = [] if key is None else external_holders(schema, view, external, key, ctx.user)
        if not ranked:
            return invalid_data(
                index,
                name,
                {},
                f"{name} = {shown(value)}: no {target_name} record holds {external} = "
                f"{shown(raw)} (X-EXTERNAL {target_name}.{external})",
                "R24",
            )
        chosen = pick(options, ranked)
        if chosen is None:
            return Rejected(
                "AMBIGUITY_DURING_PROCESSING",
                {"api_name": name, "json_path": json_path(index, name), "ids": ranked},
                "R11",
                f"{name}: {external} = {shown(raw)} finds {len(ranked)} {target_name} records "
                f"{ranked} (multi_match=reject)",
            )
        return {"name": display_name(schema, view.get(chosen)), "id": chosen}
    record_id = id_of(value)
    # [doc v7 update-records-ext, Possible Errors: "INVALID_DATA ... The system expects
    # product IDs in the input when you do not specify the external field header"]
    if record_id is None:
        return invalid_data(
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
        return invalid_data(
            index, name, {}, f"{name}: id {record_id} names no record of {target_name}", "R33"
        )
    return {"name": display_name(schema, record), "id": record_id}


#: A resolver of references for ``prepare``: see ``resolve_reference``.
Resolver = Callable[[int, str, FieldDef, Any], Any]

#: Data types whose values ``prepare`` hands to its resolver (R24, R32, R33).
REFERENCE_TYPES = frozenset({"lookup", *USER_DATA_TYPES})


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
    path = json_path(position, name)
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
        chosen = pick(options, ranked) if ranked else None
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
