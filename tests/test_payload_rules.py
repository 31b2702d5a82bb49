"""Example tests for what sync payloads carry (spec v2, issue 10): R26, R27, R29, R30, R31, R35.

Each test names its rule; the tests marked "issue 10" reproduce a bullet at the top of the
issue (a difference from recorded Zoho answers) and pin Zoho's answer. Ids count up from
5725767000000600001 and each write request is one second after the previous one.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings

from upsert_engine import ConfigurationError, Engine, Options
from upsert_engine.server import ZohoServer

from .server_support import call
from .strategies import Org, bodies, keywords, orgs, stores

USER = {"name": "Example User", "id": "5725767000000411001"}


def rid(n: int) -> str:
    """The id of the n-th record (or subform row) the engine creates (n = 1, 2, ...)."""
    return str(5725767000000600000 + n)


def at(seconds: int) -> str:
    """The time of write request number ``seconds``."""
    return f"2026-01-15T10:00:{seconds:02d}+05:30"


def added(record_id: str, when: str, state: str | None = "approved") -> dict[str, Any]:
    """R18, R31: an upsert's exact success entry for an added record."""
    details: dict[str, Any] = {
        "Modified_Time": when,
        "Modified_By": USER,
        "Created_Time": when,
        "id": record_id,
        "Created_By": USER,
    }
    if state is not None:
        details["$approval_state"] = state
    return {
        "code": "SUCCESS",
        "duplicate_field": None,
        "action": "insert",
        "details": details,
        "message": "record added",
        "status": "success",
    }


def invalid(index: int, name: str, **detail: Any) -> dict[str, Any]:
    """An exact INVALID_DATA entry."""
    return {
        "code": "INVALID_DATA",
        "details": {"api_name": name, "json_path": f"$.data[{index}].{name}", **detail},
        "message": "invalid data",
        "status": "error",
    }


# --- R30: statuses --------------------------------------------------------------------------------
def test_r30_insert_answers_201_when_every_record_is_added() -> None:
    """R30 (issue 10): Insert Records answers 201 when every record was added, 207 when some
    failed, 400 when all failed; upsert keeps 200 for an all-insert request (R21)."""
    engine = Engine()
    assert engine.insert("Leads", {"data": [{"Last_Name": "A"}, {"Last_Name": "B"}]}).status == 201
    assert engine.insert("Leads", {"data": [{"Last_Name": "C"}, {"Company": "x"}]}).status == 207
    assert engine.insert("Leads", {"data": [{"Company": "x"}]}).status == 400
    assert engine.upsert("Leads", {"data": [{"Last_Name": "D", "Email": "d@x.io"}]}).status == 200
    assert engine.update("Leads", {"data": [{"id": rid(1), "Company": "y"}]}).status == 200
    assert engine.count("Leads") == 4


@pytest.mark.parametrize("version", ["v2", "v8"])
def test_r30_insert_over_http_answers_201(zoho_server: ZohoServer, version: str) -> None:
    """R30 (issue 10): ``POST /crm/v2/Leads`` that adds every record answers 201, over HTTP."""
    body = {"data": [{"Last_Name": "Frey"}, {"Last_Name": "Moss"}]}
    status, _, answer = call(zoho_server, "POST", f"/crm/{version}/Leads", body)
    assert status == 201
    assert [entry["message"] for entry in answer["data"]] == ["record added"] * 2
    status, _, answer = call(zoho_server, "POST", f"/crm/{version}/Leads", {"data": [{}]})
    assert status == 400


