"""A RuleBasedStateMachine driving the engine and the reference model side by side."""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from upsert_engine import Engine, Options
from upsert_engine.reference import ReferenceEngine

from .strategies import EXTERNAL_POOL, UNIQUE_POOL, USERS, Org, bodies, keywords, options, stored


class EngineVersusReference(RuleBasedStateMachine):
    """Every step applies to both; after every step their records and indexes must agree."""

    engine: Engine
    reference: ReferenceEngine

    @initialize(chosen=options)
    def start(self, chosen: Options) -> None:
        """A fresh org with the drawn options, its users, lookups and Accounts (R32, R33), and
        the multi-select, subform and layout records may name (R26, R35, R36), and fields of
        every R15 type (``Org.build`` adds them)."""
        self.engine, self.reference = Org(chosen, ()).build()

    @rule(layout=st.sampled_from(["900", "901"]), mandatory=st.sampled_from([[], ["Phone"]]))
    def add_layout(self, layout: str, mandatory: list[str]) -> None:
        """R35: a layout is defined or redefined between requests."""
        self.engine.add_layout("Leads", layout, mandatory=mandatory)
        self.reference.add_layout("Leads", layout, mandatory=mandatory)

    @rule(body=bodies(), as_user=st.sampled_from([None, USERS[0].id]))
    def insert(self, body: dict[str, Any], as_user: str | None) -> None:
        """R30: the Insert Records API answers alike (201 when all added) on both sides."""
        got = self.engine.insert("Leads", body, as_user=as_user)
        want = self.reference.insert("Leads", body, as_user=as_user)
        assert (got.status, got.body) == (want.status, want.body)

    @rule(rows=st.lists(stored(), max_size=4))
    def load(self, rows: list[dict[str, Any]]) -> None:
        """Existing data, repeats allowed, created by any user (R11, R14, R24)."""
        assert self.engine.load("Leads", rows) == self.reference.load("Leads", rows)

    @rule(field=st.sampled_from(UNIQUE_POOL))
    def make_unique(self, field: tuple[str, str]) -> None:
        """A field becomes user-defined unique after data exists (R1, R14)."""
        self.engine.add_field("Leads", field[0], field[1], unique=True)
        self.reference.add_field("Leads", field[0], field[1], unique=True)

    @rule(field=st.sampled_from(EXTERNAL_POOL))
    def make_external(self, field: tuple[str, str]) -> None:
        """A field becomes external (org- or user-based) after data exists (R24)."""
        self.engine.add_field("Leads", field[0], "text", external=field[1])
        self.reference.add_field("Leads", field[0], "text", external=field[1])

    @rule(body=bodies(), extra=keywords)
    def upsert(self, body: dict[str, Any], extra: dict[str, Any]) -> None:
        """R1-R25, R32-R34: the same response from both, whoever acts."""
        got = self.engine.upsert("Leads", body, **extra)
        want = self.reference.upsert("Leads", body, **extra)
        assert (got.status, got.body) == (want.status, want.body)

    @rule(body=bodies(), extra=keywords)
    def plan(self, body: dict[str, Any], extra: dict[str, Any]) -> None:
        """A dry run answers like the reference's and writes nothing."""
        before = list(self.engine.records("Leads"))
        assert self.engine.plan("Leads", body, **extra) == self.reference.plan(
            "Leads", body, **extra
        )
        assert list(self.engine.records("Leads")) == before

    @invariant()
    def same_records_and_sound_indexes(self) -> None:
        """Records agree with the reference; every index agrees with the records."""
        if not hasattr(self, "engine"):
            return
        self.engine._check()
        assert self.engine.users() == self.reference.users() == (Options().user, *USERS)
        for module in ("Leads", "Accounts"):
            assert list(self.engine.records(module)) == list(self.reference.records(module))


EngineVersusReference.TestCase.settings = settings(
    max_examples=150, stateful_step_count=20, deadline=None
)
TestEngineVersusReference = EngineVersusReference.TestCase
