"""Several releases side by side: what each URN named in each release, and what changed.

Works on the data graphs of built releases (no I/O). The framework's URNs were not persistent:
when measures were merged or renumbered, a URN was given to another measure. An item of one
release is **the same item** as one of the release before (:func:`match`) when it comes from the
same file: the same path, else the same slug read without case and with ``_`` as ``-``; a file
renamed otherwise is the same item when its title or its text is similar enough
(:data:`TITLE_SIMILARITY`, :data:`TEXT_SIMILARITY`). A URN that now names another item than
before is **reassigned**; an item that continues under another URN has **moved**; only items
without a match are added or removed.

Each (URN, release) pair gets a version node (``urn:nl:ak:versie:<tag>:<code>:<id>``) in the
history graph. A version is linked to the version of the same item in the release before by
``prov:wasRevisionOf`` (under another URN too: then also ``ak:movedFrom`` that URN, and the old
version ``dct:isReplacedBy`` the new one and ``ak:movedTo`` its URN), and to the earlier version
of its URN by ``ak:reassignedFrom`` when that was another item; no two releases are ever merged
into one node.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD
from rdflib.term import Node

from akgraph import fields, iris
from akgraph.fields import Form
from akgraph.iris import AK

Triple = tuple[Node, Node, Node]
ITEM_CLASSES = {cls: kind for kind, cls in fields.ITEM_CLASSES.items()}

#: What a diff compares on an item: the field table's diff names and properties, and the laws
#: the item's text cites.
FIELDS = {
    **{f.diff: f.prop for f in fields.FIELDS if f.diff is not None and f.prop is not None},
    "legal_sources": AK.derivedFrom,
}
#: Fields whose values are other items or laws: reported as relations too.
RELATIONS = {*(f.diff for f in fields.of_form(Form.REFERENCE) if f.diff), "legal_sources"}


@dataclass(frozen=True)
class Version:
    """An item as one release has it."""

    iri: str
    kind: str
    slug: str
    title: str | None
    path: str | None
    #: summary and sections' text, lower case, in words (for :func:`similarity`)
    text: str = ""


def items(data: Graph) -> dict[str, Version]:
    """The measures, requirements and instruments of one release's data graph, by IRI."""
    found = {}
    for cls, kind in ITEM_CLASSES.items():
        for subject in data.subjects(RDF.type, cls):
            title = data.value(subject, DCTERMS.title)
            path = data.value(subject, AK.sourcePath)
            text = [str(data.value(subject, DCTERMS.abstract) or "")]
            text += _sections(data, URIRef(str(subject))).values()
            found[str(subject)] = Version(
                str(subject),
                kind,
                str(data.value(subject, AK.slug) or ""),
                str(title) if title is not None else None,
                str(path) if path is not None else None,
                " ".join(" ".join(text).lower().split()),
            )
    return found


#: A renamed file is the same item as a file of the release before whose title is at least this
#: similar (difflib's ratio of the titles in lower case, a final period ignored) ...
TITLE_SIMILARITY = 0.9
#: ... or whose text (summary and sections, as words in lower case) is at least this similar.
TEXT_SIMILARITY = 0.8


@dataclass(frozen=True)
class Match:
    """An item of one release and the same item in the release after: ``how`` it was matched
    (``path``, ``slug`` or ``similar``: title and text similarity, each 0 to 1)."""

    before: Version
    after: Version
    how: str
    title: float = 1.0
    text: float = 1.0

    @property
    def moved(self) -> bool:
        """Whether the item has another IRI in the release after."""
        return self.before.iri != self.after.iri


def normal_slug(slug: str) -> str:
    """A file slug read without case and with ``_`` as ``-``."""
    return slug.casefold().replace("_", "-")


def _name(slug: str) -> str:
    """A slug without its leading number and code (``2-owp-14-``)."""
    return re.sub(r"^(?:\d+-)?(?:[a-z]+-\d+-)?", "", normal_slug(slug))


