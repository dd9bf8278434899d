"""Validate a built graph with the SHACL shapes in ``shapes/`` and explain the results per file."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from enum import IntEnum
from functools import cache

from pyshacl import validate as shacl_validate
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SH
from rdflib.term import Node

from akgraph import iris, resources, shacl_sparql
from akgraph.iris import AK
from akgraph.mapping import LIST_FIELDS, REFERENCE_FIELDS


class Level(IntEnum):
    """SHACL severities, ordered."""

    INFO = 1
    WARNING = 2
    VIOLATION = 3

    @classmethod
    def of(cls, severity: Node | None) -> Level:
        if severity == SH.Info:
            return cls.INFO
        return cls.WARNING if severity == SH.Warning else cls.VIOLATION

    def __str__(self) -> str:
        return self.name.lower()


#: Frontmatter field behind each property the converter emits.
FIELDS: dict[URIRef, str] = {
    **{prop: key for key, prop in LIST_FIELDS.items()},
    **{prop: key for key, (prop, _) in REFERENCE_FIELDS.items()},
    DCTERMS.title: "title",
    DCTERMS.abstract: "toelichting",
    DCTERMS.identifier: "id",
    AK.identifierMinted: "id",
    AK.claimedIdentifier: "id",
    AK.auditCriterion: "sources",
    AK.exception: "uitzondering",
    AK.requirementStatus: "status_vereiste",
    AK.section: "body",
    AK.brokenLink: "body",
    AK.legalCitation: "Bronnen",
}


@dataclass(frozen=True)
class Finding:
    """One SHACL result, explained: where (file, item, field), what (value) and why."""

    level: Level
    path: str | None
    focus: str
    field: str | None
    value: str | None
    message_nl: str
    message_en: str
    shape: str
    release: str | None = None  # the release's tag, where several were validated

    def __str__(self) -> str:
        where = f"{self.focus}" + (f" ({self.release})" if self.release else "")
        if self.field:
            where += f" [{self.field}" + (f" = {self.value!r}]" if self.value else "]")
        return f"{self.level}: {where}: {self.message_nl} / {self.message_en}"


@dataclass
class Report:
    """The outcome of a validation: the SHACL report graph and the findings read from it."""

    graph: Graph
    findings: list[Finding]

    def counts(self) -> dict[Level, int]:
        counted = Counter(f.level for f in self.findings)
        return {level: counted.get(level, 0) for level in sorted(Level, reverse=True)}

    def conforms(self, level: Level = Level.VIOLATION) -> bool:
        """True when no finding is at ``level`` or worse."""
        return not any(f.level >= level for f in self.findings)

    def by_file(self) -> dict[str, list[Finding]]:
        grouped: dict[str, list[Finding]] = {}
        for finding in sorted(
            self.findings,
            key=lambda f: (f.release or "", f.path or "~", -f.level, f.focus, f.field or ""),
        ):
            where = finding.path or "(graph)"
            grouped.setdefault(f"{finding.release}: {where}" if finding.release else where, [])
            grouped[f"{finding.release}: {where}" if finding.release else where].append(finding)
        return grouped


@cache
def shapes() -> Graph:
    """The SHACL shapes shipped with akgraph (one graph per process: do not change it).

    Sharing it keeps the blank nodes of inline property shapes the same in every report.
    """
    graph = Graph()
    for path in sorted(resources.data_dir("shapes").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@cache
def _split_shapes() -> tuple[Graph, list[shacl_sparql.Constraint]]:
    return shacl_sparql.split(shapes())


def validate(data: Graph, extra_shapes: Graph | None = None) -> Report:
    """Validate ``data`` (plus the ontology) against our shapes and any ``extra_shapes``."""
    data_graph = Graph()
    data_graph += data
    data_graph += resources.ontology()
    every = shapes() if extra_shapes is None else shapes() + extra_shapes
    shape_graph, sparql = _split_shapes() if extra_shapes is None else shacl_sparql.split(every)
    try:  # SPARQL-based constraints in pyoxigraph: 30 times as fast as in rdflib
        store = shacl_sparql.store_of(data_graph) if sparql else None
    except ValueError:  # a term pyoxigraph refuses: rdflib's engine runs them (in pyshacl)
        shape_graph, sparql, store = every, [], None
    _, report_graph, _ = shacl_validate(
        data_graph, shacl_graph=shape_graph, inference="none", allow_warnings=True
    )
    if store is not None:
        shacl_sparql.evaluate(sparql, store, report_graph)
    findings = [
        finding
        for r in report_graph.subjects(RDF.type, SH.ValidationResult)
        for finding in _findings(data_graph, report_graph, r)
    ]
    return Report(report_graph, findings)


def validate_dataset(dataset: Dataset, extra_shapes: Graph | None = None) -> Report:
    """Validate a dataset from ``akgraph build``: with several releases, each release's graph
    on its own (with the vocabularies) and the history once, so releases are never mixed."""
    graphs = {str(g.identifier): g for g in dataset.graphs() if len(g)}
    releases = sorted(name for name in graphs if iris.is_release(name))
    if len(releases) < 2:
        union = Graph()
        for graph in graphs.values():
            union += graph
        return validate(union, extra_shapes)
    shared = Graph()
    for name, graph in graphs.items():
        if name not in releases and name != str(iris.HISTORY_GRAPH):
            shared += graph
    parts: list[tuple[str | None, Graph]] = [(name, graphs[name]) for name in releases]
    if str(iris.HISTORY_GRAPH) in graphs:
        parts.append((None, graphs[str(iris.HISTORY_GRAPH)]))
    merged, findings = Graph(), []
    for part, graph in parts:
        report = validate(graph + shared, extra_shapes)
        tag = iris.local(part) if part else None
        merged += report.graph
        findings += [replace(f, release=tag) for f in report.findings]
    return Report(merged, findings)


def _findings(data: Graph, report: Graph, result: URIRef | BNode) -> list[Finding]:
    """The finding of one SHACL result, once for every item it concerns."""
    focus = report.value(result, SH.focusNode)
    path = report.value(result, SH.resultPath)
    value = report.value(result, SH.value)
    messages = {
        m.language: str(m)
        for m in report.objects(result, SH.resultMessage)
        if isinstance(m, Literal)
    }
    default = next(iter(messages.values()), "")
    field: str | None
    shown: str | None
    if focus is None:
        return []
    if isinstance(focus, Literal):  # an identifier shared by several items: name each of them
        owners = sorted(data.subjects(DCTERMS.identifier, focus), key=str)
        field, shown = "id", str(focus)
    else:
        owners, field = [_owner(data, focus)], _field(data, path, value)
        shown = "" if path == AK.emptyListItem else _shown(data, value)
    return [
        Finding(
            level=Level.of(report.value(result, SH.resultSeverity)),
            path=_str(data.value(owner, AK.sourcePath)),
            focus=str(owner),
            field=field,
            value=shown,
            message_nl=messages.get("nl", default),
            message_en=messages.get("en", default),
            shape=str(report.value(result, SH.sourceShape)),
        )
        for owner in owners or [focus]
    ]


def _owner(data: Graph, focus) -> URIRef:
    """The item a focus node belongs to (a section's item), or the focus node itself."""
    parent = data.value(None, AK.section, focus) or data.value(None, AK.undeclaredField, focus)
    return focus if parent is None else parent


def _field(data: Graph, path, value) -> str | None:
    if path == AK.undeclaredField and value is not None:
        return _str(data.value(value, AK.fieldName))
    if path == AK.emptyListItem and value is not None:
        return str(value)
    return FIELDS.get(path) if isinstance(path, URIRef) else None


def _shown(data: Graph, value) -> str | None:
    """The value as the editor wrote it in the source."""
    if value is None:
        return None
    if isinstance(value, BNode):
        if (value, RDF.type, AK.UndeclaredField) in data:
            return _str(data.value(value, AK.fieldValue))
        return None
    if (value, RDF.type, AK.UnresolvedReference) in data:
        return _str(data.value(value, AK.referencedSlug))
    parsed = iris.parse(str(value)) if isinstance(value, URIRef) else None
    if parsed is not None and parsed.namespace not in iris.ITEM_CODES.values():
        return parsed.local
    return str(value) if not isinstance(value, Literal) or str(value) else None


def _str(value) -> str | None:
    return None if value is None else str(value)
