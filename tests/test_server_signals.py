"""An interrupt (SIGTERM, Ctrl-C) that lands while the server starts a connection's thread.

Found by issue 12's console-script tests under load: `serve` raises KeyboardInterrupt from its
SIGTERM handler, and when that happened inside ``Thread.start()`` (the thread already running),
the slot of ``max_connections`` was released twice, the ValueError replaced the interrupt, and
the server went on serving: the process ignored SIGTERM.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pytest

from upsert_engine.server import ZohoServer


def test_interrupt_during_thread_start_propagates_and_frees_the_slot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """KeyboardInterrupt raised while start() waits for the started thread reaches the caller
    (so `serve` stops), and the connection's slot is released exactly once."""
    real_start = threading.Thread.start

    def start_then_interrupt(self: threading.Thread) -> None:
        real_start(self)
        raise KeyboardInterrupt

    with ZohoServer(max_connections=2) as server:
        http = server._http
        ours, theirs = socket.socketpair()
        theirs.close()  # the connection's handler reads EOF and ends at once
        monkeypatch.setattr(threading.Thread, "start", start_then_interrupt)
        with pytest.raises(KeyboardInterrupt):
            http.process_request(ours, ("127.0.0.1", 1))
        monkeypatch.undo()
        deadline = time.monotonic() + 10
        held: list[Any] = []
        while len(held) < 2 and time.monotonic() < deadline:
            if http.slots.acquire(timeout=0.05):
                held.append(True)
        assert len(held) == 2  # both slots free again: released once, not lost
        assert not http.slots.acquire(blocking=False)  # and not released twice
        for _ in held:
            http.slots.release()
