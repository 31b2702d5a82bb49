"""Zoho's Bulk Write API over the same engine: upload a zipped CSV, create a job, poll, download.

Paths and shapes [doc v8 bulk-write pages; github.com/zoho/crm-oas ``v8.0/bulk_write.json``]:

1. ``POST /crm/{v}/upload`` (Zoho: on ``content.zohoapis.com``; SDKs send it to their
   ``file_upload_url``), headers ``feature: bulk-write`` and ``X-CRM-ORG: <org id>``, a
   multipart/form-data body whose ``file`` part is a zip holding one CSV →
   ``{"status": "success", "code": "FILE_UPLOAD_SUCCESS", "message": "file uploaded.",
   "details": {"file_id", "created_time"}}``.
2. ``POST /crm/bulk/{v}/write`` ``{"operation": "upsert"|"insert"|"update", "ignore_empty",
   "resource": [{"type": "data", "module": {"api_name"}, "file_id", "find_by",
   "field_mappings": [{"api_name", "index", "default_value"}]}]}`` → 201 ``SUCCESS`` with
   ``details.id``. The job runs at once, through the engine, 100 rows per upsert/insert call in
   file order (R17 holds across the whole file); ``find_by`` is the upsert's only duplicate
   check field (R5, R7); an update finds records by ``id``.
3. ``GET /crm/bulk/{v}/write/{job_id}`` → the job: ``status`` ``COMPLETED``, the resource with
   ``file.added_count/updated_count/skipped_count/total_count``, ``result.download_url``.
4. ``GET`` that URL → a zip holding ``{Module}-{file name}.csv``: the first three mapped
   columns, then ``STATUS`` (``ADDED``, ``UPDATED``, ``SKIPPED``), ``RECORD_ID``, ``ERRORS``
   (``CODE-column`` joined by ``,`` for one code and ``:`` between codes, e.g.
   ``MANDATORY_NOT_FOUND-Company,Last_Name:DUPLICATE_DATA-Email``).

CSV cells become JSON as Zoho's bulk-write field types describe [doc Kaizen #13]: a
multi-select picklist is ``a;b``, a checkbox ``true``/``false``, a lookup or user the record's
or user's id; an empty cell is ``null`` (clears) unless ``ignore_empty`` or a mapping's
``default_value`` applies. A file holds at most 25,000 rows [doc Kaizen #13].

Not modelled (refused with ``NOT_SUPPORTED``): callbacks, ``find_by`` for update other than
``id``, lookups found by another field, subform and multi-resource jobs. Jobs never stay
``IN PROGRESS`` unless ``BulkStore.in_progress_polls`` asks polls to see that first.

Bounds (like the request log's): an upload is refused (``FILE_TOO_LARGE``) when its
zip's header says the CSV is larger than ``MAX_UNZIPPED``, before decompressing anything, and
decompression stops there whatever the header says. The store keeps at most ``max_files``
uploads and ``max_bytes`` bytes of CSV (as stored, decompressed); a new upload drops the oldest
ones first (``dropped_files``), and a job naming a dropped file gets ``INVALID_FILE_ID`` saying so.

Times: a job's ``created_time`` is on the engine's injected clock (``Engine.now``), as the
``Created_Time`` of the records it writes are. An upload's ``created_time`` is the time
the server received it (its clock, the request log's ``received``): an upload writes no
record, and the engine's clock moves only with writes, so it could not tell two uploads
apart.
"""

from __future__ import annotations

import csv
import io
import lzma
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any, Final

from ..engine import Engine
from ..errors import UnknownModuleError
from ..schema import ModuleSchema
from .api import ApiError, not_modelled
from .parsing import json_type, shown
from .values import field_type

MAX_ROWS: Final = 25_000
MAX_UNZIPPED: Final = 64 * 1024 * 1024
#: the uploads kept at once, and their CSV bytes (decompressed); the oldest are dropped first
DEFAULT_MAX_FILES: Final = 100
DEFAULT_MAX_BYTES: Final = 128 * 1024 * 1024
CHUNK: Final = 100
FIRST_FILE_ID: Final = 5725767000001000001
FIRST_JOB_ID: Final = 5725767000002000001
OPERATIONS: Final = ("insert", "update", "upsert")


