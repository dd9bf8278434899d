"""Pipeline stage "store": the graph in pyoxigraph, queried read-only and within limits.

Dataset: the release's data stays in its named graph (``urn:nl:ak:release:<tag>``) and the
vocabularies in ``urn:nl:ak:graph:vocabularies``. The **default graph of a query is the union of
all graphs**, so ``SELECT * { ?s ?p ?o }`` sees everything; ``GRAPH`` still addresses each named
graph. ``FROM``/``FROM NAMED`` in a query and the protocol's ``default-graph-uri`` /
``named-graph-uri`` only select graphs held in the store: a graph the store does not hold is an
empty graph, nothing is ever fetched or read from disk.

Safety: every query passes :func:`inspect` first (rdflib's SPARQL parser, which only parses): an
update is refused (:class:`ReadOnly`), ``SERVICE`` anywhere is refused (:class:`ServiceRefused`;
pyoxigraph would make the HTTP call), a malformed query is :class:`BadQuery`.

Evaluation: pyoxigraph's ``Store.query`` cannot be cancelled, so :class:`LocalStore` evaluates in
worker processes, each with its own in-memory copy loaded from one N-Quads dump. A query that
outlives the timeout has its worker killed and replaced; the other workers keep answering.
Results are serialized in the worker into a buffer capped at ``max_result_bytes``.
:class:`RemoteStore` forwards the same checked queries to another SPARQL server.
"""

from __future__ import annotations

import io
import math
import multiprocessing
import os
import queue
import shutil
import signal
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
import weakref
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    serialize,
)

