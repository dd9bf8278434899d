"""MkDocs markup is removed, the rest of the Markdown kept; sections and links found."""

from akgraph.source import markdown

BODY = """<!-- tags -->

[Direct naar het hulpmiddel](https://example.org/x){ .md-button }

## Toelichting { data-search-exclude }
Tekst met een [link](../vereisten/aia-01-ai-geletterdheid.md#kop).

```
## geen kop in code
[geen link](nergens.md)
```

## Bijbehorende vereiste(n) { data-search-exclude }
<!-- Hier volgt een lijst -->

??? expander "Bekijk alle vereisten"
    <!-- list_vereisten_on_maatregelen_page -->

## Voorbeelden

!!! example "Een voorbeeld"

    Inhoud van het voorbeeld.
"""


def test_clean_removes_mkdocs_markup_only():
    cleaned = markdown.clean(BODY)
    assert "<!--" not in cleaned and "{ " not in cleaned
    assert "??? expander" not in cleaned  # empty once its placeholder is gone
    assert '!!! example "Een voorbeeld"' in cleaned and "Inhoud van het voorbeeld." in cleaned
    assert "[Direct naar het hulpmiddel](https://example.org/x)" in cleaned


def test_sections_and_links():
    parsed = markdown.parse(markdown.clean(BODY))
    headings = [s.heading for s in parsed.sections]
    assert headings == ["Toelichting", "Bijbehorende vereiste(n)", "Voorbeelden"]
    assert "## geen kop in code" in parsed.sections[0].markdown
    assert parsed.sections[1].markdown == ""
    hrefs = [link.href for link in parsed.links]
    assert hrefs == ["https://example.org/x", "../vereisten/aia-01-ai-geletterdheid.md#kop"]
    assert parsed.links[1].text == "link"


def test_glossary_lines():
    entries, broken = markdown.glossary("*[AI]: Kunstmatige intelligentie.\n*[kapot\n\n")
    assert [(e.term, e.definition, e.line) for e in entries] == [
        ("AI", "Kunstmatige intelligentie.", 1)
    ]
    assert broken == [(2, "*[kapot")]
