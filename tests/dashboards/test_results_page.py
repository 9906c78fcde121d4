"""Heads see their departments' guarded results; nothing else, and no number for small groups."""

from __future__ import annotations

import re

import pytest

from cxculture.extensions import db
from cxculture.models import Survey, utcnow
from tests.factories import make_survey


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


def test_a_suppressed_group_shows_no_number_and_no_chart(demo, hidden_key, browser):
    browser.login("hr@demo.test", "cxdemo")
    browser.use_language("en")
    hidden = hidden_key
    page = browser.client.get(f"/dashboards/results?survey={demo}&department={hidden}")
    html = page.get_data(as_text=True)
    assert "this group shows no figures" in html
    assert "Customer Orientation Index:" not in html
    assert "report.pdf" not in html  # no report of a group that shows nothing
    chart = browser.client.get(f"/dashboards/results/chart.png?survey={demo}&department={hidden}")
    assert chart.status_code == 404


def test_results_open_on_the_closed_wave_and_compare_waves(demo, app, browser):
    browser.login("head.operations@demo.test", "cxdemo")
    browser.use_language("en")
    html = browser.client.get("/dashboards/results").get_data(as_text=True)
    # The newest closed wave by default: the demo's second, after ``demo``, the first.
    assert f'<option value="{demo + 1}" selected>' in html
    url = "/dashboards/results?department=Operations&survey=" + str(demo + 2)
    while_open = browser.client.get(url).get_data(as_text=True)
    assert "Results come out when the survey closes" in while_open
    assert "cx-change" not in while_open  # no comparison before results come out
    with app.app_context():
        third = db.session.get(Survey, demo + 2)
        third.closed_at = utcnow()
        db.session.commit()
    third = browser.client.get(url).get_data(as_text=True)
    assert re.search(r'class="mb-1 cx-change">[^<]*“Customer orientation, second wave”', third)
    assert "with 95% confidence" in third  # the statistics, behind "How sure is this?"


def test_the_item_chart_is_drawn_for_shown_groups_only(demo, hidden_key, browser):
    browser.login("hr@demo.test", "cxdemo")
    url = f"/dashboards/results/items.png?survey={demo}&department="
    shown = browser.client.get(url + "Operations")
    assert shown.status_code == 200
    assert shown.mimetype == "image/png"
    assert browser.client.get(url + hidden_key).status_code == 404
    assert (
        browser.client.get(
            f"/dashboards/results/items.png?survey={demo}&department=Nowhere"
        ).status_code
        == 403
    )


def test_the_three_demo_roles_see_real_and_different_numbers(demo, guarded, browser):
    seen = {}
    for email, key in (
        ("head.contact@demo.test", "Operations/Contact Center"),
        ("head.operations@demo.test", "Operations"),
        ("hr@demo.test", "Commercial"),
    ):
        browser.login(email, "cxdemo")
        browser.use_language("en")
        html = browser.client.get(f"/dashboards/results?survey={demo}").get_data(as_text=True)
        index = re.search(r"Customer Orientation Index: (\d+)", html).group(1)
        assert int(index) == round(guarded.groups[key].index), email
        seen[email] = index
        browser.logout()
    assert len(set(seen.values())) == 3


def test_a_head_sees_training_and_can_assign_where_to_act(demo, app, browser):
    browser.login("head.operations@demo.test", "cxdemo")
    browser.use_language("en")
    html = browser.client.get(f"/dashboards/results?survey={demo}&department=Operations").get_data(
        as_text=True
    )
    assert "Training in this department" in html
    assert "People enrolled, completed and overdue, per module." in html  # the demo has some
    link = re.search(r'href="(/dashboards/training\?module=(\d+)&amp;department=(\d+))"', html)
    assert link, "an Assign button next to a module"
    form = browser.client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert f'<option selected value="{link.group(2)}">' in form
    assert f'<option selected value="{link.group(3)}">' in form


@pytest.mark.parametrize("viewer", ["head", "hr_admin"])
def test_before_anyone_answers_results_say_so_instead_of_refusing(
    app, browser, request, employee, viewer
):
    person = request.getfixturevalue(viewer)
    with app.app_context():
        make_survey(name="Fresh wave", departments=("Operations",))
    browser.login(person.email)
    page = browser.client.get("/dashboards/results")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Results come out when the survey closes" in html
    assert "Fresh wave" in html
    for path in ("results/chart.png", "results/items.png", "results/report.pdf"):
        with browser.client.get(f"/dashboards/{path}") as response:
            assert response.status_code == 404
