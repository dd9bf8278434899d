""""Wat geldt voor ons?": the requirements that apply to an AI-Act profile, as a page that
needs no JavaScript (a GET form, so every answer has its own address) and as files.

The profile is read by the parser of ``/api/applicable`` (:func:`akgraph.web.api.parse_profile`:
framework values, their URNs, the registry's and AMT's labels, the decision aid's labels) and
judged by the same engine (:meth:`akgraph.web.registry.Registry.assess`: AMT's rule, then the
exceptions). Each excluded requirement is shown with the expression that held and the profile
values that made it hold; each applicable one with its measures per lifecycle phase (in the
framework's phase order) and the instruments that name it. ``/wat-geldt-voor-ons.json``,
``.csv``, ``.xlsx`` and ``.ods`` answer the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, render_template, request

from akgraph import applicability, fields, iris, registry_labels
from akgraph.web import exports, state, urls
from akgraph.web.api import ProfileError, _version_params, parse_profile, registry, summary
from akgraph.web.registry import PHASES, Item, Registry
from akgraph.web.registry import versions as registry_versions

bp = Blueprint("applicability", __name__)


@dataclass(frozen=True)
class Applies:
    """An applicable requirement with why, its measures per phase and its instruments."""

    item: Item
    reason: str
    phases: list[tuple[str, list[Item]]]  #: (phase slug, "" for none; its measures)
    instruments: list[Item]

    @property
    def measures(self) -> list[Item]:
        """Each measure once, in the order of the phases."""
        return list({m.urn: m for _, ms in self.phases for m in ms}.values())


@dataclass(frozen=True)
class Outcome:
    """What applies to one profile (the page, its files and the decision aid show this)."""

    profile: applicability.Profile
    requirements: list[Applies]
    excluded: list[tuple[Item, applicability.Decision]]
    measures: list[Item]  #: the measures of the applicable requirements, by URN

    @property
    def params(self) -> dict[str, str]:
        """The profile as query parameters (``rol-ai-act=aanbieder,importeur``)."""
        return {k: ",".join(sorted(v)) for k, v in self.profile.items()}

    @property
    def values(self) -> dict[str, list[str]]:
        """The profile as repeated query parameters, as the form sends it."""
        return {k: sorted(v) for k, v in self.profile.items()}


def outcome(view: Registry, profile: applicability.Profile) -> Outcome:
    """:meth:`Registry.assess` of ``profile`` with the items its answer names."""
    found = view.assess(profile)
    measures_of = view.items["measures"]
    applies = []
    for requirement in found.applicable:
        measures = [measures_of[m] for m in requirement.measures if m in measures_of]
        phases = [(p, [m for m in measures if p in m.lifecycle]) for p in PHASES]
        phases.append(("", [m for m in measures if not set(m.lifecycle) & set(PHASES)]))
        applies.append(
            Applies(
                view.items["requirements"][requirement.urn],
                applicability.decide(requirement, profile).reason,
                [(p, sorted(ms, key=lambda m: m.title.lower())) for p, ms in phases if ms],
                [view.items["instruments"][u] for u in view.instruments_of(requirement.urn)],
            )
        )
    excluded = [(view.items["requirements"][d.urn], d) for d in found.excluded]
    chosen = sorted((measures_of[m] for m in found.measures if m in measures_of),
                    key=lambda i: i.urn)  # fmt: skip
    return Outcome(profile, applies, excluded, chosen)


def _check_version() -> None:
    version = request.args.get("version")
    known = registry_versions(state.data())
    if version is not None and version not in known:
        abort(404, f"unknown version {version!r}; known: {', '.join(known)}")


def _read() -> Outcome:
    """The outcome for the profile in the query string (400 naming what is wrong)."""
    _check_version()
    try:
        profile = parse_profile(request.args)
    except ProfileError as error:
        accepted = error.extra.get("accepted") or error.extra.get("parameters")
        hint = f" Accepted: {', '.join(accepted)}." if accepted else ""
        abort(400, f"{error.detail}.{hint}")
    return outcome(registry(), profile)


def _dimensions(profile: applicability.Profile) -> list[dict[str, Any]]:
    """The form's fieldsets: every AI-Act dimension with its values, the chosen ones marked."""
    data = state.data()

    def label(dimension: registry_labels.Dimension, value: str) -> str:
        """The graph's label of the value; else the registry's; else the value."""
        iri = str(iris.concept(dimension.name, value))
        if data.concepts.get(iri, {}).get("labels"):
            return data.concept_label(iri)
        return dimension.label(value) or value

    return [
        {
            "name": name,
            "label": data.concept_label(str(iris.scheme(name))),
            "values": [
                (value, label(dimension, value), value in profile.get(name, ()))
                for value in dimension.values
            ],
        }
        for name, dimension in registry_labels.dimensions().items()
    ]


