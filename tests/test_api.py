"""The task-registry-compatible JSON API on v2.5.1: routes, contract (field names and types),
404s, ``?version=``, bulk listing, applicability (JSON and CSV) and the OpenAPI description.
Expected answers come from a plain frontmatter scan (tests/scan.py)."""

from __future__ import annotations

import csv
import io

import jsonschema
import pytest

from tests.clients import registry_schema
from tests.scan import scan
from tests.test_applicability import (
    DEPLOYER_HIGH_RISK,
    NON_AI,
    PROVIDER_GPAI_MODEL,
    expected_measures,
    expected_requirements,
)

pytestmark = pytest.mark.corpus

# -- the contract ------------------------------------------------------------------------------
# The records are validated against task-registry's own JSON schemas (../shared/clients); AMT's
# models parse them in tests/test_amt_contract.py. The index shape below is ours, written from the
# registry's task_registry/data.py (Index, FileInfo, Link).

LINK = {"type": "object", "properties": {"self": {"type": "string"}}, "required": ["self"]}
INDEX = {
    "type": "object",
    "properties": {
        "type": {"const": "dir"},
        "size": {"type": "integer"},
        "name": {"type": "string"},
        "path": {"type": "string"},
        "download_url": {"type": "string"},
        "links": LINK,
        "entries": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"const": "file"},
                    "size": {"type": "integer"},
                    "name": {"type": "string"},
                    "path": {"type": "string"},
                    "urn": {"type": "string"},
                    "download_url": {"type": "string"},
                    "links": LINK,
                },
                "required": ["type", "size", "name", "path", "urn", "download_url", "links"],
            },
        },
    },
    "required": ["type", "size", "name", "path", "download_url", "links", "entries"],
}
SCHEMAS = ("measures", "requirements", "instruments")
SCAN_KIND = {"measures": "measure", "requirements": "requirement", "instruments": "instrument"}


@pytest.fixture(scope="module")
def client(corpus_app):
    return corpus_app.test_client()


@pytest.fixture(scope="module")
def scanned(latest_path):
    return scan(latest_path)


@pytest.fixture(scope="module")
def bulk(client):
    """Every record of every collection, from the bulk listing."""
    found = {}
    for kind in SCHEMAS:
        response = client.get(f"/{kind}/?content=true")
        assert response.status_code == 200
        found[kind] = {e["urn"]: e["content"] for e in response.json["entries"]}
    return found


def _id(item) -> str:
    return (item.fields.get("id") or [""])[0]


# -- lists and records ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(SCHEMAS))
def test_index_lists_every_item(client, scanned, kind):
    response = client.get(f"/{kind}/")
    assert response.status_code == 200 and response.mimetype == "application/json"
    jsonschema.validate(response.json, INDEX)
    assert response.json["name"] == kind
    entries = response.json["entries"]
    files = scanned[SCAN_KIND[kind]]
    assert len(entries) == len(files)
    assert {e["path"] for e in entries} == {f.path for f in files}
    ids = {_id(f) for f in files if _id(f)}
    assert ids <= {e["urn"] for e in entries}
    assert "content" not in entries[0]
    assert entries[0]["links"]["self"].endswith(f"/{kind}/urn/{entries[0]['urn']}")


@pytest.mark.parametrize("kind", SCHEMAS)
def test_every_record_meets_the_registry_schema(bulk, kind):
    """Every record validates against the registry's schema; the framework's own instruments
    (``urn:nl:ak:hlp:…``) differ only in the URN pattern (docs/registry-differences.md)."""
    validator = jsonschema.Draft7Validator(registry_schema(kind))
    problems = [
        f"{urn}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
        for urn, rec in bulk[kind].items()
        for e in validator.iter_errors(rec)
        if not (kind == "instruments" and urn.startswith("urn:nl:ak:hlp:") and e.path[0] == "urn")
    ]
    assert not problems, problems[:10]


