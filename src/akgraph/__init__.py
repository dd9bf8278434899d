"""akgraph: the Algoritmekader as linked data.

Pipeline: :mod:`akgraph.source` reads a checkout, :mod:`akgraph.mapping` turns it into RDF,
:mod:`akgraph.graph` builds and serializes it. Identifiers are minted and parsed in
:mod:`akgraph.iris` only.

The names below are imported when first used, so that the command line starts without
loading rdflib where it does not need it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from akgraph.graph import Build, build, load, serialize
    from akgraph.problems import Problem, Severity, SourceError

__all__ = [
    "Build",
    "Problem",
    "Severity",
    "SourceError",
    "__version__",
    "build",
    "load",
    "serialize",
]
_FROM = {
    "Build": "akgraph.graph",
    "build": "akgraph.graph",
    "load": "akgraph.graph",
    "serialize": "akgraph.graph",
    "Problem": "akgraph.problems",
    "Severity": "akgraph.problems",
    "SourceError": "akgraph.problems",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("akgraph")
        except PackageNotFoundError:  # run from a source tree that was never installed
            found = "0+unknown"
        globals()["__version__"] = found
        return found
    if name in _FROM:
        import importlib

        value = getattr(importlib.import_module(_FROM[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'akgraph' has no attribute {name!r}")
