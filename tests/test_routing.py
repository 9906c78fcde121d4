"""Ids and names in an address that no record can have are a 404, before any query runs."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "path",
    [
        "/hr/surveys/2147483648",  # one past the largest INTEGER
        "/hr/surveys/99999999999999999999",  # overflows SQLite's and PostgreSQL's integers
        "/hr/surveys/" + "9" * 5000,  # more digits than int() converts
        "/hr/surveys/%D9%A3",  # an Arabic-Indic digit
        "/hr/modules/a%00b/en",  # PostgreSQL refuses NUL in a query
        "/training/who%1Bis",
    ],
)
def test_an_impossible_id_or_name_in_the_address_is_a_404(browser, hr_admin, path):
    browser.login(hr_admin.email)
    assert browser.client.get(path).status_code == 404


def test_ids_and_names_that_can_exist_still_reach_their_page(app, browser, hr_admin):
    browser.login(hr_admin.email)
    assert browser.client.get("/hr/surveys/2147483647").status_code == 404  # looked up, absent
    assert browser.client.get("/hr/modules/").status_code == 200
