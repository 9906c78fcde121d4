"""Did it work, for BI tools: the same rows as HR's page, numbers and verdicts, never a
department's name nor its own change."""

from __future__ import annotations

import pytest

from cxculture.extensions import db
from cxculture.models import Survey, utcnow
from tests.api.conftest import ApiClient, error_of, make_token
from tests.dashboards.test_effects import (
    CONTROL,
    HIDDEN,
    ONE_WAVE_ONLY,
    RIGHT_FIRST_TIME,
    TREATED,
    build_world,
    changes_of,
    welch_answer,
)
from tests.factories import make_survey


@pytest.fixture
def world(app, hr_admin):
    with app.app_context():
        return build_world()


def _row(body: dict, dimension: str) -> dict:
    [row] = [r for r in body["rows"] if r["dimension"] == dimension and r["kind"] == "module"]
    return row


def test_the_newest_pair_of_waves_with_its_rows(api, world):
    response = api.get("/api/v1/effects")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["first_wave"]["id"], body["second_wave"]["id"]) == (
        world["first"],
        world["second"],
    )
    assert (body["completion_share"], body["min_departments_per_side"]) == (0.6, 3)
    assert body["departments"] == 8
    row = _row(body, "right_first_time")
    difference, low, high = welch_answer(changes_of(TREATED, TREATED), changes_of(CONTROL, CONTROL))
    assert row["module"]["slug"] == RIGHT_FIRST_TIME
    assert (row["treated_departments"], row["control_departments"], row["control_partly"]) == (
        4,
        4,
        2,
    )
    assert row["difference"] == pytest.approx(difference)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert row["verdict"] == "clearly_higher"
    [plan] = [r for r in body["rows"] if r["kind"] == "plan"]
    assert (plan["module"], plan["dimension"], plan["treated_departments"]) == (None, "listen", 3)


def test_a_side_of_one_department_gives_no_number(api, world):
    row = _row(api.get(f"/api/v1/effects?survey_id={world['second']}").get_json(), "share")
    assert row["treated_departments"] == 1
    assert row["verdict"] == "too_few_departments"
    for name in ("treated_mean_change", "control_mean_change", "difference", "ci_low", "ci_high"):
        assert row[name] is None


def test_no_department_is_named(api, world):
    text = api.get("/api/v1/effects").get_data(as_text=True)
    for path in (*TREATED, *CONTROL, *HIDDEN, ONE_WAVE_ONLY):
        assert f'"{path}"' not in text


def test_a_survey_that_is_no_second_wave(api, world):
    response = api.get(f"/api/v1/effects?survey_id={world['first']}")
    assert response.status_code == 409
    assert error_of(response)["code"] == "no_wave_to_compare"
    response = api.get("/api/v1/effects?survey_id=999999")
    assert response.status_code == 404
    assert error_of(response)["code"] == "survey_not_found"
    assert api.get("/api/v1/effects?survey_id=abc").status_code == 422


def test_no_two_waves_gives_an_empty_answer(app, api):
    with app.app_context():
        survey = make_survey(name="Only wave")
        survey.closed_at = utcnow()
        db.session.commit()
        assert db.session.get(Survey, survey.id) is not None
    body = api.get("/api/v1/effects").get_json()
    assert (body["first_wave"], body["second_wave"], body["departments"], body["rows"]) == (
        None,
        None,
        0,
        [],
    )


def test_it_takes_the_results_scope(app, client, hr_admin):
    for scope, expected in (("results:read", 200), ("training:read", 403), ("people:read", 403)):
        api = ApiClient(client, make_token(app, [scope], owner=hr_admin))
        assert api.get("/api/v1/effects").status_code == expected, scope
