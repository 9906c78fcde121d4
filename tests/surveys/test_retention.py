"""Free-text retention: once a survey has been closed for the retention period, HR may delete
what people wrote; every score and result stays as it was."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

import config as settings
from config import ConfigurationError
from cxculture import disclosure
from cxculture.disclosure import measures
from cxculture.extensions import db
from cxculture.models import AuditEvent, Invitation, Response, Survey, utcnow
from cxculture.services import surveys
from cxculture.services.surveys import responses, retention
from tests.conftest import csrf_token, rounded
from tests.factories import full_answers, make_survey, make_user

STATEMENT = "I answer the phone so our customers get their parcels."
COMMENT = "The new ticket tool slows us down."
DAYS = 365


def _closed_days_ago(survey_id: int, days: int) -> None:
    survey = db.session.get(Survey, survey_id)
    survey.opens_at = utcnow() - timedelta(days=days + 14)
    survey.closes_at = utcnow() - timedelta(days=days)
    db.session.commit()


@pytest.fixture
def answered(app, hr_admin) -> int:
    """Twelve answers with text in Operations/Contact Center and one draft; the survey's id."""
    with app.app_context():
        for _ in range(13):
            make_user(department="Operations/Contact Center")
        survey = make_survey()
        invitations = db.session.execute(
            select(Invitation)
            .where(Invitation.department_path == "Operations/Contact Center")
            .order_by(Invitation.id)
        ).scalars()
        *answering, drafting = invitations.all()
        for number, invitation in enumerate(answering):
            answers = full_answers(survey, 2 + number % 4, STATEMENT)
            answers.comment = COMMENT
            responses.submit_response(invitation, answers, "en", utcnow())
        responses.save_draft(drafting, full_answers(survey, 3, "Draft words"), utcnow())
        return survey.id


def _delete(survey_id: int) -> int:
    hr = make_user(is_hr_admin=True, department="People")
    return retention.delete_free_text(db.session.get(Survey, survey_id), hr, utcnow())


def _texts() -> list[tuple[str | None, str | None]]:
    return db.session.execute(select(Response.role_statement, Response.comment)).all()


def test_the_default_retention_is_a_year_and_cannot_be_negative(tmp_path):
    assert settings.TestingConfig(tmp_path, environ={}).CX_FREE_TEXT_RETENTION_DAYS == DAYS
    with pytest.raises(ConfigurationError, match="CX_FREE_TEXT_RETENTION_DAYS"):
        settings.TestingConfig(tmp_path, environ={"CX_FREE_TEXT_RETENTION_DAYS": "-1"})


def test_free_text_is_deleted_once_the_retention_period_is_over(ctx, answered):
    _closed_days_ago(answered, DAYS)
    assert _delete(answered) == 12
    assert set(_texts()) == {(None, None)}
    assert db.session.execute(select(Invitation.draft_saved_at)).scalars().all() == [None] * 15
    assert "Draft words" not in str(db.session.execute(select(Invitation.draft)).scalars().all())
    assert db.session.get(Survey, answered).free_text_deleted_at is not None


def test_deleting_the_free_text_keeps_every_result(ctx, answered):
    _closed_days_ago(answered, DAYS + 1)
    survey = db.session.get(Survey, answered)
    before = disclosure.release_of(survey, utcnow())
    assert disclosure.statements(before, "Operations/Contact Center")
    measured = measures.measure(survey)
    _delete(answered)
    db.session.expire_all()
    after = disclosure.release_of(db.session.get(Survey, answered), utcnow())
    assert rounded(after.groups) == rounded(before.groups)
    # ...and a later release would be the same.
    assert rounded(measures.measure(survey)) == rounded(measured)
    assert disclosure.statements(after, "Operations/Contact Center") == []


def test_deleting_before_the_period_is_over_is_refused(ctx, answered):
    _closed_days_ago(answered, DAYS - 1)
    with pytest.raises(retention.RetentionNotOver) as refused:
        _delete(answered)
    survey = db.session.get(Survey, answered)
    assert refused.value.available_from == survey.closes_at + timedelta(days=DAYS)
    assert (STATEMENT, COMMENT) in _texts()


def test_an_open_surveys_free_text_cannot_be_deleted(ctx, answered):
    with pytest.raises(retention.SurveyNotClosed):
        _delete(answered)


def test_the_period_runs_from_the_closing_date_not_an_early_close(ctx, answered):
    survey = db.session.get(Survey, answered)
    surveys.close_survey(survey, make_user(is_hr_admin=True), utcnow() - timedelta(days=DAYS))
    with pytest.raises(retention.RetentionNotOver):
        _delete(answered)


def test_deleting_twice_is_refused_the_second_time(ctx, answered):
    _closed_days_ago(answered, DAYS)
    _delete(answered)
    with pytest.raises(retention.FreeTextAlreadyDeleted):
        _delete(answered)


def test_the_deletion_is_audited_without_any_text(ctx, answered):
    _closed_days_ago(answered, DAYS)
    _delete(answered)
    entry = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "survey.free_text_deleted")
    ).scalar_one()
    assert entry.details == {"responses": 12, "drafts": 1, "retention_days": DAYS}


