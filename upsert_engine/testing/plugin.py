"""The pytest plugin: a ``zoho_server`` fixture serving a fresh fake Zoho CRM to each test.

One server runs per test session (started on first use, on 127.0.0.1 and a free port); the
``zoho_server`` fixture resets it (fresh org, empty request log) before each test. Configure
the org in ``pytest.ini``/``pyproject.toml`` (``zoho_server_unique``, ``zoho_server_schema``,
``zoho_server_store``, ``zoho_server_token``) or override the session fixture
``zoho_engine_factory`` in a conftest.py. Hypothesis is not imported here.

Fault injection for retry logic (issue 11 item 8): mark a test
``@pytest.mark.zoho_fault(path="/crm/*/Leads/upsert", count=2, status=429)`` (or
``delay_ms=``) and ``zoho_server`` answers the next matching requests so;
``@pytest.mark.zoho_concurrency(edition="standard")`` (or ``limit=``, ``path=``) caps the
requests in flight. Both apply after the reset, for that test only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest

from ..server import DEFAULT_TOKEN, EngineFactory, ZohoServer, engine_factory, read_store


def pytest_configure(config: pytest.Config) -> None:
    """Register the fault markers."""
    config.addinivalue_line(
        "markers", "zoho_fault(**fault): make zoho_server fail or delay matching requests"
    )
    config.addinivalue_line(
        "markers", "zoho_concurrency(**limit): cap zoho_server's requests in flight"
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ini options that configure the fake org."""
    parser.addini(
        "zoho_server_unique",
        type="args",
        default=[],
        help="fields the fake Zoho org makes unique, e.g. Leads.Mobile:phone",
    )
    parser.addini("zoho_server_schema", default="", help="JSON schema file for the fake org")
    parser.addini("zoho_server_store", default="", help="JSONL records loaded at every reset")
    parser.addini("zoho_server_token", default=DEFAULT_TOKEN, help="the fake's access token")


def _path(config: pytest.Config, name: str) -> str:
    value = str(config.getini(name) or "")
    return os.path.join(str(config.rootpath), value) if value else ""


@pytest.fixture(scope="session")
def zoho_engine_factory(pytestconfig: pytest.Config) -> EngineFactory:
    """Makes the fake's org at every reset; override it to configure the org in code."""
    schema_path = _path(pytestconfig, "zoho_server_schema")
    store_path = _path(pytestconfig, "zoho_server_store")
    schema = None
    if schema_path:
        with open(schema_path, encoding="utf-8-sig") as handle:
            schema = json.load(handle)
    return engine_factory(
        unique=list(pytestconfig.getini("zoho_server_unique")),
        schema=schema,
        store=read_store(store_path) if store_path else (),
    )


@pytest.fixture(scope="session")
def zoho_server_session(
    pytestconfig: pytest.Config, zoho_engine_factory: EngineFactory
) -> Iterator[ZohoServer]:
    """The session's one server (not reset between tests: use ``zoho_server``)."""
    token = str(pytestconfig.getini("zoho_server_token") or DEFAULT_TOKEN)
    with ZohoServer(zoho_engine_factory, token=token) as server:
        yield server


@pytest.fixture
def zoho_server(zoho_server_session: ZohoServer, request: pytest.FixtureRequest) -> ZohoServer:
    """A fake Zoho CRM, freshly reset: ``.url``, ``.token``, ``.engine``, ``.requests``.

    The test's ``zoho_fault`` and ``zoho_concurrency`` markers apply after the reset.
    """
    zoho_server_session.reset()
    for marker in reversed(list(request.node.iter_markers("zoho_fault"))):
        zoho_server_session.inject(**marker.kwargs)
    for marker in request.node.iter_markers("zoho_concurrency"):
        zoho_server_session.limit_concurrency(**marker.kwargs)
    return zoho_server_session
