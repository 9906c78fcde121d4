"""Tables as files a spreadsheet opens: CSV (UTF-8 with a byte-order mark) and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Cell = str | int | float | None


def safe_text(text: str) -> str:
    """Text that a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cells(row: Sequence[Cell]) -> list[Cell]:
    return [safe_text(cell) if isinstance(cell, str) else cell for cell in row]


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
    sheet.append(_cells(header))
    for row in rows:
        sheet.append(_cells(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def safe_sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title).strip("' ")
    return cleaned[:31] or "Sheet"
