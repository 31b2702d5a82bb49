"""Issue 11 items 1, 2, 3 and 9: OAuth parameters in the query string, field metadata shaped
per API version with Zoho's full key set, and request-log headers with the token masked."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from upsert_engine.errors import ConfigurationError
from upsert_engine.server import ZohoServer
from upsert_engine.server.fieldmeta import V2_KEYS, V8_KEYS, shape_field

from .server_support import call

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_oauth_reads_the_query_string_and_the_form(zoho_server: ZohoServer) -> None:
    """Item 1: parameters in the query (Zoho's documented form), in the body, or split."""
    client = {"client_id": zoho_server.client_id, "client_secret": zoho_server.client_secret}
    query = urlencode({"grant_type": "refresh_token", "refresh_token": "r", **client})
    status, _, token = call(zoho_server, "POST", f"/oauth/v2/token?{query}", auth=False)
    assert status == 200 and token["access_token"] == zoho_server.token
    half = urlencode(
        {"grant_type": "refresh_token", "refresh_token": "r", "client_id": zoho_server.client_id}
    )
    body = urlencode({"client_secret": zoho_server.client_secret}).encode()
    path = f"/oauth/v2/token?{half}"
    assert call(zoho_server, "POST", path, raw=body, headers=FORM, auth=False)[0] == 200
    wrong = urlencode({"client_secret": "nope"}).encode()  # the body's value wins
    query = urlencode({"grant_type": "refresh_token", **client})
    status, _, answer = call(
        zoho_server, "POST", f"/oauth/v2/token?{query}", raw=wrong, headers=FORM, auth=False
    )
    assert (status, answer) == (400, {"error": "invalid_client"})
    status, _, answer = call(zoho_server, "POST", "/oauth/v2/token?grant_type=x", auth=False)
    assert (status, answer) == (400, {"error": "unsupported_grant_type"})


@pytest.mark.parametrize(
    "grant",
    [
        {"grant_type": "refresh_token"},
        {"grant_type": "refresh_token", "refresh_token": ""},
        {"grant_type": "refresh_token", "refresh_token": "  "},
        {"grant_type": "authorization_code"},
        {"grant_type": "authorization_code", "code": ""},
    ],
)
def test_a_grant_without_its_code_or_refresh_token_gets_invalid_code(
    zoho_server: ZohoServer, grant: dict[str, str]
) -> None:
    """F1: Zoho Accounts answers a refresh without a (valid) refresh token, or a code grant
    without a code, with HTTP 200 and ``{"error": "invalid_code"}`` and no token (seen by
    clients: github.com/Weble/ZohoBooksApi issue 84, zoho/zcrm-csharp-sdk issue 7); so sync code
    that loses its refresh token fails against the fake as against Zoho."""
    client = {"client_id": zoho_server.client_id, "client_secret": zoho_server.client_secret}
    body = urlencode({**grant, **client}).encode()
    status, _, answer = call(
        zoho_server, "POST", "/oauth/v2/token", raw=body, headers=FORM, auth=False
    )
    assert (status, answer) == (200, {"error": "invalid_code"})
    with_it = {**grant, "refresh_token": "r", "code": "c"}
    body = urlencode({**with_it, **client}).encode()
    status, _, token = call(
        zoho_server, "POST", "/oauth/v2/token", raw=body, headers=FORM, auth=False
    )
    assert status == 200 and token["access_token"] == zoho_server.token


def test_lookup_module_is_a_string_on_v2_and_an_object_later(zoho_server: ZohoServer) -> None:
    """Item 2: v2/v2.1 ``lookup.module`` is the API name; v3+ Zoho's ``{api_name, id}``."""
    modules = {
        m["api_name"]: m["id"]
        for m in call(zoho_server, "GET", "/crm/v8/settings/modules")[2]["modules"]
    }
    for version, expected in (
        ("v2", "Accounts"),
        ("v2.1", "Accounts"),
        ("v3", {"api_name": "Accounts", "id": modules["Accounts"]}),
        ("v8", {"api_name": "Accounts", "id": modules["Accounts"]}),
    ):
        path = f"/crm/{version}/settings/fields?module=Contacts"
        fields = {f["api_name"]: f for f in call(zoho_server, "GET", path)[2]["fields"]}
        assert fields["Account_Name"]["lookup"]["module"] == expected, version
        assert fields["Last_Name"]["lookup"] == {}, version


def test_every_field_has_the_full_key_set(zoho_server: ZohoServer) -> None:
    """Item 3: every key of the version's field object, empty where it does not apply;
    ``length`` on every field, Leads' system fields and typed fields included."""
    for version, keys in (("v2", V2_KEYS), ("v8", V8_KEYS)):
        path = f"/crm/{version}/settings/fields?module=Leads"
        fields = call(zoho_server, "GET", path)[2]["fields"]
        for field in fields:
            assert set(keys) <= set(field), (version, field["api_name"], set(keys) - set(field))
            assert isinstance(field["length"], int) and field["length"] > 0, field["api_name"]
            assert isinstance(field["pick_list_values"], list)
            assert isinstance(field["currency"], dict) and isinstance(field["lookup"], dict)
        by_name = {f["api_name"]: f for f in fields}
        assert by_name["No_of_Employees"]["length"] == 9  # R15: 9 digits
        assert by_name["Annual_Revenue"]["currency"] == {
            "rounding_option": "normal",
            "precision": 2,
        }
        assert by_name["Last_Name"]["length"] == 80  # the field's own length is kept


def test_picklist_values_are_shaped_like_zohos() -> None:
    """Item 3: configured picklist values become ``pick_list_values`` entries."""
    entry = {"api_name": "Lead_Status", "data_type": "picklist", "id": "5725767000000010011"}
    shaped = shape_field(entry, "v8", ["Contacted", "Lost"])
    values = shaped["pick_list_values"]
    assert [(v["display_value"], v["actual_value"]) for v in values] == [
        ("Contacted", "Contacted"),
        ("Lost", "Lost"),
    ]
    assert all(v["id"].isdigit() for v in values) and len({v["id"] for v in values}) == 2
    assert shape_field(entry, "v8")["pick_list_values"] == []


def test_request_log_keeps_headers_with_the_token_masked(zoho_server: ZohoServer) -> None:
    """Item 9: each entry has the request's headers; the token never appears in the log."""
    call(zoho_server, "GET", "/crm/v8/org", headers={"X-Trace": "t-1"})
    call(zoho_server, "GET", "/crm/v8/org", auth=False)
    first, second = zoho_server.requests
    assert first["headers"]["authorization"] == "Zoho-oauthtoken ***"
    assert first["headers"]["x-trace"] == "t-1" and "host" in first["headers"]
    assert "authorization" not in second["headers"]
    log = call(zoho_server, "GET", "/__admin/requests", auth=False)[2]
    assert zoho_server.token not in str(log) and log["requests"] == zoho_server.requests


def test_oauth_reads_a_multipart_form(zoho_server: ZohoServer) -> None:
    """Item 1: Zoho's Node SDK posts the token form as multipart/form-data."""
    boundary = "xyz"
    fields = {
        "client_id": zoho_server.client_id,
        "client_secret": zoho_server.client_secret,
        "grant_type": "refresh_token",
        "refresh_token": "r",
    }
    body = (
        "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
            for k, v in fields.items()
        )
        + f"--{boundary}--\r\n"
    )
    kind = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    status, _, token = call(
        zoho_server, "POST", "/oauth/v2/token", raw=body.encode(), headers=kind, auth=False
    )
    assert status == 200 and token["access_token"] == zoho_server.token