# --- R27: messages --------------------------------------------------------------------------------
def test_r27_two_collisions_say_multiple_errors_in_the_request() -> None:
    """R27 (issue 10): a lead colliding with one record on both Email and Phone (both unique)
    gets MULTIPLE_OR_MULTI_ERRORS with Zoho's message "Multiple errors in the request"."""
    engine = Engine()
    engine.add_field("Leads", "Email", "email", unique=True)
    engine.add_field("Leads", "Phone", "phone", unique=True)
    engine.load(
        "Leads",
        [{"Last_Name": "A", "Email": "a@x.io", "Phone": "555 0100"}, {"Last_Name": "X"}],
    )
    body = {"data": [{"Last_Name": "B", "Email": "a@x.io", "Phone": "555 0100"}]}
    entry = engine.insert("Leads", body).body["data"][0]
    assert entry["code"] == "MULTIPLE_OR_MULTI_ERRORS"
    assert entry["message"] == "Multiple errors in the request"
    assert [e["message"] for e in entry["details"]["errors"]] == ["duplicate data"] * 2


RULE_NUMBER = re.compile(r"\bR\d+\b")


def _messages(value: Any) -> list[str]:
    """Every ``message`` anywhere in a response body."""
    if isinstance(value, dict):
        found = [value["message"]] if isinstance(value.get("message"), str) else []
        return found + [m for v in value.values() for m in _messages(v)]
    if isinstance(value, list):
        return [m for v in value for m in _messages(v)]
    return []


@pytest.mark.parametrize(
    "body",
    [
        {"data": []},
        {},
        {"data": "x"},
        {"data": [1]},
        {"data": [{"Last_Name": "A"}] * 101},
        {"data": [{"Last_Name": "A"}], "duplicate_check_fields": "Email"},
        {"data": [{"Last_Name": "A"}], "duplicate_check_fields": ["Nope"]},
        {"data": [{"Last_Name": "A"}], "trigger": ["cron"]},
        {"data": [{"Last_Name": "A"}], "lar_id": "x"},
        {"data": [{"Last_Name": "A", "Email": "bad"}, {"Company": "x"}, {"Layout": 5}]},
        {"data": [{"Last_Name": "A", "$append_values": {"Email": True}}]},
    ],
)
def test_r27_no_rule_number_in_any_message(body: Any) -> None:
    """R27: no response ``message`` (top-level or per record) carries a rule number; the
    rule goes to ``explain``. R7's top-level message is Zoho's "invalid data"."""
    engine = Engine()
    for respond in (engine.upsert, engine.insert, engine.update):
        response = respond("Leads", body)
        messages = _messages(response.body)
        assert messages and not any(RULE_NUMBER.search(m) for m in messages), messages
    assert not any(RULE_NUMBER.search(m) for m in _messages(engine.delete("Leads", "1").body))
    assert not any(RULE_NUMBER.search(m) for m in _messages(engine.upsert("Nope", body).body))
    explained = engine.explain("Leads", body)
    if explained.request_error is not None:
        assert RULE_NUMBER.search(explained.request_error)
    else:
        assert all(RULE_NUMBER.fullmatch(r.rule) for r in explained.records)


@given(orgs, stores, bodies(), keywords)
@settings(max_examples=150, deadline=None)
def test_r27_no_rule_number_in_generated_responses(
    org: Org, store: list[dict[str, Any]], body: dict[str, Any], extra: dict[str, Any]
) -> None:
    """R27: over generated orgs, stores, bodies and headers (X-EXTERNAL, If-Unmodified-Since,
    acting user), no ``message`` of an upsert, insert or update response names a rule."""
    engine, _ = org.build()
    engine.load("Leads", store)
    insert_extra = {k: v for k, v in extra.items() if k != "if_unmodified_since"}
    for response in (
        engine.upsert("Leads", body, **extra),
        engine.insert("Leads", body, **insert_extra),
        engine.update("Leads", body, **extra),
    ):
        messages = _messages(response.body)
        assert messages and not any(RULE_NUMBER.search(m) for m in messages), messages


@pytest.mark.parametrize(
    "headers",
    [{"if_unmodified_since": "yesterday"}, {"external": "Leads.Nope"}, {"external": 5}],
)
def test_r27_header_errors_name_no_rule(headers: dict[str, Any]) -> None:
    """R27: a refused header (R24 X-EXTERNAL, R34 If-Unmodified-Since) says what is wrong in a
    plain sentence; the rule goes to explain."""
    engine = Engine()
    body = {"data": [{"Last_Name": "A"}]}
    response = engine.upsert("Leads", body, **headers)
    assert response.status == 400 and not RULE_NUMBER.search(response.body["message"])
    assert RULE_NUMBER.search(engine.explain("Leads", body, **headers).request_error or "")


