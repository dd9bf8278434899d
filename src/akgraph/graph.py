"""Build the graph of a checkout and write or read it in any RDF format."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF

from akgraph import iris, resources
from akgraph.mapping import to_graph
from akgraph.problems import Problem
from akgraph.source.reader import Checkout, read_checkout

#: rdflib format name by file extension.
FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
    ".trig": "trig",
    ".nq": "nquads",
}
QUAD_FORMATS = {"trig", "nquads"}


@dataclass
class Build:
    """The RDF of one checkout: its own graph plus the vocabularies it uses."""

    checkout: Checkout
    data: Graph
    vocabularies: Graph
    problems: list[Problem] = field(default_factory=list)
    unresolved: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def release(self) -> URIRef:
        """IRI of the release, also the name of the data's graph in quad formats."""
        return iris.release(self.checkout.release.tag)

    def dataset(self) -> Dataset:
        """The data in a graph named after the release, the vocabularies in their own graph."""
        dataset = Dataset()
        for prefix, namespace in self.data.namespaces():
            dataset.bind(prefix, namespace)
        dataset.graph(self.release).__iadd__(self.data)
        dataset.graph(iris.VOCABULARY_GRAPH).__iadd__(self.vocabularies)
        return dataset

    def union(self) -> Graph:
        """Data and vocabularies in one graph."""
        graph = Graph()
        for prefix, namespace in self.data.namespaces():
            graph.bind(prefix, namespace)
        graph += self.data
        graph += self.vocabularies
        return graph

    def counts(self) -> dict[str, int]:
        """Number of subjects per akgraph class in the data."""
        counted = Counter(
            str(cls).removeprefix(str(iris.AK))
            for cls in self.data.objects(None, RDF.type)
            if str(cls).startswith(str(iris.AK))
        )
        return dict(sorted(counted.items()))

    def skipped(self) -> list[Problem]:
        """Files that could not be converted at all."""
        return [p for p in self.problems if p.skipped]


def build(source: str | Path) -> Build:
    """Read the checkout at ``source`` and convert it; raises SourceError if it cannot be read."""
    checkout = read_checkout(source)
    vocabularies = resources.vocabularies()
    result = to_graph(checkout, vocabularies)
    return Build(
        checkout=checkout,
        data=result.graph,
        vocabularies=vocabularies,
        problems=[*checkout.problems, *result.problems],
        unresolved=result.unresolved,
    )


def format_for(path: str | Path) -> str:
    """The rdflib format name for a file name, from its extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise ValueError(f"{path}: unknown RDF file extension {suffix!r} (known: {known})")
    return FORMATS[suffix]


def serialize(built: Build, fmt: str) -> bytes:
    """The build in rdflib format ``fmt``: named graphs for TriG/N-Quads, one graph otherwise."""
    if fmt in QUAD_FORMATS:
        return built.dataset().serialize(format=fmt, encoding="utf-8")
    graph = built.union()
    if fmt == "json-ld":
        return graph.serialize(
            format="json-ld", context=resources.jsonld_context()["@context"], encoding="utf-8"
        )
    return graph.serialize(format=fmt, encoding="utf-8")


def load(path: str | Path) -> Dataset:
    """Read a graph file written by :func:`serialize` (format from the extension)."""
    dataset = Dataset()
    dataset.parse(Path(path), format=format_for(path))
    return dataset
