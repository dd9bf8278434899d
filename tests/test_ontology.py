"""The ontology agrees with the data and is published: an RDFS reasoner (owlrl) over every shared
release (with the real decision aid and instrument registry), their history and the sample
gives no resource a class its asserted types do not already entail; every term the data uses
is declared in the ontology and named in the JSON-LD context; ``/def`` (the ``ak:`` namespace)
answers the ontology as Turtle, JSON-LD or HTML over HTTP, and the store holds it in its own
named graph."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import owlrl
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, XSD

from akgraph import iris, resources
from akgraph.graph import Build, build, build_releases
from tests.conftest import CORPUS, RELEASES, REPO
from tests.live import live
from tests.test_context import _context_terms

SHARED = Path(os.environ.get("AKGRAPH_SHARED", REPO.parent / "shared"))
DECISION_AID = SHARED / "beslishulp"
REGISTRY = SHARED / "clients" / "task-registry" / "instruments"
ONTOLOGY = resources.ontology()
AK = str(iris.AK)
#: RDFS's own classes: every resource, class, property or literal may get these.
RDFS_CLASSES = {RDFS.Resource, RDFS.Class, RDF.Property, RDFS.Literal, RDFS.Datatype}


def _release(tag: str) -> Build:
    path = CORPUS / f"algoritmekader-{tag}"
    if not (path / "docs").is_dir():
        pytest.skip(f"real Algoritmekader export {path} not found (set AKGRAPH_CORPUS)")
    return build(
        path,
        decision_aid=DECISION_AID if DECISION_AID.is_dir() else None,
        instrument_registry=REGISTRY if REGISTRY.is_dir() else None,
    )


@pytest.fixture(scope="module")
def builds() -> list[Build]:
    return [_release(tag) for tag in RELEASES]


def _data(graphs: list[tuple[URIRef, Graph]]) -> Graph:
    """The named graphs but the ontology's, merged."""
    merged = Graph()
    for name, graph in graphs:
        if name != iris.ONTOLOGY:
            merged += graph
    return merged


@pytest.fixture(scope="module")
def datasets(builds, sample_build) -> dict[str, Graph]:
    """The data to check, by name: each release's graphs, the history of the three (with
    their data, which types what it points to) and the sample's graphs."""
    found = {b.checkout.release.tag: _data(b.named_graphs()) for b in builds}
    found["history"] = _data(build_releases(builds).named_graphs())
    found["sample"] = _data(sample_build.named_graphs())
    return found


def _entailed(classes: set) -> set:
    """The classes that the ontology's rdfs:subClassOf makes of ``classes`` (themselves too)."""
    return {c for cls in classes for c in ONTOLOGY.transitive_objects(cls, RDFS.subClassOf)}


def _members(cls: object) -> set:
    """An ``owl:unionOf`` class as its members, any other class as itself."""
    union = ONTOLOGY.value(cls, OWL.unionOf)  # type: ignore[arg-type]
    return set(Collection(ONTOLOGY, union)) if union is not None else {cls}


