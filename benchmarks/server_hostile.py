"""The fake server's memory under hostile input (issue 8 items 6 and 7): RSS before and after.

    python benchmarks/server_hostile.py [--source DIR] [--loads 5] [--keys 400000]

Starts ``python -m upsert_engine serve`` in a subprocess (from ``--source``, a checkout of
another commit, when given) and reads the child's ``/proc/<pid>/status`` after each step:

1. ``--loads`` bad ``POST /__admin/load`` bodies of just under 8 MiB (the default body limit),
   each ``{"module": "Nope", "records": [{"a": 1}, ...]}``: about 900k small dicts once parsed,
   answered 400 INVALID_MODULE;
2. one upsert of a Lead with ``--keys`` unknown keys (ignored under the default options);
3. ``POST /__admin/reset``.

Prints VmRSS after each step and VmHWM (the peak) at the end, in MiB. Linux only. Numbers
depend on the machine and Python; compare runs made on the same one.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 8 * 1024 * 1024
TOKEN = "fake-zoho-token"


def status_mib(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of ``pid`` in MiB."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) / 1024
    return values


def post(url: str, path: str, data: bytes, auth: bool = False) -> int:
    """POST ``data``; the status code."""
    request = urllib.request.Request(url + path, data=data, method="POST")
    if auth:
        request.add_header("Authorization", f"Zoho-oauthtoken {TOKEN}")
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as problem:
        problem.read()
        return int(problem.code)


def bad_load() -> bytes:
    """Just under 8 MiB: an unknown module with ~900k one-key records."""
    head, tail, item = b'{"module": "Nope", "records": [', b"]}", b'{"a": 1}'
    count = (LIMIT - len(head) - len(tail)) // (len(item) + 2)
    return head + b", ".join([item] * count) + tail


def wide_record(keys: int) -> bytes:
    """One Lead with ``keys`` unknown keys."""
    record = {"Last_Name": "Wide", **{f"k{i}": 1 for i in range(keys)}}
    return json.dumps({"data": [record]}).encode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=ROOT, help="checkout to run the server from")
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--keys", type=int, default=400_000)
    args = parser.parse_args(argv)
    env = {**os.environ, "PYTHONPATH": str(args.source.resolve()), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "upsert_engine", "serve", "--port", "0", "--token", TOKEN]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            pid = process.pid
            print(f"server {url} pid {pid} from {args.source}")
            print(f"{'step':<44} {'status':>6} {'VmRSS MiB':>10}")
            print(f"{'started':<44} {'':>6} {status_mib(pid)['VmRSS']:>10.1f}")
            body = bad_load()
            for n in range(1, args.loads + 1):
                status = post(url, "/__admin/load", body)
                label = f"bad /__admin/load #{n} ({len(body) / 2**20:.2f} MiB)"
                print(f"{label:<44} {status:>6} {status_mib(pid)['VmRSS']:>10.1f}")
            wide = wide_record(args.keys)
            status = post(url, "/crm/v8/Leads/upsert", wide, auth=True)
            label = f"upsert, {args.keys} unknown keys ({len(wide) / 2**20:.2f} MiB)"
            print(f"{label:<44} {status:>6} {status_mib(pid)['VmRSS']:>10.1f}")
            status = post(url, "/__admin/reset", b"")
            print(f"{'POST /__admin/reset':<44} {status:>6} {status_mib(pid)['VmRSS']:>10.1f}")
            print(f"peak (VmHWM) {status_mib(pid)['VmHWM']:.1f} MiB")
        finally:
            process.terminate()
            process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
