"""The fake Zoho CRM server: the same org in-process and over HTTP (a thin adapter).

Modules: ``app`` (``ZohoServer``: one request, the lock, the log, faults), ``wire`` (sockets,
deadlines, bodies), ``routes`` (a pure function from a request to a reply), ``stateful`` (bulk
write files and jobs, fault admin), ``listing`` / ``criteria`` / ``coql`` / ``values`` (Zoho's
list, search and query semantics), ``bulk`` (the Bulk Write API), ``faults`` (fault
injection), ``metadata`` / ``fieldmeta`` (metadata shapes per API version), ``log`` (the
request log), ``config`` (configuring the org), ``api`` (errors and answers as values),
``parsing`` (reading bodies, forms and credentials), ``serve`` (``upsert-engine serve``).
"""

from .app import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_TOKEN,
    MAX_DEPTH,
    ZohoServer,
    parse_json,
    replay,
)
from .config import EngineFactory, apply_schema, engine_factory, parse_unique, read_store
from .serve import add_serve_parser, parse_user, run_serve

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_TOKEN",
    "MAX_DEPTH",
    "EngineFactory",
    "ZohoServer",
    "add_serve_parser",
    "apply_schema",
    "engine_factory",
    "parse_json",
    "parse_unique",
    "parse_user",
    "read_store",
    "replay",
    "run_serve",
]