def _title(title: str | None) -> str:
    return " ".join((title or "").casefold().split()).rstrip(".")


def similarity(a: Version, b: Version) -> tuple[float, float]:
    """How alike the titles and the texts of two versions are (difflib's ratio, 0 to 1)."""
    title = difflib.SequenceMatcher(None, _title(a.title), _title(b.title)).ratio()
    words = difflib.SequenceMatcher(None, a.text.split(), b.text.split(), autojunk=False)
    text = words.ratio() if words.real_quick_ratio() >= TEXT_SIMILARITY else 0.0
    return title, text


def match(
    before: dict[str, Version],
    after: dict[str, Version],
    renames: Mapping[str, str] | None = None,
) -> list[Match]:
    """The items of ``after`` that are items of ``before`` (both: :func:`items` of a release),
    each at most once: by path, else by :func:`normal_slug`, else by ``renames`` (old path ->
    new path: git's rename detection, where the releases are commits of one repository), else
    (files renamed) by similarity, the most similar pairs first (a tie goes to the pair whose
    names agree without number and code). Items of different kinds are never matched."""
    left, right = dict(before), dict(after)
    found: list[Match] = []
    moves = renames or {}
    keys: dict[str, Callable[[Version], str | None]] = {
        "path": lambda v: v.path,
        "slug": lambda v: normal_slug(v.slug),
        "git": lambda v: v.path,
    }
    for how, key_of in keys.items():
        old_key = (lambda v: moves.get(v.path or "")) if how == "git" else key_of
        index: dict[tuple[str, str], list[str]] = {}
        for iri, version in sorted(right.items()):
            key = key_of(version)
            if key:
                index.setdefault((version.kind, key), []).append(iri)
        for iri, version in sorted(left.items()):
            key = old_key(version)
            same = index.get((version.kind, key or ""), [])
            if key and len(same) == 1 and same[0] in right:
                found.append(Match(version, right.pop(same[0]), how))
                del left[iri]
    candidates = []
    for a in left.values():
        for b in right.values():
            if a.kind != b.kind:
                continue
            title, text = similarity(a, b)
            if title >= TITLE_SIMILARITY or text >= TEXT_SIMILARITY:
                named = _name(a.slug) == _name(b.slug)
                candidates.append((-(title + text), not named, a.iri, b.iri, title, text))
    for _, _, a_iri, b_iri, title, text in sorted(candidates):
        if a_iri in left and b_iri in right:
            found.append(Match(left.pop(a_iri), right.pop(b_iri), "similar", title, text))
    return sorted(found, key=lambda m: (m.before.iri, m.after.iri))


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


def section_changes(
    old: Graph, new: Graph, subject: URIRef, new_subject: URIRef | None = None
) -> list[SectionChange]:
    """Per section whose text differs between the two releases (matched by heading), the word
    diff; sections of the new release first, in its order, then those it dropped.
    ``new_subject``: the item's IRI in the new release where it moved."""
    before, after = _sections(old, subject), _sections(new, new_subject or subject)
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


