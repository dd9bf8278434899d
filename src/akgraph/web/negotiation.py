"""Content negotiation: pick a result format from ``format=`` or the ``Accept`` header.

Accept parsing (q-values, wildcards, ``q=0``) is werkzeug's ``request.accept_mimetypes``; this
module only knows which formats exist, their short names and the media types that alias them.
"""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept


@dataclass(frozen=True)
class Format:
    """A result format: its media type (as sent), ``format=`` names and accepted aliases."""

    media_type: str
    names: tuple[str, ...]
    aliases: tuple[str, ...] = ()


#: Formats of SELECT and ASK results; the first is the default.
RESULTS = (
    Format("application/sparql-results+json", ("json", "srj"), ("application/json",)),
    Format("application/sparql-results+xml", ("xml", "srx"), ("application/xml", "text/xml")),
    Format("text/csv", ("csv",)),
    Format("text/tab-separated-values", ("tsv",)),
)

#: Formats of CONSTRUCT and DESCRIBE results and of the service description.
GRAPHS = (
    Format("text/turtle", ("turtle", "ttl"), ("application/x-turtle", "application/turtle")),
    Format("application/n-triples", ("ntriples", "nt", "n-triples")),
    Format("application/ld+json", ("jsonld", "json-ld", "json"), ("application/json",)),
    Format(
        "application/rdf+xml", ("rdfxml", "rdf+xml", "rdf", "xml"), ("application/xml", "text/xml")
    ),
)


HTML = "text/html"
#: Formats of a document: HTML first, then the RDF formats of /sparql.
DOCUMENT = (Format(HTML, ("html",), ("application/xhtml+xml",)), *GRAPHS)
#: File suffixes of a document, by media type (the first one is used in links).
SUFFIXES = {
    ".html": HTML,
    ".ttl": "text/turtle",
    ".jsonld": "application/ld+json",
    ".json": "application/ld+json",
    ".rdf": "application/rdf+xml",
    ".nt": "application/n-triples",
}


def choose(
    formats: tuple[Format, ...], accept: MIMEAccept, requested: list[str] | None = None
) -> str | None:
    """The media type to answer with, or None if nothing fits (406).

    ``requested`` (the ``format`` parameter, repeatable: short names or media types; the first
    known one is used) wins over ``Accept``; without an ``Accept`` header the first format is
    used.
    """
    if requested:
        for name in requested:
            wanted = name.strip().lower()
            for f in formats:
                if wanted in f.names or wanted == f.media_type:
                    return f.media_type
        return None
    if not accept:
        return formats[0].media_type
    offered = {f.media_type: f.media_type for f in formats}
    for f in formats:
        for alias in f.aliases:
            offered.setdefault(alias, f.media_type)
    best = accept.best_match(list(offered))
    return offered.get(best) if best else None


def names(formats: tuple[Format, ...]) -> str:
    """The formats as a readable list for error messages."""
    return ", ".join(f"{f.media_type} (format={f.names[0]})" for f in formats)
