"""Read an instrument registry: a folder of YAML files shaped like MinBZK/task-registry's
``instruments/`` (one instrument a file, its questions as ``tasks``). Plain Python objects,
each with the file and line it came from; nothing here knows RDF.

A file or task that cannot be read is reported as a :class:`~akgraph.problems.Problem` whose
path is ``<folder>/<file>:<line>``, and the rest is read. Only regular ``.yaml``/``.yml``
files directly in the folder are opened; aliases are bounded as in the frontmatter.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from akgraph.problems import Problem, Severity
from akgraph.source import yamllines
from akgraph.source.reader import FrontmatterError

#: the folder looked for inside a checkout when none is given
FOLDER = "instruments"
#: the largest file read (the registry's largest, the AIIA, is about 80 KB)
MAX_BYTES = 8 * 1024 * 1024
#: the keys of a task the registry's schema (``schema_instruments.json``) knows
TASK_KEYS = {
    *("question", "urn", "labels", "type", "suggested_roles", "lifecycle", "links"),
    *("required_status", "depends_on", "signature", "expiration_date", "template"),
}
#: a link needs one of these
LINK_TARGETS = ("text", "url", "urn", "systemcard_path")
#: an instrument's scalar fields, in the registry's order
FIELDS = ("systemcard_path", "schema_version", "name", "description", "urn", "language", "date",
          "url")  # fmt: skip


@dataclass(frozen=True)
class Link:
    """A task's link: to another task or instrument (``urn``), a web page or only a text."""

    text: str | None = None
    url: str | None = None
    urn: str | None = None
    systemcard_path: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class Task:
    """One question (task) of an instrument, ``order`` counted from 1."""

    urn: str
    order: int
    question: str
    line: int
    labels: tuple[tuple[str, str], ...] = ()
    types: tuple[str, ...] = ()
    suggested_roles: tuple[str, ...] = ()
    lifecycle: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    depends_on: tuple[Link, ...] = ()
    required_status: bool | None = None
    expiration_date: str | None = None
    #: the structured leftovers kept as they are: ``template``, ``signature``, and keys the
    #: registry's schema does not know (reported)
    template: dict[str, Any] | None = None
    signature: list[Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class RegistryInstrument:
    """One instrument file: its scalar fields (:data:`FIELDS`), owners, template and tasks."""

    path: str
    line: int
    fields: dict[str, str]
    owners: list[dict[str, str]] = field(default_factory=list)
    template: dict[str, Any] | None = None
    tasks: list[Task] = field(default_factory=list)

    @property
    def urn(self) -> str:
        return self.fields.get("urn", "")


@dataclass
class InstrumentRegistry:
    """Everything read from one registry folder."""

    folder: Path
    instruments: list[RegistryInstrument] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)




def find(checkout: str | Path) -> Path | None:
    """The registry folder inside a checkout (``<checkout>/instruments``), if it holds YAML."""
    folder = Path(checkout) / FOLDER
    return folder if folder.is_dir() and any(_yaml_files(folder)) else None


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))


def read(folder: str | Path) -> InstrumentRegistry:
    """Read every instrument file in ``folder``; what cannot be read is in ``problems``."""
    registry = InstrumentRegistry(Path(folder))
    try:
        files = _yaml_files(registry.folder)
    except OSError as error:
        registry.problems.append(
            Problem(Severity.ERROR, "instrument-registry", str(folder),
                    f"map onleesbaar / folder cannot be read: {error}", skipped=True)
        )  # fmt: skip
        return registry
    seen: dict[str, str] = {}
    for path in files:
        name = f"{registry.folder.name}/{path.name}"
        data = _load(registry, path, name)
        if data is None:
            continue
        instrument = _instrument(registry, name, data)
        if instrument is None:
            continue
        if instrument.urn in seen:
            message = f"urn al gebruikt in / urn already used in {seen[instrument.urn]}"
            _problem(registry, name, instrument.line, "urn", instrument.urn, message)
            continue
        seen[instrument.urn] = name
        registry.instruments.append(instrument)
    return registry


def _load(registry: InstrumentRegistry, path: Path, name: str) -> dict[str, Any] | None:
    try:
        info = os.stat(path, follow_symlinks=False)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        if info.st_size > MAX_BYTES:
            raise ValueError(f"larger than {MAX_BYTES} bytes")
        data = yamllines.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, FrontmatterError, yaml.YAMLError) as error:
        mark = getattr(error, "problem_mark", None)
        registry.problems.append(
            Problem(Severity.ERROR, "instrument-registry", name + (f":{mark.line + 1}" if mark
                    else ""), f"onleesbaar / cannot be read: {error}", skipped=True)
        )  # fmt: skip
        return None
    if not isinstance(data, dict):
        _problem(registry, name, 1, None, None, "geen object / not a mapping", skipped=True)
        return None
    return data


