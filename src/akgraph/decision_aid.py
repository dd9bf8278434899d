"""The AI-Act decision aid as a program: its redirect conditions, the walk from answers to a
conclusion, its labels as the framework's AI-Act values, and the checks on a tree.

Conditions are the decision aid's own small language (as in its ``decision-tree.yaml``)::

    expr  := and ("||" and)*
    and   := unary ("&&" unary)*
    unary := "!" unary | "(" expr ")" | '"' label '"' "in" "labels"

parsed into the same syntax tree as the framework's exception expressions
(:mod:`akgraph.applicability`), whose tokens are here label strings. A redirect's condition is
read over every label collected so far, the answer's own included; the first redirect that
holds wins, and without one that holds the answer's own ``nextQuestionId`` /
``nextConclusionId`` applies.

Labels are strings such as ``"hoog-risico AI"``. Those of the framework's six AI-Act dimensions
are the task-registry labels of :mod:`akgraph.registry_labels` (the same strings); the two the
framework lacks (``operationeel``, ``conformiteitsbeoordelingsinstantie``) are in
``beslishulp-labels.yaml`` beside this module. Nothing here knows RDF or reads files but that
table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import yaml  # type: ignore[import-untyped]

from akgraph.applicability import And, Expr, ExpressionError, Not, Token, parse_tokens
from akgraph.problems import Problem, Severity
from akgraph.registry_labels import dimensions as registry_dimensions
from akgraph.source.beslishulp import TREE_FILE, Answer, Conclusion, DecisionTree, Question

TABLE = Path(__file__).resolve().parent / "beslishulp-labels.yaml"

# -- conditions -----------------------------------------------------------------------------

_LEX = re.compile(r'\s*(?:(\|\||&&|[()!])|"([^"\\]*)"\s+in\s+labels\b)')


@lru_cache(maxsize=4096)
def parse_condition(text: str) -> Expr:
    """The syntax tree of a redirect condition; ExpressionError when malformed."""
    tokens: list[tuple[str, str]] = []
    position, text = 0, text.strip()
    while position < len(text):
        match = _LEX.match(text, position)
        if not match:
            raise ExpressionError(f"unexpected {text[position : position + 20]!r} in {text!r}")
        operator, label = match.groups()
        tokens.append(("op", operator) if operator else ("name", label))
        position = match.end()
    return parse_tokens(tokens, text, '\'"label" in labels\'')


def holds(tree: Expr, labels: set[str] | frozenset[str]) -> bool:
    """Whether a condition holds for the labels collected so far."""
    if isinstance(tree, Token):
        return tree.name in labels
    if isinstance(tree, Not):
        return not holds(tree.operand, labels)
    if isinstance(tree, And):
        return all(holds(o, labels) for o in tree.operands)
    return any(holds(o, labels) for o in tree.operands)


def condition_labels(tree: Expr) -> set[str]:
    """Every label a condition names."""
    if isinstance(tree, Token):
        return {tree.name}
    if isinstance(tree, Not):
        return condition_labels(tree.operand)
    return set().union(*(condition_labels(o) for o in tree.operands))


def as_data(tree: Expr) -> dict:
    """A condition as plain data (``{"all": [...]}``, ``{"any": [...]}``, ``{"not": ...}``,
    ``{"label": "..."}``), for JSON."""
    if isinstance(tree, Token):
        return {"label": tree.name}
    if isinstance(tree, Not):
        return {"not": as_data(tree.operand)}
    key = "all" if isinstance(tree, And) else "any"
    return {key: [as_data(o) for o in tree.operands]}


# -- labels ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExtraDimension:
    """A dimension of the decision aid's labels the framework's frontmatter does not have:
    its name, label and definition, and per value its label and definition."""

    name: str
    label: str
    definition: str
    values: dict[str, tuple[str, str]]


@cache
def extra_dimensions() -> dict[str, ExtraDimension]:
    """The dimensions of ``beslishulp-labels.yaml``, by name."""
    table = yaml.safe_load(TABLE.read_text(encoding="utf-8"))
    return {
        name: ExtraDimension(
            name,
            spec["label"],
            spec["definition"],
            {str(k): (str(v["label"]), str(v["definition"])) for k, v in spec["values"].items()},
        )
        for name, spec in table["dimensions"].items()
    }


def label_value(label: str) -> tuple[str, str] | None:
    """``"hoog-risico AI"`` -> (``risicogroep``, ``hoog-risico-ai-systeem``): the dimension and
    value of a decision-aid label (case-insensitive), None for a label nobody maps."""
    folded = label.strip().casefold()
    found = [
        (name, value)
        for name, dimension in registry_dimensions().items()
        for value, registry_label in dimension.values.items()
        if registry_label and registry_label.casefold() == folded
    ]
    found += [
        (name, value)
        for name, dimension in extra_dimensions().items()
        for value, (text, _) in dimension.values.items()
        if text.casefold() == folded
    ]
    return found[0] if len(found) == 1 else None


def profile_values(labels: Sequence[str]) -> dict[str, list[str]]:
    """The framework's AI-Act profile (dimension -> values) of a set of decision-aid labels;
    the labels of the two extra dimensions and unmapped ones are left out."""
    values: dict[str, list[str]] = {}
    framework = registry_dimensions()
    for label in labels:
        found = label_value(label)
        if found and found[0] in framework and found[1] not in values.get(found[0], []):
            values.setdefault(found[0], []).append(found[1])
    return values


# -- the walk -------------------------------------------------------------------------------


class WalkError(ValueError):
    """Answers that do not make a walk through the tree."""


@dataclass(frozen=True)
class Step:
    """Where a walk stands: the answers so far, the labels collected, and either the next
    ``question`` or the ``conclusion`` reached."""

    path: tuple[tuple[Question, Answer], ...]
    labels: tuple[str, ...]
    question: Question | None
    conclusion: Conclusion | None


def next_target(answer: Answer, labels: set[str] | frozenset[str]) -> tuple[str, bool] | None:
    """Where an answer leads given the labels so far: (id, is a conclusion), or None."""
    for redirect in answer.redirects:
        if holds(parse_condition(redirect.condition), labels):
            return redirect.target, redirect.to_conclusion
    if answer.next_conclusion:
        return answer.next_conclusion, True
    if answer.next_question:
        return answer.next_question, False
    return None


def _choose(question: Question, given: int | str) -> Answer:
    if isinstance(given, int) or (isinstance(given, str) and given.isdigit()):
        index = int(given)
        if 0 <= index < len(question.answers):
            return question.answers[index]
    else:
        for answer in question.answers:
            if answer.text.casefold() == given.strip().casefold():
                return answer
    choices = "; ".join(f"{i}: {a.text}" for i, a in enumerate(question.answers))
    raise WalkError(f"question {question.id}: no answer {given!r} (answers: {choices})")


def walk(tree: DecisionTree, answers: Sequence[int | str]) -> Step:
    """Replay ``answers`` (each an answer's position in its question or its text) from the
    first question; WalkError when one does not fit."""
    question = tree.first
    if question is None:
        raise WalkError("the decision tree has no questions")
    path: list[tuple[Question, Answer]] = []
    labels: list[str] = []
    for position, given in enumerate(answers):
        answer = _choose(question, given)
        path.append((question, answer))
        labels += [label for label in answer.labels if label not in labels]
        target = next_target(answer, set(labels))
        if target is None:
            raise WalkError(f"question {question.id}, answer {answer.text!r}: leads nowhere")
        if target[1]:
            conclusion = tree.conclusion(target[0])
            if conclusion is None:
                raise WalkError(f"question {question.id}: unknown conclusion {target[0]!r}")
            if position != len(answers) - 1:
                raise WalkError(f"conclusion {conclusion.id} reached after {position + 1} answers")
            return Step(tuple(path), tuple(labels), None, conclusion)
        found = tree.question(target[0])
        if found is None:
            raise WalkError(f"question {question.id}: unknown question {target[0]!r}")
        question = found
    return Step(tuple(path), tuple(labels), question, None)


@dataclass(frozen=True)
class Path_:
    """One complete path: the answer positions, the labels, and where it ends."""

    answers: tuple[int, ...]
    labels: tuple[str, ...]
    conclusion: str | None  # None: a dead end or a cycle
    problem: str | None = None
    line: int = 0  # of the path's last answer


def paths(tree: DecisionTree, limit: int = 100_000) -> Iterator[Path_]:
    """Every path through the tree from the first question (depth first, answers in order),
    at most ``limit``; a path that loops or leads nowhere ends with a ``problem``."""
    first = tree.first
    if first is None:
        return
    count = 0
    stack: list[tuple[Question, tuple[int, ...], tuple[str, ...], frozenset[str]]] = [
        (first, (), (), frozenset({first.id}))
    ]
    while stack and count < limit:
        question, answers, labels, seen = stack.pop()
        for index in reversed(range(len(question.answers))):
            answer = question.answers[index]
            got = labels + tuple(x for x in answer.labels if x not in labels)
            here = (*answers, index)
            try:
                target = next_target(answer, set(got))
            except ExpressionError as error:
                count += 1
                yield Path_(here, got, None, str(error), answer.line)
                continue
            if target is None:
                count += 1
                problem = f"question {question.id}: no redirect holds"
                yield Path_(here, got, None, problem, answer.line)
            elif target[1]:
                count += 1
                yield Path_(here, got, target[0])
            elif target[0] in seen:
                count += 1
                yield Path_(
                    here, got, None, f"question {question.id}: loops to {target[0]}", answer.line
                )
            else:
                following = tree.question(target[0])
                if following is None:
                    count += 1
                    yield Path_(here, got, None, f"unknown question {target[0]!r}", answer.line)
                else:
                    stack.append((following, here, got, seen | {target[0]}))


# -- checks ---------------------------------------------------------------------------------


def check(tree: DecisionTree, path_limit: int = 100_000) -> list[Problem]:
    """Every defect of a tree: unknown or duplicate ids, conditions that do not parse or name
    unknown labels, labels that map to no AI-Act value, unreachable questions, cycles, paths
    that end nowhere or come back to a question. Each problem names file and line.

    A loop in the questions' graph is no defect by itself: the real tree goes from 2.9 to 2.11
    and back, and its conditions (``!("open-source" in labels)``) make every walk leave it.
    What counts is a walk that comes back to a question, found by following every path."""
    problems: list[Problem] = []
    where = f"{tree.folder.name}/{TREE_FILE}"

    def report(line: int, field: str, value: str, message: str) -> None:
        problems.append(
            Problem(Severity.ERROR, "decision-aid", f"{where}:{line}", message, field, value)
        )

    for kind, ids in (
        ("questionId", [(q.id, q.line) for q in tree.questions]),
        ("conclusionId", [(c.id, c.line) for c in tree.conclusions]),
    ):
        seen: dict[str, int] = {}
        for identifier, line in ids:
            if identifier in seen:
                report(line, kind, identifier, f"dubbel id (ook regel {seen[identifier]}) / "
                       f"duplicate id (also line {seen[identifier]})")  # fmt: skip
            seen.setdefault(identifier, line)
    question_ids = {q.id for q in tree.questions}
    conclusion_ids = {c.id for c in tree.conclusions}
    given = {label for q in tree.questions for a in q.answers for label in a.labels}
    for label in sorted(given):
        if label_value(label) is None:
            line = next(a.line for q in tree.questions for a in q.answers if label in a.labels)
            report(line, "labels", label, "label zonder AI-verordeningswaarde / label maps to "
                   "no AI-Act value (beslishulp-labels.yaml, registry-labels.yaml)")  # fmt: skip
    edges: dict[str, set[str]] = {q.id: set() for q in tree.questions}
    for question in tree.questions:
        if not question.answers:
            report(question.line, "answers", question.id, "vraag zonder antwoorden / "
                   "question without answers")  # fmt: skip
        for answer in question.answers:
            targets = [(t, c, answer.line) for t, c in (
                (answer.next_question, False), (answer.next_conclusion, True)) if t]  # fmt: skip
            for redirect in answer.redirects:
                targets.append((redirect.target, redirect.to_conclusion, redirect.line))
                try:
                    named = condition_labels(parse_condition(redirect.condition))
                except ExpressionError as error:
                    report(redirect.line, "if", redirect.condition, f"voorwaarde onleesbaar / "
                           f"condition does not parse: {error}")  # fmt: skip
                    continue
                for label in sorted(named - given):
                    report(redirect.line, "if", label, "voorwaarde noemt een label dat geen "
                           "antwoord geeft / condition names a label no answer gives")  # fmt: skip
            if not targets:
                report(answer.line, "answer", answer.text, "antwoord leidt nergens heen / "
                       "answer leads nowhere")  # fmt: skip
            for target, to_conclusion, line in targets:
                known = conclusion_ids if to_conclusion else question_ids
                key = "nextConclusionId" if to_conclusion else "nextQuestionId"
                if target not in known:
                    report(line, key, target, "onbekend doel / unknown target")
                elif not to_conclusion:
                    edges[question.id].add(target)
    first = tree.first
    if first is not None:
        reachable, todo = {first.id}, [first.id]
        while todo:
            for following in edges.get(todo.pop(), set()) - reachable:
                reachable.add(following)
                todo.append(following)
        for question in tree.questions:
            if question.id not in reachable:
                report(question.line, "questionId", question.id, "vraag onbereikbaar / "
                       "question cannot be reached")  # fmt: skip
    dead = {}
    for found in paths(tree, path_limit):
        if found.problem and found.problem not in dead:
            dead[found.problem] = found
    for problem, found in dead.items():
        report(found.line, "answers", ",".join(map(str, found.answers)), f"pad eindigt niet in "
               f"een conclusie / path does not end in a conclusion: {problem}")  # fmt: skip
    return problems
