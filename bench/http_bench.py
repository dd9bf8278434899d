"""HTTP benchmark: akgraph's /sparql against Oxigraph server and rdflib-endpoint, and its pages.

Usage: .venv/bin/python bench/http_bench.py [SOURCE] [--duration S] [--concurrency 1,8,32]
       [--servers akgraph,oxigraph,rdflib-endpoint] [--gunicorn "-w 2 -k gthread --threads 4"]
       [--query-workers 3] [--write FILE]

Needs (once): ``.venv/bin/pip install -e '.[bench]'`` (Oxigraph server, rdflib-endpoint,
psutil) and Debian's ``wrk`` (installed with apt-get when missing and running as root).

In one run on this machine it builds SOURCE (default: v2.5.1) once to an N-Quads file, then
starts each server in turn on a free loopback port, each loading that file, so they never
compete for the cores:

* akgraph: gunicorn with the app factory (``--preload``, embedded store);
* Oxigraph server: ``oxigraph load`` then ``oxigraph serve --union-default-graph``;
* rdflib-endpoint: ``rdflib-endpoint serve`` (an rdflib Dataset with a union default graph).

Against each: every request of the mix once in sequence (latency per request, and the answers'
sizes compared across servers), then wrk with ``bench/rotate.lua`` sending the mix in rotation
at each concurrency level for ``--duration`` seconds: throughput, p50/p99 latency, errors,
peak memory of the server's process tree and the CPU time of server and client. The mix is
the named queries of ``queries/`` with their defaults plus item lookups (DESCRIBE and
CONSTRUCT of single items). On akgraph it then times the HTML item pages ``/doc/{urn}`` of
every measure and requirement against the static file ``/static/akgraph.css`` (issue 5).
Every run is bounded: wrk stops after ``--duration``; servers are stopped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import psutil
import record  # bench/record.py (this folder is on the path when run from it)

from akgraph import queries
from akgraph.store import querytext

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LUA = Path(__file__).resolve().parent / "rotate.lua"
CORPUS = Path(os.environ.get("AKGRAPH_CORPUS", ROOT.parent / "shared" / "corpus"))
SELECT_TYPE = "application/sparql-results+json"
GRAPH_TYPE = "text/turtle"
HTML = "text/html"
APP = "akgraph.web:create_app()"
FORM = "application/x-www-form-urlencoded"
MAX_GET = 2048  # longer queries are POSTed as a form
#: Items looked up by DESCRIBE and by a CONSTRUCT of their own triples.
ITEMS = ("urn:nl:ak:ver:aia-09", "urn:nl:ak:mtr:org-02", "urn:nl:ak:hlp:iama")
CONSTRUCT = (
    "CONSTRUCT {{ <{0}> ?p ?o . ?s ?q <{0}> }} "
    "WHERE {{ {{ <{0}> ?p ?o }} UNION {{ ?s ?q <{0}> }} }}"
)
PAGES_QUERY = """PREFIX ak: <https://w3id.org/algoritmekader/def#>
SELECT ?item WHERE { VALUES ?class { ak:Measure ak:Requirement } ?item a ?class }
ORDER BY ?item"""
TIMES = "\u00d7"  # the multiplication sign
TARGET_OXIGRAPH, TARGET_RDFLIB, TARGET_PAGE_RATIO, TARGET_PAGES_PER_S = 0.8, 10.0, 3.0, 500.0


@dataclass(frozen=True)
class Request:
    """One HTTP request of a mix (a GET unless ``body``)."""

    name: str
    path: str
    accept: str
    method: str = "GET"
    content_type: str = ""
    body: str = ""

    def line(self) -> str:
        """The request as a line of the file ``rotate.lua`` reads."""
        return "\t".join((self.method, self.path, self.accept, self.content_type, self.body))


def mix_texts() -> list[tuple[str, str]]:
    """Name and text of each query of the mix (read once, so every server gets the same)."""
    texts = [(name, q.bind()) for name, q in queries.read_folder().items()]
    texts += [(f"describe {urn}", f"DESCRIBE <{urn}>") for urn in ITEMS]
    return texts + [(f"construct {urn}", CONSTRUCT.format(urn)) for urn in ITEMS]


def sparql_mix(endpoint: str, texts: list[tuple[str, str]], params: str = "") -> list[Request]:
    """The queries of the mix as GETs on ``endpoint`` (``params``: more encoded parameters)."""
    mix = []
    for name, text in texts:
        graph = querytext.form(text) in ("CONSTRUCT", "DESCRIBE")  # a tool may guess
        accept = GRAPH_TYPE if graph else SELECT_TYPE
        encoded = urllib.parse.urlencode({"query": text}) + (f"&{params}" if params else "")
        if len(endpoint) + len(encoded) < MAX_GET:
            mix.append(Request(name, f"{endpoint}?{encoded}", accept))
        else:  # as clients do with long queries (gunicorn refuses request lines over 4094)
            mix.append(Request(name, endpoint, accept, "POST", FORM, encoded))
    return mix


# -- servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A server started in its own process group, watched for memory and CPU use."""

    name: str
    command: list[str]
    endpoint: str  # path of the SPARQL query endpoint
    port: int
    env: dict[str, str] = field(default_factory=dict)
    describe: str = ""
    params: str = ""  # added to every query's parameters (e.g. the dataset)
    process: subprocess.Popen | None = None
    log: Path | None = None
    _peak: int = 0
    _peak_pss: int = 0
    _cpu: dict[int, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, logdir: Path, ready_timeout: float = 300.0) -> None:
        """Start the server and wait until its endpoint answers a query."""
        self.log = logdir / f"{self.name}.log"
        self.port = free_port()  # now, not earlier: another server's processes may take it
        self.command = [part.replace("{port}", str(self.port)) for part in self.command]
        self.prepare(logdir)
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                self.command,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=os.environ | self.env,
                start_new_session=True,
            )
        threading.Thread(target=self._watch, daemon=True).start()
        probe = self.base + self.endpoint + "?" + urllib.parse.urlencode({"query": "ASK {}"})
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited; see {self.log}:\n{self.log.read_text()}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(probe, timeout=5) as response,
            ):
                if response.status == 200:
                    self.ready()
                    return
            time.sleep(0.25)
        self.stop()
        raise SystemExit(f"{self.name} did not answer within {ready_timeout:g} s; see {self.log}")

    def prepare(self, logdir: Path) -> None:
        """Called once the port is chosen, before the process starts."""

    def ready(self) -> None:
        """Called once the endpoint answers, before any request of the mix."""

    def tree(self) -> list[psutil.Process]:
        try:
            root = psutil.Process(self.process.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def _watch(self) -> None:
        """Every 0.1 s: the RSS of the process tree (summed; peak kept) and its CPU times."""
        while not self._stop.wait(0.1):
            rss = pss = 0
            for proc in self.tree():
                with contextlib.suppress(psutil.Error):
                    memory = proc.memory_full_info()
                    rss, pss = rss + memory.rss, pss + memory.pss
                    times = proc.cpu_times()
                    self._cpu[proc.pid] = times.user + times.system
            self._peak = max(self._peak, rss)
            self._peak_pss = max(self._peak_pss, pss)

    def reset_peak(self) -> None:
        self._peak = self._peak_pss = 0

    @property
    def peak_rss(self) -> int:
        return self._peak

    def cpu_seconds(self) -> float:
        """CPU time used so far by every process of the tree (exited ones included)."""
        return sum(self._cpu.values())

    def settle(self, limit: float = 60.0) -> None:
        """Wait (at most ``limit`` s) until the server stops working off a backlog."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            before = self.cpu_seconds()
            time.sleep(0.5)
            if self.cpu_seconds() - before < 0.05:
                return

    def stop(self) -> None:
        self._stop.set()
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = ., {dir}, {graph_dir}
[HTTPServer]
ServerPort = 127.0.0.1:{port}
ServerRoot = {dir}
ServerThreads = 16
MaxKeepAlives = 64
KeepAliveTimeout = 10
[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 10
"""


@dataclass
class Virtuoso(Server):
    """Virtuoso Open Source (Debian's ``virtuoso-t``): a fresh database in a temporary folder,
    loaded with the bulk loader (``ld_dir``, ``rdf_loader_run``) through ``isql`` once it runs.

    Its default graph is the union of every graph it holds, its own system graphs included,
    so each query names the file's graphs as ``default-graph-uri`` (``params``): the same
    dataset akgraph answers with one release.
    """

    graph: Path = Path()
    sql_port: int = 0
    load_seconds: float = 0.0

    def prepare(self, logdir: Path) -> None:
        folder = logdir / "virtuoso"
        folder.mkdir(exist_ok=True)
        self.sql_port = free_port()
        ini = VIRTUOSO_INI.format(
            dir=folder, sql_port=self.sql_port, port=self.port, graph_dir=self.graph.parent
        )
        (folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
        self.command = ["virtuoso-t", "+foreground", "+configfile", str(folder / "virtuoso.ini")]

    def isql(self, statements: str) -> str:
        done = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statements}"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode or "*** Error" in done.stdout + done.stderr:
            raise SystemExit(f"isql: {statements}\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def ready(self) -> None:
        start = time.perf_counter()
        self.isql(
            f"ld_dir('{self.graph.parent}', '{self.graph.name}', 'urn:x-akgraph:none'); "
            "rdf_loader_run(); checkpoint;"
        )
        state = self.isql("select ll_state, ll_error from DB.DBA.LOAD_LIST;")
        if "NULL" not in state:
            raise SystemExit(f"virtuoso could not load {self.graph}:\n{state}")
        self.load_seconds = time.perf_counter() - start


def graph_names(graph: Path) -> list[str]:
    """The named graphs of an N-Quads file."""
    from pyoxigraph import RdfFormat, parse

    return sorted({q.graph_name.value for q in parse(path=graph, format=RdfFormat.N_QUADS)})


def ensure_virtuoso() -> str:
    """'' when ``virtuoso-t`` and ``isql-vt`` are there (installed with apt-get when root and
    missing), else why not."""
    if shutil.which("virtuoso-t") and shutil.which("isql-vt"):
        return ""
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True)
        # the binaries only: the package virtuoso-opensource would also start a system service
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends",
             "virtuoso-opensource-7-bin"],
            env=env,
            capture_output=True,
        )  # fmt: skip
    if shutil.which("virtuoso-t") and shutil.which("isql-vt"):
        return ""
    return "virtuoso-t/isql-vt not found and apt-get install virtuoso-opensource-7-bin failed"


