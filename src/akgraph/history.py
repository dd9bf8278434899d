"""Several releases side by side: what each URN named in each release, and what changed.

Works on the data graphs of built releases (no I/O). The framework's URNs were not persistent:
when measures were merged or renumbered, a URN was given to another measure. A URN that names a
file with another slug than in the release before is **reassigned**; the same slug with other
content is an **edit**. Each (URN, release) pair gets a version node
(``urn:nl:ak:versie:<tag>:<code>:<id>``) in the history graph; versions are linked to the one
before by ``prov:wasRevisionOf`` (same item) or ``ak:reassignedFrom`` (another item), so no
two releases are ever merged into one node there.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD
from rdflib.term import Node

from akgraph import iris
from akgraph.iris import AK
from akgraph.mapping import LIST_FIELDS, REFERENCE_FIELDS

Triple = tuple[Node, Node, Node]
ITEM_CLASSES = {AK.Measure: "measure", AK.Requirement: "requirement", AK.Instrument: "instrument"}

#: What a diff compares on an item: field name (as in the frontmatter) and property.
FIELDS = {
    "title": DCTERMS.title,
    "toelichting": DCTERMS.abstract,
    **LIST_FIELDS,
    **{key: prop for key, (prop, _) in REFERENCE_FIELDS.items()},
    "uitzondering": AK.exception,
    "sources": AK.auditCriterion,
    "wetgeving": AK.derivedFrom,
}
#: Fields whose values are other items or laws: reported as relations too.
RELATIONS = {"vereiste", "maatregel", "wetgeving"}


@dataclass(frozen=True)
class Version:
    """An item as one release has it."""

    iri: str
    kind: str
    slug: str
    title: str | None
    path: str | None


def items(data: Graph) -> dict[str, Version]:
    """The measures, requirements and instruments of one release's data graph, by IRI."""
    found = {}
    for cls, kind in ITEM_CLASSES.items():
        for subject in data.subjects(RDF.type, cls):
            title = data.value(subject, DCTERMS.title)
            path = data.value(subject, AK.sourcePath)
            found[str(subject)] = Version(
                str(subject),
                kind,
                str(data.value(subject, AK.slug) or ""),
                str(title) if title is not None else None,
                str(path) if path is not None else None,
            )
    return found


def _sections(data: Graph, subject: URIRef) -> dict[tuple[str, int], str]:
    """The text of each section by (heading, occurrence), in their order (``""``: the text
    before the first heading)."""
    ordered = sorted(
        (
            int(str(data.value(s, AK.order) or 0)),
            str(data.value(s, AK.heading) or ""),
            str(data.value(s, AK.markdown) or ""),
        )
        for s in data.objects(subject, AK.section)
    )
    seen: Counter[str] = Counter()
    found = {}
    for _, heading, text in ordered:
        seen[heading] += 1
        found[(heading, seen[heading])] = text
    return found


#: Words of unchanged text kept on each side of a change in a word diff; the rest is elided.
CONTEXT_WORDS = 8


@dataclass(frozen=True)
class SectionChange:
    """The words of one section that changed: ``words`` holds (op, text) runs, op ``=`` (the
    same), ``-`` (only before), ``+`` (only after) or ``…`` (that many unchanged words left
    out)."""

    heading: str
    words: tuple[tuple[str, str], ...]


def word_diff(before: str, after: str, context: int = CONTEXT_WORDS) -> list[tuple[str, str]]:
    """The runs of words (split on white space) that ``after`` keeps, drops and adds from
    ``before``; unchanged runs longer than ``2 * context`` words are shortened."""
    old, new = before.split(), after.split()
    if old == new:
        return [("=", " ".join(old))] if old else []
    opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    runs: list[tuple[str, str]] = []
    for position, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag != "equal":
            if i2 > i1:
                runs.append(("-", " ".join(old[i1:i2])))
            if j2 > j1:
                runs.append(("+", " ".join(new[j1:j2])))
            continue
        words = old[i1:i2]
        head = context if position > 0 else 0  # after a change
        tail = context if position < len(opcodes) - 1 else 0  # before a change
        if len(words) <= head + tail + 1:
            runs.append(("=", " ".join(words)))
            continue
        if head:
            runs.append(("=", " ".join(words[:head])))
        runs.append(("…", str(len(words) - head - tail)))
        if tail:
            runs.append(("=", " ".join(words[-tail:])))
    return runs


