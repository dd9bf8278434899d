"""Reading a checkout of the framework: files in, plain Python values out (no RDF)."""

from akgraph.source.reader import Checkout, Document, Release, SourceError, read_checkout

__all__ = ["Checkout", "Document", "Release", "SourceError", "read_checkout"]
