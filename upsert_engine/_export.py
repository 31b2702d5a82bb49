"""Zoho's CSV export conventions, translated for ``Engine.load`` (issue 12 items 3 and 4).

A store (``--store`` of ``plan``, ``apply`` and ``serve``) is what the CRM holds now: a Zoho
export (CSV or xlsx, columns by label), or what ``apply --out`` wrote (CSV, JSON or JSONL).
Its rows are translated in place, a chunk at a time:

- ``id``: Zoho's export prefix ``zcrm_`` is removed;
- ``Created_Time``, ``Modified_Time`` and datetime fields: a time without an offset, as Zoho's
  export writes it (``2024-06-19 01:58:32``), is read in ``--timezone`` (default UTC) and kept
  as ISO 8601 with its offset (R18), so R11's "oldest record" sees the export's times;
- ``Owner`` (the "Lead Owner" column), user lookups, ``Created_By``, ``Modified_By``: an
  export names the user only. Each name becomes a user of the org (``ExportUsers``, R32: the
  export's owners are the org's users), made once, with an id of its own; the value becomes
  that user as a record holds it (``{"name", "id", "email"}`` for Owner). A name is never an
  error: the load does not fail on an owner.

- Checkbox and number fields (``_cells``): every stored value in its JSON type (R28), text
  read as the export writes it; a value that is none is an ``InputError`` (line, column).

The rows' ``Owner`` and user lookups are names too (``ExportRules.translate_rows``): each
becomes ``{"id": ...}`` of the user of that name (made if new; under ``--check-users`` an
unknown name is sent as an id naming no user, R32), and ``id`` (the "Record Id" column) loses
its ``zcrm_`` prefix, so the row updates that record (R25). A CSV or xlsx row's checkbox and
number cells are sent as JSON values, its lookup cells as objects (``lookup_cell``, R33).

Adapter code: no file access here; ``load_store`` takes an open ``RowFile``.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from ._cells import TYPED_CELLS, UNREAD, cell_value, expected, expected_json
from ._io_read import BadValue, InputError, RowFile, json_decoder
from .engine import Engine
from .errors import InvalidLoadError, UpsertEngineError, shown
from .fields import INTEGER_TYPES, FieldDef, is_empty
from .options import User
from .references import user_value
from .schema import ModuleSchema

#: Store rows handed to ``Engine.load`` at a time (bounds the copies held while loading).
LOAD_CHUNK = 5000
#: How Zoho's export writes a record id: ``zcrm_<id>`` (the Record Id column, lookup cells).
EXPORT_ID_PREFIX = "zcrm_"
#: The fields a store row may hold in export form; a chunk naming none of them (and no id)
#: is left as it is.
EXPORT_STAMPS = frozenset(("Created_By", "Modified_By", "Created_Time", "Modified_Time"))


#: The first user id ``ExportUsers`` gives (the default acting user is ...411001).
FIRST_USER_ID = 5725767000000411002
FIRST_ZUID = 60012346


class ExportUsers:
    """The users an export names, by name (trimmed, any case): the org's users (R32).

    A name the org has no user of becomes one (``Engine.add_user``) with the next free id,
    a ``zuid`` and an address at ``export.invalid`` (an export shows no email).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._by_name = {user.name.strip().casefold(): user for user in engine.users()}
        self._next = 0
        #: the users made from names, in the order met
        self.made: list[User] = []

    def note(self, value: Any) -> None:
        """Register the user a stored value names (``{"name", "id", ...}``) if the org lacks it:
        a store written by ``apply`` names its users by id. A value that cannot be a user is
        left alone (never an error)."""
        if not (isinstance(value, dict) and isinstance(value.get("name"), str)):
            return
        user_id, key = value.get("id"), value["name"].strip().casefold()
        if not isinstance(user_id, str) or key in self._by_name:
            return
        if any(user.id == user_id for user in self._engine.users()):
            return
        email = value.get("email") if isinstance(value.get("email"), str) else None
        try:
            user = User(value["name"], user_id, email or "user@export.invalid", "1")
            self._engine.add_user(user)
        except UpsertEngineError:
            return
        self._by_name[key] = user

    def find(self, name: str) -> User | None:
        """The user called ``name`` (trimmed, any case), or None: nothing is made."""
        return self._by_name.get(name.strip().casefold())

    def unknown_id(self) -> str:
        """An id that is no user of the org (what a row's owner name that names no user is
        sent as under ``--check-users``: R32 answers INVALID_DATA on it, as Zoho does)."""
        taken = {user.id for user in self._engine.users()}
        number = self._next
        while str(FIRST_USER_ID + number) in taken:
            number += 1
        return str(FIRST_USER_ID + number)

    def user(self, name: str) -> User:
        """The user called ``name``, made if the org has none."""
        key = name.strip().casefold()
        found = self._by_name.get(key)
        if found is not None:
            return found
        taken = {user.id for user in self._engine.users()}
        while str(FIRST_USER_ID + self._next) in taken:
            self._next += 1
        number = self._next
        self._next += 1
        user = User(
            name.strip(),
            str(FIRST_USER_ID + number),
            f"user-{number + 1}@export.invalid",
            str(FIRST_ZUID + number),
        )
        self._engine.add_user(user)
        self._by_name[key] = user
        self.made.append(user)
        return user


