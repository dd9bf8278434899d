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
from akgraph.web import state
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
    assert all((k.cls, RDF.type, OWL.Class) in ONTOLOGY for k in fields.KINDS)


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


# -- each consumer's fields are the table's ---------------------------------------------------


def _given(value: object) -> bool:
    """Whether a frontmatter value holds a value (a text, or a list with a text in it)."""
    values = value if isinstance(value, list) else [value]
    return any(isinstance(v, str) and v.strip() for v in values)


def test_the_mapping_converts_each_field_to_its_property(release_build):
    """In each real release, an item has a field's property exactly when its file gives that
    field (declared for its kind) a value; every field of the table but ``id`` and ``hide``
    is on some item of the three."""
    graph, seen = release_build.data, set()
    subjects = {str(o): s for s, o in graph.subject_objects(iris.AK.sourcePath)}
    for doc in release_build.checkout.documents:
        if doc.kind not in fields.ITEM_CLASSES:
            continue
        for spec in _converted():
            if spec.form in (Form.IDENTIFIER, Form.AUDIT):
                continue  # every item has an identifier; audit criteria come from a file too
            has = (subjects[doc.path], spec.prop, None) in graph
            given = doc.kind in spec.kinds and _given(doc.meta.get(spec.key))
            assert has == given, (doc.path, spec.key)
            seen |= {spec.key} if has else set()
    assert len(seen) >= 10


def test_list_pages_and_their_query_have_the_tables_facets(app):
    data = state.of(app).data
    text = data.queries["items"].text
    assert "UNDEF" not in text
    assert all(f.prop.n3() in text for f in fields.facets())
    listed = [i for kind in ("maatregelen", "vereisten", "hulpmiddelen") for i in data.items(kind)]
    assert {name for item in listed for name in item.facets} == {f.key for f in fields.facets()}


def test_api_records_name_the_fields_as_the_table(client):
    """A record of each kind has every API field the table names for that kind."""
    for collection, kind in (("measures", "measure"), ("requirements", "requirement"),
                             ("instruments", "instrument")):  # fmt: skip
        entries = client.get(f"/{collection}/").json["entries"]
        record = client.get(f"/{collection}/urn/{entries[0]['urn']}").json
        wanted = {f.api[kind] for f in fields.FIELDS if kind in f.api}
        assert wanted <= set(record), (collection, sorted(wanted - set(record)))


def test_item_pages_head_the_tables_fields(client):
    """An item page shows each headed field it has under the table's heading, in Dutch and in
    English."""
    urn = "urn:nl:ak:ver:aia-01"
    meta = _sample_meta(urn)
    headed = [f for f in fields.FIELDS if f.label and f.key in meta]
    assert len(headed) >= 5
    for language in ("nl", "en"):
        page = client.get(f"/doc/{urn}?lang={language}", headers={"Accept": "text/html"})
        text = page.get_data(as_text=True)
        assert all(f">{f.heading(language)}<" in text for f in headed), language


def _sample_meta(urn: str) -> dict:
    """The frontmatter of the sample's item ``urn``."""
    checkout = read_checkout(resources.data_dir("content"))
    return next(d.meta for d in checkout.documents if d.meta.get("id") == urn)


def test_diff_and_validation_name_the_tables_fields():
    """The diff compares the table's compared fields (and the laws cited, which come from the
    text); validation names the table's field for every property a field's conversion writes."""
    from akgraph import history, validate

    assert set(history.FIELDS) - {"legal_sources"} == {f.diff for f in fields.FIELDS if f.diff}
    assert history.RELATIONS - {"legal_sources"} == {f.key for f in fields.of_form(Form.REFERENCE)}
    for spec in fields.FIELDS:
        for prop in filter(None, (spec.prop, *spec.also)):
            assert validate.FIELDS[prop] == spec.key


def test_a_field_the_registry_does_not_name_is_added_as_written(app, monkeypatch):
    """A field given an API name that the registry's schemas lack comes out as its values in
    the frontmatter (here: the sample's risk groups of aia-01 under a made-up name)."""
    from akgraph.web import registry

    monkeypatch.setitem(registry.API_NAMES["requirements"], "risicogroep", "risk_groups")
    with app.app_context():
        found = registry.Registry(state.of(app).data)
        record = found.record(found.items["requirements"]["urn:nl:ak:ver:aia-01"])
    assert record["risk_groups"] == sorted(_sample_meta("urn:nl:ak:ver:aia-01")["risicogroep"])
    assert list(record).index("risk_groups") == list(record).index("audit_criteria") + 1
