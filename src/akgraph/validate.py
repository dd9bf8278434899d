"""Validate a built graph with the SHACL shapes in ``shapes/`` and explain the results per file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from enum import IntEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pyshacl import validate as shacl_validate
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SH
from rdflib.term import Node

from akgraph import fields, iris, resources, shacl_sparql
from akgraph.iris import AK
from akgraph.mapping import closest_slug
from akgraph.problems import Problem, Severity

#: Per problem code of the converter: its Dutch message, level and whether the shapes see it.
PROBLEM_MESSAGES = Path(__file__).resolve().parent / "problem-messages.yaml"
#: The shape named as source of the findings that come from the converter's problems.
CONVERSION = URIRef("https://w3id.org/algoritmekader/shapes#Conversion")


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

    @property
    def iri(self) -> URIRef:
        """``sh:Violation``, ``sh:Warning`` or ``sh:Info``."""
        return {Level.INFO: SH.Info, Level.WARNING: SH.Warning}.get(self, SH.Violation)

    def __str__(self) -> str:
        return self.name.lower()


#: Frontmatter field (or part of the file) behind each property the converter emits.
FIELDS: dict[URIRef, str] = {
    **{prop: spec.key for prop, spec in fields.by_property().items()},
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
    line: int | None = None  # the line of the file, where the converter named one

    @property
    def where(self) -> str:
        """Field, value and line as ``[field = 'value', line 3]`` (empty when none is known)."""
        parts = []
        if self.field or self.value:
            parts.append((self.field or "") + (f" = {self.value!r}" if self.value else ""))
        if self.line is not None:
            parts.append(f"line {self.line}")
        return f" [{', '.join(p.strip() for p in parts)}]" if parts else ""

    def __str__(self) -> str:
        where = f"{self.focus}" + (f" ({self.release})" if self.release else "") + self.where
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
            key=lambda f: (
                f.release or "",
                f.path or "~",
                -f.level,
                f.focus,
                f.field or "",
                f.value or "",
                f.line or 0,
                f.message_en,
            ),
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


def validate(
    data: Graph, extra_shapes: Graph | None = None, problems: Iterable[Problem] = ()
) -> Report:
    """Validate ``data`` (plus the ontology) against our shapes and any ``extra_shapes``.

    ``problems`` (of the build that made ``data``) are reported beside the shapes' findings
    where the graph holds no trace of them (files skipped, duplicate keys, ...), each once."""
    data_graph = Graph()
    data_graph += data
    return _validate_graph(data_graph, extra_shapes, problems)


def _validate_graph(
    data_graph: Graph, extra_shapes: Graph | None = None, problems: Iterable[Problem] = ()
) -> Report:
    """:func:`validate` on a graph of the caller's that may be changed (the ontology is added)."""
    data_graph += resources.ontology()
    every = shapes() if extra_shapes is None else shapes() + extra_shapes
    shape_graph, sparql = _split_shapes() if extra_shapes is None else shacl_sparql.split(every)
    # SPARQL-based constraints in pyoxigraph: 30 times as fast as in rdflib
    store = shacl_sparql.store_of(data_graph) if sparql else None
    _, report_graph, _ = shacl_validate(
        data_graph, shacl_graph=shape_graph, inference="none", allow_warnings=True
    )
    if store is not None:
        shacl_sparql.evaluate(sparql, store, report_graph)
    suggest = _suggester(data_graph)
    findings = [
        finding
        for r in report_graph.subjects(RDF.type, SH.ValidationResult)
        if (None, SH.detail, r) not in report_graph  # the why of another result, not one itself
        for finding in _findings(data_graph, report_graph, r, suggest)
    ]
    converted = problem_findings(problems, data_graph)
    for finding in converted:
        _add_result(report_graph, finding)
    return Report(report_graph, list(dict.fromkeys(findings + converted)))


