"""The fake server and what sync payloads carry (spec v2 section 7): a token per user (R32),
X-EXTERNAL on the record APIs (R24), external fields in /settings/fields (R24),
If-Unmodified-Since (R34), and a request log that replays all of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from upsert_engine import Engine, User
from upsert_engine.server import ZohoServer, parse_user, replay

from .server_support import call

ALICE = User("Alice Archer", "5725767000000411002", "alice@example.com", "60012346")
BOB = User("Bob Baker", "5725767000000411003", "bob@example.com", "60012347")
EXT = {"X-EXTERNAL": "Contacts.External_Contact_ID"}


def as_(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Zoho-oauthtoken {token}", **headers}


@pytest.fixture
def server(zoho_server: ZohoServer) -> ZohoServer:
    """Contacts with a user-based External_Contact_ID, Accounts with an org-based one;
    Alice and Bob with their own tokens."""
    engine = zoho_server.engine
    engine.add_field("Contacts", "External_Contact_ID", "text", external="user")
    engine.add_field("Accounts", "External_Account_ID", "text", external="org")
    zoho_server.add_user(ALICE, "alice-token")
    zoho_server.add_user(BOB, "bob-token")
    return zoho_server


def upsert(server: ZohoServer, token: str, records: list[dict[str, Any]], **headers: str) -> Any:
    status, _, answer = call(
        server, "POST", "/crm/v8/Contacts/upsert", {"data": records}, headers=as_(token, **headers)
    )
    return status, answer


def test_two_tokens_act_as_two_users(server: ZohoServer) -> None:
    """R32/R24: each token acts as its user: Created_By and Owner follow it, and a user-based
    external value is matched per user; /users?type=CurrentUser answers the token's user."""
    record = {"Last_Name": "Boyle", "External_Contact_ID": "Boyle1"}
    for token in ("alice-token", "bob-token", "alice-token"):
        status, _ = upsert(server, token, [record])
        assert status == 200
    owners = [(r["Owner"]["id"], r["Created_By"]["id"]) for r in server.engine.records("Contacts")]
    assert owners == [(ALICE.id, ALICE.id), (BOB.id, BOB.id)]
    log = server.requests
    assert [e["response"]["data"][0]["action"] for e in log] == ["insert", "insert", "update"]
    assert [e["user"] for e in log] == [ALICE.id, BOB.id, ALICE.id]
    _, _, current = call(server, "GET", "/crm/v8/users?type=CurrentUser", headers=as_("bob-token"))
    assert [u["id"] for u in current["users"]] == [BOB.id]
    _, _, everyone = call(server, "GET", "/crm/v8/users")
    assert [u["id"] for u in everyone["users"]] == [User().id, ALICE.id, BOB.id]
    assert everyone["users"][1] == {
        "id": ALICE.id,
        "full_name": ALICE.name,
        "email": ALICE.email,
        "status": "active",
        "zuid": ALICE.zuid,
    }


def test_get_put_delete_by_external_value(server: ZohoServer) -> None:
    """R24: with X-EXTERNAL, GET/PUT/DELETE /{module}/{value} and ?ids= name records by
    their external value, the acting user's for a user-based field; no such record: GET 204
    [doc get-records-ext], PUT/DELETE INVALID_DATA."""
    upsert(server, "alice-token", [{"Last_Name": "A", "External_Contact_ID": "a1"}])
    upsert(server, "alice-token", [{"Last_Name": "B", "External_Contact_ID": "b1"}])
    (a, b) = [r["id"] for r in server.engine.records("Contacts")]
    status, _, got = call(server, "GET", "/crm/v8/Contacts/A1", headers=as_("alice-token", **EXT))
    assert status == 200 and got["data"][0]["id"] == a
    assert call(server, "GET", "/crm/v8/Contacts/a1", headers=as_("bob-token", **EXT))[0] == 204
    _, _, listed = call(
        server, "GET", "/crm/v8/Contacts?ids=b1,a1,zz", headers=as_("alice-token", **EXT)
    )
    assert [r["id"] for r in listed["data"]] == [b, a]  # id descending: Zoho's default order
    status, _, put = call(
        server,
        "PUT",
        "/crm/v8/Contacts/a1",
        {"data": [{"Title": "CTO"}]},
        headers=as_("alice-token", **EXT),
    )
    assert status == 200 and put["data"][0]["details"]["External_Contact_ID"] == "a1"
    assert server.engine.get("Contacts", a)["Title"] == "CTO"
    status, _, refused = call(
        server,
        "PUT",
        "/crm/v8/Contacts/a1",
        {"data": [{"External_Contact_ID": "other"}]},
        headers=as_("alice-token", **EXT),
    )
    assert (status, refused["code"]) == (400, "NOT_ALLOWED")
    status, _, gone = call(
        server, "DELETE", "/crm/v8/Contacts?ids=b1,zz", headers=as_("alice-token", **EXT)
    )
    assert status == 207
    assert [e["code"] for e in gone["data"]] == ["SUCCESS", "INVALID_DATA"]
    status, _, bad = call(
        server, "GET", "/crm/v8/Contacts/a1", headers={"X-EXTERNAL": "Contacts.Email"}
    )
    assert (status, bad["details"]) == (400, {"param_name": "X-EXTERNAL"})
    assert [r["id"] for r in server.engine.records("Contacts")] == [a]


