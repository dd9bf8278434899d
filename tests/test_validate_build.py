"""``akgraph validate`` reports everything ``akgraph build`` saw, each problem once, with messages
in Dutch and English that are the same in every run. Expected answers come from plain scans of the
Markdown (tests/scan.py and the scans below) and from the cases a test writes into a copy of a
real release, never from akgraph itself."""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from akgraph import build
from akgraph.iris import AK
from akgraph.mapping import closest_slug
from akgraph.validate import Level, problem_messages, validate
from tests.conftest import REPO, corpus_release
from tests.scan import FOLDERS, scan
from tests.test_cli import AKGRAPH

MEASURES = FOLDERS["measure"]
REQUIREMENTS = FOLDERS["requirement"]

#: What each broken file written into the copy is, by name (all are skipped by the reader).
SKIPPED = {
    "9-xyz-01-kapot.md": "---\ntitle: [niet gesloten\nid: urn:nl:ak:mtr:xyz-01\n---\nTekst\n",
    "9-xyz-02-leeg.md": "",
    "9-xyz-03-binair.md": b"---\ntitle: x\x00\x01\n---\n",
    "9-xyz-04-latin1.md": "---\ntitle: caf\xe9\n---\n".encode("latin-1"),
    "9-xyz-05-zonder-frontmatter.md": "Alleen tekst, geen frontmatter.\n",
}
MD_REFERENCE = "aia-01-ai-geletterdheid.md"
KNOWN_TOKEN = "risicogroep-hoog-risico-ai-systeem"
UNKNOWN_TOKENS = ("risico-hoog", "risicogroep-bestaat-niet")
MALFORMED = "(risicogroep-hoog-risico-ai-systeem && rol-ai-act-aanbieder"


