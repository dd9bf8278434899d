"""Every named query answers what an independent scan of the Markdown says (v2.5.1)."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from akgraph import iris, queries
from akgraph.iris import AK
from tests.scan import glossary_terms, scan

NAMED = queries.read_folder()


@pytest.fixture(scope="module")
def graph(latest_build):
    return latest_build.union()


@pytest.fixture(scope="module")
def files(latest_path):
    """Scanned item files by kind, and by path."""
    scanned = scan(latest_path)
    by_path = {f.path: (kind, f) for kind, fs in scanned.items() for f in fs}
    return scanned, by_path


def run(graph, name: str, **values: str) -> list[dict[str, str]]:
    """Rows of a named query, every value as a string."""
    result = graph.query(NAMED[name].bind(values))
    return [{str(k): str(v) for k, v in row.asdict().items()} for row in result]


def paths(graph, rows, column: str) -> set[str]:
    """The source files of the items in ``column``."""
    return {str(graph.value(URIRef(r[column]), AK.sourcePath)) for r in rows}


def item_at(graph, path: str) -> URIRef:
    """The measure, requirement or instrument converted from the file at ``path``."""
    (item,) = {
        s
        for s in graph.subjects(AK.sourcePath, Literal(path))
        if {AK.Measure, AK.Requirement, AK.Instrument} & set(graph.objects(s, RDF.type))
    }
    return item


def test_at_least_twelve_named_queries_with_headers():
    # the law queries come with the linking issue; the rest are here
    assert len(NAMED) >= 11
    for q in NAMED.values():
        assert q.title["nl"] and q.title["en"] and q.description["nl"], q.name


def test_measures_for_requirement(graph, files):
    scanned, _ = files
    for req in scanned["requirement"]:
        expected = {m.path for m in scanned["measure"] if req.slug in m.fields.get("vereiste", [])}
        subject = item_at(graph, req.path)
        rows = run(graph, "measures-for-requirement", requirement=str(subject))
        assert paths(graph, rows, "measure") == expected, req.path


def test_requirements_for_measure(graph, files):
    scanned, _ = files
    requirement_paths = {r.slug: r.path for r in scanned["requirement"]}
    for measure in scanned["measure"]:
        expected = {
            requirement_paths[s]
            for s in measure.fields.get("vereiste", [])
            if s in requirement_paths
        }
        subject = item_at(graph, measure.path)
        rows = run(graph, "requirements-for-measure", measure=str(subject))
        assert paths(graph, rows, "requirement") == expected, measure.path


def test_measures_per_phase_and_role(graph, files):
    scanned, _ = files
    phases = {p for m in scanned["measure"] for p in m.fields.get("levenscyclus", [])}
    roles = {r for m in scanned["measure"] for r in m.fields.get("rollen", [])}
    for phase in sorted(phases):
        for role in sorted(roles):
            expected = {
                m.path
                for m in scanned["measure"]
                if phase in m.fields.get("levenscyclus", []) and role in m.fields.get("rollen", [])
            }
            rows = run(
                graph,
                "measures-per-phase-and-role",
                phase=str(iris.concept("levenscyclus", phase)),
                role=str(iris.concept("rollen", role)),
            )
            assert paths(graph, rows, "measure") == expected, (phase, role)
    every = run(graph, "measures-per-phase-and-role", phase="", role="")
    assert len(every) == sum(
        len(m.fields.get("levenscyclus", [])) * len(m.fields.get("rollen", []))
        for m in scanned["measure"]
    )


def test_instruments_for_measure(graph, files):
    scanned, _ = files
    measure_paths = {m.slug: m.path for m in scanned["measure"]}
    expected = defaultdict(set)
    for instrument in scanned["instrument"]:
        for slug in instrument.fields.get("maatregel", []):
            if slug in measure_paths:
                expected[measure_paths[slug]].add(instrument.path)
    assert expected, "v2.5.1 links instruments to measures"
    for measure in scanned["measure"]:
        subject = item_at(graph, measure.path)
        rows = run(graph, "instruments-for-measure", measure=str(subject))
        assert paths(graph, rows, "instrument") == expected[measure.path], measure.path


def test_requirements_per_topic(graph, files, latest_path):
    scanned, _ = files
    topics = {p.stem for p in (latest_path / "docs/onderwerpen").glob("*.md")} - {"index"}
    for topic in sorted(topics):
        expected = {
            r.path for r in scanned["requirement"] if topic in r.fields.get("onderwerp", [])
        }
        rows = run(graph, "requirements-per-topic", topic=str(iris.concept("onderwerp", topic)))
        assert paths(graph, rows, "requirement") == expected, topic


def test_measures_without_requirement(graph, files):
    scanned, _ = files
    requirement_slugs = {r.slug for r in scanned["requirement"]}
    expected = {
        m.path
        for m in scanned["measure"]
        if not requirement_slugs & set(m.fields.get("vereiste", []))
    }
    assert expected
    assert paths(graph, run(graph, "measures-without-requirement"), "measure") == expected


def test_requirements_without_measure(graph, files):
    scanned, _ = files
    cited = {s for m in scanned["measure"] for s in m.fields.get("vereiste", [])}
    expected = {r.path for r in scanned["requirement"] if r.slug not in cited}
    assert paths(graph, run(graph, "requirements-without-measure"), "requirement") == expected


def test_glossary(graph, latest_path):
    rows = run(graph, "glossary")
    assert sorted(r["label"] for r in rows) == sorted(glossary_terms(latest_path))
    assert all(r.get("definition") for r in rows)


def test_items_per_audit_criterion(graph, files):
    scanned, _ = files
    expected = {
        (f"{framework.upper()} {code}", m.path)
        for m in scanned["measure"]
        for framework, code in m.sources
    }
    rows = run(graph, "items-per-audit-criterion")
    found = {
        (
            f"{iris.parse(r['criterion']).namespace.upper()} {r['code']}",
            str(graph.value(URIRef(r["item"]), AK.sourcePath)),
        )
        for r in rows
    }
    assert found == expected
    ark_210 = run(graph, "items-per-audit-criterion", criterion=str(iris.concept("ark", "2.10")))
    assert {r["code"] for r in ark_210} == {"2.10"}


def test_unresolved_references(graph, files):
    scanned, _ = files
    slugs = {kind: {f.slug for f in fs} for kind, fs in scanned.items()}
    target = {"vereiste": "requirement", "maatregel": "measure"}
    expected = {
        (f.path, field, value)
        for fs in scanned.values()
        for f in fs
        for field, kind in target.items()
        for value in f.fields.get(field, [])
        if value and value not in slugs[kind]
    }
    assert expected
    rows = run(graph, "unresolved-references")
    assert {(r["file"], r["field"], r["reference"]) for r in rows} == expected


def test_instruments_per_category(graph, files):
    scanned, _ = files
    rows = run(graph, "instruments-per-category")
    assert paths(graph, rows, "instrument") == {i.path for i in scanned["instrument"]}
    measure_slugs = {m.slug for m in scanned["measure"]}
    for row in rows:
        instrument = str(graph.value(URIRef(row["instrument"]), AK.sourcePath))
        scanned_file = next(i for i in scanned["instrument"] if i.path == instrument)
        linked = {s for s in scanned_file.fields.get("maatregel", []) if s in measure_slugs}
        assert int(row["measures"]) == len(linked), instrument


def test_query_names_are_file_names():
    for name in NAMED:
        assert re.fullmatch(r"[a-z0-9-]+", name), name
