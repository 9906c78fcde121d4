"""People without a mailbox (store, field and contact-center staff known by their employee
number): HR's pages say "no email" where there is none; they cannot be HR admin or head a
department; they have no password, get no set-password link, no login alert and no training
reminder; erasing them takes their employee number typed, and a workbook naming them goes."""

from __future__ import annotations

import html
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import OutboxMessage, RosterImport, User, utcnow
from cxculture.services import accounts, org, training
from cxculture.services.accounts.passwords import NoMailbox, change_password
from cxculture.services.org import erasure, people, roster
from cxculture.services.org.people import PersonChanges
from cxculture.services.training import assignments
from tests.factories import PASSWORD, make_department, make_user, make_user_without_email
from tests.roster.test_workbooks import xlsx_file


@pytest.fixture
def actor(ctx) -> User:
    return make_user(is_hr_admin=True, department="People", email="actor@example.test")


@pytest.fixture
def sol(app) -> int:
    """Sol, a store assistant with employee number S-100 and no email."""
    with app.app_context():
        return make_user_without_email(
            employee_number="S-100", name="Sol Store", department="Stores/North"
        ).id


def _outbox() -> list[str]:
    return list(db.session.execute(select(OutboxMessage.to_email)).scalars())


def _changes(person: User, **overrides) -> PersonChanges:
    values = {
        "department_id": person.department_id,
        "is_hr_admin": person.is_hr_admin,
        "is_active": person.is_active,
        "headed_department_ids": [],
        "manager_email": None,
    }
    return PersonChanges(**{**values, **overrides})


# Roles that log in


def test_a_person_without_email_cannot_be_made_hr_admin(actor):
    person = make_user_without_email(department="Stores")
    with pytest.raises(people.RoleNeedsEmail):
        people.update_person(person, _changes(person, is_hr_admin=True), actor, utcnow())
    assert db.session.get(User, person.id).is_hr_admin is False


def test_a_person_without_email_cannot_head_a_department(actor):
    person = make_user_without_email(department="Stores")
    stores = make_department("Stores")
    with pytest.raises(people.RoleNeedsEmail):
        people.update_person(
            person, _changes(person, headed_department_ids=[stores.id]), actor, utcnow()
        )
    with pytest.raises(org.HeadWithoutEmail):
        org.set_department_heads(stores, [person], actor)
    assert stores.heads == []


def test_a_person_without_email_is_otherwise_edited_as_anyone(actor):
    person = make_user_without_email(department="Stores")
    finance = make_department("Finance")
    people.update_person(person, _changes(person, department_id=finance.id), actor, utcnow())
    assert person.department.path == "Finance"


def test_the_person_page_explains_the_refused_role(app, browser, hr_admin, sol):
    browser.login(hr_admin.email)
    browser.use_language("en")
    with app.app_context():
        department_id = db.session.get(User, sol).department_id
    response = browser.post_form(
        f"/hr/org/people/{sol}",
        {"department_id": str(department_id), "is_hr_admin": "y", "is_active": "y"},
    )
    assert response.status_code == 422
    assert "they cannot be HR admin or head departments" in html.unescape(
        response.get_data(as_text=True)
    )


# The pages say "no email"


def test_the_people_list_and_page_say_no_email(browser, hr_admin, sol):
    browser.login(hr_admin.email)
    browser.use_language("en")
    listed = browser.client.get("/hr/org/people?q=S-100").get_data(as_text=True)
    assert "Sol Store" in listed
    assert "no email" in listed
    assert "None" not in listed
    page = html.unescape(browser.client.get(f"/hr/org/people/{sol}").get_data(as_text=True))
    assert "no email · S-100" in page
    assert "answer surveys with the printed codes" in page
    assert "Send the set-password link again" not in page


def test_no_set_password_link_is_sent_to_a_person_without_email(app, browser, hr_admin, sol):
    browser.login(hr_admin.email)
    browser.use_language("en")
    response = browser.post_form(
        f"/hr/org/people/{sol}", {}, action=f"/hr/org/people/{sol}/set-password-link"
    )
    page = html.unescape(browser.client.get(response.location).get_data(as_text=True))
    assert "This person has no email" in page
    with app.app_context():
        assert _outbox() == []