@dataclass(slots=True)
class UploadedFile:
    """An uploaded CSV: its name in the zip and its bytes."""

    name: str
    data: bytes


@dataclass(slots=True)
class Job:
    """A finished bulk write job and its result."""

    job_id: str
    body: dict[str, Any]
    module: str
    module_id: str
    file_name: str
    counts: dict[str, int]
    result_csv: bytes
    created_time: str
    created_by: dict[str, Any]
    polls: int = 0


@dataclass(slots=True)
class BulkStore:
    """Uploaded files and jobs of one fake org (cleared with it on reset).

    ``files`` holds at most ``max_files`` uploads and ``max_bytes`` bytes of CSV, oldest first;
    ``dropped_files`` counts the uploads dropped to stay within them.
    """

    max_files: int = DEFAULT_MAX_FILES
    max_bytes: int = DEFAULT_MAX_BYTES
    files: dict[str, UploadedFile] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    in_progress_polls: int = 0
    uploaded: int = 0
    kept_bytes: int = 0
    dropped_files: int = 0

    def __post_init__(self) -> None:
        for name in ("max_files", "max_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not (isinstance(value, int) and value >= 1):
                raise ValueError(f"{name} is {value!r}; give a count >= 1")

    def keep(self, uploaded: UploadedFile) -> str:
        """Keep ``uploaded`` (dropping the oldest to make room); its file id."""
        size = len(uploaded.data)
        if size > self.max_bytes:
            raise _error(
                "FILE_TOO_LARGE",
                f"the file has {size} bytes unzipped; this server keeps at most "
                f"{self.max_bytes} bytes of uploads",
                limit=self.max_bytes,
            )
        while self.files and (
            len(self.files) >= self.max_files or self.kept_bytes + size > self.max_bytes
        ):
            oldest = next(iter(self.files))
            self.kept_bytes -= len(self.files.pop(oldest).data)
            self.dropped_files += 1
        file_id = str(FIRST_FILE_ID + self.uploaded)
        self.uploaded += 1
        self.files[file_id] = uploaded
        self.kept_bytes += size
        return file_id

    def file(self, file_id: Any) -> UploadedFile:
        """The upload ``file_id`` names; ``INVALID_FILE_ID`` (saying why) if none."""
        uploaded = self.files.get(str(file_id)) if file_id is not None else None
        if uploaded is not None:
            return uploaded
        message = "improper file id"
        text = str(file_id)
        if text.isdigit() and FIRST_FILE_ID <= int(text) < FIRST_FILE_ID + self.uploaded:
            message += (
                f" (the fake server dropped this upload to keep at most {self.max_files} "
                f"uploads and {self.max_bytes} bytes of them)"
            )
        raise _error("INVALID_FILE_ID", message, api_name="file_id")


def _error(code: str, message: str, status: int = 400, **details: Any) -> ApiError:
    return ApiError(status, code, message, details)


# --- 1. upload ----------------------------------------------------------------------------------
def upload(
    store: BulkStore, raw: bytes, headers: Mapping[str, str], org_id: str, now: str | None
) -> dict[str, Any]:
    """Keep the zip's CSV; the reply body. ``ApiError`` for a bad request or file."""
    feature = headers.get("feature", "")
    org = headers.get("x-crm-org", "")
    if feature != "bulk-write" or org != org_id:
        raise ApiError(
            400,
            "INVALID_REQUEST",
            "check if headers [feature, X-CRM-ORG] are present and valid",
            {"feature": feature[:40], "X-CRM-ORG": org[:40]},
        )
    content_type = headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise _error("INVALID_REQUEST", "send the file as multipart/form-data", param_name="file")
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n" + raw
    )
    part = (
        next(
            (
                p
                for p in message.iter_parts()
                if p.get_param("name", header="content-disposition") == "file"
            ),
            None,
        )
        if message.is_multipart()
        else None
    )
    if part is None:
        raise _error("MANDATORY_NOT_FOUND", "required field not found", api_name="file")
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    name, csv_bytes = _csv_from_zip(data)
    file_id = store.keep(UploadedFile(name, csv_bytes))
    return {
        "status": "success",
        "code": "FILE_UPLOAD_SUCCESS",
        "message": "file uploaded.",
        "details": {"file_id": file_id, "created_time": now},
    }