@bp.route("/wat-geldt-voor-ons")
def page() -> Response:
    """The form, and below it the answer for the profile chosen."""
    found = _read()
    body = render_template(
        "applicability.html",
        outcome=found,
        dimensions=_dimensions(found.profile),
        phases=PHASES,
        release=registry().release,
        versions=registry().versions,
        version=request.args.get("version"),
        query={k: request.args.getlist(k) for k in request.args if k != "format"},
    )
    return Response(body, mimetype="text/html")


@bp.route("/wat-geldt-voor-ons.<any(json, csv, xlsx, ods):fmt>")
def export(fmt: str) -> Response:
    """The same answer as JSON or as a spreadsheet."""
    found = _read()
    if fmt == "json":
        body = json.dumps(_as_json(found), ensure_ascii=False, separators=(",", ":"))
        return Response(body, mimetype="application/json")
    return exports.response(table(found), fmt, "wat-geldt-voor-ons")


def _as_json(found: Outcome) -> dict[str, Any]:
    def with_page(item: Item, kind: str) -> dict[str, Any]:
        return {**summary(item, kind), "page": urls.doc(item.urn, external=True)}

    return {
        "profile": {k: sorted(v) for k, v in found.profile.items()},
        "release": registry().release,
        "requirements": [
            {
                **with_page(a.item, "requirements"),
                "reason": a.reason,
                "measures": [
                    {"lifecycle": phase or None, "measures": [m.urn for m in ms]}
                    for phase, ms in a.phases
                ],
                "instruments": [i.urn for i in a.instruments],
            }
            for a in found.requirements
        ],
        "measures": [with_page(m, "measures") for m in found.measures],
        "excluded": [
            {
                **with_page(item, "requirements"),
                "reason": decision.reason,
                "exception": decision.expression,
                "because": [{"dimension": k, "value": v} for k, v in decision.because],
            }
            for item, decision in found.excluded
        ],
    }


#: The columns of the answer as a table (the item's title and phases named as in the lists).
COLUMNS = ["status", "soort", "urn", fields.column("title"), "vereiste",
           fields.column("levenscyclus"), "reden", "url"]  # fmt: skip


def table(found: Outcome) -> exports.Table:
    """The answer as one table: each applicable requirement, then its measures (one row per
    phase they are listed under) and instruments, each naming the requirement; then the
    excluded requirements with their exception and the profile values that made it hold."""
    label = state.data().concept_label

    def row(status: str, kind: str, item: Item, of: str, phase: str, reason: str) -> list:
        page = urls.doc(item.urn, external=True)
        return [status, kind, item.urn, exports.Link(item.title, page), of, phase, reason, page]

    rows = []
    for a in found.requirements:
        phases = exports.joined(
            [label(str(iris.concept("levenscyclus", p))) for p in a.item.lifecycle]
        )
        rows.append(row("van toepassing", "vereiste", a.item, "", phases, a.reason))
        for phase, measures in a.phases:
            shown = label(str(iris.concept("levenscyclus", phase))) if phase else ""
            rows += [row("van toepassing", "maatregel", m, a.item.urn, shown, "") for m in measures]
        rows += [row("van toepassing", "hulpmiddel", i, a.item.urn, "", "") for i in a.instruments]
    for item, decision in found.excluded:
        rows.append(row("uitgezonderd", "vereiste", item, "", "", decision.reason))
    filters = [
        (
            label(str(iris.scheme(name))),
            exports.joined([label(str(iris.concept(name, v))) for v in sorted(values)]),
        )
        for name, values in found.profile.items()
    ]
    source: dict[str, Any] = {**found.values, **_version_params()}
    return exports.Table(
        "Wat geldt voor ons",
        urls.applicability(None, True, **source),
        exports.release_name(registry().release),
        filters,
        COLUMNS,
        rows,
    )
