"""Focus plans: heads plan for their own departments only, HR for all; bad input is refused
where it was typed; employees see their own department's shared plans; overdue actions remind
their owners once a day; every change is audited; a plan shows how its dimensions moved once
a later wave is released."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from cxculture import disclosure
from cxculture.extensions import db
from cxculture.models import (
    AuditEvent,
    Department,
    FocusPlan,
    OutboxMessage,
    PlanAction,
    Survey,
    utcnow,
)
from cxculture.services import plans
from cxculture.services.plans import changes, reminders
from cxculture.services.surveys import responses
from tests.conftest import csrf_token
from tests.factories import closed_release, full_answers, make_survey
from tests.plans.conftest import TEAM, answered_wave, make_plan, user_by_email


def _new_plan_page(world, department: str = "team") -> str:
    return f"/plans/new/{world[department]}?survey={world['wave']}"


def test_a_head_makes_a_plan_for_their_department_and_adds_an_action(app, browser, head, world):
    browser.login(head.email)
    response = browser.post_form(
        _new_plan_page(world), {"survey_id": str(world["wave"]), "dimensions": ["listen", "act"]}
    )
    assert response.status_code == 302
    with app.app_context():
        plan = db.session.execute(select(FocusPlan)).scalar_one()
        assert plan.dimensions == ["listen", "act"]
        owner = user_by_email("employee@example.test").id
        plan_id = plan.id
    page = f"/plans/{plan_id}"
    due = (utcnow().date() + timedelta(days=7)).isoformat()
    added = browser.post_form(
        page,
        {"text": "Read five complaints together", "owner_id": str(owner), "due_on": due},
        action=f"{page}/actions",
    )
    assert added.status_code == 302
    html = browser.client.get(page).get_data(as_text=True)
    assert "Read five complaints together" in html
    assert "Eva Employee" in html


def test_a_department_outside_the_heads_reach_is_403(app, browser, world):
    browser.login(world["other_head"])
    assert browser.client.get(_new_plan_page(world)).status_code == 403
    plan_id = make_plan(app, "head@example.test", world["team"], world["wave"])
    assert browser.client.get(f"/plans/{plan_id}").status_code == 403
    token_page = browser.client.get("/plans/").get_data(as_text=True)
    assert TEAM not in token_page

    token = csrf_token(token_page)
    posted = browser.client.post(
        f"/plans/{plan_id}/actions",
        data={"csrf_token": token, "text": "x", "due_on": "2099-01-01", "owner_id": "0"},
    )
    assert posted.status_code == 403
    assert (
        browser.client.post(f"/plans/{plan_id}/close", data={"csrf_token": token}).status_code
        == 403
    )
    with app.app_context():
        assert db.session.get(FocusPlan, plan_id).closed_at is None
        assert db.session.execute(select(PlanAction)).first() is None


def test_a_plan_that_does_not_exist_is_404(browser, head, world):
    browser.login(head.email)
    assert browser.client.get("/plans/999").status_code == 404
    assert browser.client.get("/plans/new/999").status_code == 404


def test_the_service_refuses_a_head_out_of_reach(app, world):

    with app.app_context(), pytest.raises(plans.NotYourDepartment):
        plans.create_plan(
            user_by_email(world["other_head"]),
            db.session.get(Department, world["team"]),
            db.session.get(Survey, world["wave"]),
            ["listen"],
            utcnow(),
        )


def test_a_due_date_in_the_past_is_refused_beside_the_field(app, browser, head, world):
    plan_id = make_plan(app, head.email, world["team"], world["wave"])
    browser.login(head.email)
    page = f"/plans/{plan_id}"
    yesterday = (utcnow().date() - timedelta(days=1)).isoformat()
    response = browser.post_form(
        page, {"text": "Call back", "owner_id": "0", "due_on": yesterday}, action=f"{page}/actions"
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    field = html[html.index('id="due_on"') :]
    assert "Choose a due date from today on." in field[: field.index("</div>") + 200]
    assert 'aria-describedby="due_on-errors"' in html
    with app.app_context():
        assert db.session.execute(select(PlanAction)).first() is None


@pytest.mark.parametrize("dimensions", [[], ["listen", "share", "act", "lead"], ["nonsense"]])
def test_a_plan_takes_one_to_three_known_dimensions(app, browser, head, world, dimensions):
    browser.login(head.email)
    response = browser.post_form(
        _new_plan_page(world), {"survey_id": str(world["wave"]), "dimensions": dimensions}
    )
    assert response.status_code == 200
    with app.app_context():
        assert db.session.execute(select(FocusPlan)).first() is None
        with pytest.raises(plans.PlanError):
            make_plan(app, head.email, world["team"], world["wave"], dimensions)


def test_a_plan_follows_a_closed_wave_only(app, head, world):
    with app.app_context():
        open_wave = make_survey(name="Open", departments=(TEAM,))
        open_id = open_wave.id
    with pytest.raises(plans.PlanError):
        make_plan(app, head.email, world["team"], open_id)


def test_a_closed_plan_can_no_longer_be_changed(app, browser, head, world):
    plan_id = make_plan(app, head.email, world["team"], world["wave"])
    with app.app_context():
        plan = db.session.get(FocusPlan, plan_id)
        actor = user_by_email(head.email)
        action = plans.add_action(
            actor, plan, "Before closing", None, utcnow().date(), utcnow().date()
        )
        action_id = action.id
        plans.close_plan(actor, plan, utcnow())
        for change in (
            lambda: plans.add_action(actor, plan, "After", None, utcnow().date(), utcnow().date()),
            lambda: plans.update_action(actor, action, "done", utcnow()),
            lambda: plans.share_plan(actor, plan, True),
            lambda: plans.edit_plan(actor, plan, ["lead"]),
            lambda: plans.close_plan(actor, plan, utcnow()),
        ):
            with pytest.raises(plans.PlanClosed):
                change()
    browser.login(head.email)
    page = f"/plans/{plan_id}"
    due = (utcnow().date() + timedelta(days=3)).isoformat()
    added = browser.post_form(
        page, {"text": "After", "owner_id": "0", "due_on": due}, action=f"{page}/actions"
    )
    assert added.status_code == 302
    status = browser.post_form(page, {"status": "done"}, action=f"{page}/actions/{action_id}")
    assert status.status_code == 302
    refused = browser.client.get(page).get_data(as_text=True)
    assert "This plan is closed" in refused
    with app.app_context():
        assert [a.text for a in db.session.execute(select(PlanAction)).scalars()] == [
            "Before closing"
        ]
        assert db.session.get(PlanAction, action_id).status == "not_started"


def test_hr_sees_every_plan_with_its_progress_and_a_head_only_theirs(
    app, browser, head, hr_admin, world
):
    team_plan = make_plan(app, head.email, world["team"], world["wave"])
    make_plan(app, hr_admin.email, world["sales"], world["wave"], ("lead",))
    with app.app_context():
        plan = db.session.get(FocusPlan, team_plan)
        actor = user_by_email(head.email)
        today = utcnow().date()
        done = plans.add_action(actor, plan, "Done one", None, today, today)
        plans.update_action(actor, done, "done", utcnow())
        late = plans.add_action(actor, plan, "Late one", None, today, today)
        late.due_on = today - timedelta(days=2)  # written before, due since
        plans.add_action(actor, plan, "Open one", None, today + timedelta(days=5), today)
        db.session.commit()
        rows = {
            row.plan.department.path: row
            for row in plans.plan_rows(user_by_email(hr_admin.email), today)
        }
        assert set(rows) == {TEAM, "Commercial/Sales"}
        assert (rows[TEAM].total, rows[TEAM].done, rows[TEAM].overdue) == (3, 1, 1)
        head_rows = plans.plan_rows(user_by_email(head.email), today)
        assert [row.plan.department.path for row in head_rows] == [TEAM]
    browser.login(hr_admin.email)
    html = browser.client.get("/plans/").get_data(as_text=True)
    assert TEAM in html
    assert "Commercial/Sales" in html
    assert "1 of 3" in html


def test_an_employee_sees_their_own_departments_shared_plans_only(
    app, browser, head, hr_admin, employee, world
):
    shared = make_plan(app, head.email, world["team"], world["wave"], ("listen",))
    unshared = make_plan(app, head.email, world["team"], world["wave"], ("lead",))
    elsewhere = make_plan(app, hr_admin.email, world["sales"], world["wave"], ("act",))
    with app.app_context():
        actor = user_by_email(hr_admin.email)
        today = utcnow().date()
        for plan_id, text in (
            (shared, "Shared action"),
            (unshared, "Hidden action"),
            (elsewhere, "Sales action"),
        ):
            plan = db.session.get(FocusPlan, plan_id)
            plans.add_action(actor, plan, text, None, today, today)
        plans.share_plan(actor, db.session.get(FocusPlan, shared), True)
        plans.share_plan(actor, db.session.get(FocusPlan, elsewhere), True)
        assert [p.id for p in plans.shared_plans_for(user_by_email(employee.email))] == [shared]
    browser.login(employee.email)
    html = browser.client.get("/me").get_data(as_text=True)
    assert "Shared action" in html
    assert "Hidden action" not in html
    assert "Sales action" not in html
    assert browser.client.get(f"/plans/{shared}").status_code == 403  # the page is the head's


def test_overdue_actions_remind_each_owner_once_a_day(app, head, employee, world):
    plan_id = make_plan(app, head.email, world["team"], world["wave"])
    with app.app_context():
        plan = db.session.get(FocusPlan, plan_id)
        actor = user_by_email(head.email)
        eva = user_by_email(employee.email).id
        today = utcnow().date()
        for text in ("First late", "Second late", "Not late", "Finished"):
            plans.add_action(actor, plan, text, eva, today, today)
        actions = {a.text: a for a in plan.actions}
        actions["First late"].due_on = actions["Second late"].due_on = today - timedelta(days=1)
        actions["Finished"].due_on = today - timedelta(days=1)
        actions["Finished"].status = "done"
        db.session.commit()
        now = datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=9)
        assert reminders.remind_overdue_actions(now) == 1
        assert reminders.remind_overdue_actions(now + timedelta(hours=5)) == 0
        [message] = db.session.execute(
            select(OutboxMessage).where(OutboxMessage.kind == "plan_overdue")
        ).scalars()
        assert message.kind == "plan_overdue"
        assert message.to_email == employee.email
        assert "First late" in message.body
        assert "Second late" in message.body
        assert "Not late" not in message.body
        assert "Finished" not in message.body
        assert reminders.remind_overdue_actions(now + timedelta(days=1)) == 1
        plans.close_plan(actor, plan, now)
        assert reminders.remind_overdue_actions(now + timedelta(days=2)) == 0


def test_every_change_is_in_the_audit_log(app, head, employee, world):
    plan_id = make_plan(app, head.email, world["team"], world["wave"])
    with app.app_context():
        plan = db.session.get(FocusPlan, plan_id)
        actor = user_by_email(head.email)
        today = utcnow().date()
        plans.edit_plan(actor, plan, ["lead", "listen"])
        action = plans.add_action(
            actor, plan, "Talk", user_by_email(employee.email).id, today, today
        )
        plans.update_action(actor, action, "on_track", utcnow())
        plans.share_plan(actor, plan, True)
        plans.close_plan(actor, plan, utcnow())
        events = (
            db.session.execute(
                select(AuditEvent)
                .where(AuditEvent.target_type == "focus_plan")
                .order_by(AuditEvent.id)
            )
            .scalars()
            .all()
        )
        assert [e.action for e in events] == [
            "plan.created",
            "plan.edited",
            "plan.action_added",
            "plan.action_updated",
            "plan.shared",
            "plan.closed",
        ]
        assert {e.actor_id for e in events} == {actor.id}
        assert events[1].details == {"dimension": ["listen", "lead"]}
        assert events[2].details["owner"] == user_by_email(employee.email).id
        assert events[3].details["status"] == "on_track"
        assert "Talk" not in str([e.details for e in events])  # the text stays in the plan


def _released(survey_id: int, dimension: str) -> float:
    """The Contact Center's score on ``dimension`` as the release layer gives it."""

    found = disclosure.release_of(db.session.get(Survey, survey_id), utcnow())
    return found.group(TEAM).dimensions[dimension]


