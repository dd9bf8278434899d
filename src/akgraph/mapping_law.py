"""Map the legal links in requirements to law and article nodes. No I/O.

Each link to EUR-Lex or wetten.overheid.nl in a requirement's text becomes an
``ak:LegalCitation`` (``<requirement>#wetsverwijzing-<n>``) with its text and target; the
requirement and the citation get ``ak:law`` (the act, ``eli:LegalResource``) and
``ak:derivedFrom`` (each cited article, recital, annex or division, all
``eli:LegalResourceSubdivision``). Measures reach the law through their requirements (see
``queries/measures-for-law.rq``); nothing is copied onto them.

An Official Journal number (``OJ:L_202401689``) does not say whether the act is a regulation or
a directive: that comes from the link text (``verordening``) or from another link in the same
checkout naming the same act by CELEX, so links are collected first and written at the end.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, RDF, RDFS

from akgraph import iris
from akgraph.iris import AK, ELI
from akgraph.problems import Severity
from akgraph.source import legal, markdown
from akgraph.source.legal import DIVISIONS, Act, Citation, Part

#: Kind of part -> class of its node.
PART_CLASSES = {"artikel": AK.Article, "overweging": AK.Recital, "bijlage": AK.Annex}
#: Section whose links are the requirement's sources; links elsewhere are field ``body``.
SOURCES_HEADING = "Bronnen"

#: ``problem(severity, code, path, message, field, value)``, as the mapper's.
Report = Callable[..., None]


@dataclass
class _Found:
    subject: URIRef
    path: str
    field: str
    citation: Citation


@dataclass
class LawLinker:
    """Collects the legal links of every requirement, then writes them to ``graph``."""

    graph: Graph
    report: Report
    found: list[_Found] = field(default_factory=list)

    def collect(self, subject: URIRef, path: str, parsed: markdown.Parsed) -> None:
        """Remember the legal links of one requirement's text, with the section they are in."""
        parts = [("", parsed.preamble), *((s.heading, s.markdown) for s in parsed.sections)]
        for heading, text in parts:
            where = SOURCES_HEADING if heading == SOURCES_HEADING else "body"
            for link in markdown.parse(text).links:
                self.collect_link(subject, path, where, link.text, link.href)

    def collect_link(self, subject: URIRef, path: str, field: str, text: str, href: str) -> None:
        """Remember one link if it points at legislation (``field``: where it stands)."""
        if legal.is_legal(href):
            self.found.append(_Found(subject, path, field, legal.parse_citation(text, href)))

    def finish(self) -> None:
        """Resolve act types across the checkout and write every citation."""
        types = self._types()
        names: dict[URIRef, Counter[str]] = defaultdict(Counter)
        occurrences: Counter[URIRef] = Counter()
        for found in self.found:
            occurrences[found.subject] += 1
            node = iris.legal_citation(str(found.subject), occurrences[found.subject])
            act = self._resolve(found, types)
            self._citation(found, node, act)
            if act is not None and found.citation.name:
                names[iris.law(act)][found.citation.name] += 1
        for law, counted in names.items():
            for name in _distinct(counted):
                self.graph.add((law, RDFS.label, Literal(name, lang="nl")))

    def _types(self) -> dict[tuple, str]:
        """EU act -> type, from CELEX numbers first, then from the link texts."""
        types: dict[tuple, str] = {}
        for hinted in (False, True):
            for found in self.found:
                act = found.citation.act
                if act is None or act.system != "eu":
                    continue
                type_ = found.citation.type_hint if hinted else act.type
                if type_:
                    types.setdefault(act.key, type_)
        return types

    def _resolve(self, found: _Found, types: dict[tuple, str]) -> Act | None:
        citation, act = found.citation, found.citation.act
        if act is None:
            self.report(
                Severity.WARNING,
                "legal-link-unparsed",
                found.path,
                "link to legislation whose act cannot be identified (not a CELEX number, "
                "Official Journal number, ELI or BWB id)",
                found.field,
                citation.href,
            )
            return None
        if act.system == "eu" and act.type is None and act.celex is None:
            type_ = citation.type_hint or types.get(act.key)
            if type_ is None:
                self.report(
                    Severity.WARNING,
                    "legal-link-unparsed",
                    found.path,
                    "Official Journal number of an act whose type (regulation, directive) "
                    "nothing in the checkout tells",
                    found.field,
                    citation.href,
                )
                return None
            act = act.with_type(type_)
        return act

    def _citation(self, found: _Found, node: URIRef, act: Act | None) -> None:
        add, citation = self.graph.add, found.citation
        add((found.subject, AK.legalCitation, node))
        add((node, RDF.type, AK.LegalCitation))
        add((node, AK.linkText, Literal(citation.text)))
        add((node, AK.linkTarget, iris.web_iri(citation.href)))
        if citation.disagreement:
            message = disagreement_text(citation)
            add((node, AK.disagreement, Literal(message)))
            self.report(
                Severity.WARNING,
                "legal-link-disagreement",
                found.path,
                f"link text and link target name different parts: {message}",
                found.field,
                f"[{citation.text}]({citation.href})",
            )
        if act is None:
            return
        law = self._law(act)
        for subject in (found.subject, node):
            add((subject, AK.law, law))
        for part in citation.parts:
            target = self._part(act, law, part)
            for subject in (found.subject, node):
                add((subject, AK.derivedFrom, target))

    def _law(self, act: Act) -> URIRef:
        law, add = iris.law(act), self.graph.add
        add((law, RDF.type, ELI.LegalResource))
        add((law, ELI.id_local, Literal(act.bwb or act.celex)))
        page = iris.law_page(act)
        if page is not None and page != law:
            add((law, FOAF.page, page))
        return law

    def _part(self, act: Act, law: URIRef, part: Part) -> URIRef:
        node, add = iris.law_part(act, part), self.graph.add
        add((node, RDF.type, ELI.LegalResourceSubdivision))
        add((node, RDF.type, PART_CLASSES.get(part.kind, AK.Division)))
        if part.kind in DIVISIONS:
            add((node, AK.divisionKind, Literal(part.kind)))
        add((node, ELI.is_part_of, law))
        add((node, ELI.number, Literal(part.number)))
        add((node, RDFS.label, Literal(iris.law_part_label(part), lang="nl")))
        page = iris.law_page(act, part)
        if page is not None:
            add((node, FOAF.page, page))
        return node


