"""Linked-data pages: every ``urn:nl:ak:`` identifier dereferences to a document.

Addresses follow the Dutch URI strategy: ``/id/{urn}`` and ``/{urn}`` answer 303 See Other to
``/doc/{urn}``, which negotiates HTML or RDF (``Accept``, a suffix such as ``.ttl`` or
``?format=``). Besides the documents: a home page, a list page per kind of item with facets,
the concept schemes, full-text search, the query page and the named queries.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from urllib.parse import unquote

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request
from flask_babel import gettext  # type: ignore[import-untyped]
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS
from werkzeug.wrappers import Response as BaseResponse

from akgraph import fields, iris, queries, registry_labels, store
from akgraph.fields import Form
from akgraph.iris import AK
from akgraph.web import description, exports, i18n, negotiation, sparql, state, urls
from akgraph.web.data import FACETS, KINDS, SPARQL_JSON, Data, Resource, Term
from akgraph.web.render import to_html
from akgraph.web.void import describe as void_description

bp = Blueprint(
    "pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

HTML = "text/html"
#: Formats of a document: HTML first, then the RDF formats of /sparql.
DOCUMENT = (negotiation.Format(HTML, ("html",), ("application/xhtml+xml",)), *negotiation.GRAPHS)
#: File suffixes of a document, by media type (the first one is used in links).
SUFFIXES = {
    ".html": HTML,
    ".ttl": "text/turtle",
    ".jsonld": "application/ld+json",
    ".json": "application/ld+json",
    ".rdf": "application/rdf+xml",
    ".nt": "application/n-triples",
}
FORMAT_NAMES = {
    HTML: "HTML",
    "text/turtle": "Turtle",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF/XML",
    "application/n-triples": "N-Triples",
}
#: Relations shown in their own blocks on an item page (the rest is listed generically): of
#: the fields, those in the heading, the labels and the references.
SHOWN = {
    str(p)
    for p in (
        RDF.type, AK.section, AK.slug, AK.sourcePath, AK.release, FOAF.page, AK.identifierMinted,
        SKOS.prefLabel, SKOS.inScheme, SKOS.topConceptOf, SKOS.definition, SKOS.notation,
        AK.legalCitation, AK.derivedFrom, AK.law, AK.task, AK.link, AK.navOrder, AK.navTitle,
        AK.navSection, AK.navParent,
        *(f.prop for f in fields.of_form(Form.TEXT, Form.IDENTIFIER, Form.CONCEPT, Form.REFERENCE)),
    )
}  # fmt: skip
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
#: Headings of the list pages (and the home page's cards), by the lists' keys in KINDS.
KIND_TITLES = {
    "maatregelen": _l("Maatregelen"),
    "vereisten": _l("Vereisten"),
    "hulpmiddelen": _l("Hulpmiddelen"),
}
#: The fields an item page shows under a heading of their own, in order.
LABELLED = [f for f in fields.FIELDS if f.label is not None and f.prop is not None]


def data() -> Data:
    return state.data()


@bp.errorhandler(store.QueryError)
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


# -- identifiers ----------------------------------------------------------------------------


_NOT_IRI = re.compile(r'[\x00-\x20\x7f-\x9f<>"{}|^`\\]')


def _known(text: str) -> str | None:
    """The IRI the graph knows for ``text`` as written in an address, or None."""
    candidates = [text, iris.normalize(text), iris.normalize(unquote(text))]
    for candidate in dict.fromkeys(candidates):
        if _NOT_IRI.search(candidate):  # control characters, spaces, <>"{}|^`\: no IRI
            continue
        try:
            if data().describe(candidate).exists:
                return candidate
        except queries.NamedQueryError:  # not an IRI at all
            continue
    return None


@bp.route("/id/<path:urn>")
def identifier(urn: str) -> BaseResponse:
    """The URN names a thing, not a document: see the document that describes it."""
    return redirect(urls.doc(_known(urn) or urn), 303)


@bp.route("/resolve")
def resolve() -> BaseResponse:
    urn = request.args.get("urn", "").strip()
    if not urn:
        return redirect(urls.home(), 303)
    return redirect(urls.doc(_known(urn) or urn), 303)


@bp.route("/<path:urn>")
def bare(urn: str) -> BaseResponse:
    if not urn.lower().startswith("urn:"):
        abort(404)
    return identifier(urn)


@bp.route("/doc/<path:urn>")
def document(urn: str) -> Response:
    iri, media_type = _known(urn), None
    if iri is None:
        for suffix, suffix_type in SUFFIXES.items():
            if urn.endswith(suffix) and (iri := _known(urn.removesuffix(suffix))):
                media_type = suffix_type
                break
    if media_type is None:
        media_type = negotiation.choose(
            DOCUMENT, request.accept_mimetypes, request.args.getlist("format")
        )
    if media_type is None:
        return Response(
            f"406 Not Acceptable: this document is available as {negotiation.names(DOCUMENT)}\n",
            406,
            mimetype="text/plain",
        )
    if iri is None:
        return _not_found(urn, media_type)
    if media_type == HTML:
        # all a page takes from the request: its host, prefix and language
        key = i18n.cache_key(iri, request.host_url, request.script_root)
        body = data().page(key, lambda: _item_page(data().describe(iri)))
        response = Response(body, mimetype=HTML)
    else:
        response = Response(data().rdf(iri, media_type), mimetype=media_type)
    response.headers["Link"] = ", ".join(
        f'<{urls.doc(iri, suffix)}>; rel="alternate"; type="{t}"'
        for suffix, t in SUFFIXES.items()
        if suffix != ".json"
    )
    return _conditional(response, iri, media_type)


def _conditional(response: Response, *key: str) -> Response:
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


def _not_found(urn: str, media_type: str) -> Response:
    closest = data().closest(urn)
    if media_type == HTML:
        body = render_template("notfound.html", urn=urn, closest=closest)
        return Response(body, 404, mimetype=HTML)
    if media_type == "application/ld+json":
        body = json.dumps({"error": f"unknown identifier {urn}", "closest": closest}, indent=2)
        return Response(body, 404, mimetype=media_type)
    lines = [f"# 404 Not Found: no resource {urn} in this graph."]
    lines += [f"# Closest known identifier: {c}" for c in closest]
    if media_type in ("text/turtle", "application/n-triples"):
        return Response("\n".join(lines) + "\n", 404, mimetype=media_type)
    return Response("\n".join(lines) + "\n", 404, mimetype="text/plain")


# -- item pages -----------------------------------------------------------------------------


def _item_page(resource: Resource) -> str:
    types = resource.types()
    if str(SKOS.ConceptScheme) in types:
        return render_template("scheme.html", r=resource, **_scheme(resource))
    if str(AK.ItemVersion) in types:
        return _version_page(resource)
    sections = _sections(resource)
    context = {
        "r": resource,
        "sections": sections,
        "labels": _labels(resource),
        "other": _other(resource),
        "implemented_by": _grouped_by_phase(resource, resource.referrers(str(AK.requirement))),
        "legal": _legal(resource),
        "history": _history(resource),
        "kind": _kind_name(types),
        "tasks": _tasks(resource),
    }
    context["trail"], children = _navigation(resource)
    if str(AK.Page) in types:
        context["children"] = children
        context["inbound"] = sorted(resource.referrers(str(AK.linksTo)), key=resource.label)
        return render_template("page.html", **context)
    if str(SKOS.Concept) in types:
        context["carriers"], context["inbound"] = _carriers(resource)
        # the text's own links are in the text
        context["other"] = _other(resource, skip={str(AK.linksTo), str(AK.externalLink)})
        return render_template("concept.html", **context)
    return render_template("item.html", **context)


def _labels(resource: Resource) -> list[tuple[str, list[Term]]]:
    """The headed fields the resource has (heading in the page's language, values in order)."""
    found = []
    for f in LABELLED:
        values = resource.values(str(f.prop))
        if values:
            order = sorted(values, key=lambda v: natural(data().concept_label(v.value)))
            found.append((f.heading(i18n.language()), order))
    return found


#: Items that carry a concept, in the order a concept page shows them: class, anchor, title.
CARRIERS = [
    (str(AK.Measure), "alle-maatregelen", _l("Maatregelen")),
    (str(AK.Requirement), "alle-vereisten", _l("Vereisten")),
    (str(AK.Instrument), "alle-hulpmiddelen", _l("Hulpmiddelen")),
]
#: Headings of relations into a page, named from the other side.
INBOUND_TITLES = {
    str(AK.linksTo): _l("Pagina's die hiernaar verwijzen"),
    str(AK.navParent): _l("Pagina's in dit onderdeel"),
    str(SKOS.closeMatch): _l("Komt nagenoeg overeen met"),
    str(SKOS.broadMatch): _l("Engere begrippen"),
    str(SKOS.narrowMatch): _l("Ruimere begrippen"),
}


def _carriers(resource: Resource) -> tuple[list[dict], list[tuple[str, list[str]]]]:
    """The measures, requirements and instruments labelled with this concept (measures by
    phase, except on a phase's own page), and the other relations into it."""
    labelled = {str(f.prop) for f in LABELLED}
    carried: dict[str, set[str]] = {}
    inbound = []
    for predicate, subjects in sorted(resource.inbound.items()):
        if predicate == str(SKOS.hasTopConcept):
            continue  # the scheme, named in the header
        rest = set()
        for subject in subjects:
            kind = next((c for c, _, _ in CARRIERS if c in resource.types(subject)), None)
            if predicate in labelled and kind is not None:
                carried.setdefault(kind, set()).add(subject)
            else:
                rest.add(subject)
        if rest:
            title = INBOUND_TITLES.get(predicate) or gettext(
                "Is %(label)s van", label=predicate_label(predicate)
            )
            inbound.append((title, sorted(rest, key=resource.label)))
    phase_page = str(AK.LifecyclePhase) in resource.types()
    groups = []
    for cls, anchor, title in CARRIERS:
        items = sorted(carried.get(cls, ()), key=resource.label)
        if items:
            by_phase = cls == str(AK.Measure) and not phase_page
            phases = _grouped_by_phase(resource, items) if by_phase else None
            groups.append(
                {"id": anchor, "title": title, "count": len(items), "members": items,
                 "phases": phases}
            )  # fmt: skip
    return groups, inbound


def _navigation(resource: Resource) -> tuple[list[tuple[str, str]], list[str]]:
    """The pages above this one in the site's navigation (the home page first), as IRI and
    label, and the pages under it in the navigation's order (the rest by title)."""
    trail: list[tuple[str, str]] = []
    current = resource
    while (parent := current.first(str(AK.navParent))) and len(trail) < 10:
        if parent.value in {iri for iri, _ in trail} or parent.value == resource.iri:
            break
        current = data().describe(parent.value)
        section = current.first(str(AK.navSection))
        trail.insert(0, (parent.value, section.value if section else current.label()))
    children = resource.referrers(str(AK.navParent))

    def order(iri: str) -> tuple:
        position = resource.first(str(AK.navOrder), iri)
        return (0, int(position.value), "") if position else (1, 0, resource.label(iri).lower())

    return trail, sorted(children, key=order)


def natural(label: str) -> tuple:
    """A sort key that orders numbers by value: "Fase 2" before "Fase 10"."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.lower())
        for part in re.split(r"(\d+)", label)
        if part
    )


def _tasks(resource: Resource) -> dict | None:
    """The questions of an instrument in the registry's order: its own, or those of the
    registry instrument that names this framework instrument."""
    owner = resource.iri
    if not resource.values(str(AK.task)):
        owners = resource.inbound.get(str(AK.frameworkInstrument), [])
        if not owners:
            return None
        owner = owners[0]
    tasks = [t.value for t in resource.values(str(AK.task), owner)]

    def position(task: str) -> int:
        found = resource.first(str(AK.position), task)
        return int(found.value) if found else 0

    return {
        "instrument": owner,
        "own": owner == resource.iri,
        "items": [
            {"iri": t, "question": resource.label(t), "number": position(t)}
            for t in sorted(tasks, key=position)
        ],
    }


def _kind_name(types: set[str]) -> str:
    labels = data().labels_in(i18n.language())
    for cls in (
        AK.Measure,
        AK.Requirement,
        AK.Instrument,
        AK.GlossaryTerm,
        AK.AuditCriterion,
        AK.LifecyclePhase,
        AK.Role,
        AK.Topic,
        AK.AIActLabel,
        AK.InstrumentCategory,
    ):
        if str(cls) in types:
            return labels.get(str(cls), cls.split("#")[-1])
    known = [labels[t] for t in sorted(types) if t in labels]
    return known[0] if known else gettext("Onderdeel")


def _link_targets(resource: Resource) -> dict[tuple[str, bool], str]:
    """Where each relative link of the text goes, as the mapping resolved it (its ``ak:link``
    nodes): by the link as written and whether it is HTML, our page (or the official site's,
    for a file not in the export) with the anchor; ``""`` for a link that goes nowhere."""
    found = {}
    for link in resource.values(str(AK.link)):
        href = resource.first(str(AK.href), link.value)
        if href is None:
            continue
        target = resource.first(str(AK.target), link.value)
        fragment = resource.first(str(AK.fragment), link.value)
        url = ""
        if target is not None:
            url = urls.doc(target.value) if iris.parse(target.value) else target.value
            url += f"#{fragment.value}" if fragment else ""
        found[(href.value, bool(resource.first(str(AK.inHtml), link.value)))] = url
    return found


def _sections(resource: Resource) -> list[dict]:
    targets = _link_targets(resource)

    def resolve(href: str, html: bool) -> str | None:
        return targets.get((href.strip(), html))

    sections = []
    for section in resource.values(str(AK.section)):
        markdown = resource.first(str(AK.markdown), section.value)
        if markdown is None:
            continue
        order = resource.first(str(AK.order), section.value)
        heading = resource.first(str(AK.heading), section.value)
        sections.append(
            {
                "anchor": section.value.partition("#")[2],
                "heading": heading.value if heading else None,
                "html": to_html(markdown.value, resolve),
                "order": int(order.value) if order else 0,
            }
        )
    return sorted(sections, key=lambda s: s["order"])


def _version_page(version: Resource) -> str:
    """A version node: what its URN named in its release (title, text, release), and the
    versions before and after it."""
    urn, release = version.first(str(AK.versionOf)), version.first(str(AK.release))
    tag = iris.release_tag(release.value) if release else None
    item = data().describe(urn.value, tag) if urn and tag else Resource(version.iri)
    # the same item's versions (under another URN where it moved) and the URN's other items
    before = version.first(str(PROV.wasRevisionOf))
    after = version.referrers(str(PROV.wasRevisionOf))
    before_urn = version.first(str(AK.reassignedFrom))
    after_urn = version.referrers(str(AK.reassignedFrom))
    return render_template(
        "version.html",
        v=version,
        item=item,
        urn=urn.value if urn else None,
        tag=tag,
        release=release.value if release else None,
        sections=_sections(item),
        before=before.value if before else None,
        after=after[0] if after else None,
        before_urn=before_urn.value if before_urn else None,
        after_urn=after_urn[0] if after_urn else None,
        reassigned=bool(version.values(str(AK.reassignedFrom))),
        kind=_kind_name(item.types()),
    )


def _history(resource: Resource) -> list[dict]:
    """What the URN named in each release read, oldest first (empty for one release)."""
    versions = []
    for version in resource.referrers(str(AK.versionOf)):
        release = resource.first(str(AK.release), version)
        tag = (iris.release_tag(release.value) if release else None) or ""
        versions.append(
            {
                "tag": tag,
                "release": release.value if release else None,
                "slug": (resource.first(str(AK.slug), version) or Term("")).value,
                "title": resource.label(version),
                "reassigned": bool(resource.values(str(AK.reassignedFrom), version)),
                "moved_from": (resource.first(str(AK.movedFrom), version) or Term("")).value,
            }
        )
    order = {r["tag"]: n for n, r in enumerate(data().releases)}
    versions.sort(key=lambda v: order.get(str(v["tag"]), len(order)))
    return versions if len(versions) > 1 or any(v["reassigned"] for v in versions) else []


def _legal(resource: Resource) -> list[dict]:
    """The parts of laws the item derives from, with their law, and any text/link mismatch."""
    eli = "http://data.europa.eu/eli/ontology#"
    mismatches = {
        d.value: citation.value
        for citation in resource.values(str(AK.legalCitation))
        if resource.values(str(AK.disagreement), citation.value)
        for d in resource.values(str(AK.derivedFrom), citation.value)
    }
    parts = []
    for part in resource.values(str(AK.derivedFrom)):
        law = resource.first(eli + "is_part_of", part.value)
        page = resource.first(str(FOAF.page), part.value)
        disagreement = None
        if part.value in mismatches:
            note = resource.first(str(AK.disagreement), mismatches[part.value])
            disagreement = note.value if note else None
        parts.append(
            {
                "iri": part.value,
                "label": resource.label(part.value),
                "law": law.value if law else None,
                "law_label": resource.label(law.value) if law else None,
                "page": page.value if page else None,
                "disagreement": disagreement,
            }
        )
    cited = {p["law"] for p in parts}
    for law in resource.values(str(AK.law)):
        if law.value not in cited:
            page = resource.first(str(FOAF.page), law.value)
            parts.append(
                {"iri": law.value, "label": resource.label(law.value), "law": None,
                 "law_label": None, "page": page.value if page else None, "disagreement": None}
            )  # fmt: skip
    return sorted(parts, key=lambda p: (p["law_label"] or p["label"], p["label"]))


def _other(resource: Resource, skip: set[str] = set()) -> list[tuple[str, list]]:  # noqa: B006
    """Relations not shown in their own block, with the ontology's Dutch label."""
    facts = resource.facts.get(resource.iri, {})
    hidden = SHOWN | skip
    return [(predicate_label(p), vs) for p, vs in sorted(facts.items()) if p not in hidden]


def _grouped_by_phase(resource: Resource, items: list[str]) -> list[tuple[str, list[str]]]:
    """``items`` by the lifecycle phase(s) they belong to, in the order of the phases."""
    groups: dict[str, list[str]] = {}
    for item in items:
        if str(AK.Measure) not in resource.types(item):
            continue
        for phase in resource.values(str(AK.lifecyclePhase), item) or [Term("")]:
            groups.setdefault(phase.value, []).append(item)

    def order(phase: str) -> tuple:
        return (phase == "", natural(data().concept_label(phase)) if phase else ())

    return [
        (phase, sorted(groups[phase], key=resource.label)) for phase in sorted(groups, key=order)
    ]


def _scheme(resource: Resource) -> dict:
    concepts = [
        (iri, info) for iri, info in data().concepts.items() if info.get("scheme") == resource.iri
    ]
    concepts.sort(key=lambda c: (c[1].get("notation") or data().concept_label(c[0])).lower())
    return {"concepts": concepts}


# -- home, lists, search --------------------------------------------------------------------


@bp.route("/")
def home() -> str:
    counts = data().counts
    kinds = [(kind, KIND_TITLES[kind], counts.get(cls, 0)) for kind, (cls, _) in KINDS.items()]
    schemes = sorted(
        (iri, data().concept_label(iri))
        for iri, info in data().concepts.items()
        if "scheme" not in info and iri.startswith(iris.PREFIX)
    )
    site = list(data().navigation)
    home_page = str(iris.page("docs/index.md"))  # the home page, also where the nav omits it
    if home_page not in dict(site) and data().describe(home_page).exists:
        site.insert(0, (home_page, data().describe(home_page).label()))
    return render_template("home.html", kinds=kinds, schemes=schemes, counts=counts, site=site)


@bp.route("/<any(maatregelen, vereisten, hulpmiddelen):kind>")
def listing(kind: str) -> Response:
    items = data().items(kind)
    chosen = {name: request.args.getlist(name) for name in FACETS if request.args.getlist(name)}
    wanted = {name: {str(iris.concept(name, v)) for v in values} for name, values in chosen.items()}

    def matches(item, skip: str | None = None) -> bool:
        """OR within a facet, AND across facets (leaving out facet ``skip``)."""
        return all(wanted[n] & item.facets.get(n, set()) for n in wanted if n != skip)

    selected = [i for i in items if matches(i)]
    facets = []
    for name in FACETS:
        counted: dict[str, int] = {}
        for item in (i for i in items if matches(i, skip=name)):
            for value in item.facets.get(name, ()):
                counted[value] = counted.get(value, 0) + 1
        if counted or name in chosen:
            facets.append(
                (name, sorted(counted.items(), key=lambda kv: natural(data().concept_label(kv[0]))))
            )
    if request.args.get("format") in exports.WRITERS:
        return exports.response(_list_table(kind, selected, chosen), request.args["format"], kind)
    if request.args.get("format") == "json":
        body = json.dumps(
            [
                {"urn": i.iri, "title": i.title, "url": urls.doc(i.iri, external=True)}
                for i in selected
            ],
            ensure_ascii=False,
            indent=2,
        )
        return Response(body, mimetype="application/json")
    page = render_template(
        "list.html",
        kind=kind,
        title=KIND_TITLES[kind],
        items=selected,
        total=len(items),
        facets=facets,
        chosen=chosen,
        profile={name: v for name, v in chosen.items() if name in registry_labels.dimensions()},
    )
    return Response(page, mimetype=HTML)


def _list_table(kind: str, items: list, chosen: dict[str, list[str]]) -> exports.Table:
    """What a filtered list shows, for spreadsheets: one row per item (URN, title linked to its
    page, the facets' labels joined by "; ", the page's absolute address), the filters named."""
    names = [name for name in FACETS if any(i.facets.get(name) for i in items)]
    filters = [
        (
            data().concept_label(str(iris.scheme(name))),
            exports.joined([data().concept_label(str(iris.concept(name, v))) for v in values]),
        )
        for name, values in chosen.items()
    ]
    table = exports.Table(
        KINDS[kind][1],
        urls.listing(kind, external=True, **chosen),
        exports.release_name(data().releases[-1] if data().releases else {}),
        filters,
        ["urn", fields.column("title"), *map(fields.column, names), "url"],
    )
    for item in items:
        page = urls.doc(item.iri, external=True)
        values = [exports.joined(sorted(data().concept_label(v) for v in item.facets.get(n, ())))
                  for n in names]  # fmt: skip
        table.rows.append([item.iri, exports.Link(item.title, page), *values, page])
    return table


@bp.route("/zoeken")
def search() -> str:
    text = request.args.get("q", "").strip()[:200]
    results = data().search(text) if text else []
    return render_template("search.html", q=text, search_text=text, results=results)


# -- queries --------------------------------------------------------------------------------


@bp.route("/query", methods=["GET", "POST"])
def query_page() -> Response:
    text = (request.form if request.method == "POST" else request.args).get("query", "").strip()
    named = queries.read_folder()
    result, error = None, None
    if text:
        try:
            result = _table(text)
        except store.QueryError as exc:
            error = exc.message
    lang = i18n.language()
    editor = {
        "endpoint": urls.sparql(),
        "prefixes": store.PREFIXES,
        "examples": {q.title.get(lang) or q.title["nl"]: q.bind() for q in named.values()},
        # names for YASGUI's unnamed controls (static/query.js)
        "names": {
            "textarea": gettext("SPARQL-query"),
            "select": gettext("Aantal rijen per pagina"),
            "input": gettext("Invoer"),
        },
    }
    page = render_template(
        "query.html", text=text, named=named, result=result, error=error,
        editor=editor if _bundled(YASGUI) else None,
    )  # fmt: skip
    return Response(page, 400 if error else 200, mimetype=HTML)


#: The query editor's files, where scripts/static has bundled them (else the plain form only).
YASGUI = ("vendor/yasgui/yasgui.min.js", "vendor/yasgui/yasgui.min.css")


def _bundled(files: tuple[str, ...]) -> bool:
    folder = Path(bp.static_folder or "")
    return all((folder / name).is_file() for name in files)


@bp.route("/queries/")
def named_queries() -> str:
    """The cookbook: the named queries grouped by the question they help answer."""
    groups: dict[str, list[queries.NamedQuery]] = {}
    for query in queries.read_folder().values():
        question = query.question.get(i18n.language()) or query.question.get("nl")
        groups.setdefault(question or gettext("Overige vragen"), []).append(query)
    return render_template("queries.html", groups=groups)


@bp.route("/queries/<name>")
def named_query(name: str) -> Response:
    named = queries.read_folder()
    if name not in named:
        abort(404, f"no named query {name!r}; known: {', '.join(sorted(named))}")
    q = named[name]
    values = {p.name: request.args[p.name] for p in q.parameters if p.name in request.args}
    try:
        text = q.bind(values)
        wanted = request.args.get("format") or (
            "csv" if request.accept_mimetypes.best == "text/csv" else None
        )
        if wanted in ("json", "csv"):
            query = store.inspect(text, state.current().limits)
            media_type = SPARQL_JSON if wanted == "json" else "text/csv"
            _, body = sparql.run(query, media_type)
            response = Response(body, mimetype=media_type)
            if wanted == "csv":
                response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return response
        result = _table(text)
    except (queries.NamedQueryError, store.QueryError) as exc:
        message = exc.message if isinstance(exc, store.QueryError) else str(exc)
        page = render_template("named.html", q=q, values=values, result=None, error=message)
        return Response(page, 400, mimetype=HTML)
    page = render_template("named.html", q=q, values=values, result=result, error=None)
    return Response(page, mimetype=HTML)


def _table(text: str) -> dict:
    """Run a query from a page; SELECT/ASK as rows, CONSTRUCT/DESCRIBE as Turtle text."""
    query = store.inspect(text, state.current().limits)
    sent, body = sparql.run(query, store.Formats(SPARQL_JSON, "text/turtle"))
    if sent == "text/turtle":
        return {"turtle": body.decode("utf-8")}
    answer = json.loads(body)
    if "boolean" in answer:
        return {"boolean": answer["boolean"]}
    return {"columns": answer["head"]["vars"], "rows": answer["results"]["bindings"]}


# -- the dataset ----------------------------------------------------------------------------

#: Downloads of the whole graph: extension, media type.
DUMPS = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "nq": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
}


