"""Read links to legislation: link text and target in, a :class:`Citation` value out.

Pure text: no RDF, no I/O. Forms understood (all seen in the Algoritmekader releases):

* EUR-Lex by CELEX number, any view (``/legal-content/NL/TXT/HTML/?uri=CELEX:32016R0679``,
  ``TXT/?uri=``, ``TXT/PDF/?uri=``, ``ALL/?uri=``, extra ``&from=``), treaties included
  (``CELEX:12012P/TXT``); by Official Journal number in the post-2023 form
  (``OJ:L_202401689``: year and number, the type of act from the text or elsewhere); by ELI
  (``/eli/reg/2024/1689/oj``). Anchors ``#art_43``, ``#rct_12``, ``#anx_VI``, ``#cpt_III``,
  ``#cpt_III.sct_3`` name a part; the generated ``#d1e…`` anchors say nothing and are ignored.
* wetten.overheid.nl in Juriconnect form (``jci1.3:c:BWBR0005537&hoofdstuk=3&artikel=3:2``,
  view dates ``z``/``g`` ignored) and plain (``/BWBR0005537/2024-09-01/#Hoofdstuk3_Afdeling3.7``
  ``_Artikel3:46``, also with the parts as path segments).
* Link text: ``Artikel 14``, ``Artikel 5 lid 1 onder a``, ``Artikel 6(4)``, ``Artikel 26, lid 9``,
  ``Artikel 3:46 en 3:47``, ``Artikel 1.10, 1.13 en 1.16``, ``Artikel 15 - 21`` (a range: every
  number in it), ``Artikel 15n jo. 15o``, ``Overweging 39 en 45``, ``Bijlage III.2``,
  ``Afdeling 3.2``, ``Hoofdstuk 3``; the rest of the text is taken as the law's name.

Not understood (reported by the caller): an EUR-Lex ``uri`` that is neither CELEX, a new-style
OJ number nor ELI (such as ``CELEX:C2012/326/02``, an OJ C page, or old ``OJ:L:2016:119:TOC``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

#: CELEX type letter (sector 3) -> ELI type.
EU_TYPES = {"R": "reg", "L": "dir", "D": "dec"}
#: Juriconnect parameter -> kind of part.
NL_PARTS = {
    "deel": "deel",
    "hoofdstuk": "hoofdstuk",
    "titeldeel": "titeldeel",
    "afdeling": "afdeling",
    "paragraaf": "paragraaf",
    "artikel": "artikel",
    "bijlage": "bijlage",
}
#: Kinds of part that group articles (``Division`` nodes).
DIVISIONS = ("deel", "hoofdstuk", "titeldeel", "afdeling", "paragraaf")
_EURLEX_ANCHORS = {"art": "artikel", "rct": "overweging", "anx": "bijlage", "cpt": "hoofdstuk"}
_MAX_RANGE = 60  # a wider "Artikel 1 - 400" is kept as its two ends


@dataclass(frozen=True)
class Act:
    """A law: an EU act (``celex`` and/or type, year, number) or a Dutch one (``bwb``)."""

    system: str  # "eu" or "nl"
    celex: str | None = None
    type: str | None = None  # reg, dir, dec; None when unknown
    year: int | None = None
    number: int | None = None
    bwb: str | None = None

    @property
    def key(self) -> tuple:
        """What identifies the act, whatever link form named it."""
        if self.system == "nl":
            return ("nl", self.bwb)
        if self.year is not None and self.number is not None:
            return ("eu", self.year, self.number)
        return ("eu", self.celex)

    def with_type(self, type_: str) -> Act:
        """The same act with its EU type filled in (and its CELEX number derived)."""
        letter = {v: k for k, v in EU_TYPES.items()}[type_]
        celex = self.celex or f"3{self.year}{letter}{self.number:04d}"
        return Act(self.system, celex, type_, self.year, self.number, self.bwb)


@dataclass(frozen=True)
class Part:
    """A cited part of an act: ``kind`` (artikel, overweging, bijlage or a division such as
    hoofdstuk/afdeling) and ``number`` as written; ``within`` the enclosing divisions where the
    link gives them (``(("hoofdstuk", "I"),)`` for paragraaf 2 of chapter I); ``lid`` the
    paragraph of an article, if named."""

    kind: str
    number: str
    within: tuple[tuple[str, str], ...] = ()
    lid: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.number)


@dataclass(frozen=True)
class Citation:
    """One link to legislation: the act, the parts named by the URL and by the link text."""

    text: str
    href: str
    act: Act | None
    url_parts: tuple[Part, ...] = ()
    text_parts: tuple[Part, ...] = ()
    name: str | None = None
    type_hint: str | None = None  # EU type suggested by the text (verordening -> reg)

    @property
    def parts(self) -> tuple[Part, ...]:
        """Every part cited: the URL's, then those only the text names (duplicates dropped)."""
        seen = {p.key for p in self.url_parts}
        return self.url_parts + tuple(p for p in self.text_parts if p.key not in seen)

    @property
    def disagreement(self) -> bool:
        """True when URL and text name parts of the same kind and none of them in common."""
        for kind in {p.kind for p in self.url_parts} & {p.kind for p in self.text_parts}:
            url = {p.number for p in self.url_parts if p.kind == kind}
            text = {p.number for p in self.text_parts if p.kind == kind}
            if not url & text:
                return True
        return False


