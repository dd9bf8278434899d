"""The releases are browsable: /releases lists every loaded release with a link to each diff
(also as JSON), and the diff shows the changed text as a word diff per section. Over a real
HTTP server on the shared releases; expected answers come from the exports' SOURCE files and a
plain reading of their Markdown."""

from __future__ import annotations

import html
import json
import re
import subprocess
import urllib.request
from pathlib import Path

import pytest

from akgraph.history import word_diff
from tests.conftest import RELEASES, corpus_release
from tests.scan import FOLDERS, scan
from tests.test_cli import AKGRAPH

COUNTED = {"measures": "measure", "requirements": "requirement", "instruments": "instrument"}


@pytest.fixture(scope="module")
def server(releases_server):
    """The app on v2.0, v2.2.0 and v2.5.1 together over HTTP (conftest's, shared)."""
    return releases_server


def get(url: str, accept: str | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status, response.headers["Content-Type"], response.read().decode()


def expected_releases() -> list[dict]:
    """Tag, commit and date from each export's SOURCE file; counts of its item files."""
    found = []
    for tag in RELEASES:
        root = corpus_release(tag)
        source_tag, commit, date = (root / "SOURCE").read_text().split()[:3]
        counts = {
            name: sum(1 for p in (root / FOLDERS[kind]).glob("*.md") if p.stem != "index")
            for name, kind in COUNTED.items()
        }
        found.append({"tag": source_tag, "commit": commit, "date": date, "counts": counts})
    return found


def test_releases_page_lists_every_release_with_a_link_to_its_diff(server):
    status, media_type, page = get(f"{server}/releases")
    assert status == 200 and media_type.startswith("text/html")
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", page, re.S)
    expected = expected_releases()
    assert len(rows) == len(expected)
    for position, (row, release) in enumerate(zip(rows, expected, strict=True)):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.split(r"</t[hd]>", row)][:7]
        counts = release["counts"]
        assert cells[:6] == [
            release["tag"],
            release["date"],
            release["commit"][:12],
            str(counts["measures"]),
            str(counts["requirements"]),
            str(counts["instruments"]),
        ]
        assert f'title="{release["commit"]}"' in row
        links = re.findall(r'href="(/diff\?[^"]+)"', row)
        if position == 0:
            assert links == []
            continue
        before = expected[position - 1]["tag"]
        assert [html.unescape(link) for link in links] == [
            f"/diff?from={before}&to={release['tag']}"
        ]
        status, _, diff_page = get(server + html.unescape(links[0]))
        assert status == 200
        assert f"<h1>Wat veranderde van {before} naar {release['tag']}</h1>" in diff_page


def test_releases_as_data(server):
    by_format = json.loads(get(f"{server}/releases?format=json")[2])
    status, media_type, body = get(f"{server}/releases", accept="application/json")
    assert status == 200 and media_type == "application/json"
    assert json.loads(body) == by_format
    entries = by_format["releases"]
    for position, (entry, release) in enumerate(zip(entries, expected_releases(), strict=True)):
        assert {k: entry[k] for k in ("tag", "commit", "date", "counts")} == release
        assert entry["release"] == f"urn:nl:ak:release:{release['tag']}"
        if position == 0:
            assert entry["previous"] is None and entry["diff"] is None
            continue
        assert entry["previous"] == entries[position - 1]["tag"]
        diff = json.loads(get(entry["diff"] + "&format=json")[2])
        assert (diff["from"], diff["to"]) == (entry["previous"], entry["tag"])


def test_every_page_links_to_the_releases(server):
    assert 'href="/releases"' in get(f"{server}/")[2]


def test_one_release_has_no_diff(corpus_server):
    (entry,) = json.loads(get(f"{corpus_server}/releases?format=json")[2])["releases"]
    assert entry["tag"] == "v2.5.1" and entry["diff"] is None
    assert "/diff?" not in get(f"{corpus_server}/releases")[2]


# -- the word diff --------------------------------------------------------------------------


