"""Example tests for what sync payloads carry (spec v2 section 7): users and Owner (R32),
lookups (R33, with external keys R24) and If-Unmodified-Since (R34).

Ids and times as in test_rules.py: ids count up from 5725767000000600001, each write request
(``load`` included) one second after the previous one from 2026-01-15T10:00:00+05:30.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from upsert_engine import ConfigurationError, Engine, Options, User
from upsert_engine.errors import UnknownUserError
from upsert_engine.reference import ReferenceEngine

from .test_rules import MODULE_IDS, OWNER, USER, at, invalid, ok, rid

ALICE = User("Alice Archer", "5725767000000411002", "alice@example.com", "60012346")
BOB = User("Bob Baker", "5725767000000411003", "bob@example.com", "60012347")
ALICE_OWNER = {"name": ALICE.name, "id": ALICE.id, "email": ALICE.email}
BOB_STAMP = {"name": BOB.name, "id": BOB.id}
ALREADY_MODIFIED = "Record updated time has already passed if-unmodified-since time"


def org(**options: Any) -> Engine:
    """The standard modules, with Alice and Bob as users besides the default one."""
    engine = Engine(Options(**options))
    engine.add_user(ALICE)
    engine.add_user(BOB)
    return engine


# --- R32: users and Owner -----------------------------------------------------------------------
def test_r32_users_of_the_org() -> None:
    """R32: the org's first user is Options.user; add_user adds more; an id taken twice, a
    non-User or bad user fields are configuration errors that change nothing."""
    engine = org()
    assert engine.users() == (User(), ALICE, BOB)
    with pytest.raises(ConfigurationError, match="already"):
        engine.add_user(User("Other", ALICE.id))
    with pytest.raises(ConfigurationError, match="takes a User"):
        engine.add_user({"name": "x", "id": "1"})  # type: ignore[arg-type]
    for bad in ({"id": "u1"}, {"zuid": ""}, {"name": 5}, {"email": " "}, {"zuid": 7}):
        with pytest.raises(ConfigurationError):
            User(**bad)  # type: ignore[arg-type]
    assert engine.users() == (User(), ALICE, BOB)


def test_r32_as_user_stamps_and_owns() -> None:
    """R32: a request acts as as_user: Created_By/Modified_By are that user and an insert
    without Owner is owned by it; an unknown user raises before anything is written."""
    engine = org()
    response = engine.upsert("Leads", {"data": [{"Last_Name": "A"}]}, as_user=ALICE.id)
    details = response.body["data"][0]["details"]
    assert details["Created_By"] == details["Modified_By"] == {"name": ALICE.name, "id": ALICE.id}
    assert engine.get("Leads", rid(1))["Owner"] == ALICE_OWNER
    engine.upsert("Leads", {"data": [{"id": rid(1), "Designation": "T"}]}, as_user=BOB.id)
    record = engine.get("Leads", rid(1))
    assert record["Owner"] == ALICE_OWNER  # an update keeps the owner
    assert record["Modified_By"] == {"name": BOB.name, "id": BOB.id}
    for call in (engine.upsert, engine.plan, engine.insert, engine.update):
        with pytest.raises(UnknownUserError, match="no user of this org"):
            call("Leads", {"data": [{"Last_Name": "B"}]}, as_user="42")
    with pytest.raises(UnknownUserError):
        engine.delete("Leads", [rid(1)], as_user="42")
    assert engine.count("Leads") == 1


def test_r32_issue_case_owner_is_stored_and_named() -> None:
    """R32 (issue 9, third case): Owner {"id"} is stored as the user it names (name, id,
    email); a DUPLICATE_DATA names the other record with its Owner (name, id, zuid) and the
    module's id."""
    engine = org()
    engine.add_field("Leads", "Mobile", "phone", unique=True)
    first = engine.upsert(
        "Leads", {"data": [{"Last_Name": "A", "Owner": {"id": ALICE.id}, "Mobile": "5"}]}
    )
    assert first.status == 200
    assert engine.get("Leads", rid(1))["Owner"] == ALICE_OWNER
    engine.upsert("Leads", {"data": [{"Last_Name": "B", "Email": "b@x.io"}]})
    # matches B by Email (R10), then would give B the Mobile A holds (R14)
    clash = engine.upsert("Leads", {"data": [{"Email": "b@x.io", "Mobile": "5"}]})
    assert clash.body["data"][0]["details"]["duplicate_record"] == {
        "Owner": {"name": ALICE.name, "id": ALICE.id, "zuid": ALICE.zuid},
        "module": {"api_name": "Leads", "id": MODULE_IDS["Leads"]},
        "id": rid(1),
    }


