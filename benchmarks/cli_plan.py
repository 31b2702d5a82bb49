"""Time `upsert-engine plan` for N rows against an N-record store, and its peak memory.

    python benchmarks/cli_plan.py [--size 1000000] [--keep DIR]

Writes a store CSV (N leads, Mobile unique) and a rows CSV (N rows: about half update by
Email, a fifth by Mobile, a quarter insert, one in twenty lacks Last_Name) to a temporary
directory, then runs `python -m upsert_engine plan` twice in a subprocess: once with no rows (the
store load alone), once with all the rows. Reports wall seconds and peak RSS of each run
(``ru_maxrss`` of the child), and the rows file's size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_files(folder: Path, size: int) -> tuple[Path, Path, Path]:
    """The store, the rows and an empty rows file (header only)."""
    store, rows, empty = folder / "store.csv", folder / "rows.csv", folder / "empty.csv"
    with store.open("w", encoding="utf-8") as out:
        out.write("id,First_Name,Last_Name,Email,Mobile,Company,Lead_Status\n")
        for i in range(size):
            out.write(
                f"{4000000000000000000 + i},First{i},Last{i},lead{i}@example.com,"
                f"+1 555 {i:07d},Company {i % 5000},Contacted\n"
            )
    with rows.open("w", encoding="utf-8") as out:
        out.write("Last_Name,Email,Mobile,Lead_Status\n")
        for i in range(size):
            kind = i % 20
            if kind < 10:  # update by Email (case differs: R8)
                out.write(f"Last{i},LEAD{i}@example.com,,Qualified\n")
            elif kind < 14:  # update by Mobile
                out.write(f"Last{i},,+1 555 {i:07d},Qualified\n")
            elif kind < 19:  # insert
                out.write(f"New{i},new{i}@example.org,+2 555 {i:07d},New\n")
            else:  # no match, no Last_Name: MANDATORY_NOT_FOUND
                out.write(f",nobody{i}@example.org,,\n")
    empty.write_text("Last_Name,Email,Mobile,Lead_Status\n", encoding="utf-8")
    return store, rows, empty


def run_plan(store: Path, rows: Path) -> tuple[float, float, dict[str, object]]:
    """Seconds, peak RSS (MiB) and the JSON summary of one `plan` in a fresh process."""
    command = [
        *(sys.executable, "-m", "upsert_engine", "plan", "--module", "Leads"),
        *("--store", str(store), "--unique", "Mobile:phone", "--check-fields", "Email,Mobile"),
        *(str(rows), "--json"),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if result.returncode not in (0, 1):
        raise SystemExit(f"plan failed ({result.returncode}): {result.stderr}")
    if peak <= before:
        print("note: peak RSS not above an earlier child's; it is a lower bound", file=sys.stderr)
    return seconds, peak / 1024, json.loads(result.stdout)


def main() -> None:
    """Generate, run, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--keep", metavar="DIR", help="write the files here and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(args.keep or temporary)
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        store, rows, empty = write_files(folder, args.size)
        print(
            f"generated {args.size:,} store records and rows in {time.perf_counter() - start:.1f} s"
        )
        mib = {path.name: os.path.getsize(path) / 2**20 for path in (store, rows)}
        print(f"store {mib['store.csv']:.1f} MiB, rows {mib['rows.csv']:.1f} MiB")
        seconds, peak, _ = run_plan(store, empty)
        print(f"load only:  {seconds:7.1f} s   peak RSS {peak:7.0f} MiB")
        seconds, peak, summary = run_plan(store, rows)
        print(f"full plan:  {seconds:7.1f} s   peak RSS {peak:7.0f} MiB")
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
