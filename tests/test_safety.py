"""The endpoint is safe to expose: read-only, no outbound requests or file access, bounded in
query length, result size and time."""

from __future__ import annotations

import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph
import pytest

from akgraph.web import create_app, state
from tests.live import Listener

UPDATES = [
    "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }",
    "DELETE DATA { <urn:x:s> <urn:x:p> <urn:x:o> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "WITH <urn:nl:ak:graph:vocabularies> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "LOAD SILENT <file:///etc/passwd> INTO GRAPH <urn:x:g>",
    "CLEAR ALL",
    "CLEAR DEFAULT",
    "DROP GRAPH <urn:nl:ak:graph:vocabularies>",
    "DROP ALL",
    "CREATE GRAPH <urn:x:g>",
    "ADD DEFAULT TO <urn:x:g>",
    "MOVE <urn:nl:ak:graph:vocabularies> TO <urn:x:g>",
    "COPY <urn:nl:ak:graph:vocabularies> TO DEFAULT",
    "PREFIX x: <urn:x:> INSERT DATA { x:a x:b x:c } ; CLEAR ALL",
]
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def count(client) -> int:
    response = client.get("/sparql", query_string={"query": COUNT})
    return int(response.json["results"]["bindings"][0]["n"]["value"])


def sends(client, update: str):
    """The update sent in each way the protocol (or a confused client) might send it."""
    yield client.get("/sparql", query_string={"update": update})
    yield client.get("/sparql", query_string={"query": update})
    yield client.post("/sparql", data={"update": update})
    yield client.post("/sparql", data={"query": update})
    yield client.post("/sparql", data=update, content_type="application/sparql-update")
    yield client.post("/sparql", data=update, content_type="application/sparql-query")


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused_as_read_only(client, update):
    before = count(client)
    for response in sends(client, update):
        assert response.status_code == 403, response.data
        assert b"read-only" in response.data
    assert count(client) == before > 0


@pytest.fixture
def listener():
    listener = Listener()
    yield listener
    listener.close()


def test_listener_sees_what_pyoxigraph_service_would_send(listener):
    """Without the refusal, pyoxigraph's SERVICE calls out: the listener sees it."""
    with pytest.raises(OSError):
        list(pyoxigraph.Store().query(f"SELECT * {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"))
    time.sleep(0.2)
    assert listener.connections == 1
    assert b"POST" in listener.received


SERVICE_QUERIES = [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
    r"SELECT * WHERE {{ SERVIC\u0045 <{url}> {{ ?s ?p ?o }} }}",  # escapes come first
    "select * where {{ ?a ?b ?c optional {{ service <{url}> {{ ?a ?p ?o }} }} }} limit 1",
    "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
    "ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE"
    " {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "DESCRIBE ?s WHERE {{ GRAPH ?g {{ MINUS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
]


@pytest.mark.parametrize("template", SERVICE_QUERIES)
def test_service_is_refused_without_a_network_call(client, listener, template):
    query = template.format(url=listener.url)
    for response in (
        client.get("/sparql", query_string={"query": query}),
        client.post("/sparql", data=query, content_type="application/sparql-query"),
    ):
        assert response.status_code == 403, response.data
        assert b"SERVICE" in response.data
    time.sleep(0.2)
    assert listener.connections == 0
    assert listener.received == b""


DATASETS = [
    "SELECT * FROM <file:///etc/passwd> WHERE {{ ?s ?p ?o }}",
    "SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
    "SELECT * FROM NAMED <file:///etc/passwd> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ GRAPH <file:///etc/passwd> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ GRAPH <{url}> {{ ?s ?p ?o }} }}",
]


@pytest.mark.parametrize("template", DATASETS)
def test_from_never_loads_a_file_or_url(client, listener, template):
    response = client.get("/sparql", query_string={"query": template.format(url=listener.url)})
    assert response.status_code == 200
    assert response.json["results"]["bindings"] == []
    time.sleep(0.2)
    assert listener.connections == 0


def test_protocol_dataset_never_loads_a_file_or_url(client, listener):
    for graph in ("file:///etc/passwd", listener.url):
        response = client.get(
            "/sparql",
            query_string={
                "query": "SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
                "default-graph-uri": graph,
                "named-graph-uri": graph,
            },
        )
        assert response.status_code == 200
        assert response.json["results"]["bindings"] == []
    time.sleep(0.2)
    assert listener.connections == 0


def test_from_selects_graphs_held(client, app):
    graphs = state.of(app).backend.graphs()
    assert "urn:nl:ak:graph:vocabularies" in graphs
    total = count(client)
    counts = []
    for graph in graphs:
        query = f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}"
        response = client.get("/sparql", query_string={"query": query})
        counts.append(int(response.json["results"]["bindings"][0]["n"]["value"]))
    assert all(counts) and sum(counts) >= total > max(counts)


def test_query_too_long(app, client):
    limit = state.of(app).limits.max_query_length
    query = "ASK {}" + " " * limit
    assert client.get("/sparql", query_string={"query": query}).status_code == 413
    response = client.post("/sparql", data=query, content_type="application/sparql-query")
    assert response.status_code == 413
    assert b"longer than the limit" in response.data
    huge = "x" * (4 * limit + 8192)
    assert client.post("/sparql", data={"query": huge}).status_code == 413
    assert client.get("/sparql", query_string={"query": "ASK {}" + " " * 100}).status_code == 200


def test_result_size_is_capped(sample_path):
    app = create_app({"TESTING": True, "SOURCE": str(sample_path), "MAX_RESULT_BYTES": 4000})
    client = app.test_client()
    try:
        big = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"})
        assert big.status_code == 400
        assert b"larger than the limit of 4000 bytes" in big.data
        for fmt in ("csv", "xml"):
            query = {"query": "SELECT * { ?s ?p ?o }", "format": fmt}
            assert client.get("/sparql", query_string=query).status_code == 400
        small = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o } LIMIT 3"})
        assert small.status_code == 200
        assert len(small.json["results"]["bindings"]) == 3
    finally:
        state.of(app).backend.close()


PATHOLOGICAL = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?q }"
)


def _get(url: str, query: str) -> tuple[int, bytes, float]:
    start = time.monotonic()
    request = f"{url}/sparql?" + urllib.parse.urlencode({"query": query})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), time.monotonic() - start
    except urllib.error.HTTPError as error:
        return error.code, error.read(), time.monotonic() - start


@pytest.mark.corpus
def test_timeout_stops_the_work_while_others_are_answered(corpus_app, corpus_server):
    backend = state.of(corpus_app).backend
    timeout = state.of(corpus_app).limits.timeout
    assert _get(corpus_server, COUNT)[0] == 200  # workers started
    before = backend.pids()
    assert len(before) == 2
    slow: list = []
    thread = threading.Thread(target=lambda: slow.append(_get(corpus_server, PATHOLOGICAL)))
    thread.start()
    time.sleep(0.5)
    for _ in range(5):  # answered by the other worker meanwhile
        status, body, seconds = _get(corpus_server, COUNT)
        assert status == 200 and b'"n"' in body
        assert seconds < 1.0
        time.sleep(0.2)
    thread.join()
    status, body, seconds = slow[0]
    assert status == 503
    assert b"ran longer than the limit" in body
    assert timeout <= seconds < timeout + 2
    after = backend.pids()
    assert len(after) == 2
    killed = set(before) - set(after)
    assert len(killed) == 1
    with pytest.raises(ProcessLookupError):
        os.kill(killed.pop(), 0)
    for _ in range(3):  # the replacement answers too
        assert _get(corpus_server, COUNT)[0] == 200
