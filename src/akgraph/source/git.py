"""Releases of a git checkout of the framework, read with git itself (``git archive``)."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from akgraph.source.reader import Release, SourceError


def _git(repo: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, timeout=120, check=False
        )
    except OSError as exc:
        raise SourceError(f"{repo}: cannot run git ({exc.strerror})") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SourceError(f"{repo}: git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return done.stdout


def tags(repo: Path) -> list[str]:
    """The tags of ``repo`` in version order (``git tag --sort=v:refname``)."""
    return _git(repo, "tag", "--sort=v:refname").decode().split()


def tag_range(repo: Path, first: str, last: str) -> list[str]:
    """Every tag from ``first`` to ``last`` (both included), in version order."""
    known = tags(repo)
    for tag in (first, last):
        if tag not in known:
            raise SourceError(f"{repo}: no tag {tag!r} (tags: {', '.join(known) or 'none'})")
    start, end = known.index(first), known.index(last)
    if start > end:
        raise SourceError(f"{repo}: tag {first} comes after {last}")
    return known[start : end + 1]


def release(repo: Path, tag: str) -> Release:
    """Tag, commit and commit date of ``tag``."""
    commit = _git(repo, "rev-parse", "--verify", f"{tag}^{{commit}}").decode().strip()
    date = _git(repo, "log", "-1", "--format=%cs", commit).decode().strip()
    return Release(tag=tag, commit=commit, date=date or None, origin="git")


@contextmanager
def export(repo: Path, tag: str) -> Iterator[tuple[Path, Release]]:
    """The files of ``tag`` in a temporary folder (removed afterwards), and its release."""
    found = release(repo, tag)
    archive = _git(repo, "archive", "--format=tar", found.commit)
    with tempfile.TemporaryDirectory(prefix=f"akgraph-{tag}-") as folder:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            # "tar": no member outside the folder; links are kept as links, and the reader
            # refuses to follow one that leads outside the checkout (and says so).
            tar.extractall(folder, filter="tar")
        yield Path(folder), found
