"""The real consumers in ../shared/clients (AKGRAPH_CLIENTS overrides): AMT's client and models,
MinBZK/task-registry with its JSON schemas and instruments. Tests skip where they are absent."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import REPO

CLIENTS = Path(os.environ.get("AKGRAPH_CLIENTS", REPO.parent / "shared" / "clients"))
AMT = CLIENTS / "amt"
TASK_REGISTRY = CLIENTS / "task-registry"
#: The virtual environment with AMT's pins that scripts/test makes (AKGRAPH_AMT_VENV overrides).
AMT_VENV = Path(os.environ.get("AKGRAPH_AMT_VENV", REPO / ".venv-amt"))


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} not found (the real clients; set AKGRAPH_CLIENTS)")
    return path


def registry_schema(kind: str) -> dict:
    """task-registry's own JSON schema of ``measures``, ``requirements`` or ``instruments``."""
    path = need(TASK_REGISTRY / "schemas" / f"schema_{kind}.json")
    return json.loads(path.read_text(encoding="utf-8"))


def amt_python() -> Path:
    """The Python of AMT's virtual environment; skips with the reason when it is missing."""
    need(AMT / "amt")
    python = AMT_VENV / "bin" / "python"
    if not python.exists():
        pytest.skip(f"{python} not found: ./scripts/test makes AMT's virtual environment")
    return python
