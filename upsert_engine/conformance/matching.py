"""Expected bodies with placeholders, compared with actual ones; and requests filled in.

A case's expected body is plain JSON in which a few one-key objects stand for what the
server assigns (pure functions, no I/O):

- ``{"$id": "lead1"}``: a record id (a string of digits). The first time a name is seen it
  binds to the value found there; afterwards it must match that value.
- ``{"$time": "t1"}`` / ``{"$time": null}``: an ISO 8601 date-time with offset, seconds
  precision, ASCII digits, naming a real instant (R18: ``2020-10-14T10:31:43+05:30``; not
  ``Z``, not fractions); a name binds like ``$id``.
- ``{"$user": "me.id"}``: an attribute (``name``, ``id``, ``email``, ``zuid``) of a user of
  the case (``me`` is the acting user of the target: whoever the token acts as).
- ``{"$module_id": "Leads"}``: the id of a module (R32 ``duplicate_record.module.id``).
- ``{"$any": "string"}``: any value of that JSON type (``string``, ``number``, ``integer``,
  ``boolean``, ``object``, ``array``, ``null``, or ``null`` for anything): used only where
  the spec leaves the value open (a top-level message Zoho's docs do not give, R27).

Everything else compares as JSON, type-strict: ``1`` is not ``1.0`` and ``true`` is not ``1``.

Requests may carry the same placeholders (``$id`` and ``$time`` must be bound by then), and a
path may name bound ids as ``{lead1}``.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..fields import valid_datetime

PLACEHOLDERS = ("$id", "$time", "$user", "$module_id", "$any")
_KINDS: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}


class CaseError(ValueError):
    """A case that cannot be run as written (an unbound name, an unknown user): a bug in the
    case, reported as such, never as the target's failure."""


@dataclass(slots=True)
class Bindings:
    """What a run has learnt: ids and times by name, users by reference, module ids."""

    ids: dict[str, str] = field(default_factory=dict)
    times: dict[str, str] = field(default_factory=dict)
    #: user reference -> {"name", "id", "email", "zuid"}
    users: dict[str, dict[str, str]] = field(default_factory=dict)
    #: module API name -> module id, filled by the target when asked
    module_ids: dict[str, str] = field(default_factory=dict)


