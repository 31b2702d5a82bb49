"""Racing clients: requests apply atomically and one at a time, in the order the log records."""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter
from typing import Any

from upsert_engine import Engine
from upsert_engine.server import ZohoServer, engine_factory, replay

from .server_support import call

THREADS = 8
REQUESTS_PER_THREAD = 500
DEADLINE_SECONDS = 45.0
POOL = 12

FACTORY = engine_factory(unique=["Leads.Mobile:phone", "Leads.Secondary_Email:email"])


def _body(rng: random.Random) -> dict[str, Any]:
    """1-3 Leads over a small pool of overlapping keys, spelled in R8 variants."""
    records = []
    for _ in range(rng.randint(1, 3)):
        record: dict[str, Any] = {"Last_Name": f"L{rng.randrange(1000)}"}
        if rng.random() < 0.8:
            email = f"user{rng.randrange(POOL)}@example.com"
            record["Email"] = rng.choice([email, email.upper(), f" {email} "])
        if rng.random() < 0.7:
            record["Mobile"] = f"+1 555 {rng.randrange(POOL):04d}"
        if rng.random() < 0.3:
            record["Secondary_Email"] = f"alt{rng.randrange(POOL)}@example.com"
        records.append(record)
    body: dict[str, Any] = {"data": records}
    choice = rng.randrange(3)
    if choice:
        body["duplicate_check_fields"] = [["Mobile"], ["Email", "Mobile"]][choice - 1]
    return body


def _client(server: ZohoServer, seed: int, answers: list[tuple[int, Any]], stop: float) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection(server.url.removeprefix("http://"), timeout=30)
    try:
        for _ in range(REQUESTS_PER_THREAD):
            if time.monotonic() > stop:
                break
            payload = json.dumps(_body(rng)).encode()
            connection.request("POST", "/crm/v8/Leads/upsert", payload, server.headers)
            response = connection.getresponse()
            answers.append((response.status, json.loads(response.read())))
    finally:
        connection.close()


def _unique_values_held_twice(engine: Engine) -> dict[str, list[str]]:
    schema = engine.schema("Leads")
    repeats: dict[str, list[str]] = {}
    for name in schema.unique_fields:
        keys = Counter(
            key
            for record in engine.records("Leads")
            if (key := schema.fields[name].key(record.get(name))) is not None
        )
        repeats[name] = [key for key, count in keys.items() if count > 1]
    return repeats


def test_racing_upserts_apply_one_at_a_time() -> None:
    """8 threads x 500 upserts: no unique value twice, the log replays exactly, still serving."""
    with ZohoServer(FACTORY) as server:
        answers: list[list[tuple[int, Any]]] = [[] for _ in range(THREADS)]
        stop = time.monotonic() + DEADLINE_SECONDS
        threads = [
            threading.Thread(target=_client, args=(server, seed, answers[seed], stop))
            for seed in range(THREADS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=DEADLINE_SECONDS + 15)
        assert not any(thread.is_alive() for thread in threads)
        received = [answer for per_thread in answers for answer in per_thread]
        assert len(received) == THREADS * REQUESTS_PER_THREAD

        with server.locked() as engine:
            engine._check()
            assert _unique_values_held_twice(engine) == {"Mobile": [], "Secondary_Email": []}
            outcomes = Counter(e["code"] for _, body in received for e in body["data"])
            assert outcomes["SUCCESS"] and outcomes["DUPLICATE_DATA"]  # the keys did collide

        status, _, log = call(server, "GET", "/__admin/requests", auth=False)
        entries = log["requests"]
        assert status == 200 and [e["seq"] for e in entries] == list(range(len(received)))
        logged = sorted(json.dumps([e["status"], e["response"]]) for e in entries)
        assert logged == sorted(json.dumps([s, body]) for s, body in received)

        fresh = FACTORY()
        assert replay(entries, fresh) == [(e["status"], e["response"]) for e in entries]
        _, _, dump = call(server, "GET", "/__admin/dump?module=Leads", auth=False)
        assert list(fresh.records("Leads")) == dump["records"]

        assert call(server, "GET", "/crm/v8/org")[0] == 200
