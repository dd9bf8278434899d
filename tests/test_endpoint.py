"""/sparql through Flask's test client: every status code and header of the protocol."""

from __future__ import annotations

import pytest
from rdflib import Graph, Namespace, URIRef

from akgraph import store
from akgraph.cli import main
from akgraph.web import create_app, fairness, sparql, state

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SELECT = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 2"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 2"


def get(client, query: str | None = None, accept: str | None = None, **params):
    if query is not None:
        params["query"] = query
    headers = {"Accept": accept} if accept else {}
    return client.get("/sparql", query_string=params, headers=headers)


def test_select_answers_sparql_json_with_headers(client):
    response = get(client, SELECT)
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    assert len(response.json["results"]["bindings"]) == 2
    assert "Accept" in response.headers["Vary"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("*/*", "application/sparql-results+json"),
        ("application/json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/*", "text/csv"),
        ("text/html, text/tab-separated-values;q=0.1", "text/tab-separated-values"),
        ("application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
    ],
)
def test_select_negotiates_accept(client, accept, expected):
    response = get(client, SELECT, accept)
    assert response.status_code == 200
    assert response.mimetype == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml;q=1, text/turtle;q=0.5", "application/rdf+xml"),
        ("text/html, */*;q=0.8", "text/turtle"),
    ],
)
def test_construct_negotiates_accept(client, accept, expected):
    response = get(client, CONSTRUCT, accept)
    assert response.status_code == 200
    assert response.mimetype == expected
    fmt = {"text/turtle": "turtle", "application/n-triples": "nt"}.get(expected)
    fmt = fmt or {"application/ld+json": "json-ld", "application/rdf+xml": "xml"}[expected]
    assert len(Graph().parse(data=response.data, format=fmt)) == 2


def test_jsonld_uses_the_published_context(client):
    response = get(client, CONSTRUCT, "application/ld+json")
    assert b'"@context"' in response.data
    assert b'"ak": "https://w3id.org/algoritmekader/def#"' in response.data


@pytest.mark.parametrize(
    ("query", "fmt", "expected"),
    [
        (SELECT, "csv", "text/csv"),
        (SELECT, "tsv", "text/tab-separated-values"),
        (SELECT, "xml", "application/sparql-results+xml"),
        ("ASK {}", "json", "application/sparql-results+json"),
        (CONSTRUCT, "nt", "application/n-triples"),
        (CONSTRUCT, "jsonld", "application/ld+json"),
        (CONSTRUCT, "application/rdf+xml", "application/rdf+xml"),
    ],
)
def test_format_parameter_wins_over_accept(client, query, fmt, expected):
    response = get(client, query, "text/turtle, application/sparql-results+json", format=fmt)
    assert response.status_code == 200
    assert response.mimetype == expected


@pytest.mark.parametrize(
    ("query", "accept", "fmt"),
    [
        (SELECT, "text/html", None),
        (SELECT, "text/turtle", None),
        (SELECT, None, "turtle"),
        (CONSTRUCT, "text/csv", None),
        (CONSTRUCT, None, "csv"),
    ],
)
def test_not_acceptable(client, query, accept, fmt):
    response = get(client, query, accept, **({"format": fmt} if fmt else {}))
    assert response.status_code == 406
    assert response.mimetype == "text/plain"
    assert b"available:" in response.data


def test_service_description(client, app):
    response = get(client)
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.data, format="turtle")
    service = graph.value(predicate=SD.endpoint, object=URIRef("http://localhost/sparql"))
    assert service is not None
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    names = {str(name) for name in graph.objects(None, SD.name)}
    assert names == set(state.of(app).backend.graphs())
    assert len(names) == 5  # release, vocabularies, ontology, decision aid, instrument registry
    jsonld = get(client, accept="application/ld+json")
    assert jsonld.mimetype == "application/ld+json"
    assert len(Graph().parse(data=jsonld.data, format="json-ld")) == len(graph)


def test_head_and_options(client):
    head = client.head("/sparql", query_string={"query": SELECT})
    assert head.status_code == 200 and head.data == b""
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


def test_post_form_and_direct(client):
    form = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"})
    assert form.status_code == 200 and form.json["boolean"] is True
    direct = client.post(
        "/sparql", data="ASK { ?s ?p ?o }", content_type="application/sparql-query"
    )
    assert direct.status_code == 200 and direct.json["boolean"] is True


