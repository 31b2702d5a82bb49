"""The reference model: the same contract as ``Engine``, written to be obviously right.

No indexes, no undo log, no cleverness: records are a list in creation order, every lookup is
a linear scan, and ``plan`` runs on a deep copy. It shares with the engine only what is pure
data shaping (request and header shape checks, field validation and normalisers, response
builders); the check order, matching, ids in records, external fields, users and owners,
lookups, If-Unmodified-Since, the multi-match and batch policies, mandatory fields and
uniqueness are written again here, straight from UPSERT-SEMANTICS.md, so that the fast engine
can be tested against it. Users can differential-test their own code against it too.
It is O(records) per field per record: use it on small data.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

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
from .request import parse_external, parse_request, parse_unmodified_since
from .responses import Response, batch_status, for_version, success_entry
from .rules import MESSAGES, SYSTEM_DUPLICATE_FIELDS
from .schema import (
    ModuleSchema,
    canonical_module_name,
    custom_module,
    make_field,
    standard_module,
    with_field,
    with_mandatory,
)

Row = tuple[str, dict[str, Any]]


class ReferenceEngine:
    """A slow, plain implementation of the upsert contract (R1-R25, R32-R34), for
    differential tests."""

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

    def add_field(
        self,
        module: str,
        api_name: str,
        data_type: str,
        *,
        unique: bool = False,
        max_length: int | None = None,
        normalizer: Normalizer | None = None,
        external: str | None = None,
        lookup_module: str | None = None,
    ) -> FieldDef:
        """Define or redefine a field (R1, R3, R24, R33)."""
        name = self._name(module)
        field = make_field(
            name,
            api_name,
            data_type,
            unique=unique,
            max_length=max_length,
            normalizer=normalizer,
            check_formats=self.options.check_formats,
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

    def set_mandatory(self, module: str, fields: Sequence[str]) -> ModuleSchema:
        """Replace the mandatory fields (R4)."""
        name = self._name(module)
        self._schemas[name] = with_mandatory(self._schemas[name], tuple(fields))
        return self._schemas[name]

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
            for field, definition in schema.fields.items():
                value = shown.get(field)
                target = definition.lookup_module
                if (
                    target in self._data
                    and isinstance(value, dict)
                    and sorted(value) == ["id", "name"]
                ):
                    found = self._find(target, value["id"])
                    if found is not None:
                        value["name"] = self._display(target, found)
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

    def load(self, module: str, records: Iterable[Mapping[str, Any]]) -> list[str]:
        """Existing data, as is (no matching, no uniqueness), after the engine's checks."""
        name = self._name(module)
        rows = self._data[name]
        taken = {rid for data in self._data.values() for rid, _ in data}
        checked, _ = check_load(module, list(records), taken.__contains__)
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
        self._writes += 1
        return new_ids

    def plan(self, module: str, body: Any, **keywords: Any) -> Response:
        """What ``upsert`` would answer; computed on a copy of the data, so nothing changes."""
        fork = copy.copy(self)
        fork._data = copy.deepcopy(self._data)
        fork._schemas = dict(self._schemas)
        fork._users = list(self._users)
        return fork.upsert(module, body, **keywords)

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
        order = self._order(schema, parsed.duplicate_check_fields)
        if isinstance(order, RequestError):
            return _refusal(order, version)

        now = self._clock(self._writes).isoformat(timespec="seconds")
        request = _Request(name, schema, order, user, since, header[1], now)
        entries = []
        written: list[str] = []
        for position, record in enumerate(parsed.records):
            entries.append(self._one(request, position, record, written))
        if written:  # R16: a request that wrote nothing changes nothing, the clock included
            self._writes += 1
        return Response(batch_status(entries), for_version({"data": entries}, version))

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
            if field in allowed or (
                self.options.non_unique_check_field is NonUniqueCheckField.MATCH
                and field in schema.fields
            ):
                if field not in named:
                    named.append(field)
            elif self.options.non_unique_check_field is not NonUniqueCheckField.IGNORE:
                return not_a_check_field(schema, position, field)
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

    def _holders(self, module: str, field: str, key: str, user: User) -> list[Row]:
        """Every record whose normalised ``field`` equals ``key``, oldest first (R8, R11);
        for a user-based external field, only those ``user`` created (R24)."""
        schema = self._schemas[module]
        found = [
            row
            for row in self._data[module]
            if self._key(schema, field, row[1].get(field)) == key
            and (
                schema.fields[field].external != "user"
                or row[1].get("Created_By", {}).get("id") == user.id
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
        self, request: _Request, position: int, record: Mapping[Any, Any], written: list[str]
    ) -> dict[str, Any]:
        schema, name, user = request.schema, request.module, request.user

        def path(field: str) -> str:
            return f"$.data[{position}].{field}"

        prepared = prepare(
            schema,
            self.options,
            position,
            record,
            lambda i, field, definition, value: self._reference(
                request, i, field, definition, value
            ),
        )
        if isinstance(prepared, Rejected):
            return prepared.entry()
        values, _ignored = prepared

        # R25: an id in the record
        target: Row | None = None
        deciding: str | None = None
        if self.options.record_id is not RecordId.IGNORE and record.get("id") is not None:
            found_id = record_id_text(record["id"])
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

        # R13 on insert; R32 no update leaves a record without its owner
        if target is None:
            for field in schema.mandatory_fields:
                if is_empty(values.get(field)):
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
            others = [
                h
                for h in self._holders(name, field, key, user)
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
            record_id = self._new_id()
            self._data[name].append((record_id, stored))
            action = "insert"
        else:
            record_id = target[0]
            target[1].update(stored)
            action = "update"
        written.append(record_id)
        fields = dict(self._data[name])[record_id]
        return success_entry(action, deciding, record_id, fields, request.now, stamp)


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
