"""Map a read checkout to RDF. No I/O: everything comes in as values, a graph goes out."""

from __future__ import annotations

import difflib
import fnmatch
import functools
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS, XSD
from rdflib.plugins.stores.memory import SimpleMemory

from akgraph import applicability, iris
from akgraph.fields import BY_KEY, ITEM_CLASSES, Form, declared
from akgraph.iris import AK
from akgraph.mapping_law import LawLinker
from akgraph.problems import Problem, Severity
from akgraph.source import markdown
from akgraph.source.reader import (
    AUDIT_TEXTS,
    CROSSWALK,
    GLOSSARY,
    PAGE,
    Checkout,
    Document,
    resolve_link,
    resolve_url,
    site_path,
)

CONCEPT_CLASSES = {
    "levenscyclus": AK.LifecyclePhase,
    "rollen": AK.Role,
    "onderwerp": AK.Topic,
}
AUDIT_FRAMEWORKS = {"ADR": "adr", "ARK": "ark"}
#: How the audit data file names each framework's source (matched in lower case).
AUDIT_SOURCES = {"ADR": "auditdienst rijk", "ARK": "algemene rekenkamer"}
_AUDIT_NAMES = {
    "adr": (
        "het onderzoekskader algoritmes van de Auditdienst Rijk",
        "the audit framework for algorithms of the Dutch Government Audit Service",
    ),
    "ark": (
        "het toetsingskader algoritmes van de Algemene Rekenkamer",
        "the audit framework for algorithms of the Netherlands Court of Audit",
    ),
}
_FILE_CODE = re.compile(r"(?:\d+-)?([a-z]+-\d+)")


def file_code(slug: str) -> str | None:
    """The code in a file name (``org-03`` of ``0-org-03-toepassen-risicobeheer``), if any."""
    match = _FILE_CODE.match(slug.lower())
    return match.group(1) if match else None


#: How alike (difflib's ratio, 0..1) a slug must be to a dangling reference to be suggested:
#: difflib's own default, which finds the intended file for 8 of the 9 dangling references of
#: v2.5.1 and none for the ninth (docs/dangling-references.md).
SUGGESTION_CUTOFF = 0.6


def closest_slug(value: str, slugs: Iterable[str]) -> str | None:
    """The slug most like ``value`` (case ignored) if it is close enough, else None; of equally
    close slugs the first in sorted order."""
    return _closest(value.removesuffix(".md").lower(), frozenset(slugs))


@functools.lru_cache(maxsize=1024)
def _closest(wanted: str, slugs: frozenset[str]) -> str | None:
    """:func:`closest_slug`, remembered: the releases of one run share most dangling references
    and slugs. difflib's cheap upper bounds of the ratio skip the slugs that cannot win."""
    matcher = difflib.SequenceMatcher(None)
    matcher.set_seq1(wanted)
    best: tuple[float, str] | None = None
    for slug in sorted(slugs):
        matcher.set_seq2(slug.lower())
        floor = SUGGESTION_CUTOFF if best is None else best[0]
        if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
            continue
        ratio = matcher.ratio()
        if ratio >= SUGGESTION_CUTOFF and (best is None or ratio > best[0]):
            best = (ratio, slug)
    return best[1] if best else None


@dataclass(frozen=True)
class Target:
    """Where a relative link of a text goes: a Markdown file of ``docs/`` (``file``), or else a
    path of the official site (``site``: an image, a PDF); neither when it goes nowhere. The
    fragment (an anchor) is kept as written."""

    file: str | None = None
    site: str | None = None
    fragment: str = ""