def test_r27_record_level_messages_are_zohos() -> None:
    """R27: record-level messages are Zoho's exact texts, code by code."""
    engine = Engine()
    engine.add_field("Leads", "Code", "text", unique=True)
    engine.load(
        "Leads",
        [{"Last_Name": "A", "Email": "a@x.io", "Code": "k"}, {"Last_Name": "Z", "Email": "z@x.io"}],
    )
    body = {
        "data": [
            {"Last_Name": "N"},
            {"Email": "a@x.io"},
            {"Email": "bad"},
            {"Company": "x"},
            {"Email": "z@x.io", "Code": "K"},
        ]
    }
    entries = engine.upsert("Leads", body).body["data"]
    assert [(e["code"], e["message"]) for e in entries] == [
        ("SUCCESS", "record added"),
        ("SUCCESS", "record updated"),
        ("INVALID_DATA", "invalid data"),
        ("MANDATORY_NOT_FOUND", "required field not found"),
        ("DUPLICATE_DATA", "duplicate data"),
    ]


# --- R31: $approval_state -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("version", "shown"),
    [("v2", False), ("v2.1", False), ("v3", False), ("v5", False), ("v6", True), ("v7", True),
     ("v8", True)],
)  # fmt: skip
def test_r31_added_records_carry_approval_state_from_v6(version: str, shown: bool) -> None:
    """R31 (issue 10): from v6 on, an added record's details end with
    ``"$approval_state": "approved"``; updates never carry it; v2-v5 never."""
    engine = Engine()
    body = {"data": [{"Last_Name": "A", "Email": "a@x.io"}, {"Email": "A@x.io"}]}
    entries = engine.upsert("Leads", body, api_version=version).body["data"]
    assert entries[0]["details"].get("$approval_state") == ("approved" if shown else None)
    if shown:
        assert list(entries[0]["details"])[-1] == "$approval_state"
    assert "$approval_state" not in entries[1]["details"]
    inserted = engine.insert("Leads", {"data": [{"Last_Name": "B"}]}, api_version=version)
    assert ("$approval_state" in inserted.body["data"][0]["details"]) is shown


def test_r31_approved_false_creates_the_record_in_approval_mode() -> None:
    """R31: ``"$approved": false`` on an inserted record gives ``$approval_state``
    "approval_process_pending" [inf: ``Options.pending_approval_state``]; ``$approved`` is
    not stored; a non-boolean ``$approved`` is INVALID_DATA on it."""
    engine = Engine()
    body = {
        "data": [
            {"Last_Name": "A", "$approved": False},
            {"Last_Name": "B", "$approved": True},
            {"Last_Name": "C", "$approved": "false"},
        ]
    }
    entries = engine.upsert("Leads", body).body["data"]
    assert entries[0] == added(rid(1), at(0), "approval_process_pending")
    assert entries[1] == added(rid(2), at(0))
    assert entries[2] == invalid(2, "$approved", expected_data_type="boolean")
    assert all("$approved" not in record for record in engine.records("Leads"))
    custom = Engine(Options(pending_approval_state="pending"))
    first = custom.insert("Leads", {"data": [{"Last_Name": "A", "$approved": False}]})
    assert first.body["data"][0]["details"]["$approval_state"] == "pending"
    old = Engine(Options(approval_state_since="v3"))
    shown = old.upsert("Leads", {"data": [{"Last_Name": "A"}]}, api_version="v3")
    assert shown.body["data"][0]["details"]["$approval_state"] == "approved"


