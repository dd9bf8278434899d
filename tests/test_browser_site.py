"""The site in headless Chromium at 1280 and 390 px: words stay whole (issue 16, item 5)."""

from __future__ import annotations

import pytest

from tests.test_browser import browser  # noqa: F401 - the shared Chromium fixture

#: For every word in labels, headings and chips: the number of line boxes it is split over.
SPLIT_WORDS = """
() => {
  const split = [];
  const selector = 'main dt, main legend, main label, main h1, main h2, main h3, main th, '
                 + 'ul.chips a, header.site';
  for (const element of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest('code, pre')) continue;
      for (const match of node.textContent.matchAll(/[\\p{L}\\p{N}]{4,}/gu)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size > 1) split.push(match[0]);
      }
    }
  }
  return split;
}
"""
PAGES = [
    "/", "/maatregelen", "/vereisten?levenscyclus=ontwerp", "/hulpmiddelen",
    "/doc/urn:nl:ak:ver:aia-09", "/doc/urn:nl:ak:mtr:imp-03", "/validatie",
    "/doc/urn:nl:ak:levenscyclus:ontwerp", "/queries/", "/zoeken?q=transparantie",
    "/wat-geldt-voor-ons?rol-ai-act=aanbieder&soort-toepassing=ai-systeem"
    "&risicogroep=uitzondering-van-toepassing",
]  # fmt: skip


@pytest.mark.parametrize("width", [1280, 390])
def test_words_are_not_broken_mid_word(browser, corpus_server, width):  # noqa: F811
    context = browser.new_context(locale="nl-NL", viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        for path in PAGES:
            page.goto(corpus_server + path)
            assert page.evaluate(SPLIT_WORDS) == [], (path, width)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, (path, width, scroll)
    finally:
        context.close()
