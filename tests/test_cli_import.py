"""Issue 12: import preview for real Zoho exports, one test (or a few) per numbered finding.

Golden style as in test_cli.py: the whole summary, report line or error line is compared.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from upsert_engine import Engine, Options, _io_read
from upsert_engine._cli_args import options_from
from upsert_engine.cli import build_parser, main

from .cli_support import refused, run, write

ROOT = Path(__file__).resolve().parent.parent
EXPORT = str(ROOT / "examples" / "leads-export.csv")
ROWS = str(ROOT / "examples" / "leads-rows.csv")


def _generator() -> Any:
    """examples/zoho_export.py, imported from its file."""
    spec = importlib.util.spec_from_file_location(
        "zoho_export", ROOT / "examples" / "zoho_export.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def summary(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any], str]:
    """`plan --module Leads ARGV --json`: (exit, parsed summary, stderr)."""
    code, out, err = run(capsys, "plan", "--module", "Leads", *argv, "--json")
    assert out, err
    return code, json.loads(out), err


STORE = "Record Id,Last Name,Email,Mobile,Created Time\nzcrm_101,Frey,frey@x.com,555-0101,\n"


# --- 1. success reported for a dropped key column --------------------------------------------
def test_1_lowercase_key_column_is_the_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Item 1: a lowercase `email` header is the Email field (R10 matches on it): the row
    updates the record that exists, not an insert, and nothing is warned about."""
    store = write(tmp_path / "store.csv", STORE)
    rows = write(tmp_path / "rows.csv", "last_name,email\nFrey,FREY@x.com\n")
    code, result, err = summary(capsys, "--store", store, rows)
    assert (code, result["inserted"], result["updated"], err) == (0, 0, {"Email": 1}, "")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["--unique", "Mobil:phone"],
            "--unique Mobil:phone: Leads has no field Mobil (did you mean Mobile?); a custom "
            "field comes from --schema (`upsert-engine schema --module Leads` prints one to "
            "edit)",
        ),
        (
            ["--unique", "Mobile:text"],
            "--unique Mobile:text: Mobile is a phone field of Leads, not text; write --unique "
            "Mobile (or Mobile:phone); a field of another type comes from --schema",
        ),
        (
            ["--unique", "Mobile:phon"],
            "--unique Mobile:phon: unknown data type 'phon' (did you mean phone?); types: ",
        ),
        (["--check-fields", "Emial"], "--check-fields: Leads has no field Emial (did you mean"),
        (["--multi-match", "olde"], "--multi-match olde: not one of oldest, newest, reject"),
    ],
)
def test_1_typos_are_refused_with_a_hint(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], expected: str
) -> None:
    """Item 1: a typo in --unique, a type contradicting the standard field's, a type name, a
    check field or a choice is exit 2 with "did you mean"; nothing is created silently."""
    rows = write(tmp_path / "rows.csv", "Last_Name\nA\n")
    line = refused(capsys, "plan", "--module", "Leads", rows, *argv)
    assert line.startswith(expected), line