def servers(names: list[str], graph: Path, work: Path, gunicorn: str, query_workers: int):
    """The servers to run, in order, each loading ``graph``."""
    made = []
    port = 0  # chosen when the server starts; "{port}" in its command
    for name in names:
        if name == "akgraph":
            args = gunicorn.split()
            made.append(
                Server(
                    name,
                    [str(BIN / "gunicorn"), "--preload", *args, "-b", "127.0.0.1:{port}", APP],
                    "/sparql",
                    port,
                    {"AKGRAPH_SOURCE": str(graph), "AKGRAPH_WORKERS": str(query_workers)},
                    f"gunicorn --preload {gunicorn}, {query_workers} query processes per "
                    "gunicorn worker, embedded pyoxigraph store",
                )
            )
        elif name == "oxigraph":
            location = work / "oxigraph"
            load = [str(BIN / "oxigraph"), "load", "--location", str(location), "--file"]
            subprocess.run([*load, str(graph)], check=True, capture_output=True)
            options = ["--bind", "127.0.0.1:{port}", "--union-default-graph", "--timeout-s", "10"]
            made.append(
                Server(
                    name,
                    [str(BIN / "oxigraph"), "serve", "--location", str(location), *options],
                    "/query",
                    port,
                    describe="oxigraph serve --union-default-graph --timeout-s 10 "
                    "(RocksDB store from oxigraph load)",
                )
            )
        elif name == "virtuoso":
            dataset = urllib.parse.urlencode([("default-graph-uri", g) for g in graph_names(graph)])
            made.append(
                Virtuoso(
                    name,
                    [],
                    "/sparql",
                    port,
                    describe="virtuoso-t 7 (Debian), fresh database loaded with ld_dir + "
                    "rdf_loader_run, 16 HTTP threads, 20000 buffers, the file's graphs as "
                    "default-graph-uri",
                    params=dataset,
                    graph=graph,
                )
            )
        elif name == "rdflib-endpoint":
            options = ["--host", "127.0.0.1", "--port", "{port}"]
            made.append(
                Server(
                    name,
                    [str(BIN / "rdflib-endpoint"), "serve", str(graph), *options],
                    "/",
                    port,
                    describe="rdflib-endpoint serve (uvicorn, rdflib Dataset with union default)",
                )
            )
        else:
            raise SystemExit(f"unknown server {name!r}")
    return made


