"""The fake server's routes: a pure function from a parsed request to a reply (no sockets).

``dispatch(engine, request)`` answers the ``/crm/{version}/...`` endpoints (lists and search
through ``_server_listing``, COQL through ``_server_coql``, field metadata shaped per version
by ``_server_fieldmeta``; bulk writes live in server.py, which holds their files) and the two
admin endpoints that read or write the engine (``/__admin/load``, ``/__admin/dump``). It is
deterministic given the engine's state, so replaying the server's request log through it
into a fresh engine reproduces every reply (server.py ``replay``). Authentication, body
parsing, the OAuth endpoint, reset and the request log live in server.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from . import _server_coql as coql
from . import _server_listing as listing
from . import _zoho_meta as meta
from ._server_api import ApiError, not_modelled
from ._server_fieldmeta import shape_fields
from .engine import Engine
from .errors import InvalidLoadError, UnknownModuleError
from .responses import Response, for_version
from .rules import API_VERSIONS, MESSAGES
from .schema import ModuleSchema


@dataclass(frozen=True, slots=True)
class Request:
    """What the routes see: method, decoded path segments, query and the parsed JSON body.

    ``headers`` have lower-case names; ``received`` is when the server got the request (ISO
    8601), which the request log keeps so that replay answers list requests the same.
    """

    method: str
    segments: tuple[str, ...]
    query: Mapping[str, Sequence[str]]
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    received: str | None = None


#: What a route did with the request body: ignored it, gave it to the engine, or refused it
#: itself before the engine saw it. The request log keeps only bodies given to the engine.
BodyUse = Literal["ignored", "engine", "refused"]


@dataclass(frozen=True, slots=True)
class Reply:
    """Status and JSON body; ``body is None`` sends no body (204)."""

    status: int
    body: Any = None
    body_use: BodyUse = "ignored"
    #: what the request log should say besides (a parameter Zoho ignores, say)
    notes: tuple[str, ...] = ()


def error(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    body_use: BodyUse = "ignored",
) -> Reply:
    """Zoho's top-level error shape."""
    body = {"code": code, "details": details or {}, "message": message, "status": "error"}
    return Reply(status, body, body_use)


def not_found() -> Reply:
    """An unknown path (Zoho: INVALID_URL_PATTERN, HTTP 404)."""
    return error(
        404, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one"
    )


def bad_method() -> Reply:
    """A known path with a method it does not take (Zoho: INVALID_REQUEST_METHOD, HTTP 400)."""
    return error(400, "INVALID_REQUEST_METHOD", "The http request method type is not a valid one")


def _invalid_module(param: str | None = None) -> Reply:
    details: dict[str, Any] = {"resource_path_index": 0} if param is None else {"param_name": param}
    return error(400, "INVALID_MODULE", MESSAGES["INVALID_MODULE"], details)


def _missing_param(*names: str) -> Reply:
    shown = names[0] if len(names) == 1 else list(names)
    return error(
        400,
        "REQUIRED_PARAM_MISSING",
        "One of the expected parameter is missing",
        {"param_name": shown},
    )


def _param(request: Request, name: str) -> str | None:
    values = request.query.get(name)
    return values[-1] if values else None


# --- dispatch ---------------------------------------------------------------------------------
def dispatch(engine: Engine, request: Request) -> Reply:
    """The reply to ``request`` against ``engine`` (which it may change)."""
    segments = request.segments
    if segments[:1] == ("__admin",):
        if segments[1:] == ("load",):
            return _admin_load(engine, request) if request.method == "POST" else bad_method()
        if segments[1:] == ("dump",):
            return _admin_dump(engine, request) if request.method == "GET" else bad_method()
        return not_found()
    if len(segments) < 3 or segments[0] != "crm" or segments[1] not in API_VERSIONS:
        return not_found()
    version, rest = segments[1], segments[2:]
    refused = next((n for n in request.query if n in listing.REFUSED_PARAMS), None)
    if refused is not None and not _listing_route(request.method, rest):
        return _from_api(not_modelled(f"the {refused!r} parameter", {"param_name": refused}))
    reply = _crm(engine, request, version, rest)
    if not reply.notes and not _listing_route(request.method, rest):
        known = _known_params(request.method, rest)
        ignored = [n for n in request.query if n not in known]
        notes = tuple(f"ignored parameter {n!r} (Zoho ignores it too)" for n in ignored)
        reply = replace(reply, notes=notes)
    if reply.body is not None:
        return replace(reply, body=for_version(reply.body, version))
    return reply


def _known_params(method: str, rest: tuple[str, ...]) -> frozenset[str]:
    """Query parameters a route reads (lists and search check their own): any other is noted
    in the request log as ignored, as Zoho ignores names it does not know [inf]."""
    if rest[0] == "settings":
        return frozenset({"module", "type", "include", "status"})
    if rest[0] == "users":
        return frozenset({"type"})
    if method == "DELETE":
        return frozenset({"ids", "wf_trigger"})
    if method == "GET" and len(rest) == 2:
        return frozenset({"fields"})
    return frozenset()


def _listing_route(method: str, rest: tuple[str, ...]) -> bool:
    """``GET /{module}`` and ``GET /{module}/search`` (``_server_listing`` checks params)."""
    return (
        method == "GET"
        and rest[0] not in ("settings", "users", "org", "coql")
        and (len(rest) == 1 or rest[1:] == ("search",))
    )