@pytest.mark.parametrize("owner", [{"id": "42"}, {"id": "5725767000000411009", "name": "Ghost"}])
def test_r32_owner_must_be_a_user(owner: Any) -> None:
    """R32 [inf]: an Owner that names no user of the org is INVALID_DATA on Owner; with
    check_users=False it is stored with an unknown name and email."""
    engine = org()
    response = engine.upsert("Leads", {"data": [{"Last_Name": "A", "Owner": owner}]})
    assert response.body == {"data": [invalid(0, "Owner")]}
    lenient = org(check_users=False)
    assert lenient.upsert("Leads", {"data": [{"Last_Name": "A", "Owner": owner}]}).status == 200
    user_id = owner["id"] if isinstance(owner, dict) else owner
    assert lenient.get("Leads", rid(1))["Owner"] == {"name": None, "id": user_id, "email": None}


@pytest.mark.parametrize("check_users", [True, False])
def test_r32_owner_sent_as_a_bare_id_is_refused(check_users: bool) -> None:
    """R15, R32: an Owner is an object with ``id``; a bare id string is the wrong JSON kind
    (``jsonobject``), whether or not users are checked; nothing is written."""
    engine = org(check_users=check_users)
    response = engine.upsert("Leads", {"data": [{"Last_Name": "A", "Owner": "42"}]})
    assert response.body == {"data": [invalid(0, "Owner", expected_data_type="jsonobject")]}
    assert engine.count("Leads") == 0


def test_r32_null_owner() -> None:
    """R32 [inf]: Owner null on an insert is the acting user; on an update it would leave the
    record without an owner: INVALID_DATA; with null_owner="keep" the owner stays."""
    engine = org()
    engine.upsert("Leads", {"data": [{"Last_Name": "A", "Owner": None}]}, as_user=BOB.id)
    assert engine.get("Leads", rid(1))["Owner"]["id"] == BOB.id
    response = engine.upsert("Leads", {"data": [{"id": rid(1), "Owner": None}]})
    assert response.body == {"data": [invalid(0, "Owner")]}
    keeping = org(null_owner="keep")
    keeping.upsert("Leads", {"data": [{"Last_Name": "A"}]}, as_user=BOB.id)
    body = {"data": [{"id": rid(1), "Owner": None, "Designation": "T"}]}
    assert keeping.upsert("Leads", body).body == {
        "data": [ok("update", rid(1), at(0), at(1), "id", created_by=BOB_STAMP)]
    }
    record = keeping.get("Leads", rid(1))
    assert (record["Owner"]["id"], record["Designation"]) == (BOB.id, "T")


def test_r32_user_lookup_fields() -> None:
    """R32: a user lookup stores {"name", "id"} of a user of the org (Owner adds email)."""
    engine = org()
    engine.add_field("Leads", "Reviewer", "userlookup")
    engine.upsert("Leads", {"data": [{"Last_Name": "A", "Reviewer": {"id": BOB.id}}]})
    assert engine.get("Leads", rid(1))["Reviewer"] == {"name": BOB.name, "id": BOB.id}
    assert engine.upsert("Leads", {"data": [{"Last_Name": "B", "Reviewer": {"id": "7"}}]}).body == {
        "data": [invalid(0, "Reviewer")]
    }


def test_r32_which_modules_have_owner() -> None:
    """R32: every standard module but Price_Books [inf], and custom modules, have Owner."""
    engine = Engine()
    engine.add_module("Projects_X")
    have = [m for m in engine.modules() if "Owner" in engine.schema(m).fields]
    assert set(engine.modules()) - set(have) == {"Price_Books"}
    book = {"Price_Book_Name": "P", "Pricing_Details": [{"from_range": 1, "discount": 0}]}
    engine.upsert("Price_Books", {"data": [book]})  # R4: Pricing_Details is mandatory
    assert "Owner" not in engine.get("Price_Books", rid(1))


