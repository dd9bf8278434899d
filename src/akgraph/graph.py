"""Build the graph of a checkout and write or read it in any RDF format."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.namespace import RDF

from akgraph import iris, resources
from akgraph.history import history
from akgraph.mapping import to_graph
from akgraph.problems import Problem
from akgraph.source.reader import Checkout, Release, read_checkout

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
    #: further tag names of the release's commit (``V2.2.0`` beside ``v2.2.0``)
    aliases: tuple[str, ...] = ()

    @property
    def release(self) -> URIRef:
        """IRI of the release, also the name of the data's graph in quad formats."""
        return iris.release(self.checkout.release.tag)

    def named_graphs(self) -> list[tuple[URIRef, Graph]]:
        """The data in a graph named after the release, the vocabularies in their own graph."""
        return [(self.release, self.data), (iris.VOCABULARY_GRAPH, self.vocabularies)]

    def dataset(self) -> Dataset:
        """:meth:`named_graphs` as an rdflib dataset."""
        return _dataset(self.named_graphs(), self.data)

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


def build(source: str | Path, release: Release | None = None) -> Build:
    """Read the checkout at ``source`` and convert it; raises SourceError if it cannot be read."""
    checkout = read_checkout(source, release)
    vocabularies = resources.vocabularies()
    result = to_graph(checkout, vocabularies)
    return Build(
        checkout=checkout,
        data=result.graph,
        vocabularies=vocabularies,
        problems=[*checkout.problems, *result.problems],
        unresolved=result.unresolved,
    )


@dataclass
class Releases:
    """Several releases in one dataset: each in its own named graph, oldest first, with the
    vocabularies and the history graph (what each URN named in each release)."""

    builds: list[Build]
    history: Graph

    @property
    def newest(self) -> Build:
        return self.builds[-1]

    @property
    def problems(self) -> list[Problem]:
        return [p for b in self.builds for p in b.problems]

    def named_graphs(self) -> list[tuple[URIRef, Graph]]:
        """Each release's data in its own graph, then the vocabularies and the history."""
        return [
            *((built.release, built.data) for built in self.builds),
            (iris.VOCABULARY_GRAPH, self.newest.vocabularies),
            (iris.HISTORY_GRAPH, self.history),
        ]

    def dataset(self) -> Dataset:
        """:meth:`named_graphs` as an rdflib dataset."""
        return _dataset(self.named_graphs(), self.newest.data)

    def union(self) -> Graph:
        """The newest release with the vocabularies and the history (one graph)."""
        graph = self.newest.union()
        graph += self.history
        return graph


def build_releases(builds: list[Build]) -> Releases:
    """Put built releases side by side, ordered by release date (then as given)."""
    if len({b.checkout.release.tag for b in builds}) != len(builds):
        tags = [b.checkout.release.tag for b in builds]
        raise ValueError(f"each release may be given once; tags: {', '.join(tags)}")
    ordered = sorted(enumerate(builds), key=lambda ib: (ib[1].checkout.release.date or "", ib[0]))
    builds = [b for _, b in ordered]
    return Releases(builds, history([(b.checkout.release.tag, b.data) for b in builds]))


def build_tags(repository: str | Path, tags: list[str]) -> list[Build]:
    """Build releases ``tags`` of a git checkout of the framework, read from git's objects.

    ``tags`` may hold tag names, ``A..B`` (every tag from A to B in version order) and ``all``;
    tags on one commit make one release with all their names. A file whose blob is missing is
    reported (with tag and path) and the rest of that release is built.
    """
    from akgraph.source.git import export, resolve

    repo = Path(repository)
    builds = []
    for tagged in resolve(repo, tags):
        with export(repo, tagged) as (folder, missing):
            built = build(folder, tagged.release)
        built.problems[:0] = missing
        built.aliases = tagged.aliases
        builds.append(built)
    return builds


def format_for(path: str | Path) -> str:
    """The rdflib format name for a file name, from its extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise ValueError(f"{path}: unknown RDF file extension {suffix!r} (known: {known})")
    return FORMATS[suffix]


def _dataset(graphs: list[tuple[URIRef, Graph]], prefixes: Graph) -> Dataset:
    dataset = Dataset()
    for prefix, namespace in prefixes.namespaces():
        dataset.bind(prefix, namespace)
    for name, graph in graphs:
        dataset.graph(name).__iadd__(graph)
    return dataset


def _oxigraph_term(term):
    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(str(term))
    if term.language:
        return pyoxigraph.Literal(str(term), language=term.language)
    if term.datatype:
        return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(str(term.datatype)))
    return pyoxigraph.Literal(str(term))


def quads(built: Build | Releases) -> list[pyoxigraph.Quad]:
    """Every statement of ``built`` as pyoxigraph quads (for the store and fast writing)."""
    term = _oxigraph_term
    return [
        pyoxigraph.Quad(term(s), term(p), term(o), pyoxigraph.NamedNode(str(name)))
        for name, graph in built.named_graphs()
        for s, p, o in graph
    ]


def serialize(built: Build | Releases, fmt: str) -> bytes:
    """The build in rdflib format ``fmt``: named graphs for TriG/N-Quads, one graph otherwise
    (for several releases only the quad formats keep them apart, so only those are allowed).

    TriG and N-Quads are written by pyoxigraph (rdflib's TriG writer is ten times slower).
    """
    if fmt in QUAD_FORMATS:
        out = io.BytesIO()
        prefixes = {p: str(n) for p, n in built.named_graphs()[0][1].namespaces() if p}
        rdf_format = pyoxigraph.RdfFormat.TRIG if fmt == "trig" else pyoxigraph.RdfFormat.N_QUADS
        pyoxigraph.serialize(
            quads(built), out, rdf_format, prefixes=prefixes if fmt == "trig" else None
        )
        return out.getvalue()
    if isinstance(built, Releases):
        raise ValueError("several releases need a format with named graphs: write .trig or .nq")
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