@dataclass
class ExportRules:
    """How one module's store rows (and the rows' user names) are translated; counts what
    it translated."""

    schema: ModuleSchema
    timezone: tzinfo
    users: ExportUsers
    #: times read without an offset, in --timezone
    times_read: int = 0
    #: the newest Created_Time or Modified_Time of the store rows translated (R11, R18): the
    #: command line's requests are stamped after it (``cli.RequestClock``)
    newest: datetime | None = None
    #: path -> API name -> the header that named it (``Columns.headers``), for messages
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    #: whether a user name in the rows that names no user becomes one (R32; off under
    #: ``--check-users``: it is then sent as an id naming no user, and its row fails)
    row_users: bool = True
    _times: frozenset[str] = field(init=False)
    _user_fields: dict[str, str] = field(init=False)
    _typed: dict[str, FieldDef] = field(init=False)
    _lookups: dict[str, FieldDef] = field(init=False)

    def __post_init__(self) -> None:
        datetimes = (n for n, f in self.schema.fields.items() if f.data_type == "datetime")
        self._times = frozenset(("Created_Time", "Modified_Time", *datetimes))
        self._user_fields = {
            name: f.data_type
            for name, f in self.schema.fields.items()
            if f.data_type in ("ownerlookup", "userlookup")
        }
        self._typed = {n: f for n, f in self.schema.fields.items() if f.data_type in TYPED_CELLS}
        self._lookups = {n: f for n, f in self.schema.fields.items() if f.data_type == "lookup"}

    def time(self, value: Any) -> Any:
        """``value`` with the time zone attached if it is a time without an offset."""
        if not isinstance(value, str) or len(value) < 16:
            return value
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return value
        if parsed.tzinfo is not None:
            return value
        self.times_read += 1
        return parsed.replace(tzinfo=self.timezone).isoformat(timespec="seconds")

    def _note_time(self, value: Any) -> None:
        """Keep the newest stamp seen (to the second, as R18 keeps it); a value that is no
        time with an offset is left for ``Engine.load`` to refuse."""
        if not isinstance(value, str):
            return
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return
        if parsed.utcoffset() is None:
            return
        parsed = parsed.replace(microsecond=0)
        if self.newest is None or parsed > self.newest:
            self.newest = parsed

    def translate(
        self,
        records: list[dict[str, Any]],
        columns: frozenset[str] | None,
        path: str = "store",
        lines: list[int] | None = None,
    ) -> None:
        """Translate a chunk of store rows in place; ``columns``: the keys a CSV file's rows
        can have (None: look at the rows); ``path`` and ``lines`` name a bad value's place."""
        keys = columns if columns is not None else set(itertools.chain.from_iterable(records))
        times = self._times.intersection(keys)
        users = [(n, t) for n, t in self._user_fields.items() if n in keys]
        stamps = [name for name in ("Created_By", "Modified_By") if name in keys]
        typed = [(n, f) for n, f in self._typed.items() if n in keys]
        if "id" not in keys and not times and not users and not stamps and not typed:
            return
        for position, values in enumerate(records):
            _strip_prefix(values)
            for name, definition in typed:
                if values.get(name) is not None:
                    values[name] = self._stored(values[name], definition, path, lines, position)
            for name in times:
                if name in values:
                    value = values[name]
                    if value is None and name in EXPORT_STAMPS:
                        del values[name]
                    else:
                        values[name] = self.time(value)
                        if name in EXPORT_STAMPS:
                            self._note_time(values[name])
            for name, data_type in users:
                value = values.get(name)
                if isinstance(value, str) and value.strip():
                    values[name] = user_value(self.users.user(value), data_type)
                else:
                    self.users.note(value)
            for name in stamps:
                if name in values:
                    value = values[name]
                    if value is None:
                        del values[name]
                    elif isinstance(value, str):  # an export names the user only
                        user = self.users.user(value)
                        values[name] = {"name": user.name, "id": user.id}
                    else:
                        self.users.note(value)

    def _stored(
        self, value: Any, definition: FieldDef, path: str, lines: list[int] | None, position: int
    ) -> Any:
        """R28: a store value of a checkbox or number field in its JSON type (export text read
        by ``_cells.cell_value``); anything else is an ``InputError`` naming the line, the
        column and the value, never loaded as text that reads back as the wrong type."""
        read = value
        if is_empty(value):  # R9: clears the field, whatever its type
            return value
        if isinstance(value, str):
            read = cell_value(definition.data_type, value)
        problem = None if read is UNREAD else definition.validate(read)
        if read is not UNREAD and problem is None:
            return read
        name = definition.api_name
        header = self.headers.get(path, {}).get(name, name)
        column = f"{header!r} ({definition.data_type})"
        if header != name:
            column = f"{header!r} ({name}, {definition.data_type})"
        line = f" line {lines[position]}" if lines is not None else f" record {position + 1}"
        why = f"is not {expected(definition.data_type)}"
        if not isinstance(value, str):  # not export text: what is offered above is text
            why = f"is not {expected_json(definition.data_type, value)}"
        # Number's details name its maximum_length whatever the problem: too many digits
        # only when the value is a number of the field's kind (not 1.5 or false in a Number)
        whole = definition.data_type not in INTEGER_TYPES or isinstance(read, int)
        number = isinstance(read, (int, float)) and not isinstance(read, bool) and whole
        if problem is not None and number and dict(problem).get("maximum_length") is not None:
            why = f"has more digits than the field's {definition.max_length}"
        raise InputError(
            f"{path}{line}: column {column}: {shown(value)} {why} "
            f"(R28: a stored value is read as its field's JSON type)"
        )

    def translate_rows(
        self,
        records: list[dict[str, Any]],
        columns: frozenset[str] | None,
        path: str = "rows",
        lines: list[int] | None = None,
    ) -> None:
        """The rows to send: user names to ``{"id"}`` (R32), ``zcrm_`` off ids (R25); in a CSV
        or xlsx file's rows (``columns`` given: every cell is text) checkbox and number cells
        as a client sends them (``_cells.cell_value``; other text is sent as it is, R15) and
        lookup cells as ``{"id"}`` objects (``lookup_cell``)."""
        keys = columns if columns is not None else set(itertools.chain.from_iterable(records))
        users = [name for name in self._user_fields if name in keys]
        typed = [(n, f.data_type) for n, f in self._typed.items() if n in keys]
        lookups = [f for n, f in self._lookups.items() if n in keys]
        if columns is None:
            typed, lookups = [], []
        if "id" not in keys and not users and not typed and not lookups:
            return
        for position, values in enumerate(records):
            _strip_prefix(values)
            for name in users:
                value = values.get(name)
                if isinstance(value, str) and value.strip():
                    values[name] = {"id": self._row_user(value)}
            for name, data_type in typed:
                value = values.get(name)
                if isinstance(value, str):
                    read = cell_value(data_type, value)
                    if read is not UNREAD:
                        values[name] = read
            for definition in lookups:
                value = values.get(definition.api_name)
                if isinstance(value, str) and value.strip():
                    where = f"{path} line {lines[position]}" if lines else f"{path} row {position}"
                    values[definition.api_name] = self.lookup_cell(definition, value, path, where)

    def _row_user(self, name: str) -> str:
        """R32: the id a row's user name is sent as (see ``row_users``)."""
        if self.row_users:
            return self.users.user(name).id
        found = self.users.find(name)
        return found.id if found is not None else self.users.unknown_id()

    def lookup_cell(self, definition: FieldDef, text: str, path: str, where: str) -> Any:
        """R33: a CSV or xlsx lookup cell as a client sends it: a record id (``zcrm_123``,
        ``123``) as ``{"id": "123"}``, a JSON object's text (``{"id": "123"}``, or an external
        key, R24) as that object. A name is refused (``InputError``): the command line holds
        one module's records, so it cannot find the record a name means, and Zoho takes none."""
        cell = text.strip()
        digits = cell.removeprefix(EXPORT_ID_PREFIX)
        if digits.isascii() and digits.isdigit():
            return {"id": digits}
        header = self.headers.get(path, {}).get(definition.api_name, definition.api_name)
        target = definition.lookup_module or "another module"
        column = f"column {header!r} ({definition.api_name}, a lookup to {target})"
        if cell.startswith("{"):
            try:  # the reader's JSON: no NaN, no huge numbers (_io_read)
                value = json_decoder().decode(cell)
            except (ValueError, BadValue) as error:
                raise InputError(
                    f"{where}: {column}: {shown(text)} is not JSON ({error})"
                ) from None
            if isinstance(value, dict):
                return value
        raise InputError(
            f"{where}: {column}: {shown(text)} is no record id; a lookup cell holds the record's "
            f'id (123 or zcrm_123) or a JSON object ({{"id": "123"}}); the command line cannot '
            f"look a record up by name (R33); --ignore-column {header!r} leaves the column out"
        )


