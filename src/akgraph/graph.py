"""Build the graph of a checkout, write or read it in any RDF format, or load it into a
pyoxigraph store (:func:`to_store`)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF

from akgraph import iris, resources
from akgraph.history import Triple, Version, history_graph, history_statements, items
from akgraph.iris import AK
from akgraph.mapping import to_graph
from akgraph.mapping_law import figures
from akgraph.problems import Problem
from akgraph.source import beslishulp, instruments
from akgraph.source.beslishulp import DecisionTree
from akgraph.source.reader import Checkout, Release, read_checkout

if TYPE_CHECKING:
    from akgraph.source.git import Tagged

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
    #: the AI-Act decision aid read with it, and its graph (``urn:nl:ak:graph:beslishulp``)
    decision_tree: DecisionTree | None = None
    decision_graph: Graph | None = None
    #: the instrument registry's graph (``urn:nl:ak:graph:instrumenten``), where one was read
    instrument_graph: Graph | None = None
    #: the ontology, published in the graph named by its IRI (:data:`akgraph.iris.ONTOLOGY`)
    ontology: Graph = field(default_factory=resources.ontology)

    @property
    def release(self) -> URIRef:
        """IRI of the release, also the name of the data's graph in quad formats."""
        return iris.release(self.checkout.release.tag)

    def named_graphs(self) -> list[tuple[URIRef, Graph]]:
        """The data in a graph named after the release, the vocabularies and the ontology in
        their own graphs (and the decision aid and the instrument registry in theirs, where they
        were read)."""
        return [(self.release, self.data), *self.other_graphs()]

    def other_graphs(self) -> list[tuple[URIRef, Graph]]:
        """The named graphs beside the release's data: the vocabularies, the ontology, the extra
        graphs."""
        return [
            (iris.VOCABULARY_GRAPH, self.vocabularies),
            (iris.ONTOLOGY, self.ontology),
            *self.extra_graphs(),
        ]

    def extra_graphs(self) -> list[tuple[URIRef, Graph]]:
        """The graphs read beside the checkout: the decision aid, the instrument registry."""
        graphs = []
        if self.decision_graph is not None:
            graphs.append((iris.DECISION_AID_GRAPH, self.decision_graph))
        if self.instrument_graph is not None:
            graphs.append((iris.INSTRUMENT_REGISTRY_GRAPH, self.instrument_graph))
        return graphs

    def other_statements(self) -> list[tuple[URIRef, Iterable[Triple]]]:
        """:meth:`other_graphs` (for writing)."""
        return list(self.other_graphs())

    def data_nquads(self) -> bytes:
        """The data as N-Quads in the release's graph (as :func:`serialize` writes them)."""
        return _nquads([(self.release, self.data)], _Terms())

    def triples(self) -> int:
        """Number of statements in the data."""
        return len(self.data)

    def figure_lines(self) -> list[str]:
        """How far the legal citations in the data were resolved, as summary lines."""
        return figures(self.data).lines()

    def items(self) -> dict[str, Version]:
        """The measures, requirements and instruments of the data (for the history)."""
        return items(self.data)

    def dataset(self) -> Dataset:
        """:meth:`named_graphs` as an rdflib dataset."""
        return _dataset(self.named_graphs(), self.data)

    def union(self) -> Graph:
        """Every named graph (data, vocabularies, ontology, the extra graphs) in one graph."""
        graph = Graph()
        for prefix, namespace in self.data.namespaces():
            graph.bind(prefix, namespace)
        graph += self.data
        for _, other in self.other_graphs():
            graph += other
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


