"""What an import came to: per-row outcomes counted into a summary, and progress on stderr.

Values and counters only; the command line (cli.py) fills them and prints them.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from ._io_write import ReportRow
from .explain import RecordTrace


def report_row(
    number: int, line: int, entry: Mapping[str, Any], trace: RecordTrace | None
) -> ReportRow:
    """One row's outcome from its entry of Zoho's response (R18), or a request-level error."""
    if trace is not None:
        trace = dataclasses.replace(trace, index=number)
    if entry.get("status") == "success":
        details = entry.get("details")
        return ReportRow(
            number,
            line,
            str(entry["action"]),
            entry.get("duplicate_field"),
            details.get("id") if isinstance(details, dict) else None,
            "SUCCESS",
            (),
            (),
            trace,
        )
    code, fields, conflicts = _error_of(entry)
    return ReportRow(number, line, "error", None, None, code, fields, conflicts, trace)


def _error_of(entry: Mapping[str, Any]) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """A failed row's code, the fields its error names and the records it collides with."""
    details = entry.get("details")
    details = details if isinstance(details, dict) else {}
    errors = details.get("errors")
    parts = [e.get("details", {}) for e in errors] if isinstance(errors, list) else [details]
    fields = tuple(str(part["api_name"]) for part in parts if "api_name" in part)
    conflicts = tuple(
        str(part["duplicate_record"]["id"]) for part in parts if "duplicate_record" in part
    )
    return str(entry.get("code")), fields, conflicts


class Tally:
    """Counts of rows and outcomes, added to row by row."""

    __slots__ = ("failed", "failed_fields", "inserted", "requests", "rows", "updated")

    def __init__(self) -> None:
        self.rows = 0
        self.requests = 0
        self.inserted = 0
        self.updated: dict[str, int] = {}
        self.failed: dict[str, int] = {}
        self.failed_fields: dict[str, dict[str, int]] = {}

    def add(self, row: ReportRow) -> None:
        """Count one row's outcome."""
        self.rows += 1
        if row.action == "insert":
            self.inserted += 1
        elif row.action == "update":
            field = row.duplicate_field or "id"
            self.updated[field] = self.updated.get(field, 0) + 1
        else:
            self._failed(row.code, row.fields)

    def add_entries(self, entries: Iterable[Mapping[str, Any]]) -> None:
        """Count the outcomes of response entries (R18) as ``add(report_row(...))`` would."""
        updated = self.updated
        for entry in entries:
            self.rows += 1
            if entry.get("status") == "success":
                action = str(entry["action"])
                if action == "insert":
                    self.inserted += 1
                elif action == "update":
                    field = entry.get("duplicate_field") or "id"
                    updated[field] = updated.get(field, 0) + 1
                else:
                    self._failed("SUCCESS", ())
            else:
                code, fields, _ = _error_of(entry)
                self._failed(code, fields)

    def _failed(self, code: str, fields: tuple[str, ...]) -> None:
        self.failed[code] = self.failed.get(code, 0) + 1
        by_field = self.failed_fields.setdefault(code, {})
        for field in fields:
            by_field[field] = by_field.get(field, 0) + 1


def shown_path(path: str) -> str:
    """``path`` as text any stream can print.

    A file name byte that is not UTF-8 (which Python keeps as a lone surrogate) is shown as a
    backslash escape instead of raising UnicodeEncodeError.
    """
    return path.encode("utf-8", "backslashreplace").decode("utf-8")


def _count(n: int, noun: str) -> str:
    """``1 row``, ``2 rows``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _sorted(counts: Mapping[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items()))


@dataclass(frozen=True, slots=True)
class Summary:
    """The outcome of ``plan`` or ``apply``: what the issue's ``--json`` output holds."""

    command: str
    module: str
    store_records: int
    rows: int
    requests: int
    inserted: int
    updated: Mapping[str, int]
    failed: Mapping[str, int]
    failed_fields: Mapping[str, Mapping[str, int]]
    records_after: int
    out: str | None = None
    #: ``--timezone``: the zone store times without an offset were read in (item 3)
    timezone: str = "UTC"
    #: how many store times had no offset (Zoho's export format)
    times_read: int = 0

    @classmethod
    def of(
        cls,
        command: str,
        module: str,
        stored: int,
        tally: Tally,
        after: int,
        out: str | None,
        *,
        timezone: str = "UTC",
        times_read: int = 0,
    ) -> Summary:
        """Freeze a tally."""
        return cls(
            command,
            module,
            stored,
            tally.rows,
            tally.requests,
            tally.inserted,
            _sorted(tally.updated),
            _sorted(tally.failed),
            {code: _sorted(tally.failed_fields[code]) for code in sorted(tally.failed_fields)},
            after,
            out,
            timezone,
            times_read,
        )

    def to_json(self) -> str:
        """One JSON object on one line."""
        return json.dumps(
            {
                "command": self.command,
                "module": self.module,
                "store_records": self.store_records,
                "rows": self.rows,
                "requests": self.requests,
                "inserted": self.inserted,
                "updated": dict(self.updated),
                "failed": dict(self.failed),
                "failed_fields": {k: dict(v) for k, v in self.failed_fields.items()},
                "records_after": self.records_after,
                "out": None if self.out is None else shown_path(self.out),
                "timezone": self.timezone,
                "times_read": self.times_read,
            }
        )

    def to_text(self) -> str:
        """A few aligned lines."""
        requests = _count(self.requests, "request")
        updated = sum(self.updated.values())
        failed = sum(self.failed.values())
        by_field = ", ".join(f"{field} {n}" for field, n in self.updated.items())
        by_code = ", ".join(
            f"{code} {n}"
            + (
                f" ({', '.join(f'{f} {m}' for f, m in self.failed_fields[code].items())})"
                if self.failed_fields.get(code)
                else ""
            )
            for code, n in self.failed.items()
        )
        written = (
            f"written to {shown_path(self.out)}"
            if self.out is not None
            else "plan only, nothing written"
        )
        lines = [
            f"{self.module}: {_count(self.rows, 'row')} in {requests}, "
            f"against {_count(self.store_records, 'stored record')}",
            f"  inserted  {self.inserted:>7}",
            f"  updated   {updated:>7}" + (f"   by {by_field}" if by_field else ""),
            f"  failed    {failed:>7}" + (f"   {by_code}" if by_code else ""),
            f"  records after: {self.records_after} ({written})",
        ]
        if self.times_read:
            lines.append(
                f"  store times without an offset read as {self.timezone} (--timezone): "
                f"{self.times_read}"
            )
        return "\n".join(lines)


class Progress:
    """A one-line counter on ``stream``, only when it is a terminal, at most 5 times a second."""

    __slots__ = ("_last", "_shown", "_stream", "enabled")

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        try:
            self.enabled = stream.isatty()
        except (AttributeError, ValueError):
            self.enabled = False
        self._last = 0.0
        self._shown = False

    def update(self, text: str) -> None:
        """Show ``text`` in place of the previous line, if enough time has passed."""
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.2:
            return
        self._last = now
        self._stream.write(f"\r{text}\x1b[K")
        self._stream.flush()
        self._shown = True

    def done(self) -> None:
        """Clear the line."""
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._shown = False
