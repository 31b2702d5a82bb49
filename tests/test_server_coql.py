"""Issue 11 item 6: ``POST /crm/{v}/coql`` with the COQL subset sync code uses, and its limits."""

from __future__ import annotations

from typing import Any

import pytest

from upsert_engine import Engine
from upsert_engine.errors import UnknownModuleError
from upsert_engine.schema import ModuleSchema
from upsert_engine.server import ZohoServer
from upsert_engine.server.api import ApiError
from upsert_engine.server.coql import run

from .server_support import call

LEADS = [
    {"Last_Name": "Frey", "Email": "frey@sample.com", "No_of_Employees": 5, "Company": "Acme"},
    {"Last_Name": "Moss", "Email": "moss@x.org", "No_of_Employees": 50, "Company": "Acme Inc"},
    {"Last_Name": "O'Hara", "No_of_Employees": 500, "Email_Opt_Out": True},
]


@pytest.fixture(scope="module")
def org() -> Engine:
    """Three Leads."""
    engine = Engine()
    engine.load("Leads", LEADS)
    return engine


def _schema(org: Engine) -> Any:
    def schema_of(module: str) -> ModuleSchema | None:
        try:
            return org.schema(module)
        except UnknownModuleError:
            return None

    return schema_of


def query(org: Engine, text: str, version: str = "v8") -> tuple[int, Any]:
    """Run one select_query."""
    return run({"select_query": text}, version, _schema(org), org.records)


def names(org: Engine, text: str) -> list[str]:
    """Last names a query answers ([] for 204)."""
    status, body = query(org, text)
    return [] if status == 204 else [r["Last_Name"] for r in body["data"]]


def refused(org: Engine, text: str, version: str = "v8") -> ApiError:
    """The ApiError a query raises."""
    with pytest.raises(ApiError) as caught:
        query(org, text, version)
    return caught.value


def test_select_answers_fields_and_id_with_info(org: Engine) -> None:
    """Selected fields plus id, default order id ascending, info count/more_records."""
    status, body = query(org, "select Last_Name, Email from Leads where No_of_Employees > 1")
    assert status == 200
    ids = [r["id"] for r in org.records("Leads")]
    assert body == {
        "data": [
            {"Last_Name": "Frey", "Email": "frey@sample.com", "id": ids[0]},
            {"Last_Name": "Moss", "Email": "moss@x.org", "id": ids[1]},
            {"Last_Name": "O'Hara", "Email": None, "id": ids[2]},
        ],
        "info": {"count": 3, "more_records": False},
    }
    assert query(org, "select Last_Name from Leads where Last_Name = 'Nobody'") == (204, None)


def test_every_operator(org: Engine) -> None:
    """=, !=, >, <, >=, <=, in, not in, like (3 forms), not like, is (not) null, between."""
    q = "select Last_Name from Leads where "
    assert names(org, q + "Last_Name = 'frey'") == ["Frey"]  # case-insensitive [inf]
    assert names(org, q + "Company != 'Acme'") == ["Moss"]  # a null compares to nothing
    assert names(org, q + "No_of_Employees > 5") == ["Moss", "O'Hara"]
    assert names(org, q + "No_of_Employees < 50") == ["Frey"]
    assert names(org, q + "No_of_Employees >= 50") == ["Moss", "O'Hara"]
    assert names(org, q + "No_of_Employees <= '50'") == ["Frey", "Moss"]
    assert names(org, q + "Last_Name in ('Moss', 'Frey')") == ["Frey", "Moss"]
    assert names(org, q + "Last_Name not in ('Moss', 'Frey')") == ["O'Hara"]
    assert names(org, q + "Company like 'acme%'") == ["Frey", "Moss"]
    assert names(org, q + "Company like '%inc'") == ["Moss"]
    assert names(org, q + "Email like '%@x%'") == ["Moss"]
    assert names(org, q + "Company not like '%inc'") == ["Frey"]
    assert names(org, q + "Email is null") == ["O'Hara"]
    assert names(org, q + "Email is not null") == ["Frey", "Moss"]
    assert names(org, q + "No_of_Employees between 5 and 50") == ["Frey", "Moss"]
    assert names(org, q + "Last_Name = 'O''Hara'") == ["O'Hara"]  # '' is one quote
    assert names(org, q + "Email_Opt_Out = 'true'") == ["O'Hara"]


