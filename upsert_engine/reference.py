"""The reference model: the same contract as ``Engine``, written to be obviously right.

No indexes, no undo log, no cleverness: records are a list in creation order, every lookup is
a linear scan, and ``plan`` runs on a deep copy. It shares with the engine only what is pure
data shaping (request shape checks, normalisers, response builders); the check order,
matching, the multi-match and batch policies, mandatory fields, uniqueness, and the field
types, formats, limits and typed values (R15, R28: reference_types.py) are written again
here, straight from UPSERT-SEMANTICS.md, so that the fast engine can be tested against it.
Users can differential-test their own code against it too. It is O(records) per field per
record: use it on small data.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from ._loading import check_load
from .decision import RequestError, not_a_check_field
from .engine import Clock, IdSource, sequential_ids, stepping_clock
from .errors import ConfigurationError, UnknownModuleError, shown
from .fields import FieldDef, Normalizer, is_empty
from .options import IntraBatch, MultiMatch, NonUniqueCheckField, Options, UnknownFields
from .reference_types import check
from .request import parse_request
from .responses import Response, batch_status, for_version, success_entry
from .rules import MESSAGES, READ_ONLY_SYSTEM_FIELDS, SYSTEM_DUPLICATE_FIELDS
from .schema import (
    ModuleSchema,
    canonical_module_name,
    custom_module,
    make_field,
    standard_module,
    with_field,
    with_mandatory,
)


class ReferenceEngine:
    """A slow, plain implementation of the upsert contract (R1-R23), for differential tests."""

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
        self._data: dict[str, list[tuple[str, dict[str, Any]]]] = {n: [] for n in self._schemas}
        user = self.options.user
        self._user = {"name": user.name, "id": user.id}

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
        decimal_place: int | None = None,
    ) -> FieldDef:
        """Define or redefine a field (R1, R3, R15)."""
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
        )
        self._schemas[name] = with_field(self._schemas[name], field, self.options.max_unique_fields)
        return field

    def set_mandatory(self, module: str, fields: Sequence[str]) -> ModuleSchema:
        """Replace the mandatory fields (R4)."""
        name = self._name(module)
        self._schemas[name] = with_mandatory(self._schemas[name], tuple(fields))
        return self._schemas[name]

    # --- reading --------------------------------------------------------------------------------
    def records(self, module: str) -> Iterator[dict[str, Any]]:
        """Copies of the records in creation order."""
        for record_id, fields in self._data[self._name(module)]:
            yield {"id": record_id, **copy.deepcopy(fields)}

    def get(self, module: str, record_id: str) -> dict[str, Any] | None:
        """A copy of one record, or None."""
        for found in self.records(module):
            if found["id"] == str(record_id):
                return found
        return None

    def count(self, module: str) -> int:
        """Number of records."""
        return len(self._data[self._name(module)])

    # --- writing --------------------------------------------------------------------------------
    def _new_id(self) -> str:
        taken = {rid for rows in self._data.values() for rid, _ in rows}
        while True:
            record_id = self._ids(self._issued)
            self._issued += 1
            if record_id not in taken:
                return record_id

    def load(self, module: str, records: Iterable[Mapping[str, Any]]) -> list[str]:
        """Existing data, as is (no matching, no uniqueness), after the engine's checks."""
        rows = self._data[self._name(module)]
        taken = {rid for data in self._data.values() for rid, _ in data}
        checked, _ = check_load(module, list(records), taken.__contains__)
        now = self._clock(self._writes).isoformat(timespec="seconds")
        new_ids = []
        for given, fields in checked:
            fields.setdefault("Created_Time", now)
            fields.setdefault("Modified_Time", fields["Created_Time"])
            fields.setdefault("Created_By", dict(self._user))
            fields.setdefault("Modified_By", dict(self._user))
            record_id = given if given is not None else self._new_id()
            rows.append((record_id, fields))
            new_ids.append(record_id)
        self._writes += 1
        return new_ids

    def plan(self, module: str, body: Any, *, api_version: str | None = None) -> Response:
        """What ``upsert`` would answer; computed on a copy of the data, so nothing changes."""
        fork = copy.copy(self)
        fork._data = copy.deepcopy(self._data)
        fork._schemas = dict(self._schemas)
        return fork.upsert(module, body, api_version=api_version)

    def upsert(self, module: str, body: Any, *, api_version: str | None = None) -> Response:
        """The upsert contract, step by step as UPSERT-SEMANTICS.md states it."""
        version = api_version or self.options.api_version
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
        order = self._order(schema, parsed.duplicate_check_fields)
        if isinstance(order, RequestError):
            return _refusal(order, version)

        now = self._clock(self._writes).isoformat(timespec="seconds")
        entries = []
        written: list[str] = []
        for position, record in enumerate(parsed.records):
            entry = self._one(schema, name, order, position, record, written, now)
            entries.append(entry)
        if written:  # R16: a request that wrote nothing changes nothing, the clock included
            self._writes += 1
        return Response(batch_status(entries), for_version({"data": entries}, version))

    # --- the rules, plainly -------------------------------------------------------------------
    def _order(self, schema: ModuleSchema, requested: list[str] | None) -> list[str] | RequestError:
        """R5 and R7, by the words of the spec."""
        system = list(schema.system_fields)
        unique = [f for f in schema.fields if schema.fields[f].unique]
        allowed = system + unique
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
        return named + [f for f in unique if f not in named]

    def _key(self, schema: ModuleSchema, field: str, value: Any) -> str | None:
        return schema.fields[field].key(value)

    def _age(self, row: tuple[str, dict[str, Any]]) -> tuple[datetime, int]:
        return datetime.fromisoformat(row[1]["Created_Time"].replace("Z", "+00:00")), int(row[0])

    def _holders(
        self, schema: ModuleSchema, name: str, field: str, key: str
    ) -> list[tuple[str, dict[str, Any]]]:
        """Every record whose normalised ``field`` equals ``key``, oldest first (R8, R11)."""
        found = [
            row for row in self._data[name] if self._key(schema, field, row[1].get(field)) == key
        ]
        return sorted(found, key=self._age)

    def _one(
        self,
        schema: ModuleSchema,
        name: str,
        order: list[str],
        position: int,
        record: Mapping[Any, Any],
        written: list[str],
        now: str,
    ) -> dict[str, Any]:
        def error(code: str, details: dict[str, Any]) -> dict[str, Any]:
            return {"code": code, "details": details, "message": MESSAGES[code], "status": "error"}

        def path(field: str) -> str:
            return f"$.data[{position}].{field}"

        # R15, R28: the first invalid key in the record's order decides; values stored typed
        values: dict[str, Any] = {}
        for field, value in record.items():
            if not isinstance(field, str):
                try:
                    named = str(field)
                except ValueError:  # an int too long for str()
                    named = shown(field)
                return error(
                    "INVALID_DATA",
                    {"api_name": named, "json_path": path(named), "expected_data_type": "text"},
                )
            if field not in schema.fields:
                if field in READ_ONLY_SYSTEM_FIELDS:
                    continue
                if self.options.unknown_fields is UnknownFields.REJECT:
                    return error("INVALID_DATA", {"api_name": field, "json_path": path(field)})
                continue
            problem, stored = check(schema.fields[field], value)
            if problem is not None:
                return error(
                    "INVALID_DATA", {"api_name": field, "json_path": path(field), **problem}
                )
            values[field] = stored

        # R10, R11
        target: tuple[str, dict[str, Any]] | None = None
        deciding: str | None = None
        for field in order:
            key = self._key(schema, field, values.get(field))
            if key is None:
                continue  # R9
            holders = self._holders(schema, name, field, key)
            if not holders:
                continue
            deciding = field
            if len(holders) > 1 and self.options.multi_match is MultiMatch.REJECT:
                return error(
                    "AMBIGUITY_DURING_PROCESSING",
                    {"api_name": field, "json_path": path(field), "ids": [h[0] for h in holders]},
                )
            target = holders[-1] if self.options.multi_match is MultiMatch.NEWEST else holders[0]
            break

        # R17
        if (
            target is not None
            and target[0] in written
            and (self.options.intra_batch is IntraBatch.REJECT)
        ):
            return error(
                "DUPLICATE_DATA",
                {
                    "api_name": deciding,
                    "json_path": path(str(deciding)),
                    "duplicate_record": {"id": target[0], "module": {"api_name": name}},
                    "more_records": False,
                },
            )

        # R13
        if target is None:
            for field in schema.mandatory_fields:
                if is_empty(values.get(field)):
                    return error(
                        "MANDATORY_NOT_FOUND", {"api_name": field, "json_path": path(field)}
                    )

        # R14
        problems = []
        for field in [f for f in schema.fields if schema.fields[f].unique]:
            if field not in values:
                continue
            key = self._key(schema, field, values[field])
            if key is None:
                continue
            if target is not None and self._key(schema, field, target[1].get(field)) == key:
                continue
            others = [
                h
                for h in self._holders(schema, name, field, key)
                if target is None or h[0] != target[0]
            ]
            if others:
                problems.append(
                    error(
                        "DUPLICATE_DATA",
                        {
                            "api_name": field,
                            "json_path": path(field),
                            "duplicate_record": {"id": others[0][0], "module": {"api_name": name}},
                            "more_records": len(others) > 1,
                        },
                    )
                )
        if len(problems) == 1:
            return problems[0]
        if problems:
            return error("MULTIPLE_OR_MULTI_ERRORS", {"errors": problems})

        # R12: write
        stored = {k: copy.deepcopy(v) for k, v in values.items()}
        stored["Modified_Time"] = now
        stored["Modified_By"] = dict(self._user)
        if target is None:
            stored["Created_Time"] = now
            stored["Created_By"] = dict(self._user)
            record_id = self._new_id()
            self._data[name].append((record_id, stored))
            action = "insert"
        else:
            record_id = target[0]
            target[1].update(stored)
            action = "update"
        written.append(record_id)
        fields = dict(self._data[name])[record_id]
        return success_entry(action, deciding, record_id, fields, now, self._user)


def _refusal(error: RequestError, version: str) -> Response:
    return Response(error.status, for_version(error.body(), version))
