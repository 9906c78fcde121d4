"""Answering: my surveys, drafts, one response per invitation, every bad input answered clearly."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import Answer, Invitation, PrivacyMode, Response, Survey, User, utcnow
from cxculture.services import surveys
from cxculture.services.org import ensure_department
from cxculture.services.surveys import responses
from tests.conftest import Browser, csrf_token, make_person
from tests.factories import full_answers, make_survey, make_user

CSRF_VALUE = re.compile(r'(?<=name="csrf_token" )value="[^"]*"')


@pytest.fixture
def open_survey(app, employee):
    """An open confidential survey to which ``employee`` is invited: (id, first two item ids)."""
    with app.app_context():
        survey = make_survey()
        return survey.id, [item.id for item in survey.instrument.items]


def _complete_form(item_ids, value="4", statement="I answer customers' calls."):
    data = {f"item_{item_id}": value for item_id in item_ids}
    data["role_statement"] = statement
    return data


def is_checked(html: str, name: str, value: str) -> bool:
    """Whether the radio ``name`` is rendered with ``value`` selected."""
    return (
        re.search(rf'<input checked[^>]*name="{name}" type="radio" value="{value}"', html)
        is not None
    )


def _count_responses(app, survey_id) -> int:
    with app.app_context():
        return db.session.execute(
            select(func.count(Response.id)).where(Response.survey_id == survey_id)
        ).scalar_one()


def test_my_surveys_lists_open_ones_first(app, browser, employee):
    with app.app_context():
        make_survey(name="Later wave", opens_in=timedelta(days=3), closes_in=timedelta(days=9))
        make_survey(name="Current wave")
        make_survey(name="Past wave", closes_in=timedelta(days=1))
        past = db.session.execute(select(Invitation)).scalars().all()
        for invitation in past:
            if invitation.survey.name == "Past wave":
                invitation.survey.closed_at = utcnow()
        db.session.commit()
    browser.login(employee.email)
    html = browser.client.get("/surveys/").get_data(as_text=True)
    assert html.index("Current wave") < html.index("Later wave") < html.index("Past wave")


def test_someone_not_invited_gets_404_like_a_survey_that_does_not_exist(app, browser):
    with app.app_context():
        make_user(department="Finance")
        survey_id = make_survey(departments=("Finance",)).id
    outsider = make_person(app, email="outsider@example.test", department="IT")
    browser.login(outsider.email)
    not_invited = browser.client.get(f"/surveys/{survey_id}")
    missing = browser.client.get("/surveys/999999")
    assert not_invited.status_code == missing.status_code == 404

    # The same page, but for the address itself (kept for the language switch) and the CSRF
    # token, whose signature carries the second it was made.
    def page(response, path: str) -> str:
        html = response.get_data(as_text=True).replace(path, "/x")
        return CSRF_VALUE.sub('value="token"', html)

    assert page(not_invited, f"/surveys/{survey_id}") == page(missing, "/surveys/999999")
    assert browser.client.get(f"/surveys/{survey_id}/thanks").status_code == 404


def test_the_form_is_in_the_readers_language_with_labelled_radio_groups(app, browser, open_survey):
    person = make_person(app, email="rita@example.test", locale="pt_BR")
    with app.app_context():
        survey = db.session.get(Survey, open_survey[0])
        surveys.invite_newcomers(survey, make_user(is_hr_admin=True), utcnow())
    browser.login(person.email)
    html = browser.client.get(f"/surveys/{open_survey[0]}").get_data(as_text=True)
    assert "qual é o seu trabalho e para quem ele é?" in html
    assert html.count('type="radio"') == 5 * len(open_survey[1])
    assert "<legend" in html
    assert "<progress" in html
    assert "confidencial" in html.lower()


def test_a_draft_is_saved_and_resumed(app, browser, employee, open_survey):
    survey_id, items = open_survey
    browser.login(employee.email)
    data = {f"item_{items[0]}": "2", "role_statement": "Half done"}
    response = browser.post_form(f"/surveys/{survey_id}", {**data, "save": "1"})
    assert response.status_code == 302
    html = browser.client.get(f"/surveys/{survey_id}").get_data(as_text=True)
    assert is_checked(html, f"item_{items[0]}", "2")
    assert "Half done" in html
    assert _count_responses(app, survey_id) == 0


def test_submission_stores_one_response_with_the_department_snapshot(
    app, browser, employee, open_survey
):
    survey_id, items = open_survey
    browser.login(employee.email)
    response = browser.post_form(f"/surveys/{survey_id}", {**_complete_form(items), "submit": "1"})
    assert response.headers["Location"] == f"/surveys/{survey_id}/thanks"
    with app.app_context():
        stored = db.session.execute(select(Response)).scalar_one()
        assert stored.department_path == "Operations/Contact Center"
        assert stored.user_id == employee.id  # confidential: kept with the person
        assert len(stored.answers) == len(items)
        # A later move never rewrites where the answer was given.
        person = db.session.get(User, employee.id)
        person.department = ensure_department("Finance")
        db.session.commit()
        db.session.expire_all()
        assert db.session.get(Response, stored.id).department_path == "Operations/Contact Center"


def test_anonymous_response_carries_nothing_that_leads_back_to_the_person(app, employee):
    with app.app_context():
        survey = make_survey(privacy_mode="anonymous")
        user = db.session.get(User, employee.id)
        invitation = responses.invitation_for(user, survey.id)
        stored = responses.submit_response(invitation, full_answers(survey), "en", utcnow())
        assert stored.user_id is None
        assert stored.invitation_id is None
        assert not hasattr(stored, "submitted_at")  # only the day, not the moment
        assert invitation.has_submitted  # completion is on the invitation


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"value": "7"}, "Not a valid choice"),
        ({"value": "abc"}, "Invalid Choice"),
        ({"unknown": True}, "This question is not part of the survey."),
        ({"missing": True}, "Please answer this question."),
        ({"statement": ""}, "Please answer this question."),
        ({"statement": "x" * 2001}, "Please keep this under 2,000 characters."),
        ({"comment": "y" * 2001}, "Please keep this under 2,000 characters."),
    ],
)
def test_bad_input_comes_back_with_the_error_and_every_answer_kept(
    app, browser, employee, open_survey, change, message
):
    survey_id, items = open_survey
    data = _complete_form(items, statement=change.get("statement", "I help customers."))
    data[f"item_{items[1]}"] = "5"
    if "value" in change:
        data[f"item_{items[0]}"] = change["value"]
    if change.get("unknown"):
        data["item_999999"] = "3"
    if change.get("missing"):
        del data[f"item_{items[0]}"]
    if "comment" in change:
        data["comment"] = change["comment"]
    browser.login(employee.email)
    response = browser.post_form(f"/surveys/{survey_id}", {**data, "submit": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert is_checked(html, f"item_{items[1]}", "5")  # every other answer is still selected
    assert all(is_checked(html, f"item_{item_id}", "4") for item_id in items[2:])
    if "statement" not in change:
        assert "I help customers." in html
    assert _count_responses(app, survey_id) == 0


def test_submitting_after_the_close_keeps_the_draft(app, browser, employee, open_survey):
    survey_id, items = open_survey
    browser.login(employee.email)
    browser.client.get(f"/surveys/{survey_id}")
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        survey.closed_at = utcnow()
        db.session.commit()
    response = browser.post_form(
        "/surveys/", {**_complete_form(items), "submit": "1"}, action=f"/surveys/{survey_id}"
    )
    assert response.status_code == 302
    follow = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "not taking answers now" in follow
    with app.app_context():
        invitation = db.session.execute(
            select(Invitation).where(Invitation.user_id == employee.id)
        ).scalar_one()
        assert invitation.draft["role_statement"] == "I answer customers' calls."
        assert not invitation.has_submitted
    assert _count_responses(app, survey_id) == 0


def test_a_second_submission_is_told_it_was_already_submitted(app, browser, employee, open_survey):
    survey_id, items = open_survey
    browser.login(employee.email)
    form = {**_complete_form(items), "submit": "1"}
    browser.post_form(f"/surveys/{survey_id}", form)
    token_page = f"/surveys/{survey_id}/thanks"
    again = browser.post_form(
        token_page, form, action=f"/surveys/{survey_id}", follow_redirects=True
    )
    assert "already submitted" in again.get_data(as_text=True)
    assert _count_responses(app, survey_id) == 1


def test_two_submissions_at_the_same_moment_store_exactly_one(app, employee):
    with app.app_context():
        survey = make_survey()
        survey_id = survey.id
        answers = full_answers(survey)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        with app.app_context():
            user = db.session.get(User, employee.id)
            invitation = responses.invitation_for(user, survey_id)
            invitation.survey.instrument.items  # noqa: B018 - load before the race
            barrier.wait(timeout=10)
            try:
                responses.submit_response(invitation, answers, "en", utcnow())
                outcomes.append("stored")
            except responses.AlreadySubmitted:
                outcomes.append("already submitted")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["already submitted", "stored"]
    assert _count_responses(app, survey_id) == 1
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Answer)).scalar_one() == len(
            answers.values
        )


def test_a_draft_saved_after_another_tab_submitted_is_refused(app, employee):
    with app.app_context():
        survey = make_survey(privacy_mode=PrivacyMode.ANONYMOUS)
        survey_id, answers = survey.id, full_answers(survey)
        user = db.session.get(User, employee.id)
        stale = responses.invitation_for(user, survey_id)  # this tab loaded the form
        with app.app_context():  # another tab, with its own session, submits meanwhile
            other = responses.invitation_for(db.session.get(User, employee.id), survey_id)
            responses.submit_response(other, answers, "en", utcnow())
        with pytest.raises(responses.AlreadySubmitted):
            responses.save_draft(stale, answers, utcnow())
        db.session.expire_all()
        invitation = responses.invitation_for(user, survey_id)
        # A draft kept here would tie the anonymous answer to its person.
        assert invitation.has_submitted
        assert invitation.draft is None


def test_two_tabs_posting_at_once_over_http_store_exactly_one(app, employee, open_survey):
    survey_id, items = open_survey
    tabs = [Browser(app.test_client()) for _ in range(2)]
    for tab in tabs:
        tab.login(employee.email)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post(tab: Browser) -> None:
        token_html = tab.client.get(f"/surveys/{survey_id}").get_data(as_text=True)
        data = {**_complete_form(items), "submit": "1", "csrf_token": csrf_token(token_html)}
        barrier.wait(timeout=10)
        statuses.append(tab.client.post(f"/surveys/{survey_id}", data=data).status_code)

    threads = [threading.Thread(target=post, args=(tab,)) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [302, 302]  # both land on the thank-you page
    assert _count_responses(app, survey_id) == 1


def test_thank_you_page_shows_my_profile_and_the_company_only_once_released(
    app, browser, employee, open_survey
):
    survey_id, items = open_survey
    browser.login(employee.email)
    browser.post_form(f"/surveys/{survey_id}", {**_complete_form(items, "5"), "submit": "1"})
    html = browser.client.get(f"/surveys/{survey_id}/thanks").get_data(as_text=True)
    assert "Your profile" in html
    assert "when results are released" in html
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        hr = make_user(is_hr_admin=True)
        for _ in range(4):
            make_user(department="IT")
        surveys.invite_newcomers(survey, hr, utcnow())
        for invitation in db.session.execute(
            select(Invitation).where(Invitation.submitted_at.is_(None))
        ).scalars():
            responses.submit_response(invitation, full_answers(survey, 3), "en", utcnow())
    html = browser.client.get(f"/surveys/{survey_id}/thanks").get_data(as_text=True)
    assert "when results are released" in html  # still open: each answer would move it
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        survey.closed_at = utcnow()
        db.session.commit()
    html = browser.client.get(f"/surveys/{survey_id}/thanks").get_data(as_text=True)
    assert "when results are released" not in html
    # "Strongly agree" everywhere scores 75 on a four-item dimension: its reverse item counts 1.
    assert ">75<" in html


def test_anonymous_thank_you_page_keeps_no_profile(app, browser, employee):
    with app.app_context():
        survey = make_survey(privacy_mode="anonymous")
        survey_id, items = survey.id, [item.id for item in survey.instrument.items]
    browser.login(employee.email)
    browser.post_form(f"/surveys/{survey_id}", {**_complete_form(items), "submit": "1"})
    html = browser.client.get(f"/surveys/{survey_id}/thanks").get_data(as_text=True)
    assert "Your profile" not in html
    assert "anonymous" in html
