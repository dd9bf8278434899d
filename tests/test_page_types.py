"""Every page type of the site (the ones ``scripts/screenshots.py`` photographs) in a real
headless Chromium at 1280 and 390 px, on a live server with the shared releases v2.2.0 and
v2.5.1, the shared decision aid and the shared instrument registry: the expected status, an
``<h1>``, no horizontal scrolling at 390 px, no console errors, no failed same-origin requests,
and one check per type against an independent reading of the sources (tests/scan.py, PyYAML,
rdflib). Every GET route of the app that serves HTML has a page type."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from akgraph.web import state
from scripts.screenshots import PAGE_TYPES, VIEWPORTS, PageType, make_app, shared_folder
from tests.scan import (
    glossary_terms,
    law_ids,
    legal_links,
    scan,
    scan_file,
    text_article_numbers,
    url_article,
)
from tests.test_browser import browser  # noqa: F401 - the shared Chromium fixture

#: GET routes that are no HTML page of their own, with the reason.
EXCLUDED = {
    "dataset.void": "VoID/DCAT description: RDF (Turtle, JSON-LD, ...), no HTML",
    "documents.identifier": "/id/<urn> redirects (303) to the /doc/ page",
    "documents.resolve": "the header's URN box: redirects (303) to the /doc/ page",
    "dataset.dump": "downloads of the whole graph (Turtle, N-Triples, ...)",
    "site.static": "CSS, JavaScript, images",
    "api.item": "JSON API",
    "api.applicable": "JSON API",
    "api.instruments": "JSON API (task-registry's shape)",
    "api.measures": "JSON API",
    "api.requirements": "JSON API",
    "api.by_urn": "JSON API",
    "api.by_urn_parameter": "JSON API",
    "api.openapi": "OpenAPI description (JSON)",
    "beslishulp.walk": "the decision aid as JSON",
    "applicability.export": "the applicability answer as JSON, CSV, XLSX, ODS",
    "ontology.context": "JSON-LD context",
    "sparql.endpoint": "SPARQL protocol (results and service description as data)",
    "feed.stream": "change feed (LDES): RDF",
    "feed.page": "change feed (LDES): RDF",
    "operations.live": "health check (text)",
    "operations.ready": "health check (text)",
    "operations.metrics": "Prometheus metrics (text)",
}
#: The AI-Act dimensions of a requirement's frontmatter (the profile the applicability page asks).
AI_ACT = ["soort-toepassing", "risicogroep", "rol-ai-act", "transparantieverplichting",
          "systeemrisico", "open-source"]  # fmt: skip

#: YASR's column resizer tries to add an inline <style>, which the policy blocks by design
#: (akgraph.css carries those rules; see tests/test_yasgui.py): the one console error allowed.
BLOCKED_STYLE = "Applying inline style violates the following Content Security Policy directive"
#: The same-origin resources (CSS, scripts, images, fetches) of the page that answered >= 400.
WATCH = """() => performance.getEntriesByType('resource')
    .filter(e => e.name.startsWith(location.origin) && e.responseStatus >= 400)
    .map(e => e.name + ' ' + e.responseStatus)"""


def _page_path(path: str) -> str:
    return urllib.parse.urlsplit(path).path


def test_every_html_route_has_a_page_type(app):
    """A new GET route needs a page type here (and a screenshot) or a reason to be left out."""
    adapter = app.url_map.bind("localhost")
    covered = {adapter.match(_page_path(kind.path))[0] for kind in PAGE_TYPES}
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    assert routes - covered - EXCLUDED.keys() == set()
    assert covered & EXCLUDED.keys() == set()
    assert EXCLUDED.keys() <= routes
    assert len({kind.name for kind in PAGE_TYPES}) == len(PAGE_TYPES)


def test_a_built_release_with_a_decision_aid_folder(sample_build, sample_path):
    """``BESLISHULP`` beside a built ``SOURCE`` (not a folder) serves that decision aid (the
    app took the build's text for a path and failed: OSError, file name too long)."""
    from akgraph.web import create_app

    app = create_app({"TESTING": True, "SOURCE": sample_build, "WORKERS": 1,
                      "BESLISHULP": str(sample_path / "beslishulp")})  # fmt: skip
    try:
        response = app.test_client().get("/beslishulp")
        assert response.status_code == 200 and b'type="radio"' in response.data
    finally:
        state.of(app).backend.close()


@pytest.fixture(scope="module")
def shared() -> Path:
    folder = shared_folder()
    if folder is None:
        pytest.skip("../shared (the real releases) not found (set AKGRAPH_SHARED)")
    return folder


@pytest.fixture(scope="module")
def site(shared):
    """Base URL of the app on v2.2.0 + v2.5.1 with the decision aid and the registry."""
    from tests.live import live

    app, _ = make_app(shared)
    try:
        with live(app) as url:
            yield url
    finally:
        state.of(app).backend.close()


@pytest.fixture(scope="module")
def latest(shared) -> Path:
    return shared / "corpus" / "algoritmekader-v2.5.1"


@pytest.fixture(scope="module")
def scanned(latest):
    return scan(latest)


# -- one check per page type -----------------------------------------------------------------

Check = Callable[..., None]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        CHECKS[name] = function
        return function

    return register


def _item(scanned, kind: str, urn: str):
    """The scanned file with that ``id``, or (instruments have none) whose slug ends it."""
    (found,) = [
        f for f in scanned[kind] if f.fields.get("id", [f"urn:nl:ak:hlp:{f.slug.lower()}"]) == [urn]
    ]
    return found


def _h1(page) -> str:
    return " ".join(page.locator("h1").first.inner_text().split())


@check("home")
def _home(page, scanned, **_):
    counts = [int(c) for c in page.locator("main span.count").all_inner_texts()[:3]]
    kinds = ["measure", "requirement", "instrument"]
    assert counts == [len(scanned[k]) for k in kinds]


def _list_rows(kind: str):
    def run(page, scanned, **_):
        assert page.locator("ol.results > li").count() == len(scanned[kind])

    return run


CHECKS["measures"] = _list_rows("measure")
CHECKS["instruments"] = _list_rows("instrument")


@check("requirements")
def _requirements(page, scanned, **_):
    expected = [f for f in scanned["requirement"] if "ontwerp" in f.fields.get("levenscyclus", [])]
    assert page.locator("ol.results > li").count() == len(expected)


def _item_title(kind: str, urn: str):
    def run(page, scanned, **_):
        assert _h1(page) == _item(scanned, kind, urn).fields["title"][0]
        assert page.locator("#urn").inner_text() == urn

    return run


CHECKS["measure"] = _item_title("measure", "urn:nl:ak:mtr:org-02")
CHECKS["requirement"] = _item_title("requirement", "urn:nl:ak:ver:aia-09")
CHECKS["instrument"] = _item_title("instrument", "urn:nl:ak:hlp:iama")


@check("glossary-term")
def _glossary(page, latest, **_):
    assert "algoritme" in glossary_terms(latest)
    assert _h1(page).lower() == "algoritme"


@check("audit-criterion")
def _audit(page, scanned, **_):
    """Every measure whose frontmatter names ADR SV.8 as its source is linked from the page."""
    assert "SV.8" in _h1(page)
    citing = [f for f in scanned["measure"] if ("ADR", "SV.8") in f.sources]
    links = page.locator("main a[href^='/doc/urn:nl:ak:mtr:']")
    hrefs = {links.nth(i).get_attribute("href") for i in range(links.count())}
    assert citing and {f"/doc/{f.fields['id'][0]}" for f in citing} <= hrefs


def _concept_title(relative: str):
    def run(page, latest, **_):
        assert _h1(page) == scan_file(latest, latest / relative).fields["title"][0]

    return run


CHECKS["lifecycle-phase"] = _concept_title("docs/levenscyclus/ontwerp.md")
CHECKS["role"] = _concept_title("docs/rollen/jurist.md")
CHECKS["topic"] = _concept_title("docs/onderwerpen/privacy-en-gegevensbescherming.md")


@check("ai-act-label")
def _label(page, scanned, **_):
    """Links to every requirement whose frontmatter has that risk group."""
    expected = {
        f"/doc/{f.fields['id'][0]}"
        for f in scanned["requirement"]
        if "hoog-risico-ai-systeem" in f.fields.get("risicogroep", [])
    }
    links = page.locator("main a[href^='/doc/urn:nl:ak:ver:']")
    assert expected and expected <= {
        links.nth(i).get_attribute("href") for i in range(links.count())
    }


@check("scheme")
def _scheme(page, latest, **_):
    """A link to each phase: the lifecycle pages titled "Fase N, ..."."""
    folder = latest / "docs" / "levenscyclus"
    titles = [scan_file(latest, p).fields.get("title", [""])[0] for p in folder.glob("*.md")]
    phases = [t for t in titles if re.match(r"Fase \d+,", t)]
    assert page.locator("main a[href^='/doc/urn:nl:ak:levenscyclus:']").count() == len(phases)


@check("item-version")
def _version(page, scanned, **_):
    assert _item(scanned, "requirement", "urn:nl:ak:ver:aia-09").fields["title"][0] in _h1(page)
    assert "v2.5.1" in page.locator("main").inner_text()


@check("release")
def _release(page, latest, **_):
    commit = (latest / "SOURCE").read_text().split()[1]
    assert "v2.5.1" in _h1(page) and commit in page.locator("main").inner_text()


def _legal(law: str, article: str | None = None, eu: bool = False):
    """The page lists as citing it every requirement whose Markdown links to that law (and
    article: in the URL or the link text); ELI's properties have Dutch names; the link to
    the legal text is not called the framework's site."""

    def run(page, latest, scanned, **_):
        urns = {f.path: f.fields["id"][0] for f in scanned["requirement"]}
        expected = {
            f"/doc/{urns[path]}"
            for path, links in legal_links(latest).items()
            for link in links
            if law in law_ids(link.href)
            and (
                article is None
                or url_article(link.href) == article
                or article in text_article_numbers(link.text, eu)
            )
        }
        links = page.locator("ul.citing > li > a")
        shown = {links.nth(i).get_attribute("href") for i in range(links.count())}
        assert expected and shown == expected
        terms = page.locator("dl.facts dt").all_inner_texts()
        assert not [t for t in terms if "_" in t or t in ("label", "number")], terms
        assert "Op de site van het Algoritmekader" not in terms

    return run


# BWBR0001840 is the Dutch constitution, BWBR0005537 the Awb, CELEX:32016R0679 the GDPR.
CHECKS["law"] = _legal("BWBR0001840")
CHECKS["law-article"] = _legal("BWBR0005537", "3:46")
CHECKS["eu-article"] = _legal("CELEX:32016R0679", "14", eu=True)


@check("registry-instrument")
def _registry(page, shared, **_):
    path = shared / "clients" / "task-registry" / "instruments" / "iama.yaml"
    assert _h1(page) == yaml.safe_load(path.read_text(encoding="utf-8"))["name"]


@check("registry-task")
def _task(page, **_):
    assert page.locator("#urn").inner_text() == "urn:nl:aivt:tr:iama:1.0:2.A.2.2"


def _tree(shared: Path) -> dict:
    return yaml.safe_load((shared / "beslishulp" / "decision-tree.yaml").read_text("utf-8"))


@check("decision-tree")
def _tree_page(page, shared, **_):
    assert page.locator("#urn").inner_text() == "urn:nl:ak:beslishulp"
    assert _tree(shared)["name"] in page.locator("main").inner_text()


@check("decision-aid")
def _aid(page, shared, **_):
    first = _tree(shared)["questions"][0]
    assert _h1(page) == " ".join(first["question"].split())
    assert page.locator("input[type=radio][name=antwoord]").count() == len(first["answers"])


@check("decision-aid-question")
def _aid_next(page, shared, **_):
    questions = {" ".join(q["question"].split()) for q in _tree(shared)["questions"]}
    assert _h1(page) in questions and page.locator("input[type=radio]").count() >= 2


@check("decision-aid-conclusion")
def _aid_end(page, shared, **_):
    texts = [" ".join(c["conclusion"].split()) for c in _tree(shared)["conclusions"]]
    main = " ".join(page.locator("main").inner_text().split())
    assert _h1(page) == "Conclusie" and any(t in main for t in texts)


@check("applicability")
def _applicability(page, scanned, **_):
    """A fieldset for every AI-Act dimension, offering every value the requirements use."""
    for name in AI_ACT:
        assert all(name in f.fields for f in scanned["requirement"]), name
        used = {v for f in scanned["requirement"] for v in f.fields[name]}
        inputs = page.locator(f"form.profile input[name='{name}']")
        offered = {inputs.nth(i).get_attribute("value") for i in range(inputs.count())}
        assert used <= offered, (name, used - offered)


@check("applicability-result")
def _applicability_result(page, **_):
    shown = page.locator("ol.requirements > li.requirement").count()
    assert re.match(
        rf"{shown} vereisten van toepassing", page.locator("h2#van-toepassing").inner_text()
    )
    assert page.locator("input[name=risicogroep][value=hoog-risico-ai-systeem]").is_checked()


@check("search")
def _search(page, scanned, **_):
    """Every measure with the word in its title is found."""
    hrefs = {
        page.locator("ol.results > li > a").nth(i).get_attribute("href")
        for i in range(page.locator("ol.results > li > a").count())
    }
    titled = [f for f in scanned["measure"] if "transparantie" in f.fields["title"][0].lower()]
    assert {f"/doc/{f.fields['id'][0]}" for f in titled} <= hrefs


#: Text rectangles of the editor's lines that run under its buttons (share, run).
UNDER_BUTTONS = """() => {
  const buttons = document.querySelector('.yasqe_buttons').getBoundingClientRect();
  const under = [];
  for (const line of document.querySelectorAll('.yasqe .CodeMirror-line')) {
    const range = document.createRange();
    range.selectNodeContents(line);
    for (const r of range.getClientRects())
      if (r.width && r.right > buttons.left && r.left < buttons.right
          && r.bottom > buttons.top && r.top < buttons.bottom) under.push(line.textContent);
  }
  return under;
}"""


@check("query")
def _query(page, **_):
    """The YASGUI editor is there, and no query text hides under its buttons."""
    page.wait_for_selector(".yasqe .CodeMirror", timeout=20_000)
    assert page.evaluate(UNDER_BUTTONS) == []


@check("query-result")
def _query_result(page, **_):
    assert page.locator("main .table-wrap table tbody tr").count() == 5  # the server's table


@check("named-queries")
def _named_queries(page, **_):
    files = list((Path(__file__).parent.parent / "queries").glob("*.rq"))
    links = page.locator("main a[href^='/queries/']")
    names = {links.nth(i).get_attribute("href").split("?")[0] for i in range(links.count())}
    assert names == {f"/queries/{f.stem}" for f in files}


@check("named-query")
def _named_query(page, **_):
    assert page.get_by_label("URN van de vereiste").count() == 1


@check("named-query-result")
def _named_query_result(page, scanned, **_):
    """One row per measure whose frontmatter lists aia-09 among its requirements."""
    slug = _item(scanned, "requirement", "urn:nl:ak:ver:aia-09").slug
    expected = [f for f in scanned["measure"] if slug in f.fields.get("vereiste", [])]
    assert page.locator("table tbody tr").count() == len(expected)
    # the header's search box keeps its own (empty) value
    assert page.locator("#zoekterm").input_value() == ""


@check("validation")
def _validation(page, **_):
    """Each severity's count is the number of findings listed under it."""
    for section in page.locator("section.severity").all():
        total = int(re.search(r"\d+", section.locator("h2 .count").inner_text())[0])
        listed = sum(
            int(re.match(r"\d+", c)[0]) for c in section.locator("h3 .count").all_inner_texts()
        )
        assert listed == total


@check("releases")
def _releases(page, shared, **_):
    """A row per release with the tag and commit of its SOURCE file; dates on one line."""
    lines = page.evaluate(
        "[...document.querySelectorAll('main time, main td code')].map(e =>"
        " new Set([...e.getClientRects()].map(r => Math.round(r.top))).size)"
    )
    assert lines and set(lines) == {1}, lines
    rows = page.locator("tbody tr")
    tags = ["v2.2.0", "v2.5.1"]
    assert rows.count() == len(tags)
    for row, tag in zip(rows.all(), tags, strict=True):
        commit = (shared / "corpus" / f"algoritmekader-{tag}" / "SOURCE").read_text().split()[1]
        assert row.locator("th").inner_text() == tag
        assert row.locator("code").get_attribute("title") == commit


@check("diff")
def _diff(page, **_):
    assert _h1(page) == "Wat veranderde van v2.2.0 naar v2.5.1"


@check("ontology")
def _ontology(page, **_):
    from rdflib import OWL, RDF, Graph, URIRef

    from akgraph import resources

    graph = Graph().parse(resources.data_dir("ontology") / "akgraph.ttl")  # the file, not the app
    classes = {str(c) for c in graph.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    text = page.locator("main").inner_text()
    missing = [c for c in classes if c.rsplit("#", 1)[-1] not in text]
    assert classes and not missing, missing


@check("about")
def _about(page, **_):
    assert page.locator("main a[href*='/downloads/akgraph.']").count() >= 1


@check("accessibility")
def _accessibility(page, **_):
    assert "WCAG" in page.locator("main").inner_text()


@check("not-found")
def _not_found(page, **_):
    assert "urn:nl:ak:mtr:bestaat-niet" in page.locator("main").inner_text()


@check("not-found-path")
def _not_found_path(page, **_):
    """Any unknown path (a bare URN would redirect to its page): a page, not plain text."""
    assert _h1(page) == "Niet gevonden"
    assert page.locator("header.site form.search").count() == 1


def test_a_missing_resource_is_seen(browser, site):  # noqa: F811
    """The check for failed requests works: an image that is not there is reported."""
    page = browser.new_page()
    try:
        page.goto(site + "/")
        page.evaluate(
            "() => new Promise(done => { const i = new Image(); i.onerror = done;"
            " i.src = '/static/bestaat-niet.png'; document.body.append(i); })"
        )
        assert page.evaluate(WATCH) == [f"{site}/static/bestaat-niet.png 404"]
    finally:
        page.close()


def test_every_page_type_has_its_own_check():
    assert set(CHECKS) == {kind.name for kind in PAGE_TYPES}


@pytest.mark.parametrize("width", list(VIEWPORTS))
@pytest.mark.parametrize("kind", PAGE_TYPES, ids=lambda k: k.name)
def test_page_type(browser, site, shared, latest, scanned, kind: PageType, width):  # noqa: F811
    viewport = {"width": width, "height": VIEWPORTS[width]}
    context = browser.new_context(locale="nl-NL", viewport=viewport)
    page = context.new_page()
    errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "requestfailed",
        lambda r: failed.append(f"{r.url} {r.failure}") if r.url.startswith(site) else None,
    )
    try:
        response = page.goto(site + kind.path, timeout=120_000)
        assert response is not None and response.status == kind.status
        page.wait_for_load_state("load")
        assert page.locator("h1").count() >= 1
        CHECKS[kind.name](page, scanned=scanned, latest=latest, shared=shared)
        if width == 390:
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{kind.path} scrolls sideways by {overflow} px at 390 px"
        failed += page.evaluate(WATCH)
        if kind.status == 404:  # Chromium logs the page's own (expected) status
            errors = [e for e in errors if "status of 404" not in e]
        assert failed == [], failed
        assert [e for e in errors if not e.startswith(BLOCKED_STYLE)] == []
    finally:
        context.close()
