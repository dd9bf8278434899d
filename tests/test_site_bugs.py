"""Regression tests for the bugs seen in the browser (issue 16, item 5): the header search box,
chips in phase order, search snippets as text, HTML 404 pages, the validation page, and a clean
shutdown of ``akgraph serve``."""

from __future__ import annotations

import html as htmlmod
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.live import free_port, wait_for
from tests.scan import scan

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def corpus(corpus_app):
    return corpus_app.test_client()


def _search_box(page: str) -> str:
    (value,) = re.findall(r'<input id="zoekterm" name="q" type="search" value="([^"]*)"', page)
    return htmlmod.unescape(value)


def test_named_query_pages_leave_the_search_box_empty(corpus):
    index = corpus.get("/queries/").get_data(as_text=True)
    names = set(re.findall(r'href="/queries/([\w-]+)"', index))
    assert len(names) >= 10
    for name in sorted(names):
        page = corpus.get(f"/queries/{name}").get_data(as_text=True)
        assert _search_box(page) == "", name
    assert _search_box(corpus.get("/zoeken?q=bias").get_data(as_text=True)) == "bias"


def _phase_numbers(root: Path) -> dict[str, int]:
    """Phase slug -> the number in its page title ("Fase 2, ontwerp"), read from the source."""
    numbers = {}
    for path in (root / "docs" / "levenscyclus").glob("*.md"):
        found = re.search(r"^title:\s*Fase (\d+)", path.read_text(encoding="utf-8"), re.M)
        if found:
            numbers[path.stem] = int(found.group(1))
    return numbers


def test_lifecycle_chips_and_phase_groups_in_phase_order(corpus, latest_path):
    numbers = _phase_numbers(latest_path)
    assert len(numbers) >= 8
    checked = 0
    for scanned in scan(latest_path)["measure"]:
        phases = [p for p in scanned.fields.get("levenscyclus", []) if p in numbers]
        if len(phases) < 3:
            continue
        ident = scanned.fields["id"][0]
        page = corpus.get(f"/doc/{ident}").get_data(as_text=True)
        chips = page.split("<dt>Levenscyclus</dt>", 1)[1].split("</dd>", 1)[0]
        shown = re.findall(r'href="/doc/urn:nl:ak:levenscyclus:([\w-]+)"', chips)
        assert shown == sorted(phases, key=numbers.get), ident
        checked += 1
    assert checked >= 5
    # a requirement page groups its measures by phase, in phase order
    page = corpus.get("/doc/urn:nl:ak:ver:aia-09").get_data(as_text=True)
    groups = re.findall(r"<h4>Fase (\d+)", page)
    assert len(groups) >= 3 and groups == sorted(groups, key=int)


MARKDOWN = re.compile(r"\*\*|\]\(|^#|!!!|\?\?\?|<[a-z]+[ >]|\{:|__", re.M)


def test_search_snippets_are_text_not_markdown(corpus, latest_path):
    for word in ("bias", "toezicht", "algoritmeregister", "persoonsgegevens", "data"):
        page = corpus.get(f"/zoeken?q={word}").get_data(as_text=True)
        found = re.findall(r"</code><p>(.*?)</p></li>", page, re.S)
        snippets = [htmlmod.unescape(s) for s in found]
        assert snippets, word
        for snippet in snippets:
            assert not MARKDOWN.search(snippet), (word, snippet)
    # the source does hold Markdown around these words (links, bold, headings)
    text = "".join(p.read_text(encoding="utf-8") for p in (latest_path / "docs").rglob("*.md"))
    assert "](" in text and "**" in text


@pytest.mark.parametrize(
    "path", ["/nothing", "/maatregelen/extra", "/queries/none", "/diff?from=x"]
)
def test_unknown_path_is_an_html_page_for_browsers(client, path):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 404 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<h1>Niet gevonden</h1>" in page and 'href="/"' in page
    plain = client.get(path)  # no Accept: plain text as before, for scripts
    assert plain.status_code == 404 and plain.mimetype == "text/plain"
    api = client.get("/sparql/nothing", headers={"Accept": accept})
    assert api.mimetype == "text/plain"


def test_validation_page_by_severity_then_file(corpus, latest_build):
    from akgraph.validate import validate

    report = validate(latest_build.union())
    counts = {str(level): n for level, n in report.counts().items()}
    page = corpus.get("/validatie").get_data(as_text=True)
    sections = re.findall(r'<section class="severity (\w+)" id="(\w+)"', page)
    assert [s for s, _ in sections] == ["violation", "warning", "info"]
    for level, n in counts.items():
        assert f'href="#{level}">{n} ' in page, level
        body = page.split(f'id="{level}"', 1)[1].split('<section class="severity', 1)[0]
        assert body.count(f'<li class="{level}">') == n, level
        anchors = re.findall(r'<section class="file" id="([^"]+)"', body)
        assert len(anchors) == len(set(anchors))
        for anchor in anchors:
            assert f'href="#{anchor}"' in body
        files = {f.path or "(graph)" for f in report.findings if str(f.level) == level}
        assert len(anchors) == len(files), level


def _processes(pgid: int) -> list[int]:
    """Live (not zombie) processes of process group ``pgid``."""
    psutil = pytest.importorskip("psutil")
    found = []
    for process in psutil.process_iter(["pid", "status"]):
        try:
            if os.getpgid(process.pid) == pgid and process.info["status"] != psutil.STATUS_ZOMBIE:
                found.append(process.pid)
        except (ProcessLookupError, psutil.Error):
            continue
    return found


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_serve_stops_cleanly_on_a_signal(sample_path, signum):
    port = free_port()
    akgraph = str(Path(sys.executable).parent / "akgraph")
    command = [akgraph, "serve", str(sample_path), "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{port}/", 120)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D") as r:
            assert r.status == 200  # the query workers are running
        assert len(_processes(server.pid)) >= 3
        if signum == signal.SIGINT:
            os.killpg(server.pid, signum)  # what Ctrl+C in a terminal does
        else:
            server.send_signal(signum)
        _, err = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    assert server.returncode == 0, err
    assert "Traceback" not in err and "Error" not in err, err
    first = err.splitlines()[0]
    assert f"http://127.0.0.1:{port}/ " in first, first
    deadline = time.monotonic() + 10
    while _processes(server.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes(server.pid) == []
