"""Training completion per module for a department (and below) or every department: the same
figures as the training pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import Enrolment, User, utcnow
from cxculture.services import training
from cxculture.services.org import ensure_department
from cxculture.services.training import assignments
from tests.api.conftest import error_of
from tests.factories import make_user


@pytest.fixture
def assigned(app, hr_admin):
    """One module assigned to Operations (3 people) and Finance (1): one done, one overdue."""
    with app.app_context():
        training.load_modules()
        for path in ("Operations/Contact Center", "Operations/Contact Center", "Operations"):
            make_user(department=path)
        make_user(department="Finance")
        module = training.get_module("who-is-my-customer")
        hr = db.session.get(User, hr_admin.id)
        today = utcnow().date()
        for path in ("Operations", "Finance"):
            assignments.assign_to_department(
                hr, module, ensure_department(path), today + timedelta(days=7), None, today
            )
        enrolments = db.session.execute(select(Enrolment).order_by(Enrolment.id)).scalars().all()
        enrolments[0].completed_at = utcnow()
        enrolments[1].due_on = today - timedelta(days=1)
        db.session.commit()
        return {"module": module.id, "operations": ensure_department("Operations").id}


def test_completion_per_module_for_every_department(app, api, assigned):
    body = api.get("/api/v1/training/completion").get_json()
    assert body["department"] is None
    [row] = body["modules"]
    assert row == {
        "module_id": assigned["module"],
        "slug": "who-is-my-customer",
        "title": row["title"],
        "assigned": 4,
        "completed": 1,
        "overdue": 1,
    }
    assert row["title"]


def test_completion_of_one_department_includes_the_ones_below(api, assigned):
    body = api.get(f"/api/v1/training/completion?department={assigned['operations']}")
    [row] = body.get_json()["modules"]
    assert row["assigned"] == 3
    assert body.get_json()["department"]["path"] == "Operations"


def test_the_api_counts_as_the_training_pages_do(app, api, assigned, hr_admin):
    with app.app_context():
        hr = db.session.get(User, hr_admin.id)
        pages = assignments.completion_by_module(assignments.completion(hr), utcnow().date())
    [row] = api.get("/api/v1/training/completion").get_json()["modules"]
    assert (row["assigned"], row["completed"], row["overdue"]) == (
        pages[0].enrolled,
        pages[0].completed,
        pages[0].overdue,
    )


def test_completion_of_an_unknown_department_is_a_404(api):
    response = api.get("/api/v1/training/completion?department=4242")
    assert response.status_code == 404
    assert error_of(response)["code"] == "department_not_found"