# -- measuring ------------------------------------------------------------------------------


@dataclass
class Once:
    """One request sent alone: status, seconds and the size of the answer."""

    status: int
    seconds: float
    size: int | None  # rows, a boolean as 0/1, or triples


def fetch(base: str, request: Request, timeout: float = 120.0) -> tuple[int, bytes, float]:
    data = request.body.encode() if request.body else None
    headers = {"Accept": request.accept}
    if request.content_type:
        headers["Content-Type"] = request.content_type
    req = urllib.request.Request(base + request.path, data, headers, method=request.method)
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            body, status = response.read(), response.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    except OSError:
        body, status = b"", 0
    return status, body, time.perf_counter() - start


def size_of(request: Request, body: bytes) -> int | None:
    """Rows of a SPARQL JSON answer, or triples of a Turtle answer (None if unreadable)."""
    try:
        if request.accept == SELECT_TYPE:
            answer = json.loads(body)
            if "boolean" in answer:
                return int(answer["boolean"])
            return len(answer["results"]["bindings"])
        from rdflib import Graph

        # rdflib-endpoint answers DESCRIBE in RDF/XML whatever the Accept header says
        xml = body.lstrip().startswith(b"<?xml") or body.lstrip().startswith(b"<rdf:RDF")
        return len(Graph().parse(data=body, format="xml" if xml else "turtle"))
    except Exception:
        return None


