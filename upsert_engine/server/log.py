"""The fake server's request log: what replay and debugging need, and no more (app.py).

An entry keeps the request line (method, path, query), the acting user (R32: None for the
token of the org's default user), the request's headers (the routes read X-EXTERNAL, R24,
If-Unmodified-Since, R34, If-Modified-Since), the status and the answer as sent, and the body
as received, but the body only when the engine was given it. A request refused
before (no or a wrong token, a body that is not JSON, a route's own check such as
``/__admin/load`` naming an unknown module) keeps none and is not ``applied``: replay skips it.

Bodies and answers are held as the JSON text on the wire, not as parsed objects, so the bytes
counted are the memory held: a parsed 8 MiB body of small records takes some 170 MiB (issue 8
item 6). Past ``max_entries`` entries or ``max_bytes`` bytes the oldest entries are dropped and
counted in ``dropped``; the log is then a tail of the history, which cannot be replayed into a
fresh org. The log is not thread-safe: the server holds its lock around every call.

Headers are kept whole (issue 11 item 9) with credentials masked
(``mask_headers``: ``Authorization: Zoho-oauthtoken ***``), the time the server received it
(``received``, which replay hands back to list routes so page tokens answer the same), the
``notes`` a route made (a parameter Zoho ignores, ignored here too) and, for a bulk write job,
the ``effects``: the engine calls the job made, which replay applies in its place.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

#: bytes counted for an entry besides its body and answer (its objects and request line)
ENTRY_OVERHEAD: Final = 512
DEFAULT_MAX_ENTRIES: Final = 10_000
DEFAULT_MAX_BYTES: Final = 64 * 1024 * 1024
#: Headers whose values are credentials: logged as their scheme and ``***``.
SECRET_HEADERS: Final = frozenset({"authorization", "proxy-authorization", "cookie"})
#: Header values are logged up to this many characters.
MAX_HEADER_CHARS: Final = 256


def mask_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers as logged: lower-case names, credentials masked, long values cut."""
    out: dict[str, str] = {}
    for name, value in headers.items():
        shown = value
        if name.lower() in SECRET_HEADERS:
            scheme, _, secret = value.strip().partition(" ")
            shown = f"{scheme} ***" if secret else "***"
        out[name.lower()] = shown[:MAX_HEADER_CHARS]
    return out


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One request as logged; ``body`` and ``response`` are JSON text (UTF-8) or None."""

    seq: int
    method: str
    path: str
    query: str
    body: bytes | None
    applied: bool
    status: int
    response: bytes | None
    #: JSON text of the acting user, the masked headers, the received time, notes, effects
    extra: bytes = b"{}"

    @property
    def size(self) -> int:
        """The bytes this entry counts against the log's ``max_bytes``."""
        return (
            ENTRY_OVERHEAD
            + len(self.body or b"")
            + len(self.response or b"")
            + len(self.path)
            + len(self.query)
            + len(self.extra)
        )

    def _head(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            **json.loads(self.extra),
        }

    def to_json(self) -> dict[str, Any]:
        """The entry as ``ZohoServer.requests`` shows it: body and answer parsed afresh."""
        return {
            **self._head(),
            "body": None if self.body is None else json.loads(self.body),
            "applied": self.applied,
            "status": self.status,
            "response": None if self.response is None else json.loads(self.response),
        }

    def encoded(self) -> bytes:
        """``to_json()`` as JSON text, built from the stored text without parsing it."""
        head = json.dumps(
            {"seq": self.seq, "method": self.method, "path": self.path, "query": self.query}
        ).encode()
        extra = self.extra.strip()[1:-1].strip()
        return b"".join(
            (
                head[:-1],
                b", " + extra if extra else b"",
                b', "body": ',
                b"null" if self.body is None else self.body,
                b', "applied": ',
                b"true" if self.applied else b"false",
                b', "status": ',
                str(self.status).encode(),
                b', "response": ',
                b"null" if self.response is None else self.response,
                b"}",
            )
        )


class RequestLog:
    """The requests in the order applied, at most ``max_entries`` and ``max_bytes`` of them."""

    def __init__(
        self, max_entries: int = DEFAULT_MAX_ENTRIES, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> None:
        for name, value in (("max_entries", max_entries), ("max_bytes", max_bytes)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"the request log's {name} is {value!r}; give a count >= 0")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: deque[LogEntry] = deque()
        self._bytes = 0
        self._seq = 0
        #: entries dropped (oldest first) to stay within the caps since the last clear
        self.dropped = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        """The bytes the kept entries count (see ``LogEntry.size``)."""
        return self._bytes

    def append(
        self,
        method: str,
        path: str,
        query: str,
        body: bytes | None,
        applied: bool,
        status: int,
        response: bytes | None,
        *,
        user: str | None = None,
        headers: Mapping[str, str] | None = None,
        received: str | None = None,
        notes: Sequence[str] = (),
        effects: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        """Log one request under the next ``seq``, dropping the oldest entries past the caps.

        ``user``: the acting user's id (None: the org's default user, R32)."""
        more: dict[str, Any] = {
            "user": user,
            "headers": mask_headers(headers or {}),
            "received": received,
        }
        if notes:
            more["notes"] = list(notes)
        if effects:
            more["effects"] = list(effects)
        extra = json.dumps(more).encode()
        entry = LogEntry(self._seq, method, path, query, body, applied, status, response, extra)
        self._seq += 1
        self._entries.append(entry)
        self._bytes += entry.size
        while self._entries and (
            len(self._entries) > self.max_entries or self._bytes > self.max_bytes
        ):
            self._bytes -= self._entries.popleft().size
            self.dropped += 1

    def clear(self) -> None:
        """Empty the log; ``seq`` and ``dropped`` start again from 0."""
        self._entries.clear()
        self._bytes = self._seq = self.dropped = 0

    def to_json(self) -> list[dict[str, Any]]:
        """The kept entries, oldest first, as fresh dicts."""
        return [entry.to_json() for entry in self._entries]

    def encoded(self) -> bytes:
        """``{"requests": [...], "dropped": N}`` as JSON text (the ``/__admin/requests`` answer)."""
        entries = b", ".join(entry.encoded() for entry in self._entries)
        return b'{"requests": [' + entries + b'], "dropped": ' + str(self.dropped).encode() + b"}"
