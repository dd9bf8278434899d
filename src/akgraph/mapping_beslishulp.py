"""The AI-Act decision aid (:mod:`akgraph.source.beslishulp`) as RDF, for its own named graph
``urn:nl:ak:graph:beslishulp``. No I/O: the tree and the release's data come in, a graph and
problems go out.

Questions (``ak:DecisionQuestion``) have ordered answers (``ak:DecisionAnswer``) that add
labels (``ak:addsLabel``) and lead on (``ak:nextQuestion``, ``ak:nextConclusion``) or through
ordered redirects (``ak:DecisionRedirect``) whose condition is kept as text
(``ak:conditionText``) and as a structure (``ak:condition`` -> ``ak:AllOf`` / ``ak:AnyOf`` /
``ak:NoneOf`` with ``ak:operand``, or ``ak:LabelPresent`` with ``ak:label``). Labels
(``ak:DecisionLabel``) name the framework's AI-Act value of the same meaning
(``ak:labelValue``) and, where ``alignment.ttl`` maps that value, its DPV term
(``rdfs:seeAlso``). Sources link to the same ELI nodes as the requirements' legal links;
definitions to the glossary term of the same term (``ak:glossaryTerm``).
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from akgraph import decision_aid, iris
from akgraph.applicability import And, Expr, Not, Or, Token
from akgraph.iris import AK
from akgraph.mapping_law import LawLinker
from akgraph.problems import Problem, Severity
from akgraph.source.beslishulp import (
    DEFINITIONS_FILE,
    TREE_FILE,
    Category,
    DecisionTree,
    Source,
)


def to_graph(
    tree: DecisionTree, release: Graph, alignment: Graph | None = None
) -> tuple[Graph, list[Problem]]:
    """The tree as RDF, linked to ``release`` (its glossary, its laws); with the problems of
    reading it, of its checks and of the links made."""
    graph = Graph()
    graph.bind("ak", AK)
    graph.bind("skos", SKOS)
    graph.bind("dct", DCTERMS)
    problems = [*tree.problems, *decision_aid.check(tree)]

    def report(
        severity: Severity, code: str, path: str, message: str,
        field: str | None = None, value: str | None = None,
    ) -> None:  # fmt: skip
        problems.append(Problem(severity, code, path, message, field, value))

    add = graph.add
    folder = tree.folder.name
    law = LawLinker(graph, report)
    root = iris.DECISION_AID
    add((root, RDF.type, AK.DecisionTree))
    add((root, DCTERMS.title, Literal(tree.name or "Beslishulp AI-verordening", lang="nl")))
    if tree.version:
        add((root, DCTERMS.hasVersion, Literal(tree.version)))
    if tree.first is not None:
        add((root, AK.firstQuestion, iris.decision_aid("vraag", tree.first.id)))

    labels: dict[str, URIRef] = {}

    def label(text: str) -> URIRef:
        if text not in labels:
            node = labels[text] = iris.decision_aid("label", iris.slugify(text))
            add((node, RDF.type, AK.DecisionLabel))
            add((node, RDFS.label, Literal(text, lang="nl")))
            found = decision_aid.label_value(text)
            if found:
                concept = iris.concept(*found)
                add((node, AK.labelValue, concept))
                framework = found[0] not in decision_aid.extra_dimensions()
                if framework and alignment is not None and (
                    concept, RDF.type, AK.AIActLabel
                ) not in alignment:
                    _missing_value(graph, concept, found[0], text)
                    message = (
                        f"label {text!r}: the framework's list {found[0]} has no value "
                        f"{found[1]!r}; added to the decision aid's graph"
                    )
                    where = f"{folder}/{TREE_FILE}"
                    report(Severity.INFO, "decision-aid-value", where, message, "labels", text)
                for match in (SKOS.exactMatch, SKOS.closeMatch):
                    for dpv in alignment.objects(concept, match) if alignment else ():
                        add((node, RDFS.seeAlso, dpv))
        return labels[text]

    def sources(subject: URIRef, given: tuple[Source, ...], path: str) -> None:
        for position, source in enumerate(given, 1):
            node = URIRef(f"{subject}:bron:{position}")
            add((subject, DCTERMS.source, node))
            add((node, RDF.type, AK.DecisionSource))
            add((node, RDFS.label, Literal(source.title, lang="nl")))
            add((node, AK.position, Literal(position)))
            if source.url:
                add((node, FOAF.page, iris.web_iri(source.url)))
                law.collect_link(node, path, "sources", source.title, source.url)

    def condition(node: URIRef, tree_: Expr) -> URIRef:
        if isinstance(tree_, Token):
            add((node, RDF.type, AK.LabelPresent))
            add((node, AK.presentLabel, label(tree_.name)))
            return node
        if isinstance(tree_, Not):
            add((node, RDF.type, AK.NoneOf))
            add((node, AK.operand, condition(URIRef(f"{node}-1"), tree_.operand)))
            return node
        add((node, RDF.type, AK.AllOf if isinstance(tree_, And) else AK.AnyOf))
        assert isinstance(tree_, And | Or)
        for position, operand in enumerate(tree_.operands, 1):
            add((node, AK.operand, condition(URIRef(f"{node}-{position}"), operand)))
        return node

    where = f"{folder}/{TREE_FILE}"
    for order, question in enumerate(tree.questions, 1):
        node = iris.decision_aid("vraag", question.id)
        add((root, AK.question, node))
        add((node, RDF.type, AK.DecisionQuestion))
        add((node, DCTERMS.identifier, Literal(question.id)))
        add((node, RDFS.label, Literal(question.text, lang="nl")))
        add((node, AK.position, Literal(order)))
        add((node, AK.sourceLine, Literal(question.line)))
        if question.explanation:
            add((node, AK.explanation, Literal(question.explanation, lang="nl")))
        for value, predicate in ((question.category, AK.questionCategory),
                                 (question.subcategory, AK.questionSubcategory)):  # fmt: skip
            if value:
                add((node, predicate, Literal(value, lang="nl")))
        category = _category(tree, question.id)
        if category:
            add((node, AK.stepCategory, Literal(category.category, lang="nl")))
        sources(node, question.sources, where)
        for position, answer in enumerate(question.answers, 1):
            a = iris.decision_aid("vraag", question.id, "antwoord", position)
            add((node, AK.answer, a))
            add((a, RDF.type, AK.DecisionAnswer))
            add((a, RDFS.label, Literal(answer.text, lang="nl")))
            add((a, AK.position, Literal(position)))
            add((a, AK.sourceLine, Literal(answer.line)))
            if answer.subresult:
                add((a, AK.subresult, Literal(answer.subresult, lang="nl")))
            for text in answer.labels:
                add((a, AK.addsLabel, label(text)))
            if answer.next_question:
                add((a, AK.nextQuestion, iris.decision_aid("vraag", answer.next_question)))
            if answer.next_conclusion:
                add((a, AK.nextConclusion, iris.decision_aid("conclusie", answer.next_conclusion)))
            for number, redirect in enumerate(answer.redirects, 1):
                r = URIRef(f"{a}:doorverwijzing:{number}")
                add((a, AK.redirect, r))
                add((r, RDF.type, AK.DecisionRedirect))
                add((r, AK.position, Literal(number)))
                add((r, AK.sourceLine, Literal(redirect.line)))
                add((r, AK.conditionText, Literal(redirect.condition)))
                kind = "conclusie" if redirect.to_conclusion else "vraag"
                target = AK.nextConclusion if redirect.to_conclusion else AK.nextQuestion
                add((r, target, iris.decision_aid(kind, redirect.target)))
                try:
                    parsed = decision_aid.parse_condition(redirect.condition)
                except ValueError:
                    continue  # reported by decision_aid.check
                add((r, AK.condition, condition(URIRef(f"{r}#voorwaarde"), parsed)))
    for order, conclusion in enumerate(tree.conclusions, 1):
        node = iris.decision_aid("conclusie", conclusion.id)
        add((root, AK.conclusion, node))
        add((node, RDF.type, AK.DecisionConclusion))
        add((node, DCTERMS.identifier, Literal(conclusion.id)))
        add((node, RDFS.label, Literal(conclusion.text, lang="nl")))
        add((node, AK.position, Literal(order)))
        add((node, AK.sourceLine, Literal(conclusion.line)))
        if conclusion.obligation:
            add((node, AK.obligation, Literal(conclusion.obligation, lang="nl")))
        sources(node, conclusion.sources, where)
    for name, dimension in decision_aid.extra_dimensions().items():
        scheme = iris.scheme(name)
        add((scheme, RDF.type, SKOS.ConceptScheme))
        add((scheme, SKOS.prefLabel, Literal(dimension.label, lang="nl")))
        add((scheme, DCTERMS.title, Literal(dimension.label, lang="nl")))
        add((scheme, SKOS.definition, Literal(dimension.definition, lang="nl")))
        add((scheme, DCTERMS.source, root))
        for value, (text, definition) in dimension.values.items():
            concept = iris.concept(name, value)
            add((concept, RDF.type, SKOS.Concept))
            add((concept, RDF.type, AK.AIActLabel))
            add((concept, SKOS.prefLabel, Literal(text, lang="nl")))
            add((concept, SKOS.definition, Literal(definition, lang="nl")))
            add((concept, SKOS.notation, Literal(value)))
            add((concept, SKOS.inScheme, scheme))
            add((concept, SKOS.topConceptOf, scheme))
            add((scheme, SKOS.hasTopConcept, concept))
    _definitions(tree, release, graph, problems)
    law.finish()
    return graph, problems


def _missing_value(graph: Graph, concept: URIRef, dimension: str, label: str) -> None:
    """A value the decision aid uses that the framework's list lacks (``geen algoritme``: the
    task-registry has it, the framework's soort-toepassing does not), as a concept of that
    list in the decision aid's graph."""
    add, scheme = graph.add, iris.scheme(dimension)
    add((concept, RDF.type, SKOS.Concept))
    add((concept, RDF.type, AK.AIActLabel))
    add((concept, SKOS.prefLabel, Literal(label, lang="nl")))
    add((concept, SKOS.definition, Literal(
        f"Waarde '{label}' zoals de beslishulp AI-verordening haar gebruikt; de lijst van het "
        "Algoritmekader kent haar niet.", lang="nl")))  # fmt: skip
    add((concept, SKOS.notation, Literal(iris.local(concept))))
    add((concept, SKOS.inScheme, scheme))
    add((concept, SKOS.topConceptOf, scheme))
    add((scheme, SKOS.hasTopConcept, concept))


