"""The SHACL-SPARQL constraints run in pyoxigraph find what pyshacl finds with every shape."""

from __future__ import annotations

from collections import Counter

from pyshacl import validate as pyshacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from akgraph import resources, shacl_sparql
from akgraph.iris import AK
from akgraph.validate import shapes, validate

UNDECLARED = URIRef(str(AK) + "nietGedeclareerd")


def broken(sample_build) -> Graph:
    """The sample with an undeclared term and a legal citation whose law was not found."""
    graph = sample_build.union()
    graph.add((URIRef("urn:nl:ak:mtr:org-01"), UNDECLARED, Literal("x")))
    citation = next(graph.objects(None, AK.legalCitation))
    graph.remove((citation, AK.law, None))
    graph.add((citation, AK.linkTarget, Literal("https://example.org/geen-wet")))
    return graph


def results(report: Graph) -> Counter:
    return Counter(
        (
            report.value(r, SH.focusNode),
            report.value(r, SH.value),
            report.value(r, SH.sourceShape),
            report.value(r, SH.resultSeverity),
            report.value(r, SH.sourceConstraintComponent),
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
    )


def test_same_results_as_pyshacl_with_every_shape(sample_build):
    data = broken(sample_build)
    ours = validate(data)
    reference_data = data + resources.ontology()
    conforms, reference, _ = pyshacl_validate(
        reference_data, shacl_graph=shapes(), inference="none", allow_warnings=True
    )
    assert results(ours.graph) == results(reference)
    sparql_shapes = {str(c.shape) for c in shacl_sparql.split(shapes())[1]}
    found = {f.shape for f in ours.findings if f.shape in sparql_shapes}
    assert len(found) == 2  # both constraints have a result here
    coverage = next(f for f in ours.findings if f.value == str(UNDECLARED))
    assert str(UNDECLARED) in coverage.message_nl and "gedeclareerd" in coverage.message_nl
    assert "declared" in coverage.message_en and coverage.message_en != coverage.message_nl
    assert not ours.conforms() and not conforms


def test_split_leaves_pyshacl_every_other_constraint():
    rest, taken = shacl_sparql.split(shapes())
    assert taken and all((c.shape, SH.sparql, c.node) not in rest for c in taken)
    assert len(rest) == len(shapes()) - len(taken)
