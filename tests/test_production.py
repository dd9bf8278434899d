"""The documented ways to run the server: ``gunicorn`` with several workers (production) and
``akgraph serve`` (what ./scripts/serve runs), each started as a real process."""

from __future__ import annotations

import json
import os
import sys
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.live import free_port, process

BIN = Path(sys.executable).parent
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def count(url: str) -> int:
    request = f"{url}/sparql?" + urllib.parse.urlencode({"query": COUNT})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers.get_content_type() == "application/sparql-results+json"
        return int(json.load(response)["results"]["bindings"][0]["n"]["value"])


def test_gunicorn_with_two_workers(sample_path, sample_build):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = os.environ | {"AKGRAPH_SOURCE": str(sample_path), "AKGRAPH_WORKERS": "3"}
    args = [str(BIN / "gunicorn"), "--preload", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
    args += ["--worker-class", "gthread", "--threads", "4"]  # the README's production setup
    with process([*args, "akgraph.web:create_app()"], url + "/sparql", env=env):
        # the union default graph counts a triple once per graph that holds it (the AI Act's
        # ELI nodes are in the release's graph and in the decision aid's)
        expected = sum(len(graph) for _, graph in sample_build.named_graphs())
        with ThreadPoolExecutor(4) as pool:
            assert list(pool.map(lambda _: count(url), range(8))) == [expected] * 8


def test_akgraph_serve(sample_path, sample_build):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [str(BIN / "akgraph"), "serve", str(sample_path), "--port", str(port)]
    with process([*args, "--timeout", "5"], url + "/sparql"):
        assert count(url) == sum(len(graph) for _, graph in sample_build.named_graphs())
