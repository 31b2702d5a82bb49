"""Reading a request for the fake server (app.py): path segments, JSON bodies, forms, credentials.

Pure functions over bytes and strings; no sockets.
"""

from __future__ import annotations

import codecs
import ipaddress
import json
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qs, unquote


def segments(path: str) -> tuple[str, ...]:
    parts = [unquote(part) for part in path.split("/")[1:]]
    while parts and parts[-1] == "":
        parts.pop()
    return tuple(parts)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


#: Python's int-string limit: a longer number cannot be read (nor written back) as an int.
MAX_NUMBER_DIGITS = 4300


def _bounded_int(text: str) -> int:
    if len(text) > MAX_NUMBER_DIGITS:
        raise ValueError(f"a number has more than {MAX_NUMBER_DIGITS} digits")
    return int(text)


def _finite_float(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError(f"the number {text[:40]} is out of range")
    return number


def parse_json(raw: bytes) -> Any:
    """The body as JSON (None when empty), or ``ValueError`` saying why it is not."""
    if not raw.strip():
        return None
    text = raw.decode("utf-8-sig")  # UnicodeDecodeError is a ValueError
    return json.loads(
        text, parse_constant=_reject_constant, parse_int=_bounded_int, parse_float=_finite_float
    )


def nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and objects in ``value`` nest more than ``limit`` levels.

    Depth first with one iterator per level: no recursion, and memory for ``limit`` levels
    only, whatever the body's size.
    """
    if not isinstance(value, (dict, list)):
        return False
    stack = [iter(value.values() if isinstance(value, dict) else value)]
    while stack:
        for child in stack[-1]:
            if isinstance(child, (dict, list)):
                if len(stack) >= limit:  # the child is at depth len(stack) + 1
                    return True
                stack.append(iter(child.values() if isinstance(child, dict) else child))
                break
        else:
            stack.pop()
    return False


def json_type(value: Any) -> str:
    """``value``'s JSON type, for messages: "an object", "a string", "null" ... (not Python's)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, (list, tuple)) else "an object"


def shown(value: Any, limit: int = 80) -> str:
    """``value`` as JSON text for a message (``{"x": 1}``, not Python's ``{'x': 1}``), cut."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):
        text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def wire_text(raw: bytes) -> bytes | None:
    """A parsed body's JSON text as the log keeps it: no BOM, no surrounding space."""
    text = raw.removeprefix(codecs.BOM_UTF8).strip()
    return text or None


def form_fields(raw: bytes, content_type: str) -> dict[str, list[str]]:
    """A form body's fields: multipart/form-data (text parts) or url-encoded."""
    if not content_type.lower().startswith("multipart/form-data"):
        return parse_qs(raw.decode("utf-8", "replace"))
    head = b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n"
    message = BytesParser(policy=HTTP).parsebytes(head + raw)
    fields: dict[str, list[str]] = {}
    if message.is_multipart():
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                fields.setdefault(name, []).append(payload.decode("utf-8", "replace"))
    return fields


def check_credential(name: str, value: Any) -> str:
    """``value`` if it can be sent in a header or form intact; else ``ValueError`` (item 9)."""
    if not (
        isinstance(value, str)
        and value
        and value.isascii()
        and value.isprintable()
        and " " not in value
    ):
        raise ValueError(f"the {name} {value!r} is not usable: give visible ASCII, no spaces")
    return value


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address as bound) is reachable from this machine only."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
