"""The command line never overwrites what it reads, keeps file modes, refuses hostile JSON, and
installs its outputs in an order an interruption cannot make inconsistent (issue 8 items 11-13)."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from upsert_engine import _io_read, _io_write, cli
from upsert_engine.cli import main

from .cli_support import run

STORE_CSV = "id,Last_Name,Email\n101,Frey,frey@x.com\n102,Moss,moss@x.com\n"
ROWS_CSV = "Last_Name,Email\nFrey,frey@x.com\nNew,new@x.com\n"


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run argv expecting exit 2, no stdout and one error line without a traceback."""
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, ""), err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("upsert-engine: error: ")
    return lines[0]


@pytest.fixture
def files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> dict[str, str]:
    """A store (CSV and JSONL), a rows file, a --map and a --schema file, in ``tmp_path``."""
    store = tmp_path / "store.csv"
    store.write_text(STORE_CSV, encoding="utf-8")
    rows = tmp_path / "rows.csv"
    rows.write_text(ROWS_CSV, encoding="utf-8")
    jsonl = tmp_path / "store.jsonl"
    assert (
        main(["apply", "--module", "Leads", "--store", str(store), str(rows), "--out", str(jsonl)])
        == 0
    )
    mapping = tmp_path / "map.json"
    mapping.write_text('{"Surname": "Last_Name"}', encoding="utf-8")
    schema = tmp_path / "schema.json"
    capsys.readouterr()
    assert main(["schema", "--module", "Leads"]) == 0
    schema.write_text(capsys.readouterr().out, encoding="utf-8")
    return {
        "store": str(store),
        "rows": str(rows),
        "jsonl": str(jsonl),
        "map": str(mapping),
        "schema": str(schema),
    }


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` (symlinks as their link text) and its bytes."""
    found: dict[str, bytes] = {}
    for path in sorted(directory.rglob("*")):
        if path.is_symlink():
            found[str(path.relative_to(directory))] = b"->" + os.readlink(path).encode()
        elif path.is_file():
            found[str(path.relative_to(directory))] = path.read_bytes()
    return found


# --- item 11: an output is never an input, nor another output ---------------------------------
def test_report_over_the_store_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, files: dict[str, str]
) -> None:
    """issue 8 item 11: `plan --store s.jsonl rows.csv --report s.jsonl` is refused, exit 2;
    the store is untouched."""
    capsys.readouterr()
    before = snapshot(tmp_path)
    argv = ["plan", "--module", "Leads", "--store", files["jsonl"], files["rows"]]
    line = refused(capsys, *argv, "--report", files["jsonl"])
    assert f"--report {files['jsonl']}: the same file as --store {files['jsonl']}" in line
    assert snapshot(tmp_path) == before


def test_report_and_out_the_same_file_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, files: dict[str, str]
) -> None:
    """issue 8 item 11: `apply --report x.jsonl --out x.jsonl` is refused (the report would be
    lost), also spelled differently (`./sub/../x.jsonl`); nothing is created."""
    capsys.readouterr()
    before = snapshot(tmp_path)
    x = str(tmp_path / "x.jsonl")
    base = ["apply", "--module", "Leads", "--store", files["jsonl"], files["rows"]]
    line = refused(capsys, *base, "--report", x, "--out", x)
    assert line.endswith(
        f"--out {x}: the same file as --report {x}; refusing to overwrite another output"
    )
    (tmp_path / "sub").mkdir()
    other = str(tmp_path / "sub" / ".." / "x.jsonl")
    assert "the same file as --report" in refused(capsys, *base, "--report", x, "--out", other)
    assert snapshot(tmp_path) == before


def test_symlinked_rows_file_not_overwritten(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, files: dict[str, str]
) -> None:
    """issue 8 item 11: rows given through a symlink, --out naming the link's target (and the
    other way round) is refused; the rows file is untouched."""
    capsys.readouterr()
    (tmp_path / "data").mkdir()
    target = tmp_path / "data" / "rows.csv"
    target.write_text(ROWS_CSV, encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    before = snapshot(tmp_path)
    base = ["apply", "--module", "Leads", "--store", files["jsonl"]]
    line = refused(capsys, *base, str(link), "--out", str(target))
    assert f"the same file as ROWS {link}" in line
    line = refused(capsys, *base, str(target), "--out", str(link))
    assert f"the same file as ROWS {target}" in line
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("given", ["store", "rows", "map", "schema"])
@pytest.mark.parametrize("output", ["--out", "--report"])
def test_hard_link_to_any_input_refused(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    files: dict[str, str],
    given: str,
    output: str,
) -> None:
    """issue 8 item 11: an output that is a hard link of any input (the store, the rows, the
    --map and --schema files) is the same file: refused, every file untouched."""
    linked = str(tmp_path / "linked.jsonl" if output == "--out" else tmp_path / "linked.csv")
    os.link(files[given], linked)
    before = snapshot(tmp_path)
    argv = ["apply", "--module", "Leads", "--store", files["store"], files["rows"]]
    argv += ["--map", files["map"], "--schema", files["schema"]]
    argv += ["--out", str(tmp_path / "new.jsonl")] if output == "--report" else []
    argv += [output, linked]
    option = {"store": "--store", "rows": "ROWS", "map": "--map", "schema": "--schema"}[given]
    line = refused(capsys, *argv)
    assert f"{output} {linked}: the same file as {option} {files[given]}" in line
    assert snapshot(tmp_path) == before


def test_output_not_a_regular_file_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, files: dict[str, str]
) -> None:
    """An output that exists but is no regular file (a FIFO here; /dev/null for a user) is
    refused, never replaced by one. (Not tried on /dev/null itself: code without this check,
    run as root, would replace the machine's /dev/null.)"""
    capsys.readouterr()
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    argv = ["apply", "--module", "Leads", "--store", files["store"], files["rows"]]
    line = refused(capsys, *argv, "--out", str(fifo))
    assert f"{fifo}: not a regular file" in line
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert [name for name in os.listdir(tmp_path) if name.endswith(".tmp")] == []


def test_output_through_a_symlink_writes_its_target(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, files: dict[str, str]
) -> None:
    """An output symlink (to no input) stays a link; the file it points to is replaced."""
    capsys.readouterr()
    target = tmp_path / "target.jsonl"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "out.jsonl"
    link.symlink_to(target)
    argv = ["apply", "--module", "Leads", "--store", files["store"], files["rows"]]
    code, _, err = run(capsys, *argv, "--out", str(link))
    assert code == 0, err
    assert link.is_symlink()
    assert len(target.read_text(encoding="utf-8").splitlines()) == 3


# --- item 12: modes -----------------------------------------------------------------------------
def mode_of(path: Path | str) -> int:
    """The permission bits of a file."""
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask_zero() -> Iterator[None]:
    """A umask of 0: what modes the command chooses is not hidden by the usual 022."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize("existing", [0o600, 0o640, 0o604])
def test_existing_output_keeps_its_mode(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    files: dict[str, str],
    umask_zero: None,
    existing: int,
) -> None:
    """issue 8 item 12: `apply --out` (and --report) over an existing 0600 file leaves it 0600
    (was 0644); any existing mode carries over, even when --file-mode is given."""
    capsys.readouterr()
    out, report = tmp_path / "out.jsonl", tmp_path / "report.csv"
    for path in (out, report):
        path.write_text("old\n", encoding="utf-8")
        os.chmod(path, existing)
    argv = ["apply", "--module", "Leads", "--store", files["store"], files["rows"]]
    for extra in ([], ["--file-mode", "0644"]):
        code, _, err = run(capsys, *argv, "--out", str(out), "--report", str(report), *extra)
        assert code == 0, err
        assert (mode_of(out), mode_of(report)) == (existing, existing)
        assert out.read_text(encoding="utf-8") != "old\n"


def test_new_outputs_are_0600_unless_told(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, files: dict[str, str], umask_zero: None
) -> None:
    """issue 8 item 12: new outputs are created 0600 (even under umask 0); --file-mode sets
    another mode exactly; a mode that is not octal 0-0777 is a usage error."""
    capsys.readouterr()
    argv = ["apply", "--module", "Leads", "--store", files["store"], files["rows"]]
    out, report = tmp_path / "a.jsonl", tmp_path / "a.csv"
    assert run(capsys, *argv, "--out", str(out), "--report", str(report))[0] == 0
    assert (mode_of(out), mode_of(report)) == (0o600, 0o600)
    out, report = tmp_path / "b.jsonl", tmp_path / "b.csv"
    code, _, err = run(
        capsys, *argv, "--out", str(out), "--report", str(report), "--file-mode", "640"
    )
    assert code == 0, err
    assert (mode_of(out), mode_of(report)) == (0o640, 0o640)
    for bad_mode in ("9", "1000", "rw", "-1"):
        code, out_text, err = run(
            capsys, *argv, "--out", str(tmp_path / "c.jsonl"), "--file-mode", bad_mode
        )
        assert (code, out_text) == (2, "")
        assert "--file-mode" in err and "Traceback" not in err
    assert not (tmp_path / "c.jsonl").exists()


def test_group_that_cannot_be_kept_takes_its_bits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """issue 8 item 12: replacing a 0640 file of a group the user may not give away (chown
    fails) makes the new file 0600: readers never widen to the user's own group."""
    path = tmp_path / "export.jsonl"
    path.write_text("old\n", encoding="utf-8")
    os.chmod(path, 0o640)
    real = os.stat(path)
    other = os.stat_result((real.st_mode, *real[1:5], real.st_gid + 1, *real[6:10]))

    def refuse(*_args: Any) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(_io_write.os, "fchown", refuse)
    with _io_write.AtomicFile(str(path)) as file:
        file._existing = other
        file.handle.write("new\n")
        file.commit()
    assert mode_of(path) == 0o600
    assert path.read_text(encoding="utf-8") == "new\n"


# --- item 13: hostile JSON is an input error, and nothing is written ----------------------------
HOSTILE = {
    "surrogate": ('{"Last_Name": "\\ud800"}', "a lone UTF-16 surrogate \\ud800 in field Last_Name"),
    "deep": (
        '{"Last_Name": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "nested deeper than 64 levels",
    ),
    "digits": ('{"Last_Name": ' + "7" * 5000 + "}", "a number of 5,000 digits (at most 4,300)"),
    "huge-float": ('{"Last_Name": 1e400}', "the number 1e400 is out of range"),
    "nan": ('{"Last_Name": NaN}', "NaN is not JSON"),
    "infinity": ('{"Last_Name": -Infinity}', "-Infinity is not JSON"),
    "surrogate-key": ('{"\\udfff": "x"}', "a lone UTF-16 surrogate \\udfff"),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
@pytest.mark.parametrize("form", ["rows.jsonl", "rows.json", "store.jsonl"])
def test_hostile_json_is_exit_2_and_writes_nothing(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    files: dict[str, str],
    kind: str,
    form: str,
) -> None:
    """issue 8 item 13: a lone surrogate, 100k-deep nesting, a 5000-digit number (and NaN,
    Infinity, an overflowing float) in JSON rows or a JSONL store: exit 2 naming the file and
    line (was a traceback and exit 1 after the report was written); old outputs untouched."""
    capsys.readouterr()
    good = '{"Last_Name": "Good", "Email": "good@x.com"}'
    text, expected = HOSTILE[kind]
    if form == "rows.json":
        content, line = "[\n" + good + ",\n" + text + "\n]\n", 3
    else:
        content, line = good + "\n" + text + "\n", 2
    hostile = tmp_path / form
    hostile.write_text(content, encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "new.jsonl").write_text("old store\n", encoding="utf-8")
    (out_dir / "report.jsonl").write_text("old report\n", encoding="utf-8")
    store, rows = (
        (str(hostile), files["rows"]) if form == "store.jsonl" else (files["jsonl"], str(hostile))
    )
    argv = ["apply", "--module", "Leads", "--store", store, rows]
    argv += ["--out", str(out_dir / "new.jsonl"), "--report", str(out_dir / "report.jsonl")]
    line_text = refused(capsys, *argv)
    assert f"{hostile} line {line}: " in line_text
    assert expected in line_text
    assert snapshot(out_dir) == {"new.jsonl": b"old store\n", "report.jsonl": b"old report\n"}


@pytest.mark.parametrize("kind", ["surrogate", "deep", "digits", "nan", "surrogate-key"])
@pytest.mark.parametrize("option", ["--map", "--schema"])
def test_hostile_map_and_schema_files(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    files: dict[str, str],
    kind: str,
    option: str,
) -> None:
    """issue 8 item 13, the same kind in the small JSON inputs: --map and --schema are read
    with the same checks (exit 2 naming the file, no traceback)."""
    capsys.readouterr()
    path = tmp_path / "hostile.json"
    path.write_text(HOSTILE[kind][0], encoding="utf-8")
    argv = [
        "plan",
        "--module",
        "Leads",
        "--store",
        files["store"],
        files["rows"],
        option,
        str(path),
    ]
    line = refused(capsys, *argv)
    assert f"{path}: " in line
    assert HOSTILE[kind][1].split(" in field")[0] in line


def test_limits_are_exact(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, files: dict[str, str]
) -> None:
    """Nesting of exactly MAX_DEPTH levels, a number of exactly MAX_NUMBER_CHARS digits and a
    valid surrogate pair are accepted and written back out; one more level or digit is not."""
    capsys.readouterr()
    depth, digits = _io_read.MAX_DEPTH, _io_read.MAX_NUMBER_CHARS
    deep = "[" * (depth - 1) + "]" * (depth - 1)  # inside the record: the record is level 1
    row = '{"Last_Name": "Pair \\ud83d\\ude00", "Deep": ' + deep + ', "Big": ' + "9" * digits + "}"
    store, rows = tmp_path / "store.jsonl", tmp_path / "rows.jsonl"
    store.write_text('{"id": "900", ' + row[1:] + "\n", encoding="utf-8")
    rows.write_text(row + "\n", encoding="utf-8")
    out = tmp_path / "new.jsonl"
    argv = ["apply", "--module", "Leads", "--out", str(out), "--unknown-fields", "ignore"]
    code, _, err = run(capsys, *argv, "--store", str(store), str(rows))
    assert code == 0, err
    kept, inserted = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (kept["id"], kept["Big"]) == ("900", int("9" * digits))
    assert json.dumps(kept["Deep"]) == deep
    assert kept["Last_Name"] == inserted["Last_Name"] == "Pair \U0001f600"
    for longer in (
        row.replace(deep, "[" + deep + "]"),
        row.replace("9" * digits, "9" * (digits + 1)),
    ):
        rows.write_text(longer + "\n", encoding="utf-8")
        line = refused(capsys, *argv, "--store", files["store"], str(rows))
        assert f"{rows} line 1: " in line
        store.write_text(longer + "\n", encoding="utf-8")
        line = refused(capsys, *argv, "--store", str(store), files["rows"])
        assert f"{store} line 1: " in line


def test_lower_int_digit_limit_is_a_clean_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, files: dict[str, str]
) -> None:
    """A Python whose int-string limit is lower than MAX_NUMBER_CHARS refuses cleanly too."""
    capsys.readouterr()
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"Last_Name": "A", "Big": ' + "1" * 1000 + "}\n", encoding="utf-8")
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)
    try:
        line = refused(capsys, "plan", "--module", "Leads", "--store", files["store"], str(rows))
    finally:
        sys.set_int_max_str_digits(old)
    assert "a number of 1,000 digits, over this Python's limit" in line


def test_huge_number_in_csv_is_a_row_failure(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, files: dict[str, str]
) -> None:
    """The CLI does not convert CSV cells: a 5000-digit cell reaches the engine as a string and
    fails its row (R8 INVALID_DATA), exit 1, never a traceback."""
    capsys.readouterr()
    rows = tmp_path / "rows.csv"
    rows.write_text("Last_Name,Num\nA," + "1" * 5000 + "\n", encoding="utf-8")
    schema = tmp_path / "schema.json"
    field = {"api_name": "Num", "data_type": "bigint", "unique": True}
    schema.write_text(json.dumps({"module": "Leads", "fields": [field]}), encoding="utf-8")
    argv = ["plan", "--module", "Leads", "--schema", str(schema), "--store", files["store"]]
    code, out, err = run(capsys, *argv, str(rows), "--json")
    assert code == 1, err
    assert json.loads(out)["failed"] == {"INVALID_DATA": 1}


def test_undecodable_output_name_is_printed(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    files: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An --out name with a byte that is not UTF-8 (a lone surrogate in Python's str) is written
    and named in the summary with a backslash escape, not a UnicodeEncodeError."""
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)
    name = os.fsdecode(b"new-\xff.jsonl")
    code, out, err = run(
        capsys,
        "apply",
        "--module",
        "Leads",
        "--store",
        files["store"],
        files["rows"],
        "--out",
        name,
    )
    assert code == 0, err
    assert "written to new-\\udcff.jsonl" in out
    assert os.path.exists(name)


def test_internal_error_exits_70(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug is not "some rows failed": the console script prints the traceback and exits 70."""

    def broken(_argv: Any = None) -> int:
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli, "main", broken)
    with pytest.raises(SystemExit) as exit_:
        cli.console_main()
    assert exit_.value.code == cli.EXIT_INTERNAL == 70
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: a bug" in err
    assert err.rstrip().endswith("upsert-engine: internal error (a bug; please report it)")
