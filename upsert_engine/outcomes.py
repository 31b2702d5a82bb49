"""What a decision reads and returns (decision.py, references.py): the ``StoreView`` and
``OrgView`` protocols, a request's ``Context`` (R24, R32, R34), and the values ``Probe``,
``Accepted``, ``Rejected`` and ``RequestError``. Values only: nothing here decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Protocol

from .errors import shown
from .options import User
from .rules import APPROVED, MESSAGES
from .schema import ModuleSchema


@dataclass(frozen=True, slots=True)
class RequestError:
    """A request-level error (R7, R19, R20, R22): the whole request fails, nothing is written."""

    code: str
    details: dict[str, Any]
    #: R27: the response's ``message``: Zoho's text, or a short plain sentence; no rule number.
    message: str
    rule: str
    status: int = 400
    #: the engine's reasoning, for ``explain`` and the CLI (default: ``message``)
    reason: str = ""

    def why(self) -> str:
        """The rule and the reasoning, as ``explain`` and the CLI show a refused request."""
        return f"{self.code} ({self.rule}): {self.reason or self.message}"

    def body(self) -> dict[str, Any]:
        """Zoho's top-level error shape."""
        return {
            "code": self.code,
            "details": self.details,
            "message": self.message,
            "status": "error",
        }


# --- what a decision reads ----------------------------------------------------------------------
class StoreView(Protocol):
    """Read access to one module's records, as they stand after the earlier records (R17)."""

    def find(self, field: str, key: str) -> Sequence[str]:
        """Ids of the records whose normalised ``field`` equals ``key``, in any order."""

    def key_of(self, record_id: str, field: str) -> str | None:
        """The normalised current value of ``field`` in record ``record_id``."""

    def oldest_first(self, record_ids: Iterable[str]) -> list[str]:
        """R11: ``record_ids`` from the oldest (earliest creation, then smallest id)."""

    def get(self, record_id: str) -> Mapping[str, Any] | None:
        """The stored fields of record ``record_id`` (not to be changed), or None."""


class OrgView(Protocol):
    """Read access to the org around the module: its users (R32) and other modules (R33)."""

    def user(self, user_id: str) -> User | None:
        """The org's user of that id, or None."""

    def module(self, name: str) -> tuple[ModuleSchema, StoreView] | None:
        """The schema and records of module ``name`` (API name), or None if not in the org."""


@dataclass(frozen=True, slots=True)
class Context:
    """What one request brings besides its body (R24, R32, R34)."""

    #: R32: the acting user (Created_By / Modified_By, a new record's Owner, R24 user fields).
    user: User
    #: R32: the module's id, for ``duplicate_record.module.id``.
    module_id: str = ""
    #: R32, R33: the org's users and modules; None: nothing is resolved (every id unknown).
    org: OrgView | None = None
    #: R34: ``If-Unmodified-Since``, an aware datetime, or None.
    unmodified_since: datetime | None = None
    #: R24, X-EXTERNAL ``Module.Lookup.Field``: lookup field -> external field of its target.
    lookup_external: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: R24, X-EXTERNAL ``Module.Field`` on the update API: records are named by this field.
    record_external: str | None = None


# --- what a decision returns --------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Probe:
    """One step of the walk (R10): a field tried, its raw and normalised value, what it found."""

    field: str
    raw: Any
    key: str | None
    candidates: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Accepted:
    """The record will be written: inserted, or ``target_id`` updated (R10, R12)."""

    action: str  # "insert" | "update"
    target_id: str | None
    duplicate_field: str | None
    values: dict[str, Any]
    rule: str
    reason: str
    probes: tuple[Probe, ...] = ()
    ignored: tuple[str, ...] = ()
    #: R31: an insert's ``$approval_state`` (``Options.pending_approval_state`` when the
    #: record carried ``"$approved": false``).
    approval_state: str = APPROVED
    #: R36: (subform field, position) of each new row in ``values``, which gets an id from the
    #: engine's id source when written, in this order (after a new record's own id).
    new_rows: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Rejected:
    """The record is refused; nothing is written for it (R16)."""

    code: str
    details: dict[str, Any]
    rule: str
    reason: str
    probes: tuple[Probe, ...] = ()
    ignored: tuple[str, ...] = field(default=())

    def entry(self) -> dict[str, Any]:
        """Zoho's per-record error shape (R18)."""
        return {
            "code": self.code,
            "details": self.details,
            "message": MESSAGES[self.code],
            "status": "error",
        }


Decision = Accepted | Rejected


def json_path(index: int, name: str) -> str:
    """``$.data[i].Field``: where a record's key is, as error details name it."""
    return f"$.data[{index}].{name}"


def field_name(name: Any) -> str:
    """A non-string record key as text for ``api_name`` (str() fails on huge ints)."""
    try:
        return str(name)
    except (ValueError, RecursionError):
        return shown(name)


def invalid_data(
    index: int, name: str, detail: dict[str, Any], reason: str, rule: str = "R15"
) -> Rejected:
    details = {"api_name": name, "json_path": json_path(index, name), **detail}
    return Rejected("INVALID_DATA", details, rule, reason)
