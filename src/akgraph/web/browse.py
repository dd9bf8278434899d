"""Browsing: the home page, a list page per kind of item with facets (also as JSON and
spreadsheets) and full-text search."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request
from flask_babel import lazy_gettext as _l  # type: ignore[import-untyped]

from akgraph import fields, iris, registry_labels, store
from akgraph.web import exports, urls
from akgraph.web.data import FACETS, KINDS
from akgraph.web.negotiation import HTML
from akgraph.web.site import natural, unavailable
from akgraph.web.state import data

bp = Blueprint("browse", __name__)
bp.register_error_handler(store.QueryError, unavailable)


#: Headings of the list pages (and the home page's cards), by the lists' keys in KINDS.
KIND_TITLES = {
    "maatregelen": _l("Maatregelen"),
    "vereisten": _l("Vereisten"),
    "hulpmiddelen": _l("Hulpmiddelen"),
}


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


