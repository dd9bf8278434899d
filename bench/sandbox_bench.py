"""Sandboxed akgraph against Oxigraph server on 1, 7 and 29 releases (issue 13).

Usage: .venv/bin/python bench/sandbox_bench.py [--releases 1,7,29] [--duration S]
       [--cold 20] [--write docs/benchmarks.md]

In one run, for each number of releases: the newest shared release (v2.5.1) built under that
many tags (one release: as it is; more: synthetic tags, with history) and written to one N-Quads
file; then, one server at a time on loopback, each loading that file:

* akgraph with the README's production command (gunicorn --preload -w 2 -k gthread
  --threads 16 --limit-request-line 0, 3 query processes per gunicorn worker);
* Oxigraph server: ``oxigraph load`` then ``oxigraph serve``, with the same default graph as
  akgraph (the union for one release; the newest release, the vocabularies and the history,
  as ``default-graph-uri``, for several).

Measured per server: ready time (start until the first answer; Oxigraph's includes its load),
the latency of each query of bench/http_bench.py's mix on never-seen texts (a unique comment
appended; the median of ``--cold`` first requests), throughput with wrk at each concurrency
(the mix in rotation, as http_bench.py sends it), and the peak PSS of the server's process tree
during wrk (shared pages split between the processes).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

import http_bench as hb  # bench/http_bench.py (this folder is on the path when run from it)
import psutil
import record  # bench/record.py (this folder is on the path when run from it)

from akgraph import graph, store
from akgraph.source.reader import Release

README_GUNICORN = "-w 2 -k gthread --threads 16 --limit-request-line 0"
TARGET_PSS, TARGET_RATE, TARGET_COLD, TARGET_READY = 1.5, 1.0, 1.3, 1.5


def graph_file(releases: int, folder: Path) -> tuple[Path, list[str] | None]:
    """The N-Quads file of ``releases`` releases and the default graph akgraph uses."""
    newest = hb.CORPUS / "algoritmekader-v2.5.1"
    if releases == 1:
        built = graph.build(newest)
    else:
        builds = [
            graph.build(newest, Release(tag=f"synthetic-{n:02d}", date=f"2026-01-{1 + n:02d}"))
            for n in range(releases)
        ]
        built = graph.build_releases(builds)
    path = folder / f"releases-{releases}.nq"
    path.write_bytes(graph.serialize(built, "nquads"))
    return path, store.default_graphs(graph.to_store(path))


def cold(server: hb.Server, mix: list[hb.Request], runs: int) -> dict[str, float]:
    """Median seconds of the first request of ``runs`` never-seen texts of each query."""
    found = {}
    for request in mix:
        times = []
        for _ in range(runs):
            marker = f"\n# cold {uuid.uuid4().hex}\n"
            quoted = hb.urllib.parse.quote(marker)
            if request.body:  # POST form: the query is the body's first parameter
                query, amp, params = request.body.partition("&")
                fresh = replace(request, body=f"{query}{quoted}{amp}{params}")
            else:
                path, _, rest = request.path.partition("?query=")
                query, amp, params = rest.partition("&")
                fresh = replace(request, path=f"{path}?query={query}{quoted}{amp}{params}")
            status, _, seconds = hb.fetch(server.base, fresh)
            if status != 200:
                raise SystemExit(f"{server.name} {request.name}: HTTP {status}")
            times.append(seconds)
        found[request.name] = statistics.median(times)
    return found


#: A request of each server that runs no query, and its status: the cost of the HTTP path
#: alone (Oxigraph's smallest answer is a 404; its ``/`` is the query editor's page).
EMPTY = {"akgraph": ("/health/live", 200), "oxigraph": ("/no-such-path", 404)}


def floor(server: hb.Server, runs: int) -> float:
    """Median seconds of ``runs`` requests that run no query, each on a new connection."""
    path, expected = EMPTY[server.name]
    request = hb.Request("empty", path, "*/*")
    times = []
    for _ in range(runs):
        status, _, seconds = hb.fetch(server.base, request)
        if status != expected:
            raise SystemExit(f"{server.name} {request.path}: HTTP {status}")
        times.append(seconds)
    return statistics.median(times)


def roles(server: hb.Server) -> dict[str, tuple[int, int]]:
    """PSS bytes and number of processes of each kind in the server's process tree, idle."""
    found: dict[str, tuple[int, int]] = {}
    tree = server.tree()
    pids = {proc.pid for proc in tree}
    for proc in tree:
        try:
            line = " ".join(proc.cmdline())
            parent = proc.ppid()
            pss = proc.memory_full_info().pss
            parent_line = " ".join(psutil.Process(parent).cmdline()) if parent in pids else ""
        except psutil.Error:
            continue
        if proc.pid == server.process.pid:
            role = "main process"
        elif "forkserver" in parent_line:  # forked by the forkserver (same command line)
            role = "query or pages process"
        elif "forkserver" in line:
            role = "forkserver"
        elif "resource_tracker" in line:
            role = "resource tracker"
        else:
            role = "web worker"
        total, count = found.get(role, (0, 0))
        found[role] = (total + pss, count + 1)
    return found


