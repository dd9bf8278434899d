"""SPARQLWrapper as a real client of the live endpoint on the real release v2.5.1: every query
form in every result format, answers compared with what the built graph holds."""

from __future__ import annotations

import csv
import io

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF
from SPARQLWrapper import CSV, JSON, JSONLD, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from akgraph.iris import AK

pytestmark = pytest.mark.corpus

MEASURES = f"SELECT ?m WHERE {{ ?m a <{AK.Measure}> }} ORDER BY ?m"
CONSTRUCT = f"CONSTRUCT {{ ?m a <{AK.Measure}> }} WHERE {{ ?m a <{AK.Measure}> }}"


def client(url: str, query: str, fmt: str | None = None, accept: str | None = None):
    sparql = SPARQLWrapper(f"{url}/sparql")
    sparql.setQuery(query)
    if fmt:
        sparql.setReturnFormat(fmt)
    if accept:  # a format SPARQLWrapper does not name: content negotiation only
        sparql.setOnlyConneg(True)
        sparql.addCustomHttpHeader("Accept", accept)
    return sparql


@pytest.fixture(scope="module")
def measures(latest_build) -> set[URIRef]:
    found = set(latest_build.union().subjects(RDF.type, AK.Measure))
    assert found
    return found


@pytest.fixture(scope="module")
def measure(measures) -> URIRef:
    return sorted(measures)[0]


def test_select_json(corpus_server, measures):
    result = client(corpus_server, MEASURES, JSON).query().convert()
    assert result["head"]["vars"] == ["m"]
    assert {URIRef(b["m"]["value"]) for b in result["results"]["bindings"]} == measures


def test_select_xml(corpus_server, measures):
    document = client(corpus_server, MEASURES, XML).query().convert()
    uris = {URIRef(node.firstChild.data) for node in document.getElementsByTagName("uri")}
    assert uris == measures


@pytest.mark.parametrize(("fmt", "delimiter"), [(CSV, ","), (TSV, "\t")])
def test_select_csv_tsv(corpus_server, measures, fmt, delimiter):
    text = client(corpus_server, MEASURES, fmt).query().convert().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert rows[0] == (["m"] if fmt == CSV else ["?m"])
    values = {row[0].strip("<>") for row in rows[1:]}
    assert {URIRef(v) for v in values} == measures


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_ask(corpus_server, measure, fmt):
    holds = client(corpus_server, f"ASK {{ <{measure}> a <{AK.Measure}> }}", fmt)
    missing = client(corpus_server, f"ASK {{ <{measure}-nope> a <{AK.Measure}> }}", fmt)
    if fmt == JSON:
        assert holds.query().convert()["boolean"] is True
        assert missing.query().convert()["boolean"] is False
    else:
        text = holds.query().convert().getElementsByTagName("boolean")[0].firstChild.data
        assert text == "true"
        text = missing.query().convert().getElementsByTagName("boolean")[0].firstChild.data
        assert text == "false"


def _graph(sparql: SPARQLWrapper, rdflib_format: str) -> Graph:
    converted = sparql.query().convert()
    if isinstance(converted, Graph):
        return converted
    return Graph().parse(data=converted, format=rdflib_format)


# (SPARQLWrapper format, Accept header for formats SPARQLWrapper does not name, rdflib format)
GRAPH_FORMATS = [
    (TURTLE, None, "turtle"),
    (None, "application/n-triples", "nt"),
    (JSONLD, None, "json-ld"),
    (RDFXML, None, "xml"),
]


@pytest.mark.parametrize(("fmt", "accept", "rdflib_format"), GRAPH_FORMATS)
def test_construct(corpus_server, measures, fmt, accept, rdflib_format):
    sparql = client(corpus_server, CONSTRUCT, fmt, accept)
    if accept:
        response = sparql.query().response
        assert response.headers.get_content_type() == accept
        graph = Graph().parse(data=response.read(), format=rdflib_format)
    else:
        graph = _graph(sparql, rdflib_format)
    assert set(graph.subjects(RDF.type, AK.Measure)) == measures
    assert len(graph) == len(measures)


@pytest.mark.parametrize(("fmt", "accept", "rdflib_format"), GRAPH_FORMATS)
def test_describe(corpus_server, latest_build, measure, fmt, accept, rdflib_format):
    expected = Graph()
    for triple in latest_build.union().triples((measure, None, None)):
        expected.add(triple)
    sparql = client(corpus_server, f"DESCRIBE <{measure}>", fmt, accept)
    if accept:
        graph = Graph().parse(data=sparql.query().response.read(), format=rdflib_format)
    else:
        graph = _graph(sparql, rdflib_format)
    assert len(expected) > 5
    assert isomorphic(graph, expected)


def test_post_directly(corpus_server, measures):
    from SPARQLWrapper import POST, POSTDIRECTLY

    sparql = client(corpus_server, MEASURES, JSON)
    sparql.setMethod(POST)
    sparql.setRequestMethod(POSTDIRECTLY)
    result = sparql.query().convert()
    assert {URIRef(b["m"]["value"]) for b in result["results"]["bindings"]} == measures
