"""Zoho's search ``criteria`` (``GET /{module}/search?criteria=``): parse, check, evaluate (pure).

Syntax [doc v8 search-records]:
``(({field}:{operator}:{value}) and/or ({field}:{operator}:{value}))``.
A group is ``(condition)`` or ``(group and group ...)``; ``and``/``or`` join groups (one of
them per level: mixing them needs parentheses [inf]). In a value, ``\\`` escapes ``(``, ``)``,
``,`` and ``\\``; an unescaped comma separates values (``(Email:equals:a@x.org,b@x.org)``).

Limits and operators, as Zoho's v8 Search Records page gives them:

- at most ``MAX_CRITERIA`` (10) conditions: more is ``CRITERIA_LIMIT_EXCEEDED``;
- ``in`` takes at most ``MAX_IN_VALUES`` (100) values: more is ``INVALID_QUERY``
  ``Only 100 values are allowed in "IN" criteria`` naming the field;
- operators per data type (``OPERATORS``); another operator is ``INVALID_QUERY`` with
  ``details.operator``; a value not of the field's type is ``INVALID_QUERY`` with
  ``details.expected_data_type``; an unknown field or unreadable text is ``INVALID_QUERY``
  with ``details.reason``; every ``INVALID_QUERY`` message is ``invalid query formed``;
- ``equals`` on single-line, multi-line, email, phone and URL fields "behaves like contains"
  [doc v8]: the field's value contains the given text (case-insensitive); on every other type
  it is equality. ``not_equal`` is its negation of *equality* [inf]; ``between`` is inclusive
  [inf]; an empty field matches no condition [inf];
- an empty value (``(Email:equals:)``, a blank, or an empty one of several) is not documented
  by Zoho: ``INVALID_QUERY`` with ``details.api_name`` (R9: empty never matches), never a
  match of everything.

Not modelled: encrypted fields, and Zoho's looser matching of values holding
``{ } [ ] ^ : - / ! ? * _ @`` (Zoho may return look-alikes; the fake compares exactly).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from ..schema import ModuleSchema
from .api import ApiError
from .values import LiteralError, compare, equals, field_type, parse_literal
from .values import stored as read_stored

MAX_CRITERIA: Final = 10
MAX_IN_VALUES: Final = 100
#: Zoho's ``criteria`` parameter is at most this long [doc v8 OAS: maxLen 3000].
MAX_CRITERIA_CHARS: Final = 3000

_ORDERED = (
    "equals",
    "not_equal",
    "greater_equal",
    "greater_than",
    "less_equal",
    "less_than",
    "between",
    "in",
)
#: Operators per data type [doc v8 search-records, "operator support by field type"].
OPERATORS: Final[dict[str, tuple[str, ...]]] = {
    "date": _ORDERED,
    "datetime": _ORDERED,
    "integer": _ORDERED,
    "currency": _ORDERED,
    "decimal": _ORDERED,
    "double": _ORDERED,
    "bigint": _ORDERED,
    "percent": _ORDERED,
    "boolean": ("equals", "not_equal"),
    "textarea": ("equals", "not_equal", "starts_with"),
    "ownerlookup": ("equals", "not_equal", "in"),
    "userlookup": ("equals", "not_equal", "in"),
    "lookup": ("equals", "not_equal", "in"),
    "picklist": ("equals", "not_equal", "in"),
    "autonumber": ("equals", "not_equal", "in"),
    "text": ("equals", "not_equal", "starts_with", "in"),
    "email": ("equals", "not_equal", "starts_with", "in"),
    "phone": ("equals", "not_equal", "starts_with", "in"),
    "website": ("equals", "not_equal", "starts_with", "in"),
    "multiselectpicklist": ("equals", "not_equal", "in", "starts_with"),
}
#: [doc v8]: on these types ``equals`` "behaves like contains".
CONTAINS_TYPES: Final = frozenset({"text", "textarea", "email", "phone", "website"})


def invalid_query(**details: Any) -> ApiError:
    """Zoho's ``INVALID_QUERY`` (400) with ``details``."""
    return ApiError(400, "INVALID_QUERY", "invalid query formed", details)


@dataclass(frozen=True, slots=True)
class Condition:
    """``(field:operator:value,...)`` with its values parsed for the field's type."""

    field: str
    data_type: str
    operator: str
    values: tuple[Any, ...]
    texts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Group:
    """Conditions or groups joined by one ``joiner`` (``and`` / ``or``)."""

    joiner: str
    parts: tuple[Condition | Group, ...]


Node = Condition | Group


def split_values(raw: str) -> list[str]:
    """``a,b\\,c`` → ``["a", "b,c"]``: unescaped commas separate, ``\\`` escapes any char."""
    values: list[str] = []
    current: list[str] = []
    escaped = False
    for char in raw:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ",":
            values.append("".join(current))
            current = []
        else:
            current.append(char)
    values.append("".join(current))
    return values


