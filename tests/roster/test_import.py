"""Roster import: real-world files are read, every bad row is named, and applying is all or
nothing; the same file twice changes nothing."""

from __future__ import annotations

import codecs
import io
import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from cxculture.disclosure import measures
from cxculture.extensions import db
from cxculture.models import (
    AuditEvent,
    Department,
    Invitation,
    OutboxMessage,
    Response,
    Role,
    RosterImport,
    User,
    department_heads,
    utcnow,
)
from cxculture.services import accounts, surveys
from cxculture.services.org import roster
from cxculture.services.surveys import responses
from tests.conftest import csrf_token, empty_tables
from tests.factories import full_answers, make_department, make_survey, make_user

HEADER = ["employee number", "name", "email", "department"]


def csv_file(rows, header=HEADER, delimiter=",", encoding="utf-8") -> bytes:
    out = io.StringIO()
    import csv

    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


PEOPLE = [
    ["1001", "Ana Souza", "ana@acme.test", "Operations/Contact Center"],
    ["1002", "Bruno Lima", "bruno@acme.test", "Operations/Logistics"],
    ["1003", "Carmen Ruiz", "carmen@acme.test", "Finance"],
]


def _reasons(parsed_or_plan) -> dict[int, str]:
    return {problem.line: problem.reason for problem in parsed_or_plan.problems}


def _snapshot() -> tuple:
    """Everything an import can change, comparable before and after."""
    people = db.session.execute(
        select(
            User.employee_number,
            User.name,
            User.email,
            User.department_id,
            User.locale,
            User.is_hr_admin,
            User.is_active,
            User.manager_id,
            User.session_version,
        ).order_by(User.id)
    ).all()
    departments = db.session.execute(select(Department.path).order_by(Department.path)).all()
    heads = db.session.execute(select(department_heads).order_by("user_id")).all()
    outbox = db.session.execute(select(func.count(OutboxMessage.id))).scalar_one()
    return people, departments, heads, outbox


# Reading files as they come


def test_utf8_with_a_byte_order_mark_and_commas():
    parsed = roster.read_roster(codecs.BOM_UTF8 + csv_file(PEOPLE))
    assert [row.email for row in parsed.rows] == [
        "ana@acme.test",
        "bruno@acme.test",
        "carmen@acme.test",
    ]
    assert parsed.encoding == "utf-8"
    assert parsed.delimiter == ","


def test_windows_1252_with_semicolons_and_portuguese_headers():
    header = ["Matrícula", "Nome completo", "E-mail", "Departamento"]
    rows = [["7", "João Conceição", "joao@acme.test", "Operações/Atendimento"]]
    parsed = roster.read_roster(csv_file(rows, header, ";", "cp1252"))
    assert parsed.encoding == "windows-1252"
    assert parsed.delimiter == ";"
    assert parsed.rows[0].name == "João Conceição"
    assert parsed.rows[0].department == "Operações/Atendimento"


def test_utf16_tab_separated_as_spreadsheets_save_unicode_text():
    header = ["Número de empleado", "Nombre", "Correo electrónico", "Área"]
    data = codecs.BOM_UTF16_LE + csv_file(
        [["9", "Íñigo Peña", "inigo@acme.test", "Ventas"]], header, "\t", "utf-16-le"
    )
    parsed = roster.read_roster(data)
    assert parsed.rows[0].name == "Íñigo Peña"
    assert parsed.delimiter == "\t"


def test_columns_in_any_order_with_spanish_names_and_unknown_columns_reported():
    header = ["Correo", "Cargo", "Departamento", "Legajo", "Nombre", "Idioma", "Admin RRHH"]
    rows = [["luz@acme.test", "Analista", "IT", "55", "Luz Díaz", "es-AR", "sí"]]
    parsed = roster.read_roster(csv_file(rows, header))
    row = parsed.rows[0]
    assert (row.employee_number, row.name, row.email, row.department) == (
        "55",
        "Luz Díaz",
        "luz@acme.test",
        "IT",
    )
    assert row.locale == "es"
    assert row.hr_admin is True
    assert parsed.unknown_columns == ["Cargo"]


