"""HR's outbox: a page at a time, by survey and status, with each status counted; an email
written to the log is never called sent; reminders keep their recipients (and, for a survey
too small to show counts, their number) to themselves; bad query parameters are refused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import Invitation, OutboxMessage, User, utcnow
from cxculture.services import org, surveys
from cxculture.services.results import homes
from cxculture.services.surveys import outbox_search
from tests.factories import make_survey, make_user

SECRET_BODY = "Set your password: https://cx.example/auth/set-password/secret-token"


def add_message(**fields) -> OutboxMessage:
    values = {
        "kind": "invitation",
        "to_email": "someone@example.test",
        "locale": "en",
        "subject": "A subject",
        "body": "A body",
        **fields,
    }
    message = OutboxMessage(**values)
    db.session.add(message)
    db.session.commit()
    return message


def one_of_each_status(survey_id: int | None = None) -> None:
    now = utcnow()
    add_message(to_email="waiting@example.test", survey_id=survey_id)
    add_message(
        to_email="failed@example.test", survey_id=survey_id, attempts=2, last_error="OSError: down"
    )
    add_message(to_email="smtp@example.test", survey_id=survey_id, sent_at=now, delivered_by="smtp")
    add_message(to_email="log@example.test", survey_id=survey_id, sent_at=now, delivered_by="log")
    add_message(to_email="before@example.test", survey_id=survey_id, sent_at=now)


def invitations(survey_id: int) -> int:
    return db.session.execute(
        select(func.count(Invitation.id)).where(Invitation.survey_id == survey_id)
    ).scalar_one()


def rows(html: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    return re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S) if body else []


def row_of(html: str, email: str) -> str:
    found = [row for row in rows(html) if email in row]
    assert len(found) == 1, email
    return found[0]


def status_counts(html: str) -> dict[str, int]:
    """The count beside each status link above the list."""
    nav = re.search(r'<ul class="nav nav-pills[^"]*outbox-statuses">(.*?)</ul>', html, re.S)
    assert nav, "no counts per status"
    found = re.findall(r'>([^<>]+?) <span class="badge[^"]*">([\d,]+)</span>', nav.group(1))
    return {label.strip(): int(count.replace(",", "")) for label, count in found}


def page(browser, query: str = "") -> str:
    response = browser.client.get(f"/hr/outbox{query}")
    assert response.status_code == 200, query
    return response.get_data(as_text=True)


def test_each_status_is_told_apart_and_a_logged_email_is_never_called_sent(app, browser, hr_admin):
    with app.app_context():
        one_of_each_status()
    browser.login(hr_admin.email)
    html = page(browser)
    assert "Waiting" in row_of(html, "waiting@example.test")
    failed = row_of(html, "failed@example.test")
    assert "Failed, will retry" in failed
    assert "after 2 tries" in failed
    assert "Sent by the mail server" in row_of(html, "smtp@example.test")
    logged = row_of(html, "log@example.test")
    assert "Logged (no mail server)" in logged
    assert "Sent" not in logged
    # Sent before the outbox noted how: "sent", without claiming a mail server took it.
    before = row_of(html, "before@example.test")
    assert re.search(r"<td>\s*Sent\s*<div", before)
    assert "mail server" not in before


def test_each_status_is_counted_and_filters_the_list(app, browser, hr_admin):
    with app.app_context():
        one_of_each_status()
    browser.login(hr_admin.email)
    assert status_counts(page(browser)) == {
        "Any status": 5,
        "Waiting": 1,
        "Failed, will retry": 1,
        "Sent by the mail server": 2,  # the one sent before the outbox noted how, too
        "Logged (no mail server)": 1,
    }
    expected = {
        "waiting": {"waiting@example.test"},
        "failed": {"failed@example.test"},
        "sent": {"smtp@example.test", "before@example.test"},
        "logged": {"log@example.test"},
    }
    for status, emails in expected.items():
        html = page(browser, f"?status={status}")
        shown = {email for email in re.findall(r"[\w.]+@example\.test", "".join(rows(html)))}
        assert shown == emails, status
        assert re.search(rf'<option value="{status}" selected>', html)
        assert 'aria-current="page"' in html


def test_a_survey_is_chosen_from_a_list_and_its_counts_are_its_own(app, browser, hr_admin):
    with app.app_context():
        make_user(department="IT", email="it@example.test")
        first = make_survey(name="Spring wave")
        second = make_survey(name="Autumn wave")
        one_of_each_status(second.id)
        first_id, second_id = first.id, second.id
        invited = invitations(second_id)
    browser.login(hr_admin.email)
    everything = page(browser)
    assert f'<option value="{first_id}">Spring wave</option>' in everything
    assert f'<option value="{second_id}">Autumn wave</option>' in everything

    html = page(browser, f"?survey={second_id}")
    assert re.search(rf'<option value="{second_id}" selected>Autumn wave</option>', html)
    counts = status_counts(html)
    # Its invitations, each written to the log, and the five added for it.
    assert counts["Logged (no mail server)"] == invited + 1
    assert counts["Waiting"] == counts["Failed, will retry"] == 1
    assert counts["Any status"] == invited + 5
    assert f"?survey={second_id}&amp;status=waiting" in html  # the counts keep the survey


def test_the_list_comes_a_page_at_a_time_newest_first_keeping_its_filters(app, browser, hr_admin):
    with app.app_context():
        survey_id = make_survey().id
        for n in range(30):
            add_message(to_email=f"p{n:02d}@example.test", survey_id=survey_id)
    browser.login(hr_admin.email)
    first = page(browser, f"?survey={survey_id}&status=waiting")
    assert len(rows(first)) == outbox_search.PAGE_SIZE == 25
    assert "p29@example.test" in rows(first)[0]  # the newest first
    assert "30 emails found." in first
    assert "Page 1 of 2, newest first." in first
    next_link = re.search(r'<a class="page-link" href="([^"]+)">Next</a>', first).group(1)
    assert next_link.replace("&amp;", "&") == f"/hr/outbox?page=2&survey={survey_id}&status=waiting"
    second = page(browser, f"?page=2&survey={survey_id}&status=waiting")
    assert [re.search(r"p\d\d", row).group(0) for row in rows(second)] == [
        "p04",
        "p03",
        "p02",
        "p01",
        "p00",
    ]
    assert ">Previous</a>" in second
    assert ">Next</a>" not in second


def test_a_page_past_the_end_is_empty_with_a_way_back(app, browser, hr_admin):
    with app.app_context():
        one_of_each_status()
    browser.login(hr_admin.email)
    html = page(browser, "?page=7")
    assert rows(html) == []
    assert "5 emails found." in html
    assert re.search(r'href="/hr/outbox\?page=1"[^>]*>Previous</a>', html)


def test_empty_filters_mean_everything(app, browser, hr_admin):
    with app.app_context():
        one_of_each_status()
    browser.login(hr_admin.email)
    assert len(rows(page(browser, "?survey=&status="))) == 5


def test_an_empty_outbox_says_so(browser, hr_admin):
    browser.login(hr_admin.email)
    html = page(browser)
    assert "No email yet." in html
    assert "<table" not in html


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?status=delivered", 400),  # not a status
        ("?status=%00", 400),
        ("?survey=abc", 400),  # not a number
        ("?survey=-1", 400),
        ("?survey=%C2%B2", 400),  # "²": a digit to str.isdigit, not to int()
        ("?survey=99999999999999999999", 400),  # past any id
        ("?survey=424242", 404),  # no such survey
        ("?page=0", 400),
        ("?page=-3", 400),
        ("?page=1000000000", 400),  # past any page
        ("?page=two", 400),
    ],
)
def test_a_bad_query_parameter_is_refused_never_a_500(browser, hr_admin, query, status):
    browser.login(hr_admin.email)
    assert browser.client.get(f"/hr/outbox{query}").status_code == status


def test_a_reminder_hides_its_recipient_and_the_language_that_could_name_them(
    app, browser, hr_admin
):
    with app.app_context():
        for n in range(5):
            make_user(department="IT", email=f"colleague{n}@example.test")
        make_user(department="IT", email="lucia@example.test", locale="es")  # the one in Spanish
        survey = make_survey(name="Big enough")
        actor = db.session.get(User, hr_admin.id)
        assert surveys.send_reminders(survey, actor, utcnow()) is not None  # counts shown
        survey_id = survey.id
    browser.login(hr_admin.email)
    html = page(browser, f"?survey={survey_id}")
    reminders = [row for row in rows(html) if "hidden" in row]
    assert reminders, "the reminders are listed"
    invitations = len(rows(html)) - len(reminders)
    assert len(reminders) == invitations  # nobody answered: everyone invited is reminded
    assert all("@example.test" not in row for row in reminders)
    for row in reminders:  # her reminder would be the one in Spanish
        assert "Español" not in row
        assert "English" not in row
        assert "Recordatorio" not in row
        assert "Reminder:" not in row  # the subject, in the recipient's language


def test_reminders_of_a_survey_too_small_to_show_counts_are_not_listed_or_counted(
    app, browser, hr_admin
):
    """One reminder per person who has not answered would count them: where the release layer
    withholds a survey's counts, the outbox withholds its reminders too."""
    with app.app_context():
        make_user(department="IT", email="colleague@example.test")
        survey = make_survey(name="Small team")
        actor = db.session.get(User, hr_admin.id)
        assert surveys.send_reminders(survey, actor, utcnow()) is None  # counts withheld
        survey_id = survey.id
        invited = invitations(survey_id)
        assert invited < app.config["CX_MIN_GROUP_SIZE"]
        stored = db.session.execute(
            select(OutboxMessage.id).where(OutboxMessage.is_recipient_hidden.is_(True))
        ).all()
        assert stored, "the reminders were queued"
    browser.login(hr_admin.email)
    for query in ("", f"?survey={survey_id}", f"?survey={survey_id}&status=logged"):
        html = page(browser, query)
        assert all("hidden" not in row for row in rows(html)), query
        assert status_counts(html)["Any status"] == len(rows(html)) == invited, query
        assert "not listed at all" in html