def once_each(server: Server, mix: list[Request]) -> dict[str, Once]:
    done = {}
    for request in mix:
        status, body, seconds = fetch(server.base, request)
        done[request.name] = Once(
            status, seconds, size_of(request, body) if status == 200 else None
        )
    return done


def wrk(base: str, mix: list[Request], connections: int, duration: float, work: Path) -> dict:
    """Run wrk (one thread) with the mix in rotation; its JSON summary plus client CPU time."""
    lines = work / "requests.tsv"
    lines.write_text("".join(r.line() + "\n" for r in mix), encoding="utf-8")
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--timeout", "30s"]
    command += ["-s", str(LUA), base, "--", str(lines)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = next((line for line in done.stdout.splitlines() if line.startswith("{")), None)
    if done.returncode or summary is None:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    result = json.loads(summary)
    seconds = result["duration_us"] / 1e6
    result["rate"] = result["requests"] / seconds
    result["errors"] = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    result["client_cpu"] = cpu / seconds  # share of one core
    return result


def measured(server: Server, mix: list[Request], connections: int, duration: float, work: Path):
    """A wrk run with the server's peak memory and CPU share over it."""
    server.settle()
    server.reset_peak()
    cpu = server.cpu_seconds()
    result = wrk(server.base, mix, connections, duration, work)
    time.sleep(0.2)  # one more memory sample
    result["peak_rss"], result["peak_pss"] = server.peak_rss, server._peak_pss
    result["server_cpu"] = (server.cpu_seconds() - cpu) / (result["duration_us"] / 1e6)
    return result


def page_mix(server: Server) -> list[Request]:
    """Every measure and requirement page as HTML."""
    probe = Request(
        "items", server.endpoint + "?" + urllib.parse.urlencode({"query": PAGES_QUERY}), SELECT_TYPE
    )
    status, body, _ = fetch(server.base, probe)
    if status != 200:
        raise SystemExit(f"listing the items failed: {status} {body[:200]!r}")
    urns = [row["item"]["value"] for row in json.loads(body)["results"]["bindings"]]
    return [Request(urn, "/doc/" + urllib.parse.quote(urn, safe=":"), HTML) for urn in urns]


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk (Debian) and run again")


# -- reporting ------------------------------------------------------------------------------


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> str:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = psutil.virtual_memory().total / 2**30
    cpu = model or platform.machine()
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, {platform.system()}"


def commit() -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "src"], capture_output=True, text=True
    )
    return done.stdout.strip() + (" + uncommitted changes in src/" if dirty.stdout.strip() else "")


