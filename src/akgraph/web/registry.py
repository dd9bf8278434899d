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

from rdflib.namespace import DCTERMS, FOAF

from akgraph import applicability
from akgraph.iris import AK
from akgraph.web.data import Data, Term

#: API collection name → class IRI, Dutch name, systemcard path.
KINDS = {
    "measures": (str(AK.Measure), "maatregel", ".systemcard.measures[]"),
    "requirements": (str(AK.Requirement), "vereiste", ".systemcard.requirements[]"),
    "instruments": (str(AK.Instrument), "hulpmiddel", ".systemcard.instruments[]"),
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
#: The lifecycle phases in the framework's order.
PHASES = (
    "organisatieverantwoordelijkheden",
    "probleemanalyse",
    "ontwerp",
    "dataverkenning-en-datapreparatie",
    "ontwikkelen",
    "verificatie-en-validatie",
    "implementatie",
    "monitoring-en-beheer",
    "uitfaseren",
)
#: AI-Act dimension → (property, ai_act_profile key, value → the registry's label).
#: Values the registry has no label for (``niet-van-toepassing``) are left out there.
AI_ACT = {
    "soort-toepassing": (
        str(AK.applicationType),
        "type",
        {
            "ai-systeem": "AI-systeem",
            "ai-systeem-voor-algemene-doeleinden": "AI-systeem voor algemene doeleinden",
            "ai-model-voor-algemene-doeleinden": "AI-model voor algemene doeleinden",
            "geen-algoritme": "geen algoritme",
            "impactvol-algoritme": "impactvol algoritme",
            "niet-impactvol-algoritme": "niet-impactvol algoritme",
        },
    ),
    "open-source": (
        str(AK.openSource),
        "open_source",
        {"open-source": "open-source", "geen-open-source": "geen open-source"},
    ),
    "risicogroep": (
        str(AK.riskGroup),
        "risk_group",
        {
            "hoog-risico-ai-systeem": "hoog-risico",
            "geen-hoog-risico-ai-systeem": "geen hoog-risico",
            "verboden-ai": "verboden",
            "uitzondering-van-toepassing": "uitzondering van toepassing",
        },
    ),
    "systeemrisico": (
        str(AK.systemicRisk),
        "systemic_risk",
        {"systeemrisico": "systeemrisico", "geen-systeemrisico": "geen systeemrisico"},
    ),
    "transparantieverplichting": (
        str(AK.transparencyObligation),
        "transparency_obligations",
        {
            "transparantieverplichting": "transparantieverplichting",
            "geen-transparantieverplichting": "geen transparantieverplichting",
        },
    ),
    "rol-ai-act": (
        str(AK.aiActRole),
        "role",
        {v: v for v in ("aanbieder", "gebruiksverantwoordelijke", "importeur", "distributeur")},
    ),
}
#: Registry label → frontmatter value, per dimension (for profiles written the AMT way).
FROM_LABEL = {
    dim: {label: value for value, label in m.items()} for dim, (_, _, m) in AI_ACT.items()
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
        return sorted({local(v) for v in self.values(AK.lifecyclePhase)}, key=phase_order)


class Registry:
    """The API's view of the graph, read once per process."""

    def __init__(self, data: Data, tag: str | None = None) -> None:
        """The registry of release ``tag`` (None: the store's default, the newest release)."""
        self.data, self.tag = data, tag
        self.graphs = data.graphs_of(tag) if tag else None
        self._lock = threading.Lock()

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

    @cached_property
    def versions(self) -> list[str]:
        """What ``?version=`` accepts."""
        return ["latest", *(r["tag"] for r in self.data.releases)]

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
                for target in item.values(AK.requirement) + item.values(AK.measure):
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
        """The task-registry JSON of ``item``, with the extra fields."""
        kind = item.kind
        dutch = KINDS[kind][1]
        text = item.section(dutch) or item.first(DCTERMS.abstract)
        record: dict[str, Any] = {
            "systemcard_path": KINDS[kind][2],
            "schema_version": SCHEMA_VERSION,
            "name": item.title,
            "description": text,
            "explanation": item.section("toelichting") or item.first(DCTERMS.abstract),
            "urn": item.urn,
            "language": "nl",
            "owners": [dict(o) for o in OWNERS],
            "date": self.release.get("date", ""),
            "url": item.first(FOAF.page),
        }
        roles = sorted({local(v) for v in item.values(AK.role)})
        topics = sorted({local(v) for v in item.values(AK.topic)})
        criteria = [
            {
                "urn": urn,
                "code": self.data.concepts.get(urn, {}).get("notation", local(urn)),
                "scheme": local(self.data.concepts.get(urn, {}).get("scheme", "")),
            }
            for urn in sorted(item.values(AK.auditCriterion))
        ]
        if kind == "requirements":
            labels = {
                dim: sorted({local(v) for v in item.values(prop)})
                for dim, (prop, _, _) in AI_ACT.items()
            }
            profile = {
                key: [mapping[v] for v in labels[dim] if v in mapping]
                for dim, (_, key, mapping) in AI_ACT.items()
            }
            record.update(
                subject=topics,
                lifecycle=item.lifecycle,
                links=self.measures_of(item.urn),
                ai_act_profile=[{**profile, "conformity_assessment_body": []}],
                always_applicable=0 if self.applicability_input[item.urn].ai_act else 1,
                template=json.loads(json.dumps(TEMPLATES["requirements"])),
                roles=roles,
                labels=labels,
                exceptions=sorted(item.values(AK.exception)),
                legal_sources=self.legal.get(item.urn, []),
                instruments=self.instruments_of(item.urn),
            )
        elif kind == "measures":
            record.update(
                lifecycle=item.lifecycle,
                suggested_roles=roles,
                links=self._linked(item, AK.requirement, "requirements"),
                subject=topics,
                template=json.loads(json.dumps(TEMPLATES["measures"])),
                instruments=self.instruments_of(item.urn),
            )
        else:
            record.update(
                lifecycle=item.lifecycle,
                suggested_roles=roles,
                subject=topics,
                category=sorted({local(v) for v in item.values(AK.instrumentCategory)}),
                measures=self._linked(item, AK.measure, "measures"),
                requirements=self._linked(item, AK.requirement, "requirements"),
            )
        record["audit_criteria"] = criteria
        record["release"] = dict(self.release)
        return record

    # -- applicability ---------------------------------------------------------------------------

    @cached_property
    def applicability_input(self) -> dict[str, applicability.Requirement]:
        """Every requirement as :mod:`akgraph.applicability` needs it."""
        return {
            urn: applicability.Requirement(
                urn,
                {
                    dim: frozenset(local(v) for v in item.values(prop))
                    for dim, (prop, _, _) in AI_ACT.items()
                },
                tuple(item.values(AK.exception)),
                tuple(self.measures_of(urn)),
            )
            for urn, item in self.items["requirements"].items()
        }

    def applicable(self, profile: applicability.Profile) -> tuple[list[Item], list[Item]]:
        """The requirements that apply to ``profile`` and their measures, as items."""
        chosen, measures = applicability.applicable(self.applicability_input.values(), profile)
        return (
            [self.items["requirements"][r.urn] for r in chosen],
            sorted((self.items["measures"][m] for m in measures), key=lambda i: i.urn),
        )
