"""Helpers shared by the CLI's tests: run ``main`` in process, read its refusals and files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from upsert_engine.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """main(argv) with stdout and stderr captured."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Exit 2, nothing on stdout, one line on stderr; returns it without the prefix."""
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, ""), err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0].removeprefix("upsert-engine: error: ")


def write(path: Path, text: str, encoding: str = "utf-8") -> str:
    """Write ``text`` and return the path as str."""
    path.write_bytes(text.encode(encoding))
    return str(path)


def jsonl(path: Path) -> list[dict[str, Any]]:
    """The records of a JSONL store."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
