"""The page "Wat geldt voor ons?" (issue 16, item 3) on every shared release, over HTTP: for a
set of profiles (spelled as framework values, URNs and AMT labels) it lists the requirements
/api/applicable gives, in its order, the same exclusions with their expression and the profile
values that made it hold, and the requirement set a plain frontmatter scan gives (the
independent reading of tests/test_applicability.py); under each requirement the measures per
lifecycle phase in the framework's phase order and the instruments, as the scan links them.
Then the form filled in by Chromium with JavaScript off."""

from __future__ import annotations

import html
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from akgraph.web import state
from tests.scan import scan
from tests.test_applicability import (
    DEPLOYER_HIGH_RISK,
    NON_AI,
    OPEN_SOURCE,
    PROVIDER_GPAI_MODEL,
    expected_requirements,
)

#: The framework's lifecycle phases in their order (its "Fase 0" to "Fase 8").
PHASE_ORDER = [
    "organisatieverantwoordelijkheden", "probleemanalyse", "ontwerp",
    "dataverkenning-en-datapreparatie", "ontwikkelen", "verificatie-en-validatie",
    "implementatie", "monitoring-en-beheer", "uitfaseren",
]  # fmt: skip
EXEMPT = {
    "soort-toepassing": ["ai-systeem"],
    "risicogroep": ["uitzondering-van-toepassing"],
    "rol-ai-act": ["aanbieder"],
}
ROLES = {
    "soort-toepassing": ["ai-systeem"],
    "risicogroep": ["hoog-risico-ai-systeem"],
    "rol-ai-act": ["aanbieder", "gebruiksverantwoordelijke", "importeur"],
}
#: (framework values, the query as sent: AMT labels, URNs, comma lists, repeated parameters)
PROFILES = {
    "deployer-high-risk-as-amt-labels": (
        DEPLOYER_HIGH_RISK,
        [("soort-toepassing", "AI-systeem"), ("risicogroep", "hoog-risico AI"),
         ("rol-ai-act", "gebruiksverantwoordelijke"),
         ("transparantieverplichting", "geen transparantieverplichting"),
         ("systeemrisico", "niet-van-toepassing"), ("open-source", "geen open-source")],
    ),
    "provider-gpai-model-as-urns": (
        PROVIDER_GPAI_MODEL,
        [(k, f"urn:nl:ak:{k}:{v}") for k, vs in PROVIDER_GPAI_MODEL.items() for v in vs],
    ),
    "non-ai": (NON_AI, [(k, v) for k, vs in NON_AI.items() for v in vs]),
    "exempt": (EXEMPT, [(k, v) for k, vs in EXEMPT.items() for v in vs]),
    "open-source": (OPEN_SOURCE, [(k, v) for k, vs in OPEN_SOURCE.items() for v in vs]),
    "three-roles": (
        ROLES,
        [("soort-toepassing", "ai-systeem"), ("risicogroep", "HOOG-RISICO AI"),
         ("rol-ai-act", "aanbieder,gebruiksverantwoordelijke"), ("rol-ai-act", "importeur")],
    ),
    "empty": ({}, []),
}  # fmt: skip


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def read_page(page: str) -> dict:
    """What the answer part of the page shows, read from its HTML."""
    answer = page.split('<div class="answer">', 1)[1]
    applicable, excluded = answer.split('<h2 id="uitgezonderd">', 1)
    requirements = []
    for block in applicable.split('<li class="requirement">')[1:]:
        urn = re.search(r'<code class="urn">([^<]+)</code>', block)[1]
        phases = [
            (phase, re.findall(r'<li class="measure"><a href="/doc/([^"]+)"', listed))
            for phase, listed in re.findall(
                r'<dt data-fase="([^"]*)">.*?</dt>\s*<dd>(.*?)</dd>', block, re.S
            )
        ]
        instruments = re.findall(r'class="instrument" href="/doc/([^"]+)"', block)
        requirements.append({"urn": urn, "phases": phases, "instruments": instruments})
    exclusions = []
    for block in excluded.split('<li class="excluded-requirement">')[1:]:
        exclusions.append(
            {
                "urn": re.search(r'<code class="urn">([^<]+)</code>', block)[1],
                "expression": html.unescape(
                    re.search(r'<code class="expression">(.*?)</code>', block, re.S)[1]
                ),
                "because": re.findall(r'class="because">([^<]*)<', block),
            }
        )
    return {"requirements": requirements, "excluded": exclusions}


