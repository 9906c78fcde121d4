"""HR runs a survey from the pages: create, launch, remind, extend, close, see the rates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import Invitation, OutboxMessage, Survey, SurveyState, utcnow
from cxculture.services.org import ensure_department
from cxculture.services.surveys import responses
from tests.factories import full_answers, make_instrument, make_survey, make_user


def _local(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")  # the company zone is UTC in tests


@pytest.fixture
def instrument_id(app):
    with app.app_context():
        return make_instrument().id


def test_hr_creates_and_launches_a_survey_for_chosen_departments(
    app, browser, hr_admin, instrument_id
):
    with app.app_context():
        for _ in range(3):
            make_user(department="Operations/Contact Center")
        make_user(department="Finance")
        operations_id = ensure_department("Operations").id
        db.session.commit()
    browser.login(hr_admin.email)
    now = utcnow()
    response = browser.post_form(
        "/hr/surveys/new",
        {
            "name": "Q3 wave",
            "instrument_id": str(instrument_id),
            "privacy_mode": "anonymous",
            "audience": "departments",
            "department_ids": str(operations_id),
            "opens_at": _local(now - timedelta(hours=1)),
            "closes_at": _local(now + timedelta(days=10)),
        },
    )
    assert response.status_code == 302
    survey_path = response.headers["Location"]
    page = browser.client.get(survey_path).get_data(as_text=True)
    assert "Q3 wave" in page
    assert "Launch" in page

    # Launching is a second step that names what it does, then the confirmed button.
    confirm = browser.client.get(f"{survey_path}/launch").get_data(as_text=True)
    assert "3 people will be invited and get the invitation email now." in confirm
    launched = browser.post_form(
        f"{survey_path}/launch", {"confirm": "launch"}, follow_redirects=True
    )
    assert "3 people invited" in launched.get_data(as_text=True)
    # Three people invited is fewer than the minimum: no count says who has not answered.
    assert "Counts are hidden" in launched.get_data(as_text=True)
    assert "0 of 3" not in launched.get_data(as_text=True)


def test_invalid_dates_come_back_beside_the_field(browser, hr_admin, instrument_id):
    browser.login(hr_admin.email)
    now = utcnow()
    response = browser.post_form(
        "/hr/surveys/new",
        {
            "name": "Backwards",
            "instrument_id": str(instrument_id),
            "privacy_mode": "confidential",
            "audience": "company",
            "opens_at": _local(now + timedelta(days=5)),
            "closes_at": _local(now + timedelta(days=1)),
        },
    )
    assert response.status_code == 200
    assert "The survey must close after it opens." in response.get_data(as_text=True)


def test_survey_page_shows_rates_per_department_and_no_names(app, browser, hr_admin):
    with app.app_context():
        answering = make_user(department="IT", name="Quentin Quiet")
        make_user(department="IT", name="Nora Noanswer")
        survey = make_survey(privacy_mode="anonymous")
        invitation = responses.invitation_for(answering, survey.id)
        responses.submit_response(invitation, full_answers(survey), "en", utcnow())
        survey_id = survey.id
    browser.login(hr_admin.email)
    html = browser.client.get(f"/hr/surveys/{survey_id}").get_data(as_text=True)
    assert "IT" in html
    assert "Nora Noanswer" not in html
    assert "Quentin Quiet" not in html


def test_reminders_go_only_to_people_who_have_not_answered_and_stay_unnamed(app, browser, hr_admin):
    with app.app_context():
        done = make_user(department="IT", email="done@example.test")
        make_user(department="IT", email="waiting@example.test")
        survey = make_survey(privacy_mode="anonymous")
        responses.submit_response(
            responses.invitation_for(done, survey.id), full_answers(survey), "en", utcnow()
        )
        survey_id, done_id = survey.id, done.id
    browser.login(hr_admin.email)
    path = f"/hr/surveys/{survey_id}"
    browser.post_form(path, {}, action=f"{path}/remind")
    with app.app_context():
        reminded = (
            db.session.execute(
                select(OutboxMessage.to_email).where(OutboxMessage.kind == "reminder")
            )
            .scalars()
            .all()
        )
        counts = dict(
            db.session.execute(
                select(Invitation.user_id, Invitation.reminders_sent).where(
                    Invitation.survey_id == survey_id
                )
            ).all()
        )
    assert "done@example.test" not in reminded
    assert "waiting@example.test" in reminded
    assert counts[done_id] == 0
    outbox = browser.client.get("/hr/outbox").get_data(as_text=True)
    assert "waiting@example.test" in outbox  # its invitation, which everyone in scope got
    assert outbox.count("hidden") >= 1


def test_hr_extends_and_closes_from_the_page(app, browser, hr_admin):
    with app.app_context():
        survey = make_survey()
        survey_id, closes = survey.id, survey.closes_at
    browser.login(hr_admin.email)
    path = f"/hr/surveys/{survey_id}"
    browser.post_form(
        path, {"closes_at": _local(closes + timedelta(days=3))}, action=f"{path}/extend"
    )
    browser.post_form(f"{path}/close", {"confirm": "close"})
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        assert survey.closes_at > closes
        assert survey.state(utcnow()) is SurveyState.CLOSED
    html = browser.client.get(path).get_data(as_text=True)
    assert "Reopen" in html
    assert "Survey closed early" in html


@pytest.mark.parametrize("who", ["employee", "head"])
def test_only_hr_reaches_the_survey_pages(request, browser, who):
    person = request.getfixturevalue(who)
    browser.login(person.email)
    for path in ("/hr/surveys", "/hr/surveys/new", "/hr/outbox", "/hr/instruments/"):
        assert browser.client.get(path).status_code == 403


def test_a_draft_can_be_edited_and_a_launched_survey_cannot(app, browser, hr_admin, instrument_id):
    with app.app_context():
        draft = make_survey(launch=False, name="Draft wave")
        launched = make_survey(name="Live wave")
        draft_id, launched_id = draft.id, launched.id
        opens, closes = draft.opens_at, draft.closes_at
    browser.login(hr_admin.email)
    form = {
        "name": "Renamed wave",
        "instrument_id": str(instrument_id),
        "privacy_mode": "anonymous",
        "audience": "company",
        "opens_at": _local(opens),
        "closes_at": _local(closes),
    }
    assert browser.post_form(f"/hr/surveys/{draft_id}/edit", form).status_code == 302
    refused = browser.post_form(f"/hr/surveys/{launched_id}/edit", form, follow_redirects=True)
    assert "Only a draft can be edited." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Survey, draft_id).name == "Renamed wave"
        assert db.session.get(Survey, draft_id).privacy_mode == "anonymous"
        assert db.session.get(Survey, launched_id).name == "Live wave"
