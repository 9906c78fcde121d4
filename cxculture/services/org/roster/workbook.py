"""Reading a roster saved as an Excel workbook (.xlsx): the first sheet's cells as the texts a
CSV file would hold, within bounds a hostile file cannot stretch. The packed size is the
upload's limit; the unpacked size, the rows and the columns read are bounded here, because a
few megabytes of zip can unpack to gigabytes of XML (a "zip bomb")."""

from __future__ import annotations

import html
import io
import warnings
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from openpyxl import load_workbook

# A workbook is a zip archive; an old .xls workbook, and an .xlsx protected by a password to
# open (Office encrypts the whole package), are OLE compound files.
ZIP_MAGIC = b"PK"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream Office keeps an encrypted package in, as the compound file's directory names it.
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")

# A roster of 200,000 people unpacks to well under this; memory stays within a worker's means
# (openpyxl keeps the shared strings in memory, so they have a bound of their own).
UNPACKED_MAX_BYTES = 160 * 1024 * 1024
SHARED_STRINGS_MAX_BYTES = 64 * 1024 * 1024
# Office's XML packs about 5 to 20 times; a part packed far tighter is crafted, not exported.
PACKING_RATIO_MAX = 100
RATIO_CHECKED_FROM = 1024 * 1024
MAX_COLUMNS = 256  # columns read per row: a cell in the sheet's last column costs nothing
SHEET_ROWS_MAX = 1_048_576  # Excel's own limit: a sheet naming a row beyond it is crafted


class UnreadableWorkbook(ValueError):
    """The workbook cannot be read as a roster: ``code`` says why (the reading module turns it
    into a RosterFileError), ``detail`` gives a number when there is one."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.detail = detail


def is_workbook(data: bytes) -> bool:
    """Whether ``data`` is a zip archive, as an .xlsx workbook is."""
    return data.startswith(ZIP_MAGIC)


def is_compound_file(data: bytes) -> bool:
    """Whether ``data`` is an OLE compound file: an .xls workbook or an encrypted .xlsx."""
    return data.startswith(OLE_MAGIC[:4])


def compound_file_error(data: bytes) -> UnreadableWorkbook:
    """Why an OLE compound file is refused: encrypted with a password, or the old format."""
    if ENCRYPTED_STREAM in data:
        return UnreadableWorkbook("encrypted")
    return UnreadableWorkbook("xls")


def _archive(data: bytes) -> zipfile.ZipFile:
    """The zip archive, once its parts' declared sizes are known to be a roster's. Python's zip
    reader never unpacks a part past its declared size, so checking them bounds the work."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise UnreadableWorkbook("not_xlsx") from None
    if any(part.flag_bits & 0x1 for part in parts):
        raise UnreadableWorkbook("encrypted")
    if sum(part.file_size for part in parts) > UNPACKED_MAX_BYTES:
        raise UnreadableWorkbook("unpacked_too_large")
    for part in parts:
        if part.filename.lower().endswith("sharedstrings.xml") and (
            part.file_size > SHARED_STRINGS_MAX_BYTES
        ):
            raise UnreadableWorkbook("unpacked_too_large")
        if part.file_size > RATIO_CHECKED_FROM and (
            part.file_size > PACKING_RATIO_MAX * max(part.compress_size, 1)
        ):
            raise UnreadableWorkbook("unpacked_too_large")
    return archive


def cell_text(value: object) -> str:
    """A cell's value as the text a CSV export would hold: whole numbers without ".0" (an
    employee number typed as a number), dates as ISO dates, nothing for an empty cell or a
    formula saved without its value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _is_blank(values: tuple) -> bool:
    return values.count(None) + values.count("") == len(values)


def sheet_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """The first sheet's non-blank rows, each with its row number, as texts; raises
    UnreadableWorkbook (also from the middle of the sheet, for a part that is not XML)."""
    archive = _archive(data)
    archive.close()
    try:
        with warnings.catch_warnings():
            # openpyxl warns of what it leaves out (styles, extensions): none of it is a roster's.
            warnings.simplefilter("ignore")
            workbook = load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
    except Exception as exc:  # a hostile archive fails in many ways, all of them "not a workbook"
        raise UnreadableWorkbook("not_xlsx") from exc
    try:
        if not workbook.worksheets:
            raise UnreadableWorkbook("empty")
        sheet = workbook.worksheets[0]
        # The sheet's own idea of its size may be wrong (or forged): read what is there.
        sheet.reset_dimensions()
        yield from _rows(sheet)
    finally:
        workbook.close()


def _rows(sheet) -> Iterator[tuple[int, list[str]]]:
    rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    number = 0
    while True:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                values = next(rows, None)
        except Exception as exc:  # a part that is not the XML it claims to be
            raise UnreadableWorkbook("not_xlsx") from exc
        if values is None:
            return
        number += 1
        if number > SHEET_ROWS_MAX:
            raise UnreadableWorkbook("too_many_rows", str(SHEET_ROWS_MAX))
        if values and not _is_blank(values):
            yield number, [cell_text(value) for value in values]


def workbook_text(data: bytes) -> str | None:
    """Every text a workbook holds, every sheet and part (for erasure to find a person's
    name, email or number in it); None when it cannot be read within the bounds."""
    try:
        archive = _archive(data)
    except UnreadableWorkbook:
        return None
    texts = []
    with archive:
        for part in archive.infolist():
            try:
                texts.append(html.unescape(archive.read(part).decode("utf-8", errors="replace")))
            except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
                return None
    return "\n".join(texts)
