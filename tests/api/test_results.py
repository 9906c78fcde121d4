"""A BI tool pulls surveys and department results through the same anonymity guard as the
pages: a hidden group carries no number at all, and no set of calls shows more than the pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cxculture import disclosure
from cxculture.extensions import db
from cxculture.models import Department, Invitation, Survey, utcnow
from cxculture.paths import ancestors, parent_of
from cxculture.scoring.anonymity import Group
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.services.surveys import responses
from tests.api.conftest import error_of
from tests.factories import full_answers, make_survey, make_user
from tests.scoring.test_anonymity import MINIMUM, _revealed

# Respondents per department, chosen so that some groups are small, some become derivable
# from their parent and siblings, and some are large enough to show.
SIZES = {
    "Operations/Contact Center": 6,
    "Operations/Logistics": 3,
    "Operations/Social Media": 7,
    "Sales": 2,
    "Sales/East": 4,
    "Sales/West": 8,
    "Finance": 5,
    "IT": 1,
}


def _answered_survey(sizes: dict[str, int]) -> int:
    """A launched survey in which everyone of ``sizes`` answered (values vary by department)."""
    for path, count in sizes.items():
        for _ in range(count):
            make_user(department=path)
    hr = make_user(is_hr_admin=True, department=None)
    survey = make_survey(actor=hr)
    invitations = db.session.execute(
        select(Invitation).where(Invitation.survey_id == survey.id)
    ).scalars()
    for number, invitation in enumerate(list(invitations)):
        department = invitation.user.department
        if department is None or department.path not in sizes:
            continue  # HR people answer nothing here
        answers = full_answers(survey, 2 + number % 4, "I answer our customers' calls.")
        responses.submit_response(invitation, answers, "en", utcnow())
    return survey.id


@pytest.fixture
def survey_id(app, hr_admin) -> int:
    """The survey, answered and closed: its results are released."""
    with app.app_context():
        survey = db.session.get(Survey, _answered_survey(SIZES))
        survey.closed_at = utcnow()
        db.session.commit()
        return survey.id


def _department_ids(app) -> dict[str, int]:
    with app.app_context():
        return dict(db.session.execute(select(Department.path, Department.id)).all())


def _truth(sizes: dict[str, int]) -> dict[str, Group]:
    """Every group's real size: the departments, their ancestors and the company."""
    totals: dict[str, int] = {}
    for path, count in sizes.items():
        for key in ancestors(path):
            totals[key] = totals.get(key, 0) + count
    return {key: Group(key, parent_of(key), n) for key, n in totals.items()}


def test_surveys_are_listed_with_state_and_counts(app, api, survey_id):
    with app.app_context():
        make_survey(name="Next wave", launch=False)
    body = api.get("/api/v1/surveys").get_json()
    launched, draft = body["data"]
    assert launched["id"] == survey_id
    assert launched["state"] == "closed"
    assert launched["responded"] == sum(SIZES.values())
    assert launched["invited"] >= launched["responded"]
    assert launched["counts_withheld"] is None
    assert launched["instrument"]["key"]
    assert draft["state"] == "draft"
    assert draft["invited"] is draft["responded"] is None  # nobody invited: under the minimum
    assert draft["counts_withheld"] == "suppressed"


def test_company_results_have_every_number_of_the_pages(app, api, survey_id):
    body = api.get(f"/api/v1/surveys/{survey_id}/results").get_json()
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        found = disclosure.release_of(survey, utcnow())
        spread = disclosure.answer_distributions(found, "").dimensions
    company = found.company
    assert body["department"] is None
    assert body["suppressed"] is False
    assert body["withheld"] is None
    assert body["stale"] is False
    assert body["n"] == company.n == sum(SIZES.values())
    assert body["index"] == pytest.approx(company.index)
    assert [d["key"] for d in body["dimensions"]] == list(DIMENSIONS)
    for dimension in body["dimensions"]:
        assert dimension["score"] == pytest.approx(company.dimensions[dimension["key"]])
        assert dimension["favorable"] == pytest.approx(spread[dimension["key"]].favorable)
        shares = dimension["favorable"] + dimension["neutral"] + dimension["unfavorable"]
        assert shares == pytest.approx(1)
    assert body["role_statements"]["customer_direct"] == pytest.approx(1.0)
    assert body["customer_mention_rate"] == pytest.approx(1.0)


