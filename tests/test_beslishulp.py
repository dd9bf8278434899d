"""The AI-Act decision aid: the real tree in ../shared/beslishulp read, checked, converted and
walked. Expected answers come from code of the test's own: the YAML read with plain
``yaml.safe_load``, conditions evaluated by rewriting them into Python, paths enumerated by a
separate walk, labels put in dimensions by the task-registry's own JSON schema."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from akgraph import decision_aid, iris
from akgraph.source import beslishulp
from akgraph.web import state
from tests.conftest import CORPUS, REPO

SHARED = Path(os.environ.get("AKGRAPH_SHARED", REPO.parent / "shared"))
TREE = SHARED / "beslishulp"
SCHEMA = SHARED / "clients" / "task-registry" / "schemas" / "schema_requirements.json"
SAMPLE = REPO / "content" / "beslishulp"
#: the registry's ai_act_profile fields -> the parameters of /api/applicable (its README)
PARAMETERS = {
    "type": "soort-toepassing",
    "risk_group": "risicogroep",
    "role": "rol-ai-act",
    "open_source": "open-source",
    "systemic_risk": "systeemrisico",
    "transparency_obligations": "transparantieverplichting",
}


def shared_tree() -> Path:
    if not (TREE / "decision-tree.yaml").is_file():
        pytest.skip(f"the decision aid {TREE} not found (set AKGRAPH_SHARED)")
    return TREE


# -- an independent reading of the YAML --------------------------------------------------


def _python(condition: str) -> str:
    """A condition of the decision aid as a Python expression over ``labels``."""
    return condition.replace("||", " or ").replace("&&", " and ").replace("!", " not ")


def _holds(condition: str, labels: set[str]) -> bool:
    return bool(eval(_python(condition), {"__builtins__": {}}, {"labels": labels}))


def independent_paths(folder: Path) -> dict[tuple[int, ...], tuple[str, frozenset[str]]]:
    """Every path (answer positions) -> (conclusion id, labels), read with plain PyYAML."""
    tree = yaml.safe_load((folder / "decision-tree.yaml").read_text(encoding="utf-8"))
    questions = {q["questionId"]: q for q in tree["questions"]}
    found: dict[tuple[int, ...], tuple[str, frozenset[str]]] = {}

    def visit(qid: str, path: tuple[int, ...], labels: frozenset[str], seen: set[str]) -> None:
        assert qid not in seen, f"the walk comes back to {qid}"
        for index, answer in enumerate(questions[qid]["answers"]):
            got = labels | set(answer.get("labels") or [])
            target = None
            for redirect in answer.get("redirects") or []:
                if _holds(redirect["if"], set(got)):
                    target = redirect
                    break
            target = target or answer
            if "nextConclusionId" in target:
                found[(*path, index)] = (target["nextConclusionId"], frozenset(got))
            else:
                visit(target["nextQuestionId"], (*path, index), frozenset(got), seen | {qid})

    visit(tree["questions"][0]["questionId"], (), frozenset(), set())
    return found


# -- the shared tree ------------------------------------------------------------------------


def test_shared_tree_reads_and_has_no_defects():
    tree = beslishulp.read(shared_tree())
    plain = yaml.safe_load((TREE / "decision-tree.yaml").read_text(encoding="utf-8"))
    assert [q.id for q in tree.questions] == [q["questionId"] for q in plain["questions"]]
    assert [c.id for c in tree.conclusions] == [c["conclusionId"] for c in plain["conclusions"]]
    assert tree.problems == []
    assert decision_aid.check(tree) == []


def test_every_path_ends_in_a_conclusion_with_the_labels_an_independent_walk_finds(capsys):
    tree = beslishulp.read(shared_tree())
    expected = independent_paths(TREE)
    found = {p.answers: (p.conclusion, frozenset(p.labels)) for p in decision_aid.paths(tree)}
    with capsys.disabled():
        print(f"\n  decision aid: {len(found)} paths, {len({c for c, _ in found.values()})} "
              f"conclusions reached of {len(tree.conclusions)}")  # fmt: skip
    assert len(found) > 1000
    assert found == expected
    # and replaying each path through walk() arrives at the same place
    for answers, (conclusion, labels) in list(expected.items())[::37]:
        step = decision_aid.walk(tree, answers)
        assert step.conclusion is not None and step.conclusion.id == conclusion
        assert set(step.labels) == labels


def test_every_label_has_a_value_of_its_dimension_in_the_registry_schema():
    """Each label of the six framework dimensions is one of the registry schema's values for
    that field, and maps to the framework value whose concept has that label."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8")) if SCHEMA.is_file() else None
    if schema is None:
        pytest.skip(f"{SCHEMA} not found")
    by_label = _schema_labels(schema)
    tree = beslishulp.read(shared_tree())
    labels = {label for q in tree.questions for a in q.answers for label in a.labels}
    for label in sorted(labels):
        value = decision_aid.label_value(label)
        assert value is not None, label
        if label in by_label:
            assert value[0] == PARAMETERS[by_label[label]], label
        else:  # the two dimensions the framework lacks
            assert value[0] in decision_aid.extra_dimensions(), label


