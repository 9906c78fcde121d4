"""Archiving a module takes a second step that says who has it assigned and what happens to
them; the action refuses without it, and archiving twice changes nothing more."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import AuditEvent, Department, utcnow
from cxculture.services import training
from cxculture.services.training import archiving, assignments
from tests.conftest import csrf_token
from tests.factories import make_survey, make_user

SLUG = "right-first-time"
TEAM = "Operations/Contact Center"


def _archivings() -> int:
    return db.session.execute(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "training.module_archived")
    ).scalar_one()


@pytest.fixture
def module_in_use(app):
    """Assigned to a team of three (one done, one overdue, one still in time), taken on her
    own by someone in Finance, and named by a rule of a survey still open."""
    with app.app_context():
        training.load_modules()
        module = training.get_module(SLUG)
        hr = make_user(is_hr_admin=True, department="People")
        team = [make_user(department=TEAM, name=f"Tomas {n}") for n in range(3)]
        team_department = db.session.execute(
            select(Department).where(Department.path == TEAM)
        ).scalar_one()
        today = utcnow().date()
        assignments.assign_to_department(
            hr, module, team_department, today + timedelta(days=7), "", today
        )
        done, late = (training.enrolment_of(person, module) for person in team[:2])
        done.completed_at = utcnow()
        late.due_on = today - timedelta(days=2)
        training.enrol_self(make_user(department="Finance", name="Fiona Own"), module)
        assignments.create_rule(hr, make_survey(), "right_first_time", 60, module, 14)
        db.session.commit()
    return SLUG


def test_the_impact_counts_assigned_people_only(ctx, module_in_use):
    impact = archiving.archive_impact(training.get_module(module_in_use), utcnow())
    assert impact == archiving.ArchiveImpact(
        assigned_open=2, overdue=1, completed=1, pending_rules=1
    )


def test_the_archive_page_says_who_keeps_it_and_what_stops(app, browser, hr_admin, module_in_use):
    browser.login(hr_admin.email)
    html = browser.client.get(f"/hr/modules/{module_in_use}/archive").get_data(as_text=True)
    assert "Archive “" in html
    assert "It leaves the catalogue" in html
    assert "2 people have it assigned and have not completed it yet" in html
    assert "1 of them is overdue and keeps getting the overdue reminder." in html
    assert "1 person completed it where it was assigned" in html
    assert "1 training rule of a survey not closed yet names it" in html
    assert 'href="/hr/modules/">Cancel</a>' in html
    # Who took it on their own is theirs: no name, and not even counted.
    assert "Fiona" not in html
    assert "Tomas" not in html
    with app.app_context():
        assert training.get_module(module_in_use).archived_at is None


def test_the_catalogue_offers_archiving_as_a_link_to_its_confirmation(
    browser, hr_admin, module_in_use
):
    browser.login(hr_admin.email)
    html = browser.client.get("/hr/modules/").get_data(as_text=True)
    assert f'href="/hr/modules/{module_in_use}/archive"' in html
    assert f'action="/hr/modules/{module_in_use}/archive"' not in html


def test_archiving_without_the_confirmation_does_nothing(app, browser, hr_admin, module_in_use):
    browser.login(hr_admin.email)
    for data in ({}, {"confirm": "restore"}):
        response = browser.post_form("/hr/modules/", data, action=f"/hr/modules/{SLUG}/archive")
        assert response.headers["Location"] == f"/hr/modules/{SLUG}/archive"
    with app.app_context():
        assert training.get_module(SLUG).archived_at is None
        assert _archivings() == 0


def test_archiving_without_a_form_token_is_refused(app, browser, hr_admin, module_in_use):
    browser.login(hr_admin.email)
    response = browser.client.post(f"/hr/modules/{SLUG}/archive", data={"confirm": "archive"})
    assert response.status_code == 400
    with app.app_context():
        assert training.get_module(SLUG).archived_at is None


def test_a_confirmed_archive_submitted_twice_archives_once(app, browser, hr_admin, module_in_use):
    browser.login(hr_admin.email)
    path = f"/hr/modules/{SLUG}/archive"
    token = csrf_token(browser.client.get(path).get_data(as_text=True))
    browser.client.post(path, data={"csrf_token": token, "confirm": "archive"})
    with app.app_context():
        archived_at = training.get_module(SLUG).archived_at
    again = browser.client.post(path, data={"csrf_token": token, "confirm": "archive"})
    assert again.headers["Location"] == "/hr/modules/"
    assert "archived." in browser.client.get("/hr/modules/").get_data(as_text=True)
    with app.app_context():
        assert training.get_module(SLUG).archived_at == archived_at
        assert _archivings() == 1
    # Its confirmation page now just says so.
    page = browser.client.get(path, follow_redirects=True).get_data(as_text=True)
    assert "This module is already archived." in page


def test_restoring_needs_no_second_step(app, browser, hr_admin, module_in_use):
    with app.app_context():
        training.set_archived(
            make_user(is_hr_admin=True), training.get_module(SLUG), True, utcnow()
        )
    browser.login(hr_admin.email)
    browser.post_form("/hr/modules/", {}, action=f"/hr/modules/{SLUG}/restore")
    with app.app_context():
        assert training.get_module(SLUG).archived_at is None


@pytest.mark.parametrize("who", ["employee", "head"])
def test_only_hr_reads_the_archive_page(request, browser, module_in_use, who):
    browser.login(request.getfixturevalue(who).email)
    assert browser.client.get(f"/hr/modules/{SLUG}/archive").status_code == 403


def test_the_archive_page_of_an_unknown_module_is_404(browser, hr_admin):
    browser.login(hr_admin.email)
    assert browser.client.get("/hr/modules/no-such-module/archive").status_code == 404
