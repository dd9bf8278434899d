"""Several releases in one graph: named graphs, URN history (reassignment vs edit), diff."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from akgraph import iris, store
from akgraph.graph import build, build_releases, build_tags, serialize, to_store
from akgraph.history import diff
from akgraph.iris import AK
from akgraph.web import state
from tests.conftest import RELEASES, REPO, corpus_release
from tests.scan import scan
from tests.test_cli import run


@pytest.fixture(scope="module")
def releases():
    return build_releases([build(corpus_release(tag)) for tag in reversed(RELEASES)])


@pytest.fixture(scope="module")
def scans():
    return {tag: scan(corpus_release(tag)) for tag in RELEASES}


def urn_slugs(scanned) -> dict[str, set[str]]:
    """Per URN in the ``id`` field of measures and requirements: the file slugs that claim it."""
    found: dict[str, set[str]] = {}
    for kind in ("measure", "requirement"):
        for f in scanned[kind]:
            for urn in f.fields.get("id", [])[:1]:
                found.setdefault(urn, set()).add(f.slug)
    return found


def test_releases_are_ordered_and_kept_in_their_own_graphs(releases):
    assert [b.checkout.release.tag for b in releases.builds] == RELEASES
    names = {str(g.identifier) for g in releases.dataset().graphs()}
    assert {f"urn:nl:ak:release:{t}" for t in RELEASES} <= names
    assert {str(iris.HISTORY_GRAPH), str(iris.VOCABULARY_GRAPH)} <= names


def test_reassignments_between_v20_and_v220_are_found_and_edits_are_not(releases, scans):
    old, new = urn_slugs(scans["v2.0"]), urn_slugs(scans["v2.2.0"])
    single = {u for u in old.keys() & new.keys() if len(old[u]) == 1 and len(new[u]) == 1}
    expected = {u for u in single if old[u] != new[u]}
    kept = {u for u in single if old[u] == new[u]}
    assert len(expected) >= 10 and "urn:nl:ak:mtr:dat-12" in expected
    history = releases.history
    found = set()
    for urn in single:
        node = iris.item_version(urn, "v2.2.0")
        if (node, AK.reassignedFrom, iris.item_version(urn, "v2.0")) in history:
            found.add(urn)
        elif urn in kept:
            assert (node, PROV.wasRevisionOf, iris.item_version(urn, "v2.0")) in history, urn
    assert found == expected
    result = diff("v2.0", releases.builds[0].data, "v2.2.0", releases.builds[1].data)
    assert {a.iri for a, _ in result.reassigned} >= expected
    # a change is of one item: never the old and the new holder of a reassigned URN
    assert not {c.iri for c in result.changed if c.moved_from is None} & expected


def test_reassignments_match_the_list_checked_by_hand(releases):
    """docs/reassignments-v2.0-v2.2.0.md lists the real reassignments, read by hand; the
    duplicate-id artefacts of v2.0 (owp-11, owk-09, mon-05) are not among them."""
    doc = (REPO / "docs" / "reassignments-v2.0-v2.2.0.md").read_text(encoding="utf-8")
    table = doc.split("## The 30 real reassignments", 1)[1].split("## Not reassignments", 1)[0]
    codes = re.findall(r"^\| `([a-z]+-\d+)` \|", table, re.M)
    by_hand = {f"urn:nl:ak:mtr:{code}" for code in codes}
    assert len(by_hand) == 30
    found = {
        str(urn)
        for urn in releases.history.subjects(AK.reassigned, Literal(True))
        if (
            iris.item_version(str(urn), "v2.2.0"),
            AK.reassignedFrom,
            iris.item_version(str(urn), "v2.0"),
        )
        in releases.history
    }
    assert found == by_hand


def test_a_urn_is_never_merged_across_releases(releases):
    versions = set(releases.history.subjects(AK.versionOf, URIRef("urn:nl:ak:mtr:dat-12")))
    assert len(versions) == 3
    titles = {str(releases.history.value(v, DCTERMS.title)) for v in versions}
    assert len(titles) == 2  # one title in v2.0, another from v2.2.0 on
    assert (URIRef("urn:nl:ak:mtr:dat-12"), AK.reassigned, Literal(True)) in releases.history


def _without_number(slug: str) -> str:
    return re.sub(r"^\d+-", "", slug.lower())


def identities(scanned) -> dict[str, str]:
    """The IRI of every item by the documented rule, read from the scan: a measure or
    requirement keeps the URN in its ``id`` if no other file claims it or if it is the only
    claimant whose file name has the URN's code (``org-03`` in ``0-org-03-...``); otherwise it
    gets ``urn:nl:ak:<code>:<slug>``; an instrument is ``urn:nl:ak:hlp:<slug>``. Maps to the slug.
    """
    found: dict[str, str] = {}
    for kind, code in (("measure", "mtr"), ("requirement", "ver")):
        claims: dict[str, list] = {}
        for f in scanned[kind]:
            claims.setdefault(f.fields["id"][0], []).append(f)
        for urn, files in claims.items():
            number = urn.rsplit(":", 1)[1].lower()
            named = [f for f in files if _without_number(f.slug).startswith(f"{number}-")]
            owner = files[0] if len(files) == 1 else named[0] if len(named) == 1 else None
            for f in files:
                found[urn if f is owner else f"urn:nl:ak:{code}:{f.slug.lower()}"] = f.slug
    found |= {f"urn:nl:ak:hlp:{i.slug.lower()}": i.slug for i in scanned["instrument"]}
    return found


def hand_checked() -> dict[str, set]:
    """docs/reassignments-v2.0-v2.2.0.md read as data: the reassigned URNs, the moves (old IRI,
    new IRI) and the IRIs added and removed between v2.0 and v2.2.0."""
    doc = (REPO / "docs" / "reassignments-v2.0-v2.2.0.md").read_text(encoding="utf-8")
    table = doc.split("## The 30 real reassignments", 1)[1].split("## Not reassignments", 1)[0]
    rows = re.findall(r"^\| `([a-z]+-\d+)` \| `[^`]+` \| `[^`]+` \| ([^|]+) \|", table, re.M)
    mtr = "urn:nl:ak:mtr:"
    moved = {(mtr + a, mtr + b.strip()) for a, b in rows if re.fullmatch(r"[a-z]+-\d+", b.strip())}
    lists = doc.split("## Moves, additions and removals", 1)[1]
    moved |= set(re.findall(r"^\| `(urn:[^`]+)` \| `(urn:[^`]+)` \|", lists, re.M))

    def listed(title: str) -> set[str]:
        block = lists.split(f"**{title} v2.0 → v2.2.0", 1)[1].split("\n\n", 1)[0]
        return set(re.findall(r"`(urn:nl:ak:[^`]+)`", block))

    return {
        "reassigned": {mtr + a for a, _ in rows},
        "moved": moved,
        "added": listed("Added"),
        "removed": listed("Removed"),
    }


def test_the_hand_checked_lists_are_complete(scans):
    """Every IRI of v2.0 (by the scan) is kept, moved or removed by the hand-checked lists,
    every IRI of v2.2.0 kept, moved there or added."""
    checked = hand_checked()
    assert (len(checked["moved"]), len(checked["added"]), len(checked["removed"])) == (32, 8, 4)
    before, after = identities(scans["v2.0"]), identities(scans["v2.2.0"])
    kept = (before.keys() & after.keys()) - checked["reassigned"]
    assert before.keys() == kept | {a for a, _ in checked["moved"]} | checked["removed"]
    assert after.keys() == kept | {b for _, b in checked["moved"]} | checked["added"]


def test_diff_agrees_with_the_hand_checked_lists_and_a_scan(releases, scans):
    """v2.0 → v2.2.0 as checked by hand; v2.2.0 → v2.5.1 by the scan (no file renamed there,
    checked in the same document: every item keeps its IRI)."""
    checked = hand_checked()
    empty = {"reassigned": set(), "moved": set(), "added": set(), "removed": set()}
    for (old_tag, old), (new_tag, new) in itertools.pairwise(
        zip(RELEASES, releases.builds, strict=True)
    ):
        result = diff(old_tag, old.data, new_tag, new.data)
        if (old_tag, new_tag) == ("v2.0", "v2.2.0"):
            expected = checked
        else:
            before, after = identities(scans[old_tag]), identities(scans[new_tag])
            assert all(before[u] == after[u] for u in before.keys() & after.keys())
            expected = empty | {
                "added": after.keys() - before.keys(),
                "removed": before.keys() - after.keys(),
            }
        assert {a.iri for a, _ in result.reassigned} == expected["reassigned"]
        assert {(a.iri, b.iri) for a, b in result.moved} == expected["moved"]
        assert {v.iri for v in result.added} == expected["added"]
        assert {v.iri for v in result.removed} == expected["removed"]
        counts = result.counts()
        assert counts["moved"] == len(expected["moved"])
        assert json.loads(json.dumps(result.to_json()))["counts"] == counts


def test_history_links_a_moved_item_to_its_version_before(releases):
    """The history graph says the same as the diff: a moved item's version revises the version
    of the old IRI; the old version is replaced by the new one."""
    for old, new in hand_checked()["moved"]:
        before, after = iris.item_version(old, "v2.0"), iris.item_version(new, "v2.2.0")
        assert (after, PROV.wasRevisionOf, before) in releases.history, new
        assert (after, AK.movedFrom, URIRef(old)) in releases.history
        assert (before, DCTERMS.isReplacedBy, after) in releases.history
        assert (before, AK.movedTo, URIRef(new)) in releases.history


def test_relations_of_moved_items_are_not_a_change(releases):
    """A requirement whose measure was renumbered still points at the same measure: no relation
    removed and added for it."""
    result = diff("v2.0", releases.builds[0].data, "v2.2.0", releases.builds[1].data)
    moved = dict(hand_checked()["moved"])
    removed = {(s, f, moved.get(o, o)) for s, f, o in result.relations_removed}
    assert not removed & set(result.relations_added)


def test_queries_target_one_release_and_default_to_the_newest(releases):
    loaded = to_store(releases)
    default = store.default_graphs(loaded)
    assert default[0] == "urn:nl:ak:release:v2.5.1"
    ask = (
        "PREFIX dct: <http://purl.org/dc/terms/> "
        "SELECT ?t {{ {} <urn:nl:ak:mtr:dat-12> dct:title ?t {} }}"
    )
    old = list(loaded.query(ask.format("GRAPH <urn:nl:ak:release:v2.0> {", "}")))
    assert [str(r["t"].value) for r in old] == [
        str(releases.builds[0].data.value(URIRef("urn:nl:ak:mtr:dat-12"), DCTERMS.title))
    ]
    from pyoxigraph import NamedNode

    newest = list(loaded.query(ask.format("", ""), default_graph=[NamedNode(g) for g in default]))
    assert [str(r["t"].value) for r in newest] == [
        str(releases.newest.data.value(URIRef("urn:nl:ak:mtr:dat-12"), DCTERMS.title))
    ]


def test_pages_show_history_and_diff(releases):
    from akgraph.web import create_app

    app = create_app({"TESTING": True, "SOURCE": releases, "WORKERS": 1})
    try:
        client = app.test_client()
        html = client.get("/doc/urn:nl:ak:mtr:dat-12").get_data(as_text=True)
        block = html.split('id="geschiedenis"', 1)[1].split("</section>", 1)[0]
        assert "deze URN heeft in eerdere uitgaven een ander onderdeel" in block
        assert [t for t in RELEASES if f"<td>{t}</td>" in block] == RELEASES
        answer = client.get("/diff?from=v2.0&to=v2.2.0&format=json").json
        expected = diff("v2.0", releases.builds[0].data, "v2.2.0", releases.builds[1].data)
        assert answer["counts"] == expected.counts()
        moved = {(m["from"]["urn"], m["to"]["urn"]) for m in answer["moved"]}
        assert moved == hand_checked()["moved"]
        page = client.get("/diff?from=v2.0&to=v2.2.0").get_data(as_text=True)
        table = page.split('id="verplaatst"', 1)[1].split("</table>", 1)[0]
        assert table.count("<tr>") == len(moved) + 1  # with the header row
        owp14 = client.get("/doc/urn:nl:ak:mtr:owp-14").get_data(as_text=True)
        assert "(was <code>urn:nl:ak:mtr:owp-17</code>)" in owp14.split('id="geschiedenis"')[1]
        assert client.get("/diff?from=v2.0&to=v9").status_code == 404
        # the same pages in English: the interface translated, the framework's text Dutch
        english = client.get("/diff?from=v2.0&to=v2.2.0&lang=en").get_data(as_text=True)
        assert "<h1>What changed from v2.0 to v2.2.0</h1>" in english
        assert '<h2 id="verplaatst">Items with a different URN</h2>' in english
        english = client.get("/doc/urn:nl:ak:mtr:dat-12?lang=en").get_data(as_text=True)
        assert "<strong>Note:</strong> in earlier releases this URN identified" in english
        version = iris.item_version("urn:nl:ak:mtr:dat-12", "v2.2.0")
        english = client.get(f"/doc/{version}?lang=en").get_data(as_text=True)
        assert '<p class="kind">Version of a measure in release v2.2.0</p>' in english
    finally:
        state.of(app).backend.close()


# -- git checkouts -------------------------------------------------------------------------


def git(repo, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True,
        env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
             "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    return done.stdout


@pytest.fixture
def repository(tmp_path, sample_path):
    """A git checkout of the sample with tags r1 (as is) and r2 (a URN reassigned: its file
    replaced by another measure; a title edited; a file renamed in case and ``_``, one renamed
    with the same content)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    shutil.copytree(sample_path, repo, ignore=shutil.ignore_patterns("SOURCE"))
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "r1")
    git(repo, "tag", "r1")
    measures = repo / "docs/voldoen-aan-wetten-en-regels/maatregelen"
    old = next(measures.glob("1-pba-01-*.md"))
    other = "---\ntitle: Iets heel anders\nid: urn:nl:ak:mtr:pba-01\n---\n\n## Maatregel\n\nNee.\n"
    (measures / "1-pba-01-iets-anders.md").write_text(other, encoding="utf-8")
    old.unlink()
    next(measures.glob("3-dat-01-*.md")).rename(measures / "3_DAT-01_datakwaliteit.md")
    next(measures.glob("4-owk-01-*.md")).rename(measures / "4-owk-01-veilig-ontwerpen.md")
    edited = next(measures.glob("0-org-02-*.md"))
    text = edited.read_text(encoding="utf-8").replace("title: ", "title: Voortaan ", 1)
    edited.write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "r2")
    git(repo, "tag", "r2")
    return repo


