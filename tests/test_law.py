"""Requirements linked to the law, checked on v2.5.1 against a plain regex scan of the
Markdown links; the named law queries; the law shapes; the DPV alignment."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from akgraph import iris, queries, resources
from akgraph.cli import summary
from akgraph.iris import AK, ELI
from akgraph.validate import Level, shapes, validate
from tests.conftest import CORPUS
from tests.scan import law_ids, legal_links, scan, text_article_numbers, url_article
from tests.test_validate import _results_from

EU_TYPE = {"R": "reg", "L": "dir", "D": "dec"}


@pytest.fixture(scope="module")
def links(latest_path):
    return legal_links(latest_path)


@pytest.fixture(scope="module")
def by_path(latest_build):
    return {
        str(p): s
        for s, p in latest_build.data.subject_objects(AK.sourcePath)
        if (s, RDF.type, AK.Requirement) in latest_build.data
    }


@pytest.fixture(scope="module")
def union(latest_build) -> Graph:
    return latest_build.union()


def _is_eu(href: str) -> bool:
    return href.startswith("https://eur-lex.europa.eu/")


def _has_article(link) -> bool:
    return bool(url_article(link.href) or text_article_numbers(link.text, _is_eu(link.href)))


def _expected_laws(links) -> dict[str, set[str]]:
    """Per requirement file, the IRIs of the acts its links name, from the URLs alone (an
    Official Journal number takes its type from a CELEX link to the same act, else the text)."""
    types: dict[tuple[str, str], str] = {}
    for link in (x for ls in links.values() for x in ls):
        for found in re.finditer(r"CELEX:3(\d{4})([RLD])(\d{4})", link.href):
            types[(found[1], str(int(found[3])))] = EU_TYPE[found[2]]
    expected: dict[str, set[str]] = {}
    for path, found in links.items():
        for link in found:
            for law in law_ids(link.href):
                celex = re.fullmatch(r"CELEX:3(\d{4})([RLD])(\d{4})", law)
                oj = re.fullmatch(r"OJ:L_(\d{4})(\d{5})", law)
                if law.startswith("BWB"):
                    iri = f"https://wetten.overheid.nl/{law}"
                elif celex:
                    iri = f"{EU_TYPE[celex[2]]}/{celex[1]}/{int(celex[3])}"
                elif oj:
                    key = (oj[1], str(int(oj[2])))
                    hint = "reg" if "verordening" in link.text.lower() else None
                    iri = f"{types.get(key) or hint}/{key[0]}/{key[1]}"
                else:
                    iri = f"http://publications.europa.eu/resource/celex/{law[6:]}"
                if not iri.startswith("http"):
                    iri = f"http://data.europa.eu/eli/{iri}/oj"
                expected.setdefault(path, set()).add(iri)
    return expected


# -- v2.5.1 --------------------------------------------------------------------------------


def test_every_requirement_citing_a_law_has_its_laws(latest_build, links, by_path):
    expected = _expected_laws(links)
    assert len(expected) >= 50
    for path, laws in expected.items():
        found = {str(o) for o in latest_build.data.objects(by_path[path], AK.law)}
        assert found, path
        assert {law for law in laws if "celex/" not in law} <= found, path
        for law in found:
            assert (URIRef(law), RDF.type, ELI.LegalResource) in latest_build.data


def test_share_resolved_to_an_article_is_reported(latest_build, latest_path, links):
    scanned = [link for found in links.values() for link in found]
    with_article = [link for link in scanned if _has_article(link) and law_ids(link.href)]
    text = summary(latest_build, latest_path)
    reported = re.search(r"legal links: (\d+); to an article (\d+) \(([\d.]+)%\)", text)
    assert reported, text
    assert int(reported[1]) == len(scanned)
    assert int(reported[2]) == len(with_article)
    assert float(reported[3]) == pytest.approx(100 * len(with_article) / len(scanned), abs=0.05)
    assert 0.5 < len(with_article) / len(scanned) < 1


def test_disagreements_are_listed_in_build_and_validate_reports(latest_build, links):
    expected = []
    for path, found in links.items():
        for link in found:
            url = url_article(link.href)
            numbers = text_article_numbers(link.text, _is_eu(link.href))
            if url and numbers and url not in numbers:
                expected.append((path, link.href))
    assert expected  # the release has some (Databankenwet, Woo)
    problems = [
        (p.path, re.search(r"\]\((.*)\)$", p.value)[1])
        for p in latest_build.problems
        if p.code == "legal-link-disagreement"
    ]
    assert sorted(problems) == sorted(expected)
    assert all(
        p.field == "Bronnen" for p in latest_build.problems if p.code == "legal-link-disagreement"
    )
    report = validate(latest_build.union())
    listed = [f for f in report.findings if f.value and f.value.startswith("text: ")]
    assert {f.path for f in listed} == {path for path, _ in expected}
    assert len(listed) == len(expected)
    assert all(f.level == Level.WARNING for f in listed)


def test_articles_are_eli_subdivisions_or_juriconnect(latest_build):
    data = latest_build.data
    articles = set(data.subjects(RDF.type, AK.Article))
    assert articles
    for article in articles:
        law = data.value(article, ELI.is_part_of)
        assert (law, RDF.type, ELI.LegalResource) in data
        number = str(data.value(article, ELI.number))
        if str(law).startswith("http://data.europa.eu/eli/"):
            assert str(article) == str(law).removesuffix("/oj") + f"/art_{number}/oj"
            assert str(data.value(article, URIRef("http://xmlns.com/foaf/0.1/page"))).startswith(
                "https://eur-lex.europa.eu/"
            )
        elif str(law).startswith(iris.WETTEN):
            bwb = str(law).removeprefix(iris.WETTEN)
            assert str(article) == f"jci1.3:c:{bwb}&artikel={number}"
            assert "&z=" not in str(article) and "&g=" not in str(article)
    ai_act_14 = URIRef("http://data.europa.eu/eli/reg/2024/1689/art_14/oj")
    assert (ai_act_14, RDF.type, AK.Article) in data
    labels = {
        str(x)
        for x in data.objects(URIRef("http://data.europa.eu/eli/reg/2016/679/oj"), RDFS.label)
    }
    assert "AVG" in labels


# -- named queries, each against the scan ----------------------------------------------------


def _ids(latest_path) -> dict[str, str]:
    """Requirement file -> its URN, from the frontmatter scan."""
    return {f.path: f.fields["id"][0] for f in scan(latest_path)["requirement"]}


def _rows(graph: Graph, name: str, **values) -> list:
    return list(graph.query(queries.read_folder()[name].bind(values)))


def test_requirements_per_law_query(union, latest_path, links):
    ids = _ids(latest_path)
    expected: dict[str, set[str]] = {}
    for path, laws in _expected_laws(links).items():
        for law in laws:
            expected.setdefault(law, set()).add(ids[path])
    answered: dict[str, set[str]] = {}
    for row in _rows(union, "requirements-per-law"):
        answered.setdefault(str(row.law), set()).add(str(row.requirement))
    for law, requirements in expected.items():
        if "celex/" not in law:
            assert answered.get(law) == requirements, law
    one = "https://wetten.overheid.nl/BWBR0005537"
    assert {str(r.requirement) for r in _rows(union, "requirements-per-law", law=one)} == expected[
        one
    ]


@pytest.mark.parametrize(
    ("act", "number"),
    [
        ("reg/2024/1689", "14"),
        ("reg/2016/679", "5"),
        ("reg/2016/679", "22"),
        ("reg/2024/1689", "26"),
    ],
)
def test_requirements_for_article_query(union, latest_path, links, act, number):
    ids = _ids(latest_path)
    year, n = act.split("/")[1:]
    expected = set()
    for path, found in links.items():
        for link in found:
            names_act = re.search(rf"CELEX:3{year}R{int(n):04d}|OJ:L_{year}{int(n):05d}", link.href)
            numbers = text_article_numbers(link.text, True) | {url_article(link.href)}
            if names_act and number in numbers:
                expected.add(ids[path])
    assert expected
    article = f"http://data.europa.eu/eli/{act}/art_{number}/oj"
    rows = _rows(union, "requirements-for-article", article=article)
    assert {str(r.requirement) for r in rows} == expected


@pytest.mark.parametrize(
    "law",
    [
        "http://data.europa.eu/eli/reg/2024/1689/oj",
        "http://data.europa.eu/eli/reg/2016/679/oj",
        "https://wetten.overheid.nl/BWBR0005537",
    ],
)
def test_measures_for_law_query(union, latest_path, links, law):
    scanned = scan(latest_path)
    ids = _ids(latest_path)
    slugs = {f.slug: f.path for f in scanned["requirement"]}
    citing = {path for path, laws in _expected_laws(links).items() if law in laws}
    expected = set()
    for measure in scanned["measure"]:
        if any(slugs.get(s) in citing for s in measure.fields.get("vereiste", [])):
            expected.add(measure.fields["id"][0])
    assert expected
    rows = _rows(union, "measures-for-law", law=law)
    assert {str(r.measure) for r in rows} == expected
    for row in rows:
        assert set(str(row.requirements).split()) <= {ids[p] for p in citing}


# -- the sample ----------------------------------------------------------------------------


def test_sample_requirements_cite_articles(sample_build, sample_path):
    found = legal_links(sample_path)
    assert sum(len(x) for x in found.values()) >= 5
    forms = {
        "celex": r"CELEX:3",
        "oj": r"OJ:L_",
        "jci": r"jci1\.3:c:BWB",
        "plain": r"overheid\.nl/BWB",
    }
    hrefs = [link.href for links in found.values() for link in links]
    for form, pattern in forms.items():
        assert any(re.search(pattern, h) for h in hrefs), form
    for path, links_ in found.items():
        subject = next(sample_build.data.subjects(AK.sourcePath, Literal(path)))
        if links_:
            assert (subject, AK.law, None) in sample_build.data, path
            assert (subject, AK.derivedFrom, None) in sample_build.data, path


# -- shapes: each passes on the sample, fails when broken -------------------------------------

AKR = "https://w3id.org/algoritmekader/shapes#"
AIA09 = URIRef("urn:nl:ak:ver:aia-09")
ART14 = URIRef("http://data.europa.eu/eli/reg/2024/1689/art_14/oj")
AI_ACT = URIRef("http://data.europa.eu/eli/reg/2024/1689/oj")


def _citation(graph: Graph) -> URIRef:
    return next(graph.objects(AIA09, AK.legalCitation))


def _no_law(graph: Graph, _) -> None:
    graph.remove((_citation(graph), AK.law, None))


def _disagree(graph: Graph, _) -> None:
    graph.add((_citation(graph), AK.disagreement, Literal("text: artikel 14; target: artikel 15")))


def _requirement_without_law(graph: Graph, _) -> None:
    graph.remove((AIA09, AK.law, None))


LAW_BREAKS = [
    ("LegalCitationShape", lambda g, _: g.remove((_citation(g), AK.linkText, None))),
    ("CitationIdentifiesLaw", _no_law),
    ("CitationAgrees", _disagree),
    ("RequirementCitesLaw", _requirement_without_law),
    ("LawShape", lambda g, _: g.remove((AI_ACT, ELI.id_local, None))),
    (
        "LawShape",
        lambda g, _: g.add((URIRef("https://example.org/wet"), RDF.type, ELI.LegalResource)),
    ),
    ("LegalPartShape", lambda g, _: g.remove((ART14, ELI.number, None))),
    (
        "DivisionShape",
        lambda g, _: g.add((URIRef("jci1.3:c:BWBR0005537&afdeling=3.2"), RDF.type, AK.Division)),
    ),
]


@pytest.fixture(scope="module")
def sample_union(sample_build) -> Graph:
    return sample_build.union()


@pytest.fixture(scope="module")
def sample_report(sample_union):
    return validate(sample_union)


@pytest.mark.parametrize(("shape", "breaker"), LAW_BREAKS, ids=[b[0] for b in LAW_BREAKS])
def test_law_shape_passes_then_fails(sample_union, sample_report, shape, breaker):
    graph = shapes()
    assert (URIRef(AKR + shape), None, None) in graph
    assert not _results_from(sample_report.graph, shape, graph)
    broken = Graph()
    broken += sample_union
    breaker(broken, None)
    report = validate(broken)
    assert _results_from(report.graph, shape, graph), shape
    assert all(f.message_nl and f.message_en for f in report.findings)


# -- alignment and audit schemes ------------------------------------------------------------


def test_alignment_targets_exist_in_dpv():
    vocab = CORPUS.parent / "vocab"
    files = [vocab / "dpv-2.3-eu-aiact.ttl", vocab / "dpv-2.3-ai.ttl"]
    missing = [f for f in files if not f.is_file()]
    if missing:
        pytest.skip(f"DPV vocabularies not found: {', '.join(map(str, missing))}")
    dpv = Graph()
    for f in files:
        dpv.parse(f, format="turtle")
    alignment = Graph().parse(resources.data_dir("ontology") / "alignment.ttl", format="turtle")
    mapping = {SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch}
    targets = [(s, p, o) for s, p, o in alignment if p in mapping]
    assert len(targets) >= 20
    assert {p for _, p, _ in alignment} <= mapping
    for _, _, target in targets:
        assert (target, None, None) in dpv, target
    in_vocab = Graph().parse(resources.data_dir("ontology") / "vocabularies.ttl", format="turtle")
    assert not any(p in mapping for p in in_vocab.predicates())
    owl = "http://www.w3.org/2002/07/owl#"
    assert not any(
        str(p) in (owl + "sameAs", owl + "equivalentClass") for p in alignment.predicates()
    )
    phases = {s for s, _, o in targets if str(o).startswith("https://w3id.org/dpv/ai#")}
    assert {
        iris.concept("levenscyclus", "ontwerp"),
        iris.concept("levenscyclus", "uitfaseren"),
    } <= phases


def test_audit_schemes_described():
    vocabularies = resources.vocabularies()
    for name in ("adr", "ark"):
        scheme = iris.scheme(name)
        assert (scheme, RDF.type, SKOS.ConceptScheme) in vocabularies
        for prop in (SKOS.prefLabel, SKOS.definition):
            langs = {o.language for o in vocabularies.objects(scheme, prop)}
            assert {"nl", "en"} <= langs, (name, prop)