def test_the_change_shows_only_once_both_waves_are_released(app, browser, head, world):
    plan_id = make_plan(app, head.email, world["team"], world["wave"], ("listen", "act"))
    with app.app_context():
        later = answered_wave("Wave 2", 5, timedelta(days=-1), close=False)
        later_id = later.id
        found = changes.focus_changes(db.session.get(FocusPlan, plan_id), utcnow())
        before = {d: _released(world["wave"], d) for d in ("listen", "act")}
        assert found.later is None
        assert [(r.dimension, r.before, r.after) for r in found.rows] == [
            ("listen", before["listen"], None),
            ("act", before["act"], None),
        ]
    browser.login(head.email)
    html = browser.client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert "Wave 2" not in html
    with app.app_context():
        closed_release(db.session.get(Survey, later_id))
        found = changes.focus_changes(db.session.get(FocusPlan, plan_id), utcnow())
        after = {d: _released(later_id, d) for d in ("listen", "act")}
        assert found.later is not None
        assert found.later.id == later_id
        assert [r.change for r in found.rows] == [
            after["listen"] - before["listen"],
            after["act"] - before["act"],
        ]
        assert all(r.change and r.change > 0 for r in found.rows)
        shown = f"+{round(found.rows[0].change)}"
    html = browser.client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert "Wave 2" in html
    assert shown in html


