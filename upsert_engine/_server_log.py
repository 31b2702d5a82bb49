"""The fake server's request log: what replay and debugging need, and no more (server.py).

An entry keeps the request line (method, path, query), the acting user (R32: None for the
token of the org's default user) and the headers the routes read (X-EXTERNAL, R24;
If-Unmodified-Since, R34), the status and the answer as sent, and the body as received, but
the body only when the engine was given it. A request refused
before (no or a wrong token, a body that is not JSON, a route's own check such as
``/__admin/load`` naming an unknown module) keeps none and is not ``applied``: replay skips it.

Bodies and answers are held as the JSON text on the wire, not as parsed objects, so the bytes
counted are the memory held: a parsed 8 MiB body of small records takes some 170 MiB (issue 8
item 6). Past ``max_entries`` entries or ``max_bytes`` bytes the oldest entries are dropped and
counted in ``dropped``; the log is then a tail of the history, which cannot be replayed into a
fresh org. The log is not thread-safe: the server holds its lock around every call.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from typing import Any, Final

#: bytes counted for an entry besides its body and answer (its objects and request line)
ENTRY_OVERHEAD: Final = 512
DEFAULT_MAX_ENTRIES: Final = 10_000
DEFAULT_MAX_BYTES: Final = 64 * 1024 * 1024


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
    user: str | None = None
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def size(self) -> int:
        """The bytes this entry counts against the log's ``max_bytes``."""
        return (
            ENTRY_OVERHEAD
            + len(self.body or b"")
            + len(self.response or b"")
            + len(self.path)
            + len(self.query)
            + sum(len(name) + len(value) for name, value in self.headers)
        )

    def _head(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "user": self.user,
            "headers": dict(self.headers),
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
        head = json.dumps(self._head()).encode()
        return b"".join(
            (
                head[:-1],
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
        user: str | None = None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        """Log one request under the next ``seq``, dropping the oldest entries past the caps."""
        entry = LogEntry(
            self._seq, method, path, query, body, applied, status, response, user, headers
        )
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
