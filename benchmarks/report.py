"""The benchmark report: what a run measured, rendered as fixed-width text, and the targets.

``run.py`` measures and fills a ``Report``; ``render`` turns it into the text that
``python -m benchmarks`` prints and writes to RESULTS.md (with the machine and commit).
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .sync import SyncMeasured
from .workloads import REQUEST_SIZE, WORKLOADS, Outcome

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Measured:
    """Seconds per round for each (workload, implementation), and the check's histograms."""

    n: int
    requests: int
    seconds: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    histograms: dict[str, Counter[Outcome]] = field(default_factory=dict)
    load_seconds: dict[str, float] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)  # implementations, in report order

    def rate(self, workload: str, impl: str) -> float:
        """Upserts per CPU second: records / median round time."""
        return self.requests * REQUEST_SIZE / statistics.median(self.seconds[workload, impl])


@dataclass
class Config:
    """What one run measures."""

    quick: bool
    main_size: int
    sizes: list[int]
    memory_sizes: list[int]
    small_size: int
    requests: int
    scale_requests: int
    rounds: int
    seed: int
    output: Path | None


@dataclass
class Report:
    """Everything a run measured (the smoke test reads it)."""

    lines: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # "N=...: workload" that agreed
    main: Measured | None = None
    small: Measured | None = None
    scale: dict[int, Measured] = field(default_factory=dict)
    plan: dict[str, list[float]] = field(default_factory=dict)
    memory: dict[int, dict[str, Any]] = field(default_factory=dict)
    targets: list[tuple[str, str, bool]] = field(default_factory=list)
    reference_note: str = ""
    sync: SyncMeasured | None = None  # the new rules' workload (issue 13)


def describe(histogram: Counter[Outcome]) -> str:
    """``insert 50, update/Email 30, DUPLICATE_DATA 4`` ..."""
    parts = []
    for (action, dup, code), count in sorted(histogram.items(), key=lambda kv: -kv[1]):
        label = code if action is None else action if dup is None else f"{action}/{dup}"
        parts.append(f"{label} {count}")
    return ", ".join(parts)


