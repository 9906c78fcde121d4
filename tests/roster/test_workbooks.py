"""Roster files saved as Excel workbooks (.xlsx) are read like CSV files: the first sheet, its
first filled row as the header, numbers typed as numbers read as the text HR sees; a file that
is not a workbook, an old or a locked one, an empty one, or one built to exhaust the server is
refused whole with a message saying why."""

from __future__ import annotations

import datetime
import html
import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import RosterImport, User
from cxculture.services.org import roster
from cxculture.services.org.roster import reading, workbook
from tests.roster.test_import import HEADER, PEOPLE, csv_file


def xlsx_file(rows, header=HEADER, blank_rows_above=0) -> bytes:
    book = Workbook()
    sheet = book.active
    for _ in range(blank_rows_above):
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _reasons(parsed) -> dict[int, str]:
    return {problem.line: problem.reason for problem in parsed.problems}


def _replace_part(data: bytes, name: str, content: bytes) -> bytes:
    """The workbook ``data`` with its part ``name`` replaced by ``content``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for part in source.infolist():
            body = content if part.filename == name else source.read(part)
            target.writestr(part.filename, body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


# Reading


def test_a_workbook_is_read_like_the_same_csv_file():
    from_xlsx = roster.read_roster(xlsx_file(PEOPLE))
    from_csv = roster.read_roster(csv_file(PEOPLE))
    assert from_xlsx.rows == from_csv.rows
    assert from_xlsx.is_workbook
    assert not from_csv.is_workbook
    assert from_xlsx.data_rows == 3


def test_numbers_typed_as_numbers_are_read_as_hr_sees_them():
    rows = [
        [1234, "Ana Souza", "ana@acme.test", "IT"],
        [1235.0, "Bruno Lima", "bruno@acme.test", "IT"],
        [98765432101234, "Carla Dias", "carla@acme.test", "IT"],
    ]
    parsed = roster.read_roster(xlsx_file(rows))
    assert [row.employee_number for row in parsed.rows] == ["1234", "1235", "98765432101234"]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (12.5, "12.5"),
        (7.0, "7"),
        (True, "true"),
        (datetime.datetime(2024, 3, 1), "2024-03-01"),
        (datetime.datetime(2024, 3, 1, 9, 30), "2024-03-01 09:30:00"),
        (datetime.date(2024, 3, 1), "2024-03-01"),
        ("  Ana  ", "  Ana  "),
    ],
)
def test_a_cells_value_becomes_the_text_a_csv_file_would_hold(value, text):
    assert workbook.cell_text(value) == text


def test_the_header_is_the_first_filled_row_and_lines_are_the_sheets_rows():
    rows = [PEOPLE[0], [], ["1002", "Bruno", "not-an-email", "IT"]]
    parsed = roster.read_roster(xlsx_file(rows, blank_rows_above=2))
    assert parsed.rows[0].name == "Ana Souza"
    assert _reasons(parsed) == {6: "bad_email"}  # row 3 is the header, row 5 is blank
    assert parsed.data_rows == 2


def test_spanish_headers_other_columns_and_yes_as_a_boolean_cell():
    header = ["Correo", "Cargo", "Departamento", "Legajo", "Nombre", "Idioma", "Admin RRHH"]
    rows = [["luz@acme.test", "Analista", "IT", 55, "Luz Díaz", "es-AR", True]]
    parsed = roster.read_roster(xlsx_file(rows, header))
    row = parsed.rows[0]
    assert (row.employee_number, row.email, row.locale, row.hr_admin) == (
        "55",
        "luz@acme.test",
        "es",
        True,
    )
    assert parsed.unknown_columns == ["Cargo"]


def test_portuguese_headers_in_a_workbook():
    header = ["Matrícula", "Nome completo", "E-mail", "Setor"]
    parsed = roster.read_roster(xlsx_file([[7, "João Conceição", None, "Operações"]], header))
    row = parsed.rows[0]
    assert (row.employee_number, row.name, row.email, row.department) == (
        "7",
        "João Conceição",
        None,
        "Operações",
    )


def test_a_formula_saved_without_its_value_is_an_empty_cell():
    rows = [["1001", "Ana Souza", '=LOWER(B2)&"@acme.test"', "IT"]]
    parsed = roster.read_roster(xlsx_file(rows))  # openpyxl saves formulas without values
    assert parsed.rows[0].email is None
    assert parsed.rows[0].employee_number == "1001"


def test_duplicates_are_found_in_a_workbook_as_in_a_csv_file():
    rows = [
        [1, "Ana", "ana@acme.test", "IT"],
        [1.0, "Ana B", "anab@acme.test", "IT"],  # the same number, typed as a decimal
        [3, "Caio", "ANA@acme.test", "IT"],
    ]
    as_csv = [["1", *rows[0][1:]], ["1", *rows[1][1:]], ["3", *rows[2][1:]]]
    for data in (xlsx_file(rows), csv_file(as_csv)):
        parsed = roster.read_roster(data)
        reasons = _reasons(parsed)
        assert reasons[3] == "duplicate_employee_number"
        assert reasons[2] in {"duplicate_employee_number", "duplicate_email"}
        assert reasons[4] == "duplicate_email"
        assert parsed.rows == []


# Files refused whole


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"PK\x03\x04 not really a zip", "not_xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "xls"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + b"\x00" * 504
            + "EncryptionInfo".encode("utf-16-le")
            + b"\x00" * 50
            + "EncryptedPackage".encode("utf-16-le"),
            "encrypted",
        ),
    ],
)
def test_what_is_not_an_xlsx_workbook_is_named(data, code):
    with pytest.raises(roster.RosterFileError) as caught:
        roster.read_roster(data)
    assert caught.value.code == code


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(roster.RosterFileError) as caught:
        roster.read_roster(out.getvalue())
    assert caught.value.code == "not_xlsx"


def test_a_sheet_that_is_not_xml_is_refused_not_a_server_error():
    data = _replace_part(xlsx_file(PEOPLE), SHEET, b"<worksheet><sheetData><row r='1'>")
    with pytest.raises(roster.RosterFileError) as caught:
        roster.read_roster(data)
    assert caught.value.code == "not_xlsx"


def test_an_entity_expansion_in_a_sheet_is_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    data = _replace_part(xlsx_file(PEOPLE), SHEET, bomb)
    with pytest.raises(roster.RosterFileError):
        roster.read_roster(data)


def test_an_empty_workbook_and_a_header_without_people_are_named():
    with pytest.raises(roster.RosterFileError) as caught:
        roster.read_roster(xlsx_file([], header=[]))
    assert caught.value.code == "empty_sheet"
    with pytest.raises(roster.RosterFileError) as caught:
        roster.read_roster(xlsx_file([]))
    assert caught.value.code == "no_rows"


def test_a_workbook_that_unpacks_far_tighter_than_office_packs_is_refused():
    bomb = b"<worksheet>" + b" " * (8 * 1024 * 1024) + b"</worksheet>"  # packs ~1000 times
    with pytest.raises(roster.RosterFileError) as caught:
        roster.read_roster(_replace_part(xlsx_file(PEOPLE), SHEET, bomb))
    assert caught.value.code == "unpacked_too_large"


def test_a_workbook_that_unpacks_past_the_bound_is_refused(monkeypatch):
    data = xlsx_file(PEOPLE)
    monkeypatch.setattr(workbook, "UNPACKED_MAX_BYTES", 1000)
    with pytest.raises(roster.RosterFileError) as caught:
        roster.read_roster(data)
    assert caught.value.code == "unpacked_too_large"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_more_rows_than_the_limit_are_refused_in_either_format(monkeypatch, kind):
    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    data = xlsx_file(PEOPLE) if kind == "xlsx" else csv_file(PEOPLE)
    with pytest.raises(roster.RosterFileError) as caught:
        roster.read_roster(data)
    assert (caught.value.code, caught.value.detail) == ("too_many_rows", "2")
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    assert len(roster.read_roster(data).rows) == 3


def test_a_sheet_naming_a_row_past_excels_last_is_refused(monkeypatch):
    monkeypatch.setattr(workbook, "SHEET_ROWS_MAX", 100)
    book = Workbook()
    book.active.append(HEADER)
    book.active["A500"] = "1"  # 500 rows to walk, nearly all of them gaps
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(roster.RosterFileError) as caught:
        roster.read_roster(out.getvalue())
    assert caught.value.code == "too_many_rows"


def test_a_cell_in_the_sheets_last_column_costs_no_more_than_the_columns_read():
    book = Workbook()
    book.active.append(HEADER)
    book.active.append(PEOPLE[0])
    book.active["XFD2"] = "far away"  # column 16384: beyond the columns read
    out = io.BytesIO()
    book.save(out)
    parsed = roster.read_roster(out.getvalue())
    assert parsed.rows[0].name == "Ana Souza"
    assert parsed.problems == []


def test_a_workbook_larger_than_the_upload_limit_is_refused_before_reading():
    with pytest.raises(roster.RosterFileError) as caught:
        roster.read_roster(xlsx_file(PEOPLE), max_bytes=100)
    assert caught.value.code == "too_large"


# The pages


def test_hr_uploads_a_workbook_previews_and_applies_it(app, browser, hr_admin):
    browser.login(hr_admin.email)
    browser.use_language("en")
    rows = [[1001, "Ana Souza", "ana@acme.test", "IT"], [1002, "Bia Reis", None, "Stores/North"]]
    response = browser.post_form(
        "/hr/roster/",
        {"file": (io.BytesIO(xlsx_file(rows)), "people.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    preview = html.unescape(browser.client.get(response.location).get_data(as_text=True))
    assert "2 rows read from the workbook's first sheet." in preview
    assert "no email" in preview
    applied = browser.post_form(
        f"{response.location}/apply", {"send_emails": "y", "confirm": "apply"}
    )
    assert applied.status_code == 302
    with app.app_context():
        stored = dict(db.session.execute(select(User.employee_number, User.email)).all())
        assert stored["1001"] == "ana@acme.test"
        assert stored["1002"] is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04 rest", "could not be read as an Excel workbook (.xlsx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Save it as .xlsx or CSV"),
        (xlsx_file([], header=[]), "The workbook's first sheet is empty"),
    ],
)
def test_unusable_workbooks_get_a_message_and_store_nothing(app, browser, hr_admin, data, message):
    browser.login(hr_admin.email)
    browser.use_language("en")
    response = browser.post_form(
        "/hr/roster/", {"file": (io.BytesIO(data), "x.xlsx")}, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    assert message in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.execute(select(func.count(RosterImport.id))).scalar_one() == 0


def test_the_upload_page_accepts_workbooks_and_says_which_columns_are_needed(browser, hr_admin):
    browser.login(hr_admin.email)
    browser.use_language("en")
    page = browser.client.get("/hr/roster/").get_data(as_text=True)
    assert ".xlsx" in page.split('accept="', 1)[1].split('"', 1)[0]
    rows = dict(re.findall(r"<code>([^<]+)</code></th>\s*<td>([^<]+)</td>", page))
    assert rows["Employee number"] == "Required on rows without an email"
    assert rows["Email"] == "Required on rows without an employee number"
    assert rows["Name"] == "Required"
    assert rows["Department"] == "Required"
    assert rows["Head of"] == "Optional"
