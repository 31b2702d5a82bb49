"""The one small exception tree of upsert_engine.

Exceptions are for programmer and configuration errors only: a bad record or a bad request
is answered with a Zoho-shaped error value, never an exception (R16, R18-R21).
Every message shows the offending value and the rule it breaks.
"""

from __future__ import annotations


class UpsertEngineError(Exception):
    """Base class of every exception this package raises on purpose."""


class ConfigurationError(UpsertEngineError, ValueError):
    """The org configuration asked for is impossible (e.g. a textarea made unique, R1)."""


class UnknownModuleError(UpsertEngineError, KeyError):
    """A programmatic call named a module the org does not hold (R20 for requests)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class UnknownUserError(UpsertEngineError, KeyError):
    """A call named (``as_user=``) a user the org does not hold (R32)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class InvalidLoadError(UpsertEngineError, ValueError):
    """Data handed to ``Engine.load`` is malformed; nothing was loaded."""


def shown(value: object, limit: int = 80) -> str:
    """``repr(value)`` for a message, cut to ``limit`` characters; never raises.

    ``repr`` itself raises on ints over 4300 digits (ValueError) and on deeply nested
    lists or dicts (RecursionError): a message must not turn a bad request into a crash.
    """
    try:
        text = repr(value)
    except (ValueError, RecursionError):
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
