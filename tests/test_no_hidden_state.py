"""R16 and the dry-run promise, down to the counters and indexes no response shows."""

from __future__ import annotations

from upsert_engine import Engine, Options
from upsert_engine.reference import ReferenceEngine


def test_rejected_request_leaves_the_clock_alone() -> None:
    """R16: a request whose every record fails changes no later timestamp or id."""
    engine, fresh = Engine(), Engine()
    assert engine.upsert("Leads", {"data": [{"Last_Name": "A", "Email": "bad"}]}).status == 400
    body = {"data": [{"Last_Name": "B", "Email": "b@x.io"}]}
    assert engine.upsert("Leads", body) == fresh.upsert("Leads", body)


def test_reference_model_leaves_the_clock_alone_too() -> None:
    """R16: the reference model agrees after a fully rejected request."""
    engine, reference = Engine(), ReferenceEngine()
    bad = {"data": [{"Email": "a@x.io"}]}  # no Last_Name: MANDATORY_NOT_FOUND
    good = {"data": [{"Last_Name": "B", "Email": "b@x.io"}]}
    for body in (bad, good):
        assert engine.upsert("Leads", body) == reference.upsert("Leads", body)


def test_failed_delete_leaves_the_clock_alone() -> None:
    """R16: deleting only unknown ids changes nothing, the clock included."""
    engine, fresh = Engine(), Engine()
    assert engine.delete("Leads", ["1"]).status == 400
    body = {"data": [{"Last_Name": "B"}]}
    assert engine.upsert("Leads", body) == fresh.upsert("Leads", body)


def test_dry_run_on_a_non_unique_field_builds_no_index() -> None:
    """R7 match: plan and explain scan instead of indexing, and still answer like upsert."""
    engine = Engine(Options(non_unique_check_field="match"))
    engine.load("Leads", [{"Last_Name": "A", "Company": "ACME "}])
    body = {"data": [{"Last_Name": "B", "Company": "acme"}], "duplicate_check_fields": ["Company"]}
    planned = engine.plan("Leads", body)
    explained = engine.explain("Leads", body)
    store = engine._stores["Leads"]
    assert "Company" not in store.indexes
    assert explained.records[0].duplicate_field == "Company"
    assert engine.upsert("Leads", body) == planned == explained.response
    assert "Company" in store.indexes
    engine._check()


def test_loaded_stamps_are_kept_to_the_second() -> None:
    """R18: a loaded Created_Time comes back to the second, with an offset."""
    rows = [{"Last_Name": "A", "Email": "a@x.io", "Created_Time": "2025-01-02T03:04:05.678Z"}]
    body = {"data": [{"Last_Name": "A", "Email": "a@x.io"}]}
    engine, reference = Engine(), ReferenceEngine()
    engine.load("Leads", rows)
    reference.load("Leads", rows)
    response = engine.upsert("Leads", body)
    assert response.body["data"][0]["details"]["Created_Time"] == "2025-01-02T03:04:05+00:00"
    assert response == reference.upsert("Leads", body)


def test_modules_without_a_system_field_have_no_mandatory_field() -> None:
    """R4: Appointments and Services have no system field (R2), so nothing is mandatory."""
    engine = Engine()
    for module in ("Appointments", "Services"):
        assert engine.schema(module).mandatory_fields == ()
        assert engine.upsert(module, {"data": [{}]}).status == 200


def test_format_checks_are_an_option() -> None:
    """R15 [inf]: check_formats=False accepts any email/phone string within its length."""
    body = {"data": [{"Last_Name": "A", "Email": "not-an-email", "Phone": "call me"}]}
    assert Engine().upsert("Leads", body).body["data"][0]["code"] == "INVALID_DATA"
    lenient = Engine(Options(check_formats=False))
    assert lenient.upsert("Leads", body).status == 200
    too_long = {"data": [{"Last_Name": "A", "Phone": "1" * 31}]}
    details = lenient.upsert("Leads", too_long).body["data"][0]["details"]
    assert details["maximum_length"] == 30
