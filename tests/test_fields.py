"""The field table (:mod:`akgraph.fields`) against what it describes: the ontology declares every
property with its labels, the controlled lists exist, the AI-Act fields are the registry label
table's dimensions, the real releases use exactly the table's keys; and each consumer's fields
are the table's, so adding a field is one entry."""

from __future__ import annotations

from collections import defaultdict

import pytest
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from akgraph import fields, iris, registry_labels, resources
from akgraph.fields import Form
from akgraph.source.reader import read_checkout
from tests.conftest import RELEASES, corpus_release
from tests.test_context import _context_terms

ONTOLOGY = resources.ontology()
#: How each form's values are held: as resources (object property) or as text.
OBJECT_FORMS = {Form.CONCEPT, Form.REFERENCE, Form.AUDIT}
DATATYPE_FORMS = {Form.LITERAL, Form.EXPRESSION}


def _converted() -> list[fields.Field]:
    return [f for f in fields.FIELDS if f.prop is not None]


@pytest.mark.parametrize("spec", [f for f in _converted() if f.prop.startswith(iris.AK)],
                         ids=lambda f: f.key)  # fmt: skip
def test_ontology_declares_each_property_with_labels(spec):
    """The ontology declares the field's property as the right kind of property, labelled in
    Dutch and English, and its comment names the field."""
    kind = OWL.ObjectProperty if spec.form in OBJECT_FORMS else OWL.DatatypeProperty
    assert spec.form in OBJECT_FORMS | DATATYPE_FORMS
    assert (spec.prop, RDF.type, kind) in ONTOLOGY
    labels = {label.language for label in ONTOLOGY.objects(spec.prop, RDFS.label)}
    assert {"nl", "en"} <= labels
    comments = {c.language: str(c) for c in ONTOLOGY.objects(spec.prop, RDFS.comment)}
    assert f"veld {spec.key}" in comments["nl"] and f"field {spec.key}" in comments["en"]
    for extra in spec.also:
        assert {"nl", "en"} <= {x.language for x in ONTOLOGY.objects(extra, RDFS.label)}


def test_other_properties_are_dublin_core_and_in_the_context():
    """The fields not on ``ak:`` properties reuse Dublin Core (which the ontology does not
    redefine); every property of the table is a term of the JSON-LD context."""
    others = [f for f in _converted() if not f.prop.startswith(iris.AK)]
    assert others and all(f.prop.startswith(DCTERMS) for f in others)
    assert not any((f.prop, RDF.type, None) in ONTOLOGY for f in others)
    terms = _context_terms()
    written = {str(p) for f in _converted() for p in (f.prop, *f.also)}
    assert not sorted(written - terms)


def test_lists_references_and_kinds():
    """A controlled list is a concept scheme of the published vocabularies; a reference names a
    kind of item; the AI-Act fields are the dimensions of the registry label table."""
    vocabularies = resources.vocabularies()
    for spec in fields.of_form(Form.CONCEPT):
        assert (iris.scheme(spec.key), RDF.type, SKOS.ConceptScheme) in vocabularies, spec.key
    for spec in fields.FIELDS:
        assert spec.kinds <= set(fields.ITEM_CLASSES), spec.key
        assert (spec.target in fields.ITEM_CLASSES) == (spec.form is Form.REFERENCE), spec.key
        assert set(spec.api) <= set(fields.ITEM_CLASSES), spec.key
        assert spec.label is None or spec.form is Form.CONCEPT, spec.key
    dimensions = registry_labels.dimensions()
    assert {f.key for f in fields.ai_act()} == set(dimensions)
    older = {key for d in dimensions.values() for key in d.older}
    assert older and all(fields.BY_KEY[key].form is Form.CONCEPT for key in older)
    assert all(f.facet and f.label for f in fields.ai_act())
    assert all(f.form is Form.CONCEPT and f.column == f.key for f in fields.facets())
    assert len(fields.BY_KEY) == len(fields.FIELDS)


def test_the_releases_use_exactly_the_table():
    """Over the three real releases every key the table declares for a kind is used (but
    ``id`` on instruments, which no release gives them), and the only other key is the
    misspelt ``bronnen`` of two measures (kept raw, reported)."""
    used: dict[str, set[str]] = defaultdict(set)
    for tag in RELEASES:
        for doc in read_checkout(corpus_release(tag)).documents:
            if doc.kind in fields.ITEM_CLASSES:
                used[doc.kind] |= set(doc.meta)
    assert used["measure"] == fields.declared("measure") | {"bronnen"}
    assert used["requirement"] == fields.declared("requirement")
    assert used["instrument"] == fields.declared("instrument") - {"id"}