def measure(server: hb.Server, texts, levels, duration: float, runs: int, work: Path) -> dict:
    mix = hb.sparql_mix(server.endpoint, texts, server.params)
    result = {"cold": cold(server, mix, runs), "floor": floor(server, runs), "levels": {}}
    result["roles"] = roles(server)
    hb.wrk(server.base, mix, max(levels), min(3.0, duration), work)  # warm-up
    for connections in levels:
        result["levels"][connections] = hb.measured(server, mix, connections, duration, work)
        r = result["levels"][connections]
        print(f"  {server.name} c={connections}: {r['rate']:.0f}/s, PSS "
              f"{r['peak_pss'] / 2**20:.0f} MiB, errors {r['errors']}", flush=True)  # fmt: skip
    return result


def run_scale(releases: int, levels, duration: float, runs: int, work: Path) -> dict:
    path, default = graph_file(releases, work)
    texts = hb.mix_texts()
    found: dict = {"quads": sum(1 for _ in path.open("rb"))}
    for name in ("akgraph", "oxigraph"):
        (work / name).mkdir(exist_ok=True)
        start = time.perf_counter()
        (server,) = hb.servers([name], path, work / name, README_GUNICORN, 3)
        if name == "oxigraph" and default:
            server.command = [c for c in server.command if c != "--union-default-graph"]
            server.params = hb.urllib.parse.urlencode([("default-graph-uri", g) for g in default])
        server.start(work / name)
        ready = time.perf_counter() - start
        print(f"{releases} releases, {name}: ready in {ready:.1f} s", flush=True)
        try:
            found[name] = measure(server, texts, levels, duration, runs, work / name)
        finally:
            server.stop()
        found[name]["ready"] = ready
    return found


