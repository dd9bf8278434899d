"""The real releases convert faithfully: checked against an independent scan of the Markdown."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, SKOS

from akgraph import iris, load, serialize
from akgraph.graph import FORMATS
from akgraph.iris import AK
from tests.scan import glossary_terms, scan

CLASSES = {"measure": AK.Measure, "requirement": AK.Requirement, "instrument": AK.Instrument}
TARGET = {"vereiste": "requirement", "maatregel": "measure"}


@pytest.fixture(scope="module")
def scanned(release_path):
    return scan(release_path)


def subject_of(built, path: str) -> URIRef:
    subjects = set(built.data.subjects(AK.sourcePath, Literal(path)))
    assert len(subjects) == 1, path
    return subjects.pop()


def test_counts_per_type_match_the_files(release_build, scanned):
    for kind, files in scanned.items():
        converted = set(release_build.data.subjects(RDF.type, CLASSES[kind]))
        assert len(converted) == len(files), kind
    # no item is skipped; of the other pages only the one that is a symbolic link checked out
    # as text (CONTRIBUTING.md, in every release) is
    items = {f.path for files in scanned.values() for f in files}
    skipped = release_build.skipped()
    assert [p for p in skipped if p.path in items] == []
    assert [(p.code, p.path.rsplit("/", 1)[-1]) for p in skipped] == [
        ("symlink-as-text", "CONTRIBUTING.md")
    ]


def _name_code(slug: str) -> str:
    """``org-03`` of ``0-org-03-toepassen-risicobeheer``: the framework's file-name rule."""
    parts = slug.lower().split("-")
    if parts[0].isdigit():
        parts = parts[1:]
    return "-".join(parts[:2])


def test_measures_and_requirements_keep_urn_title_and_phases(release_build, scanned):
    """A URN that one file claims is that file's IRI. Of several files claiming one URN, the
    only one whose file name has the URN's code owns it; with none or several such files none
    does. The others get minted IRIs and keep the id as claimed (never merged), and the URN is
    reported once, naming every claimant."""
    claimants: dict[str, list] = {}
    for kind in ("measure", "requirement"):
        for f in scanned[kind]:
            claimants.setdefault(f.fields["id"][0], []).append((kind, f))
    for urn, files in claimants.items():
        code = urn.rsplit(":", 1)[1].lower()
        matching = [f for _, f in files if _name_code(f.slug) == code]
        owner = files[0][1] if len(files) == 1 else matching[0] if len(matching) == 1 else None
        if len(files) > 1:
            (problem,) = [
                p for p in release_build.problems if p.code == "duplicate-id" and p.value == urn
            ]
            assert all(f.path in problem.message for _, f in files), problem
        for kind, f in files:
            subject = subject_of(release_build, f.path)
            if f is owner:
                assert str(subject) == urn, f.path
                assert not release_build.data.value(subject, AK.identifierMinted)
            else:
                assert str(subject) == str(iris.item(kind, f.slug.lower())), f.path
                assert release_build.data.value(subject, AK.claimedIdentifier) == Literal(urn)
    for kind in ("measure", "requirement"):
        for f in scanned[kind]:
            subject = subject_of(release_build, f.path)
            title = release_build.data.value(subject, DCTERMS.title)
            assert title is not None and title.language == "nl", f.path
            phases = {
                iris.parse(str(o)).local
                for o in release_build.data.objects(subject, AK.lifecyclePhase)
            }
            assert phases == set(f.fields.get("levenscyclus", [])), f.path


def test_instruments_get_minted_urns(release_build, scanned):
    for f in scanned["instrument"]:
        subject = subject_of(release_build, f.path)
        assert str(subject) == f"urn:nl:ak:hlp:{f.slug.lower()}"
        assert release_build.data.value(subject, AK.identifierMinted) == Literal(True)


