"""akgraph: the Algoritmekader as linked data.

Pipeline: :mod:`akgraph.source` reads a checkout, :mod:`akgraph.mapping` turns it into RDF,
:mod:`akgraph.graph` builds and serializes it. Identifiers are minted and parsed in
:mod:`akgraph.iris` only.
"""

from akgraph.graph import Build, build, load, serialize
from akgraph.problems import Problem, Severity
from akgraph.source.reader import SourceError

__all__ = ["Build", "Problem", "Severity", "SourceError", "build", "load", "serialize"]
