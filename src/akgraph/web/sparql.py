"""``/sparql``: the SPARQL 1.1 Protocol (query operation only; the endpoint is read-only).

Requests: GET ``?query=``, POST ``application/x-www-form-urlencoded`` (parameters in the body,
dataset parameters also in the URL), POST ``application/sparql-query`` (the query as the UTF-8
body, other parameters in the URL). ``default-graph-uri`` / ``named-graph-uri`` override the
query's FROM clauses and select graphs held in the store (an unknown graph is empty). A GET
without a query answers the service description. Errors are ``text/plain``, with the HTTP
status :data:`STATUS` gives the error's class.
"""

from __future__ import annotations

import time

from flask import Blueprint, Response, request
from werkzeug.datastructures import MultiDict

from akgraph import store
from akgraph.web import description, negotiation, state, urls
from akgraph.web.fairness import Busy, TooManyQueries

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


class ProtocolError(store.QueryError):
    """A request that does not follow the protocol."""


class UnsupportedMediaType(ProtocolError):
    """A POST body that is neither form-encoded nor a query, or not UTF-8."""


class NotAcceptable(ProtocolError):
    """No format the client accepts for the query's form."""


#: The HTTP status of each refusal or failure; an error takes that of the nearest class in its
#: class hierarchy (:func:`status`).
STATUS: dict[type[store.QueryError], int] = {
    store.QueryError: 500,
    store.BadQuery: 400,
    store.ReadOnly: 403,
    store.ServiceRefused: 403,
    store.QueryTooLong: 413,
    store.ResultTooLarge: 400,
    store.NoFormat: 406,
    store.QueryTimeout: 503,
    store.QueryFailed: 500,
    store.WorkerFailed: 503,  # and MemoryExceeded
    store.RemoteFailed: 502,
    ProtocolError: 400,
    UnsupportedMediaType: 415,
    NotAcceptable: 406,
    TooManyQueries: 429,
    Busy: 503,  # the server's limit, not the client's share (README: 503 with Retry-After)
}


def status(error: store.QueryError) -> int:
    """The HTTP status to answer ``error`` with."""
    return next(STATUS[cls] for cls in type(error).__mro__ if cls in STATUS)


@bp.errorhandler(store.QueryError)
def refused(error: store.QueryError) -> Response:
    return Response(error.message + "\n", status=status(error), mimetype="text/plain")


@bp.after_request
def vary(response: Response) -> Response:
    response.vary.add("Accept")
    return response


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    params, text = _operation()
    backend = state.backend()
    if text is None:
        return _service_description(backend)
    query = store.inspect(text, state.current().limits)
    # The form is oxigraph's to tell: the worker picks the type for the form it finds.
    formats = store.Formats(
        _choose(negotiation.RESULTS, params), _choose(negotiation.GRAPHS, params)
    )
    dataset = {}
    if "default-graph-uri" in params or "named-graph-uri" in params:
        dataset = {
            "default_graphs": params.getlist("default-graph-uri"),
            "named_graphs": params.getlist("named-graph-uri"),
        }
    try:
        sent_type, body = run(query, formats, **dataset, base_iri=urls.sparql(external=True))
    except store.NoFormat as exc:
        _negotiate(negotiation.GRAPHS if exc.args[1] == "graph" else negotiation.RESULTS, params)
        raise

    return Response(body, mimetype=sent_type)


def run(query: store.Query, media_type: str | store.Formats, **options) -> tuple[str, bytes]:
    """Evaluate a visitor's query within the client's fair share of the workers (see
    :mod:`akgraph.web.fairness`); used by ``/sparql`` and by the query pages. A query that
    ran out of time or memory, or crashed its worker, costs the client alike."""
    client = request.remote_addr or "unknown"
    fair = state.current().fairness
    backend = state.backend()
    found = backend.cached(query, media_type, **options)
    if found is not None:  # no worker needed
        return found
    with fair.slot(client) as ticket:
        start = time.monotonic()
        try:
            return backend.query(query, media_type, **options)
        except (store.QueryTimeout, store.WorkerFailed):
            fair.penalise(client)
            raise
        finally:
            ticket.seconds = time.monotonic() - start


@bp.errorhandler(TooManyQueries)
def too_many(error: TooManyQueries) -> Response:
    response = Response(error.message + "\n", status=status(error), mimetype="text/plain")
    response.headers["Retry-After"] = str(error.retry_after)
    return response


def _operation() -> tuple[MultiDict, str | None]:
    """The protocol parameters and the query text (None: no query) of this request."""
    if "update" in request.args:
        raise store.ReadOnly(store.READ_ONLY)
    if request.method in ("GET", "HEAD"):
        return request.args, _single(request.args.getlist("query"))
    mimetype = request.mimetype
    if mimetype == UPDATE:
        raise store.ReadOnly(store.READ_ONLY)
    if mimetype not in (FORM, DIRECT):
        raise UnsupportedMediaType(
            f"POST a query as {FORM} (query=...) or as {DIRECT}; got "
            + (repr(request.content_type) if request.content_type else "no Content-Type")
        )
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"queries must be encoded in UTF-8, not {charset}")
    if mimetype == FORM:
        params = MultiDict(request.args)
        params.update(request.form)
        if "update" in params:
            raise store.ReadOnly(store.READ_ONLY)
        text = _single(params.getlist("query"))
        if text is None:
            raise ProtocolError("the form has no query parameter")
        return params, text
    if "query" in request.args:
        raise ProtocolError(f"a {DIRECT} POST carries the query in the body, not in the URL")
    try:
        return request.args, request.get_data().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"the query is not valid UTF-8: {exc}") from None


def _single(values: list[str]) -> str | None:
    if len(values) > 1:
        raise ProtocolError(f"exactly one query parameter is allowed, got {len(values)}")
    return values[0] if values else None


def _choose(formats: tuple[negotiation.Format, ...], params: MultiDict) -> str | None:
    return negotiation.choose(formats, request.accept_mimetypes, params.getlist("format"))


def _negotiate(formats: tuple[negotiation.Format, ...], params: MultiDict) -> str:
    requested = params.getlist("format")
    chosen = negotiation.choose(formats, request.accept_mimetypes, requested)
    if chosen is None:
        raise NotAcceptable(
            f"no acceptable format for this result (Accept: {request.headers.get('Accept')!r}, "
            f"format: {requested!r}); available: {negotiation.names(formats)}"
        )
    return chosen


def _service_description(backend: store.Backend) -> Response:
    media_type = _negotiate(negotiation.GRAPHS, request.args)
    graph = description.describe(urls.sparql(external=True), backend.graphs())
    return Response(description.serialize(graph, media_type), mimetype=media_type)
