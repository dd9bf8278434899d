"""Concept pages (topics, roles, lifecycle phases) as complete as the official ones (issue 16,
item 2), checked against a plain scan of the Markdown on every shared release."""

from __future__ import annotations

import html as htmlmod
import re
from pathlib import Path

import pytest

from akgraph.web import state
from tests.scan import scan

FOLDERS = {"levenscyclus": "levenscyclus", "rollen": "rollen", "onderwerpen": "onderwerp"}
OVERVIEWS = {"index", "over-de-levenscyclus"}
WORD = re.compile(r"\w+")


def concept_pages(root: Path) -> list[tuple[str, Path]]:
    """(URN, file) of every topic, role and phase page, by folder."""
    return [
        (f"urn:nl:ak:{name}:{path.stem}", path)
        for folder, name in FOLDERS.items()
        for path in sorted((root / "docs" / folder).glob("*.md"))
        if path.stem not in OVERVIEWS
    ]


def source_sections(text: str) -> list[tuple[str, str]]:
    """(heading, Markdown) of a page's body split at ``## ``, leaving out the sections left
    empty once placeholders (HTML comments the official site fills with lists) are gone."""
    body = re.sub(r"\A---\n.*?\n---\n", "", text.replace("\r\n", "\n"), flags=re.S)
    body = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    body = re.sub(r"^# .*$", "", body, count=1, flags=re.M)
    parts = re.split(r"^## (.*)$", body, flags=re.M)
    sections = [("", parts[0]), *zip(parts[1::2], parts[2::2], strict=True)]
    kept = []
    for heading, markdown in sections:
        heading = re.sub(r"\{[^}\n]*\}", "", heading).strip()
        if _words(markdown):
            kept.append((heading, markdown))
    return kept


def _words(markdown: str) -> int:
    body = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", markdown)  # images
    body = re.sub(r"\]\([^)]*\)", "]", body)  # link targets
    body = re.sub(r"\{[^}\n]*\}", "", body)  # attribute lists
    body = re.sub(r"^[ \t]*(?:!!!|\?\?\?\+?)[ \t]+[\w-]+", "", body, flags=re.M)
    body = re.sub(r"</?[a-zA-Z][^>]*>", "", body)
    return len(WORD.findall(body.replace("_", " ")))


def source_words(text: str) -> int:
    """Words of a page's body as a reader sees them: no frontmatter, title, markup or URLs."""
    return sum(_words(h) + _words(m) for h, m in source_sections(text))


def page_text_words(page: str) -> int:
    sections = re.findall(r'<section class="text"[^>]*>(.*?)</section>', page, re.S)
    text = htmlmod.unescape(re.sub(r"<[^>]+>", " ", " ".join(sections)))
    return len(WORD.findall(text.replace("_", " ")))


@pytest.fixture(scope="module")
def pages(release_build):
    from akgraph.web import create_app

    app = create_app({"TESTING": True, "SOURCE": release_build, "TIMEOUT": 5, "WORKERS": 1})
    yield app.test_client()
    state.of(app).backend.close()


def test_concept_pages_hold_the_full_text(pages, release_path):
    found = concept_pages(release_path)
    assert len(found) >= 20
    total_source = total_page = 0
    for urn, path in found:
        page = pages.get(f"/doc/{urn}").get_data(as_text=True)
        source, shown = source_words(path.read_text(encoding="utf-8")), page_text_words(page)
        total_source, total_page = total_source + source, total_page + shown
        assert abs(shown - source) <= 0.05 * source + 2, (urn, source, shown)
        headings = [h for h, _ in source_sections(path.read_text(encoding="utf-8")) if h]
        texts = re.findall(r'<section class="text".*?</section>', page, re.S)
        shown_headings = re.findall(r'<h2 id="h-[^"]*">(.*?)</h2>', " ".join(texts))
        assert [htmlmod.unescape(h) for h in shown_headings] == headings, urn
    assert abs(total_page - total_source) <= 0.05 * total_source


def _links_in(page: str, section_id: str) -> list[str]:
    match = re.search(rf'<section[^>]*id="{section_id}".*?</section>', page, re.S)
    return re.findall(r'href="/doc/(urn:nl:ak:[^"#]+)"', match.group(0)) if match else []


def test_concept_pages_group_what_carries_the_label(pages, release_path, release_build):
    from rdflib import URIRef

    from akgraph.iris import AK

    graph = release_build.union()
    scanned = scan(release_path)
    phases = {
        p.stem: int(m.group(1))
        for p in (release_path / "docs" / "levenscyclus").glob("*.md")
        if (m := re.search(r"^title:\s*Fase (\d+)", p.read_text(encoding="utf-8"), re.M))
    }
    kinds = {
        "measure": "alle-maatregelen",
        "requirement": "alle-vereisten",
        "instrument": "alle-hulpmiddelen",
    }
    for urn, _path in concept_pages(release_path):
        field, value = urn.split(":")[3], urn.split(":")[4]
        page = pages.get(f"/doc/{urn}").get_data(as_text=True)
        assert not re.search(r"<h2>[Vv]erwijst naar", page), urn  # inbound named as outbound
        assert "#closeMatch" not in page and "<dt>rol</dt>" not in page, urn
        assert not re.search(r">https?://[^<\s]*#\w+<", page), urn  # raw IRIs as link text
        for kind, section in kinds.items():
            expected = {f.path for f in scanned[kind] if value in f.fields.get(field, [])}
            shown = {str(graph.value(URIRef(u), AK.sourcePath)) for u in _links_in(page, section)}
            assert shown == expected, (urn, kind)
            if expected:
                assert f'<h2 id="h-{section}">' in page
        if field != "levenscyclus":
            match = re.search(r'<section[^>]*id="alle-maatregelen".*?</section>', page, re.S)
            if match:
                shown = re.findall(r"<h3[^>]*>Fase (\d+)", match.group(0))
                assert shown == sorted(shown, key=int), urn
                assert len(shown) == len(set(shown))
    assert phases
