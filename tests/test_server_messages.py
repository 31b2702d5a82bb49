"""Review finding F11: the server's error messages say what is wrong in JSON and Zoho terms
(the request body, the criteria parameter, "an array", ``{"x": 1}``), never in Python's
(``None``, ``str``, ``{'x': 1}``, ``User(name=...)``); deep nesting gets one answer."""

from __future__ import annotations

import re
from typing import Any

import pytest

from upsert_engine.server import MAX_DEPTH, ZohoServer

from .server_support import call

#: Python's words for JSON values, and its quotes around strings and keys
PYTHON_WORDS = re.compile(r"\b(None|True|False|str|dict|list|int)\b|'|User\(")


def _no_python(message: str) -> None:
    assert PYTHON_WORDS.search(message) is None, message


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 100, 100_000])
def test_deep_json_gets_the_documented_depth_error_however_deep(
    zoho_server: ZohoServer, levels: int
) -> None:
    """F11: 65, 100 and 100,000 levels of nesting get the same 400 INVALID_DATA "nested more
    than 64 levels" (README's bounds), not a parser's "maximum recursion depth" for the deepest."""
    raw = b"[" * levels + b"]" * levels
    status, _, answer = call(zoho_server, "POST", "/crm/v8/Leads/upsert", raw=raw)
    assert (status, answer["code"]) == (400, "INVALID_DATA")
    assert answer["message"] == f"the request body is nested more than {MAX_DEPTH} levels deep"
    assert answer["details"] == {"limit": MAX_DEPTH}


def test_deeply_nested_criteria_names_the_criteria(zoho_server: ZohoServer) -> None:
    """F11: a GET (no body) whose criteria nests 500 parentheses is told the criteria parameter
    is nested too deeply, not "the request body"."""
    criteria = "(" * 500 + "Last_Name:equals:a" + ")" * 500
    status, _, answer = call(zoho_server, "GET", f"/crm/v8/Leads/search?criteria={criteria}")
    assert (status, answer["code"]) == (400, "INVALID_DATA")
    assert answer["message"].startswith("the criteria parameter is nested too deeply")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ([], "the request body is an array, not a JSON object"),
        ("x", "the request body is a string, not a JSON object"),
        ({"user": {"name": "Bob", "id": "1"}}, "the token is missing"),
        ({"user": {"name": "Bob", "id": "1"}, "token": {"x": 1}}, "the token is an object"),
        ({"user": [], "token": "t1"}, "user is an array, not a JSON object"),
        ({"user": {"name": "Bob", "id": "1", "mail": "b"}, "token": "t1"}, 'keys ["mail"]'),
        ({"user": {"name": "Bob", "id": {"x": 1}}, "token": "t1"}, "user.id is an object"),
    ],
)
def test_admin_users_says_what_is_wrong_with_the_body(
    zoho_server: ZohoServer, body: Any, words: str
) -> None:
    """F11: POST /__admin/users with a body not of its shape is told so in JSON terms (the body
    [] formerly got "the token None is not usable"); nothing is added."""
    before = zoho_server.engine.users()
    status, _, answer = call(zoho_server, "POST", "/__admin/users", body)
    assert (status, answer["code"]) == (400, "INVALID_DATA")
    assert words in answer["message"], answer["message"]
    _no_python(answer["message"])
    assert zoho_server.engine.users() == before


def test_a_taken_user_id_is_named_without_a_python_repr(zoho_server: ZohoServer) -> None:
    """F11: adding a user whose id the org has is refused naming the id and the user's name,
    not ``User(name='Bob', ...)`` (R32)."""
    user = {"name": "Bob", "id": "5725767000000411077"}
    assert call(zoho_server, "POST", "/__admin/users", {"user": user, "token": "b1"})[0] == 200
    status, _, answer = call(zoho_server, "POST", "/__admin/users", {"user": user, "token": "b2"})
    assert status == 400
    assert answer["message"] == 'user id 5725767000000411077 is already the org\'s user "Bob" (R32)'


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/__admin/faults", "x", "a fault is a JSON object, not a string"),
        ("/__admin/faults", [[1]], "a fault is a JSON object, not an array"),
        ("/__admin/faults", {"pth": 1}, 'unknown fault keys ["pth"]'),
        (
            "/__admin/faults",
            {"delay_ms": {"x": 1}},
            'delay_ms is {"x": 1}; give an integer from 0 to 60000',
        ),
        (
            "/__admin/faults",
            {"status": 500, "path": None},
            'path is null; give a pattern such as "/crm/*/Leads/upsert"',
        ),
        ("/__admin/concurrency", "x", "a concurrency limit is a JSON object, not a string"),
        ("/__admin/concurrency", {"edition": {"x": 1}}, 'edition is {"x": 1}; give one of'),
    ],
)
def test_fault_messages_show_json_not_python(
    zoho_server: ZohoServer, path: str, body: Any, message: str
) -> None:
    """F11: a malformed fault or concurrency limit is described as JSON (``{"x": 1}``, "a
    string", null), not as Python (``{'x': 1}``, ``str``, ``None``)."""
    status, _, answer = call(zoho_server, "POST", path, body)
    assert status == 400 and answer["message"].startswith(message), answer["message"]
    _no_python(answer["message"])