# --- R35: reserved keys and layouts ---------------------------------------------------------------
def test_r35_reserved_keys_are_never_refused_as_unknown() -> None:
    """R35 (issue 10): with ``unknown_fields="reject"``, ``$append_values``, ``Layout``,
    ``Owner``, ``$approved``, ``Tag`` and the wizard keys are accepted, not refused as unknown;
    a key that is no field and not reserved still is."""
    engine = Engine(Options(unknown_fields="reject"))
    engine.add_field("Leads", "Languages", "multiselectpicklist")
    engine.add_layout("Leads", "5725767000000091055", name="Standard")
    record = {
        "Last_Name": "A",
        "Languages": ["French"],
        "$append_values": {"Languages": True},
        "Layout": {"id": "5725767000000091055"},
        "Owner": {"id": USER["id"]},
        "$approved": True,
        "Tag": [{"name": "vip"}],
        "Wizard": {"id": "5725767000000091099"},
        "$wizard_connection_path": ["5725767000000091100"],
    }
    response = engine.upsert("Leads", {"data": [record]})
    assert response.status == 200, response.body
    stored = engine.get("Leads", rid(1))
    assert stored is not None
    assert stored["Layout"] == {"name": "Standard", "id": "5725767000000091055"}
    assert stored["Tag"] == [{"name": "vip"}]
    for key in ("$append_values", "$approved", "Wizard", "$wizard_connection_path"):
        assert key not in stored
    refused = engine.upsert("Leads", {"data": [{"Last_Name": "B", "Nope": 1}]})
    assert refused.body["data"][0] == invalid(0, "Nope")


def test_r35_wizard_keys_option_stores_them() -> None:
    """R35 [inf]: ``Options.wizard_keys="store"`` keeps ``Wizard`` and
    ``$wizard_connection_path`` as sent; a misshapen one is INVALID_DATA either way."""
    engine = Engine(Options(wizard_keys="store"))
    record = {"Last_Name": "A", "Wizard": {"id": "77"}, "$wizard_connection_path": ["78"]}
    assert engine.upsert("Leads", {"data": [record]}).status == 200
    stored = engine.get("Leads", rid(1)) or {}
    assert stored["Wizard"] == {"id": "77"} and stored["$wizard_connection_path"] == ["78"]
    bad = engine.upsert("Leads", {"data": [{"Last_Name": "B", "Wizard": "77"}]})
    assert bad.body["data"][0] == invalid(0, "Wizard", expected_data_type="jsonobject")


def test_r35_layout_turns_on_its_mandatory_fields() -> None:
    """R35, R4: ``Layout: {"id"}`` of a layout the module defines makes that layout's mandatory
    fields needed on insert (not on update); an unknown layout id is INVALID_DATA on Layout."""
    engine = Engine()
    engine.add_layout("Leads", 111, mandatory=["Company", "Phone"], name="Partners")
    layout = {"id": "111"}
    body = {
        "data": [
            {"Last_Name": "A", "Email": "a@x.io"},  # no layout: Last_Name only
            {"Last_Name": "B", "Company": "Acme", "Layout": layout},  # lacks Phone
            {"Last_Name": "C", "Layout": {"id": "112"}},  # unknown layout
            {"Last_Name": "D", "Layout": "111"},  # not an object
            {"Email": "a@x.io", "Layout": layout},  # update: no mandatory field needed
        ]
    }
    entries = engine.upsert("Leads", body).body["data"]
    assert entries[0] == added(rid(1), at(0))
    assert entries[1]["code"] == "MANDATORY_NOT_FOUND"
    assert entries[1]["details"] == {"api_name": "Phone", "json_path": "$.data[1].Phone"}
    assert entries[2] == invalid(2, "Layout")
    assert entries[3] == invalid(3, "Layout", expected_data_type="jsonobject")
    assert entries[4]["action"] == "update"
    assert (engine.get("Leads", rid(1)) or {})["Layout"] == {"name": "Partners", "id": "111"}
    assert engine.count("Leads") == 1
    full = {"Last_Name": "E", "Company": "Acme", "Phone": "555", "Layout": layout}
    assert engine.upsert("Leads", {"data": [full]}).status == 200


