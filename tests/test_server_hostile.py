"""Issue 8 items 6-8: the fake server's log, caches and parsing stay bounded under bad input."""

from __future__ import annotations

import gc
import json
import threading
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

from upsert_engine import Engine
from upsert_engine._fastpath import MAX_SHAPE_KEYS
from upsert_engine.server import MAX_DEPTH, ZohoServer, replay
from upsert_engine.server.log import ENTRY_OVERHEAD, RequestLog

from .server_support import call, json_of, lead, raw_exchange, status_of


@pytest.fixture(scope="module")
def fake() -> Iterator[ZohoServer]:
    """One default server for the module."""
    with ZohoServer() as server:
        yield server


@pytest.fixture
def server(fake: ZohoServer) -> ZohoServer:
    """The module's server, reset."""
    fake.reset()
    return fake


def _nested(depth: int) -> bytes:
    """``{"data": [[...[1]...]]}``: an object and lists, ``depth`` levels in all."""
    return b'{"data": ' + b"[" * (depth - 1) + b"1" + b"]" * (depth - 1) + b"}"


# --- item 6: the request log ------------------------------------------------------------------
def test_log_keeps_no_body_of_a_request_refused_before_the_engine(server: ZohoServer) -> None:
    """Issue 8 item 6: refused before the engine (token, JSON, the load route's own checks):
    no body kept and not applied; bodies the engine saw are kept, and the log still replays."""
    good = {"data": [lead("Frey", "frey@x.org")]}
    sent = [
        call(server, "POST", "/crm/v8/Leads/upsert", good, auth=False),  # 401
        call(server, "POST", "/crm/v8/Leads/upsert", raw=b'{"data": ['),  # not JSON
        call(server, "POST", "/__admin/load", {"module": "Nope", "records": [lead("A")]}),
        call(server, "POST", "/__admin/load", {"module": "Leads", "records": "x"}),
        call(server, "POST", "/oauth/v2/token", raw=b"grant_type=client_credentials"),
        call(server, "POST", "/crm/v8/Leads/upsert", good),  # the engine's: kept
        call(server, "POST", "/crm/v8/Nope/upsert", good),  # the engine answers INVALID_MODULE
        call(server, "GET", "/crm/v8/Leads?fields=Email", {"ignored": "by the route"}),
    ]
    assert [status for status, _, _ in sent] == [401, 400, 400, 400, 400, 200, 400, 200]
    log = server.requests
    assert [(e["body"], e["applied"]) for e in log] == [(None, False)] * 5 + [
        (good, True),
        (good, True),
        (None, True),  # the route ignores a GET's body: replay needs none
    ]
    assert [(e["status"], e["response"]) for e in log] == [(s, a) for s, _, a in sent]
    expected = [(e["status"], e["response"]) for e in log if e["applied"]]
    assert replay(log, Engine()) == expected


def test_log_caps_entries_and_bytes_dropping_the_oldest(server: ZohoServer) -> None:
    """Issue 8 item 6: past its caps the log drops the oldest entries and counts them."""
    with ZohoServer(max_log_entries=3) as small:
        for n in range(5):
            call(small, "POST", "/crm/v8/Leads/upsert", {"data": [lead(f"L{n}")]})
        assert [e["seq"] for e in small.requests] == [2, 3, 4] and small.dropped == 2
        _, _, answer = call(small, "GET", "/__admin/requests")
        assert answer["dropped"] == 2 and answer["requests"] == small.requests
        small.reset()
        assert small.requests == [] and small.dropped == 0
        call(small, "GET", "/crm/v8/org")
        assert [e["seq"] for e in small.requests] == [0]

    body = json.dumps({"data": [lead("x" * 5000)]}).encode()
    cap = 3 * (ENTRY_OVERHEAD + len(body) + 600)
    with ZohoServer(max_log_bytes=cap) as capped:
        for _ in range(6):
            call(capped, "POST", "/crm/v8/Leads/upsert", raw=body)
        kept = capped.requests  # each entry: overhead + body + an answer under 600 bytes
        assert [e["seq"] for e in kept] == [3, 4, 5] and capped.dropped == 3


