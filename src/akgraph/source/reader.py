"""Read a checkout of the Algoritmekader (or our ``content/``) into plain Python values.

The reader knows the folder layout and the file format, not RDF. Every file it cannot read is
reported as a :class:`~akgraph.problems.Problem` naming the file and the reason; the rest is
read regardless.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

import frontmatter
import yaml

from akgraph.problems import Problem, Severity, SourceError

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
#: The release's data files beside the Markdown (v2.2.0 on): the audit criteria's texts, and
#: which measure meets which criterion.
AUDIT_TEXTS = "script/maatregelen-adr-ark.csv"
CROSSWALK = "relatie-ak-tot-toetsingskaders.csv"
MAX_FILE_BYTES = 32 * 1024 * 1024
#: Most values a frontmatter may hold once its aliases (``*name``) are expanded: a few nested
#: aliases ("billion laughs") would otherwise stand for gigabytes of values.
MAX_YAML_VALUES = 100_000


@dataclass(frozen=True)
class Release:
    """Which release a checkout is: from its ``SOURCE`` file or from git."""

    tag: str
    commit: str | None = None
    date: str | None = None


#: The kind of a Markdown file of ``docs/`` that is no item and no list value: a plain page.
PAGE = "page"


@dataclass(frozen=True)
class Document:
    """A Markdown file of ``docs/``: an item or list value of one of the :data:`FOLDERS`, or a
    plain :data:`PAGE`; its frontmatter kept as strings (a page may have none)."""

    kind: str
    path: str
    slug: str
    meta: dict[str, Any]
    body: str


@dataclass(frozen=True)
class AuditText:
    """One audit criterion's text from ``script/maatregelen-adr-ark.csv``: its code, text and
    source (the audit framework, as the file names it), with the line it starts on."""

    code: str
    text: str
    source: str
    line: int


@dataclass(frozen=True)
class CrosswalkRow:
    """One row of ``relatie-ak-tot-toetsingskaders.csv``: the criterion's code, its framework
    (``ADR``, ``ARK``) and the measure URNs marked 1 for it, with the row's line."""

    code: str
    framework: str
    measures: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class NavEntry:
    """One entry of the ``nav`` of mkdocs.yml, in the order the site shows it: the titles of the
    sections it is in, its own title (None: the page's), and its target as written (a path
    relative to ``docs/``, a glob such as ``... | onderwerpen/*.md``, or a URL)."""

    sections: tuple[str, ...]
    title: str | None
    target: str


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
    #: the release's audit data files, where it has them (empty otherwise)
    audit_texts: list[AuditText] = field(default_factory=list)
    crosswalk: list[CrosswalkRow] = field(default_factory=list)
    #: the site's navigation (mkdocs.yml ``nav``), empty when the file has none
    navigation: list[NavEntry] = field(default_factory=list)


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


class FrontmatterError(Exception):
    """Frontmatter that is valid YAML but not usable as fields (with where and why)."""


def _load_yaml(text: str) -> tuple[Any, list[tuple[str, int]]]:
    loader = _StringLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        check_node(node)
        return loader.construct_document(node), loader.duplicates
    finally:
        loader.dispose()


