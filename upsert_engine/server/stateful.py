"""The server's routes that hold state besides the org: bulk write files and jobs, and faults.

app.py calls these under its lock. Bulk writes need the uploaded files (``BulkStore``) and
the server's URL (for ``download_url``), faults the ``FaultPlan``; everything else is a pure
route in ``routes``. The bulk write job's engine calls are returned as ``effects`` so the
request log can replay the job without its uploaded file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..engine import Engine
from ..rules import API_VERSIONS
from . import bulk
from . import metadata as meta
from .api import ApiError, Wire
from .faults import TOO_MANY_REQUESTS, FaultError, FaultPlan, parse_fault, parse_limit
from .routes import Reply, Request, bad_method, error, not_found


def too_many_requests() -> dict[str, Any]:
    """Zoho's 429 body (a concurrency limit exceeded)."""
    return dict(TOO_MANY_REQUESTS)


def _from_api(problem: ApiError) -> Reply:
    return error(problem.status, problem.code, problem.message, problem.details)


# --- faults -------------------------------------------------------------------------------------
def faults_admin(plan: FaultPlan, method: str, name: str, raw: bytes) -> Reply:
    """``/__admin/faults`` (POST a fault, GET the plan, DELETE all) and ``/__admin/concurrency``."""
    if method == "GET":
        return Reply(200, plan.to_json())
    if method == "DELETE":
        plan.clear()
        return Reply(200, {"code": "SUCCESS", "message": "faults cleared", "status": "success"})
    if method != "POST":
        return bad_method()
    try:
        spec = json.loads(raw or b"null")
        if name == "faults":
            for item in spec if isinstance(spec, list) else [spec]:
                plan.add(parse_fault(item))
        else:
            plan.set_limit(parse_limit(spec))
    except (ValueError, FaultError) as problem:
        return error(400, "INVALID_DATA", str(problem)[:300], {"api_name": name})
    return Reply(200, {"code": "SUCCESS", **plan.to_json(), "status": "success"})


# --- bulk write ---------------------------------------------------------------------------------
def is_upload(segments: tuple[str, ...]) -> bool:
    """``/crm/{v}/upload``."""
    return len(segments) == 3 and segments[1] in API_VERSIONS and segments[2] == "upload"


def is_bulk_write(segments: tuple[str, ...]) -> bool:
    """``/crm/bulk/{v}/write[/{job_id}]``."""
    return segments[1:2] == ("bulk",) and segments[2:3] != () and segments[3:4] == ("write",)


def is_download(segments: tuple[str, ...]) -> bool:
    """``/v2/crm/{org}/bulk-write/{job}/{job}.zip`` (Zoho's download URL, on the fake)."""
    return len(segments) == 6 and segments[:2] == ("v2", "crm") and segments[3] == "bulk-write"


def upload(
    store: bulk.BulkStore,
    method: str,
    raw: bytes,
    headers: Mapping[str, str],
    received: str,
) -> Reply:
    """``POST /crm/{v}/upload``: keep the zipped CSV."""
    if method != "POST":
        return bad_method()
    try:
        return Reply(200, bulk.upload(store, raw, headers, meta.ORG_ZGID, received))
    except ApiError as problem:
        return _from_api(problem)


def bulk_write(
    engine: Engine, store: bulk.BulkStore, request: Request, base_url: str
) -> tuple[Reply, list[dict[str, Any]]]:
    """Create a job (POST) or read one (GET); the reply and the engine calls it made."""
    version, rest = request.segments[2], request.segments[4:]
    if version not in API_VERSIONS or len(rest) > 1:
        return not_found(), []
    try:
        if not rest:
            if request.method != "POST":
                return bad_method(), []
            body = request.body
            module = _module(body)
            users = {u.id: u for u in engine.users()}
            user = users.get(request.user or "", engine.options.user)
            modules = engine.modules()
            module_id = meta.module_id(modules, module) if module in modules else "0"
            reply, effects = bulk.create_job(
                store,
                engine,
                body,
                version,
                module_id=module_id,
                user={"id": user.id, "name": user.name},
                as_user=request.user,
            )
            return Reply(201, reply, "engine"), effects
        if request.method != "GET":
            return bad_method(), []
        return Reply(200, bulk.job_details(store, rest[0], base_url, meta.ORG_ZGID)), []
    except ApiError as problem:
        return _from_api(problem), []


def _module(body: Any) -> str:
    try:
        name = body["resource"][0]["module"]["api_name"]
    except (KeyError, IndexError, TypeError):
        return ""
    return name if isinstance(name, str) else ""


def download(store: bulk.BulkStore, method: str, segments: tuple[str, ...]) -> Wire:
    """``GET`` a job's result zip."""
    if method != "GET":
        reply = bad_method()
    elif segments[2] != meta.ORG_ZGID or segments[5] != f"{segments[4]}.zip":
        reply = not_found()
    else:
        try:
            name, data = bulk.download(store, segments[4])
        except ApiError as problem:
            reply = _from_api(problem)
        else:
            disposition = ("Content-Disposition", f'attachment; filename="{name}"')
            return Wire(200, data, "application/octet-stream", (disposition,))
    return Wire(reply.status, json.dumps(reply.body).encode())
