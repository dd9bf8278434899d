"""docs/linking.md: its Turtle and JSON-LD examples parse, say the same, and every akgraph, ELI
and wetten.overheid.nl IRI they link to exists in the v2.5.1 graph."""

from __future__ import annotations

import json
import re

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from akgraph import resources
from tests.conftest import REPO

GUIDE = REPO / "docs" / "linking.md"
OURS = ("urn:nl:ak:", "http://data.europa.eu/eli/", "https://wetten.overheid.nl/", "jci1.3:")


def _blocks(language: str) -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.M | re.S)


@pytest.fixture(scope="module")
def examples() -> tuple[Graph, Graph]:
    (turtle,) = _blocks("turtle")
    (as_json,) = _blocks("json")
    from_turtle = Graph().parse(data=turtle, format="turtle")
    document = json.loads(as_json)
    assert document["@context"].endswith("context.jsonld")
    document["@context"] = resources.jsonld_context()["@context"]
    from_json = Graph().parse(data=json.dumps(document), format="json-ld")
    return from_turtle, from_json


def test_examples_parse_and_agree(examples):
    from_turtle, from_json = examples
    assert len(from_turtle) >= 8
    assert isomorphic(from_turtle, from_json)


def test_linked_iris_exist_in_the_release(examples, latest_build):
    from_turtle, _ = examples
    linked = {o for o in from_turtle.objects() if isinstance(o, URIRef) and str(o).startswith(OURS)}
    assert any(str(o).startswith("urn:nl:ak:") for o in linked)
    assert any(str(o).startswith("http://data.europa.eu/eli/") for o in linked)
    assert any(str(o).startswith("jci1.3:") for o in linked)
    missing = [str(o) for o in linked if (o, None, None) not in latest_build.data]
    assert missing == []


def test_example_query_joins(examples, latest_build):
    from_turtle, _ = examples
    (query,) = _blocks("sparql")
    graph = latest_build.union()
    graph += from_turtle
    rows = list(graph.query(query))
    assert rows
    assert {str(r.measure) for r in rows} <= {
        str(o) for o in from_turtle.objects() if str(o).startswith("urn:nl:ak:mtr:")
    }
