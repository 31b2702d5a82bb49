"""Example tests for what sync payloads carry (spec v2 section 7): external fields (R24) and
record ids inside upsert records (R25).

Ids and times as in test_rules.py: ids count up from 5725767000000600001, each write request
(``load`` included) one second after the previous one from 2026-01-15T10:00:00+05:30.
"""

from __future__ import annotations

from typing import Any

import pytest

from upsert_engine import ConfigurationError, Engine, Options, User
from upsert_engine.reference import ReferenceEngine

from .test_rules import MODULE_IDS, OWNER, USER, at, duplicate, invalid, ok, rid

ALICE = User("Alice Archer", "5725767000000411002", "alice@example.com", "60012346")
BOB = User("Bob Baker", "5725767000000411003", "bob@example.com", "60012347")


def contacts(external: str = "org", **options: Any) -> Engine:
    """An org whose Contacts have External_Contact_ID (``external``-based) and two more users."""
    engine = Engine(Options(**options))
    engine.add_field("Contacts", "External_Contact_ID", "text", external=external)
    engine.add_user(ALICE)
    engine.add_user(BOB)
    return engine


def by(user: User) -> dict[str, str]:
    return {"name": user.name, "id": user.id}


# --- R24: external fields -----------------------------------------------------------------------
def test_r24_issue_case_upserting_twice_by_external_value_updates() -> None:
    """R24 (issue 9, first case): upserting Boyle1 twice inserts once, then updates the same
    contact with duplicate_field External_Contact_ID, with no header [doc upsert-records-ext]."""
    engine = contacts()
    body = {"data": [{"Last_Name": "Boyle", "External_Contact_ID": "Boyle1"}]}
    first = engine.upsert("Contacts", body)
    second = engine.upsert("Contacts", body)
    assert first.body == {"data": [ok("insert", rid(1), at(0), at(0))]}
    assert second.body == {"data": [ok("update", rid(1), at(0), at(1), "External_Contact_ID")]}
    assert engine.count("Contacts") == 1


def test_r24_external_fields_join_u_in_field_order() -> None:
    """R24/R5: external fields are duplicate check fields in U, in field-metadata order, and
    may be named in duplicate_check_fields."""
    engine = Engine()
    engine.add_field("Contacts", "Ext_B", "text", external="user")
    engine.add_field("Contacts", "Code", "text", unique=True)
    engine.add_field("Contacts", "Ext_A", "text", external="org")
    schema = engine.schema("Contacts")
    assert schema.unique_fields == ("Ext_B", "Code", "Ext_A")
    assert dict(schema.external_fields) == {"Ext_B": "user", "Ext_A": "org"}
    assert engine.explain("Contacts", {"data": [{"Last_Name": "X"}]}).check_order == (
        "Email",
        "Ext_B",
        "Code",
        "Ext_A",
    )
    named = engine.explain(
        "Contacts", {"data": [{"Last_Name": "X"}], "duplicate_check_fields": ["Ext_A"]}
    )
    assert named.check_order == ("Ext_A", "Ext_B", "Code")


def test_r24_external_field_decides_before_later_fields() -> None:
    """R24/R10: the external field, walked in its place, decides; Email of another record is
    then no constraint (R14 applies to unique and org-based external fields only)."""
    engine = contacts()
    engine.load(
        "Contacts",
        [
            {"Last_Name": "A", "Email": "a@x.io", "External_Contact_ID": "e1"},
            {"Last_Name": "B", "Email": "b@x.io"},
        ],
    )
    body = {
        "data": [{"Last_Name": "A2", "Email": "b@x.io", "External_Contact_ID": "E1"}],
        "duplicate_check_fields": ["External_Contact_ID", "Email"],
    }
    assert engine.upsert("Contacts", body).body == {
        "data": [ok("update", rid(1), at(0), at(1), "External_Contact_ID")]
    }