def ms(us: float) -> str:
    return f"{us / 1000:.1f}"


def ratio_line(what: str, ours: float, theirs: float | None, target: float | None) -> str:
    if not theirs:
        return f"- {what}: no figure for the peer"
    value = ours / theirs
    if target is None:
        return f"- {what}: **{value:.2f}{TIMES}** (no target)"
    verdict = "holds" if value >= target else "does **not** hold"
    return f"- {what}: **{value:.2f}{TIMES}** (target ≥ {target:g}{TIMES}: {verdict})"


def header(
    command: str, duration: float, ran: list[Server], mix: list[Request], graph_info: str
) -> list[str]:
    """Date, command, machine, versions and setup."""
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
    peers = ", ".join(
        f"{p} {version(p)}"
        for p in ("pyoxigraph", "oxigraph", "rdflib-endpoint", "rdflib", "gunicorn", "flask")
    )
    if any(s.name == "virtuoso" for s in ran):
        done = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "virtuoso-opensource-7-bin"],
            capture_output=True,
            text=True,
        )
        peers += f", virtuoso-opensource-7-bin {done.stdout.strip() or 'unknown'}"
    named = len(mix) - 2 * len(ITEMS)
    return [
        f"### HTTP benchmark ({time.strftime('%Y-%m-%d %H:%M')})",
        "",
        f"Command: `{command}`  ",
        f"Machine: {machine()}, Python {platform.python_version()}.  ",
        f"Versions: akgraph {version('akgraph')} ({commit()}), {peers}, "
        f"{wrk_version.split(' [')[0].strip()}.  ",
        f"Graph: {graph_info}.  ",
        "Servers, one at a time on loopback: "
        + "; ".join(f"**{s.name}**: {s.describe}" for s in ran)
        + ".  ",
        f"Mix: {len(mix)} requests in rotation (GET; POST form where the URL would pass "
        f"{MAX_GET} characters; {named} named queries with their defaults, "
        f"{len(ITEMS)} DESCRIBE, {len(ITEMS)} CONSTRUCT of one item; SELECT as SPARQL JSON, "
        f"graphs as Turtle); wrk, 1 thread, {duration:g} s per level after a warm-up. "
        "Memory: peak RSS summed over the server's process tree (pages shared by forked "
        "processes counted in each) and peak PSS (shared pages split between them). CPU: "
        "cores busy on average (server tree; wrk client).",
        "",
    ]


def single_table(names: list[str], singles, mix: list[Request]) -> list[str]:
    """Latency of each request alone, and whether the servers' answers have the same size."""
    out = [
        "Each request alone (ms; size: rows or triples of the answer, compared across servers):",
        "",
        "| request | " + " | ".join(names) + " | size |",
        "| --- | " + " | ".join("---:" for _ in names) + " | --- |",
    ]
    same = 0
    for request in mix:
        ones = [singles[name][request.name] for name in names]
        cells = [f"{o.seconds * 1000:.1f}" if o.status == 200 else f"HTTP {o.status}" for o in ones]
        sizes = [o.size for o in ones]
        agree = len(set(sizes)) == 1
        same += agree
        size = str(sizes[0]) if agree else " / ".join(map(str, sizes)) + " (differ)"
        out.append(f"| {request.name} | " + " | ".join(cells) + f" | {size} |")
    return [*out, "", f"Answers of the same size on every server: {same} of {len(mix)}.", ""]


