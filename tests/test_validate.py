"""SHACL validation: every shape passes on good data and fails on bad; the real release's known
defects are all found, each with its file."""

from __future__ import annotations

import json
import subprocess

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SH, SKOS

from akgraph import iris
from akgraph.iris import AK
from akgraph.validate import Level, shapes, validate
from tests.conftest import CORPUS
from tests.scan import scan
from tests.test_cli import AKGRAPH

AKR = "https://w3id.org/algoritmekader/shapes#"
ORG02 = URIRef("urn:nl:ak:mtr:org-02")
AIA09 = URIRef("urn:nl:ak:ver:aia-09")
IAMA = URIRef("urn:nl:ak:hlp:iama")


@pytest.fixture(scope="module")
def sample_graph(sample_build) -> Graph:
    return sample_build.union()


@pytest.fixture(scope="module")
def sample_report(sample_graph):
    return validate(sample_graph)


def test_sample_has_no_violations_or_warnings(sample_report):
    assert [str(f) for f in sample_report.findings if f.level >= Level.WARNING] == []
    assert sample_report.conforms(Level.WARNING)


def _remove(graph: Graph, s, p) -> None:
    graph.remove((s, p, None))


def _set(graph: Graph, s, p, o) -> None:
    graph.set((s, p, o))


def _risk_section(graph: Graph, item) -> None:
    for section in list(graph.objects(item, AK.section)):
        if graph.value(section, AK.heading) == Literal("Risico", lang="nl"):
            graph.remove((section, AK.heading, None))


def _duplicate(graph: Graph, item) -> None:
    graph.add((URIRef("urn:nl:ak:mtr:org-99"), DCTERMS.identifier, Literal(str(item))))


def _undeclared(graph: Graph, item) -> None:
    node = BNode()
    graph.add((item, AK.undeclaredField, node))
    graph.add((node, RDF.type, AK.UndeclaredField))
    graph.add((node, AK.fieldName, Literal("bronnen")))
    graph.add((node, AK.fieldValue, Literal('{"ADR": "SV.11"}')))


def _requirement_without_measure(graph: Graph, item) -> None:
    graph.remove((None, AK.requirement, item))


def _unknown_term(graph: Graph, item) -> None:
    graph.add((item, AK.notInTheOntology, Literal("x")))


