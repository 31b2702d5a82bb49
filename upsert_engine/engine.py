"""The engine: an org of modules that answers Zoho upsert requests in memory.

``Engine`` is the only stateful object of the core. For one request it (1) checks the body's
shape (request.py), (2) resolves the check order (decision.py), (3) decides each record in
order against the store as it stands (decision.py), (4) applies each accepted record in one
place, ``_apply``, inside a store transaction, and (5) commits (``upsert``) or rolls back
(``plan``, ``explain``). Ids and times come from injected functions (no clock, no randomness).
"""

from __future__ import annotations

import copy
import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from ._fastpath import EngineHooks, FastPlan, run_upserts
from ._loading import check_load, copy_value
from .decision import (
    Accepted,
    Decision,
    Rejected,
    RequestError,
    decide,
    resolve_check_order,
)
from .errors import ConfigurationError, InvalidLoadError, UnknownModuleError, shown
from .explain import Explanation, RecordTrace
from .fields import (
    FieldDef,
    Normalizer,
)
from .options import NonUniqueCheckField, Options
from .request import parse_request
from .responses import Response, batch_status, for_version, success_entry
from .rules import API_VERSIONS, MESSAGES, SYSTEM_DUPLICATE_FIELDS
from .schema import (
    ModuleSchema,
    canonical_module_name,
    custom_module,
    make_field,
    standard_module,
    with_field,
    with_mandatory,
)
from .store import ModuleStore

#: Makes the id of the n-th record the engine creates (n = 0, 1, ...). Must be injective.
IdSource = Callable[[int], str]
#: Gives the time of the n-th write request (n = 0, 1, ...). Must return aware datetimes.
Clock = Callable[[int], datetime]

FIRST_ID = 5725767000000600001
EPOCH = datetime(2026, 1, 15, 10, 0, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))


def sequential_ids(n: int) -> str:
    """Default id source: 19-digit ids like Zoho's, counting up from 5725767000000600001."""
    return str(FIRST_ID + n)


def stepping_clock(n: int) -> datetime:
    """Default clock: 2026-01-15T10:00:00+05:30 plus one second per write request."""
    return EPOCH + timedelta(seconds=n)


