"""akgraph's v2.0 records against the registry's own YAML (its requirements/ and measures/ were
converted from Algoritmekader v2.0), field by field. Every difference must be one listed, with
its reason, in docs/registry-differences.md; that list is hand-checked, not made by this code."""

from __future__ import annotations

import re

import pytest
import yaml

from akgraph.web import state
from tests.clients import TASK_REGISTRY, need
from tests.conftest import REPO

pytestmark = pytest.mark.corpus

DOC = REPO / "docs" / "registry-differences.md"
FIELDS = {
    "requirements": ("name", "ai_act_profile", "always_applicable", "lifecycle", "links"),
    "measures": ("name", "lifecycle", "links", "suggested_roles", "subject"),
}


def listed() -> set[tuple[str, str, str]]:
    """The rows ``| collection | urn | field | ... |`` of the document's table."""
    rows = set()
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*(requirements|measures)\s*\|\s*`([^`]+)`\s*\|\s*(\w+)\s*\|", line)
        if match:
            rows.add(match.groups())
    return rows


def registry_yaml(kind: str) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for path in sorted(need(TASK_REGISTRY / kind).glob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        found.setdefault(record["urn"], []).append(record)
    return found


def _norm(value):
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [{k: sorted(v) for k, v in entry.items()} for entry in value]
    if isinstance(value, list):
        return sorted(value)
    return value.strip() if isinstance(value, str) else value


@pytest.fixture(scope="module")
def ours():
    from akgraph import build
    from akgraph.web import create_app
    from tests.conftest import corpus_release

    app = create_app({"SOURCE": build(corpus_release("v2.0")), "WORKERS": 1})
    client = app.test_client()
    try:
        found = {}
        for kind in FIELDS:
            entries = client.get(f"/{kind}/?content=true").json["entries"]
            found[kind] = {e["urn"]: e["content"] for e in entries}
        yield found
    finally:
        state.of(app).backend.close()


def test_v20_records_equal_the_registry_but_for_the_listed_differences(ours):
    differences = set()
    for kind, fields in FIELDS.items():
        theirs = registry_yaml(kind)
        for urn in sorted(set(ours[kind]) | set(theirs)):
            if urn not in theirs or urn not in ours[kind]:
                differences.add((kind, urn, "urn"))
                continue
            if len(theirs[urn]) > 1:
                differences.add((kind, urn, "urn"))  # the registry gives it to several files
                continue
            mine, other = ours[kind][urn], theirs[urn][0]
            for field in fields:
                if _norm(mine.get(field)) != _norm(other.get(field)):
                    differences.add((kind, urn, field))
            # The registry links the page itself (MkDocs serves both forms).
            assert other["url"] == mine["url"] + "index.html", urn
    unexplained = sorted(differences ^ listed())
    assert not unexplained, "\n".join(map(str, unexplained))
