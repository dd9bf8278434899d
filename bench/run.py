"""The benchmark harness of issue 9: every benchmark in one run, one section, one plot.

Usage: .venv/bin/python bench/run.py [--quick] [--write docs/benchmarks.md]
       [--plot docs/benchmarks.png] [--servers akgraph,oxigraph,virtuoso,rdflib-endpoint]

Needs (once): ``.venv/bin/pip install -e '.[bench]'``; Debian's ``wrk`` and Virtuoso
(``virtuoso-opensource-7-bin``) are installed with apt-get when missing and running as root
(Virtuoso is left out, with the reason, where it does not install). The releases are read from
``../shared/corpus`` (``--corpus``, or ``AKGRAPH_CORPUS``).

In one run on this machine, one thing at a time:

1. ``bench/build.py``: build and validate one release (v2.5.1);
2. ``bench/releases.py``: build and validate three releases, and the synthetic scale-up;
3. cold start: seconds from starting ``akgraph serve`` (the sample; v2.5.1) and gunicorn
   ``--preload`` (the README's production setup, v2.5.1) until ``/sparql`` answers a query;
4. ``bench/http_bench.py``: akgraph against Oxigraph server, Virtuoso and rdflib-endpoint on
   the query mix, and akgraph's item pages against a static file.

It prints one Markdown section (appended to ``--write``) with a summary and the ratios to each
peer, and draws throughput and p99 latency per server and concurrency level (``--plot``, a
PNG embedded in the section). ``--quick`` is a short smoke run, not for the record.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build as build_bench  # bench/build.py
import http_bench
import record  # bench/record.py (this folder is on the path when run from it)
import releases as releases_bench

ROOT = http_bench.ROOT
BIN = http_bench.BIN
CORPUS = http_bench.CORPUS
TIMES = http_bench.TIMES
TARGETS = {"oxigraph": 0.8, "rdflib-endpoint": 10.0}  # akgraph / peer on the mix (issue 4)


# -- cold start -----------------------------------------------------------------------------


def first_answer(command: list[str], env: dict[str, str], port: int, limit: float) -> float:
    """Seconds from starting ``command`` until ``/sparql`` on ``port`` answers 200."""
    probe = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": "ASK {}"})
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        env=os.environ | env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while time.perf_counter() - start < limit:
            if process.poll() is not None:
                raise SystemExit(f"{' '.join(command)} exited with {process.returncode}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(probe, timeout=limit) as response,
            ):
                if response.status == 200:
                    return time.perf_counter() - start
            time.sleep(0.02)
        raise SystemExit(f"{' '.join(command)}: no answer within {limit:g} s")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def cold_starts(release: Path, gunicorn: str, query_workers: int, runs: int) -> dict[str, float]:
    """Median cold-start seconds of each way to serve, each started ``runs`` times."""
    akgraph = str(BIN / "akgraph")
    ways = {
        "`akgraph serve` (the bundled sample)": ([akgraph, "serve", "--port", "{port}"], {}),
        f"`akgraph serve {release.name}`": (
            [akgraph, "serve", str(release), "--port", "{port}"],
            {},
        ),
        f"gunicorn --preload {gunicorn}, {release.name} (first query starts its query "
        "processes)": (
            [str(BIN / "gunicorn"), "--preload", *gunicorn.split(), "-b", "127.0.0.1:{port}",
             http_bench.APP],
            {"AKGRAPH_SOURCE": str(release), "AKGRAPH_WORKERS": str(query_workers)},
        ),
    }  # fmt: skip
    found = {}
    for what, (command, env) in ways.items():
        times = []
        for _ in range(runs):
            for attempt in (1, 2, 3):  # a start killed from outside is started again
                port = http_bench.free_port()
                with_port = [part.replace("{port}", str(port)) for part in command]
                try:
                    times.append(first_answer(with_port, env, port, limit=120.0))
                    break
                except SystemExit as exc:
                    print(f"cold start, attempt {attempt}: {exc}", flush=True)
                    if attempt == 3:
                        raise
        found[what] = statistics.median(times)
        print(f"cold start {what}: {found[what]:.2f} s", flush=True)
    return found


# -- plot -----------------------------------------------------------------------------------


def plot(http: dict, path: Path) -> None:
    """Throughput and p99 latency per server and concurrency level, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    levels = sorted(http["levels"])
    fig, (rate_ax, p99_ax) = plt.subplots(1, 2, figsize=(11, 5), dpi=110)
    series = {name: [http["levels"][c][name] for c in levels] for name in http["servers"]}
    if http["pages"]:
        page_levels = http["pages"]["levels"]
        series["akgraph item pages"] = [page_levels[c][0] for c in levels]
        series["static file (akgraph)"] = [page_levels[c][1] for c in levels]
    for name, results in series.items():
        style = "--" if name.startswith(("akgraph item", "static")) else "-"
        width = 2.6 if name == "akgraph" else 1.6
        rates = [r["rate"] for r in results]
        p99s = [r["p99_us"] / 1000 for r in results]
        rate_ax.plot(levels, rates, style, marker="o", linewidth=width, label=name)
        p99_ax.plot(levels, p99s, style, marker="o", linewidth=width, label=name)
        for ax, values, fmt in ((rate_ax, rates, "{:.0f}"), (p99_ax, p99s, "{:.0f}")):
            ax.annotate(fmt.format(values[-1]), (levels[-1], values[-1]), fontsize=8,
                        xytext=(4, 0), textcoords="offset points", va="center")  # fmt: skip
    for ax, title in (
        (rate_ax, "throughput (requests/s, higher is better)"),
        (p99_ax, "p99 latency (ms, lower is better)"),
    ):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks(levels, [str(c) for c in levels])
        ax.set_xlabel("concurrent connections (wrk)")
        ax.set_title(title, fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
    handles, labels = rate_ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8, frameon=False)
    fig.suptitle(
        f"akgraph vs peers on the query mix ({http['graph'].split(',')[0]}, "
        f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d')})",
        fontsize=11,
    )
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    fig.savefig(path)
    plt.close(fig)


