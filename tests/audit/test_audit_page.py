"""HR's audit log: only HR opens it; newest first, paged, filtered by action, actor, target and
days of the company's time zone; bad filters are refused; the CSV export is itself audited."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select

from cxculture.extensions import db
from cxculture.models import AuditEvent
from cxculture.services import training
from tests.conftest import Browser, build_app, make_person
from tests.factories import make_instrument

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
    assert html.index("Survey closed early") < html.index("Survey launched")
    assert "Helga HR" in html


def test_an_entry_of_the_system_says_so(app, hr):
    _add(app, "training.rule_applied", None)
    assert "The system" in _table(hr)


def test_the_log_comes_fifty_entries_a_page(app, hr):
    for number in range(55):
        _add(app, "survey.reminded", reminded=number)
    first, second = _table(hr), _table(hr, "?page=2")
    assert first.count("Reminders sent") == 50
    assert second.count("Reminders sent") == 5
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
    assert "Survey launched" not in _table(hr, "?page=9")


def test_the_log_filters_by_action(app, hr):
    _add(app, "survey.launched")
    _add(app, "survey.closed")
    html = _table(hr, "?action=survey.closed")
    assert "Survey closed early" in html
    assert "Survey launched" not in html


def test_the_log_filters_by_the_actors_name_or_email(app, hr, hr_admin, head):
    _add(app, "survey.launched", hr_admin.id)
    _add(app, "training.assigned", head.id, ("department", 1))
    for query in ("hugo", "HEAD@example"):
        assert "1 entry found." in _text(hr, f"?actor={query}")
        assert "Module assigned to the department" in _table(hr, f"?actor={query}")


def test_the_log_filters_by_target_type(app, hr):
    _add(app, "survey.launched", target=("survey", 1))
    _add(app, "org.person_updated", target=("user", 1))
    assert "1 entry found." in _text(hr, "?target_type=user")
    assert "Person edited" in _table(hr, "?target_type=user")


def test_dates_are_whole_days_in_the_company_time_zone(app, database_url, tmp_path):
    zoned = build_app(database_url, tmp_path / "zoned", CX_TIMEZONE="America/Sao_Paulo")
    hr_admin = make_person(zoned, email="hr@example.test", is_hr_admin=True)
    # 02:00 UTC on 1 March is 23:00 on 28 February in São Paulo.
    _add(zoned, "survey.launched", at=datetime(2026, 3, 1, 2, 0, tzinfo=UTC))
    browser = Browser(zoned.test_client())
    browser.login(hr_admin.email)
    assert "1 entry found." in _text(browser, "?since=2026-02-28&until=2026-02-28")
    assert "0 entries found." in _text(browser, "?since=2026-03-01")
    assert "Feb 28, 2026, 11:00\u202fPM" in _table(browser)
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
    assert rows[0]["description"] == "Survey launched"
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


@pytest.fixture
def modules(app) -> dict[str, int]:
    """The shipped training modules, by slug: their ids."""
    with app.app_context():
        training.load_modules()
        return {module.slug: module.id for module in training.catalogue()}


def test_modules_and_questionnaires_are_named_in_the_readers_language(app, hr, modules):
    _add(app, "training.assigned", target=("department", 1), module="who-is-my-customer")
    _add(app, "training.module_edited", target=("module", modules["right-first-time"]))
    with app.app_context():
        instrument = make_instrument()
        instrument_id, names = instrument.id, instrument.names
        titles = {
            slug: (module.text_in("es").title, module.text_in("en").title)
            for slug in ("who-is-my-customer", "right-first-time")
            if (module := training.get_module(slug))
        }
    _add(app, "instrument.copied", target=("instrument", instrument_id), source_id=instrument_id)
    hr.use_language("es")
    html = _table(hr)
    for slug, (spanish, english) in titles.items():
        assert spanish != english
        assert spanish in html
        assert slug not in html
    assert names["es"] in html


def test_a_page_of_entries_costs_the_same_queries_as_one_entry(app, hr, hr_admin, modules):
    """People, targets and modules are looked up once per page, never once per entry."""

    def add_entries(slugs: list[str]) -> None:
        for slug in slugs:
            _add(app, "training.assigned", hr_admin.id, ("department", 1), module=slug)
            _add(app, "training.module_edited", hr_admin.id, ("module", modules[slug]))
            _add(app, "survey.launched", hr_admin.id, ("survey", 1), invited=3)

    add_entries(["who-is-my-customer"])
    few = _queries_to_read(app, hr)
    add_entries(list(modules)[:8] * 2)
    assert _queries_to_read(app, hr) == few


def _queries_to_read(app, hr) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert hr.client.get(PAGE).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_export_keeps_the_values_as_recorded(app, hr, modules):
    """The CSV is for machines: slugs, ids and ISO dates as the trail holds them."""
    _add(
        app,
        "training.assigned",
        target=("department", 1),
        module="who-is-my-customer",
        due_on="2026-04-30",
        enrolled=1200,
    )
    _add(app, "training.module_edited", target=("module", modules["right-first-time"]))
    edited, assigned = _export(hr)
    assert json.loads(assigned["details"]) == {
        "due_on": "2026-04-30",
        "enrolled": 1200,
        "module": "who-is-my-customer",
    }
    assert (edited["target_type"], edited["target"]) == ("module", "right-first-time")


def test_details_read_as_words_days_and_numbers(app, hr):
    _add(
        app,
        "survey.extended",
        previous="2026-03-01T15:00:00+00:00",
        closes_at="2026-03-08T15:00:00+00:00",
    )
    _add(app, "roster.applied", target=("roster", 1), created=1500, departments_created=3)
    hr.use_language("pt_BR")
    html = _table(hr)
    assert "departments_created" not in html
    assert "1.500" in html
    assert "8 de mar. de 2026" in html
    assert not re.search(r">[^<]*\d{4}-\d{2}-\d{2}", html)
