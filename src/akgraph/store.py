"""Pipeline stage "store": the graph in pyoxigraph, queried read-only, sandboxed and bounded.

Dataset: the release's data stays in its named graph (``urn:nl:ak:release:<tag>``) and the
vocabularies in ``urn:nl:ak:graph:vocabularies``. The **default graph of a query is the union of
all graphs** (with several releases: the newest release with the graphs that are not releases),
so ``SELECT * { ?s ?p ?o }`` sees everything; ``GRAPH`` still addresses each named graph.
``FROM``/``FROM NAMED`` and the protocol's ``default-graph-uri`` / ``named-graph-uri`` only
select graphs held in the store: a graph the store does not hold is empty.

One parser: the web process never parses SPARQL. :func:`inspect` makes only lexical checks
(:mod:`akgraph.querytext`: length, empty, update keywords -> :class:`ReadOnly`, ``SERVICE`` ->
:class:`ServiceRefused`); oxigraph parses and evaluates in a worker, under the timeout, and the
worker says which form the query had (results or a graph), so the media type is chosen there
from the two the client accepts (:class:`Formats`).

The sandbox (:class:`LocalStore`): the graph is bulk-loaded by pyoxigraph into one on-disk store
in a temporary folder; every worker process opens it with ``Store.read_only`` (one copy of the
data, no write possible). Each worker moves into an empty network namespace before it reads a
query (:mod:`akgraph.sandbox`), so SERVICE (or anything else) reaches no host; where that is
impossible the server says so and refuses every query mentioning SERVICE. Each worker has an
address-space limit; a query that outlives the timeout, runs out of memory or crashes its worker
has the worker killed and replaced (the caller penalises the client alike). Results are
serialized in the worker into a buffer capped at ``max_result_bytes``; answers are cached per
(query, formats, dataset), as the data never changes while serving. Temporary stores are removed
when the process ends, and those of a crashed process at the next start.
:class:`RemoteStore` forwards the same checked queries to another SPARQL server.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import io
import logging
import math
import multiprocessing
import os
import queue
import re
import shutil
import signal
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    serialize,
)

from akgraph import querytext, sandbox

log = logging.getLogger(__name__)

JSON_LD = "application/ld+json"
RESULTS_JSON = "application/sparql-results+json"
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
STARTUP_TIMEOUT = 120.0  # seconds a new worker may take to open the store
#: Stack of the thread that evaluates (oxigraph recurses per nesting level and operand).
WORKER_STACK = 256 * 1024 * 1024
#: Bytes of answers kept per process (the data never changes while serving).
ANSWER_CACHE_BYTES = 64 * 1024 * 1024
TEMP_PREFIX = "akgraph-store-"


@dataclass(frozen=True)
class Limits:
    """Bounds on one query: wall-clock seconds, query characters, result bytes, and the
    worker's memory (bytes of address space beyond its idle size; None: sized for the machine,
    see :func:`akgraph.sandbox.default_memory`)."""

    timeout: float = 10.0
    max_query_length: int = 16_384
    max_result_bytes: int = 16 * 1024 * 1024
    memory: int | None = None


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


class NoFormat(QueryError):
    """The client accepts no format for the query's form (``args[1]``: "results" or "graph")."""

    status = 406


class QueryTimeout(QueryError):
    status = 503


class QueryFailed(QueryError):
    status = 500


class WorkerFailed(QueryError):
    """The worker died (crash or kill) while answering; it is replaced."""

    status = 503


class MemoryExceeded(WorkerFailed):
    status = 503


class RemoteFailed(QueryError):
    status = 502


READ_ONLY = "this endpoint is read-only: SPARQL updates are not accepted"
NO_SERVICE = "SERVICE (federated query) is not allowed on this endpoint"
TOO_MUCH_MEMORY = "query used too much memory; narrow the query or add LIMIT"


@dataclass(frozen=True)
class Query:
    """A query that passed :func:`inspect`: its text, its form when known ("" until oxigraph
    has parsed it) and whether it names its own dataset."""

    text: str
    form: str = ""
    has_dataset: bool = False

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


