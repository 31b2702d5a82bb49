"""The engine: an org of modules that answers Zoho upsert requests in memory.

``Engine`` is the only stateful object of the core. For one request it (1) checks the body's
shape (request.py), (2) resolves the check order (decision.py), (3) decides each record in
order against the store as it stands (decision.py), (4) applies each accepted record in one
place, ``_apply``, inside a store transaction, and (5) commits (``upsert``) or rolls back
(``plan``, ``explain``). Ids and times come from injected functions (no clock, no randomness).

Atomicity (spec section 8): every public call that changes anything runs in ``_atomic``: the
stores it touches log their writes, the id and clock counters are set just before the commit,
and any exception, ``BaseException`` included, rolls back writes and counters before it
propagates. One lock serialises the public calls, so an ``Engine`` can be shared by threads.
"""

from __future__ import annotations

import copy
import gc
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any

from ._fastpath import EngineHooks, FastPlan, run_upserts
from ._loading import check_load, copy_value
from .decision import (
    Accepted,
    Context,
    Decision,
    Rejected,
    RequestError,
    StoreView,
    decide,
    resolve_check_order,
)
from .errors import (
    ConfigurationError,
    InvalidLoadError,
    UnknownModuleError,
    UnknownUserError,
    shown,
)
from .explain import Explanation, RecordTrace
from .fields import (
    FieldDef,
    Normalizer,
    record_id_text,
)
from .options import NonUniqueCheckField, Options, User
from .references import (
    display_name,
    external_holders,
    insert_defaults,
    pick,
    update_target,
    user_value,
)
from .request import parse_external, parse_request, parse_unmodified_since
from .responses import (
    Response,
    batch_status,
    for_version,
    shows_approval_state,
    success_entry,
    without_approval_state,
)
from .rules import (
    API_VERSIONS,
    MAX_RECORD_ID_DIGITS,
    MESSAGES,
    MODULE_ID_BASE,
    SYSTEM_DUPLICATE_FIELDS,
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
    """An in-memory Zoho CRM org answering upsert requests exactly as Zoho does (R1-R25, R32-R34).

    Every public call either completes or leaves the engine exactly as it was (records, every
    index, the id and clock counters, compiled plans), also when an exception of any kind,
    ``KeyboardInterrupt`` included, interrupts it (spec section 8). Thread-safe: one re-entrant
    lock around each public call; calls from several threads apply one at a time.
    ``records()`` copies each record under the lock as it reaches it: it sees the records that
    existed when it was called, minus those deleted since.
    """

    def __init__(
        self,
        options: Options | None = None,
        *,
        ids: IdSource = sequential_ids,
        clock: Clock = stepping_clock,
        standard_modules: bool = True,
    ) -> None:
        self._options = options if options is not None else Options()
        self._lock = threading.RLock()
        self._ids = ids
        self._clock = clock
        self._id_seq = 0  # ids issued so far
        self._write_seq = 0  # write requests applied so far
        self._explicit_ids = False  # some loaded record brought its own id
        #: ids loaded as given: the only ids a generated one can collide with, since the id
        #: source is injective and its counter only moves forward
        self._given_ids: set[str] = set()
        self._stores: dict[str, ModuleStore] = {}
        #: R32: the org's users by id, the default acting user (``Options.user``) first
        self._users: dict[str, User] = {self.options.user.id: self.options.user}
        if standard_modules:
            for name in SYSTEM_DUPLICATE_FIELDS:
                self._stores[name] = ModuleStore(
                    standard_module(name, check_formats=self.options.check_formats)
                )

    @property
    def options(self) -> Options:
        """The engine's options, fixed at construction (compiled plans depend on them)."""
        return self._options

    # --- configuration (R1-R4) ---------------------------------------------------------------
    def _store(self, module: str) -> ModuleStore:
        store = self._stores.get(canonical_module_name(module)) if isinstance(module, str) else None
        if store is None:
            raise UnknownModuleError(
                f"module {module!r} is not in this org; modules: {', '.join(self._stores)} (R20)"
            )
        return store

    @contextmanager
    def _atomic(self, store: ModuleStore) -> Iterator[list[Callable[[], None]]]:
        """All or nothing for one call's writes to ``store`` and the engine's counters.

        The body writes through ``store`` (which logs each write before making it), sets the
        counters, and the commit (``store.commit()``, one assignment) is the last step. Any
        exception before that point, ``BaseException`` included, rolls the writes back and puts
        the counters back before it propagates. The body may register more undo steps (in the
        list it is given) before each change it makes outside the store. Callers hold
        ``self._lock``.
        """
        counters = (self._id_seq, self._write_seq, self._explicit_ids)
        on_rollback: list[Callable[[], None]] = []
        store.begin()
        try:
            yield on_rollback
            store.commit()
        except BaseException:
            if store.in_transaction():  # not committed: nothing of the call may remain
                store.rollback()
                for undo in reversed(on_rollback):
                    undo()
                self._id_seq, self._write_seq, self._explicit_ids = counters
            raise

    # --- users (R32) ---------------------------------------------------------------------------
    def add_user(self, user: User) -> User:
        """Add a user to the org (R32): it may then act (``as_user=``) and own records.

        Raises ``ConfigurationError`` for a non-``User`` or an id already taken; the users are
        replaced whole (one assignment), so the call is all or nothing.
        """
        with self._lock:
            if not isinstance(user, User):
                raise ConfigurationError(f"add_user takes a User, not {shown(user)} (R32)")
            if user.id in self._users:
                raise ConfigurationError(f"user id {user.id} is already {self._users[user.id]!r}")
            self._users = {**self._users, user.id: user}
            return user

    def users(self) -> tuple[User, ...]:
        """The org's users, the default acting user (``Options.user``) first (R32)."""
        with self._lock:
            return tuple(self._users.values())

    def _acting(self, as_user: str | None) -> User:
        """The user a call acts as: ``as_user`` (a user id) or ``Options.user`` (R32)."""
        if as_user is None:
            return self.options.user
        user = self._users.get(as_user) if isinstance(as_user, str) else None
        if user is None:
            raise UnknownUserError(
                f"as_user={shown(as_user)} is no user of this org; users: "
                f"{', '.join(self._users)} (R32)"
            )
        return user

    def _module_id(self, store: ModuleStore) -> str:
        """The module's id (R32 ``duplicate_record.module.id``): stable per module order."""
        return str(MODULE_ID_BASE + 2 * list(self._stores).index(store.schema.api_name))

    def module_id(self, module: str) -> str:
        """The id of ``module``, as ``duplicate_record`` and ``/settings/modules`` show it."""
        with self._lock:
            return self._module_id(self._store(module))

    def modules(self) -> tuple[str, ...]:
        """API names of the org's modules, standard ones first."""
        with self._lock:
            return tuple(self._stores)

    def schema(self, module: str) -> ModuleSchema:
        """The current configuration of ``module``."""
        with self._lock:
            return self._store(module).schema

    def add_module(
        self,
        name: str,
        *,
        system_fields: Sequence[str] = ("Name",),
        mandatory_fields: Sequence[str] = ("Name",),
    ) -> ModuleSchema:
        """Add a custom module; its system duplicate check field is Name (R2, R4).

        Raises ``ConfigurationError`` for a name already taken or a bad configuration; the
        module is added whole (one assignment) or not at all.
        """
        with self._lock:
            if isinstance(name, str) and canonical_module_name(name) in self._stores:
                raise ConfigurationError(f"module {name!r} already exists")
            schema = custom_module(
                name,
                _names(system_fields, "system_fields"),
                _names(mandatory_fields, "mandatory_fields"),
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
        external: str | None = None,
        lookup_module: str | None = None,
    ) -> FieldDef:
        """Define a field, or redefine one (e.g. make a standard field unique: R1, R3, R8).

        ``max_length`` and ``decimal_place`` are Zoho's field ``length`` and ``decimal_place``
        (R15); each defaults to the type's. ``external`` ("org" or "user") makes a text field
        an external field (R24): a duplicate check field, unique per org or per user.
        ``lookup_module`` names the module a custom lookup field looks up (R33). The field's
        index is rebuilt from the records: O(records). Loaded repeats of a value that becomes
        unique stay (R14 re-checks only values a write changes). The new schema and indexes
        are built aside and swapped in whole: a normaliser that raises on a stored value
        leaves the module as it was.
        """
        with self._lock:
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
                external=external,
                lookup_module=lookup_module,
            )
            schema = with_field(
                store.schema,
                definition,
                self.options.max_unique_fields,
                self.options.external_in_unique_cap,
            )
            with self._atomic(store):
                store.set_schema(schema, [name for name in store.indexes if name in schema.fields])
            return definition

    def add_subform(
        self,
        module: str,
        api_name: str,
        rows: Sequence[Sequence[Any]],
        *,
        mandatory: Sequence[str] = (),
        max_rows: int | None = None,
    ) -> FieldDef:
        """Define a subform field (R36), or redefine one: its rows hold the fields ``rows``
        (``(api_name, data_type)`` or ``(api_name, data_type, max_length)`` each); a new row
        needs the row fields ``mandatory``; at most ``max_rows`` rows (default 100 [inf]).

        Raises ``ConfigurationError`` for an impossible definition; all or nothing.
        """
        with self._lock:
            store = self._store(module)
            definition = subform_field(
                store.schema.api_name,
                api_name,
                rows,
                mandatory,
                max_rows,
                check_formats=self.options.check_formats,
            )
            schema = with_field(store.schema, definition, self.options.max_unique_fields)
            with self._atomic(store):
                store.set_schema(schema, [name for name in store.indexes if name in schema.fields])
            return definition

    def set_mandatory(self, module: str, fields: Sequence[str]) -> ModuleSchema:
        """Replace the mandatory fields of ``module`` (R4 is configurable)."""
        with self._lock:
            store = self._store(module)
            schema = with_mandatory(store.schema, _names(fields, "fields"))
            with self._atomic(store):
                store.set_schema(schema, list(store.indexes))
            return schema

    def set_setting(self, module: str, setting: str, enabled: bool = True) -> ModuleSchema:
        """Turn a module setting on or off (R4): ``set_setting("Deals", "pipelines")`` makes
        Deals' ``Pipeline`` mandatory on insert, as in an org with pipelines enabled.

        Raises ``ConfigurationError`` for a setting the module does not have; all or nothing.
        """
        with self._lock:
            store = self._store(module)
            schema = with_setting(store.schema, setting, enabled)
            with self._atomic(store):
                store.set_schema(schema, list(store.indexes))
            return schema

    def add_layout(
        self,
        module: str,
        layout_id: str | int,
        *,
        mandatory: Sequence[str] = (),
        name: str | None = None,
    ) -> ModuleSchema:
        """Define a layout of ``module``, or redefine one (R35).

        A record carrying ``"Layout": {"id": layout_id}`` is stored with that layout and, on
        insert, needs the layout's ``mandatory`` fields too (R4, R13). ``name`` defaults to
        ``"Layout <id>"``. Raises ``ConfigurationError`` for an id that is not 1 to 32 digits
        or a field the module lacks; all or nothing.
        """
        with self._lock:
            store = self._store(module)
            schema = with_layout(store.schema, layout_id, name, mandatory)
            with self._atomic(store):
                store.set_schema(schema, list(store.indexes))
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
            if not isinstance(record_id, str) or record_id_text(record_id) != record_id:
                raise ConfigurationError(
                    f"the id source returned {shown(record_id)}; ids are 1 to "
                    f"{MAX_RECORD_ID_DIGITS} ASCII digits"
                )
            if not self._taken(record_id):
                if any(record_id in store.records for store in self._stores.values()):
                    raise ConfigurationError(
                        f"the id source returned {record_id} for sequence {seq - 1}, already "
                        f"a record's id: an id source must be injective"
                    )
                return record_id, seq

    # --- reading -----------------------------------------------------------------------------
    def get(self, module: str, record_id: str | int) -> dict[str, Any] | None:
        """A copy of the record's fields (with ``id``), or None (also for a non-id)."""
        with self._lock:
            text = record_id_text(record_id)
            store = self._store(module)
            record = None if text is None else store.records.get(text)
            return None if record is None else {"id": text, **self._read(store, record)}

    def records(self, module: str) -> Iterator[dict[str, Any]]:
        """Copies of the module's records in creation order.

        The ids are taken when the call is made; each record is copied under the lock when
        the iteration reaches it, and one deleted in between is skipped.
        """
        with self._lock:
            store = self._store(module)
            ids = list(store.records)
        for record_id in ids:
            with self._lock:
                record = store.records.get(record_id)
                copied = None if record is None else {"id": record_id, **self._read(store, record)}
            if copied is not None:
                yield copied

    def _read(self, store: ModuleStore, record: dict[str, Any]) -> dict[str, Any]:
        """A copy of a stored record as Zoho reads it back: each lookup to a record of the
        org, a subform row's too (R36), shows that record's current name (R33)."""
        copied = copy.deepcopy(record)
        fields = store.schema.fields
        cells = [(copied, fields[name]) for name in store.schema.lookup_fields]
        for name in store.schema.subform_fields:
            rows = copied.get(name)
            lookups = [f for f in fields[name].rows if f.lookup_module is not None]
            for row in rows if lookups and isinstance(rows, list) else ():
                if isinstance(row, dict):
                    cells += [(row, f) for f in lookups]
        for holds, definition in cells:
            value = holds.get(definition.api_name)
            target = definition.lookup_module
            holder = None if target is None else self._stores.get(target)
            if holder is None or not isinstance(value, dict) or set(value) != {"name", "id"}:
                continue
            found = holder.records.get(value["id"]) if isinstance(value["id"], str) else None
            if found is not None:
                value["name"] = display_name(holder.schema, found)
        return copied

    def count(self, module: str) -> int:
        """Number of records in ``module``."""
        with self._lock:
            return len(self._store(module))

    # --- loading existing data ---------------------------------------------------------------
    def load(self, module: str, records: Iterable[Mapping[str, Any]]) -> list[str]:
        """Write existing data as is: no matching, no uniqueness (repeats allowed, R11, R14).

        A record may bring its own ``id`` (digits, new to the org) and ``Created_Time``.
        Everything is checked before anything is written: bad data raises
        ``InvalidLoadError`` naming the record and field, and loads nothing. All or nothing
        also when a normaliser raises or the load is interrupted (``KeyboardInterrupt``):
        no record, index entry or counter change remains. O(records).
        """
        with self._lock:
            store = self._store(module)
            try:
                rows = list(records)
            except TypeError:
                raise InvalidLoadError(
                    f"{module}: records must be an iterable of mappings, not {shown(records)}"
                ) from None
            collecting = gc.isenabled()
            gc.disable()  # millions of new dicts, none garbage: spare the collector's passes
            try:
                holders = [s.records for s in self._stores.values() if s.records]
                prepared, seen = check_load(
                    module, rows, lambda given: any(given in records for records in holders)
                )
                added = seen.difference(self._given_ids)
                with self._atomic(store) as on_rollback:
                    new_ids = self._load_rows(store, prepared, seen)
                    if prepared:  # section 8: the clock moves only with a write
                        self._write_seq += 1
                    on_rollback.append(lambda: self._given_ids.difference_update(added))
                    self._given_ids |= added
            finally:
                if collecting:
                    gc.enable()
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
        # shared: stored records are never changed in place, reads copy them
        user = _stamp(self.options.user)
        owned = self.options.load_owner and "Owner" in insert_defaults(
            store.schema, Context(self.options.user)
        )
        owners: dict[str, dict[str, Any]] = {}  # R32: one Owner value per creator
        for _, fields in prepared:
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
                    owner = owners[creator["id"]] = self._owner_of(creator)
                fields["Owner"] = owner
        store.insert_many(list(zip(new_ids, (fields for _, fields in prepared), strict=True)))
        self._id_seq = seq
        if seen:
            self._explicit_ids = True
        return new_ids

    def _owner_of(self, creator: Mapping[str, Any]) -> dict[str, Any]:
        """R32: the Owner of a loaded record that has none: its creator (Zoho's default)."""
        known = self._users.get(creator["id"])
        if known is not None:
            return user_value(known)
        return {"name": creator["name"], "id": creator["id"], "email": None}

    # --- upsert, and the plain insert and update APIs --------------------------------------
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
        """Apply a Zoho upsert request body (never mutated) and answer as Zoho does.

        ``as_user``: the id of the user the request acts as (R32; default ``Options.user``).
        ``if_unmodified_since``: the If-Unmodified-Since header (R34): ISO 8601 with an offset,
        or an aware datetime. ``external``: the X-EXTERNAL header (R24), a str or a list of
        its items; ``Module.Lookup.Field`` items read lookups by external value.
        """
        call = _Call("upsert", True, False, as_user, if_unmodified_since, external)
        return self._run(module, body, api_version, call)[0]

    def plan(
        self,
        module: str,
        body: Any,
        *,
        api_version: str | None = None,
        as_user: str | None = None,
        if_unmodified_since: Any = None,
        external: Any = None,
    ) -> Response:
        """Exactly what ``upsert`` would answer now (same keywords); writes nothing."""
        call = _Call("upsert", False, False, as_user, if_unmodified_since, external)
        return self._run(module, body, api_version, call)[0]

    def explain(
        self,
        module: str,
        body: Any,
        *,
        api_version: str | None = None,
        as_user: str | None = None,
        if_unmodified_since: Any = None,
        external: Any = None,
    ) -> Explanation:
        """Per record: check order, fields tried (raw → normalised → candidates), outcome, rule."""
        call = _Call("upsert", False, True, as_user, if_unmodified_since, external)
        response, order, traces, error = self._run(module, body, api_version, call)
        return Explanation(
            module if isinstance(module, str) else shown(module),
            response,
            order,
            tuple(traces),
            error,
        )

    def insert(
        self,
        module: str,
        body: Any,
        *,
        api_version: str | None = None,
        as_user: str | None = None,
        external: Any = None,
    ) -> Response:
        """Zoho's Insert Records API: no matching; mandatory fields and R14 uniqueness apply.

        ``as_user`` and ``external`` as for ``upsert`` (R32, R24).
        """
        call = _Call("insert", True, False, as_user, None, external)
        return self._run(module, body, api_version, call)[0]

    def update(
        self,
        module: str,
        body: Any,
        *,
        api_version: str | None = None,
        as_user: str | None = None,
        if_unmodified_since: Any = None,
        external: Any = None,
    ) -> Response:
        """Zoho's Update Records API: each record names its target by ``id`` (R12, R14).

        With ``external`` naming ``Module.Field`` (X-EXTERNAL, R24) each record names its
        target by that external field's value instead, and its success ``details`` carry it.
        ``as_user`` and ``if_unmodified_since`` as for ``upsert`` (R32, R34).
        """
        call = _Call("update", True, False, as_user, if_unmodified_since, external)
        return self._run(module, body, api_version, call)[0]

    def delete(
        self,
        module: str,
        record_ids: Sequence[Any],
        *,
        as_user: str | None = None,
        external: Any = None,
    ) -> Response:
        """Zoho's Delete Records API: at most 100 ids; unknown ids fail one by one.

        ``record_ids``: a list or tuple of ids (str or int, R19's limit); anything else is a
        request-level ``INVALID_DATA``. With ``external`` naming ``Module.Field`` (X-EXTERNAL,
        R24) they are values of that external field (the acting user's, for a user-based
        one). All or nothing under any exception (``_atomic``).
        """
        with self._lock:
            return self._delete(module, record_ids, self._acting(as_user), external)

    def find_external(
        self, module: str, field: str, values: Sequence[Any], *, as_user: str | None = None
    ) -> list[str | None]:
        """R24: for each value, the id of the record holding it in external field ``field``
        (among the acting user's records for a user-based field; by ``multi_match`` when
        several), or None. Raises ``ConfigurationError`` if ``field`` is not external."""
        with self._lock:
            acting = self._acting(as_user)
            store = self._store(module)
            if field not in store.schema.external_fields:
                raise ConfigurationError(
                    f"{field!r} is not an external field of {store.schema.api_name} (R24)"
                )
            if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
                raise ConfigurationError(
                    f"values must be a list of external values, not {shown(values)} (R24)"
                )
            return [self._by_external(store, field, value, acting) for value in values]

    def _by_external(self, store: ModuleStore, field: str, value: Any, acting: User) -> str | None:
        key = store.schema.fields[field].key(value) if isinstance(value, str) else None
        ranked = [] if key is None else external_holders(store.schema, store, field, key, acting)
        return pick(self.options, ranked) if ranked else None

    def _delete(
        self, module: str, record_ids: Sequence[Any], acting: User, external: Any
    ) -> Response:
        store = self._stores.get(canonical_module_name(module)) if isinstance(module, str) else None
        if store is None:
            return self._refuse(_invalid_module(), self.options.api_version)[0]
        if not isinstance(record_ids, (list, tuple)):
            error = RequestError(
                "INVALID_DATA",
                {"api_name": "ids"},
                f"ids must be a list of record ids, not {shown(record_ids)}",
                "R19",
            )
            return self._refuse(error, self.options.api_version)[0]
        if not 1 <= len(record_ids) <= self.options.max_records:
            error = RequestError(
                "LIMIT_EXCEEDED" if record_ids else "MANDATORY_NOT_FOUND",
                {"limit": self.options.max_records} if record_ids else {"api_name": "ids"},
                f"send 1 to {self.options.max_records} ids, not {len(record_ids)}",
                "R19",
            )
            return self._refuse(error, self.options.api_version)[0]
        header = parse_external(external, store.schema, self._schema_of)
        if isinstance(header, RequestError):
            return self._refuse(header, self.options.api_version)[0]
        by_field = header[0]
        entries: list[dict[str, Any]] = []
        with self._atomic(store):
            for given in record_ids:
                if by_field is None:
                    record_id = record_id_text(given)
                else:
                    record_id = self._by_external(store, by_field, given, acting)
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
                                "id": _echoed(given) if by_field else record_id or _echoed(given)
                            },
                            "message": "the id given seems to be invalid",
                            "status": "error",
                        }
                    )
            status = batch_status(entries)
            if status != 400:  # R16: nothing deleted, nothing changed
                self._write_seq += 1
        return Response(status, {"data": entries})

    def _schema_of(self, module: str) -> ModuleSchema | None:
        store = self._stores.get(module)
        return None if store is None else store.schema

    def _run(
        self, module: str, body: Any, api_version: str | None, call: _Call
    ) -> tuple[Response, tuple[str, ...], list[RecordTrace], str | None]:
        """One request (upsert, plan, explain, insert, update) under the lock, all or nothing."""
        with self._lock:
            version = api_version or self.options.api_version
            if version not in API_VERSIONS:
                raise ConfigurationError(
                    f"api_version={version!r} is not one of {API_VERSIONS} (R23)"
                )
            acting = self._acting(call.as_user)
            store = (
                self._stores.get(canonical_module_name(module)) if isinstance(module, str) else None
            )
            if store is None:  # R20
                return self._refuse(_invalid_module(), version)
            parsed = parse_request(body, self.options.max_records)
            if isinstance(parsed, RequestError):
                return self._refuse(parsed, version)
            since = parse_unmodified_since(call.since)
            if isinstance(since, RequestError):
                return self._refuse(since, version)
            header = parse_external(call.external, store.schema, self._schema_of)
            if isinstance(header, RequestError):
                return self._refuse(header, version)
            order: tuple[str, ...] = ()
            if call.mode == "upsert":
                resolved = resolve_check_order(
                    store.schema, parsed.duplicate_check_fields, self.options
                )
                if isinstance(resolved, RequestError):
                    return self._refuse(resolved, version)
                order = resolved
            ctx = Context(
                acting,
                self._module_id(store),
                _OrgView(self),  # per request: no engine <-> view cycle to outlive a reset
                since,
                MappingProxyType(header[1]),
                header[0] if call.mode == "update" else None,  # upsert needs none [doc]
            )
            now = self._now()
            entries: list[dict[str, Any]] = []
            traces: list[RecordTrace] = []
            with self._atomic(store):
                if call.commit and self.options.non_unique_check_field is NonUniqueCheckField.MATCH:
                    for name in order:  # (plan and explain scan instead: they build nothing)
                        store.ensure_index(name)
                seq = self._write_records(
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
                    self._id_seq = seq
                    if status < 400:  # R16: a request that wrote nothing leaves the clock too
                        self._write_seq += 1
                else:
                    store.rollback()
            body = for_version({"data": entries}, version)
            if not shows_approval_state(version, self.options.approval_state_since):
                body = without_approval_state(body)  # R31
            return Response(status, body), order, traces, None

    def _write_records(
        self,
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
        seq = self._id_seq
        stamp = _stamp(ctx.user)

        def apply(store: ModuleStore, decision: Accepted, now: str, seq: int) -> tuple[str, int]:
            return self._apply(store, decision, now, seq, stamp)

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
                self._fast_plan(store, order),
                store,
                records,
                now,
                seq,
                entries,
                EngineHooks(
                    self.options,
                    stamp,
                    ctx,
                    insert_defaults(store.schema, ctx),
                    self._ids is sequential_ids and not self._explicit_ids,
                    FIRST_ID,
                    apply,
                    self._next_id,
                ),
            )
        for position, record in enumerate(records):
            decision: Decision
            if mode == "update":
                target = update_target(store.schema, store, ctx, self.options, position, record)
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
                        ctx,
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
                    ctx,
                    trace=traces is not None,
                    by_id=mode == "upsert",
                )
            record_id: str | None = None
            if isinstance(decision, Accepted):
                record_id, seq = apply(store, decision, now, seq)
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
                    entry["details"] = _with_external(
                        entry["details"], ctx.record_external, record[ctx.record_external]
                    )
                entries.append(entry)
            else:
                entries.append(decision.entry())
            if traces is not None:
                traces.append(_trace(position, order, decision, record_id))
        return seq

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
        return response, (), [], error.why()

    def _apply(
        self, store: ModuleStore, decision: Accepted, now: str, seq: int, stamp: dict[str, str]
    ) -> tuple[str, int]:
        """The one place a decision becomes a write (R12): returns the id and the next seq."""
        values = {name: copy_value(value) for name, value in decision.values.items()}
        values["Modified_Time"] = now
        values["Modified_By"] = stamp
        record_id = decision.target_id
        if record_id is None:
            record_id, seq = self._next_id(seq)
        for name, position in decision.new_rows:  # R36: a new row's id, after the record's
            row_id, seq = self._next_id(seq)
            values[name][position] = {"id": row_id, **values[name][position]}
        if decision.target_id is None:
            values["Created_Time"] = now
            values["Created_By"] = stamp
            store.insert(record_id, values)
            return record_id, seq
        store.update(record_id, values)
        return record_id, seq

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


