"""The query worker process: it leaves the network, opens the store read-only, and answers
jobs from its pipe, each serialized into a buffer capped at the result limit.

This module is what the forkserver preloads (:class:`akgraph.store.local.LocalStore`), so it
imports nothing heavy at module level: a worker carries pyoxigraph, not rdflib or Flask.
"""

from __future__ import annotations

import io
import os
import signal
import threading
from dataclasses import dataclass
from typing import Any

from pyoxigraph import QueryBoolean, QueryResultsFormat, QueryTriples, RdfFormat, Store, serialize

from akgraph.store import querytext, sandbox
from akgraph.store.query import (
    JSON_LD,
    NO_SERVICE,
    PREFIXES,
    TOO_MUCH_MEMORY,
    BadQuery,
    Formats,
    MemoryExceeded,
    NoFormat,
    QueryError,
    QueryFailed,
    ServiceRefused,
    too_large,
)

#: Stack of the thread that evaluates (oxigraph recurses per nesting level and operand).
WORKER_STACK = 256 * 1024 * 1024


@dataclass(frozen=True)
class Job:
    """One query for a worker: its text, the formats accepted, pyoxigraph's options."""

    text: str
    formats: Formats
    options: dict


class CappedBuffer(io.BytesIO):
    """A byte buffer that raises :class:`~akgraph.store.query.ResultTooLarge` past ``limit``
    bytes."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def write(self, data: Any) -> int:
        if self.tell() + memoryview(data).nbytes > self.limit:
            raise too_large(self.limit)
        return super().write(data)


def evaluate(store: Store, job: Job, limit: int) -> tuple[str, str, bytes] | QueryError:
    """(form, media type, body) of ``job``, or the error to answer with."""
    out = CappedBuffer(limit)
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


def _write_jsonld(triples: QueryTriples, out: CappedBuffer, limit: int) -> None:
    """JSON-LD compacted with akgraph's context (as ``akgraph build -o x.jsonld`` writes);
    the triples are capped as N-Triples first, so rdflib never holds an unbounded graph."""
    from rdflib import Graph

    from akgraph import resources

    triples_out = CappedBuffer(limit)
    serialize(triples, triples_out, RdfFormat.N_TRIPLES)
    graph = Graph()
    graph.parse(data=triples_out.getvalue(), format="nt")
    context = resources.jsonld_context()["@context"]
    out.write(graph.serialize(format="json-ld", context=context, encoding="utf-8"))


def serve(conn, path: str, limit: int, memory: int, errors: str) -> None:
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
        reply = evaluate(store, job, limit)
        try:
            conn.send(reply)
        except OSError:
            return
        if isinstance(reply, MemoryExceeded):
            return  # a fresh worker takes over