def _strip_prefix(values: dict[str, Any]) -> None:
    record_id = values.get("id")
    if isinstance(record_id, str):
        values["id"] = record_id.removeprefix(EXPORT_ID_PREFIX)


def load_store(
    engine: Engine, module: str, store: RowFile, rules: ExportRules, progress: Any = None
) -> int:
    """Load the store as existing data (R11, R14: repeats allowed); returns the record count.

    The collector is off while loading (the rows are new records, not garbage). A chunk the
    engine refuses is loaded again row by row to name the file's line.
    """
    count = 0
    collecting = gc.isenabled()
    gc.disable()
    try:
        for lines, records in store.batches(LOAD_CHUNK):
            rules.translate(records, store.columns, store.path, lines)
            try:
                engine.load(module, records)
            except InvalidLoadError:
                _locate_bad_record(engine, module, store.path, lines, records)
            count += len(records)
            if progress is not None:
                progress.update(f"loading {store.path}: {count:,} records")
    finally:
        if collecting:
            gc.enable()
    return count


def read_records(store: RowFile, rules: ExportRules) -> Iterable[dict[str, Any]]:
    """The store's records translated, for a caller that loads them later (``serve``)."""
    for lines, records in store.batches(LOAD_CHUNK):
        rules.translate(records, store.columns, store.path, lines)
        yield from records


def _locate_bad_record(
    engine: Engine, module: str, path: str, lines: list[int], records: list[dict[str, Any]]
) -> None:
    """A chunk failed to load (nothing of it was loaded): load it row by row to find the line."""
    for line, record in zip(lines, records, strict=True):
        try:
            engine.load(module, [record])
        except InvalidLoadError as error:
            reason = str(error).removeprefix(f"{engine.schema(module).api_name} record 0: ")
            raise InputError(f"{path} line {line}: {reason}") from None
    raise AssertionError("a chunk failed to load but each of its records loads")
