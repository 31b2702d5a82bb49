"""The fake server's wire side (app.py): connections, deadlines and request bodies.

``HTTPServer`` serves each connection in its own thread, at most ``max_connections`` at once:
a further connection waits in the listen backlog until one closes (issue 8 item 10). A
connection's reads go through ``DeadlineReader``: each read waits at most ``timeout`` seconds
(also the idle time allowed between keep-alive requests); the request line and headers must
arrive within ``header_timeout`` seconds of their first byte, and the body within
``body_timeout`` seconds of the headers' end, so a client trickling a byte at a time cannot
hold a connection for long. A timed-out request gets 408 REQUEST_TIMEOUT and the connection is
closed. ``Handler`` reads the body (outside the server's lock) and hands it to ``App.handle``:
by its Content-Length, or chunked (``Transfer-Encoding: chunked``, as curl and urllib send a
generator's body) under the same size cap, deadlines and error answers; an
error in a chunked body closes the connection (it cannot be skipped reliably), as do ambiguous
framings (Transfer-Encoding with Content-Length, more than one Content-Length: RFC 9112 6.3).
"""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final, Protocol

from .api import JSON_TYPE, Wire
from .routes import Reply, bad_method, error, internal_error

#: An oversized body up to this size is read and dropped so the connection stays usable.
DRAIN_LIMIT: Final = 64 * 1024 * 1024
#: a chunked body's size and trailer lines: at most this long, and this many trailer lines
MAX_CHUNK_LINE: Final = 1024
MAX_TRAILER_LINES: Final = 64
__all__ = ["JSON_TYPE", "App", "BodyError", "HTTPServer", "Wire", "encode"]


class BodyError(Exception):
    """The body could not be read; ``reply`` says why. The connection is then closed."""

    def __init__(self, reply: Reply, close: bool = True) -> None:
        super().__init__(reply.body)
        self.reply = reply
        self.close = close


class App(Protocol):
    """What the handler needs from the server (``ZohoServer``)."""

    max_body_bytes: int
    timeout: float
    header_timeout: float
    body_timeout: float

    def arrived(self) -> None: ...

    def handle(
        self, method: str, target: str, headers: Mapping[str, str], raw: bytes | BodyError
    ) -> Wire: ...


def encode(reply: Reply) -> bytes | None:
    """The reply's body as sent: JSON text, or None for no body."""
    return None if reply.body is None else json.dumps(reply.body).encode("utf-8")


class DeadlineReader(io.RawIOBase):
    """A socket's reads, each within ``idle`` seconds and all before ``deadline`` (if set)."""

    def __init__(self, connection: socket.socket, idle: float) -> None:
        super().__init__()
        self.connection = connection
        self.idle = idle
        self.deadline: float | None = None
        #: set ``deadline`` to this many seconds after the next byte arrives
        self.arm: float | None = None
        self.expired = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        wait = self.idle
        if self.deadline is not None:
            wait = min(wait, self.deadline - time.monotonic())
            if wait <= 0:
                self.expired = True
                raise TimeoutError("the request did not arrive in time")
        self.connection.settimeout(wait)
        try:
            received = self.connection.recv_into(buffer)
        except TimeoutError:
            if self.deadline is not None and time.monotonic() >= self.deadline:
                self.expired = True
            raise
        if received and self.arm is not None:
            self.deadline, self.arm = time.monotonic() + self.arm, None
        return received

    def start(self, arm: float | None = None, seconds: float | None = None) -> None:
        """A new deadline: ``seconds`` from now, or ``arm`` seconds after the next byte."""
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.arm = arm
        self.expired = False


class HTTPServer(ThreadingHTTPServer):
    """A thread per connection, at most ``max_connections`` at once; the rest wait."""

    daemon_threads = True
    request_queue_size = 64
    app: App

    def __init__(self, address: tuple[str, int], app: App, max_connections: int) -> None:
        super().__init__(address, Handler)
        self.app = app
        self.slots = threading.BoundedSemaphore(max_connections)
        self.closing = threading.Event()
        #: connections accepted and waiting for a free slot (for tests and diagnostics)
        self.waiting = 0

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):
            self.waiting += 1
            try:
                while not self.slots.acquire(timeout=0.05):
                    if self.closing.is_set():
                        self.shutdown_request(request)
                        return
            finally:
                self.waiting -= 1
        slot = _Slot(self.slots)
        thread = threading.Thread(
            target=self._serve_connection, args=(request, client_address, slot), daemon=True
        )
        try:
            thread.start()
        except BaseException:
            # the thread may have started (an interrupt, e.g. SIGTERM, while start() waits for
            # it): the slot is released once whoever gets there first; the interrupt goes on
            slot.release()
            raise

    def _serve_connection(self, request: Any, client_address: Any, slot: _Slot) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            slot.release()


