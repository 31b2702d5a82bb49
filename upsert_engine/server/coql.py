"""COQL (``POST /crm/{v}/coql`` with ``{"select_query": ...}``): the subset sync code uses (pure).

Modelled: ``select <fields> from <module> where <criteria> [order by <field> [asc|desc], ...]
[limit <n> | limit <offset>, <n> | limit <n> offset <offset>]``, with ``=``, ``!=``, ``>``, ``<``,
``>=``, ``<=``, ``in``, ``not in``, ``like``, ``not like``, ``is null``, ``is not null``,
``between ... and ...``, joined by ``and``/``or`` in brackets. Keywords are case-insensitive;
a field name may be quoted (``'External'``); a string value is quoted, ``''`` inside a
single-quoted value is one quote [doc Kaizen #171].

Zoho's rules and limits [doc COQL Overview and Limitations pages, v2-v8; Kaizen #171, #183]:

- more than two criteria at one level need brackets: ``((A and B) and C)``;
- at most 25 criteria; ``in``/``not in`` take at most 50 values (v2-v6) or 100 (v7+);
- at most 50 selected fields (v2-v6) or 500 (v7+);
- ``LIMIT`` defaults to 200; at most 200 (v2, v2.1, v3) or 2000 (v4+) per query; offset and
  limit together reach at most 10,000 records (the limitations pages up to v7; v8 is held to the
  same [inf]);
- ``like`` patterns are ``'abc%'``, ``'%abc'`` or ``'%abc%'`` only (starts, ends, contains);
- multi-line fields cannot be in criteria; default order is ``id`` ascending;
- the answer is ``{"data": [...], "info": {"count", "more_records"}}`` (204 when nothing
  matches); each record carries the selected fields and ``id``; a lookup or user is ``{"id"}``.

Errors are Zoho's codes (``SYNTAX_ERROR`` with ``details.line/column/near``, ``INVALID_QUERY``
with ``details.column_name``, ``LIMIT_EXCEEDED``, ``INVALID_MODULE``, ``MANDATORY_NOT_FOUND``
for a missing ``select_query``); their messages, where Zoho's text is unknown, are plain [inf].
``where`` is required [inf: every documented query has one; older versions are reported to
refuse queries without it]. Joins (``Account_Name.Account_Name``), aggregates, aliases,
sub-queries and custom-view ids in ``from`` are not modelled: refused with ``NOT_SUPPORTED``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from ..schema import ModuleSchema
from .api import ApiError, not_modelled
from .values import (
    LiteralError,
    compare,
    equals,
    field_type,
    kind_of,
    parse_literal,
    sort_key,
)
from .values import stored as read_stored

MAX_CRITERIA: Final = 25
DEFAULT_LIMIT: Final = 200
MAX_TOTAL: Final = 10_000
OLD: Final = frozenset({"v2", "v2.1", "v3", "v4", "v5", "v6"})
SMALL_LIMIT: Final = frozenset({"v2", "v2.1", "v3"})

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^']|'')*'|"(?:[^"]|"")*")
    | (?P<number>-?[0-9]+(?:\.[0-9]+)?)
    | (?P<op>>=|<=|!=|<>|=|>|<)
    | (?P<punct>[(),;*])
    | (?P<word>[A-Za-z_$][A-Za-z0-9_$.\->]*)
    )""",
    re.VERBOSE,
)
KEYWORDS: Final = frozenset(
    {"select", "from", "where", "and", "or", "order", "by", "asc", "desc", "limit", "offset"}
    | {"in", "not", "like", "is", "null", "between", "as", "group", "having"}
)
#: Operators per comparison kind [doc Kaizen #80, #81; COQL Limitations].
TEXT_OPS: Final = frozenset({"=", "!=", "like", "not like", "in", "not in"})
ORDERED_OPS: Final = frozenset({"=", "!=", ">", "<", ">=", "<=", "between", "in", "not in"})
OPERATORS: Final[dict[str, frozenset[str]]] = {
    "text": TEXT_OPS,
    "multi": TEXT_OPS,
    "number": ORDERED_OPS,
    "date": ORDERED_OPS,
    "datetime": ORDERED_OPS,
    "boolean": frozenset({"=", "!="}),
    "lookup": frozenset({"=", "!=", "in", "not in"}),
}


@dataclass(frozen=True, slots=True)
class Token:
    """A lexical token and its 1-based column."""

    kind: str
    text: str
    column: int

    @property
    def word(self) -> str:
        return self.text.lower() if self.kind == "word" else ""


def syntax_error(token: Token | None, query: str) -> ApiError:
    """Zoho's ``SYNTAX_ERROR`` at ``token`` (None: the end of the query)."""
    column = token.column if token is not None else len(query) + 1
    near = token.text if token is not None else query.strip()[-20:]
    return ApiError(
        400,
        "SYNTAX_ERROR",
        "invalid query formed",
        {"line": 1, "column": column, "near": near[:100]},
    )