@dataclass(frozen=True)
class Formats:
    """The media types a client accepts for each form: SELECT/ASK ``results``, CONSTRUCT/
    DESCRIBE ``graph`` (None: nothing acceptable for that form)."""

    results: str | None
    graph: str | None

    def accept(self) -> str:
        """An Accept header asking for either (for a remote store)."""
        return ", ".join(t for t in (self.results, self.graph) if t) or "*/*"


def inspect(text: str, limits: Limits = Limits()) -> Query:
    """Check ``text`` lexically (length, empty, read-only, no SERVICE) and return it as a
    :class:`Query`; the syntax is oxigraph's to check, in a worker."""
    if len(text) > limits.max_query_length:
        raise QueryTooLong(
            f"query of {len(text)} characters is longer than the limit of {limits.max_query_length}"
        )
    if querytext.is_empty(text):
        raise BadQuery("empty query: send a SPARQL query in the query parameter")
    if querytext.is_update(text):
        raise ReadOnly(READ_ONLY)
    if querytext.uses_service(text):
        raise ServiceRefused(NO_SERVICE)
    return Query(text, "", querytext.has_dataset(text))


# --- loading -------------------------------------------------------------------------------


def _built(source):
    """``source`` as something :func:`_fill` can load (a path to a graph file stays a path)."""
    from akgraph import graph, resources

    if source is None:
        source = resources.data_dir("content")
    if isinstance(source, list | tuple):
        return graph.build_releases([graph.build(Path(s)) for s in source])
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        return path if path.is_file() else graph.build(path)
    return source


def _fill(store: Store, source) -> None:
    """Bulk-load ``source`` (see :func:`load`) into ``store``; graph files are parsed by
    pyoxigraph (JSON-LD by rdflib, for its context)."""
    from rdflib import Graph

    from akgraph import graph

    source = _built(source)
    if isinstance(source, Path):
        if source.suffix.lower() in (".jsonld", ".json"):
            source = graph.load(source)
        else:
            try:
                rdf_format = RdfFormat.from_extension(source.suffix.lstrip(".").lower())
            except ValueError:
                rdf_format = None
            if rdf_format is None:
                raise ValueError(f"{source}: unknown graph file extension {source.suffix!r}")
            try:
                store.bulk_load(path=str(source), format=rdf_format)
            except SyntaxError as exc:
                raise ValueError(f"{source}: not valid {rdf_format.name}: {exc}") from None
            return
    if isinstance(source, Graph):
        store.bulk_load(source.serialize(format="nquads", encoding="utf-8"), RdfFormat.N_QUADS)
    elif isinstance(source, Store):
        store.bulk_extend(iter(source))
    else:
        store.bulk_extend(graph.quads(source))


def load(source=None) -> Store:
    """An in-memory store of ``source``: a :class:`~akgraph.graph.Build` or
    :class:`~akgraph.graph.Releases`, an rdflib dataset or graph, a graph file written by
    ``akgraph build``, a checkout, or a list of checkouts (one dataset of their releases);
    default: the bundled sample.
    """
    store = Store()
    _fill(store, source)
    return store