def test_lookup_by_external_value_and_update_by_external(server: ZohoServer) -> None:
    """R24/R33: X-EXTERNAL naming Contacts.Account_Name.External_Account_ID reads the lookup
    by that value; PUT /Contacts with Contacts.External_Contact_ID names the records by theirs
    [doc update-records-ext]."""
    (acme,) = server.engine.load("Accounts", [{"Account_Name": "Acme", "External_Account_ID": "x"}])
    header = "Contacts.Account_Name.External_Account_ID"
    record = {
        "Last_Name": "C",
        "External_Contact_ID": "c1",
        "Account_Name": {"External_Account_ID": "x"},
    }
    status, answer = upsert(server, "alice-token", [record], **{"X-EXTERNAL": header})
    assert status == 200, answer
    contact = answer["data"][0]["details"]["id"]
    assert server.engine.get("Contacts", contact)["Account_Name"] == {"name": "Acme", "id": acme}
    status, _, updated = call(
        server,
        "PUT",
        "/crm/v8/Contacts",
        {
            "data": [
                {
                    "External_Contact_ID": "c1",
                    "Account_Name": {"External_Account_ID": "x"},
                    "Title": "T",
                }
            ]
        },
        headers=as_("alice-token", **{"X-EXTERNAL": f"Contacts.External_Contact_ID, {header}"}),
    )
    assert status == 200 and updated["data"][0]["details"]["id"] == contact
    without = upsert(
        server, "alice-token", [{"Last_Name": "D", "Account_Name": {"External_Account_ID": "x"}}]
    )
    assert without[0] == 400


def test_if_unmodified_since_header(server: ZohoServer) -> None:
    """R34: If-Unmodified-Since on upsert and PUT: a record modified later is not written,
    ALREADY_MODIFIED with HTTP 412 when every record failed so."""
    upsert(server, "alice-token", [{"Last_Name": "A", "External_Contact_ID": "a1"}])
    old = {"If-Unmodified-Since": "2020-01-01T00:00:00+00:00"}
    status, answer = upsert(
        server, "alice-token", [{"External_Contact_ID": "a1", "Title": "T"}], **old
    )
    assert status == 412
    assert answer["data"][0]["code"] == "ALREADY_MODIFIED"
    assert answer["data"][0]["message"] == (
        "Record updated time has already passed if-unmodified-since time"
    )
    (record,) = server.engine.records("Contacts")
    status, _, put = call(
        server, "PUT", f"/crm/v8/Contacts/{record['id']}", {"data": [{"Title": "T"}]},
        headers=as_("alice-token", **old),
    )  # fmt: skip
    assert status == 412
    fresh = {"If-Unmodified-Since": record["Modified_Time"]}
    status, _, put = call(
        server, "PUT", f"/crm/v8/Contacts/{record['id']}", {"data": [{"Title": "T"}]},
        headers=as_("alice-token", **fresh),
    )  # fmt: skip
    assert status == 200 and put["data"][0]["details"]["id"] == record["id"]
    status, answer = upsert(
        server, "alice-token", [{"Last_Name": "X"}], **{"If-Unmodified-Since": "soon"}
    )
    assert (status, answer["details"]) == (400, {"param_name": "If-Unmodified-Since"})


def test_fields_metadata_marks_external_fields(server: ZohoServer) -> None:
    """R24: /settings/fields shows "external": {"show": true, "type": ...} on external fields
    and null elsewhere; custom lookups with a module are listed with it (R33)."""
    server.engine.add_field("Contacts", "Main_Lead", "lookup", lookup_module="Leads")
    _, _, fields = call(server, "GET", "/crm/v8/settings/fields?module=Contacts")
    by_name = {f["api_name"]: f for f in fields["fields"]}
    assert by_name["External_Contact_ID"]["external"] == {"show": True, "type": "user"}
    assert by_name["Email"]["external"] is None
    assert by_name["Main_Lead"]["lookup"]["module"]["api_name"] == "Leads"
    assert by_name["Owner"]["data_type"] == "ownerlookup"


