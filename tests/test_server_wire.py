"""Bad input over the wire gets its documented answer, and the server keeps serving."""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator

import pytest

from upsert_engine.server import ZohoServer

from .server_support import call, json_of, lead, raw_exchange, status_of

LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def fake() -> Iterator[ZohoServer]:
    """One server with a 64 KiB body limit and a 1 s socket timeout."""
    with ZohoServer(max_body_bytes=LIMIT, timeout=1.0) as server:
        yield server


@pytest.fixture
def server(fake: ZohoServer) -> ZohoServer:
    """The module's server, reset."""
    fake.reset()
    return fake


def _still_serves(server: ZohoServer) -> None:
    status, _, answer = call(server, "POST", "/crm/v8/Leads/upsert", {"data": [lead("Ok")]})
    assert status == 200 and answer["data"][0]["code"] == "SUCCESS"


def _head(server: ZohoServer, method: str, length: int, extra: str = "") -> bytes:
    return (
        f"{method} /crm/v8/Leads/upsert HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Zoho-oauthtoken {server.token}\r\nContent-Length: {length}\r\n"
        f"{extra}\r\n"
    ).encode()


def test_malformed_json(server: ZohoServer) -> None:
    """Unparseable bodies get a Zoho-shaped 400 INVALID_DATA and write nothing."""
    for raw in (b"{bad", b'{"data": [', b"\xff\xfe{}", b'{"data": [NaN]}'):
        status, kind, answer = call(server, "POST", "/crm/v8/Leads/upsert", raw=raw)
        assert (status, answer["code"], answer["status"]) == (400, "INVALID_DATA", "error"), raw[:9]
        assert answer["details"] == {"expected_data_type": "jsonobject"}
        assert kind == "application/json;charset=UTF-8"
    # 50,000 opening brackets: deeper than MAX_DEPTH before anything else (F11: one answer)
    status, _, answer = call(server, "POST", "/crm/v8/Leads/upsert", raw=b"[" * 50_000)
    assert (status, answer["code"], answer["details"]) == (400, "INVALID_DATA", {"limit": 64})
    for raw in (b"[]", b'"x"', b"null", b"", b"  "):
        status, _, answer = call(server, "POST", "/crm/v8/Leads/upsert", raw=raw)
        assert (status, answer["code"]) in ((400, "INVALID_DATA"), (400, "MANDATORY_NOT_FOUND"))
    assert server.engine.count("Leads") == 0
    assert not any(entry["applied"] for entry in server.requests[:5])
    _still_serves(server)


def test_huge_bodies(server: ZohoServer) -> None:
    """An oversized body gets 413 LIMIT_EXCEEDED; the same connection then serves the next one."""
    connection = http.client.HTTPConnection(server.url.removeprefix("http://"), timeout=10)
    huge = json.dumps({"data": [lead("x" * (4 * LIMIT))]}).encode()
    good = json.dumps({"data": [lead("Ok")]}).encode()
    try:
        for body, expected in ((huge, 413), (good, 200), (huge, 413), (good, 200)):
            connection.request("POST", "/crm/v8/Leads/upsert", body=body, headers=server.headers)
            response = connection.getresponse()
            answer = json.loads(response.read())
            assert response.status == expected
            if expected == 413:
                assert (answer["code"], answer["details"]) == ("LIMIT_EXCEEDED", {"limit": LIMIT})
    finally:
        connection.close()
    assert server.engine.count("Leads") == 2
    # A body too large even to drain is refused at once and the connection closed.
    answer = raw_exchange(server, _head(server, "POST", 10**10))
    assert status_of(answer) == 413 and b"Connection: close" in answer
    _still_serves(server)


def test_wrong_methods_and_broken_requests(server: ZohoServer) -> None:
    """Unknown methods, HEAD, broken request lines and framing get Zoho-shaped errors."""
    answer = raw_exchange(server, _head(server, "FOO", 0))
    assert status_of(answer) == 400 and json_of(answer)["code"] == "INVALID_REQUEST_METHOD"
    answer = raw_exchange(server, _head(server, "HEAD", 0))
    assert status_of(answer) == 400 and answer.endswith(b"\r\n\r\n")  # no body for HEAD
    for broken, status in (
        (b"NOT AN HTTP REQUEST\r\n\r\n", 400),
        (b"GET /crm/v8/org HTTP/2.0\r\n\r\n", 505),
        (_head(server, "POST", 0).replace(b"Content-Length: 0", b"Content-Length: -5"), 400),
        (_head(server, "POST", 0, "Transfer-Encoding: chunked\r\n"), 400),  # both: F2
        (b"GET /" + b"x" * 70_000 + b" HTTP/1.1\r\n\r\n", 414),
    ):
        answer = raw_exchange(server, broken)
        assert status_of(answer) == status, broken[:30]
        assert json_of(answer)["status"] == "error"
    status, _, answer = call(server, "PATCH", "/crm/v8/Leads/upsert", {"data": [lead("A")]})
    assert (status, answer["code"]) == (400, "INVALID_REQUEST_METHOD")
    assert server.engine.count("Leads") == 0
    _still_serves(server)


def test_bad_tokens(server: ZohoServer) -> None:
    """Missing, wrong and malformed tokens get 401 and write nothing; the log says so."""
    body = {"data": [lead("A")]}
    for headers in (
        {},
        {"Authorization": ""},
        {"Authorization": "Zoho-oauthtoken"},
        {"Authorization": "Zoho-oauthtoken " + server.token + "x"},
        {"Authorization": "Bearer " + server.token},
        {"Authorization": "Zoho-oauthtoken " + "é" * 10},
        {"Authorization": "Zoho-oauthtoken " + "t" * 20_000},
    ):
        status, _, answer = call(
            server, "POST", "/crm/v8/Leads/upsert", body, headers=headers, auth=False
        )
        assert status == 401 and answer["code"] in ("AUTHENTICATION_FAILURE", "INVALID_TOKEN")
    assert server.engine.count("Leads") == 0
    assert [e["status"] for e in server.requests] == [401] * 7
    assert not any(e["applied"] for e in server.requests)
    _still_serves(server)


def test_client_that_stops_mid_body(server: ZohoServer) -> None:
    """A body cut short gets 400; a stalled one does not block others and times out (408)."""
    partial = _head(server, "POST", 1000) + b'{"data": [{"Last_Name": "Half'
    answer = raw_exchange(server, partial)
    assert status_of(answer) == 400 and "ended after" in json_of(answer)["message"]

    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as stalled:
        stalled.sendall(partial)
        started = time.monotonic()
        _still_serves(server)  # served while the stalled client holds its connection
        assert time.monotonic() - started < 0.9
        answer = b""
        while chunk := stalled.recv(65536):  # read to the end: the server closes the connection
            answer += chunk
        assert status_of(answer) == 408 and json_of(answer)["code"] == "REQUEST_TIMEOUT"
    assert [e["status"] for e in server.requests] == [400, 200, 408]
    assert server.engine.count("Leads") == 1
    _still_serves(server)
