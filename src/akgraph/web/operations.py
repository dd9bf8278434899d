"""Operations: health checks and Prometheus metrics.

* ``/health/live``: the process answers (the registry's compose health check uses it);
* ``/health/ready``: the store answers a query (503 with the reason when it cannot);
* ``/metrics``: Prometheus text format (``prometheus_client``): requests and their latency per
  route, query timeouts, query-worker restarts by reason, fair-share refusals. Under gunicorn
  each worker process counts its own; set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder to
  have ``/metrics`` add up every process (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import os
import time

from flask import Blueprint, Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from akgraph import store
from akgraph.web import state
from akgraph.web.api import json_response

bp = Blueprint("operations", __name__)

#: Latency buckets (seconds): cached pages answer in about a millisecond, queries up to the limit.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The app's counters, in a registry of its own (several apps may share a process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "akgraph_http_requests",
            "HTTP requests answered, by route, method and status",
            ("route", "method", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "akgraph_http_request_duration_seconds",
            "Time to answer a request, by route",
            ("route",),
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.timeouts = Counter(
            "akgraph_query_timeouts",
            "Queries that ran out of time or found no free query worker in time",
            registry=self.registry,
        )
        self.restarts = Counter(
            "akgraph_query_worker_restarts",
            "Query workers replaced after a timeout, a crash or too much memory, by reason",
            ("reason",),
            registry=self.registry,
        )
        self.refusals = Counter(
            "akgraph_fair_share_refusals",
            "SPARQL requests refused because the client or the queue had no room (429/503)",
            registry=self.registry,
        )

    def event(self, kind: str) -> None:
        """A store event (see :attr:`akgraph.store.Backend.on_event`)."""
        if kind in ("timeout", "busy"):
            self.timeouts.inc()
        if kind in ("timeout", "crash", "memory"):
            self.restarts.labels(kind).inc()


def init_app(app: Flask) -> None:
    """Count every request of ``app`` and its store's events; register the routes."""
    shared = state.of(app)
    metrics = shared.metrics = Metrics()
    shared.backend.on_event = metrics.event
    shared.fairness.on_refusal = metrics.refusals.inc
    app.before_request(_started)
    app.after_request(_counted)
    app.register_blueprint(bp)


def _metrics() -> Metrics:
    found = state.current().metrics
    if found is None:
        raise RuntimeError("operations.init_app was not called for this app")
    return found


def _started() -> None:
    g.akgraph_started = time.perf_counter()


def _counted(response: Response) -> Response:
    started = g.pop("akgraph_started", None)
    metrics = _metrics()
    route = request.url_rule.rule if request.url_rule is not None else "(none)"
    metrics.requests.labels(route, request.method, str(response.status_code)).inc()
    if started is not None:
        metrics.latency.labels(route).observe(time.perf_counter() - started)
    return response


@bp.route("/health/live")
def live() -> Response:
    return json_response({"status": "ok"})


@bp.route("/health/ready")
def ready() -> Response:
    try:
        state.backend().ping()
    except store.QueryError as error:
        return json_response({"status": "unavailable", "detail": error.message}, 503)
    return json_response({"status": "ok"})


@bp.route("/metrics")
def metrics() -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = _metrics().registry
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
