"""Each role's home, as the demo company's people open it: the most urgent thing first, every card
with the page where it is done, released figures and guarded counts only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select, update

from cxculture import disclosure
from cxculture.demo.surveys import CLOSED_WAVE, OPEN_WAVE
from cxculture.extensions import db
from cxculture.models import Department, Enrolment, Module, Survey, User, utcnow


@pytest.fixture
def demo(app) -> dict[str, int]:
    """The demo company; the ids of its two waves."""
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        ids = dict(db.session.execute(select(Survey.name, Survey.id)).all())
    return {"closed": ids[CLOSED_WAVE], "open": ids[OPEN_WAVE]}


def _home(browser, login: str, path: str, locale: str = "en") -> str:
    browser.login(login, "cxdemo")
    browser.post_form(path, {"locale": locale, "next": path}, action="/language")
    response = browser.client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _text(html: str) -> str:
    """The page's words, tags and repeated spaces removed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# HR


def test_hr_home_puts_what_needs_hr_first(demo, browser):
    html = _home(browser, "hr@demo.test", "/hr/")
    attention = html.index("What needs you now")
    assert attention < html.index("Surveys running and scheduled") < html.index("Latest results")
    # The demo's Finance module is a week overdue, and one in five never finished the module
    # of months ago: the first thing, with where it is done.
    item = re.search(r'<li[^>]*data-kind="training_overdue".*?</li>', html, re.S).group(0)
    overdue = re.search(r"(\d+) assigned modules are past their due date", _text(item))
    assert overdue is not None
    assert int(overdue.group(1)) > 10
    assert 'href="/dashboards/training"' in item


def test_hr_home_shows_the_running_survey_with_its_guarded_rate(demo, app, browser):
    with app.app_context():
        company = disclosure.response_rates(db.session.get(Survey, demo["open"])).company
    html = _home(browser, "hr@demo.test", "/hr/")
    text = _text(html)
    assert OPEN_WAVE in text
    assert f"{company.answered} of {company.invited} people invited have answered" in text
    assert f'href="/hr/surveys/{demo["open"]}"' in html
    assert "Results come out when it closes; until then only response rates show." in text


def test_hr_home_shows_the_latest_released_results_not_the_open_waves(demo, app, browser):
    with app.app_context():
        found = disclosure.release_of(db.session.get(Survey, demo["closed"]), utcnow())
        index = round(found.company.index)
        hidden = [group.name for group in found.departments() if group.is_suppressed]
    html = _home(browser, "hr@demo.test", "/hr/")
    card = html[html.index("Latest results") : html.index("Assigned training")]
    assert CLOSED_WAVE in card
    assert OPEN_WAVE not in card
    assert f'<span class="display-6">{index}</span>' in card
    assert f'href="/dashboards/overview?survey={demo["closed"]}"' in card
    for name in hidden:  # a hidden group is never among the lowest or highest
        assert f">{name}</a>" not in card


def test_hr_home_names_roster_problems_with_where_to_fix_them(demo, app, browser):
    with app.app_context():
        person = db.session.execute(select(User).where(User.email == "ana@demo.test")).scalar_one()
        person.department_id = None
        db.session.commit()
        ana = person.id
    html = _home(browser, "hr@demo.test", "/hr/")
    item = re.search(r'<li[^>]*data-kind="without_department".*?</li>', html, re.S).group(0)
    with app.test_request_context():
        assert f'href="{url_for("people.person", user_id=ana)}"' in item
    assert "Give Ana Souza a department" in item


def test_hr_home_keeps_the_company_at_a_glance(demo, app, browser):
    html = _home(browser, "hr@demo.test", "/hr/")
    assert "The company at a glance" in html
    with app.test_request_context():
        links = [url_for(e) for e in ("roster.upload", "people.departments", "catalogue.index")]
    for link in links:
        assert f'href="{link}"' in html


# Heads


def test_head_home_shows_their_departments_latest_results(demo, app, browser):
    with app.app_context():
        found = disclosure.release_of(db.session.get(Survey, demo["closed"]), utcnow())
        groups = {key: found.groups[key] for key in found.groups if key.startswith("Operations")}
    html = _home(browser, "head.operations@demo.test", "/dashboards/")
    text = _text(html)
    assert f"“{CLOSED_WAVE}”, closed on" in text
    for key, group in groups.items():
        if group.is_suppressed:
            # The hidden group is listed, with no number beside it.
            block = re.search(rf'title="{key}">[^<]*</a>\s*</div>\s*<p[^>]*>([^<]*)', html)
            assert "Hidden: fewer than 5 responses" in block.group(1)
        else:
            shown = rf'title="{key}">{group.name}</a>\s*<span class="h5 mb-0"[^>]*>'
            assert re.search(rf"{shown}{round(group.index)}<", html)
    assert "Finance" not in text
    assert "Sales" not in text


