"""The W3C SPARQL 1.1 Protocol tests (manifest in AKGRAPH_W3C, default
../shared/w3c/sparql11-protocol) run over HTTP against the live endpoint.

Every query and bad-request test must pass as written. The endpoint is read-only, so an update
request the manifest expects to succeed must instead get 403 with the read-only message (the
follow-up requests that check the update's effect are then not sent); that counts as a pass.
"""

from __future__ import annotations

import http.client
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph
import pytest
from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDFS

from akgraph.web import create_app, state
from tests.live import live

REPO = Path(__file__).resolve().parent.parent
W3C = Path(os.environ.get("AKGRAPH_W3C", REPO.parent / "shared" / "w3c" / "sparql11-protocol"))
MANIFEST = W3C / "manifest.ttl"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]  # "2xx", "4xx", ... or exact codes
    result_format: str | None
    boolean: bool | None

    @property
    def is_update(self) -> bool:
        content_type = self.headers.get("content-type", "")
        return (
            content_type.startswith("application/sparql-update")
            or "update=" in self.path
            or bool(
                self.body
                and content_type.startswith("application/x-www-form-urlencoded")
                and b"update=" in self.body
            )
        )


def _manifest() -> Graph:
    graph = Graph()
    graph.parse(MANIFEST, format="turtle", publicID=MANIFEST.as_uri())
    return graph


def _requests(graph: Graph, test: URIRef) -> list[Request]:
    action = graph.value(test, MF.action)
    requests = []
    for node in Collection(graph, graph.value(action, HT.requests)):
        headers = {}
        if (header_list := graph.value(node, HT.headers)) is not None:
            for header in Collection(graph, header_list):
                name = str(graph.value(header, HT.fieldName)).lower()
                headers[name] = str(graph.value(header, HT.fieldValue))
        body = None
        if (content := graph.value(node, HT.body)) is not None:
            encoding = str(graph.value(content, CNT.characterEncoding) or "UTF-8")
            body = str(graph.value(content, CNT.chars)).encode(encoding.lower())
        response = graph.value(node, HT.resp)
        expected_boolean = graph.value(response, MF.expectedBoolean)
        requests.append(
            Request(
                method=str(graph.value(node, HT.methodName)),
                path=str(graph.value(node, HT.absolutePath)),
                headers=headers,
                body=body,
                statuses={
                    str(s).removeprefix(str(HTS)).removeprefix("StatusCode")
                    for s in graph.objects(response, MF.expectedStatus)
                },
                result_format=graph.value(response, MF.expectedFormat),
                boolean=None if expected_boolean is None else expected_boolean.toPython(),
            )
        )
    return requests


def _cases() -> list:
    if not MANIFEST.is_file():
        reason = f"W3C SPARQL 1.1 Protocol manifest {MANIFEST} not found (set AKGRAPH_W3C)"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="manifest-absent")]
    graph = _manifest()
    entries = Collection(graph, next(graph.objects(None, MF.entries)))
    return [pytest.param(entry, id=entry.split("#")[-1]) for entry in entries]


CASES = _cases()


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    """The live endpoint holding every graph the manifest's tests name (ut:graphData)."""
    graph = _manifest()
    dataset = Dataset()
    for data in graph.objects(None, UT.graphData):
        name = URIRef(str(graph.value(data, RDFS.label)))
        dataset.graph(name).parse(graph.value(data, UT.graph), format="nt")
    path = tmp_path_factory.mktemp("w3c") / "protocol.nq"
    dataset.serialize(path, format="nquads")
    app = create_app({"TESTING": True, "SOURCE": str(path), "TIMEOUT": 5})
    with live(app) as url:
        yield url
    state.of(app).backend.close()


def _status_ok(status: int, expected: set[str]) -> bool:
    return str(status) in expected or f"{status // 100}xx" in expected


def _check_result(request: Request, content_type: str, body: bytes) -> str | None:
    """None if the body is what the request expects, else why not."""
    media_type = content_type.split(";")[0].strip()
    if request.result_format in ("boolean", "tabular"):
        fmt = pyoxigraph.QueryResultsFormat.from_media_type(media_type)
        if fmt is None:
            return f"not a query results format: {content_type}"
        result = pyoxigraph.parse_query_results(body, fmt)
        if request.result_format == "boolean":
            if not isinstance(result, pyoxigraph.QueryBoolean):
                return "expected a boolean result"
            if request.boolean is not None and bool(result) != request.boolean:
                return f"expected {request.boolean}, got {bool(result)}"
        elif not isinstance(result, pyoxigraph.QuerySolutions):
            return "expected a tabular result"
        else:
            list(result)  # parses every row
    elif request.result_format == "RDF":
        fmt = pyoxigraph.RdfFormat.from_media_type(media_type)
        if fmt is None:
            return f"not an RDF format: {content_type}"
        list(pyoxigraph.parse(body, fmt))
    return None


def run(url: str, test: URIRef) -> str | None:
    """Run one manifest test against ``url``; None if it passes, else the failure."""
    split = urlsplit(url)
    for request in _requests(_manifest_cache(), test):
        path = "/sparql" + request.path.removeprefix("/sparql/")  # our endpoint's path
        connection = http.client.HTTPConnection(split.hostname, split.port, timeout=10)
        connection.request(request.method, path, body=request.body, headers=request.headers)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        where = f"{request.method} {path} -> {response.status}: {body[:300]!r}"
        if request.is_update and "2xx" in request.statuses:
            if response.status != 403 or b"read-only" not in body:
                return f"update not refused as read-only: {where}"
            return None  # the follow-up requests check the update's effect
        if not _status_ok(response.status, request.statuses):
            return f"expected status {sorted(request.statuses)}: {where}"
        if response.status < 300 and (
            problem := _check_result(request, response.getheader("Content-Type", ""), body)
        ):
            return f"{problem}: {where}"
    return None


_GRAPH: list[Graph] = []


def _manifest_cache() -> Graph:
    if not _GRAPH:
        _GRAPH.append(_manifest())
    return _GRAPH[0]


@pytest.mark.parametrize("test", CASES)
def test_protocol(endpoint, test):
    failure = run(endpoint, test)
    assert failure is None, failure


def test_protocol_pass_count(endpoint, record_property):
    """All of the manifest passes; the count is printed and recorded."""
    if not MANIFEST.is_file():
        pytest.skip(f"W3C manifest {MANIFEST} not found")
    tests = [case.values[0] for case in CASES]
    failures = {str(t).split("#")[-1]: run(endpoint, t) for t in tests}
    passed = sum(f is None for f in failures.values())
    print(f"W3C SPARQL 1.1 Protocol manifest: {passed}/{len(tests)} passed")
    record_property("w3c_protocol_passed", f"{passed}/{len(tests)}")
    assert passed == len(tests), {name: f for name, f in failures.items() if f}