def _schema_labels(schema: dict) -> dict[str, str]:
    """label -> registry field, from the enums of ai_act_profile in the registry's schema."""
    found: dict[str, str] = {}

    def walk(node: object, field: str | None = None) -> None:
        if isinstance(node, dict):
            if "enum" in node and field in PARAMETERS:
                for value in node["enum"]:
                    found[value] = field
            for key, value in node.items():
                walk(value, key if key in PARAMETERS else field)
        elif isinstance(node, list):
            for value in node:
                walk(value, field)

    walk(schema)
    return found


# -- bad trees ------------------------------------------------------------------------------


BROKEN = """\
version: 0.0.1
name: kapot
questions:
  - questionId: "a"
    question: "Eerste?"
    answers:
      - answer: Ja
        labels: ["AI-systeem", "onbekend label"]
        redirects:
          - nextQuestionId: "b"
            if: '"AI-systeem" in labels &&'
      - answer: Nee
        nextQuestionId: "zz"
  - questionId: "b"
    question: "Tweede?"
    answers:
      - answer: Ja
        redirects:
          - nextConclusionId: "c1"
            if: '"hoog-risico AI" in labels'
  - questionId: "los"
    question: "Nooit gesteld?"
    answers:
      - answer: Ja
        nextConclusionId: "c1"
conclusions:
  - conclusionId: "c1"
    conclusion: "Klaar."
"""


def test_defects_are_reported_with_file_line_and_value(tmp_path):
    folder = tmp_path / "beslishulp"
    folder.mkdir()
    (folder / "decision-tree.yaml").write_text(BROKEN, encoding="utf-8")
    found = {(p.path, p.field, p.value) for p in decision_aid.check(beslishulp.read(folder))}
    where = "beslishulp/decision-tree.yaml"
    assert (f"{where}:7", "labels", "onbekend label") in found
    assert (f"{where}:10", "if", '"AI-systeem" in labels &&') in found
    assert (f"{where}:12", "nextQuestionId", "zz") in found
    assert (f"{where}:19", "if", "hoog-risico AI") in found  # no answer gives it
    assert (f"{where}:21", "questionId", "los") in found  # unreachable
    # both answers of the first question make paths that end in no conclusion
    assert (f"{where}:7", "answers", "0") in found
    assert (f"{where}:12", "answers", "1") in found


def test_a_walk_that_comes_back_is_reported(tmp_path):
    folder = tmp_path / "beslishulp"
    folder.mkdir()
    (folder / "decision-tree.yaml").write_text(
        'questions:\n  - questionId: "a"\n    question: "A?"\n    answers:\n'
        '      - answer: Ja\n        nextQuestionId: "b"\n'
        '  - questionId: "b"\n    question: "B?"\n    answers:\n'
        '      - answer: Ja\n        nextQuestionId: "a"\n'
        'conclusions:\n  - conclusionId: "x"\n    conclusion: "X."\n',
        encoding="utf-8",
    )
    messages = [p.message for p in decision_aid.check(beslishulp.read(folder))]
    assert any("loops to a" in m for m in messages)


def test_unreadable_yaml_is_reported_not_raised(tmp_path):
    folder = tmp_path / "beslishulp"
    folder.mkdir()
    (folder / "decision-tree.yaml").write_text("questions: [\n  - a: : :\n", encoding="utf-8")
    tree = beslishulp.read(folder)
    assert tree.questions == []
    assert [p.path.split(":")[0] for p in tree.problems] == ["beslishulp/decision-tree.yaml"]