def test_quoted_line_breaks_and_blank_lines_keep_line_numbers_right():
    data = (
        b"employee number,name,email,department\r\n"
        b'1,"Ana\r\nSouza",ana@acme.test,IT\r\n'
        b"\r\n"
        b"2,Bruno,not-an-email,IT\r\n"
        b"\r\n\r\n"
    )
    parsed = roster.read_roster(data)
    assert parsed.rows[0].name == "Ana Souza"
    assert _reasons(parsed) == {5: "bad_email"}
    assert parsed.data_rows == 2


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"  \r\n\r\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not_text"),
        (b"PK\x03\x04\x14\x00\x06\x00", "not_xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),
        (b"employee number,name,email,department\r\n\r\n", "no_rows"),
        (b"name,email\r\nAna,ana@acme.test\r\n", "missing_columns"),
        (b"email,e-mail,name,id,department\r\n", "duplicate_column"),
    ],
)
def test_files_that_are_not_rosters_get_a_specific_error(data, code):
    with pytest.raises(roster.RosterFileError) as caught:
        roster.read_roster(data)
    assert caught.value.code == code


def test_missing_columns_are_named():
    with pytest.raises(roster.RosterFileError) as caught:
        roster.read_roster(b"name,email\r\nAna,ana@acme.test\r\n")
    assert caught.value.detail == "department"


def test_a_file_over_the_limit_is_refused_before_reading():
    with pytest.raises(roster.RosterFileError) as caught:
        roster.read_roster(b"x" * (2 * 1024 * 1024 + 1), max_bytes=2 * 1024 * 1024)
    assert caught.value.code == "too_large"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (codecs.BOM_UTF16_BE + b"\x00", "not_text"),  # an odd number of UTF-16 bytes
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "not_text"),  # half a surrogate pair
        (codecs.BOM_UTF8 + b"caf\xe9", "not_text"),  # the mark, then Windows-1252
        (b"a" * (1024 * 1024), "not_csv"),  # one header field longer than csv reads
    ],
)
def test_a_file_that_cannot_be_decoded_or_split_is_refused_whole(data, code):
    with pytest.raises(roster.RosterFileError) as caught:
        roster.read_roster(data)
    assert caught.value.code == code


def test_every_bad_row_is_named_with_its_line_and_reason():
    rows = [
        ["1", "Ana", "ana@acme.test", "IT"],  # line 2: fine
        ["2", "Bruno", "bruno@", "IT"],  # 3
        ["", "Carla", "", "IT"],  # 4
        ["4", "", "dani@acme.test", "IT"],  # 5
        ["5", "Eva", "eva@acme.test", ""],  # 6
        ["6", "Fabio", "fabio@acme.test", "Sales//East"],  # 7
        ["7", "Gil", "gil@acme.test", "Sales/East/Sales"],  # 8
        ["8", "Hugo", "hugo@acme.test", "IT"],  # 9: duplicate number with 10
        ["8", "Hugo B", "hugob@acme.test", "IT"],  # 10
        ["11", "Ines", "ANA@acme.test", "IT"],  # 11: same email as line 2 (case aside)
        ["12", "Joel", "joel@acme.test", "IT", "surplus"],  # 12
    ]
    parsed = roster.read_roster(csv_file(rows))
    assert _reasons(parsed) == {
        2: "duplicate_email",
        3: "bad_email",
        4: "no_email_or_number",
        5: "name_missing",
        6: "department_empty",
        7: "department_invalid",
        8: "department_own_ancestor",
        9: "duplicate_employee_number",
        10: "duplicate_employee_number",
        11: "duplicate_email",
        12: "too_many_fields",
    }
    assert parsed.rows == []


def test_a_department_path_longer_than_its_column_is_rejected():
    deep = "/".join(["D" * 120] * 9)  # every level allowed, the whole too long
    rows = [["1", "Ana", "ana@acme.test", deep], ["2", "Bia", "bia@acme.test", "IT"]]
    header = [*HEADER, "head of"]
    parsed = roster.read_roster(csv_file([[*rows[0], ""], [*rows[1], deep]], header))
    assert _reasons(parsed) == {2: "department_too_long", 3: "bad_heads"}


