"""``akgraph query``: the list, local runs (checkout, graph file, bundled sample) and runs
against a live endpoint, with answers checked against a plain frontmatter scan of v2.5.1."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from akgraph.cli import main
from tests.conftest import REPO
from tests.scan import scan
from tests.test_applicability import DEPLOYER_HIGH_RISK, expected_requirements


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["query", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def urns(out: str, column: str) -> set[str]:
    rows = json.loads(out)["results"]["bindings"]
    return {row[column]["value"] for row in rows if column in row}


@pytest.fixture(scope="module")
def graph_file(latest_build, tmp_path_factory):
    """v2.5.1 written as N-Quads, as ``akgraph build -o`` does."""
    path = tmp_path_factory.mktemp("graph") / "v2.5.1.nq"
    latest_build.dataset().serialize(str(path), format="nquads")
    return str(path)


@pytest.fixture(scope="module")
def measure_with_requirements(latest_path):
    """A measure of v2.5.1 citing several requirements, and their URNs (from the scan)."""
    files = scan(latest_path)
    ids = {f.slug: (f.fields.get("id") or [""])[0] for f in files["requirement"]}
    for measure in files["measure"]:
        cited = {ids[r] for r in measure.fields.get("vereiste", []) if r in ids}
        if len(cited) >= 3 and measure.fields.get("id"):
            return measure.fields["id"][0], cited
    pytest.fail("no measure cites three requirements")


def test_list_names_every_query_with_its_title(capsys):
    status, out, _ = run(capsys, "--list")
    assert status == 0
    files = sorted((REPO / "queries").glob("*.rq"))
    assert len(files) >= 14
    for path in files:
        title = re.search(r"^# title: (.*)$", path.read_text(encoding="utf-8"), re.M).group(1)
        assert re.search(rf"^{re.escape(path.stem)}\s+{re.escape(title.strip())}$", out, re.M)
    assert "--param requirement=" in out


def test_local_checkout_and_graph_file(capsys, latest_path, graph_file, measure_with_requirements):
    measure, cited = measure_with_requirements
    for source in (str(latest_path), graph_file):
        status, out, err = run(
            capsys, "requirements-for-measure", "--param", f"measure={measure}", source,
            "--format", "json",
        )  # fmt: skip
        assert status == 0, err
        assert urns(out, "requirement") == cited


def test_options_before_and_after_the_name(capsys, graph_file, measure_with_requirements):
    measure, cited = measure_with_requirements
    status, out, _ = run(
        capsys,
        "--format",
        "csv",
        "requirements-for-measure",
        graph_file,
        "-p",
        f"measure={measure}",
    )
    assert status == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["requirement", "title"]
    assert {r[0] for r in rows[1:]} == cited


def test_applicable_requirements_query(capsys, latest_path, graph_file):
    """The SPARQL label part agrees with the independent reading (exceptions aside)."""
    names = {
        "soort-toepassing": "applicationType",
        "risicogroep": "riskGroup",
        "rol-ai-act": "aiActRole",
        "transparantieverplichting": "transparencyObligation",
        "systeemrisico": "systemicRisk",
        "open-source": "openSource",
    }
    params = []
    for key, (value,) in DEPLOYER_HIGH_RISK.items():
        params += ["-p", f"{names[key]}=urn:nl:ak:{key}:{value}"]
    status, out, err = run(
        capsys, "applicable-requirements", *params, graph_file, "--format", "json"
    )
    assert status == 0, err
    assert urns(out, "requirement") == expected_requirements(latest_path, DEPLOYER_HIGH_RISK)
    # the open-source exclusion: SPARQL keeps aia-01 and lists its exceptions (which the API
    # evaluates, and then drops it)
    open_source = [
        "-p", "applicationType=urn:nl:ak:soort-toepassing:ai-systeem",
        "-p", "riskGroup=urn:nl:ak:risicogroep:geen-hoog-risico-ai-systeem",
        "-p", "aiActRole=urn:nl:ak:rol-ai-act:aanbieder",
        "-p", "transparencyObligation=urn:nl:ak:transparantieverplichting:"
        "geen-transparantieverplichting",
        "-p", "openSource=urn:nl:ak:open-source:open-source",
    ]  # fmt: skip
    status, out, _ = run(
        capsys, "applicable-requirements", *open_source, graph_file, "--format", "json"
    )
    rows = {r["requirement"]["value"]: r for r in json.loads(out)["results"]["bindings"]}
    assert "open-source-open-source" in rows["urn:nl:ak:ver:aia-01"]["exceptions"]["value"]


def test_table_on_the_bundled_sample(capsys):
    status, out, _ = run(capsys, "glossary")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["term", "label", "definition"]
    assert set(lines[1]) <= {"-", " "}
    assert re.fullmatch(r"\(\d+ rij(en)?\)", lines[-1])
    assert len(lines) - 3 == int(re.search(r"\d+", lines[-1]).group())


def test_endpoint_gives_the_same_answer(
    capsys, corpus_server, graph_file, measure_with_requirements
):
    measure, cited = measure_with_requirements
    argv = ["requirements-for-measure", "-p", f"measure={measure}", "--format", "json"]
    status, remote, err = run(capsys, *argv, "--endpoint", f"{corpus_server}/sparql")
    assert status == 0, err
    assert urns(remote, "requirement") == cited
    _, local, _ = run(capsys, *argv, graph_file)
    assert json.loads(remote)["results"] == json.loads(local)["results"]


@pytest.mark.parametrize(
    "argv",
    [
        ["nope"],
        [],
        ["glossary", "--param", "x=1"],
        ["glossary", "--param", "broken"],
        ["measures-for-requirement", "-p", "requirement=not an iri"],
        ["glossary", "/no/such/folder"],
        ["glossary", "/no/such/folder", "--endpoint", "http://127.0.0.1:9/sparql"],
    ],
)
def test_usage_errors(capsys, argv):
    status, out, err = run(capsys, *argv)
    assert status == 2 and not out and err.startswith("akgraph query:")


def test_unreachable_endpoint_fails(capsys):
    status, _, err = run(
        capsys, "glossary", "--endpoint", "http://127.0.0.1:9/sparql", "--timeout", "2"
    )
    assert status == 1 and "failed" in err
