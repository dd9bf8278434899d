"""The pages in a real headless Chromium (Debian's ``chromium``) against a live server on v2.5.1:
dereference a URN, follow a relation, filter a list, run a named query, at 320 px too."""

from __future__ import annotations

import os
import re
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
AIA09 = "urn:nl:ak:ver:aia-09"


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    yield page
    context.close()


def test_dereference_follow_filter_and_query(page, corpus_server, latest_build, tmp_path):
    from rdflib import URIRef
    from rdflib.namespace import DCTERMS

    graph = latest_build.union()
    page.goto(f"{corpus_server}/{AIA09}")
    assert page.url == f"{corpus_server}/doc/{AIA09}"
    title = str(graph.value(URIRef(AIA09), DCTERMS.title))
    assert page.locator("h1").inner_text() == title
    assert page.locator("#urn").inner_text() == AIA09
    page.screenshot(path=str(tmp_path / "item.png"), full_page=True)

    measures = page.locator("ul.implemented a")
    assert measures.count() > 0
    first_title = measures.first.inner_text()
    measures.first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == first_title
    assert re.search(r"/doc/urn:nl:ak:mtr:", page.url)

    page.goto(f"{corpus_server}/maatregelen")
    everything = page.locator("ol.results > li").count()
    page.locator("input[name=levenscyclus][value=ontwerp]").check()
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    assert "levenscyclus=ontwerp" in page.url
    filtered = page.locator("ol.results > li").count()
    assert 0 < filtered < everything

    page.goto(f"{corpus_server}/queries/")
    page.get_by_role("link", name="Maatregelen bij een vereiste").click()
    page.wait_for_load_state()
    page.get_by_label("URN van de vereiste").fill(AIA09)
    page.get_by_role("button", name="Toon").click()
    page.wait_for_load_state()
    rows = page.locator("table tbody tr")
    assert rows.count() > 0
    assert page.locator("table tbody a").first.get_attribute("href").startswith("/doc/urn:nl:ak:")
    assert page.errors == []


def test_copy_button_and_narrow_screen(browser, corpus_server):
    context = browser.new_context(locale="nl-NL", viewport={"width": 320, "height": 800})
    page = context.new_page()
    try:
        for path in (f"/doc/{AIA09}", "/maatregelen", "/", "/query"):
            page.goto(corpus_server + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, (path, width)
        page.goto(f"{corpus_server}/doc/{AIA09}")
        # the copy button is shown by the (external) script where the clipboard API exists
        assert page.locator("button.copy").count() == 1
    finally:
        context.close()
