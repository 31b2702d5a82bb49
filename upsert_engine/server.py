"""A fake Zoho CRM server over the engine: the same org in-process and over HTTP.

``ZohoServer`` is a thin adapter: it reads an HTTP request (``_http_handler``), checks the
token, parses the JSON body (whatever the Content-Type: Zoho's SDK sends none) and hands it to
``_http_routes.dispatch``, which calls the engine. One lock serialises dispatch, so requests
apply atomically and one at a time, and the request log (``_server_log``) records them in the
order applied. Bodies are read before the lock is taken, so a slow or stalled client never
holds it. Under hostile load it stays bounded: bodies up to ``max_body_bytes``, nesting up to
``MAX_DEPTH``, ``max_connections`` connections with read deadlines, and a capped log.

    with ZohoServer(engine_factory(unique=["Leads.Mobile:phone"])) as server:
        print(server.url)            # http://127.0.0.1:PORT; server.engine is the live org

Each access token acts as one user of the org (R32): ``token`` as the org's default user
(``Options.user``), each of ``users=[(token, User), ...]`` as that user (added to every org
the server makes), and tokens given by ``add_user`` or ``POST /__admin/users`` until the next
reset. So two clients with two tokens act as two users (Created_By, Owner, user-based
external fields, R24).

The command ``upsert-engine serve`` runs one until interrupted (``add_serve_parser``).
"""

from __future__ import annotations

import argparse
import codecs
import hmac
import ipaddress
import json
import signal
import sys
import threading
import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Final
from urllib.parse import parse_qs, unquote, urlsplit

from ._cli_args import add_input_arguments, add_org_arguments, options_from
from ._http_handler import BodyError, HTTPServer, encode
from ._http_routes import ROUTE_HEADERS, Reply, Request, bad_method, dispatch, error, not_found
from ._io_read import InputError, read_json
from ._server_config import (
    EngineFactory,
    apply_schema,
    engine_factory,
    parse_unique,
    read_store,
    serve_store,
)
from ._server_log import DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES, RequestLog
from .engine import Engine
from .errors import UpsertEngineError
from .options import User

DEFAULT_TOKEN: Final = "fake-zoho-token"
DEFAULT_CLIENT_ID: Final = "fake-zoho-client-id"
DEFAULT_CLIENT_SECRET: Final = "fake-zoho-client-secret"
DEFAULT_MAX_BODY: Final = 8 * 1024 * 1024
DEFAULT_MAX_CONNECTIONS: Final = 32
#: JSON bodies nested deeper are refused: Zoho's deepest (a subform row's lookup) is 6 levels
MAX_DEPTH: Final = 64

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_TOKEN",
    "EngineFactory",
    "ZohoServer",
    "add_serve_parser",
    "apply_schema",
    "engine_factory",
    "parse_json",
    "parse_unique",
    "parse_user",
    "read_store",
    "replay",
    "run_serve",
]


# --- the request log and replay ---------------------------------------------------------------
def replay(entries: Iterable[Mapping[str, Any]], engine: Engine) -> list[tuple[int, Any]]:
    """Re-apply the log's applied entries to ``engine`` in order; their (status, body) replies.

    The log must be whole: after ``ZohoServer.dropped`` entries were dropped it is a tail,
    and replaying it into a fresh org answers differently.
    """
    replies: list[tuple[int, Any]] = []
    for entry in entries:
        if entry.get("applied"):
            request = Request(
                entry["method"],
                _segments(entry["path"]),
                parse_qs(entry["query"]),
                entry["body"],
                entry.get("user"),
                entry.get("headers") or {},
            )
            reply = dispatch(engine, request)
            replies.append((reply.status, reply.body))
    return replies


def _segments(path: str) -> tuple[str, ...]:
    parts = [unquote(part) for part in path.split("/")[1:]]
    while parts and parts[-1] == "":
        parts.pop()
    return tuple(parts)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes) -> Any:
    """The body as JSON (None when empty), or ``ValueError`` saying why it is not."""
    if not raw.strip():
        return None
    text = raw.decode("utf-8-sig")  # UnicodeDecodeError is a ValueError
    return json.loads(text, parse_constant=_reject_constant)


def nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and objects in ``value`` nest more than ``limit`` levels.

    Depth first with one iterator per level: no recursion, and memory for ``limit`` levels
    only, whatever the body's size.
    """
    if not isinstance(value, (dict, list)):
        return False
    stack = [iter(value.values() if isinstance(value, dict) else value)]
    while stack:
        for child in stack[-1]:
            if isinstance(child, (dict, list)):
                if len(stack) >= limit:  # the child is at depth len(stack) + 1
                    return True
                stack.append(iter(child.values() if isinstance(child, dict) else child))
                break
        else:
            stack.pop()
    return False


def _wire_text(raw: bytes) -> bytes | None:
    """A parsed body's JSON text as the log keeps it: no BOM, no surrounding space."""
    text = raw.removeprefix(codecs.BOM_UTF8).strip()
    return text or None


def check_credential(name: str, value: Any) -> str:
    """``value`` if it can be sent in a header or form intact; else ``ValueError`` (item 9)."""
    if not (
        isinstance(value, str)
        and value
        and value.isascii()
        and value.isprintable()
        and " " not in value
    ):
        raise ValueError(f"the {name} {value!r} is not usable: give visible ASCII, no spaces")
    return value


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address as bound) is reachable from this machine only."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


# --- the server ---------------------------------------------------------------------------------
class ZohoServer:
    """A fake Zoho CRM on ``http://host:port``; ``.engine`` is the same org, in-process.

    ``timeout`` bounds each socket read (and a keep-alive connection's idle time); the request
    line and headers must arrive within ``header_timeout`` s of their first byte, the body
    within ``body_timeout`` s after them. At most ``max_connections`` connections are served
    at once; more wait. The request log keeps at most ``max_log_entries`` entries and
    ``max_log_bytes`` bytes of bodies and answers, dropping the oldest (``dropped``). The
    token endpoint hands out ``token`` only to ``client_id`` with ``client_secret``. Binding a
    non-loopback ``host`` warns (RuntimeWarning): the ``/__admin`` endpoints need no token.
    ``users``: more access tokens, each acting as its user (R32; see the module docstring).
    """

    def __init__(
        self,
        factory: EngineFactory | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = DEFAULT_TOKEN,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        max_body_bytes: int = DEFAULT_MAX_BODY,
        timeout: float = 30.0,
        header_timeout: float = 10.0,
        body_timeout: float = 60.0,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        max_log_entries: int = DEFAULT_MAX_ENTRIES,
        max_log_bytes: int = DEFAULT_MAX_BYTES,
        users: Iterable[tuple[str, User]] = (),
    ) -> None:
        self.token = check_credential("token", token)
        #: R32: token -> the user it acts as, for every org this server makes
        self._configured: dict[str, User] = {}
        #: token -> user id: the configured ones, and those added since the last reset
        self._tokens: dict[str, str] = {}
        for user_token, user in users:
            if not isinstance(user, User):
                raise ValueError(f"users: {user!r} is not a User")
            self._configured[self._new_token(user_token)] = user
        self._tokens = {t: u.id for t, u in self._configured.items()}
        self.client_id = check_credential("client id", client_id)
        self.client_secret = check_credential("client secret", client_secret)
        for name, seconds in (
            ("timeout", timeout),
            ("header_timeout", header_timeout),
            ("body_timeout", body_timeout),
        ):
            if not (isinstance(seconds, (int, float)) and 0 < seconds < float("inf")):
                raise ValueError(f"{name} is {seconds!r}; give seconds > 0")
        if isinstance(max_connections, bool) or not (
            isinstance(max_connections, int) and max_connections >= 1
        ):
            raise ValueError(f"max_connections is {max_connections!r}; give a count >= 1")
        self.factory: EngineFactory = factory or Engine
        self.max_body_bytes = max_body_bytes
        self.timeout = float(timeout)
        self.header_timeout = float(header_timeout)
        self.body_timeout = float(body_timeout)
        #: re-entrant, so that ``requests`` and ``reset()`` work inside ``locked()``
        self.lock = threading.RLock()
        self._log = RequestLog(max_log_entries, max_log_bytes)
        self._engine = self._make()
        self._http = HTTPServer((host, port), self, max_connections)
        self._thread: threading.Thread | None = None
        bound_host, bound_port = self._http.server_address[:2]
        self.url = f"http://{bound_host!s}:{bound_port}"
        if not is_loopback(str(bound_host)):
            warnings.warn(
                f"the fake Zoho server listens on {bound_host!s}, not on loopback: anyone who "
                "can reach it may reset, load, dump and read the request log through the "
                "/__admin endpoints, which need no token",
                RuntimeWarning,
                stacklevel=2,
            )

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
        """A copy of the request log, in the order applied (bodies and answers parsed afresh)."""
        with self.lock:
            return self._log.to_json()

    @property
    def dropped(self) -> int:
        """Log entries dropped, oldest first, to stay within the log's caps since the reset."""
        with self.lock:
            return self._log.dropped

    def reset(self) -> None:
        """A fresh org from the factory (with the configured users), an empty request log;
        tokens added since the last reset no longer work."""
        with self.lock:
            self._reset()

    def _reset(self) -> None:
        # the old org goes at once: nothing else refers to it (the compiled fast paths
        # hold no reference cycles), so its memory is freed here, not at the next gc
        self._engine = self._make()
        self._tokens = {t: u.id for t, u in self._configured.items()}
        self._log.clear()

    def _make(self) -> Engine:
        """A fresh org from the factory, holding every configured user (R32)."""
        engine = self.factory()
        present = {user.id for user in engine.users()}
        for user in self._configured.values():
            if user.id not in present:
                engine.add_user(user)
        return engine

    def _new_token(self, token: Any) -> str:
        """``token`` if it is usable and not yet taken, else ``ValueError``."""
        check_credential("token", token)
        if token == self.token or token in self._tokens or token in self._configured:
            raise ValueError(f"the token {token!r} is already in use")
        return str(token)

    def add_user(self, user: User, token: str) -> User:
        """Add ``user`` to the live org and let ``token`` act as it until the next reset
        (R32). ``ValueError`` for a token in use; ``ConfigurationError`` for a user id taken."""
        with self.lock:
            self._new_token(token)
            added = self._engine.add_user(user)
            self._tokens[token] = user.id
            return added

    def token_of(self, user_id: str) -> str:
        """A token acting as the user ``user_id`` (the main token for the default user)."""
        with self.lock:
            if user_id == self._engine.options.user.id:
                return self.token
            for token, user in self._tokens.items():
                if user == user_id:
                    return token
        raise KeyError(f"no token acts as user {user_id}")

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
        self._http.closing.set()
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
        self, method: str, target: str, headers: dict[str, str], raw: bytes | BodyError
    ) -> tuple[int, bytes | None]:
        """Answer one request (under the lock) and log it: (status, JSON text or None).

        ``headers``: Authorization and the ``ROUTE_HEADERS`` the request carries."""
        split = urlsplit(target)
        segments = _segments(split.path)
        context = tuple((name, headers[name]) for name in ROUTE_HEADERS if name in headers)
        with self.lock:
            if segments[:2] in (("__admin", "reset"), ("__admin", "requests")):
                return self._admin(method, segments, raw)  # not logged
            reply, kept, applied, user = self._answer(
                method, segments, split.query, headers.get("Authorization"), context, raw
            )
            payload = encode(reply)
            self._log.append(
                method,
                split.path,
                split.query,
                kept,
                applied,
                reply.status,
                payload,
                user,
                context,
            )
            return reply.status, payload

    def _admin(
        self, method: str, segments: tuple[str, ...], raw: bytes | BodyError
    ) -> tuple[int, bytes | None]:
        if isinstance(raw, BodyError):
            reply = raw.reply
        elif segments[1:] == ("reset",):
            if method != "POST":
                reply = bad_method()
            else:
                self._reset()
                reply = Reply(200, {"code": "SUCCESS", "message": "reset", "status": "success"})
        elif segments[1:] == ("requests",):
            if method != "GET":
                reply = bad_method()
            else:
                return 200, self._log.encoded()
        else:
            reply = not_found()
        return reply.status, encode(reply)

    def _answer(
        self,
        method: str,
        segments: tuple[str, ...],
        query: str,
        authorization: str | None,
        context: tuple[tuple[str, str], ...],
        raw: bytes | BodyError,
    ) -> tuple[Reply, bytes | None, bool, str | None]:
        """The reply, the body text to log (given to the engine), whether it was applied, and
        the acting user's id (None: the default user)."""
        reply, kept, applied = self._reply(method, segments, query, authorization, context, raw)
        return reply, kept, applied, self._acting(segments, authorization)

    def _acting(self, segments: tuple[str, ...], authorization: str | None) -> str | None:
        if segments[:1] != ("crm",) or not authorization:
            return None
        return self._tokens.get(authorization.strip().partition(" ")[2].strip())

    def _reply(
        self,
        method: str,
        segments: tuple[str, ...],
        query: str,
        authorization: str | None,
        context: tuple[tuple[str, str], ...],
        raw: bytes | BodyError,
    ) -> tuple[Reply, bytes | None, bool]:
        if isinstance(raw, BodyError):
            return raw.reply, None, False
        if segments == ("oauth", "v2", "token"):
            return (self._oauth(raw) if method == "POST" else bad_method()), None, False
        if segments[:1] == ("crm",):
            denied = self._check_token(authorization)
            if denied is not None:
                return denied, None, False
        elif segments[:1] != ("__admin",):
            return not_found(), None, False
        try:
            body = parse_json(raw)
        except (ValueError, RecursionError) as problem:
            reply = error(
                400,
                "INVALID_DATA",
                f"the request body is not valid JSON: {str(problem)[:200]}",
                {"expected_data_type": "jsonobject"},
            )
            return reply, None, False
        if nested_deeper_than(body, MAX_DEPTH):
            message = f"the request body is nested more than {MAX_DEPTH} levels deep"
            return error(400, "INVALID_DATA", message, {"limit": MAX_DEPTH}), None, False
        token = None
        if segments == ("__admin", "users") and method == "POST":
            token = body.get("token") if isinstance(body, dict) else None
            try:
                self._new_token(token)
            except ValueError as problem:
                return error(400, "INVALID_DATA", str(problem), {"api_name": "token"}), None, False
        user = self._acting(segments, authorization)
        request = Request(method, segments, parse_qs(query), body, user, dict(context))
        try:
            reply = dispatch(self._engine, request)
        except RecursionError:
            return error(400, "INVALID_DATA", "the request body is nested too deeply"), None, False
        except Exception as problem:  # a bug: answer Zoho-shaped, keep serving (and the body)
            reply = error(500, "INTERNAL_ERROR", f"internal error: {type(problem).__name__}")
            return reply, _wire_text(raw), False
        if reply.body_use == "refused":
            return reply, None, False
        if token is not None and reply.status == 200:
            self._tokens[token] = reply.body["user"]["id"]
        return reply, _wire_text(raw) if reply.body_use == "engine" else None, True

    def _check_token(self, header: str | None) -> Reply | None:
        if not header:
            return error(401, "AUTHENTICATION_FAILURE", "Authentication failed")
        scheme, _, token = header.strip().partition(" ")
        known = [self.token, *self._tokens]
        if scheme.lower() != "zoho-oauthtoken" or not any(
            hmac.compare_digest(token.strip().encode(), t.encode()) for t in known
        ):
            return error(401, "INVALID_TOKEN", "invalid oauth token")
        return None

    def _oauth(self, raw: bytes) -> Reply:
        """Zoho Accounts' token endpoint: this server's token, to its one client only.

        The form must name ``client_id`` and ``client_secret`` (as Zoho's does for every
        grant); a wrong or missing pair is ``invalid_client`` (RFC 6749 section 5.2).
        """
        form = parse_qs(raw.decode("utf-8", "replace"))

        def field(name: str) -> str:
            return (form.get(name) or [""])[-1]

        grant = field("grant_type")
        if grant not in ("refresh_token", "authorization_code", "client_credentials"):
            return Reply(400, {"error": "unsupported_grant_type"})
        same_id = hmac.compare_digest(field("client_id").encode(), self.client_id.encode())
        same_secret = hmac.compare_digest(
            field("client_secret").encode(), self.client_secret.encode()
        )
        if not (same_id and same_secret):
            return Reply(400, {"error": "invalid_client"})
        body: dict[str, Any] = {
            "access_token": self.token,
            "api_domain": self.url,
            "token_type": "Bearer",
            "expires_in": 3600,
        }
        if grant == "authorization_code":
            body["refresh_token"] = "fake-zoho-refresh-token"
        return Reply(200, body)


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
        "--client-id", default=DEFAULT_CLIENT_ID, help="the one client /oauth/v2/token serves"
    )
    parser.add_argument(
        "--client-secret", default=DEFAULT_CLIENT_SECRET, help="that client's secret"
    )
    add_org_arguments(
        parser,
        module_required=False,
        schema_help="JSON of module schemas, as `upsert-engine schema` prints them: one, a "
        'list, or {"modules": [...]}',
    )
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="TOKEN:ID:NAME[:EMAIL[:ZUID]]",
        help="a user of the org (R32) and the access token that acts as it; repeatable",
    )
    parser.add_argument(
        "--store",
        help="the org's records, loaded at start and at every reset: a Zoho export (.csv, "
        ".xlsx) or what `apply --out` wrote (.jsonl, .json, .csv) of --module, or JSONL "
        'lines {"module": M, "record": {...}} naming their module',
    )
    add_input_arguments(parser)
    limits = parser.add_argument_group("limits under load")
    limits.add_argument(
        "--max-connections",
        type=int,
        default=DEFAULT_MAX_CONNECTIONS,
        help="connections served at once; more wait (default %(default)s)",
    )
    limits.add_argument(
        "--header-timeout",
        type=float,
        default=10.0,
        help="seconds for a request line and headers to arrive (default %(default)s)",
    )
    limits.add_argument(
        "--body-timeout",
        type=float,
        default=60.0,
        help="seconds for a body to arrive after its headers (default %(default)s)",
    )
    limits.add_argument(
        "--log-entries",
        type=int,
        default=DEFAULT_MAX_ENTRIES,
        help="request log entries kept; older ones are dropped (default %(default)s)",
    )
    limits.add_argument(
        "--log-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        help="bytes of bodies and answers the request log keeps (default %(default)s)",
    )
    return parser


