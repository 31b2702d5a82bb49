"""The benchmark driver: correctness check first, then interleaved timing rounds, then reports.

Implementations (all behind one small adapter, ``Impl``):

- ``engine``: ``upsert_engine.Engine``, full Zoho responses, every rule enforced;
- ``reference``: ``upsert_engine.reference.ReferenceEngine`` (linear scans; small size only);
- ``sqlite``: ``benchmarks/sqlite_impl.py``, what a user would write instead;
- ``ceiling``: ``benchmarks/ceiling.py``, a dict loop over pre-normalised keys.

Every round of every workload first compares the per-record outcomes (action,
duplicate_field, code) of all implementations; round 0 is an untimed check round, so no
number is reported for a workload until every implementation has agreed on it. Times are CPU
time (``time.process_time``), so other jobs on a shared machine disturb them less; each
number is the median of the timed rounds, and inside a round the implementations run one
after another on the same requests, in an order that rotates from round to round. Each
100-record request is timed on its own and its answer is reduced to outcomes off the clock
and then dropped, as a caller's loop would (keeping thousands of full Zoho responses alive
would time the memory allocator as much as the engine).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

from upsert_engine import Engine

from .ceiling import Ceiling
from .sqlite_impl import SqliteUpsert
from .workloads import (
    MODULE,
    REQUEST_SIZE,
    TARGETS_PER_RECORD,
    UNIQUE_FIELDS,
    WORKLOADS,
    Body,
    Outcome,
    Record,
    make_leads,
    make_stream,
    outcomes_of_response,
    prenormalise,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


# --- implementations ------------------------------------------------------------------------------
class EngineLike(Protocol):
    """The public API the engine and the reference model share."""

    def add_field(self, module: str, api_name: str, data_type: str, *, unique: bool = ...) -> Any:
        """Define or redefine a field."""

    def load(self, module: str, records: Any) -> list[str]:
        """Existing data."""

    def upsert(self, module: str, body: Any) -> Any:
        """One request."""


class Impl(Protocol):
    """What the driver needs of an implementation."""

    name: str

    def load(self, leads: list[Record]) -> None:
        """Write the existing records."""

    def prepare(self, stream: list[Body]) -> Any:
        """Turn requests into the implementation's input (not timed)."""

    def run(self, prepared: Any) -> Any:
        """Apply the requests in order (timed); returns the raw answers."""

    def outcomes(self, answers: Any) -> list[Outcome]:
        """Per-record outcomes of ``run``'s answers, flattened."""


def new_org(factory: Callable[[], Any]) -> Any:
    """An engine-like object with the benchmark org: Phone and Mobile unique (R1)."""
    engine = factory()
    for name in UNIQUE_FIELDS:
        engine.add_field(MODULE, name, "phone", unique=True)
    return engine


class EngineImpl:
    """``Engine`` or ``ReferenceEngine`` answering the requests as bodies (full responses)."""

    def __init__(self, name: str, factory: Callable[[], Any]) -> None:
        self.name = name
        self.engine = new_org(factory)

    def load(self, leads: list[Record]) -> None:
        self.engine.load(MODULE, leads)

    def prepare(self, stream: list[Body]) -> list[Body]:
        return stream

    def run(self, prepared: list[Body]) -> list[Any]:
        upsert = self.engine.upsert
        return [upsert(MODULE, body) for body in prepared]

    def outcomes(self, answers: list[Any]) -> list[Outcome]:
        return [o for response in answers for o in outcomes_of_response(response.body)]


class SqliteImpl(SqliteUpsert):
    """The SQLite version behind the ``Impl`` adapter."""

    def prepare(self, stream: list[Body]) -> list[Body]:
        return stream


class CeilingImpl(Ceiling):
    """The ceiling behind the ``Impl`` adapter (keys normalised in ``prepare``)."""

    def prepare(self, stream: list[Body]) -> Any:
        return prenormalise(stream)

    def outcomes(self, answers: list[list[Outcome]]) -> list[Outcome]:
        return [o for request in answers for o in request]


