"""The ``akgraph`` console script, run as a user runs it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset

from akgraph.graph import FORMATS

AKGRAPH = shutil.which("akgraph") or str(Path(sys.executable).parent / "akgraph")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([AKGRAPH, *args], capture_output=True, text=True, timeout=120)


def test_build_sample_by_default_prints_summary():
    done = run("build")
    assert done.returncode == 0, done.stderr
    assert "release sample-1.0" in done.stdout
    assert "Measure 7" in done.stdout
    assert "unresolved references: 0" in done.stdout


@pytest.mark.parametrize("extension", sorted(FORMATS))
def test_build_writes_every_format(tmp_path, extension):
    out = tmp_path / f"graph{extension}"
    done = run("build", "-o", str(out))
    assert done.returncode == 0, done.stderr
    dataset = Dataset()
    dataset.parse(out, format=FORMATS[extension])
    assert len(dataset) + sum(len(g) for g in dataset.graphs()) > 500


def test_stdout_output_is_turtle():
    done = run("build", "-o", "-")
    assert done.returncode == 0
    assert "@prefix ak:" in done.stdout
    assert "release sample-1.0" in done.stderr


def test_missing_source_exits_2():
    done = run("build", "/nergens/te/vinden")
    assert done.returncode == 2
    assert "no such folder" in done.stderr


def test_unknown_extension_exits_2(tmp_path):
    done = run("build", "-o", str(tmp_path / "graph.docx"))
    assert done.returncode == 2
    assert "unknown RDF file extension" in done.stderr


def test_skipped_file_exits_1_and_strict_fails_on_warnings(checkout):
    folder = checkout / "docs/voldoen-aan-wetten-en-regels/maatregelen"
    (folder / "9-x-01-extra.md").write_text(
        "---\ntitle: Extra\nid: urn:nl:ak:mtr:ext-01\nonderwerp:\n- onbekend\n---\n",
        encoding="utf-8",
    )
    assert run("build", str(checkout)).returncode == 0
    strict = run("build", "--strict", str(checkout))
    assert strict.returncode == 1
    assert "9-x-01-extra.md [onderwerp = 'onbekend']" in strict.stdout
    (folder / "9-x-02-kapot.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    broken = run("build", str(checkout))
    assert broken.returncode == 1
    assert "files skipped: 1" in broken.stdout
    assert "9-x-02-kapot.md" in broken.stdout


def test_real_release(latest_path, tmp_path):
    out = tmp_path / "v251.ttl"
    done = run("build", str(latest_path), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "release v2.5.1 (commit 450e1befcc97, 2026-05-19)" in done.stdout
    assert out.stat().st_size > 100_000
