"""Zoho's v2 Python SDK (zohocrmsdk2-0, import ``zcrmsdk``) against the fake server.

What it verifies (issue 11, "Tests and coverage table"): the refresh-token flow on
``/oauth/v2/token``; field metadata it parses and caches (v2 ``lookup.module`` as a string:
with an object it fetched ``settings/fields?module=%7B'api_name'...`` and failed, item 2);
upsert insert, update and DUPLICATE_DATA on Contacts with a lookup to Accounts; get one
record, list, search; Leads with ``auto_refresh_fields=True`` (settings/modules first).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from zcrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken
from zcrmsdk.src.com.zoho.api.authenticator.store.token_store import TokenStore
from zcrmsdk.src.com.zoho.api.logger import Logger
from zcrmsdk.src.com.zoho.crm.api import HeaderMap, ParameterMap
from zcrmsdk.src.com.zoho.crm.api.dc.data_center import DataCenter
from zcrmsdk.src.com.zoho.crm.api.fields import FieldsOperations
from zcrmsdk.src.com.zoho.crm.api.initializer import Initializer
from zcrmsdk.src.com.zoho.crm.api.record import (
    APIException,
    BodyWrapper,
    Field,
    GetRecordsParam,
    Record,
    RecordOperations,
    SearchRecordsParam,
    SuccessResponse,
)
from zcrmsdk.src.com.zoho.crm.api.sdk_config import SDKConfig
from zcrmsdk.src.com.zoho.crm.api.user_signature import UserSignature

from upsert_engine.server import ZohoServer


class MemoryStore(TokenStore):
    """Tokens in memory (the default FileStore writes files)."""

    def __init__(self) -> None:
        self.tokens: list[Any] = []

    def get_token(self, user: Any, token: Any) -> Any:
        return next((t for t in self.tokens if t is token), None)

    def save_token(self, user: Any, token: Any) -> None:
        if not any(t is token for t in self.tokens):
            self.tokens.append(token)

    def delete_token(self, token: Any) -> None:
        self.tokens = [t for t in self.tokens if t is not token]

    def get_tokens(self) -> list[Any]:
        return list(self.tokens)

    def delete_tokens(self) -> None:
        self.tokens = []

    def get_token_by_id(self, id: str, token: Any) -> Any:
        return None


def initialize(server: ZohoServer, work: Path, **config: Any) -> None:
    """The v2 recipe: a 4-argument Environment and a UserSignature; refresh-token flow."""
    base = server.url
    Initializer.initialize(
        user=UserSignature("probe.user@example.com"),
        environment=DataCenter.Environment(base, base + "/oauth/v2/token", base, "FAKE"),
        token=OAuthToken(
            client_id=server.client_id, client_secret=server.client_secret, refresh_token="r"
        ),
        store=MemoryStore(),
        sdk_config=SDKConfig(pick_list_validation=False, **config),
        resource_path=str(work),
        # without a logger the v2 SDK appends to ./sdk_logs.log in the working directory
        logger=Logger.get_instance(Logger.Levels.INFO, str(work / "sdk.log")),
    )


@pytest.fixture
def server(zoho_server: ZohoServer, tmp_path: Path) -> ZohoServer:
    """The fake with Contacts.Mobile unique and the v2 SDK initialised on it."""
    zoho_server.engine.add_field("Contacts", "Mobile", "phone", unique=True)
    initialize(zoho_server, tmp_path, auto_refresh_fields=False)
    return zoho_server


def upsert(module: str, records: list[Record]) -> list[Any]:
    """Upsert through the SDK; the parsed entries (SuccessResponse / APIException)."""
    body = BodyWrapper()
    body.set_data(records)
    response = RecordOperations().upsert_records(module, body, HeaderMap())
    assert response is not None and response.get_object() is not None
    return list(response.get_object().get_data())


def contact(last: str, email: str, mobile: str | None = None, account: str | None = None) -> Record:
    """A Contacts record; ``account`` is the id of the looked-up Account."""
    record = Record()
    record.add_field_value(Field.Contacts.last_name(), last)
    record.add_field_value(Field.Contacts.email(), email)
    if mobile is not None:
        record.add_field_value(Field.Contacts.mobile(), mobile)
    if account is not None:
        target = Record()
        target.set_id(int(account))
        record.add_field_value(Field.Contacts.account_name(), target)
    return record


def test_contacts_upsert_with_a_lookup(server: ZohoServer) -> None:
    """Insert, update via Email, DUPLICATE_DATA on Mobile; the lookup reaches the engine."""
    account = Record()
    account.add_field_value(Field.Accounts.account_name(), "Acme")
    [made] = upsert("Accounts", [account])
    account_id = made.get_details()["id"]
    first = upsert(
        "Contacts",
        [contact("Frey", "frey@x.org", "555 0100", account_id), contact("Moss", "m@x.org")],
    )
    assert isinstance(first[0], SuccessResponse)
    assert (first[0].get_code().get_value(), first[0].get_message().get_value()) == (
        "SUCCESS",
        "record added",
    )
    # Moss is found by Email (R10); its new Mobile is Frey's: DUPLICATE_DATA (R14)
    again = upsert(
        "Contacts", [contact("Frey", "FREY@x.org"), contact("Moss", "m@x.org", "555 0100")]
    )
    assert again[0].get_message().get_value() == "record updated"
    assert isinstance(again[1], APIException)
    assert again[1].get_code().get_value() == "DUPLICATE_DATA"
    assert again[1].get_details()["api_name"] == "Mobile"
    stored = next(server.engine.records("Contacts"))
    assert str(stored["Account_Name"]["id"]) == account_id
    paths = [(e["method"], e["path"], e["query"]) for e in server.requests]
    assert paths[0] == ("POST", "/oauth/v2/token", "")
    assert ("GET", "/crm/v2/settings/fields", "module=Contacts") in paths
    assert all("%7B" not in query for _, _, query in paths)  # item 2: no object as a name


def test_get_list_search_and_fields(server: ZohoServer) -> None:
    """get_record, get_records (page, per_page), search_records, FieldsOperations."""
    upsert("Contacts", [contact("Frey", "frey@x.org"), contact("Moss", "moss@x.org")])
    ids = [r["id"] for r in server.engine.records("Contacts")]
    response = RecordOperations().get_record(int(ids[0]), "Contacts", ParameterMap(), HeaderMap())
    [one] = response.get_object().get_data()
    assert (str(one.get_id()), one.get_key_value("Last_Name")) == (ids[0], "Frey")
    params = ParameterMap()
    params.add(GetRecordsParam.per_page, 1)
    listed = RecordOperations().get_records("Contacts", params, HeaderMap()).get_object()
    assert [str(r.get_id()) for r in listed.get_data()] == [ids[1]]  # newest first
    assert listed.get_info().get_more_records() is True
    params = ParameterMap()
    params.add(SearchRecordsParam.criteria, "(Last_Name:starts_with:Mo)")
    found = RecordOperations().search_records("Contacts", params, HeaderMap()).get_object()
    assert [r.get_key_value("Last_Name") for r in found.get_data()] == ["Moss"]
    fields = FieldsOperations("Contacts").get_fields(ParameterMap()).get_object().get_fields()
    by_name = {f.get_api_name(): f for f in fields}
    assert by_name["Account_Name"].get_lookup().get_module() == "Accounts"
    assert by_name["Last_Name"].get_length() == 80


def test_leads_with_auto_refresh_fields(zoho_server: ZohoServer, tmp_path: Path) -> None:
    """``auto_refresh_fields=True``: modules first, then the fields of every module; then the
    upsert parses."""
    initialize(zoho_server, tmp_path, auto_refresh_fields=True)
    lead = Record()
    lead.add_field_value(Field.Leads.last_name(), "Newton")
    lead.add_field_value(Field.Leads.email(), "new@x.org")
    [entry] = upsert("Leads", [lead])
    assert entry.get_code().get_value() == "SUCCESS"
    paths = [(e["path"], e["query"]) for e in zoho_server.requests]
    assert ("/crm/v2/settings/modules", "") in paths
    fetched = {q.removeprefix("module=") for p, q in paths if p.endswith("settings/fields")}
    assert {"Leads", "Contacts", "Accounts"} <= fetched
