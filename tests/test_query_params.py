"""Malformed query parameters are a 400 (or ignored where they only preselect something),
never a 500: digits that are not ASCII, numbers past any id, characters no text may hold."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "path",
    [
        "/dashboards/results?survey=%C2%B2",  # "²" is a digit to str.isdigit, not to int()
        "/dashboards/results?survey=99999999999999999999",
        "/dashboards/overview?level=%C2%B2",
        "/dashboards/overview?level=%D9%A3",  # an Arabic-Indic three
        "/dashboards/overview.csv?survey=%EF%BC%99",  # a full-width nine
        "/hr/org/people?q=a%00b",  # PostgreSQL refuses NUL in a query
        "/hr/org/people?q=%1B%5B31m",
        "/hr/org/people?page=%C2%B2",
    ],
)
def test_a_malformed_query_parameter_is_a_400(browser, hr_admin, path):
    browser.login(hr_admin.email)
    assert browser.client.get(path).status_code == 400


def test_a_malformed_preselection_is_ignored(browser, hr_admin):
    browser.login(hr_admin.email)
    page = browser.client.get("/dashboards/training?module=%C2%B2&department=99999999999999")
    assert page.status_code == 200


@pytest.mark.parametrize("department_id", ["²", "99999999999999999999", "-1"])
def test_a_malformed_department_in_the_assign_form_is_a_form_error(browser, head, department_id):
    browser.login(head.email)
    response = browser.post_form(
        "/dashboards/training",
        {"module_id": "1", "department_id": department_id, "due_on": "2099-01-01"},
    )
    assert response.status_code == 200  # the form again, nothing assigned
    assert "Module assigned" not in response.get_data(as_text=True)
