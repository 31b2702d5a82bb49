"""The ``upsert-engine`` command line: main(argv) in-process, golden summaries, bad inputs."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from upsert_engine import Engine, Response, _export, _io_read
from upsert_engine._cli_args import check_fields
from upsert_engine.cli import main

from .cli_support import run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXPORT = str(EXAMPLES / "leads-export.csv")
ROWS = str(EXAMPLES / "leads-rows.csv")
#: The README's example: a Zoho-format export and rows by label, no --map (issue 12 item 2).
EXAMPLE_ARGS = [
    "--module",
    "Leads",
    "--store",
    EXPORT,
    "--unique",
    "Mobile",
    "--check-fields",
    "Email,Mobile",
    ROWS,
]

GOLDEN_TEXT = """\
Leads: 15 rows in 1 request, against 10 stored records
  inserted        4
  updated         7   by Email 4, Mobile 3
  failed          4   DUPLICATE_DATA 2 (Mobile 2), INVALID_DATA 1 (Email 1), \
MANDATORY_NOT_FOUND 1 (Last_Name 1)
  records after: 14 (plan only, nothing written)
  store times without an offset read as UTC (--timezone): 20
"""

GOLDEN_JSON = {
    "command": "plan",
    "module": "Leads",
    "store_records": 10,
    "rows": 15,
    "requests": 1,
    "inserted": 4,
    "updated": {"Email": 4, "Mobile": 3},
    "failed": {"DUPLICATE_DATA": 2, "INVALID_DATA": 1, "MANDATORY_NOT_FOUND": 1},
    "failed_fields": {
        "DUPLICATE_DATA": {"Mobile": 2},
        "INVALID_DATA": {"Email": 1},
        "MANDATORY_NOT_FOUND": {"Last_Name": 1},
    },
    "records_after": 14,
    "out": None,
    "timezone": "UTC",
    "times_read": 20,
}

#: The CSV report, parsed: row, line, action, duplicate_field, id, code, field, conflict_id,
#: matched_id (the record an error row matched), changes (an update's before → after).
GOLDEN_REPORT = [
    ["row", "line", "action", "duplicate_field", "id", "code", "field", "conflict_id",
     "matched_id", "changes"],
    ["1", "2", "update", "Email", "5725767000000500001", "SUCCESS", "", "", "",
     'Email: "frey@sample.com" → "FREY@sample.com "; Lead_Status: "Contacted" → "Qualified"'],
    ["2", "3", "update", "Mobile", "5725767000000500002", "SUCCESS", "", "", "",
     'Lead_Status: "Not Contacted" → "Contacted"'],
    ["3", "4", "insert", "", "new-1", "SUCCESS", "", "", "", ""],
    ["4", "5", "error", "", "", "DUPLICATE_DATA", "Mobile", "5725767000000500005",
     "5725767000000500003", ""],
    ["5", "6", "error", "", "", "MANDATORY_NOT_FOUND", "Last_Name", "", "", ""],
    ["6", "7", "update", "Email", "5725767000000500004", "SUCCESS", "", "", "",
     'Mobile: (empty) → "555-0104"; Lead_Status: "Attempted to Contact" → "Contacted"'],
    ["7", "8", "update", "Mobile", "5725767000000500010", "SUCCESS", "", "", "",
     'First_Name: "Zoë" → "Jade"; Mobile: "555-0110" → " 555-0110 "; '
     'Lead_Status: "Not Contacted" → "Contacted"'],
    ["8", "9", "insert", "", "new-2", "SUCCESS", "", "", "", ""],
    ["9", "10", "update", "Email", "new-2", "SUCCESS", "", "", "",
     'Email: "quinn@new.example" → "QUINN@new.example"; Mobile: (empty) → "555-0202"; '
     'Lead_Status: "Not Contacted" → "Contacted"'],
    ["10", "11", "error", "", "", "INVALID_DATA", "Email", "", "", ""],
    ["11", "12", "insert", "", "new-3", "SUCCESS", "", "", "", ""],
    ["12", "13", "update", "Email", "5725767000000500006", "SUCCESS", "", "", "",
     'Lead_Status: "Not Contacted" → "Qualified"'],
    ["13", "14", "update", "Mobile", "new-1", "SUCCESS", "", "", "",
     'Last_Name: "Nash" → "Tan"; First_Name: "Olu" → "Lee"'],
    ["14", "15", "error", "", "", "DUPLICATE_DATA", "Mobile", "5725767000000500007",
     "5725767000000500009", ""],
    ["15", "16", "insert", "", "new-4", "SUCCESS", "", "", "", ""],
]  # fmt: skip


def write(path: Path, text: str) -> str:
    """Write a UTF-8 file and return its path as str."""
    path.write_text(text, encoding="utf-8")
    return str(path)


def store_csv(tmp_path: Path) -> str:
    """A three-lead store in API-name form."""
    return write(
        tmp_path / "store.csv",
        "id,Last_Name,Email,Mobile\n"
        "101,Frey,frey@sample.com,555-0101\n"
        "102,Moss,moss@example.org,555-0102\n"
        "103,Hart,hart@example.com,\n",
    )


def plan(capsys: pytest.CaptureFixture[str], store: str, rows: str, *extra: str) -> tuple:
    """plan --json against Leads; returns (code, parsed summary or None, stderr)."""
    code, out, err = run(
        capsys, "plan", "--module", "Leads", "--store", store, rows, "--json", *extra
    )
    return code, (json.loads(out) if out else None), err


def bad(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run argv expecting exit 2, empty stdout and one error line; returns that line."""
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("upsert-engine: error: ")
    assert "Traceback" not in err
    return lines[0]