def _crm(engine: Engine, request: Request, version: str, rest: tuple[str, ...]) -> Reply:
    method = request.method
    if rest == ("coql",):
        return _coql(engine, request, version) if method == "POST" else bad_method()
    if rest[0] in ("settings", "users", "org"):
        route: Callable[[], Reply] | None = {
            ("settings", "fields"): lambda: _fields(engine, request, version),
            ("settings", "modules"): lambda: _modules(engine),
            ("users",): lambda: Reply(200, meta.users_metadata(engine.options.user)),
            ("org",): lambda: Reply(200, meta.org_metadata()),
        }.get(rest)
        if route is None:
            return not_found()
        return route() if method == "GET" else bad_method()
    module = rest[0]
    if len(rest) == 1:
        if method == "GET":
            return _list(engine, request, module, version)
        if method == "POST":
            return _from_engine(engine.insert(module, request.body, api_version=version), True)
        if method == "PUT":
            return _from_engine(engine.update(module, request.body, api_version=version), True)
        if method == "DELETE":
            ids = [i for i in (_param(request, "ids") or "").split(",") if i.strip()]
            return _from_engine(engine.delete(module, [i.strip() for i in ids]))
        return bad_method()
    if len(rest) != 2:
        return not_found()
    action = rest[1]
    if action == "upsert":
        if method != "POST":
            return bad_method()
        return _from_engine(engine.upsert(module, request.body, api_version=version), True)
    if action == "search":
        return _search(engine, request, module, version) if method == "GET" else bad_method()
    if action.isascii() and action.isdigit():
        if method != "GET":
            return bad_method()
        return _get_record(engine, module, action, _param(request, "fields"))
    return not_found()


def _from_engine(response: Response, took_body: bool = False) -> Reply:
    return Reply(response.status, response.body, "engine" if took_body else "ignored")


def _schema(engine: Engine, module: str) -> ModuleSchema | None:
    try:
        return engine.schema(module)
    except UnknownModuleError:
        return None


# --- metadata ---------------------------------------------------------------------------------
def _fields(engine: Engine, request: Request, version: str) -> Reply:
    module = _param(request, "module")
    if not module:
        return _missing_param("module")
    schema = _schema(engine, module)
    if schema is None:
        return _invalid_module("module")
    return Reply(200, shape_fields(meta.fields_metadata(engine.modules(), schema), version))


def _modules(engine: Engine) -> Reply:
    modules = engine.modules()
    return Reply(200, meta.modules_metadata(modules, [engine.schema(m) for m in modules]))


# --- reading records --------------------------------------------------------------------------
def _get_record(engine: Engine, module: str, record_id: str, fields: str | None) -> Reply:
    if _schema(engine, module) is None:
        return _invalid_module()
    record = engine.get(module, record_id)
    if record is None:
        return error(400, "INVALID_DATA", "the id given seems to be invalid", {"id": record_id})
    if fields:  # the named fields and id only
        keep = {name.strip() for name in fields.split(",")} | {"id"}
        record = {k: v for k, v in record.items() if k in keep}
    return Reply(200, {"data": [record]})


def _from_api(problem: ApiError) -> Reply:
    return error(problem.status, problem.code, problem.message, problem.details)


def _list(engine: Engine, request: Request, module: str, version: str) -> Reply:
    """``GET /{module}``: Zoho's list semantics (``_server_listing``)."""
    schema = _schema(engine, module)
    if schema is None:
        return _invalid_module()
    try:
        page = listing.list_page(
            schema,
            lambda: engine.records(module),
            request.query,
            version,
            modified_since=request.headers.get("if-modified-since"),
            now=request.received,
        )
    except ApiError as problem:
        return _from_api(problem)
    return Reply(page.status, page.body, notes=page.notes)


def _search(engine: Engine, request: Request, module: str, version: str) -> Reply:
    """``GET /{module}/search``: criteria, email, phone or word (``_server_listing``)."""
    schema = _schema(engine, module)
    if schema is None:
        return _invalid_module()
    try:
        page = listing.search_page(schema, lambda: engine.records(module), request.query, version)
    except ApiError as problem:
        return _from_api(problem)
    return Reply(page.status, page.body, notes=page.notes)


def _coql(engine: Engine, request: Request, version: str) -> Reply:
    """``POST /coql``: the COQL subset of ``_server_coql``."""
    try:
        status, body = coql.run(request.body, version, lambda m: _schema(engine, m), engine.records)
    except ApiError as problem:
        return _from_api(problem)
    return Reply(status, body)


# --- admin ------------------------------------------------------------------------------------
def _admin_load(engine: Engine, request: Request) -> Reply:
    body = request.body
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        return replace(
            error(
                400,
                "INVALID_DATA",
                'send {"module": M, "records": [{...}, ...]}',
                {"api_name": "records"},
            ),
            body_use="refused",
        )
    module = body.get("module")
    if not isinstance(module, str) or _schema(engine, module) is None:
        return replace(_invalid_module("module"), body_use="refused")
    try:
        ids = engine.load(module, body["records"])
    except InvalidLoadError as problem:
        return error(400, "INVALID_DATA", str(problem), {"api_name": "records"}, "engine")
    return Reply(200, {"ids": ids}, "engine")


def _admin_dump(engine: Engine, request: Request) -> Reply:
    module = _param(request, "module")
    if not module:
        return _missing_param("module")
    if _schema(engine, module) is None:
        return _invalid_module("module")
    return Reply(200, {"records": list(engine.records(module))})
