"""A tester's findings b5 on `plan` / `apply` (findings 1, 2, 3, 5, 12), one section each.

Each test failed before its fix: a traceback with exit 70, a silent change of the input, or a
refusal the CSV path does not make. Rules are the spec's (docs/UPSERT-SEMANTICS.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .cli_support import jsonl, refused, run, write

RANGE = "from 1900-01-01T00:00:00+00:00 to 9998-12-31T23:59:59+00:00"


# --- 1. --now at the ends of datetime's range -------------------------------------------------
@pytest.mark.parametrize(
    "now",
    [
        "0001-01-01T00:00:00+00:00",  # the store's second before it: OverflowError
        "9999-12-31T23:59:59+00:00",  # the second request: OverflowError
        "9999-12-31 23:59:59",
        "1899-12-31T23:59:59Z",
    ],
)
def test_1_now_outside_the_range_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, now: str
) -> None:
    """R18: a run stamps request k at --now plus k-1 seconds; a --now at the ends of Python's
    datetime range overflowed (exit 70, a traceback). A time outside 1900 to 9998 (a year of
    requests left before 9999 ends) is refused up front, naming the range, nothing written."""
    rows = write(tmp_path / "r.csv", "Last Name\n" + "W\n" * 150)  # 2 requests
    out = tmp_path / "n.jsonl"
    argv = ["apply", "--module", "Leads", rows, "--out", str(out), f"--now={now}"]
    assert refused(capsys, *argv) == f"--now {now}: outside the times a run can stamp " + (
        f"(R11, R18): {RANGE}"
    )
    assert not out.exists()


def test_1_the_range_ends_are_taken(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """R18: the last --now taken still stamps a 150-row run (2 requests) a second apart."""
    rows = write(tmp_path / "r.csv", "Last Name\n" + "W\n" * 150)
    out = tmp_path / "n.jsonl"
    argv = ["apply", "--module", "Leads", rows, "--out", str(out)]
    code, _, err = run(capsys, *argv, "--now=9998-12-31T23:59:59+00:00")
    assert code == 0, err
    stamps = sorted({r["Created_Time"] for r in jsonl(out)})
    assert stamps == ["9998-12-31T23:59:59+00:00", "9999-01-01T00:00:00+00:00"]
    code, _, err = run(capsys, *argv, "--now=1900-01-01T00:00:00Z")
    assert code == 0, err
    assert jsonl(out)[0]["Created_Time"] == "1900-01-01T00:00:00+00:00"


def test_1_a_store_stamped_at_the_end_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """R11, R18: the run stamps after the store's newest time; a store stamped in the last
    year of datetime's range would overflow on the run's first request (exit 70), and with
    --now its message's suggested time overflowed. Refused, naming the stamp."""
    store = write(
        tmp_path / "st.jsonl",
        '{"id": "9", "Last_Name": "A", "Created_Time": "9999-12-31T23:59:59+00:00", '
        '"Modified_Time": "9999-12-31T23:59:59+00:00"}\n',
    )
    rows = write(tmp_path / "r.csv", "Last Name\nW\n")
    expected = (
        "the store holds a record stamped 9999-12-31T23:59:59+00:00, after "
        "9998-12-31T23:59:59+00:00: this run's requests, stamped after it (R11, R18), would "
        "pass year 9999"
    )
    argv = ["plan", "--module", "Leads", "--store", store, rows]
    assert refused(capsys, *argv) == expected
    assert refused(capsys, *argv, "--now=2030-01-01T00:00:00Z") == expected


