"""A fake Zoho CRM server over the engine: the same org in-process and over HTTP.

``ZohoServer`` is a thin adapter: it reads an HTTP request (``wire``), checks the
token, parses the JSON body (whatever the Content-Type: Zoho's SDK sends none) and hands it to
``routes.dispatch``, which calls the engine. One lock serialises dispatch, so requests
apply atomically and one at a time, and the request log (``log``) records them in the
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

The command ``upsert-engine serve`` runs one until interrupted (``serve.py``).
"""

from __future__ import annotations

import hmac
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from types import TracebackType
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from ..engine import Engine
from ..options import User
from . import stateful as extra
from .api import Wire
from .bulk import DEFAULT_MAX_BYTES as DEFAULT_UPLOAD_BYTES
from .bulk import DEFAULT_MAX_FILES as DEFAULT_UPLOAD_FILES
from .bulk import BulkStore
from .config import EngineFactory
from .faults import Fault, FaultPlan, parse_fault, parse_limit
from .log import DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES, RequestLog
from .parsing import (
    check_credential,
    form_fields,
    is_loopback,
    json_type,
    nested_deeper_than,
    parse_json,
)
from .parsing import (
    segments as _segments,
)
from .parsing import (
    wire_text as _wire_text,
)
from .routes import (
    USERS_BODY_SHAPE,
    Reply,
    Request,
    bad_method,
    dispatch,
    error,
    internal_error,
    not_found,
)
from .wire import BodyError, HTTPServer, encode

DEFAULT_TOKEN: Final = "fake-zoho-token"
DEFAULT_CLIENT_ID: Final = "fake-zoho-client-id"
DEFAULT_CLIENT_SECRET: Final = "fake-zoho-client-secret"
DEFAULT_MAX_BODY: Final = 8 * 1024 * 1024
DEFAULT_MAX_CONNECTIONS: Final = 32
#: JSON bodies nested deeper are refused: Zoho's deepest (a subform row's lookup) is 6 levels
MAX_DEPTH: Final = 64

__all__ = ["MAX_DEPTH", "ZohoServer", "parse_json", "replay"]


# --- the request log and replay ---------------------------------------------------------------
def replay(entries: Iterable[Mapping[str, Any]], engine: Engine) -> list[tuple[int, Any]]:
    """Re-apply the log's applied entries to ``engine`` in order; their (status, body) replies.

    The log must be whole: after ``ZohoServer.dropped`` entries were dropped it is a tail,
    and replaying it into a fresh org answers differently. The log holds requests, not the
    org's configuration: ``engine`` must be set up as the server's engine was before the first
    request (its fields, options and the users added in-process with ``add_user``), else the
    replies differ (an unknown acting user is refused, R32).
    """
    replies: list[tuple[int, Any]] = []
    for entry in entries:
        if not entry.get("applied"):
            continue
        user = entry.get("user")
        if "effects" in entry:  # a bulk write job: the engine calls it made
            for call in entry["effects"]:
                write = getattr(engine, call["operation"])
                write(call["module"], call["body"], api_version=call.get("version"), as_user=user)
            replies.append((entry["status"], entry["response"]))
            continue
        request = Request(
            entry["method"],
            _segments(entry["path"]),
            parse_qs(entry["query"]),
            entry["body"],
            user=user,
            headers=entry.get("headers") or {},
            received=entry.get("received"),
        )
        reply = dispatch(engine, request)
        replies.append((reply.status, reply.body))
    return replies


def _users_body_problem(body: Any) -> str | None:
    """What is wrong with a ``POST /__admin/users`` body's shape (None: nothing), in JSON terms."""
    shape = USERS_BODY_SHAPE
    if not isinstance(body, dict):
        return f"the request body is {json_type(body)}, not a JSON object: {shape}"
    if "token" not in body:
        return f"the token is missing: {shape}"
    if not isinstance(body["token"], str):
        return f"the token is {json_type(body['token'])}, not a string: {shape}"
    return None


