"""Read a checkout of the Algoritmekader (or our ``content/``) into plain Python values.

The reader knows the folder layout and the file format, not RDF. Every file it cannot read is
reported as a :class:`~akgraph.problems.Problem` naming the file and the reason; the rest is
read regardless.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import frontmatter
import yaml

from akgraph.iris import DEFAULT_SITE
from akgraph.problems import Problem, Severity

#: Folder (relative to the checkout root) of each kind of document.
FOLDERS = {
    "measure": "docs/voldoen-aan-wetten-en-regels/maatregelen",
    "requirement": "docs/voldoen-aan-wetten-en-regels/vereisten",
    "instrument": "docs/voldoen-aan-wetten-en-regels/hulpmiddelen",
    "levenscyclus": "docs/levenscyclus",
    "rollen": "docs/rollen",
    "onderwerp": "docs/onderwerpen",
}
#: Pages in those folders that are overviews, not items or list values.
OVERVIEW_PAGES = {"index", "over-de-levenscyclus"}
GLOSSARY = "includes/begrippenlijst.md"
MAX_FILE_BYTES = 32 * 1024 * 1024


class SourceError(Exception):
    """The checkout as a whole cannot be read (missing, not a folder, no ``docs/``)."""


@dataclass(frozen=True)
class Release:
    """Which release a checkout is: from its ``SOURCE`` file or from git."""

    tag: str
    commit: str | None = None
    date: str | None = None
    origin: str = "SOURCE"


@dataclass(frozen=True)
class Document:
    """A Markdown file of one of the :data:`FOLDERS`, with its frontmatter kept as strings."""

    kind: str
    path: str
    slug: str
    meta: dict[str, Any]
    body: str


@dataclass
class Checkout:
    """Everything read from one checkout."""

    root: Path
    release: Release
    site: str
    documents: list[Document] = field(default_factory=list)
    glossary_text: str | None = None
    files: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)


class _StringLoader(yaml.CBaseLoader):
    """YAML loader that keeps every scalar a string (``1.10`` stays ``"1.10"``) and notes
    duplicate keys (of which YAML, like MkDocs, keeps the last)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[str, int]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                self.duplicates.append((str(key), key_node.start_mark.line + 1))
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _load_yaml(text: str) -> tuple[Any, list[tuple[str, int]]]:
    loader = _StringLoader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


_HANDLER = frontmatter.YAMLHandler()  # used to find and split the frontmatter
_SYMLINK_TEXT = re.compile(r"^(?:\.\./|\./)*[\w./-]+\.md$")


def read_checkout(root: str | os.PathLike[str], release: Release | None = None) -> Checkout:
    """Read every document, the glossary and the release of the checkout at ``root``
    (``release`` when the caller knows it, as for a tag exported from git)."""
    base = Path(root)
    if not base.exists():
        raise SourceError(f"{base}: no such folder")
    if not base.is_dir():
        raise SourceError(f"{base}: not a folder")
    if not (base / "docs").is_dir():
        raise SourceError(f"{base}: not an Algoritmekader checkout (no docs/ folder)")
    problems: list[Problem] = []
    checkout = Checkout(
        root=base,
        release=release or read_release(base, problems),
        site=_site_url(base),
        problems=problems,
    )
    checkout.files = _all_markdown(base)
    for kind, folder in FOLDERS.items():
        directory = base / folder
        if not directory.is_dir():
            problems.append(Problem(Severity.WARNING, "missing-folder", folder, "folder not found"))
            continue
        for path in sorted(directory.iterdir(), key=lambda p: p.name):
            if path.suffix != ".md" or path.stem in OVERVIEW_PAGES:
                continue
            document = _read_document(base, kind, path, problems)
            if document is not None:
                checkout.documents.append(document)
    checkout.glossary_text = _read_glossary(base, problems)
    return checkout


def _all_markdown(base: Path) -> set[str]:
    docs = base / "docs"
    return {p.relative_to(docs).as_posix() for p in docs.rglob("*.md")}


def _read_glossary(base: Path, problems: list[Problem]) -> str | None:
    path = base / GLOSSARY
    if not path.exists() and not path.is_symlink():
        problems.append(Problem(Severity.INFO, "no-glossary", GLOSSARY, "no glossary file"))
        return None
    return _read_text(base, path, problems)


