"""Exports people can take away (issue 16, item 4): every list page and the answer of "Wat
geldt voor ons?" as CSV, XLSX and ODS, fetched over HTTP from v2.5.1 and read back with other
libraries than the ones that wrote them: the CSV (Python's csv module) with pandas, the XLSX
(XlsxWriter) with openpyxl, the ODS (odfpy) with python-calamine, and the ODS hyperlinks from
its content.xml with ElementTree. Each file holds the rows the page shows, in its order, with
a URN column, absolute links to the item pages and the filters that were applied."""

from __future__ import annotations

import html
import io
import re
import urllib.parse
import urllib.request
import zipfile
from xml.etree import ElementTree

import pytest

from akgraph.web import state
from tests.test_applicability_page import read_page

pd = pytest.importorskip("pandas")
openpyxl = pytest.importorskip("openpyxl")
calamine = pytest.importorskip("python_calamine")

LISTS = {
    "maatregelen": [("levenscyclus", "ontwerp"), ("rollen", "jurist"), ("rollen", "projectleider")],
    "vereisten": [("rol-ai-act", "aanbieder"), ("risicogroep", "hoog-risico-ai-systeem")],
    "hulpmiddelen": [],
}
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
XLINK = "http://www.w3.org/1999/xlink"

Grid = list[list[str]]
Links = dict[tuple[int, int], str]


def fetch(url: str) -> tuple[str, bytes]:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.headers.get_content_type(), response.read()


def _trimmed(grid: list[list]) -> Grid:
    rows = [[("" if v is None else str(v)) for v in row] for row in grid]
    rows = [row[: max((i + 1 for i, v in enumerate(row) if v), default=0)] for row in rows]
    while rows and not rows[-1]:
        rows.pop()
    return rows


def read_csv(body: bytes) -> tuple[Grid, Links]:
    frame = pd.read_csv(
        io.BytesIO(body), header=None, names=range(40), dtype=str, keep_default_na=False,
        skip_blank_lines=False, encoding="utf-8-sig",
    )  # fmt: skip
    return _trimmed(frame.values.tolist()), {}


def read_xlsx(body: bytes) -> tuple[Grid, Links]:
    sheet = openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]
    grid = [[cell.value for cell in row] for row in sheet.iter_rows()]
    links = {
        (cell.row - 1, cell.column - 1): cell.hyperlink.target
        for row in sheet.iter_rows()
        for cell in row
        if cell.hyperlink is not None
    }
    return _trimmed(grid), links


def read_ods(body: bytes) -> tuple[Grid, Links]:
    book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(body))
    grid = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    content = ElementTree.fromstring(zipfile.ZipFile(io.BytesIO(body)).read("content.xml"))
    links: Links = {}
    for r, row in enumerate(content.iter(f"{{{TABLE}}}table-row")):
        for c, cell in enumerate(row.findall(f"{{{TABLE}}}table-cell")):
            for anchor in cell.iter(f"{{{TEXT}}}a"):
                links[(r, c)] = anchor.get(f"{{{XLINK}}}href")
    return _trimmed(grid), links


READERS = {"csv": read_csv, "xlsx": read_xlsx, "ods": read_ods}
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def download(base: str, path: str, fmt: str, params: list[tuple[str, str]]) -> tuple[Grid, Links]:
    media_type, body = fetch(f"{base}{path}?{urllib.parse.urlencode(params)}")
    assert media_type == MEDIA_TYPES[fmt], (path, fmt)
    return READERS[fmt](body)


def split(grid: Grid, first: str) -> tuple[dict[str, str], int]:
    """The preamble (name -> value) and the index of the header row (starts with ``first``)."""
    header = next(i for i, row in enumerate(grid) if row[:1] == [first])
    assert grid[header - 1] == []  # an empty row before the table
    return {row[0]: row[1] for row in grid[1 : header - 1]}, header


def query_of(url: str) -> list[tuple[str, str]]:
    return sorted(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


@pytest.mark.parametrize("kind", list(LISTS))
def test_list_exports_read_back_equal_to_the_page(corpus_server, kind):
    params = LISTS[kind]
    with urllib.request.urlopen(f"{corpus_server}/{kind}?{urllib.parse.urlencode(params)}") as r:
        page = r.read().decode("utf-8")
    shown = [
        (urn, html.unescape(title))
        for urn, title in re.findall(
            r'<li><a href="/doc/([^"]+)">([^<]*)</a> <code>', page.split('<ol class="results">')[1]
        )
    ]
    assert shown
    checked = [
        html.unescape(label).strip()
        for label in re.findall(r' checked>\s*<label for="[^"]+">([^<]+)<span', page)
    ]
    assert len(checked) == len(params)
    exports = page.split('<p class="exports">', 1)[1].split("</p>", 1)[0]
    offered = {
        dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(html.unescape(href)).query))["format"]
        for href in re.findall(r'href="([^"]+)"', exports)
    }
    assert offered == {"csv", "xlsx", "ods", "json"}  # the page links to each
    grids = {}
    for fmt in ("csv", "xlsx", "ods"):
        grid, links = download(corpus_server, f"/{kind}", fmt, [*params, ("format", fmt)])
        preamble, header = split(grid, "urn")
        assert query_of(preamble["Bron"]) == sorted(params)
        assert preamble["Bron"].startswith(f"{corpus_server}/{kind}")
        assert preamble["Release"].startswith("v2.5.1")
        filters = {k: v for k, v in preamble.items() if k.startswith("Filter: ")}
        assert len(filters) == len({name for name, _ in params}), fmt
        assert sorted(v for value in filters.values() for v in value.split("; ")) == sorted(
            checked
        )
        columns = grid[header]
        assert columns[:2] == ["urn", "title"] and columns[-1] == "url"
        rows = grid[header + 1 :]
        assert [(row[0], row[1]) for row in rows] == shown, fmt
        for r, row in enumerate(rows, start=header + 1):
            assert row[-1] == f"{corpus_server}/doc/{row[0]}"
            if fmt != "csv":
                assert links[(r, 1)] == row[-1], (fmt, r)
        if fmt != "csv":
            assert links[(1, 1)] == preamble["Bron"]
        grids[fmt] = grid
    assert grids["csv"] == grids["xlsx"] == grids["ods"]  # one table, three formats


