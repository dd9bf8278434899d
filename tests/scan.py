"""An independent reading of a checkout for the tests: plain text scanning, none of akgraph's
reader, so the tests compare akgraph against something it did not compute itself."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

FOLDERS = {
    "measure": "docs/voldoen-aan-wetten-en-regels/maatregelen",
    "requirement": "docs/voldoen-aan-wetten-en-regels/vereisten",
    "instrument": "docs/voldoen-aan-wetten-en-regels/hulpmiddelen",
}


@dataclass
class ScannedFile:
    path: str
    slug: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    sources: list[tuple[str, str]] = field(default_factory=list)


def _unquote(value: str) -> str:
    """A plain scalar as written, or the inside of a quoted one."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"')
    return value


def _frontmatter_lines(text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").split("\n")
    assert lines[0].strip() == "---", "no frontmatter"
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    return lines[1:end]


def scan_file(root: Path, path: Path) -> ScannedFile:
    """Top-level keys with their scalar or list values, read line by line."""
    scanned = ScannedFile(path.relative_to(root).as_posix(), path.stem)
    key = None
    in_sources = None
    for line in _frontmatter_lines(path.read_text(encoding="utf-8")):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        top = re.match(r"^([\w-]+):\s*(.*)$", line)
        if top:
            key, value = top.group(1), top.group(2).strip()
            scanned.fields.setdefault(key, [])
            in_sources = None
            if value and value != "[]":
                scanned.fields[key].append(_unquote(value))
            continue
        item = re.match(r"^\s*-\s*(.*)$", line)
        if item and key and key != "sources":
            scanned.fields[key].append(_unquote(item.group(1)))
            continue
        nested = re.match(r"^\s+([\w-]+):\s*(.*)$", line)
        if nested and key == "sources":
            in_sources = nested.group(1)
            if nested.group(2).strip():
                scanned.sources.append((in_sources, _unquote(nested.group(2))))
            continue
        nested_item = re.match(r"^\s+-\s*(.*)$", line)
        if nested_item and key == "sources" and in_sources:
            scanned.sources.append((in_sources, _unquote(nested_item.group(1))))
    return scanned


def scan(root: Path) -> dict[str, list[ScannedFile]]:
    """Every item file by kind (overview pages left out)."""
    return {
        kind: [
            scan_file(root, p) for p in sorted((root / folder).glob("*.md")) if p.stem != "index"
        ]
        for kind, folder in FOLDERS.items()
    }


def glossary_terms(root: Path) -> list[str]:
    text = (root / "includes" / "begrippenlijst.md").read_text(encoding="utf-8")
    return [m.group(1).strip() for m in re.finditer(r"^\*\[([^\]]+)\]:", text, re.M)]
