"""The description at /.well-known/void against Geonovum's DCAT-AP-NL 3.0 SHACL shapes
(../shared/vocab/dcat-ap-nl-3.0), for the description of every shared release."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SH

from akgraph.web import state
from tests.conftest import REPO

VOCAB = Path(os.environ.get("AKGRAPH_SHARED", REPO.parent / "shared")) / "vocab" / "dcat-ap-nl-3.0"
#: The mandatory and class-range shapes; the recommended ones are reported in docs/.
REQUIRED = [
    "dcat-ap-SHACL.ttl",
    "dcat-ap-nl-SHACL.ttl",
    "dcat-ap-nl-SHACL-klassebereik.ttl",
    "dcat-ap-nl-SHACL-klassebereik-codelijsten.ttl",
]
RECOMMENDED = "dcat-ap-nl-SHACL-aanbevolen.ttl"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
BZK = URIRef("https://identifier.overheid.nl/tooi/id/ministerie/mnre1034")
EUPL = URIRef("http://publications.europa.eu/resource/authority/licence/EUPL_1_2")
THEMES = "http://publications.europa.eu/resource/authority/data-theme/"


def shapes(*names: str) -> Graph:
    if not (VOCAB / REQUIRED[0]).is_file():
        pytest.skip(f"DCAT-AP-NL 3.0 shapes not found in {VOCAB}")
    graph = Graph()
    for name in names:
        graph.parse(VOCAB / name)
    return graph


def findings(description: Graph, shape_graph: Graph) -> list[tuple[str, str, str]]:
    """(severity, focus node, path) of every result of validating ``description``."""
    _, report, _ = validate(description, shacl_graph=shape_graph)
    return sorted(
        (
            str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
            str(report.value(r, SH.focusNode)),
            str(report.value(r, SH.resultPath)),
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
    )


@pytest.fixture(scope="module")
def described(release_build, release_path):
    """The release's tag (from its SOURCE file), its description, and a client of its app."""
    from akgraph.web import create_app

    app = create_app({"TESTING": True, "SOURCE": release_build, "WORKERS": 1})
    try:
        client = app.test_client()
        body = client.get("/.well-known/void", headers={"Accept": "text/turtle"}).data
        graph = Graph().parse(data=body, format="turtle")
        tag = (release_path / "SOURCE").read_text(encoding="utf-8").split()[0]
        yield tag, graph, client
    finally:
        state.of(app).backend.close()


def test_every_release_description_conforms_to_dcat_ap_nl(described):
    _, graph, _ = described
    assert findings(graph, shapes(*REQUIRED)) == []


def test_description_names_publisher_licence_themes_and_the_release(described):
    tag, graph, client = described
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert datasets and all(graph.value(d, DCTERMS.publisher) == BZK for d in datasets)
    assert all(graph.value(d, DCTERMS.creator) == BZK for d in datasets)
    assert all(graph.value(d, DCTERMS.license) == EUPL for d in datasets)
    themes = {str(t) for d in datasets for t in graph.objects(d, DCAT.theme)}
    assert themes and all(t.startswith(THEMES) for t in themes)
    versions = {str(v) for v in graph.objects(None, DCAT.version)}
    assert versions == {tag}
    for distribution in graph.subjects(RDF.type, DCAT.Distribution):
        assert graph.value(distribution, DCTERMS.license) == EUPL
        url = graph.value(distribution, DCAT.downloadURL)
        url = url or graph.value(distribution, DCAT.accessURL)
        assert client.get(str(url).removeprefix("http://localhost")).status_code == 200
    (service,) = graph.subjects(RDF.type, DCAT.DataService)
    endpoint = str(graph.value(service, DCAT.endpointDescription)).removeprefix("http://localhost")
    answer = client.get(endpoint, headers={"Accept": "text/turtle"})
    assert b"sparql-service-description" in answer.data


def test_recommended_findings_are_the_ones_listed_in_docs(described):
    """docs/dcat-ap-nl.md lists each recommended property the description still lacks."""
    _, graph, _ = described
    listed = set(re.findall(r"^\| `([^`]+)` \| `([^`]+)` \|", _docs(), re.M))
    found = {(_kind(graph, URIRef(focus)), _curie(path)) for _, focus, path in
             findings(graph, shapes(RECOMMENDED))}  # fmt: skip
    assert found == listed


def _docs() -> str:
    return (REPO / "docs" / "dcat-ap-nl.md").read_text(encoding="utf-8")


def _kind(graph: Graph, node: URIRef) -> str:
    if str(node).endswith("-sparql"):
        return "release distribution"
    if (node, RDF.type, DCAT.Distribution) in graph:
        return "download"
    return str(node).rsplit("#", 1)[-1].split("-", 1)[0]


def _curie(path: str) -> str:
    for prefix, ns in (("dcat:", str(DCAT)), ("dct:", str(DCTERMS)),
                       ("foaf:", "http://xmlns.com/foaf/0.1/")):  # fmt: skip
        if path.startswith(ns):
            return prefix + path[len(ns):]
    return path
