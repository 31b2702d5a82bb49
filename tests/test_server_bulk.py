"""Issue 11 item 7: the Bulk Write API (upload a zipped CSV, create an upsert job with find_by,
poll it, download the result zip) through the same engine."""

from __future__ import annotations

import csv
import io
import urllib.error
import urllib.request
import zipfile
from typing import Any

import pytest

from upsert_engine import Engine, User
from upsert_engine.server import ZohoServer, replay
from upsert_engine.server.metadata import ORG_ZGID

from .server_support import call

ROWS = [
    ["Last_Name", "Email", "Company", "No_of_Employees", "Email_Opt_Out"],
    ["Frey", "frey@x.org", "Acme", "5", "true"],
    ["Moss", "moss@x.org", "Beta", "", "false"],
    ["", "nameless@x.org", "Gamma", "7", "false"],  # no Last_Name: MANDATORY_NOT_FOUND
    ["Frey again", "FREY@x.org", "Acme Ltd", "6", "false"],  # updates row 1 (find_by Email)
    ["Bad", "bad@x.org", "Delta", "many", "false"],  # INVALID_DATA on No_of_Employees
]
MAPPINGS = [
    {"api_name": "Last_Name", "index": 0},
    {"api_name": "Email", "index": 1},
    {"api_name": "Company", "index": 2},
    {"api_name": "No_of_Employees", "index": 3},
    {"api_name": "Email_Opt_Out", "index": 4},
]


def zipped(rows: list[list[str]], name: str = "leads.csv") -> bytes:
    """A zip holding one CSV."""
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text.getvalue())
    return buffer.getvalue()


def upload(server: ZohoServer, data: bytes, headers: dict[str, str] | None = None) -> Any:
    """POST /crm/v8/upload as multipart/form-data, the way Zoho's SDKs send it."""
    boundary = "----upsert-engine-test"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="l.zip"\r\n'
            "Content-Type: application/zip\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    sent = {
        "feature": "bulk-write",
        "X-CRM-ORG": ORG_ZGID,
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        **(headers or {}),
    }
    return call(server, "POST", "/crm/v8/upload", raw=body, headers=sent)


def job(file_id: str, **resource: Any) -> dict[str, Any]:
    """An upsert job on Leads, find_by Email, with the test's mappings."""
    return {
        "operation": "upsert",
        "resource": [
            {
                "type": "data",
                "module": {"api_name": "Leads"},
                "file_id": file_id,
                "find_by": "Email",
                "field_mappings": MAPPINGS,
                **resource,
            }
        ],
    }