# (shape, focus, how to break it, level)
BREAKS = [
    ("TitleRequired", ORG02, lambda g, s: _remove(g, s, DCTERMS.title), Level.VIOLATION),
    (
        "TitleNoPeriod",
        ORG02,
        lambda g, s: _set(g, s, DCTERMS.title, Literal("Een titel.", lang="nl")),
        Level.WARNING,
    ),
    (
        "Summary",
        ORG02,
        lambda g, s: _set(g, s, DCTERMS.abstract, Literal("geen taal")),
        Level.VIOLATION,
    ),
    (
        "SummaryShort",
        ORG02,
        lambda g, s: _set(g, s, DCTERMS.abstract, Literal(" ".join(["woord"] * 41), lang="nl")),
        Level.WARNING,
    ),
    ("SummaryPresent", ORG02, lambda g, s: _remove(g, s, DCTERMS.abstract), Level.INFO),
    ("Identifier", ORG02, lambda g, s: _remove(g, s, DCTERMS.identifier), Level.VIOLATION),
    (
        "NotMinted",
        ORG02,
        lambda g, s: g.add((s, AK.identifierMinted, Literal(True))),
        Level.VIOLATION,
    ),
    (
        "ClaimedIdentifier",
        ORG02,
        lambda g, s: g.add((s, AK.claimedIdentifier, Literal("urn:nl:ak:mtr:pba-01"))),
        Level.VIOLATION,
    ),
    (
        "Phases",
        ORG02,
        lambda g, s: g.add((s, AK.lifecyclePhase, iris.concept("levenscyclus", "x"))),
        Level.VIOLATION,
    ),
    ("PhasesPresent", ORG02, lambda g, s: _remove(g, s, AK.lifecyclePhase), Level.WARNING),
    (
        "Roles",
        ORG02,
        lambda g, s: g.add((s, AK.role, iris.concept("rollen", "x"))),
        Level.VIOLATION,
    ),
    (
        "Topics",
        ORG02,
        lambda g, s: g.add((s, AK.topic, iris.concept("onderwerp", "grondrechten"))),
        Level.VIOLATION,
    ),
    (
        "Requirements",
        ORG02,
        lambda g, s: g.add((s, AK.requirement, iris.unresolved("vereiste", "aia-99-weg"))),
        Level.VIOLATION,
    ),
    (
        "AuditCriteria",
        ORG02,
        lambda g, s: g.add((s, AK.auditCriterion, iris.concept("adr", "X"))),
        Level.VIOLATION,
    ),
    ("Sections", ORG02, lambda g, s: g.add((s, AK.section, BNode())), Level.VIOLATION),
    ("NoUndeclaredField", ORG02, _undeclared, Level.WARNING),
    (
        "NoEmptyListItem",
        ORG02,
        lambda g, s: g.add((s, AK.emptyListItem, Literal("vereiste"))),
        Level.WARNING,
    ),
    (
        "NoBrokenLink",
        ORG02,
        lambda g, s: g.add((s, AK.brokenLink, Literal("weg.md"))),
        Level.WARNING,
    ),
    ("Provenance", ORG02, lambda g, s: _remove(g, s, AK.sourcePath), Level.VIOLATION),
    ("InRelease", ORG02, lambda g, s: _remove(g, s, AK.release), Level.VIOLATION),
    ("Slug", ORG02, lambda g, s: _remove(g, s, AK.slug), Level.VIOLATION),
    (
        "OfficialPage",
        ORG02,
        lambda g, s: _remove(g, s, URIRef("http://xmlns.com/foaf/0.1/page")),
        Level.VIOLATION,
    ),
    ("RiskSection", ORG02, _risk_section, Level.WARNING),
    ("RiskSection", AIA09, _risk_section, Level.WARNING),
    ("UniqueIdentifier", ORG02, _duplicate, Level.VIOLATION),
    ("OntologyCoverage", ORG02, _unknown_term, Level.VIOLATION),
    (
        "MeasureShape",
        None,
        lambda g, s: g.add((URIRef("urn:nl:ak:mtr:org-2"), RDF.type, AK.Measure)),
        Level.VIOLATION,
    ),
    (
        "RequirementShape",
        None,
        lambda g, s: g.add((URIRef("urn:nl:ak:ver:AIA09"), RDF.type, AK.Requirement)),
        Level.VIOLATION,
    ),
    (
        "InstrumentShape",
        None,
        lambda g, s: g.add((URIRef("urn:nl:ak:hlp:Met Spatie"), RDF.type, AK.Instrument)),
        Level.VIOLATION,
    ),
    (
        "ConceptShape",
        None,
        lambda g, s: g.add((iris.concept("rollen", "zonder-label"), RDF.type, AK.Role)),
        Level.VIOLATION,
    ),
    (
        "AuditCriterionShape",
        None,
        lambda g, s: g.addN(
            (iris.concept("ark", "1.1"), p, o, g)
            for p, o in ((SKOS.notation, Literal("1.1")), (RDF.type, AK.AuditCriterion))
        ),
        Level.VIOLATION,
    ),
    (
        "ReleaseShape",
        None,
        lambda g, s: g.add((iris.release("sample-1.0"), AK.commit, Literal("niet-hex"))),
        Level.VIOLATION,
    ),
    (
        "UnresolvedReferenceShape",
        None,
        lambda g, s: g.add((iris.unresolved("vereiste", "x"), RDF.type, AK.UnresolvedReference)),
        Level.VIOLATION,
    ),
    (
        "UndeclaredFieldShape",
        None,
        lambda g, s: g.add((BNode(), RDF.type, AK.UndeclaredField)),
        Level.VIOLATION,
    ),
    ("SectionShape", None, lambda g, s: g.add((BNode(), RDF.type, AK.Section)), Level.VIOLATION),
]


def _results_from(report_graph: Graph, shape: str, shapes_graph: Graph) -> set:
    """Results whose source shape is ``shape`` or a property shape declared inside it."""
    wanted = URIRef(AKR + shape)
    inner = set(shapes_graph.objects(wanted, URIRef("http://www.w3.org/ns/shacl#property")))
    sources = {wanted} | inner
    sh = "http://www.w3.org/ns/shacl#"
    return {
        r
        for r in report_graph.subjects(RDF.type, URIRef(sh + "ValidationResult"))
        if report_graph.value(r, URIRef(sh + "sourceShape")) in sources
    }