@pytest.mark.parametrize("cell", ["Ana\x01", "\x1b[31mAna", "Ana\x0b"])
def test_a_row_with_control_characters_is_rejected(cell):
    rows = [["1", cell, "ana@acme.test", "IT"], ["2", "Bia", "bia@acme.test", "IT"]]
    parsed = roster.read_roster(csv_file(rows))
    assert [(p.line, p.reason, p.value) for p in parsed.problems] == [(2, "bad_characters", "name")]
    assert [row.email for row in parsed.rows] == ["bia@acme.test"]


def test_a_nul_past_the_part_sniffed_for_binary_data_rejects_its_row():
    rows = [[str(n), f"Person {n}", f"p{n}@acme.test", "IT"] for n in range(1, 400)]
    rows.append(["999", "Nu\x00l", "nul@acme.test", "IT"])
    data = csv_file(rows)
    assert data.index(b"\x00") > 8192
    assert _reasons(roster.read_roster(data)) == {401: "bad_characters"}


def test_flags_languages_and_managers_are_checked():
    header = [*HEADER, "hr admin", "language", "manager email", "head of"]
    rows = [
        ["1", "Ana", "ana@acme.test", "IT", "maybe", "", "", ""],
        ["2", "Bia", "bia@acme.test", "IT", "no", "klingon", "", ""],
        ["3", "Caio", "caio@acme.test", "IT", "", "pt", "boss@", ""],
        ["4", "Duda", "duda@acme.test", "IT", "", "", "", "IT|Sales//X"],
        ["5", "Enzo", "enzo@acme.test", "IT", "Sim", "Português", "ana@acme.test", "IT|Sales"],
    ]
    parsed = roster.read_roster(csv_file(rows, header))
    assert _reasons(parsed) == {
        2: "bad_flag",
        3: "bad_locale",
        4: "bad_manager_email",
        5: "bad_heads",
    }
    enzo = parsed.rows[0]
    assert (enzo.hr_admin, enzo.locale, enzo.manager_email, enzo.heads) == (
        True,
        "pt_BR",
        "ana@acme.test",
        ("IT", "Sales"),
    )


# Applying


def _apply(data: bytes, actor=None, deactivate_missing=False, send_emails=True):
    return roster.apply_roster(
        roster.read_roster(data),
        deactivate_missing=deactivate_missing,
        actor=actor,
        now=utcnow(),
        send_emails=send_emails,
    )


def test_applying_creates_people_and_departments_and_twice_changes_nothing(ctx):
    data = csv_file(PEOPLE)
    plan = _apply(data)
    assert plan.counts() == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "deactivated": 0,
        "departments_created": 4,
        "rejected": 0,
    }
    ana = db.session.execute(select(User).where(User.email == "ana@acme.test")).scalar_one()
    assert ana.department.path == "Operations/Contact Center"
    assert ana.password_hash is None
    before = _snapshot()
    again = _apply(data)
    assert again.counts()["unchanged"] == 3
    assert _snapshot() == before


def test_updates_are_matched_by_employee_number(ctx):
    _apply(csv_file(PEOPLE))
    changed = [row[:] for row in PEOPLE]
    changed[0] = ["1001", "Ana Souza Lima", "ana.lima@acme.test", "Commercial/Sales"]
    plan = roster.plan_roster(roster.read_roster(csv_file(changed)))
    assert [(row.employee_number, changes) for row, _p, changes in plan.updates] == [
        ("1001", ["name", "email", "department"])
    ]
    _apply(csv_file(changed))
    ana = db.session.execute(select(User).where(User.employee_number == "1001")).scalar_one()
    assert (ana.name, ana.email, ana.department.path) == (
        "Ana Souza Lima",
        "ana.lima@acme.test",
        "Commercial/Sales",
    )
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 3