@pytest.fixture(scope="module")
def broken_copy(tmp_path_factory) -> Path:
    """A copy of v2.5.1 with files the reader skips and the cases of issue 15 item 6 added."""
    root = tmp_path_factory.mktemp("validate") / "algoritmekader"
    shutil.copytree(corpus_release("v2.5.1"), root, symlinks=True)
    for name, content in SKIPPED.items():
        path = root / MEASURES / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    os.mkfifo(root / MEASURES / "9-xyz-06-fifo.md")
    os.symlink("../bestaat-niet.md", root / MEASURES / "9-xyz-07-weg.md")
    (root / MEASURES / "9-xyz-08-met-extensie.md").write_text(
        "---\ntitle: Verwijst met extensie\nid: urn:nl:ak:mtr:xyz-08\nlevenscyclus:\n- ontwerp\n"
        f"vereiste:\n- {MD_REFERENCE}\n---\n\n## Maatregel\n\nTekst.\n",
        encoding="utf-8",
    )
    exceptions = "".join(f"- {t}\n" for t in (KNOWN_TOKEN, *UNKNOWN_TOKENS)) + f"- {MALFORMED}\n"
    (root / REQUIREMENTS / "aia-99-uitzonderingen.md").write_text(
        "---\ntitle: Uitzonderingen\nid: urn:nl:ak:ver:aia-99\nlevenscyclus:\n- ontwerp\n"
        f"uitzondering:\n{exceptions}---\n\n## Vereiste\n\nTekst.\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="module")
def broken_build(broken_copy):
    return build(broken_copy)


@pytest.fixture(scope="module")
def broken_report(broken_build):
    return validate(broken_build.union(), problems=broken_build.problems)


def _paths_as_text(root: Path) -> set[str]:
    """Pages of docs/ that hold only a path to another Markdown file (a symbolic link checked
    out as text, as CONTRIBUTING.md is in the real releases)."""
    return {
        p.relative_to(root).as_posix()
        for p in (root / "docs").rglob("*.md")
        if p.is_file()
        and re.fullmatch(r"[\w./-]+\.md", p.read_text(encoding="utf-8", errors="replace").strip())
    }


def _dangling_symlinks(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for folder in FOLDERS.values()
        for p in (root / folder).iterdir()
        if p.suffix == ".md" and p.is_symlink() and not p.exists()
    }


def test_every_skipped_file_is_reported_once_with_its_reason(
    broken_copy, broken_build, broken_report
):
    made = {f"{MEASURES}/{name}" for name in [*SKIPPED, "9-xyz-06-fifo.md"]}
    expected = made | _dangling_symlinks(broken_copy) | _paths_as_text(broken_copy)
    assert {p.path for p in broken_build.skipped()} == expected
    for problem in broken_build.skipped():
        found = [f for f in broken_report.findings if f.path == problem.path]
        assert len(found) == 1, problem.path
        (finding,) = found
        # an item file left out is a violation, another page (no item lost) a warning
        item = any(problem.path.startswith(f"{folder}/") for folder in FOLDERS.values())
        assert finding.level is (Level.VIOLATION if item else Level.WARNING), problem.path
        assert finding.message_en == problem.message  # the reason, as build gave it
        assert finding.message_nl == problem_messages()[problem.code]["nl"]


def test_every_problem_of_the_build_is_in_the_report(broken_build, broken_report):
    """Each problem build saw has a finding on its file and field: its own or the shapes'."""
    missing = [
        str(p)
        for p in broken_build.problems
        if not any(
            f.path == p.path and (p.field is None or f.field == p.field)
            for f in broken_report.findings
        )
    ]
    assert missing == []


def _duplicate_keys(root: Path) -> set[tuple[str, str, int]]:
    """(file, key, line) of every top-level frontmatter key given again, read line by line."""
    found = set()
    for folder in FOLDERS.values():
        for path in sorted((root / folder).glob("*.md")):
            if path.is_symlink() or not path.is_file():
                continue
            lines = path.read_bytes().decode("utf-8", "replace").split("\n")
            if not lines or lines[0].strip() != "---":
                continue
            seen = set()
            for number, line in enumerate(lines[1:], start=2):
                if line.strip() == "---":
                    break
                key = re.match(r"^([\w-]+):", line)
                if key and key.group(1) in seen:
                    found.add((path.relative_to(root).as_posix(), key.group(1), number))
                elif key:
                    seen.add(key.group(1))
    return found


def test_duplicate_keys_are_reported_with_file_key_and_line(broken_copy, broken_report):
    expected = _duplicate_keys(broken_copy)
    assert expected  # v2.5.1 gives `hide` twice in one measure
    for path, key, line in expected:
        found = [
            f
            for f in broken_report.findings
            if (f.path, f.field, f.line) == (path, key, line) and f.level is Level.WARNING
        ]
        assert len(found) == 1, (path, key, line)


def test_a_reference_with_md_is_a_warning_and_still_resolved(broken_build, broken_report):
    path = f"{MEASURES}/9-xyz-08-met-extensie.md"
    found = [f for f in broken_report.findings if f.path == path and f.value == MD_REFERENCE]
    assert [(f.level, f.field) for f in found] == [(Level.WARNING, "vereiste")]
    subject = URIRef("urn:nl:ak:mtr:xyz-08")
    assert (subject, AK.requirement, URIRef("urn:nl:ak:ver:aia-01")) in broken_build.data
    assert not [f for f in broken_report.findings if f.path == path and f.level > Level.WARNING]


def test_unknown_and_malformed_exception_labels_are_violations(broken_report):
    path = f"{REQUIREMENTS}/aia-99-uitzonderingen.md"
    found = [f for f in broken_report.findings if f.path == path and f.field == "uitzondering"]
    assert sorted(f.value for f in found) == sorted([*UNKNOWN_TOKENS, MALFORMED])
    assert {f.level for f in found} == {Level.VIOLATION}
    assert all(f.message_nl and f.message_en for f in found)


def test_no_finding_twice_and_every_one_in_dutch_and_english(broken_report):
    """No result is reported twice (sh:class and sh:node on one value), none in pyshacl's own
    English (the nested results of sh:node), and every message has a Dutch and an English text."""
    said = [
        (f.path, f.focus, f.field, f.value, f.line, f.message_en) for f in broken_report.findings
    ]
    assert len(said) == len(set(said))
    assert all(f.message_nl and f.message_en for f in broken_report.findings)
    assert not [str(f) for f in broken_report.findings if f.message_nl == f.message_en]
    assert not [str(f) for f in broken_report.findings if f.path is None]


def test_out_of_list_ai_act_value_once(checkout):
    path = checkout / REQUIREMENTS / "aia-09-menselijk-toezicht.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("risicogroep:\n", "risicogroep:\n- bestaat-niet\n", 1), "utf-8")
    built = build(checkout)
    report = validate(built.union(), problems=built.problems)
    found = [
        f for f in report.findings if "bestaat-niet" in (f.value or "") or "bestaat-niet" in f.focus
    ]
    assert [(f.level, f.field, f.value) for f in found] == [
        (Level.VIOLATION, "risicogroep", "bestaat-niet")
    ]


# -- dangling references and their suggested fix ---------------------------------------------


def _hand_checked() -> dict[tuple[str, str, str], str | None]:
    """docs/dangling-references.md: (file, field, written) -> the slug meant (None: none)."""
    rows = {}
    for line in (REPO / "docs" / "dangling-references.md").read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[1] in ("vereiste", "maatregel"):
            path = f"docs/voldoen-aan-wetten-en-regels/{cells[0]}"
            rows[(path, cells[1], cells[2])] = None if cells[3] == "-" else cells[3]
    return rows


def _dangling(root: Path) -> set[tuple[str, str, str]]:
    scanned = scan(root)
    slugs = {kind: {f.slug for f in files} for kind, files in scanned.items()}
    found = set()
    for kind in ("measure", "instrument"):
        for f in scanned[kind]:
            for field, target in (("vereiste", "requirement"), ("maatregel", "measure")):
                for value in f.fields.get(field, []):
                    if value and value.removesuffix(".md") not in slugs[target]:
                        found.add((f.path, field, value))
    return found


def test_dangling_references_get_the_hand_checked_suggestion(latest_path, latest_build):
    expected = _hand_checked()
    assert set(expected) == _dangling(latest_path)
    assert len(expected) == 9
    assert sum(1 for meant in expected.values() if meant) == 8
    report = validate(latest_build.union(), problems=latest_build.problems)
    for (path, field, written), meant in expected.items():
        found = [f for f in report.findings if (f.path, f.field, f.value) == (path, field, written)]
        assert [f.level for f in found] == [Level.VIOLATION], written
        (finding,) = found
        if meant:
            assert finding.message_en.endswith(f"Did you mean {meant!r}?"), written
            assert f"{meant!r}" in finding.message_nl
        else:
            assert "Did you mean" not in finding.message_en
    built = {(p.path, p.field, p.value): p.message for p in latest_build.problems}
    for key, meant in expected.items():
        assert (f"did you mean {meant!r}?" in built[key]) == bool(meant)


def test_the_suggestion_is_the_slug_difflib_rates_highest(latest_path):
    """closest_slug (which skips slugs by difflib's upper bounds and remembers its answers)
    picks what rating every slug picks: the highest ratio of at least 0.6, ties by sorted
    order; for slugs as written, edited, upper-cased with .md, and strings like none."""
    slugs = sorted({f.slug for files in scan(latest_path).values() for f in files})
    values = [*slugs[::9], *(s[:-4] + "xyzw" for s in slugs[::7])]
    values += [s.upper() + ".md" for s in slugs[::13]] + ["", "q", "zzzz-99-niets"]
    # cut short to 40-80 %: ratios on both sides of the cut-off and ties
    values += [s[: len(s) * k // 10] for s in slugs[::5] for k in (4, 5, 6, 7, 8)]
    for value in values:
        wanted = value.removesuffix(".md").lower()
        rated = [(difflib.SequenceMatcher(None, wanted, s.lower()).ratio(), s) for s in slugs]
        close = sorted((-ratio, s) for ratio, s in rated if ratio >= 0.6)
        expected = close[0][1] if close else None
        assert closest_slug(value, slugs) == expected, value
        assert closest_slug(value, reversed(slugs)) == expected, value  # remembered or not


# -- the command line ------------------------------------------------------------------------


def test_cli_report_is_the_same_in_every_run(broken_copy):
    outputs = set()
    for seed in ("1", "2"):
        done = subprocess.run(
            [AKGRAPH, "validate", str(broken_copy)],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert done.returncode == 1, done.stderr
        outputs.add(done.stdout)
    (output,) = outputs
    for name in SKIPPED:
        assert output.splitlines().count(f"{MEASURES}/{name}") == 1  # its heading, once
    assert "nl: De frontmatter is geen bruikbare YAML; het bestand is overgeslagen." in output
    assert "[hide, line 28]" in output


def test_every_problem_code_has_a_dutch_message():
    """Every code the converter can report (read from its source) has an entry in the table."""
    source = "\n".join(p.read_text("utf-8") for p in (REPO / "src" / "akgraph").rglob("*.py"))
    codes = set(re.findall(r'Severity\.[A-Z]+,\s*"([a-z0-9-]+)"', source))
    codes |= set(re.findall(r'\bskip\(\s*"([a-z0-9-]+)"', source))
    assert len(codes) > 30
    table = problem_messages()
    assert sorted(codes - set(table)) == []
    assert all(entry.get("nl") for entry in table.values())


def test_sparql_rule_messages_keep_both_languages_beside_an_iri_pyoxigraph_refuses(latest_build):
    """Regression: a term pyoxigraph refuses (an IRI with a space) once left the SPARQL rules to
    pyshacl, which gives a result one message in a language that changes from run to run."""
    data = latest_build.union()
    data.add((URIRef("urn:nl:ak:hlp:Met Spatie"), RDF.type, AK.Instrument))
    data.add((URIRef("urn:nl:ak:hlp:iama"), AK.notInTheOntology, URIRef("urn:nl:ak:x")))
    report = validate(data)
    legal = [f for f in report.findings if f.shape.endswith("#CitationIdentifiesLaw")]
    coverage = [f for f in report.findings if f.shape.endswith("#OntologyCoverage")]
    assert legal and coverage
    for finding in legal + coverage:
        assert finding.message_nl != finding.message_en, str(finding)
    assert all(f.message_nl.startswith("Uit deze link") for f in legal)
    assert all("notInTheOntology" in f.message_en for f in coverage)
