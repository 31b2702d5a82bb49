"""Builders for conformance cases: the expected bodies of UPSERT-SEMANTICS.md, written out.

Used by ``make_cases.py`` (which writes ``upsert_engine/conformance/cases/*.json``). Every
expected body here is spelt from the spec's text (R18's success shape, R14's DUPLICATE_DATA,
R27's messages, ...), never computed by the engine: the engine is what the cases check.
"""

from __future__ import annotations

from typing import Any

V6_ON = ("v6", "v7", "v8")

SECOND_USER = {
    "ref": "u2",
    "name": "Second User",
    "id": "5725767000000411002",
    "email": "second.user@example.com",
    "zuid": "60012346",
}

ANY_TEXT = {"$any": "string"}


def T(name: str | None = None) -> dict[str, Any]:
    """A server-assigned time (bound to ``name`` when given)."""
    return {"$time": name}


def ID(ref: str) -> dict[str, Any]:
    """A server-assigned record id bound to ``ref``."""
    return {"$id": ref}


def U(ref: str, attribute: str) -> dict[str, Any]:
    """An attribute of a case user (``me``: the target's acting user)."""
    return {"$user": f"{ref}.{attribute}"}


def by(ref: str = "me") -> dict[str, Any]:
    """R18: Created_By / Modified_By, ``{"name", "id"}`` of a user."""
    return {"name": U(ref, "name"), "id": U(ref, "id")}


def owner(ref: str = "me") -> dict[str, Any]:
    """R32: a record's Owner as read back: ``{"name", "id", "email"}``."""
    return {"name": U(ref, "name"), "id": U(ref, "id"), "email": U(ref, "email")}


def inserted(
    ref: str,
    *,
    user: str = "me",
    version: str = "v8",
    upsert: bool = True,
    approval: str = "approved",
    created: str | None = None,
) -> dict[str, Any]:
    """R18: a success entry of an added record (R31: ``$approval_state`` from v6)."""
    details: dict[str, Any] = {
        "Modified_Time": T(created),
        "Modified_By": by(user),
        "Created_Time": T(created),
        "id": ID(ref),
        "Created_By": by(user),
    }
    if version in V6_ON:
        details["$approval_state"] = approval
    entry: dict[str, Any] = {
        "code": "SUCCESS",
        "details": details,
        "message": "record added",
        "status": "success",
    }
    if upsert:
        entry["duplicate_field"] = None
        entry["action"] = "insert"
    return entry


def updated(
    ref: str,
    field: str,
    *,
    user: str = "me",
    creator: str = "me",
    created: str | None = None,
) -> dict[str, Any]:
    """R18: a success entry of an updated record; ``field`` decided (R10)."""
    return {
        "code": "SUCCESS",
        "duplicate_field": field,
        "action": "update",
        "details": {
            "Modified_Time": T(),
            "Modified_By": by(user),
            "Created_Time": T(created),
            "id": ID(ref),
            "Created_By": by(creator),
        },
        "message": "record updated",
        "status": "success",
    }


def error(code: str, details: dict[str, Any], message: Any) -> dict[str, Any]:
    """Zoho's error shape (record-level or top-level)."""
    return {"code": code, "details": details, "message": message, "status": "error"}


def path(i: int, field: str, version: str = "v8") -> dict[str, Any]:
    """``details`` naming a field: ``api_name`` and (not on v2, v2.1: R23) ``json_path``."""
    details: dict[str, Any] = {"api_name": field}
    if version not in ("v2", "v2.1"):
        details["json_path"] = f"$.data[{i}].{field}"
    return details


def invalid(i: int, field: str, version: str = "v8", **extra: Any) -> dict[str, Any]:
    """R15, R27: INVALID_DATA on ``field`` of record ``i``."""
    return error("INVALID_DATA", {**path(i, field, version), **extra}, "invalid data")


def mandatory(i: int, field: str, version: str = "v8") -> dict[str, Any]:
    """R13, R27: MANDATORY_NOT_FOUND."""
    return error("MANDATORY_NOT_FOUND", path(i, field, version), "required field not found")


def duplicate(
    i: int,
    field: str,
    holder: str,
    *,
    module: str = "Leads",
    more: bool = False,
    owner_ref: str | None = "me",
    version: str = "v8",
) -> dict[str, Any]:
    """R14, R32: DUPLICATE_DATA naming the oldest record ``holder`` holding the value."""
    record: dict[str, Any] = {}
    if owner_ref is not None:
        record["Owner"] = {
            "name": U(owner_ref, "name"),
            "id": U(owner_ref, "id"),
            "zuid": U(owner_ref, "zuid"),
        }
    record["module"] = {"api_name": module, "id": {"$module_id": module}}
    record["id"] = ID(holder)
    details = {**path(i, field, version), "duplicate_record": record, "more_records": more}
    return error("DUPLICATE_DATA", details, "duplicate data")


