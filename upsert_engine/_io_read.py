"""Reading the command line's input files: rows streamed as dicts, and small JSON files.

Only the command line uses this module; the core never reads files. Formats: CSV with a header
row, a JSON array of objects, JSONL; UTF-8 with or without a BOM. Rows are read lazily, a block
of lines at a time, so memory does not grow with the file. Every problem is an ``InputError``
naming the file and the line.

JSON is held to what can be written back out and read again by any JSON reader: no lone UTF-16
surrogate (``"\\ud800"``: not a character, cannot be encoded as UTF-8), no nesting deeper than
``MAX_DEPTH``, no number longer than ``MAX_NUMBER_CHARS`` or beyond a double's range, no ``NaN``
or ``Infinity`` (Python's extensions to JSON). Each is refused on reading (issue 8 item 13),
never met later as a traceback while the outputs are written.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import math
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, BinaryIO, Protocol

#: A JSON array element still unfinished after this many characters is reported as broken.
MAX_JSON_ELEMENT = 16 * 1024 * 1024
FORMATS = {
    ".csv": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xlsx": "xlsx",
}
#: Delimiters a CSV header is sniffed for (``--delimiter`` names one).
DELIMITERS = (",", ";", "\t", "|")
#: Bytes read and decoded at a time (whole lines: a block ends after its last newline).
READ_BLOCK = 1 << 16

#: JSON nested deeper than this (objects and arrays) is refused; Zoho's deepest values (a
#: subform row's lookup) are four levels below the record [inf].
MAX_DEPTH = 64
#: A JSON number token longer than this is refused: Python's default limit on int() of a
#: string (4300 digits), made independent of ``sys.set_int_max_str_digits``.
MAX_NUMBER_CHARS = 4300

#: Maps a column label or key to a field API name; ``None`` drops the column.
Rename = Mapping[str, "str | None"]


class Namer(Protocol):
    """Names the field a column header or JSON key stands for (``_columns.Columns``)."""

    def name(self, path: str, line: int, position: int | None, header: str) -> str | None:
        """The API name, None to leave the column out; an ``InputError`` if it names nothing."""


class _MapNamer:
    """A plain mapping as a ``Namer``: a header not in it is its own name."""

    def __init__(self, rename: Rename) -> None:
        self._rename = dict(rename)

    def name(self, path: str, line: int, position: int | None, header: str) -> str | None:
        return self._rename.get(header.strip(), header.strip())


class InputError(Exception):
    """A user's file or option cannot be used; the message names the file, line or field."""


class BadValue(Exception):
    """A JSON value the reader refuses (see the module docstring); the message says why."""


def _json_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise BadValue(f"a number of {len(text):,} digits (at most {MAX_NUMBER_CHARS:,})")
    try:
        return int(text)
    except ValueError:  # a lower sys.set_int_max_str_digits
        raise BadValue(f"a number of {len(text):,} digits, over this Python's limit") from None


def _json_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise BadValue(f"a number of {len(text):,} characters (at most {MAX_NUMBER_CHARS:,})")
    value = float(text)
    if not math.isfinite(value):
        raise BadValue(f"the number {text[:20]}{'...' if text[20:] else ''} is out of range")
    return value


def _json_constant(text: str) -> Any:
    raise BadValue(f"{text} is not JSON")


def json_decoder() -> json.JSONDecoder:
    """A decoder that refuses huge numbers, NaN and Infinity (``BadValue``)."""
    return json.JSONDecoder(
        parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant
    )


def _maybe_bad(text: str) -> bool:
    """Whether ``text`` may decode to a lone surrogate or nest deeper than MAX_DEPTH.

    Cheap (substring scans): only then is the decoded value walked by ``_value_problem``.
    """
    return "\\ud" in text or "\\uD" in text or text.count("[") + text.count("{") > MAX_DEPTH


