"""The instrument registry (:mod:`akgraph.source.instruments`) as RDF, for its own named graph
``urn:nl:ak:graph:instrumenten``. No I/O: the registry and the release's data come in, a graph
and problems go out.

Each instrument (``ak:RegistryInstrument``) keeps its registry URN as IRI and names the
framework's instrument with the same code (``urn:nl:aivt:tr:iama:1.0`` ->
``urn:nl:ak:hlp:iama``, ``ak:frameworkInstrument``). Each question is an ``ak:InstrumentTask``
under its own URN: its text (``dct:title``), place (``ak:position``), lifecycle phases (the
framework's concepts), types, suggested roles, labels and links (``ak:TaskLabel`` and
``ak:TaskLink`` nodes ``<task>#label-1``, ``<task>#link-1``, ``<task>#voorwaarde-1``). A link to
a URN becomes ``dct:relation`` to it, and ``ak:requirement``/``ak:measure`` where it is one of
the release's requirements or measures. The registry's templates, owners and signatures stay
JSON (``rdf:JSON``), as AMT copies them into a system card unchanged.
"""

from __future__ import annotations

import json
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, XSD

from akgraph import iris, registry_labels
from akgraph.iris import AK
from akgraph.problems import Problem, Severity
from akgraph.source.instruments import InstrumentRegistry, Link, RegistryInstrument, Task

#: framework classes a task's link may name, and the property the task then gets
LINKED_KINDS = {AK.Requirement: AK.requirement, AK.Measure: AK.measure}


def to_graph(registry: InstrumentRegistry, release: Graph) -> tuple[Graph, list[Problem]]:
    """The registry as RDF, linked to the framework's instruments, requirements and measures in
    ``release``; with the problems of reading it and of the links made."""
    graph = Graph()
    graph.bind("ak", AK)
    graph.bind("dct", DCTERMS)
    problems = list(registry.problems)
    known = {URIRef(i.urn) for i in registry.instruments}
    known |= {URIRef(t.urn) for i in registry.instruments for t in i.tasks}
    for instrument in registry.instruments:
        _instrument(graph, instrument, release, known, problems)
    return graph, problems


def _json(value: Any) -> Literal:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Literal(text, datatype=RDF.JSON)


def _instrument(
    graph: Graph, instrument: RegistryInstrument, release: Graph, known: set[URIRef],
    problems: list[Problem],
) -> None:  # fmt: skip
    add = graph.add
    where = f"{instrument.path}:{instrument.line}"
    node = iris.registry_urn(instrument.urn)
    if node is None:
        problems.append(Problem(Severity.ERROR, "instrument-registry", where,
                                "geen task-registry-URN / not a task-registry URN", "urn",
                                instrument.urn, skipped=True))  # fmt: skip
        return
    fields = instrument.fields
    lang = fields.get("language") or "nl"
    add((node, RDF.type, AK.RegistryInstrument))
    add((node, DCTERMS.title, Literal(fields.get("name") or instrument.urn, lang=lang)))
    if fields.get("description"):
        add((node, DCTERMS.description, Literal(fields["description"], lang=lang)))
    for key, predicate in (
        ("language", DCTERMS.language),
        ("date", DCTERMS.date),
        ("systemcard_path", AK.systemcardPath),
        ("schema_version", AK.schemaVersion),
    ):
        if fields.get(key):
            add((node, predicate, Literal(fields[key])))
    if fields.get("url"):
        add((node, FOAF.page, Literal(fields["url"], datatype=XSD.anyURI)))
    add((node, AK.sourcePath, Literal(instrument.path)))
    add((node, AK.sourceLine, Literal(instrument.line)))
    add((node, AK.owners, _json(instrument.owners)))
    if instrument.template is not None:
        add((node, AK.template, _json(instrument.template)))
    framework = iris.item("instrument", iris.registry_code(instrument.urn) or "")
    if (framework, RDF.type, AK.Instrument) in release:
        add((node, AK.frameworkInstrument, framework))
    else:
        problems.append(Problem(Severity.INFO, "instrument-registry", where,
                                f"het Algoritmekader heeft geen hulpmiddel {framework} / the "
                                f"framework has no instrument {framework}", "urn",
                                instrument.urn))  # fmt: skip
    for task in instrument.tasks:
        _task(graph, node, instrument, task, release, known, lang, problems)


