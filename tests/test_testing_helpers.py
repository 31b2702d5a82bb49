"""Issue 12 item 8: the contract ships in docs/ and the sdist; the public testing helpers."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from upsert_engine import Engine, Options
from upsert_engine.reference import ReferenceEngine
from upsert_engine.responses import Response
from upsert_engine.testing.compare import (
    assert_same_response,
    normalized,
    response_differences,
)

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "UPSERT-SEMANTICS.md"


def _shared_spec() -> Path | None:
    """The project's spec beside the repository (../shared/spec), where the checkout has one."""
    for base in (ROOT.parent, ROOT.parent.parent):
        candidate = base / "shared" / "spec" / "UPSERT-SEMANTICS.md"
        if candidate.is_file():
            return candidate
    return None


def test_contract_is_in_docs_and_in_step_with_the_spec() -> None:
    """docs/UPSERT-SEMANTICS.md holds the contract (R1-R36) and equals ../shared/spec's copy."""
    text = DOC.read_text(encoding="utf-8")
    assert "**R1**" in text and "**R36**" in text
    spec = _shared_spec()
    if spec is None:
        pytest.skip("no ../shared/spec beside this checkout")
    assert text == spec.read_text(encoding="utf-8"), "docs/ is out of step: copy the spec again"


def test_readme_links_the_contract_in_docs() -> None:
    """The README points at the contract inside the repository, not outside it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/UPSERT-SEMANTICS.md)" in readme
    assert "Test your own implementation against the reference" in readme


def test_sdist_ships_the_contract_and_the_examples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The source distribution carries docs/UPSERT-SEMANTICS.md (byte for byte) and examples/."""
    from setuptools import build_meta

    monkeypatch.chdir(ROOT)
    name = build_meta.build_sdist(str(tmp_path))
    with tarfile.open(tmp_path / name) as archive:
        members = {m.name.split("/", 1)[1]: m for m in archive.getmembers() if "/" in m.name}
        assert "docs/UPSERT-SEMANTICS.md" in members
        shipped = archive.extractfile(members["docs/UPSERT-SEMANTICS.md"])
        assert shipped is not None and shipped.read() == DOC.read_bytes()
        assert "examples/leads-export.csv" in members


def test_testing_extra_brings_hypothesis() -> None:
    """pyproject's `testing` extra names hypothesis (for upsert_engine.testing.strategies)."""
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extras = data["project"]["optional-dependencies"]
    assert any(req.startswith("hypothesis") for req in extras["testing"])
    assert any(req.startswith("openpyxl") for req in extras["xlsx"])


def _body() -> dict[str, object]:
    return {
        "data": [
            {"Last_Name": "Frey", "Email": "frey@x.com"},
            {"Last_Name": "Frey", "Email": "FREY@x.com", "Mobile": "555"},
            {"Email": "new@x.com"},
        ]
    }


def test_engine_and_reference_agree_ids_and_times_aside() -> None:
    """Two implementations with other id sources and clocks give equal normalised answers;
    a second request (updates) compared with a fresh org's first (inserts) differs."""
    mine = Engine(ids=lambda n: str(9000 + n))
    reference = ReferenceEngine()
    first = reference.upsert("Leads", _body())
    assert_same_response(first, mine.upsert("Leads", _body()))
    again = reference.upsert("Leads", _body())
    differences = response_differences(Engine(Options()).upsert("Leads", _body()), again)
    assert "$.data[0].action: expected 'insert', got 'update'" in differences


def test_an_id_pointing_elsewhere_is_a_difference() -> None:
    """Ids are renamed consistently, not dropped: an update of another record is reported."""
    first = {"data": [{"details": {"id": "1"}}, {"details": {"id": "1"}}]}
    second = {"data": [{"details": {"id": "7"}}, {"details": {"id": "8"}}]}
    assert response_differences(first, second) == [
        "$.data[1].details.id: expected '<id 1>', got '<id 2>'"
    ]
    assert normalized(second)["data"][1]["details"]["id"] == "<id 2>"


def test_status_types_and_missing_keys_are_differences() -> None:
    """Status, a JSON type (1 vs 1.0), a missing and an extra key are each named."""
    a = Response(200, {"data": [{"code": "SUCCESS", "n": 1, "Created_Time": "t1"}]})
    b = (207, {"data": [{"n": 1.0, "x": None, "Created_Time": "t2"}]})
    assert response_differences(a, b) == [
        "status: expected 200, got 207",
        "$.data[0].code: missing (expected 'SUCCESS')",
        "$.data[0].n: expected 1, got 1.0",
        "$.data[0].x: unexpected None",
    ]
    with pytest.raises(AssertionError, match="differ"):
        assert_same_response(a, b)