def parse_user(spec: str) -> tuple[str, User]:
    """``TOKEN:ID:NAME[:EMAIL[:ZUID]]`` (``--user``): the token and the user it acts as."""
    parts = spec.split(":")
    if not 3 <= len(parts) <= 5:
        raise ValueError(f"--user {spec!r}: give TOKEN:ID:NAME[:EMAIL[:ZUID]]")
    token, user_id, name = parts[:3]
    local = ".".join(name.lower().split()) or "user"
    email = parts[3] if len(parts) > 3 else f"{local}@example.com"
    extra = {"zuid": parts[4]} if len(parts) > 4 else {}
    return token, User(name, user_id, email, **extra)


def run_serve(args: argparse.Namespace) -> int:
    """Run ``serve`` until interrupted; 2 for a bad configuration."""
    try:
        options = options_from(args)
        schema = read_json(args.schema) if args.schema else None
        specs = {"unique": args.unique, "normalize": args.normalize, "module": args.module}
        factory = engine_factory(schema=schema, options=options, **specs)
        if args.store:
            store, owners = serve_store(args, factory(), schema)
            factory = engine_factory(
                schema=schema, options=options, store=store, users=owners, **specs
            )
        users = [parse_user(spec) for spec in args.user]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            server = ZohoServer(
                factory,
                host=args.host,
                port=args.port,
                token=args.token,
                client_id=args.client_id,
                client_secret=args.client_secret,
                header_timeout=args.header_timeout,
                body_timeout=args.body_timeout,
                max_connections=args.max_connections,
                max_log_entries=args.log_entries,
                max_log_bytes=args.log_bytes,
                users=users,
            )
    except (OSError, ValueError, OverflowError, UpsertEngineError, InputError) as problem:
        print(f"upsert-engine serve: {problem}", file=sys.stderr)
        return 2
    for warning in caught:
        print(f"upsert-engine serve: warning: {warning.message}", file=sys.stderr)
    print(server.url, flush=True)
    print(f"token: {server.token}", flush=True)
    print(f"client: {server.client_id} secret: {server.client_secret}", flush=True)

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