def test_r35_add_layout_checks_and_redefines() -> None:
    """R35: ``add_layout`` refuses a bad id or a field the module lacks and changes nothing;
    adding the same id again redefines the layout."""
    engine = Engine()
    before = engine.schema("Leads")
    for bad_id, mandatory in (("x1", []), (True, []), ("1" * 33, []), ("5", ["Nope"])):
        with pytest.raises(ConfigurationError):
            engine.add_layout("Leads", bad_id, mandatory=mandatory)
    with pytest.raises(ConfigurationError):
        engine.add_layout("Leads", "5", mandatory="Company")
    assert engine.schema("Leads") is before
    engine.add_layout("Leads", "5", mandatory=["Company"])
    schema = engine.add_layout("Leads", 5, mandatory=["Phone"], name="Renamed")
    assert [layout.to_json() for layout in schema.layouts.values()] == [
        {"id": "5", "name": "Renamed", "mandatory_fields": ["Phone"]}
    ]


def test_r35_tag_is_stored_and_checked() -> None:
    """R35: ``Tag`` (``[{"name": ...}]``) is stored as sent and replaced by an update; another
    shape is INVALID_DATA on Tag."""
    engine = Engine()
    first = {"Last_Name": "A", "Email": "a@x.io", "Tag": [{"name": "vip"}, {"name": "2026"}]}
    engine.upsert("Leads", {"data": [first]})
    engine.upsert("Leads", {"data": [{"Email": "a@x.io", "Tag": [{"name": "lost"}]}]})
    assert (engine.get("Leads", rid(1)) or {})["Tag"] == [{"name": "lost"}]
    for bad in ("vip", [{"name": ""}], [{"id": "1"}], [{"name": "x", "extra": []}]):
        entry = engine.upsert("Leads", {"data": [{"Last_Name": "B", "Tag": bad}]}).body["data"][0]
        assert entry == invalid(0, "Tag", expected_data_type="jsonarray")
    assert engine.count("Leads") == 1


# --- R26: $append_values --------------------------------------------------------------------------
def _languages(options: Options | None = None) -> Engine:
    engine = Engine(options)
    engine.add_field("Leads", "Foreign_Languages", "multiselectpicklist")
    engine.load("Leads", [{"Last_Name": "A", "Email": "a@x.io", "Foreign_Languages": ["EN", "FR"]}])
    return engine


def test_r26_append_values_appends_to_the_stored_list() -> None:
    """R26 (issue 10): ``"$append_values": {"Foreign_Languages": true}`` appends the incoming
    values to the stored ones, stored order kept, values already there not repeated [inf];
    ``false`` or absent replaces; the key itself is never stored."""
    engine = _languages()
    appended = {
        "Email": "a@x.io",
        "Foreign_Languages": ["DE", "FR", "ES"],
        "$append_values": {"Foreign_Languages": True},
    }
    assert engine.upsert("Leads", {"data": [appended]}).status == 200
    stored = engine.get("Leads", rid(1)) or {}
    assert stored["Foreign_Languages"] == ["EN", "FR", "DE", "ES"]
    assert "$append_values" not in stored
    replaced = {**appended, "$append_values": {"Foreign_Languages": False}}
    engine.upsert("Leads", {"data": [replaced]})
    assert (engine.get("Leads", rid(1)) or {})["Foreign_Languages"] == ["DE", "FR", "ES"]
    engine.upsert("Leads", {"data": [{"Email": "a@x.io", "Foreign_Languages": ["IT"]}]})
    assert (engine.get("Leads", rid(1)) or {})["Foreign_Languages"] == ["IT"]


def test_r26_append_options_and_insert() -> None:
    """R26 [inf]: ``append_repeats=True`` repeats values already there; appending to a new
    record (insert) or appending nothing (null, ``[]``) keeps what there is."""
    engine = _languages(Options(append_repeats=True))
    flag = {"Foreign_Languages": True}
    body = {"data": [{"Email": "a@x.io", "Foreign_Languages": ["FR"], "$append_values": flag}]}
    engine.upsert("Leads", body)
    assert (engine.get("Leads", rid(1)) or {})["Foreign_Languages"] == ["EN", "FR", "FR"]
    for nothing in (None, []):
        keep = {"Email": "a@x.io", "Foreign_Languages": nothing, "$append_values": flag}
        engine.upsert("Leads", {"data": [keep]})
        assert (engine.get("Leads", rid(1)) or {})["Foreign_Languages"] == ["EN", "FR", "FR"]
    new = {"Last_Name": "N", "Foreign_Languages": ["DE"], "$append_values": flag}
    assert engine.upsert("Leads", {"data": [new]}).body["data"][0]["action"] == "insert"
    assert (engine.get("Leads", rid(2)) or {})["Foreign_Languages"] == ["DE"]


