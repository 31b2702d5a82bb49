"""Zoho's v8 Python SDK (zohocrmsdk8-0) reading from the fake: get, list with page tokens,
search, COQL, and an SDK refusal the fake answers as Zoho does (fields missing on a list)."""

from __future__ import annotations

import pytest

pytest.importorskip("zohocrmsdk", reason="Zoho's SDK: pip install 'upsert_engine[sdk]'")

from zohocrmsdk.src.com.zoho.crm.api import ParameterMap
from zohocrmsdk.src.com.zoho.crm.api.coql import BodyWrapper as CoqlBody
from zohocrmsdk.src.com.zoho.crm.api.coql import CoqlOperations
from zohocrmsdk.src.com.zoho.crm.api.record import (
    APIException,
    GetRecordsParam,
    RecordOperations,
    ResponseWrapper,
    SearchRecordsParam,
)

from upsert_engine.server import ZohoServer

from .test_server_sdk import server  # noqa: F401  (the fixture: the SDK initialised on the fake)


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
