"""The reference model: the same contract as ``Engine``, written to be obviously right.

No indexes, no undo log, no cleverness: records are a list in creation order, every lookup is
a linear scan, and ``plan`` runs on a deep copy. It shares with the engine only what is pure
data shaping (request and header shape checks, normalisers, response builders, the checks of
reserved keys and subform rows key by key); the check order, matching, ids in records,
external fields, users and owners, lookups, If-Unmodified-Since, the multi-match and batch
policies, subform row merges, appends, mandatory fields (with settings and layouts),
uniqueness, and the field types, formats, limits and typed values (R15, R28:
reference_types.py) are written again here, straight from UPSERT-SEMANTICS.md, so that the
fast engine can be tested against it. Users can differential-test their own code against it
too. It is O(records) per field per record: use it on small data.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar, cast

from ._loading import check_load
from .decision import Rejected, RequestError, not_a_check_field, prepare
from .engine import Clock, IdSource, sequential_ids, stepping_clock
from .errors import ConfigurationError, UnknownModuleError, UnknownUserError
from .fields import FieldDef, Normalizer, is_empty, record_id_text
from .options import (
    IntraBatch,
    MultiMatch,
    NonUniqueCheckField,
    NullOwner,
    Options,
    RecordId,
    User,
)
from .reference_types import check
from .request import parse_external, parse_request, parse_unmodified_since
from .responses import (
    Response,
    batch_status,
    for_version,
    success_entry,
    without_approval_state,
)
from .rules import (
    API_VERSIONS,
    MESSAGES,
    MODULE_SETTINGS,
    SYSTEM_DUPLICATE_FIELDS,
    UNIQUE_CAPABLE_TYPES,
)
from .schema import (
    ModuleSchema,
    canonical_module_name,
    custom_module,
    make_field,
    standard_module,
    subform_field,
    with_field,
    with_layout,
    with_mandatory,
    with_setting,
)

Row = tuple[str, dict[str, Any]]
_Method = TypeVar("_Method", bound=Callable[..., Any])
#: R32, R33: the types whose values name a user or a record.
_REFERENCE_TYPES = ("lookup", "ownerlookup", "userlookup")
#: the field Zoho composes from First_Name and Last_Name (the name a lookup shows, R33)
_COMPOSED = {"Leads": "Full_Name", "Contacts": "Full_Name"}


def _all_or_nothing(method: _Method) -> _Method:
    """Section 8, plainly: a copy of the whole state before the call, put back if the call
    raises anything (``BaseException`` included)."""

    @functools.wraps(method)
    def run(self: ReferenceEngine, *args: Any, **keywords: Any) -> Any:
        saved = (
            copy.deepcopy(self._data),
            dict(self._schemas),
            list(self._users),
            self._issued,
            self._writes,
        )
        try:
            return method(self, *args, **keywords)
        except BaseException:
            self._data, self._schemas, self._users, self._issued, self._writes = saved
            raise

    return cast(_Method, run)


class ReferenceEngine:
    """A slow, plain implementation of the upsert contract (R1-R36), for differential
    tests. Every public call is all or nothing (section 8): it works on the live state and a
    copy taken before it is put back if it raises."""

    def __init__(
        self,
        options: Options | None = None,
        *,
        ids: IdSource = sequential_ids,
        clock: Clock = stepping_clock,
    ) -> None:
        self.options = options or Options()
        self._ids = ids
        self._clock = clock
        self._issued = 0
        self._writes = 0
        self._schemas: dict[str, ModuleSchema] = {
            n: standard_module(n, check_formats=self.options.check_formats)
            for n in SYSTEM_DUPLICATE_FIELDS
        }
        #: module -> [(id, fields)] in creation order
        self._data: dict[str, list[Row]] = {n: [] for n in self._schemas}
        self._users: list[User] = [self.options.user]

    # --- configuration --------------------------------------------------------------------------
    def _name(self, module: str) -> str:
        name = canonical_module_name(module)
        if name not in self._schemas:
            raise UnknownModuleError(f"module {module!r} is not in this org (R20)")
        return name

    def schema(self, module: str) -> ModuleSchema:
        """The module's configuration."""
        return self._schemas[self._name(module)]

    @_all_or_nothing
    def add_module(
        self,
        name: str,
        *,
        system_fields: Sequence[str] = ("Name",),
        mandatory_fields: Sequence[str] = ("Name",),
    ) -> ModuleSchema:
        """A custom module (R2, R4)."""
        if canonical_module_name(name) in self._schemas:
            raise ConfigurationError(f"module {name!r} already exists")
        self._schemas[name] = custom_module(
            name,
            tuple(system_fields),
            tuple(mandatory_fields),
            check_formats=self.options.check_formats,
        )
        self._data[name] = []
        return self._schemas[name]

    @_all_or_nothing
    def add_field(
        self,
        module: str,
        api_name: str,
        data_type: str,
        *,
        unique: bool = False,
        max_length: int | None = None,
        normalizer: Normalizer | None = None,
        decimal_place: int | None = None,
        external: str | None = None,
        lookup_module: str | None = None,
    ) -> FieldDef:
        """Define or redefine a field (R1, R3, R15, R24, R33)."""
        name = self._name(module)
        field = make_field(
            name,
            api_name,
            data_type,
            unique=unique,
            max_length=max_length,
            normalizer=normalizer,
            check_formats=self.options.check_formats,
            decimal_place=decimal_place,
            external=external,
            lookup_module=lookup_module,
        )
        self._schemas[name] = with_field(
            self._schemas[name],
            field,
            self.options.max_unique_fields,
            self.options.external_in_unique_cap,
        )
        return field

    @_all_or_nothing
    def set_mandatory(self, module: str, fields: Sequence[str]) -> ModuleSchema:
        """Replace the mandatory fields (R4)."""
        name = self._name(module)
        self._schemas[name] = with_mandatory(self._schemas[name], tuple(fields))
        return self._schemas[name]

    @_all_or_nothing
    def set_setting(self, module: str, setting: str, enabled: bool = True) -> ModuleSchema:
        """A module setting on or off (R4)."""
        name = self._name(module)
        self._schemas[name] = with_setting(self._schemas[name], setting, enabled)
        return self._schemas[name]

    @_all_or_nothing
    def add_layout(
        self,
        module: str,
        layout_id: str | int,
        *,
        mandatory: Sequence[str] = (),
        name: str | None = None,
    ) -> ModuleSchema:
        """A layout and its mandatory fields (R35)."""
        module_name = self._name(module)
        schema = with_layout(self._schemas[module_name], layout_id, name, mandatory)
        self._schemas[module_name] = schema
        return schema

    @_all_or_nothing
    def add_subform(
        self,
        module: str,
        api_name: str,
        rows: Sequence[Sequence[Any]],
        *,
        mandatory: Sequence[str] = (),
        max_rows: int | None = None,
    ) -> FieldDef:
        """A subform field and its row fields (R36)."""
        name = self._name(module)
        field = subform_field(
            name, api_name, rows, mandatory, max_rows, check_formats=self.options.check_formats
        )
        self._schemas[name] = with_field(self._schemas[name], field, self.options.max_unique_fields)
        return field

    @_all_or_nothing
    def add_user(self, user: User) -> User:
        """A user of the org (R32)."""
        if not isinstance(user, User) or any(u.id == user.id for u in self._users):
            raise ConfigurationError(f"cannot add user {user!r}")
        self._users.append(user)
        return user

    def users(self) -> tuple[User, ...]:
        """The org's users, the default one first."""
        return tuple(self._users)

    def _user(self, user_id: Any) -> User | None:
        for user in self._users:
            if user.id == user_id:
                return user
        return None

    # --- reading --------------------------------------------------------------------------------
    def records(self, module: str) -> Iterator[dict[str, Any]]:
        """Copies of the records in creation order; lookups show their record's name (R33)."""
        name = self._name(module)
        schema = self._schemas[name]
        for record_id, fields in self._data[name]:
            shown = copy.deepcopy(fields)
            cells: list[tuple[dict[str, Any], FieldDef]] = [
                (shown, definition) for definition in schema.fields.values()
            ]
            for definition in schema.fields.values():  # R36: a row's lookups alike
                rows = shown.get(definition.api_name) if definition.rows else None
                for row in rows if isinstance(rows, list) else []:
                    if isinstance(row, dict):
                        cells += [(row, cell) for cell in definition.rows]
            for holder, definition in cells:
                value = holder.get(definition.api_name)
                target = definition.lookup_module
                if (
                    target in self._data
                    and isinstance(value, dict)
                    and sorted(value) == ["id", "name"]
                ):
                    found = self._find(target, value["id"])
                    if found is not None:
                        value["name"] = self._display(target, found)
            composed = _COMPOSED.get(name)  # composed on read, never stored
            if composed is not None and composed in schema.fields:
                shown[composed] = self._display(name, fields)
            yield {"id": record_id, **shown}

    def get(self, module: str, record_id: str) -> dict[str, Any] | None:
        """A copy of one record, or None."""
        for found in self.records(module):
            if found["id"] == str(record_id):
                return found
        return None

    def count(self, module: str) -> int:
        """Number of records."""
        return len(self._data[self._name(module)])

    def _find(self, module: str, record_id: Any) -> dict[str, Any] | None:
        for rid, fields in self._data[module]:
            if rid == record_id:
                return fields
        return None

    def _display(self, module: str, fields: dict[str, Any]) -> str | None:
        """R33: the name a lookup to this record shows."""
        schema = self._schemas[module]
        if module in ("Leads", "Contacts"):
            names = ["First_Name", "Last_Name"]
        elif module == "Appointments":
            names = ["Appointment_Name"]
        elif module == "Services":
            names = ["Service_Name"]
        elif schema.custom:
            names = ["Name"]
        else:
            names = list(schema.system_fields[:1])
        parts = []
        for name in names:
            value = fields.get(name)
            if isinstance(value, str) and value.strip():
                parts.append(value.strip())
        return " ".join(parts) if parts else None

    # --- writing --------------------------------------------------------------------------------
    def _new_id(self) -> str:
        taken = {rid for rows in self._data.values() for rid, _ in rows}
        while True:
            record_id = self._ids(self._issued)
            self._issued += 1
            if record_id not in taken:
                return record_id

    def _owner(self, user: User) -> dict[str, str]:
        return {"name": user.name, "id": user.id, "email": user.email}

    def _has_owner(self, schema: ModuleSchema) -> bool:
        return "Owner" in schema.fields and schema.fields["Owner"].data_type == "ownerlookup"

    @_all_or_nothing
    def load(self, module: str, records: Iterable[Mapping[str, Any]]) -> list[str]:
        """Existing data, as is (no matching, no uniqueness), after the engine's checks."""
        name = self._name(module)
        rows = self._data[name]
        taken = {rid for data in self._data.values() for rid, _ in data}
        checked, _ = check_load(module, list(records), [taken], self._schemas[name].fields)
        now = self._clock(self._writes).isoformat(timespec="seconds")
        default = {"name": self.options.user.name, "id": self.options.user.id}
        new_ids = []
        for given, fields in checked:
            fields.setdefault("Created_Time", now)
            fields.setdefault("Modified_Time", fields["Created_Time"])
            fields.setdefault("Created_By", dict(default))
            fields.setdefault("Modified_By", dict(default))
            owned = self._has_owner(self._schemas[name]) and self.options.load_owner
            if owned and fields.get("Owner") is None:
                creator = fields["Created_By"]  # R32: owned by its creator
                user = self._user(creator["id"])
                fields["Owner"] = (
                    self._owner(user)
                    if user is not None
                    else {"name": creator["name"], "id": creator["id"], "email": None}
                )
            record_id = given if given is not None else self._new_id()
            rows.append((record_id, fields))
            new_ids.append(record_id)
        if new_ids:  # section 8: the clock moves only with a write
            self._writes += 1
        return new_ids

    def plan(self, module: str, body: Any, **keywords: Any) -> Response:
        """What ``upsert`` would answer; computed on a copy of the data, so nothing changes."""
        fork = copy.copy(self)
        fork._data = copy.deepcopy(self._data)
        fork._schemas = dict(self._schemas)
        fork._users = list(self._users)
        return fork.upsert(module, body, **keywords)

    @_all_or_nothing
    def upsert(
        self,
        module: str,
        body: Any,
        *,
        api_version: str | None = None,
        as_user: str | None = None,
        if_unmodified_since: Any = None,
        external: Any = None,
    ) -> Response:
        """The upsert contract, step by step as UPSERT-SEMANTICS.md states it."""
        return self._request(
            module, body, api_version, as_user, if_unmodified_since, external, insert=False
        )

    @_all_or_nothing
    def insert(
        self,
        module: str,
        body: Any,
        *,
        api_version: str | None = None,
        as_user: str | None = None,
        external: Any = None,
    ) -> Response:
        """Insert Records: no matching (an empty check order); R13, R14 apply; no ``action``
        or ``duplicate_field`` in a success entry; 201 when every record was added (R30)."""
        return self._request(module, body, api_version, as_user, None, external, insert=True)

    def _request(
        self,
        module: str,
        body: Any,
        api_version: str | None,
        as_user: str | None,
        if_unmodified_since: Any,
        external: Any,
        *,
        insert: bool,
    ) -> Response:
        version = api_version or self.options.api_version
        user = self.options.user if as_user is None else self._user(as_user)
        if user is None:
            raise UnknownUserError(f"no user {as_user!r} (R32)")
        name = canonical_module_name(module) if isinstance(module, str) else None
        if name not in self._schemas:
            return _refusal(
                RequestError(
                    "INVALID_MODULE", {"resource_path_index": 0}, MESSAGES["INVALID_MODULE"], "R20"
                ),
                version,
            )
        assert name is not None
        schema = self._schemas[name]
        parsed = parse_request(body, self.options.max_records)
        if isinstance(parsed, RequestError):
            return _refusal(parsed, version)
        since = parse_unmodified_since(if_unmodified_since)
        if isinstance(since, RequestError):
            return _refusal(since, version)
        header = parse_external(external, schema, self._schemas.get)
        if isinstance(header, RequestError):
            return _refusal(header, version)
        order = [] if insert else self._order(schema, parsed.duplicate_check_fields)
        if isinstance(order, RequestError):
            return _refusal(order, version)

        now = self._clock(self._writes).isoformat(timespec="seconds")
        request = _Request(name, schema, order, user, since, header[1], now)
        entries = []
        written: list[str] = []
        for position, record in enumerate(parsed.records):
            entry = self._one(request, position, record, written, by_id=not insert)
            if insert and entry["status"] == "success":
                del entry["action"], entry["duplicate_field"]
            entries.append(entry)
        if written:  # R16: a request that wrote nothing changes nothing, the clock included
            self._writes += 1
        out = for_version({"data": entries}, version)
        if API_VERSIONS.index(version) < API_VERSIONS.index(self.options.approval_state_since):
            out = without_approval_state(out)  # R31: v2-v5 carry no $approval_state
        status = 201 if insert and all(e["status"] == "success" for e in entries) else None
        return Response(status or batch_status(entries), out)

    # --- the rules, plainly -------------------------------------------------------------------
    def _unique(self, schema: ModuleSchema) -> list[str]:
        """U: user-defined unique fields and external fields, in field order (R5, R24)."""
        return [f for f, d in schema.fields.items() if d.unique or d.external is not None]

    def _order(self, schema: ModuleSchema, requested: list[str] | None) -> list[str] | RequestError:
        """R5, R7 and R25 ("id" may be named), by the words of the spec."""
        system = list(schema.system_fields)
        unique = self._unique(schema)
        allowed = system + unique
        if self.options.record_id is RecordId.UPDATE:
            allowed.append("id")
        named: list[str] = []
        for position, field in enumerate(requested or []):
            policy = self.options.non_unique_check_field
            if field in allowed or (
                policy is NonUniqueCheckField.MATCH
                and field in schema.fields
                and schema.fields[field].data_type in UNIQUE_CAPABLE_TYPES  # R1's types
                and field != _COMPOSED.get(schema.api_name)  # never stored: it cannot match
            ):
                if field not in named:
                    named.append(field)
            elif policy is not NonUniqueCheckField.IGNORE:
                return not_a_check_field(schema, position, field, policy)
        if not named:
            order: list[str] = []
            for field in system + unique:
                if field not in order:
                    order.append(field)
            return order
        return [f for f in named + [f for f in unique if f not in named] if f != "id"]

    def _key(self, schema: ModuleSchema, field: str, value: Any) -> str | None:
        return schema.fields[field].key(value)

    def _age(self, row: Row) -> tuple[datetime, int]:
        return datetime.fromisoformat(row[1]["Created_Time"].replace("Z", "+00:00")), int(row[0])

    def _holders(
        self, module: str, field: str, key: str, user: User, creator: str | None = None
    ) -> list[Row]:
        """Every record whose normalised ``field`` equals ``key``, oldest first (R8, R11);
        for a user-based external field, only those ``creator`` (default ``user``) created
        (R24)."""
        schema = self._schemas[module]
        scope = user.id if creator is None else creator
        found = [
            row
            for row in self._data[module]
            if self._key(schema, field, row[1].get(field)) == key
            and (
                schema.fields[field].external != "user"
                or row[1].get("Created_By", {}).get("id") == scope
            )
        ]
        return sorted(found, key=self._age)

    def _choose(self, holders: list[Row]) -> Row | None:
        """R11: the target among several holders, or None when the policy rejects."""
        if len(holders) > 1 and self.options.multi_match is MultiMatch.REJECT:
            return None
        return holders[-1] if self.options.multi_match is MultiMatch.NEWEST else holders[0]

    def _reference(
        self, request: _Request, position: int, field: str, definition: FieldDef, value: Any
    ) -> Any:
        """R32, R33, R24: what a user or record reference stores, or why it is refused."""

        def refused(detail: dict[str, Any] | None = None) -> Rejected:
            details = {"api_name": field, "json_path": f"$.data[{position}].{field}"}
            return Rejected("INVALID_DATA", details | (detail or {}), "R33", "refused")

        given = value.get("id") if isinstance(value, dict) else value
        if definition.data_type in ("ownerlookup", "userlookup"):
            user_id = record_id_text(given)
            user = self._user(user_id) if user_id is not None else None
            if user is None and (self.options.check_users or user_id is None):
                return refused()
            shown: dict[str, Any] = {
                "name": None if user is None else user.name,
                "id": user_id,
            }
            if definition.data_type == "ownerlookup":
                shown["email"] = None if user is None else user.email
            return shown
        target = definition.lookup_module
        if target not in self._data:  # no such module in the org: kept as sent
            return (
                value
                if record_id_text(given) is not None
                else refused({"expected_data_type": "lookup"})
            )
        assert target is not None
        external = request.lookups.get(field)
        if external is not None:  # X-EXTERNAL names this lookup: its external value only
            raw = value.get(external) if isinstance(value, dict) else None
            key = self._key(self._schemas[target], external, raw)
            holders = [] if key is None else self._holders(target, external, key, request.user)
            if not holders:
                return refused()
            chosen = self._choose(holders)
            if chosen is None:
                return Rejected(
                    "AMBIGUITY_DURING_PROCESSING",
                    {
                        "api_name": field,
                        "json_path": f"$.data[{position}].{field}",
                        "ids": [h[0] for h in holders],
                    },
                    "R11",
                    "ambiguous",
                )
            return {"name": self._display(target, chosen[1]), "id": chosen[0]}
        record_id = record_id_text(given)
        if record_id is None:
            return refused({"expected_data_type": "lookup"})
        found = self._find(target, record_id)
        if found is None and self.options.check_lookups:
            return refused()
        return {"name": None if found is None else self._display(target, found), "id": record_id}

    def _duplicate(
        self, request: _Request, field: str, path: str, others: list[Row]
    ) -> dict[str, Any]:
        """R14, R32: one DUPLICATE_DATA entry naming the oldest of ``others``."""
        other_id, other = others[0]
        duplicate: dict[str, Any] = {}
        owner = other.get("Owner")
        if isinstance(owner, dict) and isinstance(owner.get("id"), str):
            user = self._user(owner["id"])
            duplicate["Owner"] = {
                "name": owner.get("name") if user is None else user.name,
                "id": owner["id"],
                "zuid": None if user is None else user.zuid,
            }
        module_id = str(5725767000000002175 + 2 * list(self._schemas).index(request.module))
        duplicate["module"] = {"api_name": request.module, "id": module_id}
        duplicate["id"] = other_id
        return _error(
            "DUPLICATE_DATA",
            {
                "api_name": field,
                "json_path": path,
                "duplicate_record": duplicate,
                "more_records": len(others) > 1,
            },
        )

    def _one(
        self,
        request: _Request,
        position: int,
        record: Mapping[Any, Any],
        written: list[str],
        *,
        by_id: bool,
    ) -> dict[str, Any]:
        schema, name, user = request.schema, request.module, request.user

        def path(field: str) -> str:
            return f"$.data[{position}].{field}"

        # R15, R28: the first invalid key in the record's order decides; values stored typed.
        # Field types are read here (reference_types.py); reserved keys, unknown and read-only
        # keys and subform rows go through the shared key-by-key checks, one key at a time.
        def resolver(i: int, field: str, definition: FieldDef, value: Any) -> Any:
            return self._reference(request, i, field, definition, value)

        values: dict[str, Any] = {}
        for key, value in record.items():
            if key == _COMPOSED.get(name):
                continue  # a write of Full_Name is ignored, as one of Created_Time is
            definition = schema.fields.get(key) if isinstance(key, str) else None
            if definition is not None:
                problem, stored = check(definition, value)
                if problem is not None:
                    return _error(
                        "INVALID_DATA", {"api_name": key, "json_path": path(key), **problem}
                    )
                if value is not None and definition.data_type in _REFERENCE_TYPES:  # R32, R33
                    named = self._reference(request, position, key, definition, value)
                    if isinstance(named, Rejected):
                        return named.entry()
                    values[key] = named
                    continue
                if not (definition.rows and isinstance(value, list) and value):
                    values[key] = stored
                    continue
            prepared = prepare(schema, self.options, position, {key: value}, resolver)
            if isinstance(prepared, Rejected):
                return prepared.entry()
            values.update(prepared[0])
        appending = values.pop("$append_values", None) or {}  # R26: steers, is not stored
        approved = values.pop("$approved", None)  # R31: likewise
        layout = values.get("Layout")  # R35

        # R25: an id in the record (upsert only: the insert API does not read it)
        target: Row | None = None
        deciding: str | None = None
        given = record.get("id") if by_id else None
        if self.options.record_id is not RecordId.IGNORE and given is not None:
            found_id = record_id_text(given)
            found = None if found_id is None else self._find(name, found_id)
            if self.options.record_id is RecordId.REJECT or found is None:
                return _error("INVALID_DATA", {"api_name": "id", "json_path": path("id")})
            assert found_id is not None
            target, deciding = (found_id, found), "id"

        # R10, R11, R24
        for field in request.order if target is None else []:
            key = self._key(schema, field, values.get(field))
            if key is None:
                continue  # R9
            holders = self._holders(name, field, key, user)
            if not holders:
                continue
            deciding = field
            target = self._choose(holders)
            if target is None:
                return _error(
                    "AMBIGUITY_DURING_PROCESSING",
                    {"api_name": field, "json_path": path(field), "ids": [h[0] for h in holders]},
                )
            break

        # R17
        rejecting = self.options.intra_batch is IntraBatch.REJECT
        if target is not None and target[0] in written and rejecting:
            assert deciding is not None
            return self._duplicate(request, deciding, path(deciding), [target])

        # R34
        if target is not None and request.since is not None:
            modified = datetime.fromisoformat(target[1]["Modified_Time"].replace("Z", "+00:00"))
            if modified > request.since:
                return _error("ALREADY_MODIFIED", {"id": target[0]})

        # R36: subform rows: by id updated or removed, without id appended; [] or null clears
        new_rows: list[tuple[str, int]] = []
        for field in [f for f in schema.fields if schema.fields[f].data_type == "subform"]:
            incoming = values.get(field)
            if not isinstance(incoming, list) or not incoming:
                continue
            definition = schema.fields[field]
            old_rows = [] if target is None else target[1].get(field)
            rows = list(old_rows) if isinstance(old_rows, list) else []
            fresh = []
            for j, row in enumerate(incoming):
                where = f"{field}[{j}]"
                if "id" not in row:
                    for needed in definition.row_mandatory:
                        if is_empty(row.get(needed)):
                            return _error(
                                "MANDATORY_NOT_FOUND",
                                {"api_name": needed, "json_path": path(f"{where}.{needed}")},
                            )
                    fresh.append(row)
                    continue
                matches = [
                    k
                    for k, old in enumerate(rows)
                    if isinstance(old, dict) and old.get("id") == row["id"]
                ]
                if not matches:
                    return _error(
                        "INVALID_DATA", {"api_name": "id", "json_path": path(where + ".id")}
                    )
                if "_delete" in row:
                    rows.pop(matches[0])
                    continue
                for needed in definition.row_mandatory:  # an update may not empty them
                    if needed in row and is_empty(row[needed]):
                        return _error(
                            "MANDATORY_NOT_FOUND",
                            {"api_name": needed, "json_path": path(f"{where}.{needed}")},
                        )
                rows[matches[0]] = {**rows[matches[0]], **row}
            if definition.max_length is not None and len(rows) + len(fresh) > definition.max_length:
                return _error(
                    "INVALID_DATA",
                    {
                        "api_name": field,
                        "json_path": path(field),
                        "maximum_length": definition.max_length,
                    },
                )
            new_rows += [(field, len(rows) + k) for k in range(len(fresh))]
            values[field] = rows + fresh

        # R26: append to the stored multi-select values
        for field, flag in appending.items():
            if not flag or field not in values:
                continue
            stored_list = None if target is None else target[1].get(field)
            incoming = values[field]
            if not isinstance(incoming, list) or not incoming:
                values[field] = stored_list  # nothing to append
                continue
            result = list(stored_list) if isinstance(stored_list, list) else []
            for item in incoming:
                if self.options.append_repeats or item not in result:
                    result.append(item)
            values[field] = result

        # R13 on insert (R4 with the module's settings, R35 the record's layout); R32 no
        # update leaves a record without its owner
        if target is None:
            mandatory = list(schema.mandatory_fields)
            for setting in sorted(schema.settings):
                mandatory += [f for f in MODULE_SETTINGS[name][setting] if f not in mandatory]
            if layout is not None:
                for field in schema.layouts[layout["id"]].mandatory_fields:
                    if field not in mandatory:
                        mandatory.append(field)
            for field in mandatory:
                if is_empty(values.get(field)) or values.get(field) == []:
                    return _error(
                        "MANDATORY_NOT_FOUND", {"api_name": field, "json_path": path(field)}
                    )
        elif self._has_owner(schema) and "Owner" in values and values["Owner"] is None:
            if self.options.null_owner is NullOwner.REJECT:
                return _error("INVALID_DATA", {"api_name": "Owner", "json_path": path("Owner")})
            del values["Owner"]

        # R14, R24
        problems = []
        for field in self._unique(schema):
            if field not in values:
                continue
            key = self._key(schema, field, values[field])
            if key is None:
                continue
            if target is not None and self._key(schema, field, target[1].get(field)) == key:
                continue
            # R24: a user-based value is unique among the written record's creator's records
            creator = None if target is None else target[1].get("Created_By", {}).get("id")
            others = [
                h
                for h in self._holders(name, field, key, user, creator)
                if target is None or h[0] != target[0]
            ]
            if others:
                problems.append(self._duplicate(request, field, path(field), others))
        if len(problems) == 1:
            return problems[0]
        if problems:
            return _error("MULTIPLE_OR_MULTI_ERRORS", {"errors": problems})

        # R12: write; R32: an insert is owned by the acting user unless it says otherwise
        stamp = {"name": user.name, "id": user.id}
        stored = {k: copy.deepcopy(v) for k, v in values.items()}
        stored["Modified_Time"] = request.now
        stored["Modified_By"] = dict(stamp)
        if target is None:
            if self._has_owner(schema) and stored.get("Owner") is None:
                stored["Owner"] = self._owner(user)
            stored["Created_Time"] = request.now
            stored["Created_By"] = dict(stamp)
        record_id = self._new_id() if target is None else target[0]
        for field, place in new_rows:  # R36: new rows get ids after the record's
            stored[field][place] = {"id": self._new_id(), **stored[field][place]}
        if target is None:
            self._data[name].append((record_id, stored))
            action = "insert"
        else:
            target[1].update(stored)
            action = "update"
        written.append(record_id)
        fields = dict(self._data[name])[record_id]
        state = self.options.pending_approval_state if approved is False else "approved"  # R31
        return success_entry(action, deciding, record_id, fields, request.now, stamp, state)


class _Request:
    """What every record of one request shares."""

    def __init__(
        self,
        module: str,
        schema: ModuleSchema,
        order: list[str],
        user: User,
        since: datetime | None,
        lookups: dict[str, str],
        now: str,
    ) -> None:
        self.module = module
        self.schema = schema
        self.order = order
        self.user = user
        self.since = since
        self.lookups = lookups
        self.now = now


def _error(code: str, details: dict[str, Any]) -> dict[str, Any]:
    return {"code": code, "details": details, "message": MESSAGES[code], "status": "error"}


def _refusal(error: RequestError, version: str) -> Response:
    return Response(error.status, for_version(error.body(), version))
