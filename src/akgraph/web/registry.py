"""The measures, requirements and instruments as task-registry records (the JSON API's data).

Field names and value forms follow MinBZK/task-registry's schemas (``schemas/
schema_requirements.json`` at commit 704479b, ``schema_measures.json`` at 64308ca,
``schema_instruments.json`` at 9d515be) so that AMT only changes its base URL. What the
registry lacks is added as extra fields (its schemas allow them): ``legal_sources``,
``instruments``, ``audit_criteria``, ``exceptions``, ``labels`` (every AI-Act label as written,
``niet-van-toepassing`` included), ``release``.

Everything is read with the page queries ``api-*.rq`` through :class:`~akgraph.web.data.Data`
(the same backend as ``/sparql``) and kept for the life of the process.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from rdflib.namespace import DCTERMS, FOAF, RDF

from akgraph import applicability, fields, iris, registry_labels
from akgraph.history import Step, Succession
from akgraph.iris import AK
from akgraph.web.data import Data, Term

#: API collection name → class IRI, Dutch name, systemcard path (the field table's kinds).
KINDS = {
    k.collection: (str(k.cls), k.dutch, f".systemcard.{k.collection}[]") for k in fields.KINDS
}
SCHEMA_VERSION = "1.1.0"
OWNERS = [{"organization": "Algoritmekader", "name": "", "email": "", "role": ""}]
#: Placeholders AMT fills in when it copies a task into a system card (registry convention).
_AUTHORS = [{"name": "$AUTHOR.NAME", "email": "$AUTHOR.EMAIL", "role": "$AUTHOR.ROLE"}]
TEMPLATES = {
    "requirements": {
        "requirement": "$REQUIREMENT",
        "remarks": "$REMARKS",
        "status": "$STATUS",
        "timestamp": "$TIMESTAMP",
        "authors": _AUTHORS,
    },
    "measures": {
        "requirement": "$REQUIREMENT",
        "value": "$VALUE",
        "remarks": "$REMARKS",
        "status": "$STATUS",
        "timestamp": "$TIMESTAMP",
        "authors": _AUTHORS,
    },
}
#: Per collection, frontmatter key -> the record field that holds it (the field table's names).
API_NAMES = {
    k.collection: {f.key: f.api[k.name] for f in fields.FIELDS if k.name in f.api}
    for k in fields.KINDS
}
#: Frontmatter key -> the property holding its values.
PROPERTIES = {f.key: f.prop for f in fields.FIELDS if f.prop is not None}
#: The fields that point at other items.
REFERENCES = fields.of_form(fields.Form.REFERENCE)
#: The lifecycle phases in the framework's order (the label table's order).
PHASES = tuple(registry_labels.lifecycle())
#: AI-Act dimension → the properties its values are on (its own and older keys').
AI_ACT_PROPERTIES = {
    name: tuple(str(PROPERTIES[key]) for key in (name, *dim.older))
    for name, dim in registry_labels.dimensions().items()
}


def local(iri: str) -> str:
    """The last part of a ``urn:nl:ak:<list>:<value>`` IRI."""
    return iri.rsplit(":", 1)[-1]


def phase_order(slug: str) -> tuple[int, str]:
    return (PHASES.index(slug) if slug in PHASES else len(PHASES), slug)


@dataclass
class Item:
    """One measure, requirement or instrument as read from the graph."""

    urn: str
    kind: str
    facts: dict[str, list[Term]] = field(default_factory=lambda: defaultdict(list))
    sections: list[tuple[int, str, str]] = field(default_factory=list)  # order, heading, text

    def values(self, predicate) -> list[str]:
        return [t.value for t in self.facts.get(str(predicate), [])]

    def first(self, predicate, default: str = "") -> str:
        found = self.facts.get(str(predicate), [])
        dutch = [t for t in found if t.lang in (None, "nl")]
        return (dutch or found)[0].value if found else default

    def section(self, *headings: str) -> str | None:
        wanted = [h.lower() for h in headings]
        for _, heading, text in sorted(self.sections):
            if heading.lower() in wanted:
                return text.strip()
        return None

    @property
    def title(self) -> str:
        return self.first(DCTERMS.title, self.urn)

    @property
    def lifecycle(self) -> list[str]:
        values = self.values(PROPERTIES["levenscyclus"])
        return sorted({local(v) for v in values}, key=phase_order)


def versions(data: Data) -> list[str]:
    """What ``?version=`` accepts on ``data``: ``latest`` and the tag of every release."""
    return ["latest", *(r["tag"] for r in data.releases)]


class Registry:
    """The API's view of the graph, read once per process."""

    def __init__(self, data: Data, tag: str | None = None) -> None:
        """The registry of release ``tag`` (None: the store's default, the newest release)."""
        self.data, self.tag = data, tag
        self.graphs = data.graphs_of(tag) if tag else None
        self._lock = threading.Lock()
        #: Serialized response bodies (the API's indexes), made once per key; guard: ``lock``.
        self.bodies: dict[tuple[Any, ...], bytes] = {}
        self.lock = threading.Lock()

    @cached_property
    def items(self) -> dict[str, dict[str, Item]]:
        """Per collection name, the items by URN (sorted by URN)."""
        with self._lock:
            found: dict[str, dict[str, Item]] = {}
            for kind, (cls, _, _) in KINDS.items():
                items: dict[str, Item] = {}
                for row in self.data.select("api-items", self.graphs, **{"class": cls}):
                    item = items.setdefault(row["item"].value, Item(row["item"].value, kind))
                    item.facts[row["p"].value].append(row["value"])
                for row in self.data.select("api-sections", self.graphs, **{"class": cls}):
                    if row["item"].value in items:
                        order = int(row["order"].value) if "order" in row else 0
                        heading = row["heading"].value if "heading" in row else ""
                        items[row["item"].value].sections.append(
                            (order, heading, row["markdown"].value)
                        )
                found[kind] = dict(sorted(items.items()))
            return found

    @cached_property
    def registry_instruments(self) -> dict[str, RegistryRecord]:
        """The instrument registry's instruments by URN (sorted), each rebuilt from the graph
        as the registry serves it: its fields, then every task in order."""
        facts: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        for row in self.data.select("api-registry-instruments", self.graphs):
            facts[row["s"].value][row["p"].value].append(row["o"])
        found = {}
        for iri, own in facts.items():
            if str(AK.RegistryInstrument) in _values(own, RDF.type):
                found[iri] = RegistryRecord(
                    iri,
                    _first(own, AK.sourcePath),
                    _first(own, AK.frameworkInstrument) or None,
                    _instrument_record(iri, own, facts),
                )
        return dict(sorted(found.items()))

    def registry_instrument_of(self, framework_urn: str) -> str | None:
        """The registry instrument that names the framework's instrument ``framework_urn``."""
        return next(
            (r.urn for r in self.registry_instruments.values() if r.framework == framework_urn),
            None,
        )

    def find(self, urn: str, kind: str | None = None) -> Item | None:
        """The item with ``urn`` (in collection ``kind``, or any)."""
        for name in [kind] if kind else list(KINDS):
            if urn in self.items[name]:
                return self.items[name][urn]
        return None

    @cached_property
    def release(self) -> dict[str, str]:
        """The loaded release (the newest one in the graph): tag, commit, date."""
        releases = self.data.releases
        if self.tag:
            return next(dict(r) for r in releases if r["tag"] == self.tag)
        return dict(releases[-1]) if releases else {}

    def history_fields(self, urn: str) -> dict[str, Any]:
        """What a record says of its URN across the releases held (beside ``release``, the
        release it is from): whether the URN named different items (``reassigned``), where the
        item it names here is in the newest release (``moved_to``: another URN, ``"gone"``, or
        null where it keeps this URN) and the URN's versions, oldest first (``history``)."""
        succession = self.data.succession
        tag = self.release.get("tag", "")
        steps = succession.by_urn.get(urn, [])
        now = succession.now(urn, tag) if steps else urn
        return {
            "reassigned": succession.reassigned(urn),
            "moved_to": None if now == urn else (now or "gone"),
            "history": [history_entry(succession, s) for s in steps],
        }

    @cached_property
    def versions(self) -> list[str]:
        """What ``?version=`` accepts."""
        return versions(self.data)

    @cached_property
    def legal(self) -> dict[str, list[dict[str, Any]]]:
        """Per requirement, its citations of legislation."""
        cited: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        for row in self.data.select("api-legal", self.graphs):
            entry = cited[row["item"].value].setdefault(row["citation"].value, {})
            for key, name in (
                ("text", "text"),
                ("target", "url"),
                ("article", "article"),
                ("articlePage", "article_url"),
                ("law", "law"),
                ("lawPage", "law_url"),
            ):
                if key in row:
                    entry.setdefault(name, row[key].value)
            for key, name in (("articleLabel", "article_label"), ("lawLabel", "law_label")):
                if key in row and len(row[key].value) > len(entry.get(name, "")):
                    entry[name] = row[key].value  # the fullest name (not the abbreviation)
        return {urn: list(found.values()) for urn, found in cited.items()}

    @cached_property
    def _inbound(self) -> dict[str, dict[str, set[str]]]:
        """Per item: the measures and instruments that point at it."""
        found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for kind in ("measures", "instruments"):
            for item in self.items[kind].values():
                for target in (t for f in REFERENCES for t in item.values(f.prop)):
                    found[target][kind].add(item.urn)
        return found

    def _linked(self, item: Item, predicate, kind: str) -> list[str]:
        """Targets of ``predicate`` that are items of collection ``kind``."""
        return sorted({u for u in item.values(predicate) if u in self.items[kind]})

    def measures_of(self, urn: str) -> list[str]:
        return sorted(self._inbound.get(urn, {}).get("measures", set()))

    def instruments_of(self, urn: str) -> list[str]:
        return sorted(self._inbound.get(urn, {}).get("instruments", set()))

    # -- records -------------------------------------------------------------------------------

    def record(self, item: Item) -> dict[str, Any]:
        """The task-registry JSON of ``item``, with the extra fields; the fields that hold a
        frontmatter field are named as the field table says."""
        kind = item.kind
        api, prop = API_NAMES[kind], PROPERTIES
        dutch = KINDS[kind][1]
        abstract = item.first(prop["toelichting"])
        record: dict[str, Any] = {
            "systemcard_path": KINDS[kind][2],
            "schema_version": SCHEMA_VERSION,
            api["title"]: item.title,
            "description": item.section(dutch) or abstract,
            api["toelichting"]: item.section("toelichting") or abstract,
            "urn": item.urn,
            "language": "nl",
            "owners": [dict(o) for o in OWNERS],
            "date": self.release.get("date", ""),
            "url": item.first(FOAF.page),
        }
        roles = sorted({local(v) for v in item.values(prop["rollen"])})
        topics = sorted({local(v) for v in item.values(prop["onderwerp"])})
        criteria = [
            {
                "urn": urn,
                "code": self.data.concepts.get(urn, {}).get("notation", local(urn)),
                "scheme": local(self.data.concepts.get(urn, {}).get("scheme", "")),
            }
            for urn in sorted(item.values(prop["sources"]))
        ]
        lifecycle = item.lifecycle
        if kind == "requirements":
            labels = self.labels_of(item)
            profile: dict[str, list[str]] = {
                dim.key: sorted(filter(None, (dim.label(v) for v in labels[name])))
                for name, dim in registry_labels.dimensions().items()
            }
            profile.update({key: [] for key in registry_labels.unmapped_keys()})
            record.update(
                {
                    api["onderwerp"]: topics,
                    api["levenscyclus"]: lifecycle,
                    "links": self.measures_of(item.urn),
                    "ai_act_profile": [profile],
                    "always_applicable": 0 if self.applicability_input[item.urn].ai_act else 1,
                    "template": json.loads(json.dumps(TEMPLATES["requirements"])),
                    api["rollen"]: roles,
                    "labels": labels,
                    api["uitzondering"]: sorted(item.values(prop["uitzondering"])),
                    "legal_sources": self.legal.get(item.urn, []),
                    "instruments": self.instruments_of(item.urn),
                }
            )
        elif kind == "measures":
            record.update(
                {
                    api["levenscyclus"]: lifecycle,
                    api["rollen"]: self.suggested_roles(roles),
                    api["vereiste"]: self._linked(item, prop["vereiste"], "requirements"),
                    api["onderwerp"]: topics,
                    "template": json.loads(json.dumps(TEMPLATES["measures"])),
                    "instruments": self.instruments_of(item.urn),
                }
            )
        else:
            record.update(
                {
                    api["levenscyclus"]: lifecycle,
                    api["rollen"]: self.suggested_roles(roles),
                    api["onderwerp"]: topics,
                    api["categorie"]: sorted({local(v) for v in item.values(prop["categorie"])}),
                    api["maatregel"]: self._linked(item, prop["maatregel"], "measures"),
                    api["vereiste"]: self._linked(item, prop["vereiste"], "requirements"),
                    "registry_instrument": self.registry_instrument_of(item.urn),
                }
            )
        record[api["sources"]] = criteria
        for key, name in api.items():  # fields the registry's schemas do not name: as written
            if name not in record:
                record[name] = _as_written(item, fields.BY_KEY[key])
        record["release"] = dict(self.release)
        record.update(self.history_fields(item.urn))
        return record

    @staticmethod
    def labels_of(item: Item) -> dict[str, list[str]]:
        """A requirement's AI-Act values per dimension, as written (``niet-van-toepassing``
        included), older keys (``publicatiecategorie``) merged into their dimension."""
        return {
            name: sorted({local(v) for prop in props for v in item.values(prop)})
            for name, props in AI_ACT_PROPERTIES.items()
        }

    @staticmethod
    def suggested_roles(roles: list[str]) -> list[str]:
        """The registry's labels of the framework's roles (a role without one as written)."""
        table = registry_labels.roles()
        return sorted({table.get(r, r) for r in roles})

    # -- applicability ---------------------------------------------------------------------------

    @cached_property
    def applicability_input(self) -> dict[str, applicability.Requirement]:
        """Every requirement as :mod:`akgraph.applicability` needs it."""
        return {
            urn: applicability.Requirement(
                urn,
                {dim: frozenset(v) for dim, v in self.labels_of(item).items()},
                tuple(item.values(PROPERTIES["uitzondering"])),
                tuple(self.measures_of(urn)),
            )
            for urn, item in self.items["requirements"].items()
        }

    def assess(self, profile: applicability.Profile) -> applicability.Assessment:
        """:func:`akgraph.applicability.assess` on this release's requirements."""
        return applicability.assess(self.applicability_input.values(), profile)