def test_requirement_fields_agree_with_the_scan(bulk, scanned):
    records = bulk["requirements"]
    slugs = {f.slug: _id(f) for f in scanned["requirement"]}
    linked: dict[str, set[str]] = {}
    for m in scanned["measure"]:
        for ref in m.fields.get("vereiste", []):
            if ref in slugs and _id(m):
                linked.setdefault(slugs[ref], set()).add(_id(m))
    for item in scanned["requirement"]:
        record = records[_id(item)]
        assert record["name"] == item.fields["title"][0]
        assert set(record["lifecycle"]) == set(item.fields.get("levenscyclus", []))
        assert set(record["subject"]) == set(item.fields.get("onderwerp", []))
        assert set(record["links"]) == linked.get(_id(item), set()), _id(item)
        assert record["always_applicable"] == (0 if item.slug.startswith("aia") else 1)
        assert record["exceptions"] == sorted(item.fields.get("uitzondering", []))
        assert set(record["labels"]["risicogroep"]) == set(item.fields.get("risicogroep", []))


def test_one_record_per_type_and_by_urn(client):
    for kind, urn in [
        ("requirements", "urn:nl:ak:ver:aia-36"),
        ("measures", "urn:nl:ak:mtr:owp-12"),
        ("instruments", "urn:nl:ak:hlp:iama"),
    ]:
        one = client.get(f"/{kind}/urn/{urn}")
        assert one.status_code == 200 and one.json["urn"] == urn
        assert client.get(f"/urns/{urn}").json == one.json
        assert client.get("/urns/", query_string={"urn": urn}).json == one.json
    aia36 = client.get("/requirements/urn/urn:nl:ak:ver:aia-36").json
    assert aia36["ai_act_profile"][0]["role"] == [
        "aanbieder", "distributeur", "gebruiksverantwoordelijke", "importeur"
    ]  # fmt: skip
    assert aia36["description"].startswith("Klokkenluiders kunnen veilig melden")
    law = {s.get("law") for s in aia36["legal_sources"]}
    assert "http://data.europa.eu/eli/reg/2024/1689/oj" in law
    assert any(s.get("article", "").endswith("/art_87/oj") for s in aia36["legal_sources"])
    iama = client.get("/instruments/urn/urn:nl:ak:hlp:iama").json
    assert "urn:nl:ak:mtr:owp-07" in iama["measures"]
    assert "urn:nl:ak:ver:aia-27" in iama["requirements"]


def test_audit_criteria_on_measures(bulk):
    coded = {u: r["audit_criteria"] for u, r in bulk["measures"].items() if r["audit_criteria"]}
    assert coded, "no measure carries an audit criterion"
    criteria = [c for found in coded.values() for c in found]
    assert all(c["urn"].startswith(("urn:nl:ak:adr:", "urn:nl:ak:ark:")) for c in criteria)
    assert all(c["code"] and c["code"] in c["urn"] for c in criteria)


# -- errors and versions ----------------------------------------------------------------------


def test_unknown_urn_is_a_json_404(client):
    for path in (
        "/requirements/urn/urn:nl:ak:ver:aia-99",
        "/urns/urn:nl:ak:ver:aia-3",
        "/measures/urn/urn:nl:ak:ver:aia-09",  # a requirement asked for as a measure
    ):
        response = client.get(path)
        assert response.status_code == 404 and response.mimetype == "application/json", path
        assert response.json["detail"].startswith("unknown urn")
    assert "urn:nl:ak:ver:aia-39" in client.get("/urns/urn:nl:ak:ver:aia-3").json["closest"]
    assert client.get("/measures/urn/urn:nl:ak:ver:aia-09").json["type"] == "requirements"
    assert client.get("/urns/").status_code == 400


def test_version_parameter(client):
    tag = client.get("/requirements/urn/urn:nl:ak:ver:aia-09").json["release"]["tag"]
    assert tag == "v2.5.1"
    for version in ("latest", tag):
        assert (
            client.get(f"/requirements/urn/urn:nl:ak:ver:aia-09?version={version}").status_code
            == 200
        )
        assert client.get(f"/measures/?version={version}").status_code == 200
    response = client.get("/requirements/urn/urn:nl:ak:ver:aia-09?version=v1.0")
    assert response.status_code == 404
    assert response.json["versions"] == ["latest", "v2.5.1"]
    assert client.get("/api/applicable?version=v2.2.0").status_code == 404


