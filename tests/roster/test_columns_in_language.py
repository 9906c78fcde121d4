"""The roster pages speak the reader's language: columns are named as that language's files name
them (and those names are recognised), and every message about a file or a row is translated."""

from __future__ import annotations

import html as html_module
import io
import re

import pytest
from flask_babel import force_locale

from cxculture.services.org import roster
from cxculture.services.org.roster.labels import (
    ROSTER_FILE_ERRORS,
    ROSTER_PROBLEMS,
    column_name,
    column_synonyms,
    file_error_message,
    problem_value,
)
from tests.roster.test_import import csv_file

LOCALES = ("en", "pt_BR", "es")
KEYS = tuple(roster.COLUMN_NAMES)  # employee_number, name, email, department, heads, ...
SNAKE_KEYS = [key for key in KEYS if "_" in key]


def visible_text(page: str) -> str:
    """What a reader sees of a page: no tags, no attributes, entities decoded."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html_module.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.mark.parametrize("locale", LOCALES)
def test_each_language_names_every_column_with_a_header_that_is_recognised(locale):
    for key in KEYS:
        name = column_name(key, locale)
        assert roster.ALIASES[roster.simplify(name)] == key, (locale, key, name)
        for synonym in column_synonyms(key, locale):
            assert roster.ALIASES[roster.simplify(synonym)] == key, (locale, key, synonym)


def test_the_names_are_the_readers_own():
    assert column_name("employee_number", "pt_BR") == "Matrícula"
    assert column_name("employee_number", "es") == "Número de empleado"
    assert column_name("employee_number", "en") == "Employee number"
    assert column_name("manager_email", "pt_BR") == "E-mail do gestor"
    assert column_synonyms("email", "pt_BR")[:2] == ["E-mail corporativo", "Email corporativo"]
    assert "Matrícula" not in column_synonyms("employee_number", "pt_BR")  # shown once


def test_every_name_the_reading_knew_is_still_recognised():
    """The vocabulary became per language; no header a file could use before was lost."""
    for header, key in {
        "employee id": "employee_number",
        "matricula": "employee_number",
        "legajo": "employee_number",
        "n empleado": "employee_number",
        "e mail": "email",
        "correo electronico": "email",
        "setor": "department",
        "lider de": "heads",
        "admin rrhh": "hr_admin",
        "lingua": "locale",
        "e mail do gestor": "manager_email",
        "jefe": "manager_email",
    }.items():
        assert roster.ALIASES[header] == key


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("pt_BR", "“Matrícula”, “E-mail”, “Departamento”"),
        ("es", "“Número de empleado”, “Correo electrónico”, “Departamento”"),
        ("en", "“Employee number”, “Email”, “Department”"),
    ],
)
def test_missing_columns_are_named_in_the_readers_language(app, locale, expected):
    with pytest.raises(roster.RosterFileError) as caught:
        roster.read_roster(b"nome\r\nAna\r\n")
    with app.test_request_context(), force_locale(locale):
        message = file_error_message(caught.value, locale)
    assert expected in message
    assert "employee_number" not in message


def test_a_field_too_long_for_csv_is_explained_in_the_readers_language(app):
    with pytest.raises(roster.RosterFileError) as caught:
        roster.read_roster(b"a" * (1024 * 1024))
    with app.test_request_context(), force_locale("pt_BR"):
        message = file_error_message(caught.value, "pt_BR")
        expected = str(ROSTER_FILE_ERRORS["field_too_long"])
    assert "field larger" not in message
    assert message == expected
    assert message.startswith("Um campo deste arquivo")


def test_the_column_at_fault_in_a_row_is_named_not_keyed():
    problem = roster.RowProblem(3, "bad_characters", "manager_email")
    assert problem_value(problem, "pt_BR") == "E-mail do gestor"
    assert problem_value(roster.RowProblem(4, "bad_email", "ana@"), "pt_BR") == "ana@"


@pytest.mark.parametrize("locale", ["pt_BR", "es"])
def test_every_roster_message_is_translated(app, locale):
    labels = {**ROSTER_FILE_ERRORS, **ROSTER_PROBLEMS}
    with app.test_request_context():
        english = {code: str(text) for code, text in labels.items()}
        with force_locale(locale):
            translated = {code: str(text) for code, text in labels.items()}
    assert [code for code in labels if translated[code] == english[code]] == []


# The pages, read in Portuguese


@pytest.fixture
def in_portuguese(browser, hr_admin):
    browser.login(hr_admin.email)
    browser.use_language("pt_BR")
    return browser


def test_the_portuguese_upload_page_names_missing_columns_in_portuguese(in_portuguese):
    data = b"nome;cargo\r\nAna;Analista\r\n"
    response = in_portuguese.post_form(
        "/hr/roster/", {"file": (io.BytesIO(data), "x.csv")}, content_type="multipart/form-data"
    )
    text = visible_text(response.get_data(as_text=True))
    assert "Colunas ausentes: “Matrícula”, “E-mail”, “Departamento”." in text
    for key in SNAKE_KEYS:
        assert key not in text
    assert "Columns missing" not in text


def test_the_portuguese_column_help_leads_with_portuguese_names(in_portuguese):
    text = visible_text(in_portuguese.client.get("/hr/roster/").get_data(as_text=True))
    for key in SNAKE_KEYS:
        assert key not in text
    for name in ("Matrícula", "E-mail", "Departamento", "Responsável por", "E-mail do gestor"):
        assert name in text
    help_table = text[text.index("Matrícula") :]
    # Each column's own name first, then what else it is recognised by (English included).
    assert help_table.index("Matrícula") < help_table.index("Employee number")


def test_the_portuguese_preview_names_columns_and_rows_in_portuguese(in_portuguese):
    rows = [
        ["1001", "Ana Souza", "ana@acme.test", "TI"],
        ["1002", "Bruno\x01", "b@acme.test", "TI"],
    ]
    data = csv_file(rows, ["Matrícula", "Nome", "E-mail", "Setor"])
    upload = in_portuguese.post_form(
        "/hr/roster/",
        {"file": (io.BytesIO(data), "pessoas.csv")},
        content_type="multipart/form-data",
    )
    text = visible_text(in_portuguese.client.get(upload.location).get_data(as_text=True))
    for key in SNAKE_KEYS:
        assert key not in text
    assert "Departamento (“Setor”)" in text  # the column, and the file's own header for it
    assert "Nome" in text
    with in_portuguese.client.application.test_request_context(), force_locale("pt_BR"):
        reason = str(ROSTER_PROBLEMS["bad_characters"])
    assert reason in text
    assert " name " not in text  # the column at fault is named, not keyed
