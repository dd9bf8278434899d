"""The query sandbox under attack: SSRF bypasses reach nothing, big queries answer, memory and
crashes are bounded and cost the client, pages and ordinary queries stay fast while a crowd of
addresses streams slow queries and parse bombs, and temporary stores never outlive the server."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from akgraph import store
from akgraph.store import sandbox
from akgraph.web import create_app, state
from tests.live import Listener, free_port, live, wait_for
from tests.test_load import get
from tests.test_safety import SERVICE_QUERIES

#: Every known way to slip SERVICE or LOAD past a check that parses differently from oxigraph.
BYPASSES = [
    "SELECT * WHERE {{ #x\rSERVICE <{url}> {{ ?a ?b ?c }} }}",  # comment ended by a bare CR
    "SELECT * WHERE {{ #x\r\nSERVICE <{url}> {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ #x\fSERVICE <{url}> {{ ?a ?b ?c }} }}",  # form feed
    "SELECT * WHERE {{ #x\x0bSERVICE <{url}> {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ #x\x85SERVICE <{url}> {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ #x\u2028SERVICE <{url}> {{ ?a ?b ?c }} }}",
    r"SELECT * WHERE {{ SERVIC\u0045 <{url}> {{ ?a ?b ?c }} }}",
    r"SELECT * WHERE {{ \u0053\u0045RVICE <{url}> {{ ?a ?b ?c }} }}",
    r"SELECT * WHERE {{ SERVIC\U00000045 <{url}> {{ ?a ?b ?c }} }}",
    r"SELECT * WHERE {{ \u0023x\u000dSERVICE <{url}> {{ ?a ?b ?c }} }}",  # escaped # and CR
    r'SELECT * WHERE {{ BIND("\u00000022" AS ?x) SERVICE <{url}> {{ ?a ?b ?c }} }}',
    r"SELECT * WHERE {{ BIND('\U00000027' AS ?x) SERVICE <{url}> {{ ?a ?b ?c }} }}",
    'SELECT * WHERE {{ BIND("""x"y""" AS ?x) SERVICE <{url}> {{ ?a ?b ?c }} }}',
    "SELECT * WHERE {{ sErViCe <{url}> {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ SERVICE<{url}>{{?a ?b ?c}} }}",
    "SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?a ?b ?c }} }}",
    "LOAD <{url}>",
    "LOAD SILENT <{url}> INTO GRAPH <urn:x:g>",
    "#x\rLOAD <{url}>",
    r"LO\u0041D <{url}>",
    *SERVICE_QUERIES,
]


@pytest.fixture(scope="module")
def server(app):
    with live(app) as base:
        yield base


@pytest.fixture
def listener():
    listener = Listener()
    yield listener
    listener.close()


