"""``Engine.load``: existing data is written as is, but only if all of it is sound.

``check_load`` is pure: it takes the rows and a predicate telling which ids the org already
holds, and returns a copy of each row to write; nothing is written unless every row passes
(R16 for loads). ``load_rows`` then gives the rows their ids, system fields and Owner (R18,
R32) and writes them in one logged bulk insert, inside the caller's ``Org._atomic``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Collection, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime
from operator import itemgetter
from typing import Any

from ._org import FIRST_ID, Org, sequential_ids
from .errors import InvalidLoadError, shown
from .fields import FieldDef, record_id_text
from .outcomes import Context
from .references import insert_defaults, user_value
from .rules import MAX_RECORD_ID_DIGITS
from .store import ModuleStore

SCALARS = frozenset({str, int, float, bool, type(None)})
#: Values a row may hold as they are: no float (NaN, Infinity), no container (copied).
PLAIN = frozenset({str, int, bool, type(None)})
STAMPS = frozenset({"Created_Time", "Modified_Time", "Created_By", "Modified_By"})
#: Keys checked beyond the id (R18 stamps, R32 Owner); a row without them needs no more.
USERS_AND_STAMPS = STAMPS | {"Owner"}


def copy_value(value: Any) -> Any:
    """A private copy of a stored value: containers are deep-copied, scalars shared.

    A dict or list of scalars (a lookup, an Owner, a multi-select: the common containers)
    is copied in one C call; anything deeper goes through ``copy.deepcopy``.
    """
    cls = value.__class__
    if cls is dict:
        return (
            value.copy() if SCALARS.issuperset(map(type, value.values())) else copy.deepcopy(value)
        )
    if cls is list:
        return value.copy() if SCALARS.issuperset(map(type, value)) else copy.deepcopy(value)
    return copy.deepcopy(value) if isinstance(value, (dict, list)) else value


def _non_finite(row: Mapping[str, Any]) -> str | None:
    """The key of the first value of ``row`` that is or holds a NaN or an infinity, or None.

    Such a value cannot be answered as JSON (a strict parser refuses ``Infinity``)."""
    for key, value in row.items():
        if value.__class__ in SCALARS and value.__class__ is not float:
            continue
        stack, seen = [value], set()  # seen: a container holding itself is walked once
        while stack:
            item = stack.pop()
            if isinstance(item, float) and not math.isfinite(item):
                return str(key)
            if isinstance(item, (dict, list, tuple)) and id(item) not in seen:
                seen.add(id(item))
                stack.extend(item.values() if isinstance(item, dict) else item)
    return None


def check_load(
    module: str,
    rows: list[Any],
    held: Sequence[Collection[str]],
    fields_of: Mapping[str, FieldDef] | None = None,
) -> tuple[list[tuple[str | None, dict[str, Any]]], set[str]]:
    """``load``'s checks, and a copy of each row to write: (given id, fields); the ids given.

    With ``fields_of`` (the module's fields), a value its typed field accepts is stored in
    the field's JSON type (R28: a CSV export's ``"0042"`` in a Number field reads back 42);
    other values are loaded as they are.

    ``held``: the ids the org holds (each module's records, or a set). Whether a given id is
    taken is asked once for all rows, in C (``_taken``); the error still names the first bad
    row, as if each row had been checked in turn.
    """
    seen: set[str] = set()
    prepared: list[tuple[str | None, dict[str, Any]]] = []
    try:
        _check_rows(module, rows, seen, prepared)
        if fields_of is not None:
            _typed(prepared, fields_of)
    except InvalidLoadError:
        _refuse_taken(module, prepared, seen, held)  # an earlier row's taken id comes first
        raise
    _refuse_taken(module, prepared, seen, held)
    return prepared, seen


def _taken(held: Sequence[Collection[str]], ids: set[str]) -> set[str]:
    """The ``ids`` some container of ``held`` holds: one pass over the smaller side, in C."""
    found: set[str] = set()
    for ids_held in held:
        if isinstance(ids_held, dict):
            found |= ids_held.keys() & ids
        elif isinstance(ids_held, AbstractSet):
            found |= ids_held & ids
        else:
            found |= ids.intersection(ids_held)
    return found


def _refuse_taken(
    module: str,
    prepared: list[tuple[str | None, dict[str, Any]]],
    seen: set[str],
    held: Sequence[Collection[str]],
) -> None:
    """Raise for the first row checked so far whose id the org holds, if any (the row being
    checked when an error stopped the rows is the one whose id is not in ``prepared``)."""
    taken = _taken(held, seen) if seen else set()
    if not taken:
        return
    for position, (given, _) in enumerate(prepared):
        if given in taken:
            raise InvalidLoadError(f"{module} record {position}: id {given} is already taken")
    raise InvalidLoadError(f"{module} record {len(prepared)}: id {min(taken)} is already taken")


def _typed(
    prepared: list[tuple[str | None, dict[str, Any]]], fields_of: Mapping[str, FieldDef]
) -> None:
    """R28: each accepted value of a converting field in its stored form (in place)."""
    converting = {name: f for name, f in fields_of.items() if f.convert is not None}
    if not converting:
        return
    names = converting.keys()
    for _, fields in prepared:
        if names.isdisjoint(fields):
            continue
        for name in names & fields.keys():
            definition, value = converting[name], fields[name]
            if value is not None and definition.validate(value) is None:
                fields[name] = definition.stored(value)


def _check_rows(
    module: str,
    rows: list[Any],
    seen: set[str],
    prepared: list[tuple[str | None, dict[str, Any]]],
) -> None:
    """Every check of ``check_load`` but the org's ids, row by row: fills ``seen`` (ids
    given) and ``prepared``; raises ``InvalidLoadError`` for the first bad row."""
    good_shapes: set[tuple[Any, ...]] = set()  # key tuples already known to be all str
    for position, row in enumerate(rows):
        if row.__class__ is not dict and not isinstance(row, Mapping):
            raise InvalidLoadError(f"{module} record {position}: {shown(row)} is not a mapping")
        shape = tuple(row)
        if shape not in good_shapes:
            for key in row:
                if not isinstance(key, str):
                    raise InvalidLoadError(
                        f"{module} record {position}: field name {shown(key)} is not a str"
                    )
            if len(good_shapes) < 1024:
                good_shapes.add(shape)
        given: str | None = row.get("id")
        if given is not None:
            if not (
                given.__class__ is str
                and 0 < len(given) <= MAX_RECORD_ID_DIGITS
                and given.isdigit()
            ):
                given = record_id_text(given)  # (the common case above: digits, not too many)
            elif not given.isascii():
                given = None
            if given is None:
                raise InvalidLoadError(
                    f"{module} record {position}: id {shown(row['id'])} is not digits "
                    f"(a record id has 1 to {MAX_RECORD_ID_DIGITS} digits)"
                )
            if given in seen:
                raise InvalidLoadError(f"{module} record {position}: id {given} is already taken")
            seen.add(given)
        plain = PLAIN.issuperset(map(type, row.values()))
        if plain and USERS_AND_STAMPS.isdisjoint(row):  # the common row
            fields = dict(row)
            fields.pop("id", None)
            prepared.append((given, fields))
            continue
        null_stamp = False
        canonical: dict[str, str] = {}  # R18: stamps kept to the second, with an offset
        for stamp in ("Created_Time", "Modified_Time"):
            value = row.get(stamp)
            if value is None:
                null_stamp = null_stamp or stamp in row
                continue
            try:
                parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            except ValueError:
                parsed = None
            if not isinstance(value, str) or parsed is None or parsed.utcoffset() is None:
                raise InvalidLoadError(
                    f"{module} record {position}: {stamp} {shown(value)} is not an ISO 8601 "
                    f"time with an offset"
                )
            if parsed.microsecond or value != parsed.isoformat():
                canonical[stamp] = parsed.replace(microsecond=0).isoformat()
        for by in ("Created_By", "Modified_By"):
            user = row.get(by)
            if user is None:
                null_stamp = null_stamp or by in row
            elif not (
                isinstance(user, Mapping)
                and isinstance(user.get("name"), str)
                and isinstance(user.get("id"), str)
            ):
                raise InvalidLoadError(
                    f"{module} record {position}: {by} {shown(user)} is not a user "
                    f"{{'name': str, 'id': str}}"
                )
        owner = row.get("Owner")
        if owner is not None and not (
            isinstance(owner, Mapping) and isinstance(owner.get("id"), str)
        ):
            raise InvalidLoadError(
                f"{module} record {position}: Owner {shown(owner)} is not a user "
                f"{{'id': str, ...}} (R32)"
            )
        bad = None if plain else _non_finite(row)
        if bad is not None:
            raise InvalidLoadError(
                f"{module} record {position}: {bad} is not a finite number (JSON has no "
                f"NaN or Infinity)"
            )
        # copy now, so that nothing below can fail half-way through the writes
        fields = dict(row)
        fields.pop("id", None)
        if null_stamp or not SCALARS.issuperset(map(type, fields.values())):
            try:
                fields = {
                    k: copy_value(v)
                    for k, v in row.items()
                    if k != "id" and not (v is None and k in STAMPS)
                }
            except RecursionError:
                raise InvalidLoadError(
                    f"{module} record {position}: a value is nested too deeply"
                ) from None
        fields.update(canonical)
        prepared.append((given, fields))


def load_rows(
    org: Org,
    store: ModuleStore,
    prepared: list[tuple[str | None, dict[str, Any]]],
    seen: set[str],
) -> list[str]:
    """``load``'s writes (rows checked and copied): ids, system fields, indexes."""
    now = org._now()
    seq = org._id_seq
    new_ids: list[str] = []
    if org._ids is sequential_ids and not org._explicit_ids and not seen:
        # sequential_ids, inlined: no id in the org or in this load can be taken
        new_ids = [str(FIRST_ID + n) for n in range(seq, seq + len(prepared))]
        seq += len(prepared)
    elif len(seen) == len(prepared):  # every row brought its id (an export)
        new_ids = [given for given, _ in prepared if given is not None]
    else:
        for given, _ in prepared:
            if given is None:  # a new id, also unlike the ids this very load brings
                record_id, seq = org._next_id(seq)
                while record_id in seen:
                    record_id, seq = org._next_id(seq)
                new_ids.append(record_id)
            else:
                new_ids.append(given)
    # shared: stored records are never changed in place, reads copy them
    user = {"name": org.options.user.name, "id": org.options.user.id}
    owned = org.options.load_owner and "Owner" in insert_defaults(
        store.schema, Context(org.options.user)
    )
    owners: dict[str, dict[str, Any]] = {}  # R32: one Owner value per creator
    # R18, R32: what a row without stamps and Owner gets, in one update (the common row)
    common = {"Created_Time": now, "Modified_Time": now, "Created_By": user, "Modified_By": user}
    if owned:
        common["Owner"] = owners[user["id"]] = owner_of(org, user)
    for _, fields in prepared:
        if USERS_AND_STAMPS.isdisjoint(fields):
            fields.update(common)
            continue
        if "Created_Time" not in fields:
            fields["Created_Time"] = now
        if "Modified_Time" not in fields:
            fields["Modified_Time"] = fields["Created_Time"]
        if "Created_By" not in fields:
            fields["Created_By"] = user
        if "Modified_By" not in fields:
            fields["Modified_By"] = user
        if owned and fields.get("Owner") is None:  # R32: owned by whoever created it
            creator = fields["Created_By"]
            owner = owners.get(creator["id"])
            if owner is None:
                owner = owners[creator["id"]] = owner_of(org, creator)
            fields["Owner"] = owner
    store.insert_many(list(zip(new_ids, map(itemgetter(1), prepared), strict=True)))
    org._id_seq = seq
    if seen:
        org._explicit_ids = True
    return new_ids


def owner_of(org: Org, creator: Mapping[str, Any]) -> dict[str, Any]:
    """R32: the Owner of a loaded record that has none: its creator (Zoho's default)."""
    known = org._users.get(creator["id"])
    if known is not None:
        return user_value(known)
    return {"name": creator["name"], "id": creator["id"], "email": None}