def fetch(server: ZohoServer, url: str) -> tuple[int, dict[str, str], bytes]:
    """GET a download URL with the token."""
    request = urllib.request.Request(url, headers=server.headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as problem:
        return problem.code, dict(problem.headers), problem.read()


def test_upload_create_poll_download(zoho_server: ZohoServer) -> None:
    """The whole flow: rows go through the engine in order; the result CSV says what happened."""
    status, _, uploaded = upload(zoho_server, zipped(ROWS))
    assert (status, uploaded["code"], uploaded["message"]) == (
        200,
        "FILE_UPLOAD_SUCCESS",
        "file uploaded.",
    )
    file_id = uploaded["details"]["file_id"]
    status, _, created = call(zoho_server, "POST", "/crm/bulk/v8/write", job(file_id))
    assert (status, created["code"], created["status"]) == (201, "SUCCESS", "success")
    job_id = created["details"]["id"]
    status, _, details = call(zoho_server, "GET", f"/crm/bulk/v8/write/{job_id}")
    assert status == 200 and details["status"] == "COMPLETED"
    assert details["operation"] == "upsert" and details["id"] == job_id
    assert details["resource"][0]["file"] == {
        "status": "COMPLETED",
        "name": "leads.csv",
        "added_count": 2,
        "updated_count": 1,
        "skipped_count": 2,
        "total_count": 5,
    }
    url = details["result"]["download_url"]
    assert url == f"{zoho_server.url}/v2/crm/{ORG_ZGID}/bulk-write/{job_id}/{job_id}.zip"
    status, headers, data = fetch(zoho_server, url)
    assert status == 200 and headers["Content-Type"] == "application/octet-stream"
    assert f'filename="{job_id}.zip"' in headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist() == ["Leads-leads.csv"]
    result = list(csv.reader(io.StringIO(archive.read("Leads-leads.csv").decode())))
    frey = next(r for r in zoho_server.engine.records("Leads") if r["Last_Name"] == "Frey again")
    moss = next(r for r in zoho_server.engine.records("Leads") if r["Last_Name"] == "Moss")
    assert result == [
        ["Last_Name", "Email", "Company", "STATUS", "RECORD_ID", "ERRORS"],
        ["Frey", "frey@x.org", "Acme", "ADDED", frey["id"], ""],
        ["Moss", "moss@x.org", "Beta", "ADDED", moss["id"], ""],
        ["", "nameless@x.org", "Gamma", "SKIPPED", "", "MANDATORY_NOT_FOUND-Last_Name"],
        ["Frey again", "FREY@x.org", "Acme Ltd", "UPDATED", frey["id"], ""],
        ["Bad", "bad@x.org", "Delta", "SKIPPED", "", "INVALID_DATA-No_of_Employees"],
    ]
    assert frey["Email_Opt_Out"] is False  # "false" in the CSV is the checkbox's false
    assert "No_of_Employees" in moss and moss["No_of_Employees"] is None  # empty cell: null


def test_the_job_is_what_100_record_upserts_would_do(zoho_server: ZohoServer) -> None:
    """250 rows: the org equals one built by upserting the same rows 100 at a time, and the
    request log replays the job into a fresh org (its engine calls are logged as effects)."""
    rows = [ROWS[0]] + [[f"N{n}", f"n{n % 120}@x.org", "C", str(n), "false"] for n in range(250)]
    file_id = upload(zoho_server, zipped(rows))[2]["details"]["file_id"]
    assert call(zoho_server, "POST", "/crm/bulk/v8/write", job(file_id))[0] == 201
    shadow = Engine()
    records = [
        {"Last_Name": r[0], "Email": r[1], "Company": r[2], "No_of_Employees": r[3]}
        | {"Email_Opt_Out": False}
        for r in rows[1:]
    ]
    for start in range(0, 250, 100):
        body = {"data": records[start : start + 100], "duplicate_check_fields": ["Email"]}
        shadow.upsert("Leads", body)
    assert list(zoho_server.engine.records("Leads")) == list(shadow.records("Leads"))
    fresh = Engine()
    replay(zoho_server.requests, fresh)
    assert list(fresh.records("Leads")) == list(shadow.records("Leads"))


def test_in_progress_polls_and_ignore_empty(zoho_server: ZohoServer) -> None:
    """Polls may see IN PROGRESS first (no result yet); ignore_empty keeps stored values."""
    zoho_server.bulk.in_progress_polls = 1
    zoho_server.engine.load(
        "Leads", [{"Last_Name": "Moss", "Email": "moss@x.org", "Company": "Old"}]
    )
    rows = [ROWS[0], ["Moss", "moss@x.org", "", "", "false"]]
    file_id = upload(zoho_server, zipped(rows))[2]["details"]["file_id"]
    created = call(zoho_server, "POST", "/crm/bulk/v8/write", job(file_id, ignore_empty=True))[2]
    path = f"/crm/bulk/v8/write/{created['details']['id']}"
    first = call(zoho_server, "GET", path)[2]
    assert first["status"] == "IN PROGRESS" and "result" not in first
    second = call(zoho_server, "GET", path)[2]
    assert second["status"] == "COMPLETED" and second["resource"][0]["file"]["updated_count"] == 1
    assert next(zoho_server.engine.records("Leads"))["Company"] == "Old"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"operation": None}, "MANDATORY_NOT_FOUND"),
        ({"operation": "merge"}, "INVALID_DATA"),
        ({"module": {"api_name": "Nope"}}, "MODULE_NOT_AVAILABLE"),
        ({"file_id": "1"}, "INVALID_FILE_ID"),
        ({"find_by": None}, "MANDATORY_NOT_FOUND"),
        ({"find_by": "Phone"}, "INVALID_DATA"),  # not mapped
        ({"field_mappings": [{"api_name": "Nope", "index": 0}]}, "INVALID_FIELD_NAME"),
        ({"field_mappings": [{"api_name": "Email"}]}, "MANDATORY_NOT_FOUND"),  # no index
        ({"field_mappings": [{"api_name": "Email", "index": 9}]}, "COLUMN_INDEX_NOT_FOUND"),
        ({"callback": {"url": "http://x", "method": "post"}}, "NOT_SUPPORTED"),
        ({"find_by": "id", "field_mappings": [{"api_name": "id", "index": 1}]}, "NOT_SUPPORTED"),
    ],
)
def test_bad_jobs_change_nothing(
    zoho_server: ZohoServer, change: dict[str, Any], code: str
) -> None:
    """Each malformed job is refused with Zoho's code; no record is written."""
    file_id = upload(zoho_server, zipped(ROWS))[2]["details"]["file_id"]
    body = job(file_id)
    resource = body["resource"][0]
    for key, value in change.items():
        target = body if key in ("operation", "callback") else resource
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    status, _, answer = call(zoho_server, "POST", "/crm/bulk/v8/write", body)
    assert (status, answer["code"]) == (400, code)
    assert zoho_server.engine.count("Leads") == 0