def test_head_home_offers_the_module_for_their_lowest_dimension(demo, app, browser):
    html = _home(browser, "head.contact@demo.test", "/dashboards/")
    with app.app_context():
        contact = db.session.execute(
            select(Department.id).where(Department.path == "Operations/Contact Center")
        ).scalar_one()
    match = re.search(rf'href="/dashboards/training\?module=(\d+)&amp;department={contact}"', html)
    assert match, "an Assign link preselecting the module and the department"
    page = browser.client.get(f"/dashboards/training?module={match.group(1)}&department={contact}")
    assert f'<option selected value="{contact}"' in page.get_data(as_text=True)


def test_head_home_shows_the_running_surveys_rate_of_their_department(demo, app, browser):
    with app.app_context():
        rates = disclosure.response_rates(db.session.get(Survey, demo["open"]))
        row = rates.get("Operations/Contact Center")
    text = _text(_home(browser, "head.contact@demo.test", "/dashboards/"))
    assert (
        f"Operations/Contact Center: {row.answered} of {row.invited} invited have answered" in text
    )
    assert "Only how many answered is shown, never who." in text


def test_head_home_names_who_is_late_as_team_training_does(demo, app, browser):
    with app.app_context():
        module = db.session.execute(
            select(Module.id).where(Module.slug == "what-the-contact-center-hears")
        ).scalar_one()
        db.session.execute(
            update(Enrolment)
            .where(Enrolment.module_id == module)
            .values(due_on=utcnow().date() - timedelta(days=2))
        )
        db.session.commit()
    html = _home(browser, "head.contact@demo.test", "/dashboards/")
    card = html[html.index('id="overdue-title"') :]
    names = re.findall(r'<li class="d-flex[^"]*">\s*<span>([^<]+?) <span', card)
    assert names
    training = browser.client.get("/dashboards/training").get_data(as_text=True)
    for name in names:
        assert re.search(rf"<td>{re.escape(name)}</td>.*?Overdue", training, re.S)
    with app.app_context():
        contact = set(
            db.session.execute(
                select(User.name)
                .join(Department, Department.id == User.department_id)
                .where(Department.path == "Operations/Contact Center")
            ).scalars()
        )
    assert set(names) <= contact


def test_a_head_with_nobody_late_is_told_so(demo, browser):
    text = _text(_home(browser, "head.contact@demo.test", "/dashboards/"))
    assert "Nobody is late with the modules assigned to your departments." in text


# Employees


def test_employee_home_lists_the_survey_and_the_module_due_with_their_dates(demo, browser):
    html = _home(browser, "ana@demo.test", "/me")
    text = _text(html)
    assert f"Answer “{OPEN_WAVE}”" in text
    assert f'href="/surveys/{demo["open"]}"' in html
    assert "What the contact center hears, the whole company should know" in text
    assert 'href="/training/what-the-contact-center-hears"' in html
    assert re.search(r"Due <time datetime=\"\d{4}-\d\d-\d\d\">", html)
    assert "4 minutes" in text


def test_employee_home_marks_an_overdue_module(demo, app, browser):
    with app.app_context():
        ana = db.session.execute(select(User.id).where(User.email == "ana@demo.test")).scalar()
        db.session.execute(
            update(Enrolment)
            .where(Enrolment.user_id == ana)
            .values(due_on=utcnow().date() - timedelta(days=3))
        )
        db.session.commit()
    html = _home(browser, "ana@demo.test", "/me")
    assert "Overdue since" in html
    # Overdue comes first, before the open survey.
    assert html.index("Overdue since") < html.index(f"Answer “{OPEN_WAVE}”")


def test_employee_home_shows_their_own_profile(demo, browser):
    text = _text(_home(browser, "ana@demo.test", "/me"))
    for shown in ("Operations/Contact Center", "Carlos Méndez", "ana@demo.test", "English"):
        assert shown in text


def test_employee_home_links_their_own_scores(demo, app, browser):
    html = _home(browser, "ana@demo.test", "/me")
    assert f'href="/surveys/{demo["closed"]}/thanks"' in html
    profile = browser.client.get(f"/surveys/{demo['closed']}/thanks")
    assert profile.status_code == 200


def test_the_language_can_be_changed_from_the_profile(demo, browser):
    _home(browser, "ana@demo.test", "/me")
    response = browser.post_form("/me", {"locale": "es", "next": "/me"}, action="/language")
    assert response.headers["Location"] == "/me"
    assert "Tu perfil" in browser.client.get("/me").get_data(as_text=True)


# Every home, every language


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("en", ("What needs you now", "Latest results")),
        ("pt_BR", ("O que pede a sua atenção agora", "Resultados mais recentes")),
        ("es", ("Lo que requiere tu atención ahora", "Resultados más recientes")),
    ],
)
def test_the_homes_speak_the_readers_language(demo, browser, locale, words):
    for login, path in (("hr@demo.test", "/hr/"), ("head.operations@demo.test", "/dashboards/")):
        html = _home(browser, login, path, locale)
        for word in words:
            assert word in html
        browser.logout()
