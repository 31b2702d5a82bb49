"""Zoho's published value patterns (R15): email, phone and URL, read without ``\\p{..}``.

Source: Zoho CRM API v7 "Insert Records", section "Sample Attributes"
(https://www.zoho.com/crm/developer/docs/api/v7/insert-records.html). Its three patterns are
Java regular expressions; this module accepts exactly the strings they match (``\\p{L}``,
``\\p{M}``, ``\\p{N}`` read through ``unicodedata`` categories; an ASCII email through the
pattern itself, compiled with those classes spelled out), plus one inferred extension
for phones (parentheses, see ``is_phone``). tests/test_formats.py checks the phone and URL
readings against the published patterns themselves and the email reading against the
pattern over a mixed alphabet. Every function takes the value already stripped (R15).

Email::

    ^[\\+\\-\\p{L}\\p{M}\\p{N}_]([\\p{L}\\p{M}\\p{N}!#$%&'*+\\-\\/=?^_`{|}~.]*)@(?=.{4,256}$)
    (([\\p{L}\\p{N}\\p{M}]+)(([\\-_]*[\\p{L}\\p{M}\\p{N}])*)[.])+[\\p{L}\\p{M}]{2,22}$

Phone::

    ^([+]?)(?![.-])(?>(?>[.-]?[ ]?[\\da-zA-Z]+)+|([ ]?((?![.-])(?>[ .-]?[\\da-zA-Z]+)+)(?![.])
    ([ -]?[\\da-zA-Z]+)?)+)+(?>(?>([,]+)?[;]?[\\da-zA-Z]+)+(([#][\\da-zA-Z]+)+)?)?[#;]?$

URL::

    ^(http:\\/\\/www.|https:\\/\\/www.|ftp:\\/\\/www.|www.|http:\\/\\/|https:\\/\\/|ftp:\\/\\/|){1}
    [^\\x00-\\x19\\x22-\\x27\\x2A-\\x2C\\x2E-\\x2F\\x3A-\\x3F\\x5B-\\x5E\\x60\\x7B\\x7D-\\x7F]+
    (\\.[^\\x00-\\x19\\x22\\x24-\\x2C\\x2E-\\x2F\\x3C\\x3E\\x40\\x5B-\\x5E\\x60\\x7B\\x7D-\\x7F]+)+
    ([\\/\\?].*)*$
"""

from __future__ import annotations

import re
import string
import sys
import unicodedata
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

# --- email ----------------------------------------------------------------------------------
_EMAIL_FIRST: Final = frozenset("+-_")
_EMAIL_LOCAL: Final = frozenset("!#$%&'*+-/=?^_`{|}~.")
_LABEL_JOINERS: Final = frozenset("-_")
#: Zoho's email pattern on ASCII text, where \p{L} is [A-Za-z], \p{N} is [0-9] and \p{M} is
#: empty; a label written ``[A-Za-z0-9](?:[\w-]*[A-Za-z0-9])?`` (the same strings, linear).
#: From Python 3.11 the same strings with possessive repeats (a label is alphanumeric runs
#: joined by runs of ``-_``): no character is given back, about 40 % faster per address.
_EMAIL_ASCII: Final = re.compile(
    r"[+\-A-Za-z0-9_][A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]*+@(?=.{4,256}\Z)"
    r"(?:[A-Za-z0-9]++(?:[_-]++[A-Za-z0-9]++)*+\.)++[A-Za-z]{2,22}\Z"
    if sys.version_info >= (3, 11)
    else r"[+\-A-Za-z0-9_][A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]*@(?=.{4,256}\Z)"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,22}\Z",
    re.ASCII,
)


def _letter_mark_number(char: str) -> bool:
    """``[\\p{L}\\p{M}\\p{N}]``: a letter, mark or number of any script."""
    if char.isascii():
        return char.isalnum()
    return unicodedata.category(char)[0] in "LMN"


def _letter_mark(char: str) -> bool:
    """``[\\p{L}\\p{M}]``: a letter or mark of any script."""
    if char.isascii():
        return char.isalpha()
    return unicodedata.category(char)[0] in "LM"


def is_email(text: str) -> bool:
    """Zoho's email pattern: ``local@domain`` as the module docstring quotes it.

    The local part starts with a letter, mark, number, ``+``, ``-`` or ``_`` and goes on with
    those and ``!#$%&'*+-/=?^_`{|}~.``; the domain (4 to 256 characters) is one or more labels,
    each followed by a dot, then a top-level label of 2 to 22 letters or marks; a label starts
    and ends with a letter, mark or number and may hold ``-`` and ``_`` in between.
    """
    at = text.find("@")
    if at < 1:
        return False
    if text.isascii():  # the common case: the pattern itself, \p{L} and \p{N} being ASCII's
        return _EMAIL_ASCII.match(text) is not None
    first = text[0]
    if not (first in _EMAIL_FIRST or _letter_mark_number(first)):
        return False
    for char in text[1:at]:
        if not (char in _EMAIL_LOCAL or _letter_mark_number(char)):
            return False
    domain = text[at + 1 :]
    if not 4 <= len(domain) <= 256:
        return False
    *labels, top = domain.split(".")  # a second "@" fails the label checks below
    if not labels or not 2 <= len(top) <= 22 or not all(_letter_mark(c) for c in top):
        return False
    for label in labels:
        if not label or not _letter_mark_number(label[0]) or not _letter_mark_number(label[-1]):
            return False
        for char in label:
            if not (char in _LABEL_JOINERS or _letter_mark_number(char)):
                return False
    return True


