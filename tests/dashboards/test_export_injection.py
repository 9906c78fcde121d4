"""Spreadsheet (CSV/formula) injection, ASVS 1.2.10: no text cell of any export, split on a
comma, a semicolon or a tab (Excel in Portuguese and Spanish splits a CSV on semicolons), has a
piece starting with =, +, -, @, a tab or a carriage return; plain text, accents and numbers stay
as they are, and numbers stay numbers."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from cxculture.characters import FORBIDDEN
from cxculture.exports import FORMULA_STARTS, csv_bytes, safe_text, xlsx_bytes
from cxculture.extensions import db
from cxculture.models import AuditEvent
from tests.conftest import make_person

DELIMITERS = (",", ";", "\t")
PIECES = re.compile("[,;\t]")


def _runnable_pieces(text: str) -> list[str]:
    """The pieces of ``text`` (split on comma, semicolon and tab) that start a formula."""
    return [piece for piece in PIECES.split(text) if piece.startswith(FORMULA_STARTS)]


def _csv_fields(body: bytes, delimiter: str) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _xlsx_cells(body: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(body)).active  # not read-only: cells keep their data type
    rows = []
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value  # no formula
        rows.append([cell.value for cell in row])
    return rows


# Text as it comes, with the characters that matter here drawn often.
TRICKY = st.sampled_from(list(",;\t\r\n\"' =+-@'|!") + ["=cmd|' /C calc'!A0", "HYPERLINK("])
TEXT = st.lists(st.one_of(TRICKY, st.characters(codec="utf-8")), max_size=14).map("".join)
TABLES = st.lists(TEXT, min_size=1, max_size=4).flatmap(
    lambda header: st.tuples(
        st.just(header),
        st.lists(st.lists(TEXT, min_size=len(header), max_size=len(header)), max_size=4),
    )
)


@settings(max_examples=300, deadline=None)
@given(table=TABLES)
def test_no_csv_cell_starts_a_formula_whatever_the_delimiter_it_is_read_with(table):
    header, rows = table
    body = csv_bytes(header, rows)
    for delimiter in DELIMITERS:
        for fields in _csv_fields(body, delimiter):
            for field in fields:
                assert _runnable_pieces(field) == [], (delimiter, field)
    # Read as written (commas), every cell comes back as safe_text made it, in its place.
    expected = [[safe_text(cell) for cell in row] for row in [header, *rows]]
    assert _csv_fields(body, ",") == expected


@settings(max_examples=150, deadline=None)
@given(table=TABLES)
def test_no_xlsx_cell_is_a_formula_or_has_a_piece_starting_one(table):
    header, rows = table
    cells = _xlsx_cells(xlsx_bytes("Results", header, rows))
    assert len(cells) == 1 + len(rows)
    for row in cells:
        for value in row:
            assert value is None or isinstance(value, str)
            assert _runnable_pieces(value or "") == [], value


@settings(max_examples=300, deadline=None)
@given(text=TEXT)
def test_safe_text_only_ever_adds_apostrophes_and_leaves_harmless_text_alone(text):
    safe = safe_text(text)
    assert safe.replace("'", "") == text.replace("'", "")
    assert _runnable_pieces(safe) == []
    if not re.search(r'(^|[,;\t\r\n])[\s"]*([=+\-@\t\r]|\Z)', text):
        assert safe == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("x;=1+1", "x;'=1+1"),
        ("x,=1", "x,'=1"),
        ("x\t=1", "x\t'=1"),
        ("\r=1", "'\r'=1"),
        ("\t=1", "'\t'=1"),
        (
            'Sales;=HYPERLINK("http://evil.test","Click")',
            'Sales;\'=HYPERLINK("http://evil.test","Click")',
        ),
        ('x;"=1+1"', 'x;\'"=1+1"'),  # a quote opens a quoted field where a field starts
        ("x; =1+1", "x;' =1+1"),  # some readers drop leading spaces
        ("x;y\n@SUM(1)", "x;y\n'@SUM(1)"),  # a line break starts a record
        ("a, b;", "a, b;'"),  # after it, a reader would start a cell with the next row
        ('x, y;"', "x, y;'\""),  # a quote there would open a field running into the next row
    ],
)
def test_classic_payloads_are_neutralised_in_both_files(text, expected):
    assert safe_text(text) == expected
    body = csv_bytes(["name"], [[text]])
    assert _csv_fields(body, ",")[1] == [expected]
    for delimiter in DELIMITERS:
        for fields in _csv_fields(body, delimiter):
            assert all(_runnable_pieces(field) == [] for field in fields)
    cells = _xlsx_cells(xlsx_bytes("Trap", ["name"], [[text]]))
    assert cells[1] == [re.sub("\r\n?", "\n", expected)]  # XML reads line ends back as \n


@pytest.mark.parametrize(
    "text",
    [
        "Operações/Atendimento ao Cliente",
        "São Paulo, Brasil",
        "Ana Souza; Bruno Lima",
        "Q&A - 2024",
        "10,5",
        "E-mail",
        "R$ -3,50",
        "ana.souza@example.com",
        "Niño Ñandú - Área",
        "'already quoted'",
        "",
    ],
)
def test_plain_text_and_accents_stay_as_they_are(text):
    assert safe_text(text) == text
    assert _csv_fields(csv_bytes([text], []), ",") == [[text]]


def test_numbers_stay_numbers_and_headers_are_neutralised_too():
    header = ["=Department", "Index", "Change"]
    rows = [["Sales", 71.4, -2.5], ["-Ops", 0, -3], ["Finance", None, None]]
    fields = _csv_fields(csv_bytes(header, rows), ",")
    assert fields == [
        ["'=Department", "Index", "Change"],
        ["Sales", "71.4", "-2.5"],  # a negative number in a numeric column is a number
        ["'-Ops", "0", "-3"],
        ["Finance", "", ""],
    ]
    cells = _xlsx_cells(xlsx_bytes("Numbers", header, rows))
    assert cells[0] == ["'=Department", "Index", "Change"]
    assert cells[1] == ["Sales", 71.4, -2.5]
    assert cells[2] == ["'-Ops", 0, -3]
    assert isinstance(cells[2][2], int)


def test_a_control_character_in_an_xlsx_cell_does_not_break_the_download():
    cells = _xlsx_cells(xlsx_bytes("Odd", ["name"], [["Ana\x01\x0b"], ["=1\x1f"]]))
    assert cells[1] == ["Ana\ufffd\ufffd"]
    assert cells[2] == ["'=1\ufffd"]
    assert not any(FORBIDDEN.search(str(value)) for row in cells for value in row)


def test_the_audit_log_download_neutralises_a_name_that_splits_into_a_formula(
    app, browser, hr_admin
):
    trap = make_person(app, email="trap@example.test", name='Sales;=HYPERLINK("http://evil.test")')
    with app.app_context():
        db.session.add(
            AuditEvent(
                actor_id=trap.id,
                action="survey.launched",
                target_type="survey",
                target_id=1,
                details={"note": "x,=1+1"},
                created_at=datetime.now(UTC),
            )
        )
        db.session.commit()
    browser.login(hr_admin.email)
    response = browser.client.get("/hr/audit/export.csv")
    assert response.status_code == 200
    body = response.get_data()
    for delimiter in DELIMITERS:
        for fields in _csv_fields(body, delimiter):
            assert all(_runnable_pieces(field) == [] for field in fields)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    launched = next(row for row in rows if row["action"] == "survey.launched")
    assert launched["actor"] == 'Sales;\'=HYPERLINK("http://evil.test")'
    assert launched["details"] == '{"note": "x,\'=1+1"}'
