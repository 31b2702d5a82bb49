"""A tester's findings against the fake server (F3, F5, F7, F8, F10): each test fails on the
code before its fix. Sources are cited per test."""

from __future__ import annotations

from typing import Any

import pytest

from upsert_engine import Engine, User
from upsert_engine.errors import ConfigurationError
from upsert_engine.reference import ReferenceEngine
from upsert_engine.server import ZohoServer

from .server_support import call


def _insert(server: ZohoServer, module: str, record: dict[str, Any]) -> str:
    status, _, answer = call(server, "POST", f"/crm/v8/{module}", {"data": [record]})
    assert status == 201, answer
    return str(answer["data"][0]["details"]["id"])


# --- F3: every requested field, null when empty -----------------------------------------------
def test_f3_requested_empty_fields_are_null_in_list_and_search(zoho_server: ZohoServer) -> None:
    """F3 [doc: Zoho's search-records response sample
    (zoho.com/developer/help/scripting/search-records.html) shows empty fields as ``null``;
    the fake's COQL and bulk read-backs already do]: a lead with only Last_Name lists and
    searches with ``"Email": null`` for ``fields=Last_Name,Email``, as COQL answers it; a field
    not asked for is still left out."""
    record_id = _insert(zoho_server, "Leads", {"Last_Name": "Only"})
    status, _, listed = call(zoho_server, "GET", "/crm/v8/Leads?fields=Last_Name,Email")
    assert status == 200
    assert listed["data"] == [{"Last_Name": "Only", "Email": None, "id": record_id}]
    path = "/crm/v8/Leads/search?criteria=(Last_Name:equals:Only)&fields=Last_Name,Email"
    status, _, found = call(zoho_server, "GET", path)
    assert status == 200
    assert found["data"] == [{"Last_Name": "Only", "Email": None, "id": record_id}]
    status, _, coql = call(
        zoho_server,
        "POST",
        "/crm/v8/coql",
        {"select_query": "select Last_Name, Email from Leads where Last_Name = 'Only'"},
    )
    assert status == 200
    assert coql["data"] == [{"Last_Name": "Only", "Email": None, "id": record_id}]
    status, _, got = call(zoho_server, "GET", f"/crm/v8/Leads/{record_id}?fields=Last_Name,Email")
    assert status == 200
    assert got["data"] == [{"Last_Name": "Only", "Email": None, "id": record_id}]


# --- F10: an empty criteria value is refused, never matched -----------------------------------
def test_f10_empty_criteria_value_is_invalid_query(zoho_server: ZohoServer) -> None:
    """F10, R9 (empty never matches): Zoho's search-records pages document no meaning for an
    empty value in ``criteria`` (only ``{api_name}:{operator}:{value}``), so the fake refuses
    one with 400 ``INVALID_QUERY`` naming the field, for every operator and also when one value
    of several is empty, instead of matching every record that has the field."""
    _insert(zoho_server, "Leads", {"Last_Name": "Has", "Email": "has@example.com"})
    for criteria in (
        "(Email:equals:)",
        "(Email:equals:%20)",
        "(Email:in:)",
        "(Email:starts_with:)",
        "(Email:equals:has@example.com,)",
        "((Last_Name:equals:Has)and(Email:not_equal:))",
    ):
        status, _, answer = call(zoho_server, "GET", f"/crm/v8/Leads/search?criteria={criteria}")
        assert status == 400, criteria
        assert answer["code"] == "INVALID_QUERY", criteria
        assert answer["details"]["api_name"] == "Email", criteria
    status, _, _ = call(zoho_server, "GET", "/crm/v8/Leads/search?criteria=(Email:equals:has)")
    assert status == 200  # a non-empty value still searches


# --- F7: users made without email or zuid are distinct ----------------------------------------
def test_f7_users_without_email_or_zuid_get_their_own(zoho_server: ZohoServer) -> None:
    """F7, R32 [doc v8 users: every user has its own ``email`` and ``zuid``]: a user added
    with only a name and id (``POST /__admin/users``, ``User(name, id)``) gets an address and a
    zuid derived from its id, not the default user's; the default user keeps its own; values
    given are kept; an empty one is still refused."""
    body = {"user": {"name": "Carl", "id": "5725767000000411004"}, "token": "CARL"}
    status, _, added = call(zoho_server, "POST", "/__admin/users", body)
    assert status == 200, added
    status, _, listed = call(zoho_server, "GET", "/crm/v8/users")
    assert status == 200
    users = listed["users"]
    assert len(users) == 2
    assert len({u["email"] for u in users}) == 2
    assert len({u["zuid"] for u in users}) == 2
    carl = User("Carl", "5725767000000411004")
    assert (carl.email, carl.zuid) == ("user.5725767000000411004@example.com", carl.id)
    assert (User().email, User().zuid) == ("example.user@example.com", "60012345")
    given = User("Dee", "42", "dee@example.org", "7")
    assert (given.email, given.zuid) == ("dee@example.org", "7")
    for bad in ({"email": ""}, {"zuid": "x"}):
        with pytest.raises(ConfigurationError):
            User("Eve", "43", **bad)