def test_r32_loaded_records_are_owned_by_their_creator() -> None:
    """R32 [inf]: a loaded record without Owner is owned by its Created_By (a user of the org
    or not); with load_owner=False it is loaded as is."""
    engine = org()
    engine.load(
        "Leads",
        [
            {"Last_Name": "A"},
            {"Last_Name": "B", "Created_By": {"name": ALICE.name, "id": ALICE.id}},
            {"Last_Name": "C", "Created_By": {"name": "Gone", "id": "99"}},
            {"Last_Name": "D", "Owner": {"name": "Kept", "id": "98"}},
        ],
    )
    owners = [r["Owner"] for r in engine.records("Leads")]
    assert owners == [
        OWNER,
        ALICE_OWNER,
        {"name": "Gone", "id": "99", "email": None},
        {"name": "Kept", "id": "98"},
    ]
    as_is = org(load_owner=False)
    as_is.load("Leads", [{"Last_Name": "A"}])
    assert "Owner" not in as_is.get("Leads", rid(1))


def test_r32_duplicate_record_of_a_custom_module_and_without_owner() -> None:
    """R32: duplicate_record carries the custom module's own id; a module without Owner
    (Price_Books) names no Owner."""
    engine = Engine()
    engine.add_module("Projects_X")
    engine.add_field("Projects_X", "Code", "text", unique=True)
    engine.add_field("Price_Books", "Code", "text", unique=True)
    engine.set_mandatory("Price_Books", ["Price_Book_Name"])  # R4's Pricing_Details aside
    for module, name in (("Projects_X", "Name"), ("Price_Books", "Price_Book_Name")):
        engine.upsert(module, {"data": [{name: "one", "Code": "c"}, {name: "two"}]})
        clash = engine.upsert(module, {"data": [{name: "two", "Code": "C"}]})
        record = clash.body["data"][0]["details"]["duplicate_record"]
        assert record["module"] == {"api_name": module, "id": MODULE_IDS[module]}
        assert ("Owner" in record) == (module == "Projects_X")
    assert engine.module_id("Projects_X") == MODULE_IDS["Projects_X"]


# --- R33: lookups -------------------------------------------------------------------------------
def accounts_org(**options: Any) -> tuple[Engine, str]:
    engine = org(**options)
    engine.add_field("Accounts", "External_Account_ID", "text", external="org")
    (acme,) = engine.load("Accounts", [{"Account_Name": "Acme", "External_Account_ID": "a1"}])
    return engine, acme


def test_r33_issue_case_lookup_to_no_record() -> None:
    """R33 (issue 9, fourth case): Account_Name {"id": "999"} names no Account: INVALID_DATA
    on Account_Name, nothing written; check_lookups=False stores it (name unknown)."""
    engine, _ = accounts_org()
    body = {"data": [{"Last_Name": "C", "Account_Name": {"id": "999"}}]}
    assert engine.upsert("Contacts", body).body == {"data": [invalid(0, "Account_Name")]}
    assert engine.count("Contacts") == 0
    lenient, _ = accounts_org(check_lookups=False)
    assert lenient.upsert("Contacts", body).status == 200
    assert lenient.get("Contacts", rid(2))["Account_Name"] == {"name": None, "id": "999"}


def test_r33_lookup_reads_back_with_the_current_name() -> None:
    """R33: a lookup reads back as {"name", "id"}, the name being the looked-up record's
    display field as it is now (renamed: the new name)."""
    engine, acme = accounts_org()
    engine.upsert(
        "Contacts", {"data": [{"Last_Name": "C", "Account_Name": {"id": acme, "name": "x"}}]}
    )
    assert engine.get("Contacts", rid(2))["Account_Name"] == {"name": "Acme", "id": acme}
    engine.upsert("Accounts", {"data": [{"id": acme, "Account_Name": "Acme Corp"}]})
    assert engine.get("Contacts", rid(2))["Account_Name"] == {"name": "Acme Corp", "id": acme}
    assert next(engine.records("Contacts"))["Account_Name"]["name"] == "Acme Corp"


def test_r33_person_names_and_self_lookups_in_one_request() -> None:
    """R33/R17: a lookup to a Contact shows First and Last name; it may name a record written
    by an earlier record of the same request."""
    engine = org()
    body = {
        "data": [
            {"First_Name": "Ada", "Last_Name": "Boss", "Email": "boss@x.io"},
            {"Last_Name": "Aide", "Reporting_To": {"id": rid(1)}},
        ]
    }
    assert engine.upsert("Contacts", body).status == 200
    assert engine.get("Contacts", rid(2))["Reporting_To"] == {"name": "Ada Boss", "id": rid(1)}


