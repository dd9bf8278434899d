"""AMT switches to akgraph by changing one URL: AMT's own client, repository, services and
Pydantic models (../shared/clients/amt, unchanged) run in their own virtual environment with
AMT's pins against akgraph served over HTTP, on every real release. The expected answers are
AMT's: its models must parse every record, its ``is_requirement_applicable`` decides which
requirements apply to each profile its labels can express, and ``/api/applicable`` (exceptions
left out) must agree on every one; the task-registry's JSON schemas validate every record."""

from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
import urllib.parse
import urllib.request

import jsonschema
import pytest
import yaml

from akgraph import applicability, registry_labels
from akgraph.web import state
from akgraph.web.registry import Registry
from tests.clients import AMT, TASK_REGISTRY, amt_python, need, registry_schema
from tests.conftest import REPO
from tests.scan import scan

pytestmark = pytest.mark.corpus

DRIVER = REPO / "tests" / "amt_driver.py"
KINDS = ("requirements", "measures", "instruments")

# The values of AMT's profile fields: AMT's own enums (amt/schema/requirement.py), read here from
# the registry's schema, which lists the same labels; None = the field left empty.
PROFILE_FIELDS = (
    "type",
    "open_source",
    "risk_group",
    "systemic_risk",
    "transparency_obligations",
    "conformity_assessment_body",
)


def options() -> dict[str, list[str]]:
    """Per AiActProfile field, the labels AMT's form offers (from the registry's schema)."""
    profile = registry_schema("requirements")["properties"]["ai_act_profile"]["items"]
    return {
        field: profile["properties"][field]["items"]["enum"]
        for field in (*PROFILE_FIELDS, "role")
    }


def profiles() -> list[dict]:
    """The full cross product of AMT's options with zero or one role, plus 1000 random
    profiles with several roles (seeded)."""
    found = options()
    choices = [[None, *found[f]] for f in PROFILE_FIELDS]
    out = []
    for values in itertools.product(*choices, [None, *found["role"]]):
        fields = dict(zip((*PROFILE_FIELDS, "role"), values, strict=True))
        out.append({k: v for k, v in fields.items() if v is not None})
    rng = random.Random(12)
    for _ in range(1000):
        fields = {f: rng.choice([None, *found[f]]) for f in PROFILE_FIELDS}
        fields = {k: v for k, v in fields.items() if v is not None}
        fields["role"] = rng.sample(found["role"], rng.randint(2, len(found["role"])))
        out.append(fields)
    return out


