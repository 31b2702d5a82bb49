"""Helpers for your own tests against a fake Zoho CRM.

- ``upsert_engine.testing.plugin``: a pytest plugin (registered by the package's ``pytest11``
  entry point) with the ``zoho_server`` fixture: a ``ZohoServer`` on a free loopback port,
  reset before every test, with ``.url``, ``.token``, ``.engine`` and ``.requests``.
- ``upsert_engine.testing.strategies``: Hypothesis strategies for Zoho records and upsert
  bodies of a module configuration (imports Hypothesis, a test-only dependency).

This package itself imports neither pytest nor Hypothesis.
"""

from __future__ import annotations

from ..server import ZohoServer, engine_factory, replay

__all__ = ["ZohoServer", "engine_factory", "replay"]