# --- F8: Full_Name is read-only and composed on read ------------------------------------------
def test_f8_full_name_is_composed_on_read_and_never_written(zoho_server: ZohoServer) -> None:
    """F8, R33 [doc: Zoho's embedded-app SDK field-metadata sample gives Full_Name
    ``view_type`` ``edit``/``create`` false; Zoho's audit-log sample shows Full_Name changing to
    "Patricia Boyle" when First_Name is set]: Full_Name of Leads and Contacts is the
    "First Last" that lookups to the record show (``references.display_name``), computed on
    every read (get, list, search, COQL, lookups), never stored; a write of it is ignored as
    a write of the read-only system fields is (R12), also on update; metadata says read-only."""
    lead_id = _insert(zoho_server, "Leads", {"First_Name": "Ada", "Last_Name": "Lovelace"})
    status, _, got = call(zoho_server, "GET", f"/crm/v8/Leads/{lead_id}")
    assert status == 200 and got["data"][0]["Full_Name"] == "Ada Lovelace"
    path = "/crm/v8/Leads?fields=Full_Name,Last_Name"
    assert call(zoho_server, "GET", path)[2]["data"][0]["Full_Name"] == "Ada Lovelace"
    search = "/crm/v8/Leads/search?criteria=(Full_Name:equals:Ada Lovelace)".replace(" ", "%20")
    status, _, found = call(zoho_server, "GET", search)
    assert status == 200 and [r["id"] for r in found["data"]] == [lead_id]
    query = {"select_query": "select Full_Name from Leads where Full_Name = 'Ada Lovelace'"}
    status, _, selected = call(zoho_server, "POST", "/crm/v8/coql", query)
    assert status == 200 and selected["data"] == [{"Full_Name": "Ada Lovelace", "id": lead_id}]
    # a write is ignored, on insert and on update; the name follows First_Name / Last_Name
    other = _insert(zoho_server, "Leads", {"Last_Name": "Byron", "Full_Name": "Somebody Else"})
    assert call(zoho_server, "GET", f"/crm/v8/Leads/{other}")[2]["data"][0]["Full_Name"] == "Byron"
    update = {"data": [{"id": other, "First_Name": "George", "Full_Name": "Nobody"}]}
    status, _, _ = call(zoho_server, "PUT", "/crm/v8/Leads", update)
    assert status == 200
    after = call(zoho_server, "GET", f"/crm/v8/Leads/{other}")[2]["data"][0]
    assert after["Full_Name"] == "George Byron"
    assert "Full_Name" not in zoho_server.engine._stores["Leads"].records[other]
    # a Contact too, and a lookup to it shows the same composed name
    contact = _insert(zoho_server, "Contacts", {"First_Name": "Mary", "Last_Name": "Shelley"})
    deal = {"Deal_Name": "D", "Stage": "Qualification", "Contact_Name": {"id": contact}}
    deal_id = _insert(zoho_server, "Deals", deal)
    shown = call(zoho_server, "GET", f"/crm/v8/Deals/{deal_id}")[2]["data"][0]["Contact_Name"]
    read = call(zoho_server, "GET", f"/crm/v8/Contacts/{contact}")[2]["data"][0]
    assert shown["name"] == read["Full_Name"] == "Mary Shelley"
    status, _, meta = call(zoho_server, "GET", "/crm/v8/settings/fields?module=Leads")
    full = next(f for f in meta["fields"] if f["api_name"] == "Full_Name")
    assert full["read_only"] is True and full["field_read_only"] is True
    assert full["view_type"]["edit"] is False and full["view_type"]["create"] is False


def test_f8_full_name_write_ignored_on_every_engine_path() -> None:
    """F8, R12: a Full_Name sent to upsert (the compiled fast path's shapes too), insert or
    update is ignored like Created_Time, also under ``unknown_fields=reject`` (it is a field,
    not an unknown key); reads compose it, the store never holds it; a Contact with no names
    loaded reads ``Full_Name: null``."""
    from upsert_engine import Engine, Options
    from upsert_engine.options import UnknownFields

    engine = Engine(Options(unknown_fields=UnknownFields.REJECT))
    rows = [{"Last_Name": f"L{n}", "Full_Name": "X", "Email": f"{n}@x.org"} for n in range(5)]
    answer = engine.upsert("Leads", {"data": rows})
    assert [e["status"] for e in answer.body["data"]] == ["success"] * 5
    engine.insert("Contacts", {"data": [{"Last_Name": "C", "Full_Name": "Y"}]})
    stored = [r for s in engine._stores.values() for r in s.records.values()]
    assert stored and all("Full_Name" not in r for r in stored)
    assert [r["Full_Name"] for r in engine.records("Leads")] == [f"L{n}" for n in range(5)]
    assert [r["Full_Name"] for r in engine.records("Contacts")] == ["C"]
    engine.load("Contacts", [{"Email": "n@x.org"}])
    assert [r["Full_Name"] for r in engine.records("Contacts")] == ["C", None]