def _send(base: str, method: str, path: str, **kwargs) -> tuple[int, bytes]:
    request = urllib.request.Request(base + path, method=method, **kwargs)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _every_way(base: str, query: str):
    encoded = urllib.parse.urlencode({"query": query})
    yield _send(base, "GET", "/sparql?" + encoded)
    yield _send(base, "POST", "/sparql", data=encoded.encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    yield _send(base, "POST", "/sparql", data=query.encode(),
                headers={"Content-Type": "application/sparql-query"})  # fmt: skip
    yield _send(base, "GET", "/query?" + encoded)
    yield _send(base, "POST", "/query", data=encoded.encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip


@pytest.mark.parametrize("template", BYPASSES)
def test_no_bypass_reaches_the_network(server, listener, template):
    query = template.format(url=listener.url)
    for status, body in _every_way(server, query):
        assert status in (400, 403), (status, body[:300])
    time.sleep(0.2)
    assert listener.connections == 0
    assert listener.received == b""


def _direct(app, text: str) -> tuple[type, str]:
    """Send ``text`` to a worker without any check in the web process."""
    try:
        state.of(app).backend.query(store.Query(text), "application/sparql-results+json")
    except store.QueryError as exc:
        return type(exc), exc.message
    return type(None), ""


def test_workers_have_no_network_even_without_the_check(app, listener):
    """By construction: SERVICE sent straight to a worker reaches nothing, and an open and a
    closed port answer the same (no port scanner)."""
    if sandbox.network_isolation():
        pytest.skip(f"no network namespaces here: {sandbox.network_isolation()}")
    closed = free_port()
    template = "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"
    opened = _direct(app, template.format(port=listener.port))
    refused = _direct(app, template.format(port=closed))
    time.sleep(0.2)
    assert listener.connections == 0
    assert opened[0] is store.ServiceRefused
    assert opened == refused
    assert str(listener.port) not in opened[1]


def test_a_process_in_the_sandbox_cannot_connect(listener):
    if sandbox.network_isolation():
        pytest.skip(f"no network namespaces here: {sandbox.network_isolation()}")
    code = (
        "import socket, sys\nfrom akgraph.store.sandbox import isolate_network\n"
        "assert isolate_network() is None\n"
        f"try:\n    socket.create_connection(('127.0.0.1', {listener.port}), timeout=2)\n"
        "except OSError as exc:\n    print(exc.errno)\nelse:\n    print('connected')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "101", done  # ENETUNREACH
    assert listener.connections == 0


def test_without_network_isolation_every_mention_of_service_is_refused(app):
    backend = state.of(app).backend
    text = 'SELECT * WHERE { ?s ?p "service" }'
    assert _direct(app, text)[0] is type(None)  # sandboxed: a string is only a string
    backend.isolated = False
    try:
        assert _direct(app, text)[0] is store.ServiceRefused
        assert _direct(app, r'ASK { ?s ?p "SERVIC\u0045" }')[0] is store.ServiceRefused
    finally:
        backend.isolated = sandbox.network_isolation() is None


BIG = {
    "200 triple patterns": "SELECT * WHERE { "
    + " ".join(f"?x{i} <urn:p:{i}> ?x{i + 1} ." for i in range(200))
    + " }",
    "200 patterns on one subject": "SELECT * WHERE { "
    + " ".join(f"?s <urn:p:{i}> ?o{i} ." for i in range(200))
    + " }",
    "200 OPTIONALs": "SELECT * WHERE { ?s ?p ?o "
    + " ".join(f"OPTIONAL {{ ?s <urn:p:{i}> ?o{i} }}" for i in range(200))
    + " }",
    "60 nested groups": "SELECT * WHERE " + "{ " * 60 + "?s ?p ?o" + " }" * 60,
    "60 nested OPTIONALs": "SELECT * WHERE { ?s ?p ?o "
    + "OPTIONAL { ?s ?p ?o " * 60
    + "}" * 60
    + " }",
    "7000-term sum": "SELECT * WHERE { ?s ?p ?o FILTER(?o = " + "+".join(["1"] * 7000) + ") }",
    "500 nested parentheses": "ASK { FILTER(" + "(" * 500 + "1" + ")" * 500 + ") }",
}


@pytest.mark.parametrize("name", BIG)
def test_big_ordinary_queries_answer(client, name):
    response = client.post("/sparql", data=BIG[name], content_type="application/sparql-query")
    assert response.status_code in (200, 400, 503), response.data
    assert b"recursion" not in response.data
    # oxigraph may plan a 200-pattern star or evaluate 200 (or 60 nested) OPTIONALs for
    # longer than the timeout on a loaded machine (a clean 503, as the issue allows); the sum
    # takes seconds on a slow machine
    slow = ("7000-term sum", "200 patterns on one subject", "200 OPTIONALs", "60 nested OPTIONALs")
    if name not in slow:
        assert response.status_code == 200, response.data


CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"


def test_memory_limit_answers_503_replaces_the_worker_and_costs_the_client(sample_path):
    app = create_app(
        {"TESTING": True, "SOURCE": str(sample_path), "TIMEOUT": 20, "WORKERS": 2,
         "WORKER_MEMORY": 300 * 2**20}
    )  # fmt: skip
    client = app.test_client()
    try:
        assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
        before = state.of(app).backend.pids()
        start = time.monotonic()
        response = client.get("/sparql", query_string={"query": CROSS})
        assert response.status_code == 503, response.data
        assert b"query used too much memory" in response.data
        assert time.monotonic() - start < 20
        after = state.of(app).backend.pids()
        assert len(after) == 2 and len(set(before) - set(after)) == 1
        assert state.of(app).fairness._penalised  # counted like a timeout
        ok = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
        assert ok.status_code == 200
    finally:
        state.of(app).backend.close()


def test_a_crashed_worker_is_replaced_and_costs_the_client(sample_path):
    app = create_app(
        {"TESTING": True, "SOURCE": str(sample_path), "TIMEOUT": 20, "WORKERS": 2,
         "TIMEOUT_COOLDOWN": 60}
    )  # fmt: skip
    client = app.test_client()
    backend = state.of(app).backend
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    try:
        assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
        before = set(backend.pids())
        answers: list = []
        thread = threading.Thread(
            target=lambda: answers.append(client.get("/sparql", query_string={"query": slow}))
        )
        thread.start()
        time.sleep(1)
        busy = before - set(backend.pids())
        assert len(busy) == 1
        os.kill(busy.pop(), signal.SIGSEGV)
        thread.join(30)
        assert answers[0].status_code == 503
        assert b"crashed its worker" in answers[0].data
        assert len(backend.pids()) == 2
        fair = state.of(app).fairness
        assert fair._penalised
        # heavy now: while one of its queries runs, another is refused at once (429)
        with fair.slot("127.0.0.1"):
            refused = client.get("/sparql", query_string={"query": "ASK { ?s ?p 1 }"})
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    finally:
        backend.close()


PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
BOMB = "SELECT * WHERE { ?s ?p ?o FILTER(?o = " + "+".join(["1"] * 8000) + ") }"


def test_a_crowd_of_attackers_does_not_slow_others(latest_build):
    """Smaller scale of the attack: 3 addresses stream queries that run out of time, 2 stream
    16 KB parse bombs; another client's item pages and API stay fast and its ordinary (never
    seen) SPARQL queries are answered within a second, without one error."""
    app = create_app(
        {"TESTING": True, "SOURCE": latest_build, "WORKERS": 3, "TIMEOUT": 2,
         "TIMEOUT_COOLDOWN": 30}
    )  # fmt: skip
    assert len(BOMB) > 15_000
    stop = threading.Event()
    attacks: list[int] = []

    def attack(address: str, query: str) -> None:
        path = "/sparql?" + urllib.parse.urlencode({"query": query})
        while not stop.is_set():
            status = get(base, path, source=address)[0]
            attacks.append(status)
            if status in (429, 503):
                time.sleep(0.05)

    crowd = [(f"127.0.0.{10 + i}", PATHOLOGICAL) for i in range(3)]
    crowd += [(f"127.0.0.{20 + i}", BOMB) for i in range(2)]
    pages: list[tuple[int, float]] = []
    queries: list[tuple[int, float]] = []
    try:
        with live(app) as base:
            paths = ["/doc/urn:nl:ak:ver:aia-09", "/measures/", "/maatregelen",
                     "/requirements/urn/urn:nl:ak:ver:aia-09"]  # fmt: skip
            for path in paths:  # rendered once before (pages are cached): workers started
                get(base, path)
            threads = [threading.Thread(target=attack, args=args) for args in crowd]
            for thread in threads:
                thread.start()
            time.sleep(5)  # every attacker has had a query run out of time
            deadline = time.monotonic() + 8
            n = 0
            while time.monotonic() < deadline:
                n += 1
                pages.append(get(base, paths[n % len(paths)], source="127.0.0.2"))
                text = f"SELECT ?s WHERE {{ ?s a ?t }} LIMIT {n}"  # a new text each time
                path = "/sparql?" + urllib.parse.urlencode({"query": text})
                queries.append(get(base, path, source="127.0.0.2"))
                time.sleep(0.05)
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
    finally:
        state.of(app).backend.close()
    assert {s for s, _ in pages} == {200} and {s for s, _ in queries} == {200}
    pages_p99 = sorted(t for _, t in pages)[int(0.99 * (len(pages) - 1))]
    queries_p99 = sorted(t for _, t in queries)[int(0.99 * (len(queries) - 1))]
    assert pages_p99 <= 0.25, pages_p99
    assert queries_p99 <= 1.0, queries_p99
    assert 503 in attacks and 429 in attacks


def _stores_of(pid: int) -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob(f"{store.TEMP_PREFIX}{pid}-*"))


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_temporary_store_is_removed_however_the_server_stops(how):
    port = free_port()
    akgraph = Path(sys.executable).parent / "akgraph"
    proc = subprocess.Popen(
        [str(akgraph), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D", 60)
        assert _stores_of(proc.pid)
        proc.send_signal(how)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    left = _stores_of(proc.pid)
    if how == signal.SIGKILL:  # nothing can run on SIGKILL: the next start removes it
        assert left
        assert set(left) <= set(store.remove_stale_stores())
    assert not _stores_of(proc.pid)


def test_stale_store_of_a_running_process_is_kept():
    folder = Path(tempfile.mkdtemp(prefix=f"{store.TEMP_PREFIX}{os.getpid()}-"))
    try:
        store.remove_stale_stores()
        assert folder.is_dir()
    finally:
        folder.rmdir()


def test_lexical_checks_do_not_refuse_words_in_strings_iris_or_names(client):
    for text in (
        'SELECT * WHERE { ?s ?p "INSERT DATA LOAD SERVICE" }',
        "SELECT * WHERE { ?s <urn:x:service> ?o }",
        "PREFIX load: <urn:x:> SELECT * WHERE { ?s load:delete ?o }",
        "SELECT ?service WHERE { ?service ?p ?o } LIMIT 1",
    ):
        response = client.get("/sparql", query_string={"query": text})
        assert response.status_code == 200, (text, response.data)


def test_empty_query_is_400(client):
    for text in ("", "   ", "# only a comment\n"):
        response = client.get("/sparql", query_string={"query": text})
        assert response.status_code == 400
        assert b"empty query" in response.data


def test_the_form_comes_from_oxigraph(client):
    """The form decides the format: a query whose form a lexer would misread still gets the
    right one (the text mentions SELECT only in a comment and a string)."""
    text = '# SELECT\nCONSTRUCT { ?s ?p "SELECT" } WHERE { ?s ?p ?o } LIMIT 1'
    response = client.get("/sparql", query_string={"query": text})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    assert re.search(rb'"SELECT"', response.data)


def test_base_url_not_the_host_header_makes_absolute_urls(sample_path):
    app = create_app(
        {"TESTING": True, "SOURCE": str(sample_path), "BASE_URL": "https://data.example.nl/ak"}
    )
    client = app.test_client()
    try:
        for path in ("/.well-known/void", "/measures/"):
            response = client.get(path, headers={"Host": "evil.example"})
            assert response.status_code == 200
            assert b"evil.example" not in response.data
            assert b"https://data.example.nl/ak/" in response.data
    finally:
        state.of(app).backend.close()


def test_control_characters_in_a_urn_are_404(client):
    for path in ("/doc/urn:nl:ak:mtr:x%01", "/doc/urn:nl:ak:mtr:x%7F"):
        assert client.get(path).status_code == 404
    response = client.get("/id/urn:nl:ak:mtr:x%01")
    assert response.status_code == 303
    assert client.get(response.headers["Location"]).status_code == 404


def test_only_http_urls_become_links(client):
    text = (
        "SELECT ?u WHERE { VALUES ?u "
        "{ <javascript:alert(1)> <data:text/html,x> <https://a.example/> } }"
    )
    page = client.get("/query", query_string={"query": text})
    assert page.status_code == 200
    assert b'href="javascript:' not in page.data and b'href="data:' not in page.data
    assert b'href="https://a.example/"' in page.data