def _files(tag: str) -> dict[str, Path]:
    """The file of each URN in the export (an id claimed by one file; instruments by slug)."""
    root = corpus_release(tag)
    scanned = scan(root)
    claims: dict[str, list[Path]] = {}
    for kind in ("measure", "requirement"):
        for f in scanned[kind]:
            claims.setdefault(f.fields["id"][0], []).append(root / f.path)
    for f in scanned["instrument"]:
        claims.setdefault(f"urn:nl:ak:hlp:{f.slug.lower()}", []).append(root / f.path)
    return {urn: paths[0] for urn, paths in claims.items() if len(paths) == 1}


def _words(path: Path) -> str:
    """The text after the frontmatter as single-spaced words, without HTML comments and
    MkDocs attribute lists (``{ .md-button }``), which the site does not show either."""
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    text = text.split("\n---", 1)[1]
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"\{\s*(?:[:.#]|data-)[^{}\n]*\}", " ", text)
    return " " + " ".join(text.split()) + " "


def _pattern(words: list[dict], side: str) -> str:
    """A regex for one side of a word diff: its unchanged runs and its own changes in order,
    ``…`` standing for exactly that many words."""
    parts = []
    for w in words:
        if w["op"] == "…":
            parts.append(r"(?:\S+ ){" + str(int(w["text"])) + "}")
        elif w["op"] in ("=", side):
            parts.append(re.escape(w["text"]) + " ")
    return " " + "".join(parts)


@pytest.fixture(scope="module")
def diff_json(server) -> dict:
    return json.loads(get(f"{server}/diff?from=v2.2.0&to=v2.5.1&format=json")[2])


def test_the_word_diff_of_every_section_is_the_markdown_of_both_releases(diff_json):
    before, after = _files("v2.2.0"), _files("v2.5.1")
    checked = 0
    for change in diff_json["changed"]:
        assert ("text" in change["fields"]) == bool(change["sections"]), change["urn"]
        if change["urn"] not in before or change["urn"] not in after:
            continue
        old, new = _words(before[change["urn"]]), _words(after[change["urn"]])
        for section in change["sections"]:
            ops = {w["op"] for w in section["words"]}
            assert ops & {"-", "+"}, (change["urn"], section["heading"])
            for side, text in (("-", old), ("+", new)):
                if side in ops or "=" in ops:
                    assert re.search(_pattern(section["words"], side), text), (
                        change["urn"],
                        section["heading"],
                        side,
                    )
            checked += 1
    assert checked > 200


def test_a_changed_sentence_read_by_hand(server, diff_json):
    """IAMA's description, v2.2.0 → v2.5.1: "Impact Assessment voor Mensenrechten bij de inzet
    van Algoritmes (IAMA) is een instrument voor overheidsorganen om een interdisciplinaire
    dialoog en besluitvorming te faciliteren" became "Impact Assessment Mensenrechten en
    Algoritmes (IAMA) is een instrument voor overheidsorganen dat een interdisciplinaire dialoog
    faciliteert en besluitvorming ondersteunt"."""
    old, new = (
        _words(_files("v2.2.0")["urn:nl:ak:hlp:iama"]),
        _words(_files("v2.5.1")["urn:nl:ak:hlp:iama"]),
    )
    assert "Impact Assessment voor Mensenrechten bij de inzet van Algoritmes (IAMA)" in old
    assert "Impact Assessment Mensenrechten en Algoritmes (IAMA)" in new
    (change,) = [c for c in diff_json["changed"] if c["urn"] == "urn:nl:ak:hlp:iama"]
    (section,) = [s for s in change["sections"] if s["heading"] == "Hulpmiddel"]
    changes = [(w["op"], w["text"]) for w in section["words"] if w["op"] in "-+"][:6]
    assert changes == [
        ("-", "voor"),
        ("-", "bij de inzet van"),
        ("+", "en"),
        ("-", "om"),
        ("+", "dat"),
        ("+", "faciliteert"),
    ]
    page = get(f"{server}/diff?from=v2.2.0&to=v2.5.1")[2]
    block = page.split('href="/doc/urn:nl:ak:hlp:iama"', 1)[1].split("</section>", 1)[0]
    assert "<h4>Hulpmiddel</h4>" in block
    assert (
        "Assessment <del>voor</del> Mensenrechten <del>bij de inzet van</del> <ins>en</ins>"
        in block
    )


