"""Problems found while reading and converting a checkout, shared by every pipeline stage."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Severity(IntEnum):
    """How bad a problem is; higher is worse."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Problem:
    """One finding, tied to a file (relative to the checkout) and, where known, a field and value.

    ``code`` is a stable machine-readable name (``unresolved-reference``, ``broken-yaml``...);
    ``skipped`` says the file could not be converted at all; ``line`` is the line of the
    file it concerns, where one is known.
    """

    severity: Severity
    code: str
    path: str
    message: str
    field: str | None = None
    value: str | None = None
    skipped: bool = False
    line: int | None = None

    def __str__(self) -> str:
        where = self.path
        if self.field:
            where += f" [{self.field}"
            where += f" = {self.value!r}]" if self.value is not None else "]"
        return f"{self.severity}: {where}: {self.message}"


class SourceError(Exception):
    """The checkout as a whole cannot be read (missing, not a folder, no ``docs/``)."""