def test_rescoring_keeps_the_categories_of_deleted_statements(ctx, answered):
    _closed_days_ago(answered, DAYS)
    before = db.session.execute(select(Response.role_category)).scalars().all()
    _delete(answered)
    responses.rescore(answered)
    assert db.session.execute(select(Response.role_category)).scalars().all() == before


def test_a_survey_whose_free_text_is_deleted_cannot_be_extended(ctx, answered):
    _closed_days_ago(answered, DAYS)
    _delete(answered)
    survey = db.session.get(Survey, answered)
    with pytest.raises(surveys.WrongState):
        surveys.extend_survey(
            survey, utcnow() + timedelta(days=7), make_user(is_hr_admin=True), utcnow()
        )


# The pages --------------------------------------------------------------------------------


def _survey_page(browser, survey_id: int) -> str:
    return browser.client.get(f"/hr/surveys/{survey_id}").get_data(as_text=True)


def _post_delete(browser, survey_id: int, confirm: bool = True):
    data = {"confirm": "y"} if confirm else {}
    return browser.post_form(
        f"/hr/surveys/{survey_id}", data, action=f"/hr/surveys/{survey_id}/delete-free-text"
    )


def test_hr_deletes_the_free_text_from_the_survey_page_after_confirming(
    app, browser, hr_admin, answered
):
    with app.app_context():
        _closed_days_ago(answered, DAYS)
    browser.login(hr_admin.email)
    assert "Delete the free-text answers" in _survey_page(browser, answered)
    response = _post_delete(browser, answered)
    assert response.status_code == 302
    page = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The free text of 12 responses was deleted." in page
    assert "were deleted on" in page
    with app.app_context():
        assert set(_texts()) == {(None, None)}


def test_without_the_confirmation_nothing_is_deleted(app, browser, hr_admin, answered):
    with app.app_context():
        _closed_days_ago(answered, DAYS)
    browser.login(hr_admin.email)
    response = _post_delete(browser, answered, confirm=False)
    assert "Tick the box" in browser.client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert (STATEMENT, COMMENT) in _texts()


def test_a_deletion_without_its_form_token_is_refused(app, browser, hr_admin, answered):
    with app.app_context():
        _closed_days_ago(answered, DAYS)
    browser.login(hr_admin.email)
    response = browser.client.post(
        f"/hr/surveys/{answered}/delete-free-text", data={"confirm": "y"}
    )
    assert response.status_code == 400
    with app.app_context():
        assert (STATEMENT, COMMENT) in _texts()


def test_before_the_period_the_page_says_when_and_a_post_is_refused(
    app, browser, hr_admin, answered
):
    with app.app_context():
        _closed_days_ago(answered, 30)
    browser.login(hr_admin.email)
    page = _survey_page(browser, answered)
    assert "HR can delete it from" in page
    assert "Delete the free-text answers" not in page
    response = _post_delete(browser, answered)
    flashed = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is kept for 365 days after the survey closes" in flashed
    with app.app_context():
        assert (STATEMENT, COMMENT) in _texts()


def test_only_hr_deletes_free_text(app, browser, head, answered):
    with app.app_context():
        _closed_days_ago(answered, DAYS)
    browser.login(head.email)
    token_page = browser.client.get("/me").get_data(as_text=True)
    response = browser.client.post(
        f"/hr/surveys/{answered}/delete-free-text",
        data={"confirm": "y", "csrf_token": csrf_token(token_page)},
    )
    assert response.status_code == 403


def test_the_results_page_says_the_free_text_was_deleted(app, browser, hr_admin, answered):
    with app.app_context():
        _closed_days_ago(answered, DAYS)
    browser.login(hr_admin.email)
    results_page = f"/dashboards/results?survey={answered}&department=Operations/Contact Center"
    assert STATEMENT in browser.client.get(results_page).get_data(as_text=True)
    _post_delete(browser, answered)
    html = browser.client.get(results_page).get_data(as_text=True)
    assert STATEMENT not in html
    assert COMMENT not in html
    assert "at the end of its retention period" in html


def test_the_command_deletes_the_free_text_of_every_expired_survey(app, answered):
    with app.app_context():
        _closed_days_ago(answered, DAYS)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["delete-expired-free-text", "--dry-run"])
    assert "1 surveys would be deleted" in dry.output
    with app.app_context():
        assert (STATEMENT, COMMENT) in _texts()
    done = runner.invoke(args=["delete-expired-free-text"])
    assert done.exit_code == 0, done.output
    assert "Free-text answers of 1 surveys deleted." in done.output
    with app.app_context():
        assert set(_texts()) == {(None, None)}
        entry = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "survey.free_text_deleted")
        ).scalar_one()
        assert entry.actor_id is None


def test_the_command_leaves_surveys_inside_the_period_alone(app, answered):
    with app.app_context():
        _closed_days_ago(answered, 10)
    assert (
        "of 0 surveys deleted"
        in app.test_cli_runner().invoke(args=["delete-expired-free-text"]).output
    )