def is_legal(href: str) -> bool:
    """Whether ``href`` points at EUR-Lex or wetten.overheid.nl."""
    host = (urlsplit(href.strip()).hostname or "").lower()
    return host in ("eur-lex.europa.eu", "wetten.overheid.nl", "www.wetten.overheid.nl")


def parse_citation(text: str, href: str) -> Citation:
    """Read one link; ``act`` is None when the target names no act we can identify."""
    text = " ".join(text.split())
    href = href.strip()
    split = urlsplit(href)
    host = (split.hostname or "").lower()
    act: Act | None = None
    url_parts: tuple[Part, ...] = ()
    if host == "eur-lex.europa.eu":
        act, url_parts = _eurlex(split.path, split.query, split.fragment)
    elif host.endswith("wetten.overheid.nl"):
        act, url_parts = _wetten(href[href.index(split.netloc) + len(split.netloc) :])
    system = act.system if act else ("eu" if host == "eur-lex.europa.eu" else "nl")
    text_parts, name = _text(text, system)
    return Citation(text, href, act, url_parts, text_parts, name, _type_hint(text))


# -- EUR-Lex --------------------------------------------------------------------------------

_CELEX = re.compile(r"^(?P<sector>[0-9CE])(?P<year>\d{4})(?P<type>[A-Z]{1,2})(?P<rest>.*)$")
_OJ_NEW = re.compile(r"^OJ:(?P<series>[LC])_(?P<year>\d{4})(?P<number>\d{5})$", re.I)
_ELI = re.compile(r"/eli/(?P<type>reg|dir|dec)(?:_[a-z]+)?/(?P<year>\d{4})/(?P<number>\d+)")


def _eurlex(path: str, query: str, fragment: str) -> tuple[Act | None, tuple[Part, ...]]:
    act = None
    eli = _ELI.search(path)
    if eli:
        act = Act("eu", None, eli["type"], int(eli["year"]), int(eli["number"]))
        act = act.with_type(eli["type"])
    else:
        uri = next((v for k, v in parse_qsl(query) if k.lower() == "uri"), "")
        uri = unquote(uri).strip()
        if uri[:6].upper() == "CELEX:":
            act = _celex(uri[6:])
        elif found := _OJ_NEW.match(uri):
            act = Act("eu", None, None, int(found["year"]), int(found["number"]))
    return act, _eurlex_anchor(fragment)


def _celex(value: str) -> Act | None:
    found = _CELEX.match(value.upper())
    if not found or found["sector"] not in "0123456789":
        return None
    celex = value.upper()
    if found["sector"] == "3" and found["type"] in EU_TYPES:
        number = re.match(r"^(\d{1,4})", found["rest"])
        if number:
            return Act("eu", celex, EU_TYPES[found["type"]], int(found["year"]), int(number[1]))
    return Act("eu", celex)


def _eurlex_anchor(fragment: str) -> tuple[Part, ...]:
    parts: list[tuple[str, str]] = []
    for piece in unquote(fragment).split("."):
        found = re.match(r"^(art|rct|anx|cpt|sct)_([0-9A-Za-z]+)$", piece)
        if not found:
            return ()
        kind = "afdeling" if found[1] == "sct" else _EURLEX_ANCHORS[found[1]]
        parts.append((kind, found[2]))
    if not parts:
        return ()
    kind, number = parts[-1]
    return (Part(kind, number, tuple(parts[:-1])),)


# -- wetten.overheid.nl ---------------------------------------------------------------------

