"""Answering without a password: personal links from the emails and printed answer codes, with
every way a link or code can be bad, and what neither may reveal."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import (
    AuditEvent,
    Invitation,
    OutboxMessage,
    PrivacyMode,
    Response,
    Survey,
    User,
    utcnow,
)
from cxculture.services import mail, surveys
from cxculture.services.org import erasure, leavers
from cxculture.services.surveys import passes, previews
from cxculture.surveys.passes import CODE_IDLE, SEEN_KEY
from tests.conftest import Browser, csrf_token
from tests.factories import full_answers, make_survey, make_user

DAY = timedelta(days=1)


def _answer_data(page_html: str, survey: Survey, value: int = 4) -> dict[str, str]:
    data = {f"item_{item.id}": str(value) for item in survey.instrument.items}
    data.update(csrf_token=csrf_token(page_html), role_statement="I answer our customers' calls.")
    return data


def _setup(app, *, privacy=PrivacyMode.CONFIDENTIAL, locale=None, email="ana@example.test", **kw):
    """An open survey with its invited person; (survey id, person id, link token)."""
    with app.app_context():
        person = make_user(email=email, locale=locale, employee_number="A-100")
        for _ in range(5):
            make_user()
        survey = make_survey(privacy_mode=privacy, **kw)
        token = None
        if survey.launched_at:
            token = passes.link_for(_invitation(survey.id, person.id))
        db.session.commit()
        return survey.id, person.id, token


def _invitation(survey_id: int, user_id: int) -> Invitation:
    return db.session.execute(
        select(Invitation).where(Invitation.survey_id == survey_id, Invitation.user_id == user_id)
    ).scalar_one()


def _submit_through_link(client, token: str, app, survey_id: int):
    opened = client.get(f"/s/{token}")
    assert opened.status_code == 302
    assert opened.location.endswith("/s/answer")
    page = client.get("/s/answer")
    assert page.status_code == 200
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        data = _answer_data(page.get_data(as_text=True), survey)
    data["submit"] = "1"
    return client.post("/s/answer", data=data)


# -- personal links ---------------------------------------------------------------------------


def test_the_email_link_opens_the_form_in_one_click_without_a_password(app, client):
    survey_id, person_id, token = _setup(app)
    done = _submit_through_link(client, token, app, survey_id)
    assert done.status_code == 302
    assert done.location.endswith("/s/thanks")
    thanks = client.get("/s/thanks")
    assert thanks.status_code == 200
    assert "Your profile" in thanks.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 1
        assert _invitation(survey_id, person_id).has_submitted


def test_a_link_signs_nobody_into_the_rest_of_the_product(app, client):
    survey_id, _person, token = _setup(app)
    client.get(f"/s/{token}")
    for page in ("/surveys/", f"/surveys/{survey_id}", "/me", "/hr/", "/training/"):
        answer = client.get(page)
        assert answer.status_code == 302, page
        assert "/auth/login" in answer.location, page


def test_the_token_is_stored_nowhere_only_its_hash(app):
    survey_id, person_id, token = _setup(app)
    with app.app_context():
        invitation = _invitation(survey_id, person_id)
        assert invitation.link_hash == mail.token_hash(token)
        assert token not in (invitation.link_seed or "")
        bodies = db.session.execute(select(OutboxMessage.body)).scalars().all()
        assert bodies
        assert all(token not in body for body in bodies)
        assert all(mail.LINK_SLOT in body for body in bodies)
    assert len(token) == 24  # 144 bits, URL-safe


def test_the_reminder_carries_the_same_link_as_the_invitation(app):
    survey_id, person_id, token = _setup(app)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        hr = db.session.get(User, survey.created_by_id)
        surveys.send_reminders(survey, hr, utcnow())
        reminder = db.session.execute(
            select(OutboxMessage).where(
                OutboxMessage.kind == "reminder",
                OutboxMessage.invitation_id == _invitation(survey_id, person_id).id,
            )
        ).scalar_one()
        tokens = mail.links.link_tokens(db.session, {reminder.invitation_id})
        assert tokens[reminder.invitation_id] == token


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/s/short", 404, "This link is incomplete"),
        ("/s/" + "A" * 24, 404, "This link does not open a survey"),
        ("/s/" + "%21" * 24, 404, "This link is incomplete"),
        ("/s/" + "A" * 23 + "=", 404, "This link is incomplete"),
        ("/s/" + "a" * 500, 404, "This link is incomplete"),
    ],
)
def test_a_malformed_or_unknown_link_says_so_and_how_to_get_a_new_one(
    app, client, path, status, says
):
    _setup(app)
    answer = client.get(path)
    assert answer.status_code == status
    html = answer.get_data(as_text=True)
    assert says in html
    assert "ask HR" in html


def test_a_link_of_a_closed_survey_says_it_closed_in_the_persons_language(app, client):
    survey_id, _person, token = _setup(app, locale="pt_BR")
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        surveys.close_survey(survey, db.session.get(User, survey.created_by_id), utcnow())
    answer = client.get(f"/s/{token}")
    assert answer.status_code == 410
    assert 'lang="pt-br"' in answer.get_data(as_text=True).lower()


def test_a_link_before_the_survey_opens_says_when(app, client):
    _survey, _person, token = _setup(app, opens_in=2 * DAY)
    answer = client.get(f"/s/{token}")
    assert answer.status_code == 200
    assert "not open yet" in answer.get_data(as_text=True)


def test_a_used_link_says_the_survey_was_answered(app):
    survey_id, _person, token = _setup(app)
    _submit_through_link(app.test_client(), token, app, survey_id)
    answer = app.test_client().get(f"/s/{token}")  # another browser: no pass
    assert answer.status_code == 200
    assert "You have already answered this survey" in answer.get_data(as_text=True)


def test_a_leaver_s_link_stops_working_even_in_an_open_form(app, client):
    survey_id, person_id, token = _setup(app)
    assert client.get(f"/s/{token}").status_code == 302
    with app.app_context():
        leavers.deactivate_people([person_id], utcnow())
        db.session.commit()
    answer = client.get("/s/answer")
    assert answer.status_code == 410
    assert "no longer works" in answer.get_data(as_text=True)
    assert client.get(f"/s/{token}").status_code == 410


def test_hr_sending_the_link_again_retires_the_old_one(app, client):
    survey_id, person_id, old = _setup(app)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        hr = db.session.get(User, survey.created_by_id)
        hr_email = hr.email
    browser = Browser(client)
    browser.login(hr_email)
    sent = browser.post_form(
        f"/hr/surveys/{survey_id}/reach",
        {"send-who": "A-100"},
        action=f"/hr/surveys/{survey_id}/reach/link",
    )
    assert sent.status_code == 302
    browser.logout()
    retired = app.test_client().get(f"/s/{old}")
    assert retired.status_code == 410
    assert "replaced by a newer one" in retired.get_data(as_text=True)
    with app.app_context():
        invitation = _invitation(survey_id, person_id)
        new = passes.link_for(invitation)
        assert new != old
        queued = db.session.execute(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.invitation_id == invitation.id, OutboxMessage.kind == "invitation"
            )
        ).scalar_one()
        assert queued == 2
        entry = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "survey.link_sent_again")
        ).scalar_one()
        assert entry.details == {"person": person_id}
    assert app.test_client().get(f"/s/{new}").status_code == 302


def test_sending_the_link_again_answers_hr_the_same_whether_or_not_they_answered(app, client):
    survey_id, person_id, token = _setup(app)
    with app.app_context():
        hr_email = db.session.get(User, db.session.get(Survey, survey_id).created_by_id).email
    browser = Browser(client)
    browser.login(hr_email)
    before = browser.post_form(
        f"/hr/surveys/{survey_id}/reach",
        {"send-who": "ana@example.test"},
        action=f"/hr/surveys/{survey_id}/reach/link",
        follow_redirects=True,
    ).get_data(as_text=True)
    _submit_through_link(app.test_client(), passes_token(app, survey_id, person_id), app, survey_id)
    after = browser.post_form(
        f"/hr/surveys/{survey_id}/reach",
        {"send-who": "ana@example.test"},
        action=f"/hr/surveys/{survey_id}/reach/link",
        follow_redirects=True,
    ).get_data(as_text=True)
    strip = re.compile(r'name="csrf_token"[^>]*>|value="[^"]*"')
    assert strip.sub("", before) == strip.sub("", after)


def passes_token(app, survey_id: int, person_id: int) -> str:
    with app.app_context():
        token = passes.link_for(_invitation(survey_id, person_id))
        db.session.commit()
        return token


def test_an_anonymous_answer_through_a_link_is_linked_to_nobody(app, client):
    survey_id, _person, token = _setup(app, privacy=PrivacyMode.ANONYMOUS)
    _submit_through_link(client, token, app, survey_id)
    with app.app_context():
        response = db.session.execute(select(Response)).scalar_one()
        assert response.invitation_id is None
        assert response.user_id is None


def test_an_answer_started_through_a_link_and_finished_after_login_is_one_response(app, client):
    survey_id, person_id, token = _setup(app)
    client.get(f"/s/{token}")
    page = client.get("/s/answer").get_data(as_text=True)
    with app.app_context():
        data = _answer_data(page, db.session.get(Survey, survey_id), value=2)
    data["save"] = "1"
    assert client.post("/s/answer", data=data).status_code == 302
    other = Browser(app.test_client())
    other.login("ana@example.test")
    form = other.client.get(f"/surveys/{survey_id}").get_data(as_text=True)
    with app.app_context():
        assert _invitation(survey_id, person_id).draft is not None  # saved through the link
        data = _answer_data(form, db.session.get(Survey, survey_id))
    data["submit"] = "1"
    assert other.client.post(f"/surveys/{survey_id}", data=data).status_code == 302
    # The link's form now goes to the thank-you page: nothing can be submitted twice.
    again = client.post("/s/answer", data={**data, "csrf_token": csrf_token(page)})
    assert again.status_code == 302
    assert again.location.endswith("/s/thanks")
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 1


def test_a_logged_in_person_opening_someone_elses_link_stays_themselves(app, client):
    survey_id, person_id, token = _setup(app)
    with app.app_context():
        other = make_user(email="other@example.test")
        other_id = other.id
    browser = Browser(client)
    browser.login("other@example.test")
    client.get(f"/s/{token}")
    mine = client.get("/me").get_data(as_text=True)
    assert "other@example.test" in mine
    with app.app_context():
        assert other_id != person_id


# -- answer codes -----------------------------------------------------------------------------


def _code(app, survey_id: int, person_id: int) -> str:
    with app.app_context():
        code = passes.code_for(_invitation(survey_id, person_id))
        db.session.commit()
        return code


def _enter(client, number: str, code: str, **kwargs):
    page = client.get("/code").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "employee_number": number, "code": code}
    return client.post("/code", data=data, **kwargs)


def test_a_person_without_email_answers_with_a_printed_code(app, client):
    with app.app_context():
        person = make_user(employee_number="7001", name="Caio Campo", password=None)
        person.email = None  # no mailbox: known by the employee number alone
        db.session.commit()
        person_id = person.id
    survey_id, _other, _token = _setup(app)
    with app.app_context():
        # Nobody without an address gets an email, and nothing fails for it.
        assert (
            db.session.execute(
                select(func.count(OutboxMessage.id)).where(
                    OutboxMessage.invitation_id == _invitation(survey_id, person_id).id
                )
            ).scalar_one()
            == 0
        )
    code = _code(app, survey_id, person_id)
    opened = _enter(client, " 7001 ", passes.printed_code(code).lower())
    assert opened.status_code == 302
    assert opened.location.endswith("/s/answer")
    page = client.get("/s/answer").get_data(as_text=True)
    assert 'name="save"' not in page  # a shared device keeps no draft
    with app.app_context():
        data = _answer_data(page, db.session.get(Survey, survey_id))
    data["submit"] = "1"
    done = client.post("/s/answer", data=data)
    assert done.location.endswith("/s/thanks")
    thanks = client.get("/s/thanks").get_data(as_text=True)
    assert "Next person" in thanks
    assert "Your profile" not in thanks
    assert client.get("/s/answer").location.endswith("/code")  # the tablet is free
    used = _enter(client, "7001", code)
    assert used.status_code == 200
    assert "Each code works once" in used.get_data(as_text=True)
    with app.app_context():
        assert _invitation(survey_id, person_id).has_submitted


def test_a_wrong_number_and_a_wrong_code_get_the_same_answer(app, client):
    survey_id, person_id, _token = _setup(app)
    code = _code(app, survey_id, person_id)
    wrong_number = _enter(client, "A-999", code)
    wrong_code = _enter(client, "A-100", "ZZZZZ-ZZZZZ")
    assert wrong_number.status_code == wrong_code.status_code == 422
    message = "This employee number and code do not match"
    body_a, body_b = wrong_number.get_data(as_text=True), wrong_code.get_data(as_text=True)
    assert message in body_a
    assert message in body_b
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", body_a) == strip.sub("", body_b)


@pytest.mark.parametrize("typed", ["", "12", "ABCDE-FGHIJ-KLMNO", "!!!!!-?????", "é" * 10])
def test_a_malformed_code_is_refused_beside_the_field(app, client, typed):
    _setup(app)
    answer = _enter(client, "A-100", typed)
    assert answer.status_code == 422
    assert 'class="invalid-feedback' in answer.get_data(as_text=True)


def test_new_cards_retire_the_old_codes_and_say_so_only_to_their_holder(app, client):
    survey_id, person_id, _token = _setup(app)
    old = _code(app, survey_id, person_id)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        hr = db.session.get(User, survey.created_by_id)
        passes.print_cards(
            survey, None, without_email_only=False, renew_codes=True, actor=hr, now=utcnow()
        )
    retired = _enter(client, "A-100", old)
    assert retired.status_code == 410
    assert "replaced by a newer card" in retired.get_data(as_text=True)
    # With another number the old code is simply unknown: nothing tells it existed.
    assert _enter(client, "A-101", old).status_code == 422
    assert _enter(client, "A-100", _code(app, survey_id, person_id)).status_code == 302


def test_a_code_of_a_closed_survey_says_it_closed(app, client):
    survey_id, person_id, _token = _setup(app)
    code = _code(app, survey_id, person_id)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        surveys.close_survey(survey, db.session.get(User, survey.created_by_id), utcnow())
    answer = _enter(client, "A-100", code)
    assert answer.status_code == 410
    assert "has closed" in answer.get_data(as_text=True)


def test_guessing_one_code_is_paused_with_429_and_audited(app, client):
    _setup(app)
    app.config["CX_CODE_LIMIT_CODE"] = "3 per hour"
    for number in ("1", "2", "3"):
        assert _enter(client, number, "ABCDE-FGHJK").status_code == 422
    assert _enter(client, "4", "ABCDE-FGHJK").status_code == 429
    with app.app_context():
        entry = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "survey.code_attempts_limited")
        ).scalar_one()
        assert entry.actor_id is None
        assert entry.details == {"limit": "code"}


def test_guessing_from_one_address_is_paused_with_429_and_audited(app, client):
    _setup(app)
    app.config["CX_CODE_LIMIT_ADDRESS"] = "3 per 15 minutes"
    for code in ("AAAAA-AAAAA", "BBBBB-BBBBB", "CCCCC-CCCCC"):
        assert _enter(client, "1", code).status_code == 422
    assert _enter(client, "1", "DDDDD-DDDDD").status_code == 429
    with app.app_context():
        entry = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "survey.code_attempts_limited")
        ).scalar_one()
        assert entry.details["limit"] == "address"


def test_a_right_code_does_not_count_against_the_limits(app, client):
    survey_id, person_id, _token = _setup(app)
    app.config["CX_CODE_LIMIT_ADDRESS"] = "2 per 15 minutes"
    code = _code(app, survey_id, person_id)
    for _ in range(4):
        assert _enter(app.test_client(), "A-100", code).status_code == 302


def test_leaving_a_code_s_form_keeps_nothing_and_frees_the_tablet(app, client):
    survey_id, person_id, _token = _setup(app)
    code = _code(app, survey_id, person_id)
    _enter(client, "A-100", code)
    page = client.get("/s/answer").get_data(as_text=True)
    left = client.post("/s/leave", data={"csrf_token": csrf_token(page)})
    assert left.location.endswith("/code")
    assert client.get("/s/answer").location.endswith("/code")
    with app.app_context():
        assert _invitation(survey_id, person_id).draft is None


def test_hr_prints_a_card_for_everyone_invited_answered_or_not(app, client):
    survey_id, person_id, token = _setup(app, locale="es")
    _submit_through_link(app.test_client(), token, app, survey_id)
    with app.app_context():
        hr_email = db.session.get(User, db.session.get(Survey, survey_id).created_by_id).email
        invited = db.session.scalar(
            select(func.count(Invitation.id)).where(Invitation.survey_id == survey_id)
        )
    browser = Browser(client)
    browser.login(hr_email)
    pdf = browser.post_form(
        f"/hr/surveys/{survey_id}/reach",
        {"cards-department_id": "0"},  # everyone, with or without email (box unticked)
        action=f"/hr/surveys/{survey_id}/reach/cards",
    )
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert text.count("Employee number") + text.count("Número de empleado") == invited
    code = _code(app, survey_id, person_id)
    assert passes.printed_code(code) in text
    assert "Encuesta" in text or "código" in text.lower()  # her card in her language
    with app.app_context():
        entry = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "survey.codes_printed")
        ).scalar_one()
        assert entry.details["people"] == invited


def test_codes_are_printed_only_while_a_survey_runs(app):
    survey_id, _person, _token = _setup(app, launch=False)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        hr = db.session.get(User, survey.created_by_id)
        with pytest.raises(passes.PassesError):
            passes.print_cards(
                survey, None, without_email_only=False, renew_codes=False, actor=hr, now=utcnow()
            )


def test_answers_through_codes_and_links_count_in_response_rates(app):
    survey_id, person_id, token = _setup(app)
    _submit_through_link(app.test_client(), token, app, survey_id)
    with app.app_context():
        invitation = _invitation(survey_id, person_id)
        assert invitation.submitted_at is not None  # the one flag every rate counts


def test_employees_only_see_full_answers_once(app):
    # The factory's full answer set still submits through the same service.
    survey_id, person_id, _token = _setup(app)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        invitation = _invitation(survey_id, person_id)
        surveys.responses.submit_response(invitation, full_answers(survey), "en", utcnow())
        with pytest.raises(passes.PassRefused) as refused:
            passes.open_code("A-100", passes.code_for(invitation), utcnow())
        assert refused.value.problem is passes.PassProblem.USED


def test_erasing_a_person_kills_their_link_and_code(app):
    survey_id, person_id, token = _setup(app)
    code = _code(app, survey_id, person_id)
    with app.app_context():
        person = db.session.get(User, person_id)
        hr = db.session.get(User, db.session.get(Survey, survey_id).created_by_id)
        erasure.erase_person(person, hr, utcnow())
    assert app.test_client().get(f"/s/{token}").status_code == 404
    assert _enter(app.test_client(), "A-100", code).status_code == 422


def test_the_launch_preview_counts_who_needs_a_printed_card(app):
    with app.app_context():
        clerk = make_user(employee_number="ST-1", password=None)
        clerk.email = None
        db.session.commit()
        make_user()
        survey = make_survey(launch=False)
        preview = previews.launch_preview(survey, utcnow())
        assert preview.invited == 3  # HR, the clerk and a colleague
        assert preview.without_email == 1


def test_a_codes_form_left_alone_on_a_tablet_closes(app, client):
    survey_id, person_id, token = _setup(app)
    code = _code(app, survey_id, person_id)
    _enter(client, "A-100", code)
    assert client.get("/s/answer").status_code == 200
    with client.session_transaction() as stored:
        stored[SEEN_KEY] -= CODE_IDLE.total_seconds() + 1
    closed = client.get("/s/answer")
    assert closed.status_code == 302
    assert closed.location.endswith("/code")
    assert client.get("/s/answer").location.endswith("/code")  # the pass is gone
    # A personal link (the person's own phone) has no such limit.
    client.get(f"/s/{token}")
    with client.session_transaction() as stored:
        stored[SEEN_KEY] -= CODE_IDLE.total_seconds() + 1
    assert client.get("/s/answer").status_code == 200
