"""Accessibility in a real browser: axe-core (the copy axe-playwright-python ships) in Debian's
Chromium over every page type of the app on the real release v2.5.1, at 1280 and 320 px, with
WCAG 2.1 A and AA rules: no violations. Then keyboard only: the skip link, the menu, the search
field, a list's filters and the decision aid, without a mouse."""

from __future__ import annotations

import urllib.parse

import pytest

from tests.test_browser import browser  # noqa: F401 - the shared Chromium fixture

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: One address per page type (the page the statement at /toegankelijkheid lists).
PAGES = {
    "home": "/",
    "measures": "/maatregelen",
    "requirements, filtered": "/vereisten?risicogroep=hoog-risico-ai-systeem",
    "instruments": "/hulpmiddelen",
    "measure": "/doc/urn:nl:ak:mtr:org-02",
    "requirement": "/doc/urn:nl:ak:ver:aia-09",
    "instrument": "/doc/urn:nl:ak:hlp:iama",
    "glossary term": "/doc/urn:nl:ak:begrip:algoritme",
    "audit criterion": "/doc/urn:nl:ak:adr:SV.8",
    "lifecycle phase": "/doc/urn:nl:ak:levenscyclus:ontwerp",
    "role": "/doc/urn:nl:ak:rollen:jurist",
    "topic": "/doc/urn:nl:ak:onderwerp:transparantie",
    "AI-Act label": "/doc/urn:nl:ak:risicogroep:hoog-risico-ai-systeem",
    "scheme": "/doc/urn:nl:ak:levenscyclus",
    "page of the site": "/doc/urn:nl:ak:pagina:ai-verordening/index",
    "search": "/zoeken?q=transparantie",
    "query": "/query",
    "query with result": "/query?" + urllib.parse.urlencode(
        {"query": "SELECT ?s ?t WHERE { ?s <http://purl.org/dc/terms/title> ?t } LIMIT 5"}
    ),
    "named queries": "/queries/",
    "named query": "/queries/measures-for-requirement",
    "validation": "/validatie",
    "about": "/over",
    "ontology": "/def",
    "releases": "/releases",
    "what applies to us": "/wat-geldt-voor-ons?risicogroep=hoog-risico-ai-systeem"
    "&rol-ai-act=aanbieder&soort-toepassing=ai-systeem",
    "accessibility statement": "/toegankelijkheid",
    "unknown URN": "/doc/urn:nl:ak:mtr:bestaat-niet",
}
#: Pages of the decision aid, on the bundled sample (the shared releases have none beside them).
SAMPLE_PAGES = {
    "decision aid": "/beslishulp",
    "decision aid, a later question": "/beslishulp?pad=0",
    "registry instrument": "/doc/urn:nl:aivt:tr:iama:1.0",
    "registry question": "/doc/urn:nl:aivt:tr:iama:1.0:1.2",
}


@pytest.fixture(scope="module")
def sample_server(app):
    from tests.live import live

    with live(app) as url:
        yield url


@pytest.fixture(scope="module")
def axe():
    return pytest.importorskip("axe_playwright_python.sync_playwright").Axe()


def _violations(axe, page) -> list[str]:
    result = axe.run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:12]}"
        for v in result.response["violations"]
    ]


def _audit(browser, axe, width: int, pages, lang: str) -> dict[str, list[str]]:  # noqa: F811
    """axe's violations (or the wrong status or language) per page type, at ``width``; the
    ``unknown`` page types answer 404."""
    context = browser.new_context(locale="nl-NL", viewport={"width": width, "height": 900})
    page = context.new_page()
    found = {}
    try:
        for base, paths in pages:
            for name, path in paths.items():
                response = page.goto(base + path, timeout=120_000)
                expected = 404 if name.startswith("unknown") else 200
                if response is None or response.status != expected:
                    found[name] = [f"HTTP {response.status if response else None}"]
                    continue
                if page.get_attribute("html", "lang") != lang:
                    found[name] = [f"html lang is not {lang}"]
                violations = _violations(axe, page)
                if violations:
                    found[name] = violations
    finally:
        context.close()
    return found