_BWB = re.compile(r"(BWB[RV]\d{7})")
_PLAIN_PART = re.compile(
    r"(Deel|Hoofdstuk|Titeldeel|Afdeling|Paragraaf|Artikel|Bijlage)([0-9A-Za-z:.]+?)(?=_|/|$)"
)


def _wetten(rest: str) -> tuple[Act | None, tuple[Part, ...]]:
    rest = unquote(rest).lstrip("/")
    bwb = _BWB.search(rest)
    if not bwb:
        return None, ()
    act = Act("nl", bwb=bwb[1])
    if rest.startswith("jci"):
        pairs = [tuple(p.split("=", 1)) for p in rest.split("&")[1:] if "=" in p]
        path = [(NL_PARTS[k.lower()], v) for k, v in pairs if k.lower() in NL_PARTS and v]
    else:
        after = rest[bwb.end() :]
        path = [(m[1].lower(), m[2]) for m in _PLAIN_PART.finditer(after)]
    if not path:
        return act, ()
    kind, number = path[-1]
    return act, (Part(kind, number, tuple(path[:-1]) if kind != "artikel" else ()),)


# -- link text ------------------------------------------------------------------------------

_NUMBER = r"(?:\d+(?:[:.]\d+)*[a-z]?\b|[IVXLC]+\b(?:\.\d+)?)"
_SUB = (
    r"(?:(?:\s*\([^)]*\))+|,?\s+(?:lid|leden)\s+\d+[a-z]?"
    r"(?:\s+(?:onder|sub)\s+[a-z]\b(?:\s+en\s+[a-z]\b)?)?)"
)
_LIST = rf"{_NUMBER}{_SUB}?(?:\s*(?:,|\ben\b|-|\u2013|t/m|,?\s*jo\.)\s*{_NUMBER}{_SUB}?)*"
_HEAD = re.compile(
    r"^(?P<word>(?i:artikel(?:en)?|overweging(?:en)?|bijlage(?:n)?|afdeling|hoofdstuk|paragraaf))"
    rf"\s*(?P<list>{_LIST})"
)
_KIND = {
    "artikel": "artikel",
    "artikelen": "artikel",
    "overweging": "overweging",
    "overwegingen": "overweging",
    "bijlage": "bijlage",
    "bijlagen": "bijlage",
    "afdeling": "afdeling",
    "hoofdstuk": "hoofdstuk",
    "paragraaf": "paragraaf",
}
# Words that may follow the parts before the law's name starts.
_FILLER = re.compile(
    r"^(?:[\s,]+|(?:onderdeel|onder|sub|lid|leden|en|van|de|het|der)\b|\d+[a-z]?\b|[a-z]\b)+", re.I
)


def _text(text: str, system: str) -> tuple[tuple[Part, ...], str | None]:
    """The parts the link text names and what is left of it: the law's name."""
    found = _HEAD.match(text)
    if not found:
        return (), text or None
    kind = _KIND[found["word"].lower()]
    parts = _numbers(found["list"], kind, system)
    name = _FILLER.sub("", text[found.end() :]).strip(" ,")
    return parts, name or None


def _numbers(listed: str, kind: str, system: str) -> tuple[Part, ...]:
    parts: list[Part] = []
    listed = re.sub(r",?\s*jo\.\s*", " , ", listed)
    tokens = re.finditer(rf"(?P<sep>-|\u2013|t/m)?\s*(?P<n>{_NUMBER})(?P<sub>{_SUB})?", listed)
    for token in tokens:
        number, lid = token["n"], _lid(token["sub"] or "")
        if kind == "artikel" and system == "eu" and re.fullmatch(r"\d+\.\d+", number):
            number, lid = number.split(".")  # EU articles are whole numbers: 6.2 is 6(2)
        if kind == "bijlage" and "." in number:
            number = number.split(".")[0]  # Bijlage III.2: point 2 of annex III
        if token["sep"] and parts and parts[-1].number.isdigit() and number.isdigit():
            start, end = int(parts[-1].number), int(number)
            if 0 < end - start <= _MAX_RANGE:
                parts += [Part(kind, str(n)) for n in range(start + 1, end + 1)]
                continue
        part = Part(kind, number, (), lid)
        if part.key not in {p.key for p in parts}:
            parts.append(part)
    return tuple(parts)


def _lid(sub: str) -> str | None:
    found = re.search(r"(\d+)", sub)
    return found[1] if found else None


def _type_hint(text: str) -> str | None:
    lowered = text.lower()
    if "verordening" in lowered or re.search(r"\bavg\b", lowered):
        return "reg"
    if "richtlijn" in lowered:
        return "dir"
    return None
