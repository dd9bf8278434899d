"""The change feed is a Linked Data Event Stream that a real LDES client (npm ``ldes-client``,
run with node over HTTP on loopback) replicates: from the feed alone it gets every version of
every item of every release held. The expected versions come from a plain scan of each shared
release's Markdown (file, frontmatter id and title, prose lines) and its SOURCE file, not from
akgraph."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF

from tests.conftest import RELEASES, REPO, corpus_release
from tests.scan import ScannedFile, scan
from tests.test_history import hand_checked

AK = "https://w3id.org/algoritmekader/def#"
LDES = "https://w3id.org/ldes#"
TREE = "https://w3id.org/tree#"
CLIENT = REPO / "node_modules" / "ldes-client"
SCRIPT = REPO / "tests" / "ldes_replicate.mjs"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not found: the LDES client test needs Node.js (and npm ci)")
    if not (CLIENT / "package.json").is_file():
        pytest.skip("npm package ldes-client not installed: run npm ci (scripts/static does)")
    return node


@pytest.fixture(scope="module")
def server(releases_server):
    """The app on the shared releases v2.0, v2.2.0 and v2.5.1 over HTTP (conftest's, shared)."""
    return releases_server


def replicate(url: str, mode: str = "ascending") -> tuple[list[dict], list[dict]]:
    """Pages and members the LDES client reads from the stream at ``url`` (``mode``: the
    order, or ``last-version-only``)."""
    node = _node()
    done = subprocess.run(
        [node, str(SCRIPT), url, mode],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return [e for e in lines if "page" in e], [e for e in lines if "member" in e]


@pytest.fixture(scope="module")
def replicated(server):
    return replicate(f"{server}/ldes")


@pytest.fixture(scope="module")
def members(replicated) -> dict[str, tuple[dict, Graph]]:
    """Each member by its IRI: the client's record and its quads as a graph."""
    found = {}
    for entry in replicated[1]:
        assert entry["member"] not in found, f"{entry['member']} emitted twice"
        quads = entry["quads"]  # all in the default graph: N-Triples
        found[entry["member"]] = (entry, Graph().parse(data=quads, format="nt"))
    return found


def source_dates() -> dict[str, str]:
    """Release date of each shared release, from its SOURCE file."""
    return {tag: (corpus_release(tag) / "SOURCE").read_text().split()[2] for tag in RELEASES}


def expected_files() -> dict[tuple[str, str], ScannedFile]:
    """Every item file of every release, by (tag, path)."""
    return {
        (tag, scanned.path): scanned
        for tag in RELEASES
        for files in scan(corpus_release(tag)).values()
        for scanned in files
    }


def _one(graph: Graph, subject: URIRef, predicate: str) -> str:
    values = list(graph.objects(subject, URIRef(predicate)))
    assert len(values) == 1, f"{subject} {predicate}: {values}"
    return str(values[0])


def _by_file(members) -> dict[tuple[str, str], tuple[dict, Graph, URIRef]]:
    found = {}
    for iri, (entry, graph) in members.items():
        subject = URIRef(iri)
        release = _one(graph, subject, AK + "release")
        assert release.startswith("urn:nl:ak:release:")
        key = (release.removeprefix("urn:nl:ak:release:"), _one(graph, subject, AK + "sourcePath"))
        assert key not in found, f"two members for {key}"
        found[key] = (entry, graph, subject)
    return found


def test_every_version_of_every_item_is_in_the_feed(members):
    by_file = _by_file(members)
    expected = expected_files()
    assert sorted(by_file) == sorted(expected)
    dates = source_dates()
    for (tag, path), scanned in expected.items():
        entry, graph, subject = by_file[(tag, path)]
        assert entry["timestamp"] == f"{dates[tag]}T00:00:00.000Z"
        assert (subject, RDF.type, URIRef(AK + "ItemVersion")) in graph
        assert _one(graph, subject, str(DCTERMS.title)) == scanned.fields["title"][0], path
        assert entry["isVersionOf"] == _one(graph, subject, str(DCTERMS.isVersionOf))
        assert entry["isVersionOf"] == _one(graph, subject, AK + "versionOf")


def test_each_version_names_its_item_by_the_urn_of_its_frontmatter(members):
    """A URN claimed by one file of a release is that file's item; a URN several files claim
    goes to at most one of them; a release has one version per item."""
    by_file = _by_file(members)
    claims: dict[tuple[str, str], list[str]] = defaultdict(list)
    for (tag, path), scanned in expected_files().items():
        if scanned.fields.get("id"):
            claims[(tag, scanned.fields["id"][0])].append(path)
    checked = 0
    for (tag, urn), paths in claims.items():
        given = [by_file[(tag, p)][0]["isVersionOf"] for p in paths]
        if len(paths) == 1:
            assert given == [urn], paths[0]
            checked += 1
        else:
            assert given.count(urn) <= 1, f"{urn} in {tag} given to {paths}"
    assert checked > 500
    per_release = Counter((key[0], entry["isVersionOf"]) for key, (entry, _, _) in by_file.items())
    assert max(per_release.values()) == 1


_PROSE = re.compile("^[\\w(\"'\u2018\u201c]")


def _words(text: str) -> str:
    return " ".join(text.split())


def test_each_version_carries_its_text(members):
    """Every prose line of a file's body is in the member's section of that heading."""
    by_file = _by_file(members)
    lines = 0
    for (tag, path), _ in expected_files().items():
        _, graph, subject = by_file[(tag, path)]
        sections: dict[str, str] = {}
        for section in graph.objects(subject, URIRef(AK + "section")):
            assert isinstance(section, BNode)  # bounded by the member, so the client keeps it
            heading = str(graph.value(section, URIRef(AK + "heading")) or "")
            sections[heading] = _words(str(graph.value(section, URIRef(AK + "markdown"))))
        text = (corpus_release(tag) / path).read_text(encoding="utf-8").replace("\r\n", "\n")
        body = re.sub(r"<!--.*?-->", "", text.split("\n---", 1)[1], flags=re.S)
        heading = ""
        for line in body.split("\n"):
            if line.startswith("## "):
                heading = re.sub(r"\{[^}]*\}\s*$", "", line[3:]).strip()
                continue
            prose = re.sub(r"^(?:[-*+]|\d+\.)\s+", "", line.strip())
            if not prose or "{" in prose or not _PROSE.match(prose):
                continue
            lines += 1
            assert _words(prose) in sections.get(heading, ""), (path, heading, prose)
    assert lines > 5000


def test_versions_link_to_the_version_before_in_the_feed(members):
    """A version points at the version before of the same item (``prov:wasRevisionOf``: the
    member of the same URN in the latest earlier release, or of its old IRI where the item
    moved, none where it is new) and, where its URN named another item before, at that member
    (``ak:reassignedFrom``); moves, additions and reassignments as checked by hand in
    docs/reassignments-v2.0-v2.2.0.md (none from v2.2.0 to v2.5.1)."""
    checked = hand_checked()
    moved_from = {new: old for old, new in checked["moved"]}
    by_urn: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for iri, (entry, _) in members.items():
        by_urn[entry["isVersionOf"]].append((entry["timestamp"], iri))
    linked = moves = 0
    for iri, (entry, graph) in members.items():
        urn = entry["isVersionOf"]
        earlier = sorted(v for v in by_urn[urn] if v[0] < entry["timestamp"])
        before = {earlier[-1][1]} if earlier else set()
        revised = {str(o) for o in graph.objects(URIRef(iri), PROV.wasRevisionOf)}
        reassigned = {str(o) for o in graph.objects(URIRef(iri), URIRef(AK + "reassignedFrom"))}
        if iri.startswith("urn:nl:ak:versie:v2.2.0:"):
            if urn in moved_from:
                moves += 1
                code, local = moved_from[urn].split(":")[3:5]
                assert revised == {f"urn:nl:ak:versie:v2.0:{code}:{local}"}, iri
            else:
                assert revised == (set() if urn in checked["added"] else before), iri
            assert reassigned == (before if urn in checked["reassigned"] else set()), iri
        else:
            assert (revised, reassigned) == (before, set()), iri
        linked += len(revised | reassigned)
    assert linked > 300 and moves == len(checked["moved"])


def test_members_come_in_time_order(replicated):
    stamps = [entry["timestamp"] for entry in replicated[1]]
    assert stamps == sorted(stamps)


def test_the_client_keeps_the_newest_version_of_each_item(server, members):
    """``lastVersionOnly``: one member per item, the one of the latest release that has it
    (an item gone from the newest release keeps its last version: there are no deletes)."""
    newest: dict[str, tuple[str, str]] = {}
    for iri, (entry, _) in members.items():
        known = newest.get(entry["isVersionOf"])
        if known is None or known[0] < entry["timestamp"]:
            newest[entry["isVersionOf"]] = (entry["timestamp"], iri)
    _, last = replicate(f"{server}/ldes", "last-version-only")
    assert sorted(e["member"] for e in last) == sorted(iri for _, iri in newest.values())
    gone = [
        iri for _, iri in newest.values() if not iri.startswith(f"urn:nl:ak:versie:{RELEASES[-1]}:")
    ]
    assert gone  # items removed before the newest release


def test_pages_are_immutable_except_the_newest(server, replicated):
    pages = {entry["page"]: entry["immutable"] for entry in replicated[0]}
    assert pages == {f"{server}/ldes/{tag}": tag != RELEASES[-1] for tag in RELEASES}
    for tag in RELEASES:
        with urllib.request.urlopen(f"{server}/ldes/{tag}", timeout=120) as response:
            cache = response.headers["Cache-Control"]
            etag = response.headers["ETag"]
        if tag == RELEASES[-1]:
            assert "immutable" not in cache and "max-age=300" in cache
        else:
            assert cache == "public, max-age=31536000, immutable"
        again = urllib.request.Request(f"{server}/ldes/{tag}", headers={"If-None-Match": etag})
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(again, timeout=120)
        assert answer.value.code == 304
    with urllib.request.urlopen(f"{server}/ldes", timeout=120) as response:
        assert "immutable" not in response.headers["Cache-Control"]


def _get(url: str, accept: str) -> tuple[str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.headers["Content-Type"], response.read()


def test_stream_and_pages_in_turtle_json_ld_and_trig(server):
    stream = URIRef(f"{server}/ldes")
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                        ("application/trig", "trig"), ("application/n-triples", "nt")):  # fmt: skip
        media_type, body = _get(f"{server}/ldes", accept)
        assert media_type.startswith(accept)
        graph = Graph().parse(data=body, format=fmt)
        assert (stream, RDF.type, URIRef(LDES + "EventStream")) in graph
        assert (stream, URIRef(LDES + "timestampPath"), DCTERMS.issued) in graph
        assert (stream, URIRef(LDES + "versionOfPath"), DCTERMS.isVersionOf) in graph
        assert (stream, URIRef(TREE + "view"), URIRef(f"{server}/ldes/{RELEASES[0]}")) in graph
    pages = {}
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                        ("application/trig", "trig")):  # fmt: skip
        _, body = _get(f"{server}/ldes/{RELEASES[0]}", accept)
        if fmt == "trig":  # the page is the default graph, no named graph
            assert not re.search(rb"^\s*(?:_:\S+|<[^>]*>)\s*\{", body, re.M)
        pages[fmt] = Graph().parse(data=body, format=fmt)
    named = {
        fmt: {t for t in graph if not any(isinstance(term, BNode) for term in t)}
        for fmt, graph in pages.items()
    }
    assert named["turtle"] == named["json-ld"] == named["trig"]
    assert len(pages["turtle"]) == len(pages["json-ld"]) == len(pages["trig"])
    page = URIRef(f"{server}/ldes/{RELEASES[0]}")
    (relation,) = pages["turtle"].objects(page, URIRef(TREE + "relation"))
    turtle = pages["turtle"]
    assert turtle.value(relation, RDF.type) == URIRef(TREE + "GreaterThanOrEqualToRelation")
    assert turtle.value(relation, URIRef(TREE + "node")) == URIRef(f"{server}/ldes/{RELEASES[1]}")
    assert str(turtle.value(relation, URIRef(TREE + "value"))).startswith(
        source_dates()[RELEASES[1]]
    )


def test_the_releases_page_links_to_the_feed(server):
    with urllib.request.urlopen(f"{server}/releases", timeout=120) as response:
        assert 'href="/ldes"' in response.read().decode()


def test_unknown_page_and_format(server):
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(f"{server}/ldes/v0.0", timeout=60)
    assert answer.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(f"{server}/ldes?format=csv", timeout=60)
    assert answer.value.code == 406


def test_one_release_makes_one_short_lived_page(corpus_server):
    pages, found = replicate(f"{corpus_server}/ldes")
    assert pages == [{"page": f"{corpus_server}/ldes/v2.5.1", "immutable": False}]
    files = [f for files in scan(corpus_release("v2.5.1")).values() for f in files]
    assert len(found) == len(files)
    assert all(e["member"].startswith("urn:nl:ak:versie:v2.5.1:") for e in found)


def test_the_lock_file_pins_the_client():
    lock = json.loads((REPO / "package-lock.json").read_text())
    assert (
        json.loads((REPO / "package.json").read_text())["devDependencies"]["ldes-client"]
        == (lock["packages"]["node_modules/ldes-client"]["version"])
    )
    assert Path(SCRIPT).is_file()