# --- the server ---------------------------------------------------------------------------------
class ZohoServer:
    """A fake Zoho CRM on ``http://host:port``; ``.engine`` is the same org, in-process.

    ``timeout`` bounds each socket read (and a keep-alive connection's idle time); the request
    line and headers must arrive within ``header_timeout`` s of their first byte, the body
    within ``body_timeout`` s after them. At most ``max_connections`` connections are served
    at once; more wait. The request log keeps at most ``max_log_entries`` entries and
    ``max_log_bytes`` bytes of bodies and answers, dropping the oldest (``dropped``); the bulk
    write uploads kept are as many (``max_upload_files``) and as large (``max_upload_bytes``, the
    CSVs unzipped), dropping the oldest (``bulk.dropped_files``). The
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
        max_upload_files: int = DEFAULT_UPLOAD_FILES,
        max_upload_bytes: int = DEFAULT_UPLOAD_BYTES,
        clock: Callable[[], datetime] | None = None,
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
        #: bumped by each reset; a request that arrived under an older one is not applied
        self.generation = 0
        self._arrival = threading.local()
        self._log = RequestLog(max_log_entries, max_log_bytes)
        #: when a request arrived (an aware datetime); lists report page-token expiry from it
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(timezone.utc))
        #: faults and concurrency limits in force (``inject``, ``/__admin/faults``)
        self.faults = FaultPlan()
        self.bulk = BulkStore(max_upload_files, max_upload_bytes)
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

    def arrived(self) -> None:
        """A request's headers have arrived on this thread (``wire`` calls it before reading
        the body): it belongs to the org of this moment, and to no org made after it."""
        self._arrival.generation = self.generation

    def _stale(self) -> Reply | None:
        """The refusal for a request that arrived before the last reset, under the lock.

        A reset is a barrier: what a test left in flight is never applied to, nor logged in,
        the next test's org. A request ``handle`` gets without ``arrived`` is current."""
        arrival = getattr(self._arrival, "generation", None)
        self._arrival.generation = None
        if arrival is None or arrival == self.generation:
            return None
        message = (
            "the fake org was reset after this request arrived (a reset ends a test): "
            "it was not applied to the new org"
        )
        return error(409, "INVALID_REQUEST", message)

    def _reset(self) -> None:
        # requests that arrived before this point are refused when they take the lock
        self.generation += 1
        # the old org goes at once: nothing else refers to it (the compiled fast paths
        # hold no reference cycles), so its memory is freed here, not at the next gc
        self._engine = self._make()
        self._tokens = {t: u.id for t, u in self._configured.items()}
        self._log.clear()
        self.faults.clear()
        self.bulk = BulkStore(self.bulk.max_files, self.bulk.max_bytes)

    def inject(self, **spec: Any) -> Fault:
        """Make the next ``count`` requests matching ``path`` fail or wait (``faults``).

        ``server.inject(path="/crm/*/Leads/upsert", count=2, status=429)``; ``delay_ms=`` waits.
        ``FaultError`` (a ValueError) for a malformed fault. Cleared by ``reset()``.
        """
        fault = parse_fault(spec)
        self.faults.add(fault)
        return fault

    def limit_concurrency(self, **spec: Any) -> None:
        """At most ``limit`` (or the ``edition``'s) requests matching ``path`` at once."""
        self.faults.set_limit(parse_limit(spec))

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
        self, method: str, target: str, headers: Mapping[str, str], raw: bytes | BodyError
    ) -> Wire:
        """Answer one request and log it (both under the lock); faults apply first."""
        split = urlsplit(target)
        segments = _segments(split.path)
        if segments[:1] == ("__admin",) and segments[1:2] in (
            ("reset",),
            ("requests",),
            ("faults",),
            ("concurrency",),
        ):
            with self.lock:
                stale = self._stale()
                if stale is not None:
                    return Wire(stale.status, encode(stale))
                return self._admin(method, segments, raw)  # not logged
        outcome = self.faults.take(method, split.path)
        with self.faults.admitted(split.path) as admitted:
            if outcome is not None and outcome.delay_ms:
                time.sleep(outcome.delay_ms / 1000)  # outside the lock: others go on
            with self.lock:
                stale = self._stale()
                if stale is not None:  # not logged: the log is the new org's
                    return Wire(stale.status, encode(stale))
                received = self.clock().isoformat(timespec="seconds")
                user = self._acting(segments, headers.get("authorization"))
                effects: list[dict[str, Any]] = []
                extra_headers: tuple[tuple[str, str], ...] = ()
                if not admitted:
                    reply, kept, applied = Reply(429, extra.too_many_requests()), None, False
                elif outcome is not None and outcome.status is not None:
                    reply, kept, applied = Reply(outcome.status, outcome.body), None, False
                    extra_headers = outcome.headers
                else:
                    answer = self._answer(
                        method, segments, split.query, headers, raw, received, user
                    )
                    if isinstance(answer, Wire):  # a file download: logged without its bytes
                        self._log.append(
                            method,
                            split.path,
                            split.query,
                            None,
                            False,
                            answer.status,
                            None,
                            user=user,
                            headers=headers,
                            received=received,
                        )
                        return answer
                    reply, kept, applied, effects = answer
                payload = encode(reply)
                self._log.append(
                    method,
                    split.path,
                    split.query,
                    kept,
                    applied,
                    reply.status,
                    payload,
                    user=user,
                    headers=headers,
                    received=received,
                    notes=reply.notes,
                    effects=effects,
                )
                return Wire(reply.status, payload, headers=extra_headers)

    def _admin(self, method: str, segments: tuple[str, ...], raw: bytes | BodyError) -> Wire:
        if isinstance(raw, BodyError):
            reply = raw.reply
        elif segments[1:2] in (("faults",), ("concurrency",)):
            reply = extra.faults_admin(self.faults, method, segments[1], raw)
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
                return Wire(200, self._log.encoded())
        else:
            reply = not_found()
        return Wire(reply.status, encode(reply))

    def _answer(
        self,
        method: str,
        segments: tuple[str, ...],
        query: str,
        headers: Mapping[str, str],
        raw: bytes | BodyError,
        received: str,
        user: str | None,
    ) -> Wire | tuple[Reply, bytes | None, bool, list[dict[str, Any]]]:
        """The reply, the body text to log (given to the engine), whether it was applied and
        the engine calls a bulk job made; or, for a file download, the ``Wire`` itself.
        ``user``: the acting user's id (None: the default user, R32)."""
        if isinstance(raw, BodyError):
            return raw.reply, None, False, []
        if segments == ("oauth", "v2", "token"):
            kind = headers.get("content-type", "")
            reply = self._oauth(raw, query, kind) if method == "POST" else bad_method()
            return reply, None, False, []
        if segments[:1] == ("crm",) or extra.is_download(segments):
            denied = self._check_token(headers.get("authorization"))
            if denied is not None:
                return denied, None, False, []
            try:
                if extra.is_download(segments):
                    return extra.download(self.bulk, method, segments)
                if extra.is_upload(segments):
                    reply = extra.upload(self.bulk, method, raw, headers, received)
                    return reply, None, False, []
            except Exception as problem:  # a bug: as for dispatch below (the zip not logged)
                return internal_error(problem), None, False, []
        elif segments[:1] != ("__admin",):
            return not_found(), None, False, []
        too_deep = f"the request body is nested more than {MAX_DEPTH} levels deep"
        try:
            body = parse_json(raw)
        except RecursionError:  # deeper than the parser goes: the same answer as 65 levels
            return error(400, "INVALID_DATA", too_deep, {"limit": MAX_DEPTH}), None, False, []
        except ValueError as problem:
            reply = error(
                400,
                "INVALID_DATA",
                f"the request body is not valid JSON: {str(problem)[:200]}",
                {"expected_data_type": "jsonobject"},
            )
            return reply, None, False, []
        if nested_deeper_than(body, MAX_DEPTH):
            return error(400, "INVALID_DATA", too_deep, {"limit": MAX_DEPTH}), None, False, []
        token = None
        if segments == ("__admin", "users") and method == "POST":
            problem_text = _users_body_problem(body)
            if problem_text is None:
                token = body["token"]
                try:
                    self._new_token(token)
                except ValueError as problem:
                    problem_text = str(problem)
            if problem_text is not None:
                where = {"api_name": "token"} if isinstance(body, dict) else {}
                reply = error(400, "INVALID_DATA", problem_text, where)
                return reply, None, False, []
        request = Request(
            method, segments, parse_qs(query), body, user=user, headers=headers, received=received
        )
        try:
            if extra.is_bulk_write(segments):
                reply, effects = extra.bulk_write(self._engine, self.bulk, request, self.url)
                return reply, _wire_text(raw) if effects else None, bool(effects), effects
            reply = dispatch(self._engine, request)
        except RecursionError:  # a query parameter (criteria) parsed recursively, say which
            named = [name for name in ("criteria", "select_query") if name in parse_qs(query)]
            place = f"the {named[0]} parameter" if named else "the request"
            reply = error(400, "INVALID_DATA", f"{place} is nested too deeply (parentheses)")
            return reply, None, False, []
        except Exception as problem:  # a bug: answer Zoho-shaped, keep serving (and the body)
            return internal_error(problem), _wire_text(raw), False, []
        if reply.body_use == "refused":
            return reply, None, False, []
        if token is not None and reply.status == 200:
            self._tokens[token] = reply.body["user"]["id"]
        return reply, _wire_text(raw) if reply.body_use == "engine" else None, True, []

    def _acting(self, segments: tuple[str, ...], authorization: str | None) -> str | None:
        """The user a ``/crm`` request's token acts as (None: the org's default user, R32)."""
        if segments[:1] != ("crm",) or not authorization:
            return None
        return self._tokens.get(authorization.strip().partition(" ")[2].strip())

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

    def _oauth(self, raw: bytes, query: str, content_type: str = "") -> Reply:
        """Zoho Accounts' token endpoint: this server's token, to its one client only.

        The parameters come from the query string (Zoho's documented form:
        ``POST /oauth/v2/token?grant_type=refresh_token&refresh_token=...&client_id=...``) and
        from the body, url-encoded or multipart/form-data (Zoho's Node SDK sends the latter); a
        name in both takes the body's value (issue 11 item 1). They must
        name ``client_id`` and ``client_secret`` (as Zoho's do for every grant); a wrong or
        missing pair is ``invalid_client`` (RFC 6749 section 5.2). A ``refresh_token`` grant
        without a refresh token, or an ``authorization_code`` one without a code, gets Zoho's
        ``invalid_code``.
        """
        form = {**parse_qs(query), **form_fields(raw, content_type)}

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
        grant_field = {"refresh_token": "refresh_token", "authorization_code": "code"}
        if grant in grant_field and not field(grant_field[grant]).strip():
            # Zoho Accounts answers a missing, revoked or wrong code or refresh token with
            # HTTP 200 and {"error": "invalid_code"}, no token [github.com/Weble/ZohoBooksApi
            # issue 84: "IdentityProviderException(code: 200): invalid_code" on refresh;
            # github.com/zoho/zcrm-csharp-sdk issue 7]. Any other non-empty one is accepted:
            # the fake keeps no list of the refresh tokens it handed out.
            return Reply(200, {"error": "invalid_code"})
        body: dict[str, Any] = {
            "access_token": self.token,
            "api_domain": self.url,
            "token_type": "Bearer",
            "expires_in": 3600,
        }
        if grant == "authorization_code":
            body["refresh_token"] = "fake-zoho-refresh-token"
        return Reply(200, body)
