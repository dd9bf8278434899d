"""Remote store: ``akgraph publish`` uploads to, and the app answers from, a real Oxigraph
server (PyPI ``oxigraph``) started on loopback."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

from akgraph import store
from akgraph.cli import main
from akgraph.graph import to_store
from akgraph.web import create_app
from tests.live import free_port, oxigraph_command, process

COUNT_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    """Base URL of an Oxigraph server (union default graph, as akgraph's own store)."""
    command = oxigraph_command()
    if command is None:
        pytest.skip("the oxigraph server command is not installed (pip install oxigraph)")
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    url = f"http://127.0.0.1:{port}"
    args = [command, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    with process([*args, "--union-default-graph"], url + "/"):
        yield url


def remote_counts(url: str) -> dict[str, int]:
    request = f"{url}/query?" + urllib.parse.urlencode({"query": COUNT_PER_GRAPH})
    headers = {"Accept": "application/sparql-results+json"}
    with urllib.request.urlopen(urllib.request.Request(request, headers=headers)) as response:
        rows = json.load(response)["results"]["bindings"]
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


@pytest.fixture(scope="module")
def local(sample_build):
    return to_store(sample_build)


@pytest.fixture(scope="module")
def published(oxigraph, sample_path, local):
    assert main(["publish", str(sample_path), "--to", f"{oxigraph}/store"]) == 0
    return oxigraph


def test_publish_puts_every_named_graph(published, local, capsys):
    expected = {
        g.value: len(list(local.quads_for_pattern(None, None, None, g)))
        for g in local.named_graphs()
    }
    # the release, the vocabularies, the ontology, the decision aid, the instrument registry
    assert len(expected) == 5 and all(expected.values())
    assert remote_counts(published) == expected
    # PUT replaces: publishing again leaves the same graphs
    assert main(["publish", "--to", f"{published}/store"]) == 0
    assert "published urn:nl:ak:graph:vocabularies" in capsys.readouterr().out
    assert remote_counts(published) == expected


def test_publish_to_nowhere_fails(tmp_path, capsys):
    assert main(["publish", "--to", f"http://127.0.0.1:{free_port()}/store"]) == 1
    assert "failed" in capsys.readouterr().err


@pytest.fixture(scope="module")
def remote_client(published):
    app = create_app({"TESTING": True, "STORE": f"{published}/query", "TIMEOUT": 5})
    return app.test_client()


def test_remote_answers_like_the_local_store(remote_client, client):
    query = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
    remote = remote_client.get("/sparql", query_string=query)
    assert remote.status_code == 200
    assert remote.mimetype == "application/sparql-results+json"
    local = client.get("/sparql", query_string=query)
    assert remote.json["results"]["bindings"] == local.json["results"]["bindings"]


@pytest.mark.parametrize(
    ("query", "accept"),
    # IRIs only: the ontology's blank nodes (its owl:unionOf classes) sort first, and each
    # store labels blank nodes its own way
    [
        ("SELECT ?s WHERE { ?s a ?t FILTER isIRI(?s) } ORDER BY ?s LIMIT 5", "text/csv"),
        (
            "SELECT ?s WHERE { ?s a ?t FILTER isIRI(?s) } ORDER BY ?s LIMIT 5",
            "application/sparql-results+xml",
        ),
        ("ASK { ?s ?p ?o }", "application/sparql-results+json"),
        (
            "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t FILTER isIRI(?s) } ORDER BY ?s LIMIT 5",
            "application/n-triples",
        ),
        ("DESCRIBE <urn:nl:ak:graph:vocabularies>", "text/turtle"),
    ],
)
def test_remote_formats(remote_client, client, query, accept):
    remote = remote_client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    local = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert remote.status_code == local.status_code == 200
    assert remote.mimetype == local.mimetype == accept
    if accept in ("text/csv", "application/n-triples"):
        assert sorted(remote.data.splitlines()) == sorted(local.data.splitlines())


def test_remote_keeps_the_safety_rules(remote_client, published):
    before = remote_counts(published)
    refused = remote_client.post("/sparql", data={"update": "CLEAR ALL"})
    assert refused.status_code == 403
    refused = remote_client.post("/sparql", data={"query": "DROP ALL"})
    assert refused.status_code == 403
    assert remote_counts(published) == before
    service = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    assert remote_client.get("/sparql", query_string={"query": service}).status_code == 403
    assert remote_client.get("/sparql", query_string={"query": "ASK {"}).status_code == 400


def test_remote_service_description_lists_remote_graphs(remote_client, local):
    response = remote_client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    for graph in local.named_graphs():
        assert f"<{graph.value}> .".encode() in response.data


def test_remote_down_is_a_bad_gateway():
    app = create_app({"TESTING": True, "STORE": f"http://127.0.0.1:{free_port()}/query"})
    response = app.test_client().get("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == 502
    assert b"remote store" in response.data


@pytest.fixture(scope="module")
def backends(published, sample_build):
    """The two implementations of :class:`akgraph.store.Backend` on the same data: a local
    store of the sample and the Oxigraph server it was published to."""
    local = store.LocalStore(sample_build, workers=1)
    yield {"local": local, "remote": store.RemoteStore(f"{published}/query")}
    local.close()


def test_both_stores_are_backends_that_answer_alike(backends):
    local, remote = backends["local"], backends["remote"]
    for backend in (local, remote):
        assert isinstance(backend, store.Backend)
        assert backend.limits == store.Limits()
        backend.ping()
    assert remote.graphs() == local.graphs()
    assert len(local.graphs()) == 5
    count = store.Query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    answers = [b.query(count, store.RESULTS_JSON) for b in (local, remote)]
    assert {media_type for media_type, _ in answers} == {store.RESULTS_JSON}
    rows = [json.loads(body)["results"]["bindings"] for _, body in answers]
    assert rows[0] == rows[1] and int(rows[0][0]["n"]["value"]) > 0
    # one type per form: a CONSTRUCT answers in the graph type
    construct = store.Query("CONSTRUCT { ?s a ?t } WHERE { ?s a ?t FILTER isIRI(?s) }")
    formats = store.Formats(store.RESULTS_JSON, "application/n-triples")
    graphs = [b.query(construct, formats) for b in (local, remote)]
    assert {media_type for media_type, _ in graphs} == {"application/n-triples"}
    assert sorted(graphs[0][1].splitlines()) == sorted(graphs[1][1].splitlines())
    # the local store keeps its answers; the remote one asks again
    assert local.cached(count, store.RESULTS_JSON) == answers[0]
    assert remote.cached(count, store.RESULTS_JSON) is None


def test_closing_a_backend_releases_its_workers(published, sample_build):
    local = store.LocalStore(sample_build, workers=1)
    local.ping()
    assert len(local.pids()) == 1
    local.close()
    assert local.pids() == []
    store.RemoteStore(f"{published}/query").close()  # nothing to release, and no error
