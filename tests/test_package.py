"""The package as installed: its version and its type information."""

import tomllib
from importlib.resources import files
from pathlib import Path

import akgraph

REPO = Path(__file__).resolve().parents[1]


def test_version_is_the_one_in_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert akgraph.__version__ == project["version"]


def test_package_declares_its_type_hints():
    assert files("akgraph").joinpath("py.typed").is_file()
