"""Writing the command line's output files: a store as JSONL, a per-row report.

Only the command line uses this module. What it promises (issue 8 items 11-13):

- Never over an input: ``check_paths`` refuses an output that is the same file as an input or
  as another output, however named (a symlink, a hard link, ``..``), before anything is created.
- Whole or not at all: a file is written under a temporary name in the directory of its target
  (symlinks followed: the link stays, its target is replaced), flushed, fsynced and renamed
  over the target (``os.replace``), and the directory fsynced.
- Modes: the temporary file is created 0600; an existing file's mode, owner and group carry
  over (its group bits are cleared if its group cannot be kept); a new file gets ``mode``
  (``DEFAULT_MODE`` unless the caller says otherwise), exactly, not masked by the umask.
- Order: ``commit_all`` writes and fsyncs every file before it installs any, then removes the
  old files of all but the first and installs them in order (the store, then the report). An
  interrupted commit leaves the old pair, or a store (old or new) with no report, or the new
  pair: never a report beside a store it does not describe.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Any, NamedTuple, TextIO

from ._io_read import InputError
from .explain import RecordTrace

#: The mode of an output file that does not exist yet: CRM exports hold personal data.
DEFAULT_MODE = 0o600


def _identity(path: str) -> tuple[Any, ...] | None:
    """What makes two paths one file: its device and inode, or None if it cannot be stat'ed."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_dev, status.st_ino)


def check_paths(inputs: Sequence[tuple[str, str]], outputs: Sequence[tuple[str, str]]) -> None:
    """Refuse an output that is the same file as an input or an earlier output (issue 8 item 11).

    ``inputs`` and ``outputs``: (option, path) pairs. Files are compared by device and inode
    (``os.path.samefile``: symlinks and hard links), outputs that do not exist yet by real path.
    An input that cannot be opened is left to the reader, which names the reason.
    """
    seen: list[tuple[tuple[Any, ...], str, str, bool]] = []
    for option, path in inputs:
        identity = _identity(path)
        if identity is not None:
            seen.append((identity, option, path, True))
    for option, path in outputs:
        identity = _identity(path) or ("new", os.path.realpath(path))
        for other, other_option, other_path, is_input in seen:
            if identity == other:
                what = "an input" if is_input else "another output"
                raise InputError(
                    f"{option} {path}: the same file as {other_option} {other_path}; "
                    f"refusing to overwrite {what}"
                )
        seen.append((identity, option, path, False))


class AtomicFile:
    """A text file written under a temporary name, installed at ``path`` by ``commit()``.

    Created up front, so that an unwritable path is reported before any work; leaving the
    ``with`` block without ``commit()`` removes the temporary file. ``mode``: for a file that
    does not exist yet (``DEFAULT_MODE`` if None); an existing file keeps its own.
    """

    def __init__(self, path: str, mode: int | None = None) -> None:
        self.path = path
        self.target = os.path.realpath(path)  # through a symlink: the link itself stays
        try:
            existing: os.stat_result | None = os.stat(self.target)
        except FileNotFoundError:
            existing = None
        except OSError as error:
            raise InputError(f"{path}: cannot write: {error.strerror or error}") from None
        if existing is not None and stat.S_ISDIR(existing.st_mode):
            raise InputError(f"{path}: is a directory")
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            raise InputError(f"{path}: not a regular file; an output replaces a regular file")
        self._existing = existing
        self._mode = DEFAULT_MODE if mode is None else mode
        try:
            descriptor, self._temporary = tempfile.mkstemp(  # 0600 while it is written
                prefix=f".{os.path.basename(self.target)}.",
                suffix=".tmp",
                dir=os.path.dirname(self.target),
            )
        except OSError as error:
            raise InputError(f"{path}: cannot write: {error.strerror or error}") from None
        self.handle: TextIO = os.fdopen(descriptor, "w", encoding="utf-8", newline="")
        self._state = "open"  # open -> finished -> installed, or discarded

    def finish(self) -> None:
        """Flush and fsync the temporary file, give it its owner and mode, close it."""
        if self._state != "open":
            return
        self.handle.flush()
        descriptor = self.handle.fileno()
        mode = self._mode
        if self._existing is not None:
            mode = _carry_over(descriptor, self._existing)
        os.fchmod(descriptor, mode)
        os.fsync(descriptor)
        self.handle.close()
        self._state = "finished"

    def install(self) -> None:
        """Rename the finished file over its target and fsync the directory."""
        os.replace(self._temporary, self.target)
        self._state = "installed"
        _fsync_directory(os.path.dirname(self.target))

    def commit(self) -> None:
        """``finish()`` and ``install()``: the file appears whole at its path."""
        self.finish()
        self.install()

    def discard(self) -> None:
        """Drop the temporary file; ``path`` is left as it was."""
        if self._state in ("open", "finished"):
            self.handle.close()
            self._state = "discarded"
            with contextlib.suppress(FileNotFoundError):  # renamed just before an interrupt
                os.unlink(self._temporary)

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.discard()


