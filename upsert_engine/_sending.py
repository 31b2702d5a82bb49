"""Sending the rows of ``plan`` and ``apply``: requests of at most 100, in file order (R17, R19).

Counting only (no ``--report``, no ``--explain``), each request is one ``upsert``. Reporting,
each request is first explained (``Engine.explain``: the same decisions, nothing written), the
records it will update copied as they stand, then applied, so each row's report can say

- which fields an update changes, ``before → after`` (the row's value against the record as
  the rows before it left it, R12, R17);
- which record an error row matched (the first field of the check order that found one, R10;
  of several, the one R11's ``multi_match`` picks; all of them for ``reject``);
- the ids of inserted records as visible placeholders ``new-1``, ``new-2``... (``--ids
  placeholder``; Zoho assigns the real ones) or as the engine made them (``--ids engine``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ._io_read import RowFile
from ._io_write import ReportRow, ReportWriter
from ._summary import Progress, Tally, report_row
from .engine import Engine
from .explain import RecordTrace
from .options import MultiMatch
from .rules import READ_ONLY_SYSTEM_FIELDS

_DIGITS = re.compile(r"\d+")
#: Error codes a row gets after its walk matched a record (R11 reject, R14, R17, R34): only
#: then is a request explained to name that record.
MATCHED_ERRORS = frozenset(
    {
        "DUPLICATE_DATA",
        "MULTIPLE_OR_MULTI_ERRORS",
        "AMBIGUITY_DURING_PROCESSING",
        "ALREADY_MODIFIED",
    }
)


class Placeholders:
    """Ids of records inserted by this run, shown as ``new-1``, ``new-2``... when enabled."""

    __slots__ = ("enabled", "names")

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.names: dict[str, str] = {}

    def add(self, record_id: str) -> None:
        """Note an inserted record's id (in insert order)."""
        if self.enabled and record_id not in self.names:
            self.names[record_id] = f"new-{len(self.names) + 1}"

    def id(self, record_id: str | None) -> str | None:
        """The id as shown."""
        return None if record_id is None else self.names.get(record_id, record_id)

    def text(self, text: str) -> str:
        """``text`` with every inserted id in it shown as its placeholder."""
        if not self.names:
            return text
        return _DIGITS.sub(lambda m: self.names.get(m.group(), m.group()), text)

    def trace(self, trace: RecordTrace) -> RecordTrace:
        """``trace`` with its ids shown as placeholders."""
        if not self.names:
            return trace
        probes = tuple(
            dataclasses.replace(p, candidates=tuple(self.names.get(c, c) for c in p.candidates))
            for p in trace.probes
        )
        return dataclasses.replace(
            trace, probes=probes, record_id=self.id(trace.record_id), reason=self.text(trace.reason)
        )


def matched_ids(trace: RecordTrace | None, multi_match: MultiMatch) -> tuple[str, ...]:
    """The record(s) a row's walk matched (R10, R11), whatever became of the row."""
    if trace is None:
        return ()
    for probe in trace.probes:
        if probe.candidates:
            if len(probe.candidates) == 1 or multi_match is MultiMatch.REJECT:
                return probe.candidates
            oldest_first = probe.candidates
            return (oldest_first[0] if multi_match is MultiMatch.OLDEST else oldest_first[-1],)
    return ()


def changes(
    before: Mapping[str, Any] | None,
    values: Mapping[str, Any],
    fields: Any,
    ignored: Sequence[str],
    names: Mapping[str, str] | None = None,
) -> tuple[tuple[str, Any, Any], ...]:
    """(field, before, after) for each field the row writes with another value (R12).

    A user or lookup (an object with an ``id``) changes when its id does; a user sent as
    ``{"id"}`` is shown by name when ``names`` (user id -> name) knows it (R32)."""
    out = []
    for name, value in values.items():
        if name in fields and name not in READ_ONLY_SYSTEM_FIELDS and name not in ignored:
            old = before.get(name) if before is not None else None
            if isinstance(old, dict) and isinstance(value, dict) and "id" in value:
                if old.get("id") == value.get("id"):
                    continue
            elif old == value and type(old) is type(value):
                continue
            new = value
            if isinstance(value, dict) and set(value) == {"id"} and names:
                user = names.get(str(value["id"]))
                new = {"name": user, "id": value["id"]} if user is not None else value
            out.append((name, old, new))
    return tuple(out)