def reference_factory() -> Callable[[], Any] | None:
    """``ReferenceEngine`` when this tree has ``upsert_engine.reference``, else None."""
    try:
        reference = importlib.import_module("upsert_engine.reference")
    except ImportError:
        return None
    factory: Callable[[], Any] = reference.ReferenceEngine
    return factory


# --- running ------------------------------------------------------------------------------------
class Mismatch(Exception):
    """Implementations disagreed: no timing is worth reporting."""


class Slices:
    """Hands out disjoint ranges of the existing records (one per workload and round)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.next = 0

    def take(self, workload: str, requests: int) -> range:
        need = math.ceil(TARGETS_PER_RECORD[workload] * requests * REQUEST_SIZE)
        if self.next + need > self.n:
            raise ValueError(
                f"{self.n} existing records are too few for another {requests} requests of "
                f"{workload}; use a larger size or fewer requests/rounds"
            )
        span = range(self.next, self.next + need)
        self.next += need
        return span


def fits(n: int, workloads: Sequence[str], requests: int, rounds: int) -> bool:
    """Whether ``rounds`` rounds of ``workloads`` fit in ``n`` records with disjoint slices."""
    per_round = sum(math.ceil(TARGETS_PER_RECORD[w] * requests * REQUEST_SIZE) for w in workloads)
    return per_round * rounds <= n


def compare(workload: str, results: dict[str, list[Outcome]]) -> Counter[Outcome]:
    """Raise ``Mismatch`` unless every implementation gave the same outcomes; the histogram."""
    names = list(results)
    first = results[names[0]]
    for name in names[1:]:
        other = results[name]
        if other != first:
            if len(other) != len(first):
                raise Mismatch(
                    f"{workload}: {names[0]} answered {len(first)} records, {name} {len(other)}"
                )
            diffs = [i for i, (a, b) in enumerate(zip(first, other, strict=True)) if a != b]
            shown = "; ".join(
                f"record {i}: {names[0]} {first[i]} vs {name} {other[i]}" for i in diffs[:5]
            )
            raise Mismatch(f"{workload}: {len(diffs)} outcomes differ: {shown}")
    return Counter(first)


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


def build(
    factories: dict[str, Callable[[], Impl]], leads: list[Record], measured: Measured
) -> list[Impl]:
    """Make and load every implementation, timing each load (CPU time)."""
    impls = []
    for name, factory in factories.items():
        impl = factory()
        measured.names.append(name)
        start = time.process_time()
        impl.load(leads)
        measured.load_seconds[name] = time.process_time() - start
        impls.append(impl)
    # one full collection, then keep the loaded data out of the collector's way (for all alike)
    gc.collect()
    gc.freeze()
    return impls


def measure(
    impls: list[Impl],
    leads: list[Record],
    workloads: Sequence[str],
    requests: int,
    rounds: int,
    slices: Slices,
    measured: Measured,
    seed: int = 1,
    log: Callable[[str], None] = print,
) -> None:
    """Round 0 checks outcomes untimed; rounds 1..``rounds`` are timed (and checked too)."""
    for round_ in range(rounds + 1):
        measure_round(impls, leads, workloads, requests, round_, slices, measured, seed, log)


def measure_round(
    impls: list[Impl],
    leads: list[Record],
    workloads: Sequence[str],
    requests: int,
    round_: int,
    slices: Slices,
    measured: Measured,
    seed: int = 1,
    log: Callable[[str], None] = print,
) -> None:
    """One round of ``measure``: every workload, every implementation, outcomes compared."""
    for workload in workloads:
        stream = make_stream(
            workload, leads, requests, round_, slices.take(workload, requests), seed
        )
        order = impls[round_ % len(impls) :] + impls[: round_ % len(impls)]
        answers: dict[str, list[Outcome]] = {}
        for impl in order:
            # Each request is timed on its own; its answer is reduced to outcomes off
            # the clock and dropped, as a caller's loop would drop it.
            elapsed = 0.0
            outcomes: list[Outcome] = []
            run_one = impl.run
            for request in impl.prepare(stream):
                start = time.process_time()
                raw = run_one([request])
                elapsed += time.process_time() - start
                outcomes += impl.outcomes(raw)
                del raw
            if round_:
                measured.seconds.setdefault((workload, impl.name), []).append(elapsed)
            answers[impl.name] = outcomes
        histogram = compare(workload, {i.name: answers[i.name] for i in impls})
        if round_ == 0:
            measured.histograms[workload] = histogram
            log(
                f"  check N={measured.n:,} {workload:<10} "
                f"{' = '.join(i.name for i in impls)} on {sum(histogram.values())} records: "
                f"{describe(histogram)}"
            )


def describe(histogram: Counter[Outcome]) -> str:
    """``insert 50, update/Email 30, DUPLICATE_DATA 4`` ..."""
    parts = []
    for (action, dup, code), count in sorted(histogram.items(), key=lambda kv: -kv[1]):
        label = code if action is None else action if dup is None else f"{action}/{dup}"
        parts.append(f"{label} {count}")
    return ", ".join(parts)


def measure_plan(
    engine: Any,
    leads: list[Record],
    requests: int,
    rounds: int,
    slices: Slices,
    seed: int = 1,
) -> dict[str, list[float]]:
    """CPU seconds per round of ``plan``, ``explain`` and ``upsert`` of the same mix stream."""
    seconds: dict[str, list[float]] = {"upsert": [], "plan": [], "explain": []}
    calls = {"plan": engine.plan, "explain": engine.explain, "upsert": engine.upsert}
    for round_ in range(rounds):
        stream = make_stream("mix", leads, requests, 1000 + round_, slices.take("mix", requests))
        names = ["plan", "explain"]
        if round_ % 2:
            names.reverse()
        for name in [*names, "upsert"]:  # upsert last: it writes
            call = calls[name]
            start = time.process_time()
            for body in stream:
                call(MODULE, body)
            seconds[name].append(time.process_time() - start)
    return seconds


# --- memory (one subprocess per size) ------------------------------------------------------------
def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_rss_bytes() -> int:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not inherited across fork/exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def memory_child(n: int, mode: str, seed: int) -> dict[str, Any]:
    """In a fresh process: load ``n`` leads into an engine; time, RSS or tracemalloc."""
    engine = new_org(Engine)
    gc.collect()
    if mode == "trace":
        tracemalloc.start()
        leads = make_leads(n, seed)
        engine.load(MODULE, leads)
        del leads
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {"n": n, "traced_bytes": current, "traced_peak": peak}
    rss_before = _rss_bytes()
    leads = make_leads(n, seed)
    rss_leads = _rss_bytes()
    start = time.perf_counter()
    cpu = time.process_time()
    engine.load(MODULE, leads)
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - start
    rss_loaded = _rss_bytes()
    del leads
    gc.collect()
    return {
        "n": n,
        "load_wall": wall,
        "load_cpu": cpu,
        "rss_store_bytes": rss_loaded - rss_leads,  # what load() added on top of its input
        "rss_retained_bytes": _rss_bytes() - rss_before,  # input freed; allocator keeps pages
        "peak_rss_bytes": _peak_rss_bytes(),  # input records included
    }


def memory_in_subprocess(n: int, mode: str, seed: int) -> dict[str, Any]:
    """Run ``memory_child`` in its own interpreter so that sizes do not pollute each other."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--memory-child", str(n), mode, "--seed", str(seed)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


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


