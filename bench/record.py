"""What every benchmark script shares when it reports: its command line and the Markdown append."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path


def command() -> str:
    """The command this run was started with, as one would type it from the repository."""
    return shlex.join([".venv/bin/python", f"bench/{Path(sys.argv[0]).name}", *sys.argv[1:]])


def append(path: str | None, text: str) -> None:
    """Append the Markdown ``text`` to the file ``path`` (``--write``), a blank line before it."""
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write("\n" + text.strip("\n") + "\n")