def section_changes(old: Graph, new: Graph, subject: URIRef) -> list[SectionChange]:
    """Per section whose text differs between the two releases (matched by heading), the word
    diff; sections of the new release first, in its order, then those it dropped."""
    before, after = _sections(old, subject), _sections(new, subject)
    keys = list(after) + [k for k in before if k not in after]
    return [
        SectionChange(key[0], tuple(word_diff(before.get(key, ""), after.get(key, ""))))
        for key in keys
        if before.get(key, "").split() != after.get(key, "").split()
    ]


def _values(data: Graph, subject: URIRef, prop: URIRef) -> frozenset[str]:
    return frozenset(str(o) for o in data.objects(subject, prop))


def history(releases: Sequence[tuple[str, Graph]]) -> Graph:
    """The history graph of ``releases`` (tag and data graph, oldest first)."""
    return history_of([(tag, items(data)) for tag, data in releases])


def history_of(releases: Sequence[tuple[str, dict[str, Version]]]) -> Graph:
    """The history graph of ``releases`` (tag and :func:`items`, oldest first)."""
    return history_graph(history_statements(releases))


def history_graph(statements: Iterable[Triple]) -> Graph:
    """A graph of :func:`history_statements`."""
    graph = Graph()
    graph.bind("ak", AK)
    graph.bind("prov", PROV)
    graph.addN((s, p, o, graph) for s, p, o in statements)
    return graph


def history_statements(releases: Sequence[tuple[str, dict[str, Version]]]) -> list[Triple]:
    """The statements of the history graph of ``releases`` (tag and :func:`items`, oldest
    first), each once, in a fixed order."""
    out: dict[Triple, None] = {}

    def add(statement: Triple) -> None:
        out[statement] = None

    previous: dict[str, tuple[URIRef, Version]] = {}
    versions: Counter[str] = Counter()
    for tag, found in releases:
        release = iris.release(tag)
        for iri, version in sorted(found.items()):
            node = iris.item_version(iri, tag)
            versions[iri] += 1
            add((node, RDF.type, AK.ItemVersion))
            add((node, AK.versionOf, URIRef(iri)))
            add((node, AK.release, release))
            add((node, AK.slug, Literal(version.slug)))
            if version.title is not None:
                add((node, DCTERMS.title, Literal(version.title, lang="nl")))
            if version.path is not None:
                add((node, AK.sourcePath, Literal(version.path)))
            if iri in previous:
                before_node, before = previous[iri]
                if before.slug != version.slug:
                    add((node, AK.reassignedFrom, before_node))
                    add((URIRef(iri), AK.reassigned, Literal(True)))
                else:
                    add((node, PROV.wasRevisionOf, before_node))
            previous[iri] = (node, version)
    for iri, (node, _) in previous.items():
        add((URIRef(iri), AK.latestVersion, node))
        add((URIRef(iri), AK.versionCount, Literal(versions[iri], datatype=XSD.integer)))
    return list(out)


@dataclass
class Change:
    """An item in both releases whose fields differ (same slug)."""

    iri: str
    kind: str
    title: str | None
    fields: list[str]
    sections: list[SectionChange] = field(default_factory=list)


