"""The fake server's schema endpoints added for the conformance suite (issue 14):
``POST /__admin/schema`` (all or nothing), Zoho's Create and Delete Custom Fields, and
``Engine.remove_field`` under them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from upsert_engine import Engine
from upsert_engine.errors import ConfigurationError
from upsert_engine.server import ZohoServer

from .server_support import call


@pytest.fixture
def server() -> Iterator[ZohoServer]:
    """A fresh fake server."""
    with ZohoServer() as running:
        yield running


def test_admin_schema_applies_whole_or_not_at_all(server: ZohoServer) -> None:
    """A schema whose second module is refused (R1: a unique date) changes nothing, not even
    the first module's field; a valid one applies and the field is then a match key."""
    refused = {
        "modules": [
            {
                "module": "Leads",
                "fields": [{"api_name": "Code", "data_type": "text", "unique": True}],
            },
            {
                "module": "Contacts",
                "fields": [{"api_name": "Day", "data_type": "date", "unique": True}],
            },
        ]
    }
    status, _, answer = call(server, "POST", "/__admin/schema", refused)
    assert status == 400 and answer["code"] == "INVALID_DATA" and "R1" in answer["message"]
    assert "Code" not in server.engine.schema("Leads").fields
    assert "Day" not in server.engine.schema("Contacts").fields
    status, _, answer = call(server, "POST", "/__admin/schema", {"modules": refused["modules"][:1]})
    assert (status, answer["status"]) == (200, "success")
    assert server.engine.schema("Leads").fields["Code"].unique
    status, _, _ = call(server, "GET", "/__admin/schema")
    assert status == 400
    status, _, answer = call(server, "POST", "/__admin/schema", {"modules": "Leads"})
    assert status == 400


def test_create_and_delete_custom_fields(server: ZohoServer) -> None:
    """POST /settings/fields creates (unique, length, external); GET lists it with its id;
    DELETE /settings/fields/{id} removes it and its values; the id is then unknown."""
    body = {
        "fields": [
            {
                "field_label": "Code One",
                "data_type": "text",
                "length": 20,
                "unique": {"casesensitive": "false"},
            },
            {"field_label": "Ext", "data_type": "text", "external": {"show": True, "type": "org"}},
        ]
    }
    status, _, answer = call(server, "POST", "/crm/v8/settings/fields?module=Leads", body)
    assert status == 201 and [e["message"] for e in answer["fields"]] == ["field created"] * 2
    schema = server.engine.schema("Leads")
    assert schema.fields["Code_One"].unique and schema.fields["Code_One"].max_length == 20
    assert schema.external_fields == {"Ext": "org"}
    [lead] = server.engine.load("Leads", [{"Last_Name": "A", "Code_One": "x"}])
    field_id = answer["fields"][0]["details"]["id"]
    _, _, listed = call(server, "GET", "/crm/v8/settings/fields?module=Leads")
    assert {f["id"]: f["api_name"] for f in listed["fields"]}[field_id] == "Code_One"
    status, _, answer = call(server, "DELETE", f"/crm/v8/settings/fields/{field_id}?module=Leads")
    assert (status, answer["fields"][0]["message"]) == (200, "field deleted")
    record = server.engine.get("Leads", lead)
    assert record is not None and "Code_One" not in record
    assert "Code_One" not in server.engine.schema("Leads").fields
    status, _, answer = call(server, "DELETE", f"/crm/v8/settings/fields/{field_id}?module=Leads")
    assert status == 400 and answer["code"] == "INVALID_DATA"


def test_field_endpoints_refuse_bad_requests_and_change_nothing(server: ZohoServer) -> None:
    """No module, an unknown module, no fields, a name taken, a refused second field (the
    first is removed again), deleting a standard field: 400 each, the schema unchanged."""
    before = server.engine.schema("Leads")
    cases = [
        ("POST", "/crm/v8/settings/fields", {"fields": []}, "REQUIRED_PARAM_MISSING"),
        ("POST", "/crm/v8/settings/fields?module=Nope", {"fields": []}, "INVALID_MODULE"),
        ("POST", "/crm/v8/settings/fields?module=Leads", {"fields": []}, "INVALID_DATA"),
        (
            "POST",
            "/crm/v8/settings/fields?module=Leads",
            {"fields": [{"field_label": "Email", "data_type": "text"}]},
            "INVALID_DATA",
        ),
        (
            "POST",
            "/crm/v8/settings/fields?module=Leads",
            {
                "fields": [
                    {"field_label": "Fine", "data_type": "text"},
                    {"field_label": "Day", "data_type": "date", "unique": True},
                ]
            },
            "INVALID_DATA",
        ),
        (
            "POST",
            "/crm/v8/settings/fields?module=Leads",
            {"fields": [{"data_type": "text"}]},
            "INVALID_DATA",
        ),
        ("POST", "/crm/v8/settings/fields/123?module=Leads", None, "INVALID_REQUEST_METHOD"),
    ]
    for method, path, body, code in cases:
        status, _, answer = call(server, method, path, body)
        assert (status, answer["code"]) == (400, code), (path, body)
    _, _, listed = call(server, "GET", "/crm/v8/settings/fields?module=Leads")
    email_id = next(f["id"] for f in listed["fields"] if f["api_name"] == "Email")
    status, _, answer = call(server, "DELETE", f"/crm/v8/settings/fields/{email_id}?module=Leads")
    assert status == 400 and "not a custom field" in answer["message"]
    assert server.engine.schema("Leads") == before


def test_remove_field_refuses_what_zoho_does_not_delete() -> None:
    """Engine.remove_field: standard fields, unknown fields, a custom module's Name and a
    field made mandatory are refused; a removed unique field no longer matches."""
    engine = Engine()
    engine.add_field("Leads", "Code", "text", unique=True)
    engine.add_field("Leads", "Needed", "text")
    engine.set_mandatory("Leads", ["Last_Name", "Needed"])
    engine.add_module("Tickets")
    for module, name in (
        ("Leads", "Email"),
        ("Leads", "Nope"),
        ("Leads", "Needed"),
        ("Tickets", "Name"),
    ):
        with pytest.raises(ConfigurationError, match="not a custom field"):
            engine.remove_field(module, name)
    engine.load("Leads", [{"Last_Name": "A", "Needed": "y", "Code": "c1"}])
    engine.remove_field("Leads", "Code")
    response = engine.upsert("Leads", {"data": [{"Last_Name": "B", "Needed": "y", "Code": "c1"}]})
    assert response.body["data"][0]["action"] == "insert"
    assert engine.count("Leads") == 2
