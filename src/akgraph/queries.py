"""Named SPARQL queries: the ``.rq`` files in ``queries/``, their headers and parameters.

A query file starts with comment lines that describe it::

    # title: Maatregelen bij een vereiste
    # title@en: Measures for a requirement
    # description: ...
    # description@en: ...
    # question: Wat moet ik doen?
    # question@en: What do I have to do?
    # param: requirement (iri): URN van de vereiste

``question`` is the question of the cookbook (``/queries/``) that the query helps answer.
A parameter names a variable that the query fixes in exactly one ``VALUES ?requirement { … }``
block inside its pattern; the value written there is the default (``UNDEF``: no default, every
value). The file is a runnable query as it stands; :meth:`NamedQuery.bind` only swaps the
term in that block, written as a SPARQL term by rdflib.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from akgraph import resources

_HEADER = re.compile(r"^#\s*([a-z]+)(?:@([a-z]{2}))?\s*:\s*(.*?)\s*$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<type>iri|string|integer)"
    r"\s*\)\s*(?::\s*(?P<doc>.*))?$"
)
_VALUES = r"VALUES\s+\?{name}\s*\{{\s*(?P<term>[^{{}}]*?)\s*\}}"
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_INTEGER = re.compile(r"^[+-]?[0-9]{1,18}$")


class NamedQueryError(ValueError):
    """A named query is unknown, malformed, or given a bad parameter value."""


@dataclass(frozen=True)
class Parameter:
    """A variable of a named query that callers may fix."""

    name: str
    type: str
    default: str | None
    description: str

    def term(self, value: str) -> str:
        """``value`` as a SPARQL term of this parameter's type."""
        if self.type == "iri":
            if not _IRI.match(value):
                raise NamedQueryError(f"parameter {self.name}: {value!r} is not an IRI")
            return URIRef(value).n3()
        if self.type == "integer":
            if not _INTEGER.match(value.strip()):
                raise NamedQueryError(f"parameter {self.name}: {value!r} is not an integer")
            return Literal(int(value), datatype=XSD.integer).n3()
        return Literal(value).n3()


@dataclass(frozen=True)
class NamedQuery:
    """A query from ``queries/``: its name (the file name), header and text."""

    name: str
    text: str
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    parameters: tuple[Parameter, ...] = ()
    #: the question it answers, by which the cookbook groups the queries (``# question:``)
    question: dict[str, str] = field(default_factory=dict)

    def bind(self, values: dict[str, str] | None = None) -> str:
        """The query text with the given values (or the defaults) fixed by ``VALUES``."""
        values = dict(values or {})
        known = {p.name for p in self.parameters}
        unknown = sorted(set(values) - known)
        if unknown:
            raise NamedQueryError(
                f"query {self.name}: unknown parameter(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(known)) or 'none'}"
            )
        text = self.text
        for parameter in self.parameters:
            value = values.get(parameter.name, parameter.default)
            term = "UNDEF" if value in (None, "") else parameter.term(value)
            block = f"VALUES ?{parameter.name} {{ {term} }}"
            text = re.sub(_VALUES.format(name=parameter.name), block.replace("\\", "\\\\"), text)
        return text


def from_text(name: str, text: str) -> NamedQuery:
    """Read the header of a query file; raises NamedQueryError for a malformed parameter line."""
    title: dict[str, str] = {}
    description: dict[str, str] = {}
    question: dict[str, str] = {}
    parameters: list[Parameter] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = _HEADER.match(line)
        if not match:
            continue
        key, lang, value = match.group(1), match.group(2) or "nl", match.group(3)
        if key == "title":
            title[lang] = value
        elif key == "description":
            description[lang] = value
        elif key == "question":
            question[lang] = value
        elif key == "param":
            found = _PARAM.match(value)
            if not found:
                raise NamedQueryError(f"query {name}: malformed parameter line {line!r}")
            parameter = found.group("name")
            blocks = list(re.finditer(_VALUES.format(name=parameter), text))
            if len(blocks) != 1:
                raise NamedQueryError(
                    f"query {name}: parameter {parameter} needs exactly one "
                    f"'VALUES ?{parameter} {{ … }}' block, found {len(blocks)}"
                )
            parameters.append(
                Parameter(
                    parameter,
                    found.group("type"),
                    _default(blocks[0].group("term")),
                    (found.group("doc") or "").strip(),
                )
            )
    if "nl" not in title:
        raise NamedQueryError(f"query {name}: no '# title:' line")
    return NamedQuery(name, text, title, description, tuple(parameters), question)


def _default(term: str) -> str | None:
    """The value written in a parameter's VALUES block, as a form would show it."""
    term = term.strip()
    if term == "UNDEF" or not term:
        return None
    if term.startswith("<") and term.endswith(">"):
        return term[1:-1]
    literal = re.match(r'^"((?:[^"\\]|\\.)*)"', term)
    return literal.group(1) if literal else term


def read_folder(folder: Path | None = None) -> dict[str, NamedQuery]:
    """Every named query in ``folder`` (default: the queries shipped with akgraph), by name."""
    folder = folder or resources.data_dir("queries")
    return {
        path.stem: from_text(path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.rq"))
    }
