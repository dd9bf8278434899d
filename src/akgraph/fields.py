"""The frontmatter fields of measures, requirements and instruments, as one table.

Each :class:`Field` says which kinds of item may have it, which property holds its values in
the graph and how a value is read (:class:`Form`), and where else it shows: as a facet of the
list pages (and a column of their spreadsheets), under a heading on item pages, in the JSON
API's records, in the diff between releases. The mapping, the pages, the API, the diff and
the validation messages read their field knowledge from here, so adding a frontmatter field
is adding one entry (``tests/test_fields.py`` checks that the ontology declares every property
with its labels, and that each consumer's fields are this table's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cache

from rdflib import URIRef
from rdflib.namespace import DCTERMS

from akgraph.iris import AK


@dataclass(frozen=True)
class Kind:
    """A kind of item: its name (as the reader names a document's kind), its class, its Dutch
    name (the heading of its text), its list page (also its Dutch plural) and API collection."""

    name: str
    cls: URIRef
    dutch: str
    listing: str
    collection: str


#: The kinds of item, in the order the pages and the API list them.
KINDS: tuple[Kind, ...] = (
    Kind("measure", AK.Measure, "maatregel", "maatregelen", "measures"),
    Kind("requirement", AK.Requirement, "vereiste", "vereisten", "requirements"),
    Kind("instrument", AK.Instrument, "hulpmiddel", "hulpmiddelen", "instruments"),
)
#: The class of each kind of item, by name.
ITEM_CLASSES: dict[str, URIRef] = {k.name: k.cls for k in KINDS}
ALL = frozenset(ITEM_CLASSES)


class Form(Enum):
    """How the mapping reads a field's value."""

    #: one text, kept in Dutch
    TEXT = "text"
    #: values of the controlled list named by the field's key (``urn:nl:ak:<key>:<value>``)
    CONCEPT = "concept"
    #: file names (slugs) or URNs of items of the field's ``target`` kind
    REFERENCE = "reference"
    #: plain text values
    LITERAL = "literal"
    #: exception expressions over AI-Act labels (:mod:`akgraph.applicability`), kept as text
    EXPRESSION = "expression"
    #: audit framework (ADR, ARK) -> codes of its criteria
    AUDIT = "audit"
    #: the item's URN (which decides its IRI)
    IDENTIFIER = "identifier"
    #: steers the MkDocs layout only; not converted
    PRESENTATION = "presentation"


@dataclass(frozen=True)
class Field:
    """One frontmatter field of the framework's items."""

    key: str
    form: Form
    #: the property holding the field's values (None: not converted)
    prop: URIRef | None
    kinds: frozenset[str] = ALL
    #: other properties the conversion of the field writes (to name the field in messages)
    also: tuple[URIRef, ...] = ()
    #: REFERENCE: the kind of item referred to
    target: str | None = None
    #: whether a missing or empty value is reported
    required: bool = False
    #: a filter of the list pages (query parameter: the key) and a column of their exports
    facet: bool = False
    #: one of the AI-Act labels of a requirement (the decision aid's outcomes)
    ai_act: bool = False
    #: the heading of its values on item pages (Dutch, English)
    label: tuple[str, str] | None = None
    #: the column of the list pages' exports (facets: the key)
    column: str | None = None
    #: the field of the API's records that holds it, per kind of record (kinds left out: none;
    #: a record of a kind without the field has it empty, as ``audit_criteria``)
    api: Mapping[str, str] = field(default_factory=dict)
    #: what the diff between releases calls the field (None: not compared)
    diff: str | None = None

    def heading(self, language: str) -> str:
        """The heading of its values on item pages in ``language`` (``en``, else Dutch)."""
        if self.label is None:
            raise ValueError(f"field {self.key} has no heading")
        return self.label[1] if language == "en" else self.label[0]


def _every(name: str, kinds: frozenset[str] = ALL) -> dict[str, str]:
    return dict.fromkeys(sorted(kinds), name)


_REQUIREMENT = frozenset({"requirement"})
_INSTRUMENT = frozenset({"instrument"})


def _ai_act(key: str, prop: URIRef, label: tuple[str, str]) -> Field:
    return Field(key, Form.CONCEPT, prop, _REQUIREMENT, facet=True, ai_act=True, label=label,
                 column=key, diff=key)  # fmt: skip


#: Every field, in the order the pages, the exports and the diff list them.
FIELDS: tuple[Field, ...] = (
    Field("id", Form.IDENTIFIER, DCTERMS.identifier,
          also=(AK.identifierMinted, AK.claimedIdentifier)),
    Field("title", Form.TEXT, DCTERMS.title, required=True, column="title",
          api=_every("name"), diff="title"),
    Field("toelichting", Form.TEXT, DCTERMS.abstract, api=_every("explanation"),
          diff="toelichting"),
    Field("levenscyclus", Form.CONCEPT, AK.lifecyclePhase, facet=True,
          label=("Levenscyclus", "Lifecycle"), column="levenscyclus", api=_every("lifecycle"),
          diff="levenscyclus"),
    Field("rollen", Form.CONCEPT, AK.role, facet=True, label=("Rollen", "Roles"),
          column="rollen", api={**_every("suggested_roles"), "requirement": "roles"},
          diff="rollen"),
    Field("onderwerp", Form.CONCEPT, AK.topic, facet=True, label=("Onderwerpen", "Topics"),
          column="onderwerp", api=_every("subject"), diff="onderwerp"),
    _ai_act("soort-toepassing", AK.applicationType, ("Soort toepassing", "Type of application")),
    _ai_act("risicogroep", AK.riskGroup, ("Risicogroep", "Risk group")),
    _ai_act("rol-ai-act", AK.aiActRole, ("Rol in de AI-verordening", "Role in the AI Act")),
    _ai_act("transparantieverplichting", AK.transparencyObligation,
            ("Transparantieverplichting", "Transparency obligation")),
    _ai_act("systeemrisico", AK.systemicRisk, ("Systeemrisico", "Systemic risk")),
    _ai_act("open-source", AK.openSource, ("Open source", "Open source")),
    Field("publicatiecategorie", Form.CONCEPT, AK.publicationCategory, _REQUIREMENT,
          label=("Publicatiecategorie", "Publication category"), diff="publicatiecategorie"),
    Field("categorie", Form.CONCEPT, AK.instrumentCategory, _INSTRUMENT, facet=True,
          label=("Categorie", "Category"), column="categorie", api=_every("category", _INSTRUMENT),
          diff="categorie"),
    Field("vereiste", Form.REFERENCE, AK.requirement, frozenset({"measure", "instrument"}),
          target="requirement", api={"measure": "links", "instrument": "requirements"},
          diff="vereiste"),
    Field("maatregel", Form.REFERENCE, AK.measure, _INSTRUMENT, target="measure",
          api={"instrument": "measures"}, diff="maatregel"),
    Field("uitzondering", Form.EXPRESSION, AK.exception, _REQUIREMENT,
          api={"requirement": "exceptions"}, diff="uitzondering"),
    Field("status_vereiste", Form.LITERAL, AK.requirementStatus, _REQUIREMENT),
    Field("sources", Form.AUDIT, AK.auditCriterion, frozenset({"measure"}),
          api=_every("audit_criteria"), diff="sources"),
    Field("hide", Form.PRESENTATION, None),
)  # fmt: skip
#: The fields by frontmatter key.
BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}


def of_form(*forms: Form) -> list[Field]:
    """The fields read in one of ``forms``, in the table's order."""
    return [f for f in FIELDS if f.form in forms]


@cache
def declared(kind: str) -> frozenset[str]:
    """The frontmatter keys an item of ``kind`` may have (any other key is kept raw)."""
    return frozenset(f.key for f in FIELDS if kind in f.kinds)


def facets() -> list[Field]:
    """The facets of the list pages, in order."""
    return [f for f in FIELDS if f.facet]


def ai_act() -> list[Field]:
    """The AI-Act label fields of a requirement, in order."""
    return [f for f in FIELDS if f.ai_act]


def column(key: str) -> str:
    """The column of field ``key`` in the exports of lists."""
    found = BY_KEY[key].column
    if found is None:
        raise KeyError(f"field {key} is no column of the exports")
    return found


def by_property() -> dict[URIRef, Field]:
    """Each property a field's conversion writes -> that field."""
    return {p: f for f in FIELDS for p in (f.prop, *f.also) if p is not None}
