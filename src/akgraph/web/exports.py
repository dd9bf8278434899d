"""Tables people can take away: a list page or an applicability answer as CSV, XLSX or ODS.

Every format holds the same cells, in this order: the title, the address of the page the
table was made from (``Bron``, with its filters in the query string), the release, one row per
filter applied (``Filter: <name>``, the chosen values' labels; ``Filters: geen`` without), an
empty row, the header and the rows. The table therefore starts after the first empty row. A
:class:`Link` cell is a hyperlink in XLSX and ODS (the text linking to an absolute URL); CSV
keeps its text, and the tables carry the URL in a column of its own as well. Every cell is
text: nothing is read as a number or a formula (XlsxWriter and odfpy write string cells; CSV
puts an apostrophe before a cell that starts like a formula).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask import Response

#: format name -> media type of the file
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
#: Formats in the order pages offer them, with the name shown in the link.
NAMES = {"csv": "CSV", "xlsx": "Excel (XLSX)", "ods": "OpenDocument (ODS)"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Link:
    """A cell that links ``text`` to the absolute ``url``."""

    text: str
    url: str

    def __str__(self) -> str:
        return self.text


Cell = str | Link


@dataclass
class Table:
    """One exported table with what it was made from."""

    title: str
    source: str  #: the absolute address of the page, filters included
    release: str
    filters: list[tuple[str, str]]  #: (name, chosen values) as a reader sees them
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)

    def cells(self) -> list[list[Cell]]:
        """Every row of the file (see the module's description)."""
        head: list[list[Cell]] = [
            [self.title],
            ["Bron", Link(self.source, self.source)],
            ["Release", self.release],
        ]
        head += [[f"Filter: {name}", values] for name, values in self.filters]
        if not self.filters:
            head.append(["Filters", "geen"])
        return [*head, [], list(self.columns), *self.rows]


def _text(cell: Cell) -> str:
    return cell.text if isinstance(cell, Link) else cell


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte order mark (spreadsheets then read the accents right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in table.cells():
        texts = [_text(c) for c in row]
        writer.writerow(["'" + t if t.startswith(_FORMULA_START) else t for t in texts])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    """An Excel workbook (XlsxWriter): bold header, frozen below it, with an autofilter."""
    import xlsxwriter  # type: ignore[import-untyped]

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(_sheet_name(table.title))
    bold = book.add_format({"bold": True})
    rows = table.cells()
    header = rows.index(list(table.columns))
    widths: dict[int, int] = {}
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            style = bold if r == header or (r == 0 and c == 0) else None
            text = _text(cell)
            written = -1
            if isinstance(cell, Link):
                written = sheet.write_url(r, c, cell.url, style, text)
            if written != 0:  # a plain cell, or a URL Excel cannot hold (too long)
                sheet.write_string(r, c, text, style)
            if r >= header:
                widths[c] = max(widths.get(c, 0), min(len(text), 60))
    for c, width in widths.items():
        sheet.set_column(c, c, width + 2)
    sheet.freeze_panes(header + 1, 0)
    sheet.autofilter(header, 0, max(header, len(rows) - 1), max(len(table.columns) - 1, 0))
    book.close()
    return out.getvalue()


def to_ods(table: Table) -> bytes:
    """An OpenDocument spreadsheet (odfpy), hyperlinks as ``text:a``."""
    from odf import teletype  # type: ignore[import-untyped]
    from odf.opendocument import OpenDocumentSpreadsheet  # type: ignore[import-untyped]
    from odf.style import Style, TextProperties  # type: ignore[import-untyped]
    from odf.table import Table as OdfTable  # type: ignore[import-untyped]
    from odf.table import TableCell, TableRow
    from odf.text import A, P  # type: ignore[import-untyped]

    document = OpenDocumentSpreadsheet()
    bold = Style(name="kop", family="table-cell")
    bold.addElement(TextProperties(fontweight="bold"))
    document.automaticstyles.addElement(bold)
    sheet = OdfTable(name=_sheet_name(table.title))
    rows = table.cells()
    header = rows.index(list(table.columns))
    for r, row in enumerate(rows):
        line = TableRow()
        for c, cell in enumerate(row or [""]):
            strong = r == header or (r == 0 and c == 0)
            element = TableCell(valuetype="string", **({"stylename": bold} if strong else {}))
            paragraph = P()
            if isinstance(cell, Link):
                anchor = A(type="simple", href=cell.url)
                teletype.addTextToElement(anchor, cell.text)
                paragraph.addElement(anchor)
            else:
                teletype.addTextToElement(paragraph, cell)
            element.addElement(paragraph)
            line.addElement(element)
        sheet.addElement(line)
    document.spreadsheet.addElement(sheet)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


WRITERS = {"csv": to_csv, "xlsx": to_xlsx, "ods": to_ods}


def _sheet_name(title: str) -> str:
    """A sheet name both formats accept: no ``[]:*?/\\``, at most 31 characters."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return cleaned[:31] or "Tabel"


def response(table: Table, fmt: str, filename: str) -> Response:
    """The file of ``table`` in ``fmt`` (a key of :data:`WRITERS`) as a download."""
    answer = Response(WRITERS[fmt](table), mimetype=MEDIA_TYPES[fmt])
    answer.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return answer


def joined(values: Sequence[str]) -> str:
    """Several values in one cell."""
    return "; ".join(values)


def release_name(release: dict[str, str]) -> str:
    """A release as a reader sees it: its tag and date."""
    date = release.get("date", "")[:10]
    return f"{release.get('tag', '')} ({date})" if date else release.get("tag", "")