# --- F5: bulk job times on the engine's clock -------------------------------------------------
def test_f5_bulk_job_created_time_is_the_engine_clock(zoho_server: ZohoServer) -> None:
    """F5 [doc v8 bulk-write: a job's ``created_time`` is when it was created; its records'
    Created_Time come from the same org]: the job's ``created_time`` is on the engine's
    injected clock (2026-01-15T10:00:00+05:30 stepping one second per write), the time its
    first record is stamped with, not the real clock; a later job is later. The upload's
    ``created_time`` and ``page_token_expiry`` stay on the server's clock (documented in
    bulk.py and listing.py)."""
    from .test_server_bulk import job, upload, zipped

    _insert(zoho_server, "Leads", {"Last_Name": "Before"})  # the clock's first write
    rows = [["Last_Name", "Email"], ["Frey", "frey@x.org"], ["Moss", "moss@x.org"]]
    mappings = [{"api_name": "Last_Name", "index": 0}, {"api_name": "Email", "index": 1}]
    created = []
    for _ in range(2):
        status, _, uploaded = upload(zoho_server, zipped(rows))
        assert status == 200, uploaded
        body = job(uploaded["details"]["file_id"], field_mappings=mappings)
        status, _, made = call(zoho_server, "POST", "/crm/bulk/v8/write", body)
        assert status == 201, made
        status, _, polled = call(zoho_server, "GET", f"/crm/bulk/v8/write/{made['details']['id']}")
        assert status == 200
        created.append(polled["created_time"])
    frey = call(zoho_server, "GET", "/crm/v8/Leads?fields=Last_Name,Created_Time")[2]["data"]
    first_write = next(r["Created_Time"] for r in frey if r["Last_Name"] == "Frey")
    assert created == [first_write, "2026-01-15T10:00:02+05:30"]
    assert first_write == "2026-01-15T10:00:01+05:30"


@pytest.mark.parametrize("make", [Engine, ReferenceEngine])
def test_a_composed_field_is_no_match_key(make: Any) -> None:
    """R7 (``match``, the default): Full_Name is composed on read and never stored, so as a
    duplicate check field it could never find a record and the request would insert a
    duplicate while answering success; both implementations refuse it (INVALID_DATA)."""
    engine = make()
    engine.load("Leads", [{"Last_Name": "Lovelace", "First_Name": "Ada"}])
    body = {
        "data": [{"Last_Name": "Lovelace", "First_Name": "Ada"}],
        "duplicate_check_fields": ["Full_Name"],
    }
    response = engine.upsert("Leads", body)
    assert response.status == 400
    assert response.body["details"]["api_name"] == "duplicate_check_fields"
    assert engine.count("Leads") == 1


def test_coql_limit_zero_says_the_range() -> None:
    """COQL LIMIT is 1 to 2000 on v8: ``limit 0`` is refused (LIMIT_EXCEEDED) with a message
    saying the allowed range, not that the limit "is 2000"; and a number written in another
    script's digits is no COQL number (Zoho's digits are ASCII)."""
    with ZohoServer() as server:
        for query, needle in (
            ("select Last_Name from Leads where Last_Name is not null limit 0", "1 to 2000"),
        ):
            status, _, body = call(server, "POST", "/crm/v8/coql", {"select_query": query})
            assert status == 400 and body["code"] == "LIMIT_EXCEEDED", body
            assert needle in body["message"], body
        arabic = "select Last_Name from Leads where Last_Name is not null limit \u0661"
        status, _, body = call(server, "POST", "/crm/v8/coql", {"select_query": arabic})
        assert status == 400 and body["code"] != "LIMIT_EXCEEDED", body


@pytest.mark.parametrize("make", [Engine, ReferenceEngine])
def test_a_composed_field_cannot_be_made_unique(make: Any) -> None:
    """R1, R24: Full_Name is composed on read and stored by no record, so making it unique or
    external (a duplicate check field that could never find a record) is a configuration
    error naming the field, in both implementations; the module is left as it was."""
    engine = make()
    for kwargs in ({"unique": True}, {"external": "org"}):
        with pytest.raises(ConfigurationError, match="'Full_Name' is composed on read"):
            engine.add_field("Leads", "Full_Name", "text", **kwargs)
    assert "Full_Name" not in engine.schema("Leads").duplicate_check_fields