def test_word_diff_gives_back_both_texts_without_elision():
    """On the Markdown of every item in both v2.2.0 and v2.5.1: the unchanged and dropped runs
    are the old text, the unchanged and added runs the new one."""
    before, after = _files("v2.2.0"), _files("v2.5.1")
    for urn in sorted(before.keys() & after.keys()):
        old, new = _words(before[urn]).strip(), _words(after[urn]).strip()
        runs = word_diff(old, new, context=10**6)
        assert " ".join(t for op, t in runs if op in "=-" and t) == old
        assert " ".join(t for op, t in runs if op in "=+" and t) == new
        assert "…" not in {op for op, _ in runs}


def test_cli_diff_prints_the_word_diff():
    done = subprocess.run(
        [AKGRAPH, "diff", str(corpus_release("v2.2.0")), str(corpus_release("v2.5.1"))],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (line,) = [
        line for line in done.stdout.splitlines() if "urn:nl:ak:hlp:iama § Hulpmiddel" in line
    ]
    assert "Assessment [-voor-] Mensenrechten [-bij de inzet van-] {+en+} Algoritmes" in line


# -- version nodes ----------------------------------------------------------------------------


def _title(path: Path) -> str:
    scanned = {f.path: f for files in scan(path.parents[3]).values() for f in files}
    return scanned[path.relative_to(path.parents[3]).as_posix()].fields["title"][0]


def _headings(path: Path) -> list[str]:
    """The ``##`` headings of the file whose section holds more than comments and the headers
    of admonitions or expanders (``??? expander "…"``) that hold nothing else."""
    text = path.read_text(encoding="utf-8").split("\n---", 1)[1]
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"^\s*(?:\?\?\?\+?|!!!)\s.*$", "", text, flags=re.M)
    parts = re.split(r"^## ([^\n{]+).*$", text, flags=re.M)
    return [h.strip() for h, body in zip(parts[1::2], parts[2::2], strict=True) if body.strip()]


def test_a_version_node_shows_that_releases_title_text_and_release(server):
    """urn:nl:ak:mtr:dat-12 named another measure in v2.0 than from v2.2.0 on: each version
    node shows the title and the section headings of the file that held the URN then."""
    urn = "urn:nl:ak:mtr:dat-12"
    for position, tag in enumerate(RELEASES):
        path = _files(tag)[urn]
        status, media_type, page = get(f"{server}/doc/urn:nl:ak:versie:{tag}:mtr:dat-12")
        assert status == 200 and media_type.startswith("text/html")
        assert f"<h1>{html.escape(_title(path), quote=False)}</h1>" in page
        assert f'<a href="/doc/urn:nl:ak:release:{tag}">{tag}</a>' in page
        assert f"<code>{path.stem}</code>" in page
        shown = [html.unescape(h) for h in re.findall(r'<h2 id="h-[^"]*">(.*?)</h2>', page)]
        assert shown == _headings(path)
        text = "".join(re.findall(r'<section class="text".*?</section>', page, re.S))
        assert "/doc/urn:nl:ak:versie:" not in text  # its links go to items, not to versions
        reassigned = position and _files(RELEASES[position - 1])[urn].stem != path.stem
        if position:
            previous = RELEASES[position - 1]
            # the item before: by docs/reassignments-v2.0-v2.2.0.md, v2.2.0's dat-12 was dat-02
            code = "dat-02" if reassigned else "dat-12"
            assert f'Vorige versie: <a href="/doc/urn:nl:ak:versie:{previous}:mtr:{code}">' in page
            version = f"/doc/urn:nl:ak:versie:{previous}:mtr:dat-12"
            urn_before = f'een ander onderdeel: <a href="{version}">'
            assert (urn_before in page) == bool(reassigned)
        assert ("duidde de URN een ander onderdeel aan" in page) == bool(reassigned)
    assert reassigned is False  # v2.2.0 → v2.5.1: the same file
    item_page = get(f"{server}/doc/{urn}")[2]
    assert "/doc/urn:nl:ak:versie:" not in item_page.split('id="geschiedenis"')[0]
