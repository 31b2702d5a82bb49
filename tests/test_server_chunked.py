"""Review finding F2: chunked request bodies (``Transfer-Encoding: chunked``, RFC 9112
section 7.1, as curl and urllib send a generator's body) are read like Content-Length ones:
the same size cap (413 LIMIT_EXCEEDED), deadlines (408) and error answers (400)."""

from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Iterator

import pytest

from upsert_engine.server import ZohoServer

from .server_support import call, json_of, lead, raw_exchange, status_of

LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def fake() -> Iterator[ZohoServer]:
    """One server with a 64 KiB body limit, 1 s reads and a 2 s body deadline."""
    with ZohoServer(max_body_bytes=LIMIT, timeout=1.0, body_timeout=2.0) as server:
        yield server


@pytest.fixture
def server(fake: ZohoServer) -> ZohoServer:
    """The module's server, reset."""
    fake.reset()
    return fake


def _head(server: ZohoServer, extra: str = "Transfer-Encoding: chunked\r\n") -> bytes:
    return (
        f"POST /crm/v8/Leads/upsert HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Zoho-oauthtoken {server.token}\r\n{extra}\r\n"
    ).encode()


def _chunked(body: bytes, size: int = 7) -> bytes:
    """``body`` in chunks of ``size`` bytes, one with an extension, then a trailer field."""
    out = b""
    for start in range(0, len(body), size):
        piece = body[start : start + size]
        extension = b";name=value" if start == 0 else b""
        out += b"%x%s\r\n%s\r\n" % (len(piece), extension, piece)
    return out + b"0\r\nX-Trailer: ignored\r\n\r\n"


def test_urllib_sends_a_generator_chunked_and_it_applies(server: ZohoServer) -> None:
    """F2: urllib sends an iterable body chunked (no Content-Length); Zoho, like any HTTP/1.1
    server, accepts it: the upsert applies and the log keeps the body."""
    body = json.dumps({"data": [lead("Frey", "frey@x.org")]}).encode()
    request = urllib.request.Request(
        server.url + "/crm/v8/Leads/upsert",
        data=iter([body[:10], body[10:]]),
        method="POST",
        headers=server.headers,
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert json.loads(response.read())["data"][0]["code"] == "SUCCESS"
    assert server.engine.count("Leads") == 1
    assert server.requests[-1]["body"] == {"data": [lead("Frey", "frey@x.org")]}


def test_raw_chunks_with_extensions_and_trailers_then_keep_alive(server: ZohoServer) -> None:
    """F2: chunk extensions and trailer fields are allowed (RFC 9112 7.1.1, 7.1.2); after a
    chunked request the same connection serves the next one."""
    first, second = (json.dumps({"data": [lead(name)]}).encode() for name in ("Moss", "Frey"))
    answer = raw_exchange(
        server, _head(server) + _chunked(first) + _head(server) + _chunked(second, 3)
    )
    assert answer.count(b"HTTP/1.1 200") == 2
    names = sorted(r["Last_Name"] for r in server.engine.records("Leads"))
    assert names == ["Frey", "Moss"]


@pytest.mark.parametrize(
    ("framing", "status", "words"),
    [
        (b"zz\r\n{}\r\n0\r\n\r\n", 400, "not a hexadecimal number"),
        (b"5\r\n{}", 400, "ended early"),
        (b"2\r\n{}XX0\r\n\r\n", 400, "ended early"),
        (b"2\r\n{}\r\n", 400, "ended early"),
        (b"1" * 2000 + b"\r\n", 400, "longer than 1024"),
        (b"%x\r\n" % (LIMIT + 1), 413, f"more than {LIMIT} bytes"),
        (b"8000\r\n" + b" " * 0x8000 + b"\r\n8001\r\n", 413, f"the limit is {LIMIT}"),
        (b"0\r\n" + b"X: y\r\n" * 100 + b"\r\n", 400, "trailer lines"),
    ],
)
def test_bad_chunked_bodies_are_refused_and_the_connection_closed(
    server: ZohoServer, framing: bytes, status: int, words: str
) -> None:
    """F2: a malformed or oversized chunked body gets a Zoho-shaped error (400, or 413
    LIMIT_EXCEEDED as for a Content-Length body over the cap), writes nothing, and the
    connection is closed (what follows a broken chunk cannot be framed)."""
    answer = raw_exchange(server, _head(server) + framing)
    assert status_of(answer) == status and b"Connection: close" in answer
    reply = json_of(answer)
    assert reply["status"] == "error" and words in reply["message"], reply
    if status == 413:
        assert (reply["code"], reply["details"]) == ("LIMIT_EXCEEDED", {"limit": LIMIT})
    assert server.engine.count("Leads") == 0
    assert call(server, "POST", "/crm/v8/Leads/upsert", {"data": [lead("Ok")]})[0] == 200


def test_other_codings_and_both_framings_are_refused(server: ZohoServer) -> None:
    """F2: a coding other than chunked gets 501 NOT_SUPPORTED (RFC 9110 15.6.2); both
    Transfer-Encoding and Content-Length get 400 (RFC 9112 6.1: a smuggling vector)."""
    answer = raw_exchange(server, _head(server, "Transfer-Encoding: gzip, chunked\r\n"))
    assert status_of(answer) == 501 and json_of(answer)["code"] == "NOT_SUPPORTED"
    both = "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"
    answer = raw_exchange(server, _head(server, both) + b"0\r\n\r\n")
    assert status_of(answer) == 400 and "both" in json_of(answer)["message"]
    assert server.engine.count("Leads") == 0


def test_a_stalled_chunked_body_times_out(server: ZohoServer) -> None:
    """F2: a chunked body that stops coming gets 408 REQUEST_TIMEOUT, as a Content-Length
    body does (the per-read timeout, then the connection is closed)."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(_head(server) + b'5\r\n{"da')
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert status_of(answer) == 408 and json_of(answer)["code"] == "REQUEST_TIMEOUT"
    assert server.engine.count("Leads") == 0


@pytest.mark.parametrize("lengths", [(33, 3), (3, 33), (33, 33)])
def test_more_than_one_content_length_is_refused(
    server: ZohoServer, lengths: tuple[int, int]
) -> None:
    """Two Content-Length fields (differing, or even equal) get 400 and the connection is
    closed, as Transfer-Encoding with Content-Length does: RFC 9112 section 6.3 makes
    differing values an unrecoverable framing error (a smuggling vector). Before, the first
    field won: 33 then 3 inserted the record (200); 3 then 33 read 3 bytes and left the rest
    of the body on the connection as the next request."""
    body = json.dumps({"data": [lead("Frey")]}).encode()
    assert len(body) == 33
    fields = "".join(f"Content-Length: {n}\r\n" for n in lengths)
    answer = raw_exchange(server, _head(server, fields) + body)
    assert status_of(answer) == 400 and b"Connection: close" in answer
    assert answer.count(b"HTTP/1.1 ") == 1  # nothing of the body was read as a next request
    reply = json_of(answer)
    assert reply["code"] == "INVALID_DATA" and "Content-Length" in reply["message"], reply
    assert server.engine.count("Leads") == 0
    assert call(server, "POST", "/crm/v8/Leads/upsert", {"data": [lead("Ok")]})[0] == 200
