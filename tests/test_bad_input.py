"""Bad input is reported with file and reason, and never stops the rest from converting."""

from __future__ import annotations

import os

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from akgraph import Severity, SourceError, build, iris
from akgraph.iris import AK

MEASURES = "docs/voldoen-aan-wetten-en-regels/maatregelen"
REQUIREMENTS = "docs/voldoen-aan-wetten-en-regels/vereisten"


def measure(title: str, urn: str | None, extra: str = "") -> str:
    id_line = f"id: {urn}\n" if urn else ""
    return (
        f"---\ntitle: {title}\n{id_line}levenscyclus:\n- ontwerp\n{extra}---\n\n"
        "## Maatregel\n\nTekst.\n"
    )


def count(built, cls) -> int:
    return len(set(built.data.subjects(RDF.type, cls)))


def problems(built, code: str) -> list:
    return [p for p in built.problems if p.code == code]


@pytest.fixture
def baseline(checkout):
    return count(build(checkout), AK.Measure)


def write(checkout, name: str, content: str | bytes, folder: str = MEASURES) -> str:
    path = checkout / folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return f"{folder}/{name}"


def test_broken_yaml_is_reported_and_the_rest_converts(checkout, baseline):
    rel = write(checkout, "9-x-01-kapot.md", "---\ntitle: [niet gesloten\nid: x\n---\nTekst\n")
    built = build(checkout)
    (problem,) = problems(built, "broken-yaml")
    assert problem.path == rel and problem.severity is Severity.ERROR
    assert "line" in problem.message
    assert count(built, AK.Measure) == baseline


def test_missing_id_gets_a_minted_iri_and_is_reported(checkout, baseline):
    rel = write(checkout, "9-x-02-zonder-id.md", measure("Zonder id", None))
    built = build(checkout)
    (problem,) = problems(built, "missing-id")
    assert problem.path == rel and problem.field == "id"
    subject = iris.item("measure", "9-x-02-zonder-id")
    assert (subject, AK.identifierMinted, Literal(True)) in built.data
    assert count(built, AK.Measure) == baseline + 1


def test_duplicate_id_is_never_merged(checkout, baseline):
    rel = write(checkout, "9-x-03-dubbel.md", measure("Dubbel", "urn:nl:ak:mtr:org-02"))
    built = build(checkout)
    (problem,) = problems(built, "duplicate-id")
    assert problem.path == rel and problem.value == "urn:nl:ak:mtr:org-02"
    titles = set(built.data.objects(URIRef("urn:nl:ak:mtr:org-02"), iris.AK.slug))
    assert len(titles) == 1
    minted = iris.item("measure", "9-x-03-dubbel")
    assert (minted, AK.claimedIdentifier, Literal("urn:nl:ak:mtr:org-02")) in built.data
    assert count(built, AK.Measure) == baseline + 1


def test_malformed_id(checkout):
    rel = write(checkout, "9-x-04-raar.md", measure("Raar", "'mtr org 4'"))
    (problem,) = problems(build(checkout), "malformed-id")
    assert problem.path == rel and problem.value == "mtr org 4"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"\x00\x01\x02\xff\xfe garbage", "binary"),
        (b"---\ntitle: caf\xe9\n---\n", "not-utf8"),
        (b"", "empty-file"),
        (b"   \n\n", "empty-file"),
        (b"Alleen tekst, geen frontmatter.\n", "no-frontmatter"),
        (b"../../elders/bestand.md", "symlink-as-text"),
        (b"---\n- een\n- lijst\n---\n", "broken-yaml"),
    ],
)
def test_unreadable_files_are_skipped_with_reason(checkout, baseline, content, code):
    rel = write(checkout, "9-x-05-slecht.md", content)
    built = build(checkout)
    (problem,) = problems(built, code)
    assert problem.path == rel
    assert problem in built.skipped()
    assert count(built, AK.Measure) == baseline


def test_dangling_symlink(checkout, baseline):
    link = checkout / MEASURES / "9-x-06-link.md"
    os.symlink("../../bestaat-niet.md", link)
    built = build(checkout)
    (problem,) = problems(built, "dangling-symlink")
    assert problem.path == f"{MEASURES}/9-x-06-link.md"
    assert "bestaat-niet.md" in problem.message
    assert count(built, AK.Measure) == baseline


def test_symlink_out_of_the_checkout_is_not_followed(checkout, tmp_path, baseline):
    outside = tmp_path / "geheim.md"
    outside.write_text(measure("Geheim", "urn:nl:ak:mtr:geh-01"), encoding="utf-8")
    os.symlink(outside, checkout / MEASURES / "9-x-07-link.md")
    built = build(checkout)
    assert len(problems(built, "symlink-outside")) == 1
    assert count(built, AK.Measure) == baseline


