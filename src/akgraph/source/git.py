"""Releases of a git checkout of the framework, read from git's objects.

Each tag's tree is listed (``git ls-tree``) and only the files the reader needs are read
(``git cat-file --batch``) into a temporary folder (in memory where the system has one, see
:func:`scratch`); a blob that is not in the repository (a partial clone, a damaged object
store) is reported with tag and path and the rest is read.
Nothing is fetched: git's lazy fetching of missing objects is switched off.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from akgraph.problems import Problem, Severity
from akgraph.source.reader import Release, SourceError

#: What the reader reads: Markdown, the MkDocs configuration and the release's CSV data files.
WANTED_SUFFIXES = (".md", ".csv")
WANTED_FILES = {"mkdocs.yml", "SOURCE"}
_ENV = {"GIT_NO_LAZY_FETCH": "1", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
_SEP = "\x1f"


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args],
            input=stdin,
            capture_output=True,
            timeout=120,
            check=False,
            env=os.environ | _ENV,
        )
    except OSError as exc:
        raise SourceError(f"{repo}: cannot run git ({exc.strerror})") from None
    except subprocess.TimeoutExpired:
        raise SourceError(f"{repo}: git {args[0]} took longer than 120 s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SourceError(f"{repo}: git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return done.stdout


@dataclass(frozen=True)
class Tagged:
    """One commit asked for, with every tag name it carries (the first is the release's)."""

    names: tuple[str, ...]
    commit: str
    date: str | None

    @property
    def release(self) -> Release:
        return Release(tag=self.names[0], commit=self.commit, date=self.date)

    @property
    def aliases(self) -> tuple[str, ...]:
        return self.names[1:]


def version_key(tag: str) -> tuple:
    """Sort key of a tag in version order, case-insensitively (``v1.10`` after ``v1.9``)."""
    parts = re.findall(r"\d+|\D+", tag.lower())
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)


def _preferred(name: str) -> tuple:
    return (name != name.lower(), name)


def all_tags(repo: Path) -> dict[str, tuple[str, str | None]]:
    """Every tag that names a commit: tag -> (commit, commit date), in version order."""
    fields = [
        "%(refname:strip=2)",
        "%(objecttype)",
        "%(objectname)",
        "%(committerdate:short)",
        "%(*objecttype)",
        "%(*objectname)",
        "%(*committerdate:short)",
    ]
    out = _git(repo, "for-each-ref", f"--format={_SEP.join(fields)}", "refs/tags")
    found: dict[str, tuple[str, str | None]] = {}
    for line in out.decode("utf-8", "replace").splitlines():
        name, kind, obj, date, peeled_kind, peeled, peeled_date = line.split(_SEP)
        if peeled_kind == "commit":
            found[name] = (peeled, peeled_date or None)
        elif kind == "commit":
            found[name] = (obj, date or None)
    return dict(sorted(found.items(), key=lambda item: (version_key(item[0]), item[0])))


def tags(repo: Path) -> list[str]:
    """The tags of ``repo`` that name a commit, in version order."""
    return list(all_tags(repo))


def _lookup(repo: Path, known: dict[str, tuple[str, str | None]], tag: str) -> str:
    if tag in known:
        return tag
    matches = [name for name in known if name.lower() == tag.lower()]
    if len(matches) == 1:
        return matches[0]
    shown = ", ".join(known) or "none"
    raise SourceError(f"{repo}: no tag {tag!r} (tags: {shown})")


def resolve(repo: str | Path, specs: list[str]) -> list[Tagged]:
    """The commits that ``specs`` ask for, each once with all its tag names, in the order asked.

    A spec is a tag, ``A..B`` (every tag from A to B in version order, both included) or
    ``all``; a tag not found as written is matched case-insensitively (``V2.2.0``).
    """
    repo = Path(repo)
    known = all_tags(repo)
    asked: list[str] = []
    direct: set[str] = set()
    for spec in specs:
        if spec.lower() == "all":
            asked += known
        elif ".." in spec:
            first, last = (_lookup(repo, known, part) for part in spec.split("..", 1))
            low, high = version_key(first), version_key(last)
            if low > high:
                raise SourceError(f"{repo}: tag {first} comes after {last}")
            asked += [name for name in known if low <= version_key(name) <= high]
        else:
            asked.append(_lookup(repo, known, spec))
            direct.add(asked[-1])
    if not asked:
        raise SourceError(f"{repo}: no tags asked for")
    names_of: dict[str, list[str]] = {}
    for name, (commit, _) in known.items():
        names_of.setdefault(commit, []).append(name)
    result: dict[str, Tagged] = {}
    asked_set = set(asked)
    for name in asked:
        commit, date = known[name]
        if commit in result:
            continue
        # a name asked for directly comes first; otherwise the lower-case form of a case variant
        candidates = [n for n in names_of[commit] if n in asked_set]
        chosen = name if name in direct else min(candidates, key=_preferred)
        rest = sorted((n for n in names_of[commit] if n != chosen), key=_preferred)
        result[commit] = Tagged((chosen, *rest), commit, date)
    return list(result.values())


