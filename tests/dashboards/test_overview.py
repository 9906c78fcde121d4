"""HR's company overview: every department against the dimensions, rates, extremes and trend."""

from __future__ import annotations

import re
from html import escape

import pytest

from cxculture import charts
from cxculture.dashboards import routes

HIDDEN = "Hidden: fewer than 5 responses, or a smaller group could be worked out"


@pytest.fixture
def hr(demo, browser):
    browser.login("hr@demo.test", "cxdemo")
    browser.use_language("en")
    return browser


def _row(html: str, key: str) -> str:
    match = re.search(
        rf"<th scope=\"row\" class=\"fw-normal\">{re.escape(escape(key))}</th>(.*?)</tr>",
        html,
        re.S,
    )
    assert match, key
    return match.group(1)


def test_hr_sees_every_top_level_department_with_its_numbers(hr, demo, guarded):
    html = hr.client.get(f"/dashboards/overview?survey={demo}").get_data(as_text=True)
    top = [group for group in guarded.departments() if group.depth == 0]
    for group in top:
        cells = _row(html, group.key)
        assert f">{round(group.index)}</td>" in cells
        for value in group.dimensions.values():
            assert f">{round(value)}</td>" in cells
    assert "Furthest from the customer" in html
    assert "The company across waves" in html
    assert 'src="/dashboards/overview/heatmap.png' in html


def test_hidden_departments_are_marked_and_show_no_number(hr, demo, hidden_key):
    level = hidden_key.count("/") + 1
    html = hr.client.get(f"/dashboards/overview?survey={demo}&level={level}").get_data(as_text=True)
    cells = _row(html, hidden_key)
    assert HIDDEN in cells
    numbers = re.findall(r">\s*([\d.,%]+)\s*<", cells)
    # Only the training completion (not a survey answer) may show a number.
    assert len(numbers) <= 1


def test_the_lowest_and_highest_are_ranked_by_index(hr, demo, guarded):
    html = hr.client.get(f"/dashboards/overview?survey={demo}").get_data(as_text=True)
    shown = sorted(
        (g for g in guarded.departments() if g.depth == 0 and not g.is_suppressed),
        key=lambda g: g.index,
    )
    lowest = html.index("Furthest from the customer")
    highest = html.index("Closest to the customer")
    assert lowest < html.index(f">{escape(shown[0].key)}</a>", lowest) < highest
    assert html.index(f">{escape(shown[-1].key)}</a>", highest) > highest


def test_the_heatmap_is_drawn_from_guarded_numbers_only(hr, demo, hidden_key, monkeypatch):
    drawn = {}

    def spy(rows, columns, values, label, *layout_and_key):
        drawn.update(zip(rows, values, strict=True))
        return b"\x89PNG fake"

    monkeypatch.setattr(charts, "heatmap", spy)
    level = hidden_key.count("/") + 1
    response = hr.client.get(f"/dashboards/overview/heatmap.png?survey={demo}&level={level}")
    assert response.status_code == 200
    assert drawn[hidden_key] == (None,) * 6
    assert any(all(v is not None for v in values) for values in drawn.values())


def test_charts_are_cached_and_answer_304_when_unchanged(hr, demo):
    url = f"/dashboards/overview/trend.png?survey={demo + 1}"
    first = hr.client.get(url)
    assert first.status_code == 200
    assert first.mimetype == "image/png"
    assert first.headers["Cache-Control"] == "no-store"  # kept by no shared or disk cache
    again = hr.client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert charts.trend_line.cache_info().hits >= 1  # not rendered a second time


def test_a_level_deeper_than_the_tree_says_so(hr, demo):
    html = hr.client.get(f"/dashboards/overview?survey={demo}&level=9").get_data(as_text=True)
    assert "No department at this level has answers in this survey." in html
    assert (
        hr.client.get(f"/dashboards/overview/heatmap.png?survey={demo}&level=9").status_code == 404
    )


@pytest.mark.parametrize("query", ["level=x", "level=0", "level=-1", "level=999", "survey=abc"])
def test_malformed_filters_are_400(hr, query):
    response = hr.client.get(f"/dashboards/overview?{query}")
    assert response.status_code == 400
    assert "Index" not in response.get_data(as_text=True)


def test_an_unknown_survey_is_404(hr):
    for url in (
        "/dashboards/overview",
        "/dashboards/overview/heatmap.png",
        "/dashboards/overview/trend.png",
    ):
        assert hr.client.get(f"{url}?survey=999999").status_code == 404


def test_the_overview_is_hrs_only(demo, browser):
    browser.login("head.operations@demo.test", "cxdemo")
    for url in (
        "/dashboards/overview",
        "/dashboards/overview/heatmap.png",
        "/dashboards/overview/trend.png",
    ):
        assert browser.client.get(url).status_code == 403


def test_with_no_survey_the_page_says_so(app, browser, hr_admin):
    browser.login(hr_admin.email)
    browser.use_language("en")
    html = browser.client.get("/dashboards/overview").get_data(as_text=True)
    assert "No survey has been launched yet." in html


def test_wide_trees_show_the_table_without_an_image(hr, demo, monkeypatch):
    monkeypatch.setattr(routes, "HEATMAP_ROWS", 2)
    html = hr.client.get(f"/dashboards/overview?survey={demo}").get_data(as_text=True)
    assert "heatmap.png" not in html
    assert hr.client.get(f"/dashboards/overview/heatmap.png?survey={demo}").status_code == 404


def test_an_open_wave_shows_response_rates_and_no_result(hr, demo):
    # The demo's waves: the first (``demo``), the second, closed, and the third, open.
    html = hr.client.get(f"/dashboards/overview?survey={demo + 2}").get_data(as_text=True)
    assert "Not released yet: results come out when the survey closes" in html
    assert "cx-heat-" not in html  # no coloured score cell anywhere
    csv_text = hr.client.get(f"/dashboards/overview.csv?survey={demo + 2}").get_data(as_text=True)
    rows = [line.split(",") for line in csv_text.lstrip("\ufeff").splitlines()[1:]]
    assert all(row[3] == "" for row in rows)  # no index for any group
