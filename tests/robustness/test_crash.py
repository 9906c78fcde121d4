"""A crash in the middle of a write (an exception after some of its rows reached the database,
before the commit) shows the error page, keeps nothing of the change, and the next request
works: the transaction was rolled back, not left open."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import (
    Answer,
    Enrolment,
    Invitation,
    OutboxMessage,
    Response,
    RosterImport,
    Survey,
    User,
    utcnow,
)
from cxculture.services import accounts, audit, training
from cxculture.services.surveys import responses
from tests.factories import make_survey, make_user
from tests.robustness.world import QUIZ_YAML, snapshot


class Crash(RuntimeError):
    """What the server ran into halfway through the write."""


@pytest.fixture
def crash(app, monkeypatch):
    """``crash(target, name)`` makes ``target.name`` raise for the next request; ``crash()``
    makes the commit raise after flushing every pending row; ``crash.crashes`` counts the
    crashes. Errors answer the 500 page, as in production."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def arm(target=None, name: str | None = None) -> None:
        def fail(*args, **kwargs):
            if target is None:
                db.session.flush()  # every statement of the write has run
            arm.crashes += 1
            raise Crash("the server died halfway through the write")

        monkeypatch.setattr(target or db.session, name or "commit", fail)

    arm.crashes = 0
    yield arm
    monkeypatch.undo()


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _state(app) -> dict:
    with app.app_context():
        return snapshot()


def _is_error_page(response) -> bool:
    html = response.get_data(as_text=True)
    return response.status_code == 500 and "Something went wrong" in html and "Crash" not in html


# Submitting a response


def _answer_form(items: list[int], action: str) -> dict[str, str]:
    form = {f"item_{item}": "4" for item in items}
    form.update(role_statement="I answer our customers' calls.")
    form[action] = "1"
    return form


@pytest.mark.parametrize(
    "point",
    [(responses, "score_response"), (None, None)],
    ids=["after-the-claim", "before-the-commit"],
)
def test_a_crash_while_submitting_keeps_no_response_and_the_draft(
    app, browser, employee, crash, monkeypatch, point
):
    with app.app_context():
        survey = make_survey()
        survey_id, items = survey.id, [item.id for item in survey.instrument.items]
    browser.login(employee.email)
    page = f"/surveys/{survey_id}"
    assert browser.post_form(page, _answer_form(items[:3], "save")).status_code == 302
    before = _state(app)

    crash(*point)
    assert _is_error_page(browser.post_form(page, _answer_form(items, "submit")))
    monkeypatch.undo()
    assert crash.crashes == 1

    assert _state(app) == before  # no response, no answer, the invitation as it was
    with app.app_context():
        invitation = db.session.execute(
            select(Invitation).where(Invitation.user_id == employee.id)
        ).scalar_one()
        assert invitation.submitted_at is None
        assert sorted(invitation.draft["answers"]) == sorted(str(item) for item in items[:3])
    assert browser.post_form(page, _answer_form(items, "submit")).status_code == 302
    with app.app_context():
        assert _count(Response) == 1
        assert _count(Answer) == len(items)


# Launching a survey


@pytest.mark.parametrize(
    "point", [(audit, "record"), (None, None)], ids=["after-the-invitations", "before-the-commit"]
)
def test_a_crash_while_launching_invites_nobody_and_sends_nothing(
    app, browser, hr_admin, crash, monkeypatch, point
):
    with app.app_context():
        for _ in range(3):
            make_user()
        survey_id = make_survey(launch=False, opens_in=timedelta(hours=1)).id
    browser.login(hr_admin.email)
    page = f"/hr/surveys/{survey_id}"
    before = _state(app)

    crash(*point)
    assert _is_error_page(browser.post_form(page, {"confirm": "launch"}, action=f"{page}/launch"))
    monkeypatch.undo()
    assert crash.crashes == 1

    assert _state(app) == before
    with app.app_context():
        assert db.session.get(Survey, survey_id).launched_at is None
        assert _count(Invitation) == 0
        assert _count(OutboxMessage) == 0
    launched = browser.post_form(page, {"confirm": "launch"}, action=f"{page}/launch")
    assert launched.status_code == 302
    with app.app_context():
        assert db.session.get(Survey, survey_id).launched_at is not None
        assert _count(Invitation) == _count(OutboxMessage) == _count(User)


# Assigning a module to a department


def test_a_crash_while_assigning_enrols_nobody(app, browser, head, crash, monkeypatch):
    with app.app_context():
        for _ in range(3):
            make_user(department="Operations/Contact Center")
        actor = make_user(is_hr_admin=True, department="People")
        module = training.create_module(actor, "who-is-my-customer", ["line_of_sight"], 4, "free")
        training.save_text(actor, module, "en", "Who is my customer?", "Read.", "Who?", QUIZ_YAML)
        department_id = db.session.execute(
            select(User.department_id).where(User.id == head.id)
        ).scalar_one()
        form = {
            "module_id": str(module.id),
            "department_id": str(department_id),
            "due_on": (utcnow().date() + timedelta(days=7)).isoformat(),
        }
    browser.login(head.email)
    before = _state(app)

    crash()
    assert _is_error_page(browser.post_form("/dashboards/training", form))
    monkeypatch.undo()
    assert crash.crashes == 1

    assert _state(app) == before
    with app.app_context():
        assert _count(Enrolment) == 0
    assert browser.post_form("/dashboards/training", form).status_code == 302
    with app.app_context():
        assert _count(Enrolment) == 4  # the head and the three people of Operations below


# Applying a roster


ROSTER = (
    b"employee number,name,email,department,head of\r\n"
    b"7001,Ana Souza,ana@acme.test,Operations/Contact Center,Operations/Contact Center\r\n"
    b"7002,Bruno Lima,bruno@acme.test,Operations/Logistics,\r\n"
    b"7003,Carmen Ruiz,carmen@acme.test,Finance,\r\n"
)


@pytest.mark.parametrize(
    "point",
    [(accounts, "queue_set_password_emails"), (None, None)],
    ids=["after-the-people", "before-the-commit"],
)
def test_a_crash_while_applying_a_roster_applies_nothing(
    app, browser, hr_admin, crash, monkeypatch, point
):
    browser.login(hr_admin.email)
    upload = browser.post_form(
        "/hr/roster/",
        {"file": (io.BytesIO(ROSTER), "people.csv")},
        content_type="multipart/form-data",
    )
    page = upload.location
    before = _state(app)

    crash(*point)
    confirmed = {"send_emails": "y", "confirm": "apply"}
    assert _is_error_page(browser.post_form(page, confirmed, action=f"{page}/apply"))
    monkeypatch.undo()
    assert crash.crashes == 1

    assert _state(app) == before
    with app.app_context():
        assert db.session.execute(select(RosterImport.applied_at)).scalar_one() is None
        assert _count(User) == 1  # the HR admin alone
    assert browser.post_form(page, confirmed, action=f"{page}/apply").status_code == 302
    with app.app_context():
        assert _count(User) == 4
        assert db.session.execute(select(RosterImport.applied_at)).scalar_one() is not None