def placeholder(value: Any) -> tuple[str, Any] | None:
    """``("$id", "lead1")`` for ``{"$id": "lead1"}``; None for any other value."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, argument),) = value.items()
        if key in PLACEHOLDERS:
            return key, argument
    return None


USER_ATTRIBUTES = ("name", "id", "email", "zuid")
_NAME = re.compile(r"[A-Za-z0-9_]+\Z")


def _placeholder_problem(kind: str, argument: Any, users: set[str]) -> str | None:
    if kind in ("$id", "$time"):
        if kind == "$time" and argument is None:
            return None
        if not isinstance(argument, str) or not _NAME.match(argument):
            return f"{kind} needs a name of letters, digits and _, not {argument!r}"
    elif kind == "$user":
        ref, _, attribute = str(argument).partition(".")
        if not isinstance(argument, str) or attribute not in USER_ATTRIBUTES:
            return f"$user needs 'ref.attribute' ({', '.join(USER_ATTRIBUTES)}), not {argument!r}"
        if ref not in users:
            return f"$user {argument!r}: no user {ref!r} (users: {', '.join(sorted(users))})"
    elif kind == "$module_id":
        if not isinstance(argument, str) or argument == "":
            return f"$module_id needs a module API name, not {argument!r}"
    elif argument is not None and argument != "null" and argument not in _KINDS:
        return f"$any needs null or one of {', '.join([*_KINDS, 'null'])}, not {argument!r}"
    return None


def placeholder_problems(
    value: Any, users: set[str], path: str, *, request: bool = False
) -> list[tuple[str, str]]:
    """(JSON path, what is wrong) of every malformed placeholder in ``value``: an unknown
    ``$any`` type, a ``$user`` of no user in ``users``, a key that looks like a misspelt
    placeholder (``{"$Time": null}``), ``$any`` in a request (nothing to send)."""
    found = placeholder(value)
    if found is not None:
        problem = _placeholder_problem(found[0], found[1], users)
        if problem is None and request and found[0] == "$any":
            problem = "$any cannot be sent in a request"
        return [] if problem is None else [(path, problem)]
    problems: list[tuple[str, str]] = []
    if isinstance(value, dict):
        kinds = [key for key in value if key in PLACEHOLDERS]
        if kinds and len(value) > 1:
            others = ", ".join(repr(key) for key in value if key != kinds[0])
            problems.append(
                (path, f"a placeholder is an object of one key: {kinds[0]!r} has also {others}")
            )
        if len(value) == 1:
            ((key, _),) = value.items()
            near = difflib.get_close_matches(key.lower(), PLACEHOLDERS, n=1, cutoff=0.7)
            if key.startswith("$") and near:
                problems.append((path, f"{key!r} is not a placeholder: {near[0]!r}?"))
        for key, item in value.items():
            problems += placeholder_problems(item, users, f"{path}.{key}", request=request)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problems += placeholder_problems(item, users, f"{path}[{index}]", request=request)
    return problems


def _user_attribute(bindings: Bindings, spec: Any) -> str:
    ref, dot, attribute = str(spec).partition(".")
    user = bindings.users.get(ref)
    if not dot or user is None or attribute not in user:
        raise CaseError(
            f"{{'$user': {spec!r}}}: no such user attribute (users: {list(bindings.users)})"
        )
    return user[attribute]


def _module_id(bindings: Bindings, module: Any) -> str:
    found = bindings.module_ids.get(str(module))
    if found is None:
        raise CaseError(f"{{'$module_id': {module!r}}}: the target gave no id for that module")
    return found


def fill(value: Any, bindings: Bindings) -> Any:
    """A request value with its placeholders replaced by what they are bound to."""
    found = placeholder(value)
    if found is not None:
        kind, argument = found
        if kind == "$id":
            if argument not in bindings.ids:
                raise CaseError(f"request uses {{'$id': {argument!r}}} before it is bound")
            return bindings.ids[argument]
        if kind == "$time":
            if argument not in bindings.times:
                raise CaseError(f"request uses {{'$time': {argument!r}}} before it is bound")
            return bindings.times[argument]
        if kind == "$user":
            return _user_attribute(bindings, argument)
        if kind == "$module_id":
            return _module_id(bindings, argument)
        raise CaseError(f"{{'$any': ...}} cannot be sent in a request: {value!r}")
    if isinstance(value, dict):
        return {key: fill(item, bindings) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, bindings) for item in value]
    return value


_PATH_NAME = re.compile(r"\{([A-Za-z0-9_]+)\}")


def fill_path(path: str, bindings: Bindings) -> str:
    """``/crm/v8/Leads/{lead1}`` with ``lead1``'s bound id."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in bindings.ids:
            raise CaseError(f"path {path!r} names {{{name}}} before it is bound")
        return bindings.ids[name]

    return _PATH_NAME.sub(one, path)


@dataclass(frozen=True, slots=True)
class Difference:
    """One place where the actual body differs: a JSON path, what was expected, what came."""

    path: str
    expected: str
    actual: str

    def __str__(self) -> str:
        return f"{self.path}: expected {self.expected}, got {self.actual}"


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=False)
    return text if len(text) <= 160 else text[:157] + "..."


_MISSING = object()


