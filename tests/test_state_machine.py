"""A RuleBasedStateMachine driving the engine and the reference model side by side."""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from upsert_engine import Engine, Options
from upsert_engine.reference import ReferenceEngine

from .strategies import UNIQUE_POOL, add_typed_fields, bodies, options, records


class EngineVersusReference(RuleBasedStateMachine):
    """Every step applies to both; after every step their records and indexes must agree."""

    engine: Engine
    reference: ReferenceEngine

    @initialize(chosen=options)
    def start(self, chosen: Options) -> None:
        """A fresh org with the drawn options and fields of every R15 type."""
        self.engine = Engine(chosen)
        self.reference = ReferenceEngine(chosen)
        add_typed_fields(self.engine)
        add_typed_fields(self.reference)

    @rule(rows=st.lists(records(), max_size=4))
    def load(self, rows: list[dict[str, Any]]) -> None:
        """Existing data, repeats allowed (R11, R14)."""
        assert self.engine.load("Leads", rows) == self.reference.load("Leads", rows)

    @rule(field=st.sampled_from(UNIQUE_POOL))
    def make_unique(self, field: tuple[str, str]) -> None:
        """A field becomes user-defined unique after data exists (R1, R14)."""
        self.engine.add_field("Leads", field[0], field[1], unique=True)
        self.reference.add_field("Leads", field[0], field[1], unique=True)

    @rule(body=bodies())
    def upsert(self, body: dict[str, Any]) -> None:
        """R1-R23: the same response from both."""
        got = self.engine.upsert("Leads", body)
        want = self.reference.upsert("Leads", body)
        assert (got.status, got.body) == (want.status, want.body)

    @rule(body=bodies())
    def plan(self, body: dict[str, Any]) -> None:
        """A dry run answers like the reference's and writes nothing."""
        before = list(self.engine.records("Leads"))
        assert self.engine.plan("Leads", body) == self.reference.plan("Leads", body)
        assert list(self.engine.records("Leads")) == before

    @invariant()
    def same_records_and_sound_indexes(self) -> None:
        """Records agree with the reference; every index agrees with the records."""
        if not hasattr(self, "engine"):
            return
        self.engine._check()
        assert list(self.engine.records("Leads")) == list(self.reference.records("Leads"))


EngineVersusReference.TestCase.settings = settings(
    max_examples=150, stateful_step_count=20, deadline=None
)
TestEngineVersusReference = EngineVersusReference.TestCase