def test_add_field_takes_pick_list_values(zoho_server: ZohoServer) -> None:
    """Item 3: ``add_field(pick_list_values=)`` is what field metadata lists; writes still take
    any value (R15); the values survive ``to_json`` and ``--schema``; bad ones are refused."""
    engine = zoho_server.engine
    engine.add_field("Leads", "Lead_Status", "picklist", pick_list_values=["New", "Lost"])
    fields = call(zoho_server, "GET", "/crm/v8/settings/fields?module=Leads")[2]["fields"]
    status = next(f for f in fields if f["api_name"] == "Lead_Status")
    assert [v["display_value"] for v in status["pick_list_values"]] == ["New", "Lost"]
    body = {"data": [{"Last_Name": "A", "Lead_Status": "Other"}]}
    assert call(zoho_server, "POST", "/crm/v8/Leads/upsert", body)[0] == 200
    saved = engine.schema("Leads").to_json()
    assert next(f for f in saved["fields"] if f["api_name"] == "Lead_Status")[
        "pick_list_values"
    ] == ["New", "Lost"]
    for bad in (["New", "New"], ["", "x"], "New"):
        with pytest.raises(ConfigurationError):
            engine.add_field("Leads", "Rating", "picklist", pick_list_values=bad)
    with pytest.raises(ConfigurationError):
        engine.add_field("Leads", "Designation", "text", pick_list_values=["x"])
