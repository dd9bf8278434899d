"""Markdown helpers: drop MkDocs-only markup, split sections, collect links, read the glossary.

Pure text in, plain Python values out: this module knows nothing of RDF or files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.admon import admon_plugin

_md = MarkdownIt("commonmark")
#: The parser of the texts: MkDocs' admonitions and tables too, as the pages render them, so
#: that the links inside them are read.
_text_md = MarkdownIt("commonmark").use(admon_plugin).enable("table")

# attr_list blocks such as `{ data-search-exclude }` or `{ .md-button }`, after a link or at
# the end of a line (where MkDocs reads them). Every pattern here is linear in the length of a
# line: an unquoted value stops at a brace or quote and a quoted one at its quote (so no `{`
# makes the engine scan on to the end of the line), and one at the end of a line is tried only
# from the line's last `{`.
_ATTR_PART = r"(?:[.#][\w-]+|[\w-]+(?:=(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s{}\"']*))?)"
_ATTR = r"\{:?[ \t]*" + _ATTR_PART + r"(?:[ \t]+" + _ATTR_PART + r")*[ \t]*\}"
_ATTR_RE = re.compile(_ATTR)
_AFTER_LINK = re.compile(r"(?<=\))\{[^{}\n]*\}")  # a candidate: it holds no brace
_ATTR_AT_END = re.compile(_ATTR + r"[ \t]*")
_ADMONITION = re.compile(r"^(?:!!!|\?\?\?\+?)[ \t]+\S")
_BLANK_RUNS = re.compile(r"\n{3,}")
#: Lines longer than this are kept as text but not tokenised (markdown-it needs seconds per
#: megabyte of one paragraph): their links and headings are not read.
MAX_LINE = 100_000
_GLOSSARY_LINE = re.compile(r"^\*\[([^\]\n]+)\]:[ \t]*(.*)$")


#: Bodies remembered by :func:`clean`, :func:`parse` and :func:`first_paragraph`: releases
#: built in one run share most of their files, so most bodies are seen once per run.
_REMEMBERED = 4096


@lru_cache(maxsize=_REMEMBERED)
def clean(text: str) -> str:
    """Drop MkDocs-only markup, keep the rest of the Markdown.

    Removed: HTML comments (placeholders such as ``<!-- tags -->``), attribute lists
    (``{ data-search-exclude }``, ``{ .md-button }``) and admonitions or expanders left
    without a body once their placeholders are gone.
    """
    text = _drop_comments(text)
    text = _drop_attr_after_links(text)
    text = "\n".join(_drop_attr_at_end(line) for line in text.split("\n"))
    text = _drop_empty_blocks(text)
    return _BLANK_RUNS.sub("\n\n", text).strip()


def _drop_attr_after_links(text: str) -> str:
    """``text`` without attribute lists right after a link's ``)``."""
    return _AFTER_LINK.sub(lambda m: "" if _ATTR_RE.fullmatch(m.group()) else m.group(), text)


def _drop_attr_at_end(line: str) -> str:
    """``line`` without an attribute list at its end (which, holding no ``{``, starts at the
    last ``{``), and without the blanks before it."""
    start = line.rfind("{")
    if start == -1 or not _ATTR_AT_END.fullmatch(line, start):
        return line
    return line[:start].rstrip(" \t")


def _drop_comments(text: str) -> str:
    """``text`` without HTML comments (an unclosed ``<!--`` is kept); linear time."""
    out: list[str] = []
    start = 0
    while (opening := text.find("<!--", start)) != -1:
        out.append(text[start:opening])
        closing = text.find("-->", opening + 4)
        if closing == -1:
            start = opening
            break
        start = closing + 3
    out.append(text[start:])
    return "".join(out)