def _task(
    graph: Graph, parent: URIRef, instrument: RegistryInstrument, task: Task, release: Graph,
    known: set[URIRef], lang: str, problems: list[Problem],
) -> None:  # fmt: skip
    add = graph.add
    where = f"{instrument.path}:{task.line}"
    node = iris.registry_urn(task.urn)
    if node is None or not task.urn.startswith(instrument.urn + ":"):
        problems.append(Problem(Severity.ERROR, "instrument-registry", where,
                                f"geen URN van een vraag van {instrument.urn} / not the URN of "
                                f"a task of {instrument.urn}", "tasks.urn", task.urn,
                                ))  # fmt: skip
        return
    add((parent, AK.task, node))
    add((node, RDF.type, AK.InstrumentTask))
    add((node, DCTERMS.isPartOf, parent))
    add((node, DCTERMS.title, Literal(task.question, lang=lang)))  # as written, spaces kept
    add((node, AK.position, Literal(task.order)))
    add((node, AK.sourceLine, Literal(task.line)))
    for value in task.types:
        add((node, AK.taskType, Literal(value)))
    for value in task.suggested_roles:
        add((node, AK.suggestedRole, Literal(value)))
    for label in task.lifecycle:
        phase = registry_labels.parse_instrument_lifecycle(label)
        if phase is None:
            accepted = ", ".join(registry_labels.instrument_lifecycle().values())
            problems.append(Problem(Severity.ERROR, "instrument-registry", where,
                                    f"onbekende levenscyclusfase / unknown lifecycle phase "
                                    f"(accepted: {accepted})", "tasks.lifecycle", label,
                                    ))  # fmt: skip
        else:
            add((node, AK.lifecyclePhase, iris.concept("levenscyclus", phase)))
    for number, (key, value) in enumerate(task.labels, start=1):
        part = iris.part(node, "label", number)
        add((node, AK.taskLabel, part))
        add((part, RDF.type, AK.TaskLabel))
        add((part, AK.position, Literal(number)))
        add((part, AK.labelKey, Literal(key)))
        add((part, RDF.value, Literal(value, lang=lang)))
        add((part, RDFS.label, Literal(f"{key}: {value}", lang=lang)))
    for predicate, kind, links in (
        (AK.taskLink, "link", task.links),
        (AK.dependsOn, "voorwaarde", task.depends_on),
    ):
        for number, link in enumerate(links, start=1):
            _link(graph, node, predicate, iris.part(node, kind, number), number, link, release,
                  known, where, problems)  # fmt: skip
    if task.required_status is not None:
        add((node, AK.requiredStatus, Literal(task.required_status)))
    if task.expiration_date is not None:
        add((node, AK.expirationDate, Literal(task.expiration_date)))
    if task.template is not None:
        add((node, AK.template, _json(task.template)))
    if task.signature is not None:
        add((node, AK.signature, _json(task.signature)))
    if task.extra:
        add((node, AK.extraFields, _json(task.extra)))


def _link(
    graph: Graph, task: URIRef, predicate: URIRef, part: URIRef, number: int, link: Link,
    release: Graph, known: set[URIRef], where: str, problems: list[Problem],
) -> None:  # fmt: skip
    add = graph.add
    add((task, predicate, part))
    add((part, RDF.type, AK.TaskLink))
    add((part, AK.position, Literal(number)))
    name = link.text or link.urn or link.url or link.systemcard_path
    add((part, RDFS.label, Literal(f"{name} ({link.version})" if link.version else str(name))))
    if link.text:
        add((part, AK.linkText, Literal(link.text)))
    if link.url:
        add((part, FOAF.page, Literal(link.url, datatype=XSD.anyURI)))
    if link.systemcard_path:
        add((part, AK.systemcardPath, Literal(link.systemcard_path)))
    if link.version:
        add((part, AK.linkVersion, Literal(link.version)))
    if not link.urn:
        return
    add((part, AK.linkUrn, Literal(link.urn)))
    target = iris.registry_urn(link.urn) or (
        URIRef(link.urn) if iris.parse(link.urn) is not None else None
    )
    if target is None:
        problems.append(Problem(Severity.WARNING, "instrument-registry", where,
                                "link naar iets dat geen URN is / link to something that is "
                                "not a URN", "tasks.links.urn", link.urn))  # fmt: skip
        return
    add((part, AK.linkedResource, target))
    kind = next((k for k in LINKED_KINDS if (target, RDF.type, k) in release), None)
    if kind is not None:
        add((task, LINKED_KINDS[kind], target))
    elif target in known or (target, None, None) in release:
        add((task, DCTERMS.relation, target))
    else:
        problems.append(Problem(Severity.WARNING, "instrument-registry", where,
                                "link naar een URN die niet bestaat / link to a URN that does "
                                "not exist", "tasks.links.urn", link.urn))  # fmt: skip
