"""Regression tests, one per bug, for the inputs that once crashed, hung or read outside the
checkout. Each case is added to a copy of the sample; the rest must still convert."""

from __future__ import annotations

import os
import shutil
import time

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from akgraph import SourceError, build
from akgraph.graph import serialize
from akgraph.iris import AK
from akgraph.source.reader import MAX_YAML_VALUES

from .test_bad_input import MEASURES, count, measure, problems, write


@pytest.fixture
def baseline(checkout):
    return count(build(checkout), AK.Measure)


LINKS = [
    ("[art. 3:4](3:4)", "3:4"),
    ("[x](<my link:here>)", "my%20link:here"),
    ("[x](jav&#x09;ascript:alert(1))", "jav%09ascript:alert(1)"),
]


@pytest.mark.parametrize(("markdown", "href"), LINKS)
def test_a_link_that_is_no_iri_stays_text_and_every_format_is_written(checkout, markdown, href):
    text = measure("Link", "urn:nl:ak:mtr:lnk-01") + f"\nZie {markdown} voor meer.\n"
    rel = write(checkout, "9-x-20-link.md", text)
    built = build(checkout)
    (problem,) = problems(built, "invalid-link")
    assert (problem.path, problem.field, problem.value) == (rel, "body", href)
    subject = URIRef("urn:nl:ak:mtr:lnk-01")
    assert (subject, AK.brokenLink, Literal(href)) in built.data
    for fmt in ("nquads", "trig", "turtle", "nt"):
        assert serialize(built, fmt)


@pytest.mark.parametrize("key", ["? [a, b]\n: 1\n", "? {a: b}\n: 1\n"])
def test_a_yaml_key_that_is_a_list_or_mapping_is_reported(checkout, baseline, key):
    rel = write(checkout, "9-x-21-sleutel.md", f"---\ntitle: Sleutel\n{key}---\nTekst.\n")
    built = build(checkout)
    (problem,) = problems(built, "broken-yaml")
    assert problem.path == rel and problem in built.skipped()
    assert "line 3" in problem.message and "not a name" in problem.message
    assert count(built, AK.Measure) == baseline


def _laughs(levels: int) -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, levels + 1):
        refs = ", ".join([f"*a{n - 1}"] * 9)
        lines.append(f"a{n}: &a{n} [{refs}]")
    return "\n".join(lines) + "\n"


def test_yaml_alias_expansion_is_bounded(checkout, baseline):
    rel = write(checkout, "9-x-22-lach.md", f"---\ntitle: Lach\n{_laughs(9)}---\nTekst.\n")
    built = build(checkout)
    (problem,) = problems(built, "broken-yaml")
    assert problem.path == rel and problem in built.skipped()
    assert f"more than {MAX_YAML_VALUES} values" in problem.message
    assert count(built, AK.Measure) == baseline


def test_a_few_aliases_are_still_read(checkout):
    extra = "onderwerp: &o\n- data\nrollen: *o\n"
    write(checkout, "9-x-23-alias.md", measure("Alias", "urn:nl:ak:mtr:als-01", extra))
    built = build(checkout)
    assert not problems(built, "broken-yaml")
    assert (URIRef("urn:nl:ak:mtr:als-01"), AK.slug, None) in built.data


def test_a_recursive_alias_is_reported(checkout, baseline):
    rel = write(checkout, "9-x-24-kring.md", "---\ntitle: Kring\na: &a [x, *a]\n---\nTekst.\n")
    built = build(checkout)
    (problem,) = problems(built, "broken-yaml")
    assert problem.path == rel and "refers to the value that holds it" in problem.message
    assert count(built, AK.Measure) == baseline


def _front(body: str) -> str:
    return measure("Lang", "urn:nl:ak:mtr:lng-01") + "\n" + body + "\n"


