"""Every page of the framework is a document node, and no page links to a page we do not have.

The count is checked against a plain walk of ``docs/`` (files the converter reported as skipped,
with their reason, are the only ones left out); the crawl fetches every document page of a
real release from a real HTTP server and follows every link to the same host.
"""

from __future__ import annotations

import http.client
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest
from rdflib import RDF, Literal, URIRef

from akgraph import build
from akgraph.web import state
from tests.conftest import RELEASES, corpus_release

AK = "https://w3id.org/algoritmekader/def#"
DCT = "http://purl.org/dc/terms/"


def _markdown_files(root: Path) -> set[str]:
    """The Markdown files under ``docs/``, relative to the checkout, by a plain walk."""
    found = set()
    for folder, _, names in os.walk(root / "docs"):
        for name in names:
            if name.endswith(".md"):
                found.add((Path(folder) / name).relative_to(root).as_posix())
    return found


def _documents(graph) -> dict[str, URIRef]:
    """The nodes with a source file in ``docs/``, by that file."""
    return {
        str(path): subject
        for subject, path in graph.subject_objects(URIRef(AK + "sourcePath"))
        if str(path).startswith("docs/") and "#" not in str(subject)
    }


@pytest.mark.corpus
@pytest.mark.parametrize("tag", RELEASES)
def test_every_markdown_file_is_a_document(tag):
    root = corpus_release(tag)
    built = build(root)
    files = _markdown_files(root)
    reported = {p.path for p in built.problems if p.skipped and p.path.startswith("docs/")}
    documents = _documents(built.data)
    assert reported <= files
    assert set(documents) == files - reported
    assert len(documents) == len(files) - len(reported)
    for problem in built.problems:
        if problem.path in reported:
            assert problem.message  # each left-out file with its reason
    # the pages that are not items or list values have the page class and a title
    pages = set(built.data.subjects(RDF.type, URIRef(AK + "Page")))
    assert len(pages) >= 15
    for page in pages:
        assert (page, URIRef("http://purl.org/dc/terms/title"), None) in built.data
        assert str(page).startswith("urn:nl:ak:pagina:")


@pytest.mark.corpus
@pytest.mark.parametrize("tag", RELEASES)
def test_the_navigation_places_pages(tag):
    """mkdocs.yml's nav gives each page it names a position, and every page but the home page
    has a parent in the navigation."""
    root = corpus_release(tag)
    built = build(root)
    graph, documents = built.data, _documents(built.data)
    nav_text = (root / "mkdocs.yml").read_text(encoding="utf-8").split("\nnav:", 1)[1]
    named = {
        line.strip().lstrip("-").split(":")[-1].strip()
        for line in nav_text.split("\n\n", 1)[0].splitlines()
        if line.strip().endswith(".md") and not line.strip().startswith("#")
    }
    for path in named:
        subject = documents.get(f"docs/{path}")
        if subject is not None:
            assert (subject, URIRef(AK + "navOrder"), None) in graph, path
    orphans = [p for p, s in documents.items() if (s, URIRef(AK + "navParent"), None) not in graph]
    assert orphans == ["docs/index.md"] or orphans == []


def test_sample_pages(sample_build, sample_path):
    files = _markdown_files(sample_path)
    assert set(_documents(sample_build.data)) == files
    home = URIRef("urn:nl:ak:pagina:index")
    assert (home, RDF.type, URIRef(AK + "Page")) in sample_build.data
    assert (home, URIRef(AK + "navOrder"), Literal(1)) in sample_build.data


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [value for name, value in attrs if name == "href" and value]
        elif tag == "img":
            self.sources += [value for name, value in attrs if name == "src" and value]


_local = threading.local()
#: What a browser asks for when it follows a link.
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _get(base: str, path: str) -> tuple[int, str]:
    """GET ``path`` on a keep-alive connection of this thread; the status and, for HTML, the
    body."""
    host = urlsplit(base).netloc
    for attempt in range(2):
        connection = getattr(_local, "connection", None)
        if connection is None:
            connection = _local.connection = http.client.HTTPConnection(host, timeout=60)
        try:
            connection.request("GET", path, headers={"Accept": BROWSER_ACCEPT})
            response = connection.getresponse()
            body = response.read()
        except (http.client.HTTPException, OSError):
            connection.close()
            _local.connection = None
            if attempt:
                raise
            continue
        html = "html" in (response.getheader("Content-Type") or "")
        return response.status, body.decode("utf-8", "replace") if html else ""
    raise AssertionError("unreachable")


