"""Under load and abuse: mixed queries and pages (10,000 requests at concurrency 32, the app's
default fair-share settings) with zero errors and flat memory, and a stream of pathological
queries that hit their timeout while other clients keep being answered."""

from __future__ import annotations

import contextlib
import http.client
import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urlencode, urlsplit

import psutil
import pytest
from rdflib.namespace import RDF

from akgraph import queries
from akgraph.iris import AK
from akgraph.web import create_app, state
from akgraph.web.fairness import Fairness, TooManyQueries
from tests.live import live

PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def get(base: str, path: str, source: str = "127.0.0.1", timeout: float = 30) -> tuple[int, float]:
    """Status and seconds of one GET, sent from loopback address ``source``."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=timeout, source_address=(source, 0)
    )
    start = time.perf_counter()
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - start
    finally:
        connection.close()


def rss(process: psutil.Process) -> int:
    """Resident memory of a process and its children (the query workers)."""
    total = process.memory_info().rss
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += child.memory_info().rss
    return total


@pytest.fixture(scope="module")
def mix(latest_build) -> list[str]:
    """Named queries, item pages, lists and search: what users send."""
    paths = [
        "/sparql?" + urlencode({"query": q.bind(), "format": "json"})
        for q in queries.read_folder().values()
    ]
    items = sorted(
        str(s)
        for cls in (AK.Measure, AK.Requirement)
        for s in latest_build.data.subjects(RDF.type, cls)
    )
    paths += [f"/doc/{quote(i, safe=':')}" for i in items]
    paths += ["/maatregelen?levenscyclus=ontwerp", "/vereisten", "/zoeken?q=menselijk", "/"]
    return paths


def test_mixed_load_has_no_errors_and_flat_memory(latest_build, mix):
    # 32 threads from one address: a server sized for 32 waiting queries (the bound on waiting
    # queries and the heavy-client box are tested in tests/test_sandbox.py).
    app = create_app({"TESTING": True, "SOURCE": latest_build, "WORKERS": 3, "SPARQL_QUEUE": 32})
    me = psutil.Process()
    try:
        with live(app) as base, ThreadPoolExecutor(32) as pool:
            requests = list(itertools.islice(itertools.cycle(mix), 5000))
            warm = list(pool.map(lambda p: get(base, p)[0], requests))
            before = rss(me)
            again = list(pool.map(lambda p: get(base, p)[0], requests))
            after = rss(me)
    finally:
        state.of(app).backend.close()
    statuses = warm + again
    assert len(statuses) == 10_000
    assert {s for s in statuses} == {200}
    assert after - before < 40 * 2**20, f"memory grew by {(after - before) / 2**20:.1f} MiB"


def test_pathological_stream_does_not_starve_others(latest_build):
    """Four threads send queries that run out of time, from 127.0.0.1; a second client on
    127.0.0.2 keeps asking simple queries and pages, and gets every answer within a second."""
    app = create_app(
        {"TESTING": True, "SOURCE": latest_build, "WORKERS": 2, "TIMEOUT": 2,
         "TIMEOUT_COOLDOWN": 30}
    )  # fmt: skip
    simple = "/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"})
    slow = "/sparql?" + urlencode({"query": PATHOLOGICAL})
    stop = threading.Event()
    abusive: list[int] = []

    def abuse() -> None:
        while not stop.is_set():
            abusive.append(get(base, slow)[0])

    try:
        with live(app) as base:
            threads = [threading.Thread(target=abuse) for _ in range(4)]
            for thread in threads:
                thread.start()
            time.sleep(0.5)
            normal = []
            deadline = time.monotonic() + 8
            pages = itertools.cycle(["/doc/urn:nl:ak:ver:aia-09", "/maatregelen", simple])
            while time.monotonic() < deadline:
                normal.append(get(base, next(pages), source="127.0.0.2"))
                time.sleep(0.1)
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
    finally:
        state.of(app).backend.close()
    assert normal and all(status == 200 for status, _ in normal), normal
    assert max(seconds for _, seconds in normal) < 1.0, normal
    assert 503 in abusive and 429 in abusive  # stopped by the timeout, then held to its share
    assert set(abusive) <= {503, 429}


def test_fairness_holds_a_client_to_its_share():
    fair = Fairness(per_client=2, cooldown=60, wait=0.2)
    with fair.slot("a"), fair.slot("a"):
        start = time.monotonic()
        with pytest.raises(TooManyQueries), fair.slot("a"):
            pass
        assert time.monotonic() - start >= 0.2  # waited for a slot first
        with fair.slot("b"):
            pass
    fair.penalise("a")
    with fair.slot("a"), pytest.raises(TooManyQueries) as refused:
        start = time.monotonic()
        with fair.slot("a"):
            pass
    assert time.monotonic() - start < 0.1  # a penalised client is refused at once
    assert refused.value.retry_after > 1
    with fair.slot("a"):  # the slot was given back
        pass


def test_a_waiting_query_gets_the_slot_that_frees_up():
    fair = Fairness(per_client=1, cooldown=60, wait=5)
    entered = threading.Event()

    def second() -> None:
        with fair.slot("a"):
            entered.set()

    with fair.slot("a"):
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.2)
        assert not entered.is_set()
    thread.join(timeout=5)
    assert entered.is_set()