def _value_problem(value: Any) -> str | None:
    """Why a decoded JSON value is refused (a lone surrogate, deep nesting), or None.

    Walked with a stack, not recursion: the value may be nested as deep as the decoder went.
    """
    stack: list[tuple[Any, int, str | None]] = [(value, 1, None)]
    while stack:
        item, depth, field = stack.pop()
        if isinstance(item, str):
            strings: Iterable[str] = (item,)
        elif depth > MAX_DEPTH:
            return f"nested deeper than {MAX_DEPTH} levels" + (
                f" in field {field}" if field else ""
            )
        elif isinstance(item, dict):
            strings = item.keys()
            for key, child in item.items():
                stack.append((child, depth + 1, field or key))
        elif isinstance(item, list):
            strings = ()
            stack.extend((child, depth + 1, field) for child in item)
        else:
            continue
        for text in strings:
            if not text.isascii():
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError as error:
                    bad = f"\\u{ord(text[error.start]):04x}"
                    where = f" in field {field}" if field else ""
                    return f"a lone UTF-16 surrogate {bad}{where} (not a character)"
    return None


@dataclass(frozen=True, slots=True)
class Row:
    """One input row: the line it starts on and its fields (empty CSV cells left out)."""

    line: int
    values: dict[str, Any]


def open_binary(path: str) -> BinaryIO:
    """``path`` opened for reading, or an ``InputError`` saying why it cannot be."""
    try:
        return open(path, "rb")
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from None


def _lines(path: str, handle: BinaryIO, encoding: str | None = None) -> Iterator[tuple[int, str]]:
    """(line number, text) of each line, decoded as ``_texts`` does."""
    return enumerate(_texts(path, handle, encoding), 1)


def _texts(path: str, handle: BinaryIO, encoding: str | None = None) -> Iterator[str]:
    """The text of each line (with its newline), decoded as UTF-8 with a leading BOM dropped,
    or in ``encoding`` (``--encoding``; see ``_encoded_texts``).

    Lines end at b"\n" only, as iterating over the binary file splits them. The file is read
    and decoded a block of whole lines at a time, and the lines of each block handed on without
    a Python step per line; a block that is not UTF-8 is decoded again line by line, to name the
    line and column of the first bad byte after yielding the lines before it.
    """
    if encoding is not None:
        return _encoded_texts(path, handle, encoding)
    return itertools.chain.from_iterable(_blocks(path, handle))


def _encoded_texts(path: str, handle: BinaryIO, encoding: str) -> Iterator[str]:
    """Lines decoded in ``encoding`` (latin-1, cp1252, utf-16 with its BOM...), ending at "\n".

    A byte sequence the encoding cannot decode is named by the line it is on.
    """
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    pending = ""
    done = 0  # lines yielded
    first = True
    while True:
        chunk = handle.read(READ_BLOCK)
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeError as error:  # also utf-16's missing BOM, idna's refusals
            before = _decoded_before(error, encoding, at_start=not done and not pending)
            lines_before = None if before is None else (pending + before).count("\n")
            where = "" if lines_before is None else f" line {done + lines_before + 1}"
            reason = error.reason if isinstance(error, UnicodeDecodeError) else str(error)
            raise InputError(
                f"{path}{where}: not {encoding} ({reason}); check --encoding"
            ) from None
        if first and text.startswith("\ufeff"):
            text = text[1:]
        first = first and not text
        pending += text
        cut = pending.rfind("\n") + 1
        if cut:
            lines = pending[:cut].splitlines(keepends=True)
            if any(not x.endswith("\n") for x in lines):  # \r or \u2028 inside: split at \n only
                lines = list(io.StringIO(pending[:cut], newline="\n"))
            done += len(lines)
            yield from lines
            pending = pending[cut:]
        if not chunk:
            if pending:
                yield pending
            return


def _decoded_before(error: UnicodeError, encoding: str, at_start: bool) -> str | None:
    """The text of a block before the bytes ``encoding`` could not decode: "" for an error
    that is not about bytes (utf-16's missing BOM) at the file's start, None if unknown (a
    codec without the "replace" handler, such as idna): then no line is named."""
    if not isinstance(error, UnicodeDecodeError):
        return "" if at_start else None
    try:
        return error.object[: error.start].decode(encoding, "replace")
    except UnicodeError:
        return None