def check_node(root: yaml.Node) -> None:
    """Refuse keys that are lists or mappings, recursive aliases and alias expansion beyond
    :data:`MAX_YAML_VALUES` values (counted once per distinct node, so in linear time)."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        if id(node) in open_nodes:
            raise FrontmatterError(
                f"line {node.start_mark.line + 1}: an alias refers to the value that holds it"
            )
        open_nodes.add(id(node))
        total = 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    kind = "list" if isinstance(key, yaml.SequenceNode) else "mapping"
                    raise FrontmatterError(
                        f"line {key.start_mark.line + 1}: a key is a {kind}, not a name"
                    )
                total += 1 + size(value)
        elif isinstance(node, yaml.SequenceNode):
            total += sum(size(item) for item in node.value)
        open_nodes.discard(id(node))
        sizes[id(node)] = total
        if total > MAX_YAML_VALUES:
            raise FrontmatterError(
                f"line {node.start_mark.line + 1}: aliases expand to more than "
                f"{MAX_YAML_VALUES} values"
            )
        return total

    size(root)


_HANDLER = frontmatter.YAMLHandler()  # used to find and split the frontmatter
_SYMLINK_TEXT = re.compile(r"[\w./-]*\.md")  # used with fullmatch on short text only


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
    if not _inside(base, base / "docs"):
        raise SourceError(f"{base}: docs/ is a symbolic link to outside the checkout")
    problems: list[Problem] = []
    checkout = Checkout(
        root=base,
        release=release or read_release(base, problems),
        site=_site_url(base),
        problems=problems,
    )
    checkout.files = _all_markdown(base)
    attempted: set[str] = set()
    for kind, folder in FOLDERS.items():
        directory = base / folder
        if not directory.is_dir():
            problems.append(Problem(Severity.WARNING, "missing-folder", folder, "folder not found"))
            continue
        if not _inside(base, directory):
            problems.append(
                Problem(
                    Severity.ERROR,
                    "folder-outside",
                    folder,
                    "folder is (behind) a symbolic link to outside the checkout; not read",
                    skipped=True,
                )
            )
            continue
        for path in sorted(directory.iterdir(), key=lambda p: p.name):
            if path.suffix != ".md" or path.stem in OVERVIEW_PAGES:
                continue
            attempted.add(path.relative_to(base).as_posix())
            document = _read_document(base, kind, path, problems)
            if document is not None:
                checkout.documents.append(document)
    for path in sorted((base / "docs").rglob("*.md")):  # every other page of the site
        if path.relative_to(base).as_posix() in attempted or path.is_dir():
            continue
        found = len(problems)
        document = _read_document(base, PAGE, path, problems)
        if document is not None:
            checkout.documents.append(document)
        # a page left out loses no item: a warning, so that a release still builds
        problems[found:] = [
            replace(p, severity=Severity.WARNING) if p.skipped else p for p in problems[found:]
        ]
    checkout.navigation = _read_navigation(base, problems)
    checkout.glossary_text = _read_glossary(base, problems)
    checkout.audit_texts = _read_audit_texts(base, problems)
    checkout.crosswalk = _read_crosswalk(base, problems)
    return checkout


def _csv_rows(
    base: Path, name: str, delimiter: str, problems: list[Problem]
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the (line, row) pairs of the CSV file ``name`` (nothing if absent)."""
    path = base / name
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    if not path.exists() and not path.is_symlink():
        return header, rows
    text = _read_text(base, path, problems)
    if text is None:
        return header, rows
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader, [])
        line = reader.line_num + 1
        for row in reader:
            rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as exc:
        where = f"{name}:{reader.line_num}"
        message = f"not readable as CSV: {exc}; the rest of the file is skipped"
        problems.append(Problem(Severity.ERROR, "broken-csv", where, message))
    return header, rows


def _read_audit_texts(base: Path, problems: list[Problem]) -> list[AuditText]:
    found = []
    for line, row in _csv_rows(base, AUDIT_TEXTS, ";", problems)[1]:
        if len(row) < 3 or not row[0].strip() or not row[1].strip():
            problems.append(Problem(Severity.WARNING, "bad-audit-row", f"{AUDIT_TEXTS}:{line}",
                                    "row without code, text and source; left out", "nummer",
                                    ";".join(row)[:120]))  # fmt: skip
            continue
        found.append(AuditText(row[0].strip(), row[1].strip(), row[2].strip(), line))
    return found


def _read_crosswalk(base: Path, problems: list[Problem]) -> list[CrosswalkRow]:
    header, rows = _csv_rows(base, CROSSWALK, ",", problems)
    columns = [(i, urn.strip()) for i, urn in enumerate(header) if urn.strip().startswith("urn:")]
    found = []
    for line, row in rows:
        if len(row) != len(header) or not row[0].strip():
            problems.append(Problem(Severity.WARNING, "bad-crosswalk-row", f"{CROSSWALK}:{line}",
                                    f"row with {len(row)} cells, the header has {len(header)}; "
                                    "left out", "nummer", (row or [""])[0]))  # fmt: skip
            continue
        marked = tuple(urn for i, urn in columns if row[i].strip() == "1")
        found.append(CrosswalkRow(row[0].strip(), row[1].strip().upper(), marked, line))
    return found


def _inside(base: Path, path: Path) -> bool:
    """Whether ``path``, every component resolved (symbolic links followed), is in ``base``."""
    return path.resolve().is_relative_to(base.resolve())


def _all_markdown(base: Path) -> set[str]:
    docs = base / "docs"
    return {p.relative_to(docs).as_posix() for p in docs.rglob("*.md") if _inside(base, p)}


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
    stripped = text.strip()
    if len(stripped) < 4096 and "\n" not in stripped and _SYMLINK_TEXT.fullmatch(stripped):
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
    if kind == PAGE and not _HANDLER.detect(text):  # a page needs no frontmatter
        return Document(kind=kind, path=rel, slug=path.stem, meta={}, body=text)
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
                line=mark.line + 1 if mark else None,
            )
        )
        return None
    except FrontmatterError as exc:
        problems.append(
            Problem(
                Severity.ERROR,
                "broken-yaml",
                rel,
                f"frontmatter cannot be read as fields (frontmatter {exc}); skipped",
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
                f"key appears again on line {line} of the file; the last value is used, as in "
                "MkDocs",
                key,
                line=line,
            )
        )
    return Document(kind=kind, path=rel, slug=path.stem, meta=meta, body=body)