def test_dataset_parameters_select_graphs(client):
    def count(**params) -> int:
        response = get(client, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", **params)
        return int(response.json["results"]["bindings"][0]["n"]["value"])

    vocabularies = "urn:nl:ak:graph:vocabularies"
    total, only = count(), count(**{"default-graph-uri": vocabularies})
    assert total > only > 0
    from_clause = f"SELECT (COUNT(*) AS ?n) FROM <{vocabularies}> {{ ?s ?p ?o }}"
    assert int(get(client, from_clause).json["results"]["bindings"][0]["n"]["value"]) == only
    assert count(**{"default-graph-uri": "urn:x:not-held"}) == 0
    named = get(
        client, "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": vocabularies}
    )
    assert [b["g"]["value"] for b in named.json["results"]["bindings"]] == [vocabularies]


def test_malformed_query_gets_the_parser_message(client):
    response = get(client, "SELECT ?s WHERE { ?s ?p }")
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert b"malformed query" in response.data and b"error at 1:" in response.data  # position


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"query_string": "query=ASK%20%7B%7D", "data": {"query": "ASK {}"}}, 400),
        ({"data": {"default-graph-uri": "urn:x"}}, 400),
        ({"data": "ASK {}", "content_type": "text/plain"}, 415),
        ({"data": "query=ASK%20%7B%7D"}, 415),
        ({"data": "ASK {}".encode("utf-16"), "content_type": "application/sparql-query"}, 400),
        (
            {
                "data": "ASK {}".encode("utf-16"),
                "content_type": "application/sparql-query; charset=UTF-16",
            },
            415,
        ),
        (
            {
                "query_string": "query=ASK%20%7B%7D",
                "data": "ASK {}",
                "content_type": "application/sparql-query",
            },
            400,
        ),
    ],
)
def test_bad_requests(client, kwargs, status):
    response = client.post("/sparql", **kwargs)
    assert response.status_code == status, response.data
    assert response.mimetype == "text/plain"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_not_allowed(client, method):
    response = getattr(client, method)("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert response.mimetype == "text/plain"


def test_unknown_path_is_plain_404(client):
    response = client.get("/nothing")
    assert response.status_code == 404 and response.mimetype == "text/plain"


def test_serve_with_a_missing_source_fails_with_usage_error(tmp_path, capsys):
    assert main(["serve", str(tmp_path / "missing")]) == 2
    assert "akgraph: error:" in capsys.readouterr().err


#: The HTTP status of each error a store or the web layer raises (the values the store's
#: errors carried before the web layer took over the mapping, and the protocol's own).
STATUSES = {
    store.QueryError: 500,
    store.BadQuery: 400,
    store.ReadOnly: 403,
    store.ServiceRefused: 403,
    store.QueryTooLong: 413,
    store.ResultTooLarge: 400,
    store.NoFormat: 406,
    store.QueryTimeout: 503,
    store.QueryFailed: 500,
    store.WorkerFailed: 503,
    store.MemoryExceeded: 503,
    store.RemoteFailed: 502,
    sparql.ProtocolError: 400,
    sparql.UnsupportedMediaType: 415,
    sparql.NotAcceptable: 406,
    fairness.TooManyQueries: 429,
    fairness.Busy: 503,  # regression: the README promised 503, the handler sent 429
}


def _error(kind: type[store.QueryError]) -> store.QueryError:
    if issubclass(kind, fairness.TooManyQueries):
        return kind(f"refused: {kind.__name__}", 3)
    if kind is store.NoFormat:
        return kind("CONSTRUCT", "graph")
    return kind(f"refused: {kind.__name__}")


@pytest.fixture(scope="module")
def failing_app(sample_build):
    """An app of its own (the errors below penalise the client), whose store raises on
    demand."""
    app = create_app({"TESTING": True, "SOURCE": sample_build, "WORKERS": 1})
    yield app
    state.of(app).backend.close()


def test_every_store_error_has_its_status():
    errors = {
        value
        for value in vars(store).values()
        if isinstance(value, type) and issubclass(value, store.QueryError)
    }
    assert errors <= set(STATUSES)


@pytest.mark.parametrize("kind", list(STATUSES), ids=lambda kind: kind.__name__)
def test_the_web_layer_maps_each_error_to_its_status(failing_app, monkeypatch, kind):
    backend = state.of(failing_app).backend
    error = _error(kind)

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(backend, "query", fail)
    response = failing_app.test_client().get("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == STATUSES[kind]
    assert response.mimetype == "text/plain"
    assert response.text == error.message + "\n"
    if issubclass(kind, fairness.TooManyQueries):
        assert response.headers["Retry-After"] == "3"
