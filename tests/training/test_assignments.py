"""Heads and HR assign modules to departments, follow completion, and overdue work is reminded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import Enrolment, OutboxMessage, utcnow
from cxculture.services import training
from cxculture.services.org import ensure_department
from cxculture.services.training import assignments
from tests.conftest import make_person
from tests.factories import make_user


@pytest.fixture
def setup(app, head):
    """Modules loaded, three people under Operations (the head's) and one in Finance."""
    with app.app_context():
        training.load_modules()
        for path in ("Operations/Contact Center", "Operations/Contact Center", "Operations"):
            make_user(department=path)
        make_user(department="Finance")
        module = training.get_module("who-is-my-customer")
        return {
            "module": module.id,
            "operations": ensure_department("Operations").id,
            "finance": ensure_department("Finance").id,
        }


def _assign(browser, setup, department: str, due: date):
    return browser.post_form(
        "/dashboards/training",
        {
            "module_id": str(setup["module"]),
            "department_id": str(setup[department]),
            "due_on": due.isoformat(),
            "message": "Let's do this before the team meeting.",
        },
    )


def _enrolled(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(Enrolment.id))).scalar_one()


def test_a_head_assigns_a_module_to_their_department_and_everything_below(
    app, browser, head, setup
):
    browser.login(head.email)
    response = _assign(browser, setup, "operations", utcnow().date() + timedelta(days=14))
    assert response.status_code == 302
    assert _enrolled(app) == 4  # three people and the head, all under Operations
    page = browser.client.get("/dashboards/training").get_data(as_text=True)
    assert "Hugo Head" in page  # names are allowed for training records


def test_a_head_cannot_assign_to_a_department_they_do_not_head(app, browser, head, setup):
    browser.login(head.email)
    page = browser.client.get("/dashboards/training").get_data(as_text=True)
    assert ">Finance</option>" not in page  # not offered
    assert ">Operations/Contact Center</option>" in page
    response = _assign(browser, setup, "finance", utcnow().date() + timedelta(days=14))
    assert response.status_code == 403
    assert _enrolled(app) == 0


def test_a_forged_department_is_refused_with_403(app, head, setup):
    with app.app_context():
        from cxculture.models import Department, Module, User

        actor = db.session.get(User, head.id)
        with pytest.raises(assignments.NotYourDepartment):
            assignments.assign_to_department(
                actor,
                db.session.get(Module, setup["module"]),
                db.session.get(Department, setup["finance"]),
                utcnow().date() + timedelta(days=3),
                None,
                utcnow().date(),
            )


def test_a_due_date_in_the_past_is_refused(app, browser, head, setup):
    browser.login(head.email)
    response = _assign(browser, setup, "operations", utcnow().date() - timedelta(days=1))
    assert response.status_code == 200
    assert "Choose a due date from today on." in response.get_data(as_text=True)
    assert _enrolled(app) == 0


def test_assigning_twice_enrols_nobody_twice_and_keeps_the_earlier_date(app, browser, head, setup):
    browser.login(head.email)
    later = utcnow().date() + timedelta(days=30)
    sooner = utcnow().date() + timedelta(days=7)
    _assign(browser, setup, "operations", later)
    _assign(browser, setup, "operations", sooner)
    assert _enrolled(app) == 4
    with app.app_context():
        dates = set(db.session.execute(select(Enrolment.due_on)).scalars())
    assert dates == {sooner}


def test_hr_assigns_anywhere_and_exports_completion_as_csv(app, browser, hr_admin, setup):
    browser.login(hr_admin.email)
    _assign(browser, setup, "finance", utcnow().date() + timedelta(days=5))
    with browser.client.get("/dashboards/training.csv") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        lines = response.get_data().decode("utf-8-sig").splitlines()
    assert lines[0] == "person,department,module,due_on,status,best_score"
    assert len(lines) == 2
    assert ",open," in lines[1]


def test_only_hr_exports_and_employees_see_no_team_page(app, browser, head, employee, setup):
    browser.login(head.email)
    assert browser.client.get("/dashboards/training.csv").status_code == 403
    browser.logout()
    browser.login(employee.email)
    assert browser.client.get("/dashboards/training").status_code == 403


def test_overdue_work_is_reminded_once_a_day_and_shows_as_overdue(app, browser, setup):
    person = make_person(app, email="late@example.test", department="Finance", locale="es")
    with app.app_context():
        from cxculture.models import User

        enrolment = training.enrol_self(
            db.session.get(User, person.id), training.get_module("who-is-my-customer")
        )
        # Assigned (what is reminded; a module taken on one's own has no due date).
        enrolment.source = "department"
        enrolment.assigned_at = utcnow() - timedelta(days=10)
        enrolment.due_on = utcnow().date() - timedelta(days=2)
        db.session.commit()
        today = utcnow().date()
        assert assignments.queue_overdue_reminders(today) == 1
        assert assignments.queue_overdue_reminders(today) == 0  # not twice the same day
        message = db.session.execute(select(OutboxMessage)).scalar_one()
        assert message.kind == "training_overdue"
        assert message.locale == "es"
        assert "/training/who-is-my-customer" in message.body
    browser.login(person.email)
    html = browser.client.get("/training/").get_data(as_text=True)
    assert "Overdue since" in html or "Vencido desde" in html


def test_the_demo_has_completed_started_and_overdue_training(app):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        enrolments = db.session.execute(select(Enrolment)).scalars().all()
        today = utcnow().date()
        assert any(e.is_completed for e in enrolments)
        assert any(e.quiz_passed_at and not e.is_completed for e in enrolments)
        assert any(not e.is_completed and e.due_on and e.due_on < today for e in enrolments)