def linked(root) -> tuple[dict[str, list], dict[str, set[str]], set[str]]:
    """Per requirement URN, from the scan: its measures (URN, phases) and its instruments; and
    the measure ids that are not one file's own (claimed twice, or missing: the converter
    mints another IRI for those, which this scan does not try to repeat)."""
    items = scan(root)
    ids = {i.slug: (i.fields.get("id") or [""])[0] for i in items["requirement"]}
    claims: dict[str, int] = {}
    for m in items["measure"]:
        for claimed in m.fields.get("id") or [""]:
            claims[claimed] = claims.get(claimed, 0) + 1
    unclear = {urn for urn, n in claims.items() if n > 1 or not urn}
    measures: dict[str, list] = {}
    for m in items["measure"]:
        urn = (m.fields.get("id") or [""])[0]
        for ref in m.fields.get("vereiste", []):
            if ref in ids and urn not in unclear:
                measures.setdefault(ids[ref], []).append((urn, m.fields.get("levenscyclus", [])))
    instruments: dict[str, set[str]] = {}
    for i in items["instrument"]:
        for ref in i.fields.get("vereiste", []):
            if ref in ids:
                instruments.setdefault(ids[ref], set()).add(f"urn:nl:ak:hlp:{i.slug.lower()}")
    known = {urn for urn in claims if urn not in unclear}
    return measures, instruments, known


@pytest.fixture(scope="module")
def served(release_path, release_build):
    """Each shared release served over HTTP: (its export, the base URL)."""
    from akgraph.web import create_app
    from tests.live import live

    app = create_app({"TESTING": True, "SOURCE": release_build, "TIMEOUT": 10, "WORKERS": 2,
                      "QUERIES_PER_CLIENT": 8, "TIMEOUT_COOLDOWN": 0})  # fmt: skip
    with live(app) as url:
        yield release_path, url
    state.of(app).backend.close()


def test_the_page_agrees_with_api_applicable_and_the_scan(served):
    root, base = served
    measures_of, instruments_of, own_ids = linked(root)
    seen_exclusion = False
    for name, (values, params) in PROFILES.items():
        query = urllib.parse.urlencode(params)
        status, page = get(f"{base}/wat-geldt-voor-ons?{query}")
        assert status == 200, (name, page[:300])
        shown = read_page(page)
        status, body = get(f"{base}/api/applicable?{query}")
        assert status == 200, body
        api = json.loads(body)
        assert [r["urn"] for r in shown["requirements"]] == [
            r["urn"] for r in api["requirements"]
        ], name
        assert {r["urn"] for r in shown["requirements"]} == expected_requirements(root, values)
        assert [e["urn"] for e in shown["excluded"]] == [e["urn"] for e in api["excluded"]], name
        for on_page, in_api in zip(shown["excluded"], api["excluded"], strict=True):
            assert on_page["expression"] == in_api["exception"]
            assert len(on_page["because"]) == len(in_api["because"]) > 0
            seen_exclusion = True
        listed = {m for r in shown["requirements"] for _, ms in r["phases"] for m in ms}
        assert listed == {m["urn"] for m in api["measures"]}, name
        for requirement in shown["requirements"]:
            phases = [p for p, _ in requirement["phases"]]
            known = [p for p in phases if p]
            assert known == sorted(known, key=PHASE_ORDER.index), requirement["urn"]
            assert "" not in phases[:-1]  # measures without a phase come last
            expected: dict[str, set[str]] = {}
            for urn, lifecycle in measures_of.get(requirement["urn"], []):
                for phase in [p for p in lifecycle if p in PHASE_ORDER] or [""]:
                    expected.setdefault(phase, set()).add(urn)
            own = {p: {m for m in ms if m in own_ids} for p, ms in requirement["phases"]}
            assert {p: ms for p, ms in own.items() if ms} == expected, requirement["urn"]
            assert set(requirement["instruments"]) == instruments_of.get(requirement["urn"], set())
        # the same answer as JSON
        status, body = get(f"{base}/wat-geldt-voor-ons.json?{query}")
        as_json = json.loads(body)
        assert [r["urn"] for r in as_json["requirements"]] == [
            r["urn"] for r in api["requirements"]
        ]
        assert as_json["excluded"] == [
            {**e, "page": f"{base}/doc/{e['urn']}"} for e in api["excluded"]
        ]
    with_exceptions = any(i.fields.get("uitzondering") for i in scan(root)["requirement"])
    assert seen_exclusion == with_exceptions  # v2.0 has no exceptions; the others exclude