def _drop_empty_blocks(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if _ADMONITION.match(line):
            j = i + 1
            while j < len(lines) and (not lines[j].strip() or lines[j][:1] in " \t"):
                j += 1
            if not any(body.strip() for body in lines[i + 1 : j]):
                i = j
                continue
        out.append(line)
        i += 1
    return "\n".join(out)


@dataclass(frozen=True)
class Section:
    """A level-2 section: its heading and its Markdown (subsections included)."""

    heading: str
    markdown: str


@dataclass(frozen=True)
class Link:
    """A link in the Markdown: its text and its target as written; ``html`` for an ``<a
    href>`` written in HTML, which MkDocs leaves alone (so it is relative to the built page's
    URL, not to the file); ``image`` for an image (``![alt](src)``: its alt text and source)."""

    text: str
    href: str
    html: bool = False
    image: bool = False


#: The ``href`` of an HTML ``<a>`` tag: the tag before it, and its value in double or single
#: quotes (what :func:`html_hrefs` finds, and what the pages rewrite).
HTML_HREF = re.compile(r"""(<a\s[^>]*?)\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def html_hrefs(html: str) -> list[str]:
    """The targets of the ``<a href>`` tags in a piece of HTML, as written."""
    return [double or single for _, double, single in HTML_HREF.findall(html)]


@dataclass(frozen=True)
class Parsed:
    """A body split into the text before the first ``## `` heading and the sections after it."""

    title: str | None
    preamble: str
    sections: tuple[Section, ...]
    links: tuple[Link, ...]
    #: Numbers (from 1) of the lines longer than :data:`MAX_LINE`, kept but not tokenised.
    long_lines: tuple[int, ...] = ()


@lru_cache(maxsize=_REMEMBERED)
def parse(text: str) -> Parsed:
    """Split cleaned Markdown into preamble and ``## `` sections, and collect its links."""
    lines = text.split("\n")
    long_lines = tuple(n for n, line in enumerate(lines, start=1) if len(line) > MAX_LINE)
    if long_lines:
        text = "\n".join("" if len(line) > MAX_LINE else line for line in lines)
    tokens = _text_md.parse(text)
    starts: list[tuple[int, int, str]] = []
    title = None
    links: list[Link] = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.map and token.level == 0:
            heading = tokens[i + 1].content.strip()
            if token.tag == "h2":
                starts.append((token.map[0], token.map[1], heading))
            elif token.tag == "h1" and title is None:
                title = heading
        elif token.type == "inline" and token.children:
            links.extend(_links(token.children))
        elif token.type == "html_block":
            links.extend(Link("", href, html=True) for href in html_hrefs(token.content))
    preamble_end = starts[0][0] if starts else len(lines)
    sections = []
    for n, (_, after_heading, heading) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        body = "\n".join(lines[after_heading:end]).strip()
        sections.append(Section(heading, body))
    preamble = "\n".join(lines[:preamble_end]).strip()
    return Parsed(title, preamble, tuple(sections), tuple(links), long_lines)


def _links(children: list) -> list[Link]:
    found: list[Link] = []
    href: str | None = None
    text: list[str] = []
    for child in children:
        if child.type == "link_open":
            href, text = str(child.attrs.get("href", "")), []
        elif child.type == "html_inline":
            found.extend(Link("", h, html=True) for h in html_hrefs(child.content))
        elif child.type == "image":
            found.append(Link(child.content, str(child.attrs.get("src", "")), image=True))
        elif child.type == "link_close" and href is not None:
            found.append(Link("".join(text).strip(), href))
            href = None
        elif href is not None and child.type in ("text", "code_inline"):
            text.append(child.content)
        elif href is not None and child.type in ("softbreak", "hardbreak"):
            text.append(" ")
    return found


@lru_cache(maxsize=_REMEMBERED)
def first_paragraph(markdown: str) -> str | None:
    """The first paragraph of ``markdown`` as plain text, for use as a definition."""
    tokens = _md.parse(markdown)
    for i, token in enumerate(tokens):
        if token.type == "paragraph_open" and i + 1 < len(tokens):
            content = " ".join(tokens[i + 1].content.split())
            if content:
                return content
    return None


@dataclass(frozen=True)
class GlossaryEntry:
    """One ``*[term]: definition`` line of the glossary, with its line number."""

    term: str
    definition: str
    line: int


def glossary(text: str) -> tuple[list[GlossaryEntry], list[tuple[int, str]]]:
    """Read abbreviation-style glossary lines; also return the lines that look broken."""
    entries: list[GlossaryEntry] = []
    broken: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        match = _GLOSSARY_LINE.match(line.strip())
        if match and match.group(2).strip():
            entries.append(GlossaryEntry(match.group(1).strip(), match.group(2).strip(), number))
        else:
            broken.append((number, line.strip()))
    return entries, broken
