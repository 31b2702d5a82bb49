"""The fake server's routes: a pure function from a parsed request to a reply (no sockets).

``dispatch(engine, request)`` answers the ``/crm/{version}/...`` endpoints (lists and search
through ``listing``, COQL through ``coql``, field metadata shaped per version by
``fieldmeta``; bulk writes are in ``stateful``, which needs the files app.py holds) and the
admin endpoints that read or write the engine (``/__admin/load``, ``/__admin/dump``,
``/__admin/users``). It is deterministic given the engine's state and the request (its acting
user, the headers that matter: X-EXTERNAL, R24, If-Unmodified-Since, R34, If-Modified-Since,
and the time it was received), so replaying the server's request log through it into a fresh
engine reproduces every reply (app.py ``replay``). Authentication (which user a token acts
as, R32), body parsing, the OAuth endpoint, reset and the request log live in app.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from .._org_config import apply_module_schema
from ..engine import Engine
from ..errors import ConfigurationError, InvalidLoadError, UnknownModuleError, UpsertEngineError
from ..fields import record_id_text
from ..options import User
from ..responses import Response, for_version
from ..rules import API_VERSIONS, MESSAGES
from ..schema import ModuleSchema
from . import coql, listing
from . import metadata as meta
from .api import ApiError, not_modelled
from .config import apply_schema
from .fieldmeta import shape_fields
from .parsing import json_type, shown


@dataclass(frozen=True, slots=True)
class Request:
    """What the routes see: method, decoded path segments, query, the parsed JSON body, the
    acting user's id (None: the org's default user, R32), the request's headers (lower-case
    names) and ``received``, when the server got it (ISO 8601: the request log keeps it so
    that replay answers list requests the same)."""

    method: str
    segments: tuple[str, ...]
    query: Mapping[str, Sequence[str]]
    body: Any = None
    user: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    received: str | None = None

    @property
    def external(self) -> str | None:
        """The X-EXTERNAL header (R24), or None."""
        return self.headers.get("x-external")

    @property
    def since(self) -> str | None:
        """The If-Unmodified-Since header (R34), or None."""
        return self.headers.get("if-unmodified-since")


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


#: what ``POST /__admin/users`` takes, as its refusals say it
USERS_BODY_SHAPE: Final = 'send {"user": {"name", "id", "email", "zuid"}, "token": T}'


def internal_error(problem: Exception) -> Reply:
    """500 ``INTERNAL_ERROR`` for a bug while answering, naming the exception's type."""
    return error(500, "INTERNAL_ERROR", f"internal error: {type(problem).__name__}")


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
        if segments[1:] == ("users",):
            return _admin_users(engine, request) if request.method == "POST" else bad_method()
        if segments[1:] == ("dump",):
            return _admin_dump(engine, request) if request.method == "GET" else bad_method()
        if segments[1:] == ("schema",):
            return _admin_schema(engine, request) if request.method == "POST" else bad_method()
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
    """``GET /{module}`` and ``GET /{module}/search`` (``listing`` checks params)."""
    return (
        method == "GET"
        and rest[0] not in ("settings", "users", "org", "coql")
        and (len(rest) == 1 or rest[1:] == ("search",))
    )


def _crm(engine: Engine, request: Request, version: str, rest: tuple[str, ...]) -> Reply:
    method = request.method
    if rest == ("coql",):
        return _coql(engine, request, version) if method == "POST" else bad_method()
    if rest[:2] == ("settings", "fields") and method in ("POST", "DELETE") and len(rest) <= 3:
        return _field_write(engine, request, rest[2] if len(rest) == 3 else None)
    if rest[0] in ("settings", "users", "org"):
        route: Callable[[], Reply] | None = {
            ("settings", "fields"): lambda: _fields(engine, request, version),
            ("settings", "layouts"): lambda: _layouts(engine, request),
            ("settings", "modules"): lambda: _modules(engine),
            ("users",): lambda: _users(engine, request),
            ("org",): lambda: Reply(200, meta.org_metadata()),
        }.get(rest)
        if route is None:
            return not_found()
        return route() if method == "GET" else bad_method()
    module = rest[0]
    user, external = request.user, request.external
    if len(rest) == 1:
        if method == "GET":
            return _list(engine, request, module, version)
        if method == "POST":
            response = engine.insert(
                module, request.body, api_version=version, as_user=user, external=external
            )
            return _from_engine(response, True)
        if method == "PUT":
            return _update(engine, request, version, module, request.body)
        if method == "DELETE":
            ids = [i.strip() for i in (_param(request, "ids") or "").split(",") if i.strip()]
            return _from_engine(engine.delete(module, ids, as_user=user, external=external))
        return bad_method()
    if len(rest) != 2:
        return not_found()
    action = rest[1]
    if action == "upsert":
        if method != "POST":
            return bad_method()
        response = engine.upsert(
            module,
            request.body,
            api_version=version,
            as_user=user,
            if_unmodified_since=request.since,
            external=external,
        )
        return _from_engine(response, True)
    if action == "search":
        return _search(engine, request, module, version) if method == "GET" else bad_method()
    by_field = _external_field(engine, module, external) if external is not None else None
    if isinstance(by_field, Reply):
        return by_field
    if by_field is None and not (action.isascii() and action.isdigit()):
        return not_found()
    if method == "GET":
        return _get_record(engine, request, module, action, by_field)
    if method == "PUT":  # Update Records: one record, named by the path (R12, R24)
        return _update_one(engine, request, version, module, action, by_field)
    if method == "DELETE":
        return _from_engine(engine.delete(module, [action], as_user=user, external=external))
    return bad_method()