class _Parameters(list):
    """pyshacl's list of constraint parameters, looked up as a set: pyshacl checks each
    predicate of a shape against the list once per shape and focus node (a fifth of its time
    on our shapes). A copy is a plain list again."""

    def __init__(self, parameters: Iterable[Node]) -> None:
        super().__init__(parameters)
        self._set = frozenset(self)

    def __contains__(self, item: object) -> bool:
        return item in self._set


def _fast_parameter_lookup() -> None:
    """Give pyshacl the constraint parameters as :class:`_Parameters` (where its shape module
    keeps them as it does in the versions akgraph was tested with)."""
    try:
        import pyshacl.shape
        from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
    except ImportError:  # another pyshacl: it looks them up its own way
        return
    if getattr(pyshacl.shape, "CONSTRAINT_PARAMS", None) is None:
        pyshacl.shape.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
            _Parameters(ALL_CONSTRAINT_PARAMETERS),
            CONSTRAINT_PARAMETERS_MAP,
        )


_fast_parameter_lookup()


@cache
def problem_messages() -> dict[str, dict[str, Any]]:
    """:data:`PROBLEM_MESSAGES`, read once."""
    return yaml.safe_load(PROBLEM_MESSAGES.read_text(encoding="utf-8"))


def problem_findings(problems: Iterable[Problem], data: Graph) -> list[Finding]:
    """The converter's ``problems`` that the shapes do not report, as findings, each once: the
    converter's own message in English, the Dutch one from :data:`PROBLEM_MESSAGES`."""
    table = problem_messages()
    found: dict[Problem, Finding] = {}
    for problem in problems:
        entry = table.get(problem.code, {})
        if entry.get("shapes") or problem in found:
            continue
        owners = set(data.subjects(AK.sourcePath, Literal(problem.path)))
        severity = {Severity.ERROR: "violation", Severity.WARNING: "warning"}
        level = entry.get("level") or severity.get(problem.severity, "info")
        found[problem] = Finding(
            level=Level[level.upper()],
            path=problem.path,
            focus=str(owners.pop()) if len(owners) == 1 else problem.path,
            field=problem.field,
            value=problem.value,
            message_nl=entry.get("nl") or f"Probleem bij het omzetten ({problem.code}).",
            message_en=problem.message,
            shape=str(CONVERSION),
            line=problem.line,
        )
    return list(found.values())


def _add_result(report: Graph, finding: Finding) -> None:
    """A finding from the converter as a result in the SHACL report graph."""
    result = BNode()
    focus: Node = Literal(finding.path) if finding.focus == finding.path else URIRef(finding.focus)
    report.add((result, RDF.type, SH.ValidationResult))
    report.add((result, SH.focusNode, focus))
    report.add((result, SH.resultSeverity, finding.level.iri))
    report.add((result, SH.sourceShape, CONVERSION))
    if finding.value is not None:
        report.add((result, SH.value, Literal(finding.value)))
    report.add((result, SH.resultMessage, Literal(finding.message_nl, lang="nl")))
    report.add((result, SH.resultMessage, Literal(finding.message_en, lang="en")))
    validation = report.value(None, RDF.type, SH.ValidationReport)
    if validation is not None:
        report.add((validation, SH.result, result))
        if finding.level is Level.VIOLATION:
            report.set((validation, SH.conforms, Literal(False)))


def _suggester(data: Graph) -> Callable[[str, str], str | None]:
    """For a dangling reference (field, slug): the one slug of that kind close to it, if any."""
    slugs: dict[str, set[str]] = {}

    def suggest(field: str, value: str) -> str | None:
        spec = fields.BY_KEY.get(field)
        kind = spec.target if spec is not None else None
        if kind is None:
            return None
        if kind not in slugs:
            slugs[kind] = {
                str(slug)
                for item in data.subjects(RDF.type, fields.ITEM_CLASSES[kind])
                for slug in data.objects(item, AK.slug)
            }
        return closest_slug(value, slugs[kind])

    return suggest


