"""HR's audit log: only HR opens it; newest first, paged, filtered by action, actor, target and
days of the company's time zone; bad filters are refused; the CSV export is itself audited."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import AuditEvent
from tests.conftest import Browser, build_app, make_person

PAGE = "/hr/audit/"


def _add(app, action="survey.launched", actor_id=None, target=("survey", 1), at=None, **details):
    with app.app_context():
        db.session.add(
            AuditEvent(
                actor_id=actor_id,
                action=action,
                target_type=target[0],
                target_id=target[1],
                details=details,
                created_at=at or datetime.now(UTC),
            )
        )
        db.session.commit()


def _text(browser, query: str = "", status: int = 200) -> str:
    response = browser.client.get(PAGE + query)
    assert response.status_code == status
    return response.get_data(as_text=True)


def _table(browser, query: str = "") -> str:
    """The entries shown, without the filter form (whose options name every action)."""
    return _text(browser, query).partition("<tbody>")[2]


@pytest.fixture
def hr(browser, hr_admin) -> Browser:
    browser.login(hr_admin.email)
    return browser


@pytest.mark.parametrize("who", ["employee", "head"])
@pytest.mark.parametrize("path", [PAGE, PAGE + "export.csv"])
def test_only_hr_opens_the_audit_log(request, browser, who, path):
    browser.login(request.getfixturevalue(who).email)
    assert browser.client.get(path).status_code == 403


def test_an_anonymous_visitor_is_sent_to_login(client):
    assert client.get(PAGE).headers["Location"].startswith("/auth/login")


def test_hr_home_links_to_the_audit_log(hr):
    assert f'href="{PAGE}"' in hr.client.get("/hr/").get_data(as_text=True)


def test_the_log_shows_the_newest_entry_first_with_who_did_it(app, hr, hr_admin):
    _add(app, "survey.launched", hr_admin.id)
    _add(app, "survey.closed", hr_admin.id)
    assert "2 entries found." in _text(hr)
    html = _table(hr)
    assert html.index("closed the survey early") < html.index("launched the survey")
    assert "Helga HR" in html


def test_an_entry_of_the_system_says_so(app, hr):
    _add(app, "training.rule_applied", None)
    assert "The system" in _table(hr)


def test_the_log_comes_fifty_entries_a_page(app, hr):
    for number in range(55):
        _add(app, "survey.reminded", reminded=number)
    first, second = _table(hr), _table(hr, "?page=2")
    assert first.count("sent reminders") == 50
    assert second.count("sent reminders") == 5
    assert "Reminded: 54" in first
    assert "Reminded: 0" in second


def test_pages_keep_the_filters(app, hr):
    for _ in range(51):
        _add(app, "survey.reminded")
    assert 'href="/hr/audit/?page=2&amp;action=survey.reminded"' in _text(
        hr, "?action=survey.reminded"
    )


def test_a_page_past_the_end_is_empty(app, hr):
    _add(app)
    assert "launched the survey" not in _table(hr, "?page=9")


def test_the_log_filters_by_action(app, hr):
    _add(app, "survey.launched")
    _add(app, "survey.closed")
    html = _table(hr, "?action=survey.closed")
    assert "closed the survey early" in html
    assert "launched the survey" not in html


def test_the_log_filters_by_the_actors_name_or_email(app, hr, hr_admin, head):
    _add(app, "survey.launched", hr_admin.id)
    _add(app, "training.assigned", head.id, ("department", 1))
    for query in ("hugo", "HEAD@example"):
        assert "1 entry found." in _text(hr, f"?actor={query}")
        assert "assigned a module to the department" in _table(hr, f"?actor={query}")


def test_the_log_filters_by_target_type(app, hr):
    _add(app, "survey.launched", target=("survey", 1))
    _add(app, "org.person_updated", target=("user", 1))
    assert "1 entry found." in _text(hr, "?target_type=user")
    assert "edited the person" in _table(hr, "?target_type=user")


def test_dates_are_whole_days_in_the_company_time_zone(app, database_url, tmp_path):
    zoned = build_app(database_url, tmp_path / "zoned", CX_TIMEZONE="America/Sao_Paulo")
    hr_admin = make_person(zoned, email="hr@example.test", is_hr_admin=True)
    # 02:00 UTC on 1 March is 23:00 on 28 February in São Paulo.
    _add(zoned, "survey.launched", at=datetime(2026, 3, 1, 2, 0, tzinfo=UTC))
    browser = Browser(zoned.test_client())
    browser.login(hr_admin.email)
    assert "1 entry found." in _text(browser, "?since=2026-02-28&until=2026-02-28")
    assert "0 entries found." in _text(browser, "?since=2026-03-01")
    assert "Feb 28, 2026, 11:00:00" in _table(browser)
    assert _export(browser)[0]["time"] == "2026-02-28T23:00:00-03:00"
    with zoned.app_context():
        db.engine.dispose()


def test_dates_are_shown_in_the_readers_language(app, hr):
    _add(app, at=datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    hr.use_language("pt_BR")
    assert "10 de mar. de 2026" in _text(hr)


@pytest.mark.parametrize(
    "query",
    [
        "?action=survey.exploded",
        "?target_type=spaceship",
        "?since=yesterday",
        "?until=2026-02-30",
        "?since=2026-03-02&until=2026-03-01",
        "?page=0",
        "?page=abc",
        "?page=99999999999",
        "?actor=" + "x" * 201,
    ],
)
def test_a_bad_filter_is_a_bad_request(hr, query):
    html = _text(hr, query, status=400)
    assert "These filters cannot be used" in html


def test_a_bad_filter_exports_nothing(hr):
    assert hr.client.get(PAGE + "export.csv?since=never").status_code == 400


def _export(hr, query: str = "") -> list[dict[str, str]]:
    response = hr.client.get(PAGE + "export.csv" + query)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_export_holds_the_filtered_log(app, hr, hr_admin):
    _add(app, "survey.launched", hr_admin.id, invited=12)
    _add(app, "survey.closed", hr_admin.id)
    rows = _export(hr, "?action=survey.launched")
    assert len(rows) == 1
    assert rows[0]["action"] == "survey.launched"
    assert rows[0]["description"] == "launched the survey"
    assert rows[0]["actor"] == "Helga HR"
    assert rows[0]["actor_email"] == hr_admin.email
    assert rows[0]["details"] == '{"invited": 12}'


def test_the_export_never_starts_a_cell_with_a_formula(app, hr):
    spreadsheet_trap = make_person(app, email="trap@example.test", name="=HYPERLINK(1)")
    _add(app, "survey.launched", spreadsheet_trap.id)
    assert _export(hr)[0]["actor"] == "'=HYPERLINK(1)"


def test_the_export_is_itself_recorded_without_the_search_text(app, hr, hr_admin):
    _add(app, "survey.launched", hr_admin.id)
    _export(hr, "?actor=Helga&action=survey.launched")
    with app.app_context():
        entry = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "audit.exported")
        ).scalar_one()
    assert entry.actor_id == hr_admin.id
    assert entry.details["rows"] == 1
    assert entry.details["action"] == "survey.launched"
    assert entry.details["actor_search"] is True
    assert "Helga" not in str(entry.details)