def _from_engine(response: Response, took_body: bool = False) -> Reply:
    return Reply(response.status, response.body, "engine" if took_body else "ignored")


def _schema(engine: Engine, module: str) -> ModuleSchema | None:
    try:
        return engine.schema(module)
    except UnknownModuleError:
        return None


def _module_param(engine: Engine, request: Request) -> tuple[str, ModuleSchema] | Reply:
    """The module ``?module=M`` names (as given, and its schema) for the settings and admin
    endpoints, or Zoho's error: REQUIRED_PARAM_MISSING without it, INVALID_MODULE if unknown."""
    module = _param(request, "module")
    if not module:
        return _missing_param("module")
    schema = _schema(engine, module)
    if schema is None:
        return _invalid_module("module")
    return module, schema


# --- metadata ---------------------------------------------------------------------------------
def _fields(engine: Engine, request: Request, version: str) -> Reply:
    found = _module_param(engine, request)
    if isinstance(found, Reply):
        return found
    _, schema = found
    body = meta.fields_metadata(engine.modules(), schema)

    def values(name: str) -> tuple[str, ...] | None:
        definition = schema.fields.get(name)
        return None if definition is None else definition.pick_list_values

    return Reply(200, shape_fields(body, version, values))


def _field_write(engine: Engine, request: Request, field_id: str | None) -> Reply:
    """Zoho's Create Custom Fields (``POST /settings/fields?module=M`` with ``{"fields":
    [{"field_label", "data_type", "length"?, "unique"?, "external"?}]}``) and Delete Custom
    Fields (``DELETE /settings/fields/{id}?module=M``) [doc v6 create-custom-field,
    delete-custom-fields]: what the conformance suite's live mode calls, so that the fake can
    stand in for Zoho (issue 14). The API name is the label with spaces as underscores [inf];
    a create is all or nothing (fields added before a refused one are removed again)."""
    found = _module_param(engine, request)
    if isinstance(found, Reply):
        return found
    module, schema = found
    if field_id is not None:
        if request.method != "DELETE":
            return bad_method()
        listed = meta.fields_metadata(engine.modules(), schema)["fields"]
        name = next((f["api_name"] for f in listed if f["id"] == field_id), None)
        try:
            if name is None:
                raise ConfigurationError(f"no field of {schema.api_name} has the id {field_id}")
            engine.remove_field(module, name)
        except ConfigurationError as problem:
            return error(400, "INVALID_DATA", str(problem)[:300], {"resource_path_index": 2})
        done = {"code": "SUCCESS", "details": {"id": field_id}, "message": "field deleted"}
        return Reply(200, {"fields": [{**done, "status": "success"}]}, "engine")
    if request.method != "POST":
        return bad_method()
    given = request.body.get("fields") if isinstance(request.body, dict) else None
    if not isinstance(given, list) or not 1 <= len(given) <= 5:
        return error(
            400, "INVALID_DATA", 'send {"fields": [1 to 5 fields]}', {"api_name": "fields"}
        )
    added: list[str] = []
    try:
        for item in given:
            label, data_type = item.get("field_label"), item.get("data_type")
            if not isinstance(label, str) or not isinstance(data_type, str) or not label.strip():
                raise ConfigurationError("a field needs field_label and data_type (strings)")
            name = "_".join(label.split())
            if name in engine.schema(module).fields:
                raise ConfigurationError(f"{schema.api_name} already has a field {name}")
            external = item.get("external")
            engine.add_field(
                module,
                name,
                data_type,
                unique=bool(item.get("unique")),
                max_length=item.get("length"),
                external=external.get("type") if isinstance(external, dict) else None,
            )
            added.append(name)
    except (ConfigurationError, AttributeError, TypeError) as problem:
        for name in reversed(added):
            engine.remove_field(module, name)
        return error(400, "INVALID_DATA", str(problem)[:300], {"api_name": "fields"}, "refused")
    listed = meta.fields_metadata(engine.modules(), engine.schema(module))["fields"]
    ids = {f["api_name"]: f["id"] for f in listed}
    entries = [
        {
            "code": "SUCCESS",
            "details": {"id": ids[n]},
            "message": "field created",
            "status": "success",
        }
        for n in added
    ]
    return Reply(201, {"fields": entries}, "engine")


