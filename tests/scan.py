"""An independent reading of a checkout for the tests: plain text scanning, none of akgraph's
reader, so the tests compare akgraph against something it did not compute itself."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

FOLDERS = {
    "measure": "docs/voldoen-aan-wetten-en-regels/maatregelen",
    "requirement": "docs/voldoen-aan-wetten-en-regels/vereisten",
    "instrument": "docs/voldoen-aan-wetten-en-regels/hulpmiddelen",
}


@dataclass
class ScannedFile:
    path: str
    slug: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    sources: list[tuple[str, str]] = field(default_factory=list)


def _unquote(value: str) -> str:
    """A plain scalar as written, or the inside of a quoted one."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"')
    return value


def _frontmatter_lines(text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").split("\n")
    assert lines[0].strip() == "---", "no frontmatter"
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    return lines[1:end]


def scan_file(root: Path, path: Path) -> ScannedFile:
    """Top-level keys with their scalar or list values, read line by line."""
    scanned = ScannedFile(path.relative_to(root).as_posix(), path.stem)
    key = None
    in_sources = None
    for line in _frontmatter_lines(path.read_text(encoding="utf-8")):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        top = re.match(r"^([\w-]+):\s*(.*)$", line)
        if top:
            key, value = top.group(1), top.group(2).strip()
            scanned.fields.setdefault(key, [])
            in_sources = None
            if value and value != "[]":
                scanned.fields[key].append(_unquote(value))
            continue
        item = re.match(r"^\s*-\s*(.*)$", line)
        if item and key and key != "sources":
            scanned.fields[key].append(_unquote(item.group(1)))
            continue
        nested = re.match(r"^\s+([\w-]+):\s*(.*)$", line)
        if nested and key == "sources":
            in_sources = nested.group(1)
            if nested.group(2).strip():
                scanned.sources.append((in_sources, _unquote(nested.group(2))))
            continue
        nested_item = re.match(r"^\s+-\s*(.*)$", line)
        if nested_item and key == "sources" and in_sources:
            scanned.sources.append((in_sources, _unquote(nested_item.group(1))))
    return scanned


def scan(root: Path) -> dict[str, list[ScannedFile]]:
    """Every item file by kind (overview pages left out)."""
    return {
        kind: [
            scan_file(root, p) for p in sorted((root / folder).glob("*.md")) if p.stem != "index"
        ]
        for kind, folder in FOLDERS.items()
    }


def glossary_terms(root: Path) -> list[str]:
    text = (root / "includes" / "begrippenlijst.md").read_text(encoding="utf-8")
    return [m.group(1).strip() for m in re.finditer(r"^\*\[([^\]]+)\]:", text, re.M)]


# -- links to legislation ----------------------------------------------------------------------

_MD_LINK = re.compile(r"\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
LEGAL_HOSTS = ("https://eur-lex.europa.eu/", "https://wetten.overheid.nl/")


@dataclass
class ScannedLink:
    path: str
    section: str  # the ## heading above the link ("" before the first)
    text: str
    href: str


def legal_links(root: Path) -> dict[str, list[ScannedLink]]:
    """Per requirement file, its Markdown links to EUR-Lex and wetten.overheid.nl, read with a
    plain regex (HTML comments dropped, line breaks in link text read as spaces)."""
    found: dict[str, list[ScannedLink]] = {}
    for path in sorted((root / FOLDERS["requirement"]).glob("*.md")):
        if path.stem == "index":
            continue
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        body = text.split("\n---", 1)[1] if text.startswith("---") else text
        body = re.sub(r"<!--.*?-->", "", body, flags=re.S)
        links: list[ScannedLink] = []
        section = ""
        for block in re.split(r"^(## .*)$", body, flags=re.M):
            if block.startswith("## "):
                section = re.sub(r"\{.*\}", "", block[3:]).strip()
                continue
            for m in _MD_LINK.finditer(block):
                if m.group(2).startswith(LEGAL_HOSTS):
                    links.append(ScannedLink(rel, section, " ".join(m.group(1).split()), m[2]))
        found[rel] = links
    return found


def law_ids(href: str) -> set[str]:
    """The act ids in a legal link's URL: ``BWBR…``, a CELEX number (which starts with its
    sector digit) or ``OJ:L_…`` as written."""
    return set(re.findall(r"BWB[RV]\d{7}|CELEX:\d[0-9A-Z/]+|OJ:L_\d{9}", href))


def text_article_numbers(text: str, eu: bool) -> set[str]:
    """Article numbers in a link text that starts with ``Artikel``: list items and ranges,
    with paragraph references (``lid 2``, ``(3)``, ``sub c``) left out."""
    m = re.match(r"(?i)artikel(?:en)?\s*(.*)$", text)
    if not m:
        return set()
    rest = re.sub(r"\([^)]*\)|\b(?:lid|leden)\s+\d+|\b(?:sub|onder)\s+[a-z]\b", " ", m.group(1))
    words = re.sub(r"\s*([,\u2013-])\s*", r" \1 ", rest).split()
    numbers: list[str] = []
    ranged = False
    for word in words:
        if re.fullmatch(r"\d+(?:[:.]\d+)*[a-z]?", word):
            number = word.split(".")[0] if eu else word
            if ranged and numbers and numbers[-1].isdigit() and number.isdigit():
                numbers += [str(n) for n in range(int(numbers[-1]) + 1, int(number) + 1)]
            else:
                numbers.append(number)
            ranged = False
        elif word in ("-", "\u2013", "t/m"):
            ranged = True
        elif word.lower() in (",", "en", "jo.", "a", "b", "c", "d", "de"):
            continue
        else:
            break
    return set(numbers)


def url_article(href: str) -> str | None:
    """The article a legal link's URL names (``artikel=``, ``#art_``, ``_Artikel``), if any."""
    m = re.search(r"[&?]artikel=([^&#]+)|#art_([0-9a-z]+)$|Artikel([0-9a-z:.]+)$", href)
    return next((g for g in m.groups() if g), None) if m else None