def test_bad_uploads_and_unknown_jobs(zoho_server: ZohoServer) -> None:
    """Not a zip, two files, missing headers; unknown job id and download."""
    assert upload(zoho_server, b"not a zip")[2]["code"] == "INVALID_FILE_FORMAT"
    two = io.BytesIO()
    with zipfile.ZipFile(two, "w") as archive:
        archive.writestr("a.csv", "x")
        archive.writestr("b.csv", "y")
    assert upload(zoho_server, two.getvalue())[2]["code"] == "FILE_NOT_SUPPORTED"
    status, _, answer = upload(zoho_server, zipped(ROWS), {"X-CRM-ORG": "1"})
    assert status == 400 and "X-CRM-ORG" in answer["message"]
    status, _, answer = call(zoho_server, "GET", "/crm/bulk/v8/write/123")
    assert (status, answer["code"]) == (400, "RESOURCE_NOT_FOUND")
    status, _, _ = fetch(zoho_server, f"{zoho_server.url}/v2/crm/{ORG_ZGID}/bulk-write/9/9.zip")
    assert status == 400  # no such job
    url = f"{zoho_server.url}/v2/crm/{ORG_ZGID}/bulk-write/9/9.zip"
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(url, timeout=10)
    assert caught.value.code == 401


def test_a_job_acts_as_the_tokens_user(zoho_server: ZohoServer) -> None:
    """Item 10 with item 7: a job created with another user's token writes as that user
    (R32: Created_By, Owner), and the log replays it as that user."""
    alice = User("Alice Archer", "5725767000000411002", "alice@example.com", "60012346")
    zoho_server.add_user(alice, "alice-token")
    token = {"Authorization": "Zoho-oauthtoken alice-token"}
    file_id = upload(zoho_server, zipped(ROWS[:3]), token)[2]["details"]["file_id"]
    status, _, created = call(
        zoho_server, "POST", "/crm/bulk/v8/write", job(file_id), headers=token
    )
    assert status == 201 and created["details"]["created_by"]["id"] == alice.id
    records = list(zoho_server.engine.records("Leads"))
    assert [r["Created_By"]["id"] for r in records] == [alice.id, alice.id]
    assert zoho_server.requests[-1]["user"] == alice.id
    fresh = Engine()
    fresh.add_user(alice)
    replay(zoho_server.requests, fresh)
    assert list(fresh.records("Leads")) == records


@pytest.mark.parametrize(
    ("where", "key", "value"),
    [
        ("body", "character_encoding", 5),
        ("body", "character_encoding", True),
        ("body", "character_encoding", ["x"]),
        ("body", "character_encoding", {}),
        ("body", "ignore_empty", "false"),
        ("body", "ignore_empty", 0),
        ("resource", "ignore_empty", "false"),
        ("resource", "ignore_empty", ["x"]),
    ],
)
def test_job_keys_of_the_wrong_type_are_invalid_data(
    zoho_server: ZohoServer, where: str, key: str, value: Any
) -> None:
    """Zoho documents ``character_encoding`` as a String and ``ignore_empty`` as a Boolean
    [doc v8 bulk-write create-job]: another JSON type gets 400 INVALID_DATA naming the key
    and the expected type, and nothing is written. Before, a non-string encoding was a 500
    (TypeError) or, for ``{}``, ignored; ``"false"`` (a string) was taken as true."""
    file_id = upload(zoho_server, zipped(ROWS))[2]["details"]["file_id"]
    body = job(file_id)
    (body if where == "body" else body["resource"][0])[key] = value
    status, _, answer = call(zoho_server, "POST", "/crm/bulk/v8/write", body)
    assert (status, answer["status"], answer["code"]) == (400, "error", "INVALID_DATA"), answer
    assert answer["details"]["api_name"] == key
    assert key in answer["message"]
    assert zoho_server.engine.count("Leads") == 0


def test_a_codec_that_cannot_decode_the_file_is_invalid_data(zoho_server: ZohoServer) -> None:
    """A ``character_encoding`` whose codec raises a plain UnicodeError on the file (punycode)
    is 400 INVALID_DATA on character_encoding like an unknown one, not a 500."""
    file_id = upload(zoho_server, zipped(ROWS))[2]["details"]["file_id"]
    body = {**job(file_id), "character_encoding": "punycode"}
    status, _, answer = call(zoho_server, "POST", "/crm/bulk/v8/write", body)
    assert (status, answer["code"]) == (400, "INVALID_DATA"), answer
    assert answer["details"]["api_name"] == "character_encoding"
    assert zoho_server.engine.count("Leads") == 0


def test_ignore_empty_false_on_the_body_clears_empty_cells(zoho_server: ZohoServer) -> None:
    """``"ignore_empty": false`` (the JSON boolean) at the body's top level, where Zoho's
    create-job page puts it, keeps its meaning: an empty cell clears the stored value."""
    zoho_server.engine.load(
        "Leads", [{"Last_Name": "Moss", "Email": "moss@x.org", "Company": "Old"}]
    )
    rows = [ROWS[0], ["Moss", "moss@x.org", "", "", "false"]]
    file_id = upload(zoho_server, zipped(rows))[2]["details"]["file_id"]
    body = {**job(file_id), "ignore_empty": False}
    assert call(zoho_server, "POST", "/crm/bulk/v8/write", body)[0] == 201
    assert next(zoho_server.engine.records("Leads")).get("Company") is None
