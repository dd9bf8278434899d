"""The package as installed: its version, its type information and its dependencies' bounds."""

import tomllib
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

from packaging.requirements import Requirement

import akgraph

REPO = Path(__file__).resolve().parents[1]


def test_version_is_the_one_in_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert akgraph.__version__ == project["version"]


def test_package_declares_its_type_hints():
    assert files("akgraph").joinpath("py.typed").is_file()


def test_rdf_libraries_are_bounded_above_and_the_installed_ones_fit():
    """rdflib's and pyoxigraph's APIs change between releases: the bounds say which we test."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {Requirement(d).name: Requirement(d) for d in project["dependencies"]}
    for name in ("rdflib", "pyoxigraph"):
        specifier = declared[name].specifier
        assert any(s.operator in ("<", "<=", "~=", "==") for s in specifier), name
        assert specifier.contains(version(name)), (name, version(name))


def test_the_test_command_type_checks_the_package():
    script = (REPO / "scripts" / "test").read_text(encoding="utf-8")
    assert '"$venv/bin/mypy" src' in script
