"""The VoID + DCAT-AP-NL 3.0 description of the dataset served at ``/.well-known/void``.

``void.ttl`` holds what does not change (titles, publisher, contact, licence, themes); this
module adds the running instance: the SPARQL service, one ``dcat:Dataset`` per release held,
one ``dcat:Distribution`` per download, and the class partitions.
"""

from __future__ import annotations

from importlib.resources import files

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, XSD

DCAT = Namespace("http://www.w3.org/ns/dcat#")  # DCAT 3 (rdflib's DCAT lacks the version terms)
VOID = Namespace("http://rdfs.org/ns/void#")
MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"
FILE_TYPES = "http://publications.europa.eu/resource/authority/file-type/"
#: The EU file-type of each download's media type.
FILE_TYPE = {
    "text/turtle": "RDF_TURTLE",
    "application/n-triples": "RDF_N_TRIPLES",
    "application/n-quads": "RDF_N_QUADS",
    "application/trig": "RDF_TRIG",
    "application/ld+json": "JSON_LD",
    "application/rdf+xml": "RDF_XML",
}
#: The W3C specification each download's format conforms to.
SPECIFICATION = {
    "text/turtle": "https://www.w3.org/TR/turtle/",
    "application/n-triples": "https://www.w3.org/TR/n-triples/",
    "application/n-quads": "https://www.w3.org/TR/n-quads/",
    "application/trig": "https://www.w3.org/TR/trig/",
    "application/ld+json": "https://www.w3.org/TR/json-ld11/",
    "application/rdf+xml": "https://www.w3.org/TR/rdf-syntax-grammar/",
}
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
#: What a distribution has in common with its dataset.
INHERITED = (DCTERMS.license, DCTERMS.accessRights, DCTERMS.language)


def describe(
    document: str,
    sparql: str,
    downloads: dict[str, str],
    classes: dict[str, int],
    triples: int | None,
    releases: list[dict[str, str]],
    pages: dict[str, str] | None = None,
) -> Graph:
    """The description, with IRIs relative to ``document`` (the description's own URL).

    ``pages`` may name akgraph's ``home``, ``query`` and ``about`` pages.
    """
    graph = Graph()
    graph.bind("void", VOID)
    graph.bind("dcat", DCAT)
    graph.bind("dct", DCTERMS)
    graph.bind("foaf", FOAF)
    text = files("akgraph.web").joinpath("void.ttl").read_text(encoding="utf-8")
    graph.parse(data=text, format="turtle", publicID=document)
    pages = pages or {}
    dataset = URIRef(document + "#dataset")
    service = URIRef(document + "#sparql")
    common = URIRef(document + "#common")
    shared = list(graph.predicate_objects(common))
    graph.remove((common, None, None))
    add = graph.add

    def agreed(subject: URIRef) -> None:
        for predicate, value in shared:
            add((subject, predicate, value))

    def inherit(distribution: URIRef, of: URIRef) -> None:
        for predicate in INHERITED:
            for value in graph.objects(of, predicate):
                add((distribution, predicate, value))

    def document_page(subject: URIRef, predicate: URIRef, url: str | None) -> None:
        if url:
            add((subject, predicate, URIRef(url)))
            add((URIRef(url), RDF.type, FOAF.Document))

    for url in {sparql, *downloads}:  # DCAT-AP's range of the URL properties, stated
        add((URIRef(url), RDF.type, RDFS.Resource))

    agreed(dataset)
    agreed(service)
    add((dataset, VOID.sparqlEndpoint, URIRef(sparql)))
    add((service, DCAT.endpointURL, URIRef(sparql)))
    add((service, DCAT.endpointDescription, URIRef(sparql)))  # GET answers the description
    add((service, DCTERMS.identifier, Literal(sparql)))
    add((service, DCAT.servesDataset, dataset))
    document_page(service, DCAT.landingPage, pages.get("query"))
    document_page(service, FOAF.page, pages.get("about"))
    document_page(dataset, FOAF.page, pages.get("about"))
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
        media = URIRef(MEDIA_TYPES + media_type)
        add((distribution, DCAT.mediaType, media))
        add((media, RDF.type, DCTERMS.MediaType))
        if media_type in FILE_TYPE:
            file_type = URIRef(FILE_TYPES + FILE_TYPE[media_type])
            add((distribution, DCTERMS["format"], file_type))
            add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
        add((distribution, DCTERMS.title, Literal(f"Alles als {media_type}", lang="nl")))
        add((distribution, DCTERMS.title, Literal(f"Everything as {media_type}", lang="en")))
        if media_type in SPECIFICATION:
            specification = URIRef(SPECIFICATION[media_type])
            add((distribution, DCTERMS.conformsTo, specification))
            add((specification, RDF.type, DCTERMS.Standard))
        inherit(distribution, dataset)
    _releases(graph, document, dataset, service, sparql, releases, agreed, inherit, pages)
    return graph