# -- the section ----------------------------------------------------------------------------


def demoted(text: str) -> str:
    """A piece's section one heading level down, under the harness's own heading."""
    return "\n".join("#" + line if line.startswith("###") else line for line in text.splitlines())


def ratio_table(http: dict) -> list[str]:
    """Throughput of akgraph and each peer per level, with akgraph / peer."""
    peers = [name for name in http["servers"] if name != "akgraph"]
    out = [
        "| concurrency | akgraph req/s | "
        + " | ".join(f"{p} req/s | akgraph / {p}" for p in peers)
        + " |",
        "| ---: | ---: | " + " | ".join("---: | ---:" for _ in peers) + " |",
    ]
    for level, results in sorted(http["levels"].items()):
        ours = results["akgraph"]["rate"] if "akgraph" in results else None
        cells = []
        for peer in peers:
            theirs = results[peer]["rate"]
            ratio = f"{ours / theirs:.2f}{TIMES}" if ours and theirs else "-"
            cells.append(f"{theirs:.1f} | {ratio}")
        out.append(f"| {level} | {ours or 0:.1f} | " + " | ".join(cells) + " |")
    verdicts = []
    for peer, target in TARGETS.items():
        if peer in peers and "akgraph" in http["servers"]:
            ratios = [r["akgraph"]["rate"] / r[peer]["rate"] for r in http["levels"].values()]
            held = sum(r >= target for r in ratios)
            verdicts.append(
                f"- akgraph ≥ {target:g}{TIMES} {peer}: holds at {held} of {len(ratios)} levels "
                f"(lowest {min(ratios):.2f}{TIMES})"
            )
    return [*out, "", *verdicts]


