"""The build cache: each release built from git kept on disk, keyed by what it was built from.

An entry holds one release's converted data (N-Quads, exactly as ``akgraph build`` writes them)
with what the summary, the history and the problems need, so that a later build of the same
commit can skip reading and converting it. The key is the commit, the release's tag and date,
akgraph's version and a hash of akgraph's own code and ontology files (which decide what a
build makes), so an entry made by other code is never found. Each entry carries a SHA-256 of
its content: one that is truncated, altered or of another format is ignored (and rebuilt).

Where: ``$AKGRAPH_CACHE_DIR``, else ``$XDG_CACHE_HOME/akgraph``, else ``~/.cache/akgraph``;
entries are under ``builds/``. Removing that folder clears the cache; ``akgraph build
--no-cache`` (or ``AKGRAPH_CACHE_DIR=off``) neither reads nor writes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import astuple, dataclass, fields
from functools import cache
from pathlib import Path

from akgraph.history import Version
from akgraph.problems import Problem, Severity
from akgraph.source.reader import Release

#: Changes whenever the layout of an entry changes.
FORMAT = "akgraph-build-cache 1"
_PACKAGE = Path(__file__).resolve().parent
#: akgraph's files that decide what a build makes (the web app's are left out).
_CODE_SUFFIXES = (".py", ".yaml")


@dataclass(frozen=True)
class Entry:
    """One release as built: its data as N-Quads and the facts read from its graph."""

    tag: str
    commit: str
    date: str | None
    site: str
    nquads: bytes
    prefixes: list[tuple[str, str]]
    counts: dict[str, int]
    triples: int
    figure_lines: list[str]
    items: dict[str, Version]
    problems: list[Problem]
    unresolved: list[tuple[str, str, str]]

    @property
    def release(self) -> Release:
        return Release(tag=self.tag, commit=self.commit, date=self.date)

    def to_bytes(self, key: str) -> bytes:
        """The entry as stored: a header line, a checksum line, the facts (JSON), the data."""
        facts = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "nquads"}
        facts["key"] = key
        facts["items"] = [astuple(v) for v in self.items.values()]
        facts["problems"] = [[int(p.severity), *astuple(p)[1:]] for p in self.problems]
        meta = json.dumps(facts, ensure_ascii=False).encode("utf-8")
        body = b"%d\n%s%s" % (len(meta), meta, self.nquads)
        return b"%s\n%s\n%s" % (FORMAT.encode(), hashlib.sha256(body).hexdigest().encode(), body)

    @classmethod
    def from_bytes(cls, data: bytes, key: str) -> Entry | None:
        """The entry stored in ``data`` under ``key``; None if it is damaged or another one."""
        try:
            header, digest, body = data.split(b"\n", 2)
            if header != FORMAT.encode() or hashlib.sha256(body).hexdigest().encode() != digest:
                return None
            size, rest = body.split(b"\n", 1)
            facts = json.loads(rest[: int(size)].decode("utf-8"))
            if facts.pop("key") != key:
                return None
            facts["items"] = {v[0]: Version(*v) for v in facts["items"]}
            facts["problems"] = [Problem(Severity(p[0]), *p[1:]) for p in facts["problems"]]
            facts["prefixes"] = [tuple(p) for p in facts["prefixes"]]
            facts["unresolved"] = [tuple(u) for u in facts["unresolved"]]
            return cls(nquads=rest[int(size) :], **facts)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            return None


def folder() -> Path | None:
    """Where the entries are kept; None where the cache is switched off."""
    given = os.environ.get("AKGRAPH_CACHE_DIR")
    if given is not None:
        return None if given.strip().lower() in ("", "off", "0", "no") else Path(given) / "builds"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "akgraph" / "builds"


@cache
def code_hash() -> str:
    """SHA-256 of akgraph's version, its code and its ontology files."""
    from akgraph import __version__, resources

    digest = hashlib.sha256(__version__.encode())
    files = [p for p in _PACKAGE.rglob("*") if p.suffix in _CODE_SUFFIXES and "web" not in p.parts]
    files += [p for p in resources.data_dir("ontology").rglob("*") if p.is_file()]
    for path in sorted(files):
        digest.update(f"\0{path.name}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def key(release: Release) -> str:
    """The key of a release built from git: commit, tag, date and :func:`code_hash`."""
    parts = [FORMAT, code_hash(), release.commit or "", release.tag, release.date or ""]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _path(where: Path, release: Release) -> Path:
    commit = release.commit or "none"
    return where / commit[:2] / f"{commit}-{key(release)[:32]}"


def load(where: Path, release: Release) -> Entry | None:
    """The stored entry for ``release``; None if there is none or it cannot be trusted."""
    try:
        data = _path(where, release).read_bytes()
    except OSError:
        return None
    return Entry.from_bytes(data, key(release))


def store(where: Path, entry: Entry) -> None:
    """Keep ``entry`` (written whole or not at all). A cache that cannot be written is left
    alone: building goes on."""
    target = _path(where, entry.release)
    temporary: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, suffix=".tmp") as fh:
            temporary = fh.name
            fh.write(entry.to_bytes(key(entry.release)))
        os.replace(temporary, target)
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