def test_git_tags_are_read_with_git(repository, tmp_path):
    builds = build_tags(repository, ["r1..r2"])
    assert [b.checkout.release.tag for b in builds] == ["r1", "r2"]
    assert all(len(b.checkout.release.commit) == 40 for b in builds)
    result = diff("r1", builds[0].data, "r2", builds[1].data)
    assert [a.iri for a, _ in result.reassigned] == ["urn:nl:ak:mtr:pba-01"]
    # the old measure is gone, the new one is new; the renamed files are the same items
    pba = ["urn:nl:ak:mtr:pba-01"]
    assert [v.iri for v in result.added] == [v.iri for v in result.removed] == pba
    assert not result.moved
    changed = {c.iri: c.fields for c in result.changed}
    assert "title" in changed["urn:nl:ak:mtr:org-02"]
    out = tmp_path / "both.trig"
    done = run("build", str(repository), "--tags", "r1,r2", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "URNs reassigned to another item in a later release: 1" in done.stdout
    assert "urn:nl:ak:release:r1" in out.read_text(encoding="utf-8")
    as_json = run("diff", "--repo", str(repository), "r1", "r2", "--format", "json")
    assert json.loads(as_json.stdout)["counts"] == result.counts()
    missing = run("build", str(repository), "--tags", "r1..r9")
    assert missing.returncode == 2 and "no tag 'r9'" in missing.stderr


def test_git_rename_detection_matches_a_rewritten_file(tmp_path, sample_path):
    """A file renamed and retitled, a third of its text new: too unlike for the title and text
    rule, but git finds the rename, so read from the repository it is the same measure."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    shutil.copytree(sample_path, repo, ignore=shutil.ignore_patterns("SOURCE"))
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "r1")
    git(repo, "tag", "r1")
    measures = repo / "docs/voldoen-aan-wetten-en-regels/maatregelen"
    old = next(measures.glob("2-owp-07-*.md"))
    text = old.read_text(encoding="utf-8")
    title = re.search(r"^title: .*$", text, re.M)
    assert title
    text = text.replace(title.group(0), "title: Een heel nieuwe kop voor deze maatregel", 1)
    extra = "\n".join(
        f"Nieuwe zin {n} over toetsing, bezwaar en uitleg aan burgers." for n in range(20)
    )
    old.unlink()
    (measures / "2-owp-07-grondrechten.md").write_text(f"{text}\n## Meer\n\n{extra}\n", "utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "r2")
    git(repo, "tag", "r2")
    builds = build_tags(repo, ["r1", "r2"])
    urn = "urn:nl:ak:mtr:owp-07"
    plain = diff("r1", builds[0].data, "r2", builds[1].data)
    assert [a.iri for a, _ in plain.reassigned] == [urn]  # the content rule alone: another item
    commits = [b.checkout.release.commit for b in builds]
    moved = git(repo, "diff", "--name-status", "-M", *commits).split()
    assert moved[0].startswith("R")  # git calls it a rename
    from akgraph.source.git import renames

    found = renames(repo, *commits)
    assert found == {moved[1]: moved[2]}
    with_git = diff("r1", builds[0].data, "r2", builds[1].data, found)
    assert not with_git.reassigned and not with_git.added and not with_git.removed
    assert urn in {c.iri for c in with_git.changed}
    history = build_releases(builds, repo).history
    assert (
        iris.item_version(urn, "r2"),
        PROV.wasRevisionOf,
        iris.item_version(urn, "r1"),
    ) in history
    assert not list(history.subjects(AK.reassignedFrom, None))
    done = run("diff", "--repo", str(repo), "r1", "r2", "--format", "json")
    assert json.loads(done.stdout)["counts"]["reassigned"] == 0


def test_several_releases_need_a_quad_format(tmp_path):
    a = corpus_release("v2.0")
    b = corpus_release("v2.2.0")
    done = run("build", str(a), str(b), "-o", str(tmp_path / "x.ttl"))
    assert done.returncode == 2 and "write .trig or .nq" in done.stderr


def test_api_version_selects_a_release(releases):
    """The task-registry-compatible API answers what a URN named in the release asked for."""
    from akgraph.web import create_app

    app = create_app({"TESTING": True, "SOURCE": releases, "WORKERS": 1})
    try:
        client = app.test_client()
        for build_ in releases.builds:
            tag = build_.checkout.release.tag
            answer = client.get("/measures/urn/urn:nl:ak:mtr:dat-12", query_string={"version": tag})
            assert answer.status_code == 200, tag
            expected = build_.data.value(URIRef("urn:nl:ak:mtr:dat-12"), DCTERMS.title)
            assert answer.json["name"] == str(expected), tag
        latest = client.get("/measures/urn/urn:nl:ak:mtr:dat-12").json
        assert latest["name"] == str(
            releases.newest.data.value(URIRef("urn:nl:ak:mtr:dat-12"), DCTERMS.title)
        )
        unknown = client.get("/measures/", query_string={"version": "v0.1"})
        assert unknown.status_code == 404
        assert set(unknown.json["versions"]) == {"latest", *RELEASES}
    finally:
        state.of(app).backend.close()


def test_validation_keeps_releases_apart(releases):
    """Regression: validating a multi-release dataset merged the releases (904 false violations:
    two titles per URN and the like); each release is now validated on its own."""
    from collections import Counter

    from akgraph.validate import validate, validate_dataset

    report = validate_dataset(releases.dataset())
    assert {f.release for f in report.findings} <= {*RELEASES, None}
    newest = releases.newest
    alone = Counter(str(f) for f in validate(newest.union()).findings)
    tag = newest.checkout.release.tag
    within = Counter(str(f).replace(f" ({tag})", "") for f in report.findings if f.release == tag)
    assert within == alone


def test_a_file_of_releases_validated_in_workers_finds_what_each_release_alone_finds(
    releases, tmp_path
):
    """The N-Quads of several releases, read straight from the file and validated in two
    processes, give every release the findings that validating it alone gives, and the same
    findings as one process."""
    from collections import Counter

    from akgraph.graph import named_statements
    from akgraph.validate import validate, validate_graphs

    path = tmp_path / "all.nq"
    path.write_bytes(serialize(releases, "nquads"))
    graphs = named_statements(path)
    parallel = validate_graphs(graphs, jobs=2).findings
    assert Counter(parallel) == Counter(validate_graphs(graphs, jobs=1).findings)
    for built in releases.builds:
        tag = built.checkout.release.tag
        alone = Counter(str(f) for f in validate(built.union()).findings)
        within = Counter(str(f).replace(f" ({tag})", "") for f in parallel if f.release == tag)
        assert within == alone, tag


# -- consumers holding old URNs ----------------------------------------------------------------


@pytest.fixture(scope="module")
def api(releases):
    from akgraph.web import create_app

    app = create_app({"TESTING": True, "SOURCE": releases, "WORKERS": 1})
    try:
        yield app.test_client()
    finally:
        state.of(app).backend.close()


def where_now(scans) -> dict[str, str | None]:
    """Per IRI of v2.0 (by the scan): its item's IRI in v2.5.1 by the hand-checked lists
    (v2.2.0 → v2.5.1 keeps every IRI), None where it is gone."""
    checked = hand_checked()
    moved = dict(checked["moved"])
    return {
        u: moved[u] if u in moved else None if u in checked["removed"] else u
        for u in identities(scans["v2.0"])
    }


def test_an_old_urn_says_what_it_named_then_and_where_that_item_is_now(api, scans):
    checked = hand_checked()
    now = where_now(scans)
    urns = {u for u in now if re.fullmatch(r"urn:nl:ak:(mtr|ver):[a-z]+-\d+", u)}
    assert len(urns) > 100
    by_slug = {f.slug: f.fields["title"][0] for files in scans["v2.0"].values() for f in files}
    titles = {iri: by_slug[slug] for iri, slug in identities(scans["v2.0"]).items()}
    for urn in sorted(urns):
        record = api.get(f"/urns/{urn}", query_string={"version": "v2.0"}).json
        assert record["release"]["tag"] == "v2.0"
        assert record["name"].strip() == titles[urn].strip(), urn
        expected = now[urn]
        assert record["moved_to"] == (None if expected == urn else expected or "gone"), urn
        assert record["reassigned"] == (urn in checked["reassigned"]), urn
        shown = [h["release"] for h in record["history"]]
        assert shown == [t for t in RELEASES if urn in identities(scans[t])], urn
        assert [h["reassigned"] for h in record["history"]][1:2] == (
            [urn in checked["reassigned"]] if len(shown) > 1 else []
        )
    # a URN only in v2.0: the 404 says where its item went
    gone = api.get("/urns/urn:nl:ak:mtr:owp-37")
    assert gone.status_code == 404 and gone.json["moved_to"] == "urn:nl:ak:mtr:owp-35"
    assert [h["release"] for h in gone.json["history"]] == ["v2.0"]
    # the measures route says the same, and a record of the newest release keeps its URN
    same = api.get("/measures/urn/urn:nl:ak:mtr:owp-17", query_string={"version": "v2.0"}).json
    assert same["moved_to"] == "urn:nl:ak:mtr:owp-14"
    assert api.get("/measures/urn/urn:nl:ak:mtr:owp-14").json["moved_to"] is None


def test_bulk_resolves_old_urns_to_current_ones(api, scans):
    now = where_now(scans)
    urns = sorted(u for u in now if u.startswith(("urn:nl:ak:mtr:", "urn:nl:ak:ver:")))
    answer = api.post("/urns/", json={"release": "v2.0", "urns": [*urns, "urn:nl:ak:mtr:xx-1"]})
    assert answer.status_code == 200
    results = answer.json["results"]
    assert answer.json["latest"] == RELEASES[-1]
    assert [r["urn"] for r in results] == [*urns, "urn:nl:ak:mtr:xx-1"]
    for r in results[:-1]:
        assert r["known"] and r["current"] == (now[r["urn"]] or "gone"), r
        assert r["moved"] == (now[r["urn"]] not in (None, r["urn"]))
    assert results[-1] == {
        "urn": "urn:nl:ak:mtr:xx-1", "release": "v2.0", "known": False, "title": None,
        "current": None, "moved": False, "reassigned": False,
    }  # fmt: skip
    moved = sum(r["moved"] for r in results)
    assert moved == len([u for u, v in now.items() if v not in (None, u) and u in urns]) > 20
    # an entry with a release of its own; errors
    mixed = api.post(
        "/urns/", json={"urns": [{"urn": "urn:nl:ak:mtr:owp-14", "release": "v2.2.0"}]}
    ).json["results"]
    assert mixed[0]["current"] == "urn:nl:ak:mtr:owp-14" and mixed[0]["reassigned"]
    assert api.post("/urns/", json={"release": "v9", "urns": ["x"]}).status_code == 400
    assert api.post("/urns/", data="no json").status_code == 400
    too_many = {"urns": ["urn:nl:ak:mtr:org-01"] * 1001}
    assert api.post("/urns/", json=too_many).status_code == 400
