"""The interface in Dutch and English, over HTTP on the real release v2.5.1: the language from
``?lang=`` or ``Accept-Language``, kept by links and forms, told to caches; the catalogue
complete and compiled."""

from __future__ import annotations

import gettext
import re
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from akgraph.web import i18n

PO = i18n.TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
REPO = Path(__file__).resolve().parent.parent


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers={"Accept": "text/html", **headers})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


class _Page(HTMLParser):
    """The parts of a page these tests look at: html lang, h1, links, GET forms' fields."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.lang: str | None = None
        self.h1 = ""
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._in_h1 = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang")
        elif tag == "h1":
            self._in_h1 = True
        elif tag == "a" and found.get("href"):
            self.links.append(found["href"])
        elif tag == "form":
            self.forms.append({"method": found.get("method", "get"), "fields": {}})
        elif tag == "input" and self.forms:
            self.forms[-1]["fields"][found.get("name")] = found.get("value")

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        if self._in_h1:
            self.h1 += data


def test_every_message_is_translated_and_compiled():
    """Every text the templates and web/ mark is in the English catalogue with a translation,
    and the compiled .mo says the same as the .po."""
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in catalog if m.id}
    marked = {
        (message if isinstance(message, str) else message[0])
        for _, _, message, _, _ in extract_from_dir(
            str(REPO / "src" / "akgraph" / "web"),
            method_map=[("templates/**.html", "jinja2"), ("**.py", "python")],
            keywords={**DEFAULT_KEYWORDS, "_l": None},
        )
    }
    assert marked, "no marked messages found"
    assert not sorted(marked - set(translated)), "marked but not in the catalogue"
    empty = [k for k, v in translated.items() if not (v if isinstance(v, str) else v[0])]
    assert not empty, "no English translation"
    with PO.with_suffix(".mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for message in catalog:
        if message.id and isinstance(message.id, str):
            assert compiled.gettext(message.id) == message.string, message.id


@pytest.mark.parametrize(
    ("headers", "suffix", "expected"),
    [
        ({}, "", "nl"),
        ({"Accept-Language": "en-GB,en;q=0.9,nl;q=0.5"}, "", "en"),
        ({"Accept-Language": "nl-NL,en;q=0.5"}, "", "nl"),
        ({"Accept-Language": "fr"}, "", "nl"),
        ({}, "?lang=en", "en"),
        ({"Accept-Language": "en"}, "?lang=nl", "nl"),
        ({}, "?lang=xx", "nl"),
    ],
)
def test_language_from_parameter_or_header(corpus_server, headers, suffix, expected):
    status, response_headers, text = _get(corpus_server + "/" + suffix, **headers)
    page = _Page(text)
    assert status == 200
    assert page.lang == expected
    assert response_headers["Content-Language"] == expected
    assert "Accept-Language" in response_headers["Vary"]
    english = "The Algoritmekader as linked data"
    assert (page.h1.strip() == english) == (expected == "en")


def test_links_and_forms_keep_the_language(corpus_server):
    _, _, text = _get(corpus_server + "/?lang=en")
    page = _Page(text)
    internal = [h for h in page.links if h.startswith("/")]
    menu = [h for h in internal if re.match(r"^/(maatregelen|vereisten|releases|over)\b", h)]
    assert menu and all("lang=en" in h for h in menu), menu
    assert "/?lang=nl" in page.links  # the switch back
    for form in page.forms:
        if form["method"] == "get":
            assert form["fields"].get("lang") == "en", form
    # without ?lang= links stay as they are (the header decides)
    _, _, text = _get(corpus_server + "/", **{"Accept-Language": "en"})
    assert not [h for h in _Page(text).links if "lang=" in h and "lang=nl" not in h]


def test_machine_answers_carry_no_language(corpus_server):
    status, headers, text = _get(corpus_server + "/measures/?lang=en")
    assert status == 200 and "Content-Language" not in headers
    assert "lang=" not in text  # the records' links are the same in either language


def test_page_versions_are_cached_apart(corpus_server):
    """An item page rendered in Dutch is not served for English (page cache and ETag)."""
    url = corpus_server + "/doc/urn:nl:ak:mtr:org-02"
    _, dutch, dutch_text = _get(url)
    _, english, english_text = _get(url, **{"Accept-Language": "en"})
    assert dutch["ETag"] != english["ETag"]
    assert _Page(dutch_text).lang == "nl" and _Page(english_text).lang == "en"
    asked = {"Accept": "text/html", "Accept-Language": "en", "If-None-Match": dutch["ETag"]}
    request = urllib.request.Request(url, headers=asked)
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200  # not 304: the Dutch version does not satisfy it


def test_english_pages_translate_their_interface(corpus_server):
    expected = {
        "/over?lang=en": "About the data",
        "/releases?lang=en": "Releases",
        "/zoeken?q=bias&lang=en": "Search",
        "/bestaat-niet?lang=en": "Not found",
        "/maatregelen?lang=en": "Measures",
        "/queries/?lang=en": "Questions to the Algoritmekader",
        "/queries/measures-for-requirement?lang=en": "Measures for a requirement",
        "/query?lang=en": "Run a SPARQL query",
        "/validatie?lang=en": "Validation report",
        "/def?lang=en": "Algoritmekader ontology",
        "/toegankelijkheid?lang=en": "Accessibility",
        "/wat-geldt-voor-ons?risicogroep=hoog-risico-ai-systeem&lang=en": "What applies to us?",
        "/vereisten?risicogroep=hoog-risico-ai-systeem&lang=en": "Requirements",
        "/doc/urn:nl:ak:mtr:bestaat-niet?lang=en": "Not found",
    }
    for path, h1 in expected.items():
        _, _, text = _get(corpus_server + path)
        page = _Page(text)
        assert page.lang == "en" and page.h1.strip() == h1, path
    # pages whose h1 is the framework's own (Dutch) title: a text of the interface
    headings = {
        "/doc/urn:nl:ak:mtr:org-02?lang=en": "Provenance",
        "/doc/urn:nl:ak:ver:aia-09?lang=en": "Measures that help to meet this requirement",
        "/doc/urn:nl:ak:hlp:iama?lang=en": "Provenance",
        "/doc/urn:nl:ak:begrip:algoritme?lang=en": "<p>From the concept scheme <a",
        "/doc/urn:nl:ak:onderwerp:transparantie?lang=en": "Measures",
        "/doc/urn:nl:ak:levenscyclus?lang=en": "Concepts (",
        "/doc/urn:nl:ak:pagina:ai-verordening/index?lang=en": "Provenance",
    }
    for path, heading in headings.items():
        status, _, text = _get(corpus_server + path)
        assert status == 200 and _Page(text).lang == "en", path
        assert heading in text, path
        assert '<h1 lang="nl">' in text, path  # the framework's title, marked Dutch


def test_english_decision_aid(app):
    """The decision aid and the registry's pages, on the bundled sample, in English."""
    from tests.live import live

    with live(app) as base:
        expected = {
            "/beslishulp?lang=en": '<p class="kind">AI Act decision aid</p>',
            "/beslishulp?pad=0&lang=en": "question answered; question",
            "/doc/urn:nl:aivt:tr:iama:1.0?lang=en": "Questions of the instrument",
        }
        for path, shown in expected.items():
            status, _, text = _get(base + path)
            assert status == 200 and _Page(text).lang == "en", path
            assert shown in text, path


def test_vocabulary_labels_follow_the_page_language(corpus_server):
    """A facet value shows the vocabulary's label in the page's language, marked Dutch only
    when it is the Dutch one (regression: English labels were marked lang="nl")."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import SKOS

    vocabularies = Graph().parse(REPO / "ontology" / "vocabularies.ttl")
    value = URIRef("urn:nl:ak:risicogroep:hoog-risico-ai-systeem")
    labels = {label.language: str(label) for label in vocabularies.objects(value, SKOS.prefLabel)}
    assert labels.get("en") and labels.get("nl") and labels["en"] != labels["nl"]
    field = 'for="f-risicogroep-hoog-risico-ai-systeem"'
    for lang, expected_attr in (("en", ""), ("nl", "")):
        _, _, text = _get(f"{corpus_server}/vereisten?lang={lang}")
        found = re.search(rf"<label {field}([^>]*)>([^<]+)<", text)
        assert found, lang
        assert found.group(2).strip() == labels[lang]
        assert found.group(1) == expected_attr  # an English label is not marked Dutch