def _layouts(engine: Engine, request: Request) -> Reply:
    """R35: ``GET /settings/layouts?module=M``; a module without layouts answers 204."""
    found = _module_param(engine, request)
    if isinstance(found, Reply):
        return found
    _, schema = found
    if not schema.layouts:
        return Reply(204)
    return Reply(200, meta.layouts_metadata(schema))


def _modules(engine: Engine) -> Reply:
    modules = engine.modules()
    return Reply(200, meta.modules_metadata(modules, [engine.schema(m) for m in modules]))


def _users(engine: Engine, request: Request) -> Reply:
    """``GET /users``: the org's users; ``?type=CurrentUser``: the token's user (R32)."""
    users = engine.users()
    if _param(request, "type") == "CurrentUser":
        acting = request.user or engine.options.user.id
        users = tuple(u for u in users if u.id == acting)
    return Reply(200, meta.users_metadata(users))


# --- X-EXTERNAL and writes named by the path (R24) --------------------------------------------
def _external_field(engine: Engine, module: str, header: str) -> str | Reply:
    """The external field ``X-EXTERNAL: {Module}.{Field}`` names to address records by."""
    schema = _schema(engine, module)
    if schema is None:
        return _invalid_module()
    name, dot, rest = header.strip().partition(".")
    if not dot or name != schema.api_name or rest not in schema.external_fields:
        return error(
            400,
            "INVALID_DATA",
            f"X-EXTERNAL {header[:80]!r} is not {schema.api_name}.<an external field of "
            f"{schema.api_name}>",
            {"param_name": "X-EXTERNAL"},
        )
    return rest


def _update(engine: Engine, request: Request, version: str, module: str, body: Any) -> Reply:
    response = engine.update(
        module,
        body,
        api_version=version,
        as_user=request.user,
        if_unmodified_since=request.since,
        external=request.external,
    )
    return _from_engine(response, True)


def _update_one(
    engine: Engine,
    request: Request,
    version: str,
    module: str,
    name: str,
    by_field: str | None,
) -> Reply:
    """``PUT /{module}/{id}``, or ``/{module}/{external value}`` with X-EXTERNAL: the path
    names the record of each body record (one may not name another value, [doc
    update-records-ext NOT_ALLOWED])."""
    body = request.body
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        return _update(engine, request, version, module, body)  # the engine words the error
    key = by_field or "id"
    records = []
    for position, record in enumerate(data):
        if isinstance(record, dict):
            given = record.get(key)
            if given is not None and str(given) != name:
                return error(
                    400,
                    "NOT_ALLOWED",
                    f"data[{position}].{key} = {str(given)[:40]!r} differs from the record "
                    f"the path names ({name[:40]!r})",
                    {"api_name": key, "json_path": f"$.data[{position}].{key}"},
                    "refused",
                )
            records.append({**record, key: name})
        else:
            records.append(record)
    return _update(engine, request, version, module, {**body, "data": records})


# --- reading records --------------------------------------------------------------------------
def _get_record(
    engine: Engine, request: Request, module: str, name: str, by_field: str | None
) -> Reply:
    schema = _schema(engine, module)
    if schema is None:
        return _invalid_module()
    try:  # checked as list and search check it, before looking the record up
        names = listing.fields_param(schema, request.query, required=False)
    except ApiError as problem:
        return _from_api(problem)
    if by_field is None:
        found = engine.get(module, name)
        if found is None:
            return error(400, "INVALID_DATA", "the id given seems to be invalid", {"id": name})
    else:
        (record_id,) = engine.find_external(module, by_field, [name], as_user=request.user)
        found = None if record_id is None else engine.get(module, record_id)
        # [doc get-records-ext: NO_CONTENT 204 when no record holds the value for this user]
        if found is None:
            return Reply(204)
    if names is not None:  # the named fields (null when empty, as list and search) and id
        found = listing.project(found, names)
    return Reply(200, {"data": [found]})