def test_moving_people_never_moves_their_past_answers(ctx):
    make_department("Operations/Contact Center")
    people = [
        make_user(employee_number=f"90{n}", department="Operations/Contact Center")
        for n in range(6)
    ]
    survey = make_survey()
    for person in people:
        invitation = db.session.execute(
            select(Invitation).where(Invitation.user_id == person.id)
        ).scalar_one()
        responses.submit_response(invitation, full_answers(survey, 4), "en", utcnow())
    before = measures.measure(survey).sums
    rows = [[p.employee_number, p.name, p.email, "Finance/Payables"] for p in people]
    _apply(csv_file(rows))
    after = measures.measure(survey).sums
    assert after == before
    assert set(after) == {"Operations/Contact Center"}
    paths = set(db.session.execute(select(Response.department_path)).scalars())
    assert paths == {"Operations/Contact Center"}


def test_leavers_are_deactivated_and_their_unanswered_invitations_withdrawn(app, browser):
    with app.app_context():
        hr = make_user(employee_number="HR1", is_hr_admin=True, department="People")
        stay = make_user(employee_number="S1", department="IT")
        leaver = make_user(employee_number="L1", department="IT")
        answered = make_user(employee_number="L2", department="IT")
        survey = make_survey(actor=hr, closes_in=timedelta(days=5))
        invitation = db.session.execute(
            select(Invitation).where(Invitation.user_id == answered.id)
        ).scalar_one()
        responses.submit_response(invitation, full_answers(survey, 3), "en", utcnow())
        leaver_email, survey_id = leaver.email, survey.id
        rows = [["S1", stay.name, stay.email, "IT"]]
        plan = _apply(csv_file(rows), actor=hr, deactivate_missing=True)
        assert plan.counts()["deactivated"] == 2
        assert [person.employee_number for person in plan.kept_active] == ["HR1"]
        progress = surveys.survey_progress(db.session.get(type(survey), survey_id))
        # The leaver who had not answered is withdrawn (not reminded), the one who answered is
        # not; both stay counted as invited. Four invited is under the minimum: the count is
        # withheld on the pages; the invitations themselves tell what is withdrawn.
        assert progress.rates.company.is_hidden
        kept = db.session.execute(
            select(func.count(Invitation.id), func.count(Invitation.submitted_at)).where(
                Invitation.survey_id == survey_id, Invitation.withdrawn_at.is_(None)
            )
        ).one()
        assert tuple(kept) == (3, 1)
        assert db.session.execute(select(func.count(Response.id))).scalar_one() == 1
        assert db.session.get(User, hr.id).is_active
    response = browser.login(leaver_email)
    assert "Wrong email or password." in response.get_data(as_text=True)


def test_an_email_of_someone_else_is_rejected_and_a_hand_made_account_is_adopted(ctx):
    make_user(email="taken@acme.test", employee_number="X9")
    admin = User(email="first.hr@acme.test", name="First HR", is_hr_admin=True)
    db.session.add(admin)
    db.session.commit()
    rows = [
        ["1", "Someone", "taken@acme.test", "IT"],
        ["2", "First HR", "first.hr@acme.test", "People"],
    ]
    plan = roster.plan_roster(roster.read_roster(csv_file(rows)))
    assert _reasons(plan) == {2: "email_taken"}
    adopted = [(row.line, changes) for row, _p, changes in plan.updates]
    assert adopted == [(3, ["department", "employee_number"])]


def test_managers_must_exist_and_never_loop(ctx):
    header = [*HEADER, "manager email"]
    rows = [
        ["1", "Ana", "ana@acme.test", "IT", "bia@acme.test"],  # 2: Ana -> Bia -> Ana
        ["2", "Bia", "bia@acme.test", "IT", "ana@acme.test"],  # 3
        ["3", "Caio", "caio@acme.test", "IT", "caio@acme.test"],  # 4: himself
        ["4", "Duda", "duda@acme.test", "IT", "ghost@acme.test"],  # 5
        ["5", "Enzo", "enzo@acme.test", "IT", ""],  # 6
        ["6", "Fia", "fia@acme.test", "IT", "enzo@acme.test"],  # 7
    ]
    plan = roster.plan_roster(roster.read_roster(csv_file(rows, header)))
    assert _reasons(plan) == {
        2: "manager_loop",
        3: "manager_loop",
        4: "manager_loop",
        5: "manager_unknown",
    }
    _apply(csv_file(rows[4:], header))
    fia = db.session.execute(select(User).where(User.email == "fia@acme.test")).scalar_one()
    assert fia.manager.email == "enzo@acme.test"


