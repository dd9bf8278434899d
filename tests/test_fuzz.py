"""Fuzzing the converter: mutated Markdown and frontmatter never crash the build, and every file
is either converted or reported by path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal

from akgraph import build
from akgraph.iris import AK

MEASURES = "docs/voldoen-aan-wetten-en-regels/maatregelen"
KEYS = ["title", "id", "toelichting", "vereiste", "levenscyclus", "onderwerp", "rollen",
        "sources", "hide", "bronnen", "maatregel", "uitzondering"]  # fmt: skip
SCALARS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["1.10", "2.10", "yes", "no", "~", "null", "0o17", "1e3", "2024-01-01",
                     "urn:nl:ak:mtr:org-02", "urn:nl:ak:mtr:org 02", "0-org-02", "'", '"', "[",
                     "{", "&anchor", "*alias", "!!python/object:os.system", "- x", ": y"]),
)  # fmt: skip


def _yaml_value(value) -> str:
    if isinstance(value, list):
        return "\n" + "\n".join(f"- {v}" for v in value)
    if isinstance(value, dict):
        return "\n" + "\n".join(f"  {k}: {v}" for k, v in value.items())
    return f" {value}"


frontmatter = st.dictionaries(
    st.sampled_from(KEYS),
    st.one_of(
        SCALARS, st.lists(SCALARS, max_size=4), st.dictionaries(SCALARS, SCALARS, max_size=3)
    ),
    max_size=8,
)
body = st.lists(
    st.one_of(
        st.text(max_size=80),
        st.sampled_from(["## Toelichting", "## Risico", "<!-- tags -->", "??? info \"x\"",
                         "    ingesprongen", "!!! note", "[link](../vereisten/weg.md)",
                         "[x](javascript:alert(1))", "{ .md-button }", "```", "\r\n", "\x00",
                         "| a | b |", "*[term]: uitleg", "<script>x</script>"]),
    ),
    max_size=12,
)  # fmt: skip


def _document(meta: dict, lines: list[str], fence: bool, crlf: bool) -> bytes:
    head = "".join(f"{key}:{_yaml_value(value)}\n" for key, value in meta.items())
    text = ("---\n" + head + "---\n" if fence else head) + "\n".join(lines) + "\n"
    if crlf:
        text = text.replace("\n", "\r\n")
    return text.encode("utf-8", "surrogatepass")


@pytest.fixture(scope="module")
def base(tmp_path_factory, sample_path) -> Path:
    target = tmp_path_factory.mktemp("fuzz") / "checkout"
    shutil.copytree(sample_path, target)
    return target


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    documents=st.lists(
        st.tuples(frontmatter, body, st.booleans(), st.booleans(), st.binary(max_size=16)),
        min_size=1,
        max_size=4,
    )
)
def test_mutated_files_convert_or_are_reported(base, tmp_path_factory, documents):
    checkout = tmp_path_factory.mktemp("case") / "checkout"
    shutil.copytree(base, checkout)
    written = []
    for n, (meta, lines, fence, crlf, noise) in enumerate(documents):
        path = checkout / MEASURES / f"9-fuz-{n:02d}-geval.md"
        try:
            data = _document(meta, lines, fence, crlf)
        except UnicodeEncodeError:
            data = noise
        path.write_bytes(data + (noise if n % 2 else b""))
        written.append(path.relative_to(checkout).as_posix())

    built = build(checkout)  # must not raise

    converted = {str(p) for p in built.data.objects(None, AK.sourcePath)}
    reported = {p.path for p in built.problems}
    for path in written:
        assert path in converted or path in reported, path
        if path not in converted:
            assert any(p.path == path and p.skipped for p in built.problems), path
    # the sample's own items still convert
    assert (
        None,
        AK.sourcePath,
        Literal(f"{MEASURES}/0-org-02-beleid-opstellen-inzet-algoritmes.md"),
    ) in built.data
