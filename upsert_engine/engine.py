"""The engine: an org of modules that answers Zoho upsert requests in memory.

``Engine`` is the only stateful object of the core. Its state and configuration calls (modules,
fields, users, id and clock counters, all-or-nothing ``_atomic``) are the ``Org`` it extends
(_org.py); here are its requests and reads. For one request it (1) checks the body's shape
(request.py), (2) resolves the check order (decision.py), (3) decides each record in order
against the store as it stands (decision.py, or the compiled fast path, _fastpath.py), (4)
applies each accepted record in one place, ``_requests.apply``, inside a store transaction,
and (5) commits (``upsert``) or rolls back (``plan``, ``explain``): _requests.py. Ids and
times come from injected functions (no clock, no randomness).

Atomicity (spec section 8): every public call that changes anything runs in ``_atomic``: the
stores it touches log their writes, the id and clock counters are set just before the commit,
and any exception, ``BaseException`` included, rolls back writes and counters before it
propagates. One lock serialises the public calls, so an ``Engine`` can be shared by threads.
"""

from __future__ import annotations

import copy
import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from . import _requests
from ._loading import check_load, load_rows
from ._org import Clock, IdSource, Org, sequential_ids, stepping_clock
from ._requests import Call
from .errors import ConfigurationError, InvalidLoadError, shown
from .explain import Explanation
from .fields import record_id_text
from .references import computed_values, display_name
from .responses import Response
from .store import ModuleStore

__all__ = ["Clock", "Engine", "IdSource", "sequential_ids", "stepping_clock"]


class Engine(Org):
    """An in-memory Zoho CRM org answering upsert requests exactly as Zoho does (R1-R25, R32-R34).

    Every public call either completes or leaves the engine exactly as it was (records, every
    index, the id and clock counters, compiled plans), also when an exception of any kind,
    ``KeyboardInterrupt`` included, interrupts it (spec section 8). Thread-safe: one re-entrant
    lock around each public call; calls from several threads apply one at a time.
    ``records()`` copies each record under the lock as it reaches it: it sees the records that
    existed when it was called, minus those deleted since.
    """

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
        org, a subform row's too (R36), shows that record's current name (R33); Full_Name
        is composed, never stored (``COMPUTED_FIELDS``)."""
        copied = copy.deepcopy(record)
        copied.update(computed_values(store.schema, record))
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

    def now(self) -> str:
        """The time the engine's injected clock gives its next write (the ``Created_Time`` /
        ``Modified_Time`` that write stamps, R12), ISO 8601. Reads no real clock; moves only
        when a write is applied (section 8)."""
        with self._lock:
            return self._now()

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
                held = [s.records for s in self._stores.values() if s.records]
                prepared, seen = check_load(module, rows, held, store.schema.fields)
                added = seen.difference(self._given_ids)
                with self._atomic(store) as on_rollback:
                    new_ids = load_rows(self, store, prepared, seen)
                    if prepared:  # section 8: the clock moves only with a write
                        self._write_seq += 1
                    on_rollback.append(lambda: self._given_ids.difference_update(added))
                    self._given_ids |= added
            finally:
                if collecting:
                    gc.enable()
            return new_ids

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
        call = Call("upsert", True, False, as_user, if_unmodified_since, external)
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
        call = Call("upsert", False, False, as_user, if_unmodified_since, external)
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
        call = Call("upsert", False, True, as_user, if_unmodified_since, external)
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
        call = Call("insert", True, False, as_user, None, external)
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
        call = Call("update", True, False, as_user, if_unmodified_since, external)
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
            return _requests.delete(self, module, record_ids, self._acting(as_user), external)

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
            return [_requests.by_external(self, store, field, value, acting) for value in values]

    def _run(self, module: str, body: Any, api_version: str | None, call: Call) -> _requests.Ran:
        """One request (upsert, plan, explain, insert, update) under the lock, all or nothing."""
        with self._lock:
            return _requests.run(self, module, body, api_version, call)
