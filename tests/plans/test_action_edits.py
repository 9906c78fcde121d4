"""Correcting and removing a focus plan's actions: an action's text, owner and due date are
edited on a page of its own with the same checks as adding one (but an overdue action may keep
its day), an action written by mistake is removed after a confirmation, both are refused on a
closed plan and out of the person's reach, and both are in the audit log without the text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import AuditEvent, FocusPlan, PlanAction, utcnow
from cxculture.services import audit, plans
from cxculture.services.plans import reminders
from cxculture.templating import audit_details
from tests.conftest import csrf_token
from tests.plans.conftest import make_plan, user_by_email

TEXT = "Read five complaints together"
CLOSED_MESSAGE = "This plan is closed: it can no longer be changed."


def _today() -> date:
    return utcnow().date()


def _day(days: int) -> str:
    return (_today() + timedelta(days=days)).isoformat()


@pytest.fixture
def action_ids(app, head, employee, world) -> tuple[int, int]:
    """(plan, action): the Contact Center's plan with one action, Eva's, due in a week."""
    plan_id = make_plan(app, head.email, world["team"], world["wave"])
    with app.app_context():
        plan = db.session.get(FocusPlan, plan_id)
        action = plans.add_action(
            user_by_email(head.email),
            plan,
            TEXT,
            employee.id,
            _today() + timedelta(days=7),
            _today(),
        )
        return plan_id, action.id


def _edit_page(ids: tuple[int, int]) -> str:
    return f"/plans/{ids[0]}/actions/{ids[1]}/edit"


def _remove_page(ids: tuple[int, int]) -> str:
    return f"/plans/{ids[0]}/actions/{ids[1]}/remove"


def _action(app, action_id: int) -> dict[str, object] | None:
    """The action as stored, or None once removed."""
    with app.app_context():
        found = db.session.get(PlanAction, action_id)
        if found is None:
            return None
        return {
            "text": found.text,
            "owner_id": found.owner_id,
            "due_on": found.due_on,
            "reminded_on": found.reminded_on,
        }


def _events(app, action_name: str) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.execute(
                select(AuditEvent).where(AuditEvent.action == action_name).order_by(AuditEvent.id)
            ).scalars()
        )


def _person_id(app, email: str) -> int:
    with app.app_context():
        return user_by_email(email).id


def _colleague_id(app, plan_id: int) -> int:
    """Someone among the plan's owner choices other than Eva."""
    with app.app_context():
        choices = plans.owner_choices(db.session.get(FocusPlan, plan_id))
        return next(p.id for p in choices if p.email != "employee@example.test")


def _close(app, head, plan_id: int) -> None:
    with app.app_context():
        plans.close_plan(user_by_email(head.email), db.session.get(FocusPlan, plan_id), utcnow())


# Editing


def test_the_plan_page_links_each_action_to_its_edit_and_remove_pages(
    app, browser, head, action_ids
):
    browser.login(head.email)
    html = browser.client.get(f"/plans/{action_ids[0]}").get_data(as_text=True)
    assert f'href="{_edit_page(action_ids)}"' in html
    assert f'href="{_remove_page(action_ids)}"' in html


def test_the_edit_page_shows_the_action_as_it_stands(app, browser, head, employee, action_ids):
    browser.login(head.email)
    html = browser.client.get(_edit_page(action_ids)).get_data(as_text=True)
    assert TEXT in html
    assert f'<option selected value="{employee.id}">' in html
    assert f'value="{_day(7)}"' in html