# -- the instrument registry ---------------------------------------------------------------------


@dataclass(frozen=True)
class RegistryRecord:
    """One instrument of the instrument registry: its URN, file, framework instrument and the
    record the registry serves for it."""

    urn: str
    path: str
    framework: str | None
    record: dict[str, Any]


def _as_written(item: Item, spec: fields.Field) -> str | list[str]:
    """A field's values on ``item`` as the frontmatter writes them: a text, the values of a
    list, or the URNs of the items referred to."""
    values = item.values(spec.prop)
    if spec.form is fields.Form.TEXT:
        return item.first(spec.prop)
    if spec.form is fields.Form.CONCEPT:
        return sorted({local(v) for v in values})
    return sorted(set(values))


def history_entry(succession: Succession, step: Step) -> dict[str, Any]:
    """One version of a URN as the API shows it: release, file, title, whether the URN named
    another item before, and the URN the same item had before where it moved."""
    before = succession.steps.get(step.before) if step.before else None
    return {
        "release": step.tag,
        "version": step.version,
        "slug": step.slug,
        "title": step.title,
        "reassigned": step.reassigned_from is not None,
        "moved_from": before.urn if before is not None and before.urn != step.urn else None,
    }


def _values(facts: dict[str, list[Term]], predicate) -> list[str]:
    return [t.value for t in facts.get(str(predicate), [])]


