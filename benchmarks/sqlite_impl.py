"""What a user would write instead: the same semantics on SQLite in memory (stdlib ``sqlite3``).

One table of Leads with a normalised column per duplicate check field (R8: stripped, lower
case; NULL when empty, R9), a plain index on ``email_key`` (a system field is a match key, not a
constraint) and UNIQUE indexes on ``phone_key`` and ``mobile_key`` (R14). Per record: one
SELECT per check field in order until one finds a record (R10; the smallest rowid is the
oldest, R11), then INSERT or UPDATE of the fields sent (R12). A UNIQUE violation is caught and
diagnosed with one SELECT per unique field to tell DUPLICATE_DATA from MULTIPLE_OR_MULTI_ERRORS
(R14). One transaction per 100-record request; records in order (R17). Mandatory fields (R13)
and types (R15) are not checked, because the workloads never need them; answers are tuples
``(action, duplicate_field, code, id)``, not Zoho's JSON.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from .workloads import FIELDS, Body, Outcome, Record, text_key

KEYED = ("Email", "Phone", "Mobile")
UNIQUE = ("Phone", "Mobile")

_SCHEMA = f"""
CREATE TABLE leads (
    id INTEGER PRIMARY KEY,
    Created_Time TEXT,
    Modified_Time TEXT,
    {", ".join(f"{name} TEXT" for name in FIELDS)},
    email_key TEXT,
    phone_key TEXT,
    mobile_key TEXT
);
CREATE INDEX leads_email ON leads (email_key);
CREATE UNIQUE INDEX leads_phone ON leads (phone_key);
CREATE UNIQUE INDEX leads_mobile ON leads (mobile_key);
"""

_COLUMNS = ("Created_Time", "Modified_Time", *FIELDS, "email_key", "phone_key", "mobile_key")
_INSERT_ALL = f"INSERT INTO leads ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
_FIND = {
    "Email": "SELECT id FROM leads WHERE email_key = ? ORDER BY id LIMIT 1",
    "Phone": "SELECT id FROM leads WHERE phone_key = ? ORDER BY id LIMIT 1",
    "Mobile": "SELECT id FROM leads WHERE mobile_key = ? ORDER BY id LIMIT 1",
}
_HELD = {
    "Phone": "SELECT 1 FROM leads WHERE phone_key = ? AND id <> ? LIMIT 1",
    "Mobile": "SELECT 1 FROM leads WHERE mobile_key = ? AND id <> ? LIMIT 1",
}
_KEY_COLUMN = {"Email": "email_key", "Phone": "phone_key", "Mobile": "mobile_key"}
_FIELD_SET = frozenset(FIELDS)


class SqliteUpsert:
    """Leads in an in-memory SQLite database."""

    name = "sqlite"

    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:", isolation_level=None)
        self.db.executescript(_SCHEMA)
        self._sql: dict[tuple[str, ...], tuple[str, str]] = {}
        self.now = "2026-01-15T10:00:00+05:30"

    def load(self, leads: list[Record]) -> None:
        """Existing data in one transaction."""
        now = self.now
        rows = (
            (
                now,
                now,
                *(lead.get(name) for name in FIELDS),
                text_key(lead.get("Email")),
                text_key(lead.get("Phone")),
                text_key(lead.get("Mobile")),
            )
            for lead in leads
        )
        self.db.execute("BEGIN")
        self.db.executemany(_INSERT_ALL, rows)
        self.db.execute("COMMIT")

    def _statements(self, names: tuple[str, ...]) -> tuple[str, str]:
        """INSERT and UPDATE for records sending ``names`` (cached: one per shape of record)."""
        sql = self._sql.get(names)
        if sql is None:
            columns = [*names, *(_KEY_COLUMN[n] for n in names if n in _KEY_COLUMN)]
            insert = (
                f"INSERT INTO leads (Created_Time, Modified_Time, {', '.join(columns)}) "
                f"VALUES (?, ?, {', '.join('?' * len(columns))})"
            )
            update = (
                f"UPDATE leads SET Modified_Time = ?, {', '.join(c + ' = ?' for c in columns)} "
                f"WHERE id = ?"
            )
            sql = self._sql[names] = (insert, update)
        return sql

    def upsert(self, body: Body) -> list[tuple[Any, ...]]:
        """One request: a transaction, the records in order."""
        db = self.db
        execute = db.execute
        now = self.now
        answers: list[tuple[Any, ...]] = []
        execute("BEGIN")
        for record in body["data"]:
            names = tuple(name for name in record if name in _FIELD_SET)
            values = [record[name] for name in names]
            keys = {name: text_key(record.get(name)) for name in KEYED if name in record}
            values.extend(keys[name] for name in names if name in keys)
            target = None
            deciding = None
            for name in KEYED:  # R10
                key = keys.get(name)
                if key is None:
                    continue
                row = execute(_FIND[name], (key,)).fetchone()
                if row is not None:
                    target, deciding = row[0], name
                    break
            insert, update = self._statements(names)
            try:
                if target is None:
                    cursor = execute(insert, (now, now, *values))
                    answers.append(("insert", None, "SUCCESS", cursor.lastrowid))
                else:
                    execute(update, (now, *values, target))
                    answers.append(("update", deciding, "SUCCESS", target))
            except sqlite3.IntegrityError:  # R14: which unique fields collide?
                held = [
                    name
                    for name in UNIQUE
                    if keys.get(name) is not None
                    and execute(_HELD[name], (keys[name], target or -1)).fetchone()
                ]
                code = "DUPLICATE_DATA" if len(held) == 1 else "MULTIPLE_OR_MULTI_ERRORS"
                answers.append((None, None, code, None))
        execute("COMMIT")
        return answers

    def run(self, stream: list[Body]) -> list[list[tuple[Any, ...]]]:
        """Apply the requests in order."""
        return [self.upsert(body) for body in stream]

    @staticmethod
    def outcomes(answers: list[list[tuple[Any, ...]]]) -> list[Outcome]:
        """Per-record outcomes, flattened."""
        return [(a[0], a[1], a[2]) for request in answers for a in request]
