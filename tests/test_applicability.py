"""AI-Act applicability: the exception evaluator, and three profiles on v2.5.1 whose expected
requirement sets are computed here from a plain frontmatter scan with a separate, deliberately
simple implementation of the rules (Python's own boolean evaluation of the exceptions)."""

from __future__ import annotations

import re

import pytest

from akgraph import applicability as ap
from tests.conftest import RELEASES, corpus_release
from tests.scan import scan

AI_KEYS = (
    "soort-toepassing",
    "risicogroep",
    "rol-ai-act",
    "transparantieverplichting",
    "systeemrisico",
    "open-source",
)

#: (a) a deployer of a high-risk AI system
DEPLOYER_HIGH_RISK = {
    "soort-toepassing": ["ai-systeem"],
    "risicogroep": ["hoog-risico-ai-systeem"],
    "rol-ai-act": ["gebruiksverantwoordelijke"],
    "transparantieverplichting": ["geen-transparantieverplichting"],
    "systeemrisico": ["niet-van-toepassing"],
    "open-source": ["geen-open-source"],
}
#: (b) a provider of a general-purpose AI model with systemic risk
PROVIDER_GPAI_MODEL = {
    "soort-toepassing": ["ai-model-voor-algemene-doeleinden"],
    "risicogroep": ["niet-van-toepassing"],
    "rol-ai-act": ["aanbieder"],
    "transparantieverplichting": ["niet-van-toepassing"],
    "systeemrisico": ["systeemrisico"],
    "open-source": ["geen-open-source"],
}
#: (c) an impactful algorithm that is no AI (the decision aid's "impactvol algoritme")
NON_AI = {"soort-toepassing": ["impactvol-algoritme"]}
#: (d) a provider of an open-source AI system that is not high-risk (article 2(12) excludes it)
OPEN_SOURCE = {
    "soort-toepassing": ["ai-systeem"],
    "risicogroep": ["geen-hoog-risico-ai-systeem"],
    "rol-ai-act": ["aanbieder"],
    "transparantieverplichting": ["geen-transparantieverplichting"],
    "systeemrisico": ["geen-systeemrisico"],
    "open-source": ["open-source"],
}


# -- an independent reading of the rules ------------------------------------------------------


def _exception_holds(text: str, values: dict[str, list[str]]) -> bool:
    """Translate the expression to Python and let Python evaluate it."""
    present = {f"{k}-{v}" for k, vs in values.items() for v in vs}
    python = re.sub(r'"([^"]+)"|([a-z][a-z0-9-]+)', lambda m: str((m[1] or m[2]) in present), text)
    python = python.replace("&&", " and ").replace("||", " or ").replace("!", " not ")
    assert re.fullmatch(r"[\sA-Za-z()]*", python), python
    return bool(eval(python, {"__builtins__": {}}))


def _fails(fields: dict[str, list[str]], key: str, values: dict[str, list[str]]) -> bool:
    """AMT's rule on one dimension: only values with a registry label (all but
    ``niet-van-toepassing``) restrict; a restricted dimension needs a shared value (a dimension
    the profile leaves out has none). v2.0's ``publicatiecategorie`` is the risk group."""
    listed = set(fields.get(key, []))
    if key == "risicogroep":
        listed |= set(fields.get("publicatiecategorie", []))
    if not listed - {"niet-van-toepassing"}:
        return False
    return not listed & set(values.get(key, []))


def expected_requirements(root, values: dict[str, list[str]]) -> set[str]:
    found = set()
    for item in scan(root)["requirement"]:
        urn = (item.fields.get("id") or [""])[0]
        if not item.slug.startswith("aia"):
            found.add(urn)
            continue
        if any(_fails(item.fields, key, values) for key in AI_KEYS):
            continue
        if any(_exception_holds(e, values) for e in item.fields.get("uitzondering", [])):
            continue
        found.add(urn)
    return found


def expected_measures(root, requirements: set[str]) -> set[str]:
    slugs = {i.slug: (i.fields.get("id") or [""])[0] for i in scan(root)["requirement"]}
    return {
        (m.fields.get("id") or [""])[0]
        for m in scan(root)["measure"]
        if any(slugs.get(ref) in requirements for ref in m.fields.get("vereiste", []))
    }