def test_and_or_brackets_order_limit_offset(org: Engine) -> None:
    """Two criteria per level, more need brackets; order by; limit n, offset forms."""
    q = "select Last_Name from Leads where "
    both = q + "((No_of_Employees > 1 and Email is not null) or Last_Name = 'O''Hara')"
    assert names(org, both) == ["Frey", "Moss", "O'Hara"]
    three = refused(org, q + "No_of_Employees > 1 and Email is not null and Company = 'Acme'")
    assert three.code == "SYNTAX_ERROR" and three.details["near"].lower() == "and"
    assert names(org, q + "id is not null order by No_of_Employees desc") == [
        "O'Hara",
        "Moss",
        "Frey",
    ]
    assert names(org, q + "id is not null order by Email asc, Last_Name desc") == [
        "Frey",
        "Moss",
        "O'Hara",  # an empty value sorts last ascending [inf]
    ]
    _, body = query(org, q + "id is not null limit 1, 1")
    assert [r["Last_Name"] for r in body["data"]] == ["Moss"] and body["info"]["more_records"]
    assert names(org, q + "id is not null limit 2 offset 2") == ["O'Hara"]
    upper = "SELECT Last_Name FROM Leads WHERE id IS NOT NULL ORDER BY id DESC LIMIT 1"
    assert names(org, upper) == ["O'Hara"]  # keywords in any case


def test_limits_per_version(org: Engine) -> None:
    """LIMIT 200 (v2-v3) / 2000 (v4+); 10,000 with offset; 25 criteria; in-values 50/100."""
    q = "select Last_Name from Leads where id is not null"
    assert refused(org, q + " limit 201", "v3").details == {"limit": 200}
    assert query(org, q + " limit 2000", "v4")[0] == 200
    assert refused(org, q + " limit 2001").code == "LIMIT_EXCEEDED"
    assert refused(org, q + " limit 9000, 1001").details == {"limit": 10_000}
    many = " or ".join(["Last_Name = 'x'"] * 2)
    nested = "(" + many + ")"
    for _ in range(12):  # 26 criteria in pairs
        nested = f"({nested} or ({many}))"
    assert refused(org, "select Last_Name from Leads where " + nested).details == {"limit": 25}
    fifty_one = "(" + ", ".join(f"'{n}'" for n in range(51)) + ")"
    assert refused(org, f"select id from Leads where Last_Name in {fifty_one}", "v6").code == (
        "LIMIT_EXCEEDED"
    )
    assert query(org, f"select id from Leads where Last_Name in {fifty_one}", "v7")[0] == 204


def test_errors_are_zohos(org: Engine) -> None:
    """Unknown module/column, bad value, bad operator, syntax; joins etc. not modelled."""
    assert refused(org, "select Last_Name from Nope where id is not null").code == "INVALID_MODULE"
    column = refused(org, "select Nope from Leads where id is not null")
    assert (column.code, column.details) == (
        "INVALID_QUERY",
        {"column_name": "Nope", "clause": "select"},
    )
    value = refused(org, "select id from Leads where No_of_Employees = 'many'")
    assert value.details == {"column_name": "No_of_Employees", "expected_data_type": "integer"}
    assert refused(org, "select id from Leads where Email > 'a'").details["operator"] == ">"
    assert refused(org, "select id from Leads where Description = 'a'").code == "INVALID_QUERY"
    assert refused(org, "select id from Leads where Company like 'a%b'").code == "INVALID_QUERY"
    assert refused(org, "select id from Leads").code == "SYNTAX_ERROR"  # where is required [inf]
    assert refused(org, "select id, from Leads where id is not null").code == "SYNTAX_ERROR"
    assert refused(org, "select id from Leads where id = #").details["column"] == 33
    for text in (
        "select Account_Name.Account_Name from Contacts where id is not null",
        "select COUNT(id) from Leads where id is not null",
        "select id from Leads where id in (select id from Contacts where id is not null)",
        "select id from Leads where id is not null group by Company",
    ):
        assert refused(org, text).code == "NOT_SUPPORTED", text
    with pytest.raises(ApiError) as caught:
        run({}, "v8", _schema(org), org.records)
    assert caught.value.body()["code"] == "MANDATORY_NOT_FOUND"


def test_coql_over_http(zoho_server: ZohoServer) -> None:
    """POST /crm/v8/coql answers through the server; GET is INVALID_REQUEST_METHOD."""
    zoho_server.engine.load("Leads", LEADS)
    body = {"select_query": "select Last_Name from Leads where No_of_Employees >= 50"}
    status, _, answer = call(zoho_server, "POST", "/crm/v8/coql", body)
    assert status == 200 and [r["Last_Name"] for r in answer["data"]] == ["Moss", "O'Hara"]
    status, _, answer = call(zoho_server, "POST", "/crm/v8/coql", {"select_query": "select"})
    assert (status, answer["code"]) == (400, "SYNTAX_ERROR")
    assert call(zoho_server, "GET", "/crm/v8/coql")[0] == 400