def drive(base: str, mode: str, request: object = None) -> dict:
    """Run AMT's code (tests/amt_driver.py in AMT's venv) against ``base``."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "TASK_REGISTRY_URL": base,
        "AMT_CHECKOUT": str(AMT),
        "NO_PROXY": "*",
    }
    done = subprocess.run(
        [str(amt_python()), str(DRIVER), mode],
        input=json.dumps(request).encode(),
        capture_output=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    return json.loads(done.stdout)


def registry_instruments() -> dict[str, dict]:
    """The task-registry's instruments by URN, read straight from its YAML files."""
    folder = need(TASK_REGISTRY / "instruments")
    found = {}
    for path in sorted(folder.glob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[record["urn"]] = record
    return found


@pytest.fixture(scope="module")
def served(release_path):
    """akgraph on one real release with the task-registry's instruments, over HTTP; yields
    (base URL, app, tag)."""
    from akgraph.graph import build
    from akgraph.web import create_app
    from tests.live import live

    built = build(release_path, instrument_registry=need(TASK_REGISTRY / "instruments"))
    app = create_app({"SOURCE": built, "WORKERS": 1, "TIMEOUT": 10})
    try:
        with live(app) as url:
            yield url, app, built.checkout.release.tag
    finally:
        state.of(app).backend.close()


def test_amt_parses_every_record(served, release_path):
    """Every index entry and record parses with AMT's models: one per file of the release
    (files without an ``id`` get a URN from their name), every written id among them."""
    base, _, _ = served
    parsed = drive(base, "parse")
    files = scan(release_path)
    for kind, scanned in (
        ("requirements", "requirement"),
        ("measures", "measure"),
        ("instruments", "instrument"),
    ):
        assert "error" not in parsed[kind], (kind, parsed[kind])
        urns = parsed[kind]["parsed"]
        ids = {(i.fields.get("id") or [""])[0] for i in files[scanned]} - {""}
        assert ids <= set(urns), kind
        assert len(set(urns)) == len(urns)
        framework = [u for u in urns if not u.startswith("urn:nl:aivt:")]
        assert len(framework) == len(files[scanned]), kind
    # the registry's own instruments, every task of each (counted in its YAML)
    expected = {urn: len(r.get("tasks") or []) for urn, r in registry_instruments().items()}
    tasks = parsed["instruments"]["tasks"]
    assert {u: n for u, n in tasks.items() if u in expected} == expected
    assert len(expected) == 4 and sum(expected.values()) > 200


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def test_every_record_validates_against_the_registry_schemas(served):
    base, _, _ = served
    problems = []
    for kind in KINDS:
        validator = jsonschema.Draft7Validator(registry_schema(kind))
        for entry in _get(f"{base}/{kind}/?content=true")["entries"]:
            for error in validator.iter_errors(entry["content"]):
                path = list(error.absolute_path)
                if kind == "instruments" and path == ["urn"] and ":ak:hlp:" in entry["urn"]:
                    continue  # the framework's own instruments: docs/registry-differences.md
                problems.append(f"{entry['urn']} {path}: {error.message}")
    assert not problems, problems[:10]


@pytest.fixture(scope="module")
def amt_verdicts(served):
    """AMT's ``is_requirement_applicable`` on every enumerated profile (requirements fetched
    with AMT's client)."""
    base, _, _ = served
    asked = profiles()
    return asked, drive(base, "applicable", asked)


def _framework_profile(fields: dict) -> dict[str, frozenset[str]]:
    """AMT's profile as the engine's input (frontmatter values per dimension)."""
    by_key = {d.key: d for d in registry_labels.dimensions().values()}
    given: dict[str, list[str]] = {}
    for key, value in fields.items():
        if key in by_key:
            for label in value if isinstance(value, list) else [value]:
                parsed = by_key[key].parse(label)
                assert parsed, (key, label)
                given.setdefault(by_key[key].name, []).append(parsed)
    return applicability.profile(given)


def test_applicability_agrees_with_amt_on_every_profile(served, amt_verdicts):
    """The engine without exceptions equals AMT's rule on the full cross product."""
    _, app, _ = served
    asked, answer = amt_verdicts
    requirements = Registry(state.of(app).data).applicability_input
    assert set(answer["requirements"]) == set(requirements)
    order = [requirements[u] for u in answer["requirements"]]
    disagree = []
    for fields, verdict in zip(asked, answer["verdicts"], strict=True):
        ours = applicability.assess(order, _framework_profile(fields), exceptions=False)
        mine = {r.urn for r in ours.applicable}
        theirs = {answer["requirements"][i] for i in verdict}
        if mine != theirs:
            disagree.append((fields, sorted(mine ^ theirs)))
    assert len(asked) > 10000
    assert not disagree, (len(disagree), disagree[:3])


def test_api_applicable_agrees_with_amt_over_http(served, amt_verdicts):
    """``/api/applicable`` with AMT's labels as input: AMT's answer minus exactly the listed
    exclusions, each with its expression and the profile values that made it hold."""
    base, _, _ = served
    asked, answer = amt_verdicts
    by_key = {d.key: d.name for d in registry_labels.dimensions().values()}
    rng = random.Random(7)
    for index in rng.sample(range(len(asked)), 150):
        fields = asked[index]
        query = [
            (by_key[k], label)
            for k, v in fields.items()
            if k in by_key
            for label in (v if isinstance(v, list) else [v])
        ]
        got = _get(f"{base}/api/applicable?{urllib.parse.urlencode(query)}")
        mine = {r["urn"] for r in got["requirements"]}
        excluded = {e["urn"]: e for e in got["excluded"]}
        theirs = {answer["requirements"][i] for i in answer["verdicts"][index]}
        assert mine | set(excluded) == theirs, fields
        assert not mine & set(excluded)
        for entry in excluded.values():
            assert entry["exception"] and entry["because"], entry
            assert entry["exception"] in entry["reason"]


def test_amt_builds_system_cards(served, amt_verdicts):
    """AMT's ``get_requirements_and_measures`` builds a card; its requirements are AMT's
    verdict and its measures exactly those the requirements link to."""
    base, _, _ = served
    asked, answer = amt_verdicts
    rng = random.Random(3)
    chosen = [*rng.sample(range(len(asked)), 12), 0]
    cards = drive(base, "systemcards", [asked[i] for i in chosen])["cards"]
    links = {
        e["urn"]: e["content"]["links"]
        for e in _get(f"{base}/requirements/?content=true")["entries"]
    }
    measures = {e["urn"] for e in _get(f"{base}/measures/")["entries"]}
    for index, card in zip(chosen, cards, strict=True):
        expected = [answer["requirements"][i] for i in answer["verdicts"][index]]
        assert card["requirements"] == expected
        linked = {m for r in expected for m in links[r]}
        assert set(card["measures"]) == linked and linked <= measures


def _normalised(record: dict) -> dict:
    """A registry instrument record with what RDF does not keep made comparable: the order of
    a task's types, suggested roles and lifecycle phases, and links that say nothing (``{}``),
    which akgraph reports and leaves out (docs/registry-differences.md)."""
    out = json.loads(json.dumps(record))
    for task in out.get("tasks") or []:
        task["type"] = sorted(task.get("type") or [])
        task["lifecycle"] = sorted(task.get("lifecycle") or [])
        task["suggested_roles"] = sorted(task.get("suggested_roles") or [])
        task["links"] = [link for link in task.get("links") or [] if link]
    return out


def test_registry_instruments_equal_the_registry_field_by_field(served):
    """``/instruments/urn/{urn}`` answers each of the registry's instruments as the registry
    does (its YAML read here with PyYAML), task by task and field by field."""
    base, _, _ = served
    expected = registry_instruments()
    index = _get(f"{base}/instruments/")
    listed = {e["urn"]: e for e in index["entries"] if e["urn"] in expected}
    assert set(listed) == set(expected)
    for urn, record in expected.items():
        assert listed[urn]["name"] == listed[urn]["path"].rsplit("/", 1)[-1]
        got = _get(f"{base}/instruments/urn/{urn}?version=latest")
        assert _normalised(got) == _normalised(record), urn
        assert [t["urn"] for t in got["tasks"]] == [t["urn"] for t in record["tasks"]]