def scanned_requirements(root) -> list[ap.Requirement]:
    """The module's input built from the scan (so these tests check the rules, not the graph)."""
    items = scan(root)
    ids = {i.slug: (i.fields.get("id") or [""])[0] for i in items["requirement"]}
    measures: dict[str, list[str]] = {}
    for m in items["measure"]:
        for ref in m.fields.get("vereiste", []):
            if ref in ids:
                measures.setdefault(ids[ref], []).append(m.fields["id"][0])
    return [
        ap.Requirement(
            (i.fields.get("id") or [""])[0],
            {
                k: frozenset(i.fields.get(k, []))
                | frozenset(i.fields.get("publicatiecategorie", []) if k == "risicogroep" else [])
                for k in AI_KEYS
            },
            tuple(i.fields.get("uitzondering", [])),
            tuple(measures.get((i.fields.get("id") or [""])[0], [])),
        )
        for i in items["requirement"]
    ]


# -- the exception evaluator --------------------------------------------------------------------

COMPOUND = (
    '("soort-toepassing-ai-systeem-voor-algemene-doeleinden" || "soort-toepassing-ai-systeem")'
    ' && "open-source-open-source" && "transparantieverplichting-geen-transparantieverplichting"'
    ' && "risicogroep-geen-hoog-risico-ai-systeem"'
)


def test_plain_token():
    assert ap.parse_expression("risicogroep-uitzondering-van-toepassing") == ap.Token(
        "risicogroep-uitzondering-van-toepassing"
    )
    assert ap.evaluate(
        "risicogroep-uitzondering-van-toepassing", {"risicogroep": {"uitzondering-van-toepassing"}}
    )
    assert not ap.evaluate(
        "risicogroep-uitzondering-van-toepassing", {"risicogroep": {"hoog-risico-ai-systeem"}}
    )
    assert not ap.evaluate("risicogroep-uitzondering-van-toepassing", {})


def test_compound_open_source_exclusion():
    tree = ap.parse_expression(COMPOUND)
    assert isinstance(tree, ap.And) and isinstance(tree.operands[0], ap.Or)
    base = {
        "soort-toepassing": {"ai-systeem"},
        "open-source": {"open-source"},
        "transparantieverplichting": {"geen-transparantieverplichting"},
        "risicogroep": {"geen-hoog-risico-ai-systeem"},
    }
    assert ap.evaluate(COMPOUND, base)
    assert ap.evaluate(
        COMPOUND, {**base, "soort-toepassing": {"ai-systeem-voor-algemene-doeleinden"}}
    )
    for key, other in [
        ("soort-toepassing", "ai-model-voor-algemene-doeleinden"),
        ("open-source", "geen-open-source"),
        ("transparantieverplichting", "transparantieverplichting"),
        ("risicogroep", "hoog-risico-ai-systeem"),
    ]:
        assert not ap.evaluate(COMPOUND, {**base, key: {other}}), key


def test_precedence_negation_and_bare_tokens():
    profile = {"rol-ai-act": {"aanbieder"}, "systeemrisico": {"systeemrisico"}}
    # && binds tighter than ||
    assert ap.evaluate('"rol-ai-act-importeur" && "x-y" || "rol-ai-act-aanbieder"', profile)
    assert not ap.evaluate('"rol-ai-act-importeur" && ("x-y" || "rol-ai-act-aanbieder")', profile)
    assert ap.evaluate("!rol-ai-act-importeur && systeemrisico-systeemrisico", profile)
    assert not ap.evaluate("!(rol-ai-act-aanbieder)", profile)
    assert ap.split_label("open-source-geen-open-source") == ("open-source", "geen-open-source")
    assert ap.split_label("onbekend-label") is None


@pytest.mark.parametrize(
    "text", ["", "(", '"a-b" &&', "&& a", "(a || b", "a b", "a ) b", '"a', "a & b", '""']
)
def test_malformed_expressions(text):
    with pytest.raises(ap.ExpressionError):
        ap.parse_expression(text)