#: Links the crawl does not follow: downloads of the whole graph (large, and not pages).
_NOT_FOLLOWED = ("/downloads/",)


@pytest.fixture(scope="module", params=RELEASES)
def release_server(request):
    """A real HTTP server on one shared release, and that release's build."""
    from akgraph.web import create_app
    from tests.live import live

    built = build(corpus_release(request.param))
    app = create_app(
        {"TESTING": True, "SOURCE": built, "TIMEOUT": 10, "WORKERS": 2,
         "QUERIES_PER_CLIENT": 8, "TIMEOUT_COOLDOWN": 0}
    )  # fmt: skip
    try:
        with live(app) as url:
            yield url, built
    finally:
        state.of(app).backend.close()


def _crawl(base: str, documents: dict[str, URIRef]) -> tuple[dict, dict, int]:
    """Fetch the page of every document, then every address on the same host those pages
    link to (once each); the answers of 400 or more of each round, and how many were
    fetched."""
    starts = sorted(f"/doc/{quote(str(s), safe=':/')}" for s in documents.values())
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = dict(zip(starts, pool.map(lambda p: _get(base, p), starts), strict=True))
        linked: dict[str, str] = {}
        for page, (_, body) in answers.items():
            parser = _Links()
            parser.feed(body)
            for href in parser.hrefs:
                url = urlsplit(urljoin(base + page, href))
                if url.netloc != urlsplit(base).netloc or url.scheme not in ("http", "https"):
                    continue
                path = url.path + (f"?{url.query}" if url.query else "")
                if not path.startswith(_NOT_FOLLOWED) and path not in answers:
                    linked.setdefault(path, page)
        targets = sorted(linked)
        statuses = dict(zip(targets, pool.map(lambda p: _get(base, p)[0], targets), strict=True))
    dead_pages = {p: status for p, (status, _) in answers.items() if status >= 400}
    dead = {f"{path} (on {linked[path]})": s for path, s in statuses.items() if s >= 400}
    return dead_pages, dead, len(starts) + len(targets)


@pytest.mark.corpus
def test_no_dead_internal_links(release_server):
    """Fetch the page of every document node of the release and follow every link to the
    same host (once per address): none answers 400 or more."""
    base, built = release_server
    documents = _documents(built.data)
    assert len(documents) > 200
    dead_pages, dead, fetched = _crawl(base, documents)
    assert dead_pages == {}
    assert dead == {}
    assert fetched > 1000


def test_sample_page_links(client, sample_build):
    """The sample's plain page: each kind of link rendered as the mapping resolved it."""
    page = client.get("/doc/urn:nl:ak:pagina:over-het-voorbeeld/index")
    assert page.status_code == 200
    parser = _Links()
    parser.feed(page.get_data(as_text=True))
    assert "/doc/urn:nl:ak:mtr:org-02" in parser.hrefs  # an item
    assert "/doc/urn:nl:ak:pagina:index#inhoud" in parser.hrefs  # a page, with its anchor
    assert "/doc/urn:nl:ak:pagina:rollen/index" in parser.hrefs  # a folder
    assert "/doc/urn:nl:ak:levenscyclus:ontwerp" in parser.hrefs  # in HTML, by the page's URL
    official = "https://minbzk.github.io/Algoritmekader/voldoen-aan-wetten-en-regels/"
    assert official + "hulpmiddelen/documenten/formulier.pdf" in parser.hrefs  # not exported
    image = "https://minbzk.github.io/Algoritmekader/over-het-voorbeeld/afbeeldingen/schema.png"
    assert f'src="{image}"' in page.get_data(as_text=True)  # an image, from the official site
    assert "/doc/urn:nl:ak:pagina:index" in parser.hrefs  # the trail: home above it
    home = client.get("/doc/urn:nl:ak:pagina:index").get_data(as_text=True)
    assert "/doc/urn:nl:ak:pagina:over-het-voorbeeld/index" in home  # listed under home
    item = client.get("/doc/urn:nl:ak:mtr:org-02").get_data(as_text=True)
    trail = item.split('class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    assert trail.index("urn:nl:ak:pagina:index") < trail.index(
        "urn:nl:ak:pagina:voldoen-aan-wetten-en-regels/index"
    ) < trail.index("urn:nl:ak:pagina:voldoen-aan-wetten-en-regels/maatregelen/index")
    start = _Links()
    start.feed(client.get("/").get_data(as_text=True))  # the site's top level on our home
    for path in ("index", "levenscyclus/index", "rollen/index", "over-het-voorbeeld/index"):
        assert f"/doc/urn:nl:ak:pagina:{path}" in start.hrefs