def _from_api(problem: ApiError) -> Reply:
    return error(problem.status, problem.code, problem.message, problem.details)


def _list(engine: Engine, request: Request, module: str, version: str) -> Reply:
    """``GET /{module}``: Zoho's list semantics (``listing``); with X-EXTERNAL, ``ids``
    are external values (R24)."""
    schema = _schema(engine, module)
    if schema is None:
        return _invalid_module()
    text = _param(request, "ids")
    ids: list[str] | None = None
    if text is not None:
        values = [i.strip() for i in text.split(",") if i.strip()]
        if request.external is not None:
            by_field = _external_field(engine, module, request.external)
            if isinstance(by_field, Reply):
                return by_field
            found = engine.find_external(module, by_field, values, as_user=request.user)
            ids = [record_id for record_id in found if record_id is not None]
        else:
            ids = [i for i in map(record_id_text, values) if i is not None]
    try:
        page = listing.list_page(
            schema,
            lambda: engine.records(module),
            request.query,
            version,
            modified_since=request.headers.get("if-modified-since"),
            now=request.received,
            ids=ids,
        )
    except ApiError as problem:
        return _from_api(problem)
    return Reply(page.status, page.body, notes=page.notes)


def _search(engine: Engine, request: Request, module: str, version: str) -> Reply:
    """``GET /{module}/search``: criteria, email, phone or word (``listing``)."""
    schema = _schema(engine, module)
    if schema is None:
        return _invalid_module()
    try:
        page = listing.search_page(schema, lambda: engine.records(module), request.query, version)
    except ApiError as problem:
        return _from_api(problem)
    return Reply(page.status, page.body, notes=page.notes)


def _coql(engine: Engine, request: Request, version: str) -> Reply:
    """``POST /coql``: the COQL subset of ``coql``."""
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


def _admin_users(engine: Engine, request: Request) -> Reply:
    """``POST /__admin/users`` ``{"user": {"name", "id", "email", "zuid"}, "token": T}``: a
    user of the org (R32); the server maps ``T`` to it (until the next reset)."""
    body = request.body
    given = body.get("user") if isinstance(body, dict) else None
    shape = USERS_BODY_SHAPE
    if not isinstance(given, dict):
        return error(
            400,
            "INVALID_DATA",
            f"user is {json_type(given)}, not a JSON object: {shape}",
            {"api_name": "user"},
            "refused",
        )
    unknown = sorted(set(given) - set(User.__slots__))
    wrong = next((key for key, value in given.items() if not isinstance(value, str)), None)
    if unknown:
        message = f"user has unknown keys {shown(unknown)}: {shape}"
    elif wrong is not None:
        message = f"user.{wrong} is {json_type(given[wrong])}, not a string (R32)"
    else:
        try:
            user = engine.add_user(User(**given))
        except ConfigurationError as problem:
            message = str(problem)[:300]
        else:
            return Reply(200, {"user": meta.users_metadata([user])["users"][0]}, "engine")
    return error(400, "INVALID_DATA", message, {"api_name": "user"}, "refused")


def _admin_schema(engine: Engine, request: Request) -> Reply:
    """``POST /__admin/schema``: module schemas as ``upsert-engine schema`` prints them (one,
    a list, or ``{"modules": [...]}``), as ``--schema`` takes them (the conformance runner's
    setup, issue 14). All or nothing: applied first to a copy of the org's configuration, so
    a refused schema (R1, R3, an unknown field) changes nothing."""
    body = request.body
    try:
        scratch = Engine(engine.options)
        for name in engine.modules():
            apply_module_schema(scratch, name, engine.schema(name).to_json(), name, create=True)
        apply_schema(scratch, body)
    except (UpsertEngineError, TypeError, KeyError, AttributeError, ValueError) as problem:
        message = str(problem)[:300]
        return error(400, "INVALID_DATA", message, {"api_name": "modules"}, "refused")
    apply_schema(engine, body)
    return Reply(
        200, {"code": "SUCCESS", "message": "schema applied", "status": "success"}, "engine"
    )


def _admin_dump(engine: Engine, request: Request) -> Reply:
    found = _module_param(engine, request)
    if isinstance(found, Reply):
        return found
    return Reply(200, {"records": list(engine.records(found[0]))})
