"""What every store shares: the bounds on a query, the checked query, the formats a client
accepts, the lexical check (:func:`inspect`) and the errors a store raises.

The errors say what went wrong, not how to answer it: the web layer maps each to its HTTP
status (:data:`akgraph.web.sparql.STATUS`).
"""

from __future__ import annotations

from dataclasses import dataclass

from akgraph.store import querytext

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


@dataclass(frozen=True)
class Limits:
    """Bounds on one query: wall-clock seconds, query characters, result bytes, and the
    worker's memory (bytes of address space beyond its idle size; None: sized for the machine,
    see :func:`akgraph.store.sandbox.default_memory`)."""

    timeout: float = 10.0
    max_query_length: int = 16_384
    max_result_bytes: int = 16 * 1024 * 1024
    memory: int | None = None


class QueryError(Exception):
    """A query that is refused or failed."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class BadQuery(QueryError):
    """Empty or malformed."""


class ReadOnly(QueryError):
    """A SPARQL update."""


class ServiceRefused(QueryError):
    """SERVICE (federated query)."""


class QueryTooLong(QueryError):
    """Longer than :attr:`Limits.max_query_length`."""


class ResultTooLarge(QueryError):
    """The serialized answer is larger than :attr:`Limits.max_result_bytes`."""


class NoFormat(QueryError):
    """The client accepts no format for the query's form (``args[1]``: "results" or "graph")."""


class QueryTimeout(QueryError):
    """The query outlived :attr:`Limits.timeout`, or no worker became free in that time."""


class QueryFailed(QueryError):
    """Evaluation failed for another reason."""


class WorkerFailed(QueryError):
    """The worker died (crash or kill) while answering; it is replaced."""


class MemoryExceeded(WorkerFailed):
    """The worker ran out of its memory budget."""


class RemoteFailed(QueryError):
    """A remote store could not be reached or failed."""


READ_ONLY = "this endpoint is read-only: SPARQL updates are not accepted"
NO_SERVICE = "SERVICE (federated query) is not allowed on this endpoint"
TOO_MUCH_MEMORY = "query used too much memory; narrow the query or add LIMIT"


def too_large(limit: int) -> ResultTooLarge:
    """The error for an answer larger than ``limit`` bytes."""
    return ResultTooLarge(
        f"the result is larger than the limit of {limit} bytes; narrow the query or add LIMIT"
    )


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
