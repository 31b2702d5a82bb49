"""Zoho's CSV export conventions, translated for ``Engine.load`` (issue 12 items 3 and 4).

A store (``--store`` of ``plan``, ``apply`` and ``serve``) is what the CRM holds now: a Zoho
export (CSV or xlsx, columns by label), or what ``apply --out`` wrote (CSV, JSON or JSONL).
Its rows are translated in place, a chunk at a time:

- ``id``: Zoho's export prefix ``zcrm_`` is removed;
- ``Created_Time``, ``Modified_Time`` and datetime fields: a time without an offset, as Zoho's
  export writes it (``2024-06-19 01:58:32``), is read in ``--timezone`` (default UTC) and kept
  as ISO 8601 with its offset (R18), so R11's "oldest record" sees the export's times;
- ``Created_By``, ``Modified_By``: an export names the user only; the user becomes
  ``{"name", "id"}`` with the id of the engine's acting user.

Adapter code: no file access here; ``load_store`` takes an open ``RowFile``.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from ._io_read import InputError, RowFile
from .engine import Engine
from .errors import InvalidLoadError
from .schema import ModuleSchema

#: Store rows handed to ``Engine.load`` at a time (bounds the copies held while loading).
LOAD_CHUNK = 5000
#: The fields a store row may hold in export form; a chunk naming none of them (and no id)
#: is left as it is.
EXPORT_STAMPS = frozenset(("Created_By", "Modified_By", "Created_Time", "Modified_Time"))


@dataclass
class ExportRules:
    """How one module's store rows are translated; counts what it translated."""

    schema: ModuleSchema
    timezone: tzinfo
    user_id: str
    #: times read without an offset, in --timezone
    times_read: int = 0
    _times: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        datetimes = (n for n, f in self.schema.fields.items() if f.data_type == "datetime")
        self._times = frozenset(("Created_Time", "Modified_Time", *datetimes))

    def time(self, value: Any) -> Any:
        """``value`` with the time zone attached if it is a time without an offset."""
        if not isinstance(value, str) or len(value) < 16:
            return value
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return value
        if parsed.tzinfo is not None:
            return value
        self.times_read += 1
        return parsed.replace(tzinfo=self.timezone).isoformat(timespec="seconds")

    def translate(self, records: list[dict[str, Any]], columns: frozenset[str] | None) -> None:
        """Translate a chunk in place; ``columns``: the keys a CSV file's rows can have."""
        keys = columns if columns is not None else set(itertools.chain.from_iterable(records))
        times = self._times.intersection(keys)
        users = [name for name in ("Created_By", "Modified_By") if name in keys]
        if "id" not in keys and not times and not users:
            return
        for values in records:
            record_id = values.get("id")
            if isinstance(record_id, str) and record_id.startswith("zcrm_"):
                values["id"] = record_id[5:]
            for name in times:
                if name in values:
                    value = values[name]
                    if value is None and name in EXPORT_STAMPS:
                        del values[name]
                    else:
                        values[name] = self.time(value)
            for name in users:
                if name in values:
                    value = values[name]
                    if value is None:
                        del values[name]
                    elif not isinstance(value, dict):
                        # an export names the user only; the id is the engine's acting user's
                        values[name] = {"name": str(value), "id": self.user_id}


def load_store(
    engine: Engine, module: str, store: RowFile, rules: ExportRules, progress: Any = None
) -> int:
    """Load the store as existing data (R11, R14: repeats allowed); returns the record count.

    The collector is off while loading (the rows are new records, not garbage). A chunk the
    engine refuses is loaded again row by row to name the file's line.
    """
    count = 0
    collecting = gc.isenabled()
    gc.disable()
    try:
        for lines, records in store.batches(LOAD_CHUNK):
            rules.translate(records, store.columns)
            try:
                engine.load(module, records)
            except InvalidLoadError:
                _locate_bad_record(engine, module, store.path, lines, records)
            count += len(records)
            if progress is not None:
                progress.update(f"loading {store.path}: {count:,} records")
    finally:
        if collecting:
            gc.enable()
    return count


def read_records(store: RowFile, rules: ExportRules) -> Iterable[dict[str, Any]]:
    """The store's records translated, for a caller that loads them later (``serve``)."""
    for _, records in store.batches(LOAD_CHUNK):
        rules.translate(records, store.columns)
        yield from records


def _locate_bad_record(
    engine: Engine, module: str, path: str, lines: list[int], records: list[dict[str, Any]]
) -> None:
    """A chunk failed to load (nothing of it was loaded): load it row by row to find the line."""
    for line, record in zip(lines, records, strict=True):
        try:
            engine.load(module, [record])
        except InvalidLoadError as error:
            reason = str(error).removeprefix(f"{engine.schema(module).api_name} record 0: ")
            raise InputError(f"{path} line {line}: {reason}") from None
    raise AssertionError("a chunk failed to load but each of its records loads")
