"""Launching a survey and closing it early take a second step that says what will happen, in
numbers; the actions refuse without it, stay CSRF-protected, and a double submit does it once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from cxculture.extensions import db
from cxculture.models import AuditEvent, Invitation, OutboxMessage, Survey, SurveyState, utcnow
from cxculture.services import surveys, training
from cxculture.services.surveys import previews, responses
from cxculture.services.training import assignments
from tests.conftest import csrf_token
from tests.factories import full_answers, make_survey, make_user


def _count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _events(action: str) -> int:
    return _count(AuditEvent, AuditEvent.action == action)


@pytest.fixture
def draft(app):
    """A draft for Operations: three people in the Contact Center, two in Logistics, one
    deactivated; Finance is outside it."""
    with app.app_context():
        for _ in range(3):
            make_user(department="Operations/Contact Center")
        for _ in range(2):
            make_user(department="Operations/Logistics")
        make_user(department="Operations/Logistics", is_active=False)
        make_user(department="Finance")
        return make_survey(name="Spring wave", departments=("Operations",), launch=False).id


# What the services say an action would do


def test_a_launch_preview_counts_the_active_audience_by_department(ctx, draft):
    preview = previews.launch_preview(db.session.get(Survey, draft), utcnow())
    assert preview.invited == 5
    assert preview.departments == [("Operations/Contact Center", 3), ("Operations/Logistics", 2)]
    assert preview.department_count == 2
    assert not preview.is_scheduled


def test_a_launch_preview_of_a_later_survey_says_it_is_scheduled(ctx):
    make_user()
    survey = make_survey(launch=False, opens_in=timedelta(days=2))
    assert previews.launch_preview(survey, utcnow()).is_scheduled


def test_a_close_preview_counts_who_has_not_answered_behind_the_guard(ctx):
    people = [make_user(department="IT") for _ in range(6)]
    survey = make_survey(departments=("IT",))
    invitation = responses.invitation_for(people[0], survey.id)
    responses.submit_response(invitation, full_answers(survey), "en", utcnow())
    preview = previews.close_preview(survey, utcnow())
    assert (preview.invited, preview.waiting, preview.is_hidden) == (6, 5, False)
    assert preview.state is SurveyState.OPEN


def test_a_close_preview_hides_the_count_of_a_small_audience(ctx):
    for _ in range(3):
        make_user(department="IT")
    preview = previews.close_preview(make_survey(departments=("IT",)), utcnow())
    assert preview.is_hidden
    assert preview.waiting is None


def test_a_second_early_close_changes_nothing(ctx):
    make_user()
    survey = make_survey()
    hr = make_user(is_hr_admin=True, department="People")
    surveys.close_survey(survey, hr, utcnow())
    closed_at = survey.closed_at
    set_committed_value(survey, "closed_at", None)  # read before the first close committed
    with pytest.raises(surveys.WrongState):
        surveys.close_survey(survey, hr, utcnow())
    db.session.expire(survey)
    assert survey.closed_at == closed_at
    assert _events("survey.closed") == 1


def test_a_close_preview_counts_the_training_rules_it_fires(ctx):
    training.load_modules()
    survey = make_survey()
    module = training.get_module("right-first-time")
    hr = make_user(is_hr_admin=True)
    assignments.create_rule(hr, survey, "listen", 60, module, 14)
    assert previews.close_preview(survey, utcnow()).training_rules == 1


def test_a_second_launch_of_the_same_survey_invites_nobody(ctx, draft):
    survey = db.session.get(Survey, draft)
    hr = make_user(is_hr_admin=True, department="People")
    assert surveys.launch_survey(survey, hr, utcnow()) == 5
    # As a second request read it a moment before the first committed: still a draft.
    stale = db.session.get(Survey, draft)
    set_committed_value(stale, "launched_at", None)
    assert stale.state(utcnow()) is SurveyState.DRAFT
    with pytest.raises(surveys.WrongState):
        surveys.launch_survey(stale, hr, utcnow())
    assert _count(Invitation) == 5
    assert _events("survey.launched") == 1


# The pages


def test_the_launch_page_names_the_people_the_departments_and_the_emails(
    app, browser, hr_admin, draft
):
    browser.login(hr_admin.email)
    html = browser.client.get(f"/hr/surveys/{draft}/launch").get_data(as_text=True)
    assert "Launch “Spring wave”?" in html
    assert "5 people will be invited and get the invitation email now." in html
    assert "Operations/Contact Center" in html
    assert "Operations/Logistics" in html
    assert "Finance" not in html
    assert "Launch and email 5 people" in html
    assert f'href="/hr/surveys/{draft}">Cancel</a>' in html
    with app.app_context():
        assert db.session.get(Survey, draft).launched_at is None  # reading it changes nothing


def test_the_survey_page_offers_the_launch_as_a_link_to_its_confirmation(browser, hr_admin, draft):
    browser.login(hr_admin.email)
    html = browser.client.get(f"/hr/surveys/{draft}").get_data(as_text=True)
    assert f'href="/hr/surveys/{draft}/launch"' in html
    assert f'action="/hr/surveys/{draft}/launch"' not in html


def test_launching_without_the_confirmation_does_nothing(app, browser, hr_admin, draft):
    browser.login(hr_admin.email)
    path = f"/hr/surveys/{draft}"
    for data in ({}, {"confirm": "close"}, {"confirm": "yes"}):
        response = browser.post_form(path, data, action=f"{path}/launch")
        assert response.status_code == 302
        assert response.headers["Location"] == f"{path}/launch"  # shown what it would do
    with app.app_context():
        assert db.session.get(Survey, draft).launched_at is None
        assert _count(Invitation) == 0
        assert _count(OutboxMessage) == 0


def test_launching_without_a_form_token_is_refused(app, browser, hr_admin, draft):
    browser.login(hr_admin.email)
    response = browser.client.post(f"/hr/surveys/{draft}/launch", data={"confirm": "launch"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Survey, draft).launched_at is None


def test_a_confirmed_launch_submitted_twice_invites_and_emails_once(app, browser, hr_admin, draft):
    browser.login(hr_admin.email)
    path = f"/hr/surveys/{draft}/launch"
    token = csrf_token(browser.client.get(path).get_data(as_text=True))
    first = browser.client.post(path, data={"csrf_token": token, "confirm": "launch"})
    second = browser.client.post(path, data={"csrf_token": token, "confirm": "launch"})
    assert first.status_code == second.status_code == 302
    html = browser.client.get(second.headers["Location"]).get_data(as_text=True)
    assert "Survey launched: 5 people invited." in html
    assert "This survey has already been launched: nobody was invited twice." in html
    with app.app_context():
        assert _count(Invitation) == 5
        assert _count(OutboxMessage, OutboxMessage.kind == "invitation") == 5
        assert _events("survey.launched") == 1


def test_the_launch_page_of_a_launched_survey_sends_back_to_it(app, browser, hr_admin):
    with app.app_context():
        survey_id = make_survey().id
    browser.login(hr_admin.email)
    response = browser.client.get(f"/hr/surveys/{survey_id}/launch")
    assert response.headers["Location"] == f"/hr/surveys/{survey_id}"


def test_the_launch_page_of_an_empty_audience_has_no_button(app, browser, hr_admin):
    with app.app_context():
        survey_id = make_survey(departments=("Nobody here",), launch=False).id
    browser.login(hr_admin.email)
    html = browser.client.get(f"/hr/surveys/{survey_id}/launch").get_data(as_text=True)
    assert "there is nobody to invite" in html
    assert 'name="confirm"' not in html


def test_the_launch_page_of_a_later_survey_says_when_people_can_answer(app, browser, hr_admin):
    with app.app_context():
        make_user()
        survey_id = make_survey(launch=False, opens_in=timedelta(days=3)).id
    browser.login(hr_admin.email)
    html = browser.client.get(f"/hr/surveys/{survey_id}/launch").get_data(as_text=True)
    assert "get the invitation email now" in html
    assert "they can answer from then until" in html


@pytest.fixture
def running(app):
    """An open survey of the IT department: six people invited, one has answered."""
    with app.app_context():
        people = [make_user(department="IT", name=f"Itzel {n}") for n in range(6)]
        survey = make_survey(name="Autumn wave", departments=("IT",))
        invitation = responses.invitation_for(people[0], survey.id)
        responses.submit_response(invitation, full_answers(survey), "en", utcnow())
        return survey.id


def test_the_close_page_says_how_many_will_no_longer_answer_and_never_who(
    app, browser, hr_admin, running
):
    browser.login(hr_admin.email)
    html = browser.client.get(f"/hr/surveys/{running}/close").get_data(as_text=True)
    assert "Close “Autumn wave” now?" in html
    assert "5 of the 6 people invited have not answered yet" in html
    assert "will no longer be able to" in html
    assert "The results are released now" in html
    assert "Itzel" not in html  # nobody's name, answered or not


def test_the_close_page_of_a_small_audience_gives_no_count(app, browser, hr_admin):
    with app.app_context():
        for _ in range(3):
            make_user(department="IT")
        survey_id = make_survey(departments=("IT",)).id
    browser.login(hr_admin.email)
    html = browser.client.get(f"/hr/surveys/{survey_id}/close").get_data(as_text=True)
    assert "Whoever has not answered yet will no longer be able to." in html
    assert "of the 3 people" not in html


def test_closing_without_the_confirmation_leaves_the_survey_open(app, browser, hr_admin, running):
    browser.login(hr_admin.email)
    path = f"/hr/surveys/{running}"
    response = browser.post_form(path, {}, action=f"{path}/close")
    assert response.headers["Location"] == f"{path}/close"
    with app.app_context():
        assert db.session.get(Survey, running).state(utcnow()) is SurveyState.OPEN


def test_a_confirmed_close_submitted_twice_closes_once(app, browser, hr_admin, running):
    browser.login(hr_admin.email)
    path = f"/hr/surveys/{running}/close"
    token = csrf_token(browser.client.get(path).get_data(as_text=True))
    browser.client.post(path, data={"csrf_token": token, "confirm": "close"})
    again = browser.client.post(path, data={"csrf_token": token, "confirm": "close"})
    html = browser.client.get(again.headers["Location"]).get_data(as_text=True)
    assert "This survey is already closed." in html
    with app.app_context():
        assert db.session.get(Survey, running).state(utcnow()) is SurveyState.CLOSED
        assert _events("survey.closed") == 1


def test_the_close_page_of_a_draft_or_closed_survey_sends_back_to_it(app, browser, hr_admin, draft):
    browser.login(hr_admin.email)
    response = browser.client.get(f"/hr/surveys/{draft}/close", follow_redirects=True)
    assert "A draft cannot be closed" in response.get_data(as_text=True)


def test_the_other_lifecycle_buttons_need_no_second_step(app, browser, hr_admin, running):
    browser.login(hr_admin.email)
    path = f"/hr/surveys/{running}"
    response = browser.post_form(path, {}, action=f"{path}/remind", follow_redirects=True)
    assert "Reminder queued for 5 people who have not answered." in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["employee", "head"])
@pytest.mark.parametrize("action", ["launch", "close"])
def test_only_hr_reads_the_confirmation_pages(request, browser, draft, who, action):
    person = request.getfixturevalue(who)
    browser.login(person.email)
    assert browser.client.get(f"/hr/surveys/{draft}/{action}").status_code == 403


def test_the_confirmation_pages_of_a_survey_that_does_not_exist_are_404(browser, hr_admin):
    browser.login(hr_admin.email)
    assert browser.client.get("/hr/surveys/999999/launch").status_code == 404
    assert browser.client.get("/hr/surveys/999999/close").status_code == 404
