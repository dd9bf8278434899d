"""The local store: the graph in one on-disk pyoxigraph store, answered by sandboxed worker
processes (:mod:`akgraph.store.worker`); see :mod:`akgraph.store` for the design.

The graph is bulk-loaded into a temporary folder; every worker opens it with
``Store.read_only`` (one copy of the data, no write possible). A query that outlives the
timeout, runs out of memory or crashes its worker has the worker killed and replaced. Answers
are cached per (query, formats, dataset), as the data never changes while serving. Temporary
stores are removed when the process ends, and those of a crashed process at the next start.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import multiprocessing
import os
import queue
import re
import shutil
import tempfile
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import cast

from pyoxigraph import NamedNode, QuerySolutions, Store

from akgraph.store import querytext, sandbox
from akgraph.store.query import (
    NO_SERVICE,
    RESULTS_JSON,
    TOO_MUCH_MEMORY,
    Formats,
    Limits,
    MemoryExceeded,
    Query,
    QueryError,
    QueryTimeout,
    ServiceRefused,
    WorkerFailed,
)
from akgraph.store.worker import Job, serve

log = logging.getLogger(__name__)

STARTUP_TIMEOUT = 120.0  # seconds a new worker may take to open the store
#: Bytes of answers kept per process (the data never changes while serving).
ANSWER_CACHE_BYTES = 64 * 1024 * 1024
TEMP_PREFIX = "akgraph-store-"


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


def dataset_options(
    query: Query,
    default_graphs: list[str] | None,
    named_graphs: list[str] | None,
    default: list[str] | None = None,
) -> dict:
    """pyoxigraph keyword arguments selecting the query's dataset (see :mod:`akgraph.store`);
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


class _Worker:
    """One worker process and our end of its pipe."""

    def __init__(self, context, path: Path, limit: int, memory: int):
        self.conn, child = context.Pipe()
        handle, errors = tempfile.mkstemp(prefix="worker-", suffix=".err", dir=path.parent)
        os.close(handle)
        self.errors = Path(errors)
        self.process = context.Process(
            target=serve, args=(child, str(path), limit, memory, errors), daemon=True
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

    def ask(self, job: Job, timeout: float) -> tuple[str, str, bytes]:
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
    from akgraph.graph import fill_store

    writer = Store(str(path))
    fill_store(writer, source)
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
    package doc for the design. ``source`` is anything :func:`akgraph.graph.to_store`
    takes, or a pyoxigraph store (copied once to disk).

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
        # Workers fork from a server that has imported the worker module, nothing of the
        # caller's.
        self._context.set_forkserver_preload([serve.__module__])
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
        job = Job(query.text, formats, options | {"base_iri": base_iri})
        answer = self._on_worker(job, internal, query.text)
        self._answers.put(key, answer)
        return answer[1], answer[2]

    def _on_worker(self, job: Job, internal: bool, text: str) -> tuple[str, str, bytes]:
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
        self._on_worker(Job("ASK {}", formats, {"base_iri": None}), True, "ASK {}")

    def _job(self, query, media_type, default_graphs, named_graphs, base_iri):
        formats = media_type if isinstance(media_type, Formats) else Formats(media_type, media_type)
        options = dataset_options(query, default_graphs, named_graphs, self.default)
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
