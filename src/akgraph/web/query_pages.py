"""The query pages: the SPARQL editor with its results as a table, and the named queries
with their parameters (the endpoint itself is :mod:`akgraph.web.sparql`)."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext  # type: ignore[import-untyped]

from akgraph import queries, store
from akgraph.web import i18n, site, sparql, state, urls
from akgraph.web.data import SPARQL_JSON
from akgraph.web.negotiation import HTML
from akgraph.web.site import unavailable

bp = Blueprint("query_pages", __name__)
bp.register_error_handler(store.QueryError, unavailable)


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
    folder = Path(site.bp.static_folder or "")
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


