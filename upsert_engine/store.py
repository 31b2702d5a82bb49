"""One module's records and its hash indexes, with an undo log (R8-R11, R16).

Records live in a dict ``id -> fields`` in creation order. Each indexed field (the module's
duplicate check fields, plus any field a request asks to match on) has a hash index
``normalised key -> id`` (one holder, the common case) or ``-> [ids]`` (several: possible for
system fields and for repeats loaded on purpose, R11). A str instead of a one-element list
saves about 70 bytes per record per index.

Writes go through ``insert``/``update``/``delete``; between ``begin()`` and ``commit()`` each
write logs how to undo itself, so ``rollback()`` restores records and indexes exactly: that is
how ``plan()`` evaluates a request without writing (R16, dry run).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from .fields import normalize_text
from .schema import ModuleSchema

_ABSENT: Any = object()  # undo marker: the field was not in the record


def age_key(record_id: str, record: dict[str, Any]) -> tuple[datetime | str, int]:
    """R11: sort key of a record's age: creation time, then id as a number."""
    created = record.get("Created_Time")
    when: datetime | str = created if isinstance(created, str) else ""
    if isinstance(created, str):
        try:
            when = datetime.fromisoformat(created.replace("Z", "+00:00"))
        except ValueError:
            when = created
    return when, int(record_id)