# -- applicability ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [DEPLOYER_HIGH_RISK, PROVIDER_GPAI_MODEL, NON_AI],
    ids=["deployer-high-risk", "provider-gpai-model", "non-ai"],
)
def test_applicable_json(client, latest_path, values):
    response = client.get("/api/applicable", query_string=values)
    assert response.status_code == 200
    expected = expected_requirements(latest_path, values)
    assert {r["urn"] for r in response.json["requirements"]} == expected
    assert {m["urn"] for m in response.json["measures"]} == expected_measures(latest_path, expected)
    assert all(r["reason"] for r in response.json["requirements"])


def test_applicable_accepts_registry_labels_and_comma_lists(client):
    slugs = client.get(
        "/api/applicable?soort-toepassing=ai-systeem&rol-ai-act=aanbieder,gebruiksverantwoordelijke"
        "&risicogroep=hoog-risico-ai-systeem"
    ).json
    labels = client.get(
        "/api/applicable?soort-toepassing=AI-systeem&rol-ai-act=aanbieder"
        "&rol-ai-act=gebruiksverantwoordelijke&risicogroep=HOOG-RISICO%20AI"
    ).json
    urns = client.get(
        "/api/applicable?soort-toepassing=urn:nl:ak:soort-toepassing:ai-systeem"
        "&rol-ai-act=aanbieder,gebruiksverantwoordelijke"
        "&risicogroep=urn:nl:ak:risicogroep:hoog-risico-ai-systeem"
    ).json
    assert slugs["requirements"] == labels["requirements"] == urns["requirements"]
    assert slugs["requirements"]
    for wrong in ("nonsense", "hoog-risico"):  # the unmerged registry branch's label is no label
        response = client.get(f"/api/applicable?risicogroep={wrong}")
        assert response.status_code == 400, wrong
        assert response.json["parameter"] == "risicogroep"
        accepted = response.json["accepted"]
        assert {"hoog-risico-ai-systeem", "hoog-risico AI"} <= set(accepted)
        assert "urn:nl:ak:risicogroep:hoog-risico-ai-systeem" in accepted
    assert client.get("/api/applicable?kleur=rood").status_code == 400
    assert client.get("/api/applicable?risicogroep=<script>").status_code == 400
    assert client.get("/api/applicable?format=xml").status_code == 400


def test_applicable_csv(client, latest_path):
    response = client.get("/api/applicable", query_string={**DEPLOYER_HIGH_RISK, "format": "csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["urn", "title", "type", "lifecycle", "url"]
    expected = expected_requirements(latest_path, DEPLOYER_HIGH_RISK)
    assert {r[0] for r in rows[1:] if r[2] == "vereiste"} == expected
    assert {r[0] for r in rows[1:] if r[2] == "maatregel"} == expected_measures(
        latest_path, expected
    )
    assert all(r[4].startswith("https://minbzk.github.io/Algoritmekader/") for r in rows[1:])


# -- OpenAPI ----------------------------------------------------------------------------------


def test_openapi_is_valid_and_covers_the_routes(client):
    from openapi_spec_validator import validate

    response = client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json
    validate(document)
    assert document["openapi"].startswith("3.1")
    for path in ("/measures/", "/requirements/urn/{urn}", "/urns/{urn}", "/api/applicable",
                 "/health/live", "/health/ready", "/metrics", "/api/beslishulp"):
        assert path in document["paths"]
    names = {p["name"] for p in document["paths"]["/api/applicable"]["get"]["parameters"]}
    assert {"labels", "answers"} <= names


def test_the_about_page_links_the_openapi_description(client):
    from html.parser import HTMLParser

    found: set[str] = set()

    class Links(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "a":
                found.add(dict(attrs).get("href") or "")

    Links().feed(client.get("/over").get_data(as_text=True))
    assert "/openapi.json" in found
    assert client.get("/openapi.json").status_code == 200


def test_concurrent_requests_share_one_registry_per_release(app):
    """Regression: the registry views were made in app.extensions without a lock, so two
    first requests at once could each build one."""
    from concurrent.futures import ThreadPoolExecutor

    from akgraph.web import state

    def view(_: int):
        with app.app_context():
            return state.current().registry(None)

    with ThreadPoolExecutor(8) as pool:
        views = list(pool.map(view, range(32)))
    assert len({id(v) for v in views}) == 1