# --- reporting ------------------------------------------------------------------------------------
def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Fixed-width columns: the first left-aligned, the others right-aligned."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        cells = [str(row[0]).ljust(widths[0])]
        cells += [str(cell).rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        return "  ".join(cells).rstrip()

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def machine() -> dict[str, str]:
    """Python version, machine, date and commit for the report header."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            for text in info:
                if text.startswith("model name"):
                    cpu = text.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if dirty:
            commit += " (with uncommitted changes)"
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, {cpu}",
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
    }


def _rate(value: float) -> str:
    return f"{value:,.0f}"


def _ratio(value: float) -> str:
    return f"{value:.2f}x"


CLI_RESULTS = Path(__file__).resolve().parent / "RESULTS-cli.md"


def cli_section() -> str:
    """The last `benchmarks/cli_plan.py` measurement (issue 4), carried into RESULTS.md."""
    if not CLI_RESULTS.exists():
        return ""
    body = CLI_RESULTS.read_text(encoding="utf-8").split("\n", 1)[-1]
    return "\n## `upsert-engine plan` at 10^6 rows (from benchmarks/RESULTS-cli.md)\n" + body


def render(config: Config, report: Report) -> list[str]:
    """The report as fixed-width text."""
    info = machine()
    out = [
        f"Python {info['python']} | {info['machine']}",
        f"date {info['date']} | commit {info['commit']} | "
        f"{'quick' if config.quick else 'full'} run, seed {config.seed}",
        "Times are CPU seconds (time.process_time) per request, answers dropped after each "
        f"request; each rate is the median of {config.rounds} timed rounds, implementations "
        "interleaved in rotating order; gc.freeze() after the stores are loaded (all alike).",
        "",
        "Correctness: before any timing, every implementation gave the same per-record outcome "
        "(action, duplicate_field, code) on every workload checked:",
        "  " + "; ".join(report.checked),
        "  " + report.reference_note,
        "",
    ]
    main = report.main
    assert main is not None
    names = ["engine", "sqlite", "ceiling", "floor"]
    out.append(
        f"Upserts/s at N={main.n:,} Leads ({main.requests} requests x {REQUEST_SIZE} records "
        f"per round)"
    )
    rows = []
    for workload in WORKLOADS:
        rates = {name: main.rate(workload, name) for name in names}
        rows.append(
            [
                workload,
                *(_rate(rates[name]) for name in names),
                _ratio(rates["engine"] / rates["sqlite"]),
                _ratio(rates["ceiling"] / rates["engine"]),
                _ratio(rates["ceiling"] / rates["floor"]),
                _ratio(rates["floor"] / rates["engine"]),
            ]
        )
    out += table(
        ["workload", *names, "engine/sqlite", "ceiling/engine", "ceiling/floor", "floor/engine"],
        rows,
    )
    out.append(
        "  floor: the ceiling plus only what the rules require of each record (keys in the "
        "clock, R15 checks, R13, undo log, stamps, Zoho's response entries; benchmarks/floor.py)"
    )
    out.append("")
    out.append("Outcomes per workload (checked equal across implementations):")
    for workload in WORKLOADS:
        out.append(f"  {workload:<10} {describe(main.histograms[workload])}")
    out.append("")

    small = report.small
    assert small is not None
    small_names = small.names
    out.append(f"Small store, N={small.n:,} (the reference model scans linearly): upserts/s")
    rows = [
        [workload, *(_rate(small.rate(workload, name)) for name in small_names)]
        for workload in WORKLOADS
    ]
    out += table(["workload", *small_names], rows)
    out.append("")

    out.append("Cost per upsert against N, realistic mix (microseconds of CPU per record)")
    names = ["engine", "sqlite", "ceiling"]  # the floor runs at the main size only
    rows = []
    for n, measured in sorted(report.scale.items()):
        costs = {name: 1e6 / measured.rate("mix", name) for name in names}
        rows.append(
            [
                f"{n:,}",
                *(f"{costs[name]:.1f}" for name in names),
                _ratio(costs["sqlite"] / costs["engine"]),
                _ratio(costs["engine"] / costs["ceiling"]),
                f"{measured.load_seconds['engine']:.2f}",
                f"{measured.load_seconds['sqlite']:.2f}",
            ]
        )
    out += table(
        ["N", *names, "engine/sqlite", "ceiling/engine", "engine load s", "sqlite load s"], rows
    )
    scale = sorted(report.scale)
    if len(scale) > 1:
        low, high = report.scale[scale[0]], report.scale[scale[-1]]
        for name in names:
            growth = low.rate("mix", name) / high.rate("mix", name)
            out.append(f"  {name}: N={scale[-1]:,} costs {growth:.2f}x N={scale[0]:,}")
    out.append("")

    if report.plan:
        up = statistics.median(report.plan["upsert"])
        pl = statistics.median(report.plan["plan"])
        ex = statistics.median(report.plan["explain"])
        per = main.requests * REQUEST_SIZE
        out.append(f"plan() and explain() against upsert(), mix at N={main.n:,}")
        out += table(
            ["call", "us/record", "vs upsert"],
            [
                ["upsert", f"{up / per * 1e6:.1f}", "1.00x"],
                ["plan", f"{pl / per * 1e6:.1f}", _ratio(pl / up)],
                ["explain", f"{ex / per * 1e6:.1f}", _ratio(ex / up)],
            ],
        )
        out.append("")

    sync = report.sync
    if sync is not None:
        out.append(
            f"The new rules (issue 13), engine alone at N={sync.n:,}: the sync workload (an "
            f"org-based external field, typed fields, a lookup, Owner) against the mix, same "
            f"org and store, {len(sync.seconds['sync'])} interleaved rounds"
        )
        mix_us, sync_us = sync.us_per_record("mix"), sync.us_per_record("sync")
        out += table(
            ["workload", "us/record", "vs mix"],
            [
                ["mix", f"{mix_us:.1f}", "1.00x"],
                ["sync", f"{sync_us:.1f}", _ratio(sync_us / mix_us)],
            ],
        )
        out.append(f"  sync outcomes: {describe(sync.histogram)}")
        out.append("")

    if report.memory:
        out.append("Engine bulk load(), memory and the mix's cost (one subprocess per size)")
        rows = []
        for n, m in sorted(report.memory.items()):
            traced = m.get("traced_bytes")
            rows.append(
                [
                    f"{n:,}",
                    f"{m['load_wall']:.2f}",
                    f"{m['load_cpu'] / n * 1e6:.2f}",
                    "-" if traced is None else f"{traced / n:,.0f}",
                    f"{m['rss_store_bytes'] / n:,.0f}",
                    f"{m['peak_rss_bytes'] / 2**20:,.0f}",
                    f"{m['mix_us']:.1f}",
                ]
            )
        out += table(
            [
                "N",
                "load s",
                "load us/rec",
                "traced B/rec",
                "RSS B/rec",
                "peak RSS MB",
                "mix us/rec",
            ],
            rows,
        )
        out.append(
            "  traced B/rec: tracemalloc, everything the engine holds after load() with the input"
            " freed (records, values, indexes; not traced above 10^6: it doubles the memory); "
            "RSS B/rec: resident growth during load(); mix us/rec: the engine alone, median of 5 "
            "rounds of 10 requests in that process. 10^7 is not run: at about 950 B per record "
            "the engine alone would hold some 9.5 GB, over this shared machine's budget."
        )
        out.append("")

    report.targets = targets(config, report)
    if report.targets:
        out.append("Targets (issue 13; cost against N from issue 3)")
        out += table(
            ["target", "measured", "met"],
            [[t, m, "yes" if ok else "NO"] for t, m, ok in report.targets],
        )
        if main.seconds.get(("mix", "floor")):
            floor = main.rate("mix", "ceiling") / main.rate("mix", "floor")
            out.append(
                f"  the floor (required work only) is {floor:.2f}x the ceiling on the mix: "
                + (
                    "a ceiling/engine target under that asks the engine to beat the floor"
                    if floor > 2.2
                    else "the ceiling/engine target is above the floor"
                )
            )
    return out


def targets(config: Config, report: Report) -> list[tuple[str, str, bool]]:
    """The issue's targets, where this run measured them."""
    out: list[tuple[str, str, bool]] = []
    main = report.main
    if main is not None:
        engine, sqlite, ceiling = (main.rate("mix", x) for x in ("engine", "sqlite", "ceiling"))
        out.append(
            (
                f"mix at N={main.n:,}: engine >= 2.5x sqlite",
                _ratio(engine / sqlite),
                engine >= 2.5 * sqlite,
            )
        )
        out.append(
            (
                f"mix at N={main.n:,}: ceiling/engine <= 2.2",
                _ratio(ceiling / engine),
                ceiling <= 2.2 * engine,
            )
        )
    if len(report.scale) > 1:
        low, high = min(report.scale), max(report.scale)
        growth = report.scale[low].rate("mix", "engine") / report.scale[high].rate("mix", "engine")
        out.append((f"cost/upsert N={high:,} <= 2x N={low:,}", _ratio(growth), growth <= 2))
    traced = [n for n, m in report.memory.items() if "traced_bytes" in m]
    if traced:
        n = max(traced)
        per = report.memory[n]["traced_bytes"] / n
        out.append((f"memory at N={n:,} <= 1.0 KB/record", f"{per / 1000:.2f} KB", per <= 1000))
    return out
