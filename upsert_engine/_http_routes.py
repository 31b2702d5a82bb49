"""The fake server's routes: a pure function from a parsed request to a reply (no sockets).

``dispatch(engine, request)`` answers every ``/crm/{version}/...`` endpoint and the admin
endpoints that read or write the engine (``/__admin/load``, ``/__admin/dump``,
``/__admin/users``). It is deterministic given the engine's state and the request (its acting
user and the headers that matter: X-EXTERNAL, R24, and If-Unmodified-Since, R34), so
replaying the server's request log through it into a fresh engine reproduces every reply
(server.py ``replay``). Authentication (which user a token acts as, R32), body parsing, the
OAuth endpoint, reset and the request log live in server.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from . import _zoho_meta as meta
from .engine import Engine
from .errors import ConfigurationError, InvalidLoadError, UnknownModuleError
from .fields import FieldDef, normalize_text, record_id_text
from .options import User
from .responses import Response, for_version
from .rules import API_VERSIONS, MESSAGES, READ_ONLY_SYSTEM_FIELDS
from .schema import ModuleSchema

MAX_PER_PAGE: Final = 200
#: ``page`` numbers are read up to this many digits; any larger page is past every record
PAGE_DIGITS: Final = 18
STRING_TYPES: Final = frozenset(
    {"text", "textarea", "email", "phone", "website", "picklist", "multiselectpicklist"}
)
SEARCH_OPERATORS: Final = ("equals", "not_equal", "starts_with")


#: Request headers the routes read (R24, R34); others do not change any answer.
ROUTE_HEADERS: Final = ("X-EXTERNAL", "If-Unmodified-Since")


@dataclass(frozen=True, slots=True)
class Request:
    """What the routes see: method, decoded path segments, query, the parsed JSON body, the
    acting user's id (None: the org's default user, R32) and the ``ROUTE_HEADERS`` sent."""

    method: str
    segments: tuple[str, ...]
    query: Mapping[str, Sequence[str]]
    body: Any = None
    user: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def external(self) -> str | None:
        """The X-EXTERNAL header (R24), or None."""
        return self.headers.get("X-EXTERNAL")

    @property
    def since(self) -> str | None:
        """The If-Unmodified-Since header (R34), or None."""
        return self.headers.get("If-Unmodified-Since")


#: What a route did with the request body: ignored it, gave it to the engine, or refused it
#: itself before the engine saw it. The request log keeps only bodies given to the engine.
BodyUse = Literal["ignored", "engine", "refused"]


@dataclass(frozen=True, slots=True)
class Reply:
    """Status and JSON body; ``body is None`` sends no body (204)."""

    status: int
    body: Any = None
    body_use: BodyUse = "ignored"


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


def _invalid_param(name: str, why: str) -> Reply:
    return error(400, "INVALID_DATA", f"{name}: {why}", {"param_name": name})


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
        return not_found()
    if len(segments) < 3 or segments[0] != "crm" or segments[1] not in API_VERSIONS:
        return not_found()
    version, rest = segments[1], segments[2:]
    reply = _crm(engine, request, version, rest)
    if reply.body is not None:
        return replace(reply, body=for_version(reply.body, version))
    return reply


def _crm(engine: Engine, request: Request, version: str, rest: tuple[str, ...]) -> Reply:
    method = request.method
    if rest[0] in ("settings", "users", "org"):
        route: Callable[[], Reply] | None = {
            ("settings", "fields"): lambda: _fields(engine, request),
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
            return _list(engine, request, module)
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
        return _search(engine, request, module) if method == "GET" else bad_method()
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


# --- metadata ---------------------------------------------------------------------------------
def _fields(engine: Engine, request: Request) -> Reply:
    module = _param(request, "module")
    if not module:
        return _missing_param("module")
    schema = _schema(engine, module)
    if schema is None:
        return _invalid_module("module")
    return Reply(200, meta.fields_metadata(engine.modules(), schema))


def _layouts(engine: Engine, request: Request) -> Reply:
    """R35: ``GET /settings/layouts?module=M``; a module without layouts answers 204."""
    module = _param(request, "module")
    if not module:
        return _missing_param("module")
    schema = _schema(engine, module)
    if schema is None:
        return _invalid_module("module")
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
    if _schema(engine, module) is None:
        return _invalid_module()
    if by_field is None:
        record = engine.get(module, name)
        if record is None:
            return error(400, "INVALID_DATA", "the id given seems to be invalid", {"id": name})
        return Reply(200, {"data": [record]})
    (record_id,) = engine.find_external(module, by_field, [name], as_user=request.user)
    found = None if record_id is None else engine.get(module, record_id)
    # [doc get-records-ext: NO_CONTENT 204 when no record holds the value for this user]
    return Reply(204) if found is None else Reply(200, {"data": [found]})


def _page(request: Request) -> tuple[int, int] | Reply:
    numbers: dict[str, int] = {}
    for name, default, high in (("page", 1, None), ("per_page", MAX_PER_PAGE, MAX_PER_PAGE)):
        text = _param(request, name)
        if text is None or text == "":
            numbers[name] = default
            continue
        if not (text.isascii() and text.isdigit()) or not text.strip("0"):
            return _invalid_param(name, f"{text[:40]!r} is not a positive integer")
        digits = text.lstrip("0")
        # past PAGE_DIGITS digits (int() refuses 4300) the number is past any record: clamp
        number = int(digits) if len(digits) <= PAGE_DIGITS else 10**PAGE_DIGITS
        if high is not None and number > high:
            return _invalid_param(name, f"{text[:40]} is more than {high}")
        numbers[name] = number
    return numbers["page"], numbers["per_page"]


def _paged(request: Request, records: Iterable[dict[str, Any]]) -> Reply:
    """One page of ``records`` with Zoho's ``info`` block; no records at all: 204."""
    paging = _page(request)
    if isinstance(paging, Reply):
        return paging
    page, per_page = paging
    wanted = _param(request, "fields")
    keep: set[str] | None = None
    if wanted:
        keep = {name.strip() for name in wanted.split(",") if name.strip()} | {"id"}
    start = (page - 1) * per_page
    chosen: list[dict[str, Any]] = []
    more = False
    for position, record in enumerate(records):
        if position < start:
            continue
        if len(chosen) == per_page:
            more = True
            break
        chosen.append(record if keep is None else {k: v for k, v in record.items() if k in keep})
    if not chosen:
        return Reply(204)
    info = {"per_page": per_page, "count": len(chosen), "page": page, "more_records": more}
    return Reply(200, {"data": chosen, "info": info})


