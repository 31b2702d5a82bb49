"""The benchmark driver: correctness check first, then interleaved timing rounds, then reports.

Implementations (all behind one small adapter, ``Impl``):

- ``engine``: ``upsert_engine.Engine``, full Zoho responses, every rule enforced;
- ``reference``: ``upsert_engine.reference.ReferenceEngine`` (linear scans; small size only);
- ``sqlite``: ``benchmarks/sqlite_impl.py``, what a user would write instead;
- ``ceiling``: ``benchmarks/ceiling.py``, a dict loop over pre-normalised keys;
- ``floor``: ``benchmarks/floor.py``, the ceiling plus only the work the rules require of
  every record (keys in the clock, R15 checks, undo log, stamps, Zoho's response entries);
  at the main size only, to split the ceiling/engine distance (issue 13).

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
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from upsert_engine import Engine

from .ceiling import Ceiling
from .floor import Floor
from .memory import TRACE_UP_TO, memory_child, memory_in_subprocess
from .report import Config, Measured, Report, cli_section, describe, render
from .sqlite_impl import SqliteUpsert
from .sync import check_sync, measure_sync
from .workloads import (
    MODULE,
    REQUEST_SIZE,
    TARGETS_PER_RECORD,
    WORKLOADS,
    Body,
    Outcome,
    Record,
    make_leads,
    make_stream,
    new_org,
    outcomes_of_response,
    prenormalise,
)

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


# --- main -----------------------------------------------------------------------------------------
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
        memory_sizes = [100_000] if quick else sorted({*sizes, 1_000_000, 3_000_000})
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
    impls = build({**base, "floor": Floor}, leads, main)
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

    # 4. the new rules (issue 13): the sync workload against the mix, on the engine alone,
    #    after a check against the reference model at the small size
    if reference is not None:
        report.checked.append(check_sync(Engine, reference, config.small_size))
    report.sync = measure_sync(
        Engine, config.main_size, config.requests, config.rounds, config.seed
    )
    gc.collect()

    # 5. load time, memory and the mix's cost, each size in its own process
    for n in config.memory_sizes:
        say(f"  load and memory at N={n:,} (subprocesses) ...")
        result = memory_in_subprocess(n, "rss", config.seed)
        if n <= TRACE_UP_TO:
            result.update(memory_in_subprocess(n, "trace", config.seed))
        report.memory[n] = result

    report.lines = render(config, report)
    return report


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
