"""Fault injection for users' retry logic: the next N matching requests fail, wait, or hit a limit.

A ``Fault`` matches requests by method and path (``fnmatch`` pattern, e.g.
``/crm/*/Leads/upsert``) and applies to the next ``count`` of them:

- ``status=429``: Zoho's ``TOO_MANY_REQUESTS`` (API credits or concurrency exceeded
  [doc Kaizen #203, "Handling API Limits and Error Responses"]);
- ``status=500``: Zoho's ``INTERNAL_ERROR`` with the message of Zoho's OpenAPI description
  ("Internal server error occurred.", github.com/zoho/crm-oas ``v8.0/record.json``);
- ``delay_ms``: the request waits that long before it is answered normally (also combined
  with a status: it waits, then fails).

Failed requests never reach the org. Zoho documents no rate-limit header we could confirm
(no ``Retry-After``, no ``X-RATELIMIT-*``), so none is sent unless a fault names ``headers``.

A ``ConcurrencyLimit`` lets at most ``limit`` requests (matching a pattern; every ``/crm``
request by default) be in flight at once; one more gets 429 ``TOO_MANY_REQUESTS``. Zoho's
limits per edition [doc Kaizen #203]: Free 5, Standard 10, Professional 15, Enterprise 20,
Ultimate 25; resource-intensive APIs have a sub-concurrency limit of 10.

``FaultPlan`` holds the rules; it is thread-safe (its own lock) because delays and the
concurrency count happen outside the server's request lock.
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from .parsing import json_type, shown

EDITION_CONCURRENCY: Final[dict[str, int]] = {
    "free": 5,
    "standard": 10,
    "professional": 15,
    "enterprise": 20,
    "ultimate": 25,
}
#: [doc Kaizen #203]: bulk, query (COQL), lead conversion, mail ... allow 10 at once.
SUB_CONCURRENCY: Final = 10
MAX_DELAY_MS: Final = 60_000
MAX_COUNT: Final = 1_000_000

TOO_MANY_REQUESTS: Final[dict[str, Any]] = {
    "code": "TOO_MANY_REQUESTS",
    "details": {},
    "message": "too many requests",
    "status": "error",
}
INTERNAL_ERROR: Final[dict[str, Any]] = {
    "code": "INTERNAL_ERROR",
    "details": {},
    "message": "Internal server error occurred.",
    "status": "error",
}
FAULT_BODIES: Final[dict[int, dict[str, Any]]] = {429: TOO_MANY_REQUESTS, 500: INTERNAL_ERROR}


class FaultError(ValueError):
    """A fault or limit that cannot be applied; the message names the key and the value."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a fault does to one request: wait ``delay_ms``, then answer ``status`` (or serve)."""

    delay_ms: int = 0
    status: int | None = None
    body: dict[str, Any] | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class Fault:
    """The next ``count`` requests matching ``method`` and ``path`` get ``status``/``delay_ms``."""

    path: str = "*"
    method: str = "*"
    count: int = 1
    status: int | None = None
    delay_ms: int = 0
    headers: dict[str, str] = field(default_factory=dict)

    def matches(self, method: str, path: str) -> bool:
        return fnmatch.fnmatchcase(method, self.method) and fnmatch.fnmatchcase(path, self.path)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _count(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FaultError(f"{name} is {shown(value)}; give an integer from {low} to {high}")
    return value


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value or not value.isprintable():
        raise FaultError(f'{name} is {shown(value)}; give a pattern such as "/crm/*/Leads/upsert"')
    return value


def parse_fault(spec: Mapping[str, Any]) -> Fault:
    """A ``Fault`` from JSON (the admin call, the pytest marker); ``FaultError`` if malformed."""
    if not isinstance(spec, Mapping):
        raise FaultError(f"a fault is a JSON object, not {json_type(spec)}")
    unknown = set(spec) - {"path", "method", "count", "status", "delay_ms", "headers"}
    if unknown:
        raise FaultError(f"unknown fault keys {shown(sorted(unknown))}")
    status = spec.get("status")
    if status is not None and status not in FAULT_BODIES:
        raise FaultError(
            f"status is {shown(status)}; give 429 or 500 (or leave it out for a delay)"
        )
    delay = _count("delay_ms", spec.get("delay_ms", 0), 0, MAX_DELAY_MS)
    if status is None and delay == 0:
        raise FaultError("a fault needs a status (429, 500), a delay_ms, or both")
    headers = spec.get("headers", {})
    if not isinstance(headers, Mapping) or not all(
        isinstance(k, str)
        and isinstance(v, str)
        and k.isascii()
        and v.isascii()
        and v.isprintable()
        and k.replace("-", "").isalnum()
        for k, v in headers.items()
    ):
        raise FaultError(f"headers is {shown(headers)}; give names and printable ASCII values")
    return Fault(
        path=_text("path", spec.get("path", "*")),
        method=_text("method", spec.get("method", "*")).upper(),
        count=_count("count", spec.get("count", 1), 1, MAX_COUNT),
        status=status,
        delay_ms=delay,
        headers=dict(headers),
    )


@dataclass(slots=True)
class ConcurrencyLimit:
    """At most ``limit`` requests matching ``path`` in flight at once."""

    limit: int
    path: str = "/crm/*"
    in_flight: int = 0


def parse_limit(spec: Mapping[str, Any]) -> ConcurrencyLimit:
    """``{"edition": "standard"}`` or ``{"limit": 3, "path": "/crm/*/coql"}``."""
    if not isinstance(spec, Mapping):
        raise FaultError(f"a concurrency limit is a JSON object, not {json_type(spec)}")
    unknown = set(spec) - {"edition", "limit", "path"}
    if unknown:
        raise FaultError(f"unknown concurrency keys {shown(sorted(unknown))}")
    if ("edition" in spec) == ("limit" in spec):
        raise FaultError("give either edition (free ... ultimate) or limit, not both or none")
    if "edition" in spec:
        edition = spec["edition"]
        if not isinstance(edition, str) or edition.lower() not in EDITION_CONCURRENCY:
            raise FaultError(
                f"edition is {shown(edition)}; give one of {shown(sorted(EDITION_CONCURRENCY))}"
            )
        limit = EDITION_CONCURRENCY[edition.lower()]
    else:
        limit = _count("limit", spec["limit"], 1, 10_000)
    return ConcurrencyLimit(limit, _text("path", spec.get("path", "/crm/*")))


class FaultPlan:
    """The faults and limits in force; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._limits: list[ConcurrencyLimit] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def set_limit(self, limit: ConcurrencyLimit) -> None:
        with self._lock:
            self._limits = [x for x in self._limits if x.path != limit.path] + [limit]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self._limits.clear()

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "faults": [f.to_json() for f in self._faults],
                "concurrency": [
                    {"path": x.path, "limit": x.limit, "in_flight": x.in_flight}
                    for x in self._limits
                ],
            }

    def take(self, method: str, path: str) -> Outcome | None:
        """The outcome of the first fault matching this request (and count it), if any."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                    body = None if fault.status is None else dict(FAULT_BODIES[fault.status])
                    return Outcome(fault.delay_ms, fault.status, body, tuple(fault.headers.items()))
        return None

    @contextmanager
    def admitted(self, path: str) -> Iterator[bool]:
        """Count the request in flight; yields False when a concurrency limit is exceeded."""
        with self._lock:
            limits = [x for x in self._limits if fnmatch.fnmatchcase(path, x.path)]
            over = any(x.in_flight >= x.limit for x in limits)
            if not over:
                for x in limits:
                    x.in_flight += 1
        try:
            yield not over
        finally:
            if not over:
                with self._lock:
                    for x in limits:
                        x.in_flight -= 1

    def in_flight(self) -> int:
        """Requests counted against the busiest limit now (for tests and diagnostics)."""
        with self._lock:
            return max((x.in_flight for x in self._limits), default=0)