def limit_exceeded(what: str, limit: int) -> ApiError:
    """``LIMIT_EXCEEDED`` for one of COQL's limits."""
    return ApiError(400, "LIMIT_EXCEEDED", f"{what}: the limit is {limit}", {"limit": limit})


def tokenize(query: str) -> list[Token]:
    """The query's tokens; a character that starts no token is a ``SYNTAX_ERROR``."""
    tokens: list[Token] = []
    position = 0
    while position < len(query):
        if query[position:].strip() == "":
            break
        match = _TOKEN.match(query, position)
        if match is None or match.end() == position:
            column = position + 1 + (len(query[position:]) - len(query[position:].lstrip()))
            bad = Token("bad", query[column - 1 : column + 9], column)
            raise syntax_error(bad, query)
        kind = match.lastgroup or "bad"
        text = match.group(kind)
        tokens.append(Token(kind, text, match.start(kind) + 1))
        position = match.end()
    return tokens


@dataclass(frozen=True, slots=True)
class Predicate:
    """``column operator value(s)``, values parsed for the column's type."""

    column: str
    data_type: str
    operator: str
    values: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Junction:
    """Two or more criteria joined by ``and`` or ``or``."""

    joiner: str
    parts: tuple[Predicate | Junction, ...]


Criteria = Predicate | Junction


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed ``select``."""

    module: str
    columns: tuple[str, ...]
    where: Criteria | None
    order: tuple[tuple[str, bool], ...]  # (column, descending)
    limit: int
    offset: int


class _Parser:
    def __init__(self, query: str, version: str, schema_of: Callable[[str], ModuleSchema | None]):
        self.query = query
        self.tokens = tokenize(query)
        self.position = 0
        self.version = version
        self.schema_of = schema_of
        self.schema: ModuleSchema | None = None
        self.criteria = 0

    # --- tokens ----------------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> Token | None:
        index = self.position + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise syntax_error(None, self.query)
        self.position += 1
        return token

    def at(self, text: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token is not None and token.text == text

    def is_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.word in words

    def expect_word(self, word: str) -> Token:
        token = self.take()
        if token.word != word:
            raise syntax_error(token, self.query)
        return token

    def expect(self, text: str) -> Token:
        token = self.take()
        if token.text != text:
            raise syntax_error(token, self.query)
        return token

    # --- clauses ---------------------------------------------------------------------------
    def column_name(self) -> str:
        token = self.take()
        if token.kind == "string":
            name = token.text[1:-1].replace(token.text[0] * 2, token.text[0])
        elif token.kind == "word" and token.word not in KEYWORDS:
            name = token.text
        else:
            raise syntax_error(token, self.query)
        if "." in name or "->" in name:
            raise not_modelled("COQL joins through lookup fields", {"column_name": name})
        nxt = self.peek()
        if nxt is not None and nxt.text == "(":
            raise not_modelled("COQL aggregate functions", {"column_name": name})
        return name

    def check_column(self, name: str, clause: str) -> str:
        assert self.schema is not None
        data_type = field_type(self.schema, name)
        if data_type is None:
            raise ApiError(
                400,
                "INVALID_QUERY",
                "column given seems to be invalid",
                {"column_name": name, "clause": clause},
            )
        return data_type

    def parse(self) -> Query:
        self.expect_word("select")
        columns = [self.column_name()]
        while self.at(","):
            self.take()
            columns.append(self.column_name())
        if self.is_word("as"):
            raise not_modelled("COQL aliases")
        self.expect_word("from")
        module_token = self.take()
        if module_token.kind != "word" or module_token.word in KEYWORDS:
            if module_token.kind == "number":
                raise not_modelled("custom view ids in COQL's from clause")
            raise syntax_error(module_token, self.query)
        self.schema = self.schema_of(module_token.text)
        if self.schema is None:
            raise ApiError(
                400,
                "INVALID_MODULE",
                "the module name given seems to be invalid",
                {"module": module_token.text},
            )
        most = 50 if self.version in OLD else 500
        if len(columns) > most:
            raise limit_exceeded("fields in select", most)
        seen: set[str] = set()
        for name in columns:
            self.check_column(name, "select")
            if name in seen:
                raise ApiError(400, "DUPLICATE_DATA", "duplicate column", {"column_name": name})
            seen.add(name)
        where: Criteria | None = None
        if self.is_word("where"):
            self.take()
            where = self.criteria_level()
        else:
            raise syntax_error(self.peek(), self.query)  # [inf] where is required
        order = self.order_by()
        limit, offset = self.limit()
        if self.at(";"):
            self.take()
        token = self.peek()
        if token is not None:
            if token.word in ("group", "having"):
                raise not_modelled("COQL group by")
            raise syntax_error(token, self.query)
        return Query(self.schema.api_name, tuple(columns), where, order, limit, offset)

    def criteria_level(self) -> Criteria:
        parts = [self.criterion()]
        joiner: str | None = None
        while self.is_word("and", "or"):
            word = self.take()
            if joiner is not None:  # a third criterion at one level: brackets needed
                raise syntax_error(word, self.query)
            joiner = word.word
            parts.append(self.criterion())
        return parts[0] if joiner is None else Junction(joiner, tuple(parts))

    def criterion(self) -> Criteria:
        token = self.peek()
        if token is not None and token.text == "(":
            nxt = self.peek(1)
            if nxt is not None and nxt.word == "select":
                raise not_modelled("COQL sub-queries")
            self.take()
            inner = self.criteria_level()
            self.expect(")")
            return inner
        return self.predicate()

    def predicate(self) -> Predicate:
        name = self.column_name()
        data_type = self.check_column(name, "where")
        self.criteria += 1
        if self.criteria > MAX_CRITERIA:
            raise limit_exceeded("criteria in where", MAX_CRITERIA)
        if data_type == "textarea":
            raise ApiError(
                400,
                "INVALID_QUERY",
                "invalid query formed",
                {"column_name": name, "reason": "multi-line fields cannot be used in criteria"},
            )
        operator = self.operator()
        kind = kind_of(data_type)
        if operator in ("is null", "is not null"):
            return Predicate(name, data_type, operator, ())
        if operator not in OPERATORS[kind]:
            raise ApiError(
                400,
                "INVALID_QUERY",
                "invalid query formed",
                {
                    "column_name": name,
                    "operator": operator,
                    "reason": f"{operator} is not supported for a {data_type} field",
                },
            )
        if operator in ("in", "not in"):
            values = self.value_list(name, data_type)
        elif operator == "between":
            low = self.value(name, data_type)
            self.expect_word("and")
            values = (low, self.value(name, data_type))
        elif operator in ("like", "not like"):
            values = self.pattern(name)
        else:
            values = (self.value(name, data_type),)
        return Predicate(name, data_type, operator, values)

    def operator(self) -> str:
        token = self.take()
        if token.kind == "op":
            return "!=" if token.text == "<>" else token.text
        words = [token.word]
        if token.word in ("not", "is"):
            words.append(self.take().word)
            if words == ["is", "not"]:
                words.append(self.take().word)
        operator = " ".join(words)
        if operator not in (
            "in",
            "not in",
            "like",
            "not like",
            "between",
            "is null",
            "is not null",
        ):
            raise syntax_error(token, self.query)
        return operator

    def literal_text(self) -> str:
        token = self.take()
        if token.kind == "string":
            return token.text[1:-1].replace(token.text[0] * 2, token.text[0])
        if token.kind == "number" or token.word in ("true", "false"):
            return token.text
        raise syntax_error(token, self.query)

    def value(self, column: str, data_type: str) -> Any:
        text = self.literal_text()
        try:
            return parse_literal(data_type, text)
        except LiteralError as problem:
            raise ApiError(
                400,
                "INVALID_QUERY",
                "value given seems to be invalid for the column",
                {"column_name": column, "expected_data_type": problem.expected},
            ) from None

    def value_list(self, column: str, data_type: str) -> tuple[Any, ...]:
        self.expect("(")
        if self.is_word("select"):
            raise not_modelled("COQL sub-queries")
        values = [self.value(column, data_type)]
        while self.at(","):
            self.take()
            values.append(self.value(column, data_type))
        self.expect(")")
        most = 50 if self.version in OLD else 100
        if len(values) > most:
            raise limit_exceeded(f"values in in/not in for {column}", most)
        return tuple(values)

    def pattern(self, column: str) -> tuple[Any, ...]:
        text = self.literal_text()
        inner = text.strip("%")
        starts, ends = text.startswith("%"), text.endswith("%")
        if not inner or "%" in inner or "_" in inner.replace("\\_", "") or not (starts or ends):
            raise ApiError(
                400,
                "INVALID_QUERY",
                "value given seems to be invalid for the column",
                {"column_name": column, "reason": "like takes 'abc%', '%abc' or '%abc%'"},
            )
        where = "contains" if starts and ends else "ends" if starts else "starts"
        return (where, inner.replace("\\_", "_").lower())

    def order_by(self) -> tuple[tuple[str, bool], ...]:
        if not self.is_word("order"):
            return ()
        self.take()
        self.expect_word("by")
        items: list[tuple[str, bool]] = []
        while True:
            name = self.column_name()
            self.check_column(name, "order by")
            descending = False
            if self.is_word("asc", "desc"):
                descending = self.take().word == "desc"
            items.append((name, descending))
            if not self.at(","):
                return tuple(items)
            self.take()

    def number(self) -> int:
        token = self.take()
        if token.kind != "number" or not token.text.isdigit() or len(token.text) > 9:
            raise syntax_error(token, self.query)
        return int(token.text)

    def limit(self) -> tuple[int, int]:
        most = 200 if self.version in SMALL_LIMIT else 2000
        if not self.is_word("limit"):
            limit, offset = DEFAULT_LIMIT, 0
        else:
            self.take()
            first = self.number()
            if self.at(","):
                self.take()
                offset, limit = first, self.number()
            elif self.is_word("offset"):
                self.take()
                limit, offset = first, self.number()
            else:
                limit, offset = first, 0
        if limit < 1 or limit > most:
            raise ApiError(
                400,
                "LIMIT_EXCEEDED",
                f"limit {limit} is out of range: a query asks for 1 to {most} records",
                {"limit": most},
            )
        if offset + limit > MAX_TOTAL:
            raise limit_exceeded("offset and limit together", MAX_TOTAL)
        return limit, offset


def parse_query(query: str, version: str, schema_of: Callable[[str], ModuleSchema | None]) -> Query:
    """``select_query`` parsed and checked against the org; ``ApiError`` says what is wrong."""
    return _Parser(query, version, schema_of).parse()


def _holds(predicate: Predicate, record: Mapping[str, Any]) -> bool:
    data_type, operator = predicate.data_type, predicate.operator
    value = record.get(predicate.column)
    read = read_stored(data_type, value)
    empty = read is None or read in ("", [])
    if operator == "is null":
        return empty
    if operator == "is not null":
        return not empty
    if empty:
        return False  # SQL: a null compares to nothing [inf]
    if operator in ("like", "not like"):
        where, text = predicate.values
        texts = read if isinstance(read, list) else [str(read)]
        test = {"starts": str.startswith, "ends": str.endswith, "contains": str.__contains__}[where]
        hit = any(test(t, text) for t in texts)
        return hit if operator == "like" else not hit
    if operator in ("=", "in"):
        return any(equals(data_type, value, v) for v in predicate.values)
    if operator in ("!=", "not in"):
        return not any(equals(data_type, value, v) for v in predicate.values)
    if operator == "between":
        low, high = (compare(data_type, value, v) for v in predicate.values)
        return low is not None and high is not None and low >= 0 and high <= 0
    order = compare(data_type, value, predicate.values[0])
    if order is None:
        return False
    return {">": order > 0, ">=": order >= 0, "<": order < 0, "<=": order <= 0}[operator]


def matches(criteria: Criteria | None, record: Mapping[str, Any]) -> bool:
    """Whether ``record`` satisfies the ``where`` clause."""
    if criteria is None:
        return True
    if isinstance(criteria, Predicate):
        return _holds(criteria, record)
    if criteria.joiner == "and":
        return all(matches(part, record) for part in criteria.parts)
    return any(matches(part, record) for part in criteria.parts)


def _shown(data_type: str, value: Any) -> Any:
    if kind_of(data_type) == "lookup" and isinstance(value, dict):
        return {"id": value.get("id")}
    return value


def run(
    body: Any,
    version: str,
    schema_of: Callable[[str], ModuleSchema | None],
    records_of: Callable[[str], Iterable[dict[str, Any]]],
) -> tuple[int, dict[str, Any] | None]:
    """Answer a COQL request body: (200, data and info), (204, None); or raise ``ApiError``."""
    if not isinstance(body, dict) or "select_query" not in body:
        raise ApiError(
            400, "MANDATORY_NOT_FOUND", "required field not found", {"api_name": "select_query"}
        )
    text = body["select_query"]
    if not isinstance(text, str) or not text.strip():
        raise ApiError(
            400,
            "INVALID_DATA",
            "invalid data",
            {"api_name": "select_query", "expected_data_type": "string"},
        )
    query = parse_query(text, version, schema_of)
    schema = schema_of(query.module)
    assert schema is not None
    found = [r for r in records_of(query.module) if matches(query.where, r)]
    found.sort(key=lambda r: (len(str(r["id"])), str(r["id"])))  # default: id ascending
    for column, descending in reversed(query.order):
        data_type = field_type(schema, column) or "text"
        found.sort(key=lambda r: sort_key(data_type, r.get(column)), reverse=descending)
    window = found[query.offset : query.offset + query.limit]
    if not window:
        return 204, None
    types = {c: field_type(schema, c) or "text" for c in query.columns}
    data = []
    for record in window:
        row = {c: _shown(types[c], record.get(c)) for c in query.columns}
        row["id"] = record["id"]
        data.append(row)
    more = len(found) > query.offset + query.limit
    return 200, {"data": data, "info": {"count": len(data), "more_records": more}}
