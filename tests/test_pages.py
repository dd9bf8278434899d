"""Linked-data pages: addresses, negotiation, item pages, lists, search, queries, dataset."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import shutil
from urllib.parse import quote

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from akgraph.iris import AK
from akgraph.web import create_app, state
from tests.scan import scan

AIA09 = "urn:nl:ak:ver:aia-09"
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}
SUFFIXES = {".ttl": "text/turtle", ".jsonld": "application/ld+json",
            ".rdf": "application/rdf+xml", ".nt": "application/n-triples"}  # fmt: skip


@pytest.fixture(scope="module")
def corpus(corpus_app):
    return corpus_app.test_client()


@pytest.fixture(scope="module")
def v251(latest_build) -> Graph:
    return latest_build.union()


def item_at(graph: Graph, path: str) -> URIRef:
    (item,) = {
        s
        for s in graph.subjects(AK.sourcePath, Literal(path))
        if {AK.Measure, AK.Requirement, AK.Instrument} & set(graph.objects(s, RDF.type))
    }
    return item


# -- addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [f"/id/{AIA09}", f"/{AIA09}", f"/resolve?urn={AIA09}", f"/id/{quote(AIA09, safe='')}",
     f"/{quote(AIA09, safe='')}", f"/resolve?urn={quote(AIA09, safe='')}"],
)  # fmt: skip
def test_identifiers_answer_303_to_their_document(client, address):
    response = client.get(address)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/doc/{AIA09}"


def test_every_identifier_in_the_graph_dereferences(corpus, corpus_app, v251):
    """Every urn:nl:ak: subject of the graph, minted ones included, has an address that works."""
    subjects = {
        str(s)
        for s in v251.subjects()
        if isinstance(s, URIRef) and str(s).startswith("urn:nl:ak:") and "#" not in str(s)
    }
    minted = {str(s) for s in v251.subjects(AK.identifierMinted, Literal(True))}
    assert minted and minted <= subjects
    for iri in sorted(subjects):
        response = corpus.get(f"/id/{quote(iri, safe=':')}")
        assert response.status_code == 303, iri
        document = corpus.get(response.headers["Location"])
        assert document.status_code == 200, iri


# -- documents ------------------------------------------------------------------------------


def test_document_negotiates_html_and_rdf(corpus, v251):
    page = corpus.get(f"/doc/{AIA09}", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "Accept" in page.headers["Vary"]
    for media_type, fmt in RDF_TYPES.items():
        response = corpus.get(f"/doc/{AIA09}", headers={"Accept": media_type})
        assert response.status_code == 200 and response.mimetype == media_type
        parsed = Graph().parse(data=response.data, format=fmt)
        own = set(v251.triples((URIRef(AIA09), None, None)))
        assert own and own <= set(parsed), media_type
        inbound = set(v251.triples((None, AK.requirement, URIRef(AIA09))))
        assert inbound <= set(parsed)


@pytest.mark.parametrize(("suffix", "media_type"), SUFFIXES.items())
def test_document_by_suffix_and_format_parameter(client, suffix, media_type):
    by_suffix = client.get(f"/doc/{AIA09}{suffix}")
    assert by_suffix.status_code == 200 and by_suffix.mimetype == media_type
    by_parameter = client.get(f"/doc/{AIA09}", query_string={"format": suffix[1:]})
    assert by_parameter.mimetype == media_type
    assert Graph().parse(data=by_suffix.data, format=RDF_TYPES[media_type])


def test_alternates_in_headers_and_html(client):
    response = client.get(f"/doc/{AIA09}")
    links = response.headers["Link"]
    html = response.get_data(as_text=True)
    for suffix, media_type in SUFFIXES.items():
        assert f'</doc/{AIA09}{suffix}>; rel="alternate"; type="{media_type}"' in links
        assert f'<link rel="alternate" type="{media_type}" href="/doc/{AIA09}{suffix}">' in html


def test_etag_revalidation(client):
    first = client.get(f"/doc/{AIA09}", headers={"Accept": "text/turtle"})
    etag = first.headers["ETag"]
    again = client.get(f"/doc/{AIA09}", headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    html = client.get(f"/doc/{AIA09}", headers={"If-None-Match": etag})
    assert html.status_code == 200 and html.headers["ETag"] != etag


@pytest.mark.parametrize(
    ("accept", "check"),
    [
        ("text/html", lambda r: "urn:nl:ak:ver:aia-09" in r.get_data(as_text=True)),
        ("application/ld+json", lambda r: AIA09 in json.loads(r.data)["closest"]),
        ("text/turtle", lambda r: f"Closest known identifier: {AIA09}" in r.get_data(as_text=True)),
    ],
)
def test_unknown_urn_is_a_helpful_404_in_the_negotiated_format(client, accept, check):
    response = client.get("/doc/urn:nl:ak:ver:aia-9", headers={"Accept": accept})
    assert response.status_code == 404
    assert response.mimetype == accept
    assert check(response)


def test_not_acceptable(client):
    response = client.get(f"/doc/{AIA09}", headers={"Accept": "image/png"})
    assert response.status_code == 406


# -- item pages -----------------------------------------------------------------------------


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="/doc/([^"#]+)"', html))


def test_requirement_page_lists_every_implementing_measure_by_phase(corpus, latest_path, v251):
    scanned = scan(latest_path)
    requirement = next(r for r in scanned["requirement"] if r.fields.get("id") == [AIA09])
    expected = {
        str(item_at(v251, m.path))
        for m in scanned["measure"]
        if requirement.slug in m.fields.get("vereiste", [])
    }
    assert expected
    html = corpus.get(f"/doc/{AIA09}").get_data(as_text=True)
    block = html.split("Maatregelen die helpen aan deze vereiste te voldoen", 1)[1]
    block = block.split("</section>", 1)[0]
    assert _links(block) == expected
    phases = re.findall(r"<h4>([^<]+)</h4>", block)
    assert phases and len(phases) == len(set(phases))


def test_measure_page_lists_requirements_and_instruments(corpus, latest_path, v251):
    scanned = scan(latest_path)
    requirements = {r.slug: r for r in scanned["requirement"]}
    by_measure: dict[str, set[str]] = {}
    for instrument in scanned["instrument"]:
        for slug in instrument.fields.get("maatregel", []):
            by_measure.setdefault(slug, set()).add(str(item_at(v251, instrument.path)))
    measure = max(scanned["measure"], key=lambda m: len(by_measure.get(m.slug, ())))
    iri = str(item_at(v251, measure.path))
    html = corpus.get(f"/doc/{iri}").get_data(as_text=True)
    relations = html.split('id="relaties"', 1)[1].split("</section>", 1)[0]
    expected_requirements = {
        str(item_at(v251, requirements[s].path))
        for s in measure.fields.get("vereiste", [])
        if s in requirements
    }
    assert expected_requirements <= _links(relations)
    assert by_measure[measure.slug] <= _links(relations)
    assert measure.fields["title"][0] in html
    assert 'href="https://minbzk.github.io/Algoritmekader/' in html


def test_labels_link_to_concept_pages_and_concepts_list_their_items(corpus, v251):
    html = corpus.get(f"/doc/{AIA09}").get_data(as_text=True)
    phase = next(v251.objects(URIRef(AIA09), AK.lifecyclePhase))
    assert f'href="/doc/{phase}"' in html
    concept = corpus.get(f"/doc/{phase}").get_data(as_text=True)
    assert f'href="/doc/{AIA09}"' in concept
    scheme = corpus.get("/doc/urn:nl:ak:levenscyclus").get_data(as_text=True)
    assert f'href="/doc/{phase}"' in scheme


def test_markdown_is_rendered_and_links_between_pages_stay_on_the_site(corpus, v251):
    html = corpus.get(f"/doc/{AIA09}").get_data(as_text=True)
    assert "<h2" in html and "<p>" in html
    assert "<!--" not in html.split("<main", 1)[1]
    internal = [
        (s, o) for s, o in v251.subject_objects(AK.linksTo) if str(o).startswith("urn:nl:ak:")
    ]
    assert internal
    source, target = internal[0]
    page = corpus.get(f"/doc/{source}").get_data(as_text=True)
    assert f'href="/doc/{target}"' in page


def test_script_in_markdown_is_inert(checkout):
    measure = checkout / "docs/voldoen-aan-wetten-en-regels/maatregelen"
    target = next(measure.glob("0-org-02*.md"))
    text = target.read_text(encoding="utf-8")
    evil = (
        "\n\n## Aanval\n\n<script>alert('x')</script>\n\n<img src=x onerror=\"alert(1)\">\n\n"
        '[klik](javascript:alert(1))\n\n??? note "Uitklap <script>alert(2)</script>"\n'
        '    <a href="#" onclick="alert(3)">x</a>\n'
    )
    target.write_text(text + evil, encoding="utf-8")
    app = create_app({"TESTING": True, "SOURCE": str(checkout), "WORKERS": 1})
    try:
        html = app.test_client().get("/doc/urn:nl:ak:mtr:org-02").get_data(as_text=True)
    finally:
        state.of(app).backend.close()
        shutil.rmtree(checkout, ignore_errors=True)
    body = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "Aanval" in body
    assert "<script" not in body.lower()
    assert "onerror" not in body.lower() and "onclick" not in body.lower()
    assert not re.search(r"(href|src)\s*=\s*[\"']?\s*javascript:", body, re.I)


# -- lists, search, home --------------------------------------------------------------------


def test_home_counts(corpus, v251):
    html = corpus.get("/").get_data(as_text=True)
    measures = len(set(v251.subjects(RDF.type, AK.Measure)))
    assert re.search(rf'Maatregelen</a> <span class="count">{measures}</span>', html)


def test_list_facets_filter_like_the_frontmatter(corpus, latest_path, v251):
    scanned = scan(latest_path)
    for phase in ("ontwerp", "monitoring-en-beheer"):
        expected = {
            str(item_at(v251, m.path))
            for m in scanned["measure"]
            if phase in m.fields.get("levenscyclus", [])
        }
        response = corpus.get("/maatregelen", query_string={"levenscyclus": phase})
        listed = _links(response.get_data(as_text=True).split('<ol class="results">', 1)[1])
        assert listed == expected, phase
        as_json = corpus.get(
            "/maatregelen", query_string={"levenscyclus": phase, "format": "json"}
        ).json
        assert {i["urn"] for i in as_json} == expected
        as_csv = corpus.get(
            "/maatregelen", query_string={"levenscyclus": phase, "format": "csv"}
        ).get_data(as_text=True)
        table = as_csv.lstrip("\ufeff").split("\r\n\r\n", 1)[1]  # after the filters written
        assert "Filter: Levenscyclus," in as_csv.split("\r\n\r\n", 1)[0]
        rows = list(csv.DictReader(io.StringIO(table)))
        assert {r["urn"] for r in rows} == expected
        assert all(r["levenscyclus"] for r in rows)
    both = corpus.get("/maatregelen?levenscyclus=ontwerp&rollen=jurist").get_data(as_text=True)
    expected_both = {
        str(item_at(v251, m.path))
        for m in scanned["measure"]
        if "ontwerp" in m.fields.get("levenscyclus", []) and "jurist" in m.fields.get("rollen", [])
    }
    assert _links(both.split('<ol class="results">', 1)[1]) == expected_both


def test_search_finds_titles_and_text(corpus, v251):
    title = str(v251.value(URIRef(AIA09), DCTERMS.title))
    words = " ".join(title.split()[:3])
    html = corpus.get("/zoeken", query_string={"q": words}).get_data(as_text=True)
    assert f'href="/doc/{AIA09}"' in html.split('<ol class="results">', 1)[1]
    nothing = corpus.get("/zoeken", query_string={"q": "xyzzyquux"}).get_data(as_text=True)
    assert "0 resultaten" in nothing


# -- queries --------------------------------------------------------------------------------


def test_query_page_runs_sparql_and_links_items(corpus):
    query = "PREFIX ak: <https://w3id.org/algoritmekader/def#> SELECT ?r { ?r a ak:Requirement }"
    html = corpus.get("/query", query_string={"query": query}).get_data(as_text=True)
    assert f'<a href="/doc/{AIA09}">{AIA09}</a>' in html
    bad = corpus.get("/query", query_string={"query": "SELECT nonsense"})
    assert bad.status_code == 400 and 'role="alert"' in bad.get_data(as_text=True)
    update = corpus.get("/query", query_string={"query": "CLEAR ALL"})
    assert update.status_code == 400 and "read-only" in update.get_data(as_text=True)


def test_named_query_as_html_json_and_csv(corpus, v251):
    expected = {
        str(s)
        for s in v251.subjects(AK.requirement, URIRef(AIA09))
        if (s, RDF.type, AK.Measure) in v251
    }
    url = "/queries/measures-for-requirement"
    html = corpus.get(url, query_string={"requirement": AIA09}).get_data(as_text=True)
    assert _links(html.split("<table>", 1)[1]) == expected
    answer = corpus.get(url, query_string={"requirement": AIA09, "format": "json"}).json
    assert {b["measure"]["value"] for b in answer["results"]["bindings"]} == expected
    text = corpus.get(url, query_string={"requirement": AIA09, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(text.get_data(as_text=True))))
    assert {r["measure"] for r in rows} == expected
    assert corpus.get(url, query_string={"requirement": "not an iri"}).status_code == 400
    assert corpus.get("/queries/does-not-exist").status_code == 404


# -- the dataset ----------------------------------------------------------------------------


def test_void_describes_dataset_distributions_and_service(client):
    response = client.get("/.well-known/void")
    assert response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.data, format="turtle")
    void = "http://rdfs.org/ns/void#"
    dcat = "http://www.w3.org/ns/dcat#"
    (dataset,) = set(graph.subjects(RDF.type, URIRef(void + "Dataset")))
    assert str(graph.value(dataset, URIRef(void + "sparqlEndpoint"))).endswith("/sparql")
    downloads = {str(o) for o in graph.objects(dataset, URIRef(void + "dataDump"))}
    assert len(downloads) == 6
    assert len(set(graph.objects(dataset, URIRef(dcat + "distribution")))) == 6
    assert (None, RDF.type, URIRef(dcat + "DataService")) in graph
    assert client.get("/.well-known/void", headers={"Accept": "application/ld+json"}).json


@pytest.mark.parametrize(
    ("extension", "fmt"),
    [("ttl", "turtle"), ("nt", "nt"), ("nq", "nquads"), ("trig", "trig"), ("jsonld", "json-ld"),
     ("rdf", "xml")],
)  # fmt: skip
def test_dumps_hold_the_whole_graph(client, sample_build, extension, fmt):
    from rdflib import Dataset

    response = client.get(f"/downloads/akgraph.{extension}")
    assert response.status_code == 200
    dataset = Dataset()
    dataset.parse(data=response.data, format=fmt)
    triples = {t for g in dataset.graphs() for t in g}
    assert len(triples) == len(sample_build.union())
    if fmt in ("nquads", "trig"):
        names = {str(g.identifier) for g in dataset.graphs()}
        assert str(sample_build.release) in names


def test_validation_page_names_files_and_fields(corpus, latest_build):
    html = corpus.get("/validatie").get_data(as_text=True)
    for path, field, value in latest_build.unresolved:
        assert f"<code>{path}</code>" in html
        assert f"<code>{value}</code>" in html, (path, field)


# -- safety ---------------------------------------------------------------------------------


def test_security_headers(client):
    response = client.get(f"/doc/{AIA09}")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert not re.search(r"\son[a-z]+=", html), "event handler attribute"


@pytest.mark.parametrize(
    "path",
    ["/static/../pyproject.toml", "/static/..%2f..%2fpyproject.toml",
     "/downloads/akgraph.ttl/../../pyproject.toml", "/doc/..%2f..%2fetc%2fpasswd",
     "/static/%2e%2e/%2e%2e/__init__.py", "/queries/..%2fREADME"],
)  # fmt: skip
def test_no_path_traversal(client, path):
    response = client.get(path)
    assert response.status_code in (404, 400, 308)
    assert b"[project]" not in response.data and b"root:" not in response.data


def test_pages_are_accessible_markup(client):
    for url in ("/", "/maatregelen", f"/doc/{AIA09}", "/zoeken?q=data", "/query", "/over"):
        html = client.get(url).get_data(as_text=True)
        assert '<html lang="nl">' in html, url
        levels = [int(h) for h in re.findall(r"<h([1-6])[ >]", html)]
        assert levels and levels[0] == 1 and levels.count(1) == 1, url
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), (url, levels)
        for field in re.findall(r'<(?:input|textarea)[^>]*\bid="([^"]+)"', html):
            assert f'for="{field}"' in html, (url, field)
        assert 'name="viewport"' in html


def test_requirement_page_names_its_legal_sources(corpus, v251):
    parts = set(v251.objects(URIRef(AIA09), AK.derivedFrom))
    assert parts
    html = corpus.get(f"/doc/{AIA09}").get_data(as_text=True)
    block = html.split('id="wetgeving"', 1)[1].split("</section>", 1)[0]
    for part in parts:
        assert f"<code>{part}</code>" in block
        label = v251.value(part, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
        assert str(label) in block
