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