def test_a_bad_profile_is_a_400_naming_the_value(corpus_server):
    status, page = get(f"{corpus_server}/wat-geldt-voor-ons?risicogroep=hoog")
    assert status == 400 and "risicogroep: unknown value hoog" in page
    assert "hoog-risico-ai-systeem" in page  # the accepted values are listed
    status, page = get(f"{corpus_server}/wat-geldt-voor-ons?kleur=rood")
    assert status == 400 and "kleur" in page
    status, page = get(f"{corpus_server}/wat-geldt-voor-ons.json?version=v0.1")
    assert status == 404


def test_requirement_list_says_it_does_not_evaluate_exceptions(corpus_server):
    query = "rol-ai-act=aanbieder&risicogroep=hoog-risico-ai-systeem"
    status, page = get(f"{corpus_server}/vereisten?{query}")
    assert status == 200
    note = page.split('id="uitzonderingen"', 1)[1].split("</p>", 1)[0]
    assert "niet toegepast" in note or "niet toe" in note
    href = html.unescape(re.search(r'href="([^"]+)">Wat geldt voor ons\?', note)[1])
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(href).query) == {
        "rol-ai-act": ["aanbieder"],
        "risicogroep": ["hoog-risico-ai-systeem"],
    }
    status, home = get(corpus_server + "/")
    assert 'href="/wat-geldt-voor-ons">Wat geldt voor ons?</a>' in home  # in the menu


CHROMIUM = "/usr/bin/chromium"


def test_the_form_in_chromium_without_javascript(corpus_server):
    """Tick an exempt deployer's profile with two roles, submit, read the answer."""
    from tests.test_browser import ARGS

    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    ticks = [("soort-toepassing", "ai-systeem"), ("risicogroep", "hoog-risico-ai-systeem"),
             ("risicogroep", "uitzondering-van-toepassing"), ("rol-ai-act", "aanbieder"),
             ("rol-ai-act", "gebruiksverantwoordelijke"),
             ("transparantieverplichting", "geen-transparantieverplichting"),
             ("open-source", "geen-open-source")]  # fmt: skip
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(locale="nl-NL", java_script_enabled=False,
                                          viewport={"width": 390, "height": 900})  # fmt: skip
            page = context.new_page()
            page.goto(corpus_server + "/")
            with page.expect_navigation():
                page.get_by_role("link", name="Wat geldt voor ons?").click()
            assert page.locator("p.note").count() == 1  # no profile yet: what always applies
            for name, value in ticks:
                page.locator(f"#p-{name}-{value}").check()
            with page.expect_navigation():
                page.get_by_role("button", name="Toon wat geldt").click()
            shown = page.locator("li.requirement h3 + p code.urn").all_inner_texts()
            excluded = page.locator("li.excluded-requirement > code.urn").all_inner_texts()
            reasons = page.locator("li.excluded-requirement p").all_inner_texts()
            still = [(n, v) for n, v in ticks if page.locator(f"#p-{n}-{v}").is_checked()]
            measures = page.locator("li.requirement li.measure").count()
            address = page.url
        finally:
            browser.close()
    assert still == ticks  # the form keeps the profile
    assert sorted(urllib.parse.parse_qsl(urllib.parse.urlsplit(address).query)) == sorted(ticks)
    status, body = get(f"{corpus_server}/api/applicable?{urllib.parse.urlencode(ticks)}")
    assert status == 200
    api = json.loads(body)
    assert shown == [r["urn"] for r in api["requirements"]] and shown
    assert excluded == [e["urn"] for e in api["excluded"]] and excluded
    assert all("uitzondering-van-toepassing" in r and "Uitzondering" in r for r in reasons)
    assert measures >= len(api["measures"])