def test_r24_org_based_value_of_another_record_is_duplicate_data() -> None:
    """R24/R14: an org-based external value held by another record (whoever created it) gives
    DUPLICATE_DATA naming that record, its Owner and its module with the module's id (R32)."""
    engine = contacts()
    engine.upsert("Contacts", {"data": [{"Last_Name": "A", "Email": "a@x.io"}]}, as_user=ALICE.id)
    engine.upsert(
        "Contacts",
        {"data": [{"Last_Name": "B", "Email": "b@x.io", "External_Contact_ID": "camp1"}]},
        as_user=BOB.id,
    )
    response = engine.upsert(
        "Contacts",
        {"data": [{"Email": "a@x.io", "External_Contact_ID": "CAMP1"}]},
        as_user=ALICE.id,
    )
    assert response.status == 400
    assert response.body["data"][0] == {
        "code": "DUPLICATE_DATA",
        "details": {
            "api_name": "External_Contact_ID",
            "json_path": "$.data[0].External_Contact_ID",
            "duplicate_record": {
                "Owner": {"name": BOB.name, "id": BOB.id, "zuid": BOB.zuid},
                "module": {"api_name": "Contacts", "id": MODULE_IDS["Contacts"]},
                "id": rid(2),
            },
            "more_records": False,
        },
        "message": "duplicate data",
        "status": "error",
    }


def test_r24_user_based_values_are_per_user() -> None:
    """R24: a user-based external value matches and collides only among the records the
    acting user created; another user's record with the same value is neither."""
    engine = contacts("user")
    body = {"data": [{"Last_Name": "Boyle", "External_Contact_ID": "c1"}]}
    alice_first = engine.upsert("Contacts", body, as_user=ALICE.id)
    bob_first = engine.upsert("Contacts", body, as_user=BOB.id)
    alice_again = engine.upsert("Contacts", body, as_user=ALICE.id)
    bob_again = engine.upsert("Contacts", body, as_user=BOB.id)
    assert [r.body["data"][0]["action"] for r in (alice_first, bob_first)] == ["insert"] * 2
    assert alice_again.body["data"][0]["details"]["id"] == rid(1)
    assert bob_again.body["data"][0]["details"]["id"] == rid(2)
    assert alice_again.body["data"][0]["duplicate_field"] == "External_Contact_ID"
    assert engine.count("Contacts") == 2
    # Alice may not give a second record of hers Bob's value... only her own one collides
    engine.upsert("Contacts", {"data": [{"Last_Name": "Two", "Email": "t@x.io"}]}, as_user=ALICE.id)
    clash = engine.upsert(
        "Contacts", {"data": [{"Email": "t@x.io", "External_Contact_ID": "C1"}]}, as_user=ALICE.id
    )
    assert clash.body["data"][0]["code"] == "DUPLICATE_DATA"
    assert clash.body["data"][0]["details"]["duplicate_record"]["id"] == rid(1)
    free = engine.upsert(
        "Contacts", {"data": [{"Email": "t@x.io", "External_Contact_ID": "b-only"}]}, as_user=BOB.id
    )
    assert free.body["data"][0]["code"] == "SUCCESS"  # Bob updates Alice's record by Email


def test_r24_user_based_value_stays_unique_among_its_creators_records() -> None:
    """R24, R14, spec section 8 (invariants) [inf]: Bob updating Alice's record may not give it
    a user-based value another of Alice's records holds: the value is checked among the
    records of the target's creator, so Alice never holds it twice."""
    engine = contacts("user")
    engine.upsert(
        "Contacts", {"data": [{"Last_Name": "One", "External_Contact_ID": "X"}]}, as_user=ALICE.id
    )
    engine.upsert(
        "Contacts",
        {"data": [{"Last_Name": "Two", "Email": "two@x.io", "External_Contact_ID": "Y"}]},
        as_user=ALICE.id,
    )
    body = {
        "data": [{"Email": "two@x.io", "External_Contact_ID": "x"}],
        "duplicate_check_fields": ["Email"],
    }
    clash = engine.upsert("Contacts", body, as_user=BOB.id)
    assert clash.body["data"][0]["code"] == "DUPLICATE_DATA"
    assert clash.body["data"][0]["details"]["duplicate_record"]["id"] == rid(1)
    assert sorted(r["External_Contact_ID"] for r in engine.records("Contacts")) == ["X", "Y"]
    engine._check()


