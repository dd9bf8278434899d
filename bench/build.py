"""Benchmark ``akgraph build`` and ``akgraph validate`` on a real release.

Usage: python bench/build.py [SOURCE] [--runs N] [--write docs/benchmarks.md]

Times, in one run on this machine: the whole command as a user runs it (fresh process:
imports, read, convert, write Turtle), and the in-process stages (read, map, serialize).
As a yardstick measured in the same run it also times a fresh Python process that only
reads every Markdown file and parses its frontmatter with PyYAML, so the figure can be read
as a ratio where the machine is noisy.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import record  # bench/record.py (this folder is on the path when run from it)

from akgraph import resources
from akgraph.graph import serialize
from akgraph.mapping import to_graph
from akgraph.source.reader import read_checkout
from akgraph.validate import validate

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = Path(os.environ.get("AKGRAPH_CORPUS", ROOT.parent / "shared" / "corpus"))
YARDSTICK = """
import pathlib, sys, yaml
for p in pathlib.Path(sys.argv[1], "docs").rglob("*.md"):
    text = p.read_text(encoding="utf-8", errors="replace")
    if text.startswith("---"):
        try:
            yaml.safe_load(text.split("---", 2)[1])
        except yaml.YAMLError:
            pass
"""


def timed(command: list[str], runs: int, ok: tuple[int, ...] = (0,)) -> list[float]:
    """Wall-clock seconds of ``runs`` fresh runs of ``command`` (exit status in ``ok``)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True)
        times.append(time.perf_counter() - start)
        if done.returncode not in ok:
            raise SystemExit(f"{command}: exit {done.returncode}\n{done.stderr.decode()}")
    return times


def stages(source: Path, runs: int) -> dict[str, float]:
    result: dict[str, list[float]] = {
        "read": [],
        "map": [],
        "serialize (Turtle)": [],
        "validate (SHACL, target < 3 s)": [],
    }
    for _ in range(runs):
        t0 = time.perf_counter()
        checkout = read_checkout(source)
        t1 = time.perf_counter()
        mapped = to_graph(checkout, resources.vocabularies())
        t2 = time.perf_counter()
        from akgraph.graph import Build

        built = Build(checkout, mapped.graph, resources.vocabularies())
        serialize(built, "turtle")
        t3 = time.perf_counter()
        validate(built.union())
        t4 = time.perf_counter()
        result["read"].append(t1 - t0)
        result["map"].append(t2 - t1)
        result["serialize (Turtle)"].append(t3 - t2)
        result["validate (SHACL, target < 3 s)"].append(t4 - t3)
    return {k: statistics.median(v) for k, v in result.items()}


def run(source: Path, runs: int = 7) -> dict:
    """Time build and validate of ``source``; the figures and the Markdown section (``text``)."""
    akgraph = str(Path(sys.executable).parent / "akgraph")
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "graph.ttl")
        build_times = timed([akgraph, "build", str(source), "-o", out], runs)
        size = Path(out).stat().st_size
    validate_times = timed([akgraph, "validate", str(source)], runs, ok=(0, 1))
    yard_times = timed([sys.executable, "-c", YARDSTICK, str(source)], runs)
    parts = stages(source, runs)
    build_median, yard_median = statistics.median(build_times), statistics.median(yard_times)
    validate_median = statistics.median(validate_times)
    lines = [
        f"### akgraph build {source.name} ({time.strftime('%Y-%m-%d %H:%M')})",
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{runs} runs each, medians.",
        "",
        "| what | seconds |",
        "| --- | --- |",
        f"| `akgraph build SOURCE -o graph.ttl`, fresh process (target < 1.5 s) "
        f"| {build_median:.3f} (min {min(build_times):.3f}, max {max(build_times):.3f}) |",
        f"| `akgraph validate SOURCE` (build + SHACL), fresh process | {validate_median:.3f} |",
        *(f"| in-process: {name} | {value:.3f} |" for name, value in parts.items()),
        f"| yardstick: fresh Python reading every file + PyYAML frontmatter | {yard_median:.3f} |",
        "",
        f"Ratio build / yardstick: {build_median / yard_median:.1f} times. "
        f"Turtle written: {size} bytes.",
        "",
    ]
    return {
        "build": build_median,
        "validate": validate_median,
        "stages": parts,
        "yardstick": yard_median,
        "text": "\n".join(lines),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", default=str(DEFAULT / "algoritmekader-v2.5.1"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--write", help="append the results as Markdown to this file")
    args = parser.parse_args()
    text = run(Path(args.source), args.runs)["text"]
    print(text)
    record.append(args.write, text)


if __name__ == "__main__":
    main()