JSON_LD = "application/ld+json"
#: Prefixes written in Turtle answers (readability only: the triples are the same).
PREFIXES = {
    "ak": "https://w3id.org/algoritmekader/def#",
    "dct": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "prov": "http://www.w3.org/ns/prov#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
STARTUP_TIMEOUT = 120.0  # seconds a new worker may take to load the dump


@dataclass(frozen=True)
class Limits:
    """Bounds on one query: wall-clock seconds, query characters, result bytes."""

    timeout: float = 10.0
    max_query_length: int = 16_384
    max_result_bytes: int = 16 * 1024 * 1024


class QueryError(Exception):
    """A query that is refused or failed; ``status`` is the HTTP status to answer with."""

    status = 500

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class BadQuery(QueryError):
    status = 400


class ReadOnly(QueryError):
    status = 403


class ServiceRefused(QueryError):
    status = 403


class QueryTooLong(QueryError):
    status = 413


class ResultTooLarge(QueryError):
    status = 400


class QueryTimeout(QueryError):
    status = 503


class QueryFailed(QueryError):
    status = 500


class WorkerFailed(QueryError):
    status = 500


class RemoteFailed(QueryError):
    status = 502


READ_ONLY = "this endpoint is read-only: SPARQL updates are not accepted"


@dataclass(frozen=True)
class Query:
    """A query that passed :func:`inspect`: its text, form and whether it names a dataset."""

    text: str
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    has_dataset: bool

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def inspect(text: str, limits: Limits = Limits()) -> Query:
    """Check ``text`` (length, read-only, no SERVICE, syntax) and return it as a :class:`Query`."""
    if len(text) > limits.max_query_length:
        raise QueryTooLong(
            f"query of {len(text)} characters is longer than the limit of {limits.max_query_length}"
        )
    return _inspect(text)


#: rdflib's parser (pyparsing) is not thread-safe: parses running at once in threads can fail
#: and leave its parse actions broken for the life of the process, so one parse at a time.
_PARSER_LOCK = threading.Lock()


@lru_cache(maxsize=1024)
def _inspect(text: str) -> Query:
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    with _PARSER_LOCK:
        try:
            parsed = parseQuery(text)
        except Exception as exc:  # pyparsing's ParseException, or RecursionError on deep nesting
            try:
                parseUpdate(text)
            except Exception:
                raise BadQuery(f"malformed query: {exc}") from None
            raise ReadOnly(READ_ONLY) from None
    body = parsed[1]
    try:
        uses_service = _has_service(body)
    except RecursionError:
        raise BadQuery("malformed query: nested too deeply") from None
    if uses_service:
        raise ServiceRefused("SERVICE (federated query) is not allowed on this endpoint")
    form = body.name.removesuffix("Query").upper()
    return Query(text, form, "datasetClause" in body)


def _has_service(node) -> bool:
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        return node.name == "ServiceGraphPattern" or any(
            _has_service(value) for value in node.values()
        )
    if isinstance(node, ParseResults | list | tuple):
        return any(_has_service(item) for item in node)
    return False


# --- loading -------------------------------------------------------------------------------


def load(source=None) -> Store:
    """An in-memory store of ``source``: a :class:`~akgraph.graph.Build` or
    :class:`~akgraph.graph.Releases`, an rdflib dataset or graph, a graph file written by
    ``akgraph build``, a checkout, or a list of checkouts (one dataset of their releases);
    default: the bundled sample.
    """
    from rdflib import Graph

    from akgraph import graph, resources

    if source is None:
        source = resources.data_dir("content")
    if isinstance(source, list | tuple):
        source = graph.build_releases([graph.build(Path(s)) for s in source])
    elif not isinstance(source, graph.Build | graph.Releases | Graph):
        path = Path(source)
        source = graph.load(path) if path.is_file() else graph.build(path)
    store = Store()
    if isinstance(source, Graph):  # read from a file, or given: serialize once, bulk-load
        store.bulk_load(source.serialize(format="nquads", encoding="utf-8"), RdfFormat.N_QUADS)
    else:
        store.bulk_extend(graph.quads(source))
    return store


# --- local evaluation in worker processes ----------------------------------------------------


@dataclass(frozen=True)
class _Job:
    text: str
    media_type: str
    options: dict


def default_graphs(store: Store) -> list[str] | None:
    """The graphs that make up the default graph: None (the union of all graphs) for one
    release; for several, the newest release (by date, then tag) with every graph that is not
    a release (vocabularies, history), so a query never mixes what a URN meant in two releases.
    """
    from rdflib.namespace import DCTERMS

    from akgraph.iris import AK

    text = (
        f"SELECT ?g ?tag ?date WHERE {{ GRAPH ?g {{ ?r a <{AK.Release}> ; <{AK.tag}> ?tag . "
        f"OPTIONAL {{ ?r <{DCTERMS.date}> ?date }} }} }}"
    )
    releases = sorted(
        (row["date"].value if row["date"] else "", row["tag"].value, row["g"].value)
        for row in cast(QuerySolutions, store.query(text))
    )
    if len({g for _, _, g in releases}) < 2:
        return None
    newest = releases[-1][2]
    others = {g.value for g in store.named_graphs()} - {g for _, _, g in releases}
    return [newest, *sorted(others)]


def _dataset_options(
    query: Query,
    default_graphs: list[str] | None,
    named_graphs: list[str] | None,
    default: list[str] | None = None,
) -> dict:
    """pyoxigraph keyword arguments selecting the query's dataset (see the module doc);
    ``default`` is the store's own default graph (None: the union of all graphs)."""
    if default_graphs is None and named_graphs is None:
        if query.has_dataset:
            return {}
        if default is not None:
            return {"default_graph": [NamedNode(g) for g in default]}
        return {"use_default_graph_as_union": True}
    return {
        "default_graph": [NamedNode(g) for g in default_graphs or []],
        "named_graphs": [NamedNode(g) for g in named_graphs or []],
    }


class _CappedBuffer(io.BytesIO):
    """A byte buffer that raises :class:`ResultTooLarge` past ``limit`` bytes."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def write(self, data: Any) -> int:
        if self.tell() + memoryview(data).nbytes > self.limit:
            raise ResultTooLarge(
                f"the result is larger than the limit of {self.limit} bytes; "
                "narrow the query or add LIMIT"
            )
        return super().write(data)


def _evaluate(store: Store, job: _Job, limit: int) -> bytes | QueryError:
    out = _CappedBuffer(limit)
    try:
        result = store.query(job.text, **job.options)
        if isinstance(result, QueryTriples) and job.media_type == JSON_LD:
            _write_jsonld(result, out)
        elif isinstance(result, QueryTriples):
            rdf_format = RdfFormat.from_media_type(job.media_type)
            prefixes = PREFIXES if rdf_format == RdfFormat.TURTLE else None
            serialize(result, out, rdf_format, prefixes=prefixes)
        else:
            result.serialize(out, QueryResultsFormat.from_media_type(job.media_type))
    except QueryError as exc:
        return exc
    except SyntaxError as exc:
        return BadQuery(f"malformed query: {exc}")
    except Exception as exc:
        return QueryFailed(f"query failed: {exc}")
    return out.getvalue()


def _write_jsonld(triples: QueryTriples, out: _CappedBuffer) -> None:
    """JSON-LD compacted with akgraph's context (as ``akgraph build -o x.jsonld`` writes)."""
    from rdflib import Graph

    from akgraph import resources

    graph = Graph()
    graph.parse(data=triples.serialize(format=RdfFormat.N_TRIPLES), format="nt")
    context = resources.jsonld_context()["@context"]
    out.write(graph.serialize(format="json-ld", context=context, encoding="utf-8"))


def _serve(conn, dump: str, limit: int) -> None:
    """Worker process: load the dump, then answer jobs from ``conn`` until it closes.

    Ctrl+C reaches the whole process group: the server stops its workers itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    store = Store()
    store.bulk_load(path=dump, format=RdfFormat.N_QUADS)
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the server closed the pipe or went away
            return
        answer = _evaluate(store, job, limit)
        try:
            conn.send(answer)
        except OSError:
            return


class _Worker:
    """One worker process and our end of its pipe."""

    def __init__(self, context, dump: Path, limit: int):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, str(dump), limit), daemon=True)
        self.process.start()
        child.close()
        self.ready = False

    def ask(self, job: _Job, timeout: float) -> bytes:
        try:
            if not self.ready:
                if not self.conn.poll(STARTUP_TIMEOUT):
                    raise WorkerFailed("query worker did not start")
                self.conn.recv()
                self.ready = True
            self.conn.send(job)
            if not self.conn.poll(timeout):
                raise QueryTimeout(f"query stopped: it ran longer than the limit of {timeout:g} s")
            reply = self.conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerFailed(f"query worker stopped unexpectedly ({exc or 'exit'})") from None
        if isinstance(reply, QueryError):
            raise reply
        return reply

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


def _remove(path: str, owner: int) -> None:
    if os.getpid() == owner:  # not in processes forked from the owner (gunicorn --preload)
        shutil.rmtree(path, ignore_errors=True)


class LocalStore:
    """A store answered by ``workers`` processes; see the module doc for the design.

    Workers start on the first query in each process, so an app created before a fork
    (``gunicorn --preload``) gets its own workers per forked process.
    """

    def __init__(self, store: Store, limits: Limits = Limits(), workers: int = 2):
        self.limits, self.size = limits, max(1, workers)
        self._graphs = sorted(g.value for g in store.named_graphs())
        self.default = default_graphs(store)
        folder = tempfile.mkdtemp(prefix="akgraph-store-")
        weakref.finalize(self, _remove, folder, os.getpid())
        self._dump = Path(folder) / "store.nq"
        store.dump(self._dump, RdfFormat.N_QUADS)
        self._pools: dict[bool, queue.Queue[_Worker]] = {False: queue.Queue(), True: queue.Queue()}
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._context = multiprocessing.get_context("forkserver")
        # Workers fork from a server that has imported this module, nothing of the caller's.
        self._context.set_forkserver_preload([__name__])

    def graphs(self) -> list[str]:
        """IRIs of the named graphs held."""
        return self._graphs

    def _new_worker(self) -> _Worker:
        return _Worker(self._context, self._dump, self.limits.max_result_bytes)

    def _ensure_workers(self) -> None:
        with self._lock:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                self._pools = {False: queue.Queue(), True: queue.Queue()}
                for _ in range(self.size):
                    self._pools[False].put(self._new_worker())
                self._pools[True].put(self._new_worker())

    def query(
        self,
        query: Query,
        media_type: str,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
        internal: bool = False,
    ) -> tuple[str, bytes]:
        """Evaluate a checked query (relative IRIs resolved against ``base_iri``); returns the
        media type and the serialized result. ``internal`` queries (the pages' own) have a
        worker of their own, so visitors' queries can never hold up the pages."""
        self._ensure_workers()
        idle = self._pools[internal]
        options = _dataset_options(query, default_graphs, named_graphs, self.default)
        options |= {"base_iri": base_iri}
        job = _Job(query.text, media_type, options)
        try:
            worker = idle.get(timeout=self.limits.timeout)
        except queue.Empty:
            raise QueryTimeout("all query workers stayed busy; try again later") from None
        try:
            return media_type, worker.ask(job, self.limits.timeout)
        except (QueryTimeout, WorkerFailed):
            worker.stop()
            worker = self._new_worker()
            raise
        finally:
            idle.put(worker)

    def pids(self) -> list[int]:
        """Process ids of the idle workers for visitors' queries in this process (for
        monitoring and tests; the pages' own worker is left out)."""
        return sorted(w.process.pid for w in list(self._pools[False].queue))

    def close(self) -> None:
        """Stop the workers of this process."""
        for pool in self._pools.values():
            while True:
                try:
                    pool.get_nowait().stop()
                except queue.Empty:
                    break


# --- a remote SPARQL server ------------------------------------------------------------------


class RemoteStore:
    """Queries forwarded to a SPARQL 1.1 query endpoint (Oxigraph, Fuseki, ...) with
    SPARQLWrapper. The same checks apply first; the remote decides the default graph (start
    Oxigraph server with ``--union-default-graph`` to match :class:`LocalStore`)."""

    def __init__(self, url: str, limits: Limits = Limits()):
        self.url, self.limits = url, limits

    def _request(self, query: Query, media_type: str, default_graphs, named_graphs):
        from SPARQLWrapper import POST, SPARQLWrapper

        client = SPARQLWrapper(self.url)
        client.setMethod(POST)
        client.setQuery(query.text)
        client.setTimeout(math.ceil(self.limits.timeout))  # it truncates to int; 0 = none
        client.addCustomHttpHeader("Accept", media_type)
        for iri in default_graphs or []:
            client.addDefaultGraph(iri)
        for iri in named_graphs or []:
            client.addNamedGraph(iri)
        return client.query().response

    def query(
        self,
        query: Query,
        media_type: str,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
        internal: bool = False,
    ) -> tuple[str, bytes]:
        """Forward a checked query; returns the remote's media type and body (capped).
        ``base_iri`` is ignored: the remote resolves relative IRIs itself."""
        from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

        try:
            with self._request(query, media_type, default_graphs, named_graphs) as response:
                body = response.read(self.limits.max_result_bytes + 1)
                received = response.headers.get_content_type() or media_type
        except QueryBadFormed as exc:
            raise BadQuery(f"malformed query (remote store): {exc}") from None
        except (SPARQLWrapperException, OSError) as exc:  # urllib's URLError is an OSError
            if isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", 0), TimeoutError):
                raise QueryTimeout(
                    f"query stopped: the remote store took longer than {self.limits.timeout:g} s"
                ) from None
            raise RemoteFailed(f"remote store {self.url} failed: {exc}") from None
        if len(body) > self.limits.max_result_bytes:
            raise ResultTooLarge(
                f"the result is larger than the limit of {self.limits.max_result_bytes} bytes; "
                "narrow the query or add LIMIT"
            )
        return received, body

    def graphs(self) -> list[str]:
        """IRIs of the named graphs the remote holds (empty if it cannot say)."""
        import json

        query = _inspect("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
        try:
            _, body = self.query(query, "application/sparql-results+json")
            rows = json.loads(body)["results"]["bindings"]
        except (QueryError, ValueError, KeyError):
            return []
        return [row["g"]["value"] for row in rows]

    def close(self) -> None:
        """Nothing to release."""


# --- publishing --------------------------------------------------------------------------------


def publish(store: Store, url: str, timeout: float = 60.0) -> list[tuple[str, int]]:
    """Upload every graph of ``store`` to a SPARQL 1.1 Graph Store Protocol endpoint ``url``,
    one PUT (replace) per named graph as N-Triples, and the default graph if it holds triples.

    Returns (graph, HTTP status) per upload; raises :class:`RemoteFailed` on the first failure.
    """
    targets = [(g.value, {"graph": g.value}) for g in store.named_graphs()]
    if next(iter(store.quads_for_pattern(None, None, None, DefaultGraph())), None):
        targets.append(("default graph", {"default": ""}))
    done = []
    for name, params in targets:
        graph = NamedNode(params["graph"]) if "graph" in params else DefaultGraph()
        body = store.dump(format=RdfFormat.N_TRIPLES, from_graph=graph)
        separator = "&" if "?" in url else "?"
        request = urllib.request.Request(
            url + separator + urllib.parse.urlencode(params).removesuffix("="),
            data=body,
            method="PUT",
            headers={"Content-Type": "application/n-triples"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                done.append((name, response.status))
        except (urllib.error.URLError, OSError) as exc:
            raise RemoteFailed(f"uploading {name} to {url} failed: {exc}") from None
    return done
