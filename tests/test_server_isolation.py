"""Review finding F9: a reset is a barrier. A request that arrived before a reset (a test's
request still in flight when the next test's ``zoho_server`` fixture resets) is never applied
to, nor logged in, the org made by the reset."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from upsert_engine.server import ZohoServer

from .server_support import call, lead


def _across_a_reset(
    server: ZohoServer, monkeypatch: pytest.MonkeyPatch, path: str, body: Any
) -> tuple[int, str | None, Any]:
    """POST ``body`` to ``path`` from another thread; once its headers have arrived (the
    server's ``arrived`` ran) and while the test holds the lock, reset; then its answer."""
    came = threading.Event()
    arrived = server.arrived

    def spy() -> None:
        arrived()
        came.set()

    monkeypatch.setattr(server, "arrived", spy)
    answers: list[tuple[int, str | None, Any]] = []
    sender = threading.Thread(target=lambda: answers.append(call(server, "POST", path, body)))
    with server.locked():
        sender.start()
        assert came.wait(10), "the request never reached the server"
        server.reset()  # what the zoho_server fixture calls before the next test
    sender.join(10)
    assert not sender.is_alive()
    return answers[0]


def test_a_request_in_flight_across_the_fixtures_reset_is_not_applied(
    zoho_server: ZohoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """F9: the upsert arrives while the test holds the lock; the fixture's reset
    (``zoho_server.reset()``, what it calls before each test) happens; then the upsert gets
    the lock. It is refused (409), not applied and not logged in the new org."""
    body = {"data": [lead("Frey", "frey@x.org")]}
    status, _, answer = _across_a_reset(zoho_server, monkeypatch, "/crm/v8/Leads/upsert", body)
    assert (status, answer["code"]) == (409, "INVALID_REQUEST")
    assert "reset" in answer["message"]
    assert zoho_server.engine.count("Leads") == 0
    assert zoho_server.requests == []
    # the server goes on: the next request, after the reset, applies
    assert call(zoho_server, "POST", "/crm/v8/Leads/upsert", body)[0] == 200
    assert zoho_server.engine.count("Leads") == 1


def test_an_admin_request_in_flight_across_a_reset_is_not_applied(
    zoho_server: ZohoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """F9: the barrier holds for the /__admin endpoints too: a fault posted before a reset
    does not land in the next test's fault plan."""
    fault = {"path": "/crm/*/Leads/upsert", "status": 500}
    assert _across_a_reset(zoho_server, monkeypatch, "/__admin/faults", fault)[0] == 409
    assert zoho_server.faults.to_json()["faults"] == []
