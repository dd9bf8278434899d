"""What the pages show, read from the store with the SPARQL queries in ``page_queries/``.

Every read goes through the same backend as ``/sparql`` (local worker processes or a remote
SPARQL server), so the pages work the same on both. The graph does not change while the app
runs, so answers are cached per process.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import json
import re
import sqlite3
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph
from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from akgraph import fields, iris, queries, resources, store
from akgraph.web.render import to_text

if TYPE_CHECKING:
    from akgraph.history import Succession

QUERIES = Path(__file__).resolve().parent / "page_queries"
SPARQL_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
PAGE_CACHE_CHARS = 32 * 1024 * 1024  # rendered pages kept per process
_BLANK_LABEL = re.compile(rb"_:[A-Za-z0-9_.-]+")

#: Classes with a list page (the field table's kinds): URL name, class, Dutch name (plural).
KINDS = {k.listing: (str(k.cls), k.listing.capitalize()) for k in fields.KINDS}
#: Facets of the list pages (the field table's): query parameter (the list name in the URN),
#: property.
FACETS = {f.key: str(f.prop) for f in fields.facets()}
#: The block of ``page_queries/items.rq`` that names the facets, filled in from :data:`FACETS`.
_FACET_VALUES = re.compile(r"VALUES \?facet \{[^{}]*\}")


def _page_queries() -> dict[str, queries.NamedQuery]:
    """The page queries, the facets of ``items`` filled in from the field table."""
    found = queries.read_folder(QUERIES)
    terms = " ".join(URIRef(p).n3() for p in FACETS.values())
    text, count = _FACET_VALUES.subn(f"VALUES ?facet {{ {terms} }}", found["items"].text)
    if count != 1:
        message = "page_queries/items.rq needs one 'VALUES ?facet { ... }' block"
        raise queries.NamedQueryError(message)
    found["items"] = replace(found["items"], text=text)
    return found


@dataclass(frozen=True)
class Term:
    """An RDF term as the pages need it."""

    value: str
    kind: str = "iri"  # iri, literal or bnode
    lang: str | None = None
    datatype: str | None = None

    @property
    def is_iri(self) -> bool:
        return self.kind == "iri"

    def __str__(self) -> str:
        return self.value


def _from_json(binding: dict) -> Term:
    kind = {"uri": "iri", "literal": "literal", "typed-literal": "literal"}.get(
        binding["type"], "bnode"
    )
    return Term(binding["value"], kind, binding.get("xml:lang"), binding.get("datatype"))


def _from_oxigraph(term) -> Term:
    if isinstance(term, pyoxigraph.NamedNode):
        return Term(term.value)
    if isinstance(term, pyoxigraph.Literal):
        return Term(term.value, "literal", term.language, term.datatype.value)
    return Term(str(term), "bnode")


@dataclass
class Resource:
    """One IRI with what the graph says about it and about its neighbours."""

    iri: str
    facts: dict[str, dict[str, list[Term]]] = field(default_factory=dict)
    inbound: dict[str, list[str]] = field(default_factory=dict)

    def values(self, predicate: str, subject: str | None = None) -> list[Term]:
        """Objects of ``predicate`` on ``subject`` (default: this resource)."""
        return self.facts.get(subject or self.iri, {}).get(str(predicate), [])

    def first(self, predicate: str, subject: str | None = None, lang: str = "nl") -> Term | None:
        """One object of ``predicate``, preferring language ``lang``."""
        found = self.values(predicate, subject)
        return next((t for t in found if t.lang == lang), found[0] if found else None)

    def types(self, subject: str | None = None) -> set[str]:
        return {t.value for t in self.values(str(RDF.type), subject)}

    def label(self, subject: str | None = None) -> str:
        """Title, preferred label, notation, or the local part of the IRI."""
        subject = subject or self.iri
        for predicate in (DCTERMS.title, SKOS.prefLabel, RDFS.label, SKOS.notation):
            found = self.first(str(predicate), subject)
            if found is not None:
                return found.value
        parsed = iris.parse(subject)
        return parsed.local if parsed and parsed.local else subject

    def referrers(self, predicate: str) -> list[str]:
        """Subjects that point at this resource with ``predicate``, sorted."""
        return sorted(self.inbound.get(str(predicate), []))

    @property
    def exists(self) -> bool:
        return bool(self.facts.get(self.iri)) or bool(self.inbound)


@dataclass(frozen=True)
class Listed:
    """An item on a list page, with its facet values (IRIs) per facet name."""

    iri: str
    title: str
    abstract: str | None
    facets: dict[str, frozenset[str]]


class Data:
    """The reads of the pages, cached, from ``backend`` (a LocalStore or RemoteStore)."""

    def __init__(self, backend: store.Backend, dataset: pyoxigraph.Store | None = None) -> None:
        self.backend, self.dataset = backend, dataset
        self.queries = _page_queries()
        self._lock = threading.Lock()
        self._pages: OrderedDict[Hashable, str] = OrderedDict()
        self._pages_size = 0
        self._pages_lock = threading.Lock()

    def page(self, key: Hashable, render: Callable[[], str]) -> str:
        """The page ``render()`` makes, rendered once per ``key`` (the graph does not change
        while the app runs); the least recently used pages go past :data:`PAGE_CACHE_CHARS`."""
        with self._pages_lock:
            found = self._pages.get(key)
            if found is not None:
                self._pages.move_to_end(key)
                return found
        body = render()
        with self._pages_lock:
            if key not in self._pages:
                self._pages[key] = body
                self._pages_size += len(body)
            while self._pages_size > PAGE_CACHE_CHARS:
                self._pages_size -= len(self._pages.popitem(last=False)[1])
        return body

    @cached_property
    def version(self) -> str:
        """A fingerprint of the content and of akgraph (for ETags and ``VERSION``).

        A hash of akgraph's version and the N-Quads dump, its lines sorted and blank-node
        labels blanked, so the same content gives the same fingerprint in every process. A
        remote store's content is not read whole: its URL and the start time then.
        """
        from akgraph import __version__

        digest = hashlib.sha256(f"akgraph {__version__}\n".encode())
        quads = self.dump("application/n-quads") if self.dataset is not None else None
        if quads is None:
            digest.update(f"{getattr(self.backend, 'url', '')} {time.time()}".encode())
            return digest.hexdigest()
        for line in sorted(_BLANK_LABEL.sub(b"_:", quads).splitlines()):
            digest.update(line + b"\n")
        return digest.hexdigest()

    # -- the whole graph -----------------------------------------------------------------------

    @lru_cache(maxsize=8)  # noqa: B019
    def dump(self, media_type: str) -> bytes | None:
        """The whole graph in ``media_type``; quad formats keep the named graphs.

        None where it cannot be had: quad formats from a remote store.
        """
        quads = media_type in (QUAD_FORMATS := {"application/n-quads", "application/trig"})
        if self.dataset is not None and quads:
            out = io.BytesIO()
            self.dataset.dump(out, pyoxigraph.RdfFormat.from_media_type(media_type))
            return out.getvalue()
        if media_type in QUAD_FORMATS:
            return None
        if self.dataset is not None and media_type != "application/ld+json":
            out = io.BytesIO()
            pyoxigraph.serialize(
                (pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in self.dataset),
                out,
                pyoxigraph.RdfFormat.from_media_type(media_type),
            )
            return out.getvalue()
        text = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
        return self.backend.query(store.Query(text, "CONSTRUCT", False), media_type)[1]

    @cached_property
    def report(self):
        """The SHACL validation report of the whole graph (computed once, on first use)."""
        from rdflib import Dataset, Graph

        from akgraph.validate import validate, validate_dataset

        quads = self.dump("application/n-quads")
        if quads is not None:  # the releases are validated one by one
            return validate_dataset(Dataset().parse(data=quads, format="nquads"))
        graph = Graph()
        graph.parse(data=self.dump("application/n-triples"), format="nt")
        return validate(graph)

    # -- running queries -----------------------------------------------------------------------

    def _run(
        self, name: str, form: str, media_type: str, graphs: list[str] | None = None, **values: str
    ) -> bytes:
        text = self.queries[name].bind(values)
        query = store.Query(text, form, False)
        return self.backend.query(query, media_type, default_graphs=graphs, internal=True)[1]

    def select(self, name: str, graphs: list[str] | None = None, **values: str) -> list[dict]:
        """Rows of a SELECT page query; ``graphs`` replaces the store's default graph."""
        answer = json.loads(self._run(name, "SELECT", SPARQL_JSON, graphs, **values))
        return [
            {key: _from_json(value) for key, value in row.items()}
            for row in answer["results"]["bindings"]
        ]

    @lru_cache(maxsize=1024)  # noqa: B019 - one Data per app, kept for the app's life
    def rdf(self, iri: str, media_type: str, release: str | None = None) -> bytes:
        """The description of ``iri`` in an RDF format (what ``/doc/{urn}.ttl`` answers); with
        ``release`` (a tag) as that release's graph has it."""
        graphs = self.graphs_of(release) if release else None
        return self._run("describe", "CONSTRUCT", media_type, graphs, this=iri)

    # -- pages ---------------------------------------------------------------------------------

    @lru_cache(maxsize=4096)  # noqa: B019
    def describe(self, iri: str, release: str | None = None) -> Resource:
        """The resource ``iri`` with its neighbourhood (empty when the graph does not know it);
        with ``release`` (a tag) as that release's graph has it."""
        resource = Resource(iri)
        facts: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        described = self.rdf(iri, N_TRIPLES, release)
        for triple in pyoxigraph.parse(described, pyoxigraph.RdfFormat.N_TRIPLES):
            subject, predicate = str(triple.subject.value), triple.predicate.value
            obj = _from_oxigraph(triple.object)
            if obj not in facts[subject][predicate]:
                facts[subject][predicate].append(obj)
            if obj.is_iri and obj.value == iri and subject != iri:
                resource.inbound.setdefault(predicate, []).append(subject)
        resource.facts = {s: dict(p) for s, p in facts.items()}
        return resource

    @cached_property
    def counts(self) -> dict[str, int]:
        """Number of resources per class IRI."""
        return {row["class"].value: int(row["count"].value) for row in self.select("counts")}

    @cached_property
    def navigation(self) -> list[tuple[str, str]]:
        """The top level of the site's navigation: IRI and title (of the section a page starts,
        else the navigation's or the page's own), in the navigation's order."""
        rows = self.select("navigation")
        return list({row["page"].value: row["label"].value for row in rows}.items())

    @cached_property
    def concepts(self) -> dict[str, dict[str, Any]]:
        """Per concept or scheme IRI: its ``labels`` by language (``""`` for a label without
        one), its ``notation`` and its ``scheme``."""
        found: dict[str, dict[str, Any]] = {}
        for row in self.select("concepts"):
            scheme = row["scheme"].value
            found.setdefault(scheme, {"labels": {}})
            label = row.get("schemeLabel")
            if label is not None:
                found[scheme]["labels"][label.lang or ""] = label.value
            if "concept" in row:
                concept = found.setdefault(row["concept"].value, {"labels": {}})
                concept["scheme"] = scheme
                label = row.get("label")
                if label is not None:
                    concept["labels"][label.lang or ""] = label.value
                if "notation" in row:
                    concept["notation"] = row["notation"].value
        return found

    def concept_label(self, iri: str, language: str = "nl") -> str:
        """The label of a concept or scheme in ``language`` (else Dutch, a label without a
        language, its notation), or the local part of its IRI."""
        known = self.concepts.get(iri, {})
        labels = known.get("labels", {})
        for choice in (language, "nl", ""):
            if choice in labels:
                return str(labels[choice])
        if labels:
            return str(labels[sorted(labels)[0]])
        if "notation" in known:
            return str(known["notation"])
        parsed = iris.parse(iri)
        return parsed.local if parsed and parsed.local else iri

    @lru_cache(maxsize=8)  # noqa: B019
    def items(self, kind: str) -> list[Listed]:
        """The items on the list page of ``kind`` (a key of :data:`KINDS`), by title."""
        names = {prop: name for name, prop in FACETS.items()}
        rows: dict[str, dict] = {}
        for row in self.select("items", None, **{"class": KINDS[kind][0]}):
            item = rows.setdefault(
                row["item"].value,
                {
                    "title": row["title"].value if "title" in row else row["item"].value,
                    "abstract": row["abstract"].value if "abstract" in row else None,
                    "facets": defaultdict(set),
                },
            )
            if "facet" in row:
                item["facets"][names[row["facet"].value]].add(row["value"].value)
        listed = [
            Listed(
                iri, r["title"], r["abstract"], {k: frozenset(v) for k, v in r["facets"].items()}
            )
            for iri, r in rows.items()
        ]
        return sorted(listed, key=lambda i: (i.title.lower(), i.iri))

    @cached_property
    def releases(self) -> list[dict[str, str]]:
        """The releases in the graph (release IRI, tag, commit, date), oldest first."""
        return [{k: v.value for k, v in row.items()} for row in self.select("releases")]

    @cached_property
    def succession(self) -> Succession:
        """The history graph's versions as chains of the same item (see ``versions.rq``)."""
        from akgraph.history import Step, Succession

        tags = {r["release"]: r["tag"] for r in self.releases}

        def value(row: dict, key: str) -> str | None:
            return row[key].value if key in row else None

        steps = [
            Step(
                row["version"].value,
                row["urn"].value,
                tags.get(row["release"].value, ""),
                row["slug"].value,
                value(row, "title"),
                value(row, "before"),
                value(row, "previous"),
            )
            for row in self.select("versions")
        ]
        return Succession(steps, [r["tag"] for r in self.releases])

    @cached_property
    def release_counts(self) -> dict[str, dict[str, int]]:
        """Per release IRI: how many items of each class IRI its graph holds."""
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        for row in self.select("release-counts"):
            counts[row["release"].value][row["class"].value] = int(row["count"].value)
        return dict(counts)

    def graphs_of(self, tag: str) -> list[str]:
        """The default graph that shows release ``tag``: its graph and every non-release graph."""
        others = [g for g in self.backend.graphs() if not iris.is_release(g)]
        return [str(iris.release(tag)), *others]

    @lru_cache(maxsize=4)  # noqa: B019
    def release_graph(self, tag: str):
        """The data graph of release ``tag`` (an rdflib Graph), or None if not held."""
        from rdflib import Graph

        if tag not in {r["tag"] for r in self.releases}:
            return None
        body = self._run("release-graph", "CONSTRUCT", N_TRIPLES, release=str(iris.release(tag)))
        return Graph().parse(data=body, format="nt")

    @lru_cache(maxsize=16)  # noqa: B019
    def diff(self, old: str, new: str):
        """What changed from release ``old`` to ``new`` (see :mod:`akgraph.history`)."""
        from akgraph.history import diff

        return diff(old, self.release_graph(old), new, self.release_graph(new))

    @lru_cache(maxsize=8)  # noqa: B019
    def feed_members(self, tag: str) -> bytes:
        """The versions of release ``tag`` as members of the change feed, as N-Triples (see
        ``page_queries/ldes-members.rq``)."""
        return self._run("ldes-members", "CONSTRUCT", N_TRIPLES, release=str(iris.release(tag)))

    @cached_property
    def subjects(self) -> list[str]:
        """Every urn:nl:ak: IRI the graph describes."""
        return sorted(row["item"].value for row in self.select("subjects"))

    def closest(self, iri: str, n: int = 5) -> list[str]:
        """Known identifiers that look most like ``iri``."""
        return difflib.get_close_matches(iri, self.subjects, n=n, cutoff=0.6)

    @cached_property
    def _index(self) -> sqlite3.Connection:
        index = sqlite3.connect(":memory:", check_same_thread=False)
        index.execute(
            "CREATE VIRTUAL TABLE texts USING fts5("
            "iri UNINDEXED, title, body, tokenize='unicode61 remove_diacritics 2')"
        )
        gathered: dict[str, dict] = {}
        for row in self.select("texts"):
            entry = gathered.setdefault(
                row["item"].value, {"title": row["title"].value, "body": []}
            )
            if "text" in row:
                entry["body"].append(to_text(row["text"].value))
        index.executemany(
            "INSERT INTO texts VALUES (?, ?, ?)",
            [(iri, e["title"], "\n\n".join(e["body"])) for iri, e in gathered.items()],
        )
        return index

    def search(self, text: str, limit: int = 50) -> list[tuple[str, str, str]]:
        """Items and concepts matching every word of ``text``: (IRI, title, snippet), best first.

        Words are matched as prefixes; title matches weigh more than body matches.
        """
        words = [w for w in "".join(c if c.isalnum() else " " for c in text).split() if w]
        if not words:
            return []
        match = " ".join(f'"{w}"*' for w in words[:12])
        with self._lock:
            rows = self._index.execute(
                "SELECT iri, title, snippet(texts, 2, '', '', ' … ', 24) FROM texts "
                "WHERE texts MATCH ? ORDER BY bm25(texts, 10.0, 1.0) LIMIT ?",
                (match, limit),
            ).fetchall()
        return [(iri, title, snippet) for iri, title, snippet in rows]

    @cached_property
    def predicate_labels(self) -> dict[str, dict[str, str]]:
        """Per language (``nl``, ``en``), the ontology's labels of its properties and classes
        (for the generic parts of the pages)."""
        labels: dict[str, dict[str, str]] = defaultdict(dict)
        for s, o in resources.ontology().subject_objects(RDFS.label):
            language = getattr(o, "language", None)
            if language:
                labels[language][str(s)] = str(o)
        return dict(labels)

    @lru_cache(maxsize=4)  # noqa: B019 - one Data per app, kept for the app's life
    def labels_in(self, language: str) -> dict[str, str]:
        """The ontology's labels in ``language``, Dutch where it has none in that language."""
        by_language = self.predicate_labels
        return {**by_language.get("nl", {}), **by_language.get(language, {})}
