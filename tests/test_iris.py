"""Identifiers: minted and parsed in one module, round-tripping, one IRI per list value."""

import pytest

from akgraph import iris


def test_concepts_are_per_list():
    lists = ["risicogroep", "transparantieverplichting", "systeemrisico", "open-source"]
    iris_ = {iris.concept(name, "niet-van-toepassing") for name in lists}
    assert len(iris_) == 4
    assert str(iris.concept("rollen", "jurist")) == "urn:nl:ak:rollen:jurist"


def test_measure_and_requirement_with_same_code_differ():
    assert iris.item("measure", "dat-01") != iris.item("requirement", "dat-01")


def test_parse_round_trips_percent_encoding():
    odd = "waarde met spatie/én #teken"
    minted = iris.concept("onderwerp", odd)
    assert " " not in minted and "#" not in minted
    parsed = iris.parse(str(minted))
    assert (parsed.namespace, parsed.local) == ("onderwerp", odd)
    assert iris.parse("https://example.org/x") is None


def test_well_formed():
    assert iris.is_well_formed("urn:nl:ak:mtr:org-02")
    assert not iris.is_well_formed("urn:nl:ak:mtr:org 02")
    assert not iris.is_well_formed("0")


def test_glossary_slug_is_ascii():
    assert str(iris.glossary_term("Geïnformeerde toestemming")) == (
        "urn:nl:ak:begrip:geinformeerde-toestemming"
    )


def test_official_page():
    site = "https://minbzk.github.io/Algoritmekader/"
    assert str(iris.official_page(site, "rollen/jurist.md")) == site + "rollen/jurist/"
    assert str(iris.official_page(site, "rollen/index.md")) == site + "rollen/"


def test_sections_are_fragments_of_their_item():
    org02 = iris.item("measure", "org-02")
    toelichting = iris.section(str(org02), "Toelichting")
    assert str(toelichting) == "urn:nl:ak:mtr:org-02#toelichting"
    assert str(iris.section(str(org02), None)) == "urn:nl:ak:mtr:org-02#inleiding"
    assert str(iris.section(str(org02), "Risico", 2)) == "urn:nl:ak:mtr:org-02#risico-2"
    parsed = iris.parse(str(toelichting))
    assert (parsed.namespace, parsed.local) == ("mtr", "org-02")


def test_release_graphs_are_recognised_and_their_tag_read():
    assert iris.is_release(str(iris.release("v2.5.1")))
    assert iris.release_tag(str(iris.release("v2.5.1"))) == "v2.5.1"
    assert iris.release_tag(str(iris.release("a b"))) == "a b"
    for other in (iris.VOCABULARY_GRAPH, iris.HISTORY_GRAPH, iris.item("measure", "org-01")):
        assert not iris.is_release(str(other))
        assert iris.release_tag(str(other)) is None
    assert iris.release_tag("https://example.org/release:v1") is None


def test_local_part():
    assert iris.local("urn:nl:ak:mtr:org-01#toelichting") == "org-01"
    with pytest.raises(ValueError, match="not an akgraph URN"):
        iris.local("https://example.org/x")
