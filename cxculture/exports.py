"""Tables as files a spreadsheet opens: CSV (UTF-8 with a byte-order mark) and XLSX.

No text cell can become a formula (CSV injection, ASVS 1.2.10), wherever a spreadsheet starts a
cell: not only at the start of ours, since Excel in Portuguese and Spanish splits a CSV on
semicolons and people import with tabs or commas, so ``Sales;=HYPERLINK(...)`` would be a
formula there. ``safe_text`` cuts a text into pieces at every comma, semicolon, tab and line
break (a reader that does not see our quotes ends a record there) and puts an apostrophe before
each piece that starts a formula. Numbers are not text: they stay numbers, negative ones too.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from openpyxl import Workbook

from cxculture.characters import FORBIDDEN

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A piece starts where a spreadsheet may start a cell inside a text: where a CSV is split (comma;
# semicolon in Portuguese and Spanish Excel; tab) and where a line ends. The start of a piece
# that a spreadsheet could run: a formula sign (FORMULA_STARTS), after any spaces and double
# quotes (a reader may drop spaces, and a quote opens a quoted field to a reader that meets it
# where a field starts), or a tab or a carriage return (some readers drop those and read on).
# Inside a text, a piece that is nothing but spaces and quotes up to the end counts too: a
# reader splitting there starts its cell with what the file has after ours (our closing quote,
# the line end, the next row), which no rule on our text could vouch for.
_RUNNABLE_PIECE = re.compile(
    r'^(?=(?:[^\S\t\r\n]|")*[=+\-@]|[\t\r])'
    r'|(?<=[,;\t\r\n])(?=(?:[^\S\t\r\n]|")*(?:[=+\-@\t\r]|\Z))'
)
Cell = str | int | float | None


def safe_text(text: str) -> str:
    """``text`` with an apostrophe before every piece (split at commas, semicolons, tabs and
    line breaks) that a spreadsheet could run as a formula; other text, accents and digits come
    back as they were."""
    return _RUNNABLE_PIECE.sub("'", text)


def _cells(row: Sequence[Cell]) -> list[Cell]:
    return [safe_text(cell) if isinstance(cell, str) else cell for cell in row]


def _xlsx_cells(row: Sequence[Cell]) -> list[Cell]:
    # The product stores no control character (cxculture.characters), and XML cannot hold one:
    # should one come anyway, it is shown as U+FFFD rather than fail the whole download.
    return [FORBIDDEN.sub("\ufffd", cell) if isinstance(cell, str) else cell for cell in row]


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """The table as CSV; the byte-order mark makes spreadsheets read accents right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_cells(header))
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in _cells(row)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(title: str, header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """The table as a one-sheet workbook named after ``title``; numbers stay numbers."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(safe_sheet_title(title))
    sheet.append(_cells(_xlsx_cells(header)))
    for row in rows:
        sheet.append(_cells(_xlsx_cells(row)))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def safe_sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title).strip("' ")
    return cleaned[:31] or "Sheet"
