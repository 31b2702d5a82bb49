"""Every endpoint of the fake Zoho CRM server, and every error, with raw urllib requests."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from upsert_engine import Engine
from upsert_engine.cli import main
from upsert_engine.rules import API_VERSIONS
from upsert_engine.server import ZohoServer, engine_factory, read_store
from upsert_engine.testing.strategies import upsert_bodies

from .server_support import call, lead

JSON = "application/json;charset=UTF-8"


@pytest.fixture
def server(zoho_server: ZohoServer) -> ZohoServer:
    """The plugin's fake, reset, with Leads.Mobile made unique in-process."""
    zoho_server.engine.add_field("Leads", "Mobile", "phone", unique=True)
    return zoho_server


def _shadow() -> Engine:
    engine = Engine()
    engine.add_field("Leads", "Mobile", "phone", unique=True)
    return engine


def test_upsert_answers_as_the_engine_does(server: ZohoServer) -> None:
    """Insert, update via Email, then DUPLICATE_DATA on Mobile: R10, R14, R21 over HTTP."""
    shadow = _shadow()
    bodies = [
        {"data": [lead("Frey", "frey@sample.com", "555 0100"), lead("Moss", "moss@x.org")]},
        {"data": [lead("Frey", " FREY@sample.com")], "duplicate_check_fields": ["Email"]},
        {"data": [lead("Moss", "moss@x.org", "555 0100"), lead("New", "new@x.org")]},
    ]
    statuses = []
    for body in bodies:
        status, kind, answer = call(server, "POST", "/crm/v8/Leads/upsert", body)
        expected = shadow.upsert("Leads", body)
        assert (status, answer) == (expected.status, expected.body)
        assert kind == JSON
        statuses.append(status)
    assert statuses == [200, 200, 207]
    assert answer["data"][0]["code"] == "DUPLICATE_DATA"
    assert answer["data"][0]["details"]["json_path"] == "$.data[0].Mobile"
    assert server.engine.count("Leads") == 3


BOOKS_FIELDS = (
    ("ISBN", "text", True),
    ("Copies", "integer", True),
    ("Site", "website", True),
    ("Code", "bigint", False),
    ("Price", "currency", False),
    ("Published", "date", False),
    ("Updated", "datetime", False),
    ("Active", "boolean", False),
    ("Tags", "multiselectpicklist", False),
    ("Owner_Ref", "ownerlookup", False),
)


def _configure(engine: Engine) -> Engine:
    """Leads.Mobile unique, and a custom module Books with a field of many types."""
    engine.add_field("Leads", "Mobile", "phone", unique=True)
    engine.add_module("Books")
    for name, data_type, unique in BOOKS_FIELDS:
        engine.add_field("Books", name, data_type, unique=unique)
    return engine