def test_log_entry_larger_than_the_byte_cap_empties_the_log() -> None:
    """Issue 8 item 6: an entry over ``max_bytes`` is dropped with all before it (a tail)."""
    log = RequestLog(max_entries=10, max_bytes=3 * ENTRY_OVERHEAD + 100)
    log.append("POST", "/a", "", b"[1]", True, 200, b"{}")
    log.append("POST", "/b", "", b"[2]", True, 200, b"{}")
    assert len(log) == 2 and log.dropped == 0 and log.size <= log.max_bytes
    log.append("POST", "/c", "", b"[" + b"0," * 1000 + b"0]", True, 200, b"{}")
    assert len(log) == 0 and log.dropped == 3 and log.size == 0
    log.append("GET", "/d", "q=1", None, True, 204, None)
    assert [e["seq"] for e in log.to_json()] == [3]
    assert json.loads(log.encoded()) == {"requests": log.to_json(), "dropped": 3}
    with pytest.raises(ValueError, match="max_bytes"):
        RequestLog(max_bytes=-1)


# --- item 7: compiled shapes and reset --------------------------------------------------------
def _shapes(engine: Engine, module: str) -> list[tuple[Any, ...]]:
    return [s for plan in engine._store(module).fast_plans.values() for s in plan.shapes]


def test_record_with_too_many_keys_is_answered_but_not_compiled(server: ZohoServer) -> None:
    """Issue 8 item 7: a shape of more than MAX_SHAPE_KEYS keys is decided, not compiled or
    cached; the answer is the in-process engine's (unknown fields ignored by default)."""
    shadow = Engine()
    for width, compiled in ((MAX_SHAPE_KEYS + 1, False), (MAX_SHAPE_KEYS, True)):
        record = {"Last_Name": f"W{width}", **{f"k{i}": i for i in range(width - 1)}}
        status, _, answer = call(server, "POST", "/crm/v8/Leads/upsert", {"data": [record]})
        expected = shadow.upsert("Leads", {"data": [record]})
        assert (status, answer) == (expected.status, expected.body)
        with server.locked() as engine:
            widths = [len(shape) for shape in _shapes(engine, "Leads")]
        assert (width in widths) is compiled, width
    assert server.engine.count("Leads") == 2


def test_reset_makes_a_fresh_engine_and_frees_the_old_one(server: ZohoServer) -> None:
    """Issue 8 item 7: after reset nothing keeps the old org or its compiled shapes alive,
    without waiting for the cycle collector (which is off during the reset)."""
    call(server, "POST", "/crm/v8/Leads/upsert", {"data": [lead("A", "a@x.org"), lead("B")]})
    with server.locked() as engine:
        old = weakref.ref(engine)
        plans = [
            weakref.ref(compiled)
            for plan in engine._store("Leads").fast_plans.values()
            for compiled in plan.shapes.values()
            if compiled is not None
        ]
        del engine
    assert plans and old() is not None
    gc.disable()
    try:
        assert call(server, "POST", "/__admin/reset")[0] == 200
        assert old() is None and all(plan() is None for plan in plans)
    finally:
        gc.enable()
    assert server.engine.count("Leads") == 0 and _shapes(server.engine, "Leads") == []