@pytest.mark.parametrize("width", [1280, 320])
def test_no_wcag_violations_on_any_page_type(
    browser, axe, corpus_server, sample_server, width  # noqa: F811
):
    pages = [(corpus_server, PAGES), (sample_server, SAMPLE_PAGES)]
    found = _audit(browser, axe, width, pages, "nl")
    assert not found, found


@pytest.fixture
def keyboard_page(browser):  # noqa: F811
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def _focused(page) -> dict:
    return page.evaluate(
        "() => { const e = document.activeElement; return {tag: e.tagName, id: e.id,"
        " text: (e.innerText || e.value || '').trim(), href: e.getAttribute('href'),"
        " outline: getComputedStyle(e).outlineStyle} }"
    )


def test_keyboard_only(keyboard_page, corpus_server):
    page = keyboard_page
    page.goto(corpus_server + "/")
    page.keyboard.press("Tab")
    first = _focused(page)
    assert first["text"] == "Naar de inhoud" and first["outline"] != "none"
    page.keyboard.press("Enter")
    assert page.url.endswith("#inhoud")
    # the menu and the search field are reached with Tab, in reading order
    page.goto(corpus_server + "/")
    seen = []
    for _ in range(15):
        page.keyboard.press("Tab")
        seen.append(_focused(page))
        if seen[-1]["id"] == "zoekterm":
            break
    assert [f["text"] for f in seen[2:5]] == ["Maatregelen", "Vereisten", "Hulpmiddelen"]
    assert seen[-1]["id"] == "zoekterm"
    page.keyboard.type("transparantie")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/zoeken?q=transparantie" in page.url
    assert page.locator("main a").count() > 0


def test_list_filters_by_keyboard(keyboard_page, corpus_server):
    """Tab to the first filter checkbox of the requirements list, tick it with Space and
    submit with Enter: the list shows that filter."""
    page = keyboard_page
    page.goto(corpus_server + "/vereisten")
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = _focused(page)
        kind = page.evaluate("() => document.activeElement.type || ''")
        if focused["tag"] == "INPUT" and kind == "checkbox":
            break
    else:
        pytest.fail("no filter checkbox reached with Tab")
    name = page.evaluate("() => document.activeElement.name")
    value = page.evaluate("() => document.activeElement.value")
    page.keyboard.press("Space")
    assert page.evaluate("() => document.activeElement.checked")
    for _ in range(200):  # on to the form's submit button
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.type") == "submit":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
    assert value in query.get(name, []), page.url


def test_decision_aid_by_keyboard_without_javascript(browser, sample_server):  # noqa: F811
    """The first question of the decision aid is answered with Tab and Enter alone, with
    JavaScript off: the next page is another question or a conclusion."""
    context = browser.new_context(locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(sample_server + "/beslishulp")
        heading = page.locator("h1").inner_text()
        # the first answer has the focus; Space chooses it, Tab reaches "Volgende"
        assert page.evaluate("() => document.activeElement.type") == "radio"
        page.keyboard.press("Space")
        for _ in range(20):
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement.type") == "submit":
                break
        else:
            pytest.fail("no submit button reached with Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "pad=" in page.url or "antwoord=" in page.url
        assert page.locator("h1").inner_text() != heading
    finally:
        context.close()


def _english(paths: dict[str, str]) -> dict[str, str]:
    """The same pages asked for in English (``lang=en`` added to the query string)."""
    return {name: path + ("&" if "?" in path else "?") + "lang=en" for name, path in paths.items()}


#: Every page type in English (``?lang=en``), and the page for an unknown address.
ENGLISH_PAGES = {**_english(PAGES), "unknown page": "/bestaat-niet?lang=en"}
ENGLISH_SAMPLE_PAGES = _english(SAMPLE_PAGES)


@pytest.mark.parametrize("width", [1280, 320])
def test_no_wcag_violations_in_english(
    browser, axe, corpus_server, sample_server, width  # noqa: F811
):
    pages = [(corpus_server, ENGLISH_PAGES), (sample_server, ENGLISH_SAMPLE_PAGES)]
    found = _audit(browser, axe, width, pages, "en")
    assert not found, found