# --- demo and schema --------------------------------------------------------------------------
def test_demo_prints_the_seed_example(capsys: pytest.CaptureFixture[str]) -> None:
    """`demo` still runs the built-in example and exits 0."""
    code, out, _ = run(capsys, "demo")
    assert code == 0
    assert "Kaizen #56" in out and "Explanation:" in out


def test_schema_prints_the_module_schema(capsys: pytest.CaptureFixture[str]) -> None:
    """`schema --module Leads` prints ModuleSchema.to_json (R2, R4)."""
    code, out, _ = run(capsys, "schema", "--module", "Leads")
    data = json.loads(out)
    assert code == 0
    assert data["system_fields"] == ["Email"] and data["mandatory_fields"] == ["Last_Name"]
    mobile = next(f for f in data["fields"] if f["api_name"] == "Mobile")
    assert mobile == {
        "api_name": "Mobile",
        "data_type": "phone",
        "max_length": 30,
        "unique": False,
        "label": "Mobile",
    }
    designation = next(f for f in data["fields"] if f["api_name"] == "Designation")
    assert designation["label"] == "Title"  # Zoho's label (item 2)


def test_schema_accepts_seed_alias_and_unique(capsys: pytest.CaptureFixture[str]) -> None:
    """`schema` takes the seed's module spelling (R2) and shows --unique fields as unique (R1)."""
    code, out, _ = run(capsys, "schema", "--module", "SalesOrders", "--unique", "Subject:text")
    data = json.loads(out)
    assert code == 0 and data["module"] == "Sales_Orders"
    assert next(f for f in data["fields"] if f["api_name"] == "Subject")["unique"] is True


