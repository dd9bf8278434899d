"""The published JSON-LD context names every predicate and class the data uses, in the graphs
of every shared release and in the history of the three read together."""

from __future__ import annotations

from rdflib import RDF

from akgraph import iris, resources


def _context_terms() -> set[str]:
    """The IRIs the context's terms stand for (prefixes expanded; keywords left out)."""
    context = resources.jsonld_context()["@context"]
    prefixes = {
        name: iri
        for name, iri in context.items()
        if isinstance(iri, str) and iri.endswith(("#", "/"))
    }
    terms = set()
    for name, value in context.items():
        iri = value.get("@id") if isinstance(value, dict) else value
        if name in prefixes or not isinstance(iri, str):
            continue
        prefix, sep, local = iri.partition(":")
        terms.add(prefixes[prefix] + local if sep and prefix in prefixes else iri)
    return terms


def test_context_has_every_term_the_data_uses(corpus_releases):
    terms = _context_terms() | {str(RDF.type)}  # rdf:type is "type": "@type"
    graphs = [*corpus_releases.named_graphs()]
    graphs += [(built.release, built.vocabularies) for built in corpus_releases.builds]
    for name, graph in graphs:
        if name == iris.ONTOLOGY:  # the schema itself, not data described with the context
            continue
        used = {str(p) for p in graph.predicates()}
        used |= {str(c) for c in graph.objects(None, RDF.type)}
        assert used - terms == set(), name
