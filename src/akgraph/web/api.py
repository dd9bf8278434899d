"""A JSON API with task-registry's routes and fields, answered from the graph.

Same routes as MinBZK/task-registry (``task_registry/api/main.py`` and ``routes/*.py``):
``/measures/``, ``/requirements/``, ``/instruments/`` (an index of entries), ``/{type}/urn/{urn}``
(one record) and ``/urns/{urn}`` or ``/urns/?urn=`` (one record of any type), so AMT only
changes its base URL. Beyond the registry: an unknown URN is a 404 with a JSON body (the
registry answers 400), ``?version=`` selects a release held in the store (``latest``: the newest),
``?content=true`` puts every record in the index (bulk listing), and ``/api/applicable`` answers
which requirements and measures apply to an AI-Act profile (JSON or ``format=csv``). The
OpenAPI 3.1 description is ``/openapi.json``.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, request
from werkzeug.datastructures import MultiDict

from akgraph import applicability, decision_aid, registry_labels
from akgraph.web import state, urls
from akgraph.web.registry import KINDS, Item, Registry, history_entry
from akgraph.web.registry import versions as registry_versions

bp = Blueprint("api", __name__)

OPENAPI = Path(__file__).resolve().parent / "openapi.json"
_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .:_-]{0,200}$")
CSV_COLUMNS = ("urn", "title", "type", "lifecycle", "url")


def registry() -> Registry:
    """The registry view of the release ``?version=`` names (default: the newest), made on
    first use and cached for the app's life."""
    version = request.args.get("version", "latest")
    tag = None if version == "latest" or version == _newest() else version
    return state.current().registry(tag)


def _newest() -> str | None:
    releases = state.data().releases
    return releases[-1]["tag"] if releases else None


def _json_text(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, indent=None, separators=(",", ":"))


def json_response(body: Any, status: int = 200) -> Response:
    return Response(_json_text(body), status=status, mimetype="application/json")


def error_response(status: int, detail: str, **extra: Any) -> Response:
    """An error in the registry's (FastAPI's) shape: ``{"detail": ...}`` plus hints."""
    return json_response({"detail": detail, **extra}, status)


@bp.before_request
def _check_version() -> Response | None:
    """``?version=`` may name a release held in the store (its tag) or ``latest``; else 404."""
    version = request.args.get("version")
    if version is None or request.endpoint in ("api.openapi",):
        return None
    known = registry_versions(state.data())
    if version not in known:
        return error_response(404, f"unknown version: {version}", versions=known)
    return None


# -- task-registry routes -------------------------------------------------------------------


def _truthy(name: str) -> bool:
    return request.args.get(name, "").lower() in ("1", "true", "yes", "ja")


def _version_params() -> dict[str, str]:
    """``?version=`` as given, so links stay in the release that was asked for."""
    version = request.args.get("version")
    return {"version": version} if version else {}


def _index(kind: str) -> Response:
    """The registry's index of one collection; ``?content=true`` adds every record. The body is
    serialized once per (collection, content, version, host) and kept with the release view."""
    content = _truthy("content")
    view = registry()
    key = (kind, content, request.args.get("version"), request.host_url)
    return _body(view, key, lambda: _index_body(view, kind, content))


def _body(view: Registry, key: tuple[Any, ...], make: Callable[[], Any]) -> Response:
    """The JSON of ``make()``, serialized once per ``key`` and kept with the release view."""
    with view.lock:
        body = view.bodies.get(key)
    if body is None:
        body = _json_text(make()).encode()
        with view.lock:
            view.bodies[key] = body
    return Response(body, mimetype="application/json")


def _index_body(view: Registry, kind: str, content: bool) -> dict[str, Any]:
    params = _version_params()
    entries = []
    for item in view.items[kind].values():
        record = view.record(item)
        path = item.first("https://w3id.org/algoritmekader/def#sourcePath")
        link = urls.api_item(kind, item.urn, external=True, **params)
        entry: dict[str, Any] = {
            "type": "file",
            "size": len(json.dumps(record, ensure_ascii=False).encode()),
            "name": path.rsplit("/", 1)[-1] if path else item.urn,
            "path": path,
            "urn": item.urn,
            "download_url": link,
            "links": {"self": link},
        }
        if content:
            entry["content"] = record
        entries.append(entry)
    if kind == "instruments":  # the instrument registry's, under their registry URNs
        for found in view.registry_instruments.values():
            link = urls.api_item(kind, found.urn, external=True, **params)
            entry = {
                "type": "file",
                "size": len(json.dumps(found.record, ensure_ascii=False).encode()),
                "name": found.path.rsplit("/", 1)[-1],
                "path": found.path,
                "urn": found.urn,
                "download_url": link,
                "links": {"self": link},
            }
            if content:
                entry["content"] = found.record
            entries.append(entry)
    own = urls.api_index(kind, external=True, **params)
    return {
        "type": "dir",
        "size": 0,
        "name": kind,
        "path": kind,
        "download_url": own,
        "links": {"self": own},
        "entries": entries,
    }