def test_schema_output_round_trips_through_schema_option(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An edited `schema` output given to --schema makes its unique field a check field."""
    _, out, _ = run(capsys, "schema", "--module", "Leads")
    data = json.loads(out)
    for field in data["fields"]:
        if field["api_name"] == "Phone":
            field["unique"] = True
    data["mandatory_fields"] = ["Last_Name", "Company"]
    schema = write(tmp_path / "schema.json", json.dumps(data))
    rows = write(tmp_path / "rows.csv", "Last_Name,Phone\nNew,555-0101\nNewer,555-0101\n")
    code, summary, _ = plan(capsys, store_csv(tmp_path), rows, "--schema", schema)
    assert code == 1
    assert summary["failed"] == {"MANDATORY_NOT_FOUND": 2}  # Company is now mandatory (R4)


def test_custom_module_from_schema(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A custom module comes from --schema with "custom": true; Name is its check field (R2)."""
    schema = write(
        tmp_path / "projects.json",
        json.dumps(
            {
                "module": "Projects_X",
                "custom": True,
                "system_fields": ["Name"],
                "mandatory_fields": ["Name"],
                "fields": [{"api_name": "Code", "data_type": "text", "unique": True}],
            }
        ),
    )
    store = write(tmp_path / "store.jsonl", '{"id": "7", "Name": "Apollo", "Code": "A1"}\n')
    rows = write(tmp_path / "rows.json", '[{"Name": "apollo"}, {"Name": "Gemini", "Code": "G"}]')
    code, out, _ = run(
        capsys,
        "plan",
        "--module",
        "Projects_X",
        "--schema",
        schema,
        "--store",
        store,
        rows,
        "--json",
    )
    summary = json.loads(out)
    assert code == 0
    assert (summary["inserted"], summary["updated"]) == (1, {"Name": 1})


# --- golden outputs ---------------------------------------------------------------------------
def test_plan_golden_text_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """The examples' plan prints exactly the golden summary and exits 1 (some rows fail)."""
    code, out, err = run(capsys, "plan", *EXAMPLE_ARGS)
    assert (code, out, err) == (1, GOLDEN_TEXT, "")


def test_plan_golden_json_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """--json prints one JSON object with the issue's keys and the golden counts."""
    code, out, _ = run(capsys, "plan", *EXAMPLE_ARGS, "--json")
    assert code == 1
    assert out.count("\n") == 1
    assert json.loads(out) == GOLDEN_JSON


def test_plan_golden_csv_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The CSV report has one golden line per row: action, field, target id, error (R10-R14)."""
    report = tmp_path / "report.csv"
    code, _, _ = run(capsys, "plan", *EXAMPLE_ARGS, "--report", str(report))
    assert code == 1
    with report.open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == GOLDEN_REPORT


def test_jsonl_report_with_explanations(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--explain puts each row's trace (check order, tries, rule) into the JSONL report."""
    report = tmp_path / "report.jsonl"
    run(capsys, "plan", *EXAMPLE_ARGS, "--report", str(report), "--explain")
    rows = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 15
    first, dup = rows[0], rows[3]
    assert first["explanation"]["check_order"] == ["Email", "Mobile"]
    assert first["explanation"]["tried"][0]["normalized"] == "frey@sample.com"  # R8
    assert dup["code"] == "DUPLICATE_DATA" and dup["explanation"]["rule"] == "R14"
    assert dup["conflict_id"] == "5725767000000500005"


def test_explain_without_report_prints_traces(capsys: pytest.CaptureFixture[str]) -> None:
    """--explain without --report prints each row's explanation before the summary: the same
    row numbers as the report, non-ASCII as is, the changes of an update, what an error
    matched, inserted ids as placeholders (issue 12 item 7)."""
    code, out, _ = run(capsys, "plan", *EXAMPLE_ARGS, "--explain")
    assert code == 1
    assert out.startswith("row 1 (line 2): update (R10)")
    assert "row 5 (line 6): MANDATORY_NOT_FOUND (R13)" in out
    assert 'changes: First_Name: "Zoë" → "Jade"' in out
    assert (
        "row 3 (line 4): insert (R10) - no record found by Email, Mobile; inserted as new-1" in out
    )
    assert "matched: 5725767000000500003" in out
    assert "\\u" not in out
    assert out.endswith(GOLDEN_TEXT)


def test_apply_writes_the_store_atomically(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """apply writes the resulting store; planning the same rows on it inserts nothing."""
    out_path = tmp_path / "new.jsonl"
    code, out, _ = run(capsys, "apply", *EXAMPLE_ARGS, "--out", str(out_path))
    assert code == 1
    assert out == GOLDEN_TEXT.replace("plan only, nothing written", f"written to {out_path}")
    records = [json.loads(line) for line in out_path.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 14
    assert records[0]["Lead_Status"] == "Qualified" and records[0]["id"] == "5725767000000500001"
    assert os.listdir(tmp_path) == ["new.jsonl"]  # no temporary file left
    args = [a if a != EXPORT else str(out_path) for a in EXAMPLE_ARGS]
    _, again, _ = run(capsys, "plan", *args, "--json")
    assert json.loads(again)["inserted"] == 0


def test_apply_over_the_store_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--out naming the --store file is refused (issue 8 item 11: never overwrite an input);
    the next store goes to a new file, which can be the next run's --store."""
    store = store_csv(tmp_path)
    out_path = str(tmp_path / "store.jsonl")
    rows = write(tmp_path / "rows.csv", "Last_Name,Email\nNew,new@x.com\n")
    assert main(["apply", "--module", "Leads", "--store", store, rows, "--out", out_path]) == 0
    capsys.readouterr()
    before = Path(out_path).read_bytes()
    argv = ["apply", "--module", "Leads", "--store", out_path, rows, "--out", out_path]
    line = bad(capsys, *argv)
    assert line.endswith(
        "the same file as --store " + out_path + "; refusing to overwrite an input"
    )
    assert Path(out_path).read_bytes() == before
    next_path = str(tmp_path / "store2.jsonl")
    assert main(["apply", "--module", "Leads", "--store", out_path, rows, "--out", next_path]) == 0
    capsys.readouterr()
    assert len(Path(next_path).read_text(encoding="utf-8").splitlines()) == 4


def test_all_rows_succeed_exits_zero(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Exit 0 when every row succeeds; the empty `updated`/`failed` maps are still present."""
    rows = write(tmp_path / "rows.csv", "Last_Name,Email\nNew,new@x.com\n")
    code, summary, _ = plan(capsys, store_csv(tmp_path), rows)
    assert code == 0
    assert (summary["inserted"], summary["updated"], summary["failed"]) == (1, {}, {})


# --- input formats ----------------------------------------------------------------------------
ROWS_AS_OBJECTS = [
    {"Last_Name": "Frey", "Email": " FREY@sample.com"},
    {"Last_Name": "Moss", "Mobile": "555-0102"},
    {"Last_Name": "Nash", "Email": "nash@x.com"},
    {"Email": "nobody@x.com"},
]
EXPECTED_FORMAT_SUMMARY = (1, {"Email": 1, "Mobile": 1}, {"MANDATORY_NOT_FOUND": 1})


@pytest.mark.parametrize("form", ["csv", "bom-csv", "json", "pretty-json", "jsonl", "noext"])
def test_every_rows_format_gives_the_same_plan(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, form: str
) -> None:
    """CSV (with or without BOM), JSON array (compact or pretty), JSONL: one result."""
    if form in ("csv", "bom-csv"):
        text = (
            "Last_Name,Email,Mobile\nFrey, FREY@sample.com,\nMoss,,555-0102\n"
            "Nash,nash@x.com,\n,nobody@x.com,\n"
        )
        text = ("\ufeff" if form == "bom-csv" else "") + text
        rows = write(tmp_path / "rows.csv", text)
    elif form == "json":
        rows = write(tmp_path / "rows.json", json.dumps(ROWS_AS_OBJECTS))
    elif form == "pretty-json":
        rows = write(tmp_path / "rows.json", "\ufeff" + json.dumps(ROWS_AS_OBJECTS, indent=2))
    elif form == "jsonl":
        text = "\n".join(json.dumps(row) for row in ROWS_AS_OBJECTS) + "\n\n"
        rows = write(tmp_path / "rows.jsonl", text)
    else:
        rows = write(tmp_path / "rows.txt", "\n".join(json.dumps(r) for r in ROWS_AS_OBJECTS))
    code, summary, _ = plan(capsys, store_csv(tmp_path), rows, "--unique", "Mobile:phone")
    assert code == 1
    assert (summary["inserted"], summary["updated"], summary["failed"]) == EXPECTED_FORMAT_SUMMARY


def test_json_array_reports_element_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Report lines of a pretty-printed JSON array are the lines its elements start on."""
    rows = write(tmp_path / "rows.json", json.dumps(ROWS_AS_OBJECTS, indent=2))
    report = tmp_path / "r.jsonl"
    plan(capsys, store_csv(tmp_path), rows, "--report", str(report))
    lines = [json.loads(x)["line"] for x in report.read_text(encoding="utf-8").splitlines()]
    assert lines == [2, 6, 10, 14]


def test_empty_cells_are_not_sent(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """An empty CSV cell leaves the field as it was (R12 patch), it does not clear it."""
    rows = write(tmp_path / "rows.csv", "Last_Name,Email,Mobile\nFrey2,frey@sample.com,\n")
    out_path = tmp_path / "out.jsonl"
    main(
        ["apply", "--module", "Leads", "--store", store_csv(tmp_path), rows, "--out", str(out_path)]
    )
    capsys.readouterr()
    first = json.loads(out_path.read_text(encoding="utf-8").splitlines()[0])
    assert (first["Last_Name"], first["Mobile"]) == ("Frey2", "555-0101")


def test_requests_of_at_most_100_in_file_order(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """250 rows are 3 requests (R19); a row in a later request updates an earlier insert (R17)."""
    lines = [f"Lead{i},lead{i}@x.com" for i in range(249)] + ["Again,LEAD5@x.com"]
    rows = write(tmp_path / "rows.csv", "Last_Name,Email\n" + "\n".join(lines) + "\n")
    code, summary, _ = plan(capsys, store_csv(tmp_path), rows)
    assert code == 0
    assert (summary["rows"], summary["requests"]) == (250, 3)
    assert (summary["inserted"], summary["updated"]) == (249, {"Email": 1})


def test_store_loads_in_chunks_and_keeps_repeats(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Store records load chunk by chunk at one time, repeats kept: the smallest id wins (R11)."""
    monkeypatch.setattr(_export, "LOAD_CHUNK", 1)
    store = write(
        tmp_path / "store.csv",
        "Record Id,Last_Name,Email\nzcrm_9,A,same@x.com\nzcrm_8,B,same@x.com\nzcrm_7,C,c@x.com\n",
    )
    rows = write(tmp_path / "rows.csv", "Last_Name,Email\nZ,SAME@x.com\n")
    report = tmp_path / "r.csv"
    code, summary, _ = plan(capsys, store, rows, "--report", str(report))
    assert code == 0 and summary["store_records"] == 3
    assert (
        report.read_text(encoding="utf-8")
        .splitlines()[1]
        .startswith("1,2,update,Email,8,SUCCESS,,,,")
    )


def test_export_user_names_are_accepted(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A mapped "Created By" user name (a string) loads and its record can be updated."""
    store = write(tmp_path / "store.csv", "Last_Name,Email,Created By\nA,a@x.com,Ann\n")
    labels = write(tmp_path / "map.json", '{"Created By": "Created_By"}')
    rows = write(tmp_path / "rows.csv", "Last_Name,Email\nA,a@x.com\n")
    code, summary, _ = plan(capsys, store, rows, "--map", labels)
    assert code == 0 and summary["updated"] == {"Email": 1}


def test_unknown_columns_are_refused_with_a_hint(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Issue 12 item 1: a column that names no field is exit 2 naming file, line, column and
    the closest names; labels of any case resolve (item 2), so "Last Name" is no problem."""
    store = write(tmp_path / "store.csv", "last name,EMAIL\nA,a@x.com\n")
    rows = write(tmp_path / "rows.csv", "Last_Name,Emial,Shoe_Size\nA,a@x.com,44\n")
    line = bad(capsys, "plan", "--module", "Leads", "--store", store, rows)
    assert line.endswith(
        "rows.csv line 1: column 2 'Emial' is no field of Leads (did you mean Email?); "
        "--ignore-column 'Emial' leaves it out, --map names its field, --schema adds a "
        "custom field"
    )


def test_ignored_columns_are_left_out_and_listed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--ignore-column NAME and --ignore-unknown-columns leave columns out, named on stderr."""
    rows = write(tmp_path / "rows.csv", "Last_Name,Zed,Email,Ayr\nA,,a@x.com,1\nB,2,,3\n")
    code, summary, err = plan(
        capsys, store_csv(tmp_path), rows, "--ignore-column", "zed", "--ignore-column", "Ayr"
    )
    assert code == 0 and summary["inserted"] == 2 and summary["updated"] == {}
    assert err.strip().endswith("rows.csv: columns left out: Zed, Ayr")
    code, _, err = plan(capsys, store_csv(tmp_path), rows, "--ignore-unknown-columns")
    assert code == 0 and err.strip().endswith("rows.csv: columns left out: Zed, Ayr")


def test_unknown_fields_option_sends_unknown_columns(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--unknown-fields sends an unknown column for the engine to judge: ignore drops the key,
    reject fails the row with INVALID_DATA naming it (the option's two readings)."""
    rows = write(tmp_path / "rows.csv", "Last_Name,Shoe_Size\nA,44\n")
    code, summary, _ = plan(capsys, store_csv(tmp_path), rows, "--unknown-fields", "ignore")
    assert code == 0 and summary["inserted"] == 1
    code, summary, _ = plan(capsys, store_csv(tmp_path), rows, "--unknown-fields", "reject")
    assert code == 1 and summary["failed_fields"] == {"INVALID_DATA": {"Shoe_Size": 1}}


CSV_ACROSS_BLOCKS = (
    "\ufeffLast_Name,Email,Owner,Mobile\r\n"
    'A,a@x.com,me,\r\n"B\nB",,you,555 1\n\n,c@x.com,,555 2\n'
    "\u00e9\u2028x,e\u0301@x.com,,\n"
)


def _read_csv(path: str, rename: dict[str, str | None], size: int) -> list[tuple[int, dict]]:
    with _io_read.RowFile(path, rename) as rows:
        return [pair for batch in rows.batches(size) for pair in zip(*batch, strict=True)]


@pytest.mark.parametrize("block", [1, 2, 3, 5, 8, 64])
def test_csv_read_in_blocks_of_any_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    """Lines cut anywhere by the block reads: the same rows, lines, BOM and dropped columns."""
    path = write(tmp_path / "rows.csv", CSV_ACROSS_BLOCKS)
    rename: dict[str, str | None] = {"Owner": None}
    expected = [
        (2, {"Last_Name": "A", "Email": "a@x.com"}),
        (3, {"Last_Name": "B\nB", "Mobile": "555 1"}),
        (6, {"Email": "c@x.com", "Mobile": "555 2"}),
        (7, {"Last_Name": "\u00e9\u2028x", "Email": "e\u0301@x.com"}),
    ]
    assert _read_csv(path, rename, 100) == expected
    monkeypatch.setattr(_io_read, "READ_BLOCK", block)
    assert _read_csv(path, rename, 3) == expected
    with _io_read.RowFile(path, rename) as rows:
        assert [(row.line, row.values) for row in rows] == expected


@pytest.mark.parametrize("block", [1, 4, 16, 1 << 20])
def test_bad_encoding_in_a_later_block(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    """A bad byte is named by its line and column whichever block it falls in."""
    monkeypatch.setattr(_io_read, "READ_BLOCK", block)
    rows = tmp_path / "rows.csv"
    rows.write_bytes(b"\xef\xbb\xbfLast_Name,Email\nOk,ok@x.com\nOk,ok@x.com\nM\xfcller,m\n")
    line = bad(capsys, "plan", "--module", "Leads", "--store", store_csv(tmp_path), str(rows))
    assert line.endswith(
        "rows.csv line 4: not UTF-8 (byte 0xfc at column 2); give --encoding (e.g. cp1252, "
        "latin-1, utf-16)"
    )


# --- progress ---------------------------------------------------------------------------------
class FakeTerminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        """Pretend to be a terminal."""
        return True


def test_progress_quiet_when_piped(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Nothing on stderr when it is not a terminal."""
    rows = write(tmp_path / "rows.csv", "Last_Name,Email\nNew,new@x.com\n")
    _, _, err = plan(capsys, store_csv(tmp_path), rows)
    assert err == ""


def test_progress_shown_on_a_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """On a terminal, stderr shows the counters and then clears the line."""
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    rows = write(tmp_path / "rows.csv", "Last_Name,Email\nNew,new@x.com\n")
    assert main(["plan", "--module", "Leads", "--store", store_csv(tmp_path), rows]) == 0
    shown = terminal.getvalue()
    assert "records" in shown and shown.endswith("\r\x1b[K")


# --- bad input: one line, exit 2, nothing written ---------------------------------------------
def test_missing_rows_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A missing rows file is named."""
    line = bad(capsys, "plan", "--module", "Leads", "--store", EXPORT, str(tmp_path / "no.csv"))
    assert "no.csv" in line and "No such file" in line


def test_missing_store_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A missing store file is named."""
    line = bad(capsys, "plan", "--module", "Leads", "--store", str(tmp_path / "gone.csv"), ROWS)
    assert "gone.csv" in line


def test_unreadable_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A rows 'file' that is a directory cannot be read."""
    line = bad(capsys, "plan", "--module", "Leads", "--store", EXPORT, str(tmp_path))
    assert str(tmp_path) in line and "cannot read" in line


def test_bad_encoding_names_the_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Bytes that are not UTF-8 are reported with file and line."""
    rows = tmp_path / "rows.csv"
    rows.write_bytes(b"Last_Name,Email\nOk,ok@x.com\nM\xfcller,m@x.com\n")
    line = bad(capsys, "plan", "--module", "Leads", "--store", store_csv(tmp_path), str(rows))
    assert "rows.csv line 3: not UTF-8 (byte 0xfc" in line


def test_ragged_row_names_the_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A row with more cells than the header is reported with file and line."""
    rows = write(tmp_path / "rows.csv", 'Last_Name,Email\nA,a@x.com\n"B\nB",b@x.com,extra\n')
    line = bad(capsys, "plan", "--module", "Leads", "--store", store_csv(tmp_path), rows)
    assert line.endswith(
        "rows.csv line 3: 3 cells, but the header has 2 columns (it runs to line 4: a quote "
        "not closed?)"
    )


def test_ragged_store_row(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A short row in the store is reported with the store's name and line."""
    store = write(tmp_path / "store.csv", "Last_Name,Email\nA\n")
    line = bad(capsys, "plan", "--module", "Leads", "--store", store, ROWS)
    assert "store.csv line 2: 1 cells" in line


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("rows.csv", "", "rows.csv line 1: empty file"),
        ("rows.csv", "Last_Name,,Email\n", "column 2 of the header has no name"),
        ("rows.csv", "Email,email\n", "column 2 ('email') names Email, as column 1 ('Email') does"),
        ("rows.csv", "Email,E-mail\n", "line 1: column 2 'E-mail' is no field of Leads"),
        ("rows.csv", 'Last_Name\n"open\n', "rows.csv line 2: a quoted cell opened on this line is"),
        (
            "rows.csv",
            'Last_Name,Email\nA,"a@x.com\nB,b@x.com\nC,c@x.com\n',
            "rows.csv line 2: a quoted cell opened on this line is never closed",
        ),
        ("rows.jsonl", '{"Last_Name": "A"}\n{"Last_Name": \n', "rows.jsonl line 2: not valid JSON"),
        ("rows.jsonl", '{"Last_Name": "A"}\n[1]\n', "line 2: the line is a JSON list, not an"),
        ("rows.json", '{"Last_Name": "A"}', "rows.json line 1: expected a JSON array"),
        ("rows.json", '[\n{"Last_Name": "A"},\n3\n]', "rows.json line 3: element 1 is not an"),
        ("rows.json", '[\n{"Last_Name": "A"},\n{"x": }\n]', "rows.json line 3: not valid JSON"),
        ("rows.json", '[\n{"Last_Name": "A"}\n', "line 2: the JSON array is not closed"),
        ("rows.json", '[{"Last_Name": "A"}] x', "line 1: unexpected 'x' after element 0"),
        ("rows.json", '[{"Email": 1} {"b": 2}]', "line 1: unexpected '{' after element 0"),
        ("rows.json", '[\n{"Email": 1},\n{"Emial": 2}]', "line 3: key 'Emial' is no field of"),
        ("rows.json", "", "rows.json line 1: empty file"),
    ],
)
def test_malformed_rows_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, text: str, expected: str
) -> None:
    """Every malformed rows file gets one line naming the file and line."""
    rows = write(tmp_path / name, text)
    store = store_csv(tmp_path)
    assert expected in bad(capsys, "plan", "--module", "Leads", "--store", store, rows)


def test_unknown_module(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown module is named, with a hint for custom modules."""
    line = bad(capsys, "plan", "--module", "Leeds", "--store", EXPORT, ROWS)
    assert "--module Leeds: Leeds is not a module of the org (did you mean Leads?)" in line
    assert "custom" in line


def test_unknown_check_field(capsys: pytest.CaptureFixture[str]) -> None:
    """A --check-fields name that is no field of the module is named."""
    argv = [a if a != "Email,Mobile" else "Email,Mobil" for a in EXAMPLE_ARGS]
    line = bad(capsys, "plan", *argv)
    assert "--check-fields: Leads has no field Mobil (did you mean Mobile" in line


def test_non_unique_check_field(capsys: pytest.CaptureFixture[str]) -> None:
    """A --check-fields field that is no duplicate check field and of a type R7's default
    cannot match on (a textarea) is refused up front; Phone (not unique) is a match key."""
    line = bad(
        capsys,
        "plan",
        "--module",
        "Leads",
        "--store",
        EXPORT,
        ROWS,
        "--check-fields",
        "Description",
    )
    assert "Description is not a duplicate check field" in line and "textarea" in line
    options = Engine().options
    assert check_fields(Engine().schema("Leads"), "Email,Phone", options) == ["Email", "Phone"]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("Description:textarea", "cannot be unique (R1"),
        ("Mobil:phone", "Leads has no field Mobil (did you mean Mobile"),
        ("Mobile:text", "Mobile is a phone field of Leads, not text"),
        ("Mobile:phon", "unknown data type 'phon' (did you mean phone?)"),
        (".Mobile:phone", "expected [Module.]Field[:type]"),
        ("Mobile:telephone", "unknown data type 'telephone'"),
        ("Nowhere.Code:text", "Nowhere is not a module of the org"),
    ],
)
def test_bad_unique_option(capsys: pytest.CaptureFixture[str], spec: str, expected: str) -> None:
    """--unique on a type that cannot be unique, or malformed, is refused (R1)."""
    line = bad(capsys, "plan", "--module", "Leads", "--store", EXPORT, ROWS, "--unique", spec)
    assert f"--unique {spec}: " in line and expected in line


def test_unique_in_another_module_form(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--unique Module.Field:type is accepted."""
    rows = write(tmp_path / "rows.csv", "Last_Name,Mobile\nX,555-0101\n")
    code, summary, _ = plan(capsys, store_csv(tmp_path), rows, "--unique", "Leads.Mobile:phone")
    assert code == 0 and summary["updated"] == {"Mobile": 1}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[]", 'expected what `upsert-engine schema` prints: {"fields"'),
        ('{"module": "Contacts", "fields": []}', "the schema of 'Contacts', not of --module Leads"),
        ('{"fields": [], "system_fields": ["Phone"]}', "they are fixed for a standard module"),
        ('{"fields": [], "system_fields": "Email"}', "system_fields must be a list"),
        ('{"fields": [3]}', "fields[0] is not an object"),
        ('{"fields": [{"api_name": "X"}]}', "api_name and data_type must be strings"),
        ('{"fields": [{"api_name": "X", "data_type": "text", "unique": 1}]}', "unique must be"),
        ('{"fields": [{"api_name": "X", "data_type": "blob"}]}', "fields[0]: module 'Leads'"),
        ('{"fields": [], "mandatory_fields": ["Nope"]}', "'Nope' is named as a system, mand"),
        ('{"fields": [}', "schema.json line 1: not valid JSON"),
    ],
)
def test_bad_schema_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, expected: str
) -> None:
    """A malformed --schema file is named with what is wrong."""
    schema = write(tmp_path / "schema.json", text)
    line = bad(capsys, "plan", "--module", "Leads", "--schema", schema, "--store", EXPORT, ROWS)
    assert "schema.json" in line and expected in line


def test_bad_map_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A --map that is not an object of labels to names (or null) is refused."""
    labels = write(tmp_path / "map.json", '{"Email": 3}')
    line = bad(capsys, "plan", "--module", "Leads", "--store", EXPORT, ROWS, "--map", labels)
    assert "map.json: expected" in line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id,Last_Name\n1,A\n2,B\n1,C\n", "store.csv line 4: id 1 is already taken"),
        ("id,Last_Name\nx7,A\n", "store.csv line 2: id 'x7' is not digits"),
        ("Last_Name,Created_Time\nA,03/11/2025 09:15\n", "line 2: Created_Time '03/11/2025 09:15'"),
    ],
)
def test_bad_store_records(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    expected: str,
) -> None:
    """Store records the engine cannot load are named by file and line, across chunks."""
    monkeypatch.setattr(_export, "LOAD_CHUNK", 2)
    store = write(tmp_path / "store.csv", text)
    line = bad(capsys, "plan", "--module", "Leads", "--store", store, ROWS)
    assert expected in line


def test_bad_input_mid_stream_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A ragged row after 150 good rows: exit 2, and neither report nor store is written."""
    lines = [f"Lead{i},lead{i}@x.com" for i in range(150)] + ["broken"]
    rows = write(tmp_path / "rows.csv", "Last_Name,Email\n" + "\n".join(lines) + "\n")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    report, out_path = str(out_dir / "r.csv"), str(out_dir / "new.jsonl")
    store = store_csv(tmp_path)
    line = bad(
        capsys,
        "apply",
        "--module",
        "Leads",
        "--store",
        store,
        rows,
        "--out",
        out_path,
        "--report",
        report,
    )
    assert "rows.csv line 152" in line
    assert os.listdir(out_dir) == []


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--report", "report.txt", "a report is .csv or .jsonl"),
        ("--report", "missing/report.csv", "cannot write"),
        ("--out", "missing/new.jsonl", "cannot write"),
        ("--out", ".", "a store is .jsonl, .json or .csv"),
    ],
)
def test_unwritable_outputs(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    option: str,
    value: str,
    expected: str,
) -> None:
    """Outputs that cannot be written are refused before any work."""
    monkeypatch.chdir(tmp_path)
    command = "apply" if option == "--out" or value == "." else "plan"
    line = bad(capsys, command, *EXAMPLE_ARGS, option, value)
    assert expected in line
    assert os.listdir(tmp_path) == []


def test_report_over_rows_file_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--report naming the rows file would destroy it: refused."""
    rows = write(tmp_path / "rows.csv", "Last_Name\nA\n")
    line = bad(capsys, "plan", "--module", "Leads", "--store", EXPORT, rows, "--report", rows)
    assert line.endswith(f"the same file as ROWS {rows}; refusing to overwrite an input")
    assert Path(rows).read_text(encoding="utf-8") == "Last_Name\nA\n"


def test_explain_json_needs_report(capsys: pytest.CaptureFixture[str]) -> None:
    """--explain --json without --report would mix text into the JSON: refused."""
    line = bad(capsys, "plan", *EXAMPLE_ARGS, "--explain", "--json")
    assert "--explain with --json needs --report" in line


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """argparse usage errors (missing ROWS, unknown command) exit 2 without a traceback."""
    assert main(["plan", "--module", "Leads"]) == 2
    assert main(["frobnicate"]) == 2
    assert main(["apply", *EXAMPLE_ARGS]) == 2  # no --out
    err = capsys.readouterr().err
    assert "ROWS" in err and "--out" in err and "Traceback" not in err


# --- the installed command --------------------------------------------------------------------
def _console_script() -> str | None:
    """The installed `upsert-engine` next to this Python, or in the work tree's .venv."""
    for folder in (Path(sys.executable).parent, ROOT / ".venv" / "bin"):
        script = folder / "upsert-engine"
        if script.exists():
            return str(script)
    return shutil.which("upsert-engine")


def test_python_dash_m(tmp_path: Path) -> None:
    """`python -m upsert_engine plan` runs the command line in a subprocess."""
    result = subprocess.run(
        [sys.executable, "-m", "upsert_engine", "plan", *EXAMPLE_ARGS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (1, GOLDEN_TEXT, "")


@pytest.mark.skipif(_console_script() is None, reason="upsert-engine is not installed")
def test_console_script(tmp_path: Path) -> None:
    """The installed console script: golden summary, exit 1; a bad file exits 2 in one line."""
    script = _console_script()
    assert script is not None
    result = subprocess.run(
        [script, "plan", *EXAMPLE_ARGS], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout, result.stderr) == (1, GOLDEN_TEXT, "")
    missing = subprocess.run(
        [script, "plan", "--module", "Leads", "--store", EXPORT, str(tmp_path / "x.csv")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 2 and len(missing.stderr.splitlines()) == 1


@pytest.mark.skipif(_console_script() is None, reason="upsert-engine is not installed")
def test_console_script_survives_a_closed_pipe() -> None:
    """`upsert-engine demo | head -1` ends quietly, without a BrokenPipeError traceback."""
    script = _console_script()
    assert script is not None
    result = subprocess.run(
        f"'{script}' demo | head -1", shell=True, capture_output=True, text=True, check=False
    )
    assert result.stdout.startswith("Example org") and "Traceback" not in result.stderr


# --- corners ----------------------------------------------------------------------------------
def test_empty_rows_and_blank_lines(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """An empty JSON array sends nothing (exit 0); blank CSV lines are skipped."""
    store = store_csv(tmp_path)
    code, out, _ = run(
        capsys, "plan", "--module", "Leads", "--store", store, write(tmp_path / "r.json", "[ ]")
    )
    assert code == 0 and out.startswith("Leads: 0 rows in 0 requests, against 3 stored records")
    rows = write(tmp_path / "rows.csv", "Last_Name,Email\n\nNew,new@x.com\n\n")
    report = tmp_path / "r.csv"
    code, summary, _ = plan(capsys, store, rows, "--report", str(report))
    assert code == 0 and summary["rows"] == 1
    assert report.read_text(encoding="utf-8").splitlines()[1].startswith("1,3,insert,")


def test_map_renames_and_drops_json_keys(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--map applies to JSON keys too: a label becomes its API name, null drops the key."""
    labels = write(tmp_path / "map.json", '{"E-mail": "Email", "Owner": null}')
    store = write(
        tmp_path / "store.jsonl",
        '{"Record Id": "zcrm_5", "Last_Name": "A", "E-mail": "a@x.com", "Owner": "me",'
        ' "Created_By": null, "Created_Time": null}\n',
    )
    rows = write(tmp_path / "rows.jsonl", '{"Last_Name": "A", "E-mail": "A@x.com", "Owner": 1}\n')
    report = tmp_path / "r.csv"
    code, summary, err = plan(capsys, store, rows, "--map", labels, "--report", str(report))
    assert (code, summary["updated"]) == (0, {"Email": 1})
    assert err.count("columns left out: Owner") == 2  # store and rows: named, never silent
    assert report.read_text(encoding="utf-8").splitlines()[1] == (
        '1,1,update,Email,5,SUCCESS,,,,"Email: ""a@x.com"" → ""A@x.com"""'
    )


def test_bad_custom_module_name(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A custom module the engine refuses to create is reported with the schema file."""
    schema = write(tmp_path / "s.json", '{"module": "a/b", "custom": true, "fields": []}')
    line = bad(capsys, "schema", "--module", "a/b", "--schema", schema)
    assert "s.json: module name 'a/b'" in line


def test_request_level_error_fails_every_row(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If a whole request were refused (R19-R20), each of its rows counts under that code."""
    refusal = Response(
        400, {"code": "LIMIT_EXCEEDED", "details": {"limit": 100}, "status": "error"}
    )
    monkeypatch.setattr(Engine, "upsert", lambda self, module, body: refusal)
    rows = write(tmp_path / "rows.csv", "Last_Name\nA\nB\n")
    code, summary, _ = plan(capsys, store_csv(tmp_path), rows)
    assert code == 1 and summary["failed"] == {"LIMIT_EXCEEDED": 2}


def test_unfinished_json_element_is_bounded(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A JSON element still open after MAX_JSON_ELEMENT characters is reported, not buffered on."""
    monkeypatch.setattr(_io_read, "MAX_JSON_ELEMENT", 40)
    text = '[\n{"Last_Name": "A",\n' + '"x": 1,\n' * 20 + "}]\n"
    rows = write(tmp_path / "rows.json", text)
    line = bad(capsys, "plan", "--module", "Leads", "--store", store_csv(tmp_path), rows)
    assert "not valid JSON" in line
    assert int(line.split("rows.json line ")[1].split(":")[0]) < 10  # long before the end
