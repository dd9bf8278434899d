"""Benchmark the whole history from git (issue 19): 29 tags built, validated, rebuilt with one more.

Usage: python bench/history.py [--corpus DIR] [--runs N] [--write docs/benchmarks.md]

It makes a git repository from the three shared releases: 29 commits, each a real release's
files with one small edit (a sentence added to one measure), each tagged (v2.0.0-v2.0.9 on
v2.0's files, v2.2.0-v2.2.9 on v2.2.0's, v2.5.1-v2.5.9 on v2.5.1's). Then, in one run with the
yardstick of ``bench/build.py`` (a fresh Python reading every file and its frontmatter):

- one release (v2.5.1's folder): ``akgraph build`` (target <= 8x the yardstick) and
  ``akgraph validate`` (target <= 25x);
- the 29 tags from git: ``akgraph build REPO --tags all -o all.nq`` without a cache (target
  <= 20 s) and ``akgraph validate all.nq`` (target <= 30 s), both also with ``--jobs 1``;
- incremental: the first 28 tags built into a fresh cache, then a 29th tag added and
  ``--tags all`` built again (target <= 3 s).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import build as build_bench  # bench/build.py (this folder is on the path when run from it)
import record  # bench/record.py (this folder is on the path when run from it)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("AKGRAPH_CORPUS", ROOT.parent / "shared" / "corpus"))
#: The shared release each group of tags is made from, and how many tags it gets.
GROUPS = [("v2.0", "v2.0", 10), ("v2.2.0", "v2.2", 10), ("v2.5.1", "v2.5", 9)]
MEASURES = "docs/voldoen-aan-wetten-en-regels/maatregelen"


def _git(repo: Path, *args: str, date: str | None = None) -> None:
    env = os.environ | {
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.org",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.org",
    }
    if date:
        env |= {"GIT_AUTHOR_DATE": f"{date}T12:00:00", "GIT_COMMITTER_DATE": f"{date}T12:00:00"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def planned(corpus: Path) -> list[tuple[str, Path, int]]:
    """(tag, shared release folder, number of the edit) of each of the 29 tags, oldest first."""
    plan = []
    for release, stem, count in GROUPS:
        first = 1 if release == "v2.5.1" else 0
        for n in range(first, first + count):
            plan.append((f"{stem}.{n}", corpus / f"algoritmekader-{release}", len(plan)))
    return plan


def commit_release(repo: Path, tag: str, source: Path, edit: int) -> None:
    """Replace the work tree by ``source``'s files, add a sentence to one measure, commit and
    tag the commit ``tag`` (dated some days after the release's own date)."""
    for child in repo.iterdir():
        if child.name != ".git":
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    shutil.copytree(source, repo, dirs_exist_ok=True, symlinks=True)
    (repo / "SOURCE").unlink()
    # git's index would trust the stat data of a copied file that has the size, time (copy2
    # keeps it) and reused inode of the one it replaces, and commit the old text: hash anew
    (repo / ".git" / "index").unlink(missing_ok=True)
    measures = sorted((repo / MEASURES).glob("*.md"))
    edited = measures[edit % len(measures)]
    with edited.open("a", encoding="utf-8") as fh:
        fh.write(f"\n\nToegevoegd in {tag}: een kleine wijziging.\n")
    base = (source / "SOURCE").read_text(encoding="utf-8").split()[2]
    date = (datetime.date.fromisoformat(base) + datetime.timedelta(days=edit)).isoformat()
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", tag, date=date)
    _git(repo, "tag", tag)


def make_repository(corpus: Path, repo: Path, tags: int = 29) -> list[str]:
    """A git repository at ``repo`` with the first ``tags`` of :func:`planned`; their names."""
    repo.mkdir(parents=True)
    _git(repo, "init", "-q")
    plan = planned(corpus)[:tags]
    for tag, source, edit in plan:
        commit_release(repo, tag, source, edit)
    return [tag for tag, _, _ in plan]


def _median(command: list[str], runs: int, ok: tuple[int, ...] = (0, 1)) -> float:
    return statistics.median(build_bench.timed(command, runs, ok))


def _incremental(akgraph: str, corpus: Path, tmp: Path, runs: int) -> tuple[float, float]:
    """Seconds of ``--tags all`` with 28 releases in the cache (``$AKGRAPH_CACHE_DIR``) and a
    29th tag just added (median of ``runs``, the new release's entry removed before each), and
    with all 29 in the cache."""
    repo = tmp / "incremental"
    make_repository(corpus, repo, tags=28)
    command = [akgraph, "build", str(repo), "--tags", "all", "-o", str(tmp / "incremental.nq")]
    build_bench.timed(command, 1, ok=(0, 1))  # the 28 into the cache
    tag, source, edit = planned(corpus)[28]
    commit_release(repo, tag, source, edit)
    rev = ["git", "-C", str(repo), "rev-parse", f"{tag}^{{commit}}"]
    commit = subprocess.run(rev, capture_output=True, text=True, check=True).stdout.strip()
    times = []
    for _ in range(runs):
        for entry in Path(os.environ["AKGRAPH_CACHE_DIR"]).rglob(f"{commit}-*"):
            entry.unlink()
        times += build_bench.timed(command, 1, ok=(0, 1))
    return statistics.median(times), _median(command, runs)


def run(corpus: Path, runs: int = 3) -> dict:
    """Every figure of the module docstring in one run; the figures and a Markdown section."""
    akgraph = str(Path(sys.executable).parent / "akgraph")
    release = corpus / "algoritmekader-v2.5.1"
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        os.environ["AKGRAPH_CACHE_DIR"] = str(tmp / "cache")  # read by every akgraph run
        figures["yardstick"] = _median(
            [sys.executable, "-c", build_bench.YARDSTICK, str(release)], runs, ok=(0,)
        )
        figures["python"] = _median([sys.executable, "-c", "pass"], runs, ok=(0,))
        figures["help"] = _median([akgraph, "--help"], runs, ok=(0,))
        one = [akgraph, "build", str(release), "-o", str(tmp / "one.ttl")]
        figures["build"] = _median(one, runs)
        figures["validate"] = _median([akgraph, "validate", str(release)], runs)
        repo = tmp / "repo"
        made, figures["make"] = _timed_call(lambda: make_repository(corpus, repo))
        all_nq = str(tmp / "all.nq")
        history = [akgraph, "build", str(repo), "--tags", "all", "-o", all_nq, "--no-cache"]
        figures["history"] = _median(history, 1)
        size = Path(all_nq).stat().st_size
        serial = [*history, "--jobs", "1"]
        figures["history serial"] = _median(serial, 1)
        figures["validate history"] = _median([akgraph, "validate", all_nq], 1)
        figures["validate serial"] = _median([akgraph, "validate", all_nq, "--jobs", "1"], 1)
        figures["incremental"], figures["cached"] = _incremental(akgraph, corpus, tmp, runs)
        del os.environ["AKGRAPH_CACHE_DIR"]
    figures["tags"] = len(made)
    return {**figures, "text": _section(figures, size, runs)}


def _timed_call(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def _section(f: dict[str, float], size: int, runs: int) -> str:
    yard = f["yardstick"]

    def row(what: str, seconds: float, target: str, holds: bool | None = None) -> str:
        verdict = "" if holds is None else (" (holds)" if holds else " (**missed**)")
        return f"| {what} | {seconds:.2f} | {seconds / yard:.1f} | {target}{verdict} |"

    lines = [
        f"### The whole history from git (issue 19, {time.strftime('%Y-%m-%d %H:%M')})",
        "",
        f"Command: `{record.command()}`. "
        f"Machine: {default_cores()} cores, Python {platform.python_version()}, load average "
        f"{os.getloadavg()[0]:.1f} at the end; fresh processes, median of {runs} runs "
        "(the 29-tag builds and validations: one run each). The repository: "
        f"{int(f['tags'])} tags made from the three shared releases, each with one small "
        f"edit (made in {f['make']:.1f} s). Yardstick: a fresh Python reading every Markdown "
        "file of v2.5.1 and parsing its frontmatter with PyYAML (bench/build.py).",
        "",
        "| what | seconds | x yardstick | target |",
        "| --- | --- | --- | --- |",
        row("yardstick", yard, ""),
        row("`python -c pass`", f["python"], ""),
        row("`akgraph --help`", f["help"], ""),
        row("`akgraph build v2.5.1 -o one.ttl`", f["build"], "<= 8x", f["build"] <= 8 * yard),
        row("`akgraph validate v2.5.1`", f["validate"], "<= 25x", f["validate"] <= 25 * yard),
        row(
            "`akgraph build REPO --tags all -o all.nq --no-cache` (29 tags, workers: one per core)",
            f["history"], "<= 20 s", f["history"] <= 20,
        ),
        row("the same with `--jobs 1`", f["history serial"], ""),
        row("`akgraph validate all.nq` (29 releases, workers: one per core)",
            f["validate history"], "<= 30 s", f["validate history"] <= 30),
        row("the same with `--jobs 1`", f["validate serial"], ""),
        row("`--tags all` again, 28 releases cached and one new tag", f["incremental"], "<= 3 s",
            f["incremental"] <= 3),
        row("`--tags all` again, all 29 cached", f["cached"], ""),
        "",
        f"N-Quads written for the 29 releases: {size} bytes.",
        "",
    ]  # fmt: skip
    return "\n".join(lines)


def default_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(CORPUS))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", help="append the results as Markdown to this file")
    args = parser.parse_args()
    text = run(Path(args.corpus), args.runs)["text"]
    print(text)
    record.append(args.write, text)


if __name__ == "__main__":
    main()