def test_heads_and_hr_admins_get_their_roles(ctx):
    header = [*HEADER, "head of", "hr admin"]
    rows = [
        ["1", "Ana", "ana@acme.test", "Operations", "Operations|Finance", "no"],
        ["2", "Rui", "rui@acme.test", "People", "", "yes"],
    ]
    _apply(csv_file(rows, header))
    ana = db.session.execute(select(User).where(User.email == "ana@acme.test")).scalar_one()
    rui = db.session.execute(select(User).where(User.email == "rui@acme.test")).scalar_one()
    assert [d.path for d in ana.headed_departments] == ["Finance", "Operations"]
    assert ana.roles == {Role.EMPLOYEE, Role.DEPT_HEAD}
    assert Role.HR_ADMIN in rui.roles
    rows[0][4] = "Finance"
    _apply(csv_file(rows, header))
    db.session.expire_all()
    assert [d.path for d in ana.headed_departments] == ["Finance"]


def test_an_archived_department_is_not_filled_again(ctx):
    department = make_department("Legacy")
    department.archived_at = utcnow()
    db.session.commit()
    plan = roster.plan_roster(roster.read_roster(csv_file([["1", "Ana", "a@acme.test", "Legacy"]])))
    assert _reasons(plan) == {2: "department_archived"}


def test_any_rejected_row_stops_the_whole_file(ctx):
    make_user(employee_number="1001", email="ana@acme.test", name="Ana Old")
    before = _snapshot()
    rows = [*PEOPLE, ["1004", "Dan", "dan@", "IT"]]
    with pytest.raises(roster.RosterHasProblems):
        _apply(csv_file(rows))
    assert _snapshot() == before


# Set-password links


def test_newcomers_get_a_personal_link_that_works_once(app, client, browser):
    with app.app_context():
        _apply(csv_file(PEOPLE[:1]))
        message = db.session.execute(select(OutboxMessage)).scalar_one()
        assert message.kind == "set_password"
        assert message.to_email == "ana@acme.test"
    link = re.search(r"http://[^/]+(/auth/set-password/\S+)", message.body).group(1)
    page = client.get(link)
    assert page.status_code == 200
    response = browser.post_form(
        link, {"new_password": "a long new password", "confirm_password": "a long new password"}
    )
    assert response.status_code == 302
    assert browser.client.get(link).status_code == 400  # used
    browser.login("ana@acme.test", "a long new password")
    assert browser.client.get("/me").status_code == 200


def test_forged_expired_and_closed_account_links_are_refused(app, client):
    with app.app_context():
        person = make_user(password=None)
        token = accounts.set_password_token(person)
        person_id = person.id
    assert client.get("/auth/set-password/not-a-token").status_code == 400
    assert client.get(f"/auth/set-password/{token[:-2]}xx").status_code == 400
    app.config["CX_SET_PASSWORD_DAYS"] = -1  # every link is past its age
    assert client.get(f"/auth/set-password/{token}").status_code == 400
    app.config["CX_SET_PASSWORD_DAYS"] = 7
    assert client.get(f"/auth/set-password/{token}").status_code == 200
    with app.app_context():
        db.session.get(User, person_id).is_active = False
        db.session.commit()
    assert client.get(f"/auth/set-password/{token}").status_code == 400


# The pages