@pytest.mark.parametrize("tag", RELEASES)
def test_every_exception_in_the_corpus_parses(tag):
    """Every form that occurs parses, names known dimensions, and agrees with the reference."""
    root = corpus_release(tag)
    texts = {e for i in scan(root)["requirement"] for e in i.fields.get("uitzondering", [])}
    for text in texts:
        tree = ap.parse_expression(text)
        assert all(ap.split_label(name) for name in ap.labels(tree)), text
        for values in (DEPLOYER_HIGH_RISK, PROVIDER_GPAI_MODEL, NON_AI):
            given = ap.profile(values)
            assert ap.holds(tree, given) == _exception_holds(text, values), text


# -- profiles on v2.5.1 -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def latest():
    return corpus_release("v2.5.1")


@pytest.mark.parametrize(
    ("values", "inside", "outside"),
    [
        (
            DEPLOYER_HIGH_RISK,
            {"urn:nl:ak:ver:aia-21", "urn:nl:ak:ver:avg-01"},
            {"urn:nl:ak:ver:aia-09"},
        ),
        (
            PROVIDER_GPAI_MODEL,
            {"urn:nl:ak:ver:aia-29", "urn:nl:ak:ver:aia-30"},
            {"urn:nl:ak:ver:aia-21"},
        ),
        (NON_AI, {"urn:nl:ak:ver:bzk-01", "urn:nl:ak:ver:awb-01"}, {"urn:nl:ak:ver:aia-01"}),
    ],
    ids=["deployer-high-risk", "provider-gpai-model", "non-ai"],
)
def test_profiles(latest, values, inside, outside):
    expected = expected_requirements(latest, values)
    assert inside <= expected and not outside & expected  # the reference itself is sensible
    chosen, measures = ap.applicable(scanned_requirements(latest), ap.profile(values))
    assert {r.urn for r in chosen} == expected
    assert set(measures) == expected_measures(latest, expected)


def test_non_ai_profile_keeps_exactly_the_other_laws(latest):
    chosen, _ = ap.applicable(scanned_requirements(latest), ap.profile(NON_AI))
    others = {(i.fields.get("id") or [""])[0] for i in scan(latest)["requirement"]}
    others = {u for u in others if not u.rsplit(":", 1)[-1].startswith("aia")}
    assert {r.urn for r in chosen} == others and len(others) > 15


def test_exceptions_change_the_answer(latest):
    """Evaluating the exceptions matters: the AI-Act exemption and the open-source exclusion."""
    requirements = scanned_requirements(latest)
    exempt = dict(DEPLOYER_HIGH_RISK, risicogroep=["uitzondering-van-toepassing"])
    chosen, _ = ap.applicable(requirements, ap.profile(exempt))
    assert not [r for r in chosen if r.ai_act]
    open_source = OPEN_SOURCE
    closed = dict(open_source, **{"open-source": ["geen-open-source"]})
    with_exclusion = {r.urn for r in ap.applicable(requirements, ap.profile(open_source))[0]}
    without = {r.urn for r in ap.applicable(requirements, ap.profile(closed))[0]}
    assert "urn:nl:ak:ver:aia-01" in without - with_exclusion
    assert with_exclusion == expected_requirements(latest, open_source)


def test_profile_accepts_urns_and_drops_empty_values():
    assert ap.profile(
        {"risicogroep": ["urn:nl:ak:risicogroep:hoog-risico-ai-systeem", ""], "rol-ai-act": []}
    ) == {"risicogroep": frozenset({"hoog-risico-ai-systeem"})}
    decision = ap.decide(ap.Requirement("urn:nl:ak:ver:avg-01"), {})
    assert decision.applies and "altijd" in decision.reason


def test_a_profile_takes_values_as_urns_percent_encoded_or_not():
    """Regression: the URN form was cut off by string prefix, so an encoded value (as
    iris.concept mints it) stayed encoded and matched no requirement."""
    from akgraph import iris

    urn = str(iris.concept("risicogroep", "hoog-risico AI"))
    assert "%20" in urn
    assert ap.profile({"risicogroep": [urn]}) == {"risicogroep": frozenset({"hoog-risico AI"})}
    assert ap.profile({"risicogroep": ["hoog-risico AI"]}) == ap.profile({"risicogroep": [urn]})
    other = str(iris.concept("rollen", "jurist"))  # another list's URN is no value of this one
    assert ap.profile({"risicogroep": [other]}) == {"risicogroep": frozenset({other})}