def _one(kind: str | None, urn: str) -> Response:
    urn = urn.strip()
    view = registry()
    item = view.find(urn, kind)
    found = view.registry_instruments.get(urn) if kind in (None, "instruments") else None
    if found is not None:
        return _body(view, ("record", urn), lambda: found.record)
    if item is None:
        other = registry().find(urn) if kind else None
        hint: dict[str, Any] = {"type": other.kind} if other else {}
        candidates = [u for k in ([kind] if kind else KINDS) for u in registry().items[k]]
        if kind in (None, "instruments"):
            candidates += list(registry().registry_instruments)
        closest = difflib.get_close_matches(urn, candidates, n=5, cutoff=0.6)
        succession = state.data().succession
        steps = succession.by_urn.get(urn, [])
        if steps:  # a URN of another release: where its last item went
            now = succession.now(urn, steps[-1].tag)
            hint |= {
                "moved_to": now or "gone",
                "history": [history_entry(succession, s) for s in steps],
            }
        return error_response(404, f"unknown urn: {urn}", closest=closest, **hint)
    return _body(view, ("record", urn), lambda: view.record(item))


@bp.route("/measures/")
def measures() -> Response:
    return _index("measures")


@bp.route("/requirements/")
def requirements() -> Response:
    return _index("requirements")


@bp.route("/instruments/")
def instruments() -> Response:
    return _index("instruments")


@bp.route("/<any(measures, requirements, instruments):kind>/urn/<path:urn>")
def item(kind: str, urn: str) -> Response:
    return _one(kind, urn)


@bp.route("/urns/<path:urn>")
def by_urn(urn: str) -> Response:
    return _one(None, urn)


@bp.route("/urns/")
def by_urn_parameter() -> Response:
    urn = request.args.get("urn")
    if not urn:
        return error_response(400, "give ?urn=")
    return _one(None, urn)


#: The most URNs one bulk request may ask about.
BULK_LIMIT = 1000


