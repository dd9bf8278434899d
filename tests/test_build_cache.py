"""The build cache and the parallel builds of ``akgraph build REPO --tags``, on a git repository
made here from the three shared releases (one commit and tag each), no network.

The reference is a serial build that reads no cache; every other way of building must write
the same N-Quads, byte for byte, and each release graph must hold the measures a plain scan of
that release's Markdown finds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from akgraph import cache
from akgraph.source.git import resolve
from tests.conftest import RELEASES, corpus_release
from tests.test_cli import run
from tests.test_git import git, replace_tree, scanned_paths

MEASURE = "<https://w3id.org/algoritmekader/def#Measure>"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SOURCE_PATH = "<https://w3id.org/algoritmekader/def#sourcePath>"


@pytest.fixture(scope="module")
def repository(tmp_path_factory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    sources = [corpus_release(tag) for tag in RELEASES]
    repo = tmp_path_factory.mktemp("git") / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    for tag, source in zip(RELEASES, sources, strict=True):
        replace_tree(repo, source)
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", tag, date=(source / "SOURCE").read_text().split()[2])
        git(repo, "tag", tag)
    return repo


def build(repo: Path, out: Path, *options: str, tags: str = "all") -> str:
    done = run("build", str(repo), "--tags", tags, "-o", str(out), *options)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout.replace(str(out), "OUT")


@pytest.fixture(scope="module")
def fresh(repository, tmp_path_factory) -> tuple[bytes, str]:
    """N-Quads and summary of a serial build that neither reads nor writes a cache."""
    out = tmp_path_factory.mktemp("fresh") / "all.nq"
    report = build(repository, out, "--no-cache", "--jobs", "1")
    return out.read_bytes(), report


def entries(folder: Path) -> dict[Path, int]:
    """Each stored entry and its inode (a rewritten entry gets a new one)."""
    return {p: p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def measure_paths(nquads: bytes) -> dict[str, set[str]]:
    """The source file of each measure, by release graph, read from the N-Quads lines."""
    measures, paths = set(), {}
    for line in nquads.decode("utf-8").splitlines():
        subject, predicate, rest = line.split(" ", 2)
        graph = rest.rsplit(" ", 2)[-2].strip("<>").removeprefix("urn:nl:ak:release:")
        if predicate == TYPE and rest.startswith(MEASURE):
            measures.add((subject, graph))
        elif predicate == SOURCE_PATH:
            paths[subject, graph] = rest.split('"')[1]
    found: dict[str, set[str]] = {}
    for subject, graph in measures:
        found.setdefault(graph, set()).add(paths[subject, graph])
    return found


def test_the_reference_build_holds_each_release_as_its_markdown_has_it(fresh):
    found = measure_paths(fresh[0])
    assert sorted(found) == sorted(RELEASES)
    for tag in RELEASES:
        assert found[tag] == scanned_paths(corpus_release(tag)), tag


def test_a_new_tag_reuses_the_cached_releases_and_writes_the_same_nquads(
    repository, fresh, tmp_path, monkeypatch
):
    folder = tmp_path / "cache"
    monkeypatch.setenv("AKGRAPH_CACHE_DIR", str(folder))
    build(repository, tmp_path / "old.nq", tags="v2.0,v2.2.0")
    first = entries(folder)
    assert len(first) == 2
    report = build(repository, tmp_path / "all.nq")
    after = entries(folder)
    assert len(after) == 3
    assert {p: after[p] for p in first} == first, "a cached release was converted again"
    assert (tmp_path / "all.nq").read_bytes() == fresh[0]
    assert report == fresh[1]
    # all three from the cache now
    assert build(repository, tmp_path / "again.nq") == fresh[1]
    assert entries(folder) == after
    assert (tmp_path / "again.nq").read_bytes() == fresh[0]


def test_a_damaged_or_foreign_entry_is_rebuilt_not_trusted(
    repository, fresh, tmp_path, monkeypatch
):
    folder = tmp_path / "cache"
    monkeypatch.setenv("AKGRAPH_CACHE_DIR", str(folder))
    build(repository, tmp_path / "first.nq")
    paths = sorted(entries(folder))
    assert len(paths) == 3
    flipped, truncated, foreign = paths
    stored = [p.read_bytes() for p in paths]
    data = bytearray(stored[0])
    at = data.index(b"urn:nl:ak:mtr:")
    data[at + 14] ^= 0x01  # one bit of one measure's URN in the stored N-Quads
    flipped.write_bytes(bytes(data))
    truncated.write_bytes(stored[1][:-1000])
    foreign.write_bytes(stored[0])  # another release's entry, intact, under this one's name
    report = build(repository, tmp_path / "second.nq")
    assert (tmp_path / "second.nq").read_bytes() == fresh[0]
    assert report == fresh[1]
    releases = {t.names[0]: t.release for t in resolve(repository, ["all"])}
    for tag, release in releases.items():
        entry = cache.load(folder / "builds", release)
        assert entry is not None and entry.tag == tag, f"{tag}: not rebuilt into the cache"


def test_parallel_builds_write_what_a_serial_build_writes(repository, fresh, tmp_path):
    report = build(repository, tmp_path / "parallel.nq", "--no-cache", "--jobs", "3")
    assert (tmp_path / "parallel.nq").read_bytes() == fresh[0]
    assert report == fresh[1]


def test_cache_can_be_switched_off(repository, tmp_path, monkeypatch):
    monkeypatch.setenv("AKGRAPH_CACHE_DIR", "off")
    assert cache.folder() is None
    monkeypatch.setenv("AKGRAPH_CACHE_DIR", str(tmp_path / "c"))
    build(repository, tmp_path / "one.nq", "--no-cache", tags="v2.0")
    assert not (tmp_path / "c").exists()
    monkeypatch.delenv("AKGRAPH_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.folder() == tmp_path / "xdg" / "akgraph" / "builds"