def _blocks(path: str, handle: BinaryIO) -> Iterator[Iterator[str]]:
    """``_texts`` a block at a time: an iterator over the lines of each."""
    done = 0  # lines in the blocks already yielded
    pending: list[bytes] = []  # the start of a line longer than a block
    while True:
        piece = handle.read(READ_BLOCK)
        cut = piece.rfind(b"\n") + 1
        if piece and not cut:
            pending.append(piece)
            continue
        block = b"".join((*pending, piece[:cut])) if pending else piece[:cut]
        pending = [piece[cut:]] if cut < len(piece) else []  # at the end: a last line, if any
        if not block:
            return
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            yield _decoded_lines(path, block, done)
            raise AssertionError("a block is not UTF-8 but each of its lines is") from None
        if not done and text.startswith("\ufeff"):
            text = text[1:]
            if not text:  # a file of a BOM alone: one empty line
                yield iter((text,))
        done += block.count(b"\n")
        yield io.StringIO(text, newline="\n")


def _decoded_lines(path: str, block: bytes, done: int) -> Iterator[str]:
    """The lines of ``block`` (after ``done`` lines) decoded one by one: the first bad is named."""
    for number, raw in enumerate(io.BytesIO(block), done + 1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(
                f"{path} line {number}: not UTF-8 (byte 0x{raw[error.start]:02x} "
                f"at column {error.start + 1}); give --encoding (e.g. cp1252, latin-1, utf-16)"
            ) from None
        if number == 1 and text.startswith("\ufeff"):
            text = text[1:]
        yield text


def _row_builder(names: list[str | None]) -> Callable[[list[str]], dict[str, Any]]:
    """The column plan of a CSV header, compiled: a row's cells to its values, in column order.

    A column named None is dropped and an empty cell left out. The generated function is
    built from column positions only (the names are passed in its namespace), never from the
    file's text: ``{f0: c[0], f1: c[1], ...}``, and only if a cell is empty, the checks that
    delete the keys of the empty cells.
    """
    kept = [(position, name) for position, name in enumerate(names) if name is not None]
    namespace: dict[str, Any] = {f"f{k}": name for k, (_, name) in enumerate(kept)}
    items = ", ".join(f"f{k}: c[{position}]" for k, (position, _) in enumerate(kept))
    code = ["def build(c):", f"    d = {{{items}}}"]
    if kept:
        code.append("    if '' in c:")
        for k, (position, _) in enumerate(kept):
            code.append(f"        if not c[{position}]: del d[f{k}]")
    code.append("    return d")
    exec("\n".join(code), namespace)  # positions only: see the docstring
    build: Callable[[list[str]], dict[str, Any]] = namespace["build"]
    return build


def _batched(rows: Iterable[Row], size: int) -> Iterator[tuple[list[int], list[dict[str, Any]]]]:
    """``rows`` in lists of ``size`` (fewer at the end): their lines, and their values."""
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield [row.line for row in chunk], [row.values for row in chunk]


def read_json(path: str) -> Any:
    """A whole (small) JSON file: the --schema and --map files."""
    with open_binary(path) as handle:
        text = "".join(line for _, line in _lines(path, handle))
    try:
        value = json_decoder().decode(text)
    except json.JSONDecodeError as error:
        raise InputError(f"{path} line {error.lineno}: not valid JSON ({error.msg})") from None
    except BadValue as error:
        raise InputError(f"{path}: {error}") from None
    except RecursionError:
        raise InputError(f"{path}: nested deeper than {MAX_DEPTH} levels") from None
    problem = _value_problem(value)
    if problem is not None:
        raise InputError(f"{path}: {problem}")
    return value


class _Chained(io.RawIOBase):
    """A stream that cannot seek, its first bytes already read: those, then the rest."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        if self._head:
            count = min(len(view), len(self._head))
            view[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        data = self._rest.read(len(view))
        view[: len(data)] = data
        return len(data)


def sniff_delimiter(line: str) -> str:
    """The delimiter of a CSV header line: the most frequent of DELIMITERS outside quotes
    (a comma when none is there, or on a tie with it)."""
    outside = "".join(line.split('"')[::2])
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


class RowFile:
    """The rows of one input file, in file order: ``with RowFile(p, namer) as rows: ...``.

    The file is opened at once (so a missing file is reported before any work) and read lazily.
    ``path`` "-" reads standard input. ``namer`` resolves headers and keys to API names (a plain
    mapping renames, any other header is kept); ``encoding`` (None: UTF-8, or UTF-16 when the
    file starts with its BOM), ``delimiter`` (None: sniffed from the header line). An empty
    file is an error unless ``empty_ok`` (a store: an empty CRM).
    """

    def __init__(
        self,
        path: str,
        namer: Namer | Rename,
        *,
        encoding: str | None = None,
        delimiter: str | None = None,
        empty_ok: bool = False,
    ) -> None:
        self.path = path
        self._namer: Namer = _MapNamer(namer) if isinstance(namer, Mapping) else namer
        self._names: dict[str, str | None] = {}  # keys of JSON rows already named
        self._encoding = encoding
        self._delimiter = delimiter
        self._empty_ok = empty_ok
        self._handle: BinaryIO = sys.stdin.buffer if path == "-" else open_binary(path)
        extension = os.path.splitext(path)[1].lower()
        head = self._handle.read(4096)
        if path == "-" or not self._handle.seekable():
            self._handle = io.BufferedReader(_Chained(head, self._handle))
        else:
            self._handle.seek(0)
        if encoding is None and head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            self._encoding = "utf-16"
        self.empty = not head.strip(b"\xef\xbb\xbf \t\r\n\x00\xff\xfe")
        self.format = FORMATS.get(extension) or self._sniff(head)
        self._check_head(head)
        #: A CSV file's field names once its header is read (every row's keys are among them);
        #: None before, and for JSON, whose rows may each have other keys.
        self.columns: frozenset[str] | None = None

    def _check_head(self, head: bytes) -> None:
        """A workbook or a UTF-16 file read as text gets a hint instead of a baffling error."""
        if self.format == "xlsx" or self.empty:
            return
        if head.startswith(b"PK\x03\x04"):
            raise InputError(
                f"{self.path}: an xlsx workbook (a zip file), not {self.format.upper()}; name it "
                f"with the extension .xlsx"
            )
        if self._encoding is None and b"\x00" in head:
            even, odd = head[0::2].count(0), head[1::2].count(0)
            guess = "utf-16-le" if odd >= even else "utf-16-be"
            raise InputError(
                f"{self.path}: NUL bytes in a file read as UTF-8: UTF-16 without a BOM? give "
                f"--encoding {guess} (--store-encoding for the store)"
            )

    @staticmethod
    def _sniff(head: bytes) -> str:
        """The format of a file whose name does not tell: by its first non-blank character."""
        if head.startswith(b"PK\x03\x04"):
            return "xlsx"
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        return {b"[": "json", b"{": "jsonl"}.get(start, "csv")

    def __enter__(self) -> RowFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.path != "-":
            self._handle.close()

    def __iter__(self) -> Iterator[Row]:
        if self.empty and self._empty_ok:
            return iter(())
        if self.format in ("csv", "xlsx"):
            return (Row(lines[0], values[0]) for lines, values in self.batches(1))
        lines = _lines(self.path, self._handle, self._encoding)
        if self.format == "jsonl":
            return self._jsonl(lines)
        return self._json_array(lines)

    def batches(self, size: int) -> Iterator[tuple[list[int], list[dict[str, Any]]]]:
        """The rows in file order, ``size`` at a time (fewer at the end): their lines, values.

        A batch is yielded whole or, if one of its rows is bad, not at all (the error is raised).
        """
        if self.empty and self._empty_ok:
            return iter(())
        if self.format == "csv":
            return self._table(self._csv_rows(), size)
        if self.format == "xlsx":
            from ._io_xlsx import xlsx_rows

            return self._table(xlsx_rows(self.path, self._handle), size)
        return _batched(iter(self), size)

    def _error(self, line: int, message: str) -> InputError:
        return InputError(f"{self.path} line {line}: {message}")

    def _name(self, line: int, key: str) -> str | None:
        try:
            return self._names[key]
        except KeyError:
            name = self._names[key] = self._namer.name(self.path, line, None, key)
            return name

    def _renamed(self, line: int, values: dict[str, Any]) -> dict[str, Any]:
        names = self._names
        if all(names.get(key, "") == key for key in values):
            return values
        renamed: dict[str, Any] = {}
        for key, value in values.items():
            name = self._name(line, key)
            if name is not None:
                if name in renamed:
                    raise self._error(line, f"keys {key!r} and another both name {name}")
                renamed[name] = value
        return renamed

    # --- CSV and xlsx: a header row of field API names or labels, then one row a line -----------
    def _csv_rows(self) -> Iterator[tuple[int, int, list[str]]]:
        """(first line, last line, cells) of each CSV record, the header first."""
        texts = _texts(self.path, self._handle, self._encoding)
        first = next(texts, None)
        if first is None:
            return
        delimiter = self._delimiter or sniff_delimiter(first)
        reader = csv.reader(itertools.chain((first,), texts), delimiter=delimiter, strict=True)
        end = 0
        try:
            for cells in reader:
                start, end = end + 1, reader.line_num
                yield start, end, cells
        except csv.Error as error:
            start = end + 1
            if "end of data" in str(error):
                raise self._error(
                    start, f"a quoted cell opened on this line is never closed ({error})"
                ) from None
            if reader.line_num > start:
                raise self._error(
                    start,
                    f"not valid CSV at line {reader.line_num} ({error}): a quoted cell opened "
                    f"on this line runs on to there",
                ) from None
            raise self._error(reader.line_num, f"not valid CSV ({error})") from None

    def _table(
        self, records: Iterator[tuple[int, int, list[str]]], size: int
    ) -> Iterator[tuple[list[int], list[dict[str, Any]]]]:
        header = next(records, None)
        if header is None:
            if self._empty_ok:
                return
            raise self._error(1, "empty file; expected a header row of field API names")
        names = self._header(header[0], header[2])
        self.columns = frozenset(name for name in names if name is not None)
        width = len(names)
        build = _row_builder(names)
        lines: list[int] = []
        batch: list[dict[str, Any]] = []
        for start, end, cells in records:
            if not cells:  # a blank line
                continue
            if len(cells) != width:
                spans = f" (it runs to line {end}: a quote not closed?)" if end > start else ""
                raise self._error(
                    start, f"{len(cells)} cells, but the header has {width} columns{spans}"
                )
            lines.append(start)
            batch.append(build(cells))
            if len(batch) == size:
                yield lines, batch
                lines, batch = [], []
        if batch:
            yield lines, batch

    def _header(self, line: int, header: list[str]) -> list[str | None]:
        names: list[str | None] = []
        seen: dict[str, str] = {}
        for position, cell in enumerate(header, 1):
            label = cell.strip()
            if not label:
                raise self._error(line, f"column {position} of the header has no name")
            name = self._namer.name(self.path, line, position, label)
            if name is not None and name in seen:
                raise self._error(
                    line,
                    f"column {position} ({label!r}) names {name}, as column {seen[name]} does",
                )
            if name is not None:
                seen[name] = f"{position} ({label!r})"
            names.append(name)
        return names

    # --- JSONL: one object per line ---------------------------------------------------------
    def _jsonl(self, lines: Iterator[tuple[int, str]]) -> Iterator[Row]:
        decode = json_decoder().decode
        for number, line in lines:
            if not line.strip():
                continue
            try:
                value = decode(line)
            except json.JSONDecodeError as error:
                raise self._error(number, f"not valid JSON ({error.msg})") from None
            except (BadValue, RecursionError) as error:
                raise self._refused(number, error) from None
            yield self._object(number, value, "the line", _maybe_bad(line))

    def _refused(self, line: int, error: BadValue | RecursionError) -> InputError:
        """The error for a value the decoder refused (or could not nest as deep as)."""
        if isinstance(error, RecursionError):
            return self._error(line, f"nested deeper than {MAX_DEPTH} levels")
        return self._error(line, str(error))

    def _object(self, line: int, value: Any, what: str, check: bool) -> Row:
        """The row of a decoded JSON value; ``check``: walk it (``_maybe_bad`` said so)."""
        if not isinstance(value, dict):
            kind = "null" if value is None else type(value).__name__
            raise self._error(line, f"{what} is a JSON {kind}, not an object (one row)")
        if check and (problem := _value_problem(value)) is not None:
            raise self._error(line, problem if what == "the line" else f"{what}: {problem}")
        return Row(line, self._renamed(line, value))

    # --- JSON: an array of objects, parsed element by element as lines arrive ----------------
    def _json_array(self, lines: Iterator[tuple[int, str]]) -> Iterator[Row]:
        decoder = json_decoder()
        buffer, first_line = "", 1  # text not yet parsed, and the line it starts on
        state = "start"  # start -> first|value -> comma -> ... -> end
        waiting = False  # the element at the front is unfinished: wait for a line ending in }
        count, last_line = 0, 1
        seen = seen_line = 0  # newlines are counted once: up to ``seen`` there are ``seen_line``

        def line_at(position: int) -> int:  # positions asked for only grow, until a trim
            nonlocal seen, seen_line
            seen_line += buffer.count("\n", seen, position)
            seen = max(seen, position)
            return first_line + seen_line

        for number, line in itertools.chain(lines, ((0, ""),)):  # (0, ""): end of file
            if not buffer and number:
                first_line = last_line = number
            elif number:
                last_line = number
            buffer += line
            closing = line.rstrip().rstrip(",]").rstrip().endswith("}")
            if waiting and number and not closing and len(buffer) <= MAX_JSON_ELEMENT:
                continue
            position, waiting = 0, False
            while True:
                while position < len(buffer) and buffer[position] in " \t\r\n":
                    position += 1
                if position == len(buffer):
                    break
                char = buffer[position]
                if state == "start":
                    if char != "[":
                        raise self._error(line_at(position), "expected a JSON array of objects")
                    position, state = position + 1, "first"
                elif state in ("first", "value") and not (state == "first" and char == "]"):
                    if char != "{":
                        raise self._error(line_at(position), f"element {count} is not an object")
                    try:
                        value, end = decoder.raw_decode(buffer, position)
                    except json.JSONDecodeError as error:
                        if len(buffer) - position > MAX_JSON_ELEMENT:
                            raise self._error(
                                line_at(error.pos), f"not valid JSON ({error.msg})"
                            ) from None
                        waiting = True
                        break
                    except (BadValue, RecursionError) as error:
                        raise self._refused(line_at(position), error) from None
                    check = _maybe_bad(buffer[position:end])
                    yield self._object(line_at(position), value, f"element {count}", check)
                    count, position, state = count + 1, end, "comma"
                elif state == "comma" and char in ",]":
                    position, state = position + 1, "value" if char == "," else "end"
                elif state == "first":  # "[]"
                    position, state = position + 1, "end"
                else:
                    raise self._error(
                        line_at(position), f"unexpected {char!r} after element {count - 1}"
                    )
            first_line = line_at(position)
            buffer, seen, seen_line = buffer[position:], 0, 0
        if waiting:
            try:
                decoder.raw_decode(buffer)
            except json.JSONDecodeError as error:
                raise self._error(line_at(error.pos), f"not valid JSON ({error.msg})") from None
            except (BadValue, RecursionError) as error:
                raise self._refused(first_line, error) from None
        if state != "end":
            what = "empty file" if state == "start" else "the JSON array is not closed"
            raise self._error(last_line, f"{what}; expected a JSON array of objects")
