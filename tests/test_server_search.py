"""Issue 11 item 5: Zoho's search ``criteria`` (operators, limits, nesting), word, email, phone.

Most cases call ``server/listing.search_page`` on an in-process org (no sockets); the last
tests go through HTTP to show the server answers the same.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from upsert_engine import Engine
from upsert_engine.server import ZohoServer
from upsert_engine.server.api import ApiError
from upsert_engine.server.listing import search_page

from .server_support import call

PEOPLE = [
    {"Last_Name": "Frey", "Email": "frey@sample.com", "Mobile": "555 0100", "Company": "ABC"},
    {"Last_Name": "Moss", "Email": "moss@x.org", "Mobile": "555 0200", "Company": "ABC Inc"},
    {"Last_Name": "Burns,B", "No_of_Employees": 40, "Annual_Revenue": 1500.5},
    {"Last_Name": "Kim", "No_of_Employees": 7, "Email_Opt_Out": True, "Lead_Status": "Contacted"},
]


@pytest.fixture(scope="module")
def org() -> Engine:
    """Leads with texts, numbers, a checkbox and a picklist."""
    engine = Engine()
    engine.load("Leads", PEOPLE)
    return engine


def search(org: Engine, **query: str) -> list[str]:
    """Last names found (newest first, Zoho's default order), [] for 204."""
    page = search_page(
        org.schema("Leads"), lambda: org.records("Leads"), {k: [v] for k, v in query.items()}, "v8"
    )
    return [] if page.status == 204 else [r["Last_Name"] for r in page.body["data"]]


def refused(org: Engine, **query: str) -> ApiError:
    """The ApiError a search raises."""
    with pytest.raises(ApiError) as caught:
        search(org, **query)
    return caught.value


def test_every_operator_on_its_types(org: Engine) -> None:
    """equals (contains on text), not_equal, starts_with, in, between, >, >=, <, <= [doc v8]."""
    assert search(org, criteria="(Company:equals:ABC)") == ["Moss", "Frey"]  # "like contains"
    assert search(org, criteria="(Lead_Status:equals:contacted)") == ["Kim"]  # picklist: exact
    assert search(org, criteria="(Company:not_equal:ABC)") == ["Moss"]
    assert search(org, criteria="(Last_Name:starts_with:mo)") == ["Moss"]
    assert search(org, criteria="(Last_Name:in:Kim,Frey)") == ["Kim", "Frey"]
    assert search(org, criteria="(No_of_Employees:between:7,40)") == ["Kim", "Burns,B"]
    assert search(org, criteria="(No_of_Employees:greater_than:7)") == ["Burns,B"]
    assert search(org, criteria="(No_of_Employees:greater_equal:7)") == ["Kim", "Burns,B"]
    assert search(org, criteria="(No_of_Employees:less_than:40)") == ["Kim"]
    assert search(org, criteria="(Annual_Revenue:less_equal:1500.50)") == ["Burns,B"]
    assert search(org, criteria="(Email_Opt_Out:equals:true)") == ["Kim"]
    stamp = next(org.records("Leads"))["Created_Time"]
    assert len(search(org, criteria=f"(Created_Time:greater_equal:{stamp})")) == 4
    assert search(org, criteria="(Created_Time:less_than:2000-01-01T00:00:00+00:00)") == []


def test_nesting_and_or_and_escapes(org: Engine) -> None:
    """and/or nest in brackets; a mix at one level is refused; ``\\,`` is a literal comma."""
    both = "((Company:equals:ABC)and(Last_Name:starts_with:F))"
    assert search(org, criteria=both) == ["Frey"]
    either = "((Last_Name:equals:Kim) or ((Company:equals:ABC)and(Mobile:starts_with:555 02)))"
    assert search(org, criteria=either) == ["Kim", "Moss"]
    assert search(org, criteria="(Last_Name:equals:Burns\\,B)") == ["Burns,B"]
    mixed = "(Last_Name:equals:a)and(Last_Name:equals:b)or(Last_Name:equals:c)"
    assert refused(org, criteria=mixed).code == "INVALID_QUERY"


def test_limits_of_criteria(org: Engine) -> None:
    """At most 10 conditions (CRITERIA_LIMIT_EXCEEDED) and 100 ``in`` values (INVALID_QUERY)."""
    ten = "(" + "or".join(["(Last_Name:equals:Kim)"] * 10) + ")"
    assert search(org, criteria=ten) == ["Kim"]
    eleven = "(" + "or".join(["(Last_Name:equals:Kim)"] * 11) + ")"
    problem = refused(org, criteria=eleven)
    assert (problem.status, problem.code) == (400, "CRITERIA_LIMIT_EXCEEDED")
    hundred = ",".join(["Kim"] * 100)
    assert search(org, criteria=f"(Last_Name:in:{hundred})") == ["Kim"]
    problem = refused(org, criteria=f"(Last_Name:in:{hundred},Frey)")
    assert problem.body() == {
        "code": "INVALID_QUERY",
        "details": {"param_name": "Last_Name"},
        "message": 'Only 100 values are allowed in "IN" criteria',
        "status": "error",
    }


def test_criteria_errors_name_the_problem(org: Engine) -> None:
    """Unknown field, operator not for the type, value not of the type, unreadable text."""
    assert "Nope" in refused(org, criteria="(Nope:equals:1)").details["reason"]
    wrong = refused(org, criteria="(Email_Opt_Out:starts_with:t)")
    assert (wrong.code, wrong.details["operator"]) == ("INVALID_QUERY", "starts_with")
    typed = refused(org, criteria="(No_of_Employees:equals:many)")
    assert typed.details["expected_data_type"] == "integer"
    for text in ("(Last_Name:equals:F", "Last_Name:equals:F", "(Last_Name)", "()"):
        problem = refused(org, criteria=text)
        assert (problem.code, problem.message) == ("INVALID_QUERY", "invalid query formed"), text
    assert refused(org, criteria="(No_of_Employees:between:1)").code == "INVALID_QUERY"


def test_word_email_phone_and_their_order(org: Engine) -> None:
    """criteria, then email, then phone, then word (Kaizen #30); word needs 2 characters."""
    assert search(org, email="FREY@sample") == ["Frey"]  # partial, case-insensitive [doc]
    assert search(org, phone="5550200") == ["Moss"]  # digits compared
    assert search(org, word="ab") == ["Moss", "Frey"]
    assert search(org, criteria="(Last_Name:equals:Kim)", email="frey@sample.com") == ["Kim"]
    assert search(org, email="moss@x.org", word="Frey") == ["Moss"]
    assert refused(org, word="a").details == {"param_name": "word"}
    assert refused(org, phone="12").details == {"param_name": "phone"}
    assert refused(org, phone="abc-def").details == {"param_name": "phone"}
    missing = refused(org)
    assert missing.body()["details"] == {"param_names": ["criteria", "email", "phone", "word"]}
    assert missing.code == "EXPECTED_PARAM_MISSING"


def test_search_reaches_2000_records() -> None:
    """Pages stop at record 2000: the next page is LIMIT_REACHED [doc v8 search-records]."""
    engine = Engine()
    engine.load("Leads", [{"Last_Name": f"Same {n}"} for n in range(2050)])
    schema = engine.schema("Leads")

    def page(number: int) -> Any:
        query = {"word": ["Same"], "page": [str(number)], "per_page": ["200"]}
        return search_page(schema, lambda: engine.records("Leads"), query, "v8")

    tenth = page(10)
    assert tenth.body["info"] == {
        "per_page": 200,
        "count": 200,
        "page": 10,
        "sort_by": "id",
        "sort_order": "desc",
        "more_records": True,
    }
    with pytest.raises(ApiError) as caught:
        page(11)
    assert caught.value.body() == {
        "code": "LIMIT_REACHED",
        "details": {"limit": "2000"},
        "message": "maximum response iteration limit reached",
        "status": "error",
    }


def test_search_over_http(zoho_server: ZohoServer) -> None:
    """The server answers search as the module does, with fields, sort_by and sort_order."""
    zoho_server.engine.load("Leads", PEOPLE)
    criteria = quote("((No_of_Employees:greater_than:1)or(Company:equals:abc))")
    path = f"/crm/v8/Leads/search?criteria={criteria}&fields=Last_Name&sort_by=Last_Name"
    status, _, answer = call(zoho_server, "GET", path + "&sort_order=asc")
    assert status == 200
    ids = {r["Last_Name"]: r["id"] for r in zoho_server.engine.records("Leads")}
    names = ["Burns,B", "Frey", "Kim", "Moss"]  # every one matches; by Last_Name ascending
    assert answer["data"] == [{"Last_Name": n, "id": ids[n]} for n in names]
    status, _, answer = call(zoho_server, "GET", "/crm/v8/Leads/search?criteria=(Nope:equals:1)")
    assert (status, answer["code"]) == (400, "INVALID_QUERY")
    assert call(zoho_server, "GET", "/crm/v8/Leads/search?word=zzz")[:3] == (204, None, None)


def test_dates_multiselect_lookups_and_owner() -> None:
    """Dates and date-times compare as dates, a multi-select matches one of its values,
    lookups and users compare by id; literals of the wrong form are INVALID_QUERY."""
    engine = Engine()
    engine.add_module("Visits")
    for name, data_type in (
        ("Day", "date"),
        ("Tags", "multiselectpicklist"),
        ("Host", "ownerlookup"),
        ("Score", "double"),
    ):
        engine.add_field("Visits", name, data_type)
    user = engine.options.user.id
    engine.load(
        "Visits",
        [
            {"Name": "a", "Day": "2026-01-02", "Tags": ["Red", "Blue"], "Host": {"id": user}},
            {"Name": "b", "Day": "2026-03-04", "Tags": ["Green"], "Score": 2.5},
        ],
    )

    def found(criteria: str) -> list[str]:
        page = search_page(
            engine.schema("Visits"),
            lambda: engine.records("Visits"),
            {"criteria": [criteria]},
            "v8",
        )
        return [] if page.status == 204 else sorted(r["Name"] for r in page.body["data"])

    assert found("(Day:greater_than:2026-01-31)") == ["b"]
    assert found("(Day:between:2026-01-01,2026-01-02)") == ["a"]
    assert found("(Tags:equals:blue)") == ["a"]
    assert found("(Tags:starts_with:gr)") == ["b"]
    assert found("(Tags:in:Pink,Green)") == ["b"]
    assert found(f"(Host:equals:{user})") == ["a"]
    assert found("(Host:not_equal:1)") == ["a"]
    assert found("(Score:greater_equal:2.5)") == ["b"]
    assert found("(Score:less_than:-1)") == []
    for bad, expected in (
        ("(Day:equals:02/01/2026)", "date"),
        ("(Day:equals:2026-02-30)", "date"),
        ("(Created_Time:equals:2026-01-01)", "datetime"),
        ("(Host:equals:someone)", "bigint"),
        ("(Score:equals:1e5)", "double"),
    ):
        with pytest.raises(ApiError) as caught:
            found(bad)
        assert caught.value.details["expected_data_type"] == expected, bad
