"""Every action of HR and heads that the issue names is in the trail, with who did it, and
nothing in the trail names a person (ids only) or repeats a survey answer."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import AuditEvent, Invitation, utcnow
from cxculture.services import surveys, training
from cxculture.services.org import ensure_department, roster
from cxculture.services.surveys import responses
from cxculture.services.training import assignments
from tests.factories import full_answers, make_survey, make_user
from tests.roster.test_import import csv_file

SECRET_ANSWER = "I keep the ledgers tidy for the auditors of Zanzibar."


def _entries(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.execute(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            ).scalars()
        )


@pytest.fixture
def answered(app, hr_admin) -> int:
    """A survey answered by six people of Operations/Contact Center; its id."""
    with app.app_context():
        for _ in range(6):
            make_user(department="Operations/Contact Center")
        survey = make_survey(departments=("Operations",))
        for invitation in db.session.execute(select(Invitation)).scalars().all():
            answers = full_answers(survey, 4, SECRET_ANSWER)
            responses.submit_response(invitation, answers, "en", utcnow())
        return survey.id


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_downloading_the_company_results_is_recorded(app, browser, hr_admin, answered, kind):
    browser.login(hr_admin.email)
    assert browser.client.get(f"/dashboards/overview.{kind}?survey={answered}").status_code == 200
    [entry] = _entries(app, "results.overview_exported")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (hr_admin.id, "survey", answered)
    assert entry.details == {"format": kind}


def test_downloading_a_department_report_is_recorded_with_the_department(
    app, browser, head, answered
):
    with app.app_context():
        from cxculture.models import Survey

        db.session.get(Survey, answered).closed_at = utcnow()  # results come out at closing
        db.session.commit()
    browser.login(head.email)
    page = f"/dashboards/results/report.pdf?survey={answered}&department=Operations"
    assert browser.client.get(page).status_code == 200
    [entry] = _entries(app, "results.report_exported")
    assert (entry.actor_id, entry.target_id) == (head.id, answered)
    assert entry.details == {"department": "Operations", "format": "pdf"}


def test_downloading_the_training_completion_is_recorded(app, browser, hr_admin):
    browser.login(hr_admin.email)
    assert browser.client.get("/dashboards/training.csv").status_code == 200
    [entry] = _entries(app, "training.completion_exported")
    assert (entry.actor_id, entry.details) == (hr_admin.id, {"rows": 0})


def test_a_refused_download_is_not_recorded(app, browser, employee):
    browser.login(employee.email)
    assert browser.client.get("/dashboards/training.csv").status_code == 403
    assert _entries(app, "training.completion_exported") == []


def test_a_heads_assignment_is_recorded_with_the_head_as_actor(app, browser, head):
    with app.app_context():
        training.load_modules()
        module = training.get_module("who-is-my-customer")
        module_id, department_id = module.id, ensure_department("Operations").id
    browser.login(head.email)
    browser.post_form(
        "/dashboards/training",
        {
            "module_id": str(module_id),
            "department_id": str(department_id),
            "due_on": utcnow().date().isoformat(),
        },
    )
    [entry] = _entries(app, "training.assigned")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        head.id,
        "department",
        department_id,
    )
    assert entry.details["module"] == "who-is-my-customer"


def test_making_someone_hr_admin_is_recorded_as_a_role_change(app, browser, hr_admin, employee):
    browser.login(hr_admin.email)
    with app.app_context():
        department_id = ensure_department("Operations/Contact Center").id
    browser.post_form(
        f"/hr/org/people/{employee.id}",
        {"department_id": str(department_id), "is_hr_admin": "y", "is_active": "y"},
    )
    [entry] = _entries(app, "org.person_roles_changed")
    assert (entry.actor_id, entry.target_id) == (hr_admin.id, employee.id)
    assert entry.details == {"is_hr_admin": [False, True]}
    assert _entries(app, "org.person_updated") == []  # nothing else changed


def test_choosing_department_heads_names_them_by_id(app, browser, hr_admin, employee):
    with app.app_context():
        department_id = ensure_department("Operations/Contact Center").id
    browser.login(hr_admin.email)
    browser.post_form(
        f"/hr/org/departments/{department_id}",
        {"emails": employee.email},
        action=f"/hr/org/departments/{department_id}/heads",
    )
    [entry] = _entries(app, "org.department_heads_set")
    assert entry.details == {"heads_before": [], "heads_after": [employee.id]}


def test_a_roster_import_records_whom_it_made_hr_admin_or_head(app, hr_admin):
    with app.app_context():
        actor = db.session.get(type(make_user()), hr_admin.id)
        data = csv_file(
            [
                ["1001", "Ana Souza", "ana@acme.test", "Finance", "yes", "Finance"],
                ["1002", "Bruno Lima", "bruno@acme.test", "Finance", "no", ""],
            ],
            header=["employee number", "name", "email", "department", "hr admin", "heads"],
        )
        roster.apply_roster(
            roster.read_roster(data), deactivate_missing=False, actor=actor, now=utcnow()
        )
        ana = db.session.execute(
            select(type(actor).id).where(type(actor).email == "ana@acme.test")
        ).scalar_one()
    [entry] = _entries(app, "roster.applied")
    assert entry.actor_id == hr_admin.id
    assert entry.details["created"] == 2
    assert entry.details["hr_admin_granted"] == [ana]
    assert entry.details["heads_changed"] == [ana]


def test_creating_an_admin_from_the_command_line_is_recorded_as_the_systems_doing(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "first@example.test", "--name", "First Admin"],
        input="a long enough admin passphrase\n" * 2,
    )
    assert result.exit_code == 0, result.output
    [entry] = _entries(app, "org.admin_created")
    assert entry.actor_id is None
    assert entry.target_type == "user"


def test_survey_launch_close_and_reopen_are_recorded(app, hr_admin):
    with app.app_context():
        actor = db.session.get(type(make_user()), hr_admin.id)
        survey = make_survey(actor=actor)
        surveys.close_survey(survey, actor, utcnow())
        surveys.reopen_survey(survey, actor, utcnow())
        survey_id = survey.id
    for action in ("survey.launched", "survey.closed", "survey.reopened"):
        [entry] = _entries(app, action)
        assert (entry.actor_id, entry.target_id) == (hr_admin.id, survey_id)


def test_an_automatic_training_rule_is_recorded_as_the_systems_doing(app, hr_admin, answered):
    with app.app_context():
        training.load_modules()
        actor = db.session.get(type(make_user()), hr_admin.id)
        survey = surveys.get_survey(answered)
        module = training.get_module("who-is-my-customer")
        assignments.create_rule(actor, survey, "line_of_sight", 100, module, 14)
        surveys.close_survey(survey, actor, utcnow())
    entries = _entries(app, "training.rule_applied")
    assert entries
    assert all(entry.actor_id is None for entry in entries)
    assert {entry.details["department"] for entry in entries} >= {"Operations/Contact Center"}


def test_no_entry_repeats_a_survey_answer(app, browser, hr_admin, answered):
    browser.login(hr_admin.email)
    browser.client.get(f"/dashboards/overview.csv?survey={answered}")
    browser.client.get(f"/dashboards/results/report.pdf?survey={answered}")
    with app.app_context():
        details = db.session.execute(select(AuditEvent.details)).scalars().all()
    assert details
    assert "Zanzibar" not in json.dumps(details)