def multi(*errors: dict[str, Any]) -> dict[str, Any]:
    """R14, R27: MULTIPLE_OR_MULTI_ERRORS holding one error each."""
    return error(
        "MULTIPLE_OR_MULTI_ERRORS", {"errors": list(errors)}, "Multiple errors in the request"
    )


def top(code: str, details: dict[str, Any], message: Any = ANY_TEXT) -> dict[str, Any]:
    """A top-level (whole request) error body."""
    return error(code, details, message)


def check_fields_error(index: int) -> dict[str, Any]:
    """R7: the whole request refused for ``duplicate_check_fields[index]``."""
    return top(
        "INVALID_DATA",
        {"api_name": "duplicate_check_fields", "json_path": f"$.duplicate_check_fields[{index}]"},
        "invalid data",
    )


# --- requests and steps --------------------------------------------------------------------
def upsert_path(module: str = "Leads", version: str = "v8") -> str:
    return f"/crm/{version}/{module}/upsert"


def request(
    body: Any,
    *,
    module: str = "Leads",
    version: str = "v8",
    method: str = "POST",
    url: str | None = None,
    headers: dict[str, Any] | None = None,
    user: str | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "method": method,
        "path": url or upsert_path(module, version),
    }
    if body is not None:
        out["body"] = body
    if headers:
        out["headers"] = headers
    if user is not None:
        out["user"] = user
    return out


def step(req: dict[str, Any], status: int, body: Any, *, subset: bool = False) -> dict[str, Any]:
    expect: dict[str, Any] = {"status": status, "body": body}
    if subset:
        expect["compare"] = "subset"
    return {"request": req, "expect": expect}


def upsert(
    records: list[dict[str, Any]],
    status: int,
    entries: Any,
    *,
    module: str = "Leads",
    version: str = "v8",
    check: list[Any] | None = None,
    headers: dict[str, Any] | None = None,
    user: str | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An upsert step; ``entries`` is the expected ``data`` list, or a whole body (a dict)."""
    body: dict[str, Any] = {"data": records}
    if check is not None:
        body["duplicate_check_fields"] = check
    body.update(extra or {})
    expected = entries if isinstance(entries, dict) else {"data": entries}
    req = request(body, module=module, version=version, headers=headers, user=user)
    return step(req, status, expected)


def insert(
    records: list[dict[str, Any]],
    status: int,
    entries: Any,
    *,
    module: str = "Leads",
    version: str = "v8",
) -> dict[str, Any]:
    """An Insert Records step (``POST /{module}``, R30)."""
    expected = entries if isinstance(entries, dict) else {"data": entries}
    req = request({"data": records}, url=f"/crm/{version}/{module}", module=module)
    return step(req, status, expected)


def read(ref: str, fields: dict[str, Any], *, module: str = "Leads") -> dict[str, Any]:
    """Read a record back (``GET /{module}/{id}``): the given fields, others allowed."""
    req = request(None, method="GET", url=f"/crm/v8/{module}/{{{ref}}}")
    return step(req, 200, {"data": [{"id": ID(ref), **fields}]}, subset=True)


def configure(modules: list[dict[str, Any]], accepted: bool) -> dict[str, Any]:
    return {"configure": modules, "expect": {"accepted": accepted}}


def field(name: str, data_type: str, *, unique: bool = False, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"api_name": name, "data_type": data_type}
    if unique:
        out["unique"] = True
    out.update(extra)
    return out


def module(name: str, *fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"module": name, "fields": list(fields), **extra}


def record(ref: str, module_name: str = "Leads", **fields: Any) -> dict[str, Any]:
    return {"module": module_name, "ref": ref, "fields": fields}


def case(
    case_id: str,
    title: str,
    evidence: dict[str, str],
    steps: list[dict[str, Any]],
    *,
    modules: list[dict[str, Any]] | None = None,
    users: list[dict[str, Any]] | None = None,
    records: list[dict[str, Any]] | None = None,
    live: str | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": case_id,
        "title": title,
        "rules": list(evidence),
        "evidence": evidence,
    }
    org: dict[str, Any] = {}
    if modules:
        org["modules"] = modules
    if users:
        org["users"] = users
    if org:
        out["org"] = org
    if records:
        out["records"] = records
    out["steps"] = steps
    if live is not None:
        out["live"] = {"testable": False, "why": live}
    return out


#: R6's org: S = [Email], U = [unique1, unique2]
UNIQUE12 = [
    module("Leads", field("unique1", "text", unique=True), field("unique2", "text", unique=True))
]
