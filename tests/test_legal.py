"""The legal-link parser, one case per link form seen in the releases, and the IRIs minted."""

from __future__ import annotations

import pytest

from akgraph import iris
from akgraph.source import legal
from akgraph.source.legal import Act, Part

EURLEX = "https://eur-lex.europa.eu/legal-content/NL/"
AI_ACT = Act("eu", "32024R1689", "reg", 2024, 1689)


def _parts(parts) -> list[tuple[str, str]]:
    return [p.key for p in parts]


@pytest.mark.parametrize(
    ("text", "href", "act", "url", "text_parts"),
    [
        (  # CELEX, HTML view, opaque anchor ignored
            "Artikel 5 lid 1 onder a en b Algemene Verordening Gegevensbescherming",
            EURLEX + "TXT/HTML/?uri=CELEX:32016R0679#d1e1802-1-1",
            ("reg", 2016, 679),
            [],
            [("artikel", "5")],
        ),
        (  # Official Journal number: no type in the URL, "verordening" in the text
            "Artikel 14 verordening Artificiële Intelligentie",
            EURLEX + "TXT/HTML/?uri=OJ:L_202401689#d1e3669-1-1",
            (None, 2024, 1689),
            [],
            [("artikel", "14")],
        ),
        (  # CELEX with article anchor
            "Artikel 26, lid 9, AI-verordening",
            EURLEX + "TXT/?uri=CELEX:32024R1689#art_26",
            ("reg", 2024, 1689),
            [("artikel", "26")],
            [("artikel", "26")],
        ),
        (  # annex anchor
            "Bijlage III, onderdeel 2 en 5, AI-verordening",
            EURLEX + "TXT/?uri=CELEX:32024R1689#anx_III",
            ("reg", 2024, 1689),
            [("bijlage", "III")],
            [("bijlage", "III")],
        ),
        (  # chapter and section anchor
            "Artikel 16(f), AI-verordening",
            EURLEX + "TXT/?uri=CELEX:32024R1689#cpt_III.sct_3",
            ("reg", 2024, 1689),
            [("afdeling", "3")],
            [("artikel", "16")],
        ),
        (  # directive, PDF view, extra parameter
            "Artikel 3 en 4 van de DSM-richtlijn (EU 2019/790)",
            EURLEX + "TXT/PDF/?uri=CELEX:32019L0790&from=PL",
            ("dir", 2019, 790),
            [],
            [("artikel", "3"), ("artikel", "4")],
        ),
        (  # recital range
            "Overweging 29 - 44 AI-Verordening",
            EURLEX + "TXT/HTML/?uri=OJ:L_202401689",
            (None, 2024, 1689),
            [],
            [("overweging", str(n)) for n in range(29, 45)],
        ),
        (  # treaty: CELEX sector 1, no ELI type
            "Artikel 52 Handvest van de Grondrechten van de Europese Unie",
            EURLEX + "TXT/PDF/?uri=CELEX:12012P/TXT",
            (None, None, None),
            [],
            [("artikel", "52")],
        ),
        (  # ELI path
            "AI-verordening",
            "https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
            ("reg", 2024, 1689),
            [],
            [],
        ),
    ],
)
def test_eurlex_forms(text, href, act, url, text_parts):
    citation = legal.parse_citation(text, href)
    assert citation.act is not None
    assert (citation.act.type, citation.act.year, citation.act.number) == act
    assert _parts(citation.url_parts) == url
    assert _parts(citation.text_parts) == text_parts
    assert not citation.disagreement


