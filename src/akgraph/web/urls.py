"""The one place that builds the app's URLs; views and templates never write paths by hand."""

from __future__ import annotations

from typing import Any

from flask import url_for

from akgraph.web import negotiation


def sparql(external: bool = False, **params: str) -> str:
    """The SPARQL endpoint, optionally with query parameters (``query=...``)."""
    return url_for("sparql.endpoint", _external=external, **params)


def home(external: bool = False) -> str:
    return url_for("browse.home", _external=external)


def doc(iri: str, suffix: str | None = None, external: bool = False, **params: str) -> str:
    """The document about ``iri``; ``suffix`` (``.ttl``, ``.jsonld``...) picks a format."""
    return url_for("documents.document", urn=iri + (suffix or ""), _external=external, **params)


def identifier(iri: str, external: bool = False) -> str:
    """The ``/id/`` address of ``iri`` (answers 303 to its document)."""
    return url_for("documents.identifier", urn=iri, _external=external)


def media_type(suffix: str) -> str:
    """The media type of a document suffix."""
    return negotiation.SUFFIXES[suffix]


def resolve(urn: str | None = None) -> str:
    return url_for("documents.resolve", **_given(urn=urn))


def listing(kind: str, external: bool = False, **params) -> str:
    """A list page (``maatregelen``, ``vereisten``, ``hulpmiddelen``) with facet values."""
    return url_for("browse.listing", kind=kind, _external=external, **params)


def applicability(fmt: str | None = None, external: bool = False, **params) -> str:
    """The page "Wat geldt voor ons?" for a profile (``rol-ai-act=aanbieder``...); ``fmt``
    (``json``, ``csv``, ``xlsx``, ``ods``) the same answer as a file."""
    if fmt:
        return url_for("applicability.export", fmt=fmt, _external=external, **params)
    return url_for("applicability.page", _external=external, **params)


def search(q: str | None = None) -> str:
    return url_for("browse.search", **_given(q=q))


def query(external: bool = False, **params: str) -> str:
    """The query page, optionally with a query filled in."""
    return url_for("query_pages.query_page", _external=external, **params)


def named_queries() -> str:
    return url_for("query_pages.named_queries")


def named_query(name: str, external: bool = False, **params: str) -> str:
    return url_for("query_pages.named_query", name=name, _external=external, **params)


def about(external: bool = False) -> str:
    return url_for("dataset.about", _external=external)


def accessibility() -> str:
    return url_for("dataset.accessibility")


def void(external: bool = False, **params: str) -> str:
    return url_for("dataset.void", _external=external, **params)


def dump(extension: str, external: bool = False) -> str:
    """A download of the whole graph (``ttl``, ``nt``, ``nq``, ``trig``, ``jsonld``, ``rdf``)."""
    return url_for("dataset.dump", extension=extension, _external=external)


def ontology(suffix: str | None = None, external: bool = False) -> str:
    """The ontology at its namespace (``/def``); ``suffix`` (``ttl``, ``jsonld``...) a format."""
    if suffix:
        return url_for("ontology.ontology", suffix=suffix, _external=external)
    return url_for("ontology.ontology", _external=external)


def context(external: bool = False) -> str:
    """The JSON-LD context."""
    return url_for("ontology.context", _external=external)


def validation() -> str:
    return url_for("dataset.validation")


def static(filename: str) -> str:
    return url_for("site.static", filename=filename)


def releases(external: bool = False, **params: str) -> str:
    """The list of the releases held here (``format=json``: as data)."""
    return url_for("dataset.releases", _external=external, **params)


def diff(
    old: str | None = None, new: str | None = None, external: bool = False, **params: str
) -> str:
    """The changes between two releases."""
    given: dict[str, Any] = {"from": old, "to": new} if old and new else {}
    return url_for("dataset.release_diff", _external=external, **given | params)


def feed(external: bool = False) -> str:
    """The change feed (a Linked Data Event Stream of the releases' history)."""
    return url_for("feed.stream", _external=external)


def feed_page(tag: str, external: bool = False) -> str:
    """The page of the change feed with the versions of release ``tag``."""
    return url_for("feed.page", tag=tag, _external=external)


# -- JSON API (task-registry routes) ---------------------------------------------------------


def decision_aid(path: list[int] | None = None, json: bool = False) -> str:
    """A step of the decision aid's walk: the answers so far as their positions."""
    params: dict[str, Any] = {"pad": ".".join(map(str, path))} if path else {}
    return url_for("beslishulp.walk" if json else "beslishulp.page", **params)


def api_index(kind: str, external: bool = False, **params: str) -> str:
    """The index of ``measures``, ``requirements`` or ``instruments`` (``content=true``...)."""
    return url_for(f"api.{kind}", _external=external, **params)


def api_item(kind: str, urn: str, external: bool = False, **params: str) -> str:
    """One record of a collection, by URN."""
    return url_for("api.item", kind=kind, urn=urn, _external=external, **params)


def api_applicable(external: bool = False, **params) -> str:
    """The requirements and measures that apply to an AI-Act profile (``format=csv``...)."""
    return url_for("api.applicable", _external=external, **params)


def openapi(external: bool = False) -> str:
    """The OpenAPI description of the JSON API."""
    return url_for("api.openapi", _external=external)


def _given(**values: str | None) -> dict[str, Any]:
    """The query parameters that have a value."""
    return {name: value for name, value in values.items() if value}
