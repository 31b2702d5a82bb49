"""R15: Zoho's published email, phone and URL patterns, as formats.py reads them without
regular expressions and reference_types.py reads them with plain ones, against the patterns
themselves (https://www.zoho.com/crm/developer/docs/api/v7/insert-records.html, "Sample
Attributes"), exhaustively over small alphabets that hold every character class they use."""

from __future__ import annotations

import itertools
import re
import sys
import unicodedata
from collections.abc import Iterator

import pytest

from upsert_engine.formats import is_email, is_phone, is_url
from upsert_engine.reference_types import email_ok, phone_ok, url_ok

#: Zoho's phone pattern as published (Java; Python's re has atomic groups from 3.11).
ZOHO_PHONE = (
    r"^([+]?)(?![.-])(?>(?>[.-]?[ ]?[\da-zA-Z]+)+|([ ]?((?![.-])(?>[ .-]?[\da-zA-Z]+)+)"
    r"(?![.])([ -]?[\da-zA-Z]+)?)+)+(?>(?>([,]+)?[;]?[\da-zA-Z]+)+(([#][\da-zA-Z]+)+)?)?[#;]?$"
)
#: Zoho's URL pattern as published, Java's "." (no line terminator) written out.
_DOT = "[^\n\r\u0085\u2028\u2029]"
ZOHO_URL = (
    rf"^(http:\/\/www{_DOT}|https:\/\/www{_DOT}|ftp:\/\/www{_DOT}|www{_DOT}|http:\/\/|"
    rf"https:\/\/|ftp:\/\/|){{1}}"
    r"[^\x00-\x19\x22-\x27\x2A-\x2C\x2E-\x2F\x3A-\x3F\x5B-\x5E\x60\x7B\x7D-\x7F]+"
    r"(\.[^\x00-\x19\x22\x24-\x2C\x2E-\x2F\x3C\x3E\x40\x5B-\x5E\x60\x7B\x7D-\x7F]+)+"
    rf"([\/\?]{_DOT}*)*\Z"
)
#: Zoho's email pattern as published, for a given alphabet: \p{L}, \p{M}, \p{N} become the
#: alphabet's letters, marks and numbers (exact on strings over that alphabet).
ZOHO_EMAIL = (
    r"^[\+\-LMN_]([LMN!#$%&'*+\-\/=?^_`{|}~.]*)@(?=.{4,256}\Z)(([LNM]+)(([\-_]*[LMN])*)[.])+"
    r"[LM]{2,22}\Z"
)


def strings(alphabet: str, longest: int) -> Iterator[str]:
    """Every string over ``alphabet`` of 1 to ``longest`` characters."""
    for size in range(1, longest + 1):
        for chars in itertools.product(alphabet, repeat=size):
            yield "".join(chars)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="atomic groups need Python 3.11's re")
def test_phone_equals_zoho_pattern() -> None:
    """R15: without parentheses, is_phone and the reference accept exactly what Zoho's phone
    pattern accepts (every string of up to 6 characters over "1a .-+,;#")."""
    zoho = re.compile(ZOHO_PHONE, re.ASCII)
    differ = [
        s
        for s in strings("1a .-+,;#", 6)
        if not (bool(zoho.match(s)) == is_phone(s) == phone_ok(s))
    ]
    assert differ == []


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("91(987)654321", True),  # Zoho's own example
        ("(555) 010-0000", True),
        ("+1 (555) 010-0000", True),
        ("1 (2 3) 4", True),
        ("()1", False),
        ("( 555)", False),
        ("(555 )", False),
        ("((555))", False),
        ("(555", False),
        ("555)", False),
        (")555(", False),
        ("(555)(123)", True),
    ],
)
def test_phone_parentheses(text: str, ok: bool) -> None:
    """R15 [inf]: a pair of parentheses may enclose a group (after "(" and before ")" a
    letter or digit, not nested); the rest must match Zoho's pattern."""
    assert is_phone(text) is ok
    assert phone_ok(text) is ok


def test_url_equals_zoho_pattern() -> None:
    """R15: is_url and the reference accept exactly what Zoho's URL pattern accepts (every
    string of up to 5 characters over a mixed alphabet, and after each prefix)."""
    zoho = re.compile(ZOHO_URL)
    alphabet = "a.?/:@ \u2028!w"
    prefixes = ["", "http://www", "https://www", "ftp://", "www", "HTTP://", "http:/"]
    differ = [
        prefix + tail
        for prefix in prefixes
        for tail in strings(alphabet, 5 if not prefix else 3)
        if not (bool(zoho.match(prefix + tail)) == is_url(prefix + tail) == url_ok(prefix + tail))
    ]
    assert differ == []


def test_email_equals_zoho_pattern() -> None:
    """R15: is_email and the reference accept exactly what Zoho's email pattern accepts
    (every string of up to 6 characters over letters, a mark, a number and the specials)."""
    alphabet = "a\u0301\u00b27@.-_+!"
    classes = {"L": "", "M": "", "N": ""}
    for char in alphabet:
        category = unicodedata.category(char)[0]
        if category in classes:
            classes[category] += re.escape(char)
    pattern = ZOHO_EMAIL
    for name, chars in classes.items():
        pattern = pattern.replace(name, chars)
    zoho = re.compile(pattern, re.S)
    differ = [
        s for s in strings(alphabet, 6) if not (bool(zoho.match(s)) == is_email(s) == email_ok(s))
    ]
    assert differ == []


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("p.boyle@zylker.com", True),  # Zoho's example
        ("p@zylker.c", False),
        ("a@" + "b" * 252 + ".com", True),  # a domain of 256 characters
        ("a@" + "b" * 253 + ".com", False),  # 257
        ("\u0645@\u0645\u062b\u0627\u0644.\u0634\u0628\u0643\u0629", True),  # Arabic script
        ("a@b.\u0441\u043e\u043c", True),  # a Cyrillic top-level label
        ("a@b.c\u0301", True),  # a mark counts as a letter of the top-level label
        ("a@b.c\u00b2", False),  # a number does not
    ],
)
def test_email_examples(text: str, ok: bool) -> None:
    """R15: Zoho's email pattern on its own example, its domain length and other scripts."""
    assert is_email(text) is ok
    assert email_ok(text) is ok


def test_phone_with_parentheses_equals_reference() -> None:
    """R15 [inf]: formats.py and the reference read parentheses alike (every string of up to
    6 characters over "1a (). -+")."""
    differ = [s for s in strings("1a ().-+", 6) if is_phone(s) != phone_ok(s)]
    assert differ == []