def tag_range(repo: Path, first: str, last: str) -> list[str]:
    """The release names of every tag from ``first`` to ``last``, one per commit."""
    return [tagged.names[0] for tagged in resolve(repo, [f"{first}..{last}"])]


def release(repo: Path, tag: str) -> Release:
    """Tag, commit and commit date of ``tag``."""
    return resolve(repo, [tag])[0].release


def renames(repo: str | Path, old: str, new: str) -> dict[str, str]:
    """The Markdown files git's rename detection (``git diff -M``, 50 % alike) finds renamed
    from commit ``old`` to commit ``new``: old path -> new path; none where git cannot compare
    the two (a blob missing: the items are then matched without it)."""
    try:
        out = _git(Path(repo), "diff", "--no-ext-diff", "--name-status", "-z", "-M", old, new)
    except SourceError:
        return {}
    parts = out.decode("utf-8", "replace").split("\0")
    found: dict[str, str] = {}
    i = 0
    while i < len(parts) - 1:
        status = parts[i]
        if status[:1] in ("R", "C"):
            if status[:1] == "R" and parts[i + 1].endswith(".md"):
                found[parts[i + 1]] = parts[i + 2]
            i += 3
        else:
            i += 2
    return found


def wanted(path: str) -> bool:
    """Whether the reader needs the file at ``path`` (relative to the checkout root)."""
    return path in WANTED_FILES or path.endswith(WANTED_SUFFIXES)


@dataclass(frozen=True)
class _Entry:
    mode: str
    sha: str
    path: str


def _tree(repo: Path, commit: str) -> list[_Entry]:
    out = _git(repo, "ls-tree", "-r", "-z", "--full-tree", commit)
    entries = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        path = raw_path.decode("utf-8", "surrogateescape")
        if kind == "blob" and wanted(path):
            entries.append(_Entry(mode, sha, path))
    return entries


def _blobs(repo: Path, shas: list[str]) -> dict[str, bytes | None]:
    """The content of each blob; None for one that is not in the repository."""
    if not shas:
        return {}
    unique = list(dict.fromkeys(shas))
    out = _git(repo, "cat-file", "--batch", stdin="".join(f"{s}\n" for s in unique).encode())
    found: dict[str, bytes | None] = {}
    at = 0
    for sha in unique:
        end = out.index(b"\n", at)
        header = out[at:end].decode().split()
        at = end + 1
        if len(header) == 3:
            size = int(header[2])
            found[sha] = out[at : at + size]
            at += size + 1
        else:  # "<sha> missing" (or ambiguous)
            found[sha] = None
    return found


def _inside(path: str) -> bool:
    pure = PurePosixPath(path)
    return not pure.is_absolute() and ".." not in pure.parts


def write_tree(repo: Path, tagged: Tagged, folder: Path) -> list[Problem]:
    """Write the files the reader needs of ``tagged``'s tree into ``folder``; what could not
    be read, with tag and path."""
    entries = _tree(repo, tagged.commit)
    contents = _blobs(repo, [e.sha for e in entries])
    problems = []
    tag = tagged.names[0]
    for entry in entries:
        data = contents[entry.sha]
        if data is None:
            problems.append(
                Problem(
                    Severity.ERROR,
                    "missing-blob",
                    entry.path,
                    f"tag {tag}: blob {entry.sha} is not in the repository (a partial clone or "
                    "a damaged object store); skipped",
                    skipped=True,
                )
            )
            continue
        if not _inside(entry.path):
            continue
        target = folder / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if entry.mode == "120000":  # a symbolic link: the blob is its target
            os.symlink(data.decode("utf-8", "surrogateescape"), target)
        else:
            target.write_bytes(data)
    return problems


#: A folder in memory, where the system has one: writing and reading a tag's few thousand
#: files there costs a tenth of what it costs on a disk-backed /tmp.
MEMORY_FOLDER = Path("/dev/shm")


def scratch() -> Path | None:
    """Where a tag's files are written: ``$TMPDIR`` where it is set, else
    :data:`MEMORY_FOLDER` where it is a writable folder, else the system's temporary folder
    (None)."""
    if os.environ.get("TMPDIR"):
        return None
    usable = MEMORY_FOLDER.is_dir() and os.access(MEMORY_FOLDER, os.W_OK | os.X_OK)
    return MEMORY_FOLDER if usable else None


@contextmanager
def export(repo: str | Path, tagged: Tagged) -> Iterator[tuple[Path, list[Problem]]]:
    """The files of ``tagged`` in a temporary folder (removed afterwards), and what could not be
    read."""
    prefix = "akgraph-" + re.sub(r"[^\w.-]", "_", tagged.names[0]) + "-"
    with tempfile.TemporaryDirectory(prefix=prefix, dir=scratch()) as folder:
        yield Path(folder), write_tree(Path(repo), tagged, Path(folder))
