"""The HTTP benchmark harness starts (its full runs live in bench/, not in the suite)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "http_bench.py"


def test_http_bench_help():
    pytest.importorskip("psutil")
    done = subprocess.run([sys.executable, str(BENCH), "--help"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "--concurrency" in done.stdout


def test_harness_help():
    """bench/run.py imports the other bench scripts and explains itself."""
    pytest.importorskip("psutil")
    harness = BENCH.parent / "run.py"
    done = subprocess.run([sys.executable, str(harness), "--help"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "--quick" in done.stdout and "--write" in done.stdout