def test_r24_external_configuration_errors() -> None:
    """R24: external fields are text only [doc], org or user, never also unique; the schema
    JSON shows them."""
    engine = Engine()
    before = engine.schema("Leads")
    for kwargs, match in (
        ({"data_type": "email", "external": "org"}, "text only"),
        ({"data_type": "text", "external": "team"}, "external='team'"),
        ({"data_type": "text", "external": "org", "unique": True}, "both unique and external"),
    ):
        with pytest.raises(ConfigurationError, match=match):
            engine.add_field("Leads", "Ext", **kwargs)
    assert engine.schema("Leads") is before
    engine.add_field("Leads", "Ext", "text", external="user")
    fields = engine.schema("Leads").to_json()["fields"]
    assert {"api_name": "Ext", "data_type": "text", "max_length": 255, "unique": False,
            "external": "user"} in fields  # fmt: skip


def test_r24_external_fields_do_not_count_against_the_cap() -> None:
    """R24 [inf]: external fields do not count against R3's cap; the option makes them count."""
    engine = Engine(Options(max_unique_fields=1))
    engine.add_field("Leads", "Code", "text", unique=True)
    engine.add_field("Leads", "Ext", "text", external="org")
    counting = Engine(Options(max_unique_fields=1, external_in_unique_cap=True))
    counting.add_field("Leads", "Code", "text", unique=True)
    with pytest.raises(ConfigurationError, match="R3"):
        counting.add_field("Leads", "Ext", "text", external="org")


def test_r24_explain_names_r24() -> None:
    """R24: explain's trace names R24 when an external field decides."""
    engine = contacts()
    engine.upsert("Contacts", {"data": [{"Last_Name": "B", "External_Contact_ID": "x"}]})
    trace = engine.explain("Contacts", {"data": [{"External_Contact_ID": "X"}]}).records[0]
    assert (trace.outcome, trace.rule, trace.duplicate_field) == (
        "update",
        "R24",
        "External_Contact_ID",
    )
    assert "external" in trace.reason


def test_r24_update_api_by_external_value() -> None:
    """R24 (X-EXTERNAL Module.Field on the update API): each record names its target by the
    external value; the success details carry it [doc update-records-ext]; an unknown value is
    INVALID_DATA; a user-based value is looked up among the acting user's records."""
    engine = contacts("user")
    engine.upsert(
        "Contacts", {"data": [{"Last_Name": "A", "External_Contact_ID": "a1"}]}, as_user=ALICE.id
    )
    body = {"data": [{"External_Contact_ID": "a1", "Title": "CTO"}, {"External_Contact_ID": "zz"}]}
    response = engine.update(
        "Contacts", body, external="Contacts.External_Contact_ID", as_user=ALICE.id
    )
    assert response.status == 207
    success, error = response.body["data"]
    assert success == {
        "code": "SUCCESS",
        "details": {
            "Modified_Time": at(1),
            "Modified_By": by(ALICE),
            "Created_Time": at(0),
            "External_Contact_ID": "a1",
            "id": rid(1),
            "Created_By": by(ALICE),
        },
        "message": "record updated",
        "status": "success",
    }
    assert error == invalid(1, "External_Contact_ID")
    bob = engine.update(
        "Contacts",
        {"data": [{"External_Contact_ID": "a1"}]},
        external="Contacts.External_Contact_ID",
        as_user=BOB.id,
    )
    assert bob.body["data"][0] == invalid(0, "External_Contact_ID")
    assert engine.get("Contacts", rid(1))["Title"] == "CTO"


def test_r24_delete_and_find_by_external_value() -> None:
    """R24 (X-EXTERNAL on delete and reads): external values name records; unknown ones fail
    one by one."""
    engine = contacts()
    engine.upsert("Contacts", {"data": [{"Last_Name": "A", "External_Contact_ID": "a1"}]})
    assert engine.find_external("Contacts", "External_Contact_ID", ["A1", "b"]) == [rid(1), None]
    with pytest.raises(ConfigurationError, match="not an external field"):
        engine.find_external("Contacts", "Email", ["x"])
    response = engine.delete("Contacts", ["a1", "nope"], external="Contacts.External_Contact_ID")
    assert response.status == 207
    assert response.body["data"][0]["details"] == {"id": rid(1)}
    assert response.body["data"][1]["details"] == {"id": "nope"}
    assert engine.count("Contacts") == 0