def test_every_resolvable_reference_is_a_urn_link_and_the_rest_are_listed(release_build, scanned):
    by_slug = {kind: {f.slug: f for f in files} for kind, files in scanned.items()}
    expected_unresolved = set()
    for kind in ("measure", "instrument"):
        for f in scanned[kind]:
            subject = subject_of(release_build, f.path)
            for field, prop in (("vereiste", AK.requirement), ("maatregel", AK.measure)):
                for slug in f.fields.get(field, []):
                    if not slug:
                        continue
                    target = by_slug[TARGET[field]].get(slug)
                    if target is None:
                        expected_unresolved.add((f.path, field, slug))
                        node = iris.unresolved(field, slug)
                        assert (node, RDF.type, AK.UnresolvedReference) in release_build.data
                    else:
                        node = subject_of(release_build, target.path)
                        assert release_build.data.value(node, RDF.type) == CLASSES[TARGET[field]]
                    assert (subject, prop, node) in release_build.data, (f.path, slug)
    assert set(release_build.unresolved) == expected_unresolved


def test_v251_has_the_known_dangling_references(latest_build):
    """Requirement and measure files that were renamed or removed still show up as references."""
    fields = {field for _, field, _ in latest_build.unresolved}
    assert fields == {"vereiste", "maatregel"}
    assert len(latest_build.unresolved) >= 5


def test_audit_codes_stay_strings(release_build, scanned):
    expected = set()
    for f in scanned["measure"]:
        subject = subject_of(release_build, f.path)
        for framework, code in f.sources:
            expected.add((subject, iris.concept(framework.lower(), code)))
    found = set(release_build.data.subject_objects(AK.auditCriterion))
    assert found == expected
    notations = {str(n) for n in release_build.data.objects(None, SKOS.notation)}
    assert {code for f in scanned["measure"] for _, code in f.sources} <= notations


def test_ark_code_2_10_is_not_a_float(latest_build):
    criterion = iris.concept("ark", "2.10")
    assert (criterion, SKOS.notation, Literal("2.10")) in latest_build.data
    assert (None, AK.auditCriterion, criterion) in latest_build.data


def test_glossary_terms_all_converted(release_build, release_path):
    terms = glossary_terms(release_path)
    converted = set(release_build.data.subjects(RDF.type, AK.GlossaryTerm))
    assert len(converted) == len(terms)
    labels = {str(o) for s in converted for o in release_build.data.objects(s, SKOS.prefLabel)}
    assert labels == set(terms)


def test_lists_from_pages(release_build, release_path):
    for folder, cls in (
        ("levenscyclus", AK.LifecyclePhase),
        ("rollen", AK.Role),
        ("onderwerpen", AK.Topic),
    ):
        pages = {
            p.stem
            for p in (release_path / "docs" / folder).glob("*.md")
            if p.stem not in ("index", "over-de-levenscyclus")
        }
        concepts = set(release_build.data.subjects(RDF.type, cls))
        assert {iris.parse(str(c)).local for c in concepts} == pages
        for concept in concepts:
            assert release_build.data.value(concept, SKOS.prefLabel) is not None


def test_sections_keep_markdown_without_mkdocs_markup(latest_build):
    texts = [str(o) for o in latest_build.data.objects(None, AK.markdown)]
    assert texts
    assert not any("<!--" in t or "data-search-exclude" in t or ".md-button" in t for t in texts)
    headings = {str(o) for o in latest_build.data.objects(None, AK.heading)}
    assert {"Toelichting", "Risico", "Bronnen"} <= headings


def test_requirement_labels_and_exceptions(latest_build, latest_path):
    files = scan(latest_path)["requirement"]
    for f in files:
        subject = subject_of(latest_build, f.path)
        for field, prop in (
            ("risicogroep", AK.riskGroup),
            ("rol-ai-act", AK.aiActRole),
            ("soort-toepassing", AK.applicationType),
        ):
            expected = {iris.concept(field, v) for v in f.fields.get(field, [])}
            assert set(latest_build.data.objects(subject, prop)) == expected, f.path
        exceptions = {str(o) for o in latest_build.data.objects(subject, AK.exception)}
        assert exceptions == set(f.fields.get("uitzondering", [])), f.path


@pytest.mark.parametrize("extension", sorted(FORMATS))
def test_round_trip_is_isomorphic(latest_build, tmp_path, extension):
    path = tmp_path / f"graph{extension}"
    fmt = FORMATS[extension]
    path.write_bytes(serialize(latest_build, fmt))
    back = load(path)
    if fmt in ("trig", "nquads"):
        assert isomorphic(back.graph(latest_build.release), latest_build.data)
    everything = Graph()
    for graph in back.graphs():
        everything += graph
    assert isomorphic(everything, latest_build.union())