def disagreement_text(citation: Citation) -> str:
    """``text: artikel 5; target: artikel 4.1`` for a citation whose text and URL disagree."""

    def shown(parts: tuple[Part, ...]) -> str:
        return ", ".join(f"{p.kind} {p.number}" for p in parts)

    return f"text: {shown(citation.text_parts)}; target: {shown(citation.url_parts)}"


def _distinct(names: Counter[str]) -> list[str]:
    """Names that differ in more than letter case, each in its most used spelling."""
    best: dict[str, str] = {}
    for name, _ in names.most_common():
        best.setdefault(name.casefold(), name)
    return sorted(best.values())


# -- figures for the build summary -------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """How the legal links of a build were resolved."""

    links: int
    to_article: int
    to_other_part: int
    to_law_only: int
    unidentified: int
    disagreements: int
    laws: int
    articles: int

    @property
    def article_share(self) -> float:
        return self.to_article / self.links if self.links else 0.0

    def lines(self) -> list[str]:
        return [
            f"  legal links: {self.links}; to an article {self.to_article} "
            f"({self.article_share:.1%}), to another part only {self.to_other_part}, "
            f"to the law only {self.to_law_only}, act not identified {self.unidentified}; "
            f"text/target disagreements {self.disagreements}",
            f"  laws: {self.laws}, articles: {self.articles}",
        ]


def figures(graph: Graph) -> Figures:
    """Count the citations in ``graph`` by how far they were resolved."""
    counted: Counter[str] = Counter()
    for node in graph.subjects(RDF.type, AK.LegalCitation):
        parts = set(graph.objects(node, AK.derivedFrom))
        if any((p, RDF.type, AK.Article) in graph for p in parts):
            counted["article"] += 1
        elif parts:
            counted["other"] += 1
        elif (node, AK.law, None) in graph:
            counted["law"] += 1
        else:
            counted["none"] += 1
        counted["disagreement"] += (node, AK.disagreement, None) in graph
    return Figures(
        links=counted["article"] + counted["other"] + counted["law"] + counted["none"],
        to_article=counted["article"],
        to_other_part=counted["other"],
        to_law_only=counted["law"],
        unidentified=counted["none"],
        disagreements=counted["disagreement"],
        laws=len(set(graph.subjects(RDF.type, ELI.LegalResource))),
        articles=len(set(graph.subjects(RDF.type, AK.Article))),
    )
