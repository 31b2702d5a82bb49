"""Explanations: why each record of a request was inserted, updated or refused (as data).

Built from the same decisions ``upsert`` applies, so an explanation cannot disagree with the
response it accompanies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .decision import Probe
from .responses import Response


@dataclass(frozen=True, slots=True)
class RecordTrace:
    """One record: the fields tried (raw → normalised → candidates), the outcome and its rule."""

    index: int
    check_order: tuple[str, ...]
    probes: tuple[Probe, ...]
    outcome: str  # "insert", "update" or the error code
    record_id: str | None  # the record written (new id on insert), or None
    duplicate_field: str | None
    rule: str
    reason: str
    ignored_fields: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "index": self.index,
            "check_order": list(self.check_order),
            "tried": [
                {
                    "field": p.field,
                    "raw": p.raw,
                    "normalized": p.key,
                    "candidates": list(p.candidates),
                }
                for p in self.probes
            ],
            "outcome": self.outcome,
            "record_id": self.record_id,
            "duplicate_field": self.duplicate_field,
            "rule": self.rule,
            "reason": self.reason,
            "ignored_fields": list(self.ignored_fields),
        }

    def to_text(self) -> str:
        """A few readable lines."""
        lines = [f"record {self.index}: {self.outcome} ({self.rule}) - {self.reason}"]
        lines.append(f"  check order: {', '.join(self.check_order) or '(none)'}")
        for p in self.probes:
            raw = json.dumps(p.raw, ensure_ascii=False, default=repr)
            if p.key is None:
                lines.append(f"  {p.field}: {raw} → empty, not tried (R9)")
            else:
                found = ", ".join(p.candidates) or "nothing"
                lines.append(f"  {p.field}: {raw} → {p.key!r} → {found}")
        if self.ignored_fields:
            lines.append(f"  ignored keys: {', '.join(self.ignored_fields)}")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Explanation:
    """A whole request: the response ``upsert`` would give and one trace per record."""

    module: str
    response: Response
    check_order: tuple[str, ...]
    records: tuple[RecordTrace, ...]
    request_error: str | None = None  # the rule and message of a request-level error

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "module": self.module,
            "status": self.response.status,
            "check_order": list(self.check_order),
            "request_error": self.request_error,
            "records": [r.to_dict() for r in self.records],
        }

    def to_text(self) -> str:
        """Readable text, one block per record."""
        head = f"{self.module}: HTTP {self.response.status}"
        if self.request_error is not None:
            return f"{head}: request refused: {self.request_error}"
        return "\n".join([head, *(r.to_text() for r in self.records)])