def _category(tree: DecisionTree, question_id: str) -> Category | None:
    """The entry of ``categories.yaml`` for a question: its id or the longest prefix of it."""
    found = [
        c for c in tree.categories
        if question_id == c.question or question_id.startswith(c.question + ".")
    ]  # fmt: skip
    return max(found, key=lambda c: len(c.question), default=None)


def _words(text: str) -> str:
    return " ".join(text.split()).casefold().rstrip(".")


def _definitions(tree: DecisionTree, release: Graph, graph: Graph, problems: list[Problem]) -> None:
    """Each definition as a node, matched to the release's glossary term of the same term;
    a different text is reported."""
    glossary: dict[str, tuple[URIRef, str]] = {}
    for term in release.subjects(RDF.type, AK.GlossaryTerm):
        name = release.value(term, SKOS.prefLabel)
        text = release.value(term, SKOS.definition)
        if isinstance(term, URIRef) and name is not None:
            glossary.setdefault(str(name).casefold(), (term, str(text or "")))
    add, root = graph.add, iris.DECISION_AID
    where = f"{tree.folder.name}/{DEFINITIONS_FILE}"
    seen: set[URIRef] = set()
    for definition in tree.definitions:
        node = iris.decision_aid("definitie", iris.slugify(definition.term))
        if node in seen:
            node = URIRef(f"{node}-{definition.line}")
        seen.add(node)
        add((root, AK.decisionDefinition, node))
        add((node, RDF.type, AK.DecisionDefinition))
        add((node, SKOS.prefLabel, Literal(definition.term, lang="nl")))
        add((node, SKOS.definition, Literal(definition.definition, lang="nl")))
        add((node, AK.sourceLine, Literal(definition.line, datatype=XSD.integer)))
        found = glossary.get(definition.term.casefold())
        if found is None:
            continue
        add((node, AK.glossaryTerm, found[0]))
        if _words(found[1]) != _words(definition.definition):
            problems.append(
                Problem(
                    Severity.INFO,
                    "decision-aid-definition",
                    f"{where}:{definition.line}",
                    f"definitie wijkt af van de begrippenlijst ({found[0]}) / definition differs "
                    "from the framework's glossary",
                    "definition",
                    definition.term,
                )
            )
