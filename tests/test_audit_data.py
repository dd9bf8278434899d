"""The release's audit data files: the ADR and ARK criteria's own texts
(``script/maatregelen-adr-ark.csv``) become the criteria's definitions, and the crosswalk
(``relatie-ak-tot-toetsingskaders.csv``) is compared with the measures' frontmatter ``sources``,
every disagreement reported. Expected answers come from the csv module and tests/scan.py."""

from __future__ import annotations

import csv

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from akgraph.graph import build
from akgraph.iris import AK
from tests.conftest import corpus_release
from tests.scan import scan

FRAMEWORKS = {"auditdienst rijk": "adr", "algemene rekenkamer": "ark"}


@pytest.fixture(scope="module", params=["v2.2.0", "v2.5.1"])
def release(request):
    path = corpus_release(request.param)
    return path, build(path)


def _texts(path) -> dict[str, tuple[str, str]]:
    with open(path / "script" / "maatregelen-adr-ark.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))[1:]
    found = {}
    for code, text, source, *_ in rows:
        scheme = next(s for words, s in FRAMEWORKS.items() if words in source.lower())
        text = text.replace("\r\n", "\n").strip()  # akgraph reads CRLF as LF (reported)
        found[f"urn:nl:ak:{scheme}:{code.strip()}"] = (text, source.strip())
    return found


def test_each_criterion_has_its_own_text(release):
    path, built = release
    texts = _texts(path)
    assert len(texts) > 100
    for iri, (text, source) in texts.items():
        node = URIRef(iri)
        assert (node, SKOS.definition, Literal(text, lang="nl")) in built.data, iri
        assert (node, DCTERMS.source, Literal(source, lang="nl")) in built.data, iri
        assert len(set(built.data.objects(node, SKOS.definition))) == 1  # no generic one too


def test_every_crosswalk_disagreement_is_reported(release):
    path, built = release
    with open(path / "relatie-ak-tot-toetsingskaders.csv", encoding="utf-8-sig", newline="") as f:
        table = list(csv.DictReader(f))
    marked = {
        (urn, f"urn:nl:ak:{row['bron'].strip().lower()}:{row['nummer'].strip()}")
        for row in table
        for urn, cell in row.items()
        if urn and urn.startswith("urn:") and (cell or "").strip() == "1"
    }
    cited = {
        ((m.fields.get("id") or [""])[0], f"urn:nl:ak:{framework.lower()}:{code}")
        for m in scan(path)["measure"]
        for framework, code in m.sources
    }
    expected = {f"{urn} {crit.split(':')[3].upper()} {crit.split(':', 4)[4]}"
                for urn, crit in marked ^ cited}  # fmt: skip
    reported = {f"{p.field} {p.value}" for p in built.problems if p.code == "crosswalk-disagrees"}
    assert reported == expected
    assert all(p.path.startswith("relatie-ak-tot-toetsingskaders.csv")
               for p in built.problems if p.code == "crosswalk-disagrees")  # fmt: skip


def test_criterion_page_shows_its_text(corpus_server):
    import urllib.request

    path = corpus_release("v2.5.1")
    iri, (text, _) = next(iter(_texts(path).items()))
    with urllib.request.urlopen(f"{corpus_server}/doc/{iri}", timeout=60) as response:
        page = response.read().decode()
    assert text.replace("'", "&#39;") in page


def test_releases_without_the_files_convert_as_before():
    built = build(corpus_release("v2.0"))
    assert not [p for p in built.problems if "csv" in p.path]
    for criterion in built.data.subjects(RDF.type, AK.AuditCriterion):
        for definition in built.data.objects(criterion, SKOS.definition):
            assert str(definition).startswith(("Criterium ", "Criterion "))
