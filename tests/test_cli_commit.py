"""The order in which the command line installs its outputs, under injected faults.

Issue 8 item 13.

An interrupted ``apply`` must never leave a report beside a store it does not describe: the
store is installed first, after the old report is removed. Every file-system call of the commit
step is made to raise (before or after the real call; ``KeyboardInterrupt`` and ``OSError``), one
call at a time, and the outputs checked each time.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from upsert_engine import _io_write, cli
from upsert_engine.cli import main

STORE_CSV = "id,Last_Name,Email\n101,Frey,frey@x.com\n102,Moss,moss@x.com\n"
ROWS_CSV = "Last_Name,Email\nFrey,frey@x.com\nNew,new@x.com\n"
OLD_STORE, OLD_REPORT = "old store\n", "old report\n"
#: The os functions the commit step calls (os.open: to fsync a directory).
CALLS = ("fchmod", "fsync", "unlink", "open", "replace")
#: (store, report) after any interruption: never a report beside another run's store.
CONSISTENT = {("old", "old"), ("old", None), ("new", None), ("new", "new")}


class Injector:
    """Makes the k-th os call of a commit raise ``error``, before or after the real call."""

    def __init__(self, k: int, after: bool, error: BaseException) -> None:
        self.k, self.after, self.error = k, after, error
        self.calls = 0
        self.armed = False
        self.fired = False

    def wrap(self, real: Callable[..., Any]) -> Callable[..., Any]:
        """``real`` with the fault injected at the k-th armed call."""

        def call(*args: Any, **kwargs: Any) -> Any:
            if not self.armed:
                return real(*args, **kwargs)
            self.calls += 1
            hit = self.calls == self.k
            if hit and not self.after:
                self.fired = True
                raise self.error
            result = real(*args, **kwargs)
            if hit:
                self.fired = True
                raise self.error
            return result

        return call

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Wrap the os calls, armed only inside ``commit_all`` (so cleanup runs unharmed)."""
        for name in CALLS:
            monkeypatch.setattr(os, name, self.wrap(getattr(os, name)))
        real_commit = _io_write.commit_all

        def commit_all(files: Any) -> None:
            self.armed = True
            try:
                real_commit(files)
            finally:
                self.armed = False

        monkeypatch.setattr(cli, "commit_all", commit_all)


def setup_run(directory: Path, old_outputs: bool = True) -> list[str]:
    """Inputs and (old) outputs in ``directory``; returns apply's argv."""
    directory.mkdir()
    (directory / "store.csv").write_text(STORE_CSV, encoding="utf-8")
    (directory / "rows.csv").write_text(ROWS_CSV, encoding="utf-8")
    if old_outputs:
        (directory / "new.jsonl").write_text(OLD_STORE, encoding="utf-8")
        (directory / "report.csv").write_text(OLD_REPORT, encoding="utf-8")
    return [
        "apply",
        "--module",
        "Leads",
        "--store",
        str(directory / "store.csv"),
        str(directory / "rows.csv"),
        "--out",
        str(directory / "new.jsonl"),
        "--report",
        str(directory / "report.csv"),
    ]


@pytest.fixture
def expected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """What an uninterrupted run writes: the new store and report texts."""
    argv = setup_run(tmp_path / "clean")
    assert main(argv) == 0
    capsys.readouterr()
    return {
        "store": (tmp_path / "clean" / "new.jsonl").read_text(encoding="utf-8"),
        "report": (tmp_path / "clean" / "report.csv").read_text(encoding="utf-8"),
    }


def state(directory: Path, expected: dict[str, str]) -> tuple[str | None, str | None]:
    """("old" | "new" | None, the same) for the store and the report in ``directory``."""

    def which(name: str, old: str, new: str) -> str | None:
        path = directory / name
        if not path.exists():
            return None
        text = path.read_text(encoding="utf-8")
        assert text in (old, new), f"{name} is neither the old nor the new file: {text[:80]!r}"
        return "old" if text == old else "new"

    return (
        which("new.jsonl", OLD_STORE, expected["store"]),
        which("report.csv", OLD_REPORT, expected["report"]),
    )


def leftovers(directory: Path) -> list[str]:
    """Temporary files left in ``directory``."""
    return [name for name in os.listdir(directory) if name.endswith(".tmp")]