def test_a_group_too_small_in_the_later_wave_shows_no_change(app, head, world):
    plan_id = make_plan(app, head.email, world["team"], world["wave"])
    with app.app_context():
        small = make_survey(name="Small", departments=(TEAM,), opens_in=timedelta(days=-1))
        invitations = (
            db.session.execute(
                select(responses.Invitation).where(responses.Invitation.survey_id == small.id)
            )
            .scalars()
            .all()
        )
        for invitation in invitations[:2]:  # two answers: below the minimum of five
            responses.submit_response(invitation, full_answers(small, 5), "en", utcnow())
        closed_release(small)
        found = changes.focus_changes(db.session.get(FocusPlan, plan_id), utcnow())
        [row] = found.rows
        assert row.before == _released(world["wave"], "listen")
        assert (row.after, row.change) == (None, None)


def test_a_head_changes_the_plans_dimensions_within_one_to_three(app, browser, head, world):
    plan_id = make_plan(app, head.email, world["team"], world["wave"])
    browser.login(head.email)
    page = f"/plans/{plan_id}"
    too_many = {"dimensions": ["listen", "share", "act", "lead"]}
    refused = browser.post_form(page, too_many, action=f"{page}/dimensions")
    assert refused.status_code == 200
    assert "Choose one to three dimensions." in refused.get_data(as_text=True)
    saved = browser.post_form(page, {"dimensions": ["lead", "act"]}, action=f"{page}/dimensions")
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(FocusPlan, plan_id).dimensions == ["act", "lead"]
