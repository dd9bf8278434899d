"""The instrument registry as linked data: task-registry's ``instruments/`` (../shared/clients)
read into its own named graph, every question a dereferenceable node linked to the framework;
bad files reported with file, line, field and value while the rest converts. Expected answers
come from PyYAML on the registry's files and a plain listing of the release's instrument files.
"""

from __future__ import annotations

import shutil
import urllib.request

import pytest
import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from akgraph import iris
from akgraph.graph import build
from akgraph.iris import AK
from akgraph.source import instruments
from akgraph.web import state
from tests.clients import TASK_REGISTRY, need
from tests.conftest import corpus_release


def _registry() -> dict[str, dict]:
    folder = need(TASK_REGISTRY / "instruments")
    return {
        (r := yaml.safe_load(p.read_text(encoding="utf-8")))["urn"]: r
        for p in sorted(folder.glob("*.yaml"))
    }


@pytest.fixture(scope="module")
def built():
    release = corpus_release("v2.5.1")
    return build(release, instrument_registry=need(TASK_REGISTRY / "instruments"))


def test_every_instrument_and_task_is_in_its_own_graph(built):
    graph = built.instrument_graph
    assert graph is not None
    assert (iris.INSTRUMENT_REGISTRY_GRAPH, graph) in built.named_graphs()
    for urn, record in _registry().items():
        node = URIRef(urn)
        assert (node, RDF.type, AK.RegistryInstrument) in graph
        assert (node, DCTERMS.title, Literal(record["name"], lang="nl")) in graph
        tasks = sorted(graph.objects(node, AK.task), key=lambda t: graph.value(t, AK.position))
        assert [str(t) for t in tasks] == [t["urn"] for t in record["tasks"]], urn
        for task, written in zip(tasks, record["tasks"], strict=True):
            assert graph.value(task, DCTERMS.title).value == written["question"]
            phases = {str(p).rsplit(":", 1)[-1] for p in graph.objects(task, AK.lifecyclePhase)}
            assert phases == {iris.slugify(p) for p in written["lifecycle"]}


def test_linked_to_the_framework_instrument_with_the_same_code(built):
    """``urn:nl:aivt:tr:iama:1.0`` names ``urn:nl:ak:hlp:iama`` where the release has an
    instrument file of that name (case aside), and nothing otherwise."""
    folder = corpus_release("v2.5.1") / "docs/voldoen-aan-wetten-en-regels/hulpmiddelen"
    files = {p.stem.lower() for p in folder.glob("*.md")}
    graph = built.instrument_graph
    linked = 0
    for urn in _registry():
        code = urn.split(":")[4]
        found = list(graph.objects(URIRef(urn), AK.frameworkInstrument))
        if code in files:
            assert found == [URIRef(f"urn:nl:ak:hlp:{code}")], urn
            linked += 1
        else:
            assert found == [], urn
    assert linked >= 2  # IAMA and AIIA


def test_a_link_that_is_no_urn_is_reported_with_file_and_line(built):
    """The registry's technical documentation links to ``urn:nl:aivt:tr:1.0:1.2.1`` (the
    instrument's code is missing): reported, kept as text, not turned into an IRI."""
    bad = [
        p
        for p in built.problems
        if p.code == "instrument-registry" and p.field == "tasks.links.urn"
    ]
    scanned = {
        link["urn"]
        for record in _registry().values()
        for task in record["tasks"]
        for link in task.get("links") or []
        if "urn" in link and iris.registry_urn(link["urn"]) is None
    }
    assert {p.value for p in bad if "not a URN" in p.message} == scanned
    assert all(p.path.startswith("instruments/") and ":" in p.path for p in bad)


def test_bad_registry_files_are_reported_and_the_rest_converts(tmp_path):
    folder = tmp_path / "instruments"
    shutil.copytree(need(TASK_REGISTRY / "instruments"), folder)
    (folder / "broken.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    (folder / "copy.yaml").write_text(
        (folder / "iama.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (folder / "bomb.yaml").write_text(
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"{k}: &{k} [{', '.join(['*' + p] * 10)}]\n"
                  for p, k in zip("abcdef", "bcdefg", strict=True)),
        encoding="utf-8",
    )  # fmt: skip
    (folder / "odd.yaml").write_text(
        "urn: urn:nl:aivt:tr:odd:1.0\nname: Odd\nlanguage: nl\ntasks:\n"
        "  - question: Zonder urn\n"
        "  - question: Fase\n    urn: urn:nl:aivt:tr:odd:1.0:2\n    lifecycle: [Koffie]\n"
        "    status: extra\n",
        encoding="utf-8",
    )
    (folder / "link.yaml").symlink_to("/etc/hostname")
    registry = instruments.read(folder)
    by_file: dict[str, list] = {}
    for problem in registry.problems:
        by_file.setdefault(problem.path.split(":")[0], []).append(problem)
    assert "cannot be read" in by_file["instruments/broken.yaml"][0].message
    assert "aliases expand" in by_file["instruments/bomb.yaml"][0].message
    assert "not a regular file" in by_file["instruments/link.yaml"][0].message
    claimants = by_file.get("instruments/iama.yaml", []) + by_file.get("instruments/copy.yaml", [])
    assert any(p.field == "urn" and "already used" in p.message for p in claimants)
    odd = by_file["instruments/odd.yaml"]
    assert any(p.field == "tasks.urn" and p.path == "instruments/odd.yaml:5" for p in odd)
    assert any(p.field == "tasks.status" and p.value == "'extra'" for p in odd)
    urns = {i.urn: len(i.tasks) for i in registry.instruments}
    expected = {u: len(r["tasks"]) for u, r in _registry().items()}
    assert {u: n for u, n in urns.items() if u in expected} == expected
    assert urns["urn:nl:aivt:tr:odd:1.0"] == 1
    from akgraph import mapping_instruments

    _, found = mapping_instruments.to_graph(registry, build(corpus_release("v2.0")).data)
    assert any(p.field == "tasks.lifecycle" and p.value == "Koffie" for p in found)


def test_pages_show_the_questions_and_every_task_dereferences(built):
    from akgraph.web import create_app
    from tests.live import live

    record = _registry()["urn:nl:aivt:tr:iama:1.0"]
    app = create_app({"SOURCE": built, "WORKERS": 1, "TIMEOUT": 10})
    try:
        with live(app) as base:

            def get(path: str, accept: str = "text/html") -> str:
                request = urllib.request.Request(base + path, headers={"Accept": accept})
                with urllib.request.urlopen(request, timeout=30) as response:
                    return response.read().decode()

            for page in ("/id/urn:nl:aivt:tr:iama:1.0", "/id/urn:nl:ak:hlp:iama"):
                html = get(page)
                shown = [html.find(f"{t['urn']}\"") for t in record["tasks"]]
                assert all(i > 0 for i in shown), page
                assert shown == sorted(shown), page  # in the registry's order
            first = record["tasks"][0]
            turtle = get(f"/id/{first['urn']}", "text/turtle")
            assert first["question"] in turtle and "InstrumentTask" in turtle
    finally:
        state.of(app).backend.close()


def test_the_sample_ships_a_registry_of_its_own(sample_path):
    """The bundled sample's ``instruments/`` is found beside it and converts cleanly."""
    built = build(sample_path)
    assert built.instrument_graph is not None and len(built.instrument_graph) > 20
    assert not [p for p in built.problems if p.code == "instrument-registry" and p.severity > 1]
    task = URIRef("urn:nl:aivt:tr:iama:1.0:1.2")
    assert (task, AK.measure, URIRef("urn:nl:ak:mtr:owp-07")) in built.instrument_graph