def _instrument(
    registry: InstrumentRegistry, name: str, data: dict[str, Any]
) -> RegistryInstrument | None:
    line = data["__line__"]
    fields = {key: _text(data[key]) for key in FIELDS if data.get(key) is not None}
    if not fields.get("urn"):
        _problem(registry, name, line, "urn", None, "instrument zonder urn / instrument without "
                 "urn", skipped=True)  # fmt: skip
        return None
    instrument = RegistryInstrument(name, line, fields)
    owners = data.get("owners")
    for owner in owners if isinstance(owners, list) else []:
        if isinstance(owner, dict):
            instrument.owners.append(
                {k: _text(v) for k, v in owner.items() if k != "__line__"}
            )
    instrument.template = _plain(data.get("template")) if isinstance(
        data.get("template"), dict
    ) else None
    tasks = data.get("tasks")
    if tasks is not None and not isinstance(tasks, list):
        _problem(registry, name, line, "tasks", None, "geen lijst / not a list")
        tasks = []
    seen: set[str] = set()
    for order, entry in enumerate(tasks or [], start=1):
        task = _task(registry, name, entry, order, line)
        if task is None:
            continue
        if task.urn in seen:
            _problem(registry, name, task.line, "tasks.urn", task.urn,
                     "urn van de vraag komt twee keer voor / task urn occurs twice")  # fmt: skip
            continue
        seen.add(task.urn)
        instrument.tasks.append(task)
    return instrument


def _task(
    registry: InstrumentRegistry, name: str, entry: Any, order: int, parent_line: int
) -> Task | None:
    if not isinstance(entry, dict):
        _problem(registry, name, parent_line, "tasks", repr(entry)[:80],
                 "geen object / not a mapping")  # fmt: skip
        return None
    line = entry["__line__"]
    if not entry.get("urn") or not entry.get("question"):
        _problem(registry, name, line, "tasks.urn", _text(entry.get("urn")) or None,
                 "vraag zonder urn of tekst / task without urn or question")  # fmt: skip
        return None
    labels = []
    for label in _list(entry.get("labels")):
        if isinstance(label, dict) and label.get("key") is not None:
            labels.append((_text(label["key"]), _text(label.get("value"))))
        else:
            _problem(registry, name, line, "tasks.labels", repr(label)[:80],
                     "label zonder key / label without key")  # fmt: skip
    required = entry.get("required_status")
    if required is not None and not isinstance(required, bool):
        _problem(registry, name, line, "tasks.required_status", _text(required),
                 "geen ja/nee-waarde / not a boolean")  # fmt: skip
        required = None
    signature = entry.get("signature")
    extra = {str(k): _plain(v) for k, v in entry.items() if k not in TASK_KEYS | {"__line__"}}
    for key, value in extra.items():
        _problem(registry, name, line, f"tasks.{key}", repr(value)[:80],
                 "veld onbekend in het schema van het register; bewaard / field unknown to the "
                 "registry's schema; kept", severity=Severity.WARNING)  # fmt: skip
    return Task(
        urn=_text(entry["urn"]),
        order=order,
        question=str(entry["question"]),
        line=line,
        labels=tuple(labels),
        types=tuple(_text(t) for t in _list(entry.get("type"))),
        suggested_roles=tuple(_text(r) for r in _list(entry.get("suggested_roles"))),
        lifecycle=tuple(_text(p) for p in _list(entry.get("lifecycle"))),
        links=_links(registry, name, line, "tasks.links", entry.get("links")),
        depends_on=_links(registry, name, line, "tasks.depends_on", entry.get("depends_on")),
        required_status=required,
        expiration_date=(
            _text(entry["expiration_date"]) if entry.get("expiration_date") is not None else None
        ),
        template=_plain(entry["template"]) if isinstance(entry.get("template"), dict) else None,
        signature=_plain(signature) if isinstance(signature, list) else None,
        extra=extra,
    )


def _links(
    registry: InstrumentRegistry, name: str, line: int, key: str, value: Any
) -> tuple[Link, ...]:
    found = []
    for link in _list(value):
        if isinstance(link, dict) and any(link.get(k) for k in LINK_TARGETS):
            found.append(
                Link(**{k: _text(link[k]) for k in Link.__dataclass_fields__ if link.get(k)})
            )
        elif link == {"__line__": link.get("__line__")} if isinstance(link, dict) else False:
            _problem(registry, name, line, key, "{}", "lege link genegeerd / empty link left "
                     "out", severity=Severity.INFO)  # fmt: skip
        else:
            _problem(registry, name, line, key, repr(link)[:80],
                     "link zonder text, url, urn of systemcard_path / link without text, url, "
                     "urn or systemcard_path")  # fmt: skip
    return tuple(found)


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _plain(value: Any) -> Any:
    """``value`` without the ``__line__`` bookkeeping, scalars as strings (JSON-ready)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value if isinstance(value, (bool, int, float)) or value is None else str(value)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _problem(
    registry: InstrumentRegistry, name: str, line: int, key: str | None, value: str | None,
    message: str, skipped: bool = False, severity: Severity = Severity.ERROR,
) -> None:  # fmt: skip
    where = f"{name}:{line}"
    registry.problems.append(
        Problem(severity, "instrument-registry", where, message, key, value, skipped)
    )
