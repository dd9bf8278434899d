"""Every output format, written by pyoxigraph (JSON-LD by rdflib), read back by rdflib's own
parsers and by akgraph's loader: the same graph."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from akgraph.graph import FORMATS, QUAD_FORMATS, load, serialize


@pytest.mark.parametrize("extension", sorted(FORMATS))
def test_written_graph_is_isomorphic_read_by_rdflib_and_by_load(sample_build, tmp_path, extension):
    fmt = FORMATS[extension]
    path = tmp_path / f"graph{extension}"
    path.write_bytes(serialize(sample_build, fmt))
    by_rdflib = Dataset()
    by_rdflib.parse(path, format=fmt)
    loaded = load(path)
    if fmt in QUAD_FORMATS:
        for name, graph in sample_build.named_graphs():
            assert isomorphic(by_rdflib.graph(name), graph), name
            assert isomorphic(loaded.graph(name), graph), name
    else:
        for dataset in (by_rdflib, loaded):
            union = Graph()
            for graph in dataset.graphs():
                union += graph
            assert isomorphic(union, sample_build.union())


def test_turtle_declares_only_the_prefixes_it_uses(sample_build):
    text = serialize(sample_build, "turtle").decode()
    declared = [line.split()[1] for line in text.splitlines() if line.startswith("@prefix")]
    assert "ak:" in declared and "brick:" not in declared  # rdflib binds brick: by default
    for prefix in declared:
        assert text.count(prefix) > 1 or prefix == "rdf:", prefix  # rdf:type is written "a"