def test_item_pages_render_the_mapping_s_links(client, sample_build):
    """An item page links where the graph's link nodes say, and to nothing else relative."""
    graph = sample_build.data
    for subject in set(graph.subjects(URIRef(AK + "link"), None)):
        if "#" in str(subject):
            continue
        expected = set()
        for node in graph.objects(subject, URIRef(AK + "link")):
            target = graph.value(node, URIRef(AK + "target"))
            fragment = graph.value(node, URIRef(AK + "fragment"))
            if target is None:
                continue
            url = f"/doc/{target}" if str(target).startswith("urn:") else str(target)
            expected.add(url + (f"#{fragment}" if fragment else ""))
        parser = _Links()
        parser.feed(client.get(f"/doc/{subject}").get_data(as_text=True))
        assert expected <= set(parser.hrefs) | set(parser.sources), subject
        assert not [h for h in parser.hrefs if h.endswith(".md") or ".md#" in h], subject


def test_resolver_reads_links_as_mkdocs():
    from akgraph.mapping import Resolver, Target
    from akgraph.source.markdown import Link

    resolve = Resolver({"a/b.md", "a/c.md", "c.md", "a/index.md", "index.md"})
    here = "docs/a/b.md"  # served at a/b/
    assert resolve(here, Link("", "c.md")) == Target(file="a/c.md")  # relative to the file
    assert resolve(here, Link("", "../c.md#x")) == Target(file="c.md", fragment="x")
    assert resolve(here, Link("", "../c")) == Target(file="a/c.md")  # relative to a/b/
    assert resolve(here, Link("", "../c/", html=True)) == Target(file="a/c.md")
    assert resolve(here, Link("", "./")) == Target(file="a/b.md")  # the page itself (a/b/)
    assert resolve(here, Link("", "../../")) == Target(file="index.md")
    assert resolve(here, Link("", "../img/x.png")) == Target(site="img/x.png")
    assert resolve(here, Link("", "d.md")) == Target()  # no such file


def test_a_page_that_cannot_be_read_is_reported_and_left_out(checkout):
    from akgraph.problems import Severity

    (checkout / "docs" / "kapot.md").write_bytes("caf\xe9\n".encode("latin-1"))
    (checkout / "docs" / "zonder-frontmatter.md").write_text("# Gewoon\n\nTekst.\n", "utf-8")
    config = checkout / "mkdocs.yml"
    config.write_text(config.read_text("utf-8") + "  - Weg: bestaat-niet.md\n", "utf-8")
    built = build(checkout)
    (problem,) = [p for p in built.problems if p.path == "docs/kapot.md"]
    assert problem.skipped and problem.code == "not-utf8"
    assert problem.severity is Severity.WARNING  # a page, not an item: the build still passes
    documents = _documents(built.data)
    assert "docs/kapot.md" not in documents
    assert documents["docs/zonder-frontmatter.md"] == URIRef("urn:nl:ak:pagina:zonder-frontmatter")
    title = built.data.value(documents["docs/zonder-frontmatter.md"], URIRef(DCT + "title"))
    assert str(title) == "Gewoon"
    (missing,) = [p for p in built.problems if p.code == "nav-missing-page"]
    assert missing.value == "bestaat-niet.md"
