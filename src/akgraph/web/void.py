"""The VoID + DCAT-AP-NL description of the dataset served at ``/.well-known/void``."""

from __future__ import annotations

from importlib.resources import files

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

VOID = Namespace("http://rdfs.org/ns/void#")
SPARQL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"


def describe(
    document: str,
    sparql: str,
    downloads: dict[str, str],
    classes: dict[str, int],
    triples: int | None,
    releases: list[dict[str, str]],
) -> Graph:
    """The description, with IRIs relative to ``document`` (the description's own URL)."""
    graph = Graph()
    graph.bind("void", VOID)
    graph.bind("dcat", DCAT)
    graph.bind("dct", DCTERMS)
    text = files("akgraph.web").joinpath("void.ttl").read_text(encoding="utf-8")
    graph.parse(data=text, format="turtle", publicID=document)
    dataset = URIRef(document + "#dataset")
    service = URIRef(document + "#sparql")
    add = graph.add
    add((dataset, VOID.sparqlEndpoint, URIRef(sparql)))
    add((service, RDF.type, DCAT.DataService))
    add((service, DCTERMS.title, Literal("SPARQL-endpoint van akgraph", lang="nl")))
    add((service, DCAT.endpointURL, URIRef(sparql)))
    add((service, DCTERMS.conformsTo, SPARQL))
    add((service, DCAT.servesDataset, dataset))
    if triples is not None:
        add((dataset, VOID.triples, Literal(triples, datatype=XSD.integer)))
    for cls, count in sorted(classes.items()):
        partition = URIRef(f"{document}#class-{cls.rsplit('#', 1)[-1]}")
        add((dataset, VOID.classPartition, partition))
        add((partition, VOID["class"], URIRef(cls)))
        add((partition, VOID.entities, Literal(count, datatype=XSD.integer)))
    for url, media_type in downloads.items():
        distribution = URIRef(f"{document}#dump-{url.rsplit('.', 1)[-1]}")
        add((dataset, VOID.dataDump, URIRef(url)))
        add((dataset, DCAT.distribution, distribution))
        add((distribution, RDF.type, DCAT.Distribution))
        add((distribution, DCAT.downloadURL, URIRef(url)))
        add((distribution, DCAT.accessURL, URIRef(url)))
        add((distribution, DCAT.mediaType, URIRef(MEDIA_TYPES + media_type)))
        add((distribution, DCTERMS.title, Literal(f"Alles als {media_type}", lang="nl")))
    for release in releases:
        source = URIRef(release["release"])
        add((dataset, DCTERMS.source, source))
        add((source, DCTERMS.identifier, Literal(release["tag"])))
        if release.get("date"):
            add((dataset, DCTERMS.modified, Literal(release["date"], datatype=XSD.date)))
    return graph