def history_statements(
    releases: Sequence[tuple[str, dict[str, Version]]],
    renames: Callable[[str, str], Mapping[str, str]] | None = None,
) -> list[Triple]:
    """The statements of the history graph of ``releases`` (tag and :func:`items`, oldest
    first), each once, in a fixed order; ``renames(old tag, new tag)``: the files git found
    renamed between two releases (see :func:`match`)."""
    out: dict[Triple, None] = {}

    def add(statement: Triple) -> None:
        out[statement] = None

    #: per URN: its latest version node, that version and the lineage (first node of the item)
    latest: dict[str, tuple[URIRef, Version]] = {}
    lineage: dict[URIRef, URIRef] = {}
    versions: Counter[str] = Counter()
    previous_tag, previous_items = "", dict[str, Version]()
    # looked up once: an rdflib namespace makes a new term on every attribute access
    item_class, version_of, release_of, slug_of = AK.ItemVersion, AK.versionOf, AK.release, AK.slug
    source_path, title_of, type_of = AK.sourcePath, DCTERMS.title, RDF.type
    for tag, found in releases:
        release = iris.release(tag)
        moved = renames(previous_tag, tag) if renames and previous_items else None
        same = {m.after.iri: m.before.iri for m in match(previous_items, found, moved)}
        for iri, version in sorted(found.items()):
            node = iris.item_version(iri, tag)
            versions[iri] += 1
            add((node, type_of, item_class))
            add((node, version_of, URIRef(iri)))
            add((node, release_of, release))
            add((node, slug_of, Literal(version.slug)))
            if version.title is not None:
                add((node, title_of, Literal(version.title, lang="nl")))
            if version.path is not None:
                add((node, source_path, Literal(version.path)))
            lineage[node] = node
            if iri in same:
                before_node = iris.item_version(same[iri], previous_tag)
                lineage[node] = lineage[before_node]
                add((node, PROV.wasRevisionOf, before_node))
                if same[iri] != iri:
                    add((node, AK.movedFrom, URIRef(same[iri])))
                    add((before_node, DCTERMS.isReplacedBy, node))
                    add((before_node, AK.movedTo, URIRef(iri)))
            elif iri in latest and iri not in previous_items:
                # the URN is back after a release without it: the same item if the same file
                before_node, before = latest[iri]
                if normal_slug(before.slug) == normal_slug(version.slug):
                    lineage[node] = lineage[before_node]
                    add((node, PROV.wasRevisionOf, before_node))
            if iri in latest and lineage[latest[iri][0]] != lineage[node]:
                add((node, AK.reassignedFrom, latest[iri][0]))
                add((URIRef(iri), AK.reassigned, Literal(True)))
            latest[iri] = (node, version)
        previous_tag, previous_items = tag, found
    for iri, (node, _) in latest.items():
        add((URIRef(iri), AK.latestVersion, node))
        add((URIRef(iri), AK.versionCount, Literal(versions[iri], datatype=XSD.integer)))
    return list(out)


@dataclass
class Change:
    """An item in both releases (:func:`match`) whose fields differ; ``iri`` is its IRI in the
    new release, ``moved_from`` the one before where it moved."""

    iri: str
    kind: str
    title: str | None
    fields: list[str]
    sections: list[SectionChange] = field(default_factory=list)
    moved_from: str | None = None