def build(
    source: str | Path,
    release: Release | None = None,
    decision_aid: str | Path | None = None,
    instrument_registry: str | Path | None = None,
) -> Build:
    """Read the checkout at ``source`` and convert it; raises SourceError if it cannot be read.

    ``decision_aid``: a folder of the AI-Act decision aid (``decision-tree.yaml``, ...) to read
    into its own graph; by default ``<source>/beslishulp`` where it exists.
    ``instrument_registry``: a folder of instrument registry YAML (task-registry's
    ``instruments/``); by default ``<source>/instruments`` where it exists."""
    checkout = read_checkout(source, release)
    vocabularies = resources.vocabularies()
    result = to_graph(checkout, vocabularies)
    built = Build(
        checkout=checkout,
        data=result.graph,
        vocabularies=vocabularies,
        problems=[*checkout.problems, *result.problems],
        unresolved=result.unresolved,
    )
    folder = decision_aid if decision_aid is not None else beslishulp.find(source)
    if folder is not None:
        add_decision_aid(built, folder)
    registry = instrument_registry or instruments.find(source)
    if registry is not None:
        add_instruments(built, registry)
    return built


def add_instruments(built: Build, folder: str | Path) -> None:
    """Read the instrument registry in ``folder`` into ``built``'s own graph for it."""
    from akgraph import mapping_instruments

    built.instrument_graph, found = mapping_instruments.to_graph(
        instruments.read(folder), built.data
    )
    built.problems += found


def add_decision_aid(built: Build, folder: str | Path) -> None:
    """Read the decision aid in ``folder`` and convert it into ``built``'s own graph for it."""
    from akgraph import mapping_beslishulp

    built.decision_tree = beslishulp.read(folder)
    built.decision_graph, found = mapping_beslishulp.to_graph(
        built.decision_tree, built.data, built.vocabularies
    )
    built.problems += found


@dataclass
class Releases:
    """Several releases in one dataset: each in its own named graph, oldest first, with the
    vocabularies, the ontology and the history graph (what each URN named in each release)."""

    builds: list[Build]
    #: the statements of the history graph (:func:`akgraph.history.history_statements`)
    statements: list[Triple]

    @cached_property
    def history(self) -> Graph:
        """The history graph (made the first time it is asked for)."""
        return history_graph(self.statements)

    def reassigned(self) -> list[str]:
        """The URNs given to another item in a later release, sorted."""
        reassigned = AK.reassigned
        return sorted({str(s) for s, p, _ in self.statements if p == reassigned})

    def moved(self) -> list[tuple[str, str]]:
        """The items given another URN in a later release: (old version, new URN), sorted."""
        moved_to = AK.movedTo
        return sorted((str(s), str(o)) for s, p, o in self.statements if p == moved_to)

    @property
    def newest(self) -> Build:
        return self.builds[-1]

    @property
    def problems(self) -> list[Problem]:
        return [p for b in self.builds for p in b.problems]

    def named_graphs(self) -> list[tuple[URIRef, Graph]]:
        """Each release's data in its own graph, then the vocabularies, the ontology, the
        history and the extra graphs."""
        return [*((built.release, built.data) for built in self.builds), *self.other_graphs()]

    def other_graphs(self) -> list[tuple[URIRef, Graph]]:
        """The named graphs beside the releases' data."""
        return [
            (iris.VOCABULARY_GRAPH, self.newest.vocabularies),
            (iris.ONTOLOGY, self.newest.ontology),
            (iris.HISTORY_GRAPH, self.history),
            *self.newest.extra_graphs(),
        ]

    def other_statements(self) -> list[tuple[URIRef, Iterable[Triple]]]:
        """The vocabularies, the ontology, the history as its statements (no graph made), the
        extra graphs."""
        return [
            (iris.VOCABULARY_GRAPH, self.newest.vocabularies),
            (iris.ONTOLOGY, self.newest.ontology),
            (iris.HISTORY_GRAPH, self.statements),
            *self.newest.extra_graphs(),
        ]

    def dataset(self) -> Dataset:
        """:meth:`named_graphs` as an rdflib dataset."""
        return _dataset(self.named_graphs(), self.newest.data)

    def union(self) -> Graph:
        """The newest release with the vocabularies, the ontology and the history (one
        graph)."""
        graph = self.newest.union()
        graph += self.history
        return graph


