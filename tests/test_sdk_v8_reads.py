"""Zoho's v8 Python SDK (zohocrmsdk8-0) reading from the fake: get, list with page tokens,
search, COQL, and an SDK refusal the fake answers as Zoho does (fields missing on a list)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from zohocrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken
from zohocrmsdk.src.com.zoho.crm.api import ParameterMap
from zohocrmsdk.src.com.zoho.crm.api.coql import BodyWrapper as CoqlBody
from zohocrmsdk.src.com.zoho.crm.api.coql import CoqlOperations
from zohocrmsdk.src.com.zoho.crm.api.exception import SDKException
from zohocrmsdk.src.com.zoho.crm.api.record import (
    APIException,
    BodyWrapper,
    Field,
    GetRecordsParam,
    Record,
    RecordOperations,
    ResponseWrapper,
    SearchRecordsParam,
)
from zohocrmsdk.src.com.zoho.crm.api.util import Choice

from upsert_engine.server import ZohoServer

from .test_server_sdk import (
    _initialize,
    server,  # noqa: F401  (the fixture: the SDK initialised on the fake)
)


def test_get_list_with_tokens_search_and_coql(server: ZohoServer) -> None:  # noqa: F811
    """Three records: get one, walk the list one per page by next_page_token, search, COQL."""
    server.engine.load("Leads", [{"Last_Name": name} for name in ("Ames", "Bell", "Cole")])
    ids = [r["id"] for r in server.engine.records("Leads")]
    operations = RecordOperations("Leads")
    got = operations.get_record(int(ids[1])).get_object()
    assert isinstance(got, ResponseWrapper)
    assert got.get_data()[0].get_key_value("Last_Name") == "Bell"

    seen, token = [], None
    while True:
        params = ParameterMap()
        params.add(GetRecordsParam.fields, "Last_Name")
        params.add(GetRecordsParam.per_page, 1)
        if token is not None:
            params.add(GetRecordsParam.page_token, token)
        page = operations.get_records(params).get_object()
        assert isinstance(page, ResponseWrapper), vars(page)
        seen += [r.get_key_value("Last_Name") for r in page.get_data()]
        info = page.get_info()
        token = info.get_next_page_token()
        if not info.get_more_records():
            break
    assert seen == ["Cole", "Bell", "Ames"]  # id descending, Zoho's default

    params = ParameterMap()
    params.add(SearchRecordsParam.criteria, "(Last_Name:in:Ames,Cole)")
    found = operations.search_records(params).get_object()
    assert [r.get_key_value("Last_Name") for r in found.get_data()] == ["Cole", "Ames"]

    body = CoqlBody()
    body.set_select_query("select Last_Name from Leads where Last_Name like 'B%'")
    answer = CoqlOperations().get_records(body).get_object()
    assert [r.get_key_value("Last_Name") for r in answer.get_data()] == ["Bell"]

    missing = operations.get_records(ParameterMap()).get_object()  # v8 needs fields
    assert isinstance(missing, APIException)
    assert missing.get_code().get_value() == "REQUIRED_PARAM_MISSING"


def test_configured_picklist_values_drive_the_sdks_check(
    zoho_server: ZohoServer, tmp_path: Path
) -> None:
    """Item 3 through the SDK: with ``pick_list_validation=True`` the SDK accepts a configured
    value and refuses another before sending anything (it reads pick_list_values)."""
    zoho_server.engine.add_field(
        "Leads", "Lead_Status", "picklist", pick_list_values=["Contacted", "Lost"]
    )
    token = OAuthToken(access_token=zoho_server.token, find_user=False)
    _initialize(zoho_server, tmp_path, token, auto_refresh_fields=False)

    def upsert(status: str) -> Any:
        record = Record()
        record.add_field_value(Field.Leads.last_name(), "Newton")
        record.add_field_value(Field.Leads.lead_status(), Choice(status))
        body = BodyWrapper()
        body.set_data([record])
        return RecordOperations("Leads").upsert_records(body)

    assert upsert("Contacted").get_object().get_data()[0].get_code().get_value() == "SUCCESS"
    with pytest.raises(SDKException) as caught:
        upsert("Cold")
    assert "UNACCEPTED VALUES" in str(caught.value)
    assert zoho_server.engine.count("Leads") == 1
