"""YASGUI on the query page, in Chromium: where scripts/static has bundled it, its editor
replaces the plain form, runs a query against /sparql and shows the rows, with no console
error (the Content-Security-Policy stays 'self'); without JavaScript the plain form remains."""

from __future__ import annotations

import os

import pytest

from akgraph.web import query_pages
from tests.test_browser import browser  # noqa: F401 - the shared Chromium fixture

QUERY = (
    "PREFIX dct: <http://purl.org/dc/terms/>\n"
    "SELECT ?item ?title WHERE { ?item a <https://w3id.org/algoritmekader/def#Requirement> ;"
    " dct:title ?title } ORDER BY ?item LIMIT 7"
)


@pytest.fixture(scope="module")
def bundled():
    if not query_pages._bundled(query_pages.YASGUI):
        if os.environ.get("CI"):
            pytest.fail("YASGUI is not bundled: scripts/test runs scripts/static")
        pytest.skip("YASGUI is not bundled (run ./scripts/static)")


def test_a_query_runs_through_yasgui(browser, bundled, corpus_server):  # noqa: F811
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(corpus_server + "/query")
        page.wait_for_selector(".yasqe .CodeMirror", timeout=30_000)
        assert page.locator("form.query").is_hidden()
        page.evaluate(
            "(text) => document.querySelector('.yasqe .CodeMirror').CodeMirror.setValue(text)",
            QUERY,
        )
        with page.expect_response(lambda r: r.url.endswith("/sparql")) as answer:
            page.locator(".yasqe_queryButton").click()
        assert answer.value.status == 200
        page.wait_for_selector(".yasr table tbody tr", timeout=30_000)
        rows = page.locator(".yasr table tbody tr")
        assert rows.count() == 7
        assert "urn:nl:ak:ver:" in rows.first.inner_text()
        # the store's prefixes are preloaded into the editor
        value = page.evaluate("() => document.querySelector('.yasqe .CodeMirror').CodeMirror"
                              ".getValue()")  # fmt: skip
        assert "PREFIX dct:" in value
    finally:
        context.close()
    # YASR's column resizer tries to add an inline <style>; the policy blocks it (by design:
    # akgraph.css carries those rules). Any other error fails the test.
    blocked = "Applying inline style violates the following Content Security Policy directive"
    assert [e for e in errors if not e.startswith(blocked)] == []


def test_without_javascript_the_plain_form_remains(browser, corpus_server):  # noqa: F811
    context = browser.new_context(locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(corpus_server + "/query")
        assert page.locator("form.query textarea").is_visible()
        page.locator("form.query textarea").fill(QUERY)
        with page.expect_navigation():
            page.locator("form.query button[type=submit]").click()
        assert page.locator("table tbody tr").count() == 7
    finally:
        context.close()
