"""An address that differs from another person's only by look-alike characters (Cyrillic а
for a, full-width ａ, script ℯ...) is refused wherever an address is given to a person: the
roster import, create-admin and HR's forms (the API has its own tests). A plain different
address, and the same address imported again, are not look-alikes."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import (
    AuditEvent,
    Department,
    OutboxMessage,
    User,
    department_heads,
    utcnow,
)
from cxculture.services import accounts
from cxculture.services.org import people, roster
from cxculture.services.org.roster.labels import ROSTER_PROBLEMS
from tests.factories import make_department, make_user

HEADER = ["employee number", "name", "email", "department"]
ANA = "ana@acme.test"
ANA_CYRILLIC = "\u0430na@acme.test"  # а: CYRILLIC SMALL LETTER A
ANA_FULL_WIDTH = "\uff41na@acme.test"  # ａ: FULLWIDTH LATIN SMALL LETTER A
ANA_DOMAIN = "ana@\u0430cme.test"
STRONG_PASSWORD = "a long enough admin passphrase"


def csv_file(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode("utf-8")


def _problems(data: bytes) -> dict[int, tuple[str, str]]:
    plan = roster.plan_roster(roster.read_roster(data))
    return {problem.line: (problem.reason, problem.value) for problem in plan.problems}


def _snapshot() -> tuple:
    people = db.session.execute(
        select(User.employee_number, User.name, User.email, User.department_id).order_by(User.id)
    ).all()
    departments = db.session.execute(select(Department.path).order_by(Department.path)).all()
    heads = db.session.execute(select(func.count()).select_from(department_heads)).scalar_one()
    outbox = db.session.execute(select(func.count(OutboxMessage.id))).scalar_one()
    return people, departments, heads, outbox


def _apply(data: bytes) -> roster.RosterPlan:
    return roster.apply_roster(
        roster.read_roster(data),
        deactivate_missing=False,
        actor=None,
        now=utcnow(),
        send_emails=False,
    )


# The roster import


@pytest.mark.parametrize("look_alike", [ANA_CYRILLIC, ANA_FULL_WIDTH, ANA_DOMAIN])
def test_a_look_alike_of_a_stored_persons_address_is_rejected_and_nothing_applied(ctx, look_alike):
    make_user(email=ANA, employee_number="1001", name="Ana Souza")
    before = _snapshot()
    data = csv_file(
        [
            ["2001", "Bruno Lima", "bruno@acme.test", "Sales"],
            ["2002", "Not Ana", look_alike, "Sales"],
        ]
    )
    assert _problems(data) == {3: ("email_look_alike", ANA)}
    with pytest.raises(roster.RosterHasProblems) as refused:
        _apply(data)
    assert [(p.line, p.reason) for p in refused.value.problems] == [(3, "email_look_alike")]
    assert _snapshot() == before


def test_two_rows_of_one_file_that_look_alike_are_both_rejected(ctx):
    data = csv_file(
        [
            ["1001", "Ana Souza", ANA, "Sales"],
            ["1002", "Carla Dias", "carla@acme.test", "Sales"],
            ["1003", "Not Ana", ANA_CYRILLIC, "Sales"],
        ]
    )
    assert _problems(data) == {
        2: ("email_look_alike", ANA_CYRILLIC),
        4: ("email_look_alike", ANA),
    }
    with pytest.raises(roster.RosterHasProblems):
        _apply(data)
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 0


def test_a_plain_different_address_and_the_same_file_again_are_accepted(ctx):
    make_user(email=ANA, employee_number="1001", name="Ana Souza")
    rows = [
        ["1001", "Ana Souza", ANA, "Sales"],  # the same address: not a look-alike of itself
        ["1002", "Anna Reis", "anna@acme.test", "Sales"],
        ["1003", "Ana Souza Lima", "ana.lima@acme.test", "Sales"],
    ]
    plan = _apply(csv_file(rows))
    assert plan.counts()["created"] == 2
    again = _apply(csv_file(rows))
    assert again.counts()["unchanged"] == 3
    assert not again.problems


def test_addresses_already_stored_are_imported_again_even_if_they_look_alike(ctx):
    # Two people stored before the rule existed: the file changes neither address, so
    # nothing is given to anyone, and the import goes through.
    make_user(email=ANA, employee_number="1001", name="Ana Souza")
    make_user(email=ANA_CYRILLIC, employee_number="1002", name="Ana Other")
    rows = [
        ["1001", "Ana Souza", ANA, "Sales"],
        ["1002", "Ana Other", ANA_CYRILLIC, "Sales"],
    ]
    assert _problems(csv_file(rows)) == {}
    # ...but a third person cannot get a third such address.
    rows.append(["1003", "Ana Third", ANA_FULL_WIDTH, "Sales"])
    reason, value = _problems(csv_file(rows))[4]
    assert reason == "email_look_alike"
    assert value in {ANA, ANA_CYRILLIC}


def test_a_person_changing_to_another_persons_look_alike_is_rejected(ctx):
    make_user(email=ANA, employee_number="1001", name="Ana Souza")
    make_user(email="bruno@acme.test", employee_number="1002", name="Bruno Lima")
    rows = [
        ["1001", "Ana Souza", ANA, "Sales"],
        ["1002", "Bruno Lima", ANA_CYRILLIC, "Sales"],
    ]
    assert _problems(csv_file(rows)) == {3: ("email_look_alike", ANA)}


def test_a_person_may_keep_a_look_alike_of_their_own_address(ctx):
    # Not another person's address: nobody can pass for someone else with it.
    make_user(email=ANA, employee_number="1001", name="Ana Souza")
    assert _problems(csv_file([["1001", "Ana Souza", ANA_FULL_WIDTH, "Sales"]])) == {}


def test_the_command_names_the_line_and_the_other_address(app, tmp_path):
    with app.app_context():
        make_user(email=ANA, employee_number="1001", name="Ana Souza")
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_file([["2002", "Not Ana", ANA_CYRILLIC, "Sales"]]))
    result = app.test_cli_runner().invoke(args=["import-roster", str(path)])
    assert result.exit_code == 1
    label = str(ROSTER_PROBLEMS["email_look_alike"])
    assert f"line 2: {label} ({ANA})" in result.output
    with app.app_context():
        assert db.session.execute(select(func.count(User.id))).scalar_one() == 1


def test_the_preview_page_names_the_line_and_the_reason(app, browser, hr_admin):
    with app.app_context():
        make_user(email=ANA, employee_number="1001", name="Ana Souza")
    browser.login(hr_admin.email)
    browser.use_language("en")
    response = browser.post_form(
        "/hr/roster/",
        {"file": (io.BytesIO(csv_file([["2002", "Not Ana", ANA_CYRILLIC, "Sales"]])), "r.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    html = browser.client.get(response.location).get_data(as_text=True)
    assert '<th scope="row" class="fw-normal">2</th>' in html
    assert "This address looks like another person" in html
    assert f"<code>{ANA}</code>" in html


# create-admin


def test_create_admin_refuses_a_look_alike_of_an_existing_account(app):
    with app.app_context():
        make_user(email=ANA)
    runner = app.test_cli_runner()
    for look_alike in (ANA_CYRILLIC, ANA_FULL_WIDTH.upper(), "ana@xn--cme-5cd.test"):
        result = runner.invoke(
            args=[
                "create-admin",
                "--email",
                look_alike,
                "--name",
                "Not Ana",
                "--password",
                STRONG_PASSWORD,
            ]
        )
        assert result.exit_code == 1, (look_alike, result.output)
    with app.app_context():
        assert db.session.execute(select(func.count(User.id))).scalar_one() == 1
        with pytest.raises(accounts.EmailLooksTaken) as refused:
            accounts.create_admin(ANA_CYRILLIC, "Not Ana", STRONG_PASSWORD)
        assert refused.value.other == ANA
        assert "look-alike" in str(refused.value)
        created = accounts.create_admin("anna@acme.test", "Anna Reis", STRONG_PASSWORD)
        assert created.is_hr_admin
        actions = db.session.execute(select(AuditEvent.action)).scalars().all()
        assert actions.count("org.admin_created") == 1


# HR's forms


def _person_form(app, user_id: int, **overrides) -> dict[str, object]:
    with app.app_context():
        person = db.session.get(User, user_id)
        data = {
            "department_id": str(person.department_id or 0),
            "manager_email": person.manager.email if person.manager else "",
            "is_active": "y" if person.is_active else None,
            "is_hr_admin": "y" if person.is_hr_admin else None,
        }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_a_look_alike_manager_email_gets_its_own_message(app, browser, hr_admin, employee):
    browser.login(hr_admin.email)
    browser.use_language("en")
    page = f"/hr/org/people/{hr_admin.id}"
    look_alike = employee.email.replace("e", "\u0435", 1)  # Cyrillic е
    response = browser.post_form(page, _person_form(app, hr_admin.id, manager_email=look_alike))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f"Nobody has this address, but it looks like {employee.email}" in html
    assert "Nobody has this email address." not in html
    unknown = browser.post_form(
        page, _person_form(app, hr_admin.id, manager_email="nobody@example.test")
    )
    assert "Nobody has this email address." in unknown.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, hr_admin.id).manager_id is None
        person = db.session.get(User, hr_admin.id)
        with pytest.raises(people.LookAlikeManager) as refused:
            people.update_person(
                person,
                people.PersonChanges(
                    department_id=person.department_id,
                    is_hr_admin=True,
                    is_active=True,
                    manager_email=look_alike,
                ),
                person,
                utcnow(),
            )
        assert refused.value.other == employee.email


def test_a_look_alike_heads_email_gets_its_own_message(app, browser, hr_admin, employee):
    with app.app_context():
        sales = make_department("Sales").id
    browser.login(hr_admin.email)
    browser.use_language("en")
    page = f"/hr/org/departments/{sales}"
    look_alike = employee.email.replace("e", "\uff45", 1)  # full-width ｅ
    response = browser.post_form(
        page,
        {"emails": f"{hr_admin.email}\n{look_alike}\nnobody@example.test"},
        action=f"{page}/heads",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f"but it looks like {employee.email}" in html
    assert "Nobody has these email addresses: nobody@example.test" in html
    with app.app_context():
        assert db.session.get(Department, sales).heads == []
