"""The akgraph web app (Flask app factory): the SPARQL endpoint, the linked-data pages and
the task-registry API, over one store.

Configuration (Flask config keys; also read from ``AKGRAPH_<KEY>`` environment variables):

* ``SOURCE``: a checkout (folder with ``docs/``) or a graph file from ``akgraph build`` (or,
  from Python, a :class:`~akgraph.graph.Build` or rdflib dataset); default: the bundled
  sample. Ignored when ``STORE`` is set.
* ``STORE``: URL of a SPARQL query endpoint to answer from instead (remote store).
* ``QUERIES_PER_CLIENT`` queries in flight per client address on ``/sparql`` (default: one
  less than ``WORKERS``, at least one), one after a query of that client ran out of time, for
  ``TIMEOUT_COOLDOWN`` seconds (30); see :mod:`akgraph.web.fairness`. The pages' own queries
  have a worker of their own.
* ``BESLISHULP``: a folder of the AI-Act decision aid (``decision-tree.yaml``...) to serve
  at ``/beslishulp`` and in the graph; default: ``<SOURCE>/beslishulp`` where it exists.
* ``INSTRUMENTS``: a folder of instrument registry YAML (task-registry's ``instruments/``)
  to serve at ``/instruments/`` and in the graph; default: ``<SOURCE>/instruments``.
* ``BASE_URL``: the public address (``https://host/prefix``); absolute URLs in every body
  (VoID, API records, pages) start with it. Default: the request's own, from its Host header
  (set this behind a shared cache, so no client can put its Host into a cached answer).
* ``SPARQL_QUEUE``: visitors' queries that may wait for a worker beyond those running
  (default: twice ``WORKERS``); further ones get 503 with ``Retry-After`` at once.
* ``TIMEOUT`` (seconds, 10), ``WORKERS`` (query processes, 2), ``MAX_QUERY_LENGTH``
  (characters, 16384), ``MAX_RESULT_BYTES`` (16 MiB), ``WORKER_MEMORY`` (bytes of memory per
  query process; default sized for the machine, see :func:`akgraph.store.sandbox.default_memory`).

Production: ``gunicorn --preload -w 2 -k gthread 'akgraph.web:create_app()'`` (see the README).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from akgraph import resources, store
from akgraph.web import state
from akgraph.web.fairness import Fairness

DEFAULTS = {
    "SOURCE": None,
    "STORE": None,
    "TIMEOUT": store.Limits.timeout,
    "WORKERS": 2,
    "QUERIES_PER_CLIENT": None,
    "TIMEOUT_COOLDOWN": 30.0,
    "MAX_QUERY_LENGTH": store.Limits.max_query_length,
    "MAX_RESULT_BYTES": store.Limits.max_result_bytes,
    "BESLISHULP": None,
    "INSTRUMENTS": None,
    "WORKER_MEMORY": None,
    "SPARQL_QUEUE": None,
    "BASE_URL": None,
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the app; ``config`` overrides the defaults and the environment."""
    app = Flask(__name__, static_folder=None)
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("AKGRAPH")
    if config:
        app.config.from_mapping(config)
    limits = store.Limits(
        timeout=float(app.config["TIMEOUT"]),
        max_query_length=int(app.config["MAX_QUERY_LENGTH"]),
        max_result_bytes=int(app.config["MAX_RESULT_BYTES"]),
        memory=int(app.config["WORKER_MEMORY"]) if app.config["WORKER_MEMORY"] else None,
    )
    # A form-encoded query may triple in size (%XX); leave room for the other parameters.
    app.config.setdefault("MAX_CONTENT_LENGTH", 3 * limits.max_query_length + 4096)
    dataset = None
    backend: store.Backend
    if app.config["STORE"]:
        backend = store.RemoteStore(app.config["STORE"], limits)
    else:
        source = app.config["SOURCE"]
        extra = app.config["BESLISHULP"] or app.config["INSTRUMENTS"]
        folder = source is None or (isinstance(source, str | Path) and Path(source).is_dir())
        if extra and folder:
            from akgraph.graph import build

            source = build(
                source or resources.data_dir("content"),
                None,
                app.config["BESLISHULP"],
                app.config["INSTRUMENTS"],
            )
            app.config["SOURCE"] = source
        local = store.LocalStore(source, limits, int(app.config["WORKERS"]))
        backend, dataset = local, local.dataset
    # By default no single client can hold every query worker.
    per_client = app.config["QUERIES_PER_CLIENT"] or max(1, int(app.config["WORKERS"]) - 1)
    workers = int(app.config["WORKERS"])
    queue = app.config["SPARQL_QUEUE"]
    fairness = Fairness(
        per_client=int(per_client),
        cooldown=float(app.config["TIMEOUT_COOLDOWN"]),
        wait=limits.timeout,
        capacity=workers,
        queue=2 * workers if queue is None else int(queue),
        heavy=limits.timeout / 2,
    )

    from akgraph.web import (
        api,
        applicability_page,
        beslishulp,
        browse,
        documents,
        feed,
        i18n,
        ontology,
        operations,
        query_pages,
        site,
        sparql,
    )
    from akgraph.web import dataset as dataset_pages
    from akgraph.web.data import Data

    data = Data(backend, dataset)
    tree = beslishulp.find_tree(app.config, app.config["SOURCE"])
    state.install(app, state.State(backend, limits, fairness, data, tree))
    app.config.setdefault("VERSION", data.version)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(site.bp)
    app.register_blueprint(browse.bp)
    app.register_blueprint(query_pages.bp)
    app.register_blueprint(dataset_pages.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(beslishulp.bp)
    app.register_blueprint(applicability_page.bp)
    app.register_blueprint(feed.bp)
    app.register_blueprint(ontology.bp)
    operations.init_app(app)
    i18n.init_app(app)
    if app.config["BASE_URL"]:
        app.wsgi_app = _BaseUrl(app.wsgi_app, app.config["BASE_URL"])  # type: ignore[method-assign]
    app.after_request(_cors)
    app.after_request(_security)
    app.register_error_handler(HTTPException, _plain_error)
    return app


class _BaseUrl:
    """WSGI middleware: every absolute URL the app writes starts with the configured base URL
    (scheme, host, path prefix), never with a Host header the client chose."""

    def __init__(self, app, base: str) -> None:
        parts = urllib.parse.urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"BASE_URL must be an absolute http(s) URL, not {base!r}")
        self.app, self.parts = app, parts

    def __call__(self, environ, start_response):
        environ["HTTP_HOST"] = self.parts.netloc
        environ["wsgi.url_scheme"] = self.parts.scheme
        environ["SCRIPT_NAME"] = self.parts.path.rstrip("/")
        return self.app(environ, start_response)


def _cors(response: Response) -> Response:
    """Let browser clients on any origin query (simple requests and preflight)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _security(response: Response) -> Response:
    """No inline script or foreign resources, no sniffing, no framing."""
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _plain_error(error: HTTPException) -> BaseResponse:
    """Errors as plain text, or as a page for browsers (not on /sparql and /api)."""
    response = error.get_response()
    accept = request.accept_mimetypes
    machine = request.path.startswith(("/sparql", "/api"))
    if not machine and accept["text/html"] > accept["text/plain"]:
        body = render_template("error.html", error=error)
        response.set_data(body)
        response.mimetype = "text/html"
        return response
    response.set_data(f"{error.code} {error.name}: {error.description}\n")
    response.mimetype = "text/plain"
    return response