def test_a_department_includes_the_ones_below_it(app, api, survey_id):
    ids = _department_ids(app)
    body = api.get(f"/api/v1/surveys/{survey_id}/results?department={ids['Operations']}")
    assert body.get_json()["n"] == 16
    assert body.get_json()["department"] == {"id": ids["Operations"], "path": "Operations"}


def test_a_group_under_the_minimum_shows_no_numbers(app, api, survey_id):
    ids = _department_ids(app)
    body = api.get(f"/api/v1/surveys/{survey_id}/results?department={ids['IT']}").get_json()
    assert body["suppressed"] is True
    assert body["minimum"] == MINIMUM
    for field in ("n", "index", "role_statements", "customer_mention_rate"):
        assert body[field] is None
    assert body["dimensions"] == []


def test_a_group_that_would_reveal_a_hidden_sibling_is_hidden_too(app, api, survey_id):
    """Operations (16) minus Contact Center (6) and Social Media (7) would give Logistics (3)."""
    ids = _department_ids(app)
    shown = {
        path: not api.get(f"/api/v1/surveys/{survey_id}/results?department={ids[path]}").get_json()[
            "suppressed"
        ]
        for path in ("Operations", "Operations/Contact Center", "Operations/Social Media")
    }
    assert not all(shown.values())


def test_no_results_call_ever_returns_a_group_under_the_minimum(app, api, survey_id):
    ids = _department_ids(app)
    shown: dict[str, int] = {}
    for path, department_id in [("", None), *ids.items()]:
        query = f"?department={department_id}" if department_id else ""
        body = api.get(f"/api/v1/surveys/{survey_id}/results{query}").get_json()
        if not body["suppressed"]:
            assert body["n"] >= MINIMUM, path
            shown[path] = body["n"]
        else:
            assert body["n"] is None
            assert body["index"] is None
            assert body["dimensions"] == []
    truth = _truth(SIZES)
    hidden = frozenset(key for key in truth if key not in shown)
    # Nothing under the minimum can be worked out by combining every call made above...
    assert _revealed(truth, hidden) == []
    # ...and the API shows exactly what the pages show.
    with app.app_context():
        found = disclosure.release_of(db.session.get(Survey, survey_id), utcnow())
    assert shown == {key: g.n for key, g in found.groups.items() if not g.is_suppressed}


def test_a_department_nobody_answered_in_is_hidden(app, api, survey_id):
    with app.app_context():
        empty = make_user(department="Legal").department_id
    body = api.get(f"/api/v1/surveys/{survey_id}/results?department={empty}").get_json()
    assert body["suppressed"] is True
    assert body["n"] is None


def test_results_of_an_unknown_survey_or_department_are_404(api, survey_id):
    assert error_of(api.get("/api/v1/surveys/999/results"))["code"] == "survey_not_found"
    assert api.get(f"/api/v1/surveys/{2**40}/results").status_code == 404
    response = api.get(f"/api/v1/surveys/{survey_id}/results?department=999")
    assert error_of(response)["code"] == "department_not_found"


def test_results_of_a_draft_are_a_409(app, api):
    with app.app_context():
        draft = make_survey(launch=False).id
    response = api.get(f"/api/v1/surveys/{draft}/results")
    assert response.status_code == 409
    assert error_of(response)["code"] == "survey_not_launched"


def test_a_department_id_that_is_not_a_number_is_a_422(api, survey_id):
    response = api.get(f"/api/v1/surveys/{survey_id}/results?department=sales")
    assert response.status_code == 422
    assert set(error_of(response)["details"]["query"]) == {"department"}