# Lines that made a regular expression scan on to the end of the line from every position.
LINES = {
    "blanks": lambda n: _front(" " * n + "x"),
    "comment openings": lambda n: _front("<!--" * (n // 4)),
    "symlink-like first line": lambda n: "./" * (n // 2) + "x\n",
    "attribute values": lambda n: _front("){a=" * (n // 4)),
    "quoted attribute values": lambda n: _front('{a="' * (n // 4) + "}"),
}


@pytest.mark.parametrize("name", sorted(LINES))
def test_one_long_line_takes_linear_time(checkout, name):
    """Four times the line takes about four times as long (sixteen if it were quadratic; the
    200 KB versions of these lines once took over a minute); a ratio within one run, so a busy
    machine matters little."""
    target = checkout / MEASURES / "9-x-25-lang.md"

    def seconds(size: int) -> float:
        target.write_text(LINES[name](size), encoding="utf-8")
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            built = build(checkout)
            best = min(best, time.perf_counter() - start)
        assert not [p for p in built.problems if p.path.endswith("lang.md") and p.skipped] or (
            name == "symlink-like first line"
        )
        return best

    empty = seconds(0)
    small, large = seconds(400_000) - empty, seconds(1_600_000) - empty
    assert large < 10 * max(small, 0.1), (small, large)


def test_a_long_line_is_kept_and_reported(checkout):
    line = "Een zin [met link](https://example.org/) en meer. " * 4000
    write(checkout, "9-x-26-regel.md", _front(line))
    built = build(checkout)
    (problem,) = problems(built, "long-line")
    assert problem.field == "body"
    texts = [str(o) for o in built.data.objects(None, AK.markdown)]
    assert any(line.strip() in t for t in texts)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_fifo_is_skipped_with_reason(checkout, baseline):
    os.mkfifo(checkout / MEASURES / "9-x-27-pijp.md")
    (checkout / MEASURES / "9-x-28-map.md").mkdir()
    built = build(checkout)
    reasons = {p.path.rsplit("/", 1)[1]: p.message for p in problems(built, "not-a-file")}
    assert "named pipe" in reasons["9-x-27-pijp.md"]
    assert "folder" in reasons["9-x-28-map.md"]
    assert count(built, AK.Measure) == baseline


def _outside_copy(checkout, tmp_path, relative: str):
    """Move ``relative`` out of the checkout and put a symbolic link to it in its place."""
    outside = tmp_path / "buiten" / relative.replace("/", "_")
    outside.parent.mkdir(exist_ok=True)
    shutil.move(checkout / relative, outside)
    os.symlink(outside, checkout / relative)
    return outside


def test_a_symlinked_item_folder_outside_is_not_read(checkout, tmp_path):
    outside = _outside_copy(checkout, tmp_path, MEASURES)
    (outside / "9-x-29-geheim.md").write_text(measure("Geheim", "urn:nl:ak:mtr:geh-02"))
    built = build(checkout)
    (problem,) = problems(built, "folder-outside")
    assert problem.path == MEASURES and problem in built.skipped()
    assert count(built, AK.Measure) == 0
    assert count(built, AK.Requirement) > 0
    assert not any("geh-02" in str(s) for s in built.data.subjects())


def test_a_symlinked_includes_folder_outside_is_not_read(checkout, tmp_path):
    _outside_copy(checkout, tmp_path, "includes")
    built = build(checkout)
    (problem,) = problems(built, "outside")
    assert problem.path == "includes/begrippenlijst.md"
    assert count(built, AK.GlossaryTerm) == 0
    assert count(built, AK.Measure) > 0


def test_a_symlinked_docs_folder_outside_is_refused(checkout, tmp_path):
    _outside_copy(checkout, tmp_path, "docs")
    with pytest.raises(SourceError, match="outside the checkout"):
        build(checkout)


def test_a_symlinked_source_file_outside_is_not_read(checkout, tmp_path):
    outside = tmp_path / "SOURCE"
    outside.write_text("geheim-9.9 abc 2020-01-01\n")
    (checkout / "SOURCE").unlink()
    os.symlink(outside, checkout / "SOURCE")
    built = build(checkout)
    assert built.checkout.release.tag != "geheim-9.9"
    assert (None, RDF.type, AK.Release) in built.data