def test_1_module_names_get_a_hint(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Item 1: `--module leads` names the module it probably means (R20's module list)."""
    rows = write(tmp_path / "rows.csv", "Last_Name\nA\n")
    line = refused(capsys, "plan", "--module", "leads", rows)
    assert line.startswith("--module leads: leads is not a module of the org (did you mean Leads?)")


def test_1_unknown_column_in_the_store_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Item 1: the store's columns are held to the same rule as the rows' (an unknown column
    would be kept and never matched); --ignore-column says so explicitly."""
    store = write(tmp_path / "store.csv", "Last Name,E-mail Address\nA,a@x.com\n")
    rows = write(tmp_path / "rows.csv", "Last_Name\nA\n")
    line = refused(capsys, "plan", "--module", "Leads", "--store", store, rows)
    assert line == (
        f"{store} line 1: column 2 'E-mail Address' is no field of Leads (did you mean "
        "'Email Opt Out'?); --ignore-column 'E-mail Address' leaves it out, --map names its "
        "field, --schema adds a custom field"
    ) or line.startswith(f"{store} line 1: column 2 'E-mail Address' is no field of Leads")
    code, _, err = run(
        capsys, "plan", "--module", "Leads", "--store", store, rows, "--ignore-column",
        "e-mail address",
    )  # fmt: skip
    assert code == 0 and err.strip().endswith("store.csv: columns left out: E-mail Address")


# --- 2. built-in Zoho labels ------------------------------------------------------------------
def test_2_generated_zoho_export_planned_without_map(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Item 2 (and 3): a 3,000-lead export in Zoho's own format (labels, zcrm_ ids, export
    times, quoted commas and newlines, non-ASCII owners and names) and a 300-row import by
    label, planned with no --map: exactly the outcomes the generator built in."""
    generator = _generator()
    export, rows = tmp_path / "export.csv", tmp_path / "rows.csv"
    generator.write_export(export, 3000)
    expected = generator.write_rows(rows, 300, 3000)
    report = tmp_path / "report.csv"
    argv = ["--store", str(export), str(rows), "--unique", "Mobile"]
    code, result, err = summary(
        capsys, *argv, "--normalize", "Mobile:digits", "--report", str(report)
    )
    assert (code, err) == (1, "")
    assert {k: result[k] for k in ("rows", "inserted", "updated", "failed")} == {
        k: expected[k] for k in ("rows", "inserted", "updated", "failed")
    }
    assert (result["store_records"], result["requests"], result["times_read"]) == (3000, 3, 6000)
    with report.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.DictReader(handle))
    oldest = [line for line in lines if line["line"] == "11"]  # row 10: the shared Email
    assert oldest[0]["id"] == expected["oldest_id"]  # R11 by Created Time, not smallest id


def test_2_labels_of_schema_custom_fields(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Item 2: a --schema custom field's "label" names its column; `schema` prints labels."""
    schema = tmp_path / "schema.json"
    field = {"api_name": "Customer_No", "data_type": "text", "unique": True, "label": "Cust #"}
    schema.write_text(json.dumps({"module": "Leads", "fields": [field]}), encoding="utf-8")
    store = write(tmp_path / "store.csv", "Last Name,CUST #\nA,C-1\n")
    rows = write(tmp_path / "rows.csv", "Last Name,Cust #\nB, c-1 \n")
    code, result, _ = summary(capsys, "--schema", str(schema), "--store", store, rows)
    assert (code, result["updated"]) == (0, {"Customer_No": 1})
    _, out, _ = run(capsys, "schema", "--module", "Leads", "--schema", str(schema))
    fields = {f["api_name"]: f.get("label") for f in json.loads(out)["fields"]}
    assert (fields["Customer_No"], fields["No_of_Employees"]) == ("Cust #", "No. of Employees")


# --- 3. Zoho's own timestamps -----------------------------------------------------------------
def test_3_export_times_decide_the_oldest_in_the_timezone_given(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Item 3: `2024-06-19 01:58:32` loads (was an error); R11's oldest follows the times, read
    in --timezone (default UTC, stated in the summary)."""
    store = write(
        tmp_path / "store.csv",
        "Record Id,Last Name,Email,Created Time\n"
        "zcrm_1,A,same@x.com,2024-06-19 01:58:32\n"
        "zcrm_2,B,same@x.com,2024-06-19T01:00:00+00:00\n",
    )
    rows = write(tmp_path / "rows.csv", "Last Name,Email\nZ,SAME@x.com\n")
    report = tmp_path / "r.csv"
    code, out, _ = run(capsys, "plan", "--module", "Leads", "--store", store, rows, "--report",
                       str(report))  # fmt: skip
    assert code == 0
    assert out.splitlines()[-1] == "  store times without an offset read as UTC (--timezone): 1"
    assert report.read_text(encoding="utf-8").splitlines()[1].startswith("1,2,update,Email,2,")
    # read in UTC-02:00, record 1 was created at 03:58:32Z: still after record 2
    # read in +05:30, at 20:28:32Z the day before: the oldest now
    argv = ["plan", "--module", "Leads", "--store", store, rows, "--report", str(report)]
    assert main([*argv, "--timezone", "+05:30"]) == 0
    assert report.read_text(encoding="utf-8").splitlines()[1].startswith("1,2,update,Email,1,")
    capsys.readouterr()
    assert main([*argv, "--timezone", "Asia/Kolkata", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["timezone"] == "Asia/Kolkata"


# --- 4. formats that chain --------------------------------------------------------------------
@pytest.mark.parametrize("extension", [".csv", ".json", ".jsonl"])
def test_4_apply_output_is_the_next_store(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, extension: str
) -> None:
    """Item 4: apply --out by extension (CSV, JSON array, JSONL) is read back by plan: the same
    rows then update what the first run inserted."""
    out = tmp_path / f"out{extension}"
    base = ["--unique", "Mobile", "--check-fields", "Email,Mobile", ROWS]
    code, _, err = run(capsys, "apply", "--module", "Leads", "--store", EXPORT, *base, "--out",
                       str(out))  # fmt: skip
    assert code == 1, err
    if extension == ".json":
        assert out.read_text(encoding="utf-8").startswith("[\n{")
    code, result, err = summary(capsys, "--store", str(out), *base)
    assert err == ""
    assert (result["store_records"], result["inserted"]) == (14, 0)
    assert result["updated"] == {"Email": 8, "Mobile": 3}


def test_4_a_store_of_another_extension_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Item 4: `--out store.txt` is refused before any work, naming the formats."""
    line = refused(capsys, "apply", "--module", "Leads", ROWS, "--out", str(tmp_path / "s.txt"))
    assert line.endswith("a store is .jsonl, .json or .csv (chosen by the extension; every "
                         "--store reads them back)")  # fmt: skip
    assert list(tmp_path.iterdir()) == []


# --- 5. options the README advertises -----------------------------------------------------------
def test_5_every_inferred_option_is_reachable() -> None:
    """Item 5: every field of Options but the acting user and the request size has a flag
    (R3, R7, R11, R15, R17, R23-R26, R31-R33, R35), each value taken as given."""
    import dataclasses
    import enum

    from upsert_engine._cli_args import CHOICES, SWITCHES

    flags = {attribute: flag for flag, attribute, _, _ in CHOICES}
    flags |= {attribute: f"--{stem}" for stem, attribute, _, _ in SWITCHES}
    flags |= {
        name: "--" + name.replace("_", "-")
        for name in (
            "api_version",
            "max_unique_fields",
            "approval_state_since",
            "pending_approval_state",
        )
    }
    every = {f.name for f in dataclasses.fields(Options)} - {"user", "max_records"}
    assert set(flags) == every
    argv = ["plan", "--module", "Leads", "rows.csv"]
    expected: dict[str, Any] = {}
    for attribute, flag in flags.items():
        default = getattr(Options(), attribute)
        if isinstance(default, enum.Enum):
            value = next(m for m in type(default) if m is not default)
            argv += [flag, value.value]
        elif isinstance(default, bool):
            value = not default
            argv.append(flag if value else f"--no-{flag[2:]}")
        elif attribute in ("api_version", "approval_state_since"):
            value, argv = "v3", [*argv, flag, "v3"]
        elif attribute == "pending_approval_state":
            value, argv = "waiting", [*argv, flag, "waiting"]
        else:
            value, argv = 2, [*argv, flag, "2"]
        expected[attribute] = value
    assert options_from(build_parser().parse_args(argv)) == Options(**expected)
    assert options_from(build_parser().parse_args(["plan", "--module", "L", "r"])) == Options()


def test_5_options_change_the_plan(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Item 5: --multi-match reject (R11), --intra-batch reject (R17), --normalize (R8) and
    --non-unique-check-field match (R7) each change the outcome as the spec says."""
    store = write(tmp_path / "store.csv", "id,Last_Name,Email,Phone\n1,A,s@x.com,555\n"
                  "2,B,s@x.com,\n")  # fmt: skip
    rows = write(tmp_path / "rows.csv", "Last_Name,Email,Phone\nZ,s@x.com,\nN,n@x.com,\n"
                 "M,N@x.com,\n")  # fmt: skip
    _, result, _ = summary(capsys, "--store", store, rows, "--multi-match", "reject")
    assert result["failed"] == {"AMBIGUITY_DURING_PROCESSING": 1}
    _, result, _ = summary(capsys, "--store", store, rows, "--intra-batch", "reject")
    assert result["failed"] == {"DUPLICATE_DATA": 1}
    phone = write(tmp_path / "phone.csv", "Last_Name,Phone\nQ,(555)\n")
    match = ["--check-fields", "Phone", "--non-unique-check-field", "match"]
    _, result, _ = summary(capsys, "--store", store, phone, *match, "--normalize", "Phone:digits")
    assert result["updated"] == {"Phone": 1}


def test_5_one_unique_grammar_for_plan_and_serve(tmp_path: Path) -> None:
    """Item 5: `[Module.]Field[:type]` everywhere: plan takes Leads.Mobile, serve takes Mobile
    with --module (the server's factory checks it as plan does)."""
    from upsert_engine.errors import ConfigurationError
    from upsert_engine.server import engine_factory

    org = engine_factory(unique=["Mobile"], module="Leads")()
    assert org.schema("Leads").fields["Mobile"].unique
    with pytest.raises(ConfigurationError, match=r"Mobile is a phone field of Leads, not text"):
        engine_factory(unique=["Leads.Mobile:text"])
    rows = write(tmp_path / "rows.csv", "Last_Name,Mobile\nA,1\nB,1\n")
    assert main(["plan", "--module", "Leads", rows, "--unique", "Leads.Mobile"]) == 0


# --- 6. input friction --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("encoding", "extra"),
    [("cp1252", ["--encoding", "cp1252"]), ("latin-1", ["--encoding", "latin-1"]),
     ("utf-16", [])],
)  # fmt: skip
def test_6_encodings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, encoding: str, extra: list[str]
) -> None:
    """Item 6: --encoding cp1252 / latin-1; UTF-16 found by its BOM without the option."""
    rows = write(tmp_path / "rows.csv", "Last Name,Email\r\nMüller,frey@x.com\r\n", encoding)
    store = write(tmp_path / "store.csv", STORE)
    report = tmp_path / "r.jsonl"
    code, _, _ = summary(capsys, "--store", store, rows, *extra, "--report", str(report))
    assert code == 0
    changes = json.loads(report.read_text(encoding="utf-8"))["changes"]
    assert changes == [{"field": "Last_Name", "before": "Frey", "after": "Müller"}]


def test_6_undecodable_byte_names_its_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Item 6: a byte cp1252 has no character for is named by its line (\\x81 on line 3)."""
    path = tmp_path / "rows.csv"
    path.write_bytes(b"Last_Name\nA\nB\x81\n")
    line = refused(capsys, "plan", "--module", "Leads", str(path), "--encoding", "cp1252")
    assert line.startswith(f"{path} line 3: not cp1252 (")


@pytest.mark.parametrize("separator", [";", "\t", "|"])
def test_6_delimiter_sniffed_or_given(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, separator: str
) -> None:
    """Item 6: a semicolon (tab, pipe) CSV is sniffed from its header; --delimiter overrides."""
    text = f'Last Name{separator}Email\n"Frey{separator} Jr."{separator}frey@x.com\n'
    rows = write(tmp_path / "rows.csv", text)
    store = write(tmp_path / "store.csv", STORE)
    code, result, _ = summary(capsys, "--store", store, rows)
    assert (code, result["updated"]) == (0, {"Email": 1})
    name = {";": "semicolon", "\t": "tab", "|": "pipe"}[separator]
    code, result, _ = summary(capsys, "--store", store, rows, "--delimiter", name)
    assert (code, result["updated"]) == (0, {"Email": 1})


def test_6_rows_from_stdin(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 6: `-` reads the rows from standard input (format sniffed: JSONL here)."""
    data = b'{"Last_Name": "Frey", "Email": "frey@x.com"}\n{"Last_Name": "New"}\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    store = write(tmp_path / "store.csv", STORE)
    code, result, _ = summary(capsys, "--store", store, "-")
    assert (code, result["updated"], result["inserted"]) == (0, {"Email": 1}, 1)


def test_6_empty_or_no_store_is_an_empty_crm(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Item 6: an empty store file (0 bytes, or blank lines) and no --store: an empty CRM."""
    rows = write(tmp_path / "rows.csv", "Last_Name\nA\n")
    for store in (write(tmp_path / "e.csv", ""), write(tmp_path / "e.jsonl", "\n\n")):
        code, result, _ = summary(capsys, "--store", store, rows)
        assert (code, result["store_records"], result["inserted"]) == (0, 0, 1)
    code, result, _ = summary(capsys, rows)
    assert (code, result["store_records"], result["inserted"]) == (0, 0, 1)


def test_6_xlsx_rows(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Item 6: .xlsx through openpyxl: labels, numbers, dates as an export's text."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Last Name", "Email", "Mobile", "No. of Employees"])
    sheet.append(["Frey", "frey@x.com", 5550101, 12.0])
    sheet.append([None, None, None, None])
    sheet.append(["Zoë", "zoe@x.com", None, None])
    book.save(tmp_path / "rows.xlsx")
    report = tmp_path / "r.jsonl"
    store = write(tmp_path / "store.csv", STORE)
    code, result, _ = summary(capsys, "--store", store, str(tmp_path / "rows.xlsx"), "--report",
                              str(report))  # fmt: skip
    assert (code, result["updated"], result["inserted"]) == (0, {"Email": 1}, 1)
    rows = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    assert [r["line"] for r in rows] == [2, 4]
    assert {"field": "Mobile", "before": "555-0101", "after": "5550101"} in rows[0]["changes"]
    # a number cell is sent as a JSON number, as a client would (tester finding 4)
    assert {"field": "No_of_Employees", "before": None, "after": 12} in rows[0]["changes"]


def test_6_xlsx_without_openpyxl_says_how_to_get_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 6: without openpyxl an .xlsx is exit 2 naming the extra to install."""
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import fails
    rows = tmp_path / "rows.xlsx"
    rows.write_bytes(b"PK\x03\x04 not really a workbook")
    line = refused(capsys, "plan", "--module", "Leads", str(rows))
    assert line == (
        f"{rows}: reading .xlsx needs openpyxl: pip install 'upsert_engine[xlsx]' (or save "
        "the sheet as CSV UTF-8)"
    )


def test_6_unclosed_quote_named_where_it_opened(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Item 6: a quote opened on line 3 and never closed is reported at line 3, not at the end
    of the file it swallowed."""
    lines = ["Last_Name,Description", "A,fine", 'B,"opens here', *[f"C{i},x" for i in range(50)]]
    rows = write(tmp_path / "rows.csv", "\n".join(lines) + "\n")
    line = refused(capsys, "plan", "--module", "Leads", rows)
    assert line == (
        f"{rows} line 3: a quoted cell opened on this line is never closed (unexpected end of data)"
    )


# --- 7. the report --------------------------------------------------------------------------
def test_7_singular_version_and_help(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Item 7: "1 row in 1 request, against 1 stored record"; --version; every option of every
    subcommand has help; --unique lists the type names; --check-fields states its default."""
    store = write(tmp_path / "store.csv", STORE)
    rows = write(tmp_path / "rows.csv", "Last_Name\nA\n")
    _, out, _ = run(capsys, "plan", "--module", "Leads", "--store", store, rows)
    assert out.splitlines()[0] == "Leads: 1 row in 1 request, against 1 stored record"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--version"])
    assert capsys.readouterr().out.startswith("upsert-engine 0.")
    parser = build_parser()
    subcommands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name, sub in subcommands.items():
        for action in sub._actions:
            assert action.help, (name, action.dest)
    plan_help = subcommands["plan"].format_help()
    assert "text, email, phone, integer, bigint, website" in plan_help
    assert "default: none sent, so the module's system fields, then its unique fields" in " ".join(
        plan_help.split()
    )


def test_7_ids_placeholder_or_engine(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Item 7: inserted ids are placeholders new-N in plan's report (and a later row updating
    one names it so); --ids engine shows the engine's ids, as apply writes them."""
    rows = write(tmp_path / "rows.csv", "Last_Name,Email\nA,a@x.com\nB,A@x.com\n")
    report = tmp_path / "r.csv"
    main(["plan", "--module", "Leads", rows, "--report", str(report)])
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("1,2,insert,,new-1,") and lines[2].startswith(
        "2,3,update,Email,new-1,"
    )
    main(["plan", "--module", "Leads", rows, "--report", str(report), "--ids", "engine"])
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("1,2,insert,,5725767000000600001,")
    capsys.readouterr()


def test_7_explain_prints_non_ascii_as_is(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Item 7: --explain shows values as written (Zoë, 伊藤), never as \\u escapes."""
    rows = write(tmp_path / "rows.csv", "Last Name,Email\n伊藤,zoë@example.com\n")
    code, out, _ = run(capsys, "plan", "--module", "Leads", rows, "--explain")
    assert code == 0  # R15: letters with marks are allowed in an email's local part
    assert "  Email: \"zoë@example.com\" → 'zoë@example.com' → nothing" in out
    assert "\\u" not in out and "row 1 (line 2): insert (R10)" in out


def test_7_report_errors_name_the_matched_record(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Item 7: a DUPLICATE_DATA row names the record its Email matched (R10) besides the one
    its Mobile collides with (R14); row and line are one numbering (JSONL report too)."""
    store = write(
        tmp_path / "store.csv", "id,Last_Name,Email,Mobile\n1,A,a@x.com,1\n2,B,b@x.com,2\n"
    )
    rows = write(tmp_path / "rows.csv", "Last_Name,Email,Mobile\n\nA,a@x.com,2\n")
    report = tmp_path / "r.jsonl"
    main(["plan", "--module", "Leads", "--store", store, rows, "--unique", "Mobile", "--report",
          str(report)])  # fmt: skip
    entry = json.loads(report.read_text(encoding="utf-8"))
    assert (entry["row"], entry["line"], entry["code"]) == (1, 3, "DUPLICATE_DATA")
    assert (entry["matched_id"], entry["conflict_id"]) == ("1", "2")
    capsys.readouterr()


def test_json_reader_checks_keys_once_per_name(tmp_path: Path) -> None:
    """The JSON key names are resolved once each (a cache), the same answer every row."""
    calls: list[str] = []

    class Namer:
        def name(self, path: str, line: int, position: int | None, header: str) -> str | None:
            calls.append(header)
            return header.upper()

    path = write(tmp_path / "rows.jsonl", '{"a": 1, "b": 2}\n{"b": 3, "a": 4}\n')
    with _io_read.RowFile(path, Namer()) as rows:
        assert [row.values for row in rows] == [{"A": 1, "B": 2}, {"B": 3, "A": 4}]
    assert calls == ["a", "b"]


# --- after issue 9: ids in rows (R25), owners as users (R32), external fields (R24) -----------
def test_record_id_in_rows_updates_that_record(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Item 1 / R25: a re-imported export's `Record Id` (zcrm_ prefix and all) updates that
    record by id, not an insert; an id of no record is INVALID_DATA on id; --record-id
    ignore/reject switch the reading."""
    rows = write(
        tmp_path / "rows.csv",
        "Record Id,Last Name,Email\nzcrm_5725767000000500002,Moss2,\nzcrm_999,Ghost,\n",
    )
    code, result, _ = summary(capsys, "--store", EXPORT, rows)
    assert (code, result["updated"], result["failed_fields"]) == (
        1,
        {"id": 1},
        {"INVALID_DATA": {"id": 1}},
    )
    code, result, _ = summary(capsys, "--store", EXPORT, rows, "--record-id", "ignore")
    assert (code, result["inserted"], result["updated"]) == (0, 2, {})
    code, result, _ = summary(capsys, "--store", EXPORT, rows, "--record-id", "reject")
    assert (code, result["failed_fields"]) == (1, {"INVALID_DATA": {"id": 2}})


def test_owner_names_become_the_orgs_users(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Item 2 / R32: "Lead Owner" holds names; each becomes a user of the org (the export's
    owners are its users), in the store and in the rows (these only without --check-users,
    tester finding 5), never failing the load; an update
    changing the owner shows it by name; apply writes Owner as {name, id, email}."""
    rows = write(
        tmp_path / "rows.csv",
        "Lead Owner,Last Name,Email\nAmélie Dubois,Frey,frey@sample.com\n"
        "Jürgen Neu,Moss,moss@example.org\n,Hart,hart@example.com\n",
    )
    report, out = tmp_path / "r.csv", tmp_path / "new.jsonl"
    argv = ["apply", "--module", "Leads", "--store", EXPORT, rows, "--report", str(report)]
    code, _, err = run(capsys, *argv, "--out", str(out))
    assert (code, err) == (0, "")
    with report.open(encoding="utf-8", newline="") as handle:
        changed = [line["changes"] for line in csv.DictReader(handle)]
    assert changed == [
        'Owner: "Example User" → "Amélie Dubois"',
        'Owner: "Example User" → "Jürgen Neu"',
        "",
    ]
    records = {r["Last_Name"]: r for r in map(json.loads, out.read_text("utf-8").splitlines())}
    assert records["Frey"]["Owner"]["name"] == "Amélie Dubois"
    assert records["Hart"]["Owner"] == records["Kim"]["Owner"]  # the export's Amélie Dubois
    assert records["Moss"]["Owner"]["name"] == "Jürgen Neu"
    # the written store names its users by id: read back, the same owners resolve again
    # (with --check-users too: the names are now users of the store read back)
    code, result, _ = summary(capsys, "--store", str(out), rows, "--check-users")
    assert (code, result["updated"]) == (0, {"Email": 3})


def test_external_field_with_a_label_from_schema(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """R24 + item 2: a --schema external field with its label is a check field, and the
    export's column by that label matches it, no --map."""
    field = {"api_name": "Shop_ID", "data_type": "text", "external": "org", "label": "Shop ID"}
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"module": "Leads", "fields": [field]}), encoding="utf-8")
    store = write(tmp_path / "store.csv", "Record Id,Last Name,Shop ID\nzcrm_1,A,s-1\n")
    rows = write(tmp_path / "rows.csv", "Last Name,shop id\nA2,S-1\nB,s-2\n")
    code, result, _ = summary(capsys, "--schema", str(schema), "--store", store, rows)
    assert (code, result["updated"], result["inserted"]) == (0, {"Shop_ID": 1}, 1)


# --- the installed console script, one subprocess per subcommand ------------------------------
def _script() -> str:
    """The console script installed beside this Python (or on PATH)."""
    import shutil

    beside = Path(sys.executable).with_name("upsert-engine")
    found = str(beside) if beside.exists() else shutil.which("upsert-engine")
    assert found is not None, "the upsert-engine console script is not installed"
    return found


def _console(*argv: str, stdin: str | None = None) -> tuple[int, str, str]:
    import subprocess

    done = subprocess.run(
        [_script(), *argv], input=stdin, capture_output=True, text=True, check=False, timeout=120
    )
    return done.returncode, done.stdout, done.stderr


def test_console_script_demo_schema_and_version() -> None:
    """`upsert-engine demo`, `schema` (labels) and `--version` run as installed."""
    code, out, _ = _console("demo")
    assert code == 0 and "Kaizen #56" in out
    code, out, _ = _console("schema", "--module", "Leads")
    fields = {f["api_name"]: f for f in json.loads(out)["fields"]}
    assert code == 0 and fields["No_of_Employees"]["label"] == "No. of Employees"
    assert fields["Designation"]["label"] == "Title" and fields["Owner"]["label"] == "Lead Owner"
    code, out, _ = _console("--version")
    assert code == 0 and out.startswith("upsert-engine ")


def test_console_script_plan_and_apply(tmp_path: Path) -> None:
    """`plan` over the README's Zoho-format export (no --map; rows on stdin) and `apply`
    (a CSV store out) run as installed; a bad option is exit 2 in one line."""
    rows = Path(ROWS).read_text(encoding="utf-8")
    argv = ["--module", "Leads", "--store", EXPORT, "--unique", "Mobile", "--check-fields",
            "Email,Mobile"]  # fmt: skip
    code, out, err = _console("plan", *argv, "-", stdin=rows)
    assert (code, err) == (1, "")
    assert out.splitlines()[:2] == [
        "Leads: 15 rows in 1 request, against 10 stored records",
        "  inserted        4",
    ]
    code, out, err = _console("apply", *argv, ROWS, "--out", str(tmp_path / "new.csv"))
    assert code == 1 and "written to" in out
    assert (tmp_path / "new.csv").read_text(encoding="utf-8").startswith("id,Owner,")
    code, out, err = _console("plan", "--module", "Leads", ROWS, "--unique", "Mobil")
    assert (code, out) == (2, "") and len(err.splitlines()) == 1 and "did you mean Mobile" in err


def test_console_script_serve_reads_a_zoho_export(tmp_path: Path) -> None:
    """`serve --module Leads --store <Zoho CSV export>` (item 4): the records load with their
    ids, export times and owners as users; the first line is the URL."""
    import subprocess
    import urllib.request

    command = [_script(), "serve", "--port", "0", "--module", "Leads", "--store", EXPORT]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            with urllib.request.urlopen(f"{url}/__admin/dump?module=Leads", timeout=30) as answer:
                records = json.load(answer)["records"]
            request = urllib.request.Request(
                f"{url}/crm/v8/users", headers={"Authorization": "Zoho-oauthtoken fake-zoho-token"}
            )
            with urllib.request.urlopen(request, timeout=30) as answer:
                users = [user["full_name"] for user in json.load(answer)["users"]]
        finally:
            process.terminate()
            process.wait(timeout=30)
    assert len(records) == 10 and records[0]["id"] == "5725767000000500001"
    assert records[0]["Created_Time"] == "2024-06-19T01:58:32+00:00"
    assert records[2]["Owner"]["name"] == "Amélie Dubois"
    assert "Amélie Dubois" in users


def test_readme_preview_is_a_plan_over_a_zoho_export_without_map(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12 "done when": the README's "Preview an import" runs the command it shows (no
    --map, over the Zoho-format example export) and prints exactly the summary it shows."""
    import shlex

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Preview an import") :]
    start = section.index("upsert-engine plan")
    command = section[start : section.index("```", start)]
    shown = section[section.index("```text\n") + 8 :]
    shown = shown[: shown.index("```")]
    argv = shlex.split(command.replace("\\\n", " "))[1:]
    assert "--map" not in argv and "examples/leads-export.csv" in argv
    monkeypatch.chdir(ROOT)
    argv[argv.index("report.csv")] = str(tmp_path / "report.csv")
    code, out, err = run(capsys, *argv)
    assert (code, out, err) == (1, shown, "")
    assert "Record Id,Lead Owner,First Name" in Path(EXPORT).read_text(encoding="utf-8")


def test_server_field_metadata_shows_zohos_labels() -> None:
    """Item 2 on the fake server: `GET settings/fields` labels standard fields as Zoho does
    ("No. of Employees", "Title" for Designation, "Lead Owner"), custom ones by API name."""
    from upsert_engine.server import ZohoServer, engine_factory

    from .server_support import call

    with ZohoServer(engine_factory()) as server:
        server.engine.add_field("Leads", "Shoe_Size", "integer")
        status, _, body = call(server, "GET", "/crm/v8/settings/fields?module=Leads")
    labels = {field["api_name"]: field["field_label"] for field in body["fields"]}
    assert status == 200
    assert (labels["No_of_Employees"], labels["Designation"]) == ("No. of Employees", "Title")
    assert (labels["Owner"], labels["Created_Time"], labels["Shoe_Size"]) == (
        "Lead Owner",
        "Created Time",
        "Shoe Size",
    )


def test_serve_store_in_process(tmp_path: Path) -> None:
    """Item 4: `serve --store` reads a Zoho export with --module (owners made users, R32), a
    wrapped {"module", "record"} JSONL naming its own module, and asks for --module otherwise;
    `parse_unique` keeps its Module.Field[:type] reading for library callers."""
    from upsert_engine._io_read import InputError
    from upsert_engine.errors import ConfigurationError
    from upsert_engine.server.config import engine_factory, parse_unique, serve_store

    def args(*argv: str) -> Any:
        return build_parser().parse_args(["serve", *argv])

    records, owners = serve_store(args("--store", EXPORT, "--module", "Leads"), Engine(), None)
    assert len(records) == 10 and {user.name for user in owners} == {"Amélie Dubois"}
    org = engine_factory(store=records, users=owners)()
    assert org.get("Leads", "5725767000000500003")["Owner"]["name"] == "Amélie Dubois"
    wrapped = write(tmp_path / "s.jsonl", '{"module": "Contacts", "record": {"Last_Name": "A"}}\n')
    assert serve_store(args("--store", wrapped), Engine(), None) == (
        [("Contacts", {"Last_Name": "A"})],
        [],
    )
    with pytest.raises(InputError, match="give --module"):
        serve_store(args("--store", EXPORT), Engine(), None)
    assert parse_unique("Leads.Mobile:phone") == ("Leads", "Mobile", "phone")
    with pytest.raises(ConfigurationError, match=r"Module\.Field"):
        parse_unique("Mobile")


def test_xlsx_cells_read_as_an_export_writes_them(tmp_path: Path) -> None:
    """Item 6: xlsx cell values become a CSV export's text; a file that is no workbook is an
    InputError naming it."""
    from datetime import date, datetime, time

    from upsert_engine._io_read import InputError
    from upsert_engine._io_xlsx import cell_text, xlsx_rows

    assert [cell_text(v) for v in (None, True, False, 12.0, 1.5, 7)] == [
        "", "true", "false", "12", "1.5", "7"
    ]  # fmt: skip
    assert cell_text(datetime(2024, 6, 19, 1, 58, 32)) == "2024-06-19 01:58:32"
    assert (cell_text(date(2024, 6, 19)), cell_text(time(1, 2, 3))) == ("2024-06-19", "01:02:03")
    with pytest.raises(InputError, match=r"not an \.xlsx workbook"):
        list(xlsx_rows("x.xlsx", io.BytesIO(b"PK\x03\x04 no zip")))
