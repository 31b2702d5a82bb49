"""The org an ``Engine`` answers for: its modules, users, id and clock counters (R1-R4, R32).

``Org`` holds all of the engine's state and the calls that configure it: modules and their
fields, mandatory fields, settings, layouts and subforms (R1-R4, R35, R36), the org's users
(R32), and the counters from which ids and times come (injected functions of a counter: no
clock, no randomness). ``Engine`` (engine.py) adds the requests; ``_requests.py`` runs them.

Atomicity (spec section 8): every public call that changes anything holds ``_lock`` and runs
in ``_atomic``: the stores it touches log their writes, the id and clock counters are set just
before the commit, and any exception, ``BaseException`` included, rolls back writes and
counters before it propagates.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

from .errors import ConfigurationError, UnknownModuleError, UnknownUserError, shown
from .fields import FieldDef, Normalizer, record_id_text
from .options import Options, User
from .outcomes import StoreView
from .rules import MAX_RECORD_ID_DIGITS, MODULE_ID_BASE, SYSTEM_DUPLICATE_FIELDS
from .schema import (
    CUSTOM_MODULE_FIELDS,
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
from .standard_fields import STANDARD_FIELDS
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


class Org:
    """The state of an ``Engine`` and the calls that configure it (see the module docstring).

    Not used on its own: ``Engine`` is the org that answers requests.
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

    # --- modules ------------------------------------------------------------------------------
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
                taken = json.dumps(self._users[user.id].name, ensure_ascii=False)
                raise ConfigurationError(
                    f"user id {user.id} is already the org's user {taken} (R32)"
                )
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
                names_of(system_fields, "system_fields"),
                names_of(mandatory_fields, "mandatory_fields"),
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
        pick_list_values: Sequence[str] = (),
    ) -> FieldDef:
        """Define a field, or redefine one (e.g. make a standard field unique: R1, R3, R8).

        ``max_length`` and ``decimal_place`` are Zoho's field ``length`` and ``decimal_place``
        (R15); each defaults to the type's. ``external`` ("org" or "user") makes a text field
        an external field (R24): a duplicate check field, unique per org or per user.
        ``lookup_module`` names the module a custom lookup field looks up (R33).
        ``pick_list_values``: a picklist's configured values, which its field metadata lists
        (R15: writes still accept any value). The field's
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
                pick_list_values=pick_list_values,
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
            schema = with_mandatory(store.schema, names_of(fields, "fields"))
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

    def remove_field(self, module: str, api_name: str) -> ModuleSchema:
        """Delete a custom field and its value on every record, as Zoho's Delete Custom Fields
        API does [doc v6 delete-custom-fields: "You can delete custom fields, but not the
        system-defined fields"]: the fake server's ``DELETE /settings/fields/{id}``.

        Raises ``ConfigurationError`` for a standard field, an unknown one, or one the module's
        system, mandatory or layout lists name. The module's records and indexes are rebuilt
        aside and swapped in with one assignment: all or nothing. O(records).
        """
        with self._lock:
            store = self._store(module)
            schema = store.schema
            standard = {row[0] for row in STANDARD_FIELDS.get(schema.api_name, ())}
            if schema.custom:
                standard = {row[0] for row in CUSTOM_MODULE_FIELDS}
            named = {
                *schema.system_fields,
                *schema.insert_mandatory(),
                *(n for layout in schema.layouts.values() for n in layout.mandatory_fields),
            }
            if api_name not in schema.fields or api_name in standard or api_name in named:
                raise ConfigurationError(
                    f"{schema.api_name}.{api_name!s:.80} is not a custom field that can be "
                    f"deleted (standard, unknown, or a system, mandatory or layout field)"
                )
            fields = {k: v for k, v in schema.fields.items() if k != api_name}
            smaller = dataclasses.replace(schema, fields=fields)
            fresh = ModuleStore(smaller)
            rows = [
                (record_id, {k: v for k, v in record.items() if k != api_name})
                for record_id, record in store.records.items()
            ]
            fresh.insert_many(rows)
            for name in store.indexes:
                if name in fields:
                    fresh.ensure_index(name)
            self._stores[schema.api_name] = fresh
            return smaller

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
                # another source may repeat an id; the default one is injective by design
                if self._ids is not sequential_ids and any(
                    record_id in store.records for store in self._stores.values()
                ):
                    raise ConfigurationError(
                        f"the id source returned {record_id} for sequence {seq - 1}, already "
                        f"a record's id: an id source must be injective"
                    )
                return record_id, seq

    def _schema_of(self, module: str) -> ModuleSchema | None:
        store = self._stores.get(module)
        return None if store is None else store.schema

    # --- invariants --------------------------------------------------------------------------
    def _check(self) -> None:
        """Assert every module's indexes agree with its records (sortedcontainers-style)."""
        for store in self._stores.values():
            store._check()


def names_of(value: Any, what: str) -> tuple[str, ...]:
    """A configuration's list of field names; a bare str (which would iterate by character)
    or anything but strs is a ``ConfigurationError`` naming ``what``."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ConfigurationError(f"{what} must be a list of field names, not {shown(value)}")
    names = tuple(value)
    if not all(isinstance(name, str) for name in names):
        raise ConfigurationError(f"{what} must be a list of field names, not {shown(value)}")
    return names


class OrgView:
    """The org's users and modules as ``decision.OrgView`` reads them (R32, R33); made per
    request, so that nothing the org holds refers back to it."""

    __slots__ = ("_org",)

    def __init__(self, org: Org) -> None:
        self._org = org

    def user(self, user_id: str) -> User | None:
        return self._org._users.get(user_id)

    def module(self, name: str) -> tuple[ModuleSchema, StoreView] | None:
        store = self._org._stores.get(name)
        return None if store is None else (store.schema, store)