def test_a_head_corrects_an_actions_text_owner_and_due_date(
    app, browser, head, employee, world, action_ids
):
    colleague = _colleague_id(app, action_ids[0])
    browser.login(head.email)
    response = browser.post_form(
        _edit_page(action_ids),
        {"text": "Read ten complaints together", "owner_id": str(colleague), "due_on": _day(14)},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/plans/{action_ids[0]}"
    assert _action(app, action_ids[1]) == {
        "text": "Read ten complaints together",
        "owner_id": colleague,
        "due_on": _today() + timedelta(days=14),
        "reminded_on": None,
    }
    html = browser.client.get(f"/plans/{action_ids[0]}").get_data(as_text=True)
    assert "Read ten complaints together" in html
    assert "Action saved." in html


def test_an_action_can_be_given_to_nobody(app, browser, head, action_ids):
    browser.login(head.email)
    response = browser.post_form(
        _edit_page(action_ids), {"text": TEXT, "owner_id": "0", "due_on": _day(7)}
    )
    assert response.status_code == 302
    assert _action(app, action_ids[1])["owner_id"] is None


def _error_beside(html: str, field: str, message: str) -> bool:
    """Whether ``message`` is in ``field``'s error block, which its control points to."""
    if f'aria-describedby="{field}-errors"' not in html:
        return False
    block = html[html.index(f'id="{field}-errors"') :]
    return message in block[: block.index("</div>")]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"text": "   "}, "text", "This field is required."),
        ({"text": "x" * 501}, "text", "Field cannot be longer than 500 characters."),
        ({"owner_id": "seller"}, "owner_id", "Not a valid choice."),
        ({"due_on": -1}, "due_on", "Choose a due date from today on."),
        ({"due_on": "not a day"}, "due_on", "Not a valid date value."),
    ],
    ids=["blank text", "too long", "unknown owner", "past due date", "no date"],
)
def test_bad_input_is_refused_beside_its_field_and_changes_nothing(
    app, browser, head, employee, world, action_ids, change, field, message
):
    body = {"text": "A better text", "owner_id": str(employee.id), "due_on": _day(7), **change}
    if body["owner_id"] == "seller":
        body["owner_id"] = str(_person_id(app, world["seller"]))
    if isinstance(body["due_on"], int):
        body["due_on"] = _day(body["due_on"])
    before = _action(app, action_ids[1])
    browser.login(head.email)
    response = browser.post_form(_edit_page(action_ids), body)
    assert response.status_code == 200
    assert _error_beside(response.get_data(as_text=True), field, message)
    assert _action(app, action_ids[1]) == before
    assert _events(app, "plan.action_edited") == []


def _overdue(app, action_id: int, days: int = 3) -> date:
    """Make the action due ``days`` ago (written before, due since) and reminded today."""
    with app.app_context():
        action = db.session.get(PlanAction, action_id)
        action.due_on = _today() - timedelta(days=days)
        action.reminded_on = _today()
        db.session.commit()
        return action.due_on


def test_an_overdue_action_keeps_its_past_due_date_while_its_text_is_corrected(
    app, browser, head, employee, action_ids
):
    past = _overdue(app, action_ids[1])
    browser.login(head.email)
    page = browser.client.get(_edit_page(action_ids)).get_data(as_text=True)
    assert "Its due date has passed" in page
    response = browser.post_form(
        _edit_page(action_ids),
        {"text": "Read six complaints together", "owner_id": str(employee.id), "due_on": str(past)},
    )
    assert response.status_code == 302
    assert _action(app, action_ids[1]) == {
        "text": "Read six complaints together",
        "owner_id": employee.id,
        "due_on": past,
        "reminded_on": _today(),  # the day did not change: no second reminder today
    }
    [event] = _events(app, "plan.action_edited")
    assert event.details == {"plan_action": action_ids[1], "text_rewritten": True}


def test_an_overdue_action_cannot_be_moved_to_another_past_day(
    app, browser, head, employee, action_ids
):
    past = _overdue(app, action_ids[1])
    browser.login(head.email)
    response = browser.post_form(
        _edit_page(action_ids),
        {"text": TEXT, "owner_id": str(employee.id), "due_on": str(past + timedelta(days=1))},
    )
    assert response.status_code == 200
    assert _error_beside(response.get_data(as_text=True), "due_on", "from today on")
    assert _action(app, action_ids[1])["due_on"] == past


def test_a_new_due_date_clears_the_reminder_so_the_owner_is_reminded_once_it_passes(
    app, head, employee, action_ids
):
    _overdue(app, action_ids[1])
    with app.app_context():
        action = db.session.get(PlanAction, action_ids[1])
        assert plans.edit_action(
            user_by_email(head.email), action, TEXT, employee.id, _today(), _today()
        )
        assert action.reminded_on is None
        assert action.due_on == _today()
        today = datetime.combine(_today(), datetime.min.time(), UTC) + timedelta(hours=9)
        assert reminders.remind_overdue_actions(today) == 0  # due today: not late yet
        assert reminders.remind_overdue_actions(today + timedelta(days=1)) == 1
        assert action.reminded_on == _today() + timedelta(days=1)


def test_saving_the_action_unchanged_writes_nothing(app, browser, head, employee, action_ids):
    browser.login(head.email)
    response = browser.post_form(
        _edit_page(action_ids), {"text": TEXT, "owner_id": str(employee.id), "due_on": _day(7)}
    )
    assert response.status_code == 302
    assert "Nothing was changed." in browser.client.get(response.location).get_data(as_text=True)
    assert _events(app, "plan.action_edited") == []