def test_alias_bomb_in_the_tree_is_refused_not_expanded(tmp_path):
    """Regression: the decision aid's YAML had no bound on aliases (the frontmatter had)."""
    folder = tmp_path / "beslishulp"
    folder.mkdir()
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    pairs = zip("abcdef", "bcdefg", strict=True)
    lines += [f"{k}: &{k} [{', '.join(['*' + p] * 10)}]" for p, k in pairs]
    (folder / "decision-tree.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    tree = beslishulp.read(folder)
    assert tree.questions == []
    assert any("aliases expand" in p.message for p in tree.problems)


def test_conditions_parse_to_the_structure_kept_in_the_graph():
    tree = decision_aid.parse_condition(
        '!("open-source" in labels) && ("a" in labels || "b" in labels)'
    )
    assert decision_aid.as_data(tree) == {
        "all": [
            {"not": {"label": "open-source"}},
            {"any": [{"label": "a"}, {"label": "b"}]},
        ]
    }
    for bad in ['"a" in label', '"a" in labels ||', '("a" in labels', "a in labels"]:
        with pytest.raises(ValueError):
            decision_aid.parse_condition(bad)


# -- in the graph and on the web --------------------------------------------------------------


@pytest.fixture(scope="module")
def aid_build():
    from akgraph.graph import build

    release = CORPUS / "algoritmekader-v2.5.1"
    if not (release / "docs").is_dir():
        pytest.skip(f"real Algoritmekader export {release} not found (set AKGRAPH_CORPUS)")
    return build(release, decision_aid=shared_tree())


@pytest.fixture(scope="module")
def aid_server(aid_build):
    from akgraph.web import create_app
    from tests.live import live

    app = create_app({"TESTING": True, "SOURCE": aid_build, "TIMEOUT": 5, "WORKERS": 2,
                      "QUERIES_PER_CLIENT": 8, "TIMEOUT_COOLDOWN": 0})  # fmt: skip
    with live(app) as url:
        yield url
    state.of(app).backend.close()


def _get(url: str, accept: str = "application/json") -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def test_the_tree_is_its_own_named_graph_with_every_question_answer_and_source(aid_build):
    from rdflib.namespace import RDF

    from akgraph.iris import AK

    graph = aid_build.decision_graph
    assert (iris.DECISION_AID_GRAPH, graph) in aid_build.named_graphs()
    plain = yaml.safe_load((TREE / "decision-tree.yaml").read_text(encoding="utf-8"))
    assert len(set(graph.subjects(RDF.type, AK.DecisionQuestion))) == len(plain["questions"])
    answers = sum(len(q["answers"]) for q in plain["questions"])
    assert len(set(graph.subjects(RDF.type, AK.DecisionAnswer))) == answers
    redirects = sum(len(a.get("redirects") or []) for q in plain["questions"]
                    for a in q["answers"])  # fmt: skip
    assert len(set(graph.subjects(RDF.type, AK.DecisionRedirect))) == redirects
    assert len(set(graph.subjects(AK.condition, None))) == redirects
    # sources that cite an article of the AI Act link to the same ELI node as requirements do
    articles = {str(o) for o in graph.objects(None, AK.derivedFrom)}
    assert "http://data.europa.eu/eli/reg/2024/1689/art_5/oj" in articles
    assert articles & {str(o) for o in aid_build.data.objects(None, AK.derivedFrom)}


def test_nodes_dereference_with_content_negotiation(aid_server):
    question = iris.decision_aid("vraag", "1.2")
    status, turtle = _get(f"{aid_server}/doc/{question}", "text/turtle")
    assert status == 200
    plain = yaml.safe_load((TREE / "decision-tree.yaml").read_text(encoding="utf-8"))
    text = next(q["question"] for q in plain["questions"] if q["questionId"] == "1.2")
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDFS

    graph = Graph().parse(data=turtle, format="turtle")
    assert (URIRef(question), RDFS.label, Literal(text, lang="nl")) in graph
    status, html = _get(f"{aid_server}/doc/{iris.decision_aid('conclusie', '11.0')}", "text/html")
    assert status == 200 and "11.0" in html


def test_each_conclusion_applies_what_api_applicable_gives_for_its_labels(aid_server):
    """For every distinct AI-Act profile the paths reach, /api/beslishulp's requirements equal
    /api/applicable's for those labels, put in their dimensions by the registry's schema."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8")) if SCHEMA.is_file() else None
    if schema is None:
        pytest.skip(f"{SCHEMA} not found")
    by_label = _schema_labels(schema)
    seen: dict[frozenset, tuple[int, ...]] = {}
    for answers, (_, labels) in independent_paths(TREE).items():
        seen.setdefault(frozenset(x for x in labels if x in by_label), answers)
    assert len(seen) > 10
    for labels, answers in seen.items():
        pad = ".".join(map(str, answers))
        status, body = _get(f"{aid_server}/api/beslishulp?pad={pad}")
        assert status == 200, body
        walked = json.loads(body)
        params = [(PARAMETERS[by_label[x]], x) for x in sorted(labels)]
        status, body = _get(f"{aid_server}/api/applicable?{urllib.parse.urlencode(params)}")
        assert status == 200, body
        direct = json.loads(body)
        assert [r["urn"] for r in walked["requirements"]] == [
            r["urn"] for r in direct["requirements"]
        ], (pad, sorted(labels))
        assert [r["urn"] for r in walked["excluded"]] == [r["urn"] for r in direct["excluded"]]
        # the decision aid's labels as they are, all dimensions in one parameter
        query = urllib.parse.urlencode([("labels", ",".join(sorted(walked["labels"])))])
        status, body = _get(f"{aid_server}/api/applicable?{query}")
        assert status == 200, body
        assert [r["urn"] for r in json.loads(body)["requirements"]] == [
            r["urn"] for r in direct["requirements"]
        ]


def test_a_walked_profile_gives_what_the_same_profile_set_by_hand_gives(aid_server):
    """Issue 17: the conclusion page of a walk (/beslishulp, HTML) lists the requirements that
    "Wat geldt voor ons?" lists for the same profile ticked by hand (the labels put in their
    dimensions by the registry's schema), for one path to each of a dozen conclusions."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8")) if SCHEMA.is_file() else None
    if schema is None:
        pytest.skip(f"{SCHEMA} not found")
    by_label = _schema_labels(schema)
    per_conclusion: dict[str, tuple[tuple[int, ...], frozenset[str]]] = {}
    for answers, (conclusion, labels) in sorted(independent_paths(TREE).items()):
        mapped = frozenset(x for x in labels if x in by_label)
        if conclusion not in per_conclusion or len(mapped) > len(per_conclusion[conclusion][1]):
            per_conclusion[conclusion] = (answers, mapped)
    chosen = sorted(per_conclusion.items(), key=lambda c: (-len(c[1][1]), c[0]))[:12]
    assert len(chosen) == 12 and len(chosen[0][1][1]) >= 4
    for conclusion, (answers, labels) in chosen:
        pad = ".".join(map(str, answers))
        status, walked = _get(f"{aid_server}/beslishulp?pad={pad}", "text/html")
        assert status == 200 and "<h1>Conclusie</h1>" in walked, pad
        listed = walked.split('<ul class="requirements">', 1)[1].split("</ul>\n", 1)[0]
        from_walk = re.findall(r'^    <li><a href="/doc/[^"]+">.*?<span class="urn">([^<]+)</span>',
                               listed, re.M)  # fmt: skip
        params = [(PARAMETERS[by_label[x]], x) for x in sorted(labels)]
        query = urllib.parse.urlencode(params)
        status, by_hand = _get(f"{aid_server}/wat-geldt-voor-ons?{query}", "text/html")
        assert status == 200, by_hand[:300]
        ticked = _applicable_on_page(by_hand)
        assert from_walk == ticked and ticked, (conclusion, pad, sorted(labels))
        assert by_hand.count(" checked>") == len(params)  # the form shows the profile ticked
        # the walk links to the same profile on the page
        link = re.search(r'<a href="(/wat-geldt-voor-ons\?[^"]*)">Dit profiel', walked)
        assert link, conclusion
        status, again = _get(f"{aid_server}{html.unescape(link[1])}", "text/html")
        assert _applicable_on_page(again) == ticked, link[1]


def _applicable_on_page(page: str) -> list[str]:
    """The URNs of the applicable requirements on "Wat geldt voor ons?", in their order."""
    answer = page.split('<h2 id="uitgezonderd">', 1)[0]
    return re.findall(r'</a></h3>\s*<p><code class="urn">([^<]+)<', answer)


def test_walk_api_takes_answer_texts_and_reports_bad_ones(aid_server):
    status, body = _get(f"{aid_server}/api/beslishulp?answers=Ja")
    assert status == 200 and json.loads(body)["question"]["id"] == "1.2"
    status, body = _get(f"{aid_server}/api/beslishulp?answers=Misschien")
    assert status == 400 and "Misschien" in json.loads(body)["detail"]
    status, body = _get(f"{aid_server}/api/beslishulp?pad=0.99")
    assert status == 400
    # the aid's answer list, replayed through the tree: the same as the labels it collects
    answers = "Ja,We ontwikkelen enkel,In gebruik"
    status, body = _get(f"{aid_server}/api/applicable?answers={urllib.parse.quote(answers)}")
    assert status == 200, body
    status, walked = _get(f"{aid_server}/api/beslishulp?answers={urllib.parse.quote(answers)}")
    query = urllib.parse.urlencode([("labels", ",".join(json.loads(walked)["labels"]))])
    assert json.loads(body)["requirements"] == json.loads(_get(
        f"{aid_server}/api/applicable?{query}")[1])["requirements"]  # fmt: skip
    status, body = _get(f"{aid_server}/api/applicable?answers=Ja,Misschien")
    assert status == 400 and "Misschien" in json.loads(body)["detail"]
    status, body = _get(f"{aid_server}/api/applicable?labels=hoog-risico%20AI,nonsense")
    assert status == 400 and "nonsense" in json.loads(body)["detail"]


# -- the walk in a browser without JavaScript ------------------------------------------------


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def test_walk_in_chromium_without_javascript(corpus_server_sample):
    """Answer every question by keyboard-free clicks with JavaScript off; the conclusion lists
    what /api/applicable gives for the same profile, set by hand."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium")
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    base = corpus_server_sample
    plain = yaml.safe_load((SAMPLE / "decision-tree.yaml").read_text(encoding="utf-8"))
    questions = {q["questionId"]: q for q in plain["questions"]}
    choose = {"1": "Ja", "2": "We ontwikkelen de toepassing voor een ander", "3": "In gebruik",
              "4": "Ja", "5": "Nee", "6": "Nee", "7": "Ja"}  # fmt: skip
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(
            locale="nl-NL", java_script_enabled=False, viewport={"width": 320, "height": 800}
        )
        page = context.new_page()
        page.goto(f"{base}/beslishulp")
        asked = []
        while page.locator("form fieldset").count():
            legend = page.locator("legend").inner_text().strip()
            qid = next(k for k, q in questions.items() if q["question"] == legend)
            asked.append(qid)
            page.get_by_label(choose[qid], exact=True).check()
            page.get_by_role("button", name="Volgende").click()
        assert asked == ["1", "2", "3", "4", "5", "6", "7"]
        assert "Conclusie" in page.locator("h1").inner_text()
        shown = page.locator("ul.requirements > li > span.urn").all_inner_texts()
        bookmark = page.url
        browser.close()
    assert "pad=" in bookmark
    params = [("rol-ai-act", "aanbieder"), ("soort-toepassing", "AI-systeem"),
              ("risicogroep", "geen hoog-risico AI"),
              ("transparantieverplichting", "transparantieverplichting")]  # fmt: skip
    status, body = _get(f"{base}/api/applicable?{urllib.parse.urlencode(params)}")
    assert status == 200
    assert shown == [r["urn"] for r in json.loads(body)["requirements"]]
    assert re.search(r"pad=0\.0\.0\.0\.1\.1\.0$", bookmark)


@pytest.fixture(scope="module")
def corpus_server_sample(app):
    """The bundled sample (with its own small decision aid) over HTTP."""
    from tests.live import live

    with live(app) as url:
        yield url


def test_question_pages_define_the_terms_they_use(client):
    """The sample's question 2 uses 'aanbieder' only in its answers, question 4 'AI-systeem' in
    its explanation: the page defines the terms of its question and explanation."""
    plain = yaml.safe_load((SAMPLE / "definitions.yaml").read_text(encoding="utf-8"))
    definitions = {d["term"]: d["definition"] for d in plain["definitions"]}
    html = client.get("/beslishulp?pad=0.0.0").get_data(as_text=True)  # question 4
    assert "<h2>Begrippen</h2>" in html
    assert definitions["AI-systeem"] in html.replace("&#39;", "'")
    assert definitions["gebruiksverantwoordelijke"] not in html.replace("&#39;", "'")


def test_context_has_every_term_of_the_decision_aid_graph(aid_build):
    from rdflib import RDF

    from tests.test_context import _context_terms

    graph = aid_build.decision_graph
    used = {str(p) for p in graph.predicates()} | {str(o) for o in graph.objects(None, RDF.type)}
    assert used - _context_terms() - {str(RDF.type)} == set()