@pytest.mark.parametrize(
    ("flags", "detail"),
    [
        ({"Email": True}, {}),
        ({"Nope": True}, {}),
        ({"Foreign_Languages": "yes"}, {"expected_data_type": "boolean"}),
        (["Foreign_Languages"], {"expected_data_type": "jsonobject"}),
    ],
)
def test_r26_append_values_naming_no_multiselect_is_invalid(
    flags: Any, detail: dict[str, Any]
) -> None:
    """R26 [inf]: ``$append_values`` naming a field that is not a multi-select picklist (or
    not a field), or a flag that is not a boolean, gives INVALID_DATA for ``$append_values``;
    nothing is written. ``append_other="ignore"`` drops such names instead."""
    engine = _languages()
    record = {"Email": "a@x.io", "Foreign_Languages": ["DE"], "$append_values": flags}
    response = engine.upsert("Leads", {"data": [record]})
    assert response.body["data"][0] == invalid(0, "$append_values", **detail)
    assert (engine.get("Leads", rid(1)) or {})["Foreign_Languages"] == ["EN", "FR"]
    if not detail:
        lenient = _languages(Options(append_other="ignore"))
        assert lenient.upsert("Leads", {"data": [record]}).status == 200
        assert (lenient.get("Leads", rid(1)) or {})["Foreign_Languages"] == ["DE"]


# --- R29: which error wins ------------------------------------------------------------------------
def test_r29_which_error_wins() -> None:
    """R29: R15/R26/R35 (the first invalid key in the record's key order) win over matching
    policies (R11 reject), which win over R13 (mandatory, on insert), which wins over R14
    (uniqueness)."""
    engine = Engine(Options(multi_match="reject"))
    engine.add_field("Leads", "Langs", "multiselectpicklist")
    engine.add_field("Leads", "Code", "text", unique=True)
    engine.load(
        "Leads",
        [
            {"Last_Name": "A", "Email": "twin@x.io", "Code": "k1"},
            {"Last_Name": "B", "Email": "twin@x.io", "Code": "k2"},
        ],
    )
    body = {
        "data": [
            # two invalid keys: the first in key order wins (R26 before R15 here) ...
            {"$append_values": {"Email": True}, "Email": "bad", "Last_Name": "X"},
            # ... and here R15 before R35
            {"Email": "bad", "Layout": {"id": "1"}},
            # invalid beats ambiguous (R11 reject)
            {"Email": "twin@x.io", "Phone": "?"},
            # ambiguous beats a collision (and would beat a missing mandatory field)
            {"Email": "twin@x.io", "Code": "k2"},
        ]
    }
    entries = engine.upsert("Leads", body).body["data"]
    assert [(e["code"], e["details"].get("api_name")) for e in entries] == [
        ("INVALID_DATA", "$append_values"),
        ("INVALID_DATA", "Email"),
        ("INVALID_DATA", "Phone"),
        ("AMBIGUITY_DURING_PROCESSING", "Email"),
    ]
    # Insert Records does no matching: a missing mandatory field beats a collision
    inserted = engine.insert("Leads", {"data": [{"Code": "k1"}, {"Last_Name": "N", "Code": "k1"}]})
    assert [(e["code"], e["details"].get("api_name")) for e in inserted.body["data"]] == [
        ("MANDATORY_NOT_FOUND", "Last_Name"),
        ("DUPLICATE_DATA", "Code"),
    ]
    assert engine.count("Leads") == 2