class _ConfigLoader(yaml.SafeLoader):
    """The safe loader, reading Python-specific tags (``!!python/name:...``) as None."""


_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def _read_navigation(base: Path, problems: list[Problem]) -> list[NavEntry]:
    """The ``nav`` of mkdocs.yml, flattened in order (nothing without the file or its nav)."""
    text = _small_file(base, "mkdocs.yml")
    if text is None:
        return []
    try:
        config = yaml.load(text, Loader=_ConfigLoader)  # a safe loader
    except yaml.YAMLError as exc:
        reason = str(exc).splitlines()[0]
        message = f"not valid YAML ({reason}); the navigation is not read"
        problems.append(Problem(Severity.WARNING, "broken-mkdocs", "mkdocs.yml", message))
        return []
    nav = config.get("nav") if isinstance(config, dict) else None
    entries: list[NavEntry] = []

    def walk(value: Any, sections: tuple[str, ...]) -> None:
        if isinstance(value, list):
            for entry in value:
                walk(entry, sections)
        elif isinstance(value, str) and value.strip():
            entries.append(NavEntry(sections, None, value.strip()))
        elif isinstance(value, dict):
            for title, target in value.items():
                if isinstance(target, str):
                    entries.append(NavEntry(sections, str(title).strip(), target.strip()))
                else:
                    walk(target, (*sections, str(title).strip()))

    walk(nav, ())
    return entries


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
        if not _inside(base, path):
            skip("symlink-outside", f"symbolic link to {target!r}, outside the checkout")
            return None
    if not _inside(base, path):
        skip("outside", "a folder on its path is a symbolic link to outside the checkout")
        return None
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            skip("not-a-file", f"a {_file_kind(info.st_mode)}, not a regular file; not opened")
            return None
        size = info.st_size
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


def _file_kind(mode: int) -> str:
    kinds = [
        (stat.S_ISDIR, "folder"),
        (stat.S_ISFIFO, "named pipe (FIFO)"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
    ]
    return next((name for test, name in kinds if test(mode)), "special file")


def _small_file(base: Path, name: str) -> str | None:
    """The text of ``base/name`` if it is a regular file inside the checkout, else None."""
    path = base / name
    if not _inside(base, path) or not path.is_file():
        return None
    return path.read_text(encoding="utf-8", errors="replace")


def read_release(base: Path, problems: list[Problem]) -> Release:
    """The release from ``SOURCE`` (``tag commit date``), else from git, else ``unknown``."""
    source = _small_file(base, "SOURCE")
    if source is not None:
        parts = source.split()
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
    return Release(tag="unknown")


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
    return Release(tag=tag or commit[:12], commit=commit, date=date)


#: The framework's published site, where mkdocs.yml names none.
DEFAULT_SITE = "https://minbzk.github.io/Algoritmekader/"


def _site_url(base: Path) -> str:
    """``site_url`` from mkdocs.yml (read as text: the file holds Python-specific YAML tags)."""
    config = _small_file(base, "mkdocs.yml")
    if config is not None:
        match = re.search(r"^site_url:[ \t]*['\"]?(https?://[^'\"\s#<>{}|\\^`]+)", config, re.M)
        if match:
            return match.group(1)
    return DEFAULT_SITE


def resolve_link(document_path: str, href: str) -> str:
    """Path relative to ``docs/`` that a relative link in ``document_path`` points at."""
    target = href.split("#", 1)[0].split("?", 1)[0]
    here = PurePosixPath(document_path).relative_to("docs").parent
    joined = PurePosixPath("/") / (target.lstrip("/") if target.startswith("/") else here / target)
    return os.path.normpath(joined.as_posix()).lstrip("/")


def site_path(doc_path: str) -> str:
    """Where MkDocs (``use_directory_urls``) serves a page, relative to the site: ``a/b.md``
    at ``a/b/``, ``a/index.md`` at ``a/``, ``index.md`` at the root (``""``)."""
    page = doc_path.removesuffix(".md")
    if page == "index" or page.endswith("/index"):
        return page.removesuffix("index")
    return page + "/"


def resolve_url(document_path: str, href: str) -> str:
    """Path relative to the site (without a trailing ``/``) that a link MkDocs leaves as written
    (one in HTML, or one not ending in ``.md``) points at from the page of ``document_path``."""
    target = href.split("#", 1)[0].split("?", 1)[0]
    here = site_path(PurePosixPath(document_path).relative_to("docs").as_posix())
    joined = "/" + target.lstrip("/") if target.startswith("/") else f"/{here}{target}"
    return os.path.normpath(joined).strip("/")
