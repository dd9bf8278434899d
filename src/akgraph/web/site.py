"""What every page shares: the templates and static files, the formats of a document, the
template filters and helpers, the 503 page when the store cannot answer, and conditional
responses (ETag, 304)."""

from __future__ import annotations

import hashlib
import re

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import lazy_gettext as _l  # type: ignore[import-untyped]
from markupsafe import Markup
from rdflib.namespace import DCTERMS, FOAF, RDFS, SKOS

from akgraph import store
from akgraph.web import exports, i18n, urls
from akgraph.web.negotiation import HTML
from akgraph.web.state import data

bp = Blueprint(
    "site",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

FORMAT_NAMES = {
    HTML: "HTML",
    "text/turtle": "Turtle",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF/XML",
    "application/n-triples": "N-Triples",
}
#: Labels of properties from other vocabularies that pages show (Dutch, translated).
EXTERNAL_LABELS = {
    str(SKOS.closeMatch): _l("komt nagenoeg overeen met"),
    str(SKOS.exactMatch): _l("komt overeen met"),
    str(SKOS.broadMatch): _l("valt onder het ruimere"),
    str(SKOS.narrowMatch): _l("omvat het engere"),
    str(SKOS.relatedMatch): _l("verwant aan"),
    str(SKOS.broader): _l("ruimer begrip"),
    str(SKOS.narrower): _l("enger begrip"),
    str(SKOS.related): _l("verwant begrip"),
    str(SKOS.hasTopConcept): _l("heeft als topbegrip"),
    str(SKOS.inScheme): _l("in begrippenkader"),
    str(DCTERMS.isPartOf): _l("is onderdeel van"),
    str(DCTERMS.source): _l("bron"),
    str(FOAF.page): _l("pagina"),
    str(RDFS.label): _l("naam"),
    "http://data.europa.eu/eli/ontology#is_part_of": _l("is onderdeel van"),
    "http://data.europa.eu/eli/ontology#number": _l("nummer"),
    "http://data.europa.eu/eli/ontology#id_local": _l("identificatie"),
}


def unavailable(error: store.QueryError) -> Response:
    """The store could not answer a page's query (busy, timed out, remote down)."""
    body = render_template("unavailable.html", message=error.message)
    response = Response(body, 503, mimetype=HTML)
    response.headers["Retry-After"] = "5"
    return response


@bp.app_template_filter("web_link")
def web_link(url: object) -> str | None:
    """``url`` if it is an http(s) URL, else None: ``javascript:``, ``data:`` and other
    schemes from the source never become links."""
    text = str(url or "").strip()
    return text if re.match(r"https?://", text, re.IGNORECASE) else None


@bp.app_template_filter("predicate_label")
def predicate_label(iri: str) -> str:
    """The ontology's label of a property or class in the page's language (else Dutch)."""
    known = data().labels_in(i18n.language()).get(iri) or EXTERNAL_LABELS.get(iri)
    return known or iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _label_of(iri: str, language: str | None = None) -> str:
    """The label of a concept or scheme in ``language`` (default: the page's)."""
    return data().concept_label(iri, language or i18n.language())


def _nl_attr(iri: str) -> Markup:
    """`` lang="nl"`` for an element showing :func:`_label_of` ``iri`` on a page in another
    language, where that label is the Dutch one (no label in the page's language)."""
    shown = _label_of(iri)
    if i18n.language() == "nl" or shown != data().concept_label(iri, "nl"):
        return Markup("")
    return Markup(' lang="nl"')


@bp.app_context_processor
def helpers() -> dict:
    """What every template may use: the URL builder and label lookups."""
    return {
        "urls": urls,
        "label_of": _label_of,
        "nl_attr": _nl_attr,
        "FORMAT_NAMES": FORMAT_NAMES,
        "EXPORTS": exports.NAMES,
    }


def conditional(response: Response, *key: str) -> Response:
    """Vary on Accept, an ETag from the store's version and ``key`` (and for pages their
    language), 304 on revalidation."""
    response.vary.add("Accept")
    if response.mimetype == HTML:
        key = i18n.cache_key(*key)
    digest = hashlib.sha256("\x00".join((current_app.config["VERSION"], *key)).encode())
    response.set_etag(digest.hexdigest()[:32])
    response.headers["Cache-Control"] = "public, max-age=300"
    response.make_conditional(request)
    return response


def natural(label: str) -> tuple:
    """A sort key that orders numbers by value: "Fase 2" before "Fase 10"."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.lower())
        for part in re.split(r"(\d+)", label)
        if part
    )