def test_r33_lookups_outside_the_org_are_kept_as_sent() -> None:
    """R33: a lookup whose module is not known (a custom lookup without lookup_module) is
    stored as sent; a custom lookup to a custom module is checked like a standard one."""
    engine = Engine()
    engine.add_module("Projects_X")
    engine.add_field("Leads", "Anything", "lookup")
    engine.add_field("Leads", "Project", "lookup", lookup_module="Projects_X")
    with pytest.raises(ConfigurationError, match="lookup_module"):
        engine.add_field("Leads", "Bad", "text", lookup_module="Projects_X")
    (project,) = engine.load("Projects_X", [{"Name": "Apollo"}])
    body = {
        "data": [
            {"Last_Name": "A", "Anything": {"id": "123", "name": "?"}, "Project": {"id": project}}
        ]
    }
    assert engine.upsert("Leads", body).status == 200
    record = engine.get("Leads", rid(2))
    assert record["Anything"] == {"id": "123", "name": "?"}
    assert record["Project"] == {"name": "Apollo", "id": project}
    miss = engine.upsert("Leads", {"data": [{"Last_Name": "B", "Project": {"id": "1"}}]})
    assert miss.body == {"data": [invalid(0, "Project")]}


def test_r33_issue_case_lookup_by_external_value() -> None:
    """R24/R33 (issue 9, fourth case): {"External_Account_ID": "a1"} is read by that external
    field when X-EXTERNAL names Contacts.Account_Name.External_Account_ID [doc
    insert-records-ext]; the header makes the external value win over an id; without the
    header a lookup needs its id."""
    engine, acme = accounts_org()
    header = "Contacts.Account_Name.External_Account_ID"
    body = {"data": [{"Last_Name": "C", "Account_Name": {"External_Account_ID": "A1"}}]}
    assert engine.upsert("Contacts", body, external=header).status == 200
    assert engine.get("Contacts", rid(2))["Account_Name"] == {"name": "Acme", "id": acme}
    both = {"data": [{"Last_Name": "D", "Account_Name": {"id": "1", "External_Account_ID": "a1"}}]}
    assert engine.upsert("Contacts", both, external=header).status == 200
    without = engine.upsert("Contacts", body)
    assert without.body == {"data": [invalid(0, "Account_Name", expected_data_type="lookup")]}
    unknown = {"data": [{"Last_Name": "E", "Account_Name": {"External_Account_ID": "zz"}}]}
    assert engine.upsert("Contacts", unknown, external=header).body == {
        "data": [invalid(0, "Account_Name")]
    }
    id_only = {"data": [{"Last_Name": "F", "Account_Name": {"id": acme}}]}
    assert engine.upsert("Contacts", id_only, external=header).body == {
        "data": [invalid(0, "Account_Name")]
    }


def test_r33_user_based_external_lookup_is_per_user() -> None:
    """R24/R33: a lookup by a user-based external value finds only the acting user's record."""
    engine = org()
    engine.add_field("Accounts", "My_Ref", "text", external="user")
    engine.upsert("Accounts", {"data": [{"Account_Name": "Acme", "My_Ref": "r"}]}, as_user=ALICE.id)
    header = ["Contacts.Account_Name.My_Ref"]
    body = {"data": [{"Last_Name": "C", "Account_Name": {"My_Ref": "r"}}]}
    assert engine.upsert("Contacts", body, external=header, as_user=ALICE.id).status == 200
    assert engine.upsert("Contacts", body, external=header, as_user=BOB.id).status == 400


def test_r33_first_invalid_key_wins() -> None:
    """R29: lookups are checked key by key with R15: the first invalid key decides."""
    engine, _ = accounts_org()
    record = {"Last_Name": "C", "Account_Name": {"id": "9"}, "Email": "bad"}
    assert engine.upsert("Contacts", {"data": [record]}).body == {
        "data": [invalid(0, "Account_Name")]
    }
    record = {"Last_Name": "C", "Email": "bad", "Account_Name": {"id": "9"}}
    assert engine.upsert("Contacts", {"data": [record]}).body == {
        "data": [invalid(0, "Email", expected_data_type="email")]
    }


# --- R34: If-Unmodified-Since -------------------------------------------------------------------
def test_r34_issue_case_modified_since_fails_with_412() -> None:
    """R34 (issue 9, fifth case): a target modified after If-Unmodified-Since is not written:
    ALREADY_MODIFIED with Zoho's message [doc v7 upsert/update-records], HTTP 412 when every
    record failed so."""
    engine = Engine()
    (lead,) = engine.load("Leads", [{"Last_Name": "A", "Email": "a@x.io"}])
    body = {"data": [{"Email": "a@x.io", "Title": "T"}]}
    response = engine.upsert("Leads", body, if_unmodified_since="2026-01-15T09:59:59+05:30")
    assert response.status == 412
    assert response.body == {
        "data": [
            {
                "code": "ALREADY_MODIFIED",
                "details": {"id": lead},
                "message": ALREADY_MODIFIED,
                "status": "error",
            }
        ]
    }
    assert "Title" not in engine.get("Leads", lead)


