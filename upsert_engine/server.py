"""A fake Zoho CRM server over the engine: the same org in-process and over HTTP.

``ZohoServer`` is a thin adapter: it reads an HTTP request, checks the token, parses the JSON
body (whatever the Content-Type: Zoho's SDK sends none) and hands it to
``_http_routes.dispatch``, which calls the engine. One lock serialises dispatch, so requests
apply atomically and one at a time, and the request log records them in the order applied.
Bodies are read before the lock is taken, so a slow or stalled client never holds it.

    with ZohoServer(engine_factory(unique=["Leads.Mobile:phone"])) as server:
        print(server.url)            # http://127.0.0.1:PORT; server.engine is the live org

The command ``upsert-engine serve`` runs one until interrupted (``add_serve_parser``).
"""

from __future__ import annotations

import argparse
import copy
import hmac
import json
import signal
import socket
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Final
from urllib.parse import parse_qs, unquote, urlsplit

from ._http_routes import Reply, Request, bad_method, dispatch, error, not_found
from ._server_config import EngineFactory, apply_schema, engine_factory, parse_unique, read_store
from .engine import Engine
from .errors import UpsertEngineError

DEFAULT_TOKEN: Final = "fake-zoho-token"
DEFAULT_MAX_BODY: Final = 8 * 1024 * 1024
#: An oversized body up to this size is read and dropped so the connection stays usable.
DRAIN_LIMIT: Final = 64 * 1024 * 1024
JSON_TYPE: Final = "application/json;charset=UTF-8"

__all__ = [
    "DEFAULT_TOKEN",
    "EngineFactory",
    "ZohoServer",
    "add_serve_parser",
    "apply_schema",
    "engine_factory",
    "parse_json",
    "parse_unique",
    "read_store",
    "replay",
    "run_serve",
]


# --- the request log and replay ---------------------------------------------------------------
def replay(entries: Iterable[Mapping[str, Any]], engine: Engine) -> list[tuple[int, Any]]:
    """Re-apply the log's applied entries to ``engine`` in order; their (status, body) replies."""
    replies: list[tuple[int, Any]] = []
    for entry in entries:
        if entry.get("applied"):
            request = Request(
                entry["method"], _segments(entry["path"]), parse_qs(entry["query"]), entry["body"]
            )
            reply = dispatch(engine, request)
            replies.append((reply.status, reply.body))
    return replies


def _segments(path: str) -> tuple[str, ...]:
    parts = [unquote(part) for part in path.split("/")[1:]]
    while parts and parts[-1] == "":
        parts.pop()
    return tuple(parts)


class _BodyError(Exception):
    """The body could not be read; ``reply`` says why. The connection is then closed."""

    def __init__(self, reply: Reply, close: bool = True) -> None:
        super().__init__(reply.body)
        self.reply = reply
        self.close = close


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes) -> Any:
    """The body as JSON (None when empty), or ``ValueError`` saying why it is not."""
    if not raw.strip():
        return None
    text = raw.decode("utf-8-sig")  # UnicodeDecodeError is a ValueError
    return json.loads(text, parse_constant=_reject_constant)