@bp.route("/over")
def about() -> str:
    dumps = [(ext, t) for ext, t in DUMPS.items() if t not in _missing_dumps()]
    return render_template("about.html", dumps=dumps, counts=data().counts)


@bp.route("/toegankelijkheid")
def accessibility() -> str:
    """The accessibility statement: what was tested, how, and the known limits."""
    return render_template("accessibility.html")


def _missing_dumps() -> set[str]:
    return set() if data().dataset is not None else {"application/n-quads", "application/trig"}


@bp.route("/downloads/akgraph.<extension>")
def dump(extension: str) -> Response:
    media_type = DUMPS.get(extension)
    body = data().dump(media_type) if media_type else None
    if body is None:
        abort(404, f"no download akgraph.{extension}; available: {', '.join(DUMPS)}")
    response = Response(body, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="akgraph.{extension}"'
    return _conditional(response, "dump", extension)


@bp.route("/.well-known/void")
def void() -> Response:
    """VoID and DCAT-AP-NL description of the dataset, its downloads and the SPARQL service."""
    media_type = negotiation.choose(
        negotiation.GRAPHS, request.accept_mimetypes, request.args.getlist("format")
    )
    if media_type is None:
        return Response(
            f"406 Not Acceptable: available as {negotiation.names(negotiation.GRAPHS)}\n",
            406,
            mimetype="text/plain",
        )
    downloads = {
        urls.dump(ext, external=True): t for ext, t in DUMPS.items() if t not in _missing_dumps()
    }
    graph = void_description(
        document=urls.void(external=True),
        sparql=urls.sparql(external=True),
        downloads=downloads,
        classes=data().counts,
        triples=len(dataset) if (dataset := data().dataset) is not None else None,
        releases=data().releases,
        pages={
            "home": urls.home(external=True),
            "query": urls.query(external=True),
            "about": urls.about(external=True),
        },
    )
    body = graph.serialize(format=description.RDFLIB_FORMATS[media_type], encoding="utf-8")
    return _conditional(Response(body, mimetype=media_type), "void", media_type)


@bp.route("/validatie")
def validation() -> str:
    return render_template("validation.html", levels=_by_severity(data().report))


def _by_severity(report) -> list[dict]:
    """The findings by severity (worst first), then by source file, each file with an anchor."""
    levels = []
    for level in report.counts():  # every level, worst first
        files: dict[str, list] = {}
        for where, findings in report.by_file().items():
            found = [f for f in findings if f.level == level]
            if found:
                files[where] = found
        levels.append(
            {
                "name": str(level),
                "total": sum(len(f) for f in files.values()),
                "files": [
                    {"path": path, "findings": found, "anchor": f"{level}-{_slug(path)}"}
                    for path, found in files.items()
                ],
            }
        )
    return levels


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


#: The JSON names of the counts on /releases, by class.
RELEASE_COUNTS = {
    "measures": AK.Measure,
    "requirements": AK.Requirement,
    "instruments": AK.Instrument,
}


@bp.route("/releases")
def releases() -> Response:
    """Every release held here, oldest first: tag, date, commit, how many items, and a link to
    what changed since the release before (``?format=json`` or ``Accept: application/json``:
    the same as data)."""
    counts = data().release_counts
    entries = []
    for position, release in enumerate(data().releases):
        tag, previous = release["tag"], data().releases[position - 1] if position else None
        held = counts.get(release["release"], {})
        entries.append(
            {
                "tag": tag,
                "release": release["release"],
                "date": release.get("date"),
                "commit": release.get("commit"),
                "counts": {name: held.get(str(cls), 0) for name, cls in RELEASE_COUNTS.items()},
                "previous": previous["tag"] if previous else None,
                "diff": urls.diff(previous["tag"], tag, external=True) if previous else None,
            }
        )
    wanted = negotiation.choose(
        (negotiation.Format(HTML, ("html",)), negotiation.Format("application/json", ("json",))),
        request.accept_mimetypes,
        request.args.getlist("format"),
    )
    if wanted is None:
        abort(406, "this page is HTML (format=html) or JSON (format=json)")
    if wanted == "application/json":
        body = json.dumps({"releases": entries}, ensure_ascii=False, indent=2)
        return Response(body, mimetype="application/json")
    return Response(render_template("releases.html", releases=entries), mimetype=HTML)


@bp.route("/diff")
def release_diff() -> Response:
    """What changed between two releases held in the store: ``?from=TAG&to=TAG``."""
    tags = [r["tag"] for r in data().releases]
    old, new = request.args.get("from", ""), request.args.get("to", "")
    if not old and not new and len(tags) >= 2:
        old, new = tags[-2], tags[-1]
    if old not in tags or new not in tags:
        abort(404, f"compare two releases held here: {', '.join(tags)} (?from=...&to=...)")
    result = data().diff(old, new)
    if request.args.get("format") == "json":
        body = json.dumps(result.to_json(), ensure_ascii=False, indent=2)
        return Response(body, mimetype="application/json")
    page = render_template("diff.html", diff=result, tags=tags, old=old, new=new)
    return Response(page, mimetype=HTML)