def test_crlf_converts_like_lf(checkout, baseline):
    text = measure("Met CRLF", "urn:nl:ak:mtr:crl-01", "onderwerp:\n- data\n")
    write(checkout, "9-x-08-crlf.md", text.replace("\n", "\r\n").encode())
    built = build(checkout)
    subject = URIRef("urn:nl:ak:mtr:crl-01")
    assert built.data.value(subject, iris.AK.slug) == Literal("9-x-08-crlf")
    assert (subject, AK.topic, iris.concept("onderwerp", "data")) in built.data
    sections = [str(o) for o in built.data.objects(None, AK.markdown)]
    assert not any("\r" in s for s in sections)
    assert count(built, AK.Measure) == baseline + 1


def test_a_10_mb_file_converts(checkout, baseline):
    body = ("Een regel [met link](https://example.org/) tekst.\n\n" * 200_000)[: 10 * 2**20]
    write(checkout, "9-x-09-groot.md", measure("Groot", "urn:nl:ak:mtr:grt-01") + body)
    built = build(checkout)
    assert (URIRef("urn:nl:ak:mtr:grt-01"), iris.AK.slug, None) in built.data
    assert count(built, AK.Measure) == baseline + 1


def test_yaml_numbers_stay_strings(checkout):
    extra = "sources:\n  ARK: 1.10\n  ADR:\n  - 2.20\n"
    write(checkout, "9-x-10-codes.md", measure("Codes", "urn:nl:ak:mtr:cod-01", extra))
    built = build(checkout)
    subject = URIRef("urn:nl:ak:mtr:cod-01")
    assert (subject, AK.auditCriterion, iris.concept("ark", "1.10")) in built.data
    assert (iris.concept("adr", "2.20"), SKOS.notation, Literal("2.20")) in built.data


def test_undeclared_key_and_empty_list_item_stay_visible(checkout):
    extra = "bronnen:\n  ADR: SV.11\nvereiste:\n-\n"
    rel = write(checkout, "9-x-11-veld.md", measure("Veld", "urn:nl:ak:mtr:vld-01", extra))
    built = build(checkout)
    subject = URIRef("urn:nl:ak:mtr:vld-01")
    (undeclared,) = problems(built, "undeclared-field")
    assert (undeclared.path, undeclared.field) == (rel, "bronnen")
    node = built.data.value(subject, AK.undeclaredField)
    assert built.data.value(node, AK.fieldName) == Literal("bronnen")
    assert "SV.11" in built.data.value(node, AK.fieldValue)
    (empty,) = problems(built, "empty-list-item")
    assert (empty.path, empty.field) == (rel, "vereiste")
    assert (subject, AK.emptyListItem, Literal("vereiste")) in built.data


def test_unresolved_reference_stays_in_the_graph(checkout):
    extra = "vereiste:\n- aia-99-bestaat-niet\n"
    rel = write(checkout, "9-x-12-ref.md", measure("Ref", "urn:nl:ak:mtr:ref-01", extra))
    built = build(checkout)
    assert (rel, "vereiste", "aia-99-bestaat-niet") in built.unresolved
    node = iris.unresolved("vereiste", "aia-99-bestaat-niet")
    assert (URIRef("urn:nl:ak:mtr:ref-01"), AK.requirement, node) in built.data
    assert (node, RDF.type, AK.UnresolvedReference) in built.data


def test_unknown_list_value_is_reported_but_kept(checkout):
    extra = "onderwerp:\n- grondrechten\n"
    rel = write(checkout, "9-x-13-lijst.md", measure("Lijst", "urn:nl:ak:mtr:lst-01", extra))
    built = build(checkout)
    (problem,) = problems(built, "unknown-value")
    assert (problem.path, problem.field, problem.value) == (rel, "onderwerp", "grondrechten")
    topic = iris.concept("onderwerp", "grondrechten")
    assert (URIRef("urn:nl:ak:mtr:lst-01"), AK.topic, topic) in built.data


def test_duplicate_key_keeps_the_last_value_and_is_reported(checkout):
    extra = "hide:\n- toc\nhide:\n- navigation\n"
    rel = write(checkout, "9-x-14-dubbel.md", measure("Sleutel", "urn:nl:ak:mtr:key-01", extra))
    built = build(checkout)
    (problem,) = problems(built, "duplicate-key")
    assert (problem.path, problem.field) == (rel, "hide")
    assert (URIRef("urn:nl:ak:mtr:key-01"), AK.slug, None) in built.data


def test_missing_source_is_fatal(tmp_path):
    with pytest.raises(SourceError, match="no such folder"):
        build(tmp_path / "nergens")
    (tmp_path / "leeg").mkdir()
    with pytest.raises(SourceError, match="no docs/ folder"):
        build(tmp_path / "leeg")
