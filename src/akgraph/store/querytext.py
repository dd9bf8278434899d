"""Cheap lexical facts about a SPARQL text, for the web process (which never parses SPARQL).

The query itself is parsed and evaluated only by oxigraph, in a sandboxed worker
(:mod:`akgraph.store.worker`). What is read here decides only which clear error to answer early
(read-only, SERVICE, empty) and whether the query names its own dataset (``FROM``). The
scanner errs on the side of seeing a keyword: comments end at any line or page break, and
keywords are looked for in the text both as written and with ``\\u``/``\\U`` escapes decoded
(SPARQL decodes those before parsing). Nothing here is a security boundary: the workers have
no network, whatever this scanner misses.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: Keywords that occur only in SPARQL Update, never in a query.
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\r\n\f\v\x85\u2028\u2029]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w+)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>[\w.\-]*:[\w.:%\\\-]*)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)


def decode_escapes(text: str) -> str:
    """``text`` with SPARQL's ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes replaced (invalid code
    points are left as written)."""

    def char(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _ESCAPE.sub(char, text)


def _keywords(text: str) -> list[str]:
    return [m.group("word").upper() for m in _TOKEN.finditer(text) if m.lastgroup == "word"]


def _meaningful(text: str) -> bool:
    return any(m.lastgroup != "comment" for m in _TOKEN.finditer(text))


@lru_cache(maxsize=4096)
def keywords(text: str) -> frozenset[str]:
    """Upper-cased bare words of ``text`` (outside strings, IRIs, comments, names), as
    written and after escape decoding."""
    return frozenset(_keywords(text)) | frozenset(_keywords(decode_escapes(text)))


def is_empty(text: str) -> bool:
    """Nothing but white space and comments."""
    return not _meaningful(text) and not _meaningful(decode_escapes(text))


def is_update(text: str) -> bool:
    """``text`` uses an update keyword (INSERT, DELETE, LOAD, ...)."""
    return not keywords(text).isdisjoint(UPDATE_KEYWORDS)


def uses_service(text: str) -> bool:
    """``text`` has the SERVICE keyword (federated query)."""
    return "SERVICE" in keywords(text)


def mentions_service(text: str) -> bool:
    """The word SERVICE occurs anywhere, escapes decoded (the refusal used when the workers
    cannot be cut off from the network)."""
    return "SERVICE" in text.upper() or "SERVICE" in decode_escapes(text).upper()


def has_dataset(text: str) -> bool:
    """The query names its own dataset (``FROM`` / ``FROM NAMED``)."""
    return "FROM" in keywords(text)


def form(text: str) -> str | None:
    """The first query-form keyword (SELECT, ASK, CONSTRUCT, DESCRIBE): a guess for tools
    (the server takes the form from oxigraph's answer)."""
    for word in _keywords(decode_escapes(text)):
        if word in FORMS:
            return word
    return None
