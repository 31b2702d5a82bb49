"""Issue 11 item 4: Zoho's list semantics (fields, order, info, page/page_token, limits,
If-Modified-Since, parameters the fake does not model)."""

from __future__ import annotations

import base64
import json
import urllib.request
from datetime import datetime, timedelta
from typing import Any

import pytest

from upsert_engine import Engine
from upsert_engine.server import ZohoServer
from upsert_engine.server.api import ApiError
from upsert_engine.server.listing import list_page

from .server_support import call

INFO_KEYS = [
    "per_page",
    "next_page_token",
    "count",
    "sort_by",
    "page",
    "previous_page_token",
    "page_token_expiry",
    "sort_order",
    "more_records",
]
NOW = "2026-01-15T10:00:00+05:30"


@pytest.fixture(scope="module")
def big() -> Engine:
    """2050 Leads: past the 2000 records ``page`` reaches."""
    engine = Engine()
    engine.load("Leads", [{"Last_Name": f"L{n:04}"} for n in range(2050)])
    return engine


def listed(engine: Engine, version: str = "v8", since: str | None = None, **query: str) -> Any:
    """One list page (the module, no sockets)."""
    return list_page(
        engine.schema("Leads"),
        lambda: engine.records("Leads"),
        {k: [v] for k, v in query.items()},
        version,
        modified_since=since,
        now=NOW,
    )


def problem(engine: Engine, version: str = "v8", **query: str) -> ApiError:
    """The ApiError of a list request."""
    with pytest.raises(ApiError) as caught:
        listed(engine, version, **query)
    return caught.value


def test_fields_are_mandatory_from_v3_and_at_most_50(big: Engine) -> None:
    """v3+: no fields → REQUIRED_PARAM_MISSING; 51 → LIMIT_EXCEEDED; unknown → INVALID_DATA."""
    assert problem(big).body() == {
        "code": "REQUIRED_PARAM_MISSING",
        "details": {"param_name": "fields"},
        "message": "One of the expected parameter is missing",
        "status": "error",
    }
    assert listed(big, "v2.1", per_page="1").status == 200  # optional before v3
    first = next(big.records("Leads"))["id"]
    assert listed(big, ids=first).body["data"][0]["id"] == first  # not needed with ids
    repeated = ",".join(["Last_Name"] * 50 + ["Email", "Phone"])
    assert listed(big, fields=repeated).status == 200  # 52 names, 3 fields: repeats count once
    names = [*list(big.schema("Leads").fields)[:26], "id", "Created_Time", "Modified_Time"]
    names = list(dict.fromkeys([*names, "Created_By", "Modified_By", "Owner"]))
    many = names + [f"Nope{n}" for n in range(51 - len(names))]
    assert problem(big, fields=",".join(many)).details == {"limit": 50, "param_name": "fields"}
    assert problem(big, fields="Last_Name,Nope").details["param_name"] == "fields"


def test_default_order_and_sort_params(big: Engine) -> None:
    """Default id descending; only sort_order sorts by id; v3+ sort_by is id or a time."""
    ids = [r["id"] for r in big.records("Leads")]
    page = listed(big, fields="Last_Name", per_page="3")
    assert [r["id"] for r in page.body["data"]] == ids[::-1][:3]
    assert (page.body["info"]["sort_by"], page.body["info"]["sort_order"]) == ("id", "desc")
    page = listed(big, fields="Last_Name", per_page="3", sort_order="asc")
    assert [r["id"] for r in page.body["data"]] == ids[:3]
    page = listed(big, fields="Last_Name", per_page="2", sort_by="Modified_Time", sort_order="asc")
    assert [r["Last_Name"] for r in page.body["data"]] == ["L0000", "L0001"]
    bad = problem(big, fields="Last_Name", sort_by="Last_Name")
    assert bad.details == {
        "param_name": "sort_by",
        "supported_values": ["id", "Created_Time", "Modified_Time"],
    }
    page = listed(big, "v2", sort_by="Last_Name", sort_order="desc", per_page="1")
    assert page.body["data"][0]["Last_Name"] == "L2049"  # v2: any field
    assert problem(big, fields="Last_Name", sort_order="up").details["param_name"] == "sort_order"


def test_info_block_per_version(big: Engine) -> None:
    """v3+: every key of Zoho's info; v2: per_page, count, page, more_records."""
    page = listed(big, fields="Last_Name", per_page="5")
    info = page.body["info"]
    assert list(info) == INFO_KEYS
    assert (info["count"], info["page"], info["more_records"]) == (5, 1, True)
    assert info["previous_page_token"] is None and isinstance(info["next_page_token"], str)
    expiry = datetime.fromisoformat(info["page_token_expiry"])
    assert expiry - datetime.fromisoformat(NOW) == timedelta(days=1)
    old = listed(big, "v2", per_page="5").body["info"]
    assert old == {"per_page": 5, "count": 5, "page": 1, "more_records": True}