MODULE_BODIES = st.one_of(
    *(
        st.tuples(st.just(m), upsert_bodies(_configure(Engine()).schema(m), max_records=4))
        for m in ("Leads", "Books")
    )
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(requests=st.lists(MODULE_BODIES, max_size=5))
def test_generated_upserts_match_the_in_process_engine(
    zoho_server: ZohoServer, requests: list[tuple[str, dict[str, Any]]]
) -> None:
    """Generated bodies answer over HTTP exactly as in-process, and leave the same store."""
    zoho_server.reset()
    _configure(zoho_server.engine)
    shadow = _configure(Engine())
    for module, body in requests:
        status, _, answer = call(zoho_server, "POST", f"/crm/v8/{module}/upsert", body)
        expected = shadow.upsert(module, body)
        assert (status, answer) == (expected.status, expected.body)
    for module in ("Leads", "Books"):
        _, _, dump = call(zoho_server, "GET", f"/__admin/dump?module={module}", auth=False)
        assert dump["records"] == list(shadow.records(module))


def test_every_api_version_prefix(server: ZohoServer) -> None:
    """/crm/v2 ... /crm/v8 all answer; v2 and v2.1 errors carry no json_path (R23)."""
    for version in API_VERSIONS:
        body = {"data": [{"Email": f"{version}@x.org"}]}  # no Last_Name: MANDATORY_NOT_FOUND
        status, _, answer = call(server, "POST", f"/crm/{version}/Leads/upsert", body)
        assert status == 400
        details = answer["data"][0]["details"]
        assert ("json_path" in details) == (version not in ("v2", "v2.1")), version
    assert call(server, "POST", "/crm/v9/Leads/upsert", {"data": []})[0] == 404


def test_insert_update_get_list_and_delete(server: ZohoServer) -> None:
    """POST inserts without matching (201 when every record was added, R30), PUT updates by
    id, GET reads and pages, DELETE removes."""
    body: dict[str, Any] = {"data": [lead("A", "a@x.org", "1")]}
    status, _, inserted = call(server, "POST", "/crm/v8/Leads", body)
    assert status == 201 and "action" not in inserted["data"][0]
    first = inserted["data"][0]["details"]["id"]
    _, _, again = call(server, "POST", "/crm/v8/Leads", {"data": [lead("A", "a@x.org")]})
    assert again["data"][0]["code"] == "SUCCESS"  # insert does not match on Email
    _, _, clash = call(server, "POST", "/crm/v8/Leads", {"data": [lead("B", mobile=" 1 ")]})
    assert clash["data"][0]["code"] == "DUPLICATE_DATA"  # ... but enforces unique fields (R14)

    body = {"data": [{"id": int(first), "Last_Name": "Renamed"}, {"id": "1", "Last_Name": "X"}]}
    status, _, updated = call(server, "PUT", "/crm/v8/Leads", body)
    assert status == 207
    assert [e["code"] for e in updated["data"]] == ["SUCCESS", "INVALID_DATA"]

    status, _, record = call(server, "GET", f"/crm/v8/Leads/{first}")
    assert status == 200 and record["data"][0]["Last_Name"] == "Renamed"
    assert record["data"][0]["id"] == first
    status, _, missing = call(server, "GET", "/crm/v8/Leads/123")
    assert (status, missing["code"]) == (400, "INVALID_DATA")

    server.engine.load("Leads", [lead(f"L{i}") for i in range(5)])
    status, _, page = call(server, "GET", "/crm/v2/Leads?page=2&per_page=3&fields=Last_Name")
    assert status == 200
    assert page["info"] == {"per_page": 3, "count": 3, "page": 2, "more_records": True}
    assert [sorted(r) for r in page["data"]] == [["Last_Name", "id"]] * 3
    _, _, last = call(server, "GET", "/crm/v2/Leads?page=3&per_page=3")
    assert last["info"]["count"] == 1 and last["info"]["more_records"] is False
    assert call(server, "GET", "/crm/v2/Leads?page=4&per_page=3")[:3] == (204, None, None)
    for bad in ("page=0", "per_page=201", "page=x"):
        status, _, answer = call(server, "GET", f"/crm/v8/Leads?fields=Email&{bad}")
        assert (status, answer["code"]) == (400, "INVALID_DATA"), bad

    status, _, deleted = call(server, "DELETE", f"/crm/v8/Leads?ids={first},999")
    assert status == 207
    assert [e["code"] for e in deleted["data"]] == ["SUCCESS", "INVALID_DATA"]
    status, _, none = call(server, "DELETE", "/crm/v8/Leads")
    assert (status, none["code"]) == (400, "MANDATORY_NOT_FOUND")
    assert server.engine.get("Leads", first) is None


def test_search_by_email_phone_word_and_criteria(server: ZohoServer) -> None:
    """Search answers email=, phone=, word= and criteria= (and/or); no match is 204."""
    server.engine.load(
        "Leads",
        [lead("Frey", "frey@sample.com", "555 0100"), lead("Moss", "moss@x.org", "555 0200")],
    )

    def names(query: str) -> list[str]:
        status, _, answer = call(server, "GET", f"/crm/v8/Leads/search?{query}")
        return [] if status == 204 else [r["Last_Name"] for r in answer["data"]]

    assert names("email=FREY@sample.com") == ["Frey"]
    assert names("phone=555%200200") == ["Moss"]
    assert names("word=mos") == ["Moss"]
    assert names("criteria=(Last_Name:equals:frey)") == ["Frey"]
    assert names("criteria=(Email:equals:a@b.c,moss@x.org)") == ["Moss"]
    assert names("criteria=((Last_Name:starts_with:F)or(Mobile:equals:555%200200))") == [
        "Moss",
        "Frey",
    ]  # newest first: Zoho's default order is id descending
    assert names("criteria=(Last_Name:starts_with:F)and(Mobile:equals:555%200200)") == []
    assert names("criteria=(Last_Name:not_equal:Frey)") == ["Moss"]
    assert names("email=nobody@x.org") == []
    for bad in ("(Nope:equals:1)", "(Last_Name:like:F)", "(Last_Name:equals:F", "Last_Name"):
        status, _, answer = call(server, "GET", f"/crm/v8/Leads/search?criteria={bad}")
        assert (status, answer["code"]) == (400, "INVALID_QUERY"), bad
    mixed = "(Last_Name:equals:a)and(Last_Name:equals:b)or(Last_Name:equals:c)"
    assert call(server, "GET", f"/crm/v8/Leads/search?criteria={mixed}")[0] == 400
    status, _, answer = call(server, "GET", "/crm/v8/Leads/search")
    assert (status, answer["code"]) == (400, "EXPECTED_PARAM_MISSING")  # Zoho's v8 OpenAPI


def test_metadata_endpoints(server: ZohoServer) -> None:
    """settings/fields, settings/modules, users and org in the shapes Zoho's SDK parses."""
    status, kind, fields = call(server, "GET", "/crm/v8/settings/fields?module=Leads")
    assert (status, kind) == (200, JSON)
    by_name = {f["api_name"]: f for f in fields["fields"]}
    assert all(f["id"].isdigit() and isinstance(f["id"], str) for f in fields["fields"])
    assert len({f["id"] for f in fields["fields"]}) == len(fields["fields"])
    mobile = by_name["Mobile"]
    assert (mobile["data_type"], mobile["length"], mobile["unique"]) == (
        "phone",
        30,
        {"casesensitive": "false"},
    )
    assert by_name["Email"]["unique"] == {} and by_name["Email"]["length"] == 100
    assert by_name["Last_Name"]["system_mandatory"] is True
    assert by_name["Company"]["system_mandatory"] is False
    assert by_name["Created_Time"]["read_only"] is True

    _, _, modules = call(server, "GET", "/crm/v8/settings/modules")
    module_ids = {m["api_name"]: m["id"] for m in modules["modules"]}
    assert set(module_ids) == set(server.engine.modules())
    assert all(m["api_supported"] and m["id"].isdigit() for m in modules["modules"])
    _, _, contacts = call(server, "GET", "/crm/v8/settings/fields?module=Contacts")
    lookups = {f["api_name"]: f["lookup"]["module"] for f in contacts["fields"] if f["lookup"]}
    assert lookups["Account_Name"] == {"api_name": "Accounts", "id": module_ids["Accounts"]}
    _, _, appointments = call(server, "GET", "/crm/v8/settings/fields?module=Appointments")
    names = [f["api_name"] for f in appointments["fields"]]
    assert "Appointment_For" not in names and "Service_Name" in names  # unanswerable lookup

    _, _, users = call(server, "GET", "/crm/v8/users?type=CurrentUser")
    assert users["users"][0]["id"] == server.engine.options.user.id
    assert "@" in users["users"][0]["email"]
    _, _, org = call(server, "GET", "/crm/v8/org")
    assert org["org"][0]["zgid"].isdigit()

    status, _, answer = call(server, "GET", "/crm/v8/settings/fields")
    assert (status, answer["code"]) == (400, "REQUIRED_PARAM_MISSING")
    status, _, answer = call(server, "GET", "/crm/v8/settings/fields?module=Nope")
    assert (status, answer["code"]) == (400, "INVALID_MODULE")
    status, _, answer = call(server, "GET", "/crm/v8/settings/layouts")
    assert (status, answer["code"]) == (400, "REQUIRED_PARAM_MISSING")


def test_oauth_token_endpoint(server: ZohoServer) -> None:
    """POST /oauth/v2/token returns the fake's token with api_domain = its own URL."""
    client = f"client_id={server.client_id}&client_secret={server.client_secret}"
    form = f"refresh_token=r&{client}&grant_type=refresh_token".encode()
    kind = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, token = call(server, "POST", "/oauth/v2/token", raw=form, headers=kind, auth=False)
    assert status == 200
    assert token["access_token"] == server.token and token["api_domain"] == server.url
    assert token["expires_in"] == 3600
    status, _, answer = call(server, "POST", "/oauth/v2/token", raw=b"grant_type=x", auth=False)
    assert (status, answer) == (400, {"error": "unsupported_grant_type"})
    assert call(server, "GET", "/oauth/v2/token", auth=False)[0] == 400


def test_admin_endpoints(server: ZohoServer) -> None:
    """load answers ids, dump lists records, requests is the log in order, reset empties all."""
    body = {"module": "Leads", "records": [lead("A", "a@x.org"), lead("A", "A@x.org")]}
    status, _, loaded = call(server, "POST", "/__admin/load", body, auth=False)
    assert status == 200 and len(loaded["ids"]) == 2  # loaded as is: repeats allowed (R11)
    _, _, dump = call(server, "GET", "/__admin/dump?module=Leads", auth=False)
    assert [r["id"] for r in dump["records"]] == loaded["ids"]
    call(server, "GET", "/crm/v8/org")
    _, _, log = call(server, "GET", "/__admin/requests", auth=False)
    assert [(e["seq"], e["method"], e["path"], e["status"]) for e in log["requests"]] == [
        (0, "POST", "/__admin/load", 200),
        (1, "GET", "/__admin/dump", 200),
        (2, "GET", "/crm/v8/org", 200),
    ]
    assert log["requests"][0]["body"] == body and log["requests"][0]["applied"] is True
    assert server.requests == log["requests"]

    for bad, code in (
        ({"module": "Leads"}, "INVALID_DATA"),
        ({"module": "Nope", "records": []}, "INVALID_MODULE"),
        ({"module": "Leads", "records": [{"id": "x"}]}, "INVALID_DATA"),
    ):
        status, _, answer = call(server, "POST", "/__admin/load", bad, auth=False)
        assert (status, answer["code"]) == (400, code), bad
    assert call(server, "GET", "/__admin/dump", auth=False)[2]["code"] == "REQUIRED_PARAM_MISSING"
    assert call(server, "GET", "/__admin/dump?module=X", auth=False)[2]["code"] == "INVALID_MODULE"
    assert call(server, "GET", "/__admin/reset", auth=False)[2]["code"] == "INVALID_REQUEST_METHOD"
    assert call(server, "GET", "/__admin/nope", auth=False)[0] == 404

    assert call(server, "POST", "/__admin/reset", auth=False)[0] == 200
    assert server.engine.count("Leads") == 0 and server.requests == []
    assert "Mobile" not in server.engine.schema("Leads").unique_fields  # the factory's org


def test_auth_routing_and_request_errors(server: ZohoServer) -> None:
    """401 without or with a wrong token, 404, INVALID_REQUEST_METHOD, INVALID_MODULE, R19."""
    status, kind, answer = call(server, "GET", "/crm/v8/org", auth=False)
    assert (status, kind, answer["code"]) == (401, JSON, "AUTHENTICATION_FAILURE")
    for header in ("Zoho-oauthtoken wrong", "Bearer " + server.token, "Zoho-oauthtoken"):
        status, _, answer = call(server, "GET", "/crm/v8/org", headers={"Authorization": header})
        expected = {"code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token"}
        assert (status, answer) == (401, {**expected, "status": "error"}), header
    for path in ("/", "/crm", "/crm/v8", "/crm/v8/Leads/1/2", "/crm/v8/Leads/abc", "/api/v8/x"):
        status, _, answer = call(server, "GET", path)
        assert (status, answer["code"]) == (404, "INVALID_URL_PATTERN"), path
    for method, path in (
        ("GET", "/crm/v8/Leads/upsert"),
        ("PUT", "/crm/v8/Leads/upsert"),
        ("PATCH", "/crm/v8/Leads"),
        ("POST", "/crm/v8/Leads/search"),
        ("POST", "/crm/v8/Leads/1"),  # a record: GET, PUT, DELETE (Zoho's record APIs)
        ("PUT", "/crm/v8/settings/fields"),  # POST creates custom fields (issue 14)
        ("PUT", "/crm/v8/users"),
        ("OPTIONS", "/crm/v8/org"),
    ):
        status, _, answer = call(server, method, path, {"data": [lead("A")]})
        assert (status, answer["code"]) == (400, "INVALID_REQUEST_METHOD"), (method, path)
    for method, path in (
        ("POST", "/crm/v8/Nope/upsert"),
        ("GET", "/crm/v8/Nope"),
        ("GET", "/crm/v8/Nope/1"),
        ("GET", "/crm/v8/Nope/search?word=x"),
        ("DELETE", "/crm/v8/Nope?ids=1"),
    ):
        status, _, answer = call(server, method, path, {"data": [lead("A")]})
        assert (status, answer["code"]) == (400, "INVALID_MODULE"), (method, path)
    too_many = {"data": [lead(f"L{i}") for i in range(101)]}
    status, _, answer = call(server, "POST", "/crm/v8/Leads/upsert", too_many)
    assert (status, answer["code"], answer["details"]) == (400, "LIMIT_EXCEEDED", {"limit": 100})
    status, _, answer = call(server, "POST", "/crm/v8/Leads/upsert", {"data": []})
    assert (status, answer["code"]) == (400, "INVALID_DATA")
    text_plain = {"Content-Type": "text/plain"}
    body = json.dumps({"data": [lead("A")]}).encode()
    status, _, answer = call(server, "POST", "/crm/v8/Leads/upsert", raw=body, headers=text_plain)
    assert status == 200 and answer["data"][0]["action"] == "insert"  # any Content-Type


def _get(url: str, path: str, token: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": f"Zoho-oauthtoken {token}"}
    request = urllib.request.Request(url + path, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def test_serve_freezes_the_loaded_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 13: `serve` moves the loaded store out of the collector's passes (gc.freeze)
    before it answers anything, so that no full collection walks it during a request."""
    store = {"module": "Leads", "record": {"Last_Name": "Frey", "Mobile": "555"}}
    (tmp_path / "store.jsonl").write_text(json.dumps(store) + "\n")
    seen: list[tuple[int, int]] = []

    def serve_forever(server: ZohoServer) -> None:
        with server.locked() as engine:
            seen.append((gc.get_freeze_count(), engine.count("Leads")))
        raise KeyboardInterrupt

    monkeypatch.setattr(ZohoServer, "serve_forever", serve_forever)
    before = gc.get_freeze_count()
    try:
        assert main(["serve", "--port", "0", "--store", str(tmp_path / "store.jsonl")]) == 0
    finally:
        gc.unfreeze()
    assert len(seen) == 1 and seen[0][1] == 1 and seen[0][0] > before
    assert capsys.readouterr().out.startswith("http://127.0.0.1:")


def test_serve_console_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`upsert-engine serve` prints its URL first, loads --schema and --store, and answers."""
    schema = [{"module": "Books", "fields": [{"api_name": "ISBN", "data_type": "text"}]}]
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    store = {"module": "Leads", "record": {"Last_Name": "Frey", "Mobile": "555"}}
    (tmp_path / "store.jsonl").write_text(json.dumps(store) + "\n\n")
    script = Path(sys.executable).with_name("upsert-engine")
    if not script.exists():
        pytest.skip("the upsert-engine console script is not installed in this environment")
    options = ["--unique", "Leads.Mobile", "--unique", "Books.ISBN"]
    options += ["--schema", str(tmp_path / "schema.json"), "--store", str(tmp_path / "store.jsonl")]
    command = [str(script), "serve", "--port", "0", "--token", "t0k", *options]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    body = {"data": [lead("Other", mobile="555")]}
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            assert url.startswith("http://127.0.0.1:")
            answer = _get(url, "/crm/v8/Leads/upsert", "t0k", body)
            assert answer["data"][0]["duplicate_field"] == "Mobile"
            fields = _get(url, "/crm/v8/settings/fields?module=Books", "t0k")["fields"]
            isbn = next(f for f in fields if f["api_name"] == "ISBN")
            assert isbn["unique"] == {"casesensitive": "false"} and isbn["custom_field"] is True
            dump = _get(url, "/__admin/dump?module=Leads", "t0k")["records"]
        finally:
            process.terminate()
            process.wait(timeout=10)
    assert process.returncode == 0
    same = engine_factory(
        unique=["Leads.Mobile", "Books.ISBN"], schema=schema, store=read_store(options[-1])
    )()
    same.upsert("Leads", body)
    assert list(same.records("Leads")) == dump  # the same configuration gives the same org

    bad_schema, bad_store = tmp_path / "bad.json", tmp_path / "bad.jsonl"
    (tmp_path / "plain.jsonl").write_text('{"Last_Name": "A"}\n')
    for args, problem in (
        (["--unique", "Nope.X:text"], "Nope"),
        (["--unique", "Leads"], "name the module (Leads.Field) or give --module"),
        (["--unique", "Leads.Nope"], "Leads has no field Nope"),
        (["--unique", "Leads.Mobil"], "(did you mean Mobile?)"),
        (["--unique", "Leads.Mobile:text"], "Mobile is a phone field of Leads, not text"),
        (["--store", str(tmp_path / "plain.jsonl")], "give --module"),
        (["--schema", str(bad_schema)], "no module name"),
        (["--store", str(bad_store)], "line 1"),
        (["--store", str(tmp_path / "missing.jsonl")], "missing.jsonl"),
        (["--port", "99999"], "port"),
    ):
        bad_schema.write_text(json.dumps([{"fields": []}]))
        bad_store.write_text('{"module": "Leads"}\n')
        assert main(["serve", *args]) == 2, args
        assert problem in capsys.readouterr().err, args
    bad_schema.write_text(json.dumps({"module": "Leads", "system_fields": ["Phone"]}))
    assert main(["serve", "--schema", str(bad_schema)]) == 2
    assert "fixed" in capsys.readouterr().err