def _carry_over(descriptor: int, existing: os.stat_result) -> int:
    """Give the open file ``existing``'s owner and group where allowed; returns its mode.

    A group that cannot be kept takes the group bits with it: the file's readers never widen.
    """
    mode = stat.S_IMODE(existing.st_mode)
    mine = os.fstat(descriptor)
    if (mine.st_uid, mine.st_gid) == (existing.st_uid, existing.st_gid):
        return mode
    try:
        os.fchown(descriptor, existing.st_uid, existing.st_gid)
        return mode
    except PermissionError:
        pass
    if mine.st_gid != existing.st_gid:
        try:
            os.fchown(descriptor, -1, existing.st_gid)
        except PermissionError:
            mode &= ~0o070
    return mode


def _fsync_directory(directory: str) -> None:
    """Make a rename in ``directory`` durable (where the platform can)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:  # e.g. EINVAL: a file system that cannot fsync a directory
        pass
    finally:
        os.close(descriptor)


def commit_all(files: Sequence[AtomicFile]) -> None:
    """Install ``files`` in order, as one step as far as the file system allows.

    Every file is finished (written, fsynced) before any is installed, so a failure while
    writing changes nothing. Then the old files of all but the first are removed, and the files
    installed in order: a later file never sits beside an earlier one it does not belong with.
    """
    if not files:
        return
    current = files[0]
    installed: list[str] = []
    try:
        for current in files:
            current.finish()
        for current in files[1:]:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(current.target)
        for directory in {os.path.dirname(file.target) for file in files[1:]}:
            _fsync_directory(directory)
        for current in files:
            current.install()
            installed.append(current.path)
    except OSError as error:
        done = f" ({', '.join(installed)} written)" if installed else ""
        raise InputError(f"{current.path}: cannot write: {error.strerror or error}{done}") from None


def write_jsonl(file: AtomicFile, records: Iterable[dict[str, Any]]) -> int:
    """Write one JSON object per line (``commit_all`` installs the file); returns the count."""
    count = 0
    write = file.handle.write
    for record in records:
        write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        write("\n")
        count += 1
    return count


#: A store's format by its extension: what ``apply --out`` writes and every --store reads.
STORE_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv"}
#: Fields whose value is a user (R32): a CSV store names the user, as Zoho's export does.
USER_FIELDS = frozenset(("Created_By", "Modified_By", "Owner"))


def store_format(option: str, path: str) -> str:
    """The format of a store written to ``path``, or an ``InputError`` naming the choices."""
    extension = os.path.splitext(path)[1].lower()
    if extension not in STORE_FORMATS:
        raise InputError(
            f"{option} {path}: a store is .jsonl, .json or .csv (chosen by the extension; "
            f"every --store reads them back)"
        )
    return STORE_FORMATS[extension]


def csv_cell(name: str, value: Any) -> str:
    """A stored value as a CSV cell: users by name, other objects and arrays as JSON text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and name in USER_FIELDS and isinstance(value.get("name"), str):
        return str(value["name"])
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def write_store(file: AtomicFile, records: Callable[[], Iterable[dict[str, Any]]], fmt: str) -> int:
    """Write the records as ``fmt`` (``store_format``); ``records`` is called once per pass.

    JSONL and JSON keep every value as it is; CSV (a header of API names, ``id`` first) is an
    export: users by name, numbers and booleans as text, objects and arrays as JSON text.
    """
    if fmt == "jsonl":
        return write_jsonl(file, records())
    write = file.handle.write
    count = 0
    if fmt == "json":
        write("[")
        for record in records():
            write(",\n" if count else "\n")
            write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
            count += 1
        write("\n]\n")
        return count
    columns: dict[str, None] = {"id": None}
    for record in records():
        columns.update(dict.fromkeys(record))
    writer = csv.writer(file.handle, lineterminator="\n")
    writer.writerow(list(columns))
    for record in records():
        writer.writerow([csv_cell(name, record.get(name)) for name in columns])
        count += 1
    return count


