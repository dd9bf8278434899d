"""AMT's own pattern against akgraph and against the real task-registry, in one run.

Usage: .venv/bin/python bench/registry_bench.py [--runs 7] [--requests 300] [--write FILE]

Needs ../shared/clients (AMT's client and MinBZK/task-registry), AMT's virtual environment
(``.venv-amt``, made by ``./scripts/test``) and ``.[bench]`` (psutil). The task-registry gets a
virtual environment of its own (``.venv-task-registry``, made here on first use with the
dependencies its pyproject.toml names) and is run with uvicorn from its checkout, serving its
own YAML (requirements and measures converted from Algoritmekader v2.0, and its instruments).
akgraph serves the v2.0 release and the same instruments with the README's production command
(gunicorn, 2 workers); the registry runs with ``uvicorn --workers 2`` so both have two processes.
Both run at once; each is measured while the other idles.

Against each: (1) the index of every collection, ``--requests`` sequential GETs on one
keep-alive connection (p50, p99); (2) AMT's system-card flow, ``get_requirements_and_measures``
for a high-risk provider (the index, then one GET per URN, every record parsed by AMT's
models) and ``fetch_instruments``, each timed inside a fresh AMT process (``--runs`` times,
alternating between the servers, median), as AMT caches records per process; (3) the same
records from both: AMT's repository fetching the requirements and measures of the registry's
own card, so that the data's differences (akgraph's v2.0 requirements link a few more measures,
and it serves the framework's instruments beside the registry's) do not count. AMT opens a new
HTTP client per request, so much of that time is the client's own. Ratios are
akgraph / task-registry: below 1 is faster.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import http_bench as hb  # bench/http_bench.py (this folder is on the path when run from it)
import record  # bench/record.py (this folder is on the path when run from it)

ROOT = hb.ROOT
SHARED = Path(os.environ.get("AKGRAPH_CLIENTS", ROOT.parent / "shared" / "clients"))
TASK_REGISTRY = SHARED / "task-registry"
CORPUS = Path(os.environ.get("AKGRAPH_CORPUS", ROOT.parent / "shared" / "corpus"))
AMT_VENV = Path(os.environ.get("AKGRAPH_AMT_VENV", ROOT / ".venv-amt"))
REGISTRY_VENV = ROOT / ".venv-task-registry"
#: what task-registry's pyproject.toml asks for (poetry's ^ ranges written out)
REGISTRY_PINS = [
    "fastapi>=0.125,<0.126",
    "uvicorn>=0.30.6,<0.31",
    "pyyaml>=6.0.1,<7",
    "pydantic-settings>=2.4,<3",
    "jsonschema>=4.22,<5",
    "prometheus-fastapi-instrumentator>=7.1,<8",
]
COLLECTIONS = ("requirements", "measures", "instruments")
PROFILE = {"type": "AI-systeem", "risk_group": "hoog-risico AI", "role": ["aanbieder"]}


def registry_venv() -> Path:
    python = REGISTRY_VENV / "bin" / "python"
    marker = REGISTRY_VENV / ".pins"
    if marker.exists() and marker.read_text() == "\n".join(REGISTRY_PINS):
        return REGISTRY_VENV
    subprocess.run([sys.executable, "-m", "venv", str(REGISTRY_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *REGISTRY_PINS], check=True)
    marker.write_text("\n".join(REGISTRY_PINS))
    return REGISTRY_VENV


def servers() -> list[hb.Server]:
    uvicorn = registry_venv() / "bin" / "uvicorn"
    command = f"cd {TASK_REGISTRY} && exec {uvicorn} task_registry.server:app --port {{port}}"
    akgraph_env = {
        "AKGRAPH_SOURCE": str(CORPUS / "algoritmekader-v2.0"),
        "AKGRAPH_INSTRUMENTS": str(TASK_REGISTRY / "instruments"),
        "AKGRAPH_WORKERS": "2",
    }
    return [
        hb.Server(
            "akgraph",
            [str(hb.BIN / "gunicorn"), "--preload", *["-w", "2", "-k", "gthread", "--threads", "4"],
             "-b", "127.0.0.1:{port}", hb.APP],
            "/health/live",
            0,
            akgraph_env,
            "gunicorn --preload -w 2 -k gthread --threads 4 (the README's command), v2.0 and "
            "the registry's instruments",
        ),
        hb.Server(
            "task-registry",
            ["sh", "-c", command + " --workers 2 --log-level warning"],
            "/health/live",
            0,
            {"PYTHONPATH": str(TASK_REGISTRY)},
            "uvicorn --workers 2, its own YAML (requirements and measures from v2.0)",
        ),
    ]


def index_latency(server: hb.Server, requests: int) -> dict[str, dict[str, float]]:
    """p50/p99 milliseconds of each collection's index over one keep-alive connection."""
    found = {}
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    for kind in COLLECTIONS:
        times = []
        for i in range(requests + 20):
            start = time.perf_counter()
            connection.request("GET", f"/{kind}/")
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise SystemExit(f"{server.name} /{kind}/: {response.status}")
            if i >= 20:  # the first are warm-up (serialisation, caches)
                times.append((time.perf_counter() - start) * 1000)
        times.sort()
        found[kind] = {
            "p50": statistics.median(times),
            "p99": times[int(len(times) * 0.99) - 1],
            "entries": len(json.loads(body)["entries"]),
        }
    connection.close()
    return found


