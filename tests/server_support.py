"""Helpers shared by the fake server's tests: raw urllib calls and raw sockets."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from typing import Any

from upsert_engine.server import ZohoServer


def call(
    server: ZohoServer,
    method: str,
    path: str,
    body: Any = None,
    *,
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
    auth: bool = True,
) -> tuple[int, str | None, Any]:
    """One request with urllib: (status, Content-Type, parsed JSON body or None)."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(server.url + path, data=data, method=method)
    for name, value in {**(server.headers if auth else {}), **(headers or {})}.items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, payload = response.status, response.read()
            kind = response.headers["Content-Type"]
    except urllib.error.HTTPError as problem:
        status, payload = problem.code, problem.read()
        kind = problem.headers["Content-Type"]
    return status, kind, json.loads(payload) if payload else None


def raw_exchange(server: ZohoServer, data: bytes, *, timeout: float = 10.0) -> bytes:
    """Send ``data`` on a fresh socket, half-close, and read the whole answer."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def status_of(answer: bytes) -> int:
    """The status code of a raw HTTP answer."""
    return int(answer.split(b" ", 2)[1])


def json_of(answer: bytes) -> Any:
    """The JSON body of a raw HTTP answer."""
    return json.loads(answer.split(b"\r\n\r\n", 1)[1])


def lead(last: str, email: str | None = None, mobile: str | None = None) -> dict[str, Any]:
    """A Leads record with the given Last_Name, Email and Mobile (None: left out)."""
    record: dict[str, Any] = {"Last_Name": last}
    if email is not None:
        record["Email"] = email
    if mobile is not None:
        record["Mobile"] = mobile
    return record