def _names(value: Any, what: str) -> tuple[str, ...]:
    """A configuration's list of field names; a bare str (which would iterate by character)
    or anything but strs is a ``ConfigurationError`` naming ``what``."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ConfigurationError(f"{what} must be a list of field names, not {shown(value)}")
    names = tuple(value)
    if not all(isinstance(name, str) for name in names):
        raise ConfigurationError(f"{what} must be a list of field names, not {shown(value)}")
    return names


def _echoed(given: Any) -> str:
    """An id that names no record, as an error entry echoes it (bounded; never ``str`` of a
    huge int)."""
    if isinstance(given, str) and len(given) <= 64:
        return given
    return shown(given, 40)


@dataclass(frozen=True, slots=True)
class _Call:
    """One request call: its API and what it brings besides the body (R24, R32, R34)."""

    mode: str  # "upsert" | "insert" | "update"
    commit: bool
    trace: bool
    as_user: str | None
    since: Any
    external: Any


class _OrgView:
    """The engine's users and modules as ``decision.OrgView`` reads them (R32, R33); made
    per request, so that nothing the engine holds refers back to it."""

    __slots__ = ("_engine",)

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def user(self, user_id: str) -> User | None:
        return self._engine._users.get(user_id)

    def module(self, name: str) -> tuple[ModuleSchema, StoreView] | None:
        store = self._engine._stores.get(name)
        return None if store is None else (store.schema, store)


def _stamp(user: User) -> dict[str, str]:
    """R18: a user as Created_By / Modified_By show it."""
    return {"name": user.name, "id": user.id}


def _with_external(details: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    """Success details of an update by external value: the field after Created_Time, as
    Zoho's update-records-ext sample shows it (R24)."""
    out: dict[str, Any] = {}
    for key, item in details.items():
        if key == "id":
            out[name] = value
        out[key] = item
    return out


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