PROFILE = [
    ("soort-toepassing", "ai-systeem"), ("risicogroep", "hoog-risico-ai-systeem"),
    ("risicogroep", "uitzondering-van-toepassing"), ("rol-ai-act", "aanbieder"),
    ("rol-ai-act", "gebruiksverantwoordelijke"),
    ("transparantieverplichting", "geen-transparantieverplichting"),
    ("open-source", "geen-open-source"),
]  # fmt: skip


@pytest.mark.parametrize("profile", [PROFILE, PROFILE[:1] + PROFILE[3:4]], ids=["exempt", "few"])
def test_applicability_exports_read_back_equal_to_the_page(corpus_server, profile):
    with urllib.request.urlopen(
        f"{corpus_server}/wat-geldt-voor-ons?{urllib.parse.urlencode(profile)}"
    ) as response:
        page = response.read().decode("utf-8")
    shown = read_page(page)
    expected = []
    for requirement in shown["requirements"]:
        expected.append(("van toepassing", "vereiste", requirement["urn"], ""))
        for _, measures in requirement["phases"]:
            expected += [("van toepassing", "maatregel", m, requirement["urn"]) for m in measures]
        expected += [
            ("van toepassing", "hulpmiddel", i, requirement["urn"])
            for i in requirement["instruments"]
        ]
    expected += [("uitgezonderd", "vereiste", e["urn"], "") for e in shown["excluded"]]
    assert any(kind == "maatregel" for _, kind, _, _ in expected)
    for fmt in ("csv", "xlsx", "ods"):
        assert f"/wat-geldt-voor-ons.{fmt}?" in page, fmt
        grid, links = download(corpus_server, f"/wat-geldt-voor-ons.{fmt}", fmt, profile)
        preamble, header = split(grid, "status")
        assert query_of(preamble["Bron"]) == sorted(
            (k, v) for k, vs in _grouped(profile).items() for v in vs
        )
        assert len([k for k in preamble if k.startswith("Filter: ")]) == len(_grouped(profile))
        columns = grid[header]
        rows = [dict(zip(columns, row + [""] * (len(columns) - len(row)), strict=True))
                for row in grid[header + 1 :]]  # fmt: skip
        assert [(r["status"], r["soort"], r["urn"], r["vereiste"]) for r in rows] == expected
        for n, row in enumerate(rows, start=header + 1):
            assert row["url"] == f"{corpus_server}/doc/{row['urn']}"
            if fmt != "csv":
                assert links[(n, columns.index("title"))] == row["url"]
        for row, excluded in zip(
            [r for r in rows if r["status"] == "uitgezonderd"], shown["excluded"], strict=True
        ):
            assert excluded["expression"] in row["reden"]


def _grouped(profile: list[tuple[str, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in profile:
        found.setdefault(name, []).append(value)
    return found


def test_links_follow_the_configured_base_url(sample_path):
    """With BASE_URL the files link to the public address, whatever Host the client sent."""
    from akgraph.web import create_app

    app = create_app({"TESTING": True, "SOURCE": str(sample_path), "TIMEOUT": 5,
                      "BASE_URL": "https://voorbeeld.example/kader"})  # fmt: skip
    try:
        client = app.test_client()
        body = client.get("/maatregelen?format=xlsx", headers={"Host": "evil.example"}).data
        grid, links = read_xlsx(body)
        _, header = split(grid, "urn")
        assert grid[header + 1][-1].startswith("https://voorbeeld.example/kader/doc/urn:nl:ak:")
        assert links[(header + 1, 1)] == grid[header + 1][-1]
        body = client.get("/wat-geldt-voor-ons.ods?rol-ai-act=aanbieder").data
        grid, links = read_ods(body)
        assert grid[1][1].startswith("https://voorbeeld.example/kader/wat-geldt-voor-ons?")
    finally:
        state.of(app).backend.close()


def test_cells_are_never_formulas(corpus_server):
    """Every cell is text: XLSX and ODS hold no formula, CSV quotes a leading = + - @."""
    _, body = fetch(f"{corpus_server}/maatregelen?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]
    assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    _, body = fetch(f"{corpus_server}/maatregelen?format=ods")
    content = zipfile.ZipFile(io.BytesIO(body)).read("content.xml").decode()
    assert "table:formula" not in content