def test_an_owner_who_left_the_department_may_be_kept_but_not_chosen(
    app, browser, head, employee, world, action_ids
):
    seller = _person_id(app, world["seller"])
    with app.app_context():
        action = db.session.get(PlanAction, action_ids[1])
        action.owner_id = seller  # given to them when they still were in the team
        db.session.commit()
    browser.login(head.email)
    kept = browser.post_form(
        _edit_page(action_ids), {"text": "Kept owner", "owner_id": str(seller), "due_on": _day(7)}
    )
    assert kept.status_code == 302
    assert _action(app, action_ids[1])["owner_id"] == seller
    with app.app_context():
        action = db.session.get(PlanAction, action_ids[1])
        actor = user_by_email(head.email)
        plans.edit_action(actor, action, TEXT, employee.id, action.due_on, _today())
        with pytest.raises(plans.ActionError):  # once given to Eva, not back to them
            plans.edit_action(actor, action, TEXT, seller, action.due_on, _today())


def test_the_service_refuses_what_the_form_refuses(app, head, employee, world, action_ids):
    with app.app_context():
        action = db.session.get(PlanAction, action_ids[1])
        actor = user_by_email(head.email)
        due = action.due_on
        for text, owner in (("  ", employee.id), ("x" * 501, employee.id), (TEXT, -1)):
            with pytest.raises(plans.ActionError):
                plans.edit_action(actor, action, text, owner, due, _today())
        seller = user_by_email(world["seller"]).id
        with pytest.raises(plans.ActionError):
            plans.edit_action(actor, action, TEXT, seller, due, _today())
        with pytest.raises(plans.DueDateInPast):
            plans.edit_action(actor, action, TEXT, employee.id, _today() - timedelta(1), _today())
        with pytest.raises(plans.NotYourDepartment):
            plans.edit_action(user_by_email(world["other_head"]), action, "x", None, due, _today())
        with pytest.raises(plans.NotYourDepartment):
            plans.remove_action(user_by_email(world["other_head"]), action)
    assert _action(app, action_ids[1])["text"] == TEXT
    assert _events(app, "plan.action_edited") == []


def test_the_audit_log_notes_ids_and_days_never_the_text(
    app, browser, head, employee, world, action_ids
):
    colleague = _colleague_id(app, action_ids[0])
    browser.login(head.email)
    browser.post_form(
        _edit_page(action_ids),
        {"text": "Secret new wording", "owner_id": str(colleague), "due_on": _day(10)},
    )
    [event] = _events(app, "plan.action_edited")
    assert event.target_type == "focus_plan"
    assert event.target_id == action_ids[0]
    assert event.details == {
        "plan_action": action_ids[1],
        "text_rewritten": True,
        "owner": [employee.id, colleague],
        "due_on": [_day(7), _day(10)],
    }
    assert TEXT not in str(event.details)
    assert "Secret new wording" not in str(event.details)
    with app.app_context(), force_locale("en"):
        [row] = [r for r in audit.events_for("focus_plan", action_ids[0]) if r.id == event.id]
        shown = dict(audit_details(row))
    assert shown["Owner"].startswith("Eva Employee → ")
    assert shown["Text rewritten"] == "yes"
    assert "→" in shown["Due on"]


# Removing


def test_removing_asks_first_then_the_plan_no_longer_shows_the_action(
    app, browser, head, employee, action_ids
):
    browser.login(head.email)
    confirm = browser.client.get(_remove_page(action_ids)).get_data(as_text=True)
    assert TEXT in confirm
    assert "Remove the action" in confirm
    assert 'name="confirm"' in confirm
    assert _action(app, action_ids[1]) is not None  # opening the page removes nothing
    removed = browser.post_form(_remove_page(action_ids), {"confirm": "remove"})
    assert removed.status_code == 302
    assert removed.headers["Location"] == f"/plans/{action_ids[0]}"
    assert _action(app, action_ids[1]) is None
    html = browser.client.get(f"/plans/{action_ids[0]}").get_data(as_text=True)
    assert "Action removed." in html
    assert TEXT not in html
    [event] = _events(app, "plan.action_removed")
    assert (event.target_type, event.target_id) == ("focus_plan", action_ids[0])
    assert event.details == {
        "plan_action": action_ids[1],
        "owner": employee.id,
        "due_on": _day(7),
        "status": "not_started",
    }
    assert browser.client.get(_edit_page(action_ids)).status_code == 404


def test_removing_without_the_confirmation_sends_to_the_confirmation(
    app, browser, head, action_ids
):
    browser.login(head.email)
    response = browser.post_form(_remove_page(action_ids), {})
    assert response.status_code == 302
    assert response.headers["Location"] == _remove_page(action_ids)
    assert _action(app, action_ids[1]) is not None
    assert _events(app, "plan.action_removed") == []


def test_a_removed_action_leaves_the_shared_plan_on_the_employees_home(
    app, browser, head, employee, action_ids
):
    with app.app_context():
        plan = db.session.get(FocusPlan, action_ids[0])
        plans.share_plan(user_by_email(head.email), plan, True)
        plans.remove_action(user_by_email(head.email), db.session.get(PlanAction, action_ids[1]))
    browser.login(employee.email)
    assert TEXT not in browser.client.get("/me").get_data(as_text=True)


