"""Where the data files (ontology, shapes, queries, sample content) are, installed or not."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph

_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parent.parent


def data_dir(name: str) -> Path:
    """The folder ``name`` (``ontology``, ``shapes``, ``queries``, ``content``).

    A wheel carries them under ``akgraph/_data``; a source checkout has them at its root.
    """
    for candidate in (_PACKAGE / "_data" / name, _REPO / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"akgraph data folder {name!r} not found")


@cache
def _turtle(name: str, filename: str) -> Graph:
    graph = Graph()
    graph.parse(data_dir(name) / filename, format="turtle")
    return graph


def vocabularies() -> Graph:
    """The controlled lists akgraph publishes with their alignment to DPV (``vocabularies.ttl``
    and ``alignment.ttl``; a fresh copy, safe to change)."""
    copy = Graph()
    for filename in ("vocabularies.ttl", "alignment.ttl"):
        source = _turtle("ontology", filename)
        for prefix, namespace in source.namespaces():
            copy.bind(prefix, namespace, override=False)
        copy += source
    return copy


def ontology() -> Graph:
    """The akgraph ontology (a fresh copy, safe to change), its blank nodes (the unions and
    their lists) labelled from the content, so that every process writes the same N-Quads."""
    copy = Graph()
    copy += _canonical_ontology()
    return copy


@cache
def _canonical_ontology() -> Graph:
    from rdflib.compare import to_canonical_graph

    canonical = Graph()
    canonical += to_canonical_graph(_turtle("ontology", "akgraph.ttl"))
    return canonical


def jsonld_context() -> dict:
    """The JSON-LD ``@context`` published in ``ontology/context.jsonld``."""
    import json

    return json.loads((data_dir("ontology") / "context.jsonld").read_text(encoding="utf-8"))
