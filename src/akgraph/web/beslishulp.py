"""The AI-Act decision aid, walked without JavaScript: ``/beslishulp`` shows one question at a
time with the answers so far in the URL (``?pad=0.2.1``: each answer's position, from 0), so a
path can be shared and bookmarked; the conclusion page carries the labels through to the
requirements that apply (the engine of ``/api/applicable``) and their measures per phase.
``/api/beslishulp`` answers the same as JSON.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request

from akgraph import applicability, decision_aid, iris, resources
from akgraph.source import beslishulp
from akgraph.source.beslishulp import DecisionTree
from akgraph.web import state, urls
from akgraph.web.api import error_response, json_response, registry, summary
from akgraph.web.applicability_page import Outcome, outcome
from akgraph.web.registry import PHASES
from akgraph.web.render import to_html

bp = Blueprint("beslishulp", __name__)


def find_tree(config: dict[str, Any], built: Any = None) -> DecisionTree | None:
    """The decision aid the app serves: the one read with ``built``, else the folder
    ``BESLISHULP`` names, else ``<SOURCE>/beslishulp`` (the bundled sample by default)."""
    if built is not None and getattr(built, "decision_tree", None) is not None:
        return built.decision_tree
    folder = config.get("BESLISHULP")
    if folder:
        return beslishulp.read(folder)
    source = config.get("SOURCE")
    if source is None:
        source = resources.data_dir("content")
    if isinstance(source, str | Path) and Path(source).is_dir():
        found = beslishulp.find(source)
        return beslishulp.read(found) if found else None
    return None


@bp.app_context_processor
def decision_aid_loaded() -> dict[str, bool]:
    """Whether pages may link to the decision aid (it is served only when one is loaded)."""
    return {"decision_aid_loaded": state.current().decision_tree is not None}


def _tree() -> DecisionTree:
    tree = state.current().decision_tree
    if tree is None:
        abort(404, "no decision aid is loaded (akgraph serve --beslishulp DIR)")
    return tree


def _path() -> list[int]:
    text = request.args.get("pad", "").strip(".")
    try:
        return [int(part) for part in text.split(".")] if text else []
    except ValueError:
        abort(400, f"pad: expected answer positions separated by dots, not {text[:40]!r}")


def _walk(tree: DecisionTree, path: list[int]) -> decision_aid.Step:
    try:
        return decision_aid.walk(tree, path)
    except decision_aid.WalkError as error:
        abort(400, str(error))


def _outcome(step: decision_aid.Step) -> Outcome:
    """What applies to the labels of a finished walk: the profile, the requirements (with the
    measures per phase), the ones an exception removed (as on ``/wat-geldt-voor-ons``)."""
    return outcome(registry(), applicability.profile(decision_aid.profile_values(step.labels)))


def _terms(tree: DecisionTree, text: str, limit: int = 8) -> list[beslishulp.Definition]:
    """The definitions whose term the text uses (whole words; any case, but an acronym such
    as ``DAT`` only in capitals), longest terms first."""
    found: list[beslishulp.Definition] = []
    for definition in sorted(tree.definitions, key=lambda d: -len(d.term)):
        pattern = rf"(?<!\w){re.escape(definition.term)}(?!\w)"
        flags = 0 if definition.term.isupper() else re.IGNORECASE
        if re.search(pattern, text, flags) and all(
            definition.term.casefold() not in d.term.casefold() for d in found
        ):
            found.append(definition)
    return found[:limit]


def _labels(step: decision_aid.Step) -> list[tuple[str, str | None]]:
    found = []
    for label in step.labels:
        value = decision_aid.label_value(label)
        found.append((label, str(iris.concept(*value)) if value else None))
    return found


@bp.route("/beslishulp")
def page() -> Any:
    """One question of the walk, or the conclusion with what applies."""
    tree = _tree()
    path = _path()
    if "antwoord" in request.args:
        try:
            chosen = int(request.args["antwoord"])
        except ValueError:
            abort(400, "antwoord: expected an answer's position")
        _walk(tree, [*path, chosen])
        return redirect(urls.decision_aid(path=[*path, chosen]), code=303)
    step = _walk(tree, path)
    context: dict[str, Any] = {
        "tree": tree,
        "step": step,
        "path": path,
        "back": urls.decision_aid(path=path[:-1]) if path else None,
        "labels": _labels(step),
        "html": to_html,
        "iris": iris,
        "answered": len(path),
    }
    if step.question is not None:
        context["terms"] = _terms(tree, f"{step.question.text} {step.question.explanation}")
    if step.conclusion is not None:
        context["outcome"] = _outcome(step)
        context["phases"] = PHASES
    return render_template("beslishulp.html", **context)


@bp.route("/api/beslishulp")
def walk() -> Response:
    """The walk as JSON: ``?pad=0.2.1`` or ``?answers=Ja,Nee`` (the answers' texts, as the
    decision aid stores them) -> the next question, or the conclusion with what applies."""
    tree = _tree()
    given: list[int | str]
    if "answers" in request.args:
        texts = request.args.getlist("answers")
        given = [a.strip() for a in texts[0].split(",")] if len(texts) == 1 else list(texts)
    else:
        given = list(_path())
    try:
        step = decision_aid.walk(tree, given)
    except decision_aid.WalkError as error:
        return error_response(400, str(error))
    body: dict[str, Any] = {
        "answers": [{"question": q.id, "answer": a.text} for q, a in step.path],
        "path": ".".join(str(q.answers.index(a)) for q, a in step.path),
        "labels": list(step.labels),
        "profile": decision_aid.profile_values(step.labels),
    }
    if step.question is not None:
        body["question"] = {
            "id": step.question.id,
            "iri": str(iris.decision_aid("vraag", step.question.id)),
            "question": step.question.text,
            "answers": [
                {"position": i, "answer": a.text} for i, a in enumerate(step.question.answers)
            ],
        }
        return json_response(body)
    assert step.conclusion is not None
    outcome = _outcome(step)
    body["conclusion"] = {
        "id": step.conclusion.id,
        "iri": str(iris.decision_aid("conclusie", step.conclusion.id)),
        "conclusion": step.conclusion.text,
        "obligation": step.conclusion.obligation,
    }
    body["requirements"] = [summary(a.item, "requirements") for a in outcome.requirements]
    body["excluded"] = [
        {**summary(item, "requirements"), "reason": decision.reason}
        for item, decision in outcome.excluded
    ]
    return json_response(body)