@dataclass
class Diff:
    """What changed from release ``old`` to release ``new``."""

    old: str
    new: str
    added: list[Version] = field(default_factory=list)
    removed: list[Version] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    reassigned: list[tuple[Version, Version]] = field(default_factory=list)
    #: the same item under another IRI: (before, after)
    moved: list[tuple[Version, Version]] = field(default_factory=list)
    relations_added: list[tuple[str, str, str]] = field(default_factory=list)
    relations_removed: list[tuple[str, str, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
            "reassigned": len(self.reassigned),
            "moved": len(self.moved),
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
                    "moved_from": c.moved_from,
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
            "moved": [
                {"type": a.kind, "from": version(a), "to": version(b)} for a, b in self.moved
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
            ("moved", [f"{a.iri} → {b.iri}  {b.slug}" for a, b in self.moved]),
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


def diff(
    old_tag: str,
    old: Graph,
    new_tag: str,
    new: Graph,
    renames: Mapping[str, str] | None = None,
) -> Diff:
    """Compare the data graphs of two releases; items are matched by :func:`match` (with
    ``renames``, git's renamed files, where given)."""
    before, after = items(old), items(new)
    matches = match(before, after, renames)
    now = {m.before.iri: m.after for m in matches}
    result = Diff(old_tag, new_tag)
    matched = {m.after.iri for m in matches}
    result.added = [after[i] for i in sorted(after.keys() - matched)]
    result.removed = [before[i] for i in sorted(before.keys() - now.keys())]
    result.reassigned = [
        (before[i], after[i])
        for i in sorted(before.keys() & after.keys())
        if i not in now or now[i].iri != i
    ]
    result.moved = [(m.before, m.after) for m in matches if m.moved]

    def translated(values: frozenset[str]) -> frozenset[str]:
        """Values of the old release with the items that moved under their new IRI."""
        return frozenset(now[v].iri if v in now else v for v in values)

    for m in sorted(matches, key=lambda m: m.after.iri):
        was, subject = URIRef(m.before.iri), URIRef(m.after.iri)
        changed = [
            name
            for name, prop in FIELDS.items()
            if translated(_values(old, was, prop)) != _values(new, subject, prop)
        ]
        sections = section_changes(old, new, was, subject)  # white space alone is no change
        if sections:
            changed.append("text")
        if changed:
            moved_from = m.before.iri if m.moved else None
            result.changed.append(
                Change(m.after.iri, m.after.kind, m.after.title, changed, sections, moved_from)
            )
        for name in sorted(RELATIONS):
            was_related = translated(_values(old, was, FIELDS[name]))
            related = _values(new, subject, FIELDS[name])
            result.relations_added += [
                (m.after.iri, name, o) for o in sorted(related - was_related)
            ]
            result.relations_removed += [
                (m.after.iri, name, o) for o in sorted(was_related - related)
            ]
    for version, graph, target in [(v, old, "removed") for v in result.removed] + [
        (v, new, "added") for v in result.added
    ]:
        subject = URIRef(version.iri)
        for name in sorted(RELATIONS):
            values = sorted(_values(graph, subject, FIELDS[name]))
            entry = [(version.iri, name, o) for o in values]
            if target == "added":
                result.relations_added += entry
            else:
                result.relations_removed += entry
    result.relations_added.sort()
    result.relations_removed.sort()
    return result


@dataclass(frozen=True)
class Step:
    """One version as the history graph has it: its IRI, URN, release tag, slug and title, the
    version of the same item before it and the URN's earlier version where that was another
    item."""

    version: str
    urn: str
    tag: str
    slug: str
    title: str | None
    before: str | None = None
    reassigned_from: str | None = None


class Succession:
    """Where each URN's items went: the versions of the history graph, read as chains of the
    same item (``prov:wasRevisionOf``) through the releases ``tags`` (oldest first)."""

    def __init__(self, steps: Iterable[Step], tags: Sequence[str]) -> None:
        self.tags = list(tags)
        order = {tag: n for n, tag in enumerate(self.tags)}
        self.steps = {s.version: s for s in steps}
        self.by_urn: dict[str, list[Step]] = {}
        for step in sorted(self.steps.values(), key=lambda s: (order.get(s.tag, -1), s.version)):
            self.by_urn.setdefault(step.urn, []).append(step)
        self.after = {s.before: s for s in self.steps.values() if s.before}

    def of(self, urn: str, tag: str) -> Step | None:
        """The version of ``urn`` in release ``tag``."""
        return next((s for s in self.by_urn.get(urn, []) if s.tag == tag), None)

    def reassigned(self, urn: str) -> bool:
        """Whether ``urn`` named different items in the releases held."""
        return any(s.reassigned_from for s in self.by_urn.get(urn, []))

    def last(self, step: Step) -> Step:
        """The newest version of the item ``step`` is a version of."""
        seen = {step.version}
        while step.version in self.after and self.after[step.version].version not in seen:
            step = self.after[step.version]
            seen.add(step.version)
        return step

    def now(self, urn: str, tag: str) -> str | None:
        """The URN of the item ``urn`` named in release ``tag`` in the newest release; None
        where that item is gone (or ``urn`` was not in ``tag``)."""
        step = self.of(urn, tag)
        if step is None or not self.tags:
            return None
        last = self.last(step)
        return last.urn if last.tag == self.tags[-1] else None
