"""What a fresh user found trying to break the engine after issues 8 and 9, one test each.

Each is a confident wrong answer or a state change the spec forbids (section 8, R16, R18,
R24, R32); the fix makes it a clean error or the right answer.
"""

from __future__ import annotations

import math

import pytest

from upsert_engine import Engine, Options
from upsert_engine.errors import ConfigurationError, InvalidLoadError


def test_options_are_fixed_at_construction() -> None:
    """Compiled plans depend on the options: replacing them on a used engine would leave
    answers from the old options (R25 ``record_id``), so ``options`` cannot be assigned."""
    engine = Engine(Options(record_id="ignore"))
    with pytest.raises(AttributeError):
        engine.options = Options()  # type: ignore[misc]
    assert engine.options.record_id == "ignore"


def test_a_non_injective_id_source_is_refused_before_it_overwrites() -> None:
    """Section 8: an id source that repeats an id would replace a record; the request is
    refused with a ``ConfigurationError`` and writes nothing."""
    engine = Engine(ids=lambda n: str(1000 + n // 2))
    body = {"data": [{"Last_Name": "A", "Email": "a@x.io"}, {"Last_Name": "B", "Email": "b@x.io"}]}
    with pytest.raises(ConfigurationError, match="injective"):
        engine.upsert("Leads", body)
    assert engine.count("Leads") == 0
    engine._check()


def test_a_normaliser_that_is_not_callable_is_a_configuration_error() -> None:
    """R8: a normaliser is a function; anything else is refused when the field is defined,
    not at the next upsert."""
    engine = Engine()
    with pytest.raises(ConfigurationError, match="not callable"):
        engine.add_field("Leads", "Code", "text", unique=True, normalizer="lower")  # type: ignore[arg-type]
    assert "Code" not in engine.schema("Leads").fields


@pytest.mark.parametrize(
    "call",
    [
        lambda e: e.add_module("Projects", system_fields="Name"),
        lambda e: e.add_module("Projects", mandatory_fields=["Name", 3]),
        lambda e: e.set_mandatory("Leads", "Last_Name"),
        lambda e: e.find_external("Contacts", "Ext", "Boyle1"),
    ],
    ids=["system_fields str", "mandatory not str", "set_mandatory str", "find_external str"],
)
def test_a_str_where_a_list_of_names_belongs_is_refused(call: object) -> None:
    """R2, R4, R24: a bare string would iterate by character (fields N, a, m, e); it is a
    ``ConfigurationError`` and nothing changes."""
    engine = Engine()
    engine.add_field("Contacts", "Ext", "text", external="org")
    before = (engine.modules(), engine.schema("Leads"))
    with pytest.raises(ConfigurationError, match="must be a list"):
        call(engine)  # type: ignore[operator]
    assert (engine.modules(), engine.schema("Leads")) == before


def test_an_empty_load_leaves_the_clock_alone() -> None:
    """Section 8, R16: the clock counter moves only with a committed write."""
    engine, fresh = Engine(), Engine()
    assert engine.load("Leads", []) == []
    body = {"data": [{"Last_Name": "A"}]}
    assert engine.upsert("Leads", body) == fresh.upsert("Leads", body)


@pytest.mark.parametrize("owner", ["garbage", [1, 2], {"name": "No id"}])
def test_load_checks_the_owner_shape(owner: object) -> None:
    """R32: a loaded Owner is a user object with an id; anything else is refused before
    anything is written, naming the record."""
    engine = Engine()
    with pytest.raises(InvalidLoadError, match="record 1: Owner"):
        engine.load("Leads", [{"Last_Name": "A"}, {"Last_Name": "B", "Owner": owner}])
    assert engine.count("Leads") == 0


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, [1.0, math.inf]])
def test_load_refuses_numbers_json_cannot_carry(value: object) -> None:
    """R28: a stored value is read back as JSON; NaN and infinities are not JSON, so a load
    holding one is refused (the server then never answers ``Infinity``)."""
    engine = Engine()
    with pytest.raises(InvalidLoadError, match="Annual_Revenue is not a finite number"):
        engine.load("Leads", [{"Last_Name": "A", "Annual_Revenue": value}])
    assert engine.count("Leads") == 0


def test_success_details_show_created_by_as_name_and_id() -> None:
    """R18: ``details.Created_By`` is ``{"name", "id"}`` even when the loaded stamp carries
    more keys, from the fast path (upsert) and the general path (explain) alike."""
    engine = Engine()
    stamp = {"name": "Ann", "id": "5725767000000411777", "email": "ann@x.io"}
    engine.load("Leads", [{"Last_Name": "A", "Email": "a@x.io", "Created_By": stamp}])
    shown = {"name": "Ann", "id": stamp["id"]}
    explained = engine.explain("Leads", {"data": [{"Email": "a@x.io"}]})
    assert explained.response.body["data"][0]["details"]["Created_By"] == shown
    answer = engine.upsert("Leads", {"data": [{"Last_Name": "A2", "Email": "a@x.io"}]})
    assert answer.body["data"][0]["details"]["Created_By"] == shown