def default_graphs(store: Store) -> list[str] | None:
    """The graphs that make up the default graph: None (the union of all graphs) for one
    release; for several, the newest release (by date, then tag) with every graph that is not
    a release (vocabularies, history), so a query never mixes what a URN meant in two releases.
    """
    from akgraph.iris import AK

    text = (
        f"SELECT ?g ?tag ?date WHERE {{ GRAPH ?g {{ ?r a <{AK.Release}> ; <{AK.tag}> ?tag . "
        "OPTIONAL { ?r <http://purl.org/dc/terms/date> ?date } } }"
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


# --- evaluation in sandboxed worker processes ------------------------------------------------


@dataclass(frozen=True)
class _Job:
    text: str
    formats: Formats
    options: dict


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


def _evaluate(store: Store, job: _Job, limit: int) -> tuple[str, str, bytes] | QueryError:
    """(form, media type, body) of ``job``, or the error to answer with."""
    out = _CappedBuffer(limit)
    try:
        result = store.query(job.text, **job.options)
        if isinstance(result, QueryTriples):
            form, media_type = "CONSTRUCT", job.formats.graph
        else:
            form = "ASK" if isinstance(result, QueryBoolean) else "SELECT"
            media_type = job.formats.results
        if media_type is None:
            return NoFormat(form, "graph" if form == "CONSTRUCT" else "results")
        if isinstance(result, QueryTriples) and media_type == JSON_LD:
            _write_jsonld(result, out, limit)
        elif isinstance(result, QueryTriples):
            rdf_format = RdfFormat.from_media_type(media_type)
            prefixes = PREFIXES if rdf_format == RdfFormat.TURTLE else None
            serialize(result, out, rdf_format, prefixes=prefixes)
        else:
            result.serialize(out, QueryResultsFormat.from_media_type(media_type))
    except QueryError as exc:
        return exc
    except SyntaxError as exc:
        return BadQuery(f"malformed query: {exc}")
    except MemoryError:
        return MemoryExceeded(TOO_MUCH_MEMORY)
    except Exception as exc:
        if querytext.mentions_service(job.text) and "os error" in str(exc):
            return ServiceRefused(NO_SERVICE + " (the query workers have no network)")
        return QueryFailed(f"query failed: {exc}")
    return form, media_type, out.getvalue()


def _write_jsonld(triples: QueryTriples, out: _CappedBuffer, limit: int) -> None:
    """JSON-LD compacted with akgraph's context (as ``akgraph build -o x.jsonld`` writes);
    the triples are capped as N-Triples first, so rdflib never holds an unbounded graph."""
    from rdflib import Graph

    from akgraph import resources

    triples_out = _CappedBuffer(limit)
    serialize(triples, triples_out, RdfFormat.N_TRIPLES)
    graph = Graph()
    graph.parse(data=triples_out.getvalue(), format="nt")
    context = resources.jsonld_context()["@context"]
    out.write(graph.serialize(format="json-ld", context=context, encoding="utf-8"))


def _serve(conn, path: str, limit: int, memory: int, errors: str) -> None:
    """Worker process: report failures to ``errors``, leave the network, open the store
    read-only, then answer jobs from ``conn`` (in a thread with a deep stack) until it closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C: the server stops its workers
    fd = os.open(errors, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 2)
    os.close(fd)
    isolated = sandbox.isolate_network() is None
    store = Store.read_only(path)
    threading.stack_size(WORKER_STACK)
    thread = threading.Thread(target=_answer, args=(conn, store, limit, memory, isolated))
    thread.start()
    thread.join()


def _answer(conn, store: Store, limit: int, memory: int, isolated: bool) -> None:
    sandbox.limit_memory(memory)
    conn.send(("ready", isolated))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the server closed the pipe or went away
            return
        reply = _evaluate(store, job, limit)
        try:
            conn.send(reply)
        except OSError:
            return
        if isinstance(reply, MemoryExceeded):
            return  # a fresh worker takes over


class _Worker:
    """One worker process and our end of its pipe."""

    def __init__(self, context, path: Path, limit: int, memory: int):
        self.conn, child = context.Pipe()
        handle, errors = tempfile.mkstemp(prefix="worker-", suffix=".err", dir=path.parent)
        os.close(handle)
        self.errors = Path(errors)
        self.process = context.Process(
            target=_serve, args=(child, str(path), limit, memory, errors), daemon=True
        )
        self.process.start()
        child.close()
        self.ready = False
        self.isolated = False

    def start(self) -> None:
        """Wait until the worker has opened the store."""
        if self.ready:
            return
        try:
            if not self.conn.poll(STARTUP_TIMEOUT):
                raise WorkerFailed("query worker did not start")
            _, self.isolated = self.conn.recv()
        except (EOFError, OSError):
            raise self._died() from None
        self.ready = True

    def ask(self, job: _Job, timeout: float) -> tuple[str, str, bytes]:
        self.start()
        try:
            self.conn.send(job)
            if not self.conn.poll(timeout):
                raise QueryTimeout(f"query stopped: it ran longer than the limit of {timeout:g} s")
            reply = self.conn.recv()
        except (EOFError, OSError):
            raise self._died() from None
        if isinstance(reply, QueryError):
            raise reply
        return reply

    def _died(self) -> WorkerFailed:
        """Why the process ended: out of memory (Rust's allocator aborts) or another crash."""
        self.process.join(5)
        try:
            said = self.errors.read_text(errors="replace")
        except OSError:
            said = ""
        if "memory allocation" in said or "MemoryError" in said or "out of memory" in said:
            return MemoryExceeded(TOO_MUCH_MEMORY)
        code = self.process.exitcode
        return WorkerFailed(f"the query crashed its worker (exit status {code}); it was replaced")

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()
        self.errors.unlink(missing_ok=True)


def _remove(path: str, owner: int) -> None:
    if os.getpid() == owner:  # not in processes forked from the owner (gunicorn --preload)
        shutil.rmtree(path, ignore_errors=True)


_OWNED = re.compile(re.escape(TEMP_PREFIX) + r"(\d+)-")


def remove_stale_stores(folder: str | None = None) -> list[Path]:
    """Remove the temporary stores of processes that no longer run (a crash, a SIGKILL);
    returns what was removed."""
    removed = []
    for path in Path(folder or tempfile.gettempdir()).glob(TEMP_PREFIX + "*"):
        match = _OWNED.match(path.name)
        if not match or not path.is_dir():
            continue
        try:
            os.kill(int(match.group(1)), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        except PermissionError:
            pass  # another user's running process
    return removed


class _Answers:
    """Answers kept per key, least recently used out past ``limit`` bytes (thread-safe)."""

    def __init__(self, limit: int):
        self.limit, self.size = limit, 0
        self._items: OrderedDict[tuple, tuple[str, str, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[str, str, bytes] | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple, answer: tuple[str, str, bytes]) -> None:
        if len(answer[2]) > self.limit // 8:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = answer
            self.size += len(answer[2])
            while self.size > self.limit:
                self.size -= len(self._items.popitem(last=False)[1][2])


def _write(path: Path, source) -> None:
    """Bulk-load ``source`` into a new on-disk store at ``path`` and close it."""
    writer = Store(str(path))
    _fill(writer, source)
    writer.flush()
    del writer
    gc.collect()
    _trim_heap()


def _trim_heap() -> None:
    """Hand the heap freed by a build back to the system (glibc keeps it otherwise), so the
    processes forked from this one (gunicorn's workers) do not each carry it."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class LocalStore:
    """The graph in an on-disk store answered by ``workers`` sandboxed processes; see the
    module doc for the design. ``source`` is anything :func:`load` takes, or a pyoxigraph
    store (copied once to disk).

    Workers start on the first query in each process, so an app created before a fork
    (``gunicorn --preload``) gets its own workers per forked process; they all open the same
    files read-only.
    """

    def __init__(self, source=None, limits: Limits = Limits(), workers: int = 2):
        self.limits, self.size = limits, max(1, workers)
        self.memory = limits.memory or sandbox.default_memory(self.size)
        remove_stale_stores()
        folder = tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-")
        weakref.finalize(self, _remove, folder, os.getpid())
        self.folder = Path(folder)
        self._path = self.folder / "store"
        try:
            _write(self._path, source)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        #: The same data, read-only, for this process's own reads (dumps, counts).
        self.dataset = Store.read_only(str(self._path))
        self._graphs = sorted(g.value for g in self.dataset.named_graphs())
        self.default = default_graphs(self.dataset)
        why = sandbox.network_isolation()
        self.isolated = why is None
        if why:
            log.warning(
                "akgraph: query workers cannot be cut off from the network (%s); "
                "every query mentioning SERVICE is refused",
                why,
            )
        self._answers = _Answers(ANSWER_CACHE_BYTES)
        self._pools: dict[bool, queue.Queue[_Worker]] = {False: queue.Queue(), True: queue.Queue()}
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._context = multiprocessing.get_context("forkserver")
        # Workers fork from a server that has imported this module, nothing of the caller's.
        self._context.set_forkserver_preload([__name__])
        #: Called with ``"timeout"``, ``"busy"``, ``"crash"`` or ``"memory"`` when a query ran
        #: out of time, found no free worker, or ended its worker (which is then replaced);
        #: the web layer counts these for ``/metrics``.
        self.on_event: Callable[[str], None] = lambda event: None

    def graphs(self) -> list[str]:
        """IRIs of the named graphs held."""
        return self._graphs

    def _new_worker(self) -> _Worker:
        return _Worker(self._context, self._path, self.limits.max_result_bytes, self.memory)

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
        media_type: str | Formats,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
        internal: bool = False,
    ) -> tuple[str, bytes]:
        """Evaluate a checked query (relative IRIs resolved against ``base_iri``); returns the
        media type and the serialized result. ``media_type`` is one type, or one per form
        (:class:`Formats`: the type sent tells the form). ``internal`` queries (the pages' own)
        have a worker of their own, so visitors' queries can never hold up the pages."""
        formats, options, key = self._job(query, media_type, default_graphs, named_graphs, base_iri)
        if not self.isolated and querytext.mentions_service(query.text):
            raise ServiceRefused(NO_SERVICE)
        found = self._answers.get(key)
        if found is not None:
            return found[1], found[2]
        self._ensure_workers()
        job = _Job(query.text, formats, options | {"base_iri": base_iri})
        answer = self._on_worker(job, internal, query.text)
        self._answers.put(key, answer)
        return answer[1], answer[2]

    def _on_worker(self, job: _Job, internal: bool, text: str) -> tuple[str, str, bytes]:
        """Run ``job`` on an idle worker of the pool (replacing the worker if it failed)."""
        idle = self._pools[internal]
        try:
            worker = idle.get(timeout=self.limits.timeout)
        except queue.Empty:
            self.on_event("busy")
            raise QueryTimeout("all query workers stayed busy; try again later") from None
        try:
            worker.start()
            if not worker.isolated and querytext.mentions_service(text):
                raise ServiceRefused(NO_SERVICE)
            return worker.ask(job, self.limits.timeout)
        except (QueryTimeout, WorkerFailed) as exc:
            kind = {QueryTimeout: "timeout", MemoryExceeded: "memory"}.get(type(exc), "crash")
            self.on_event(kind)
            worker.stop()
            worker = self._new_worker()
            raise
        finally:
            idle.put(worker)

    def ping(self) -> None:
        """Have the pages' worker answer a trivial query (never from the answer cache); raises
        :class:`QueryError` when the store cannot answer."""
        self._ensure_workers()
        formats = Formats(RESULTS_JSON, RESULTS_JSON)
        self._on_worker(_Job("ASK {}", formats, {"base_iri": None}), True, "ASK {}")

    def _job(self, query, media_type, default_graphs, named_graphs, base_iri):
        formats = media_type if isinstance(media_type, Formats) else Formats(media_type, media_type)
        options = _dataset_options(query, default_graphs, named_graphs, self.default)
        return formats, options, (query.text, formats, repr(sorted(options.items())), base_iri)

    def cached(
        self,
        query: Query,
        media_type: str | Formats,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> tuple[str, bytes] | None:
        """The answer :meth:`query` would give, if it is cached (no worker is asked)."""
        if not self.isolated and querytext.mentions_service(query.text):
            return None
        found = self._answers.get(
            self._job(query, media_type, default_graphs, named_graphs, base_iri)[2]
        )
        return None if found is None else (found[1], found[2])

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
        self.on_event: Callable[[str], None] = lambda event: None  # as LocalStore's

    def _request(self, query: Query, media_type: str | Formats, default_graphs, named_graphs):
        from SPARQLWrapper import POST, SPARQLWrapper

        client = SPARQLWrapper(self.url)
        client.setMethod(POST)
        client.setQuery(query.text)
        client.setTimeout(math.ceil(self.limits.timeout))  # it truncates to int; 0 = none
        accept = media_type.accept() if isinstance(media_type, Formats) else media_type
        client.addCustomHttpHeader("Accept", accept)
        for iri in default_graphs or []:
            client.addDefaultGraph(iri)
        for iri in named_graphs or []:
            client.addNamedGraph(iri)
        return client.query().response

    def query(
        self,
        query: Query,
        media_type: str | Formats,
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
                received = response.headers.get_content_type() or str(media_type)
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

    def ping(self) -> None:
        """Ask the remote a trivial query; raises :class:`QueryError` when it cannot answer."""
        self.query(Query("ASK {}", "ASK"), RESULTS_JSON)

    def graphs(self) -> list[str]:
        """IRIs of the named graphs the remote holds (empty if it cannot say)."""
        import json

        query = Query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g", "SELECT")
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
