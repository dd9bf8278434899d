"""Operations over a real HTTP server: the health checks the registry's compose file uses, and
Prometheus metrics read back with prometheus_client's own parser."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.parser import text_string_to_metric_families

from akgraph.web import state
from tests.live import live


@pytest.fixture(scope="module")
def served(sample_build):
    from akgraph.web import create_app

    app = create_app({"SOURCE": sample_build, "WORKERS": 1, "TIMEOUT": 2, "SPARQL_QUEUE": 0})
    try:
        with live(app) as url:
            yield url, app
    finally:
        state.of(app).backend.close()


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _samples(base: str) -> dict[tuple[str, tuple], float]:
    status, text = _get(f"{base}/metrics")
    assert status == 200
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_health(served):
    base, _ = served
    assert _get(f"{base}/health/live") == (200, json.dumps({"status": "ok"}, separators=(",", ":")))
    status, body = _get(f"{base}/health/ready")
    assert status == 200 and json.loads(body)["status"] == "ok"


def test_ready_says_when_the_store_cannot_answer(served):
    base, app = served
    backend = state.of(app).backend
    original = backend.ping

    def broken() -> None:
        from akgraph import store

        raise store.WorkerFailed("the query crashed its worker")

    backend.ping = broken
    try:
        status, body = _get(f"{base}/health/ready")
    finally:
        backend.ping = original
    assert status == 503 and "crashed" in json.loads(body)["detail"]


def test_metrics_count_requests_timeouts_and_refusals(served):
    base, _ = served
    before = _samples(base)
    for _ in range(3):
        assert _get(f"{base}/requirements/")[0] == 200
    assert _get(f"{base}/nothing-here")[0] == 404
    # a query that runs past the 2 s limit: a timeout and a replaced worker; while it runs,
    # another finds the one worker busy and no queue (SPARQL_QUEUE 0): refused at once
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(_get, f"{base}/sparql?query={urllib.parse.quote(slow)}")
        time.sleep(0.5)
        refused = _get(f"{base}/sparql?query={urllib.parse.quote(slow + ' LIMIT 1')}")
        assert first.result()[0] == 503
    assert refused[0] in (429, 503) and "queue is full" in refused[1], refused
    after = _samples(base)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    route = {"route": "/requirements/", "method": "GET", "status": "200"}
    assert grew("akgraph_http_requests_total", **route) == 3
    assert grew("akgraph_http_request_duration_seconds_count", route="/requirements/") == 3
    assert grew("akgraph_http_requests_total", route="/<path:urn>", method="GET",
                status="404") == 1  # fmt: skip
    assert grew("akgraph_query_timeouts_total") == 1
    assert grew("akgraph_query_worker_restarts_total", reason="timeout") == 1
    assert grew("akgraph_fair_share_refusals_total") == 1