def _is_asset(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return "." in name and not name.endswith(".md")


class Resolver:
    """The one link resolver, reading links as MkDocs (``use_directory_urls``) does: a Markdown
    link to a ``.md`` file is relative to the file, any other link (one without ``.md``, one
    in HTML) relative to the built page's URL; for those the file-relative reading is tried
    too, as authors often mean it. ``files`` are the Markdown files, relative to ``docs/``."""

    def __init__(self, files: set[str]) -> None:
        self.files = files
        self.by_url = {site_path(f).rstrip("/"): f for f in sorted(files)}

    def __call__(self, doc_path: str, link: markdown.Link) -> Target:
        """Where ``link``, in the file ``doc_path`` (relative to the checkout), goes."""
        href = link.href.strip()
        fragment = href.partition("#")[2]
        by_file = resolve_link(doc_path, href)
        by_url = resolve_url(doc_path, href)
        candidates = []
        if link.html or not href.split("#", 1)[0].split("?", 1)[0].endswith(".md"):
            candidates.append(self.by_url.get(by_url, ""))
        if by_file.endswith(".md"):
            candidates.append(by_file)
        elif not _is_asset(by_file):
            candidates += [f"{by_file}.md", f"{by_file}/index.md".lstrip("/")]
        found = next((c for c in candidates if c in self.files), None)
        if found is not None:
            return Target(file=found, fragment=fragment)
        if _is_asset(by_file):  # an image, a PDF: not in the export, but on the official site
            return Target(site=by_url if link.html else by_file, fragment=fragment)
        return Target(fragment=fragment)


def _claimed(doc: Document) -> str | None:
    raw = doc.meta.get("id")
    return raw.strip() if isinstance(raw, str) else None


@dataclass
class Result:
    """The graph of one checkout, and what was found while making it."""

    graph: Graph
    problems: list[Problem] = field(default_factory=list)
    unresolved: list[tuple[str, str, str]] = field(default_factory=list)


def to_graph(checkout: Checkout, vocabularies: Graph) -> Result:
    """Convert ``checkout`` to RDF.

    ``vocabularies`` holds the controlled lists we publish: values outside them are reported.
    The result holds only what the checkout says, not the vocabularies themselves.
    """
    return _Mapper(checkout, vocabularies).run()


def known_values(vocabularies: Graph) -> dict[str, set[str]]:
    """Per list name, the values its concept scheme declares."""
    known: dict[str, set[str]] = {}
    for concept, scheme in vocabularies.subject_objects(SKOS.inScheme):
        parsed_scheme, parsed = iris.parse(str(scheme)), iris.parse(str(concept))
        if parsed_scheme and parsed and parsed.namespace == parsed_scheme.namespace:
            known.setdefault(parsed.namespace, set()).add(parsed.local)
    return known


class _Mapper:
    def __init__(self, checkout: Checkout, vocabularies: Graph) -> None:
        self.checkout = checkout
        # rdflib's store without named graphs: a third of the time of its default one (Memory)
        # to fill, which keeps contexts and sends an event for every statement added
        self.graph = Graph(store=SimpleMemory())
        for prefix, namespace in vocabularies.namespaces():
            self.graph.bind(prefix, namespace, override=False)
        self.graph.bind("ak", AK)
        self.problems: list[Problem] = []
        self.unresolved: list[tuple[str, str, str]] = []
        self.known = known_values(vocabularies)
        self.release = iris.release(checkout.release.tag)
        self.subjects: dict[str, URIRef] = {}  # document path -> subject
        self.by_slug: dict[str, dict[str, URIRef]] = {k: {} for k in ITEM_CLASSES}
        self.by_urn: dict[str, URIRef] = {}
        self.law = LawLinker(self.graph, self.problem)
        #: criterion IRI -> its text and source, from the release's audit data file
        self.audit_texts: dict[URIRef, tuple[str, str]] = {}
        self.blanks: Counter[str] = Counter()
        self.resolve = Resolver(checkout.files)

    def problem(
        self,
        severity: Severity,
        code: str,
        doc: Document | str,
        message: str,
        field: str | None = None,
        value: Any = None,
    ) -> None:
        path = doc.path if isinstance(doc, Document) else doc
        shown = None if value is None else value if isinstance(value, str) else json.dumps(value)
        self.problems.append(Problem(severity, code, path, message, field, shown))

    def run(self) -> Result:
        self._release()
        items = [d for d in self.checkout.documents if d.kind in ITEM_CLASSES]
        pages = [d for d in self.checkout.documents if d.kind == PAGE]
        for document in self.checkout.documents:
            if document.kind in CONCEPT_CLASSES:
                self._list_page(document)
        for document in pages:
            self.subjects[document.path] = iris.page(document.path)
        self.owners = self._owners(items)
        for document in items:
            self._identify(document)
        for document in self.checkout.documents:
            if document.kind in CONCEPT_CLASSES:  # their text, once items have their IRIs
                self._body(self.subjects[document.path], document)
        for document in pages:
            self._page(document)
        self._read_audit_texts()
        for document in items:
            self._item(document)
        self._navigation()
        self._audit_data()
        self.law.finish()
        if self.checkout.glossary_text is not None:
            self._glossary(self.checkout.glossary_text)
        return Result(self.graph, self.problems, self.unresolved)

    # -- release and identifiers -------------------------------------------------------------

    def _release(self) -> None:
        release, add = self.checkout.release, self.graph.add
        add((self.release, RDF.type, AK.Release))
        add((self.release, AK.tag, Literal(release.tag)))
        add((self.release, DCTERMS.title, Literal(f"Algoritmekader {release.tag}", lang="nl")))
        if release.commit:
            add((self.release, AK.commit, Literal(release.commit)))
        if release.date:
            add((self.release, DCTERMS.date, Literal(release.date, datatype=XSD.date)))

    def _owners(self, items: list[Document]) -> dict[str, str | None]:
        """Per URN claimed by several files, the path of the one that owns it (None: none).

        The owner is the only claimant whose file name code (``org-03`` in
        ``0-org-03-toepassen-risicobeheer.md``) is the URN's code, as the framework's own
        check of file names requires; with none or several such files none owns it. Each such
        URN is reported once (on the first claimant that does not own it), naming every
        claimant.
        """
        claims: dict[str, list[Document]] = {}
        for doc in items:
            claimed = _claimed(doc)
            if claimed is not None and iris.is_well_formed(claimed):
                claims.setdefault(claimed, []).append(doc)
        owners: dict[str, str | None] = {}
        for urn, docs in sorted(claims.items()):
            if len(docs) < 2:
                continue
            code = urn.rsplit(":", 1)[1].lower()
            matching = [d for d in docs if file_code(d.slug) == code]
            owner = matching[0].path if len(matching) == 1 else None
            owners[urn] = owner
            names = ", ".join(d.path for d in docs)
            outcome = (
                f"{owner} owns it (its file name has the code {code}); the others get minted IRIs"
                if owner
                else f"{'none' if not matching else 'more than one'} of their file names has the "
                f"code {code}, so none owns it and each gets a minted IRI"
            )
            self.problem(
                Severity.ERROR,
                "duplicate-id",
                next(d.path for d in docs if d.path != owner),
                f"id claimed by {len(docs)} files: {names}; {outcome}",
                "id",
                urn,
            )
        return owners

    def _identify(self, doc: Document) -> None:
        """Give ``doc`` its subject IRI: its own URN unless missing, malformed or taken."""
        raw = doc.meta.get("id")
        claimed = _claimed(doc)
        subject, minted = None, True
        if doc.kind == "instrument" and raw is None:
            pass
        elif raw is None or claimed == "":
            self.problem(Severity.WARNING, "missing-id", doc, "no id; a minted IRI is used", "id")
        elif claimed is None or not iris.is_well_formed(claimed):
            self.problem(
                Severity.WARNING,
                "malformed-id",
                doc,
                "id is not a urn:nl:ak: URN; a minted IRI is used",
                "id",
                raw,
            )
        elif claimed in self.owners and self.owners[claimed] != doc.path:
            pass  # reported once for all claimants by _owners
        elif claimed in self.by_urn:  # a minted IRI that happens to equal the URN
            self.problem(
                Severity.ERROR,
                "duplicate-id",
                doc,
                "id is already the IRI of another item; this item gets a minted IRI",
                "id",
                claimed,
            )
        else:
            subject, minted = URIRef(claimed), False
        if subject is None:
            subject = iris.item(doc.kind, doc.slug.lower())
            if str(subject) in self.by_urn:
                subject = iris.item(doc.kind, doc.path.lower())
        self.subjects[doc.path] = subject
        self.by_urn[str(subject)] = subject
        self.by_slug[doc.kind][doc.slug] = subject
        add = self.graph.add
        add((subject, DCTERMS.identifier, Literal(str(subject))))
        if minted:
            add((subject, AK.identifierMinted, Literal(True)))
            if claimed:
                add((subject, AK.claimedIdentifier, Literal(claimed)))

    # -- items -------------------------------------------------------------------------------

    def _item(self, doc: Document) -> None:
        subject, add = self.subjects[doc.path], self.graph.add
        add((subject, RDF.type, ITEM_CLASSES[doc.kind]))
        self._provenance(subject, doc)
        kind_keys = declared(doc.kind)
        for key, value in doc.meta.items():
            if key not in kind_keys:
                self._undeclared(subject, doc, key, value)
                continue
            spec = BY_KEY[key]
            prop = spec.prop
            if spec.form is Form.TEXT and prop is not None:
                self._text(subject, doc, key, value, prop, required=spec.required)
            elif spec.form is Form.CONCEPT and prop is not None:
                for v in self._values(subject, doc, key, value):
                    add((subject, prop, self._concept(doc, key, v)))
            elif spec.form is Form.REFERENCE and prop is not None:
                for v in self._values(subject, doc, key, value):
                    add((subject, prop, self._reference(doc, key, v)))
            elif spec.form is Form.AUDIT:
                self._audit(subject, doc, value)
            elif spec.form in (Form.LITERAL, Form.EXPRESSION) and prop is not None:
                for v in self._values(subject, doc, key, value):
                    add((subject, prop, Literal(v)))
                    if spec.form is Form.EXPRESSION:
                        self._exception(doc, key, v)
            # IDENTIFIER: read by _identify; PRESENTATION: the layout's only
        if "title" not in doc.meta:
            self.problem(Severity.WARNING, "missing-title", doc, "no title", "title")
        self._body(subject, doc)

    def _provenance(self, subject: URIRef, doc: Document) -> None:
        add = self.graph.add
        add((subject, AK.slug, Literal(doc.slug)))
        add((subject, AK.sourcePath, Literal(doc.path)))
        add((subject, AK.release, self.release))
        add((subject, FOAF.page, iris.official_page(self.checkout.site, doc.path[len("docs/") :])))

    def _text(
        self,
        subject: URIRef,
        doc: Document,
        key: str,
        value: Any,
        prop: URIRef,
        required: bool = False,
    ) -> None:
        if isinstance(value, str) and value.strip():
            self.graph.add((subject, prop, Literal(value.strip(), lang="nl")))
        elif isinstance(value, str):
            if required:
                self.problem(Severity.WARNING, "missing-title", doc, f"{key} is empty", key)
        else:
            self.problem(Severity.WARNING, "not-text", doc, f"{key} should be text", key, value)
            self._undeclared(subject, doc, key, value, report=False)

    def _values(
        self, subject: URIRef, doc: Document, key: str, value: Any, scalar_ok: bool = False
    ) -> list[str]:
        """The string values of a list field; empty items and odd shapes are reported."""
        if isinstance(value, str):
            if not value.strip():
                return []
            if not scalar_ok:
                self.problem(
                    Severity.INFO,
                    "scalar-for-list",
                    doc,
                    "a single value where a list is expected; read as a list of one",
                    key,
                    value,
                )
            return [value.strip()]
        if not isinstance(value, list):
            self.problem(
                Severity.WARNING,
                "not-a-list",
                doc,
                "expected a list of values; kept unconverted",
                key,
                value,
            )
            self._undeclared(subject, doc, key, value, report=False)
            return []
        values = []
        for v in value:
            if isinstance(v, str) and v.strip():
                values.append(v.strip())
            elif isinstance(v, str):
                self.problem(Severity.WARNING, "empty-list-item", doc, "empty list item", key, "")
                self.graph.add((subject, AK.emptyListItem, Literal(key)))
            else:
                self.problem(
                    Severity.WARNING,
                    "not-a-list",
                    doc,
                    "list item is not a single value; kept unconverted",
                    key,
                    v,
                )
                self._undeclared(subject, doc, key, v, report=False)
        return values

    def _undeclared(
        self, subject: URIRef, doc: Document, key: str, value: Any, report: bool = True
    ) -> None:
        if report:
            self.problem(
                Severity.WARNING,
                "undeclared-field",
                doc,
                "field is not part of the template for this type; kept as raw value",
                key,
                value,
            )
        node = self._blank(subject, key)
        self.graph.add((subject, AK.undeclaredField, node))
        self.graph.add((node, RDF.type, AK.UndeclaredField))
        self.graph.add((node, AK.fieldName, Literal(key)))
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        self.graph.add((node, AK.fieldValue, Literal(shown)))

    def _blank(self, *parts: object) -> BNode:
        """A blank node whose label follows from the release and ``parts`` (the n-th asked for
        with the same parts gets the n-th label), so that a build writes the same bytes each
        time and two releases in one dataset never share one."""
        seed = "\x1f".join([self.checkout.release.tag, *map(str, parts)])
        self.blanks[seed] += 1
        digest = hashlib.sha256(f"{seed}\x1f{self.blanks[seed]}".encode()).hexdigest()
        return BNode(f"b{digest[:32]}")

    def _concept(self, doc: Document, key: str, value: str) -> URIRef:
        if value not in self.known.get(key, set()):
            self.problem(
                Severity.WARNING,
                "unknown-value",
                doc,
                f"value is not in the list {key!r}",
                key,
                value,
            )
        return iris.concept(key, value)

    def _exception(self, doc: Document, key: str, text: str) -> None:
        """Report an exception expression that does not parse or names an unknown label."""
        try:
            tree = applicability.parse_expression(text)
        except applicability.ExpressionError as exc:
            self.problem(
                Severity.WARNING,
                "malformed-exception",
                doc,
                f"exception is not an expression of labels with &&, || and !: {exc}; kept as "
                "text",
                key,
                text,
            )
            return
        for name in sorted(applicability.labels(tree)):
            split = applicability.split_label(name)
            if split is None or split[1] not in self.known.get(split[0], set()):
                self.problem(
                    Severity.WARNING,
                    "unknown-exception-token",
                    doc,
                    f"{name!r} in the exception {text!r} is no <list>-<value> label of the "
                    "AI-Act lists (such as risicogroep-hoog-risico-ai-systeem); it never holds",
                    key,
                    name,
                )

    def _reference(self, doc: Document, key: str, value: str) -> URIRef:
        target_kind = BY_KEY[key].target or ""
        slug = value.removesuffix(".md")
        target = self.by_slug[target_kind].get(slug)
        if target is not None and slug != value:
            self.problem(
                Severity.WARNING,
                "reference-md-suffix",
                doc,
                f"reference written with the file extension .md; read as {slug!r}",
                key,
                value,
            )
        if target is None and value in self.by_urn:
            target = self.by_urn[value]
        if target is not None:
            return target
        suggestion = closest_slug(value, self.by_slug[target_kind])
        self.problem(
            Severity.WARNING,
            "unresolved-reference",
            doc,
            f"no {target_kind} with this file name or URN"
            + (f"; did you mean {suggestion!r}?" if suggestion else ""),
            key,
            value,
        )
        self.unresolved.append((doc.path, key, value))
        node = iris.unresolved(key, value)
        self.graph.add((node, RDF.type, AK.UnresolvedReference))
        self.graph.add((node, AK.referencedField, Literal(key)))
        self.graph.add((node, AK.referencedSlug, Literal(value)))
        return node

    def _audit(self, subject: URIRef, doc: Document, value: Any) -> None:
        if isinstance(value, str) and not value.strip():
            return
        if not isinstance(value, dict):
            self.problem(
                Severity.WARNING,
                "not-a-mapping",
                doc,
                "sources should map ADR/ARK to codes; kept unconverted",
                "sources",
                value,
            )
            self._undeclared(subject, doc, "sources", value, report=False)
            return
        for framework, codes in value.items():
            key = f"sources.{framework}"
            scheme_name = AUDIT_FRAMEWORKS.get(str(framework).upper())
            if scheme_name is None:
                self.problem(
                    Severity.WARNING,
                    "unknown-audit-framework",
                    doc,
                    "audit framework is not ADR or ARK; kept unconverted",
                    key,
                    codes,
                )
                self._undeclared(subject, doc, key, codes, report=False)
                continue
            for code in self._values(subject, doc, key, codes, scalar_ok=True):
                criterion = iris.concept(scheme_name, code)
                self.graph.add((subject, AK.auditCriterion, criterion))
                self._audit_concept(criterion, scheme_name, str(framework).upper(), code)

    def _audit_concept(
        self, criterion: URIRef, scheme_name: str, framework: str, code: str
    ) -> None:
        add, scheme = self.graph.add, iris.scheme(scheme_name)
        add((criterion, RDF.type, AK.AuditCriterion))
        add((criterion, RDF.type, SKOS.Concept))
        add((criterion, SKOS.notation, Literal(code)))
        add((criterion, SKOS.prefLabel, Literal(f"{framework} {code}", lang="nl")))
        name_nl, name_en = _AUDIT_NAMES[scheme_name]
        if criterion in self.audit_texts:  # the criterion's own words, from the release
            text, source = self.audit_texts[criterion]
            add((criterion, SKOS.definition, Literal(text, lang="nl")))
            add((criterion, DCTERMS.source, Literal(source, lang="nl")))
            add((criterion, AK.sourcePath, Literal(AUDIT_TEXTS)))
        else:
            generic_nl = f"Criterium {code} uit {name_nl}."
            add((criterion, SKOS.definition, Literal(generic_nl, lang="nl")))
            add((criterion, SKOS.definition, Literal(f"Criterion {code} of {name_en}.", lang="en")))
        add((criterion, SKOS.inScheme, scheme))
        add((criterion, SKOS.topConceptOf, scheme))
        add((scheme, SKOS.hasTopConcept, criterion))

    def _read_audit_texts(self) -> None:
        """The criteria's texts of ``script/maatregelen-adr-ark.csv``, by criterion IRI."""
        for row in self.checkout.audit_texts:
            framework = next(
                (f for f, words in AUDIT_SOURCES.items() if words in row.source.lower()), None
            )
            if framework is None:
                where = f"{AUDIT_TEXTS}:{row.line}"
                self.problem(Severity.WARNING, "unknown-audit-source", where,
                             "source is neither the ADR's nor the ARK's framework; left out",
                             "source", row.source)  # fmt: skip
                continue
            criterion = iris.concept(AUDIT_FRAMEWORKS[framework], row.code)
            self.audit_texts[criterion] = (row.text, row.source)

    def _audit_data(self) -> None:
        """Criteria that only the data file names get their node too; and the crosswalk
        (``relatie-ak-tot-toetsingskaders.csv``) is compared with the measures' ``sources``:
        each pair only one of them names is reported."""
        for criterion in self.audit_texts:
            if (criterion, RDF.type, AK.AuditCriterion) not in self.graph:
                parsed = iris.parse(str(criterion))
                assert parsed is not None
                framework = parsed.namespace.upper()
                self._audit_concept(criterion, parsed.namespace, framework, parsed.local)
        if not self.checkout.crosswalk:
            return
        cited = {
            (str(measure), str(criterion))
            for measure, criterion in self.graph.subject_objects(AK.auditCriterion)
            if (measure, RDF.type, AK.Measure) in self.graph
        }
        listed: dict[tuple[str, str], int] = {}
        for row in self.checkout.crosswalk:
            scheme_name = AUDIT_FRAMEWORKS.get(row.framework)
            if scheme_name is None:
                continue
            marked = str(iris.concept(scheme_name, row.code))
            for measure in row.measures:
                listed[(measure, marked)] = row.line
        label = {str(iris.concept(s, "")): f for f, s in AUDIT_FRAMEWORKS.items()}
        for measure, named in sorted(set(listed) ^ cited):
            code = named.rsplit(":", 1)[-1]
            name = label.get(named[: -len(code)], "") + " " + code
            if (measure, named) in listed:
                where = f"{CROSSWALK}:{listed[(measure, named)]}"
                message = (f"the crosswalk says {measure} meets {name}, but the measure's "
                           "sources do not name it")  # fmt: skip
            else:
                where = f"{CROSSWALK}"
                message = (f"{measure} names {name} in its sources, but the crosswalk does not "
                           "mark it")  # fmt: skip
            self.problem(Severity.WARNING, "crosswalk-disagrees", where, message, measure,
                         name.strip())  # fmt: skip

    def _body(self, subject: URIRef, doc: Document) -> None:
        parsed = markdown.parse(markdown.clean(doc.body))
        add = self.graph.add
        parts = [("", parsed.preamble), *((s.heading, s.markdown) for s in parsed.sections)]
        seen: Counter[str] = Counter()
        for order, (heading, text) in enumerate(parts):
            if not text:
                continue
            name = iris.slugify(heading) if heading else "inleiding"
            seen[name] += 1
            node = iris.section(subject, heading, seen[name])
            add((subject, AK.section, node))
            add((node, RDF.type, AK.Section))
            add((node, AK.order, Literal(order)))
            if heading:
                add((node, AK.heading, Literal(heading, lang="nl")))
            add((node, AK.markdown, Literal(text, lang="nl")))
        for line in parsed.long_lines:
            self.problem(
                Severity.INFO,
                "long-line",
                doc,
                f"a line of the text is longer than {markdown.MAX_LINE} characters; kept as "
                "text, but links and headings in it are not read",
                "body",
                f"line {line} after the frontmatter",
            )
        self._links(subject, doc, parsed.links)
        if doc.kind == "requirement":
            self.law.collect(subject, doc.path, parsed)

    def _links(self, subject: URIRef, doc: Document, links: Iterable[markdown.Link]) -> None:
        """Each link of the text: an external one as ``ak:externalLink``; a relative one
        resolved (by :class:`Resolver`) as ``ak:linksTo`` and as a link node that says what the
        link as written goes to, so that pages show the links as the mapping resolved them. An
        image in the export's folders gets a link node only (to its file on the official site).
        """
        add = self.graph.add
        numbered: dict[tuple[str, bool, bool], URIRef] = {}
        for link in links:
            href = link.href.strip()
            if not href or href.startswith("#"):
                continue
            if link.image and ":" in href.split("/", 1)[0]:
                continue  # an image from elsewhere: shown as it is
            if ":" in href.split("/", 1)[0]:
                external = iris.web_iri(href)
                if iris.is_valid_iri(str(external)):
                    add((subject, AK.externalLink, external))
                else:
                    self.problem(
                        Severity.WARNING,
                        "invalid-link",
                        doc,
                        "link target is not a valid IRI (a scheme must start with a letter and "
                        "hold no spaces); kept as text",
                        "body",
                        href,
                    )
                    add((subject, AK.brokenLink, Literal(href)))
                continue
            if (href, link.html, link.image) in numbered:
                continue
            node = iris.link(subject, len(numbered) + 1)
            numbered[(href, link.html, link.image)] = node
            add((subject, AK.link, node))
            add((node, RDF.type, AK.Link))
            add((node, AK.href, Literal(href)))
            if link.html:
                add((node, AK.inHtml, Literal(True)))
            target = self.resolve(doc.path, link)
            if target.fragment:
                add((node, AK.fragment, Literal(target.fragment)))
            if target.file is not None:
                found = self.subjects.get(f"docs/{target.file}")  # None: a file not converted
                resolved = found or iris.official_page(self.checkout.site, target.file)
            elif target.site is not None:
                resolved = iris.web_iri(self.checkout.site.rstrip("/") + "/" + target.site)
            elif link.image:
                continue  # no file to show: the image as written
            else:
                self.problem(
                    Severity.WARNING,
                    "broken-link",
                    doc,
                    "link to a page that does not exist",
                    "body",
                    href,
                )
                add((subject, AK.brokenLink, Literal(href)))
                continue
            if not link.image:
                add((subject, AK.linksTo, resolved))
            add((node, AK.target, resolved))

    # -- plain pages and the navigation ------------------------------------------------------

    def _page(self, doc: Document) -> None:
        """A page of the site that is no item and no list value: its title, text and links."""
        subject, add = self.subjects[doc.path], self.graph.add
        add((subject, RDF.type, AK.Page))
        add((subject, DCTERMS.identifier, Literal(str(subject))))
        self._provenance(subject, doc)
        title = doc.meta.get("title")
        parsed = markdown.parse(markdown.clean(doc.body))
        label = title.strip() if isinstance(title, str) and title.strip() else parsed.title
        add((subject, DCTERMS.title, Literal(label or doc.slug, lang="nl")))
        self._body(subject, doc)

    def _navigation(self) -> None:
        """Each page's place in the site: its position in mkdocs.yml's ``nav`` (``ak:navOrder``,
        the globs of ``... | folder/*.md`` expanded over the files not named elsewhere, in
        name order), the title the nav gives it, the section it heads, and its parent
        (``ak:navParent``): the page that heads its section, or for a page outside the nav (or
        heading a top section of a nav without a home page) the ``index.md`` of its folder or
        of the nearest folder above."""
        add, files = self.graph.add, self.checkout.files
        named = {e.target for e in self.checkout.navigation}
        placed: list[tuple[tuple[str, ...], str | None, str]] = []
        for entry in self.checkout.navigation:
            target = entry.target
            if "://" in target or target.startswith("mailto:"):
                continue
            if target.startswith("..."):
                pattern = target.partition("|")[2].strip()
                rest = [f for f in sorted(files) if f not in named]
                matches = [f for f in rest if pattern and fnmatch.fnmatchcase(f, pattern)]
                placed += [(entry.sections, None, f) for f in matches]
                named.update(matches)
            elif target in files:
                placed.append((entry.sections, entry.title, target))
            else:
                self.problem(Severity.WARNING, "nav-missing-page", "mkdocs.yml",
                             "the navigation names a page that is not in docs/", "nav",
                             target)  # fmt: skip
        heads: dict[tuple[str, ...], URIRef] = {}
        in_nav: set[URIRef] = set()
        placed_under: set[URIRef] = set()
        for order, (sections, title, path) in enumerate(placed, start=1):
            subject = self.subjects.get(f"docs/{path}")
            if subject is None or subject in in_nav:
                continue
            in_nav.add(subject)
            add((subject, AK.navOrder, Literal(order)))
            if title:
                add((subject, AK.navTitle, Literal(title, lang="nl")))
            if sections not in heads:
                heads[sections] = subject
                if sections:
                    add((subject, AK.navSection, Literal(sections[-1], lang="nl")))
            parent = next(
                (heads[sections[:k]] for k in range(len(sections), -1, -1)
                 if sections[:k] in heads and heads[sections[:k]] != subject),
                None,
            )  # fmt: skip
            if parent is not None:
                add((subject, AK.navParent, parent))
                placed_under.add(subject)
        for path, subject in sorted(self.subjects.items()):
            if subject in placed_under or not path.startswith("docs/"):
                continue
            folder = path.rsplit("/", 1)[0]
            if path.endswith("/index.md"):
                folder = folder.rsplit("/", 1)[0]
            while folder.startswith("docs"):
                parent = self.subjects.get(f"{folder}/index.md")
                if parent is not None and parent != subject:
                    add((subject, AK.navParent, parent))
                    break
                folder = folder.rsplit("/", 1)[0] if "/" in folder else ""

    # -- controlled lists from pages ---------------------------------------------------------

    def _list_page(self, doc: Document) -> None:
        """A page of ``docs/levenscyclus``, ``docs/rollen`` or ``docs/onderwerpen`` is a concept."""
        concept, scheme, add = (
            iris.concept(doc.kind, doc.slug),
            iris.scheme(doc.kind),
            self.graph.add,
        )
        self.subjects[doc.path] = concept
        self.known.setdefault(doc.kind, set()).add(doc.slug)
        add((concept, RDF.type, CONCEPT_CLASSES[doc.kind]))
        add((concept, RDF.type, SKOS.Concept))
        add((concept, SKOS.inScheme, scheme))
        add((concept, SKOS.topConceptOf, scheme))
        add((scheme, SKOS.hasTopConcept, concept))
        add((concept, SKOS.notation, Literal(doc.slug)))
        add((concept, DCTERMS.identifier, Literal(str(concept))))
        self._provenance(concept, doc)
        parsed = markdown.parse(markdown.clean(doc.body))
        title = doc.meta.get("title")
        label = title.strip() if isinstance(title, str) and title.strip() else parsed.title
        if label:
            add((concept, SKOS.prefLabel, Literal(label, lang="nl")))
        else:
            self.problem(Severity.WARNING, "missing-title", doc, "page has no title", "title")
        definition = markdown.first_paragraph(parsed.preamble)
        if definition:
            add((concept, SKOS.definition, Literal(definition, lang="nl")))

    # -- glossary ----------------------------------------------------------------------------

    def _glossary(self, text: str) -> None:
        entries, broken = markdown.glossary(text)
        for line, content in broken:
            self.problem(
                Severity.WARNING,
                "glossary-line",
                GLOSSARY,
                f"line {line} is not of the form *[term]: definition",
                "line",
                content,
            )
        scheme, add = iris.scheme("begrip"), self.graph.add
        first: dict[URIRef, int] = {}
        occurrences: Counter[URIRef] = Counter()
        for entry in entries:
            term = iris.glossary_term(entry.term)
            occurrences[term] += 1
            if term in first:
                self.problem(
                    Severity.WARNING,
                    "duplicate-term",
                    GLOSSARY,
                    f"line {entry.line} defines {entry.term!r} again (first on line "
                    f"{first[term]}); kept as a separate term",
                    "term",
                    entry.term,
                )
                term = iris.glossary_term(entry.term, occurrences[term])
            else:
                first[term] = entry.line
            add((term, RDF.type, AK.GlossaryTerm))
            add((term, RDF.type, SKOS.Concept))
            add((term, SKOS.prefLabel, Literal(entry.term, lang="nl")))
            add((term, SKOS.definition, Literal(entry.definition, lang="nl")))
            add((term, SKOS.inScheme, scheme))
            add((term, SKOS.topConceptOf, scheme))
            add((scheme, SKOS.hasTopConcept, term))
            add((term, AK.sourcePath, Literal(GLOSSARY)))
            add((term, AK.release, self.release))