# --- phone ----------------------------------------------------------------------------------
_ALNUM: Final = frozenset(string.ascii_letters + string.digits)
#: The common phone: ASCII letter-and-digit runs joined by one ``.``, ``-`` or space each,
#: after an optional ``+`` (``_PHONE_PLAIN``); or such a number with one group in parentheses,
#: after ``(`` and before ``)`` a letter or digit (``_PHONE_GROUP``). ``is_phone`` accepts
#: every such string (its first test, in C); any other string takes the grammar below.
_PHONE_PLAIN: Final = re.compile(r"\+?[A-Za-z0-9]+(?:[ .-][A-Za-z0-9]+)*\Z")
_PHONE_GROUP: Final = re.compile(
    r"\+?(?:[A-Za-z0-9]+(?:[ .-][A-Za-z0-9]+)*[ .-]?)?\([A-Za-z0-9]+(?:[ .-][A-Za-z0-9]+)*\)"
    r"(?:[ .-]?[A-Za-z0-9]+(?:[ .-][A-Za-z0-9]+)*)?\Z"
)
#: Either common shape in one ``match`` (plain first: it fails fast at a ``(``); measured
#: about 20% faster than trying them one call at a time on the benchmark's phones (issue 13).
_PHONE_COMMON: Final = re.compile(f"(?:{_PHONE_PLAIN.pattern})|(?:{_PHONE_GROUP.pattern})")
#: Gaps between two runs of ASCII letters and digits in the number itself.
_BODY_GAPS: Final = frozenset({".", "-", " ", ". ", "- ", "  "})


def _is_extension_gap(gap: str) -> bool:
    """``(,+)?;?`` before an extension run: commas, then at most one ``;``, not empty."""
    body = gap[:-1] if gap.endswith(";") else gap
    return bool(gap) and body == "," * len(body) and (bool(body) or gap == ";")


def _without_parentheses(text: str) -> str | None:
    """R15 [inf]: ``text`` without its parentheses, or None when they are not well placed.

    Zoho's own example ``91(987)654321`` has them although its printed pattern does not: a
    ``(`` must come right before a letter or digit, a ``)`` right after one, in pairs, not
    nested. What is left must match the published pattern.
    """
    opening = text.find("(")
    closing = text.find(")")
    if text.count("(") == 1 and text.count(")") == 1:  # one pair: the common case
        if opening < closing and text[opening + 1] in _ALNUM and text[closing - 1] in _ALNUM:
            return text[:opening] + text[opening + 1 : closing] + text[closing + 1 :]
        return None
    kept: list[str] = []
    inside = False
    for position, char in enumerate(text):
        if char == "(":
            following = text[position + 1 : position + 2]
            if inside or following not in _ALNUM:  # "" (the end) is not in it either
                return None
            inside = True
        elif char == ")":
            if not inside or position == 0 or text[position - 1] not in _ALNUM:
                return None
            inside = False
        else:
            kept.append(char)
    return None if inside else "".join(kept)


def _runs(text: str, start: int) -> tuple[list[str], str] | None:
    """Split ``text[start:]`` into the gaps before each run of letters and digits.

    Returns (gaps, tail): ``gaps[k]`` precedes run k (``gaps[0]`` may be empty), ``tail`` is
    what follows the last run. None if there is no run.
    """
    gaps: list[str] = []
    position, end = start, len(text)
    while True:
        gap_start = position
        while position < end and text[position] not in _ALNUM:
            position += 1
        if position == end:
            return (gaps, text[gap_start:]) if gaps else None
        gaps.append(text[gap_start:position])
        while position < end and text[position] in _ALNUM:
            position += 1