def _condition(schema: ModuleSchema, text: str) -> Condition:
    name, sep1, rest = text.partition(":")
    operator, sep2, raw = rest.partition(":")
    name, operator = name.strip(), operator.strip().lower()
    if not (sep1 and sep2 and name and operator):
        raise invalid_query(reason=f"{text[:80]!r} is not field:operator:value")
    data_type = field_type(schema, name)
    if data_type is None:
        raise invalid_query(reason=f"{name[:80]!r} is not a field of {schema.api_name}")
    allowed = OPERATORS.get(data_type, ("equals", "not_equal"))
    if operator not in allowed:
        why = f"{operator[:40]!r} is not supported for {data_type} field {name}; use {allowed}"
        raise invalid_query(operator=operator[:40], reason=why)
    texts = split_values(raw)
    if any(not value.strip() for value in texts):
        # R9: an empty value never matches; Zoho documents none here, so refuse it
        why = f"{name} {operator}: an empty value (R9: empty never matches); give a value"
        raise invalid_query(api_name=name, reason=why)
    if operator == "in" and len(texts) > MAX_IN_VALUES:
        message = f'Only {MAX_IN_VALUES} values are allowed in "IN" criteria'
        raise ApiError(400, "INVALID_QUERY", message, {"param_name": name})
    if operator == "between" and len(texts) != 2:
        raise invalid_query(reason=f"between on {name} takes two values, got {len(texts)}")
    if operator in ("greater_equal", "greater_than", "less_equal", "less_than") and len(texts) > 1:
        raise invalid_query(reason=f"{operator} on {name} takes one value, got {len(texts)}")
    values: list[Any] = []
    for value in texts:
        if operator == "starts_with":
            values.append(value.strip().lower())
            continue
        try:
            values.append(parse_literal(data_type, value))
        except LiteralError as problem:
            raise invalid_query(expected_data_type=problem.expected, reason=str(problem)) from None
    return Condition(name, data_type, operator, tuple(values), tuple(texts))


class _Parser:
    def __init__(self, schema: ModuleSchema, text: str) -> None:
        self.schema = schema
        self.text = text
        self.position = 0
        self.count = 0

    def fail(self, why: str) -> ApiError:
        return invalid_query(reason=f"{why} at character {self.position + 1}")

    def skip_space(self) -> None:
        while self.position < len(self.text) and self.text[self.position].isspace():
            self.position += 1

    def group(self) -> Node:
        self.skip_space()
        if self.position >= len(self.text) or self.text[self.position] != "(":
            raise self.fail("expected '('")
        self.position += 1
        self.skip_space()
        inner: Node
        if self.position < len(self.text) and self.text[self.position] == "(":
            inner = self.expression()
            self.skip_space()
        else:
            start, escaped = self.position, False
            while self.position < len(self.text) and (escaped or self.text[self.position] != ")"):
                escaped = self.text[self.position] == "\\" and not escaped
                self.position += 1
            self.count += 1
            if self.count > MAX_CRITERIA:
                message = f"no of criterium that can be given exceed the limit {MAX_CRITERIA}"
                raise ApiError(400, "CRITERIA_LIMIT_EXCEEDED", message, {"limit": MAX_CRITERIA})
            inner = _condition(self.schema, self.text[start : self.position])
        if self.position >= len(self.text) or self.text[self.position] != ")":
            raise self.fail("expected ')'")
        self.position += 1
        return inner

    def expression(self) -> Node:
        parts = [self.group()]
        joiner: str | None = None
        while True:
            self.skip_space()
            rest = self.text[self.position : self.position + 3].lower()
            word = "and" if rest == "and" else "or" if rest[:2] == "or" else None
            if word is None:
                break
            if joiner is not None and word != joiner:
                raise self.fail("'and' and 'or' mixed at one level: add parentheses")
            joiner = word
            self.position += len(word)
            parts.append(self.group())
        if joiner is None:
            return parts[0]
        return Group(joiner, tuple(parts))


def parse_criteria(schema: ModuleSchema, text: str) -> Node:
    """The criteria as a tree, checked against ``schema``; ``ApiError`` says what is wrong."""
    if len(text) > MAX_CRITERIA_CHARS:
        raise invalid_query(reason=f"criteria has {len(text)} characters; at most 3000")
    parser = _Parser(schema, text)
    node = parser.expression()
    parser.skip_space()
    if parser.position != len(text):
        raise parser.fail("unexpected text")
    return node


def _text_of(data_type: str, value: Any) -> list[str]:
    read = read_stored(data_type, value)
    if read is None:
        return []
    if isinstance(read, list):
        return read
    return [str(read)]


def _holds(condition: Condition, record: Mapping[str, Any]) -> bool:
    data_type, operator = condition.data_type, condition.operator
    value = record.get(condition.field)
    if read_stored(data_type, value) in (None, "", []):
        return False  # [inf]: an empty field matches no condition
    if operator == "starts_with":
        texts = _text_of(data_type, value)
        return any(t.startswith(prefix) for t in texts for prefix in condition.values)
    if operator == "equals" and data_type in CONTAINS_TYPES:
        text = _text_of(data_type, value)[0]
        return any(literal in text for literal in condition.values)
    if operator in ("equals", "in"):
        return any(equals(data_type, value, literal) for literal in condition.values)
    if operator == "not_equal":
        return not any(equals(data_type, value, literal) for literal in condition.values)
    if operator == "between":
        low = compare(data_type, value, condition.values[0])
        high = compare(data_type, value, condition.values[1])
        return low is not None and high is not None and low >= 0 and high <= 0
    order = compare(data_type, value, condition.values[0])
    if order is None:
        return False
    return {
        "greater_than": order > 0,
        "greater_equal": order >= 0,
        "less_than": order < 0,
        "less_equal": order <= 0,
    }[operator]


def matches(node: Node, record: Mapping[str, Any]) -> bool:
    """Whether ``record`` satisfies the parsed criteria."""
    if isinstance(node, Condition):
        return _holds(node, record)
    if node.joiner == "and":
        return all(matches(part, record) for part in node.parts)
    return any(matches(part, record) for part in node.parts)


def conditions(node: Node) -> Sequence[Condition]:
    """The conditions of the tree, left to right."""
    if isinstance(node, Condition):
        return [node]
    return [c for part in node.parts for c in conditions(part)]