def report(results: dict, levels, duration: float, runs: int) -> str:
    lines = [
        f"### Sandboxed akgraph against Oxigraph server ({time.strftime('%Y-%m-%d %H:%M')})",
        "",
        f"Command: `{record.command()}`  ",
        f"Machine: {hb.machine()}, Python {sys.version.split()[0]}.  ",
        f"Versions: akgraph {hb.commit()}, pyoxigraph {hb.version('pyoxigraph')}, oxigraph "
        f"{hb.version('oxigraph')}, gunicorn {hb.version('gunicorn')}.  ",
        f"akgraph: `gunicorn --preload {README_GUNICORN}`, AKGRAPH_WORKERS=3 (the README's "
        "command). Oxigraph: `oxigraph load` + `oxigraph serve`, same default graph. Cold: "
        f"median of {runs} never-seen texts per query. wrk: {duration:g} s per level, the mix "
        "in rotation (repeated texts: akgraph answers those from its cache).",
        "",
        "| releases | quads | ready s akgraph / oxigraph | ratio (target ≤ 1.5×) |",  # noqa: RUF001
        "| ---: | ---: | ---: | ---: |",
    ]
    for n, r in results.items():
        a, o = r["akgraph"]["ready"], r["oxigraph"]["ready"]
        lines.append(f"| {n} | {r['quads']} | {a:.1f} / {o:.1f} | {a / o:.2f}{hb.TIMES} |")
    lines += ["", "Throughput and memory (peak PSS of the process tree during wrk):", "",
              "| releases | c | akgraph req/s | oxigraph req/s | ratio (≥ 1.0×) | "  # noqa: RUF001
              "akgraph PSS MiB | oxigraph PSS MiB | ratio (≤ 1.5×) | errors |",  # noqa: RUF001
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]  # fmt: skip
    for n, r in results.items():
        for c in levels:
            a, o = r["akgraph"]["levels"][c], r["oxigraph"]["levels"][c]
            lines.append(
                f"| {n} | {c} | {a['rate']:.0f} | {o['rate']:.0f} | "
                f"{a['rate'] / o['rate']:.2f}{hb.TIMES} | {a['peak_pss'] / 2**20:.0f} | "
                f"{o['peak_pss'] / 2**20:.0f} | {a['peak_pss'] / o['peak_pss']:.2f}{hb.TIMES} | "
                f"{a['errors']} / {o['errors']} |"
            )
    for n, r in results.items():
        lines += ["", f"Never-seen query texts, {n} release(s) (ms; target ≤ 1.3×):", "",  # noqa: RUF001
                  "| query | akgraph | oxigraph | ratio |",
                  "| --- | ---: | ---: | ---: |"]  # fmt: skip
        worst = 0.0
        for name, seconds in r["akgraph"]["cold"].items():
            theirs = r["oxigraph"]["cold"][name]
            worst = max(worst, seconds / theirs)
            lines.append(
                f"| {name} | {seconds * 1000:.1f} | {theirs * 1000:.1f} | "
                f"{seconds / theirs:.2f}{hb.TIMES} |"
            )
        lines.append(f"\nWorst ratio: **{worst:.2f}{hb.TIMES}**.")
        empty, smallest = r["akgraph"]["floor"], min(r["oxigraph"]["cold"].values())
        lines.append(
            f"\nA request that runs no query, on a new connection (median of {runs}): akgraph "
            f"`{EMPTY['akgraph'][0]}` {empty * 1000:.2f} ms, Oxigraph "
            f"`{EMPTY['oxigraph'][0]}` (404) "
            f"{r['oxigraph']['floor'] * 1000:.2f} ms. akgraph's empty request alone is "
            f"{empty / smallest:.2f}{hb.TIMES} Oxigraph's fastest never-seen query "
            f"({smallest * 1000:.2f} ms)."
        )
    for n, r in results.items():
        theirs = sum(pss for pss, _ in r["oxigraph"]["roles"].values())
        lines += ["", f"PSS by process after the never-seen texts, idle, {n} release(s):", "",
                  "| server | process | count | PSS MiB | x Oxigraph's total |",
                  "| --- | --- | ---: | ---: | ---: |"]  # fmt: skip
        for name in ("akgraph", "oxigraph"):
            for role, (pss, count) in sorted(r[name]["roles"].items()):
                lines.append(
                    f"| {name} | {role} | {count} | {pss / 2**20:.0f} | "
                    f"{pss / theirs:.2f}{hb.TIMES} |"
                )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", default="1,7,29", help="release counts (1,7,29)")
    parser.add_argument("--concurrency", default="1,8,32", help="wrk connections (1,8,32)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per level (5)")
    parser.add_argument("--cold", type=int, default=20, help="never-seen texts per query (20)")
    parser.add_argument("--write", help="append the results as Markdown to this file")
    args = parser.parse_args()
    hb.ensure_wrk()
    levels = [int(c) for c in args.concurrency.split(",")]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.releases.split(",")):
            work = Path(tmp) / f"r{n}"
            work.mkdir()
            results[n] = run_scale(n, levels, args.duration, args.cold, work)
    text = report(results, levels, args.duration, args.cold)
    print(text)
    record.append(args.write, text)


if __name__ == "__main__":
    main()
