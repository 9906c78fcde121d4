"""Every row names its person by employee number, email, or both: a row without a number is
matched by its email (and updates that person, never a copy of them); a row without an email
makes a person known by their number, who gets no email and has no password; a row with
neither is rejected. The import never takes a stored email or number away."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import OutboxMessage, User, utcnow
from cxculture.services.org import roster
from tests.factories import make_user, make_user_without_email
from tests.roster.test_import import HEADER, PEOPLE, csv_file
from tests.roster.test_workbooks import xlsx_file


def _apply(data: bytes, **kwargs):
    kwargs.setdefault("deactivate_missing", False)
    return roster.apply_roster(roster.read_roster(data), actor=None, now=utcnow(), **kwargs)


def _reasons(parsed_or_plan) -> dict[int, str]:
    return {problem.line: problem.reason for problem in parsed_or_plan.problems}


def _people() -> list[tuple]:
    return db.session.execute(
        select(User.employee_number, User.email, User.name).order_by(User.id)
    ).all()


def _emails_queued() -> list[str]:
    return list(db.session.execute(select(OutboxMessage.to_email)).scalars())


def test_a_row_without_an_employee_number_updates_the_person_with_its_email(ctx):
    _apply(csv_file(PEOPLE))
    rows = [["", "Ana Souza Lima", "ANA@acme.test", "Commercial/Sales"]]
    plan = roster.plan_roster(roster.read_roster(csv_file(rows)))
    assert plan.creates == []
    assert [changes for _row, _person, changes in plan.updates] == [["name", "department"]]
    _apply(csv_file(rows))
    ana = db.session.execute(select(User).where(User.email == "ana@acme.test")).scalar_one()
    assert (ana.employee_number, ana.name) == ("1001", "Ana Souza Lima")  # her number is kept
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 3


def test_a_file_without_an_employee_number_column_matches_everyone_by_email(ctx):
    _apply(csv_file(PEOPLE))
    rows = [[name, email, department] for _n, name, email, department in PEOPLE]
    rows.append(["Dora Dias", "dora@acme.test", "IT"])
    _apply(xlsx_file(rows, header=["Name", "Email", "Department"]))
    people = _people()
    assert len(people) == 4
    assert people[-1] == (None, "dora@acme.test", "Dora Dias")
    assert [number for number, _email, _name in people[:3]] == ["1001", "1002", "1003"]


def test_a_row_without_an_email_creates_a_person_known_by_their_number(ctx):
    rows = [*PEOPLE, ["2001", "Caio Store", "", "Stores/North"]]
    _apply(csv_file(rows), send_emails=True)
    caio = db.session.execute(select(User).where(User.employee_number == "2001")).scalar_one()
    assert caio.email is None
    assert caio.password_hash is None
    # Newcomers with an email get their set-password link; the one without gets nothing.
    assert sorted(_emails_queued()) == ["ana@acme.test", "bruno@acme.test", "carmen@acme.test"]


def test_a_row_without_an_email_keeps_the_stored_email(ctx):
    _apply(csv_file(PEOPLE))
    rows = [["1001", "Ana Souza", "", "Operations/Contact Center"]]
    plan = roster.plan_roster(roster.read_roster(csv_file(rows)))
    assert plan.unchanged == 1
    assert plan.updates == []
    _apply(csv_file(rows))
    assert db.session.execute(
        select(User.email).where(User.employee_number == "1001")
    ).scalar_one() == ("ana@acme.test")


def test_a_file_without_an_email_column_changes_no_email(ctx):
    _apply(csv_file(PEOPLE))
    rows = [[number, name, department] for number, name, _email, department in PEOPLE]
    plan = roster.plan_roster(
        roster.read_roster(csv_file(rows, ["Employee number", "Name", "Department"]))
    )
    assert (plan.unchanged, plan.updates, plan.creates) == (3, [], [])


def test_the_same_file_twice_changes_nothing_for_people_without_email_or_number(ctx):
    rows = [["", "Ana Souza", "ana@acme.test", "IT"], ["77", "Caio Store", "", "Stores"]]
    _apply(csv_file(rows))
    plan = roster.plan_roster(roster.read_roster(csv_file(rows)))
    assert (plan.unchanged, plan.updates, plan.creates) == (2, [], [])


def test_a_row_with_neither_email_nor_number_is_rejected_with_a_reason(ctx):
    rows = [["", "Nobody Known", "", "IT"], ["5", "Eli", "eli@acme.test", "IT"]]
    parsed = roster.read_roster(csv_file(rows))
    assert _reasons(parsed) == {2: "no_email_or_number"}
    assert [row.name for row in parsed.rows] == ["Eli"]


def test_a_header_with_neither_column_is_refused_whole():
    with pytest.raises(roster.RosterFileError) as caught:
        roster.read_roster(csv_file([["Ana", "IT"]], ["Name", "Department"]))
    assert caught.value.columns == ("employee_number", "email")


def test_two_rows_about_one_stored_person_are_both_rejected(ctx):
    _apply(csv_file(PEOPLE))
    rows = [
        ["1001", "Ana Souza", "ana.new@acme.test", "IT"],  # Ana, by her number
        ["", "Ana S.", "ana@acme.test", "IT"],  # Ana again, by her (old) email
    ]
    plan = roster.plan_roster(roster.read_roster(csv_file(rows)))
    assert _reasons(plan) == {2: "same_person", 3: "same_person"}


def test_duplicates_among_rows_without_numbers_or_emails_are_rejected():
    rows = [
        ["", "Ana", "ana@acme.test", "IT"],
        ["", "Ana B", "Ana@acme.test", "IT"],
        ["9", "Caio", "", "IT"],
        ["9", "Caio B", "", "IT"],
        ["", "Dora", "dora@acme.test", "IT"],
        ["10", "Eli", "", "IT"],
    ]
    for data in (csv_file(rows), xlsx_file(rows)):
        parsed = roster.read_roster(data)
        assert _reasons(parsed) == {
            2: "duplicate_email",
            3: "duplicate_email",
            4: "duplicate_employee_number",
            5: "duplicate_employee_number",
        }
        assert [row.name for row in parsed.rows] == ["Dora", "Eli"]


def test_heads_and_hr_admins_need_an_email(ctx):
    header = [*HEADER, "Head of", "HR admin"]
    rows = [
        ["1", "Ana", "", "IT", "IT", "no"],  # a head without an email
        ["2", "Bia", "", "IT", "", "yes"],  # an HR admin without an email
        ["3", "Caio", "", "IT", "", "no"],  # neither: fine
        ["4", "Dora", "dora@acme.test", "IT", "IT", "yes"],
    ]
    plan = roster.plan_roster(roster.read_roster(csv_file(rows, header)))
    assert _reasons(plan) == {2: "role_needs_email", 3: "role_needs_email"}


def test_a_row_without_email_may_give_a_role_to_a_person_whose_email_is_stored(ctx):
    make_user(email="ana@acme.test", employee_number="1", department="IT")
    header = [*HEADER, "Head of"]
    plan = roster.plan_roster(roster.read_roster(csv_file([["1", "Ana", "", "IT", "IT"]], header)))
    assert plan.problems == []
    assert [changes for _r, _p, changes in plan.updates] == [["name", "heads"]]


def test_people_named_by_email_only_are_not_leavers(ctx):
    _apply(csv_file(PEOPLE))
    rows = [["", name, email, department] for _n, name, email, department in PEOPLE[:2]]
    plan = roster.plan_roster(roster.read_roster(csv_file(rows)), deactivate_missing=True)
    assert [person.employee_number for person in plan.deactivations] == ["1003"]


def test_a_manager_without_an_email_in_the_file_cannot_be_named(ctx):
    header = [*HEADER, "Manager email"]
    rows = [["1", "Ana", "ana@acme.test", "IT", ""], ["2", "Caio", "", "IT", "ana@acme.test"]]
    _apply(csv_file(rows, header))
    caio = db.session.execute(select(User).where(User.employee_number == "2")).scalar_one()
    assert caio.manager is not None
    assert caio.manager.email == "ana@acme.test"


def test_a_stored_person_without_email_is_updated_by_number(ctx):
    make_user_without_email(employee_number="S-9", department="Stores")
    _apply(csv_file([["s-9", "Sol Store", "", "Stores/North"]]))
    sol = db.session.execute(select(User).where(User.name == "Sol Store")).scalar_one()
    assert (sol.email, sol.department.path) == (None, "Stores/North")
    _apply(csv_file([["S-9", "Sol Store", "sol@acme.test", "Stores/North"]]))
    assert sol.email == "sol@acme.test"  # given an email later: now they can log in
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 1


def test_one_person_through_the_api_rules_without_email(ctx):
    checked = roster.check_row(
        1, {"employee_number": "88", "name": "Rui", "email": "", "department": "Stores"}
    )
    assert isinstance(checked, roster.RosterRow)
    saved = roster.apply_person(checked, actor=None, now=utcnow(), action="api.person_saved")
    assert saved.is_created
    again = roster.apply_person(checked, actor=None, now=utcnow(), action="api.person_saved")
    assert (again.user_id, again.is_created, again.changes) == (saved.user_id, False, [])
