"""Markdown of the framework to safe HTML for the pages.

markdown-it-py renders CommonMark plus tables and MkDocs admonitions: ``!!! note "Titel"``
becomes an ``<aside>``, an expander ``??? info "Titel"`` a ``<details>`` (``???+``: open), so
both work without JavaScript. Links are passed through a resolver (so a link to another page of
the framework lands on our page for that item). nh3 then sanitises the result: whatever the
Markdown holds, no script, event handler or ``javascript:`` URL survives.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape
from mdit_py_plugins.admon import admon_plugin

from akgraph.source.markdown import HTML_HREF

#: Turns a link target as written in the Markdown (and whether it is in HTML) into the URL to
#: use: None keeps it, ``""`` drops it (the link's text stays, as text).
Resolver = Callable[[str, bool], str | None]

_TAGS = {
    "a", "abbr", "aside", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl",
    "dt", "em", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "*": {"class"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "details": {"open"},
    "td": {"align"},
    "th": {"align"},
    "table": {"tabindex"},
}


def _admonition_open(
    renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict
) -> str:
    token = tokens[idx]
    kind = escape(token.meta.get("tag", "note"))
    expander = token.markup.startswith("???")
    env.setdefault("admonitions", []).append(expander)
    if expander:
        opened = " open" if token.markup.endswith("+") else ""
        return f'<details class="admonition {kind}"{opened}>\n'
    return f'<aside class="admonition {kind}">\n'


def _admonition_close(
    renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict
) -> str:
    return "</details>\n" if env["admonitions"].pop() else "</aside>\n"


def _title_open(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    return "<summary>" if env["admonitions"][-1] else '<p class="admonition-title">'


def _title_close(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict) -> str:
    return "</summary>\n" if env["admonitions"][-1] else "</p>\n"


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark").use(admon_plugin).enable("table")
    md.add_render_rule("admonition_open", _admonition_open)
    md.add_render_rule("admonition_close", _admonition_close)
    md.add_render_rule("admonition_title_open", _title_open)
    md.add_render_rule("admonition_title_close", _title_close)
    return md


_MD = _markdown()


def _without_title(tokens: list[Token]) -> list[Token]:
    """Leave out level-1 headings: the page shows the title itself."""
    kept, skipping = [], False
    for token in tokens:
        if token.type == "heading_open" and token.tag == "h1":
            skipping = True
        elif skipping and token.type == "heading_close":
            skipping = False
        elif not skipping:
            kept.append(token)
    return kept


def to_text(markdown: str) -> str:
    """The words of ``markdown`` as plain text (no markup, no HTML): for search snippets."""
    blocks = []
    for token in _MD.parse(markdown, {}):
        if token.type == "inline":
            words = [
                " " if child.type in ("softbreak", "hardbreak") else child.content
                for child in token.children or ()
                if child.type in ("text", "code_inline", "softbreak", "hardbreak")
            ]
            blocks.append("".join(words))
        elif token.type in ("fence", "code_block"):
            blocks.append(token.content)
    return "\n".join(b.strip() for b in blocks if b.strip())


def _resolve_html(html: str, resolve: Resolver) -> str:
    """``html`` with the ``href`` of each ``<a>`` tag resolved (dropped when it goes nowhere)."""

    def replace(match: re.Match[str]) -> str:
        written = match.group(2) if match.group(2) is not None else match.group(3)
        target = resolve(written, True)
        if target is None:
            return match.group(0)
        if target == "":
            return match.group(1)
        return f'{match.group(1)}href="{escape(target)}"'

    return HTML_HREF.sub(replace, html)


def to_html(markdown: str, resolve: Resolver | None = None) -> Markup:
    """Safe HTML for ``markdown``; ``resolve`` may rewrite link targets."""
    env: dict[str, Any] = {}
    tokens = _without_title(_MD.parse(markdown, env))
    if resolve is not None:
        for token in tokens:
            if token.type == "html_block":
                token.content = _resolve_html(token.content, resolve)
            for child in token.children or ():
                if child.type == "link_open":
                    target = resolve(str(child.attrGet("href") or ""), False)
                    if target == "":
                        del child.attrs["href"]
                    elif target is not None:
                        child.attrSet("href", target)
                elif child.type == "html_inline":
                    child.content = _resolve_html(child.content, resolve)
                elif child.type == "image":
                    source = resolve(str(child.attrGet("src") or ""), False)
                    if source:
                        child.attrSet("src", source)
    # a wide table scrolls sideways (CSS); tabindex lets keyboard users scroll it too
    html = _MD.renderer.render(tokens, _MD.options, env).replace("<table>", '<table tabindex="0">')
    return Markup(
        nh3.clean(
            html,
            tags=_TAGS,
            attributes=_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer",
        )
    )
