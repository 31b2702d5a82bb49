"""Zoho's Node SDK (``@zohocrm/nodejs-sdk-8.0``) against the fake server, through node.

The test installs the package with npm into a temporary folder (once per session) and runs
``tests/node/sdk8_probe.mjs``, which prints what the SDK parsed. It skips only where ``node``
or ``npm`` is absent. What it verifies: the refresh-token flow (the Node SDK posts
multipart/form-data to the token endpoint), the users and org calls of ``findUser``, field
metadata, upsert insert / update / DUPLICATE_DATA, get, list (with the v8 ``info`` block),
search.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from upsert_engine.server import ZohoServer

PROBE = Path(__file__).with_name("node") / "sdk8_probe.mjs"
PACKAGE = "@zohocrm/nodejs-sdk-8.0@2"


@pytest.fixture(scope="session")
def node_sdk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the Node SDK installed and the probe script in it."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to run Zoho's Node SDK; not found on PATH")
    folder = tmp_path_factory.mktemp("node-sdk")
    (folder / "package.json").write_text('{"name": "probe", "private": true, "type": "module"}')
    install = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", PACKAGE],
        check=False,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, f"npm install {PACKAGE} failed:\n{install.stderr[-2000:]}"
    shutil.copy(PROBE, folder / PROBE.name)
    return folder


def run_probe(folder: Path, server: ZohoServer, work: Path) -> dict[str, Any]:
    """Run the probe against ``server``; its JSON output."""
    done = subprocess.run(
        ["node", PROBE.name, server.url, server.client_id, server.client_secret, str(work)],
        check=False,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout, f"the probe printed nothing; stderr:\n{done.stderr[-2000:]}"
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert done.returncode == 0 and "error" not in out, out.get("stack") or out
    return out


def test_node_sdk_upserts_reads_and_searches(
    node_sdk: Path, zoho_server: ZohoServer, tmp_path: Path
) -> None:
    """Everything the probe does parses as Zoho's answers would."""
    zoho_server.engine.add_field("Leads", "Mobile", "phone", unique=True)
    out = run_probe(node_sdk, zoho_server, tmp_path)
    ids = [r["id"] for r in zoho_server.engine.records("Leads")]
    assert out["insert"]["status"] == 200
    assert [(e["kind"], e["action"]) for e in out["insert"]["entries"]] == [
        ("SuccessResponse", "insert"),
        ("SuccessResponse", "insert"),
    ]
    assert [e["details"]["id"] for e in out["insert"]["entries"]] == ids
    assert out["update"]["status"] == 207
    first, second = out["update"]["entries"]
    assert (first["kind"], first["message"]) == ("SuccessResponse", "record updated")
    assert (second["kind"], second["code"]) == ("APIException", "DUPLICATE_DATA")
    assert second["details"]["api_name"] == "Mobile"
    assert out["get"] == [{"id": ids[0], "last": "Frey"}]
    assert out["list"] == {"names": ["Moss"], "more": True, "sortBy": "id", "nextToken": "string"}
    assert out["search"] == ["Moss"]
    assert out["fields"]["Last_Name"] == {"type": "text", "length": 80}
    assert out["fields"]["No_of_Employees"] == {"type": "integer", "length": 9}
    calls = [(e["method"], e["path"], e["status"]) for e in zoho_server.requests]
    assert calls[:3] == [
        ("POST", "/oauth/v2/token", 200),
        ("GET", "/crm/v8/users", 200),
        ("GET", "/crm/v8/org", 200),
    ]
    token_request = zoho_server.requests[0]
    assert token_request["headers"]["content-type"].startswith("multipart/form-data")
    assert all(status < 300 for _, _, status in calls)