#: what reading an upload's zip can raise for a damaged, encrypted or unsupported archive:
#: a bad zip or CRC, corrupt deflate (zlib) or lzma data (bz2's is an OSError), an encrypted
#: member (RuntimeError: no password), an unknown compression method (NotImplementedError)
_UNREADABLE_ZIP: Final = (
    zipfile.BadZipFile,
    ValueError,
    OSError,
    EOFError,
    zlib.error,
    lzma.LZMAError,
    RuntimeError,
    NotImplementedError,
)


def _csv_from_zip(data: bytes) -> tuple[str, bytes]:
    """The one CSV of an uploaded zip: its name and bytes. A zip that cannot be read (see
    ``_UNREADABLE_ZIP``) is 400 ``INVALID_FILE_FORMAT``, Zoho's code for a file that is not a
    usable zip; more members or no CSV, ``FILE_NOT_SUPPORTED``; too large, ``FILE_TOO_LARGE``."""
    bad = _error("INVALID_FILE_FORMAT", "invalid file format. only zip format is supported")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [i for i in archive.infolist() if not i.is_dir()]
    except _UNREADABLE_ZIP:
        raise bad from None
    csvs = [m for m in members if m.filename.lower().endswith(".csv")]
    if len(members) != 1 or len(csvs) != 1:
        raise _error("FILE_NOT_SUPPORTED", "File not supported for bulk write")
    if csvs[0].file_size > MAX_UNZIPPED:
        raise _error("FILE_TOO_LARGE", "File size too large to process", limit=MAX_UNZIPPED)
    try:
        with archive.open(csvs[0]) as handle:
            content = handle.read(MAX_UNZIPPED + 1)
    except _UNREADABLE_ZIP:
        raise bad from None
    if len(content) > MAX_UNZIPPED:
        raise _error("FILE_TOO_LARGE", "File size too large to process", limit=MAX_UNZIPPED)
    return csvs[0].filename.rsplit("/", 1)[-1], content


# --- 2. create and run a job ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Mapping_:
    """One ``field_mappings`` entry: field, column index, default value."""

    api_name: str
    data_type: str
    index: int
    default: Any


def _mappings(schema: ModuleSchema, resource: Mapping[str, Any]) -> list[Mapping_]:
    raw = resource.get("field_mappings")
    if not isinstance(raw, list) or not raw:
        raise _error("MANDATORY_NOT_FOUND", "required field not found", api_name="field_mappings")
    out: list[Mapping_] = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("api_name"), str):
            raise _error("INVALID_DATA", "invalid data", api_name="field_mappings")
        name = item["api_name"]
        data_type = field_type(schema, name)
        if data_type is None or name in (
            "Created_Time",
            "Modified_Time",
            "Created_By",
            "Modified_By",
        ):
            raise _error(
                "INVALID_FIELD_NAME", f"invalid mapping. invalid api_name {name}.", api_name=name
            )
        index = item.get("index")
        default = item.get("default_value")
        if index is None and default is None:
            raise _error(
                "MANDATORY_NOT_FOUND",
                f"required key index for field {name} is not found in request body.",
                api_name=name,
            )
        if index is not None and (
            isinstance(index, bool) or not isinstance(index, int) or index < 0
        ):
            raise _error("INVALID_DATA", "invalid data", api_name=name, param_name="index")
        if (
            "find_by" in item
            and data_type in ("lookup", "ownerlookup", "userlookup")
            and item["find_by"] != "id"
        ):
            raise not_modelled(
                "bulk write lookups found by a field other than id", {"api_name": name}
            )
        if isinstance(default, dict):
            default = default.get("value")
        out.append(Mapping_(name, data_type, -1 if index is None else index, default))
    return out


