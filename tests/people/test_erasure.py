"""Erasing a person: the account and every personal datum go; their answers stay in the results,
linked to no one; nobody erases themselves or the last HR admin."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cxculture import disclosure
from cxculture.extensions import db
from cxculture.models import (
    AuditEvent,
    Enrolment,
    Invitation,
    OutboxMessage,
    PrivacyMode,
    Response,
    RosterImport,
    Survey,
    User,
    utcnow,
)
from cxculture.services import accounts, org, surveys, training
from cxculture.services.org import erasure, people, roster
from cxculture.services.surveys import responses
from cxculture.services.training import assignments
from tests.conftest import csrf_token, rounded
from tests.factories import full_answers, make_survey, make_user
from tests.roster.test_import import HEADER, csv_file

NAME = "Zélia Quintanilha"
EMAIL = "zelia.quintanilha@example.test"
NUMBER = "E-77177"
TEAM = "Operations/Contact Center"


def _hr() -> User:
    return db.session.execute(select(User).where(User.email == "hr@example.test")).scalar_one()


def _zelia() -> User:
    return db.session.execute(select(User).where(User.email == EMAIL)).scalar_one()


@pytest.fixture
def zelia(app, hr_admin) -> int:
    """A person present everywhere the product keeps something about someone; her id."""
    with app.app_context():
        hr = _hr()
        colleagues = [make_user(department=TEAM) for _ in range(11)]
        person = make_user(
            email=EMAIL, name=NAME, employee_number=NUMBER, department=TEAM, locale="pt_BR"
        )
        # Her roles and links, each changed by HR (so the trail names her too).
        people.update_person(
            colleagues[0],
            people.PersonChanges(colleagues[0].department_id, False, True, manager_email=EMAIL),
            hr,
            utcnow(),
        )
        org.set_department_heads(org.ensure_department(TEAM), [person], hr)
        # A confidential wave everyone answered, and an open one where she left a draft.
        first = make_survey(name="Wave 1", actor=hr)
        for invitation in db.session.execute(select(Invitation)).scalars().all():
            answers = full_answers(first, 3 + invitation.id % 3, "I help our customers.")
            answers.comment = "Fewer meetings, please."
            responses.submit_response(invitation, answers, "en", utcnow())
        surveys.close_survey(first, hr, utcnow())  # its results are released
        second = make_survey(name="Wave 2", privacy_mode=PrivacyMode.ANONYMOUS, actor=hr)
        draft = responses.invitation_for(person, second.id)
        responses.save_draft(draft, full_answers(second, 2, "My draft words"), utcnow())
        # Training: her own record, and a module she assigned with her words.
        training.load_modules()
        module = training.get_module("who-is-my-customer")
        enrolment = training.enrol_self(person, module)
        enrolment.reflection = "My reflection on customers."
        assignments.assign_to_department(
            person,
            training.get_module("right-first-time"),
            org.ensure_department(TEAM),
            date.today() + timedelta(days=7),
            "Let's do it before Friday.",
            date.today(),
        )
        # Emails to her, and the roster files: one names her, one does not.
        accounts.queue_set_password_emails([person])
        db.session.commit()
        roster.store_upload(
            "with-her.csv", csv_file([[NUMBER, NAME, EMAIL, TEAM]], HEADER), False, hr
        )
        roster.store_upload(
            "without-her.csv", csv_file([["9", "Ivo Nunes", "ivo@x.test", "IT"]], HEADER), False, hr
        )
        return person.id


def _erase() -> erasure.ErasureReport:
    return erasure.erase_person(_zelia(), _hr(), utcnow())


def _every_value_in_the_database() -> list[str]:
    """Every value of every column of every table, as text (binary files decoded)."""
    found = []
    connection = db.session.connection()
    for table in db.metadata.sorted_tables:
        for row in connection.execute(table.select()):
            for value in row:
                if isinstance(value, bytes):
                    found.append(value.decode("utf-8", errors="ignore"))
                elif isinstance(value, dict | list):
                    found.append(json.dumps(value, ensure_ascii=False))
                else:
                    found.append(str(value))
    return found


def _department_results():
    found = {}
    for survey in db.session.execute(select(Survey).order_by(Survey.id)).scalars():
        released = disclosure.release_of(survey, utcnow())
        found[survey.name] = rounded(
            (released.groups, sorted(disclosure.statements(released, TEAM) or []))
        )
    return found


def _response_rates(name: str):
    survey = db.session.execute(select(Survey).where(Survey.name == name)).scalar_one()
    return surveys.survey_progress(survey)


def test_erasing_a_person_keeps_the_department_results(ctx, zelia):
    before = _department_results()
    assert before["Wave 1"][0][TEAM]["n"] == 12
    assert len(before["Wave 1"][1]) == 24  # everyone's statement and comment are shown
    _erase()
    db.session.expire_all()
    assert _department_results() == before


def test_erasing_a_person_keeps_the_response_rate_of_a_wave_they_answered(ctx, zelia):
    before = _response_rates("Wave 1")
    _erase()
    assert _response_rates("Wave 1") == before


def test_a_running_wave_they_had_not_answered_counts_them_as_before_as_for_a_leaver(ctx, zelia):
    """A count that dropped only for someone who had not answered would tell that they had
    not: the erased person stays counted as invited."""
    before = _response_rates("Wave 2").rates.get(TEAM)
    assert before.invited == 12
    _erase()
    assert _response_rates("Wave 2").rates.get(TEAM) == before


def test_after_erasure_nothing_in_the_database_names_the_person(ctx, zelia):
    values = "\n".join(_every_value_in_the_database()).casefold()
    assert EMAIL in values  # the search itself works: she was everywhere
    _erase()
    values = "\n".join(_every_value_in_the_database()).casefold()
    for term in (EMAIL, NAME.casefold(), "quintanilha", NUMBER.casefold()):
        assert term not in values
    for words in ("my draft words", "my reflection", "before friday"):
        assert words not in values


def test_her_responses_stay_linked_to_no_one(ctx, zelia):
    responses_before = db.session.execute(select(func.count(Response.id))).scalar_one()
    report = _erase()
    assert report.responses_unlinked == 1
    assert db.session.execute(select(func.count(Response.id))).scalar_one() == responses_before
    assert (
        db.session.execute(
            select(func.count(Response.id)).where(
                Response.user_id.is_(None), Response.invitation_id.is_(None)
            )
        ).scalar_one()
        == 1
    )
    assert (
        db.session.execute(
            select(func.count(Response.id)).where(Response.department_path == TEAM)
        ).scalar_one()
        == 12
    )


def test_her_account_drafts_training_and_emails_are_gone(ctx, zelia):
    report = _erase()
    assert db.session.get(User, zelia) is None
    assert report.enrolments_deleted == 2  # the module she chose and the one her team got
    assert (
        db.session.execute(
            select(func.count(Enrolment.id)).where(Enrolment.user_id == zelia)
        ).scalar_one()
        == 0
    )
    assert (
        db.session.execute(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.to_email == EMAIL)
        ).scalar_one()
        == 0
    )
    assert (
        db.session.execute(
            select(func.count(Invitation.id)).where(Invitation.draft_saved_at.is_not(None))
        ).scalar_one()
        == 0
    )


def test_the_team_keeps_its_training_but_not_her_words(ctx, zelia):
    _erase()
    messages = (
        db.session.execute(select(Enrolment.message).where(Enrolment.source == "department"))
        .scalars()
        .all()
    )
    assert messages
    assert set(messages) == {None}


def test_only_the_roster_files_that_name_her_are_emptied(ctx, zelia):
    assert _erase().roster_files_cleared == 1
    files = dict(db.session.execute(select(RosterImport.filename, RosterImport.content)).all())
    assert files["with-her.csv"] == b""
    assert b"Ivo Nunes" in files["without-her.csv"]


def test_an_emptied_roster_file_asks_to_be_uploaded_again(app, browser, hr_admin, zelia):
    with app.app_context():
        _erase()
        emptied = db.session.execute(
            select(RosterImport.id).where(RosterImport.filename == "with-her.csv")
        ).scalar_one()
    browser.login(hr_admin.email)
    response = browser.client.get(f"/hr/roster/{emptied}")
    assert response.status_code == 302
    page = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "emptied when a person it named was erased" in page


def test_erasure_is_audited_with_counts_and_her_past_actions_keep_her_number(
    app, browser, hr_admin, zelia
):
    with app.app_context():
        _erase()
        entry = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "org.person_erased")
        ).scalar_one()
        assert (entry.actor_id, entry.target_id) == (hr_admin.id, zelia)
        assert "zelia" not in json.dumps(entry.details).casefold()
    browser.login(hr_admin.email)
    html = browser.client.get("/hr/audit/?action=training.assigned").get_data(as_text=True)
    assert f"Erased person #{zelia}" in html
    assert NAME not in html


def test_an_erased_persons_id_is_never_given_again(ctx, zelia):
    _erase()
    assert make_user().id > zelia


def test_her_session_ends(app, browser, zelia):
    browser.login(EMAIL)
    assert browser.client.get("/me").status_code == 200
    with app.app_context():
        _erase()
    assert browser.client.get("/me").status_code == 302


# Refusals -----------------------------------------------------------------------------------


def test_nobody_erases_themselves(ctx, hr_admin):
    with pytest.raises(erasure.SelfErasure):
        erasure.erase_person(_hr(), _hr(), utcnow())
    assert db.session.get(User, hr_admin.id) is not None


def test_the_last_active_hr_admin_cannot_be_erased(ctx, hr_admin):
    make_user(is_hr_admin=True, is_active=False)  # a deactivated one does not count
    with pytest.raises(erasure.LastHrAdmin):
        erasure.erase_person(_hr(), None, utcnow())


def test_an_hr_admin_can_be_erased_while_another_remains(ctx, hr_admin):
    other = make_user(is_hr_admin=True)
    erasure.erase_person(other, _hr(), utcnow())
    assert db.session.get(User, other.id) is None


# The page -----------------------------------------------------------------------------------


def _erase_page(browser, user_id: int, typed: str):
    return browser.post_form(
        f"/hr/org/people/{user_id}",
        {"confirm_email": typed},
        action=f"/hr/org/people/{user_id}/erase",
    )


def test_hr_erases_a_person_from_their_page_by_typing_their_email(app, browser, hr_admin, zelia):
    browser.login(hr_admin.email)
    response = _erase_page(browser, zelia, f"  {EMAIL.upper()} ")
    assert response.headers["Location"] == "/hr/org/people"
    assert "linked to no one" in browser.client.get("/hr/org/people").get_data(as_text=True)
    assert browser.client.get(f"/hr/org/people/{zelia}").status_code == 404


@pytest.mark.parametrize("typed", ["", "someone@example.test", "zelia"])
def test_erasure_needs_the_persons_email_typed(app, browser, hr_admin, zelia, typed):
    browser.login(hr_admin.email)
    response = _erase_page(browser, zelia, typed)
    page = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "nobody was erased" in page
    with app.app_context():
        assert db.session.get(User, zelia) is not None


def test_the_erase_button_is_not_on_your_own_page(browser, hr_admin):
    browser.login(hr_admin.email)
    html = browser.client.get(f"/hr/org/people/{hr_admin.id}").get_data(as_text=True)
    assert "Erase this person" not in html


def test_erasing_yourself_through_the_page_is_refused(app, browser, hr_admin):
    browser.login(hr_admin.email)
    token = csrf_token(browser.client.get("/hr/org/people").get_data(as_text=True))
    response = browser.client.post(
        f"/hr/org/people/{hr_admin.id}/erase",
        data={"csrf_token": token, "confirm_email": hr_admin.email},
    )
    page = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You cannot erase your own account" in page
    with app.app_context():
        assert db.session.get(User, hr_admin.id) is not None


def test_only_hr_erases(app, browser, head, zelia):
    browser.login(head.email)
    token = csrf_token(browser.client.get("/me").get_data(as_text=True))
    response = browser.client.post(
        f"/hr/org/people/{zelia}/erase", data={"csrf_token": token, "confirm_email": EMAIL}
    )
    assert response.status_code == 403


def test_an_erasure_without_its_form_token_is_refused(app, browser, hr_admin, zelia):
    browser.login(hr_admin.email)
    response = browser.client.post(f"/hr/org/people/{zelia}/erase", data={"confirm_email": EMAIL})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, zelia) is not None


def test_erasing_someone_unknown_is_a_404(browser, hr_admin):
    browser.login(hr_admin.email)
    token = csrf_token(browser.client.get("/hr/org/people").get_data(as_text=True))
    response = browser.client.post(
        "/hr/org/people/999999/erase", data={"csrf_token": token, "confirm_email": "x@y.test"}
    )
    assert response.status_code == 404


# The confirmation page -----------------------------------------------------------------------


def test_the_erase_page_names_whose_data_goes_and_what_stays(app, browser, hr_admin, zelia):
    browser.login(hr_admin.email)
    html = browser.client.get(f"/hr/org/people/{zelia}/erase").get_data(as_text=True)
    assert f"Erase {NAME} for good?" in html
    assert EMAIL in html
    assert NUMBER in html
    assert f"They head {TEAM}" in html
    assert "1 person has them as manager and is left with none." in html
    assert "The messages they wrote when assigning training to 12 people." in html
    assert "Their survey answers, if any, stay in the results" in html
    assert 'name="confirm_email"' in html
    assert f'href="/hr/org/people/{zelia}">Cancel</a>' in html
    with app.app_context():
        assert db.session.get(User, zelia) is not None  # reading it erases nobody


def test_the_erase_page_never_tells_whether_the_person_answered(app, browser, hr_admin, zelia):
    """She answered Wave 1 and left a draft in Wave 2: the page says neither, nor how many
    emails or modules of her own she has (reminders and suggestions would show through)."""
    browser.login(hr_admin.email)
    html = browser.client.get(f"/hr/org/people/{zelia}/erase").get_data(as_text=True)
    with app.app_context():
        preview = erasure.erasure_preview(_zelia(), _hr())
    assert "Wave 1" not in html
    assert "Wave 2" not in html
    assert not {"responses", "drafts", "emails", "enrolments"} & set(vars(preview))


def test_the_person_page_links_to_the_erase_page(browser, hr_admin, zelia):
    browser.login(hr_admin.email)
    html = browser.client.get(f"/hr/org/people/{zelia}").get_data(as_text=True)
    assert f'href="/hr/org/people/{zelia}/erase"' in html
    assert 'name="confirm_email"' not in html  # typed on the next page, after reading it


def test_the_erase_page_of_your_own_account_has_no_button(browser, hr_admin):
    browser.login(hr_admin.email)
    html = browser.client.get(f"/hr/org/people/{hr_admin.id}/erase").get_data(as_text=True)
    assert "You cannot erase your own account" in html
    assert 'name="confirm_email"' not in html


def test_a_confirmed_erasure_submitted_twice_erases_once(app, browser, hr_admin, zelia):
    browser.login(hr_admin.email)
    path = f"/hr/org/people/{zelia}/erase"
    token = csrf_token(browser.client.get(path).get_data(as_text=True))
    first = browser.client.post(path, data={"csrf_token": token, "confirm_email": EMAIL})
    second = browser.client.post(path, data={"csrf_token": token, "confirm_email": EMAIL})
    assert first.headers["Location"] == second.headers["Location"] == "/hr/org/people"
    html = browser.client.get("/hr/org/people").get_data(as_text=True)
    assert "This person has already been erased." in html
    with app.app_context():
        erased = select(func.count(AuditEvent.id)).where(AuditEvent.action == "org.person_erased")
        assert db.session.execute(erased).scalar_one() == 1


def test_a_wrong_email_sends_back_to_the_erase_page(app, browser, hr_admin, zelia):
    browser.login(hr_admin.email)
    response = _erase_page(browser, zelia, "someone@example.test")
    assert response.headers["Location"] == f"/hr/org/people/{zelia}/erase"


@pytest.mark.parametrize("who", ["employee", "head"])
def test_only_hr_reads_the_erase_page(request, browser, zelia, who):
    browser.login(request.getfixturevalue(who).email)
    assert browser.client.get(f"/hr/org/people/{zelia}/erase").status_code == 403


@pytest.mark.parametrize("answered", [True, False])
def test_an_erasure_reads_the_same_whether_they_had_answered_or_not(app, hr_admin, answered):
    """Neither the audit entry nor the survey's outbox counts tell whether the erased person
    had answered an anonymous wave: no count of their responses, emails or training records is
    kept, and the emails of the survey already sent stay, emptied."""
    from cxculture.services.surveys import outbox_search

    with app.app_context():
        hr = _hr()
        team = [make_user(department=TEAM) for _ in range(6)]
        person = make_user(email=EMAIL, name=NAME, department=TEAM)
        survey = make_survey(name="Anonymous wave", privacy_mode=PrivacyMode.ANONYMOUS, actor=hr)
        for someone in [*team[:3], *([person] if answered else [])]:
            invitation = responses.invitation_for(someone, survey.id)
            responses.submit_response(invitation, full_answers(survey, 4), "en", utcnow())
        surveys.send_reminders(survey, hr, utcnow())
        db.session.commit()
        filters = outbox_search.OutboxFilter(survey.id)
        before = outbox_search.search_outbox(filters).counts
        erasure.erase_person(_zelia(), hr, utcnow())
        assert outbox_search.search_outbox(filters).counts == before
        details = db.session.execute(
            select(AuditEvent.details).where(AuditEvent.action == "org.person_erased")
        ).scalar_one()
        details = json.loads(details) if isinstance(details, str) else details
        assert set(details) == {"invitations_unlinked", "roster_files_cleared"}
        assert details["invitations_unlinked"] == 1
        emails = db.session.execute(select(OutboxMessage.to_email)).scalars().all()
        assert EMAIL not in emails