def test_hr_uploads_previews_and_applies(app, browser, hr_admin):
    browser.login(hr_admin.email)
    browser.use_language("en")
    data = csv_file([*PEOPLE, ["1004", "Dan", "dan@", "IT"]], [*HEADER, "Cargo"])
    response = browser.post_form(
        "/hr/roster/",
        {"file": (io.BytesIO(data), "export.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    preview = browser.client.get(response.location).get_data(as_text=True)
    assert "Not a valid email address." in preview
    assert "These columns were not recognised and are ignored: Cargo." in preview
    assert 'action="/hr/roster/' not in preview  # no Apply button while rows are rejected

    good = csv_file(PEOPLE)
    response = browser.post_form(
        "/hr/roster/",
        {"file": (io.BytesIO(good), "export.csv")},
        content_type="multipart/form-data",
    )
    page = response.location
    applied = browser.post_form(f"{page}/apply", {"send_emails": "y", "confirm": "apply"})
    assert applied.status_code == 302
    html = browser.client.get(page).get_data(as_text=True)
    assert "Applied: 3 created, 0 updated, 0 deactivated, 4 departments created." in html
    again = browser.post_form(page, {}, action=f"{page}/apply")
    assert "already been applied" in browser.client.get(again.location).get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(func.count(User.id))).scalar_one() == 4
        assert db.session.execute(select(RosterImport.summary)).scalars().all()[-1]["created"] == 3
        assert (
            db.session.execute(
                select(func.count(AuditEvent.id)).where(AuditEvent.action == "roster.applied")
            ).scalar_one()
            == 1
        )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"PK\x03\x04rest", "The file could not be read as an Excel workbook (.xlsx)."),
        (b"employee number,name,email,department\r\n", "The file has a header but no people"),
        (b"\x00\x01\x02", "This is neither a CSV file nor an Excel workbook"),
    ],
)
def test_unusable_uploads_get_a_message_and_store_nothing(app, browser, hr_admin, data, message):
    browser.login(hr_admin.email)
    browser.use_language("en")
    response = browser.post_form(
        "/hr/roster/", {"file": (io.BytesIO(data), "x.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(func.count(RosterImport.id))).scalar_one() == 0


def test_an_uploaded_file_name_keeps_no_control_characters(app, browser, hr_admin):
    browser.login(hr_admin.email)
    response = browser.post_form(
        "/hr/roster/",
        {"file": (io.BytesIO(csv_file(PEOPLE)), "ex\x00port\x1b.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.execute(select(RosterImport.filename)).scalar_one() == "export.csv"


def test_a_50_mb_upload_is_refused_with_the_limit(app, browser, hr_admin):
    browser.login(hr_admin.email)
    browser.use_language("en")
    token = csrf_token(browser.client.get("/hr/roster/").get_data(as_text=True))
    big = b"1,Ana,ana@acme.test,IT\r\n" * (50 * 1024 * 1024 // 24)
    builder = EnvironBuilder(
        path="/hr/roster/",
        method="POST",
        data={"csrf_token": token, "file": (io.BytesIO(big), "big.csv")},
        content_type="multipart/form-data",
    )
    try:  # the test client spools the body to a temporary file: close it afterwards
        response = browser.client.open(builder)
        response.request.environ["wsgi.input"].close()
    finally:
        builder.close()
    assert response.status_code == 413
    assert "Files can have at most 20 MB. Nothing was changed." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(func.count(RosterImport.id))).scalar_one() == 0


def test_only_hr_imports(app, browser, head):
    browser.login(head.email)
    assert browser.client.get("/hr/roster/").status_code == 403
    browser.logout()
    with app.app_context():
        email = make_user(is_hr_admin=True).email
    browser.login(email)
    assert browser.client.get("/hr/roster/999").status_code == 404


# The command line


def test_the_command_previews_refuses_and_applies(app, tmp_path):
    runner = app.test_cli_runner()
    good = tmp_path / "good.csv"
    good.write_bytes(csv_file(PEOPLE))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file([["1", "Ana", "ana@", "IT"]]))
    result = runner.invoke(args=["import-roster", str(good), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "created: 3" in result.output
    assert "Dry run: nothing was changed." in result.output
    result = runner.invoke(args=["import-roster", str(bad)])
    assert result.exit_code == 1
    assert "line 2: Not a valid email address. (ana@)" in result.output
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = runner.invoke(args=["import-roster", str(empty)])
    assert result.exit_code == 1
    assert "The file is empty." in result.output
    with app.app_context():
        assert db.session.execute(select(func.count(User.id))).scalar_one() == 0
    result = runner.invoke(args=["import-roster", str(good), "--no-emails"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.execute(select(func.count(User.id))).scalar_one() == 3
        assert db.session.execute(select(func.count(OutboxMessage.id))).scalar_one() == 0


# Nothing half-applied, whatever the rows


NUMBERS = st.sampled_from(["1", "2", "3", "4", " 5 ", ""])
EMAILS = st.sampled_from(["a@acme.test", "b@acme.test", "c@acme.test", "D@acme.test", "bad@", ""])
PATHS = st.sampled_from(["IT", "Ops/Desk", "Ops/Desk/Ops", "", "Sales//X", "Ops"])
MANAGERS = st.sampled_from(["", "a@acme.test", "b@acme.test", "ghost@acme.test"])
ROWS = st.lists(
    st.tuples(NUMBERS, st.sampled_from(["Ana", "Bia", ""]), EMAILS, PATHS, MANAGERS),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(first=ROWS, second=ROWS)
def test_random_files_apply_completely_or_not_at_all(ctx, first, second):
    empty_tables()
    header = [*HEADER, "manager email"]
    for rows in (first, second):
        before = _snapshot()
        data = csv_file([list(row) for row in rows], header)
        try:
            parsed = roster.read_roster(data)
            plan = _apply(data, send_emails=False)
        except (roster.RosterFileError, roster.RosterHasProblems):
            assert _snapshot() == before
            continue
        assert not plan.problems
        for row in parsed.rows:
            person = db.session.execute(
                select(User).where(User.employee_number == row.employee_number)
            ).scalar_one()
            assert (person.name, person.email, person.department.path) == (
                row.name,
                row.email,
                row.department,
            )
            expected = row.manager_email or None
            assert (person.manager.email if person.manager else None) == expected


def test_review_cases_heads_archived_ancestors_own_role_and_links(ctx):
    hr = make_user(employee_number="HR1", email="hr@acme.test", is_hr_admin=True)
    head = make_user(employee_number="H1", heads=("Sales",), department="Sales")
    legacy = make_department("Legacy")
    legacy.archived_at = utcnow()
    db.session.commit()
    header = [*HEADER, "head of", "hr admin"]
    rows = [
        ["HR1", hr.name, hr.email, "People", "", "no"],  # 2: HR taking away their own role
        ["N1", "Nina", "nina@acme.test", "Legacy/New team", "", ""],  # 3: under an archived one
        ["N2", "Noa", "noa@acme.test", "IT", "IT|IT", ""],  # 4: the same head path twice
    ]
    plan = roster.plan_roster(roster.read_roster(csv_file(rows, header)), actor=hr)
    assert _reasons(plan) == {2: "own_hr_admin", 3: "department_archived"}
    assert plan.creates[0].heads == ("IT",)
    # A leaver heads nothing any more, so a rehire brings no results back.
    token = accounts.set_password_token(head)
    roster.apply_roster(
        roster.read_roster(csv_file([["HR1", hr.name, hr.email, "People"]])),
        deactivate_missing=True,
        actor=hr,
        now=utcnow(),
        send_emails=False,
    )
    db.session.expire_all()
    assert db.session.get(User, head.id).headed_departments == []
    # A link dies when the address it was sent for is corrected.
    head.is_active = True
    head.email = "corrected@acme.test"
    db.session.commit()
    with pytest.raises(accounts.InvalidLink):
        accounts.user_for_token(token)


def test_a_department_path_longer_than_the_database_keeps_is_rejected():
    path = "/".join(f"{level}{'x' * 119}" for level in range(9))
    parsed = roster.read_roster(csv_file([["1", "Ana", "a@acme.test", path]]))
    assert [problem.reason for problem in parsed.problems] == ["department_too_long"]


def test_a_nul_byte_past_the_first_kilobytes_is_a_rejected_row():
    rows = [[str(n), f"Person {n}", f"p{n}@acme.test", "Sales"] for n in range(400)]
    rows.append(["999", "Ana\x00", "ana@acme.test", "Sales"])
    parsed = roster.read_roster(csv_file(rows))
    assert [(problem.reason, problem.value) for problem in parsed.problems] == [
        ("bad_characters", "name")
    ]
