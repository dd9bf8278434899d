"""Pipeline stage "store": the graph in pyoxigraph, queried read-only, sandboxed and bounded,
behind one interface (:class:`Backend`) with two implementations.

Dataset: the release's data stays in its named graph (``urn:nl:ak:release:<tag>``) and the
vocabularies in ``urn:nl:ak:graph:vocabularies``. The **default graph of a query is the union of
all graphs** (with several releases: the newest release with the graphs that are not releases,
:func:`default_graphs`), so ``SELECT * { ?s ?p ?o }`` sees everything; ``GRAPH`` still
addresses each named graph. ``FROM``/``FROM NAMED`` and the protocol's ``default-graph-uri`` /
``named-graph-uri`` only select graphs held in the store: a graph the store does not hold is
empty.

One parser: the web process never parses SPARQL. :func:`inspect` makes only lexical checks
(:mod:`akgraph.store.querytext`: length, empty, update keywords -> :class:`ReadOnly`,
``SERVICE`` -> :class:`ServiceRefused`); oxigraph parses and evaluates in a worker, under the
timeout, and the worker says which form the query had (results or a graph), so the media type
is chosen there from the two the client accepts (:class:`Formats`).

Modules: :mod:`~akgraph.store.query` (limits, the checked query, formats, the errors),
:mod:`~akgraph.store.querytext` (the lexical facts), :mod:`~akgraph.store.local`
(:class:`LocalStore`: an on-disk store answered by worker processes),
:mod:`~akgraph.store.worker` (the worker process), :mod:`~akgraph.store.sandbox` (no network,
bounded memory) and :mod:`~akgraph.store.remote` (:class:`RemoteStore`: another SPARQL server;
:func:`publish`). Each worker moves into an empty network namespace before it reads a query,
so SERVICE (or anything else) reaches no host; where that is impossible the server says so and
refuses every query mentioning SERVICE. Each worker has an address-space limit; results are
serialized in the worker into a buffer capped at ``max_result_bytes``.

Loading a graph into a store is :func:`akgraph.graph.to_store`. The errors carry no HTTP
status: the web layer maps them (:data:`akgraph.web.sparql.STATUS`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from akgraph.store.local import (
    TEMP_PREFIX,
    LocalStore,
    dataset_options,
    default_graphs,
    remove_stale_stores,
)
from akgraph.store.query import (
    JSON_LD,
    NO_SERVICE,
    PREFIXES,
    READ_ONLY,
    RESULTS_JSON,
    TOO_MUCH_MEMORY,
    BadQuery,
    Formats,
    Limits,
    MemoryExceeded,
    NoFormat,
    Query,
    QueryError,
    QueryFailed,
    QueryTimeout,
    QueryTooLong,
    ReadOnly,
    RemoteFailed,
    ResultTooLarge,
    ServiceRefused,
    WorkerFailed,
    inspect,
)
from akgraph.store.remote import RemoteStore, publish

__all__ = [
    "JSON_LD",
    "NO_SERVICE",
    "PREFIXES",
    "READ_ONLY",
    "RESULTS_JSON",
    "TEMP_PREFIX",
    "TOO_MUCH_MEMORY",
    "Backend",
    "BadQuery",
    "Formats",
    "Limits",
    "LocalStore",
    "MemoryExceeded",
    "NoFormat",
    "Query",
    "QueryError",
    "QueryFailed",
    "QueryTimeout",
    "QueryTooLong",
    "ReadOnly",
    "RemoteFailed",
    "RemoteStore",
    "ResultTooLarge",
    "ServiceRefused",
    "WorkerFailed",
    "dataset_options",
    "default_graphs",
    "inspect",
    "publish",
    "remove_stale_stores",
]


@runtime_checkable
class Backend(Protocol):
    """What the web layer asks of a store (:class:`LocalStore` and :class:`RemoteStore`)."""

    limits: Limits
    #: Called with ``"timeout"``, ``"busy"``, ``"crash"`` or ``"memory"`` (the web layer counts
    #: these for ``/metrics``; a remote store never calls it).
    on_event: Callable[[str], None]

    def query(
        self,
        query: Query,
        media_type: str | Formats,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
        internal: bool = False,
    ) -> tuple[str, bytes]:
        """The media type and body of a checked query's answer. ``media_type`` is one type, or
        one per form (:class:`Formats`); ``default_graphs``/``named_graphs`` select the dataset
        (None: the store's default); ``internal``: one of the pages' own queries."""
        ...

    def cached(
        self,
        query: Query,
        media_type: str | Formats,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> tuple[str, bytes] | None:
        """The answer :meth:`query` would give, where it is at hand without evaluating."""
        ...

    def graphs(self) -> list[str]:
        """IRIs of the named graphs held."""
        ...

    def ping(self) -> None:
        """Raise :class:`QueryError` when the store cannot answer."""
        ...

    def close(self) -> None:
        """Release what this process holds (worker processes)."""
        ...


# Both implementations satisfy the protocol (checked by mypy).
_LOCAL: type[Backend] = LocalStore
_REMOTE: type[Backend] = RemoteStore
