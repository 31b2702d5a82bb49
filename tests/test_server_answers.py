"""A tester's findings against the fake server (F3, F5, F7, F8, F10): each test fails on the
code before its fix. Sources are cited per test."""

from __future__ import annotations

from typing import Any

import pytest

from upsert_engine import User
from upsert_engine.errors import ConfigurationError
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
