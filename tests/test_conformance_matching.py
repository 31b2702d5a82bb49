"""Conformance matching is type-strict and ``$time`` wants a real date-time (review of the
suite): an implementation answering 42.0 for 42 (R28), 1 for true, or a ``*_Time`` that is
not a real ISO 8601 date-time with offset in ASCII digits (R18) must fail cases."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from upsert_engine import Engine
from upsert_engine.conformance.case import load_corpus
from upsert_engine.conformance.matching import Bindings, CaseError, compare
from upsert_engine.conformance.runner import run
from upsert_engine.conformance.target import InProcessTarget, Reply

CORPUS = load_corpus()
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize(
    ("expected", "actual"),
    [(1, 1.0), (1.0, 1), (42, 42.0), (True, 1), (1, True), (False, 0), (0, False), ("1", 1)],
)
def test_json_types_matter(expected: Any, actual: Any) -> None:
    """1 is not 1.0 and true is not 1 (README: JSON types matter), in either direction."""
    assert compare(expected, actual, Bindings()) != []
    assert compare({"a": [expected]}, {"a": [actual]}, Bindings()) != []


@pytest.mark.parametrize("value", [1, 1.5, True, None, "x", [1], {"a": 1}])
def test_equal_values_of_one_type_match(value: Any) -> None:
    """A value matches itself (the strict comparison refuses no equal pair)."""
    assert compare(value, value, Bindings()) == []


@pytest.mark.parametrize(
    "text",
    [
        "2026-99-99T99:99:99+99:99",  # shape only
        "2026-02-30T10:00:00+05:30",  # no such day
        "2026-01-15T24:00:00+05:30",  # no such hour
        "2026-01-15T10:00:60+05:30",  # no such second
        "2026-01-15T10:00:00+05:60",  # no such offset minute
        "2026-01-15T10:00:00+24:00",  # an offset of a day
        "2026-01-15T10:00:00+05:30".translate(ARABIC_INDIC),  # \d is not ASCII-only
        "２０２６-01-15T10:00:00+05:30",  # fullwidth digits
        "2026-01-15T10:00:00Z",  # Zoho answers an offset, not Z (R18)
        "2026-01-15T10:00:00.123+05:30",  # seconds precision (R18)
        "2026-01-15 10:00:00+05:30",
    ],
)
def test_time_wants_a_real_date_time_with_offset_in_ascii_digits(text: str) -> None:
    """``{"$time": ...}`` refuses anything but yyyy-MM-ddTHH:mm:ss±HH:mm naming a real
    instant (R18), with ASCII digits."""
    assert compare({"$time": None}, text, Bindings()) != []
    bindings = Bindings()
    assert compare({"$time": "t1"}, text, bindings) != [] and bindings.times == {}


@pytest.mark.parametrize(
    "text", ["2026-01-15T10:00:00+05:30", "2024-02-29T23:59:59-12:00", "2026-12-31T00:00:00+14:00"]
)
def test_time_accepts_what_zoho_answers(text: str) -> None:
    """Real date-times with an offset match ``$time`` (R18: 2020-10-14T10:31:43+05:30)."""
    assert compare({"$time": None}, text, Bindings()) == []


def _walk(value: Any, change: Callable[[str | None, Any], Any], key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {k: _walk(v, change, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, change, key) for v in value]
    return change(key, value)


def _int_to_float(key: str | None, value: Any) -> Any:
    return float(value) if type(value) is int else value


def _bool_to_int(key: str | None, value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def _impossible_time(key: str | None, value: Any) -> Any:
    timed = isinstance(value, str) and key is not None and key.endswith("_Time")
    return "2026-99-99T99:99:99+99:99" if timed else value


def _arabic_indic_time(key: str | None, value: Any) -> Any:
    timed = isinstance(value, str) and key is not None and key.endswith("_Time")
    return value.translate(ARABIC_INDIC) if timed else value


class Mutated(InProcessTarget):
    """Engine, with every reply body passed through one mutation."""

    def __init__(self, change: Callable[[str | None, Any], Any]) -> None:
        super().__init__(Engine, f"engine mutated by {change.__name__}")
        self._change = change

    def send(
        self, method: str, path: str, headers: Mapping[str, str], body: Any, user: str | None
    ) -> Reply:
        reply = super().send(method, path, headers, body, user)
        return Reply(reply.status, _walk(reply.body, self._change))


@pytest.mark.parametrize(
    "change", [_int_to_float, _bool_to_int, _impossible_time, _arabic_indic_time]
)
def test_the_corpus_fails_a_mutated_engine(change: Callable[[str | None, Any], Any]) -> None:
    """Engine with its replies mutated (ints as floats, bools as ints, impossible times,
    Arabic-Indic digits in times) fails cases of the corpus, each on a body difference."""
    outcomes = run(Mutated(change), CORPUS).outcomes
    failed = [o for o in outcomes if o.status == "fail"]
    assert [o for o in outcomes if o.status == "error"] == []
    assert len(failed) >= 2, change.__name__
    assert all(d.path != "HTTP status" for o in failed for d in o.differences)


def test_an_unknown_any_type_is_a_case_error_not_a_match() -> None:
    """``{"$any": "strin"}`` (a typo) matches nothing: it is a bug in the case (CaseError),
    even for a case that reached the matcher without the loader's check."""
    with pytest.raises(CaseError, match="no such JSON type"):
        compare({"$any": "strin"}, "anything", Bindings())