# --- main -----------------------------------------------------------------------------------------
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


def parse(argv: Sequence[str] | None) -> tuple[Config, argparse.Namespace]:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: under a minute")
    parser.add_argument("--sizes", type=int, nargs="+", help="store sizes for cost vs N")
    parser.add_argument("--main-size", type=int, help="store size of the per-workload table")
    parser.add_argument("--memory-sizes", type=int, nargs="*", help="sizes for load/memory")
    parser.add_argument("--small-size", type=int, help="store size of the reference table")
    parser.add_argument("--requests", type=int, help="100-record requests per workload/round")
    parser.add_argument("--rounds", type=int, help="timed rounds (at least 5 for the report)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, help=f"report file (full run: {RESULTS})")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--memory-child", nargs=2, metavar=("N", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    quick = args.quick
    main_size = args.main_size or (10_000 if quick else 100_000)
    sizes = sorted(set(args.sizes or ([main_size] if quick else [10_000, 100_000, 1_000_000])))
    if args.memory_sizes is not None:
        memory_sizes = args.memory_sizes
    else:
        memory_sizes = [100_000] if quick else sorted({*sizes, 1_000_000})
    output = None if args.no_write else args.output or (None if quick else RESULTS)
    config = Config(
        quick=quick,
        main_size=main_size,
        sizes=sizes,
        memory_sizes=memory_sizes,
        small_size=args.small_size or 4_000,
        requests=args.requests or (3 if quick else 20),
        scale_requests=args.requests or (5 if quick else 20),
        rounds=args.rounds or (5 if quick else 7),
        seed=args.seed,
        output=output,
    )
    return config, args


CLI_RESULTS = Path(__file__).resolve().parent / "RESULTS-cli.md"


def cli_section() -> str:
    """The last `benchmarks/cli_plan.py` measurement (issue 4), carried into RESULTS.md."""
    if not CLI_RESULTS.exists():
        return ""
    body = CLI_RESULTS.read_text(encoding="utf-8").split("\n", 1)[-1]
    return "\n## `upsert-engine plan` at 10^6 rows (from benchmarks/RESULTS-cli.md)\n" + body


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


def run(
    config: Config,
    reference: Callable[[], Any] | None = None,
    log: Callable[[str], None] = print,
) -> Report:
    """Measure everything ``config`` asks for; raise ``Mismatch`` at the first disagreement."""
    report = Report()
    base: dict[str, Callable[[], Impl]] = {
        "engine": lambda: EngineImpl("engine", Engine),
        "sqlite": SqliteImpl,
        "ceiling": CeilingImpl,
    }
    say = log
    say(f"upsert_engine benchmarks ({'quick' if config.quick else 'full'} run)")

    # 1. the reference model, at a small size only
    small_factories = dict(base)
    if reference is not None:
        ref = reference
        small_factories = {
            "engine": base["engine"],
            "reference": lambda: EngineImpl("reference", ref),
            "sqlite": SqliteImpl,
            "ceiling": CeilingImpl,
        }
        report.reference_note = f"reference model: {getattr(reference, '__name__', reference)}"
    else:
        report.reference_note = (
            "reference model: SKIPPED - upsert_engine.reference is not in this tree yet; "
            "the comparison is wired and runs as soon as it lands"
        )
    say(report.reference_note)
    n = config.small_size
    small_requests = 1
    small_rounds = 5
    if not fits(n, WORKLOADS, small_requests, small_rounds + 1):
        raise ValueError(f"--small-size {n} is too small for the workloads")
    leads = make_leads(n, config.seed)
    small = Measured(n, small_requests)
    impls = build(small_factories, leads, small)
    measure(
        impls, leads, WORKLOADS, small_requests, small_rounds, Slices(n), small, config.seed, say
    )
    report.checked += [f"N={n}: {w}" for w in WORKLOADS]
    report.small = small
    del impls
    gc.unfreeze()

    # 2. every workload at the main size
    n = config.main_size
    requests = config.requests
    # rounds 0..R of every workload, then R rounds of the mix for plan/explain
    while requests > 1 and not fits(n, [*WORKLOADS, "mix"], requests, config.rounds + 1):
        requests -= 1
    leads = make_leads(n, config.seed)
    main = Measured(n, requests)
    impls = build(base, leads, main)
    slices = Slices(n)
    measure(impls, leads, WORKLOADS, requests, config.rounds, slices, main, config.seed, say)
    report.checked += [f"N={n}: {w}" for w in WORKLOADS]
    report.main = main
    engine = next(i for i in impls if i.name == "engine")
    assert isinstance(engine, EngineImpl)
    report.plan = measure_plan(engine.engine, leads, requests, config.rounds, slices, config.seed)
    del impls, engine
    gc.unfreeze()
    gc.collect()

    # 3. cost per upsert against N (the mix): every size's stores side by side, the rounds
    #    interleaved across sizes, so that a change in the machine's load hits all sizes alike
    scale: list[tuple[list[Impl], list[Record], Slices, Measured, int]] = []
    for n in config.sizes:
        requests = config.scale_requests
        while requests > 1 and not fits(n, ["mix"], requests, config.rounds + 1):
            requests -= 1
        say(f"  building stores of {n:,} leads ...")
        leads = make_leads(n, config.seed)
        measured = Measured(n, requests)
        scale.append((build(base, leads, measured), leads, Slices(n), measured, requests))
    for round_ in range(config.rounds + 1):
        shift = round_ % len(scale)
        for impls, leads, slices, measured, requests in scale[shift:] + scale[:shift]:
            measure_round(
                impls, leads, ["mix"], requests, round_, slices, measured, config.seed, say
            )
    for _, _, _, measured, _ in scale:
        report.checked.append(f"N={measured.n}: mix")
        report.scale[measured.n] = measured
    del scale, leads
    gc.unfreeze()
    gc.collect()

    # 4. load time and memory, each size in its own process
    for n in config.memory_sizes:
        say(f"  load and memory at N={n:,} (subprocesses) ...")
        result = memory_in_subprocess(n, "rss", config.seed)
        result.update(memory_in_subprocess(n, "trace", config.seed))
        report.memory[n] = result

    report.lines = render(config, report)
    return report


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
    names = ["engine", "sqlite", "ceiling"]
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
            ]
        )
    out += table(["workload", *names, "engine/sqlite", "ceiling/engine"], rows)
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

    if report.memory:
        out.append("Engine bulk load() and memory (one subprocess per size)")
        rows = []
        for n, m in sorted(report.memory.items()):
            rows.append(
                [
                    f"{n:,}",
                    f"{m['load_wall']:.2f}",
                    f"{m['load_cpu'] / n * 1e6:.2f}",
                    f"{m['traced_bytes'] / n:,.0f}",
                    f"{m['rss_store_bytes'] / n:,.0f}",
                    f"{m['peak_rss_bytes'] / 2**20:,.0f}",
                ]
            )
        out += table(
            ["N", "load s", "load us/rec", "traced B/rec", "RSS B/rec", "peak RSS MB"], rows
        )
        out.append(
            "  traced B/rec: tracemalloc, everything the engine holds after load() with the input"
            " freed (records, values, indexes); RSS B/rec: resident growth during load()."
        )
        out.append("")

    report.targets = targets(config, report)
    if report.targets:
        out.append("Targets (issue 3)")
        out += table(
            ["target", "measured", "met"],
            [[t, m, "yes" if ok else "NO"] for t, m, ok in report.targets],
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
                f"mix at N={main.n:,}: engine >= 4x sqlite",
                _ratio(engine / sqlite),
                engine >= 4 * sqlite,
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
    if report.memory:
        n = max(report.memory)
        per = report.memory[n]["traced_bytes"] / n
        out.append((f"memory at N={n:,} <= 1.3 KB/record", f"{per / 1000:.2f} KB", per <= 1300))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m benchmarks``."""
    config, args = parse(argv)
    if args.memory_child:
        print(json.dumps(memory_child(int(args.memory_child[0]), args.memory_child[1], args.seed)))
        return 0
    started = time.perf_counter()
    try:
        report = run(config, reference_factory())
    except Mismatch as error:
        print(f"OUTCOMES DIFFER - no timing reported: {error}", file=sys.stderr)
        return 1
    print()
    print("\n".join(report.lines))
    print(f"\n(total {time.perf_counter() - started:.0f} s)")
    if config.output is not None:
        text = "\n".join(report.lines)
        config.output.write_text(
            "# Benchmark results\n\n"
            "Written by `python -m benchmarks` (see benchmarks/run.py for what is measured and "
            "how).\n\n```text\n" + text + "\n```\n" + cli_section()
        )
        print(f"written to {config.output}")
    return 0