# Passwords and emails


def test_a_person_without_email_has_no_password_to_set_or_change(ctx):
    person = make_user_without_email()
    token = accounts.set_password_token(person)  # as a link forged for them would be
    with pytest.raises(accounts.InvalidLink):
        accounts.user_for_token(token)
    with pytest.raises(accounts.InvalidLink):
        accounts.set_password_with_token(token, "a long enough new password")
    with pytest.raises(NoMailbox):
        change_password(person, PASSWORD, "a long enough new password")
    assert person.password_hash is None


def test_a_person_without_email_never_logs_in_with_a_password(ctx):
    person = make_user_without_email(employee_number="S-7")
    # Even with a password hash left from before (no path gives one), nothing matches it.
    person.password_hash = make_user(email="other@example.test").password_hash
    db.session.commit()
    for name in ("", " ", "S-7", "None", "null"):
        assert accounts.authenticate(name, PASSWORD) is None


def test_set_password_emails_leave_out_people_without_email(ctx):
    with_email = make_user(email="ana@example.test")
    without = make_user_without_email()
    assert accounts.queue_set_password_emails([with_email, without]) == 1
    db.session.commit()
    assert _outbox() == ["ana@example.test"]


def test_no_training_reminder_goes_to_a_person_without_email(ctx):
    training.load_modules()
    module = training.get_module("who-is-my-customer")
    late = [make_user_without_email(), make_user(email="late@example.test")]
    for person in late:
        enrolment = training.enrol_self(person, module)
        enrolment.source = "department"  # assigned: what is reminded
        enrolment.assigned_at = utcnow() - timedelta(days=10)
        enrolment.due_on = utcnow().date() - timedelta(days=2)
    db.session.commit()
    assert assignments.queue_overdue_reminders(utcnow().date()) == 1
    assert _outbox() == ["late@example.test"]


# Erasure


def test_a_person_without_email_is_erased_by_typing_their_number(app, browser, hr_admin, sol):
    browser.login(hr_admin.email)
    browser.use_language("en")
    page = html.unescape(browser.client.get(f"/hr/org/people/{sol}/erase").get_data(as_text=True))
    assert "Type the person's employee number to confirm" in page
    wrong = browser.post_form(
        f"/hr/org/people/{sol}/erase", {"confirm_email": "None"}
    )  # what an email-less person must never be matched by
    assert "/erase" in wrong.location
    with app.app_context():
        assert db.session.get(User, sol) is not None
    done = browser.post_form(f"/hr/org/people/{sol}/erase", {"confirm_email": " s-100 "})
    assert done.location == "/hr/org/people"
    with app.app_context():
        assert db.session.get(User, sol) is None


def test_erasing_someone_empties_the_workbooks_naming_them_in_any_sheet(actor):
    person = make_user(email="zelia@example.test", name="Zélia Zanetti", employee_number="4242")
    naming = xlsx_file([[4242, "Someone Else", "someone@example.test", "IT"]])
    other = xlsx_file([[1, "Ana", "ana@example.test", "IT"]])
    for name, data in (("naming.xlsx", naming), ("other.xlsx", other)):
        roster.store_upload(name, data, False, actor)
    # A second sheet the import never reads still holds her name.
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(other))
    book.create_sheet("Notes").append(["Zélia Zanetti & co"])
    buffer = io.BytesIO()
    book.save(buffer)
    roster.store_upload("second-sheet.xlsx", buffer.getvalue(), False, actor)
    report = erasure.erase_person(person, actor, utcnow())
    assert report.roster_files_cleared == 2
    files = dict(db.session.execute(select(RosterImport.filename, RosterImport.content)).all())
    assert files["naming.xlsx"] == b""
    assert files["second-sheet.xlsx"] == b""
    assert files["other.xlsx"] == other