@pytest.mark.parametrize(
    ("text", "href", "bwb", "url", "text_parts", "name"),
    [
        (  # Juriconnect with hierarchy and view dates
            "Artikel 1:3 Algemene wet bestuursrecht",
            "https://wetten.overheid.nl/jci1.3:c:BWBR0005537&hoofdstuk=1&titeldeel=1.1&artikel=1:3"
            "&z=2024-05-01&g=2024-05-01",
            "BWBR0005537",
            [("artikel", "1:3")],
            [("artikel", "1:3")],
            "Algemene wet bestuursrecht",
        ),
        (  # Juriconnect to a division
            "Afdeling 3.2 Algemene wet bestuursrecht",
            "https://wetten.overheid.nl/jci1.3:c:BWBR0005537&hoofdstuk=3&afdeling=3.2&z=2024-05-01",
            "BWBR0005537",
            [("afdeling", "3.2")],
            [("afdeling", "3.2")],
            "Algemene wet bestuursrecht",
        ),
        (  # plain URL with the parts in the fragment
            "Artikel 3:46 en 3:47 Awb",
            "https://wetten.overheid.nl/BWBR0005537/2024-09-01/#Hoofdstuk3_Afdeling3.7_Artikel3:46",
            "BWBR0005537",
            [("artikel", "3:46")],
            [("artikel", "3:46"), ("artikel", "3:47")],
            "Awb",
        ),
        (  # plain URL, whole law
            "Archiefbesluit 1995",
            "https://wetten.overheid.nl/BWBR0007748/2020-01-01",
            "BWBR0007748",
            [],
            [],
            "Archiefbesluit 1995",
        ),
        (  # "jo." and letters in article numbers
            "Artikel 15n jo. 15o Auteurswet",
            "https://wetten.overheid.nl/jci1.3:c:BWBR0001886&hoofdstuk=I&paragraaf=6&artikel=15n",
            "BWBR0001886",
            [("artikel", "15n")],
            [("artikel", "15n"), ("artikel", "15o")],
            "Auteurswet",
        ),
        (  # the article only in the URL, the text is the name
            "Grondwet",
            "https://wetten.overheid.nl/jci1.3:c:BWBR0001840&hoofdstuk=1&artikel=1",
            "BWBR0001840",
            [("artikel", "1")],
            [],
            "Grondwet",
        ),
    ],
)
def test_wetten_forms(text, href, bwb, url, text_parts, name):
    citation = legal.parse_citation(text, href)
    assert citation.act == Act("nl", bwb=bwb)
    assert _parts(citation.url_parts) == url
    assert _parts(citation.text_parts) == text_parts
    assert citation.name == name
    assert not citation.disagreement


def test_paragraph_lid_and_eu_dotted_numbers():
    text = "Artikel 6(4) Verordening Artificiële Intelligentie"
    (part,) = legal.parse_citation(text, EURLEX).text_parts
    assert (part.number, part.lid) == ("6", "4")
    text = "Artikel 6.2 Verordening Artificiële Intelligentie"
    (part,) = legal.parse_citation(text, EURLEX).text_parts
    assert (part.number, part.lid) == ("6", "2")
    dutch = "https://wetten.overheid.nl/jci1.3:c:BWBR0045754&artikel=2.5"
    (part,) = legal.parse_citation("Artikel 2.5 Wet open overheid", dutch).text_parts
    assert (part.number, part.lid) == ("2.5", None)


def test_line_break_in_text_and_name():
    citation = legal.parse_citation("artikel\n9 AVG", EURLEX + "TXT/HTML/?uri=CELEX:32016R0679")
    assert _parts(citation.text_parts) == [("artikel", "9")]
    assert citation.name == "AVG"
    assert citation.type_hint == "reg"


def test_disagreement_keeps_both():
    citation = legal.parse_citation(
        "Artikel 5 Wet open overheid",
        "https://wetten.overheid.nl/jci1.3:c:BWBR0045754&hoofdstuk=4&artikel=4.1&z=2024-08-01",
    )
    assert citation.disagreement
    assert _parts(citation.parts) == [("artikel", "4.1"), ("artikel", "5")]


def test_unidentified_act():
    citation = legal.parse_citation(
        "Artikel 21, Handvest van de grondrechten van de Europese Unie",
        EURLEX + "ALL/?uri=CELEX:C2012/326/02",
    )
    assert citation.act is None
    assert _parts(citation.text_parts) == [("artikel", "21")]
    assert legal.is_legal(citation.href)
    assert not legal.is_legal("https://www.autoriteitpersoonsgegevens.nl/")


def test_iris():
    art14 = Part("artikel", "14")
    assert str(iris.law(AI_ACT)) == "http://data.europa.eu/eli/reg/2024/1689/oj"
    assert str(iris.law_part(AI_ACT, art14)) == "http://data.europa.eu/eli/reg/2024/1689/art_14/oj"
    section = Part("afdeling", "3", (("hoofdstuk", "III"),))
    assert str(iris.law_part(AI_ACT, section)).endswith("/cpt_III.sct_3/oj")
    assert str(iris.law_page(AI_ACT, art14)).endswith("?uri=CELEX:32024R1689#art_14")
    oj_only = Act("eu", None, None, 2024, 1689)
    assert oj_only.with_type("reg") == AI_ACT
    awb = Act("nl", bwb="BWBR0005537")
    assert str(iris.law(awb)) == "https://wetten.overheid.nl/BWBR0005537"
    assert str(iris.law_part(awb, Part("artikel", "3:2"))) == "jci1.3:c:BWBR0005537&artikel=3:2"
    division = Part("afdeling", "3.2", (("hoofdstuk", "3"),))
    assert str(iris.law_part(awb, division)) == "jci1.3:c:BWBR0005537&hoofdstuk=3&afdeling=3.2"
    charter = Act("eu", "12012P/TXT")
    assert str(iris.law(charter)) == "http://publications.europa.eu/resource/celex/12012P%2FTXT"
    with pytest.raises(ValueError):
        iris.law(oj_only)