def test_users_by_admin_call_until_reset(zoho_server: ZohoServer) -> None:
    """R32: POST /__admin/users adds a user and its token (not one in use); a reset drops both,
    while users given at start stay."""
    body = {"user": {"name": "Cy", "id": "5725767000000411009"}, "token": "cy-token"}
    status, _, answer = call(zoho_server, "POST", "/__admin/users", body, auth=False)
    assert status == 200 and answer["user"]["id"] == "5725767000000411009"
    again = call(zoho_server, "POST", "/__admin/users", body, auth=False)
    assert again[0] == 400
    bad = {"user": {"name": "Dee", "id": "not digits"}, "token": "dee-token"}
    assert call(zoho_server, "POST", "/__admin/users", bad, auth=False)[0] == 400
    _, _, me = call(zoho_server, "GET", "/crm/v8/users?type=CurrentUser", headers=as_("cy-token"))
    assert me["users"][0]["full_name"] == "Cy"
    zoho_server.reset()
    assert call(zoho_server, "GET", "/crm/v8/org", headers=as_("cy-token"))[0] == 401
    with ZohoServer(users=[("t-a", ALICE)]) as fixed:
        fixed.reset()
        assert fixed.engine.users() == (User(), ALICE)
        assert call(fixed, "GET", "/crm/v8/org", headers=as_("t-a"))[0] == 200
        assert fixed.token_of(ALICE.id) == "t-a"
    with pytest.raises(ValueError, match="in use"):
        ZohoServer(users=[("t", ALICE), ("t", BOB)])


def test_the_log_replays_users_and_headers(server: ZohoServer) -> None:
    """R32/R24/R34: the request log keeps each request's user and headers, so replaying it
    into a fresh org answers the same."""
    upsert(server, "alice-token", [{"Last_Name": "A", "External_Contact_ID": "a1"}])
    upsert(server, "bob-token", [{"Last_Name": "B", "External_Contact_ID": "a1"}])
    upsert(
        server,
        "alice-token",
        [{"External_Contact_ID": "a1", "Title": "T"}],
        **{"If-Unmodified-Since": "2020-01-01T00:00:00Z"},
    )
    call(server, "GET", "/crm/v8/Contacts/a1", headers=as_("bob-token", **EXT))
    log = server.requests
    assert log[2]["headers"]["if-unmodified-since"] == "2020-01-01T00:00:00Z"
    fresh = Engine()
    fresh.add_field("Contacts", "External_Contact_ID", "text", external="user")
    fresh.add_field("Accounts", "External_Account_ID", "text", external="org")
    fresh.add_user(ALICE)
    fresh.add_user(BOB)
    assert replay(log, fresh) == [(e["status"], e["response"]) for e in log if e["applied"]]


def test_parse_user() -> None:
    """serve --user TOKEN:ID:NAME[:EMAIL[:ZUID]] (R32)."""
    assert parse_user("t:5725767000000411002:Alice Archer") == (
        "t",
        User("Alice Archer", "5725767000000411002", "alice.archer@example.com"),
    )
    assert parse_user("t:1:A:a@x.io:7") == ("t", User("A", "1", "a@x.io", "7"))
    for bad in ("t:1", "t:x:A", "t:1:A:a@x.io:7:9"):
        with pytest.raises(ValueError):
            parse_user(bad)


# --- Zoho's SDK -------------------------------------------------------------------------------
def test_sdk_upsert_by_external_field_and_get_with_x_external(
    server: ZohoServer, tmp_path: Path
) -> None:
    """R24 through Zoho's Python SDK: an upsert matched by an external field (duplicate_field
    External_Contact_ID, no header needed), then get_record_using_external_id with X-EXTERNAL."""
    from zohocrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken
    from zohocrmsdk.src.com.zoho.crm.api import HeaderMap
    from zohocrmsdk.src.com.zoho.crm.api.record import (
        BodyWrapper,
        GetRecordUsingExternalIDHeader,
        Record,
        RecordOperations,
        ResponseWrapper,
        SuccessResponse,
    )

    from .test_server_sdk import _initialize

    _initialize(
        server,
        tmp_path,
        OAuthToken(access_token="alice-token", find_user=False),
        auto_refresh_fields=False,
    )
    answers = []
    for title in ("First", "Second"):
        record = Record()
        record.add_key_value("Last_Name", "Boyle")
        record.add_key_value("External_Contact_ID", "Boyle1")
        record.add_key_value("Title", title)
        body = BodyWrapper()
        body.set_data([record])
        response = RecordOperations("Contacts").upsert_records(body)
        assert response is not None and response.get_object() is not None
        (entry,) = response.get_object().get_data()
        assert isinstance(entry, SuccessResponse)
        answers.append((entry.get_action().get_value(), entry.get_duplicate_field()))
    assert answers == [("insert", None), ("update", "External_Contact_ID")]
    headers = HeaderMap()
    headers.add(GetRecordUsingExternalIDHeader.x_external, "Contacts.External_Contact_ID")
    got = RecordOperations("Contacts").get_record_using_external_id("Boyle1", None, headers)
    assert got is not None and got.get_status_code() == 200
    wrapper = got.get_object()
    assert isinstance(wrapper, ResponseWrapper)
    (fetched,) = wrapper.get_data()
    assert fetched.get_key_value("Title") == "Second"
    assert fetched.get_key_value("Owner").get_id() == int(ALICE.id)
    assert server.requests[-1]["headers"]["x-external"] == "Contacts.External_Contact_ID"
