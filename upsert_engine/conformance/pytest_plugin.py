"""The pytest options of the conformance suite (registered as a pytest11 entry point):

    pytest --pyargs upsert_engine.conformance --conform-url URL [--conform-token T]

runs every case of the corpus as one test against your HTTP implementation (set up through
the admin API, README); without ``--conform-url`` it runs them against this package's Engine.
"""

from __future__ import annotations

import pytest

from .report import EXPECT_CHOICES


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--conform-url``, ``--conform-token``, ``--conform-expect-inferred``."""
    group = parser.getgroup("conformance", "upsert_engine conformance corpus")
    group.addoption("--conform-url", default=None, help="base URL of the implementation under test")
    group.addoption("--conform-token", default="fake-zoho-token", help="its access token")
    group.addoption(
        "--conform-expect-inferred",
        default="engine",
        choices=EXPECT_CHOICES,
        help="engine (default): a case whose claims are all [inf] and that differs is xfailed "
        "as a finding; strict: fails",
    )