# Refusals shared by both


def test_a_closed_plans_actions_are_neither_edited_nor_removed(
    app, browser, head, employee, action_ids
):
    _close(app, head, action_ids[0])
    with app.app_context():
        action = db.session.get(PlanAction, action_ids[1])
        actor = user_by_email(head.email)
        with pytest.raises(plans.PlanClosed):
            plans.edit_action(actor, action, "After", None, action.due_on, _today())
        with pytest.raises(plans.PlanClosed):
            plans.remove_action(actor, action)
    browser.login(head.email)
    for page in (_edit_page(action_ids), _remove_page(action_ids)):
        response = browser.client.get(page)
        assert response.status_code == 302
        assert CLOSED_MESSAGE in browser.client.get(response.location).get_data(as_text=True)
    token = csrf_token(browser.client.get(f"/plans/{action_ids[0]}").get_data(as_text=True))
    for page, body in (
        (_edit_page(action_ids), {"text": "After", "owner_id": "0", "due_on": _day(3)}),
        (_remove_page(action_ids), {"confirm": "remove"}),
    ):
        response = browser.client.post(page, data={"csrf_token": token, **body})
        assert response.status_code == 302
        assert response.headers["Location"] == f"/plans/{action_ids[0]}"
        assert CLOSED_MESSAGE in browser.client.get(response.location).get_data(as_text=True)
    assert _action(app, action_ids[1])["text"] == TEXT
    plan_page = browser.client.get(f"/plans/{action_ids[0]}").get_data(as_text=True)
    assert _edit_page(action_ids) not in plan_page
    assert _remove_page(action_ids) not in plan_page


def test_actions_out_of_reach_are_403(app, browser, world, action_ids):
    browser.login(world["other_head"])
    token = csrf_token(browser.client.get("/plans/").get_data(as_text=True))
    assert browser.client.get(_edit_page(action_ids)).status_code == 403
    assert browser.client.get(_remove_page(action_ids)).status_code == 403
    edited = browser.client.post(
        _edit_page(action_ids),
        data={"csrf_token": token, "text": "Mine now", "owner_id": "0", "due_on": _day(3)},
    )
    removed = browser.client.post(
        _remove_page(action_ids), data={"csrf_token": token, "confirm": "remove"}
    )
    assert (edited.status_code, removed.status_code) == (403, 403)
    assert _action(app, action_ids[1])["text"] == TEXT


def test_an_employee_may_not_edit_even_their_own_action(app, browser, employee, action_ids):
    browser.login(employee.email)
    assert browser.client.get(_edit_page(action_ids)).status_code == 403
    assert browser.client.get(_remove_page(action_ids)).status_code == 403


def test_an_action_of_another_plan_is_404(app, browser, head, world, action_ids):
    other_plan = make_plan(app, head.email, world["team"], world["wave"], ("lead",))
    wrong = (other_plan, action_ids[1])
    missing = (action_ids[0], 999_999)
    browser.login(head.email)
    token = csrf_token(browser.client.get(f"/plans/{other_plan}").get_data(as_text=True))
    for ids in (wrong, missing):
        assert browser.client.get(_edit_page(ids)).status_code == 404
        assert browser.client.get(_remove_page(ids)).status_code == 404
        edited = browser.client.post(
            _edit_page(ids),
            data={"csrf_token": token, "text": "Moved", "owner_id": "0", "due_on": _day(3)},
        )
        removed = browser.client.post(
            _remove_page(ids), data={"csrf_token": token, "confirm": "remove"}
        )
        assert (edited.status_code, removed.status_code) == (404, 404)
    assert _action(app, action_ids[1])["text"] == TEXT


@pytest.mark.parametrize("token", [None, "garbage"], ids=["no token", "wrong token"])
def test_edits_and_removals_without_a_valid_csrf_token_change_nothing(
    app, browser, head, employee, action_ids, token
):
    browser.login(head.email)
    browser.client.get(_edit_page(action_ids))  # the session has a token; the post not
    sent = {} if token is None else {"csrf_token": token}
    edited = browser.client.post(
        _edit_page(action_ids),
        data={**sent, "text": "Forged", "owner_id": str(employee.id), "due_on": _day(3)},
    )
    removed = browser.client.post(_remove_page(action_ids), data={**sent, "confirm": "remove"})
    assert (edited.status_code, removed.status_code) == (400, 400)
    assert _action(app, action_ids[1])["text"] == TEXT
    assert _events(app, "plan.action_edited") == []
    assert _events(app, "plan.action_removed") == []
