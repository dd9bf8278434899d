"""akgraph: the Algoritmekader as linked data.

Pipeline: :mod:`akgraph.source` reads a checkout, :mod:`akgraph.mapping` turns it into RDF,
:mod:`akgraph.graph` builds and serializes it. Identifiers are minted and parsed in
:mod:`akgraph.iris` only.
"""

from importlib.metadata import PackageNotFoundError, version

from akgraph.graph import Build, build, load, serialize
from akgraph.problems import Problem, Severity
from akgraph.source.reader import SourceError

try:
    __version__ = version("akgraph")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

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