def build_releases(builds: list[Build], repository: str | Path | None = None) -> Releases:
    """Put built releases side by side, ordered by release date (then as given); where they are
    commits of the git checkout ``repository``, git's rename detection helps match files."""
    if len({b.checkout.release.tag for b in builds}) != len(builds):
        tags = [b.checkout.release.tag for b in builds]
        raise ValueError(f"each release may be given once; tags: {', '.join(tags)}")
    ordered = sorted(enumerate(builds), key=lambda ib: (ib[1].checkout.release.date or "", ib[0]))
    builds = [b for _, b in ordered]
    commits = {b.checkout.release.tag: b.checkout.release.commit for b in builds}

    def renames(old: str, new: str) -> dict[str, str]:
        from akgraph.source.git import renames as git_renames

        if repository is None or not commits.get(old) or not commits.get(new):
            return {}
        return git_renames(repository, str(commits[old]), str(commits[new]))

    found = [(b.checkout.release.tag, b.items()) for b in builds]
    return Releases(builds, history_statements(found, renames))


def build_tags(repository: str | Path, tags: list[str]) -> list[Build]:
    """Build releases ``tags`` of a git checkout of the framework, read from git's objects.

    ``tags`` may hold tag names, ``A..B`` (every tag from A to B in version order) and ``all``;
    tags on one commit make one release with all their names. A file whose blob is missing is
    reported (with tag and path) and the rest of that release is built.
    """
    from akgraph.source.git import resolve

    return [build_tagged(repository, tagged) for tagged in resolve(Path(repository), tags)]


def build_tagged(repository: str | Path, tagged: Tagged) -> Build:
    """Build the commit ``tagged`` of a git checkout, read from git's objects."""
    from akgraph.source.git import export

    with export(repository, tagged) as (folder, missing):
        built = build(folder, tagged.release)
    built.problems[:0] = missing
    built.aliases = tagged.aliases
    return built


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


#: pyoxigraph's writer for each rdflib format name (JSON-LD stays with rdflib: it compacts).
OXIGRAPH_FORMATS = {
    "turtle": pyoxigraph.RdfFormat.TURTLE,
    "nt": pyoxigraph.RdfFormat.N_TRIPLES,
    "xml": pyoxigraph.RdfFormat.RDF_XML,
    "trig": pyoxigraph.RdfFormat.TRIG,
    "nquads": pyoxigraph.RdfFormat.N_QUADS,
}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class _Terms(dict):
    """rdflib terms to pyoxigraph terms, each converted once."""

    def __missing__(self, term):
        if isinstance(term, URIRef):
            found = pyoxigraph.NamedNode(str(term))
        elif isinstance(term, BNode):
            found = pyoxigraph.BlankNode(str(term))
        elif term.language:
            found = pyoxigraph.Literal(str(term), language=term.language)
        elif term.datatype:
            found = pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(term.datatype))
        else:
            found = pyoxigraph.Literal(str(term))
        self[term] = found
        return found


def quads(built: Build | Releases) -> list[pyoxigraph.Quad]:
    """Every statement of ``built`` as pyoxigraph quads (for the store and fast writing)."""
    return _quads(built, _Terms())


def _quads(built: Build | Releases, terms: _Terms) -> list[pyoxigraph.Quad]:
    return _quads_of(built.named_graphs(), terms)


def _quads_of(
    graphs: Sequence[tuple[URIRef, Iterable[Triple]]], terms: _Terms
) -> list[pyoxigraph.Quad]:
    term = terms.__getitem__
    return [
        pyoxigraph.Quad(term(s), term(p), term(o), pyoxigraph.NamedNode(str(name)))
        for name, graph in graphs
        for s, p, o in graph
    ]


def _triples(graphs: list[Graph], terms: _Terms) -> list[pyoxigraph.Triple]:
    """The statements of ``graphs`` (each once) as pyoxigraph triples, grouped by subject and
    predicate (so that the Turtle and RDF/XML writers can nest them)."""
    term = terms.__getitem__
    statements = {t for graph in graphs for t in graph}
    ordered = sorted(statements, key=lambda t: (isinstance(t[0], BNode), str(t[0]), str(t[1])))
    return [pyoxigraph.Triple(term(s), term(p), term(o)) for s, p, o in ordered]