def _list(engine: Engine, request: Request, module: str) -> Reply:
    if _schema(engine, module) is None:
        return _invalid_module()
    ids = _param(request, "ids")
    if ids is None:
        return _paged(request, engine.records(module))
    values = [i.strip() for i in ids.split(",") if i.strip()]
    if request.external is not None:  # ``?ids=`` of external values (R24)
        by_field = _external_field(engine, module, request.external)
        if isinstance(by_field, Reply):
            return by_field
        found = engine.find_external(module, by_field, values, as_user=request.user)
        wanted = {record_id for record_id in found if record_id is not None}
    else:
        wanted = {record_id for record_id in map(record_id_text, values) if record_id is not None}
    return _paged(request, (r for r in engine.records(module) if r["id"] in wanted))


# --- search -----------------------------------------------------------------------------------
def match_key(definition: FieldDef | None, value: Any) -> str | None:
    """The key two values are compared by in a search (R8 normalisation where it applies)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        value = value.get("id")
        return None if value is None else str(value)
    if definition is not None:
        key = definition.key(value)
        if key is not None:
            return key
    return normalize_text(value if isinstance(value, str) else str(value))


Predicate = Callable[[dict[str, Any]], bool]


class CriteriaError(ValueError):
    """A ``criteria`` that cannot be read; the message says where and why."""


def _condition(schema: ModuleSchema, text: str) -> Predicate:
    field_name, sep1, rest = text.partition(":")
    operator, sep2, raw = rest.partition(":")
    field_name, operator = field_name.strip(), operator.strip().lower()
    if not (sep1 and sep2 and field_name):
        raise CriteriaError(f"{text!r} is not Field:operator:value")
    if field_name not in schema.fields and field_name not in READ_ONLY_SYSTEM_FIELDS:
        raise CriteriaError(f"{field_name!r} is not a field of {schema.api_name}")
    if operator not in SEARCH_OPERATORS:
        raise CriteriaError(f"operator {operator!r} is not one of {', '.join(SEARCH_OPERATORS)}")
    definition = schema.fields.get(field_name)
    values = _split_values(raw)
    keys = {match_key(definition, v) for v in values}

    def value_of(record: dict[str, Any]) -> Any:
        return record.get(field_name)

    if operator == "starts_with":
        prefixes = [v.lower() for v in values]
        return lambda record: any(
            str(value_of(record) or "").lower().startswith(p) for p in prefixes
        )
    if operator == "equals":
        return lambda record: match_key(definition, value_of(record)) in keys
    return lambda record: match_key(definition, value_of(record)) not in keys


def _split_values(raw: str) -> list[str]:
    """``a,b\\,c`` → ``["a", "b,c"]`` (Zoho: comma-separated values, ``\\`` escapes)."""
    values, current, escaped = [], [], False
    for char in raw:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ",":
            values.append("".join(current))
            current = []
        else:
            current.append(char)
    values.append("".join(current))
    return values


def parse_criteria(schema: ModuleSchema, text: str) -> Predicate:
    """``(F:op:v)``, ``((A:equals:1)and(B:starts_with:x))``, ``(...)or(...)``: a predicate."""
    position = 0

    def skip_space() -> None:
        nonlocal position
        while position < len(text) and text[position].isspace():
            position += 1

    def group() -> Predicate:
        nonlocal position
        skip_space()
        if position >= len(text) or text[position] != "(":
            raise CriteriaError(f"expected '(' at character {position + 1}")
        position += 1
        skip_space()
        if position < len(text) and text[position] == "(":
            inner = expression()
            skip_space()
        else:
            start, escaped = position, False
            while position < len(text) and (escaped or text[position] != ")"):
                escaped = text[position] == "\\" and not escaped
                position += 1
            inner = _condition(schema, text[start:position])
        if position >= len(text) or text[position] != ")":
            raise CriteriaError(f"expected ')' at character {position + 1}")
        position += 1
        return inner

    def expression() -> Predicate:
        nonlocal position
        parts = [group()]
        joiner: str | None = None
        while True:
            skip_space()
            word = next(
                (w for w in ("and", "or") if text[position : position + len(w)].lower() == w),
                None,
            )
            if word is None:
                break
            if joiner is not None and word != joiner:
                raise CriteriaError("mix of 'and' and 'or' at one level: add parentheses")
            joiner = word
            position += len(word)
            parts.append(group())
        if len(parts) == 1:
            return parts[0]
        if joiner == "and":
            return lambda record: all(part(record) for part in parts)
        return lambda record: any(part(record) for part in parts)

    predicate = expression()
    skip_space()
    if position != len(text):
        raise CriteriaError(f"unexpected text at character {position + 1}")
    return predicate


def _typed_match(schema: ModuleSchema, types: Iterable[str], wanted: str) -> Predicate:
    fields = [f for f in schema.fields.values() if f.data_type in set(types)]
    return lambda record: any(
        record.get(f.api_name) is not None
        and match_key(f, record.get(f.api_name)) == match_key(f, wanted)
        for f in fields
    )


def _word_match(schema: ModuleSchema, word: str) -> Predicate:
    names = [f.api_name for f in schema.fields.values() if f.data_type in STRING_TYPES]
    lowered = word.strip().lower()
    return lambda record: any(lowered in str(record.get(n) or "").lower() for n in names)


def _search(engine: Engine, request: Request, module: str) -> Reply:
    """Zoho's search: ``criteria`` first, then ``email``, ``phone``, ``word`` (one is used)."""
    schema = _schema(engine, module)
    if schema is None:
        return _invalid_module()
    predicate: Predicate
    criteria = _param(request, "criteria")
    if criteria:
        try:
            predicate = parse_criteria(schema, criteria)
        except CriteriaError as problem:
            return error(
                400, "INVALID_QUERY", f"invalid query formed: {problem}", {"reason": str(problem)}
            )
    elif _param(request, "email"):
        predicate = _typed_match(schema, ("email",), _param(request, "email") or "")
    elif _param(request, "phone"):
        predicate = _typed_match(schema, ("phone",), _param(request, "phone") or "")
    elif _param(request, "word"):
        predicate = _word_match(schema, _param(request, "word") or "")
    else:
        return _missing_param("criteria", "email", "phone", "word")
    return _paged(request, (r for r in engine.records(module) if predicate(r)))


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
    try:
        if not isinstance(given, dict):
            raise ConfigurationError('send {"user": {"name", "id", "email", "zuid"}, "token": T}')
        user = engine.add_user(User(**given))
    except (ConfigurationError, TypeError) as problem:
        return error(400, "INVALID_DATA", str(problem)[:300], {"api_name": "user"}, "refused")
    return Reply(200, {"user": meta.users_metadata([user])["users"][0]}, "engine")


def _admin_dump(engine: Engine, request: Request) -> Reply:
    module = _param(request, "module")
    if not module:
        return _missing_param("module")
    if _schema(engine, module) is None:
        return _invalid_module("module")
    return Reply(200, {"records": list(engine.records(module))})