class ModuleStore:
    """Records of one module and one hash index per duplicate check field.

    find: O(1). insert/update/delete: O(indexed fields written). rollback: O(writes logged).
    """

    __slots__ = ("_indexed", "_undo", "fast_plans", "indexes", "records", "schema")

    def __init__(self, schema: ModuleSchema) -> None:
        self.schema = schema
        self.records: dict[str, dict[str, Any]] = {}
        self.indexes: dict[str, dict[str, str | list[str]]] = {}
        self._indexed: tuple[tuple[str, Any], ...] = ()
        self._undo: list[tuple[str, str, Any]] | None = None
        #: the engine's compiled per-check-order plans; invalid once the schema changes
        self.fast_plans: dict[tuple[str, ...], Any] = {}
        self.set_schema(schema)

    # --- configuration ----------------------------------------------------------------------
    def set_schema(self, schema: ModuleSchema, extra: Iterable[str] = ()) -> None:
        """Adopt a new schema and rebuild every index from the records: O(records × fields)."""
        self.schema = schema
        self.fast_plans = {}
        wanted = dict.fromkeys((*schema.duplicate_check_fields, *extra))
        self._indexed = tuple((name, schema.fields[name]) for name in wanted)
        self.indexes = {name: {} for name in wanted}
        for record_id, record in self.records.items():
            self._index_record(record_id, record)

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

    # --- index maintenance -----------------------------------------------------------------
    def undo_log(self) -> list[tuple[str, str, Any]] | None:
        """The log of the open transaction (the engine's fast path appends to it), or None."""
        return self._undo

    def add_key(self, field: str, key: str, record_id: str) -> None:
        """Index ``record_id`` under ``key`` in ``field`` (the engine's fast path)."""
        self._add_key(field, key, record_id)

    def _add_key(self, field: str, key: str, record_id: str) -> None:
        index = self.indexes[field]
        holders = index.get(key)
        if holders is None:
            index[key] = record_id
        elif isinstance(holders, str):
            index[key] = [holders, record_id]
        else:
            holders.append(record_id)

    def _remove_key(self, field: str, key: str, record_id: str) -> None:
        index = self.indexes[field]
        holders = index[key]
        if isinstance(holders, str):
            del index[key]
            return
        holders.remove(record_id)
        if len(holders) == 1:
            index[key] = holders[0]

    def _index_record(self, record_id: str, record: dict[str, Any]) -> None:
        for name, definition in self._indexed:
            value = record.get(name)
            if value is not None:
                key = definition.key(value)
                if key is not None:
                    self._add_key(name, key, record_id)

    # --- writes -------------------------------------------------------------------------------
    def insert_many(self, rows: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """``insert`` for each ``(record_id, record)``, in order (bulk load)."""
        records = self.records
        undo = self._undo
        indexed = [
            (
                name,
                definition.normalizer,
                definition.normalizer is normalize_text,
                self.indexes[name],
            )
            for name, definition in self._indexed
        ]
        for record_id, record in rows:
            records[record_id] = record
            for name, normalize, text, index in indexed:
                value = record.get(name)
                if value is None:
                    continue
                if text and value.__class__ is str:
                    key = value.strip().lower() or None  # normalize_text, inlined
                else:
                    key = normalize(value) or None
                if key is not None and index.setdefault(key, record_id) != record_id:
                    self._add_key(name, key, record_id)  # the key had a holder
            if undo is not None:
                undo.append(("insert", record_id, None))

    def insert(self, record_id: str, record: dict[str, Any]) -> None:
        """Add a record (``record_id`` must be new)."""
        self.records[record_id] = record
        self._index_record(record_id, record)
        if self._undo is not None:
            self._undo.append(("insert", record_id, None))

    def insert_keyed(
        self, record_id: str, record: dict[str, Any], keys: dict[str, str | None]
    ) -> None:
        """``insert`` when the caller already knows some normalised keys (``keys[field]``)."""
        self.records[record_id] = record
        indexes = self.indexes
        for name, definition in self._indexed:
            if name in keys:
                key = keys[name]
            else:
                value = record.get(name)
                key = None if value is None else definition.normalizer(value) or None
            if key is not None:
                index = indexes[name]
                holders = index.get(key)
                if holders is None:
                    index[key] = record_id
                else:
                    self._add_key(name, key, record_id)
        if self._undo is not None:
            self._undo.append(("insert", record_id, None))

    def update_keyed(
        self, record_id: str, patch: dict[str, Any], keys: dict[str, str | None]
    ) -> dict[str, Any]:
        """``update`` when the caller already knows some normalised keys; returns the record.

        Logs a copy of the whole record for ``rollback`` (one C-level copy is cheaper than
        picking the patched fields one by one).
        """
        record = self.records[record_id]
        if self._undo is not None:
            self._undo.append(("replace", record_id, dict(record)))
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
            if name in keys:
                new = keys[name]
            else:
                new = None if incoming is None else normalize(incoming) or None
            if old != new:
                if old is not None:
                    self._remove_key(name, old, record_id)
                if new is not None:
                    self._add_key(name, new, record_id)
        record.update(patch)
        return record

    def update(self, record_id: str, patch: dict[str, Any]) -> None:
        """R12: write the fields of ``patch`` into the record, keeping the others."""
        record = self.records[record_id]
        if self._undo is not None:
            self._undo.append(
                ("update", record_id, {name: record.get(name, _ABSENT) for name in patch})
            )
        self._patch(record_id, record, patch)

    def _patch(self, record_id: str, record: dict[str, Any], patch: dict[str, Any]) -> None:
        indexes = self.indexes
        fields = self.schema.fields
        for name, value in patch.items():
            if name in indexes:
                definition = fields[name]
                old = definition.key(record.get(name))
                new = definition.key(value) if value is not _ABSENT else None
                if old != new:
                    if old is not None:
                        self._remove_key(name, old, record_id)
                    if new is not None:
                        self._add_key(name, new, record_id)
            if value is _ABSENT:
                record.pop(name, None)
            else:
                record[name] = value

    def _restore(self, record_id: str, saved: dict[str, Any]) -> None:
        """Put back a record's earlier fields (the undo of ``update_keyed``), same object."""
        record = self.records[record_id]
        for name, definition in self._indexed:
            old = definition.key(record.get(name))
            new = definition.key(saved.get(name))
            if old != new:
                if old is not None:
                    self._remove_key(name, old, record_id)
                if new is not None:
                    self._add_key(name, new, record_id)
        record.clear()
        record.update(saved)

    def delete(self, record_id: str) -> dict[str, Any]:
        """Remove a record and its index entries; returns the record."""
        record = self.records.pop(record_id)
        for name, definition in self._indexed:
            key = definition.key(record.get(name))
            if key is not None:
                self._remove_key(name, key, record_id)
        if self._undo is not None:
            self._undo.append(("delete", record_id, record))
        return record

    # --- transactions ----------------------------------------------------------------------
    def begin(self) -> None:
        """Start logging writes so that ``rollback`` can undo them."""
        self._undo = []

    def commit(self) -> None:
        """Keep the writes made since ``begin``."""
        self._undo = None

    def rollback(self) -> None:
        """Undo every write made since ``begin``, newest first: O(writes)."""
        log, self._undo = self._undo or [], None
        for kind, record_id, saved in reversed(log):
            if kind == "insert":
                self.delete(record_id)
            elif kind == "update":
                self._patch(record_id, self.records[record_id], saved)
            elif kind == "replace":
                self._restore(record_id, saved)
            else:
                self.records[record_id] = saved
                self._index_record(record_id, saved)
        if log and any(kind == "delete" for kind, _, _ in log):
            # re-inserted records went to the end; restore creation order (in place: the
            # engine's compiled fast paths hold on to this dict)
            ordered = sorted(self.records.items(), key=lambda kv: age_key(*kv))
            self.records.clear()
            self.records.update(ordered)

    # --- invariants -------------------------------------------------------------------------
    def _check(self) -> None:
        """Assert that every index holds exactly the records' normalised values (O(n))."""
        assert self._undo is None or isinstance(self._undo, list)
        assert set(self.indexes) == {name for name, _ in self._indexed}
        for name, definition in self._indexed:
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