def validate_dataset(
    dataset: Dataset, extra_shapes: Graph | None = None, jobs: int = 1
) -> Report:
    """Validate a dataset from ``akgraph build``: with several releases, each release's graph
    on its own (with the vocabularies) and the history once, so releases are never mixed
    (in ``jobs`` processes)."""
    graphs = {str(g.identifier): g for g in dataset.graphs() if len(g)}
    return validate_graphs(graphs, extra_shapes, jobs)


#: A graph's statements: an rdflib graph or a list of triples.
Statements = Graph | list[tuple[Node, Node, Node]]


def validate_graphs(
    graphs: Mapping[str, Statements], extra_shapes: Graph | None = None, jobs: int = 1
) -> Report:
    """:func:`validate_dataset` of the named graphs ``graphs`` (graph name: its statements, as
    :func:`akgraph.graph.named_statements` reads them from a file)."""
    releases = sorted(name for name in graphs if iris.is_release(name))
    if len(releases) < 2:
        union = Graph()
        for graph in graphs.values():
            union += graph
        return _validate_graph(union, extra_shapes)
    shared = [
        t
        for name, graph in graphs.items()
        if name not in releases and name != str(iris.HISTORY_GRAPH)
        for t in graph
    ]
    parts: list[tuple[str | None, Statements]] = [(name, graphs[name]) for name in releases]
    if str(iris.HISTORY_GRAPH) in graphs:
        parts.append((None, graphs[str(iris.HISTORY_GRAPH)]))
    global _PARTS
    _PARTS = (parts, shared, extra_shapes)
    _split_shapes()  # made before any worker starts: the same blank nodes in every report
    try:
        reports = _run_parts(len(parts), jobs)
    finally:
        _PARTS = None
    merged, findings = Graph(), []
    for (part, _), (statements, found) in zip(parts, reports, strict=True):
        tag = iris.local(part) if part else None
        merged += statements
        findings += [replace(f, release=tag) for f in found]
    return Report(merged, findings)


#: What the workers of :func:`validate_graphs` validate (set before they are forked).
_PARTS: tuple[list[tuple[str | None, Statements]], list, Graph | None] | None = None


def _validate_part(index: int) -> tuple[list[tuple[Node, Node, Node]], list[Finding]]:
    """Part ``index`` of :data:`_PARTS` with the shared graphs: its report's statements and
    findings (as a worker sends them back)."""
    assert _PARTS is not None
    parts, shared, extra_shapes = _PARTS
    data_graph = Graph()
    data_graph += parts[index][1]
    data_graph += shared
    report = _validate_graph(data_graph, extra_shapes)
    return list(report.graph), report.findings


def _run_parts(count: int, jobs: int) -> list[tuple[list[tuple[Node, Node, Node]], list[Finding]]]:
    """Every part, in ``jobs`` forked processes where there is more than one (and fork)."""
    import multiprocessing

    jobs = min(jobs, count)
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [_validate_part(i) for i in range(count)]
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        return list(pool.map(_validate_part, range(count)))


def _findings(
    data: Graph,
    report: Graph,
    result: URIRef | BNode,
    suggest: Callable[[str, str], str | None],
) -> list[Finding]:
    """The finding of one SHACL result, once for every item it concerns (a dangling reference
    with the slug it probably meant)."""
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
        owners, field = [_owner(data, focus)], _field(data, report, path, value)
        shown = "" if path == AK.emptyListItem else _shown(data, value)
    if (value, RDF.type, AK.UnresolvedReference) in data and field and shown:
        meant = suggest(field, shown)
        if meant:
            messages = {
                "nl": f"{messages.get('nl', default)} Bedoeld is misschien {meant!r}.",
                "en": f"{messages.get('en', default)} Did you mean {meant!r}?",
            }
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


def _field(data: Graph, report: Graph, path, value) -> str | None:
    if isinstance(path, BNode):  # a sequence path: the field of its first step
        path = report.value(path, RDF.first)
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
