"""Benchmark ``akgraph build`` on a file whose text is one 10 MB line (target: under 5 s).

Usage: python bench/long_line.py [--runs N] [--write docs/benchmarks.md]

A copy of the bundled sample gets one extra measure whose body is a single line of 10 MB,
once of ordinary text with links and once of ``){a=`` repeated (which made the attribute-list
pattern scan to the end of the line from every ``{``). Each is timed as a user runs it (a fresh
``akgraph build SOURCE -o out.nq``), next to the same command on the sample alone, measured in
the same run, so the extra time can be read as a ratio where the machine is noisy.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from akgraph import resources

sys.path.insert(0, str(Path(__file__).resolve().parent))
import record  # bench/record.py (this folder is on the path when run from it)
from build import timed

SIZE = 10 * 2**20
LINES = {
    "text with links": "Een zin [met een link](https://example.org/pagina) en nog wat woorden. ",
    "`){a=` repeated": "){a=",
}
FRONT = "---\ntitle: Lange regel\nid: urn:nl:ak:mtr:lng-01\nlevenscyclus:\n- ontwerp\n---\n\n"


def run(runs: int = 3) -> dict:
    akgraph = str(Path(sys.executable).parent / "akgraph")
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample"
        shutil.copytree(resources.data_dir("content"), sample)
        out = str(Path(tmp) / "out.nq")
        results["sample alone (peer)"] = statistics.median(
            timed([akgraph, "build", str(sample), "-o", out], runs)
        )
        for name, unit in LINES.items():
            source = Path(tmp) / name.replace(" ", "-").strip("`(){=")
            shutil.copytree(sample, source)
            line = (unit * (SIZE // len(unit) + 1))[:SIZE]
            target = source / "docs/voldoen-aan-wetten-en-regels/maatregelen/9-lng-01-lang.md"
            target.write_text(FRONT + line + "\n", encoding="utf-8")
            results[name] = statistics.median(
                timed([akgraph, "build", str(source), "-o", out], runs)
            )
    return results


def markdown(results: dict, runs: int) -> str:
    peer = results["sample alone (peer)"]
    when = time.strftime("%Y-%m-%d %H:%M")
    lines = [
        f"### One 10 MB line ({when})",
        "",
        f"`akgraph build SOURCE -o out.nq`, fresh process, median of {runs} runs; the sample "
        "with one extra measure whose body is a single 10 MB line.",
        "",
        "| input | seconds | ratio to the sample alone | under 5 s |",
        "|---|---:|---:|---|",
    ]
    for name, seconds in results.items():
        lines.append(
            f"| {name} | {seconds:.2f} | {seconds / peer:.1f} | {'yes' if seconds < 5 else 'NO'} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", help="append the results as Markdown to this file")
    args = parser.parse_args()
    text = markdown(run(args.runs), args.runs)
    print(text)
    record.append(args.write, text)


if __name__ == "__main__":
    main()
