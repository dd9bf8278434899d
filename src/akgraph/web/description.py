"""The SPARQL 1.1 Service Description answered on a GET of /sparql without a query."""

from __future__ import annotations

from importlib.resources import files

from pyoxigraph import QueryResultsFormat, RdfFormat
from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.namespace import RDF

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

#: rdflib serializer by media type (the media types of negotiation.GRAPHS).
RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
_RESULT_FORMATS = [
    *(f.iri for f in (QueryResultsFormat.JSON, QueryResultsFormat.XML)),
    *(f.iri for f in (QueryResultsFormat.CSV, QueryResultsFormat.TSV)),
    *(f.iri for f in (RdfFormat.TURTLE, RdfFormat.N_TRIPLES, RdfFormat.JSON_LD, RdfFormat.RDF_XML)),
]


def describe(endpoint: str, graphs: list[str]) -> Graph:
    """The description of the endpoint at URL ``endpoint`` holding named ``graphs``."""
    graph = Graph()
    graph.bind("sd", SD)
    text = files("akgraph.web").joinpath("service.ttl").read_text(encoding="utf-8")
    graph.parse(data=text, format="turtle", publicID=endpoint)
    service = graph.value(predicate=SD.endpoint, object=URIRef(endpoint))
    if service is None:
        raise ValueError("service.ttl describes no sd:endpoint")
    for iri in _RESULT_FORMATS:
        graph.add((service, SD.resultFormat, URIRef(iri)))
    dataset, default = BNode(), BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    for name in graphs:
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
    return graph


def serialize(graph: Graph, media_type: str) -> bytes:
    """``graph`` in one of the media types of :data:`RDFLIB_FORMATS`."""
    return graph.serialize(format=RDFLIB_FORMATS[media_type], encoding="utf-8")