def _read_document(base: Path, kind: str, path: Path, problems: list[Problem]) -> Document | None:
    rel = path.relative_to(base).as_posix()
    text = _read_text(base, path, problems)
    if text is None:
        return None
    if not text.strip():
        problems.append(
            Problem(Severity.ERROR, "empty-file", rel, "file is empty; skipped", skipped=True)
        )
        return None
    if _SYMLINK_TEXT.match(text.strip()) and "\n" not in text.strip():
        problems.append(
            Problem(
                Severity.ERROR,
                "symlink-as-text",
                rel,
                f"file holds only the path {text.strip()!r}: a symbolic link checked out as "
                "text; skipped",
                skipped=True,
            )
        )
        return None
    if not _HANDLER.detect(text):
        problems.append(
            Problem(
                Severity.ERROR,
                "no-frontmatter",
                rel,
                "no YAML frontmatter (---); skipped",
                skipped=True,
            )
        )
        return None
    try:
        fm, body = _HANDLER.split(text)
    except ValueError:
        problems.append(
            Problem(
                Severity.ERROR,
                "no-frontmatter",
                rel,
                "frontmatter is not closed by ---; skipped",
                skipped=True,
            )
        )
        return None
    try:
        meta, duplicates = _load_yaml(fm)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f" (frontmatter line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(
            Problem(
                Severity.ERROR,
                "broken-yaml",
                rel,
                f"frontmatter is not valid YAML{where}: {reason}; skipped",
                skipped=True,
            )
        )
        return None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        problems.append(
            Problem(
                Severity.ERROR,
                "broken-yaml",
                rel,
                f"frontmatter is a {type(meta).__name__}, not a mapping of fields; skipped",
                skipped=True,
            )
        )
        return None
    for key, line in duplicates:
        problems.append(
            Problem(
                Severity.WARNING,
                "duplicate-key",
                rel,
                f"key appears again on frontmatter line {line}; the last value is used, as in "
                "MkDocs",
                key,
            )
        )
    return Document(kind=kind, path=rel, slug=path.stem, meta=meta, body=body)


def _read_text(base: Path, path: Path, problems: list[Problem]) -> str | None:
    """Read a UTF-8 text file that lies inside ``base``; report and return None otherwise."""
    rel = path.relative_to(base).as_posix()

    def skip(code: str, message: str) -> None:
        problems.append(Problem(Severity.ERROR, code, rel, message + "; skipped", skipped=True))

    if path.is_symlink():
        target = os.readlink(path)
        if not path.exists():
            skip("dangling-symlink", f"symbolic link to {target!r}, which does not exist")
            return None
        if not path.resolve().is_relative_to(base.resolve()):
            skip("symlink-outside", f"symbolic link to {target!r}, outside the checkout")
            return None
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            skip("too-large", f"{size} bytes, more than the {MAX_FILE_BYTES} read per file")
            return None
        raw = path.read_bytes()
    except OSError as exc:
        skip("unreadable", f"cannot be read: {exc.strerror}")
        return None
    if b"\x00" in raw:
        skip("binary", "binary content (NUL bytes), not Markdown")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        skip("not-utf8", f"not UTF-8 text (invalid byte at offset {exc.start})")
        return None
    if "\r" in text:
        problems.append(
            Problem(Severity.INFO, "line-endings", rel, "CR or CRLF line endings read as LF")
        )
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_release(base: Path, problems: list[Problem]) -> Release:
    """The release from ``SOURCE`` (``tag commit date``), else from git, else ``unknown``."""
    source = base / "SOURCE"
    if source.is_file():
        parts = source.read_text(encoding="utf-8", errors="replace").split()
        if parts:
            return Release(
                tag=parts[0],
                commit=parts[1] if len(parts) > 1 else None,
                date=parts[2] if len(parts) > 2 else None,
            )
        problems.append(Problem(Severity.WARNING, "bad-source-file", "SOURCE", "SOURCE is empty"))
    git = _git_release(base)
    if git is not None:
        return git
    problems.append(
        Problem(
            Severity.WARNING,
            "unknown-release",
            ".",
            "no SOURCE file and not a git checkout: release recorded as 'unknown'",
        )
    )
    return Release(tag="unknown", origin="none")


def _git_release(base: Path) -> Release | None:
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(base), *args], capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    top = git("rev-parse", "--show-toplevel")
    if top is None or Path(top).resolve() != base.resolve():
        return None
    commit = git("rev-parse", "HEAD")
    if commit is None:
        return None
    tag = git("describe", "--tags", "--exact-match") or git("describe", "--tags", "--always")
    date = git("log", "-1", "--format=%cs")
    return Release(tag=tag or commit[:12], commit=commit, date=date, origin="git")


def _site_url(base: Path) -> str:
    """``site_url`` from mkdocs.yml (read as text: the file holds Python-specific YAML tags)."""
    config = base / "mkdocs.yml"
    if config.is_file():
        match = re.search(
            r"^site_url:\s*['\"]?([^'\"\s#]+)",
            config.read_text(encoding="utf-8", errors="replace"),
            re.M,
        )
        if match:
            return match.group(1)
    return DEFAULT_SITE


def resolve_link(document_path: str, href: str) -> str:
    """Path relative to ``docs/`` that a relative link in ``document_path`` points at."""
    target = href.split("#", 1)[0].split("?", 1)[0]
    here = PurePosixPath(document_path).relative_to("docs").parent
    joined = PurePosixPath("/") / (target.lstrip("/") if target.startswith("/") else here / target)
    return os.path.normpath(joined.as_posix()).lstrip("/")
