"""The dataset: about, accessibility statement, downloads, VoID/DCAT description, the
validation report, the releases and the diff between two of them."""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, abort, render_template, request

from akgraph import store
from akgraph.iris import AK
from akgraph.web import description, negotiation, urls
from akgraph.web.negotiation import HTML
from akgraph.web.site import conditional, unavailable
from akgraph.web.state import data
from akgraph.web.void import describe as void_description

bp = Blueprint("dataset", __name__)
bp.register_error_handler(store.QueryError, unavailable)


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
    return conditional(response, "dump", extension)


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
    return conditional(Response(body, mimetype=media_type), "void", media_type)


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

