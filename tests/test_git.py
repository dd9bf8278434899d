"""Releases read from git's objects: a repository made here from the three shared releases
(one commit each, a case-variant tag, blobs deleted from the object store), no network."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from rdflib.namespace import RDF

from akgraph.graph import build_tags
from akgraph.iris import AK
from akgraph.source.git import MEMORY_FOLDER, export, resolve
from akgraph.source.reader import SourceError
from tests.conftest import RELEASES, corpus_release
from tests.scan import FOLDERS, scan
from tests.test_cli import run

MEASURES = FOLDERS["measure"]


def git(repo: Path, *args: str, date: str | None = None) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(repo),
    }
    if date:
        env |= {"GIT_AUTHOR_DATE": f"{date}T12:00:00", "GIT_COMMITTER_DATE": f"{date}T12:00:00"}
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True, env=env)
    return done.stdout.decode()


def replace_tree(repo: Path, source: Path) -> None:
    """Make the work tree of ``repo`` hold the files of the shared release ``source``."""
    for child in repo.iterdir():
        if child.name == ".git":
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    shutil.copytree(source, repo, dirs_exist_ok=True, symlinks=True)
    (repo / "SOURCE").unlink()
    # git's index would trust the stat data of a copied file that has the size, time (copy2
    # keeps it) and reused inode of the one it replaces, and commit the old text: hash anew
    (repo / ".git" / "index").unlink(missing_ok=True)


def delete_object(repo: Path, sha: str) -> None:
    (repo / ".git" / "objects" / sha[:2] / sha[2:]).unlink()


@pytest.fixture(scope="module")
def repository(tmp_path_factory):
    """Three commits (the files of v2.0, v2.2.0, v2.5.1), tagged v2.0, v2.2.0 (annotated) and
    V2.2.0 on the same commit, v2.5.1; a picture in v2.0 and one measure file only v2.0 has,
    both with their blob deleted."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    sources = [corpus_release(tag) for tag in RELEASES]
    repo = tmp_path_factory.mktemp("git") / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    picture = repo / "docs" / "images" / "foto.jpg"
    for tag, source in zip(RELEASES, sources, strict=True):
        replace_tree(repo, source)
        if tag == "v2.0":
            picture.parent.mkdir(parents=True, exist_ok=True)
            picture.write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG \x00\x01")
        date = (source / "SOURCE").read_text().split()[2]
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", tag, date=date)
        if tag == "v2.2.0":
            git(repo, "tag", "-a", "-m", "release", tag, date=date)
            git(repo, "tag", "V2.2.0")
        else:
            git(repo, "tag", tag)
    v20, v22 = (corpus_release(t) / MEASURES for t in ("v2.0", "v2.2.0"))
    only_old = sorted(p.name for p in v20.glob("*.md") if not (v22 / p.name).exists())
    assert only_old, "v2.0 has no measure file the later releases lack"
    lost = f"{MEASURES}/{only_old[0]}"
    for path in (lost, "docs/images/foto.jpg"):
        delete_object(repo, git(repo, "rev-parse", f"v2.0:{path}").strip())
    return repo, lost


def item_paths(data) -> set[str]:
    return {str(data.value(s, AK.sourcePath)) for s in data.subjects(RDF.type, AK.Measure)}


def scanned_paths(root: Path) -> set[str]:
    return {f"{MEASURES}/{Path(f.path).name}" for f in scan(root)["measure"]}


def test_tags_on_one_commit_are_one_release_with_every_name(repository):
    repo, _ = repository
    every = resolve(repo, ["all"])
    assert [t.names for t in every] == [("v2.0",), ("v2.2.0", "V2.2.0"), ("v2.5.1",)]
    assert [t.names[0] for t in resolve(repo, ["v2.0..v2.5.1"])] == RELEASES
    assert [t.names for t in resolve(repo, ["V2.2.0..v2.5.1"])] == [
        ("v2.2.0", "V2.2.0"),
        ("v2.5.1",),
    ]
    # a name given as such is the release's name; the other is kept beside it
    assert [t.names for t in resolve(repo, ["V2.2.0", "v2.2.0"])] == [("V2.2.0", "v2.2.0")]
    assert [t.names[0] for t in resolve(repo, ["V2.5.1", "v2.0"])] == ["v2.5.1", "v2.0"]
    dates = [t.date for t in every]
    assert dates == [(corpus_release(t) / "SOURCE").read_text().split()[2] for t in RELEASES]
    with pytest.raises(SourceError, match="no tag 'v9'"):
        resolve(repo, ["v2.0..v9"])
    with pytest.raises(SourceError, match="comes after"):
        resolve(repo, ["v2.5.1..v2.0"])


def test_every_tag_is_built_from_git_objects_and_the_missing_blob_reported(repository):
    repo, lost = repository
    builds = build_tags(repo, ["all"])
    assert [b.checkout.release.tag for b in builds] == RELEASES
    assert builds[1].aliases == ("V2.2.0",)
    for built, tag in zip(builds, RELEASES, strict=True):
        expected = scanned_paths(corpus_release(tag)) - ({lost} if tag == "v2.0" else set())
        assert item_paths(built.data) == expected, tag
        missing = [p for p in built.problems if p.code == "missing-blob"]
        if tag == "v2.0":
            # only the Markdown file is reported: the picture is never read
            assert [(p.path, p.skipped) for p in missing] == [(lost, True)]
            assert "tag v2.0" in missing[0].message
        else:
            assert missing == []


def test_cli_all_tags_with_a_missing_blob_exits_1_and_builds_every_release(repository, tmp_path):
    repo, lost = repository
    out = tmp_path / "all.nq"
    done = run("build", str(repo), "--tags", "all", "-o", str(out))
    assert done.returncode == 1, done.stderr
    assert f"{lost}: tag v2.0: blob" in done.stdout
    assert "release v2.2.0 (also tagged V2.2.0)" in done.stdout
    graphs = {line.rsplit(" ", 2)[-2] for line in out.read_text(encoding="utf-8").splitlines()}
    for tag in RELEASES:
        assert f"<urn:nl:ak:release:{tag}>" in graphs
    assert "<urn:nl:ak:release:V2.2.0>" not in graphs


def test_a_tags_files_are_written_in_memory_unless_tmpdir_says_where(repository, monkeypatch):
    """Each tag's files go to a folder under $TMPDIR where it is set, else under /dev/shm
    (memory) where the system has it; the folder is gone afterwards."""
    repo, _ = repository
    tagged = resolve(repo, ["all"])[-1]
    monkeypatch.setenv("TMPDIR", str(repo.parent))
    monkeypatch.setattr(tempfile, "tempdir", None)  # read $TMPDIR again
    with export(repo, tagged) as (folder, _):
        assert folder.parent == repo.parent
        assert (folder / "docs").is_dir()
    assert not folder.exists()
    monkeypatch.delenv("TMPDIR")
    if MEMORY_FOLDER.is_dir() and os.access(MEMORY_FOLDER, os.W_OK | os.X_OK):
        with export(repo, tagged) as (folder, _):
            assert folder.parent == MEMORY_FOLDER
        assert not folder.exists()
