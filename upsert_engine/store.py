"""One module's records and its hash indexes, with an undo log (R8-R11, R16).

Records live in a dict ``id -> fields`` in creation order. Each indexed field (the module's
duplicate check fields, plus any field a request asks to match on) has a hash index
``normalised key -> id`` (one holder, the common case) or ``-> [ids]`` (several: possible for
system fields and for repeats loaded on purpose, R11). A str instead of a one-element list
saves about 70 bytes per record per index.

Writes go through ``insert``/``update``/``delete``; between ``begin()`` and ``commit()`` each
write logs how to undo itself, so ``rollback()`` restores records and indexes exactly: that is
how ``plan()`` evaluates a request without writing (R16, dry run), and how every write is all
or nothing (spec section 8, "Atomicity").

Why a write can always be undone, whatever interrupts it (a raising user normaliser, a
``KeyboardInterrupt`` between two bytecodes): each write (1) computes every normalised key it
needs, which is the only step that runs user code, (2) logs its undo entry, holding those keys
and the prior holders of every index slot it will change, and only then (3) changes records and
indexes with plain dict and list operations. ``rollback`` never calls a normaliser: it puts back
what the log holds, and each of its steps is correct whether the interrupted write got to it or
not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timezone
from typing import Any

from .fields import normalize_text
from .schema import ModuleSchema

#: Makers of the dicts the store writes to: the fault-injection tests replace them with dicts
#: whose every write may raise (tests/test_faults.py), as SQLite's tests hook its allocator.
_new_index: Callable[[], Index] = dict
_new_records: Callable[[], dict[str, dict[str, Any]]] = dict

#: An index: normalised key -> the one holder's id, or a list of two or more ids (R11).
Index = dict[str, "str | list[str]"]
#: What ``rollback`` needs of one write (see ``_undo_one``).
UndoEntry = tuple[Any, ...]


_EPOCH = datetime.min.replace(tzinfo=timezone.utc)


def age_key(record_id: str, record: dict[str, Any]) -> tuple[datetime, int, str]:
    """R11: sort key of a record's age: creation time, then id as a number.

    Never raises: a missing or unreadable time sorts first, and ids compare as numbers by
    (digit count, digits) rather than through ``int`` (which refuses over 4300 digits).
    """
    created = record.get("Created_Time")
    when = _EPOCH
    if isinstance(created, str):
        try:
            parsed = datetime.fromisoformat(created.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None and parsed.utcoffset() is not None:
            when = parsed
    digits = record_id.lstrip("0")
    return when, len(digits), digits


class ModuleStore:
    """Records of one module and one hash index per duplicate check field.

    find: O(1). insert/update/delete: O(indexed fields written). rollback: O(writes logged).
    Not thread-safe on its own: the engine serialises every call (``Engine``'s lock).
    """

    __slots__ = ("_indexed", "_order_logged", "_undo", "fast_plans", "indexes", "records", "schema")

    def __init__(self, schema: ModuleSchema) -> None:
        self.schema = schema
        self.records: dict[str, dict[str, Any]] = _new_records()
        self.indexes: dict[str, Index] = {}
        self._indexed: tuple[tuple[str, Any], ...] = ()
        self._undo: list[UndoEntry] | None = None
        self._order_logged = False  # the open transaction logged the records' order
        #: the engine's compiled per-check-order plans; invalid once the schema changes
        self.fast_plans: dict[tuple[str, ...], Any] = {}
        self.set_schema(schema)

    # --- configuration ----------------------------------------------------------------------
    def set_schema(self, schema: ModuleSchema, extra: Iterable[str] = ()) -> None:
        """Adopt a new schema; index ``extra`` fields too.

        The new indexes are built aside and swapped in whole (an index whose field definition
        is unchanged is kept as it is: O(1)); a rebuilt one costs O(records). A normaliser
        that raises leaves the store as it was; inside a transaction the swap is logged.
        """
        wanted = dict.fromkeys((*schema.duplicate_check_fields, *extra))
        indexed = tuple((name, schema.fields[name]) for name in wanted)
        old_fields = self.schema.fields
        indexes: dict[str, Index] = {}
        for name, definition in indexed:
            kept = self.indexes.get(name)
            if kept is not None and old_fields.get(name) is definition:
                indexes[name] = kept
            else:
                indexes[name] = self._build_index(definition, name)
        if self._undo is not None:
            self._undo.append(("schema", self.schema, self._indexed, self.indexes, self.fast_plans))
        self.schema, self._indexed, self.indexes, self.fast_plans = schema, indexed, indexes, {}

    def _build_index(self, definition: Any, name: str) -> Index:
        """A new index of ``name`` over the records (calls the field's normaliser): O(n)."""
        index: Index = _new_index()
        key_of = definition.key
        for record_id, record in self.records.items():
            key = key_of(record.get(name))
            if key is not None:
                _add_holder(index, key, record_id)
        return index

    def ensure_index(self, field: str) -> None:
        """Index ``field`` too (a non-unique field a request matches on, R7 option ``match``)."""
        if field not in self.indexes:
            self.set_schema(self.schema, (*self.indexes, field))

    # --- reads (the StoreView of decision.py) -----------------------------------------------
    def find(self, field: str, key: str) -> Sequence[str]:
        """Ids whose normalised ``field`` equals ``key``: O(1) (O(n) on a field not indexed)."""
        index = self.indexes.get(field)
        if index is None:  # a dry run matching on a non-unique field (R7 ``match``)
            definition = self.schema.fields[field]
            return [
                rid for rid, rec in self.records.items() if definition.key(rec.get(field)) == key
            ]
        holders = index.get(key)
        if holders is None:
            return ()
        return (holders,) if isinstance(holders, str) else holders

    def key_of(self, record_id: str, field: str) -> str | None:
        """The normalised value of ``field`` in ``record_id`` (R8)."""
        return self.schema.fields[field].key(self.records[record_id].get(field))

    def get(self, record_id: str) -> dict[str, Any] | None:
        """The stored fields of ``record_id`` (for reading only), or None: O(1)."""
        return self.records.get(record_id)

    def oldest_first(self, record_ids: Iterable[str]) -> list[str]:
        """R11: ids from the oldest record to the newest: O(k log k)."""
        ids = list(record_ids)
        if len(ids) < 2:
            return ids
        return sorted(ids, key=lambda rid: age_key(rid, self.records[rid]))

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[str]:
        return iter(self.records)

    # --- index slots ------------------------------------------------------------------------
    def undo_log(self) -> list[UndoEntry] | None:
        """The log of the open transaction (the engine's fast path appends to it), or None."""
        return self._undo

    def add_key(self, field: str, key: str, record_id: str) -> None:
        """Index ``record_id`` under ``key`` in ``field`` (the engine's fast path)."""
        _add_holder(self.indexes[field], key, record_id)

    def _keys(self, record: dict[str, Any], known: dict[str, str | None]) -> dict[str, str]:
        """Normalised keys of ``record`` per indexed field, ``known`` ones reused (R8, R9).

        The only step of an insert that runs user code (normalisers): done before logging.
        """
        keys: dict[str, str] = {}
        for name, definition in self._indexed:
            if name in known:
                key = known[name]
            else:
                value = record.get(name)
                key = None if value is None else definition.normalizer(value) or None
            if key is not None:
                keys[name] = key
        return keys

    # --- writes -------------------------------------------------------------------------------
    def insert_many(self, rows: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """``insert`` for each ``(record_id, record)``, in order (bulk load): all or nothing.

        Every key is computed before anything is written (a raising normaliser writes
        nothing); an exception during the writes (``KeyboardInterrupt``) undoes them before
        it propagates. Inside a transaction the whole load is one undo entry.
        """
        ids = [record_id for record_id, _ in rows]
        columns: list[tuple[Index, list[str | None]]] = []
        for name, definition in self._indexed:
            normalize = definition.normalizer
            text = normalize is normalize_text
            column: list[str | None] = []
            append = column.append
            for _, record in rows:
                value = record.get(name)
                if value is None:
                    append(None)
                elif text and value.__class__ is str:  # normalize_text, inlined
                    lowered = value.strip().lower()
                    append((value if lowered == value else lowered) or None)  # shared if equal
                else:
                    append(normalize(value) or None)
            columns.append((self.indexes[name], column))
        entry = ("bulk", ids, columns)
        if self._undo is not None:
            self._undo.append(entry)
        records = self.records
        try:
            for record_id, record in rows:
                records[record_id] = record
            for index, column in columns:
                for record_id, key in zip(ids, column, strict=True):
                    if key is not None and index.setdefault(key, record_id) != record_id:
                        _add_holder(index, key, record_id)  # the key had a holder
        except BaseException:
            if self._undo is None:  # no transaction to roll back: undo here
                self._undo_one(entry)
            raise

    def insert(self, record_id: str, record: dict[str, Any]) -> None:
        """Add a record (``record_id`` must be new)."""
        self.insert_keyed(record_id, record, {})

    def insert_keyed(
        self, record_id: str, record: dict[str, Any], known: dict[str, str | None]
    ) -> None:
        """``insert`` when the caller already knows some normalised keys (``known[field]``)."""
        keys = self._keys(record, known)
        if self._undo is not None:
            self._undo.append(("insert", record_id, keys))
        self.records[record_id] = record
        indexes = self.indexes
        for name, key in keys.items():
            _add_holder(indexes[name], key, record_id)

    def update_keyed(
        self, record_id: str, patch: dict[str, Any], known: dict[str, str | None]
    ) -> dict[str, Any]:
        """R12: write the fields of ``patch`` into the record, keeping the others; returns it.

        ``known`` holds normalised keys of ``patch`` the caller already computed. Logs a copy
        of the whole record (one C-level copy is cheaper than picking the patched fields) and
        the prior holders of every index slot that changes.
        """
        record = self.records[record_id]
        changes: list[tuple[Index, str | None, str | None, str | tuple[str, ...] | None]] = []
        for name, definition in self._indexed:
            if name not in patch:
                continue
            value = record.get(name)
            incoming = patch[name]
            if value is incoming or (
                value.__class__ is str and incoming.__class__ is str and value == incoming
            ):
                continue  # the same string: the same key
            normalize = definition.normalizer
            if value is None:
                old = None
            elif normalize is normalize_text and value.__class__ is str:
                old = value.strip().lower() or None  # normalize_text, inlined
            else:
                old = normalize(value) or None
            if name in known:
                new = known[name]
            else:
                new = None if incoming is None else normalize(incoming) or None
            if old != new:
                index = self.indexes[name]
                prior = None if old is None else _frozen(index[old])
                changes.append((index, old, new, prior))
        if self._undo is not None:
            self._undo.append(("update", record_id, dict(record), changes))
        for index, old, new, _ in changes:
            if old is not None:
                _discard_holder(index, old, record_id)
            if new is not None:
                _add_holder(index, new, record_id)
        record.update(patch)
        return record

    def update(self, record_id: str, patch: dict[str, Any]) -> None:
        """R12: write the fields of ``patch`` into the record, keeping the others."""
        self.update_keyed(record_id, patch, {})

    def delete(self, record_id: str) -> dict[str, Any]:
        """Remove a record and its index entries; returns the record."""
        record = self.records[record_id]
        keys = self._keys(record, {})
        indexes = self.indexes
        slots = [(indexes[name], key, _frozen(indexes[name][key])) for name, key in keys.items()]
        if self._undo is not None:
            if not self._order_logged:  # once per transaction: O(records)
                self._undo.append(("order", list(self.records)))
                self._order_logged = True
            self._undo.append(("delete", record_id, record, slots))
        for index, key, _ in slots:
            _discard_holder(index, key, record_id)
        del self.records[record_id]
        return record

    # --- transactions ----------------------------------------------------------------------
    def begin(self) -> None:
        """Start logging writes so that ``rollback`` can undo them."""
        self._undo = []
        self._order_logged = False

    def in_transaction(self) -> bool:
        """Whether writes are being logged (between ``begin`` and ``commit``/``rollback``)."""
        return self._undo is not None

    def commit(self) -> None:
        """Keep the writes made since ``begin``."""
        self._undo = None

    def rollback(self) -> None:
        """Undo every write made since ``begin``, newest first: O(writes).

        Runs no user code (no normaliser): it puts back what the log holds. The log is
        dropped only when every entry has been undone, so a rollback interrupted in turn
        (a second ``KeyboardInterrupt``) can be run again.
        """
        log = self._undo or []
        while log:
            self._undo_one(log[-1])
            log.pop()
        self._undo = None
        self._order_logged = False

    def _undo_one(self, entry: UndoEntry) -> None:
        """Undo one logged write, whether it completed or was interrupted anywhere."""
        kind = entry[0]
        records = self.records
        if kind == "insert":
            _, record_id, keys = entry
            for name, key in keys.items():
                if key is not None:  # the fast path logs the keys it computed, None included
                    _discard_holder(self.indexes[name], key, record_id)
            records.pop(record_id, None)
        elif kind == "put":  # the fast path's insert: the indexes it wrote, with their keys
            _, record_id, indexes, keys = entry
            for index, key in zip(indexes, keys, strict=True):
                if key is not None:
                    _discard_holder(index, key, record_id)
            records.pop(record_id, None)
        elif kind == "update":
            _, record_id, saved, changes = entry
            for index, old, new, prior in reversed(changes):
                if new is not None:
                    _discard_holder(index, new, record_id)
                if old is not None:
                    index[old] = _thawed(prior)
            record = records[record_id]
            record.clear()  # the same dict: compiled fast paths and callers may hold it
            record.update(saved)
        elif kind == "delete":
            _, record_id, record, slots = entry
            for index, key, prior in slots:
                index[key] = _thawed(prior)
            records.setdefault(record_id, record)  # at the end: "order" puts it back in place
        elif kind == "order":  # undone after every delete of the transaction
            _, order = entry
            if list(records) != order:
                # creation order as it was (in place: the compiled fast paths hold this dict)
                ordered = [(record_id, records[record_id]) for record_id in order]
                records.clear()
                records.update(ordered)
        elif kind == "bulk":
            _, ids, columns = entry
            for index, column in columns:
                for record_id, key in zip(ids, column, strict=True):
                    if key is not None:
                        _discard_holder(index, key, record_id)
            for record_id in ids:
                records.pop(record_id, None)
        else:  # "schema"
            _, self.schema, self._indexed, self.indexes, self.fast_plans = entry

    # --- invariants -------------------------------------------------------------------------
    def _check(self) -> None:
        """Assert that every index holds exactly the records' normalised values, and that
        every compiled plan refers to the current records and indexes (O(n))."""
        assert self._undo is None or isinstance(self._undo, list)
        assert set(self.indexes) == {name for name, _ in self._indexed}
        for name, definition in self._indexed:
            assert self.schema.fields[name] is definition, f"index {name}: stale definition"
            expected: dict[str, set[str]] = {}
            for record_id, record in self.records.items():
                key = definition.key(record.get(name))
                if key is not None:
                    expected.setdefault(key, set()).add(record_id)
            index = self.indexes[name]
            assert set(index) == set(expected), f"index {name}: keys differ"
            for key, holders in index.items():
                if isinstance(holders, list):
                    assert len(holders) >= 2, f"index {name}[{key!r}]: list of {len(holders)}"
                    assert len(set(holders)) == len(holders), f"index {name}[{key!r}]: repeats"
                    assert set(holders) == expected[key], f"index {name}[{key!r}] differs"
                else:
                    assert {holders} == expected[key], f"index {name}[{key!r}] differs"
        for plan in self.fast_plans.values():
            assert plan.records is self.records, "a compiled plan holds stale records"
            assert plan.indexes is self.indexes, "a compiled plan holds stale indexes"
            assert plan.fields is self.schema.fields, "a compiled plan holds a stale schema"


def _frozen(holders: str | list[str]) -> str | tuple[str, ...]:
    """An index slot's holders as a value the log can keep (lists change in place)."""
    return holders if isinstance(holders, str) else tuple(holders)


def _thawed(prior: str | tuple[str, ...]) -> str | list[str]:
    return prior if isinstance(prior, str) else list(prior)


def _add_holder(index: Index, key: str, record_id: str) -> None:
    """Index ``record_id`` under ``key`` (after any holders already there)."""
    holders = index.get(key)
    if holders is None:
        index[key] = record_id
    elif isinstance(holders, str):
        index[key] = [holders, record_id]
    else:
        holders.append(record_id)


def _discard_holder(index: Index, key: str, record_id: str) -> None:
    """Remove ``record_id`` from ``key``'s holders if it is one (so an undo can repeat it)."""
    holders = index.get(key)
    if holders is None:
        return
    if isinstance(holders, str):
        if holders == record_id:
            del index[key]
        return
    if record_id in holders:
        holders.remove(record_id)
    if len(holders) == 1:  # also when an interrupted earlier attempt removed it already
        index[key] = holders[0]
