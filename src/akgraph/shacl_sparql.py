"""SHACL-SPARQL constraints of node shapes (``sh:sparql`` with ``sh:select``), run in pyoxigraph.

pyshacl runs these queries in rdflib's SPARQL engine, where the ontology coverage check alone
takes 30 times as long as in pyoxigraph. :func:`split` takes them out of a shapes graph (the
rest goes to pyshacl) and :func:`evaluate` runs them and adds their results to pyshacl's report
as pyshacl would (``sh:SPARQLConstraintComponent``, ``{?value}`` in messages filled in),
keeping the messages' languages.

Pre-binding ``$this`` is done by running the query once and keeping the rows whose ``$this`` is
a focus node (every focus node where the query leaves it unbound), which is what pre-binding
means for the queries SHACL allows (no ``MINUS``, ``VALUES`` or ``SERVICE`` over ``$this``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

_TARGETS = (SH.targetNode, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)


@dataclass(frozen=True)
class Constraint:
    """One ``sh:sparql`` constraint of a node shape."""

    shape: Node
    node: Node
    query: str
    messages: tuple[Literal, ...]
    severity: URIRef
    targets: tuple[tuple[URIRef, Node], ...]


def _prefixes(shapes: Graph, constraint: Node) -> str:
    lines = []
    for owner in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(owner, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(dict.fromkeys(lines))


def split(shapes: Graph) -> tuple[Graph, list[Constraint]]:
    """``shapes`` without the SELECT-based constraints of node shapes, and those constraints.

    Constraints of property shapes, ASK validators and deactivated shapes stay with pyshacl.
    """
    found: list[Constraint] = []
    for shape, constraint in shapes.subject_objects(SH.sparql):
        select = shapes.value(constraint, SH.select)
        if (
            select is None
            or (shape, SH.path, None) in shapes
            or (shape, RDF.type, RDFS.Class) in shapes
            or shapes.value(shape, SH.deactivated) == Literal(True)
            or shapes.value(constraint, SH.deactivated) == Literal(True)
        ):
            continue
        severity = shapes.value(constraint, SH.severity) or shapes.value(shape, SH.severity)
        messages = tuple(shapes.objects(constraint, SH.message)) or tuple(
            shapes.objects(shape, SH.message)
        )
        found.append(
            Constraint(
                shape=shape,
                node=constraint,
                query=_prefixes(shapes, constraint) + "\n" + str(select),
                messages=tuple(m for m in messages if isinstance(m, Literal)),
                severity=severity if isinstance(severity, URIRef) else SH.Violation,
                targets=tuple(
                    (kind, target) for kind in _TARGETS for target in shapes.objects(shape, kind)
                ),
            )
        )
    if not found:
        return shapes, []
    rest = Graph()
    for prefix, namespace in shapes.namespaces():
        rest.bind(prefix, namespace)
    taken = {(c.shape, c.node) for c in found}
    rest += (t for t in shapes if not (t[1] == SH.sparql and (t[0], t[2]) in taken))
    return rest, found


def _to_oxigraph(term: Node):
    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(str(term))
    assert isinstance(term, Literal)
    if term.language:
        return pyoxigraph.Literal(str(term), language=term.language)
    if term.datatype:
        return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(str(term.datatype)))
    return pyoxigraph.Literal(str(term))


def _to_rdflib(term) -> Node:
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value.endswith("#string"):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def store_of(data: Graph) -> pyoxigraph.Store:
    """An in-memory pyoxigraph store holding ``data`` in its default graph, less the triples
    with a term pyoxigraph refuses (an IRI with a space): pyshacl's core shapes still see those.
    (Leaving every SPARQL constraint to pyshacl instead would give each result one message in
    a language that changes from run to run.)"""
    terms: dict[Node, object] = {}

    def term(t: Node):
        found = terms.get(t)
        if found is None:
            found = terms[t] = _to_oxigraph(t)
        return found

    def quads():
        for s, p, o in data:
            try:
                yield pyoxigraph.Quad(term(s), term(p), term(o), pyoxigraph.DefaultGraph())
            except ValueError:
                continue

    store = pyoxigraph.Store()
    store.bulk_extend(quads())
    return store


def _focus_nodes(store: pyoxigraph.Store, targets) -> set:
    found = set()
    for kind, target in targets:
        if kind == SH.targetNode:
            found.add(_to_oxigraph(target))
            continue
        iri = f"<{target}>"
        pattern = {
            SH.targetClass: f"?f a/<{RDFS.subClassOf}>* {iri}",
            SH.targetSubjectsOf: f"?f {iri} []",
            SH.targetObjectsOf: f"[] {iri} ?f",
        }[kind]
        rows = store.query(f"SELECT DISTINCT ?f WHERE {{ {pattern} }}")
        assert isinstance(rows, pyoxigraph.QuerySolutions)
        found.update(row["f"] for row in rows)
    return found


def _message(message: Literal, bindings: dict[str, Node]) -> Literal:
    text = str(message)
    for name, value in bindings.items():
        text = text.replace("{?" + name + "}", str(value)).replace("{$" + name + "}", str(value))
    return Literal(text, lang=message.language)


def evaluate(constraints: list[Constraint], store: pyoxigraph.Store, report: Graph) -> int:
    """Run ``constraints`` on the data in ``store`` (from :func:`store_of`) and add their results
    to pyshacl's ``report``; the number of results added."""
    validation = report.value(None, RDF.type, SH.ValidationReport)
    added = 0
    for constraint in constraints:
        focus = _focus_nodes(store, constraint.targets)
        if not focus:
            continue
        query = re.sub(r"\$(\w+)", r"?\1", constraint.query)
        rows = store.query(query)
        assert isinstance(rows, pyoxigraph.QuerySolutions)
        for row in rows:
            this = row["this"]
            for node in [this] if this is not None else sorted(focus, key=str):
                if node not in focus:
                    continue
                bindings = {"this": _to_rdflib(node)}
                for name in ("value", "path"):
                    if row[name] is not None:
                        bindings[name] = _to_rdflib(row[name])
                _add_result(report, validation, constraint, bindings)
                added += 1
    if added and validation is not None:
        report.set((validation, SH.conforms, Literal(False)))
    return added


def _add_result(report: Graph, validation, constraint: Constraint, bindings) -> None:
    result = BNode()
    report.add((result, RDF.type, SH.ValidationResult))
    report.add((result, SH.focusNode, bindings["this"]))
    report.add((result, SH.resultSeverity, constraint.severity))
    report.add((result, SH.sourceShape, constraint.shape))
    report.add((result, SH.sourceConstraint, constraint.node))
    report.add((result, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
    if "value" in bindings:
        report.add((result, SH.value, bindings["value"]))
    if "path" in bindings:
        report.add((result, SH.resultPath, bindings["path"]))
    for message in constraint.messages:
        report.add((result, SH.resultMessage, _message(message, bindings)))
    if validation is not None:
        report.add((validation, SH.result, result))