class Sending:
    """One run's requests; ``run`` sends a file's rows and returns the tally."""

    def __init__(
        self,
        engine: Engine,
        clock: Any,
        module: str,
        check: list[str] | None,
        report: ReportWriter | None,
        explain: bool,
        ids: str,
    ) -> None:
        self.engine, self.clock, self.module = engine, clock, module
        self.check, self.report, self.explain = check, report, explain
        self.placeholders = Placeholders(ids == "placeholder")
        #: translates a batch of rows in place before it is sent (user names, id prefixes)
        #: (records, the file's columns, its path, the records' lines)
        self.translate: (
            Callable[[list[dict[str, Any]], frozenset[str] | None, str, list[int]], None] | None
        ) = None

    def run(self, rows: RowFile, progress: Progress) -> Tally:
        """Send the rows in requests of at most ``max_records`` (R19), in file order (R17)."""
        engine, tally = self.engine, Tally()
        detail = self.report is not None or self.explain
        for lines, records in rows.batches(engine.options.max_records):
            if self.translate is not None:
                self.translate(records, rows.columns, rows.path, lines)
            body: dict[str, Any] = {"data": records}
            if self.check:
                body["duplicate_check_fields"] = self.check
            self.clock.request = tally.requests + 1
            if not detail:  # only counting: straight from the entries
                tally.add_entries(self._entries(engine.upsert(self.module, body).body, records))
            else:
                self._detailed(body, lines, records, tally)
            tally.requests += 1
            progress.update(f"{rows.path}: {tally.rows:,} rows, {tally.requests:,} requests")
        return tally

    @staticmethod
    def _entries(body: dict[str, Any], records: list[dict[str, Any]]) -> list[Any]:
        entries = body.get("data")
        if not isinstance(entries, list):  # a request-level error fails every row of it
            return [body] * len(records)
        if len(entries) != len(records):
            raise AssertionError("the response has not one entry per record")
        return entries

    def _detailed(
        self, body: dict[str, Any], lines: list[int], records: list[dict[str, Any]], tally: Tally
    ) -> None:
        engine, module = self.engine, self.module
        traces: tuple[RecordTrace, ...] = ()
        if self.explain:
            traces = engine.explain(module, body).records
            targets = [t.record_id for t in traces if t.outcome == "update"]
        else:  # cheaper: the plan names the targets; explained only if a row may have matched
            planned = self._entries(engine.plan(module, body).body, records)
            targets = [e["details"].get("id") for e in planned if e.get("action") == "update"]
            if any(e.get("code") in MATCHED_ERRORS for e in planned):
                traces = engine.explain(module, body).records
        view: dict[str, dict[str, Any] | None] = {}
        for target in targets:
            if isinstance(target, str) and target not in view:
                view[target] = engine.get(module, target)
        entries = self._entries(engine.upsert(module, body).body, records)
        fields = engine.schema(module).fields
        names = {user.id: user.name for user in engine.users()}
        multi = engine.options.multi_match
        shown = self.placeholders
        for position, (line, entry, values) in enumerate(zip(lines, entries, records, strict=True)):
            trace = traces[position] if position < len(traces) else None
            row = report_row(tally.rows + 1, line, entry, trace if self.explain else None)
            if row.action == "insert" and row.id is not None:
                shown.add(row.id)
                view[row.id] = dict(values)
            elif row.action == "update" and row.id is not None:
                target = row.id
                before = view.get(target)
                row = row._replace(changes=changes(before, values, fields, (), names))
                view[target] = {**(before or {}), **values}
            elif trace is not None:
                row = row._replace(matched_ids=matched_ids(trace, multi))
            row = self._shown(row)
            tally.add(row)
            if self.report is not None:
                self.report.write(row)
            elif row.explanation is not None:
                print(row.text())

    def _shown(self, row: ReportRow) -> ReportRow:
        names = self.placeholders
        if not names.names:
            return row
        trace = row.explanation
        return row._replace(
            id=names.id(row.id),
            conflict_ids=tuple(names.id(i) or i for i in row.conflict_ids),
            matched_ids=tuple(names.id(i) or i for i in row.matched_ids),
            explanation=None if trace is None else names.trace(trace),
        )
