"""Named queries: headers read, parameters bound as SPARQL terms, bad values refused."""

from __future__ import annotations

import pytest
from rdflib import Graph

from akgraph import queries

QUERY = """# title: Proef
# title@en: Test
# description: Alles over één ding.
# param: thing (iri): het ding
# param: label (string): een label
SELECT * WHERE {
  VALUES ?thing { <urn:nl:ak:mtr:org-02> }
  VALUES ?label { UNDEF }
  ?thing ?p ?label .
}
"""


def test_header_and_defaults():
    q = queries.from_text("proef", QUERY)
    assert q.title == {"nl": "Proef", "en": "Test"}
    assert q.description == {"nl": "Alles over één ding."}
    assert [(p.name, p.type, p.default) for p in q.parameters] == [
        ("thing", "iri", "urn:nl:ak:mtr:org-02"),
        ("label", "string", None),
    ]


def test_bind_swaps_the_values_block_only():
    q = queries.from_text("proef", QUERY)
    text = q.bind({"thing": "urn:nl:ak:ver:aia-09", "label": 'een "gequote" tekst'})
    assert "VALUES ?thing { <urn:nl:ak:ver:aia-09> }" in text
    assert 'VALUES ?label { "een \\"gequote\\" tekst" }' in text
    assert "org-02" not in text.split("SELECT", 1)[1]
    Graph().query(text)  # still a valid query


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"thing": "x> } ?s ?p ?o {"}, "is not an IRI"),
        ({"nope": "1"}, "unknown parameter"),
    ],
)
def test_bad_values_are_refused(values, message):
    with pytest.raises(queries.NamedQueryError, match=message):
        queries.from_text("proef", QUERY).bind(values)


def test_parameter_without_values_block_is_an_error():
    with pytest.raises(queries.NamedQueryError, match="exactly one"):
        queries.from_text("kapot", "# title: Kapot\n# param: x (iri): x\nSELECT * { ?x ?p ?o }\n")


def test_shipped_queries_parse_and_run(sample_build):
    graph = sample_build.union()
    shipped = queries.read_folder()
    assert shipped
    for name, q in shipped.items():
        assert q.title.get("nl") and q.title.get("en"), name
        graph.query(q.bind())