@dataclass
class Diff:
    """What changed from release ``old`` to release ``new``."""

    old: str
    new: str
    added: list[Version] = field(default_factory=list)
    removed: list[Version] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    reassigned: list[tuple[Version, Version]] = field(default_factory=list)
    relations_added: list[tuple[str, str, str]] = field(default_factory=list)
    relations_removed: list[tuple[str, str, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
            "reassigned": len(self.reassigned),
            "relations_added": len(self.relations_added),
            "relations_removed": len(self.relations_removed),
        }

    def to_json(self) -> dict:
        """A JSON-ready account of the diff."""

        def version(v: Version) -> dict:
            return {"urn": v.iri, "type": v.kind, "slug": v.slug, "title": v.title}

        def relation(r: tuple[str, str, str]) -> dict:
            return {"urn": r[0], "field": r[1], "target": r[2]}

        return {
            "from": self.old,
            "to": self.new,
            "counts": self.counts(),
            "added": [version(v) for v in self.added],
            "removed": [version(v) for v in self.removed],
            "changed": [
                {
                    "urn": c.iri,
                    "type": c.kind,
                    "title": c.title,
                    "fields": c.fields,
                    "sections": [
                        {
                            "heading": section.heading,
                            "words": [{"op": op, "text": text} for op, text in section.words],
                        }
                        for section in c.sections
                    ],
                }
                for c in self.changed
            ],
            "reassigned": [
                {"urn": a.iri, "type": a.kind, "from": version(a), "to": version(b)}
                for a, b in self.reassigned
            ],
            "relations_added": [relation(r) for r in self.relations_added],
            "relations_removed": [relation(r) for r in self.relations_removed],
        }

    def text(self) -> str:
        """A readable account, one line per item."""
        lines = [f"akgraph diff {self.old} → {self.new}"]
        lines.append(
            "  " + ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in self.counts().items())
        )
        for title, entries in (
            ("added", [f"{v.iri}  {v.title}" for v in self.added]),
            ("removed", [f"{v.iri}  {v.title}" for v in self.removed]),
            ("reassigned", [f"{a.iri}: {a.slug} → {b.slug}" for a, b in self.reassigned]),
            ("changed", [f"{c.iri}  [{', '.join(c.fields)}]" for c in self.changed]),
            ("relations added", [f"{s} {f} {o}" for s, f, o in self.relations_added]),
            ("relations removed", [f"{s} {f} {o}" for s, f, o in self.relations_removed]),
        ):
            if entries:
                lines.append(f"{title}:")
                lines += [f"  {e}" for e in entries]
            if title == "changed":
                lines += [
                    f"    {c.iri} § {s.heading or '(inleiding)'}: {_marked(s.words)}"
                    for c in self.changed
                    for s in c.sections
                ]
        return "\n".join(lines)


def _marked(words: Sequence[tuple[str, str]]) -> str:
    """A word diff as git writes one: ``[-dropped-]``, ``{+added+}``, ``…`` for elided text."""
    marks = {"-": "[-{}-]", "+": "{{+{}+}}", "=": "{}", "…": "…"}
    return " ".join(marks[op].format(text) for op, text in words)


def diff(old_tag: str, old: Graph, new_tag: str, new: Graph) -> Diff:
    """Compare the data graphs of two releases."""
    before, after = items(old), items(new)
    result = Diff(old_tag, new_tag)
    result.added = [after[i] for i in sorted(after.keys() - before.keys())]
    result.removed = [before[i] for i in sorted(before.keys() - after.keys())]
    for iri in sorted(before.keys() & after.keys()):
        a, b = before[iri], after[iri]
        if a.slug != b.slug:
            result.reassigned.append((a, b))
            continue
        subject = URIRef(iri)
        changed = [
            name
            for name, prop in FIELDS.items()
            if _values(old, subject, prop) != _values(new, subject, prop)
        ]
        sections = section_changes(old, new, subject)  # white space alone is no change
        if sections:
            changed.append("tekst")
        if changed:
            result.changed.append(Change(iri, b.kind, b.title, changed, sections))
    for iri in sorted(before.keys() | after.keys()):
        if iri in before and iri in after and before[iri].slug != after[iri].slug:
            continue  # another item under the same URN: its relations are not a change
        subject = URIRef(iri)
        for name in sorted(RELATIONS):
            was, now = _values(old, subject, FIELDS[name]), _values(new, subject, FIELDS[name])
            result.relations_added += [(iri, name, o) for o in sorted(now - was)]
            result.relations_removed += [(iri, name, o) for o in sorted(was - now)]
    return result
