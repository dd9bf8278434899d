"""Read the AI-Act decision aid ("Beslishulp AI-verordening") from its folder: the YAML files
``decision-tree.yaml``, ``categories.yaml`` and ``definitions.yaml`` of
MinBZK/ai-verordening-beslishulp. Plain Python objects, each with the line it was read from;
nothing here knows RDF.

A file or entry that cannot be read is reported as a :class:`~akgraph.problems.Problem` whose
path is ``<file>:<line>``, and the rest is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from akgraph.problems import Problem, Severity
from akgraph.source import yamllines
from akgraph.source.reader import FrontmatterError

TREE_FILE = "decision-tree.yaml"
CATEGORIES_FILE = "categories.yaml"
DEFINITIONS_FILE = "definitions.yaml"
#: the largest file read (the real tree is about 200 KB)
MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Source:
    """A source cited by a question or conclusion: its text and address."""

    title: str
    url: str | None


@dataclass(frozen=True)
class Redirect:
    """A conditional next step: go to ``target`` when ``condition`` holds."""

    condition: str
    target: str
    to_conclusion: bool
    line: int


@dataclass(frozen=True)
class Answer:
    """One answer to a question: the labels it adds and where it leads (a question, a
    conclusion, or the first redirect whose condition holds)."""

    text: str
    labels: tuple[str, ...]
    next_question: str | None
    next_conclusion: str | None
    redirects: tuple[Redirect, ...]
    subresult: str | None
    line: int


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    explanation: str
    category: str | None
    subcategory: str | None
    sources: tuple[Source, ...]
    answers: tuple[Answer, ...]
    line: int


@dataclass(frozen=True)
class Conclusion:
    id: str
    text: str
    obligation: str
    sources: tuple[Source, ...]
    line: int


@dataclass(frozen=True)
class Category:
    """The category and subcategory ``categories.yaml`` gives a question id (or id prefix)."""

    question: str
    category: str
    subcategory: str | None
    line: int


@dataclass(frozen=True)
class Definition:
    term: str
    definition: str
    line: int


@dataclass
class DecisionTree:
    """Everything read from one decision-aid folder."""

    folder: Path
    name: str = ""
    version: str = ""
    questions: list[Question] = field(default_factory=list)
    conclusions: list[Conclusion] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def first(self) -> Question | None:
        """The question the walk starts with (the first in the file)."""
        return self.questions[0] if self.questions else None

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def conclusion(self, conclusion_id: str) -> Conclusion | None:
        return next((c for c in self.conclusions if c.id == conclusion_id), None)




def find(checkout: str | Path) -> Path | None:
    """The decision-aid folder beside a checkout (``<checkout>/beslishulp``), if there is one."""
    folder = Path(checkout) / "beslishulp"
    return folder if (folder / TREE_FILE).is_file() else None


def read(folder: str | Path) -> DecisionTree:
    """Read a decision-aid folder; what cannot be read is reported in ``problems``."""
    tree = DecisionTree(Path(folder))
    data = _load(tree, TREE_FILE)
    if isinstance(data, dict):
        tree.name = _text(data.get("name"))
        tree.version = _text(data.get("version"))
        for entry in _entries(tree, TREE_FILE, data, "questions"):
            question = _question(tree, entry)
            if question:
                tree.questions.append(question)
        for entry in _entries(tree, TREE_FILE, data, "conclusions"):
            conclusion = _conclusion(tree, entry)
            if conclusion:
                tree.conclusions.append(conclusion)
    categories = _load(tree, CATEGORIES_FILE, required=False)
    for entry in categories if isinstance(categories, list) else []:
        if isinstance(entry, dict) and entry.get("questionId") and entry.get("category"):
            tree.categories.append(
                Category(
                    _text(entry["questionId"]),
                    _text(entry["category"]),
                    _text(entry.get("subcategory")) or None,
                    entry["__line__"],
                )
            )
    definitions = _load(tree, DEFINITIONS_FILE, required=False)
    if isinstance(definitions, dict):
        for entry in _entries(tree, DEFINITIONS_FILE, definitions, "definitions"):
            if entry.get("term") and entry.get("definition"):
                tree.definitions.append(
                    Definition(
                        _text(entry["term"]), _text(entry["definition"]), entry["__line__"]
                    )
                )
            else:
                message = "definitie zonder term of tekst / definition without term or text"
                _problem(tree, DEFINITIONS_FILE, entry["__line__"], "term", None, message)
    return tree


def _load(tree: DecisionTree, name: str, required: bool = True) -> Any:
    path = tree.folder / name
    if not path.is_file():
        if required:
            _problem(tree, name, 0, None, None, "bestand ontbreekt / file is missing")
        return None
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ValueError(f"larger than {MAX_BYTES} bytes")
        return yamllines.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError, FrontmatterError) as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        _problem(tree, name, line, None, None, f"onleesbaar / cannot be read: {error}")
        return None


def _entries(tree: DecisionTree, name: str, data: dict, key: str) -> list[dict]:
    found = data.get(key)
    if not isinstance(found, list):
        _problem(tree, name, data["__line__"], key, None, "geen lijst / not a list")
        return []
    entries = []
    for entry in found:
        if isinstance(entry, dict):
            entries.append(entry)
        else:
            _problem(tree, name, data["__line__"], key, repr(entry), "geen object / not a mapping")
    return entries


def _question(tree: DecisionTree, entry: dict) -> Question | None:
    line = entry["__line__"]
    if not entry.get("questionId") or not entry.get("question"):
        _problem(tree, TREE_FILE, line, "questionId", _text(entry.get("questionId")),
                 "vraag zonder id of tekst / question without id or text")  # fmt: skip
        return None
    answers = []
    for answer in entry.get("answers") or []:
        if not isinstance(answer, dict) or not answer.get("answer"):
            _problem(tree, TREE_FILE, line, "answers", repr(answer),
                     "antwoord zonder tekst / answer without text")  # fmt: skip
            continue
        redirects = []
        for redirect in answer.get("redirects") or []:
            target = (redirect or {}).get("nextQuestionId") or (redirect or {}).get(
                "nextConclusionId"
            )
            if not isinstance(redirect, dict) or "if" not in redirect or not target:
                _problem(tree, TREE_FILE, answer["__line__"], "redirects", repr(redirect),
                         "redirect zonder voorwaarde of doel / redirect without condition or "
                         "target")  # fmt: skip
                continue
            redirects.append(
                Redirect(
                    _text(redirect["if"]),
                    _text(target),
                    not redirect.get("nextQuestionId"),
                    redirect["__line__"],
                )
            )
        labels = answer.get("labels") or []
        answers.append(
            Answer(
                _text(answer["answer"]),
                tuple(_text(label) for label in (labels if isinstance(labels, list) else [labels])),
                _text(answer.get("nextQuestionId")) or None,
                _text(answer.get("nextConclusionId")) or None,
                tuple(redirects),
                _text(answer.get("subresult")) or None,
                answer["__line__"],
            )
        )
    return Question(
        _text(entry["questionId"]),
        _text(entry["question"]),
        _text(entry.get("explanation")),
        _text(entry.get("category")) or None,
        _text(entry.get("subcategory")) or None,
        _sources(entry.get("sources")),
        tuple(answers),
        line,
    )


def _conclusion(tree: DecisionTree, entry: dict) -> Conclusion | None:
    if not entry.get("conclusionId") or not entry.get("conclusion"):
        _problem(tree, TREE_FILE, entry["__line__"], "conclusionId",
                 _text(entry.get("conclusionId")),
                 "conclusie zonder id of tekst / conclusion without id or text")  # fmt: skip
        return None
    return Conclusion(
        _text(entry["conclusionId"]),
        _text(entry["conclusion"]),
        _text(entry.get("obligation")),
        _sources(entry.get("sources")),
        entry["__line__"],
    )


def _sources(value: Any) -> tuple[Source, ...]:
    return tuple(
        Source(_text(s.get("source")), _text(s.get("url")) or None)
        for s in (value if isinstance(value, list) else [])
        if isinstance(s, dict) and s.get("source")
    )


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _problem(
    tree: DecisionTree, name: str, line: int, key: str | None, value: str | None, message: str
) -> None:
    path = f"{tree.folder.name}/{name}" + (f":{line}" if line else "")
    tree.problems.append(Problem(Severity.ERROR, "decision-aid", path, message, key, value))
