"""The one place that builds the app's URLs; views and templates never write paths by hand."""

from __future__ import annotations

from flask import url_for


def sparql(external: bool = False, **params: str) -> str:
    """The SPARQL endpoint, optionally with query parameters (``query=...``)."""
    return url_for("sparql.endpoint", _external=external, **params)
