"""Zoho's official Python SDK (zohocrmsdk8-0) against the fake server: what the SDK parsed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from zohocrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken
from zohocrmsdk.src.com.zoho.api.authenticator.store.token_store import TokenStore
from zohocrmsdk.src.com.zoho.crm.api.dc.data_center import DataCenter
from zohocrmsdk.src.com.zoho.crm.api.initializer import Initializer
from zohocrmsdk.src.com.zoho.crm.api.record import (
    ActionWrapper,
    APIException,
    BodyWrapper,
    Field,
    Record,
    RecordOperations,
    SuccessResponse,
)
from zohocrmsdk.src.com.zoho.crm.api.sdk_config import SDKConfig
from zohocrmsdk.src.com.zoho.crm.api.util import Choice

from upsert_engine.server import ZohoServer


class MemoryStore(TokenStore):
    """A token store in memory (the default FileStore writes ./sdk_tokens.txt)."""

    def __init__(self) -> None:
        self.tokens: list[Any] = []

    def find_token(self, token: Any) -> Any:
        return token if any(t is token for t in self.tokens) else None

    def save_token(self, token: Any) -> None:
        if not any(t is token for t in self.tokens):
            self.tokens.append(token)

    def delete_token(self, id: str) -> None:
        self.tokens = [t for t in self.tokens if t.get_id() != id]

    def get_tokens(self) -> list[Any]:
        return list(self.tokens)

    def delete_tokens(self) -> None:
        self.tokens = []

    def find_token_by_id(self, id: str) -> Any:
        return next((t for t in self.tokens if t.get_id() == id), None)


def _initialize(server: ZohoServer, work: Path, token: Any, **config: Any) -> None:
    base = server.url
    Initializer.initialize(
        environment=DataCenter.Environment(base, base + "/oauth/v2/token", base),
        token=token,
        store=MemoryStore(),
        sdk_config=SDKConfig(pick_list_validation=True, **config),
        resource_path=str(work),
    )


@pytest.fixture
def server(zoho_server: ZohoServer, tmp_path: Path) -> ZohoServer:
    """The fake (Leads.Mobile unique) with the SDK initialised on it: the notes' recipe."""
    zoho_server.engine.add_field("Leads", "Mobile", "phone", unique=True)
    token = OAuthToken(access_token=zoho_server.token, find_user=False)
    _initialize(zoho_server, tmp_path, token, auto_refresh_fields=False)
    return zoho_server


def _upsert(records: list[dict[str, Any]], check: list[str] | None = None) -> tuple[int, Any]:
    body = BodyWrapper()
    data = []
    for fields in records:
        record = Record()
        for name, value in fields.items():
            record.add_key_value(name, value)
        data.append(record)
    body.set_data(data)
    if check is not None:
        body.set_duplicate_check_fields(check)
    response = RecordOperations("Leads").upsert_records(body)
    assert response is not None and response.get_object() is not None
    return response.get_status_code(), response.get_object()


def _only(wrapper: Any) -> Any:
    assert isinstance(wrapper, ActionWrapper)
    (entry,) = wrapper.get_data()
    return entry


def test_sdk_insert(server: ZohoServer) -> None:
    """A new lead: SuccessResponse insert, no duplicate_field, the new record's id."""
    status, wrapper = _upsert([{"Last_Name": "Newton", "Email": "new@example.com"}])
    entry = _only(wrapper)
    assert status == 200 and isinstance(entry, SuccessResponse)
    assert (entry.get_action().get_value(), entry.get_duplicate_field()) == ("insert", None)
    assert entry.get_code().get_value() == "SUCCESS"
    assert entry.get_message().get_value() == "record added"
    (stored,) = server.engine.records("Leads")
    assert entry.get_details()["id"] == stored["id"]
    assert entry.get_details()["Created_By"].get_id() == int(server.engine.options.user.id)
    paths = [(e["method"], e["path"]) for e in server.requests]
    assert paths == [("GET", "/crm/v8/settings/fields"), ("POST", "/crm/v8/Leads/upsert")]