# --- the server ---------------------------------------------------------------------------------
class ZohoServer:
    """A fake Zoho CRM on ``http://host:port``; ``.engine`` is the same org, in-process."""

    def __init__(
        self,
        factory: EngineFactory | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = DEFAULT_TOKEN,
        max_body_bytes: int = DEFAULT_MAX_BODY,
        timeout: float = 30.0,
    ) -> None:
        self.factory: EngineFactory = factory or Engine
        self.token = token
        self.max_body_bytes = max_body_bytes
        self.timeout = timeout
        self.lock = threading.Lock()
        self._engine = self.factory()
        self._log: list[dict[str, Any]] = []
        self._http = _HTTPServer((host, port), _Handler)
        self._http.fake = self
        self._thread: threading.Thread | None = None
        bound_host, bound_port = self._http.server_address[:2]
        self.url = f"http://{bound_host!s}:{bound_port}"

    # --- in-process access --------------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        """The live org. Between requests use it freely; during them, inside ``locked()``."""
        return self._engine

    @contextmanager
    def locked(self) -> Iterator[Engine]:
        """Hold the request lock: no request applies while the block runs."""
        with self.lock:
            yield self._engine

    @property
    def headers(self) -> dict[str, str]:
        """The Authorization header a client sends: ``Zoho-oauthtoken <token>``."""
        return {"Authorization": f"Zoho-oauthtoken {self.token}"}

    @property
    def requests(self) -> list[dict[str, Any]]:
        """A copy of the request log, in the order applied."""
        with self.lock:
            return copy.deepcopy(self._log)

    def reset(self) -> None:
        """A fresh org from the factory, and an empty request log."""
        with self.lock:
            self._engine = self.factory()
            self._log.clear()

    # --- lifecycle ----------------------------------------------------------------------------
    def start(self) -> ZohoServer:
        """Serve in a daemon thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._http.serve_forever, name=f"zoho-server {self.url}", daemon=True
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until ``stop()`` (from another thread) or an interrupt."""
        self._http.serve_forever()

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        if self._thread is not None:
            self._http.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._http.server_close()

    def __enter__(self) -> ZohoServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- one request --------------------------------------------------------------------------
    def handle(
        self, method: str, target: str, authorization: str | None, raw: bytes | _BodyError
    ) -> Reply:
        """Answer one request (under the lock) and log it."""
        split = urlsplit(target)
        segments = _segments(split.path)
        with self.lock:
            entry: dict[str, Any] = {
                "seq": len(self._log),
                "method": method,
                "path": split.path,
                "query": split.query,
                "body": None,
                "applied": False,
            }
            reply = self._answer(method, segments, split.query, authorization, raw, entry)
            if segments[:2] in (("__admin", "reset"), ("__admin", "requests")):
                return reply
            entry["status"], entry["response"] = reply.status, reply.body
            self._log.append(entry)
            return reply

    def _answer(
        self,
        method: str,
        segments: tuple[str, ...],
        query: str,
        authorization: str | None,
        raw: bytes | _BodyError,
        entry: dict[str, Any],
    ) -> Reply:
        if isinstance(raw, _BodyError):
            return raw.reply
        if segments == ("oauth", "v2", "token"):
            return self._oauth(method, raw) if method == "POST" else bad_method()
        if segments[:1] == ("__admin",):
            if segments[1:] == ("reset",):
                if method != "POST":
                    return bad_method()
                self._engine = self.factory()
                self._log.clear()
                return Reply(200, {"code": "SUCCESS", "message": "reset", "status": "success"})
            if segments[1:] == ("requests",):
                if method != "GET":
                    return bad_method()
                return Reply(200, {"requests": [dict(e) for e in self._log]})
        elif segments[:1] == ("crm",):
            denied = self._check_token(authorization)
            if denied is not None:
                return denied
        else:
            return not_found()
        try:
            body = parse_json(raw)
        except (ValueError, RecursionError) as problem:
            return error(
                400,
                "INVALID_DATA",
                f"the request body is not valid JSON: {str(problem)[:200]}",
                {"expected_data_type": "jsonobject"},
            )
        entry["body"], entry["applied"] = body, True
        try:
            return dispatch(self._engine, Request(method, segments, parse_qs(query), body))
        except RecursionError:
            return error(400, "INVALID_DATA", "the request body is nested too deeply")
        except Exception as problem:  # a bug: answer Zoho-shaped, keep serving
            return error(500, "INTERNAL_ERROR", f"internal error: {type(problem).__name__}")

    def _check_token(self, header: str | None) -> Reply | None:
        if not header:
            return error(401, "AUTHENTICATION_FAILURE", "Authentication failed")
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "zoho-oauthtoken" or not hmac.compare_digest(
            token.strip().encode(), self.token.encode()
        ):
            return error(401, "INVALID_TOKEN", "invalid oauth token")
        return None

    def _oauth(self, method: str, raw: bytes) -> Reply:
        """Zoho Accounts' token endpoint: any client gets this server's token."""
        form = parse_qs(raw.decode("utf-8", "replace"))
        grant = (form.get("grant_type") or [""])[-1]
        if grant not in ("refresh_token", "authorization_code", "client_credentials"):
            return Reply(400, {"error": "unsupported_grant_type"})
        body: dict[str, Any] = {
            "access_token": self.token,
            "api_domain": self.url,
            "token_type": "Bearer",
            "expires_in": 3600,
        }
        if grant == "authorization_code":
            body["refresh_token"] = "fake-zoho-refresh-token"
        return Reply(200, body)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64
    fake: ZohoServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    server_version = "upsert-engine-fake-zoho"

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.fake.timeout)
        # headers and body go out in two writes: without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every keep-alive request
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _serve(self) -> None:
        fake = self.server.fake
        try:
            raw: bytes | _BodyError = self._read_body(fake.max_body_bytes)
        except _BodyError as problem:
            raw = problem
            self.close_connection = problem.close
        reply = fake.handle(self.command, self.path, self.headers.get("Authorization"), raw)
        self._send(reply)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _serve

    def _read_body(self, limit: int) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() not in ("", "identity"):
            raise _BodyError(error(411, "INVALID_DATA", "send the body with a Content-Length"))
        text = self.headers.get("Content-Length", "0").strip() or "0"
        if not (text.isascii() and text.isdigit()):
            raise _BodyError(error(400, "INVALID_DATA", f"Content-Length {text[:40]!r} is invalid"))
        length = int(text)
        if length > limit:
            too_big = error(
                413,
                "LIMIT_EXCEEDED",
                f"the request body has {length} bytes; the limit is {limit}",
                {"limit": limit},
            )
            if length > DRAIN_LIMIT:
                raise _BodyError(too_big)
            self._drain(length)
            raise _BodyError(too_big, close=False)
        return self._read_exactly(length)

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
            raise _BodyError(
                error(408, "REQUEST_TIMEOUT", f"the body stopped after {received} bytes")
            ) from None
        if received < length:
            raise _BodyError(
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
                raise _BodyError(
                    error(400, "INVALID_DATA", f"the body ended {remaining} bytes early")
                )
            remaining -= len(chunk)

    def _send(self, reply: Reply) -> None:
        payload = b"" if reply.body is None else json.dumps(reply.body).encode("utf-8")
        try:
            self.send_response(reply.status)
            if reply.body is not None:
                self.send_header("Content-Type", JSON_TYPE)
            self.send_header("Content-Length", str(len(payload)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
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


# --- the command line -------------------------------------------------------------------------
def add_serve_parser(commands: Any) -> argparse.ArgumentParser:
    """Add ``serve`` to the CLI's subcommands (``commands`` from ``add_subparsers``)."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "serve",
        help="run a fake Zoho CRM server on the engine (for integration tests)",
        description="Serve the Zoho CRM API over HTTP from an in-memory org. Prints the base "
        "URL as the first line on stdout; stops on Ctrl-C or SIGTERM.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the accepted OAuth access token")
    parser.add_argument(
        "--unique",
        action="append",
        default=[],
        metavar="MODULE.FIELD[:TYPE]",
        help="make a field user-defined unique (R1), e.g. Leads.Mobile:phone; repeatable",
    )
    parser.add_argument("--schema", help="JSON file of module schemas (ModuleSchema.to_json)")
    parser.add_argument(
        "--store", help='JSONL file of {"module": M, "record": {...}} loaded at start and reset'
    )
    return parser


def run_serve(args: argparse.Namespace) -> int:
    """Run ``serve`` until interrupted; 2 for a bad configuration."""
    try:
        schema = None
        if args.schema:
            with open(args.schema, encoding="utf-8-sig") as handle:
                schema = json.load(handle)
        store = read_store(args.store) if args.store else ()
        factory = engine_factory(unique=args.unique, schema=schema, store=store)
        server = ZohoServer(factory, host=args.host, port=args.port, token=args.token)
    except (OSError, ValueError, OverflowError, UpsertEngineError) as problem:
        print(f"upsert-engine serve: {problem}", file=sys.stderr)
        return 2
    print(server.url, flush=True)
    print(f"token: {server.token}", flush=True)

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
    return 0