@bp.route("/urns/", methods=["POST"])
def resolve() -> Response:
    """Bulk: for URNs each with the release it came from (``{"release": TAG, "urns": [...]}``,
    an entry may be ``{"urn": ..., "release": ...}`` of its own), what it named then and the
    URN of that item in the newest release, or ``"gone"``."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("urns"), list):
        return error_response(400, 'give JSON {"release": TAG, "urns": [URN, ...]}')
    if len(body["urns"]) > BULK_LIMIT:
        return error_response(400, f"at most {BULK_LIMIT} URNs per request")
    data = state.data()
    tags = [r["tag"] for r in data.releases]
    default = body.get("release", "latest")
    succession = data.succession
    results = []
    for entry in body["urns"]:
        urn, tag = (
            (entry.get("urn"), entry.get("release", default))
            if isinstance(entry, dict)
            else (entry, default)
        )
        tag = tags[-1] if tag == "latest" and tags else tag
        if not isinstance(urn, str) or not isinstance(tag, str) or tag not in tags:
            detail = "unknown release" if isinstance(urn, str) else "a URN must be a string"
            return error_response(400, f"{detail}: {entry!r}"[:300], versions=["latest", *tags])
        urn = urn.strip()
        step = succession.of(urn, tag)
        now = succession.now(urn, tag) if step else None
        if step is None and not succession.steps and tag == tags[-1]:  # one release, no history
            known = registry().find(urn) is not None
            step_title, now = None, urn if known else None
        else:
            known, step_title = step is not None, step.title if step else None
        results.append(
            {
                "urn": urn,
                "release": tag,
                "known": known,
                "title": step_title,
                "current": now if now else ("gone" if known else None),
                "moved": bool(now and now != urn),
                "reassigned": succession.reassigned(urn),
            }
        )
    return json_response({"latest": tags[-1] if tags else None, "results": results})


# -- applicability --------------------------------------------------------------------------


class ProfileError(ValueError):
    """A profile parameter that cannot be read: ``detail`` and the hints of the 400 answer."""

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail, self.extra = detail, extra


def parse_profile(args: MultiDict[str, str]) -> dict[str, frozenset[str]]:
    """The AI-Act profile in query parameters ``args``: repeated or comma-separated values,
    each a frontmatter value, its URN or the registry's/AMT's label (any case), or the
    decision aid's ``labels=``/``answers=``; :class:`ProfileError` naming the accepted values
    for anything else. ``/api/applicable`` and the page ``/wat-geldt-voor-ons`` read it so."""
    known = registry_labels.dimensions()
    unknown = sorted(set(args) - set(known) - {"format", "version", "labels", "answers", "lang"})
    if unknown:
        raise ProfileError(f"unknown parameter(s): {', '.join(unknown)}", parameters=list(known))
    given: dict[str, list[str]] = {}
    for name, dimension in known.items():
        for raw in args.getlist(name):
            for text in (v.strip() for v in raw.split(",")):
                if not text:
                    continue
                value = dimension.parse(text)
                if value is None:
                    shown = text if _VALUE.match(text) else repr(text[:80])
                    raise ProfileError(
                        f"{name}: unknown value {shown}",
                        parameter=name,
                        accepted=dimension.accepted(),
                    )
                given.setdefault(name, []).append(value)
    # the decision aid's own output: its label strings, whatever their dimension, or its
    # answers (their texts, comma-separated), replayed through the tree being served
    labels = args.getlist("labels")
    if "answers" in args:
        tree = state.current().decision_tree
        if tree is None:
            raise ProfileError("answers: no decision aid is loaded", parameter="answers")
        texts = [a.strip() for raw in args.getlist("answers") for a in raw.split(",")]
        try:
            labels.append(",".join(decision_aid.walk(tree, texts).labels))
        except decision_aid.WalkError as error:
            raise ProfileError(f"answers: {error}", parameter="answers") from None
    for raw in labels:
        for text in (v.strip() for v in raw.split(",")):
            if text and decision_aid.label_value(text) is None:
                shown = text if _VALUE.match(text) else repr(text[:80])
                raise ProfileError(f"labels: unknown label {shown}", parameter="labels")
        for name, values in decision_aid.profile_values(raw.split(",")).items():
            given.setdefault(name, []).extend(values)
    return applicability.profile(given)


def _profile() -> dict[str, frozenset[str]] | Response:
    """:func:`parse_profile` of the request, or its 400 answer."""
    try:
        return parse_profile(request.args)
    except ProfileError as error:
        return error_response(400, error.detail, **error.extra)


def summary(item: Item, kind: str) -> dict[str, Any]:
    return {
        "urn": item.urn,
        "name": item.title,
        "type": kind,
        "lifecycle": item.lifecycle,
        "url": item.first("http://xmlns.com/foaf/0.1/page"),
        "links": {"self": urls.api_item(kind, item.urn, external=True, **_version_params())},
    }


def _cell(text: str) -> str:
    """A spreadsheet cell that is never read as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.route("/api/applicable")
def applicable() -> Response:
    """The requirements that apply to a profile, and the measures that go with them."""
    profile = _profile()
    if isinstance(profile, Response):
        return profile
    view = registry()
    found = view.assess(profile)
    chosen = [view.items["requirements"][r.urn] for r in found.applicable]
    measures = sorted((view.items["measures"][m] for m in found.measures), key=lambda i: i.urn)
    decisions = {
        r.urn: applicability.decide(view.applicability_input[r.urn], profile).reason for r in chosen
    }
    fmt = request.args.get("format", "json").lower()
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")  # UTF-8 byte order mark: spreadsheets then read the accents right
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for kind, items in (("vereiste", chosen), ("maatregel", measures)):
            for entry in items:
                url = entry.first("http://xmlns.com/foaf/0.1/page")
                row = (entry.urn, entry.title, kind, "; ".join(entry.lifecycle), url)
                writer.writerow([_cell(v) for v in row])
        response = Response(out.getvalue(), mimetype="text/csv")
        response.headers["Content-Disposition"] = 'attachment; filename="van-toepassing.csv"'
        return response
    if fmt != "json":
        return error_response(400, f"unknown format: {fmt}", formats=["json", "csv"])
    return json_response(
        {
            "profile": {k: sorted(v) for k, v in profile.items()},
            "release": view.release,
            "requirements": [
                {**summary(r, "requirements"), "reason": decisions[r.urn]} for r in chosen
            ],
            "measures": [summary(m, "measures") for m in measures],
            "excluded": [
                {
                    **summary(view.items["requirements"][d.urn], "requirements"),
                    "reason": d.reason,
                    "exception": d.expression,
                    "because": [{"dimension": k, "value": v} for k, v in d.because],
                }
                for d in found.excluded
            ],
        }
    )


# -- description ------------------------------------------------------------------------------


@cache
def _openapi() -> dict[str, Any]:
    return json.loads(OPENAPI.read_text(encoding="utf-8"))


@bp.route("/openapi.json")
def openapi() -> Response:
    return json_response(_openapi())
