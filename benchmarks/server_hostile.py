"""The fake server's memory under hostile input (issue 8 items 6 and 7): RSS before and after.

    python benchmarks/server_hostile.py [--source DIR] [--loads 5] [--logged 10] [--keys 400000]

Starts ``python -m upsert_engine serve`` in a subprocess (from ``--source``, a checkout of
another commit, when given) and reads the child's ``/proc/<pid>/status`` after each step:

1. ``--loads`` bad ``POST /__admin/load`` bodies of just under 8 MiB (the default body limit),
   each ``{"module": "Nope", "records": [{"a": 1}, ...]}``: about 900k small dicts once parsed,
   answered 400 INVALID_MODULE by the route, before the engine;
2. ``--logged`` upserts of the same records to ``/crm/v8/Nope/upsert``, which the engine
   answers (400 INVALID_MODULE): the request log keeps these bodies, up to its caps;
3. ``GET /__admin/requests`` (the log's entries and, where the server counts them, dropped);
4. one upsert of a Lead with ``--keys`` unknown keys (ignored under the default options);
5. ``POST /__admin/reset``.

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


def send(url: str, path: str, data: bytes | None, auth: bool = False) -> tuple[int, bytes]:
    """POST ``data`` (GET when None); the status code and the answer."""
    request = urllib.request.Request(
        url + path, data=data, method="GET" if data is None else "POST"
    )
    if auth:
        request.add_header("Authorization", f"Zoho-oauthtoken {TOKEN}")
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as problem:
        return int(problem.code), problem.read()


def post(url: str, path: str, data: bytes, auth: bool = False) -> int:
    """POST ``data``; the status code."""
    return send(url, path, data, auth)[0]


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
    parser.add_argument("--logged", type=int, default=10)
    parser.add_argument("--keys", type=int, default=400_000)
    args = parser.parse_args(argv)
    env = {**os.environ, "PYTHONPATH": str(args.source.resolve()), "PYTHONUNBUFFERED": "1"}
    # -S: no site-packages, so an editable install cannot shadow --source (the server is stdlib)
    command = [sys.executable, "-S", "-m", "upsert_engine", "serve", "--port", "0"]
    command += ["--token", TOKEN]
    source = args.source.resolve()  # the working directory comes first on the child's path
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, env=env, cwd=source
    ) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            pid = process.pid
            where = subprocess.run(
                [sys.executable, "-S", "-c", "import upsert_engine; print(upsert_engine.__file__)"],
                env=env,
                cwd=source,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            print(f"server {url} pid {pid} running {where}")
            print(f"{'step':<44} {'status':>6} {'VmRSS MiB':>10}")
            print(f"{'started':<44} {'':>6} {status_mib(pid)['VmRSS']:>10.1f}")
            body = bad_load()
            for n in range(1, args.loads + 1):
                status = post(url, "/__admin/load", body)
                label = f"bad /__admin/load #{n} ({len(body) / 2**20:.2f} MiB)"
                print(f"{label:<44} {status:>6} {status_mib(pid)['VmRSS']:>10.1f}")
            upsert = body.replace(b'{"module": "Nope", "records": ', b'{"data": ', 1)
            for n in range(1, args.logged + 1):
                status = post(url, "/crm/v8/Nope/upsert", upsert, auth=True)
                label = f"upsert to Nope #{n} ({len(upsert) / 2**20:.2f} MiB)"
                print(f"{label:<44} {status:>6} {status_mib(pid)['VmRSS']:>10.1f}")
            status, answer = send(url, "/__admin/requests", None)
            log = json.loads(answer)
            label = f"GET /__admin/requests ({len(answer) / 2**20:.1f} MiB)"
            print(f"{label:<44} {status:>6} {status_mib(pid)['VmRSS']:>10.1f}")
            print(f"  log: {len(log['requests'])} entries, dropped {log.get('dropped', 'n/a')}")
            del log, answer
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
