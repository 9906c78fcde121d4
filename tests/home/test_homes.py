"""Each demo account lands on its role's home page, in each of the three languages."""

from __future__ import annotations

import pytest

HOME = {
    # login: (path, heading per language)
    "hr@demo.test": (
        "/hr/",
        {
            "en": "The company at a glance",
            "pt_BR": "A empresa num relance",
            "es": "La empresa de un vistazo",
        },
    ),
    "head.contact@demo.test": (
        "/dashboards/",
        {"en": "My departments", "pt_BR": "Meus departamentos", "es": "Mis departamentos"},
    ),
    "ana@demo.test": (
        "/me",
        {"en": "Hello, Ana Souza", "pt_BR": "Olá, Ana Souza", "es": "Hola, Ana Souza"},
    ),
}


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("locale", ["en", "pt_BR", "es"])
@pytest.mark.parametrize("login", sorted(HOME))
def test_demo_account_lands_on_its_home_in_its_language(demo, browser, login, locale):
    browser.post_form("/auth/login", {"locale": locale}, action="/language")
    response = browser.login(login, "cxdemo", follow_redirects=True)
    path, heading = HOME[login]
    assert response.request.path == path
    # The account's own setting wins over the choice made before login; set it explicitly.
    browser.post_form(path, {"locale": locale, "next": path}, action="/language")
    assert heading[locale] in browser.client.get(path).get_data(as_text=True)


def test_hr_home_lists_every_department_with_headcounts(demo, browser):
    browser.login("hr@demo.test", "cxdemo")
    html = browser.client.get("/hr/").get_data(as_text=True)
    for name in ("Contact Center", "Social Media Care", "Logistics", "Sales", "Marketing"):
        assert name in html
    assert "Carlos Méndez" in html  # the Contact Center's head
    assert 'href="/dashboards/overview"' in html


def test_head_home_shows_only_their_departments(demo, browser):
    browser.login("head.contact@demo.test", "cxdemo")
    html = browser.client.get("/dashboards/").get_data(as_text=True)
    assert "Contact Center" in html
    assert "Logistics" not in html
    assert "Finance" not in html


def test_head_home_shows_the_newest_closed_waves_index(demo, app, browser):
    from sqlalchemy import select

    from cxculture import disclosure
    from cxculture.extensions import db
    from cxculture.models import Survey, utcnow

    with app.app_context():
        survey = db.session.execute(
            select(Survey).where(Survey.name == "Customer orientation, second wave")
        ).scalar_one()
        index = disclosure.release_of(survey, utcnow()).groups["Operations/Contact Center"].index
    browser.login("head.contact@demo.test", "cxdemo")
    browser.use_language("en")
    html = browser.client.get("/dashboards/").get_data(as_text=True)
    assert "“Customer orientation, second wave”, closed on" in html
    assert 'title="Operations/Contact Center">Contact Center</a>' in html
    assert f"{round(index)}</span>" in html


def test_employee_home_shows_their_profile(demo, browser):
    browser.login("ana@demo.test", "cxdemo")
    html = browser.client.get("/me").get_data(as_text=True)
    assert "Operations/Contact Center" in html
    assert "ana@demo.test" in html


def test_pages_use_bootstrap_served_by_this_app(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert "/bootstrap/static/css/bootstrap.min.css" in html
    assert "cdn." not in html
    assert "//unpkg" not in html
    for path in ("/bootstrap/static/css/bootstrap.min.css", "/static/css/app.css"):
        with client.get(path) as response:
            assert response.status_code == 200


def test_pages_have_no_inline_script(demo, browser):
    browser.login("hr@demo.test", "cxdemo")
    for path in ("/hr/", "/me", "/auth/password"):
        html = browser.client.get(path).get_data(as_text=True)
        assert html.count("<script") == html.count("<script src=")


def test_employee_home_points_to_the_survey_waiting_for_them(demo, browser):
    browser.login("ana@demo.test", "cxdemo")
    html = browser.client.get("/me").get_data(as_text=True)
    assert "1 survey is waiting for your answers." in html or "1 pesquisa" in html
    assert 'href="/surveys/"' in html


@pytest.mark.parametrize("path", ["/auth/login", "/no-such-page"])
def test_every_page_names_an_icon_the_site_serves(client, path):
    # Without one, browsers ask for /favicon.ico on every visit and log its 404.
    html = client.get(path).get_data(as_text=True)
    assert '<link rel="icon" type="image/svg+xml" href="/static/img/favicon.svg">' in html
    icon = client.get("/static/img/favicon.svg")
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml"
    icon.close()