@pytest.fixture(scope="module")
def shapes_graph() -> Graph:
    return shapes()


@pytest.mark.parametrize(
    ("shape", "focus", "breaker", "level"),
    BREAKS,
    ids=[f"{b[0]}-{i}" for i, b in enumerate(BREAKS)],
)
def test_each_shape_passes_then_fails(
    sample_graph, sample_report, shapes_graph, shape, focus, breaker, level
):
    assert (URIRef(AKR + shape), None, None) in shapes_graph
    assert not _results_from(sample_report.graph, shape, shapes_graph)
    broken = Graph()
    broken += sample_graph
    breaker(broken, focus)
    report = validate(broken)
    results = _results_from(report.graph, shape, shapes_graph)
    assert results, shape
    levels = {
        Level.of(report.graph.value(r, URIRef("http://www.w3.org/ns/shacl#resultSeverity")))
        for r in results
    }
    assert level in levels
    for finding in report.findings:
        assert finding.message_nl and finding.message_en


def test_every_class_has_a_shape(shapes_graph):
    from akgraph import resources

    ontology = resources.ontology()
    classes = {
        c
        for c in ontology.subjects(RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class"))
        if str(c).startswith(str(AK))
    }
    targeted = set(shapes_graph.objects(None, URIRef("http://www.w3.org/ns/shacl#targetClass")))
    assert classes - targeted == {AK.Item}


# -- the real release ------------------------------------------------------------------------

TEMPLATE_KEYS = {
    "measure": {
        "title",
        "id",
        "toelichting",
        "vereiste",
        "levenscyclus",
        "onderwerp",
        "rollen",
        "sources",
        "hide",
    },
    "instrument": {
        "title",
        "toelichting",
        "categorie",
        "vereiste",
        "maatregel",
        "levenscyclus",
        "onderwerp",
        "rollen",
        "hide",
    },
}


@pytest.fixture(scope="module")
def latest_report(latest_build):
    return validate(latest_build.union())


def _has(report, path: str, field: str, value: str | None = None, level=Level.VIOLATION) -> bool:
    return any(
        f.path == path
        and f.field == field
        and (value is None or f.value == value)
        and f.level == level
        for f in report.findings
    )


def test_v251_report_names_every_known_defect(latest_report, latest_path):
    scanned = scan(latest_path)
    slugs = {kind: {f.slug for f in files} for kind, files in scanned.items()}
    topics = {p.stem for p in (latest_path / "docs/onderwerpen").glob("*.md")}
    expected = []
    for f in scanned["measure"]:
        expected += [
            (f.path, "vereiste", s, Level.VIOLATION)
            for s in f.fields.get("vereiste", [])
            if s and s not in slugs["requirement"]
        ]
    for f in scanned["instrument"]:
        expected += [
            (f.path, "maatregel", s, Level.VIOLATION)
            for s in f.fields.get("maatregel", [])
            if s and s not in slugs["measure"]
        ]
    for kind in ("measure", "requirement", "instrument"):
        for f in scanned[kind]:
            expected += [
                (f.path, "onderwerp", t, Level.VIOLATION)
                for t in f.fields.get("onderwerp", [])
                if t not in topics
            ]
            for field, values in f.fields.items():
                if kind in TEMPLATE_KEYS and field not in TEMPLATE_KEYS[kind]:
                    expected.append((f.path, field, None, Level.WARNING))
                if "" in values and field in ("vereiste", "maatregel"):
                    expected.append((f.path, field, None, Level.WARNING))
    kinds = {(field, level) for _, field, _, level in expected}
    assert {
        ("vereiste", Level.VIOLATION),
        ("maatregel", Level.VIOLATION),
        ("onderwerp", Level.VIOLATION),
        ("bronnen", Level.WARNING),
    } <= kinds
    assert sum(1 for e in expected if e[1] == "vereiste" and e[3] == Level.WARNING) >= 2
    missing = [e for e in expected if not _has(latest_report, *e)]
    assert missing == []


@pytest.mark.parametrize("tag", ["v2.0", "v2.2.0"])
def test_older_releases_validate(tag):
    from akgraph import build
    from tests.conftest import corpus_release

    report = validate(build(corpus_release(tag)).union())
    assert report.findings
    assert all(f.path or f.focus for f in report.findings)


# -- command line ----------------------------------------------------------------------------


def test_cli_validate_sample_conforms():
    done = subprocess.run([AKGRAPH, "validate"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 violation" in done.stdout


def test_cli_validate_release_fails_and_groups_by_file(latest_path):
    done = subprocess.run(
        [AKGRAPH, "validate", str(latest_path)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 1
    assert "docs/voldoen-aan-wetten-en-regels/hulpmiddelen/standaarden.md\n" in done.stdout
    assert "[maatregel = '2-owp-11-duurzaam-inkopen']" in done.stdout


def test_cli_validate_graph_file_and_formats(tmp_path):
    graph = tmp_path / "sample.trig"
    subprocess.run([AKGRAPH, "build", "-o", str(graph)], check=True, capture_output=True)
    as_json = subprocess.run(
        [AKGRAPH, "validate", str(graph), "--format", "json", "--severity", "info"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    json.loads(as_json.stdout)
    as_ttl = subprocess.run(
        [AKGRAPH, "validate", str(graph), "--format", "ttl"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert as_ttl.returncode == 0
    assert "sh:ValidationReport" in as_ttl.stdout


def test_cli_validate_usage_errors(tmp_path):
    bad = tmp_path / "kapot.ttl"
    bad.write_text("dit is geen turtle <", encoding="utf-8")
    done = subprocess.run([AKGRAPH, "validate", str(bad)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "cannot read input" in done.stderr
    assert (
        subprocess.run([AKGRAPH, "validate", "--severity", "x"], capture_output=True).returncode
        == 2
    )


def test_shared_identifier_names_every_item_that_has_it(sample_graph):
    """Regression: the uniqueness check reports each item holding the identifier, with its file."""
    broken = Graph()
    broken += sample_graph
    broken.add((URIRef("urn:nl:ak:mtr:org-99"), DCTERMS.identifier, Literal(str(ORG02))))
    broken.add((URIRef("urn:nl:ak:mtr:org-99"), AK.sourcePath, Literal("docs/kopie.md")))
    found = {
        (f.focus, f.path, f.field, f.value)
        for f in validate(broken).findings
        if f.field == "id" and f.value == str(ORG02)
    }
    assert (
        str(ORG02),
        sample_graph.value(ORG02, AK.sourcePath).toPython(),
        "id",
        str(ORG02),
    ) in found
    assert ("urn:nl:ak:mtr:org-99", "docs/kopie.md", "id", str(ORG02)) in found


def test_concept_schemes_follow_the_nl_sbb_profile(sample_build):
    """Our controlled lists and the sample's concepts conform to the NL-SBB SKOS profile
    (../shared/vocab), with the DPV vocabularies our mappings point at loaded beside them."""
    vocab = CORPUS.parent / "vocab"
    profile = vocab / "nl-sbb-skos-ap-nl.ttl"
    if not profile.is_file():
        pytest.skip(f"NL-SBB profile {profile} not found")
    data = sample_build.union()
    for name in ("dpv-2.3-eu-aiact.ttl", "dpv-2.3-ai.ttl"):
        data.parse(vocab / name, format="turtle")
    report = validate(data, Graph().parse(profile, format="turtle"))
    ours = [
        str(f)
        for f in report.findings
        if f.level >= Level.WARNING and f.focus.startswith("urn:nl:ak:")
    ]
    assert ours == []


def test_pyshacl_is_given_every_constraint_parameter_it_knows_in_its_order():
    """akgraph hands pyshacl its own list of constraint parameters with a set lookup (a speed
    fix): the same parameters, in the same order, each found, a copy a plain list."""
    import pyshacl.shape
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS

    import akgraph.validate  # noqa: F401  (sets them)

    given, _ = pyshacl.shape.CONSTRAINT_PARAMS
    assert list(given) == list(ALL_CONSTRAINT_PARAMETERS)
    assert all(p in given for p in ALL_CONSTRAINT_PARAMETERS)
    assert SH.targetClass not in given
    assert type(given.copy()) is list