@pytest.mark.parametrize(
    "header",
    [
        "Leads.External_Contact_ID",
        "Contacts.Email",
        "Contacts.Account_Name.Account_Name",
        "Contacts.Nope.External_Account_ID",
        "Contacts.Account_Name->Accounts.External_Account_ID",
        "Contacts.A.B.C",
        "",
        5,
    ],
)
def test_r24_bad_x_external_fails_the_request(header: Any) -> None:
    """R24/R16: an X-EXTERNAL that names no external field of the module (or of a lookup's
    module), or a form not modelled, fails the whole request with INVALID_DATA; nothing is
    written."""
    engine = contacts()
    engine.add_field("Accounts", "External_Account_ID", "text", external="org")
    response = engine.upsert("Contacts", {"data": [{"Last_Name": "A"}]}, external=header)
    assert response.status == 400
    assert response.body["code"] == "INVALID_DATA"
    assert response.body["details"] == {"param_name": "X-EXTERNAL"}
    assert engine.count("Contacts") == 0


# --- R25: id inside an upsert record ------------------------------------------------------------
def test_r25_issue_case_id_updates_that_record() -> None:
    """R25 (issue 9, second case): a record carrying an existing Contact's id updates it,
    duplicate_field "id", with no mandatory field needed; "id" in duplicate_check_fields is
    accepted, not a 400."""
    engine = Engine()
    (contact,) = engine.load("Contacts", [{"Last_Name": "Old", "Email": "o@x.io"}])
    record = {"id": contact, "Last_Name": "Student", "Lead_Source": "Advertisement"}
    response = engine.upsert("Contacts", {"data": [record]})
    assert response.body == {"data": [ok("update", contact, at(0), at(1), "id")]}
    named = engine.upsert(
        "Contacts", {"data": [{"id": int(contact), "Title": "T"}], "duplicate_check_fields": ["id"]}
    )
    assert named.body == {"data": [ok("update", contact, at(0), at(2), "id")]}
    assert engine.count("Contacts") == 1
    assert engine.get("Contacts", contact)["Lead_Source"] == "Advertisement"


def test_r25_id_wins_over_every_other_key() -> None:
    """R25: no other key is consulted: a record with A's id and B's Email updates A; R14 still
    guards A's unique fields."""
    engine = Engine()
    engine.add_field("Leads", "Mobile", "phone", unique=True)
    a, b = engine.load(
        "Leads",
        [
            {"Last_Name": "A", "Email": "a@x.io", "Mobile": "1"},
            {"Last_Name": "B", "Email": "b@x.io", "Mobile": "2"},
        ],
    )
    response = engine.upsert(
        "Leads", {"data": [{"id": a, "Email": "b@x.io"}, {"id": a, "Mobile": "2"}]}
    )
    assert response.body["data"][0] == ok("update", a, at(0), at(1), "id")
    assert response.body["data"][1] == duplicate(1, "Mobile", b)


@pytest.mark.parametrize("given", ["5725767000000600999", "abc", 12.5, {"id": "1"}, True])
def test_r25_an_id_of_no_record_is_invalid_data(given: Any) -> None:
    """R25 [inf]: an id that names no record of the module (or is no id) is INVALID_DATA on
    "id"; nothing is written."""
    engine = Engine()
    engine.load("Leads", [{"Last_Name": "A", "Email": "a@x.io"}])
    response = engine.upsert(
        "Leads", {"data": [{"id": given, "Last_Name": "N", "Email": "a@x.io"}]}
    )
    assert response.body == {"data": [invalid(0, "id")]}
    assert engine.count("Leads") == 1


def test_r25_id_of_another_module_is_invalid() -> None:
    """R25: the id must be a record of the request's module."""
    engine = Engine()
    (account,) = engine.load("Accounts", [{"Account_Name": "Acme"}])
    response = engine.upsert("Leads", {"data": [{"id": account, "Last_Name": "A"}]})
    assert response.body == {"data": [invalid(0, "id")]}