def _prefixes(graph: Graph, terms: _Terms) -> dict[str, str]:
    """The prefixes bound in ``graph`` that the converted terms use (as rdflib writes them)."""
    used = {str(t) for t in terms if isinstance(t, URIRef)}
    used |= {str(t.datatype) for t in terms if isinstance(t, Literal) and t.datatype}
    return {p: str(n) for p, n in graph.namespaces() if p and any(i.startswith(n) for i in used)}


def _written(statements: list, fmt: str, names: dict[str, str] | None) -> bytes:
    out = pyoxigraph.serialize(statements, format=OXIGRAPH_FORMATS[fmt], prefixes=names)
    assert out is not None
    return out


def _nquads(graphs: Sequence[tuple[URIRef, Iterable[Triple]]], terms: _Terms) -> bytes:
    """``graphs`` as N-Quads, the lines sorted: the same bytes whatever order rdflib keeps."""
    lines = _written(_quads_of(graphs, terms), "nquads", None).splitlines(keepends=True)
    lines.sort()
    return b"".join(lines)


def serialize(built: Build | Releases, fmt: str) -> bytes:
    """The build in rdflib format ``fmt``: named graphs for TriG/N-Quads, one graph otherwise
    (for several releases only the quad formats keep them apart, so only those are allowed).

    Every format but JSON-LD is written by pyoxigraph (rdflib's writers are 3 to 10 times
    slower); JSON-LD by rdflib, compacted with akgraph's context. N-Quads come graph by graph
    (releases first), each graph's lines sorted, so equal builds give equal bytes.
    """
    terms = _Terms()
    if fmt == "nquads":  # graph by graph: each release's data as it writes it (or was stored)
        builds = built.builds if isinstance(built, Releases) else [built]
        rest = [_nquads([graph], terms) for graph in built.other_statements()]
        return b"".join([*(b.data_nquads() for b in builds), *rest])
    if fmt in QUAD_FORMATS:
        statements = _quads(built, terms)
        return _written(statements, fmt, _prefixes(built.named_graphs()[0][1], terms))
    if isinstance(built, Releases):
        raise ValueError("several releases need a format with named graphs: write .trig or .nq")
    if fmt in OXIGRAPH_FORMATS:
        listed = _triples([graph for _, graph in built.named_graphs()], terms)
        names = _prefixes(built.data, terms) if fmt != "nt" else None
        return _written(listed, fmt, names)
    graph = built.union()
    if fmt == "json-ld":
        return graph.serialize(
            format="json-ld", context=resources.jsonld_context()["@context"], encoding="utf-8"
        )
    return graph.serialize(format=fmt, encoding="utf-8")


def graph_from_nquads(data: bytes, prefixes: list[tuple[str, str]]) -> Graph:
    """The statements of N-Quads ``data`` (graph names dropped) as an rdflib graph, in the
    order written, with ``prefixes`` bound."""
    graph = Graph()
    for prefix, namespace in prefixes:
        graph.bind(prefix, namespace, override=True, replace=True)
    term = _RdflibTerms().__getitem__
    parsed = pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_QUADS)
    graph.addN((term(q.subject), term(q.predicate), term(q.object), graph) for q in parsed)
    return graph


def load(path: str | Path) -> Dataset:
    """Read a graph file written by :func:`serialize` (format from the extension).

    Every format but JSON-LD is parsed by pyoxigraph (ten times faster than rdflib's parsers).
    """
    fmt = format_for(path)
    dataset = Dataset()
    if fmt not in OXIGRAPH_FORMATS:
        dataset.parse(Path(path), format=fmt)
        return dataset
    terms = _RdflibTerms()
    term = terms.__getitem__
    graphs: dict[object, Graph] = {}

    def context(name) -> Graph:
        if name not in graphs:
            default = isinstance(name, pyoxigraph.DefaultGraph)
            graphs[name] = dataset.default_context if default else dataset.graph(term(name))
        return graphs[name]

    parsed = pyoxigraph.parse(path=Path(path), format=OXIGRAPH_FORMATS[fmt])
    dataset.addN(
        (term(q.subject), term(q.predicate), term(q.object), context(q.graph_name)) for q in parsed
    )
    for prefix, namespace in parsed.prefixes.items():
        dataset.bind(prefix, namespace, override=True, replace=True)
    return dataset


