"""The ontology at its namespace: ``/def`` (the ``ak:`` namespace without ``#``, where
w3id.org sends ``https://w3id.org/algoritmekader/def``) answers an HTML page listing the
classes and properties, or the ontology as Turtle (the source file itself, with its comments),
JSON-LD, RDF/XML or N-Triples, by ``Accept``, ``?format=`` or a suffix (``/def.ttl``).
``/context.jsonld`` answers the JSON-LD context.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from flask import Blueprint, Response, abort, render_template, request
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS
from rdflib.term import Node

from akgraph import iris, resources
from akgraph.web import description, negotiation, urls

bp = Blueprint("ontology", __name__, template_folder="templates")

HTML = "text/html"
TURTLE = "text/turtle"
JSON_LD = "application/ld+json"
FORMATS = (negotiation.Format(HTML, ("html",), ("application/xhtml+xml",)), *negotiation.GRAPHS)
#: The ontology's address on this server, from its IRI (``/def``).
PATH = "/" + str(iris.ONTOLOGY).removeprefix(iris.W3ID)
#: Media type by file suffix of the ontology's address.
SUFFIXES = {
    "html": HTML,
    "ttl": TURTLE,
    "jsonld": JSON_LD,
    "rdf": "application/rdf+xml",
    "nt": "application/n-triples",
}
KINDS = {
    OWL.Class: "Klasse",
    OWL.ObjectProperty: "Objecteigenschap",
    OWL.DatatypeProperty: "Gegevenseigenschap",
}


@dataclass(frozen=True)
class Ref:
    """A class or property as a page shows it: its name and where it links."""

    name: str
    href: str


@dataclass(frozen=True)
class Term:
    """A class or property of the ontology, for the page."""

    name: str
    iri: str
    kind: str
    label_nl: str
    label_en: str
    comment_nl: str
    comment_en: str
    parents: list[Ref]
    #: each rdfs:domain (or rdfs:range) as its alternatives (the members of a union)
    domain: list[list[Ref]]
    range: list[list[Ref]]


@bp.route(PATH)
@bp.route(f"{PATH}.<suffix>")
def ontology(suffix: str | None = None) -> Response:
    """The ontology document, in the format asked for."""
    if suffix is not None:
        if suffix not in SUFFIXES:
            abort(404)
        media_type: str | None = SUFFIXES[suffix]
    else:
        media_type = negotiation.choose(
            FORMATS, request.accept_mimetypes, request.args.getlist("format")
        )
    if media_type is None:
        return Response(
            f"406 Not Acceptable: the ontology is available as {negotiation.names(FORMATS)}\n",
            406,
            mimetype="text/plain",
        )
    if media_type == HTML:
        response = Response(render_template("ontology.html", **_page()), mimetype=HTML)
    else:
        response = Response(_rdf(media_type), mimetype=media_type)
    response.headers["Link"] = ", ".join(
        f'<{urls.ontology(s)}>; rel="alternate"; type="{t}"' for s, t in SUFFIXES.items()
    )
    return _conditional(response)


@bp.route("/context.jsonld")
def context() -> Response:
    """The JSON-LD context of akgraph's data."""
    body = json.dumps(resources.jsonld_context(), indent=2, ensure_ascii=False) + "\n"
    return _conditional(Response(body, mimetype=JSON_LD))


def _conditional(response: Response) -> Response:
    """An ETag from the body (the files change only with akgraph), 304 on revalidation."""
    response.vary.add("Accept")
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.make_conditional(request)
    return response


@cache
def _rdf(media_type: str) -> bytes:
    if media_type == TURTLE:
        return (resources.data_dir("ontology") / "akgraph.ttl").read_bytes()
    graph = resources.ontology()
    if media_type == JSON_LD:
        context = resources.jsonld_context()["@context"]
        return graph.serialize(format="json-ld", context=context, encoding="utf-8")
    return description.serialize(graph, media_type)


@cache
def _page() -> dict:
    """What the HTML page shows: the ontology's title and description, its classes and its
    properties (sorted by name)."""
    graph = resources.ontology()
    me = iris.ONTOLOGY
    terms = [_term(graph, s, kind) for kind in KINDS for s in graph.subjects(RDF.type, kind)]
    ak_terms = [t for t in terms if t is not None]
    return {
        "iri": str(me),
        "namespace": str(iris.AK),
        "title": _text(graph, me, DCTERMS.title, "nl"),
        "title_en": _text(graph, me, DCTERMS.title, "en"),
        "description": _text(graph, me, DCTERMS.description, "nl"),
        "description_en": _text(graph, me, DCTERMS.description, "en"),
        "version": str(graph.value(me, OWL.versionInfo) or ""),
        "license": str(graph.value(me, DCTERMS.license) or ""),
        "classes": sorted((t for t in ak_terms if t.kind == KINDS[OWL.Class]), key=_by_name),
        "properties": sorted(
            (t for t in ak_terms if t.kind != KINDS[OWL.Class]), key=_by_name
        ),
        "suffixes": {s: t for s, t in SUFFIXES.items() if s != "html"},
        "graph_query": (
            f"SELECT ?class ?label WHERE {{ GRAPH <{me}> {{ ?class a <{OWL.Class}> ; "
            f'<{RDFS.label}> ?label FILTER (isIRI(?class) && LANG(?label) = "nl") }} }} '
            "ORDER BY ?class"
        ),
    }


def _by_name(term: Term) -> tuple[str, str]:
    return term.name.lower(), term.name


def _term(graph: Graph, subject: Node, kind: URIRef) -> Term | None:
    if not isinstance(subject, URIRef) or not subject.startswith(str(iris.AK)):
        return None
    parent = RDFS.subClassOf if kind == OWL.Class else RDFS.subPropertyOf
    return Term(
        name=subject.removeprefix(str(iris.AK)),
        iri=str(subject),
        kind=KINDS[kind],
        label_nl=_text(graph, subject, RDFS.label, "nl"),
        label_en=_text(graph, subject, RDFS.label, "en"),
        comment_nl=_text(graph, subject, RDFS.comment, "nl"),
        comment_en=_text(graph, subject, RDFS.comment, "en"),
        parents=sorted((_ref(graph, o) for o in graph.objects(subject, parent)), key=_named),
        domain=_classes(graph, graph.objects(subject, RDFS.domain)),
        range=_classes(graph, graph.objects(subject, RDFS.range)),
    )


def _text(graph: Graph, subject: URIRef, predicate: URIRef, lang: str) -> str:
    for value in graph.objects(subject, predicate):
        if isinstance(value, Literal) and value.language == lang:
            return str(value)
    return ""


def _classes(graph: Graph, nodes: Iterable[Node]) -> list[list[Ref]]:
    """Classes as links, each a list of its alternatives: a union (``owl:unionOf``) its
    members, another class itself alone."""
    found = []
    for node in nodes:
        members = graph.value(node, OWL.unionOf) if isinstance(node, BNode) else None
        listed = Collection(graph, members) if members is not None else [node]
        found.append(sorted((_ref(graph, m) for m in listed), key=_named))
    return sorted(found, key=lambda refs: [r.name for r in refs])


def _named(ref: Ref) -> str:
    return ref.name


def _ref(graph: Graph, node: Node) -> Ref:
    iri = str(node)
    if iri.startswith(str(iris.AK)):
        local = iri.removeprefix(str(iris.AK))
        return Ref(f"ak:{local}", f"#{local}")
    for prefix, namespace in graph.namespaces():
        if prefix and iri.startswith(str(namespace)):
            return Ref(f"{prefix}:{iri.removeprefix(str(namespace))}", iri)
    return Ref(iri, iri)