def faults() -> Iterator[tuple[bool, BaseException]]:
    """Each kind of fault: before or after the real call; an interrupt or a full disk."""
    for after in (False, True):
        yield after, KeyboardInterrupt()
        yield after, OSError(errno.ENOSPC, "No space left on device")


def test_every_interrupted_commit_leaves_a_consistent_pair(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    expected: dict[str, str],
) -> None:
    """issue 8 item 13: for every k, the k-th file-system call of the commit raises (interrupt
    or ENOSPC, before or after the call): the store and report are the old pair, a store with no
    report, or the new pair, never a new report beside an old store (nor the reverse); no
    temporary file is left; an OSError is exit 2 with one line."""
    points = 0
    seen: set[tuple[str | None, str | None]] = set()
    for run, (after, error) in enumerate(faults()):
        k = 0
        while True:
            k += 1
            directory = tmp_path / f"run{run}-{k}"
            argv = setup_run(directory)
            with monkeypatch.context() as patch:
                injector = Injector(k, after, error)
                injector.install(patch)
                try:
                    code: int | None = main(argv)
                except KeyboardInterrupt:
                    code = None
            err = capsys.readouterr().err
            if not injector.fired:
                assert code == 0, err
                assert state(directory, expected) == ("new", "new")
                break
            points += 1
            now = state(directory, expected)
            assert now in CONSISTENT, (k, after, error, now)
            seen.add(now)
            assert leftovers(directory) == [], (k, after, error)
            if isinstance(error, OSError) and code is not None:
                assert code in (0, 2), err  # 0: a directory fsync's error is not fatal
                if code == 2:
                    assert len(err.strip().splitlines()) == 1 and "cannot write" in err
            assert k < 50, "the commit makes a bounded number of calls"
    # the run is long enough to reach every state, and each was reached
    assert seen == CONSISTENT
    assert points >= 4 * 10
    print(f"commit fault-injection points: {points}")


def test_interrupt_while_writing_the_store_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, expected: dict[str, str]
) -> None:
    """issue 8 item 13: interrupted while the new store is being written (before any file is
    installed): the old store and old report stay, no temporary file is left."""
    argv = setup_run(tmp_path / "run")

    def write_then_interrupt(file: _io_write.AtomicFile, records: Any, fmt: str) -> int:
        file.handle.write('{"half": ')
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "write_store", write_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        main(argv)
    assert state(tmp_path / "run", expected) == ("old", "old")
    assert leftovers(tmp_path / "run") == []


def test_store_installed_and_made_durable_before_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """issue 8 item 13, the order itself: the old report is removed, then the store renamed into
    place and its directory fsynced, and only then the report renamed."""
    events: list[tuple[str, str]] = []
    real_replace, real_unlink, real_sync = os.replace, os.unlink, _io_write._fsync_directory

    def replace(source: Any, target: Any) -> None:
        events.append(("replace", os.path.basename(target)))
        real_replace(source, target)

    def unlink(path: Any, **kwargs: Any) -> None:
        events.append(("unlink", os.path.basename(path)))
        real_unlink(path, **kwargs)

    def sync(directory: str) -> None:
        events.append(("fsync-directory", os.path.basename(directory)))
        real_sync(directory)

    argv = setup_run(tmp_path / "run")
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "unlink", unlink)
    monkeypatch.setattr(_io_write, "_fsync_directory", sync)
    assert main(argv) == 0
    capsys.readouterr()
    assert events == [
        ("unlink", "report.csv"),
        ("fsync-directory", "run"),
        ("replace", "new.jsonl"),
        ("fsync-directory", "run"),
        ("replace", "report.csv"),
        ("fsync-directory", "run"),
    ]


def test_plan_installs_its_report_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], expected: dict[str, str]
) -> None:
    """`plan --report` over an existing report replaces it whole; nothing else is written."""
    argv = setup_run(tmp_path / "run")
    out_at = argv.index("--out")
    plan = ["plan", *argv[1:out_at], *argv[out_at + 2 :], "--ids", "engine"]
    assert main(plan) == 0
    capsys.readouterr()
    assert state(tmp_path / "run", expected) == ("old", "new")