def named_statements(path: str | Path) -> dict[str, Graph | list[Triple]]:
    """The statements of the graph file ``path`` per graph name (none empty), as :func:`load`
    reads them. TriG and N-Quads are read straight into lists of rdflib triples (in the order
    written, the default graph's under ``""``), without making a dataset."""
    fmt = format_for(path)
    if fmt not in QUAD_FORMATS:
        return {str(g.identifier): g for g in load(path).graphs() if len(g)}
    term = _RdflibTerms().__getitem__
    graphs: dict[str, Graph | list[Triple]] = {}
    for q in pyoxigraph.parse(path=Path(path), format=OXIGRAPH_FORMATS[fmt]):
        name = "" if isinstance(q.graph_name, pyoxigraph.DefaultGraph) else q.graph_name.value
        statements = graphs.setdefault(name, [])
        assert isinstance(statements, list)
        statements.append((term(q.subject), term(q.predicate), term(q.object)))
    return graphs


class _RdflibTerms(dict):
    """pyoxigraph terms to rdflib terms, each converted once."""

    def __missing__(self, term):
        if isinstance(term, pyoxigraph.NamedNode):
            found = URIRef(term.value)
        elif isinstance(term, pyoxigraph.BlankNode):
            found = BNode(term.value)
        elif term.language:
            found = Literal(term.value, lang=term.language)
        elif term.datatype.value == _XSD_STRING:
            found = Literal(term.value)
        else:
            found = Literal(term.value, datatype=URIRef(term.datatype.value))
        self[term] = found
        return found


#: What :func:`to_store` loads.
Loadable = Build | Releases | Graph | pyoxigraph.Store | str | os.PathLike | list | tuple | None


def to_store(source: Loadable = None) -> pyoxigraph.Store:
    """An in-memory pyoxigraph store of ``source``: a :class:`Build` or :class:`Releases`, an
    rdflib dataset or graph, a graph file written by ``akgraph build``, a checkout, or a list
    of checkouts (one dataset of their releases); default: the bundled sample.
    """
    store = pyoxigraph.Store()
    fill_store(store, source)
    return store


def fill_store(store: pyoxigraph.Store, source: Loadable) -> None:
    """Bulk-load ``source`` (see :func:`to_store`) into ``store``; graph files are parsed by
    pyoxigraph (JSON-LD by rdflib, for its context)."""
    built = _built(source)
    if isinstance(built, Path):
        fmt = format_for(built)  # the extensions :func:`serialize` writes and :func:`load` reads
        if fmt not in OXIGRAPH_FORMATS:
            built = load(built)
        else:
            rdf_format = OXIGRAPH_FORMATS[fmt]
            try:
                store.bulk_load(path=str(built), format=rdf_format)
            except SyntaxError as exc:
                raise ValueError(f"{built}: not valid {rdf_format.name}: {exc}") from None
            return
    if isinstance(built, Graph):
        store.bulk_load(
            built.serialize(format="nquads", encoding="utf-8"), pyoxigraph.RdfFormat.N_QUADS
        )
    elif isinstance(built, pyoxigraph.Store):
        store.bulk_extend(iter(built))
    else:
        store.bulk_extend(quads(built))


def _built(source: Loadable) -> Build | Releases | Graph | pyoxigraph.Store | Path:
    """``source`` as something :func:`fill_store` can load (a path to a graph file stays a
    path)."""
    if source is None:
        source = resources.data_dir("content")
    if isinstance(source, list | tuple):
        return build_releases([build(Path(s)) for s in source])
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        return path if path.is_file() else build(path)
    return source