def amt(server: hb.Server, mode: str, request: object) -> dict:
    """The answer of ``tests/amt_driver.py MODE`` against ``server``, in a fresh AMT process."""
    python = AMT_VENV / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"{python} not found: ./scripts/test makes AMT's virtual environment")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "TASK_REGISTRY_URL": server.base,
        "AMT_CHECKOUT": str(SHARED / "amt"),
        "NO_PROXY": "*",
    }
    done = subprocess.run(
        [str(python), str(ROOT / "tests" / "amt_driver.py"), mode],
        input=json.dumps(request).encode(),
        capture_output=True,
        env=env,
        timeout=600,
    )
    if done.returncode:
        raise SystemExit(f"AMT {mode} against {server.name}: {done.stderr.decode()[-2000:]}")
    return json.loads(done.stdout)


def same_records(registry: hb.Server) -> dict[str, list[str]]:
    """The URNs of the registry's own system card for :data:`PROFILE`, to fetch from both."""
    card = amt(registry, "systemcards", [PROFILE])["cards"][0]
    return {"requirements": card["requirements"], "measures": card["measures"]}


def report(found: dict[str, dict], runs: int, requests: int, ran: list[hb.Server]) -> str:
    ours, theirs = found["akgraph"], found["task-registry"]
    lines = [
        "## AMT's system-card flow: akgraph and the real task-registry",
        "",
        f"`bench/registry_bench.py --runs {runs} --requests {requests}`, {hb.machine()}, "
        f"akgraph {hb.commit()}, {time.strftime('%Y-%m-%d')}. Both serve the same data, one "
        "beside the other, each measured while the other idles:",
        "",
        *(f"- **{s.name}**: {s.describe}" for s in ran),
        "",
        "| measure | akgraph | task-registry | ratio |",
        "|---|---|---|---|",
    ]
    for kind in COLLECTIONS:
        for stat in ("p50", "p99"):
            a, b = ours["index"][kind][stat], theirs["index"][kind][stat]
            lines.append(f"| `/{kind}/` index {stat} (ms) | {a:.2f} | {b:.2f} | {a / b:.2f} |")
    same = f"the registry's card, {ours['amt']['parsed']} records, fetched (s)"
    for what, key in (
        ("system card (s)", "systemcard"),
        ("all instruments (s)", "instruments"),
        (same, "same"),
    ):
        a, b = ours["amt"][key], theirs["amt"][key]
        lines.append(f"| AMT {what}, median | {a:.3f} | {b:.3f} | {a / b:.2f} |")
    counts = "; ".join(
        f"{name}: {', '.join(str(c) for c in found[name]['amt']['counts'])}" for name in found
    )
    lines += [
        "",
        f"Records AMT fetched (requirements, measures, instruments): {counts}. Targets: index "
        f"p50 ≤ 2 ms (akgraph: {max(ours['index'][k]['p50'] for k in COLLECTIONS):.2f} ms at "
        "most); AMT's flow not slower than against the registry (ratio ≤ 1).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--write", help="append the results as Markdown to this file")
    args = parser.parse_args()
    ran = servers()
    with tempfile.TemporaryDirectory() as work:
        try:
            for server in ran:
                server.start(Path(work))
            found = {s.name: {"index": index_latency(s, args.requests)} for s in ran}
            urns = same_records(ran[1])
            flows: dict[str, list[dict]] = {s.name: [] for s in ran}
            for _ in range(args.runs):  # alternating, so a change in the machine's load hits both
                for server in ran:
                    flow = amt(server, "timed", PROFILE)
                    fetched = amt(server, "fetch", urns)
                    flows[server.name].append(flow | {"same": fetched["seconds"]} | fetched)
            for name, runs in flows.items():
                found[name]["amt"] = {
                    key: statistics.median(r[key] for r in runs)
                    for key in ("systemcard", "instruments", "same")
                } | {"counts": runs[0]["counts"], "parsed": runs[0]["parsed"]}
                if any(r["parsed"] != sum(map(len, urns.values())) for r in runs):
                    raise SystemExit(f"{name}: AMT did not parse every record of the card")
        finally:
            for server in ran:
                server.stop()
    text = report(found, args.runs, args.requests, ran)
    print(text)
    record.append(args.write, text)


if __name__ == "__main__":
    main()