def shown_value(value: Any) -> str:
    """A value in a change list: JSON, non-ASCII as is; nothing sent or held: (empty); a user
    or lookup by its name (its id when it has no name)."""
    if value is None:
        return "(empty)"
    if isinstance(value, dict) and "id" in value:
        value = value.get("name") or value["id"]
    return json.dumps(value, ensure_ascii=False, default=repr)


class ReportRow(NamedTuple):
    """What became of one input row (the per-row report); a tuple: one is made per row."""

    row: int  # 1-based position among the data rows
    line: int  # the line of the input file it starts on
    action: str  # "insert", "update" or "error"
    duplicate_field: str | None
    id: str | None  # the record inserted or updated
    code: str  # SUCCESS or the error code
    fields: tuple[str, ...]  # the fields an error names
    conflict_ids: tuple[str, ...]  # records a DUPLICATE_DATA collides with
    explanation: RecordTrace | None = None
    #: an error row: the record(s) its walk matched (R10, R11)
    matched_ids: tuple[str, ...] = ()
    #: an update: (field, before, after) of each field it changes (R12)
    changes: tuple[tuple[str, Any, Any], ...] = ()

    def changes_text(self) -> str:
        """``Email: "a@x.com" → "A@x.com"; ...``."""
        return "; ".join(
            f"{name}: {shown_value(old)} → {shown_value(new)}" for name, old, new in self.changes
        )

    def text(self) -> str:
        """The row's explanation as text, numbered ``row N (line L)`` like the report."""
        trace = self.explanation
        head = f"row {self.row} (line {self.line}):"
        lines = [trace.to_text().replace(f"record {trace.index}:", head, 1)] if trace else [head]
        if self.matched_ids:
            lines.append(f"  matched: {', '.join(self.matched_ids)}")
        if self.action == "update":
            lines.append(f"  changes: {self.changes_text() or 'none'}")
        return "\n".join(lines)


REPORT_COLUMNS = (
    "row",
    "line",
    "action",
    "duplicate_field",
    "id",
    "code",
    "field",
    "conflict_id",
    "matched_id",
    "changes",
)


class ReportWriter:
    """The per-row report: JSONL (explanations as objects) or CSV (explanations as text)."""

    def __init__(self, path: str, explain: bool, mode: int | None = None) -> None:
        extension = os.path.splitext(path)[1].lower()
        if extension not in (".csv", ".jsonl"):
            raise InputError(f"--report {path}: a report is .csv or .jsonl")
        self._csv = extension == ".csv"
        self._explain = explain
        self.file = AtomicFile(path, mode)
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
            ";".join(row.matched_ids) or None,
        ]
        trace = row.explanation
        if self._csv:
            cells.append(row.changes_text() or None)
            if self._explain:
                cells.append(row.text() if trace is not None else "")
            self._writer.writerow(["" if cell is None else cell for cell in cells])
            return
        entry = dict(zip(REPORT_COLUMNS, cells, strict=False))
        entry["changes"] = [
            {"field": name, "before": old, "after": new} for name, old, new in row.changes
        ]
        if self._explain:
            entry["explanation"] = trace.to_dict() if trace is not None else None
        self.file.handle.write(self._encode(entry) + "\n")
