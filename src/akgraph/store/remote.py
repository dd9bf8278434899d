"""A remote SPARQL server as the store: queries forwarded to it (:class:`RemoteStore`), and
the graph uploaded to it by the SPARQL 1.1 Graph Store Protocol (:func:`publish`)."""

from __future__ import annotations

import math
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable

from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store

from akgraph.store.query import (
    RESULTS_JSON,
    BadQuery,
    Formats,
    Limits,
    Query,
    QueryError,
    QueryTimeout,
    RemoteFailed,
    too_large,
)


class RemoteStore:
    """Queries forwarded to a SPARQL 1.1 query endpoint (Oxigraph, Fuseki, ...) with
    SPARQLWrapper. The same checks apply first; the remote decides the default graph (start
    Oxigraph server with ``--union-default-graph`` to match :class:`~akgraph.store.LocalStore`)."""

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
            raise too_large(self.limits.max_result_bytes)
        return received, body

    def cached(
        self,
        query: Query,
        media_type: str | Formats,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> tuple[str, bytes] | None:
        """None: the remote's answers are not kept here."""
        return None

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