def _releases(graph, document, dataset, service, sparql, releases, agreed, inherit, pages) -> None:
    """One ``dcat:Dataset`` per release (oldest first), each a version of ``dataset`` reached
    through the SPARQL service in its own named graph."""
    add = graph.add
    previous = None
    newest = None
    for release in releases:
        tag = release["tag"]
        version = URIRef(f"{document}#release-{tag}")
        source = URIRef(release["release"])
        add((dataset, PROV.wasDerivedFrom, source))
        add((source, DCTERMS.identifier, Literal(tag)))
        add((version, RDF.type, DCAT.Dataset))
        agreed(version)
        add((version, DCTERMS.title, Literal(f"Algoritmekader {tag} als linked data", lang="nl")))
        title_en = f"The Algoritmekader {tag} as linked data"
        add((version, DCTERMS.title, Literal(title_en, lang="en")))
        add((version, DCTERMS.description, Literal(
            f"De uitgave {tag} van het Algoritmekader, in de benoemde graaf <{source}>.", lang="nl"
        )))
        add((version, DCTERMS.description, Literal(
            f"Release {tag} of the Algoritmekader, in the named graph <{source}>.", lang="en"
        )))
        add((version, DCTERMS.identifier, Literal(str(source))))
        add((version, DCAT.version, Literal(tag)))
        add((version, PROV.wasDerivedFrom, source))
        add((version, DCAT.isVersionOf, dataset))
        for predicate in (DCTERMS.conformsTo, FOAF.page):
            for value in graph.objects(dataset, predicate):
                add((version, predicate, value))
        if pages.get("home"):
            add((version, DCAT.landingPage, URIRef(pages["home"])))
            add((URIRef(pages["home"]), RDF.type, FOAF.Document))
        add((dataset, DCAT.hasVersion, version))
        add((dataset, VOID.subset, version))
        add((service, DCAT.servesDataset, version))
        if release.get("date"):
            date = Literal(release["date"][:10], datatype=XSD.date)
            add((version, DCTERMS.issued, date))
            newest = date
        if previous is not None:
            add((version, DCAT.previousVersion, previous))
        previous = version
        access = URIRef(f"{document}#release-{tag}-sparql")
        add((version, DCAT.distribution, access))
        add((access, RDF.type, DCAT.Distribution))
        add((access, DCAT.accessURL, URIRef(sparql)))
        add((access, DCAT.accessService, service))
        add((access, DCTERMS.title, Literal(f"SPARQL: GRAPH <{source}>", lang="nl")))
        add((access, DCTERMS.title, Literal(f"SPARQL: GRAPH <{source}>", lang="en")))
        add((access, DCTERMS.conformsTo, SPARQL_PROTOCOL))
        inherit(access, version)
    if previous is not None:
        add((dataset, DCAT.hasCurrentVersion, previous))
    if newest is not None:
        add((dataset, DCTERMS.modified, newest))