def level_table(connections: int, names: list[str], results: dict[str, dict]) -> list[str]:
    out = [
        f"Concurrency {connections}:",
        "",
        "| server | req/s | p50 ms | p99 ms | errors | peak RSS MiB | peak PSS MiB | CPU server "
        "| CPU client |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in names:
        r = results[name]
        out.append(
            f"| {name} | {r['rate']:.1f} | {ms(r['p50_us'])} | {ms(r['p99_us'])} | "
            f"{r['errors']} of {r['requests']} | {r['peak_rss'] / 2**20:.0f} | "
            f"{r['peak_pss'] / 2**20:.0f} | {r['server_cpu']:.2f} | {r['client_cpu']:.2f} |"
        )
    out.append("")
    if "akgraph" in results:
        ours = results["akgraph"]["rate"]
        targets = {"oxigraph": TARGET_OXIGRAPH, "virtuoso": None, "rdflib-endpoint": TARGET_RDFLIB}
        for peer, target in targets.items():
            if peer in results:
                out.append(
                    ratio_line(f"throughput akgraph / {peer}", ours, results[peer]["rate"], target)
                )
        out.append("")
    return out


def page_table(pages: dict) -> list[str]:
    out = [
        f"Item pages: `/doc/{{urn}}` as HTML, all {pages['count']} measures and requirements in "
        "rotation, against `/static/akgraph.css` from the same akgraph server. First fetch of "
        f"each page, one at a time: p50 {pages['cold_p50'] * 1000:.1f} ms, max "
        f"{pages['cold_max'] * 1000:.1f} ms.",
        "",
        "| concurrency | pages/s | page p50 ms | page p99 ms | errors | static/s | static p50 ms "
        "| static p99 ms | p50 page / static |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    ratios = []
    for connections, (page, static) in pages["levels"].items():
        ratio = page["p50_us"] / max(static["p50_us"], 1)
        ratios.append(ratio)
        out.append(
            f"| {connections} | {page['rate']:.0f} | {ms(page['p50_us'])} | "
            f"{ms(page['p99_us'])} | {page['errors'] + static['errors']} | "
            f"{static['rate']:.0f} | {ms(static['p50_us'])} | {ms(static['p99_us'])} | "
            f"{ratio:.2f}{TIMES} |"
        )
    best = max(page["rate"] for page, _ in pages["levels"].values())
    worst = max(ratios)
    within = "holds at every level" if worst <= TARGET_PAGE_RATIO else "does **not** hold"
    enough = "holds" if best > TARGET_PAGES_PER_S else "does **not** hold"
    return [
        *out,
        "",
        f"- item page p50 within {TARGET_PAGE_RATIO:g}{TIMES} the static file: {within} "
        f"(worst {worst:.2f}{TIMES})",
        f"- over {TARGET_PAGES_PER_S:g} pages/s: {enough} (best {best:.0f}/s)",
        "",
    ]


def report(command, duration, ran: list[Server], singles, levels, pages, mix, graph_info) -> str:
    """The Markdown section for docs/benchmarks.md."""
    names = [s.name for s in ran]
    out = header(command, duration, ran, mix, graph_info) + single_table(names, singles, mix)
    for connections, results in levels.items():
        out += level_table(connections, names, results)
    if pages:
        out += page_table(pages)
    return "\n".join(out)


# -- the run --------------------------------------------------------------------------------


def run(
    source: str,
    *,
    duration: float = 10.0,
    levels: tuple[int, ...] = (1, 8, 32),
    names: tuple[str, ...] = ("akgraph", "oxigraph", "rdflib-endpoint"),
    gunicorn: str = "-w 2 -k gthread --threads 4",
    query_workers: int = 3,
    pages: bool = True,
    command: str = "",
) -> dict:
    """Run the benchmark; its figures and the Markdown section (``text``).

    A server that is not available (Virtuoso without its binaries) is left out, with the
    reason in ``left_out``.
    """
    ensure_wrk()
    left_out: dict[str, str] = {}
    if "virtuoso" in names and (why := ensure_virtuoso()):
        left_out["virtuoso"] = why
        names = tuple(n for n in names if n != "virtuoso")
    with tempfile.TemporaryDirectory(prefix="akgraph-bench-") as tmp:
        work = Path(tmp)
        graph = work / "graph.nq"
        start = time.perf_counter()
        subprocess.run(
            [str(BIN / "akgraph"), "build", source, "-o", str(graph)],
            check=True,
            capture_output=True,
        )
        quads = sum(1 for _ in graph.open("rb"))
        graph_info = (
            f"{Path(source).name}, {quads} quads, built in {time.perf_counter() - start:.1f} s"
        )
        print(graph_info, flush=True)
        ran = servers(list(names), graph, work, gunicorn, query_workers)
        singles: dict[str, dict[str, Once]] = {}
        results: dict[int, dict[str, dict]] = {c: {} for c in levels}
        found: dict = {}
        mix: list[Request] = []
        texts = mix_texts()
        for server in ran:
            server.start(work)
            print(f"== {server.name}: {' '.join(server.command)}", flush=True)
            try:
                mix = sparql_mix(server.endpoint, texts, server.params)
                singles[server.name] = once_each(server, mix)
                wrk(server.base, mix, max(levels), min(3.0, duration), work)  # warm-up
                for connections in levels:
                    result = measured(server, mix, connections, duration, work)
                    results[connections][server.name] = result
                    print(
                        f"  c={connections}: {result['rate']:.1f} req/s, "
                        f"p50 {ms(result['p50_us'])} ms, p99 {ms(result['p99_us'])} ms, "
                        f"errors {result['errors']}",
                        flush=True,
                    )
                if server.name == "akgraph" and pages:
                    found = page_benchmark(server, list(levels), duration, work)
            finally:
                server.stop()
        command = command or record.command()
        text = report(command, duration, ran, singles, results, found, mix, graph_info)
        for name, why in left_out.items():
            text += f"\n\n{name} left out: {why}."
    return {
        "text": text,
        "servers": [s.name for s in ran],
        "describe": {s.name: s.describe for s in ran},
        "singles": singles,
        "levels": results,
        "pages": found,
        "graph": graph_info,
        "left_out": left_out,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 2)[1]
    )
    parser.add_argument("source", nargs="?", default=str(CORPUS / "algoritmekader-v2.5.1"))
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per level (10)")
    parser.add_argument("--concurrency", default="1,8,32", help="connections per level (1,8,32)")
    parser.add_argument(
        "--servers", default="akgraph,oxigraph,rdflib-endpoint", help="also: virtuoso"
    )
    parser.add_argument(
        "--gunicorn",
        default="-w 2 -k gthread --threads 4",
        help="gunicorn options for akgraph (the README's production setup)",
    )
    parser.add_argument("--query-workers", type=int, default=3, help="AKGRAPH_WORKERS (3)")
    parser.add_argument("--no-pages", action="store_true", help="skip the item-page benchmark")
    parser.add_argument("--write", help="append the results as Markdown to this file")
    parser.add_argument("--json", help="also write the raw figures to this JSON file")
    args = parser.parse_args()
    levels = tuple(int(c) for c in args.concurrency.split(","))
    if not levels or min(levels) < 1 or max(levels) > 256 or not 0 < args.duration <= 120:
        parser.error("concurrency 1..256 and a duration up to 120 s")
    done = run(
        args.source,
        duration=args.duration,
        levels=levels,
        names=tuple(args.servers.split(",")),
        gunicorn=args.gunicorn,
        query_workers=args.query_workers,
        pages=not args.no_pages,
    )
    if args.json:
        raw = {k: done[k] for k in ("singles", "levels", "pages", "graph")}
        Path(args.json).write_text(json.dumps(raw, default=vars, indent=1), encoding="utf-8")
    print(done["text"])
    record.append(args.write, done["text"])


def page_benchmark(server: Server, levels: list[int], duration: float, work: Path) -> dict:
    """Item pages against the static file, at each level; the first fetch of each page too."""
    pages = page_mix(server)
    cold = []
    for request in pages:
        status, _, seconds = fetch(server.base, request)
        if status != 200:
            raise SystemExit(f"{request.path}: HTTP {status}")
        cold.append(seconds)
    static = [Request("static", "/static/akgraph.css", "text/css")]
    wrk(server.base, pages, max(levels), min(3.0, duration), work)  # warm-up
    found = {}
    for connections in levels:
        page = measured(server, pages, connections, duration, work)
        plain = measured(server, static, connections, duration, work)
        found[connections] = (page, plain)
        print(
            f"  pages c={connections}: {page['rate']:.0f}/s p50 {ms(page['p50_us'])} ms; "
            f"static {plain['rate']:.0f}/s p50 {ms(plain['p50_us'])} ms",
            flush=True,
        )
    return {
        "count": len(pages),
        "cold_p50": statistics.median(cold),
        "cold_max": max(cold),
        "levels": found,
    }


if __name__ == "__main__":
    main()