@pytest.mark.parametrize("name", [*RELEASES, "history", "sample"])
def test_rdfs_reasoning_gives_no_resource_a_class_it_lacks(datasets, name):
    """A property's domain or range never says more than the types the data asserts: with
    ak:release on glossary terms and versions, ak:section and links on topic, phase and role
    pages, ak:requirement on registry tasks, a reasoner would otherwise call them items.
    A union range (``ak:Requirement or ak:UnresolvedReference``) holds if a member does.
    A resource with no type (a value outside its list, reported by validation) may get one."""
    data = datasets[name]
    nodes = {n for t in data for n in (t[0], t[2]) if not isinstance(n, Literal)}
    asserted = defaultdict(set)
    for node, cls in data.subject_objects(RDF.type):
        asserted[node].add(cls)
    closure = Graph()
    closure += data
    closure += ONTOLOGY
    owlrl.DeductiveClosure(
        owlrl.RDFS_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(closure)
    wrong = set()
    for node, cls in closure.subject_objects(RDF.type):
        if node not in nodes or cls in RDFS_CLASSES or not asserted[node]:
            continue
        allowed = _entailed(asserted[node])
        if cls in allowed or (isinstance(cls, BNode) and _members(cls) & allowed):
            continue
        wrong.add((str(node), str(cls), tuple(sorted(map(str, asserted[node])))))
    by_class = defaultdict(list)
    for node, cls, types in sorted(wrong):
        by_class[(cls, types)].append(node)
    assert not by_class, {k: (len(v), v[:3]) for k, v in by_class.items()}


#: The datatype of a literal as RDF 1.1 gives it.
def _datatype(value: Literal) -> URIRef:
    return RDF.langString if value.language else URIRef(value.datatype or XSD.string)


@pytest.mark.parametrize("name", [*RELEASES, "history", "sample"])
def test_literal_ranges_and_property_kinds_hold(datasets, name):
    """Object properties have nodes as values, datatype properties literals of their range."""
    wrong = set()
    for _, p, o in datasets[name]:
        kinds = set(ONTOLOGY.objects(p, RDF.type))
        if OWL.ObjectProperty in kinds and isinstance(o, Literal):
            wrong.add((str(p), "literal value of an object property"))
        if OWL.DatatypeProperty in kinds and not isinstance(o, Literal):
            wrong.add((str(p), "node value of a datatype property"))
        if isinstance(o, Literal):
            for datatype in ONTOLOGY.objects(p, RDFS.range):
                if _datatype(o) != datatype:
                    wrong.add((str(p), f"{_datatype(o)} outside the range {datatype}"))
    assert not wrong, sorted(wrong)


def test_every_term_the_data_uses_is_declared_and_in_the_context(datasets):
    """Every predicate and class of the data: an ak: term declared in the ontology (as a
    class, or an object or datatype property, with Dutch and English label and comment);
    any term in the JSON-LD context; and every term the ontology declares in the context."""
    context = _context_terms() | {str(RDF.type)}
    declared = {
        str(s): kind
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in ONTOLOGY.subjects(RDF.type, kind)
        if isinstance(s, URIRef)
    }
    for name, data in datasets.items():
        predicates = {str(p) for p in data.predicates()}
        classes = {str(c) for c in data.objects(None, RDF.type)}
        assert (predicates | classes) - context == set(), name
        assert {p for p in predicates if p.startswith(AK)} - declared.keys() == set(), name
        assert {c for c in classes if c.startswith(AK)} - declared.keys() == set(), name
        assert all(declared[c] == OWL.Class for c in classes if c.startswith(AK)), name
        assert all(declared[p] != OWL.Class for p in predicates if p.startswith(AK)), name
    for term in declared:
        for predicate in (RDFS.label, RDFS.comment):
            langs = {o.language for o in ONTOLOGY.objects(URIRef(term), predicate)}
            assert {"nl", "en"} <= langs, (term, predicate)
        assert (URIRef(term), RDFS.isDefinedBy, iris.ONTOLOGY) in ONTOLOGY, term
    assert set(declared) - context == set()


# -- published at its namespace and held in the store ----------------------------------------


@pytest.fixture(scope="module")
def server(app):
    with live(app) as url:
        yield url


def _path() -> str:
    """Where the namespace IRI lands on this server: w3id.org sends
    ``https://w3id.org/algoritmekader/<path>`` to ``<server>/<path>``."""
    namespace = str(iris.AK)
    assert namespace.endswith("#")
    return "/" + namespace.removesuffix("#").removeprefix("https://w3id.org/algoritmekader/")


def _get(url: str, accept: str | None = None, **headers: str):
    if accept:
        headers["Accept"] = accept
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_namespace_is_the_ontology_iri():
    assert str(iris.AK) == str(iris.ONTOLOGY) + "#"
    assert _path() == "/def"
    assert (iris.ONTOLOGY, RDF.type, OWL.Ontology) in ONTOLOGY


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
        ("text/turtle;q=0.9, text/html;q=0.5", "turtle"),
    ],
)
def test_namespace_answers_the_ontology_as_rdf(server, accept, fmt):
    status, headers, body = _get(server + _path(), accept)
    assert status == 200
    assert headers.get_content_type() == accept.split(";")[0]
    assert "Accept" in headers["Vary"]
    assert isomorphic(Graph().parse(data=body, format=fmt), ONTOLOGY)