class Engine:
    """An in-memory Zoho CRM org answering upsert requests exactly as Zoho does (R1-R23)."""

    def __init__(
        self,
        options: Options | None = None,
        *,
        ids: IdSource = sequential_ids,
        clock: Clock = stepping_clock,
        standard_modules: bool = True,
    ) -> None:
        self.options = options if options is not None else Options()
        self._ids = ids
        self._clock = clock
        self._id_seq = 0  # ids issued so far
        self._write_seq = 0  # write requests applied so far
        self._explicit_ids = False  # some loaded record brought its own id
        #: ids loaded as given: the only ids a generated one can collide with, since the id
        #: source is injective and its counter only moves forward
        self._given_ids: set[str] = set()
        self._stores: dict[str, ModuleStore] = {}
        user = self.options.user
        self._user = {"name": user.name, "id": user.id}
        if standard_modules:
            for name in SYSTEM_DUPLICATE_FIELDS:
                self._stores[name] = ModuleStore(
                    standard_module(name, check_formats=self.options.check_formats)
                )

    # --- configuration (R1-R4) ---------------------------------------------------------------
    def _store(self, module: str) -> ModuleStore:
        store = self._stores.get(canonical_module_name(module)) if isinstance(module, str) else None
        if store is None:
            raise UnknownModuleError(
                f"module {module!r} is not in this org; modules: {', '.join(self._stores)} (R20)"
            )
        return store

    def modules(self) -> tuple[str, ...]:
        """API names of the org's modules, standard ones first."""
        return tuple(self._stores)

    def schema(self, module: str) -> ModuleSchema:
        """The current configuration of ``module``."""
        return self._store(module).schema

    def add_module(
        self,
        name: str,
        *,
        system_fields: Sequence[str] = ("Name",),
        mandatory_fields: Sequence[str] = ("Name",),
    ) -> ModuleSchema:
        """Add a custom module; its system duplicate check field is Name (R2, R4)."""
        if isinstance(name, str) and canonical_module_name(name) in self._stores:
            raise ConfigurationError(f"module {name!r} already exists")
        schema = custom_module(
            name,
            tuple(system_fields),
            tuple(mandatory_fields),
            check_formats=self.options.check_formats,
        )
        self._stores[name] = ModuleStore(schema)
        return schema

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
        """Define a field, or redefine one (e.g. make a standard field unique: R1, R3, R8).

        ``max_length`` and ``decimal_place`` are Zoho's field ``length`` and ``decimal_place``
        (R15); each defaults to the type's.

        Indexes are rebuilt from the records: O(records). Loaded repeats of a value that
        becomes unique stay (R14 re-checks only values a write changes).
        """
        store = self._store(module)
        definition = make_field(
            store.schema.api_name,
            api_name,
            data_type,
            unique=unique,
            max_length=max_length,
            normalizer=normalizer,
            check_formats=self.options.check_formats,
            decimal_place=decimal_place,
        )
        schema = with_field(store.schema, definition, self.options.max_unique_fields)
        store.set_schema(schema, (name for name in store.indexes if name in schema.fields))
        return definition

    def set_mandatory(self, module: str, fields: Sequence[str]) -> ModuleSchema:
        """Replace the mandatory fields of ``module`` (R4 is configurable)."""
        store = self._store(module)
        schema = with_mandatory(store.schema, tuple(fields))
        store.set_schema(schema, store.indexes)
        return schema

    # --- ids and times -----------------------------------------------------------------------
    def _now(self) -> str:
        when = self._clock(self._write_seq)
        if not isinstance(when, datetime) or when.utcoffset() is None:
            raise ConfigurationError(f"the clock returned {when!r}; it must be an aware datetime")
        return when.isoformat(timespec="seconds")

    def _taken(self, record_id: str) -> bool:
        """Whether a generated id is already some record's: O(1)."""
        return record_id in self._given_ids

    def _next_id(self, seq: int) -> tuple[str, int]:
        """The id for the record created at id sequence ``seq``, and the next sequence number."""
        while True:
            record_id = self._ids(seq)
            seq += 1
            if not (isinstance(record_id, str) and record_id.isascii() and record_id.isdigit()):
                raise ConfigurationError(f"the id source returned {record_id!r}; ids are digits")
            if not self._taken(record_id):
                return record_id, seq

    # --- reading -----------------------------------------------------------------------------
    def get(self, module: str, record_id: str) -> dict[str, Any] | None:
        """A copy of the record's fields (with ``id``), or None."""
        record = self._store(module).records.get(str(record_id))
        return None if record is None else {"id": str(record_id), **copy.deepcopy(record)}

    def records(self, module: str) -> Iterator[dict[str, Any]]:
        """Copies of the module's records in creation order."""
        for record_id, record in list(self._store(module).records.items()):
            yield {"id": record_id, **copy.deepcopy(record)}

    def count(self, module: str) -> int:
        """Number of records in ``module``."""
        return len(self._store(module))

    # --- loading existing data ---------------------------------------------------------------
    def load(self, module: str, records: Iterable[Mapping[str, Any]]) -> list[str]:
        """Write existing data as is: no matching, no uniqueness (repeats allowed, R11, R14).

        A record may bring its own ``id`` (digits, new to the org) and ``Created_Time``.
        Everything is checked before anything is written: bad data raises
        ``InvalidLoadError`` naming the record and field, and loads nothing. O(records).
        """
        store = self._store(module)
        try:
            rows = list(records)
        except TypeError:
            raise InvalidLoadError(
                f"{module}: records must be an iterable of mappings, not {shown(records)}"
            ) from None
        collecting = gc.isenabled()
        gc.disable()  # millions of new dicts, none of them garbage: spare the collector's passes
        try:
            holders = [s.records for s in self._stores.values() if s.records]
            prepared, seen = check_load(
                module, rows, lambda given: any(given in records for records in holders)
            )
            new_ids = self._load_rows(store, prepared, seen)
        finally:
            if collecting:
                gc.enable()
        self._write_seq += 1
        return new_ids

    def _load_rows(
        self,
        store: ModuleStore,
        prepared: list[tuple[str | None, dict[str, Any]]],
        seen: set[str],
    ) -> list[str]:
        """``load``'s writes (rows checked and copied): ids, system fields, indexes."""
        now = self._now()
        seq = self._id_seq
        new_ids: list[str] = []
        if self._ids is sequential_ids and not self._explicit_ids and not seen:
            # sequential_ids, inlined: no id in the org or in this load can be taken
            new_ids = [str(FIRST_ID + n) for n in range(seq, seq + len(prepared))]
            seq += len(prepared)
        else:
            for given, _ in prepared:
                if given is None:  # a new id, also unlike the ids this very load brings
                    record_id, seq = self._next_id(seq)
                    while record_id in seen:
                        record_id, seq = self._next_id(seq)
                    new_ids.append(record_id)
                else:
                    new_ids.append(given)
        if seen:
            self._explicit_ids = True
            self._given_ids |= seen
        user = self._user  # shared: stored records are never changed in place, reads copy them
        for _, fields in prepared:
            if "Created_Time" not in fields:
                fields["Created_Time"] = now
            if "Modified_Time" not in fields:
                fields["Modified_Time"] = fields["Created_Time"]
            if "Created_By" not in fields:
                fields["Created_By"] = user
            if "Modified_By" not in fields:
                fields["Modified_By"] = user
        store.insert_many(zip(new_ids, (fields for _, fields in prepared), strict=True))
        self._id_seq = seq
        return new_ids

    # --- upsert, and the plain insert and update APIs --------------------------------------
    def upsert(self, module: str, body: Any, *, api_version: str | None = None) -> Response:
        """Apply a Zoho upsert request body (never mutated) and answer as Zoho does."""
        return self._run(module, body, api_version, mode="upsert", commit=True, trace=False)[0]

    def plan(self, module: str, body: Any, *, api_version: str | None = None) -> Response:
        """Exactly what ``upsert`` would answer now; writes nothing."""
        return self._run(module, body, api_version, mode="upsert", commit=False, trace=False)[0]

    def explain(self, module: str, body: Any, *, api_version: str | None = None) -> Explanation:
        """Per record: check order, fields tried (raw → normalised → candidates), outcome, rule."""
        response, order, traces, error = self._run(
            module, body, api_version, mode="upsert", commit=False, trace=True
        )
        return Explanation(
            module if isinstance(module, str) else shown(module),
            response,
            order,
            tuple(traces),
            error,
        )

    def insert(self, module: str, body: Any, *, api_version: str | None = None) -> Response:
        """Zoho's Insert Records API: no matching; mandatory fields and R14 uniqueness apply."""
        return self._run(module, body, api_version, mode="insert", commit=True, trace=False)[0]

    def update(self, module: str, body: Any, *, api_version: str | None = None) -> Response:
        """Zoho's Update Records API: each record names its target by ``id`` (R12, R14)."""
        return self._run(module, body, api_version, mode="update", commit=True, trace=False)[0]

    def delete(self, module: str, record_ids: Sequence[Any]) -> Response:
        """Zoho's Delete Records API: at most 100 ids; unknown ids fail one by one."""
        store = self._stores.get(canonical_module_name(module)) if isinstance(module, str) else None
        if store is None:
            return self._refuse(_invalid_module(), self.options.api_version)[0]
        if not 1 <= len(record_ids) <= self.options.max_records:
            error = RequestError(
                "LIMIT_EXCEEDED" if record_ids else "MANDATORY_NOT_FOUND",
                {"limit": self.options.max_records} if record_ids else {"api_name": "ids"},
                f"send 1 to {self.options.max_records} ids, not {len(record_ids)} (R19)",
                "R19",
            )
            return self._refuse(error, self.options.api_version)[0]
        entries: list[dict[str, Any]] = []
        for given in record_ids:
            record_id = str(given)
            if record_id in store.records:
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
                        "details": {"id": record_id},
                        "message": "the id given seems to be invalid",
                        "status": "error",
                    }
                )
        status = batch_status(entries)
        if status != 400:  # R16: nothing deleted, nothing changed
            self._write_seq += 1
        return Response(status, {"data": entries})

    def _run(
        self,
        module: str,
        body: Any,
        api_version: str | None,
        *,
        mode: str,
        commit: bool,
        trace: bool,
    ) -> tuple[Response, tuple[str, ...], list[RecordTrace], str | None]:
        version = api_version or self.options.api_version
        if version not in API_VERSIONS:
            raise ConfigurationError(f"api_version={version!r} is not one of {API_VERSIONS} (R23)")
        store = self._stores.get(canonical_module_name(module)) if isinstance(module, str) else None
        if store is None:  # R20
            return self._refuse(_invalid_module(), version)
        parsed = parse_request(body, self.options.max_records)
        if isinstance(parsed, RequestError):
            return self._refuse(parsed, version)
        order: tuple[str, ...] = ()
        if mode == "upsert":
            resolved = resolve_check_order(
                store.schema, parsed.duplicate_check_fields, self.options
            )
            if isinstance(resolved, RequestError):
                return self._refuse(resolved, version)
            order = resolved
            if commit and self.options.non_unique_check_field is NonUniqueCheckField.MATCH:
                for name in order:  # (plan and explain scan instead: they build nothing)
                    store.ensure_index(name)

        now = self._now()
        entries: list[dict[str, Any]] = []
        traces: list[RecordTrace] = []
        written: dict[str, None] = {}
        seq = self._id_seq
        # the fast path needs an index on every field it walks (a dry run builds none, R7 match)
        fast = mode == "upsert" and not trace and all(name in store.indexes for name in order)
        store.begin()
        try:
            if fast:
                seq = run_upserts(
                    self._fast_plan(store, order),
                    store,
                    parsed.records,
                    now,
                    seq,
                    entries,
                    EngineHooks(
                        self.options,
                        self._user,
                        self._ids is sequential_ids and not self._explicit_ids,
                        FIRST_ID,
                        self._apply,
                        self._next_id,
                    ),
                )
            general = () if fast else parsed.records
            for position, record in enumerate(general):
                decision: Decision
                if mode == "update":
                    target = _update_target(store, position, record)
                    if isinstance(target, Rejected):
                        decision = target
                    else:
                        decision = decide(
                            store.schema,
                            self.options,
                            (),
                            position,
                            record,
                            store,
                            written,
                            update_id=target,
                        )
                else:
                    decision = decide(
                        store.schema,
                        self.options,
                        order,
                        position,
                        record,
                        store,
                        written,
                        trace=trace,
                    )
                record_id: str | None = None
                if isinstance(decision, Accepted):
                    record_id, seq = self._apply(store, decision, now, seq)
                    written[record_id] = None
                    entry = success_entry(
                        decision.action,
                        decision.duplicate_field,
                        record_id,
                        store.records[record_id],
                        now,
                        self._user,
                    )
                    if mode != "upsert":  # the plain APIs answer without these two keys
                        del entry["action"], entry["duplicate_field"]
                    entries.append(entry)
                else:
                    entries.append(decision.entry())
                if trace:
                    traces.append(_trace(position, order, decision, record_id))
        except BaseException:
            store.rollback()
            raise
        status = batch_status(entries)
        if commit:
            store.commit()
            self._id_seq = seq
            if status != 400:  # R16: a request that wrote nothing leaves the clock alone too
                self._write_seq += 1
        else:
            store.rollback()
        return Response(status, for_version({"data": entries}, version)), order, traces, None

    def _fast_plan(self, store: ModuleStore, order: tuple[str, ...]) -> FastPlan:
        plan = store.fast_plans.get(order)
        if plan is None:
            plan = store.fast_plans[order] = FastPlan(store, order, self.options)
        return plan

    def _refuse(
        self, error: RequestError, version: str
    ) -> tuple[Response, tuple[str, ...], list[RecordTrace], str | None]:
        """R16: a request-level error changes nothing."""
        response = Response(error.status, for_version(error.body(), version))
        return response, (), [], f"{error.code} ({error.rule}): {error.message}"

    def _apply(self, store: ModuleStore, decision: Accepted, now: str, seq: int) -> tuple[str, int]:
        """The one place a decision becomes a write (R12): returns the id and the next seq."""
        values = {name: copy_value(value) for name, value in decision.values.items()}
        values["Modified_Time"] = now
        values["Modified_By"] = self._user
        if decision.target_id is None:
            record_id, seq = self._next_id(seq)
            values["Created_Time"] = now
            values["Created_By"] = self._user
            store.insert(record_id, values)
            return record_id, seq
        store.update(decision.target_id, values)
        return decision.target_id, seq

    # --- invariants --------------------------------------------------------------------------
    def _check(self) -> None:
        """Assert every module's indexes agree with its records (sortedcontainers-style)."""
        for store in self._stores.values():
            store._check()


def _invalid_module() -> RequestError:
    """R20: the top-level error for a module the org does not hold."""
    return RequestError(
        "INVALID_MODULE", {"resource_path_index": 0}, MESSAGES["INVALID_MODULE"], "R20"
    )


def _update_target(store: ModuleStore, position: int, record: Mapping[Any, Any]) -> str | Rejected:
    """The plain update API: the record's ``id``, which must name an existing record."""
    path = f"$.data[{position}].id"
    given = record.get("id")
    if given is None:
        return Rejected(
            "MANDATORY_NOT_FOUND",
            {"api_name": "id", "json_path": path},
            "R12",
            "an update by id needs the record's id",
        )
    record_id = ""
    if isinstance(given, str):
        record_id = given
    elif isinstance(given, int) and not isinstance(given, bool) and given.bit_length() <= 128:
        record_id = str(given)  # no str() of huge ints: it raises over 4300 digits
    if record_id not in store.records:
        return Rejected(
            "INVALID_DATA",
            {"api_name": "id", "json_path": path},
            "R12",
            f"id {shown(given, 40)} names no record of {store.schema.api_name}",
        )
    return record_id


def _trace(
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
