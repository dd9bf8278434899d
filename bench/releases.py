"""Benchmark several releases in one graph (issue 8).

Usage: python bench/releases.py [--corpus DIR] [--copies N] [--write docs/benchmarks.md]

In one run: ``akgraph build`` of the three shared releases into one TriG file (fresh process,
target under 5 s) and the same in-process; then a synthetic scale-up: the newest release built
again under ``--copies`` made-up tags (as many releases as the framework has had), history and
store load timed, and a query mix run against the default graph (the newest release) and across
every release graph. A fresh Python that only imports akgraph is the yardstick.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import build as build_bench  # bench/build.py (this folder is on the path when run from it)
import record  # bench/record.py (this folder is on the path when run from it)
from pyoxigraph import NamedNode

from akgraph import queries, store
from akgraph.graph import build, build_releases, to_store
from akgraph.source.reader import Release

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("AKGRAPH_CORPUS", ROOT.parent / "shared" / "corpus"))
TAGS = ["v2.0", "v2.2.0", "v2.5.1"]
ACROSS = [
    # what each URN named in every release
    "PREFIX ak: <https://w3id.org/algoritmekader/def#> "
    "SELECT ?urn (COUNT(?v) AS ?n) WHERE { ?v ak:versionOf ?urn } GROUP BY ?urn",
    # titles of one URN in every release graph
    "PREFIX dct: <http://purl.org/dc/terms/> "
    "SELECT ?g ?t WHERE { GRAPH ?g { <urn:nl:ak:mtr:dat-12> dct:title ?t } }",
    # measures per release
    "PREFIX ak: <https://w3id.org/algoritmekader/def#> "
    "SELECT ?g (COUNT(?m) AS ?n) WHERE { GRAPH ?g { ?m a ak:Measure } } GROUP BY ?g",
]


def seconds(command: list[str], runs: int) -> float:
    """Median wall-clock seconds of fresh runs (exit 1: converted, with a file it skipped)."""
    return statistics.median(build_bench.timed(command, runs, ok=(0, 1)))


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def run(corpus: Path, copies: int = 29, runs: int = 3) -> dict:
    """Time three releases and the scale-up; the figures and the Markdown section (``text``)."""
    sources = [str(corpus / f"algoritmekader-{t}") for t in TAGS]
    akgraph = str(Path(sys.executable).parent / "akgraph")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "all.trig")
        three = seconds([akgraph, "build", *sources, "-o", out], runs)
        rows.append(("`akgraph build` v2.0 v2.2.0 v2.5.1 `-o all.trig`, fresh process "
                     "(target < 5 s)", three))  # fmt: skip
        # validate reads one source or one graph file: the TriG file just written
        try:
            validate_three = seconds([akgraph, "validate", out], runs)
        except SystemExit as exc:  # reported, not fatal: the other rows still count
            print(exc, file=sys.stderr)
            validate_three = float("nan")
        rows.append(("`akgraph validate all.trig` (three releases), fresh process", validate_three))
    yardstick = seconds([sys.executable, "-c", "import akgraph.graph"], runs)
    rows.append(("yardstick: fresh Python importing akgraph", yardstick))
    _, in_process = timed(lambda: build_releases([build(s) for s in sources]))
    rows.append(("in-process: build three releases with history", in_process))

    newest = sources[-1]
    builds, scale_build = timed(
        lambda: [
            build(newest, Release(tag=f"synthetic-{n:02d}", date=f"2026-01-{1 + n % 28:02d}"))
            for n in range(copies)
        ]
    )
    releases, scale_history = timed(lambda: build_releases(builds))
    loaded, scale_load = timed(lambda: to_store(releases))
    triples = len(loaded)
    graphs = store.default_graphs(loaded)  # None for one release: the union, as served
    dataset = (
        {"default_graph": [NamedNode(g) for g in graphs]}
        if graphs
        else {"use_default_graph_as_union": True}
    )
    mix = [q.bind() for q in queries.read_folder().values()]
    start = time.perf_counter()
    for text in mix:
        list(loaded.query(text, **dataset))
    newest_mix = time.perf_counter() - start
    start = time.perf_counter()
    for text in ACROSS:
        list(loaded.query(text, use_default_graph_as_union=True))
    across = time.perf_counter() - start
    rows += [
        (f"scale-up: build {copies} releases of v2.5.1's size", scale_build),
        ("scale-up: order them and compute the history", scale_history),
        (f"scale-up: load {triples} quads into pyoxigraph", scale_load),
        (f"scale-up: {len(mix)} named queries on the default graph (newest release)", newest_mix),
        (f"scale-up: {len(ACROSS)} queries across every release graph", across),
    ]
    lines = [
        f"### Several releases ({time.strftime('%Y-%m-%d %H:%M')})",
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}; fresh-process "
        f"rows are medians of {runs} runs. Command: `{record.command()}`.",
        "",
        "| what | seconds |",
        "| --- | --- |",
        *(f"| {name} | {value:.3f} |" for name, value in rows),
        "",
        f"Three releases / yardstick: {three / yardstick:.1f} times.",
        "",
    ]
    return {
        "three": three,
        "validate_three": validate_three,
        "yardstick": yardstick,
        "rows": rows,
        "text": "\n".join(lines),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(CORPUS))
    parser.add_argument("--copies", type=int, default=29)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", help="append the results as Markdown to this file")
    args = parser.parse_args()
    text = run(Path(args.corpus), args.copies, args.runs)["text"]
    print(text)
    record.append(args.write, text)


if __name__ == "__main__":
    main()
