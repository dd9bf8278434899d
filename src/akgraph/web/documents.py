"""Linked-data documents: every ``urn:nl:ak:`` identifier dereferences to one.

Addresses follow the Dutch URI strategy: ``/id/{urn}`` and ``/{urn}`` answer 303 See Other to
``/doc/{urn}``, which negotiates HTML or RDF (``Accept``, a suffix such as ``.ttl`` or
``?format=``); the HTML is an item, concept, scheme, site or version page."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import unquote

from flask import Blueprint, Response, abort, redirect, render_template, request
from flask_babel import gettext  # type: ignore[import-untyped]
from flask_babel import lazy_gettext as _l
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, SKOS
from werkzeug.wrappers import Response as BaseResponse

from akgraph import fields, iris, queries, store
from akgraph.fields import Form
from akgraph.iris import AK
from akgraph.web import i18n, negotiation, urls
from akgraph.web.data import Resource, Term
from akgraph.web.negotiation import DOCUMENT, HTML, SUFFIXES
from akgraph.web.render import to_html
from akgraph.web.site import conditional, natural, predicate_label, unavailable
from akgraph.web.state import data

bp = Blueprint("documents", __name__)
bp.register_error_handler(store.QueryError, unavailable)


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
#: The fields an item page shows under a heading of their own, in order.
LABELLED = [f for f in fields.FIELDS if f.label is not None and f.prop is not None]


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
    return conditional(response, iri, media_type)


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



@dataclass(frozen=True)
class Facts:
    """What the document templates show of a resource beyond its headed fields, by name, so
    templates name no properties."""

    abstract: Term | None
    definition: Term | None
    description: Term | None
    page: Term | None
    #: whether ``page`` is the official text of a law (wetten.overheid.nl, EUR-Lex)
    official_text: bool
    in_scheme: list[Term]
    #: referenced requirements and measures, each with whether it matched no item
    requirements: list[tuple[Term, bool]]
    measures: list[tuple[Term, bool]]
    #: what refers to this item as its measure (instruments)
    instruments: list[str]
    #: the items that cite this law or part of a law (their citations' own nodes left out)
    citing: list[str]
    registry_instrument: bool
    releases: list[Term]
    source_path: Term | None
    minted: bool
    slug: Term | None
    moved_from: Term | None
    moved_to: Term | None


def facts(resource: Resource) -> Facts:
    """The :class:`Facts` of ``resource``."""

    def first(prop) -> Term | None:
        return resource.first(str(prop))

    def references(prop) -> list[tuple[Term, bool]]:
        unresolved = str(AK.UnresolvedReference)
        return [(v, unresolved in resource.types(v.value)) for v in resource.values(str(prop))]

    cited = resource.referrers(str(AK.derivedFrom)) + resource.referrers(str(AK.law))
    page = first(FOAF.page)
    return Facts(
        abstract=first(DCTERMS.abstract),
        definition=first(SKOS.definition),
        description=first(DCTERMS.description),
        page=page,
        official_text=page is not None and page.value.startswith((iris.WETTEN, iris.EURLEX)),
        in_scheme=resource.values(str(SKOS.inScheme)),
        requirements=references(AK.requirement),
        measures=references(AK.measure),
        instruments=resource.referrers(str(AK.measure)),
        citing=sorted({iri for iri in cited if "#" not in iri}),
        registry_instrument=str(AK.RegistryInstrument) in resource.types(),
        releases=resource.values(str(AK.release)),
        source_path=first(AK.sourcePath),
        minted=bool(first(AK.identifierMinted)),
        slug=first(AK.slug),
        moved_from=first(AK.movedFrom),
        moved_to=first(AK.movedTo),
    )


def _item_page(resource: Resource) -> str:
    types = resource.types()
    if str(SKOS.ConceptScheme) in types:
        return render_template("scheme.html", r=resource, f=facts(resource), **_scheme(resource))
    if str(AK.ItemVersion) in types:
        return _version_page(resource)
    sections = _sections(resource)
    context = {
        "r": resource,
        "f": facts(resource),
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
        f=facts(version),
        item_facts=facts(item),
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


