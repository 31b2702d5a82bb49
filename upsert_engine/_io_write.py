"""Writing the command line's output files atomically: a store as JSONL, a per-row report.

A file appears whole at its path on ``commit()`` or not at all: it is written to a temporary
file in the same directory, flushed, fsynced and renamed over the path (``os.replace``), so a
crash never leaves a half-written store. Only the command line uses this module.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable
from types import TracebackType
from typing import Any, NamedTuple, TextIO

from ._io_read import InputError
from .explain import RecordTrace


class AtomicFile:
    """A text file written under a temporary name, renamed to ``path`` by ``commit()``.

    Created up front, so that an unwritable path is reported before any work; leaving the
    ``with`` block without ``commit()`` removes the temporary file.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        if os.path.isdir(path):
            raise InputError(f"{path}: is a directory")
        directory = os.path.dirname(os.path.abspath(path))
        try:
            descriptor, self._temporary = tempfile.mkstemp(
                prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory
            )
        except OSError as error:
            raise InputError(f"{path}: cannot write: {error.strerror or error}") from None
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self._temporary, 0o666 & ~umask)  # mkstemp makes 0600; be like open()
        self.handle: TextIO = os.fdopen(descriptor, "w", encoding="utf-8", newline="")
        self._done = False

    def commit(self) -> None:
        """Flush, fsync and rename the file into place."""
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        os.replace(self._temporary, self.path)
        self._done = True

    def discard(self) -> None:
        """Drop the temporary file; ``path`` is left as it was."""
        if not self._done:
            self.handle.close()
            os.unlink(self._temporary)
            self._done = True

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.discard()


def write_jsonl(file: AtomicFile, records: Iterable[dict[str, Any]]) -> int:
    """Write one JSON object per line and commit; returns the number written."""
    count = 0
    write = file.handle.write
    for record in records:
        write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        write("\n")
        count += 1
    file.commit()
    return count


class ReportRow(NamedTuple):
    """What became of one input row (the per-row report); a tuple: one is made per row."""

    row: int  # 1-based position among the data rows
    line: int  # the line of the input file it starts on
    action: str  # "insert", "update" or "fail"
    duplicate_field: str | None
    id: str | None  # the record inserted or updated
    code: str  # SUCCESS or the error code
    fields: tuple[str, ...]  # the fields an error names
    conflict_ids: tuple[str, ...]  # records a DUPLICATE_DATA collides with
    explanation: RecordTrace | None = None


REPORT_COLUMNS = ("row", "line", "action", "duplicate_field", "id", "code", "field", "conflict_id")


class ReportWriter:
    """The per-row report: JSONL (explanations as objects) or CSV (explanations as text)."""

    def __init__(self, path: str, explain: bool) -> None:
        extension = os.path.splitext(path)[1].lower()
        if extension not in (".csv", ".jsonl"):
            raise InputError(f"{path}: a report is .jsonl or .csv")
        self._csv = extension == ".csv"
        self._explain = explain
        self.file = AtomicFile(path)
        self._writer = csv.writer(self.file.handle, lineterminator="\n")
        # what json.dumps(entry, ensure_ascii=False, default=repr) does, its encoder made once
        self._encode = json.JSONEncoder(ensure_ascii=False, default=repr).encode
        if self._csv:
            self._writer.writerow(REPORT_COLUMNS + (("explanation",) if explain else ()))

    def write(self, row: ReportRow) -> None:
        """Add one row."""
        cells: list[Any] = [
            row.row,
            row.line,
            row.action,
            row.duplicate_field,
            row.id,
            row.code,
            ";".join(row.fields) or None,
            ";".join(row.conflict_ids) or None,
        ]
        trace = row.explanation
        if self._csv:
            if self._explain:
                cells.append(trace.to_text() if trace is not None else "")
            self._writer.writerow(["" if cell is None else cell for cell in cells])
            return
        entry = dict(zip(REPORT_COLUMNS, cells, strict=True))
        if self._explain:
            entry["explanation"] = trace.to_dict() if trace is not None else None
        self.file.handle.write(self._encode(entry) + "\n")