def _first(facts: dict[str, list[Term]], predicate) -> str:
    found = _values(facts, predicate)
    return found[0] if found else ""


def _ordered(facts: dict[str, dict[str, list[Term]]], parts: list[str]) -> list[str]:
    """``parts`` (task, label or link IRIs) in their ``ak:position`` order."""
    return sorted(parts, key=lambda p: int(_first(facts.get(p, {}), AK.position) or 0))


def _instrument_record(
    iri: str, own: dict[str, list[Term]], facts: dict[str, dict[str, list[Term]]]
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "systemcard_path": _first(own, AK.systemcardPath),
        "schema_version": _first(own, AK.schemaVersion),
        "name": _first(own, DCTERMS.title),
        "description": _first(own, DCTERMS.description),
        "urn": iri,
        "language": _first(own, DCTERMS.language),
        "owners": json.loads(_first(own, AK.owners) or "[]"),
        "date": _first(own, DCTERMS.date),
        "url": _first(own, FOAF.page),
    }
    if _first(own, AK.template):
        record["template"] = json.loads(_first(own, AK.template))
    record["tasks"] = [
        _task_record(task, facts.get(task, {}), facts)
        for task in _ordered(facts, _values(own, AK.task))
    ]
    return record


def _task_record(
    iri: str, own: dict[str, list[Term]], facts: dict[str, dict[str, list[Term]]]
) -> dict[str, Any]:
    phases = registry_labels.instrument_lifecycle()
    record: dict[str, Any] = {
        "question": _first(own, DCTERMS.title),
        "urn": iri,
        "labels": [
            {"key": _first(label, AK.labelKey), "value": _first(label, RDF.value)}
            for label in (facts.get(p, {}) for p in _ordered(facts, _values(own, AK.taskLabel)))
        ],
        "type": sorted(_values(own, AK.taskType)),
        "suggested_roles": sorted(_values(own, AK.suggestedRole)),
        "lifecycle": [
            phases[value]
            for value in phases
            if str(iris.concept("levenscyclus", value)) in _values(own, AK.lifecyclePhase)
        ],
        "links": [
            _link_record(facts.get(p, {})) for p in _ordered(facts, _values(own, AK.taskLink))
        ],
    }
    depends = _ordered(facts, _values(own, AK.dependsOn))
    if depends:
        record["depends_on"] = [_link_record(facts.get(p, {})) for p in depends]
    if _first(own, AK.requiredStatus):
        record["required_status"] = _first(own, AK.requiredStatus) == "true"
    if str(AK.expirationDate) in own:
        record["expiration_date"] = _first(own, AK.expirationDate)
    if _first(own, AK.signature):
        record["signature"] = json.loads(_first(own, AK.signature))
    if _first(own, AK.template):
        record["template"] = json.loads(_first(own, AK.template))
    if _first(own, AK.extraFields):
        record.update(json.loads(_first(own, AK.extraFields)))
    return record


def _link_record(own: dict[str, list[Term]]) -> dict[str, str]:
    fields = (
        ("text", AK.linkText),
        ("url", FOAF.page),
        ("urn", AK.linkUrn),
        ("systemcard_path", AK.systemcardPath),
        ("version", AK.linkVersion),
    )
    return {name: _first(own, p) for name, p in fields if _first(own, p)}