class _Slot:
    """One connection's hold on a ``max_connections`` slot, released at most once."""

    __slots__ = ("_held", "_lock", "_semaphore")

    def __init__(self, semaphore: threading.BoundedSemaphore) -> None:
        self._semaphore = semaphore
        self._lock = threading.Lock()
        self._held = True

    def release(self) -> None:
        with self._lock:
            if not self._held:
                return
            self._held = False
        self._semaphore.release()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HTTPServer
    server_version = "upsert-engine-fake-zoho"
    # headers and body go out in two writes: without this, Nagle's algorithm and the client's
    # delayed ACK add ~40 ms to every keep-alive request
    disable_nagle_algorithm = True
    request_version = "HTTP/1.0"  # until a request line is read
    command = ""

    def setup(self) -> None:
        super().setup()
        self.rfile.close()
        self.reader = DeadlineReader(self.connection, self.server.app.timeout)
        self.rfile = io.BufferedReader(self.reader, 65536)
        self.reading_headers = True

    def handle_one_request(self) -> None:
        self.reader.start(arm=self.server.app.header_timeout)
        self.reading_headers = True
        super().handle_one_request()
        if self.reader.expired and self.reading_headers:  # http.server closes silently
            seconds = self.server.app.header_timeout
            message = f"the request line and headers did not arrive within {seconds:g} s"
            self._send(error(408, "REQUEST_TIMEOUT", message))

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:  # quiet
        pass

    def _serve(self) -> None:
        app = self.server.app
        self.reading_headers = False
        app.arrived()  # before the body: a reset from now on is after this request
        self.reader.start(seconds=app.body_timeout)
        try:
            raw: bytes | BodyError = self._read_body(app.max_body_bytes)
        except BodyError as problem:
            raw = problem
            self.close_connection = problem.close
        self.reader.start()  # answering is not reading
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            answer = app.handle(self.command or "", self.path, headers, raw)
        except Exception as problem:  # a bug past the app's own nets: a reply, never silence
            self.close_connection = True
            answer = Wire(500, encode(internal_error(problem)))
        self._send_wire(answer)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _serve

    def _read_body(self, limit: int) -> bytes:
        codings = [
            coding.strip().lower()
            for field in self.headers.get_all("Transfer-Encoding") or ()
            for coding in field.split(",")
            if coding.strip().lower() not in ("", "identity")
        ]
        lengths = self.headers.get_all("Content-Length") or []
        if len(lengths) > 1:  # RFC 9112 section 6.3: differing values cannot be recovered from
            shown = ", ".join(repr(value.strip()[:20]) for value in lengths[:4])
            message = f"a request must have at most one Content-Length; it has {shown}"
            raise BodyError(error(400, "INVALID_DATA", message))
        if codings:
            if codings != ["chunked"]:
                message = f"the transfer coding {', '.join(codings)[:80]!r} is not supported"
                raise BodyError(error(501, "NOT_SUPPORTED", message + "; send it chunked"))
            if self.headers.get("Content-Length") is not None:  # RFC 9112 section 6.1
                message = "a request must not have both Transfer-Encoding and Content-Length"
                raise BodyError(error(400, "INVALID_DATA", message))
            return self._read_chunked(limit)
        text = self.headers.get("Content-Length", "0").strip() or "0"
        if not (text.isascii() and text.isdigit()):
            raise BodyError(error(400, "INVALID_DATA", f"Content-Length {text[:40]!r} is invalid"))
        digits = text.lstrip("0") or "0"
        if len(digits) > len(str(DRAIN_LIMIT)):  # int() refuses 4300 digits: do not parse it
            shown = f"a {len(digits)}-digit number of"
            raise BodyError(self._too_big(shown, limit))
        length = int(digits)
        if length > limit:
            if length > DRAIN_LIMIT:
                raise BodyError(self._too_big(str(length), limit))
            self._drain(length)
            raise BodyError(self._too_big(str(length), limit), close=False)
        return self._read_exactly(length)

    def _read_chunked(self, limit: int) -> bytes:
        """A chunked body (RFC 9112 section 7.1), at most ``limit`` bytes of data, within the
        same deadlines as a Content-Length body; any error closes the connection."""
        chunks: list[bytes] = []
        received = 0
        try:
            while True:
                size = self._chunk_size(received)
                if size == 0:
                    break
                if received + size > limit:
                    raise BodyError(self._too_big(f"more than {limit}", limit))
                data = self.rfile.read(size)
                if len(data) < size or self.rfile.read(2) != b"\r\n":
                    raise BodyError(error(400, "INVALID_DATA", self._cut(received + len(data))))
                chunks.append(data)
                received += size
            for _ in range(MAX_TRAILER_LINES):  # trailer fields, ignored, then an empty line
                line = self.rfile.readline(MAX_CHUNK_LINE + 1)
                if line in (b"\r\n", b"\n"):
                    return b"".join(chunks)
                if not line.endswith(b"\n"):
                    raise BodyError(error(400, "INVALID_DATA", self._cut(received)))
            message = f"the chunked body has more than {MAX_TRAILER_LINES} trailer lines"
            raise BodyError(error(400, "INVALID_DATA", message))
        except TimeoutError:
            raise BodyError(self._late(received)) from None

    def _chunk_size(self, received: int) -> int:
        """The next chunk's size line: hex digits, maybe ``;extensions``."""
        line = self.rfile.readline(MAX_CHUNK_LINE + 1)
        if not line.endswith(b"\n"):
            if len(line) > MAX_CHUNK_LINE:
                message = f"a chunk size line is longer than {MAX_CHUNK_LINE} bytes"
                raise BodyError(error(400, "INVALID_DATA", message))
            raise BodyError(error(400, "INVALID_DATA", self._cut(received)))
        digits = line.split(b";", 1)[0].strip()
        if not digits or len(digits) > 16 or digits.strip(b"0123456789abcdefABCDEF"):
            shown = digits[:40].decode("latin-1")
            message = f"the chunk size {shown!r} is not a hexadecimal number"
            raise BodyError(error(400, "INVALID_DATA", message))
        return int(digits, 16)

    @staticmethod
    def _cut(received: int) -> str:
        return f"the chunked body ended early, after {received} bytes of data"

    def _late(self, received: int) -> Reply:
        """408 for a body that stopped coming, or did not come within the body deadline."""
        if self.reader.expired:
            seconds = self.server.app.body_timeout
            message = f"the body did not arrive within {seconds:g} s ({received} bytes came)"
        else:
            message = f"the body stopped after {received} bytes"
        return error(408, "REQUEST_TIMEOUT", message)

    @staticmethod
    def _too_big(length: str, limit: int) -> Reply:
        message = f"the request body has {length} bytes; the limit is {limit}"
        return error(413, "LIMIT_EXCEEDED", message, {"limit": limit})

    def _read_exactly(self, length: int) -> bytes:
        chunks: list[bytes] = []
        received = 0
        try:
            while received < length:
                chunk = self.rfile.read(min(65536, length - received))
                if not chunk:
                    break
                chunks.append(chunk)
                received += len(chunk)
        except TimeoutError:
            raise BodyError(self._late(received)) from None
        if received < length:
            raise BodyError(
                error(400, "INVALID_DATA", f"the body ended after {received} of {length} bytes")
            )
        return b"".join(chunks)

    def _drain(self, length: int) -> None:
        remaining = length
        while remaining > 0:
            try:
                chunk = self.rfile.read(min(1 << 20, remaining))
            except TimeoutError:
                chunk = b""
            if not chunk:
                raise BodyError(
                    error(400, "INVALID_DATA", f"the body ended {remaining} bytes early")
                )
            remaining -= len(chunk)

    def _send(self, reply: Reply) -> None:
        self._send_wire(Wire(reply.status, encode(reply)))

    def _send_wire(self, wire: Wire) -> None:
        payload = wire.payload
        try:
            self.connection.settimeout(self.server.app.timeout)
            self.send_response(wire.status)
            if payload is not None and wire.content_type is not None:
                self.send_header("Content-Type", wire.content_type)
            for name, value in wire.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload or b"")))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD" and payload:
                self.wfile.write(payload)
        except OSError:  # the client went away
            self.close_connection = True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own errors (bad request line, unknown method ...) in Zoho's shape."""
        self.close_connection = True
        if self.request_version == "HTTP/0.9":  # an unreadable request line: answer in HTTP/1.x
            self.request_version = "HTTP/1.0"
        if code == 501:  # a method no route takes
            self._send(bad_method())
            return
        self._send(error(code, "INVALID_REQUEST", message or "the request could not be read"))
