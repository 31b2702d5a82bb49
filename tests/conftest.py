"""Load the project's own pytest plugin even when the package is not installed."""

pytest_plugins = ["upsert_engine.testing.plugin"]
