"""Applying a roster takes a second step with the counts and the new departments; afterwards the
import's page shows what changed, once, and never a preview of the applied file."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import AuditEvent, OutboxMessage, RosterImport, User, utcnow
from cxculture.services.org import roster
from tests.conftest import csrf_token
from tests.factories import make_user
from tests.roster.test_import import PEOPLE, csv_file


def _count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


@pytest.fixture
def staff(app, hr_admin):
    """Two people already stored: Bruno (moving to Logistics) and Dora (not in the file)."""
    with app.app_context():
        make_user(employee_number="1002", name="Bruno Lima", email="bruno@acme.test")
        make_user(employee_number="2001", name="Dora Gone", email="dora@acme.test")


def _upload(browser, rows=PEOPLE, deactivate_missing=True) -> str:
    form = {"file": (io.BytesIO(csv_file(rows)), "export.csv")}
    if deactivate_missing:
        form["deactivate_missing"] = "y"
    response = browser.post_form("/hr/roster/", form, content_type="multipart/form-data")
    assert response.status_code == 302
    return response.location


def test_the_apply_page_gives_the_counts_the_departments_and_who_is_deactivated(
    app, browser, hr_admin, staff
):
    browser.login(hr_admin.email)
    page = _upload(browser)
    html = browser.client.get(f"{page}/apply").get_data(as_text=True)
    assert "Apply “export.csv”?" in html
    assert "2 people will be created." in html
    assert "1 person will be updated." in html
    assert "1 person will be deactivated." in html
    assert "Dora Gone (dora@acme.test" in html
    assert "departments will be created." in html
    for path in ("Operations/Logistics", "Finance"):
        assert f"<li>{path}</li>" in html
    assert 'name="send_emails"' in html
    assert f'href="{page}">Cancel</a>' in html
    with app.app_context():
        assert _count(User) == 3  # hr, Bruno and Dora: reading it changes nothing


def test_the_preview_offers_applying_as_a_link_to_its_confirmation(browser, hr_admin, staff):
    browser.login(hr_admin.email)
    page = _upload(browser)
    html = browser.client.get(page).get_data(as_text=True)
    assert f'href="{page}/apply"' in html
    assert f'action="{page}/apply"' not in html


def test_applying_without_the_confirmation_changes_nothing(app, browser, hr_admin, staff):
    browser.login(hr_admin.email)
    page = _upload(browser)
    for data in ({"send_emails": "y"}, {"send_emails": "y", "confirm": "launch"}):
        response = browser.post_form(page, data, action=f"{page}/apply")
        assert response.headers["Location"] == f"{page}/apply"
    with app.app_context():
        assert _count(User) == 3
        assert db.session.execute(select(RosterImport.applied_at)).scalar_one() is None


def test_applying_without_a_form_token_is_refused(app, browser, hr_admin, staff):
    browser.login(hr_admin.email)
    page = _upload(browser)
    response = browser.client.post(f"{page}/apply", data={"confirm": "apply"})
    assert response.status_code == 400
    with app.app_context():
        assert _count(User) == 3


def test_a_confirmed_apply_submitted_twice_applies_once(app, browser, hr_admin, staff):
    browser.login(hr_admin.email)
    page = _upload(browser)
    token = csrf_token(browser.client.get(f"{page}/apply").get_data(as_text=True))
    data = {"csrf_token": token, "confirm": "apply", "send_emails": "y"}
    first = browser.client.post(f"{page}/apply", data=data)
    second = browser.client.post(f"{page}/apply", data=data)
    assert first.headers["Location"] == second.headers["Location"] == page
    with app.app_context():
        assert _count(User) == 5
        assert _count(AuditEvent, AuditEvent.action == "roster.applied") == 1
        assert _count(OutboxMessage, OutboxMessage.kind == "set_password") == 2


def test_the_result_shows_what_changed_once_and_no_preview(app, browser, hr_admin, staff):
    browser.login(hr_admin.email)
    page = _upload(browser)
    browser.post_form(f"{page}/apply", {"confirm": "apply", "send_emails": "y"})
    html = browser.client.get(page).get_data(as_text=True)
    assert html.count('class="alert') == 1  # one banner: what was applied
    assert "Applied: 2 created, 1 updated, 1 deactivated, 2 departments created." in html
    assert "Import applied: export.csv" in html
    for name in ("Ana Souza", "Carmen Ruiz", "Bruno Lima", "Dora Gone"):
        assert name in html
    assert "department" in html  # Bruno's change, named
    with app.app_context():
        ids = dict(db.session.execute(select(User.name, User.id)).all())
    for name in ("Ana Souza", "Bruno Lima", "Dora Gone"):
        assert f'href="/hr/org/people/{ids[name]}"' in html
    assert "To create" not in html  # the applied file is not compared again
    assert 'href="/hr/org/departments/' in html  # the departments it created, as links
    # Later visits show the same result, with no banner at all.
    again = browser.client.get(page).get_data(as_text=True)
    assert 'class="alert' not in again
    assert "Ana Souza" in again


def test_the_result_keeps_ids_not_names(ctx, hr_admin):
    hr = db.session.get(User, hr_admin.id)
    record = roster.store_upload("export.csv", csv_file(PEOPLE), False, hr)
    roster.apply_roster(
        roster.read_roster(record.content),
        deactivate_missing=False,
        actor=hr,
        now=utcnow(),
        record=record,
    )
    summary = db.session.get(RosterImport, record.id).summary
    assert summary["created"] == 3
    assert "Ana Souza" not in str(summary)
    assert set(summary["departments"]) == {
        "Finance",
        "Operations",
        "Operations/Contact Center",
        "Operations/Logistics",
    }
    result = roster.import_result(db.session.get(RosterImport, record.id), limit=2)
    assert [person.name for person in result.created] == ["Ana Souza", "Bruno Lima"]
    assert result.counts["created"] == 3  # the page says "and 1 more"


def test_an_import_applied_before_the_lists_were_kept_shows_its_counts(ctx, hr_admin):
    hr = db.session.get(User, hr_admin.id)
    record = roster.store_upload("old.csv", csv_file(PEOPLE), False, hr)
    record.applied_at = utcnow()
    record.summary = {"created": 3, "updated": 0, "deactivated": 0, "departments_created": 4}
    db.session.commit()
    result = roster.import_result(record, limit=200)
    assert not result.is_detailed
    assert result.counts["created"] == 3


def test_the_apply_page_of_an_applied_or_rejected_file_sends_back(app, browser, hr_admin):
    browser.login(hr_admin.email)
    rejected = _upload(browser, [*PEOPLE, ["1004", "Dan", "dan@", "IT"]], False)
    assert browser.client.get(f"{rejected}/apply").headers["Location"] == rejected
    applied = _upload(browser, PEOPLE, False)
    browser.post_form(f"{applied}/apply", {"confirm": "apply"})
    assert browser.client.get(f"{applied}/apply").headers["Location"] == applied


@pytest.mark.parametrize("who", ["employee", "head"])
def test_only_hr_reads_the_apply_page(app, request, browser, hr_admin, who):
    with app.app_context():
        hr = db.session.get(User, hr_admin.id)
        record_id = roster.store_upload("x.csv", csv_file(PEOPLE), False, hr).id
    browser.login(request.getfixturevalue(who).email)
    assert browser.client.get(f"/hr/roster/{record_id}/apply").status_code == 403
