"""``python -m upsert_engine``: the command line."""

from .cli import console_main

console_main()
