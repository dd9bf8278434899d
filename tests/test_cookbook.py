"""The query cookbook (/queries/) on the real release: every query file under the question its
header names, with its parameters as a form, its SPARQL shown, and runs as page, JSON and CSV.
The expected list comes from the files themselves, read here with a plain regex."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request

from tests.conftest import REPO

QUERIES = REPO / "queries"


def _files() -> dict[str, tuple[str, list[str], str]]:
    """Per query file: its question, its parameter names and its text."""
    found = {}
    for path in sorted(QUERIES.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        question = re.search(r"^# question: (.+)$", text, re.M)
        params = re.findall(r"^# param: (\w+)", text, re.M)
        assert question, f"{path.name} has no '# question:' line"
        found[path.stem] = (question.group(1).strip(), params, text)
    return found


def _get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.headers.get_content_type(), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, "", error.read().decode()


def test_every_query_under_its_question_with_form_and_text(corpus_server):
    status, _, page = _get(f"{corpus_server}/queries/")
    assert status == 200
    sections = re.split(r"<h2 id=\"vraag-\d+\">", page)[1:]
    shown: dict[str, str] = {}
    for section in sections:
        question = html.unescape(section.split("</h2>", 1)[0])
        for name in re.findall(r'<h3 id="q-([\w-]+)">', section):
            shown[name] = question
    files = _files()
    assert shown == {name: q for name, (q, _, _) in files.items()}
    for name, (_, params, text) in files.items():
        article = page.split(f'<h3 id="q-{name}">', 1)[1].split("</article>", 1)[0]
        assert html.unescape(article.split("<pre>", 1)[1].split("</pre>", 1)[0]) == text
        for param in params:
            assert f'name="{param}"' in article, (name, param)


def test_every_query_runs_as_page_json_and_csv(corpus_server):
    for name in _files():
        base = f"{corpus_server}/queries/{name}"
        status, kind, _ = _get(base + "?format=")  # the form's "pagina" choice
        assert (status, kind) == (200, "text/html"), name
        status, kind, body = _get(base + "?format=json")
        assert status == 200 and "head" in json.loads(body), name
        status, kind, body = _get(base + "?format=csv")
        assert status == 200 and kind == "text/csv", name
        assert next(csv.reader(io.StringIO(body))), name