def test_sdk_update_via_email(server: ZohoServer) -> None:
    """An existing Email (another case) updates that lead: duplicate_field Email (R8, R10)."""
    (existing,) = server.engine.load("Leads", [{"Last_Name": "Old", "Email": "frey@sample.com"}])
    record = Record()
    record.add_field_value(Field.Leads.last_name(), "Frey")
    record.add_field_value(Field.Leads.email(), " FREY@Sample.com")
    record.add_field_value(Field.Leads.lead_status(), Choice("Contacted"))
    body = BodyWrapper()
    body.set_data([record])
    body.set_duplicate_check_fields(["Email", "Mobile"])
    body.set_trigger(["workflow"])
    response = RecordOperations("Leads").upsert_records(body)
    entry = _only(response.get_object())
    assert isinstance(entry, SuccessResponse)
    assert (entry.get_action().get_value(), entry.get_duplicate_field()) == ("update", "Email")
    assert entry.get_details()["id"] == existing
    assert server.engine.get("Leads", existing)["Lead_Status"] == "Contacted"


def test_sdk_update_via_unique_field(server: ZohoServer) -> None:
    """A matching user-defined unique field updates that lead: duplicate_field Mobile (R5)."""
    (existing,) = server.engine.load("Leads", [{"Last_Name": "Moss", "Mobile": "+1 555 0100"}])
    status, wrapper = _upsert(
        [{"Last_Name": "Moss", "Email": "moss@x.org", "Mobile": "+1 555 0100 "}], ["Mobile"]
    )
    entry = _only(wrapper)
    assert status == 200 and isinstance(entry, SuccessResponse)
    assert (entry.get_action().get_value(), entry.get_duplicate_field()) == ("update", "Mobile")
    assert entry.get_details()["id"] == existing
    assert server.engine.count("Leads") == 1


def test_sdk_duplicate_data(server: ZohoServer) -> None:
    """Matching A by Email while taking B's Mobile: APIException DUPLICATE_DATA naming B (R14)."""
    first, second = server.engine.load(
        "Leads",
        [
            {"Last_Name": "A", "Email": "a@x.org", "Mobile": "111"},
            {"Last_Name": "B", "Email": "b@x.org", "Mobile": "222"},
        ],
    )
    status, wrapper = _upsert(
        [
            {"Last_Name": "A", "Email": "a@x.org", "Mobile": "222"},
            {"Last_Name": "C", "Email": "c@x.org"},
        ]
    )
    error, inserted = wrapper.get_data()
    assert status == 207 and isinstance(inserted, SuccessResponse)
    assert isinstance(error, APIException)
    assert error.get_code().get_value() == "DUPLICATE_DATA"
    assert error.get_status().get_value() == "error"
    details = error.get_details()
    assert (details["api_name"], details["json_path"]) == ("Mobile", "$.data[0].Mobile")
    assert details["duplicate_record"].get_id() == int(second)
    assert details["duplicate_record"].get_module().get_api_name() == "Leads"
    assert server.engine.get("Leads", first)["Mobile"] == "111"


def test_sdk_over_limit(server: ZohoServer) -> None:
    """101 records: a top-level APIException LIMIT_EXCEEDED, nothing written (R19)."""
    status, error = _upsert([{"Last_Name": f"L{i}"} for i in range(101)])
    assert status == 400 and isinstance(error, APIException)
    assert error.get_code().get_value() == "LIMIT_EXCEEDED"
    assert error.get_details() == {"limit": 100}
    assert server.engine.count("Leads") == 0


def test_sdk_refresh_token_user_and_all_metadata(zoho_server: ZohoServer, tmp_path: Path) -> None:
    """Refresh flow, find_user and auto_refresh_fields: token, users, org, every module's fields."""
    token = OAuthToken(
        client_id=zoho_server.client_id,
        client_secret=zoho_server.client_secret,
        refresh_token="probe-refresh-token",
    )
    _initialize(zoho_server, tmp_path, token, auto_refresh_fields=True)
    status, wrapper = _upsert([{"Last_Name": "Newton", "Email": "n@x.org"}])
    assert status == 200 and _only(wrapper).get_action().get_value() == "insert"
    log = zoho_server.requests
    assert all(entry["status"] == 200 for entry in log)
    paths = [entry["path"] for entry in log]
    assert paths[:3] == ["/oauth/v2/token", "/crm/v8/users", "/crm/v8/org"]
    assert paths[-1] == "/crm/v8/Leads/upsert"
    fetched = {entry["query"].removeprefix("module=") for entry in log[3:-1]} - {""}
    assert fetched == set(zoho_server.engine.modules())  # every module's metadata parsed
