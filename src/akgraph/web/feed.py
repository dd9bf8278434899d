"""The change feed: the releases' history as a Linked Data Event Stream (LDES 1.0).

``/ldes`` describes the ``ldes:EventStream``; its ``tree:view`` is the page of the oldest
release. There is one page (``tree:Node``) per dated release, oldest first, each linked to the
next by a ``tree:GreaterThanOrEqualToRelation`` on the timestamp. A page's members
(``tree:member``) are the versions of every item of its release (``urn:nl:ak:versie:...``,
as in the history graph), each with ``dct:isVersionOf`` the item's URN
(``ldes:versionOfPath``), ``dct:issued`` the release date (``ldes:timestampPath``) and the
item's data in that release, its text as blank-node sections. A page of an older release does
not change while releases are added in date order and is sent as immutable; the newest page (it
gains a relation when a release is added) and ``/ldes`` are cached for minutes only.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, current_app, request
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from akgraph import iris
from akgraph.iris import AK
from akgraph.web import negotiation, urls
from akgraph.web.state import data

LDES = Namespace("https://w3id.org/ldes#")
TREE = Namespace("https://w3id.org/tree#")
#: The formats of the feed; the first is the default.
FORMATS = (
    negotiation.GRAPHS[0],  # Turtle
    negotiation.Format("application/trig", ("trig",)),
    negotiation.GRAPHS[2],  # JSON-LD
    negotiation.GRAPHS[1],  # N-Triples
)
#: rdflib's serializer of each format.
SERIALIZERS = {
    "text/turtle": "turtle",
    "application/trig": "trig",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
}
TIMESTAMP = DCTERMS.issued
VERSION_OF = DCTERMS.isVersionOf
#: Cache-Control of a page that never changes, and of the stream and the newest page.
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"

bp = Blueprint("feed", __name__)


def dated_releases() -> list[dict[str, str]]:
    """The releases held that have a date (only those have a place in time), oldest first."""
    return [r for r in data().releases if r.get("date")]


def timestamp(date: str) -> Literal:
    """The feed's timestamp of a release date: midnight UTC of that day."""
    return Literal(f"{date}T00:00:00Z", datatype=XSD.dateTime)


def _graph() -> Graph:
    graph = Graph()
    for prefix, namespace in (
        ("ldes", LDES), ("tree", TREE), ("dct", DCTERMS), ("ak", AK), ("prov", PROV),
        ("xsd", XSD),
    ):  # fmt: skip
        graph.bind(prefix, namespace)
    return graph


def _stream(graph: Graph, releases: list[dict[str, str]]) -> URIRef:
    """Add the event stream's description; its IRI."""
    stream = URIRef(urls.feed(external=True))
    graph.add((stream, RDF.type, LDES.EventStream))
    graph.add((stream, LDES.timestampPath, TIMESTAMP))
    graph.add((stream, LDES.versionOfPath, VERSION_OF))
    if releases:
        graph.add((stream, TREE.view, URIRef(urls.feed_page(releases[0]["tag"], external=True))))
    return stream


def stream_graph() -> Graph:
    """``/ldes``: the event stream and its view."""
    graph = _graph()
    _stream(graph, dated_releases())
    return graph


def page_graph(position: int) -> Graph:
    """The page of the ``position``-th dated release: its members and the relation onwards."""
    releases = dated_releases()
    release = releases[position]
    tag = release["tag"]
    graph = _graph()
    stream = _stream(graph, releases)
    page = URIRef(urls.feed_page(tag, external=True))
    graph.add((page, RDF.type, TREE.Node))
    graph.add((page, DCTERMS.isPartOf, stream))
    if position + 1 < len(releases):
        following = releases[position + 1]
        relation = BNode()
        graph.add((page, TREE.relation, relation))
        graph.add((relation, RDF.type, TREE.GreaterThanOrEqualToRelation))
        graph.add((relation, TREE.node, URIRef(urls.feed_page(following["tag"], external=True))))
        graph.add((relation, TREE.path, TIMESTAMP))
        graph.add((relation, TREE.value, timestamp(following["date"])))
    members = Graph().parse(data=data().feed_members(tag), format="nt")
    versions: dict[URIRef, URIRef] = {}
    for subject, predicate, obj in members:
        if isinstance(subject, URIRef):
            if subject not in versions:
                version = versions[subject] = iris.item_version(str(subject), tag)
                graph.add((stream, TREE.member, version))
                graph.add((version, RDF.type, AK.ItemVersion))
                graph.add((version, VERSION_OF, subject))
                graph.add((version, AK.versionOf, subject))
            subject = versions[subject]
        graph.add((subject, predicate, obj))
    return graph


def serialize(graph: Graph, media_type: str) -> str:
    """``graph`` in ``media_type``; in TriG as the default graph (no graph name)."""
    if media_type == "application/trig":
        dataset = Dataset()
        for prefix, namespace in graph.namespaces():
            dataset.bind(prefix, namespace)
        dataset.default_graph += graph
        return dataset.serialize(format="trig")
    return graph.serialize(format=SERIALIZERS[media_type])


def _answer(graph_of, key: str, cache_control: str) -> Response:
    """The graph ``graph_of()`` makes in the negotiated format, with an ETag from the store's
    version and ``key``; rendered once per format and base URL."""
    media_type = negotiation.choose(
        FORMATS, request.accept_mimetypes, request.args.getlist("format")
    )
    if media_type is None:
        return Response(
            f"406 Not Acceptable: the feed is available as {negotiation.names(FORMATS)}\n",
            406,
            mimetype="text/plain",
        )
    body = data().page(
        ("ldes", key, media_type, request.host_url, request.script_root),
        lambda: serialize(graph_of(), media_type),
    )
    response = Response(body, mimetype=media_type)
    response.vary.add("Accept")
    digest = hashlib.sha256("\x00".join((current_app.config["VERSION"], key, media_type)).encode())
    response.set_etag(digest.hexdigest()[:32])
    response.headers["Cache-Control"] = cache_control
    response.make_conditional(request)
    return response


@bp.route("/ldes")
def stream() -> Response:
    """The event stream: what its members are and where its view starts."""
    return _answer(stream_graph, "", SHORT)


@bp.route("/ldes/<path:tag>")
def page(tag: str) -> Response:
    """The page of release ``tag``: immutable unless it is the newest."""
    tags = [r["tag"] for r in dated_releases()]
    if tag not in tags:
        abort(404, f"no page for release {tag}; pages: {', '.join(tags)}")
    position = tags.index(tag)
    newest = position == len(tags) - 1
    return _answer(lambda: page_graph(position), tag, SHORT if newest else IMMUTABLE)