def _cell(data_type: str, text: str) -> Any:
    """A CSV cell as the JSON value the engine takes (Kaizen #13's bulk-write formats)."""
    if data_type == "multiselectpicklist":
        return [part for part in text.split(";") if part != ""]
    if data_type == "boolean" and text.strip().lower() in ("true", "false"):
        return text.strip().lower() == "true"
    if data_type in ("lookup", "ownerlookup", "userlookup"):
        return {"id": text.strip()}
    return text


def _records(
    rows: list[list[str]], mappings: list[Mapping_], ignore_empty: bool
) -> list[dict[str, Any]]:
    records = []
    for row in rows:
        record: dict[str, Any] = {}
        for m in mappings:
            text = row[m.index] if 0 <= m.index < len(row) else ""
            if text != "":
                record[m.api_name] = _cell(m.data_type, text)
            elif m.default is not None:
                record[m.api_name] = m.default
            elif not ignore_empty:
                record[m.api_name] = None
        records.append(record)
    return records


def _typed(container: Mapping[str, Any], key: str, kind: type, name: str) -> Any:
    """``container[key]`` if it is of JSON type ``name`` (None: absent or null), else 400
    ``INVALID_DATA`` naming the key: Zoho documents ``character_encoding`` as a String and
    ``ignore_empty`` as a Boolean [doc v8 bulk-write create-job], so ``"false"`` is no false."""
    value = container.get(key)
    if value is None or (isinstance(value, kind) and (kind is bool or not isinstance(value, bool))):
        return value
    raise _error(
        "INVALID_DATA",
        f"{key} is {json_type(value)} ({shown(value, 40)}), not a {name}",
        api_name=key,
        expected_data_type=name,
    )