def test_turtle_is_the_ontology_file_itself(server):
    status, _, body = _get(server + _path(), "text/turtle")
    assert status == 200
    assert body == (resources.data_dir("ontology") / "akgraph.ttl").read_bytes()
    by_suffix = _get(server + _path() + ".ttl")
    assert by_suffix[0] == 200 and by_suffix[2] == body
    by_format = _get(server + _path() + "?format=ttl", "text/html")
    assert by_format[0] == 200 and by_format[2] == body


def test_jsonld_uses_the_context(server):
    document = json.loads(_get(server + _path(), "application/ld+json")[2])
    assert document["@context"] == resources.jsonld_context()["@context"]
    status, headers, body = _get(server + "/context.jsonld")
    assert status == 200 and headers.get_content_type() == "application/ld+json"
    assert json.loads(body) == resources.jsonld_context()


class _Page(HTMLParser):
    """The ids of a page's elements and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.ids |= {value for name, value in attrs if name == "id" and value}

    def handle_data(self, data):
        self.text.append(data)


def test_namespace_answers_a_page_listing_classes_and_properties(server):
    status, headers, body = _get(server + _path(), "text/html,application/xhtml+xml;q=0.9")
    assert status == 200 and headers.get_content_type() == "text/html"
    page = _Page()
    page.feed(body.decode())
    text = " ".join(" ".join(page.text).split())
    terms = {
        s
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in ONTOLOGY.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and str(s).startswith(AK)
    }
    assert len(terms) > 100
    for term in terms:
        local = str(term).removeprefix(AK)
        assert local in page.ids, local  # so that ak:Measure's IRI lands on its entry
        for predicate in (RDFS.label, RDFS.comment):
            for value in ONTOLOGY.objects(term, predicate):
                assert " ".join(str(value).split()) in text, (local, str(value))
    for title in ONTOLOGY.objects(iris.ONTOLOGY, URIRef("http://purl.org/dc/terms/title")):
        assert title.language != "nl" or str(title) in text


def test_namespace_revalidates_and_refuses_what_it_cannot_give(server):
    etag = _get(server + _path(), "text/turtle")[1]["ETag"]
    assert _get(server + _path(), "text/turtle", **{"If-None-Match": etag})[0] == 304
    refused = _get(server + _path(), "application/pdf")
    assert refused[0] == 406 and b"text/turtle" in refused[2]
    assert _get(server + _path() + ".pdf")[0] == 404


def _select(server: str, query: str) -> list[dict]:
    url = server + "/sparql?" + urllib.parse.urlencode({"query": query})
    status, _, body = _get(url, "application/sparql-results+json")
    assert status == 200, body
    return json.loads(body)["results"]["bindings"]


def test_store_holds_the_ontology_in_its_own_named_graph(server):
    graph = f"<{iris.ONTOLOGY}>"
    rows = _select(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    assert int(rows[0]["n"]["value"]) == len(ONTOLOGY)
    classes = _select(
        server,
        f"SELECT ?c WHERE {{ GRAPH {graph} {{ ?c a <{OWL.Class}> }} FILTER isIRI(?c) }}",
    )
    expected = {str(c) for c in ONTOLOGY.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    assert {row["c"]["value"] for row in classes} == expected
    # the ontology is in no other graph, and no data is in its graph
    elsewhere = _select(
        server,
        f"SELECT ?g WHERE {{ GRAPH ?g {{ <{iris.AK.Measure}> ?p ?o }} }}",
    )
    assert {row["g"]["value"] for row in elsewhere} == {str(iris.ONTOLOGY)}
    data = _select(
        server, f"SELECT ?s WHERE {{ GRAPH {graph} {{ ?s a <{iris.AK.Measure}> }} }} LIMIT 1"
    )
    assert data == []