def section(args, one: dict, three: dict, cold: dict[str, float], http: dict, png: str) -> str:
    """The harness's Markdown section."""
    lines = [
        f"## Harness: every benchmark in one run ({time.strftime('%Y-%m-%d %H:%M')})",
        "",
        f"Command: `{record.command()}`  ",
        f"Machine: {http_bench.machine()}, Python {platform.python_version()}; akgraph "
        f"{http_bench.commit()}. One thing runs at a time; read the figures as ratios "
        "within this run.",
        "",
        "| what | seconds | target |",
        "| --- | ---: | --- |",
        f"| build v2.5.1, fresh process (`akgraph build SOURCE -o graph.ttl`) "
        f"| {one['build']:.2f} | < 1.5 s: {'holds' if one['build'] < 1.5 else 'does not hold'} |",
        f"| validate v2.5.1, fresh process (`akgraph validate SOURCE`: build + SHACL) "
        f"| {one['validate']:.2f} | |",
        f"| validate v2.5.1, SHACL only (in-process) "
        f"| {one['stages']['validate (SHACL, target < 3 s)']:.2f} | < 3 s: "
        f"{'holds' if one['stages']['validate (SHACL, target < 3 s)'] < 3 else 'does not hold'} |",
        f"| build v2.0 + v2.2.0 + v2.5.1 into one TriG, fresh process | {three['three']:.2f} "
        f"| < 5 s: {'holds' if three['three'] < 5 else 'does not hold'} |",
        f"| validate the three releases' TriG, fresh process | {three['validate_three']:.2f} | |",
        *(
            f"| cold start: {what}, until `/sparql` answers | {s:.2f} | |"
            for what, s in cold.items()
        ),
        "",
        f"Cold start: median of {args.cold_runs} starts each; the time from starting the process "
        "to the first 200 answer of `ASK {}` on `/sparql` (probed every 20 ms).",
        "",
        "HTTP mix, throughput (details, latency and memory below):",
        "",
        *ratio_table(http),
        "",
        f"![throughput and p99 latency per server and concurrency level]({png})",
        "",
    ]
    if http["left_out"]:
        lines += [f"Left out: {name}: {why}." for name, why in http["left_out"].items()] + [""]
    for part in (one["text"], three["text"], http["text"]):
        lines += [demoted(part).strip(), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 2)[1]
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--corpus", default=str(CORPUS), help="folder with the releases")
    parser.add_argument("--servers", default="akgraph,oxigraph,virtuoso,rdflib-endpoint")
    parser.add_argument("--gunicorn", default="-w 2 -k gthread --threads 4")
    parser.add_argument("--query-workers", type=int, default=3)
    parser.add_argument("--write", help="append the section to this Markdown file")
    parser.add_argument("--plot", default=str(ROOT / "docs" / "benchmarks.png"))
    args = parser.parse_args()
    corpus = Path(args.corpus)
    release = corpus / "algoritmekader-v2.5.1"
    if not release.is_dir():
        raise SystemExit(f"{release} not found (--corpus or AKGRAPH_CORPUS)")
    quick = (1, 3, 3.0, (1, 8))
    runs, copies, duration, levels = quick if args.quick else (5, 29, 10.0, (1, 8, 32))
    args.cold_runs = 1 if args.quick else 3
    print("== build and validate one release", flush=True)
    one = build_bench.run(release, runs)
    print(f"build {one['build']:.2f} s, validate {one['validate']:.2f} s", flush=True)
    print("== three releases", flush=True)
    three = releases_bench.run(corpus, copies, min(runs, 3))
    print(f"three: build {three['three']:.2f} s, validate {three['validate_three']:.2f} s")
    print("== cold start", flush=True)
    cold = cold_starts(release, args.gunicorn, args.query_workers, args.cold_runs)
    print("== HTTP", flush=True)
    http = http_bench.run(
        str(release),
        duration=duration,
        levels=levels,
        names=tuple(args.servers.split(",")),
        gunicorn=args.gunicorn,
        query_workers=args.query_workers,
        command=f".venv/bin/python bench/run.py {' '.join(sys.argv[1:])}",
    )
    png = Path(args.plot).resolve()
    plot(http, png)
    where = Path(args.write).resolve().parent if args.write else Path.cwd()
    relative = os.path.relpath(png, where)
    text = section(args, one, three, cold, http, relative)
    print(text)
    record.append(args.write, text)


if __name__ == "__main__":
    main()