class Matcher:
    """Compares expected with actual under one run's bindings (which it extends)."""

    def __init__(self, bindings: Bindings, *, subset: bool = False) -> None:
        self.bindings = bindings
        self.subset = subset
        self.differences: list[Difference] = []

    def compare(self, expected: Any, actual: Any, path: str = "$") -> list[Difference]:
        """Every difference between ``expected`` (with placeholders) and ``actual``."""
        self._walk(expected, actual, path)
        return self.differences

    def _fail(self, path: str, expected: str, actual: Any) -> None:
        shown = "nothing (key absent)" if actual is _MISSING else _show(actual)
        self.differences.append(Difference(path, expected, shown))

    def _walk(self, expected: Any, actual: Any, path: str) -> None:
        found = placeholder(expected)
        if found is not None:
            self._placeholder(found[0], found[1], actual, path)
            return
        if isinstance(expected, dict):
            if not isinstance(actual, dict):
                self._fail(path, _show(expected), actual)
                return
            for key, item in expected.items():
                self._walk(item, actual.get(key, _MISSING), f"{path}.{key}")
            if not self.subset:
                for key in actual:
                    if key not in expected:
                        self._fail(f"{path}.{key}", "no such key", actual[key])
            return
        if isinstance(expected, list):
            if not isinstance(actual, list) or len(actual) != len(expected):
                self._fail(path, f"a list of {len(expected)}: {_show(expected)}", actual)
                if not isinstance(actual, list):
                    return
            for index, (want, got) in enumerate(zip(expected, actual, strict=False)):
                self._walk(want, got, f"{path}[{index}]")
            return
        if actual is _MISSING or not _same(expected, actual):
            self._fail(path, _show(expected), actual)

    def _placeholder(self, kind: str, argument: Any, actual: Any, path: str) -> None:
        if kind == "$any":
            if argument is not None and argument != "null" and argument not in _KINDS:
                raise CaseError(f"{{'$any': {argument!r}}}: no such JSON type")
            kinds = _KINDS.get(argument) if argument is not None else None
            if actual is _MISSING:
                self._fail(path, f"any {argument or 'value'}", actual)
            elif argument == "null" and actual is not None:
                self._fail(path, "null", actual)
            elif kinds is not None and (
                not isinstance(actual, kinds) or (isinstance(actual, bool) and bool not in kinds)
            ):
                self._fail(path, f"any {argument}", actual)
            return
        if kind == "$user":
            want = _user_attribute(self.bindings, argument)
            if actual is _MISSING or actual != want:
                self._fail(path, f"{_show(want)} (user {argument})", actual)
            return
        if kind == "$module_id":
            want = _module_id(self.bindings, argument)
            if actual is _MISSING or actual != want:
                self._fail(path, f"{_show(want)} (module id of {argument})", actual)
            return
        table = self.bindings.ids if kind == "$id" else self.bindings.times
        # R18's form (fields.valid_datetime: a real date, time and offset, ASCII digits)
        ok = isinstance(actual, str) and (
            actual.isascii() and actual.isdigit() if kind == "$id" else valid_datetime(actual)
        )
        what = "a record id" if kind == "$id" else "a time yyyy-MM-ddTHH:mm:ss±HH:mm"
        if not ok:
            self._fail(path, f"{what} ({kind} {argument})", actual)
            return
        if argument is None:
            return
        bound = table.get(argument)
        if bound is None:
            table[argument] = actual
        elif bound != actual:
            self._fail(path, f"{_show(bound)} (bound to {kind} {argument!r} earlier)", actual)


def _same(expected: Any, actual: Any) -> bool:
    """JSON equality of two scalars, type-strict: 1 is not 1.0, true is not 1 (README)."""
    return type(expected) is type(actual) and bool(expected == actual)


def compare(
    expected: Any, actual: Any, bindings: Bindings, *, subset: bool = False
) -> list[Difference]:
    """Differences between ``expected`` and ``actual`` (binding names first seen here)."""
    return Matcher(bindings, subset=subset).compare(expected, actual)


def uses_placeholder(value: Any, kinds: Mapping[str, Any] | None = None) -> bool:
    """Whether ``value`` holds any placeholder (of ``kinds``' keys, if given)."""
    found = placeholder(value)
    if found is not None:
        return kinds is None or found[0] in kinds
    if isinstance(value, dict):
        return any(uses_placeholder(item, kinds) for item in value.values())
    if isinstance(value, list):
        return any(uses_placeholder(item, kinds) for item in value)
    return False