# --- 2. --now must be what R18 writes: whole seconds, an offset in minutes --------------------
@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (
            "2027-01-01T00:00:00+05:30:30",
            "the offset 5:30:30 has seconds; R18's times carry an offset of hours and minutes "
            "(yyyy-MM-ddTHH:mm:ss+HH:mm)",
        ),
        (
            "2026-01-15T04:30:01.5Z",
            "a fraction of a second; R18's times are whole seconds (yyyy-MM-ddTHH:mm:ss+HH:mm), "
            "e.g. 2026-01-15T04:30:01+00:00",
        ),
    ],
)
def test_2_now_r18_cannot_write_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, now: str, expected: str
) -> None:
    """R18: times are ``yyyy-MM-ddTHH:mm:ss±HH:mm``. An offset with seconds was written into
    Created_Time as given (+05:30:30), and a fraction of a second was silently dropped; both
    are refused (exit 2), nothing written."""
    rows = write(tmp_path / "r.csv", "Last Name\nW\n")
    out = tmp_path / "n.jsonl"
    argv = ["apply", "--module", "Leads", rows, "--out", str(out), f"--now={now}"]
    assert refused(capsys, *argv) == f"--now {now}: {expected}"
    assert not out.exists()


def test_2_a_zone_whose_offset_has_seconds_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """R18: a --now without an offset takes --timezone's; Asia/Kolkata in 1900 was +05:21:10
    (tz database), which R18 cannot write, so it is refused as a given +05:21:10 is."""
    rows = write(tmp_path / "r.csv", "Last Name\nW\n")
    argv = ["plan", "--module", "Leads", rows, "--timezone", "Asia/Kolkata"]
    assert refused(capsys, *argv, "--now=1900-06-01 00:00:00") == (
        "--now 1900-06-01 00:00:00: the offset 5:21:10 has seconds; R18's times carry an "
        "offset of hours and minutes (yyyy-MM-ddTHH:mm:ss+HH:mm)"
    )
    code, _, err = run(capsys, *argv, "--now=2026-06-01 00:00:00")
    assert code == 0, err


# --- 3. xlsx numbers as plain decimals, as the CSV holds them ---------------------------------
#: numbers whose str() has an exponent, and the plain text a CSV export holds for them
NUMBERS = [(0.00005, "0.00005"), (1e-07, "0.0000001"), (1e20, "100000000000000000000")]
#: (Annual Revenue: a currency, 16 digits at most; Description: text) cells of two rows
CELLS = [(0.00005, 1e20), (1e-07, 1.5e-10)]
PLAIN = [("0.00005", "100000000000000000000"), ("0.0000001", "0.00000000015")]


def xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> str:
    """A workbook with ``header`` and ``rows`` (numbers stay numeric cells)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in [header, *rows]:
        sheet.append(row)
    book.save(path)
    return str(path)


def written(capsys: pytest.CaptureFixture[str], out: Path, *argv: str) -> list[list[Any]]:
    """``apply --out out argv`` (exit 0); the Annual_Revenue and Description of its records
    named A, by id."""
    code, _, err = run(capsys, "apply", "--module", "Leads", "--out", str(out), *argv)
    assert code == 0, err
    records = sorted(jsonl(out), key=lambda r: r["id"])
    return [[r["Annual_Revenue"], r["Description"]] for r in records if r["Last_Name"] == "A"]


def test_3_xlsx_numbers_are_plain_decimals(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """R15: numeric cells 0.00005, 1e-07 were read as '5e-05', '1e-07' (str of a float), which
    no currency takes, so the rows failed while the same CSV inserted; a text field silently
    stored '1e+20'. Read as the CSV holds them, the xlsx rows write what the CSV rows write."""
    header = ["Last Name", "Annual Revenue", "Description"]
    book = xlsx(tmp_path / "y.xlsx", header, [["A", *pair] for pair in CELLS])
    text = "".join(f"A,{money},{about}\n" for money, about in PLAIN)
    sheet_csv = write(tmp_path / "y.csv", ",".join(header) + "\n" + text)
    from_xlsx = written(capsys, tmp_path / "x.jsonl", book)
    assert from_xlsx == written(capsys, tmp_path / "c.jsonl", sheet_csv)
    assert [about for _, about in from_xlsx] == [about for _, about in PLAIN]


def test_3_xlsx_store_numbers_are_plain_decimals(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """R15, R28: as --store an .xlsx with 0.00005 stopped the run ("'5e-05' is not a number
    such as 1200.50", exit 2); it now loads what the same CSV export loads."""
    header = ["Record Id", "Last Name", "Annual Revenue", "Description"]
    ids = ["zcrm_5725767000000500010", "zcrm_5725767000000500011"]
    book = xlsx(
        tmp_path / "s.xlsx", header, [[i, "A", *p] for i, p in zip(ids, CELLS, strict=True)]
    )
    text = "".join(f"{i},A,{money},{about}\n" for i, (money, about) in zip(ids, PLAIN, strict=True))
    export = write(tmp_path / "s.csv", ",".join(header) + "\n" + text)
    rows = write(tmp_path / "r.csv", "Last Name\nW\n")
    from_xlsx = written(capsys, tmp_path / "x.jsonl", "--store", book, rows)
    assert from_xlsx == written(capsys, tmp_path / "c.jsonl", "--store", export, rows)
    assert [about for _, about in from_xlsx] == [about for _, about in PLAIN]


@pytest.mark.parametrize(
    ("number", "text"),
    [
        *NUMBERS,
        (5.0, "5"),
        (-0.0, "0"),
        (0.1 + 0.2, "0.30000000000000004"),
        (2.0**53, "9007199254740992"),
    ],
)
def test_3_cell_text_is_the_shortest_exact_decimal(number: float, text: str) -> None:
    """A float cell reads as the shortest decimal that reads back as the same float (repr),
    in plain digits: no exponent, no trailing .0, no minus on zero."""
    from upsert_engine._io_xlsx import cell_text

    assert cell_text(number) == text
    assert float(text) == number


# --- 5. --encoding / --store-encoding: text encodings only; decoding errors named -------------
def test_5_utf16_without_a_bom_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--encoding utf-16 (the help's own example) on a file without a BOM raised UnicodeError
    (exit 70); it is the clear "not utf-16 ... check --encoding" of any undecodable file, for
    the rows and for the store."""
    rows = write(tmp_path / "e4.csv", "Last Name\nA\n", "utf-16-le")
    assert refused(capsys, "plan", "--module", "Leads", "--encoding", "utf-16", rows) == (
        f"{rows} line 1: not utf-16 (UTF-16 stream does not start with BOM); check --encoding"
    )
    good = write(tmp_path / "r.csv", "Last Name\nA\n")
    argv = ["plan", "--module", "Leads", "--store", rows, "--store-encoding", "utf-16", good]
    assert refused(capsys, *argv).startswith(f"{rows} line 1: not utf-16 (UTF-16 stream")


@pytest.mark.parametrize("codec", ["rot13", "base64", "hex", "zlib"])
@pytest.mark.parametrize("option", ["--encoding", "--store-encoding"])
def test_5_a_codec_that_is_no_text_encoding_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, codec: str, option: str
) -> None:
    """Codecs Python knows that do not turn bytes into text (rot13: str to str; base64, hex,
    zlib: bytes to bytes) crashed reading (exit 70); refused up front, naming the option."""
    rows = write(tmp_path / "r.csv", "Last Name\nA\n")
    store = write(tmp_path / "s.csv", "Last Name\nB\n")
    message = refused(capsys, "plan", "--module", "Leads", "--store", store, rows, option, codec)
    assert message.startswith(f"{option} {codec}: ")
    assert "is no text encoding (it does not turn bytes into text); give one such as" in message


def test_5_a_codec_without_replace_is_named_without_a_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--store-encoding idna on bytes it cannot decode crashed ("Unsupported error handling
    replace", exit 70) while naming the line; it is exit 2, and as the line of the bad byte
    cannot be found through this codec, no line is named rather than a wrong one."""
    store = tmp_path / "s.csv"
    store.write_bytes(b"Last Name\nA\xff\n")
    rows = write(tmp_path / "r.csv", "Last Name\nA\n")
    argv = ["plan", "--module", "Leads", "--store", str(store), "--store-encoding", "idna", rows]
    assert refused(capsys, *argv) == (
        f"{store}: not idna (ordinal not in range(128)); check --encoding"
    )
    code, _, err = run(capsys, "plan", "--module", "Leads", "--encoding", "idna", rows)
    assert code == 0, err  # idna decodes ASCII: it stays allowed


# --- 12. a JSON store's checkbox: JSON 1 is refused without offering "1" ---------------------
CHECKBOX = 'a JSON boolean (true or false); text ("true", "false", "1", "0") is read too'


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("1", CHECKBOX),
        ("0", CHECKBOX),
        ("[true]", CHECKBOX),
        ('"yes"', "true or false (or 1 or 0)"),  # text: the export text taken is offered
    ],
)
def test_12_a_checkbox_of_another_json_kind_is_refused_plainly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, value: str, why: str
) -> None:
    """R28: a store value is read in its field's JSON type; export text "1"/"0" reads as a
    checkbox, a JSON number does not (another JSON kind, refused as before). The refusal of
    JSON 1 said "1 is not true or false (or 1 or 0)", offering the value it refused; it now
    names the JSON kind taken and, apart, the text read."""
    record = f'{{"id": "9", "Last_Name": "A", "Email_Opt_Out": {value}}}'
    store = write(tmp_path / "s.jsonl", record)
    rows = write(tmp_path / "r.csv", "Last Name\nW\n")
    shown = "[True]" if value == "[true]" else value.replace('"', "'")
    assert refused(capsys, "plan", "--module", "Leads", "--store", store, rows) == (
        f"{store} line 1: column 'Email_Opt_Out' (boolean): {shown} is not {why} "
        f"(R28: a stored value is read as its field's JSON type)"
    )


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("Annual_Revenue", "true", 'a JSON number such as 1200.5; text ("1200.50", "1,200.50")'),
        ("No_of_Employees", "false", 'a JSON number such as 12; text ("12") is read too'),
        ("No_of_Employees", "1.5", "a whole number such as 12"),  # a number: the value is wrong
    ],
)
def test_12_number_fields_name_the_json_kind(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, field: str, value: str, why: str
) -> None:
    """R28: likewise a number field given a JSON boolean names a JSON number and the text
    read apart ("1,200.50" is text, never a JSON number); a JSON number whose value is wrong
    keeps the plain message."""
    store = write(tmp_path / "s.jsonl", f'{{"id": "9", "Last_Name": "A", "{field}": {value}}}')
    rows = write(tmp_path / "r.csv", "Last Name\nW\n")
    message = refused(capsys, "plan", "--module", "Leads", "--store", store, rows)
    assert f"{store} line 1: column '{field}' " in message
    assert (
        f": {value.capitalize() if value in ('true', 'false') else value} is not {why}" in message
    )


def test_12_text_checkbox_values_still_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """R28: the text "1" and "0" and JSON true in a JSON store still read as checkboxes."""
    store = write(
        tmp_path / "s.json",
        '[{"id": "6", "Last_Name": "A", "Email_Opt_Out": "1"},'
        ' {"id": "7", "Last_Name": "B", "Email_Opt_Out": "0"},'
        ' {"id": "8", "Last_Name": "C", "Email_Opt_Out": true}]',
    )
    rows = write(tmp_path / "r.csv", "Last Name\nW\n")
    out = tmp_path / "o.jsonl"
    argv = ["apply", "--module", "Leads", "--store", store, rows, "--out", str(out)]
    code, _, err = run(capsys, *argv)
    assert code == 0, err
    stored = {r["id"]: r.get("Email_Opt_Out") for r in jsonl(out) if r["id"] in "678"}
    assert stored == {"6": True, "7": False, "8": True}