def is_phone(text: str) -> bool:
    """Zoho's phone pattern (module docstring), with parentheses around a group [inf].

    Read as a grammar over runs of ASCII letters and digits: an optional ``+``; the number,
    whose first run may follow one or two spaces and whose runs are
    joined by ``.``, ``-``, a space, ``. ``, ``- `` or two spaces; then extension runs, each
    after commas and at most one ``;`` (``,``, ``,;``, ``;``...), then runs after ``#``
    (only once an extension run came); then at most one ``#`` or ``;``. The pattern's atomic
    groups add one restriction: after two spaces, if every gap up to the next two-character
    gap is ``.``, that gap may not be ``. `` (``1  2. 3`` fails, ``1  2-3. 4`` passes).
    """
    if _PHONE_COMMON.match(text) is not None:
        return True
    bare = _without_parentheses(text) if "(" in text or ")" in text else text
    if bare is None:
        return False
    core = (bare[1:] if bare[:1] == "+" else bare).replace(".", " ").replace("-", " ")
    if (
        core.isascii()
        and "  " not in core
        and core[:1] != " "
        and core[-1:] != " "
        and core.replace(" ", "").isalnum()
    ):
        return True  # runs joined by one [ .-] each: the common shape, accepted
    start = 1 if bare.startswith("+") else 0
    split = _runs(bare, start)
    if split is None:
        return False
    gaps, tail = split
    lead = gaps[0]
    if lead not in ("", " ", "  "):
        return False
    dots_only = lead == "  "  # inside a two-space group whose gaps are all "." so far
    position = 1
    while position < len(gaps) and gaps[position] in _BODY_GAPS:
        gap = gaps[position]
        if gap == "  ":
            dots_only = True
        elif len(gap) == 2:  # ". " or "- " ends a two-space group
            if dots_only and gap == ". ":
                return False
            dots_only = False
        elif gap != ".":
            dots_only = False
        position += 1
    extensions = False  # an extension run came: "#" runs may follow
    hashes = False
    for gap in gaps[position:]:
        if not hashes and _is_extension_gap(gap):
            extensions = True
        elif extensions and gap == "#":
            hashes = True
        else:
            return False
    return tail in ("", "#", ";")


# --- URL ------------------------------------------------------------------------------------
#: Characters Java's ``.`` does not match (its line terminators).
_LINE_TERMINATORS: Final = frozenset("\n\r\u0085\u2028\u2029")
#: Zoho's prefixes in its order; the ``www`` ones take any one character more (``www.``).
_URL_PREFIXES: Final = (
    "http://www",
    "https://www",
    "ftp://www",
    "www",
    "http://",
    "https://",
    "ftp://",
    "",
)


def _excluded(*spans: tuple[int, int]) -> frozenset[str]:
    return frozenset(chr(c) for low, high in spans for c in range(low, high + 1))


_COMMON: Final = ((0x00, 0x19), (0x2E, 0x2F), (0x5B, 0x5E), (0x60, 0x60), (0x7B, 0x7B))
#: Not in the first label: controls, ``"#$%&'*+,./:;<=>?[\\]^`{}~`` and DEL.
_NOT_FIRST: Final = _excluded(*_COMMON, (0x22, 0x27), (0x2A, 0x2C), (0x3A, 0x3F), (0x7D, 0x7F))
#: Not in later labels: controls, ``"$%&'()*+,./<>@[\\]^`{}~`` and DEL.
_NOT_LATER: Final = _excluded(
    *_COMMON, (0x22, 0x22), (0x24, 0x2C), (0x3C, 0x3C), (0x3E, 0x3E), (0x40, 0x40), (0x7D, 0x7F)
)


def _url_host(head: str) -> bool:
    """A first label and one or more ``.label`` after it."""
    first, *later = head.split(".")
    return (
        bool(first)
        and bool(later)
        and _NOT_FIRST.isdisjoint(first)
        and all(label and _NOT_LATER.isdisjoint(label) for label in later)
    )


def _url_rest(rest: str) -> bool:
    """What follows the prefix: labels, then nothing or ``/`` or ``?`` and anything."""
    slash = rest.find("/")
    end = len(rest) if slash < 0 else slash
    # the tail may start at the first "/" (labels hold none) or at any "?" before it
    splits = [end]
    question = rest.find("?", 0, end)
    while question >= 0:
        splits.append(question)
        question = rest.find("?", question + 1, end)
    for split in splits:
        if _LINE_TERMINATORS.isdisjoint(rest[split:]) and _url_host(rest[:split]):
            return True
    return False


def is_url(text: str) -> bool:
    """Zoho's URL pattern (module docstring): an optional ``http://``, ``https://``,
    ``ftp://`` and/or ``www.`` (Zoho's unescaped dot: any character), then dot-separated
    labels (at least one dot), then optionally ``/`` or ``?`` and anything on one line.
    Case-sensitive as printed (``HTTPS://`` is not a prefix)."""
    for prefix in _URL_PREFIXES:
        if not text.startswith(prefix):
            continue
        rest = text[len(prefix) :]
        if prefix.endswith("www"):
            if not rest or rest[0] in _LINE_TERMINATORS:
                continue
            rest = rest[1:]
        if _url_rest(rest):
            return True
    return False


#: For a check above, a pattern's ``match`` that accepts only strings the check accepts, and
#: most valid values, in one C call: the compiled fast path tries it first (_fastcode.py).
FAST_ACCEPT: Final[Mapping[Callable[[str], bool], Callable[[str], object]]] = MappingProxyType(
    {is_email: _EMAIL_ASCII.match, is_phone: _PHONE_COMMON.match}
)
