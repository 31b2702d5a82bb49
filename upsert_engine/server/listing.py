"""Zoho's list semantics for ``GET /{module}`` and ``GET /{module}/search`` (pure: no I/O).

Sources: Zoho's v8 Get Records and Search Records pages and their OpenAPI descriptions
(github.com/zoho/crm-oas ``v8.0/record.json``), Kaizen #29 "Parameters in Zoho CRM APIs" and
Kaizen #60 (v3 paging). What a list answers:

- **fields** (v3+, listing without ``ids``): mandatory, at most ``MAX_FIELDS`` (50) names, each
  a field of the module: ``REQUIRED_PARAM_MISSING`` / ``LIMIT_EXCEEDED`` / ``INVALID_DATA``.
  Records then carry those fields and ``id``. Optional on v2, v2.1, on search and on get by
  id, which read it with the same ``fields_param``.
- **order**: ``sort_order`` ``asc``/``desc`` (default ``desc``); ``sort_by`` (default ``id``)
  is one of ``id``, ``Created_Time``, ``Modified_Time`` on v3+ lists, any field on v2/v2.1 and on
  search. Only ``sort_order`` given: sorted by ``id`` (Kaizen #29 case 2). Ties go by ``id`` in
  the same direction; empty values sort as the largest [inf].
- **page / per_page**: ``per_page`` 1..200 (default 200), ``page`` from 1. v3+ lists reach only
  the first 2000 records by page (``DISCRETE_PAGINATION_LIMIT_EXCEEDED``); past them the
  ``page_token`` of ``info.next_page_token`` goes on, up to 100,000 records
  (``PAGINATION_LIMIT_EXCEEDED``). A token is bound to the other parameters
  (``TOKEN_BOUND_DATA_MISMATCH`` if they change); ``page`` with ``page_token`` is
  ``AMBIGUITY_DURING_PROCESSING``. Tokens are keyset cursors (a record written between two
  pages neither repeats nor shifts one) and do not expire in the fake; ``page_token_expiry``
  says a day after the request was received, on the server's clock, not the engine's:
  an expiry is for the client to compare with its own clock, and the engine's clock moves
  only with writes; a replay hands the logged receipt time back, so pages answer the same.
  Search reaches 2000 records (``LIMIT_REACHED``).
- **If-Modified-Since** (lists): only records modified after that time; none: 304, no body.
- **info**: v3+ lists carry every key of Zoho's ``Info`` (``per_page``, ``next_page_token``,
  ``count``, ``sort_by``, ``page``, ``previous_page_token``, ``page_token_expiry``,
  ``sort_order``, ``more_records``); search and v2/v2.1 the keys their pages show.
- **cost**: a page is chosen with a bounded heap over the module's records, O(n log k) for
  k = the records up to the page's end (at most 2001) or ``per_page`` + 1 after a token; no
  ordered index is kept (so ``sortedcontainers``, which the design would allow for one, is
  not needed).
- **other parameters**: Zoho's own that the fake cannot answer exactly (``cvid``,
  ``territory_id``, ``approved`` ...) are refused (``NOT_SUPPORTED``, ``api``); names
  Zoho does not know are ignored, as Zoho does, and returned as notes for the request log.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from ..schema import ModuleSchema
from . import criteria as criteria_
from .api import ApiError, missing_param, not_modelled, param_error
from .values import field_type, sort_key

MAX_PER_PAGE: Final = 200
MAX_FIELDS: Final = 50
MAX_IDS: Final = 100
#: v3+: records reachable with ``page`` [doc v8 get-records: "page (1-10) and per_page (200)"]
DISCRETE_LIMIT: Final = 2000
#: v3+: records reachable with ``page_token`` [doc Kaizen #60, v8 get-records]
TOKEN_LIMIT: Final = 100_000
#: v2, v2.1: records the fake reaches by ``page`` (beyond: not modelled)
V2_PAGE_LIMIT: Final = 10_000
SEARCH_LIMIT: Final = 2000
PAGE_DIGITS: Final = 18
V3_SORT_FIELDS: Final = ("id", "Created_Time", "Modified_Time")
LIST_PARAMS: Final = frozenset(
    {"fields", "sort_by", "sort_order", "page", "per_page", "page_token", "ids", "converted"}
)
SEARCH_PARAMS: Final = frozenset(
    {"criteria", "email", "phone", "word", "fields", "page", "per_page"}
    | {"sort_by", "sort_order", "converted", "type"}
)
#: Zoho's parameters whose effect the fake does not model: refused, never silently ignored.
REFUSED_PARAMS: Final = frozenset(
    {"cvid", "territory_id", "include_child", "uid", "approved", "startDateTime"}
    | {"endDateTime", "filters", "cross_filters", "filterId", "include_lite_users", "role_id"}
)
OLD_VERSIONS: Final = frozenset({"v2", "v2.1"})
_PHONE = re.compile(r"[+]?[0-9\s\-().]+")


@dataclass(frozen=True, slots=True)
class Page:
    """A list answer: status (200, 204, 304), body (None for 204/304) and request-log notes."""

    status: int
    body: dict[str, Any] | None
    notes: tuple[str, ...] = ()


def _one(query: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = query.get(name)
    return values[-1] if values else None


def _check_names(query: Mapping[str, Sequence[str]], known: frozenset[str]) -> tuple[str, ...]:
    for name in query:
        if name in REFUSED_PARAMS:
            raise not_modelled(f"the {name!r} parameter", {"param_name": name})
    return tuple(
        f"ignored parameter {name!r} (Zoho ignores it too)" for name in query if name not in known
    )


def _number(query: Mapping[str, Sequence[str]], name: str, default: int, high: int | None) -> int:
    text = _one(query, name)
    if text is None or text == "":
        return default
    if not (text.isascii() and text.isdigit()) or not text.strip("0"):
        raise param_error(name, f"{name}: {text[:40]!r} is not a positive integer")
    digits = text.lstrip("0")
    number = int(digits) if len(digits) <= PAGE_DIGITS else 10**PAGE_DIGITS
    if high is not None and number > high:
        raise param_error(name, f"{name}: {text[:40]} is more than {high}")
    return number


def fields_param(
    schema: ModuleSchema, query: Mapping[str, Sequence[str]], required: bool
) -> list[str] | None:
    """The names ``fields`` gives, for get by id, list and search alike (None: no names).

    Its names are its comma-separated entries, stripped, empty ones dropped, repeats once. No
    names at all (absent, ``fields=``, ``fields=,``) is ``REQUIRED_PARAM_MISSING`` where
    ``required`` (a v3+ list without ``ids``), else None: every field. More than
    ``MAX_FIELDS`` is ``LIMIT_EXCEEDED``; a name that is no field of the module (API names
    are case-sensitive: ``full_name`` is not ``Full_Name``) is ``INVALID_DATA``, never read
    as an empty field."""
    text = _one(query, "fields") or ""
    names = list(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    if not names:
        if required:
            raise missing_param("fields")
        return None
    if len(names) > MAX_FIELDS:
        raise ApiError(
            400,
            "LIMIT_EXCEEDED",
            f"more than {MAX_FIELDS} fields",
            {"limit": MAX_FIELDS, "param_name": "fields"},
        )
    for name in names:
        if field_type(schema, name) is None and name != "Owner":
            raise param_error("fields", f"{name[:80]!r} is not a field of {schema.api_name}")
    return names


@dataclass(frozen=True, slots=True)
class Order:
    """A sort: field, its data type, and direction."""

    sort_by: str
    data_type: str
    descending: bool

    def key(self, record: Mapping[str, Any]) -> tuple[Any, ...]:
        record_id = str(record.get("id", ""))
        return (sort_key(self.data_type, record.get(self.sort_by)), len(record_id), record_id)


def _order(schema: ModuleSchema, query: Mapping[str, Sequence[str]], any_field: bool) -> Order:
    sort_order = _one(query, "sort_order")
    if sort_order is not None and sort_order not in ("asc", "desc"):
        raise param_error("sort_order", supported_values=["asc", "desc"])
    sort_by = _one(query, "sort_by") or "id"
    data_type = field_type(schema, sort_by)
    if any_field:
        if data_type is None:
            raise param_error("sort_by", f"{sort_by[:80]!r} is not a field of {schema.api_name}")
    elif sort_by not in V3_SORT_FIELDS:
        raise param_error("sort_by", supported_values=list(V3_SORT_FIELDS))
    return Order(sort_by, data_type or "bigint", sort_order != "asc")


def _first(records: Iterable[dict[str, Any]], order: Order, count: int) -> list[dict[str, Any]]:
    """The first ``count`` records in ``order``, without sorting them all."""
    pick = heapq.nlargest if order.descending else heapq.nsmallest
    return pick(count, records, key=order.key)


def project(record: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    """The fields ``names`` of ``record`` and its ``id``: each named field is there, ``null``
    when the record has no value for it, as Zoho answers (COQL and bulk read-backs do the
    same). Get, list and search project with this one function."""
    keep = {*names, "id"}
    out = {k: v for k, v in record.items() if k in keep}
    for name in names:
        out.setdefault(name, None)
    return out


def _project(records: Iterable[dict[str, Any]], names: list[str] | None) -> list[dict[str, Any]]:
    if names is None:
        return list(records)
    return [project(record, names) for record in records]


def _converted(schema: ModuleSchema, query: Mapping[str, Sequence[str]]) -> bool:
    """Whether the ``converted`` filter leaves nothing (no record of the fake is converted)."""
    value = _one(query, "converted")
    if value is None:
        return False
    if value not in ("true", "false", "both"):
        raise param_error("converted", supported_values=["true", "false", "both"])
    return value == "true" and schema.api_name == "Leads"


# --- page tokens ------------------------------------------------------------------------------
def _binding(module: str, query: Mapping[str, Sequence[str]], since: str | None) -> str:
    shown = sorted((k, list(v)) for k, v in query.items() if k not in ("page_token", "page"))
    text = json.dumps([module, shown, since], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _token(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _untoken(text: str, binding: str) -> dict[str, Any]:
    mismatch = ApiError(
        400,
        "TOKEN_BOUND_DATA_MISMATCH",
        "The page_token given seems to be invalid or input param is added, altered, or deleted",
        {"param_name": "page_token"},
    )
    try:
        payload = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except ValueError:
        raise mismatch from None
    if not isinstance(payload, dict) or payload.get("b") != binding:
        raise mismatch
    anchor, offset, page = payload.get("a"), payload.get("n"), payload.get("p")
    if not (
        isinstance(anchor, list)
        and len(anchor) == 2
        and all(isinstance(x, (str, type(None))) for x in anchor)
        and isinstance(offset, int)
        and isinstance(page, int)
        and payload.get("d") in ("after", "before")
    ):
        raise mismatch
    return payload


def _anchor(order: Order, record: Mapping[str, Any]) -> list[str | None]:
    value = record.get(order.sort_by)
    return [None if value is None else str(value), str(record.get("id", ""))]


def _anchor_key(order: Order, anchor: list[str | None]) -> tuple[Any, ...]:
    return order.key({order.sort_by: anchor[0], "id": anchor[1]})


def _expiry(now: str | None) -> str | None:
    if now is None:
        return None
    return (datetime.fromisoformat(now) + timedelta(days=1)).isoformat(timespec="seconds")


# --- GET /{module} ------------------------------------------------------------------------------
def list_page(
    schema: ModuleSchema,
    records: Callable[[], Iterable[dict[str, Any]]],
    query: Mapping[str, Sequence[str]],
    version: str,
    *,
    modified_since: str | None = None,
    now: str | None = None,
    ids: Sequence[str] | None = None,
) -> Page:
    """``GET /{module}``: one page of ``records()`` (read only if the request is valid).

    ``ids``: the record ids ``?ids=`` names, as the caller resolved them (external values,
    R24); None: read from the query."""
    old = version in OLD_VERSIONS
    known = LIST_PARAMS - {"page_token"} if old else LIST_PARAMS
    notes = _check_names(query, known)
    token_text = None if old else _one(query, "page_token")
    if token_text is not None and _one(query, "page") is not None:
        raise ApiError(
            400,
            "AMBIGUITY_DURING_PROCESSING",
            "You cannot use both page and page_token",
            {"ambiguity_due_to": [{"param_name": "page"}, {"param_name": "page_token"}]},
        )
    if ids is None:
        ids = [i.strip() for i in (_one(query, "ids") or "").split(",") if i.strip()]
    elif not ids:
        return Page(204, None, notes)  # ids named, none of them a record
    if len(ids) > MAX_IDS:
        raise ApiError(
            400,
            "LIMIT_EXCEEDED",
            f"more than {MAX_IDS} ids",
            {"limit": MAX_IDS, "param_name": "ids"},
        )
    names = fields_param(schema, query, required=not old and not ids)
    order = _order(schema, query, any_field=old)
    per_page = _number(query, "per_page", MAX_PER_PAGE, MAX_PER_PAGE)
    page = _number(query, "page", 1, None)
    since = _since(modified_since)
    empty = _converted(schema, query)

    def chosen() -> Iterable[dict[str, Any]]:
        wanted = set(ids)
        for record in () if empty else records():
            if wanted and record.get("id") not in wanted:
                continue
            if since is not None and not _modified_after(record, since):
                continue
            yield record

    binding = _binding(schema.api_name, query, modified_since)
    if token_text is not None:
        payload = _untoken(token_text, binding)
        return _token_page(order, chosen(), payload, per_page, names, binding, now, notes)
    start = (page - 1) * per_page
    limit = V2_PAGE_LIMIT if old else DISCRETE_LIMIT
    if start + per_page > limit:
        if old:
            raise not_modelled(f"v2 paging past {V2_PAGE_LIMIT} records", {"param_name": "page"})
        raise ApiError(
            400,
            "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
            f"You can only get the first {DISCRETE_LIMIT} records without using page_token param",
            {"limit": DISCRETE_LIMIT},
        )
    head = _first(chosen(), order, start + per_page + 1)
    window = head[start : start + per_page]
    more = len(head) > start + per_page
    if not window:
        return Page(304 if since is not None and not head else 204, None, notes)
    if old:
        info: dict[str, Any] = {
            "per_page": per_page,
            "count": len(window),
            "page": page,
            "more_records": more,
        }
    else:
        nxt = None
        if more:
            nxt = _token(
                {"b": binding, "a": _anchor(order, window[-1]), "n": start + len(window)}
                | {"p": page + 1, "d": "after"}
            )
        info = _info(
            per_page, nxt, len(window), order, page, None, _expiry(now) if more else None, more
        )
    return Page(200, {"data": _project(window, names), "info": info}, notes)


def _info(
    per_page: int,
    next_token: str | None,
    count: int,
    order: Order,
    page: int,
    previous_token: str | None,
    expiry: str | None,
    more: bool,
) -> dict[str, Any]:
    """Zoho's v3+ ``info`` block, every key in the order of Zoho's samples."""
    return {
        "per_page": per_page,
        "next_page_token": next_token,
        "count": count,
        "sort_by": order.sort_by,
        "page": page,
        "previous_page_token": previous_token,
        "page_token_expiry": expiry,
        "sort_order": "desc" if order.descending else "asc",
        "more_records": more,
    }


def _beyond(order: Order, edge: tuple[Any, ...], forward: bool) -> Callable[[dict[str, Any]], bool]:
    """Whether a record comes after (``forward``) or before ``edge`` in ``order``."""
    # in a descending order the records after the edge have smaller keys
    smaller = order.descending if forward else not order.descending
    if smaller:
        return lambda record: order.key(record) < edge
    return lambda record: order.key(record) > edge


def _token_page(
    order: Order,
    candidates: Iterable[dict[str, Any]],
    payload: dict[str, Any],
    per_page: int,
    names: list[str] | None,
    binding: str,
    now: str | None,
    notes: tuple[str, ...],
) -> Page:
    offset, page, forward = payload["n"], payload["p"], payload["d"] == "after"
    if forward and offset + per_page > TOKEN_LIMIT:
        raise ApiError(
            400,
            "PAGINATION_LIMIT_EXCEEDED",
            f"You can only get up to first {TOKEN_LIMIT} records using page_token param",
            {"param_name": "page_token"},
        )
    edge = _anchor_key(order, payload["a"])
    test = _beyond(order, edge, forward)
    if forward:
        head = _first(filter(test, candidates), order, per_page + 1)
        window, more, earlier = head[:per_page], len(head) > per_page, True
    else:
        backwards = Order(order.sort_by, order.data_type, not order.descending)
        head = _first(filter(test, candidates), backwards, per_page + 1)
        window, more, earlier = list(reversed(head[:per_page])), True, len(head) > per_page
    if not window:
        return Page(204, None, notes)
    start = offset if forward else max(0, offset)
    nxt = prev = None
    if more:
        nxt = _token(
            {"b": binding, "a": _anchor(order, window[-1]), "n": start + len(window)}
            | {"p": page + 1, "d": "after"}
        )
    if earlier and page > 1:
        prev = _token(
            {"b": binding, "a": _anchor(order, window[0]), "n": max(0, start - per_page)}
            | {"p": page - 1, "d": "before"}
        )
    info = _info(
        per_page, nxt, len(window), order, page, prev, _expiry(now) if more else None, more
    )
    return Page(200, {"data": _project(window, names), "info": info}, notes)


def _since(header: str | None) -> datetime | None:
    if header is None:
        return None
    text = header.strip()
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        when = None
    if when is None or when.utcoffset() is None:
        raise ApiError(
            400,
            "INVALID_DATA",
            "If-Modified-Since must be an ISO 8601 date-time with an offset",
            {"param_name": "If-Modified-Since", "expected_data_type": "datetime"},
        )
    return when


def _modified_after(record: Mapping[str, Any], since: datetime) -> bool:
    stamp = record.get("Modified_Time")
    if not isinstance(stamp, str):
        return False
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")) > since
    except (ValueError, TypeError):
        return False


# --- GET /{module}/search -----------------------------------------------------------------------
def search_page(
    schema: ModuleSchema,
    records: Callable[[], Iterable[dict[str, Any]]],
    query: Mapping[str, Sequence[str]],
    version: str,
) -> Page:
    """``GET /{module}/search``: ``criteria``, else ``email``, else ``phone``, else ``word``."""
    notes = _check_names(query, SEARCH_PARAMS)
    predicate = _search_predicate(schema, query)
    names = fields_param(schema, query, required=False)
    order = _order(schema, query, any_field=True)
    per_page = _number(query, "per_page", MAX_PER_PAGE, MAX_PER_PAGE)
    page = _number(query, "page", 1, None)
    empty = _converted(schema, query)
    start = (page - 1) * per_page
    if start >= SEARCH_LIMIT:
        raise ApiError(
            400,
            "LIMIT_REACHED",
            "maximum response iteration limit reached",
            {"limit": str(SEARCH_LIMIT)},
        )
    found = () if empty else (r for r in records() if predicate(r))
    end = min(start + per_page, SEARCH_LIMIT)
    head = _first(found, order, end + 1)
    window, more = head[start:end], len(head) > end
    if not window:
        return Page(204, None, notes)
    info: dict[str, Any] = {"per_page": per_page, "count": len(window), "page": page}
    if version not in OLD_VERSIONS:
        info |= {"sort_by": order.sort_by, "sort_order": "desc" if order.descending else "asc"}
    info["more_records"] = more
    return Page(200, {"data": _project(window, names), "info": info}, notes)


Predicate = Callable[[Mapping[str, Any]], bool]


def _search_predicate(schema: ModuleSchema, query: Mapping[str, Sequence[str]]) -> Predicate:
    """The first of ``criteria``, ``email``, ``phone``, ``word`` given (Kaizen #30 order)."""
    text = _one(query, "criteria")
    if text:
        node = criteria_.parse_criteria(schema, text)
        return lambda record: criteria_.matches(node, record)
    email = _one(query, "email")
    if email:
        if len(email) > 255:
            raise param_error("email", "email: at most 255 characters")
        wanted = email.strip().lower()
        return _any_field(schema, ("email",), lambda value: wanted in value.lower())
    phone = _one(query, "phone")
    if phone:
        if len(phone) < 3 or len(phone) > 50 or not _PHONE.fullmatch(phone):
            raise param_error("phone", "phone: 3 to 50 digits, spaces, +, -, ( ) and .")
        digits = re.sub(r"\D", "", phone)
        return _any_field(
            schema, ("phone",), lambda value: bool(digits) and digits in re.sub(r"\D", "", value)
        )
    word = _one(query, "word")
    if word is not None and word.strip():
        if len(word.strip()) < 2 or len(word) > 100:
            raise param_error("word", "word: 2 to 100 characters")
        lowered = word.strip().lower()
        types = ("text", "textarea", "email", "phone", "website", "picklist", "multiselectpicklist")
        return _any_field(schema, types, lambda value: lowered in value.lower())
    raise ApiError(
        400,
        "EXPECTED_PARAM_MISSING",
        "One of the expected parameter is missing",
        {"param_names": ["criteria", "email", "phone", "word"]},
    )


def _any_field(
    schema: ModuleSchema, types: Sequence[str], test: Callable[[str], bool]
) -> Predicate:
    names = [f.api_name for f in schema.fields.values() if f.data_type in types]

    def predicate(record: Mapping[str, Any]) -> bool:
        for name in names:
            value = record.get(name)
            items = value if isinstance(value, list) else [value]
            if any(isinstance(item, str) and item and test(item) for item in items):
                return True
        return False

    return predicate
