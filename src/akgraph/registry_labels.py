"""The table from the framework's frontmatter values to task-registry's and AMT's labels.

One data file, ``registry-labels.yaml`` beside this module, is the only place these labels are
written. Everything else (the API's records, the applicability engine, the input parser of
``/api/applicable``) reads them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

TABLE = Path(__file__).resolve().parent / "registry-labels.yaml"


@dataclass(frozen=True)
class Dimension:
    """One AI-Act dimension: frontmatter key, registry field, older keys, value → label."""

    name: str
    key: str
    older: tuple[str, ...]
    values: dict[str, str | None]

    def label(self, value: str) -> str | None:
        """The registry's label of a frontmatter value (None: it has none)."""
        return self.values.get(value)

    def restricting(self, values: set[str] | frozenset[str]) -> set[str]:
        """The values that have a registry label (the ones AMT sees and matches on)."""
        return {v for v in values if self.values.get(v)}

    def parse(self, text: str) -> str | None:
        """A frontmatter value from a value, its URN or its registry label (any case)."""
        text = text.strip()
        folded = text.casefold()
        prefixes = [f"urn:nl:ak:{name}:" for name in (self.name, *self.older)]
        for prefix in prefixes:
            if folded.startswith(prefix):
                folded = folded[len(prefix) :]
        for value, label in self.values.items():
            if folded == value.casefold() or (label and folded == label.casefold()):
                return value
        return None

    def accepted(self) -> list[str]:
        """Every spelling :meth:`parse` accepts (values, URNs, labels), for error messages."""
        found = list(self.values)
        found += [f"urn:nl:ak:{self.name}:{v}" for v in self.values]
        found += [label for label in self.values.values() if label]
        return found


@cache
def _table() -> dict[str, Any]:
    return yaml.safe_load(TABLE.read_text(encoding="utf-8"))


@cache
def dimensions() -> dict[str, Dimension]:
    """The AI-Act dimensions by frontmatter key, in the table's order."""
    return {
        name: Dimension(
            name,
            spec["key"],
            tuple(spec.get("older", ())),
            {str(k): (str(v) if v is not None else None) for k, v in spec["values"].items()},
        )
        for name, spec in _table()["ai_act"].items()
    }


def unmapped_keys() -> list[str]:
    """Registry ``ai_act_profile`` fields the framework has no dimension for."""
    return list(_table().get("unmapped_keys", []))


def lifecycle() -> dict[str, str]:
    """levenscyclus value → registry lifecycle label, in the framework's order."""
    return dict(_table()["lifecycle"])


def roles() -> dict[str, str]:
    """rollen value → registry suggested_roles label."""
    return dict(_table()["roles"])


def instrument_lifecycle() -> dict[str, str]:
    """levenscyclus value → the lifecycle label of the registry's instrument tasks."""
    return dict(_table()["instrument_lifecycle"])


def parse_instrument_lifecycle(text: str) -> str | None:
    """The levenscyclus value of an instrument task's lifecycle label or slug (any case)."""
    folded = text.strip().casefold()
    for value, label in instrument_lifecycle().items():
        if folded in (value.casefold(), label.casefold()):
            return value
    return None
