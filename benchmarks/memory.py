"""Load time and memory of the engine, one fresh process per size (``python -m benchmarks
--memory-child N MODE``), so that sizes do not pollute each other.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from upsert_engine import Engine

from .workloads import MODULE, REQUEST_SIZE, make_leads, make_stream, new_org

ROOT = Path(__file__).resolve().parent.parent


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


#: Sizes up to which tracemalloc counts the engine's memory (it doubles the run's memory).
TRACE_UP_TO = 1_000_000
#: Rounds of the mix timed in each size's process (engine alone): a scaling table to sizes
#: whose three implementations would not fit in memory side by side.
MIX_ROUNDS = 5


def _mix_us_per_record(engine: Engine, leads: list[Any], seed: int) -> float:
    """Median CPU microseconds per record of ``MIX_ROUNDS`` rounds of 10 mix requests."""
    gc.collect()
    gc.freeze()  # the store out of the collector's passes, as in the main process
    rounds = []
    for round_ in range(MIX_ROUNDS):
        start = round_ * 600
        stream = make_stream("mix", leads, 10, 2000 + round_, range(start, start + 600), seed)
        begin = time.process_time()
        for body in stream:
            engine.upsert(MODULE, body)
        rounds.append((time.process_time() - begin) / (len(stream) * REQUEST_SIZE) * 1e6)
    gc.unfreeze()
    return statistics.median(rounds)


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
    mix = _mix_us_per_record(engine, leads, seed)
    del leads
    gc.collect()
    return {
        "mix_us": mix,
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
