"""Many tags of a git checkout built in one run: each from the build cache where it holds it
(:mod:`akgraph.cache`), the others converted in worker processes, one per core.

Every release comes back as a :class:`StoredBuild`: its data as the N-Quads a build writes,
with the facts the summary and the history need, so that writing N-Quads, summing up and
computing the history read no graph; the rdflib graph is parsed only where it is asked for.
A worker's output is the bytes of its release alone, so the N-Quads written do not depend on
how many workers ran or in which order they finished.
"""

from __future__ import annotations

import functools
import math
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from itertools import repeat
from pathlib import Path

from rdflib import Graph

from akgraph import cache, resources
from akgraph.cache import Entry
from akgraph.graph import Build, build_tagged, graph_from_nquads
from akgraph.history import Version
from akgraph.source.git import Tagged, resolve
from akgraph.source.reader import Checkout


class StoredBuild(Build):
    """A release as stored by the cache or sent by a worker; its data graph, the vocabularies
    and the ontology are made the first time they are used (the vocabularies by
    ``vocabularies`` and the ontology by ``ontology``, which the builds of one run share). The
    checkout's documents are not kept (its release, site and root are)."""

    def __init__(
        self,
        entry: Entry,
        root: Path,
        aliases: tuple[str, ...] = (),
        vocabularies: Callable[[], Graph] = resources.vocabularies,
        ontology: Callable[[], Graph] = resources.ontology,
    ) -> None:
        self.entry = entry
        self._make_vocabularies = vocabularies
        self._make_ontology = ontology
        self._data: Graph | None = None
        self._vocabularies: Graph | None = None
        self._ontology: Graph | None = None
        super().__init__(
            checkout=Checkout(root=root, release=entry.release, site=entry.site),
            data=None,  # type: ignore[arg-type]  # made from entry.nquads when first used
            vocabularies=None,  # type: ignore[arg-type]
            problems=list(entry.problems),
            unresolved=list(entry.unresolved),
            aliases=aliases,
            ontology=None,  # type: ignore[arg-type]
        )

    @property  # type: ignore[override]
    def data(self) -> Graph:
        if self._data is None:
            self._data = graph_from_nquads(self.entry.nquads, self.entry.prefixes)
        return self._data

    @data.setter
    def data(self, graph: Graph | None) -> None:
        if graph is not None:
            self._data = graph

    @property  # type: ignore[override]
    def vocabularies(self) -> Graph:
        if self._vocabularies is None:
            self._vocabularies = self._make_vocabularies()
        return self._vocabularies

    @vocabularies.setter
    def vocabularies(self, graph: Graph | None) -> None:
        if graph is not None:
            self._vocabularies = graph

    @property  # type: ignore[override]
    def ontology(self) -> Graph:
        if self._ontology is None:
            self._ontology = self._make_ontology()
        return self._ontology

    @ontology.setter
    def ontology(self, graph: Graph | None) -> None:
        if graph is not None:
            self._ontology = graph

    def data_nquads(self) -> bytes:
        return self.entry.nquads if self._data is None else super().data_nquads()

    def counts(self) -> dict[str, int]:
        return dict(self.entry.counts) if self._data is None else super().counts()

    def triples(self) -> int:
        return self.entry.triples if self._data is None else super().triples()

    def figure_lines(self) -> list[str]:
        return list(self.entry.figure_lines) if self._data is None else super().figure_lines()

    def items(self) -> dict[str, Version]:
        return dict(self.entry.items) if self._data is None else super().items()


def entry_of(built: Build) -> Entry:
    """What the cache keeps of ``built``."""
    release = built.checkout.release
    return Entry(
        tag=release.tag,
        commit=release.commit or "",
        date=release.date,
        site=built.checkout.site,
        nquads=built.data_nquads(),
        prefixes=[(prefix, str(namespace)) for prefix, namespace in built.data.namespaces()],
        counts=built.counts(),
        triples=built.triples(),
        figure_lines=built.figure_lines(),
        items=built.items(),
        problems=list(built.problems),
        unresolved=list(built.unresolved),
    )


def convert(repository: str, tagged: Tagged) -> tuple[Entry, bool]:
    """Build ``tagged`` (in a worker); its entry and whether it may be kept (not when a blob
    was missing: the object store may hold it later)."""
    built = build_tagged(repository, tagged)
    return entry_of(built), not any(p.code == "missing-blob" for p in built.problems)


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _convert_all(repository: str, todo: list[Tagged], jobs: int) -> list[tuple[Entry, bool]]:
    jobs = min(jobs, len(todo))
    if jobs <= 1:
        return [convert(repository, tagged) for tagged in todo]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    # neighbouring tags share most files: a worker given a run of them parses each text once
    chunk = math.ceil(len(todo) / (2 * jobs))
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        return list(pool.map(convert, repeat(repository), todo, chunksize=chunk))


def build_tags(
    repository: str | Path, specs: list[str], use_cache: bool = True, jobs: int | None = None
) -> list[Build]:
    """Build the tags that ``specs`` ask for (as :func:`akgraph.graph.build_tags` does): each
    from the cache where it holds it, the rest in ``jobs`` processes (default: one per core)."""
    repo = Path(repository)
    where = cache.folder() if use_cache else None
    asked = resolve(repo, specs)
    entries: list[Entry | None] = [
        cache.load(where, tagged.release) if where else None for tagged in asked
    ]
    todo = [i for i, entry in enumerate(entries) if entry is None]
    made = _convert_all(str(repo), [asked[i] for i in todo], jobs or default_jobs())
    for i, (entry, keep) in zip(todo, made, strict=True):
        entries[i] = entry
        if where is not None and keep:
            cache.store(where, entry)
    vocabularies = functools.cache(resources.vocabularies)
    ontology = functools.cache(resources.ontology)
    return [
        StoredBuild(entry, repo, tagged.aliases, vocabularies, ontology)
        for entry, tagged in zip(entries, asked, strict=True)
        if entry is not None
    ]
