"""Time `upsert-engine plan` for N rows against an N-record store, and its peak memory.

    python benchmarks/cli_plan.py [--size 1000000] [--keep DIR] [--against TREE] [--pairs K]

Writes a store CSV (N leads, Mobile unique) and a rows CSV (N rows: about half update by
Email, a fifth by Mobile, a quarter insert, one in twenty lacks Last_Name) to a temporary
directory, then runs `python -m upsert_engine plan` twice in a subprocess: once with no rows (the
store load alone), once with all the rows. Reports wall seconds and peak RSS of each run
(the child's own ``ru_maxrss``), and the rows file's size.

With ``--against TREE`` (another checkout, e.g. ``git worktree add ../old <commit>``) the
same files are planned by that tree's engine too, the two alternating ``--pairs`` times, and
the ratio of each pair's full-plan times is printed: a comparison within one run.
"""

from __future__ import annotations

import argparse
import json
import os
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


#: Runs the CLI and reports the child's own peak RSS (KiB) and CPU seconds (user and system)
#: on stderr's last line.
CHILD = (
    "import atexit, resource, runpy, sys\n"
    "def report():\n"
    "    usage = resource.getrusage(resource.RUSAGE_SELF)\n"
    "    print(usage.ru_maxrss, usage.ru_utime + usage.ru_stime, file=sys.stderr)\n"
    "atexit.register(report)\n"
    "sys.argv[0] = 'upsert_engine'\n"
    "runpy.run_module('upsert_engine', run_name='__main__', alter_sys=True)\n"
)


def run_plan(
    store: Path, rows: Path, tree: Path = ROOT, cpu: bool = False
) -> tuple[float, float, dict[str, object]]:
    """Seconds, peak RSS (MiB) and the JSON summary of one `plan` in a fresh process, by the
    engine of ``tree``; with ``cpu``, the child's CPU seconds (user and system: less disturbed
    by other jobs on a shared machine than wall time)."""
    command = [
        *(sys.executable, "-c", CHILD, "plan", "--module", "Leads"),
        *("--store", str(store), "--unique", "Mobile:phone", "--check-fields", "Email,Mobile"),
        *(str(rows), "--json"),
    ]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    start = time.perf_counter()
    result = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"plan failed ({result.returncode}): {result.stderr}")
    peak, used = result.stderr.strip().splitlines()[-1].split()
    return float(used) if cpu else seconds, int(peak) / 1024, json.loads(result.stdout)


def main() -> None:
    """Generate, run, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--keep", metavar="DIR", help="write the files here and keep them")
    parser.add_argument("--against", type=Path, metavar="TREE", help="another checkout to time")
    parser.add_argument("--pairs", type=int, default=3, help="alternations with --against")
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
        if args.against is None:
            seconds, peak, _ = run_plan(store, empty)
            print(f"load only:  {seconds:7.1f} s   peak RSS {peak:7.0f} MiB")
            seconds, peak, summary = run_plan(store, rows)
            print(f"full plan:  {seconds:7.1f} s   peak RSS {peak:7.0f} MiB")
            print(json.dumps(summary))
            return
        compare(store, rows, empty, args.against.resolve(), args.pairs)


def compare(store: Path, rows: Path, empty: Path, other: Path, pairs: int) -> None:
    """This tree against ``other``, alternating (which goes first alternates too); CPU
    seconds of each child."""
    ratios = []
    for pair in range(pairs):
        times: dict[Path, tuple[float, float, float, float]] = {}
        for tree in (ROOT, other) if pair % 2 == 0 else (other, ROOT):
            load, load_peak, _ = run_plan(store, empty, tree, cpu=True)
            full, full_peak, summary = run_plan(store, rows, tree, cpu=True)
            times[tree] = (load, load_peak, full, full_peak)
            label = "this" if tree == ROOT else "other"
            print(
                f"pair {pair + 1} {label:5} load only {load:6.1f} s {load_peak:6.0f} MiB   "
                f"full plan {full:6.1f} s {full_peak:6.0f} MiB (CPU s)  {json.dumps(summary)}"
            )
        ratios.append(times[ROOT][2] / times[other][2])
        rows_ratio = (times[ROOT][2] - times[ROOT][0]) / (times[other][2] - times[other][0])
        print(f"pair {pair + 1}: full plan, this / other = {ratios[-1]:.2f}", end="")
        print(f" (the rows alone {rows_ratio:.2f})")
    print(f"full plan, this / other: {min(ratios):.2f} to {max(ratios):.2f} over {pairs} pairs")


if __name__ == "__main__":
    main()