def test_page_reaches_2000_and_page_token_goes_on(big: Engine) -> None:
    """page*per_page past 2000: DISCRETE_PAGINATION_LIMIT_EXCEEDED; tokens walk all 2050."""
    tenth = listed(big, fields="Last_Name", page="10")
    assert tenth.body["info"]["more_records"] is True
    assert problem(big, fields="Last_Name", page="11").body() == {
        "code": "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
        "details": {"limit": 2000},
        "message": "You can only get the first 2000 records without using page_token param",
        "status": "error",
    }
    seen = [r["id"] for r in listed(big, fields="Last_Name", per_page="200").body["data"]]
    token = listed(big, fields="Last_Name", per_page="200").body["info"]["next_page_token"]
    pages = 1
    previous_first = seen[0]
    while token:
        page = listed(big, fields="Last_Name", per_page="200", page_token=token)
        info = page.body["info"]
        pages += 1
        assert info["page"] == pages
        previous = info["previous_page_token"]
        back = listed(big, fields="Last_Name", per_page="200", page_token=previous)
        assert back.body["data"][0]["id"] == previous_first  # the previous page, again
        previous_first = page.body["data"][0]["id"]
        seen += [r["id"] for r in page.body["data"]]
        token = info["next_page_token"]
    assert pages == 11 and len(seen) == len(set(seen)) == 2050
    assert seen == sorted(seen, key=lambda i: (len(i), i), reverse=True)


def test_page_token_errors(big: Engine) -> None:
    """Token bound to the other params; page with page_token; 100,000 records at most."""
    token = listed(big, fields="Last_Name").body["info"]["next_page_token"]
    changed = problem(big, fields="Email", page_token=token)
    assert (changed.code, changed.details) == (
        "TOKEN_BOUND_DATA_MISMATCH",
        {"param_name": "page_token"},
    )
    garbage = problem(big, fields="Last_Name", page_token="garbage!")
    assert garbage.code == "TOKEN_BOUND_DATA_MISMATCH"
    both = problem(big, fields="Last_Name", page_token=token, page="2")
    assert both.code == "AMBIGUITY_DURING_PROCESSING"
    payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    payload["n"] = 99_900
    far = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    assert problem(big, fields="Last_Name", page_token=far).code == "PAGINATION_LIMIT_EXCEEDED"
    assert "page_token" not in listed(big, "v2", per_page="1", page_token=token).body["info"]


def test_if_modified_since_and_filters(zoho_server: ZohoServer) -> None:
    """If-Modified-Since: newer records only, 304 without a body when none; converted; ids."""
    engine = zoho_server.engine
    call(zoho_server, "POST", "/crm/v8/Leads", {"data": [{"Last_Name": "Old"}]})
    call(zoho_server, "POST", "/crm/v8/Leads", {"data": [{"Last_Name": "New"}]})
    old, new = (r["Modified_Time"] for r in engine.records("Leads"))
    assert old < new
    path = "/crm/v8/Leads?fields=Last_Name"
    status, _, answer = call(zoho_server, "GET", path, headers={"If-Modified-Since": old})
    assert status == 200 and [r["Last_Name"] for r in answer["data"]] == ["New"]
    request = urllib.request.Request(
        zoho_server.url + path, headers={**zoho_server.headers, "If-Modified-Since": new}
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 304 and caught.value.read() == b""
    status, _, answer = call(zoho_server, "GET", path, headers={"If-Modified-Since": "yesterday"})
    assert (status, answer["details"]["param_name"]) == (400, "If-Modified-Since")
    assert call(zoho_server, "GET", path + "&converted=true")[0] == 204
    assert call(zoho_server, "GET", path + "&converted=both")[0] == 200
    first = next(engine.records("Leads"))["id"]
    status, _, answer = call(zoho_server, "GET", f"/crm/v8/Leads?ids={first}")
    assert [r["id"] for r in answer["data"]] == [first]


def test_unknown_parameters_refused_or_noted(zoho_server: ZohoServer) -> None:
    """Zoho's own parameters the fake cannot answer: NOT_SUPPORTED; unknown names: noted."""
    zoho_server.engine.load("Leads", [{"Last_Name": "A"}])
    status, _, answer = call(zoho_server, "GET", "/crm/v8/Leads?fields=Last_Name&cvid=1")
    assert (status, answer["code"], answer["details"]) == (
        400,
        "NOT_SUPPORTED",
        {"param_name": "cvid"},
    )
    status, _, _ = call(zoho_server, "GET", "/crm/v8/Leads?fields=Last_Name&colour=blue")
    assert status == 200
    entry = zoho_server.requests[-1]
    assert entry["notes"] == ["ignored parameter 'colour' (Zoho ignores it too)"]
    status, _, _ = call(zoho_server, "GET", "/crm/v8/Leads/search?word=Ab&approved=true")
    assert status == 400


def test_every_route_notes_or_refuses_parameters(zoho_server: ZohoServer) -> None:
    """Beyond lists: GET one record reads ``fields``, refuses ``cvid``; an upsert notes an
    unknown parameter; DELETE reads ``ids`` without a note."""
    zoho_server.engine.load("Leads", [{"Last_Name": "A", "Email": "a@x.org"}])
    record_id = next(zoho_server.engine.records("Leads"))["id"]
    status, _, answer = call(zoho_server, "GET", f"/crm/v8/Leads/{record_id}?fields=Email")
    assert answer["data"] == [{"Email": "a@x.org", "id": record_id}]
    status, _, answer = call(zoho_server, "GET", f"/crm/v8/Leads/{record_id}?cvid=9")
    assert (status, answer["code"]) == (400, "NOT_SUPPORTED")
    body = {"data": [{"Last_Name": "B"}]}
    assert call(zoho_server, "POST", "/crm/v8/Leads/upsert?dry=1", body)[0] == 200
    assert zoho_server.requests[-1]["notes"] == ["ignored parameter 'dry' (Zoho ignores it too)"]
    assert call(zoho_server, "DELETE", f"/crm/v8/Leads?ids={record_id}")[0] == 200
    assert "notes" not in zoho_server.requests[-1]