# --- item 8: numbers, nesting and the lock ----------------------------------------------------
def test_5000_digit_content_length_gets_413(server: ZohoServer) -> None:
    """Issue 8 item 8: a 5000-digit Content-Length is answered (413, closed), not a crash;
    5000 digits of leading zeros before a small length are that length."""
    head = "POST /crm/v8/Leads/upsert HTTP/1.1\r\nHost: x\r\n"
    head += f"Authorization: Zoho-oauthtoken {server.token}\r\n"
    answer = raw_exchange(server, (head + f"Content-Length: {'9' * 5000}\r\n\r\n").encode())
    assert status_of(answer) == 413 and json_of(answer)["code"] == "LIMIT_EXCEEDED"
    assert "5000-digit" in json_of(answer)["message"] and b"Connection: close" in answer
    body = json.dumps({"data": [lead("Zeros")]})
    length = "0" * 5000 + str(len(body))
    answer = raw_exchange(server, f"{head}Content-Length: {length}\r\n\r\n{body}".encode())
    assert status_of(answer) == 200 and server.engine.count("Leads") == 1


def test_5000_digit_page_and_per_page(server: ZohoServer) -> None:
    """Issue 8 item 8: a 5000-digit page is past what a page can reach (Zoho's limit error, or
    the fake's refusal on v2); per_page over 200 is 400; leading zeros are read away."""
    call(server, "POST", "/crm/v8/Leads", {"data": [lead("A")]})
    huge = "9" * 5000
    paths = ("/crm/v8/Leads?fields=Email&", "/crm/v2/Leads?", "/crm/v8/Leads/search?word=Ab&")
    codes = ("DISCRETE_PAGINATION_LIMIT_EXCEEDED", "NOT_SUPPORTED", "LIMIT_REACHED")
    call(server, "POST", "/crm/v8/Leads", {"data": [lead("Ab")]})
    for path, code in zip(paths, codes, strict=True):
        separator = ""
        status, _, answer = call(server, "GET", f"{path}{separator}page={huge}")
        assert (status, answer["code"]) == (400, code), path
        status, _, answer = call(server, "GET", f"{path}{separator}per_page={huge}")
        assert (status, answer["code"]) == (400, "INVALID_DATA"), path
        assert answer["details"] == {"param_name": "per_page"}
        status, _, answer = call(server, "GET", f"{path}{separator}page={'0' * 5000}1")
        assert status == 200 and answer["info"]["page"] == 1


def test_deep_bodies_are_refused_and_the_log_stays_readable(server: ZohoServer) -> None:
    """Issue 8 item 8: a body nested past MAX_DEPTH gets 400 and is not logged; one at the
    limit reaches the engine, is logged, and GET /__admin/requests still answers."""
    for depth in (982, MAX_DEPTH + 1):
        status, _, answer = call(server, "POST", "/crm/v8/Leads/upsert", raw=_nested(depth))
        assert (status, answer["code"]) == (400, "INVALID_DATA"), depth
        # 982 levels may already exceed the JSON parser's recursion limit in this thread
        assert answer["details"] in ({"limit": MAX_DEPTH}, {"expected_data_type": "jsonobject"})
    assert answer["details"] == {"limit": MAX_DEPTH}
    status, _, answer = call(server, "POST", "/crm/v8/Leads/upsert", raw=_nested(MAX_DEPTH))
    assert status == 400 and answer["status"] == "error"  # the engine's answer
    status, _, log = call(server, "GET", "/__admin/requests")
    assert status == 200 and [e["applied"] for e in log["requests"]] == [False, False, True]
    assert log["requests"][2]["body"] == json.loads(_nested(MAX_DEPTH))
    assert server.requests == log["requests"]
    assert server.engine.count("Leads") == 0


def test_requests_and_reset_inside_locked_do_not_deadlock(server: ZohoServer) -> None:
    """Issue 8 item 8: ``server.requests`` and ``reset()`` inside ``server.locked()`` work."""
    call(server, "GET", "/crm/v8/org")
    seen: list[Any] = []

    def inside() -> None:
        with server.locked() as engine:
            seen.append([e["path"] for e in server.requests])
            seen.append(server.dropped)
            server.reset()
            seen.append(server.engine is not engine and server.requests == [])

    worker = threading.Thread(target=inside, daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "deadlocked"
    assert seen == [["/crm/v8/org"], 0, True]