def create_job(
    store: BulkStore,
    engine: Engine,
    body: Any,
    version: str,
    *,
    module_id: str,
    user: Mapping[str, Any],
    as_user: str | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run the job as the user ``as_user`` (None: the org's default user, R32); (the 201 reply
    body, the engine calls made, for the request log). The job's ``created_time`` is the
    engine's clock when the job starts (``Engine.now``): the time its first record is
    stamped with, so a replay of the request log gives the same times."""
    if not isinstance(body, dict) or "operation" not in body:
        raise _error(
            "MANDATORY_NOT_FOUND",
            "required key operation is not found in request body.",
            api_name="operation",
        )
    operation = body["operation"]
    if operation not in OPERATIONS:
        raise _error(
            "INVALID_DATA", "invalid data", api_name="operation", supported_values=list(OPERATIONS)
        )
    if body.get("callback") is not None:
        raise not_modelled("bulk write callbacks", {"api_name": "callback"})
    resources = body.get("resource")
    if not isinstance(resources, list) or not resources:
        raise _error("MANDATORY_NOT_FOUND", "required field not found", api_name="resource")
    if len(resources) > 1:
        raise not_modelled("bulk write jobs with several resources", {"api_name": "resource"})
    resource = resources[0]
    if not isinstance(resource, dict):
        raise _error("INVALID_DATA", "invalid data", api_name="resource")
    named = resource.get("module")
    module = named.get("api_name") if isinstance(named, dict) else None
    try:
        schema = engine.schema(module) if isinstance(module, str) else None
    except UnknownModuleError:
        schema = None
    if schema is None:
        raise _error(
            "MODULE_NOT_AVAILABLE",
            f"Requested module '{module}' is not available.",
            api_name="module",
        )
    uploaded = store.file(resource.get("file_id"))
    mappings = _mappings(schema, resource)
    encoding = _typed(body, "character_encoding", str, "string")
    ignore_empty = _typed(resource, "ignore_empty", bool, "boolean")
    if ignore_empty is None:
        ignore_empty = _typed(body, "ignore_empty", bool, "boolean")
    find_by = resource.get("find_by")
    mapped = {m.api_name for m in mappings}
    if operation in ("upsert", "update"):
        if not isinstance(find_by, str) or not find_by:
            raise _error("MANDATORY_NOT_FOUND", "required field not found", api_name="find_by")
        if find_by not in mapped:
            raise _error("INVALID_DATA", "the find_by field is not mapped", api_name="find_by")
        if operation == "update" and find_by != "id":
            raise not_modelled(
                "bulk update found by a field other than id", {"api_name": "find_by"}
            )
        if operation == "upsert" and find_by == "id":
            raise not_modelled("bulk upsert found by id", {"api_name": "find_by"})
    if operation == "insert":
        missing = [f for f in schema.mandatory_fields if f not in mapped]
        if missing:
            raise _error(
                "MANDATORY_FIELDS_NOT_MAPPED",
                "All mandatory fields are not mapped for the layout",
                api_names=missing,
            )
    try:
        text = uploaded.data.decode(encoding or "utf-8-sig")
    except (LookupError, ValueError):  # no such text codec; bytes it cannot decode
        raise _error(
            "INVALID_DATA",
            "the file is not in the given character_encoding",
            api_name="character_encoding",
        ) from None
    rows = _rows(text)
    header, data = (rows[0], rows[1:]) if rows else ([], [])
    if len(data) > MAX_ROWS:
        raise _error("LIMIT_EXCEEDED", f"more than {MAX_ROWS} records in the file", limit=MAX_ROWS)
    if any(m.index >= len(header) for m in mappings if m.index >= 0):
        bad = next(m for m in mappings if m.index >= len(header))
        raise _error(
            "COLUMN_INDEX_NOT_FOUND",
            f"column index {bad.index} is not in the file",
            api_name=bad.api_name,
        )
    records = _records(data, mappings, bool(ignore_empty))
    created_time = engine.now()  # the engine's clock, as the job's records are stamped
    calls: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for start in range(0, len(records), CHUNK):
        chunk: dict[str, Any] = {"data": records[start : start + CHUNK]}
        if operation == "upsert":
            chunk["duplicate_check_fields"] = [find_by]
            response = engine.upsert(schema.api_name, chunk, api_version=version, as_user=as_user)
        elif operation == "insert":
            response = engine.insert(schema.api_name, chunk, api_version=version, as_user=as_user)
        else:
            response = engine.update(schema.api_name, chunk, api_version=version, as_user=as_user)
        answer = response.body
        if "data" not in answer:  # a request-level error: nothing of this chunk was written
            if start == 0:
                raise ApiError(
                    response.status, answer["code"], answer["message"], answer.get("details")
                )
            results.extend(
                {"code": answer["code"], "details": answer.get("details", {})}
                for _ in chunk["data"]
            )
            continue
        calls.append(
            {"module": schema.api_name, "operation": operation, "body": chunk, "version": version}
        )
        results.extend(answer["data"])
    job_id = str(FIRST_JOB_ID + len(store.jobs))
    counts, result_csv = _result(header, data, mappings, results, operation)
    created_by = {"id": user.get("id"), "name": user.get("name")}
    store.jobs[job_id] = Job(
        job_id,
        body,
        schema.api_name,
        module_id,
        uploaded.name,
        counts,
        result_csv,
        created_time,
        created_by,
    )
    reply = {
        "status": "success",
        "code": "SUCCESS",
        "message": "success",
        "details": {"id": job_id, "created_by": created_by},
    }
    return reply, calls


def _rows(text: str) -> list[list[str]]:
    """The file's rows; a malformed one (an unclosed quote, text after a closing quote) fails
    the whole job before anything is written: 400 ``FILE_NOT_SUPPORTED``, Zoho's code for a file
    the job cannot process [github.com/zoho/crm-oas v8.0/bulk_write/bulk_write.yaml,
    createBulkWriteJob 400 FileNotSupportedErrorResponse]."""
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        return list(reader)
    except csv.Error as problem:
        raise _error(
            "FILE_NOT_SUPPORTED",
            f"the file is not valid CSV: {problem} (line {reader.line_num})",
            line=reader.line_num,
        ) from None


def _errors(entry: Mapping[str, Any], columns: Mapping[str, str]) -> str:
    details = entry.get("details") or {}
    found = details.get("errors") if entry.get("code") == "MULTIPLE_OR_MULTI_ERRORS" else [entry]
    by_code: dict[str, list[str]] = {}
    for error in found if isinstance(found, list) else []:
        name = (error.get("details") or {}).get("api_name") or ""
        by_code.setdefault(str(error.get("code")), []).append(columns.get(name, name))
    return ":".join(f"{code}-{','.join(c for c in cols if c)}" for code, cols in by_code.items())


def _result(
    header: list[str],
    rows: list[list[str]],
    mappings: list[Mapping_],
    results: list[dict[str, Any]],
    operation: str,
) -> tuple[dict[str, int], bytes]:
    shown = sorted({m.index for m in mappings if m.index >= 0})[:3]
    columns = {m.api_name: header[m.index] for m in mappings if 0 <= m.index < len(header)}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([header[i] for i in shown] + ["STATUS", "RECORD_ID", "ERRORS"])
    counts = {"added_count": 0, "updated_count": 0, "skipped_count": 0, "total_count": len(rows)}
    for row, entry in zip(rows, results, strict=True):
        cells = [row[i] if i < len(row) else "" for i in shown]
        if entry.get("code") == "SUCCESS":
            added = entry.get("action", "insert" if operation == "insert" else "update") == "insert"
            status = "ADDED" if added else "UPDATED"
            counts["added_count" if added else "updated_count"] += 1
            writer.writerow([*cells, status, (entry.get("details") or {}).get("id", ""), ""])
        else:
            counts["skipped_count"] += 1
            writer.writerow([*cells, "SKIPPED", "", _errors(entry, columns)])
    return counts, out.getvalue().encode("utf-8")


# --- 3. poll, 4. download ----------------------------------------------------------------------
def _job(store: BulkStore, job_id: str) -> Job:
    job = store.jobs.get(job_id)
    if job is None:
        raise _error(
            "RESOURCE_NOT_FOUND", "The requested resource doesn't exist.", job_id=job_id[:40]
        )
    return job


def download_path(org_id: str, job_id: str) -> str:
    """The result's path on the fake (Zoho: ``/v2/crm/{org}/bulk-write/{job}/{job}.zip``)."""
    return f"/v2/crm/{org_id}/bulk-write/{job_id}/{job_id}.zip"


def job_details(store: BulkStore, job_id: str, base_url: str, org_id: str) -> dict[str, Any]:
    """``GET /crm/bulk/{v}/write/{job_id}``."""
    job = _job(store, job_id)
    job.polls += 1
    done = job.polls > store.in_progress_polls
    status = "COMPLETED" if done else "IN PROGRESS"
    resource = dict(job.body["resource"][0])
    resource.pop("file_id", None)
    resource |= {
        "status": status,
        "type": "data",
        "module": {"api_name": job.module, "id": job.module_id},
    }
    if done:
        resource["file"] = {"status": "COMPLETED", "name": job.file_name, **job.counts}
    out: dict[str, Any] = {
        "status": status,
        "character_encoding": job.body.get("character_encoding") or "UTF-8",
        "resource": [resource],
        "id": job.job_id,
        "created_by": job.created_by,
        "operation": job.body["operation"],
        "created_time": job.created_time,
    }
    if done:
        out["result"] = {"download_url": base_url + download_path(org_id, job.job_id)}
    return out


def download(store: BulkStore, job_id: str) -> tuple[str, bytes]:
    """The result zip of a finished job: (file name, bytes)."""
    job = _job(store, job_id)
    if job.polls <= store.in_progress_polls:
        raise _error(
            "RESOURCE_NOT_FOUND", "The requested resource doesn't exist.", job_id=job_id[:40]
        )
    buffer = io.BytesIO()
    stem = job.file_name.rsplit(".", 1)[0]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{job.module}-{stem}.csv", job.result_csv)
    return f"{job.job_id}.zip", buffer.getvalue()