def test_r34_inserts_unaffected_and_equal_time_passes() -> None:
    """R34: inserts are unaffected; a target modified exactly at the given time is written;
    an aware datetime is accepted too."""
    engine = Engine()
    (lead,) = engine.load("Leads", [{"Last_Name": "A", "Email": "a@x.io"}])
    body = {"data": [{"Email": "a@x.io", "Title": "T"}, {"Last_Name": "N", "Email": "n@x.io"}]}
    since = datetime(2026, 1, 15, 4, 30, tzinfo=timezone.utc)  # = at(0)
    response = engine.upsert("Leads", body, if_unmodified_since=since)
    assert response.body == {
        "data": [ok("update", lead, at(0), at(1), "Email"), ok("insert", rid(2), at(1), at(1))]
    }
    body["data"].append({"Last_Name": "M", "Email": "m@x.io"})
    mixed = engine.upsert("Leads", body, if_unmodified_since=since - timedelta(seconds=1))
    assert mixed.status == 207
    codes = [e["code"] for e in mixed.body["data"]]
    assert codes == ["ALREADY_MODIFIED", "ALREADY_MODIFIED", "SUCCESS"]


def test_r34_update_api_and_plan() -> None:
    """R34: the update API honours it too, and plan predicts it."""
    engine = Engine()
    (lead,) = engine.load("Leads", [{"Last_Name": "A"}])
    body = {"data": [{"id": lead, "Title": "T"}]}
    old = "2020-01-01T00:00:00Z"
    assert engine.plan("Leads", body, if_unmodified_since=old).status == 412
    assert engine.update("Leads", body, if_unmodified_since=old).status == 412
    trace = engine.explain("Leads", body, if_unmodified_since=old).records[0]
    assert (trace.outcome, trace.rule) == ("ALREADY_MODIFIED", "R34")
    assert engine.update("Leads", body, if_unmodified_since=at(0)).status == 200


@pytest.mark.parametrize(
    "since", ["yesterday", "2026-01-15T10:00:00", datetime(2026, 1, 15), 5, "x" * 100]
)
def test_r34_bad_times_fail_the_request(since: Any) -> None:
    """R34/R16: an If-Unmodified-Since that is not an ISO 8601 time with an offset fails the
    request with INVALID_DATA naming the header; nothing is written."""
    engine = Engine()
    response = engine.upsert("Leads", {"data": [{"Last_Name": "A"}]}, if_unmodified_since=since)
    assert response.status == 400
    assert response.body["details"] == {"param_name": "If-Unmodified-Since"}
    assert engine.count("Leads") == 0


# --- the reference model follows -----------------------------------------------------------------
@pytest.mark.parametrize("make", [Engine, ReferenceEngine])
def test_users_lookups_and_r34_in_the_reference_model(make: Any) -> None:
    """R32, R33, R34: the reference model answers these cases exactly as the engine does."""
    engine = make()
    engine.add_user(ALICE)
    engine.add_field("Accounts", "Ext", "text", external="user")
    engine.load(
        "Accounts",
        [{"Account_Name": "Acme", "Ext": "e", "Created_By": {"name": ALICE.name, "id": ALICE.id}}],
    )
    body = {
        "data": [
            {"Last_Name": "A", "Account_Name": {"Ext": "e"}},
            {"Last_Name": "B", "Account_Name": {"id": "1"}},
            {"Last_Name": "C", "Owner": {"id": ALICE.id}},
        ]
    }
    response = engine.upsert(
        "Contacts", body, as_user=ALICE.id, external="Contacts.Account_Name.Ext"
    )
    assert [e["code"] for e in response.body["data"]] == ["SUCCESS", "INVALID_DATA", "SUCCESS"]
    records = list(engine.records("Contacts"))
    assert records[0]["Account_Name"] == {"name": "Acme", "id": rid(1)}
    assert records[1]["Owner"] == ALICE_OWNER
    late = engine.upsert(
        "Contacts", {"data": [{"id": rid(2), "Title": "T"}]}, if_unmodified_since=at(0)
    )
    assert late.status == 412
    assert engine.upsert("Leads", {"data": [{"Last_Name": "A"}]}, external="x").status == 400
    assert USER == {"name": "Example User", "id": "5725767000000411001"}