def test_r25_r15_comes_first() -> None:
    """R29: an invalid value (R15) wins over an unknown id (R25)."""
    engine = Engine()
    response = engine.upsert("Leads", {"data": [{"id": "1", "Email": "not an email"}]})
    assert response.body == {"data": [invalid(0, "Email", expected_data_type="email")]}


def test_r25_naming_id_in_d_skips_unnamed_system_fields() -> None:
    """R25/R5: "id" counts as a named field: Email (system, not named) is not checked for a
    record without id, which is inserted."""
    engine = Engine()
    engine.load("Leads", [{"Last_Name": "A", "Email": "a@x.io"}])
    response = engine.upsert(
        "Leads", {"data": [{"Last_Name": "B", "Email": "a@x.io"}], "duplicate_check_fields": ["id"]}
    )
    assert response.body == {"data": [ok("insert", rid(2), at(1), at(1))]}


def test_r25_option_ignore() -> None:
    """R25 option record_id="ignore": id is dropped like any read-only key, the record is
    matched by its fields; "id" in duplicate_check_fields is then no check field (R7)."""
    engine = Engine(Options(record_id="ignore"))
    (lead,) = engine.load("Leads", [{"Last_Name": "A", "Email": "a@x.io"}])
    response = engine.upsert(
        "Leads", {"data": [{"id": "999", "Last_Name": "B", "Email": "A@x.io"}]}
    )
    assert response.body == {"data": [ok("update", lead, at(0), at(1), "Email")]}
    refused = engine.upsert(
        "Leads", {"data": [{"Last_Name": "C"}], "duplicate_check_fields": ["id"]}
    )
    assert refused.status == 400
    assert refused.body["details"]["api_name"] == "duplicate_check_fields"


def test_r25_option_reject() -> None:
    """R25 option record_id="reject": a record carrying id is refused with INVALID_DATA."""
    engine = Engine(Options(record_id="reject"))
    (lead,) = engine.load("Leads", [{"Last_Name": "A", "Email": "a@x.io"}])
    response = engine.upsert(
        "Leads", {"data": [{"id": lead, "Last_Name": "B"}, {"Last_Name": "C", "id": None}]}
    )
    assert response.body["data"][0] == invalid(0, "id")
    assert response.body["data"][1] == ok("insert", rid(2), at(1), at(1))


def test_r25_intra_batch_reject_by_id() -> None:
    """R25/R17: with intra_batch="reject", a second record naming the same id is refused."""
    engine = Engine(Options(intra_batch="reject"))
    (lead,) = engine.load("Leads", [{"Last_Name": "A"}])
    response = engine.upsert(
        "Leads", {"data": [{"id": lead, "Designation": "1"}, {"id": lead, "Designation": "2"}]}
    )
    assert response.status == 207
    assert response.body["data"][1] == duplicate(1, "id", lead)


def test_r25_explain_and_plan() -> None:
    """R25: explain's trace names R25 and shows the id tried; plan answers as upsert does."""
    engine = Engine()
    (lead,) = engine.load("Leads", [{"Last_Name": "A"}])
    body = {"data": [{"id": lead, "Designation": "T"}, {"id": "77", "Designation": "T"}]}
    explained = engine.explain("Leads", body)
    first, second = explained.records
    assert (first.outcome, first.rule, first.record_id) == ("update", "R25", lead)
    assert first.probes[0].field == "id" and first.probes[0].candidates == (lead,)
    assert (second.outcome, second.rule) == ("INVALID_DATA", "R25")
    assert engine.plan("Leads", body) == explained.response == engine.upsert("Leads", body)


def test_r25_reference_model_agrees() -> None:
    """R25: the reference model answers the issue's cases exactly as the engine does."""
    for make in (Engine, ReferenceEngine):
        engine = make()
        (contact,) = engine.load("Contacts", [{"Last_Name": "Old"}])
        body = {"data": [{"id": contact, "Last_Name": "S"}, {"id": "9", "Last_Name": "T"}]}
        response = engine.upsert("Contacts", body)
        assert response.body == {
            "data": [ok("update", contact, at(0), at(1), "id"), invalid(1, "id")]
        }
        assert next(engine.records("Contacts"))["Owner"] == OWNER
        assert next(engine.records("Contacts"))["Created_By"] == USER
