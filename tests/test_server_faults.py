"""Issue 11 item 8: fault injection for users' retry logic (429, 500, delays, concurrency)."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from upsert_engine.server import ZohoServer
from upsert_engine.server.faults import EDITION_CONCURRENCY, FaultError

from .server_support import call, lead

UPSERT = "/crm/v8/Leads/upsert"
TOO_MANY = {
    "code": "TOO_MANY_REQUESTS",
    "details": {},
    "message": "too many requests",
    "status": "error",
}


def upsert_with_retries(server: ZohoServer, body: Any, attempts: int) -> list[int]:
    """A client's retry loop: retry 429 and 500; the statuses it saw."""
    seen = []
    for _ in range(attempts):
        status, _, _ = call(server, "POST", UPSERT, body)
        seen.append(status)
        if status not in (429, 500):
            break
    return seen


@pytest.mark.zoho_fault(path="/crm/*/Leads/upsert", count=2, status=429)
def test_marker_makes_the_next_requests_429(zoho_server: ZohoServer) -> None:
    """The fixture option: two 429s with Zoho's body, then the request goes through once."""
    status, kind, answer = call(zoho_server, "POST", UPSERT, {"data": [lead("A")]})
    assert (status, kind, answer) == (429, "application/json;charset=UTF-8", TOO_MANY)
    assert zoho_server.engine.count("Leads") == 0  # a failed request never reaches the org
    assert call(zoho_server, "GET", "/crm/v8/org")[0] == 200  # other paths are untouched
    assert upsert_with_retries(zoho_server, {"data": [lead("A")]}, 5) == [429, 200]
    assert zoho_server.engine.count("Leads") == 1
    assert [(e["path"], e["status"], e["applied"]) for e in zoho_server.requests] == [
        (UPSERT, 429, False),
        ("/crm/v8/org", 200, True),
        (UPSERT, 429, False),
        (UPSERT, 200, True),
    ]


def test_admin_call_500_with_headers_then_cleared(zoho_server: ZohoServer) -> None:
    """POST /__admin/faults: INTERNAL_ERROR (Zoho's message), extra headers; GET, DELETE."""
    fault = {"path": UPSERT, "method": "POST", "count": 3, "status": 500}
    fault["headers"] = {"Retry-After": "2"}
    status, _, plan = call(zoho_server, "POST", "/__admin/faults", fault, auth=False)
    assert status == 200 and plan["faults"][0]["count"] == 3
    request = urllib.request.Request(
        zoho_server.url + UPSERT, data=b'{"data": [{"Last_Name": "A"}]}', method="POST"
    )
    request.add_header("Authorization", zoho_server.headers["Authorization"])
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 500 and caught.value.headers["Retry-After"] == "2"
    assert caught.value.read() == (
        b'{"code": "INTERNAL_ERROR", "details": {}, "message": "Internal server error occurred.",'
        b' "status": "error"}'
    )
    assert call(zoho_server, "GET", "/__admin/faults", auth=False)[2]["faults"][0]["count"] == 2
    assert call(zoho_server, "DELETE", "/__admin/faults", auth=False)[0] == 200
    assert upsert_with_retries(zoho_server, {"data": [lead("B")]}, 3) == [200]
    for bad in ({"status": 404}, {"count": 0, "status": 429}, {"path": UPSERT}, {"when": 1}):
        status, _, answer = call(zoho_server, "POST", "/__admin/faults", bad, auth=False)
        assert (status, answer["code"]) == (400, "INVALID_DATA"), bad
    with pytest.raises(FaultError):
        zoho_server.inject(path=UPSERT, delay_ms=-1)


def test_a_delayed_request_holds_a_concurrency_slot(zoho_server: ZohoServer) -> None:
    """With a limit of 1, a request waiting on a delay fault makes the next one 429; the
    delayed one then completes. The test waits on the in-flight count, never on a clock."""
    zoho_server.limit_concurrency(limit=1)
    zoho_server.inject(path=UPSERT, delay_ms=3000)
    results: list[int] = []
    slow = threading.Thread(
        target=lambda: results.append(call(zoho_server, "POST", UPSERT, {"data": [lead("S")]})[0])
    )
    slow.start()
    deadline = time.monotonic() + 10
    while zoho_server.faults.in_flight() < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert zoho_server.faults.in_flight() == 1
    status, _, answer = call(zoho_server, "GET", "/crm/v8/org")
    assert (status, answer) == (429, TOO_MANY)
    slow.join(timeout=20)
    assert results == [200] and zoho_server.engine.count("Leads") == 1
    assert call(zoho_server, "GET", "/crm/v8/org")[0] == 200  # the slot is free again


@pytest.mark.zoho_concurrency(edition="free")
def test_edition_limits(zoho_server: ZohoServer) -> None:
    """Editions give Zoho's concurrency limits (Kaizen #203); the admin call sets one too."""
    plan = call(zoho_server, "GET", "/__admin/faults", auth=False)[2]
    assert plan["concurrency"] == [{"path": "/crm/*", "limit": 5, "in_flight": 0}]
    assert EDITION_CONCURRENCY == {
        "free": 5,
        "standard": 10,
        "professional": 15,
        "enterprise": 20,
        "ultimate": 25,
    }
    limit = {"edition": "Ultimate", "path": "/crm/*/coql"}
    status, _, plan = call(zoho_server, "POST", "/__admin/concurrency", limit, auth=False)
    assert (
        status == 200
        and {"path": "/crm/*/coql", "limit": 25, "in_flight": 0} in plan["concurrency"]
    )
    for bad in ({"edition": "gold"}, {"limit": 0}, {"edition": "free", "limit": 3}, {}):
        status, _, _ = call(zoho_server, "POST", "/__admin/concurrency", bad, auth=False)
        assert status == 400, bad
    zoho_server.reset()
    assert call(zoho_server, "GET", "/__admin/faults", auth=False)[2] == {
        "faults": [],
        "concurrency": [],
    }
