"""Heads see their departments' guarded results; nothing else, and no number for small groups."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import Survey


@pytest.fixture
def demo(app):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        return db.session.execute(
            select(Survey.id).where(Survey.name == "Customer orientation, first wave")
        ).scalar_one()


def test_a_head_sees_their_department_with_the_company_beside_it(demo, browser):
    browser.login("head.contact@demo.test", "cxdemo")
    page = browser.client.get(f"/dashboards/results?survey={demo}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Operations/Contact Center" in html
    assert "Customer Orientation Index" in html or "Índice" in html
    with browser.client.get(
        f"/dashboards/results/chart.png?survey={demo}&department=Operations/Contact Center"
    ) as chart:
        assert chart.status_code == 200
        assert chart.mimetype == "image/png"


def test_a_head_cannot_open_another_department(demo, browser):
    browser.login("head.contact@demo.test", "cxdemo")
    for path in (
        f"/dashboards/results?survey={demo}&department=Finance",
        f"/dashboards/results/chart.png?survey={demo}&department=Finance",
    ):
        assert browser.client.get(path).status_code == 403


def test_unknown_and_malformed_surveys_are_404_and_400(demo, browser):
    browser.login("hr@demo.test", "cxdemo")
    assert browser.client.get("/dashboards/results?survey=999999").status_code == 404
    assert browser.client.get("/dashboards/results?survey=abc").status_code == 400


def test_a_suppressed_group_shows_no_number_and_no_chart(demo, app, browser):
    browser.login("hr@demo.test", "cxdemo")
    browser.post_form("/me", {"locale": "en", "next": "/me"}, action="/language")
    with app.app_context():
        from cxculture.services import results

        found = results.survey_results(db.session.get(Survey, demo))
        hidden = next(g.key for g in found.departments() if g.is_suppressed)
    page = browser.client.get(f"/dashboards/results?survey={demo}&department={hidden}")
    html = page.get_data(as_text=True)
    assert "no numbers are shown for this group" in html
    assert "Customer Orientation Index:" not in html
    chart = browser.client.get(f"/dashboards/results/chart.png?survey={demo}&department={hidden}")
    assert chart.status_code == 404


def test_results_open_on_the_closed_wave_and_compare_waves(demo, browser):
    browser.login("head.operations@demo.test", "cxdemo")
    browser.post_form("/me", {"locale": "en", "next": "/me"}, action="/language")
    html = browser.client.get("/dashboards/results").get_data(as_text=True)
    assert f'<option value="{demo}" selected>' in html  # the closed first wave by default
    second = browser.client.get(
        "/dashboards/results?department=Operations&survey=" + str(demo + 1)
    ).get_data(as_text=True)
    assert "Change since “Customer orientation, first wave”" in second
    assert "confidence interval" in second
