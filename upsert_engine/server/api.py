"""The fake server's request-level errors as values (no I/O): what a route answers instead of data.

The parsing modules (``criteria``, ``coql``, ``listing``,
``bulk``) raise ``ApiError``; the routes turn it into Zoho's top-level error shape
``{"code", "details", "message", "status": "error"}`` with ``status`` as the HTTP status.
``NOT_MODELLED`` is the fake's own refusal of something Zoho accepts but the fake cannot answer
exactly (a COQL join, a custom view): a clear 400 instead of a silently wrong answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

JSON_TYPE: Final = "application/json;charset=UTF-8"

#: The fake's code for a parameter or construct Zoho accepts that the fake does not model.
NOT_MODELLED: Final = "NOT_SUPPORTED"


class ApiError(Exception):
    """A top-level error reply: HTTP ``status``, Zoho ``code``, ``message`` and ``details``."""

    def __init__(
        self, status: int, code: str, message: str, details: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details: dict[str, Any] = dict(details or {})

    def body(self) -> dict[str, Any]:
        """Zoho's top-level error body."""
        return {
            "code": self.code,
            "details": self.details,
            "message": self.message,
            "status": "error",
        }


def not_modelled(what: str, details: Mapping[str, Any] | None = None) -> ApiError:
    """The fake's refusal of ``what`` (a parameter, a clause): 400, never a wrong answer."""
    return ApiError(400, NOT_MODELLED, f"the fake Zoho server does not model {what}", details or {})


def param_error(name: str, message: str = "invalid data", **more: Any) -> ApiError:
    """400 INVALID_DATA naming the query parameter ``name``."""
    return ApiError(400, "INVALID_DATA", message, {"param_name": name, **more})


def missing_param(name: str) -> ApiError:
    """400 REQUIRED_PARAM_MISSING: Zoho's answer to a missing mandatory parameter."""
    return ApiError(
        400,
        "REQUIRED_PARAM_MISSING",
        "One of the expected parameter is missing",
        {"param_name": name},
    )


@dataclass(frozen=True, slots=True)
class Wire:
    """An answer as sent: status, body bytes (None: no body), Content-Type, extra headers."""

    status: int
    payload: bytes | None
    content_type: str | None = JSON_TYPE
    headers: tuple[tuple[str, str], ...] = ()