@pytest.mark.parametrize("answered", [0, 1, 2])
def test_a_small_surveys_outbox_reads_the_same_however_many_answered(
    app, browser, hr_admin, answered
):
    """The note on withheld reminders is always there, and a failing mail server is counted
    without the reminders on the survey's page and on HR's home: otherwise reminding would
    tell how many of a small audience have not answered."""
    with app.app_context():
        team = [make_user(department="IT", email=f"it{n}@example.test") for n in range(2)]
        survey = make_survey(name="Small team")
        for person in team[:answered]:
            invitation = db.session.execute(
                select(Invitation).where(
                    Invitation.user_id == person.id, Invitation.survey_id == survey.id
                )
            ).scalar_one()
            invitation.submitted_at = utcnow()
        db.session.commit()
        actor = db.session.get(User, hr_admin.id)
        surveys.send_reminders(survey, actor, utcnow())
        survey_emails = select(OutboxMessage).where(OutboxMessage.survey_id == survey.id)
        for message in db.session.execute(survey_emails).scalars():
            message.sent_at, message.last_error = None, "OSError: the mail server is down"
        db.session.commit()
        survey_id, invited = survey.id, invitations(survey.id)
        assert invited < app.config["CX_MIN_GROUP_SIZE"]
        progress = surveys.survey_progress(survey)
        assert progress.emails_pending == progress.emails_failed == invited  # the invitations
        summary = org.company_summary()
        assert homes.roster_health(org.department_rows(), summary).failed_emails == invited
    browser.login(hr_admin.email)
    html = page(browser, f"?survey={survey_id}")
    assert "not listed at all" in html
    assert status_counts(html)["Any status"] == invited


def test_an_email_holding_a_personal_link_shows_its_subject_only(app, browser, hr_admin):
    with app.app_context():
        add_message(kind="set_password", subject="Set your password", body=SECRET_BODY)
    browser.login(hr_admin.email)
    html = page(browser)
    assert "Set your password" in html
    assert "(holds a personal link: not shown)" in html
    assert "secret-token" not in html


def test_only_hr_reads_the_outbox(browser, employee, head):
    for person in (employee, head):
        browser.login(person.email)
        assert browser.client.get("/hr/outbox?status=waiting").status_code == 403
        browser.logout()
