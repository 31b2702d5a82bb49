"""The HTTP target: any implementation at a base URL, set up through the fake's admin API.

Per case: ``POST /__admin/reset`` (a fresh org), ``GET /crm/v8/users?type=CurrentUser`` (the
acting user ``me``), ``POST /__admin/users`` (each case user with a token of its own),
``POST /__admin/schema`` (the case's module schemas), ``POST /__admin/load`` (its records),
``GET /crm/v8/settings/modules`` (module ids). An implementation of your own runs the corpus
by answering these five admin endpoints as ``upsert-engine serve`` does (README). A target
without ``/__admin/reset`` runs nothing: every case is skipped, saying so, and ``conform``
exits 2 (a real Zoho org is ``--live``). One connection is kept open across requests
(HTTP/1.1 keep-alive).
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from .target import Reply, TargetError

#: What a case's path keeps unescaped when a target sends it (the rest is percent-encoded).
PATH_SAFE = "/?=&,.-_~"


class HttpClient:
    """JSON over one keep-alive connection to ``base`` (reconnects once if it was closed)."""

    def __init__(self, base: str, *, timeout: float = 30.0) -> None:
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{base!r} is not an http:// or https:// URL")
        self.base = base.rstrip("/")
        self._scheme, self._host, self._port = parts.scheme, parts.hostname, parts.port
        self._prefix = parts.path.rstrip("/")
        self._timeout = timeout
        self._connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            kind = (
                http.client.HTTPSConnection
                if self._scheme == "https"
                else http.client.HTTPConnection
            )
            self._connection = kind(self._host, self._port, timeout=self._timeout)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        *,
        raw: bytes | None = None,
    ) -> Reply:
        """Send one request; the reply's body parsed as JSON (text if it is not JSON)."""
        data = raw if raw is not None else None if body is None else json.dumps(body).encode()
        sent = {**(headers or {})}
        if data is not None and raw is None:
            sent.setdefault("Content-Type", "application/json")
        for attempt in (1, 2):
            connection = self._connect()
            try:
                connection.request(method, self._prefix + path, body=data, headers=sent)
                response = connection.getresponse()
                payload = response.read()
                break
            except (http.client.HTTPException, ConnectionError, OSError) as problem:
                self.close()
                if attempt == 2:
                    raise TargetError(f"{method} {self.base}{path}: {problem}") from None
        if response.getheader("connection", "").lower() == "close":
            self.close()
        if not payload:
            return Reply(response.status, None)
        try:
            return Reply(response.status, json.loads(payload))
        except ValueError:
            return Reply(response.status, payload.decode("utf-8", "replace"))


def user_from_zoho(entry: Mapping[str, Any]) -> dict[str, str]:
    """A user of ``GET /users`` as the placeholders read it (``full_name`` is ``name``)."""
    return {
        "name": str(entry.get("full_name") or entry.get("name") or ""),
        "id": str(entry.get("id", "")),
        "email": str(entry.get("email") or ""),
        "zuid": str(entry.get("zuid") or ""),
    }


def module_id_from(known: dict[str, str], module: str, listing: Callable[[], Any]) -> str:
    """``module``'s id as the target's ``GET /settings/modules`` lists it; ``listing`` (that
    request's JSON body) is called only while ``known``, the ids read so far, is empty."""
    if not known:
        body = listing()
        for entry in body.get("modules", []) if isinstance(body, dict) else []:
            known[str(entry.get("api_name"))] = str(entry.get("id"))
    if module not in known:
        raise TargetError(f"GET /settings/modules does not list {module}")
    return known[module]


class HttpTarget:
    """An HTTP implementation with the fake's admin API (``upsert-engine serve`` has it)."""

    def __init__(self, url: str, token: str, *, timeout: float = 30.0) -> None:
        self.name = url
        self.client = HttpClient(url, timeout=timeout)
        self.token = token
        self._admin: bool | None = None
        self._tokens: dict[str, str] = {}
        self._module_ids: dict[str, str] = {}
        self._serial = 0

    def _auth(self, user: str | None = None) -> dict[str, str]:
        token = self.token if user is None else self._tokens.get(user)
        if token is None:
            raise TargetError(f"no token acts as user {user}")
        return {"Authorization": f"Zoho-oauthtoken {token}"}

    def _expect(self, reply: Reply, what: str) -> Any:
        if reply.status != 200:
            raise TargetError(f"{what}: HTTP {reply.status} {json.dumps(reply.body)[:300]}")
        return reply.body

    def probe(self) -> None:
        """Reach the target once before a run: ``TargetError`` when nothing answers there
        (a setup error, not a case's); notes whether it has the admin API."""
        reply = self.client.request("POST", "/__admin/reset")
        self._admin = reply.status == 200

    @property
    def admin_api(self) -> bool | None:
        """Whether the target answers the admin API (None: not probed yet)."""
        return self._admin

    def why_not(self, case: Any) -> str | None:
        if self._admin is None:
            self.probe()
        if not self._admin:
            return (
                f"{self.name} has no admin API (POST /__admin/reset): the corpus needs it to set "
                "up each case (README: Check your implementation); for Zoho use --live"
            )
        return None

    def start_case(self) -> dict[str, str]:
        self._expect(self.client.request("POST", "/__admin/reset"), "reset")
        self._tokens.clear()
        self._module_ids.clear()
        body = self._expect(
            self.client.request("GET", "/crm/v8/users?type=CurrentUser", headers=self._auth()),
            "GET /users?type=CurrentUser",
        )
        users = body.get("users") if isinstance(body, dict) else None
        if not users:
            raise TargetError(f"GET /users?type=CurrentUser gave no user: {body!r:.200}")
        return user_from_zoho(users[0])

    def add_user(self, user: Mapping[str, str]) -> dict[str, str]:
        self._serial += 1
        token = f"conformance-{user['ref']}-{self._serial}"
        given = {key: user[key] for key in ("name", "id", "email", "zuid")}
        self._expect(
            self.client.request("POST", "/__admin/users", {"user": given, "token": token}),
            "POST /__admin/users",
        )
        self._tokens[given["id"]] = token
        return dict(given)

    def configure(self, modules: Sequence[Mapping[str, Any]]) -> str | None:
        reply = self.client.request("POST", "/__admin/schema", {"modules": list(modules)})
        if reply.status == 200:
            self._module_ids.clear()  # it may have added a module: list them again (R32)
            return None
        body = reply.body
        message = body.get("message") if isinstance(body, dict) else body
        return f"HTTP {reply.status}: {message}"

    def load(self, module: str, records: list[dict[str, Any]]) -> list[str]:
        reply = self.client.request("POST", "/__admin/load", {"module": module, "records": records})
        body = self._expect(reply, f"POST /__admin/load ({module})")
        ids = body.get("ids") if isinstance(body, dict) else None
        if not isinstance(ids, list):
            raise TargetError(f"POST /__admin/load gave no ids: {body!r:.200}")
        return [str(i) for i in ids]

    def module_id(self, module: str) -> str:
        return module_id_from(
            self._module_ids,
            module,
            lambda: self._expect(
                self.client.request("GET", "/crm/v8/settings/modules", headers=self._auth()),
                "GET /settings/modules",
            ),
        )

    def send(
        self, method: str, path: str, headers: Mapping[str, str], body: Any, user: str | None
    ) -> Reply:
        return self.client.request(
            method, quote(path, safe=PATH_SAFE), body, {**headers, **self._auth(user)}
        )

    def end_case(self) -> None:
        return None

    def close(self) -> None:
        """Close the keep-alive connection."""
        self.client.close()
