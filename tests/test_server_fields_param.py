"""``fields=`` is read by one function (``listing.fields_param``) for get by id, list and
search: an unknown name is 400 INVALID_DATA everywhere (never read as an empty field), and a
``fields`` that names nothing once empty entries are dropped is an empty ``fields``."""

from __future__ import annotations

import pytest

from upsert_engine.server import ZohoServer

from .server_support import call

ADA = {"Last_Name": "Frey", "First_Name": "Ada", "Email": "a@x.com"}
SEARCH = "/crm/v8/Leads/search?criteria=(Last_Name:equals:Frey)&"


def _ada(server: ZohoServer) -> str:
    status, _, answer = call(server, "POST", "/crm/v8/Leads", {"data": [ADA]})
    assert status == 201, answer
    return str(answer["data"][0]["details"]["id"])


@pytest.mark.parametrize("name", ["Nope", "full_name", "Last_Name,Nope"])
def test_an_unknown_field_name_is_the_same_400_for_get_list_and_search(
    zoho_server: ZohoServer, name: str
) -> None:
    """An unknown name in ``fields`` (including a wrongly cased ``full_name``) gets the same
    400 INVALID_DATA naming the parameter from get by id, list and search. Before, get by id
    answered 200 with ``"Nope": null`` (a typo read as an empty field: Full_Name is "Ada
    Frey", yet ``full_name`` was null) while list and search refused it."""
    record_id = _ada(zoho_server)
    answers = [
        call(zoho_server, "GET", f"/crm/v8/Leads/{record_id}?fields={name}"),
        call(zoho_server, "GET", f"/crm/v8/Leads?fields={name}"),
        call(zoho_server, "GET", f"{SEARCH}fields={name}"),
    ]
    bad = name.rsplit(",", maxsplit=1)[-1]
    for status, _, answer in answers:
        assert (status, answer["code"]) == (400, "INVALID_DATA"), answer
        assert answer["details"] == {"param_name": "fields"}
        assert repr(bad) in answer["message"]
    assert answers[0][2] == answers[1][2] == answers[2][2]


def test_a_known_name_still_reads_its_value_or_null(zoho_server: ZohoServer) -> None:
    """The check refuses only unknown names: get by id with ``fields=Full_Name,Phone,,``
    answers Full_Name's value and null for the empty Phone (empty entries dropped)."""
    record_id = _ada(zoho_server)
    status, _, got = call(zoho_server, "GET", f"/crm/v8/Leads/{record_id}?fields=Full_Name,Phone,,")
    assert status == 200
    assert got["data"] == [{"Full_Name": "Ada Frey", "Phone": None, "id": record_id}]


@pytest.mark.parametrize("text", ["", ",", "%20,%20,"])
def test_fields_naming_nothing_is_an_empty_fields_on_a_v8_list(
    zoho_server: ZohoServer, text: str
) -> None:
    """On a v8 list ``fields`` is mandatory: ``fields=``, ``fields=,`` and ``fields= , ,``
    all name no field and get the same 400 REQUIRED_PARAM_MISSING. Before, ``fields=,``
    answered 200 with records holding only their ids (the mandatory rule bypassed)."""
    _ada(zoho_server)
    status, _, answer = call(zoho_server, "GET", f"/crm/v8/Leads?fields={text}")
    assert (status, answer["code"]) == (400, "REQUIRED_PARAM_MISSING"), answer
    assert answer["details"] == {"param_name": "fields"}


@pytest.mark.parametrize("text", ["", ","])
def test_fields_naming_nothing_is_no_fields_where_it_is_optional(
    zoho_server: ZohoServer, text: str
) -> None:
    """Where ``fields`` is optional (get by id, search, a v2 list), one naming no field is
    read as none given, the same for ``fields=`` and ``fields=,``: the whole record. Before,
    search and a v2 list with ``fields=,`` answered records holding only their ids."""
    record_id = _ada(zoho_server)
    got = call(zoho_server, "GET", f"/crm/v8/Leads/{record_id}?fields={text}")
    found = call(zoho_server, "GET", f"{SEARCH}fields={text}")
    listed = call(zoho_server, "GET", f"/crm/v2/Leads?fields={text}")
    for status, _, answer in (got, found, listed):
        assert status == 200, answer
        (record,) = answer["data"]
        assert (record["id"], record["Email"], record["Full_Name"]) == (
            record_id,
            "a@x.com",
            "Ada Frey",
        )
