"""Benchmarks of upsert_engine against the reference model, SQLite and a hand-written ceiling.

Run from the repository root: ``python -m benchmarks [--quick] [--sizes N ...]``.
"""
