"""Issue 8 items 9 and 10: who gets the token, open admin endpoints, connections and deadlines."""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import time
import warnings

import pytest

from upsert_engine.cli import main
from upsert_engine.server import ZohoServer

from .server_support import call, json_of, status_of

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _connect(server: ZohoServer) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def _read_all(sock: socket.socket) -> bytes:
    answer = b""
    while chunk := sock.recv(65536):
        answer += chunk
    return answer


def _request(server: ZohoServer, path: str = "/crm/v8/org") -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        f"Authorization: Zoho-oauthtoken {server.token}\r\n\r\n"
    ).encode()


# --- item 9: the token -------------------------------------------------------------------------
@pytest.mark.parametrize("token", ["", " ", "two words", "tok\u00e9n", "tab\there", "\x00"])
def test_unusable_token_is_refused(token: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 8 item 9: an empty token (which a bare ``Zoho-oauthtoken`` header would match)
    or one no header can carry is refused, in code and by ``serve`` (exit 2, one line)."""
    with pytest.raises(ValueError, match="token"):
        ZohoServer(token=token)
    assert main(["serve", "--token", token]) == 2
    assert "token" in capsys.readouterr().err
    with pytest.raises(ValueError, match="client secret"):
        ZohoServer(client_secret=token)


def test_token_endpoint_serves_only_the_configured_client() -> None:
    """Issue 8 item 9: ``client_credentials`` (or any grant) without the configured client id
    and secret gets ``invalid_client`` (RFC 6749 section 5.2) and no token."""
    with ZohoServer(token="t0k", client_id="me", client_secret="s3cret") as server:
        for form in (
            "grant_type=client_credentials",
            "grant_type=client_credentials&client_id=me",
            "grant_type=client_credentials&client_id=me&client_secret=wrong",
            "grant_type=refresh_token&refresh_token=r&client_id=other&client_secret=s3cret",
            "grant_type=authorization_code&code=c&client_id=me&client_secret=",
        ):
            status, _, answer = call(
                server, "POST", "/oauth/v2/token", raw=form.encode(), headers=FORM
            )
            assert (status, answer) == (400, {"error": "invalid_client"}), form
        form = "grant_type=client_credentials&client_id=me&client_secret=s3cret"
        status, _, answer = call(server, "POST", "/oauth/v2/token", raw=form.encode(), headers=FORM)
        assert status == 200 and answer["access_token"] == "t0k"
        assert all(e["body"] is None for e in server.requests)  # secrets are not logged


def test_non_loopback_host_warns_that_admin_endpoints_are_open() -> None:
    """Issue 8 item 9: binding a non-loopback address warns that /__admin needs no token;
    loopback does not."""
    with pytest.warns(RuntimeWarning, match="/__admin"):
        ZohoServer(host="0.0.0.0").stop()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ZohoServer(host="127.0.0.1").stop()


def test_serve_prints_the_open_admin_warning() -> None:
    """Issue 8 item 9: ``upsert-engine serve --host 0.0.0.0`` prints the warning on stderr."""
    command = [sys.executable, "-m", "upsert_engine", "serve", "--host", "0.0.0.0"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        try:
            assert process.stdout.readline().startswith("http://0.0.0.0:")
        finally:
            process.terminate()
            process.wait(timeout=10)
        error = process.stderr.read()
    assert "warning" in error and "/__admin" in error and "not on loopback" in error


# --- item 10: connections and deadlines --------------------------------------------------------
def test_connections_beyond_the_cap_wait_for_a_free_one() -> None:
    """Issue 8 item 10: with max_connections=2, a third connection is not served while two
    are held open, and is served once one of them closes."""
    with ZohoServer(max_connections=2, header_timeout=60) as server:
        holders = [_connect(server), _connect(server)]
        for holder in holders:
            holder.sendall(b"GET /crm")  # a request line that never ends
        third = _connect(server)
        try:
            third.sendall(_request(server))
            deadline = time.monotonic() + 10
            while server._http.waiting != 1 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert server._http.waiting == 1  # accepted, queued for a slot, not served
            assert select.select([third], [], [], 0)[0] == []
            holders.pop().close()
            answer = _read_all(third)
            assert status_of(answer) == 200 and server._http.waiting == 0
        finally:
            third.close()
            for holder in holders:
                holder.close()


def test_trickled_headers_time_out() -> None:
    """Issue 8 item 10: headers sent a byte at a time, each within the idle timeout, still get
    408 REQUEST_TIMEOUT once header_timeout has passed since their first byte."""
    with ZohoServer(header_timeout=0.5, timeout=10) as server, _connect(server) as sock:
        trickle = b"GET /crm/v8/org HTTP/1.1\r\n" + b"X-Slow: " + b"x" * 2000
        sent = 0
        while sent < len(trickle) and not select.select([sock], [], [], 0)[0]:
            sock.sendall(trickle[sent : sent + 1])
            sent += 1
            time.sleep(0.01)
        answer = _read_all(sock)
        assert sent < len(trickle)  # cut off before the headers ended
        assert status_of(answer) == 408 and json_of(answer)["code"] == "REQUEST_TIMEOUT"
        assert b"Connection: close" in answer and "headers" in json_of(answer)["message"]
        assert call(server, "GET", "/crm/v8/org")[0] == 200
        assert [e["status"] for e in server.requests] == [200]  # never a request: not logged


def test_trickled_body_times_out() -> None:
    """Issue 8 item 10: a body trickled a byte at a time gets 408 after body_timeout."""
    with ZohoServer(body_timeout=0.5, timeout=10) as server, _connect(server) as sock:
        body = json.dumps({"data": [{"Last_Name": "x" * 2000}]}).encode()
        head = (
            f"POST /crm/v8/Leads/upsert HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
            f"Authorization: Zoho-oauthtoken {server.token}\r\n\r\n"
        ).encode()
        sock.sendall(head)
        sent = 0
        while sent < len(body) and not select.select([sock], [], [], 0)[0]:
            sock.sendall(body[sent : sent + 1])
            sent += 1
            time.sleep(0.01)
        answer = _read_all(sock)
        assert sent < len(body)
        assert status_of(answer) == 408 and "did not arrive" in json_of(answer)["message"]
        assert server.engine.count("Leads") == 0
        assert [(e["status"], e["body"]) for e in server.requests] == [(408, None)]


def test_an_idle_keep_alive_connection_is_not_a_trickle() -> None:
    """Issue 8 item 10: the header deadline starts at a request's first byte, so a
    connection idle between requests (within ``timeout``) is still served."""
    with ZohoServer(header_timeout=0.2, timeout=10) as server, _connect(server) as sock:
        time.sleep(0.5)  # longer than header_timeout, before any byte
        sock.sendall(_request(server))
        assert status_of(_read_all(sock)) == 200
