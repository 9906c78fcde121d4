"""Focus plans: the list (a head's departments, every department for HR), making a plan from a
department's results, and the plan's page with its actions, sharing and closing; an action's
own page to correct it, and a confirmation before one is removed."""

from __future__ import annotations

from typing import TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from cxculture import disclosure
from cxculture.access import roles_required
from cxculture.hr.forms import ConfirmForm
from cxculture.models import FocusPlan, PlanAction, Role, SurveyState, User, utcnow
from cxculture.plans.forms import (
    NO_OWNER,
    STATUS_LABELS,
    ActionForm,
    DimensionsForm,
    EditActionForm,
    PlanForm,
    StatusForm,
    StepForm,
)
from cxculture.query_params import id_arg
from cxculture.services import org, plans, training
from cxculture.services.org import reach
from cxculture.services.plans.changes import focus_changes

bp = Blueprint("plans", __name__)

HEADS_AND_HR = (Role.DEPT_HEAD, Role.HR_ADMIN)
_ActionFormT = TypeVar("_ActionFormT", bound=ActionForm)  # adding an action, or editing one


@bp.app_context_processor
def status_labels() -> dict[str, object]:
    """An action's status in words, for every page that shows a plan (employees' homes too)."""
    return {"plan_status_labels": STATUS_LABELS}


@bp.route("/")
@roles_required(*HEADS_AND_HR)
def index():
    today = utcnow().date()
    return render_template(
        "plans/index.html",
        rows=plans.plan_rows(current_user, today),
        is_hr=current_user.has_role(Role.HR_ADMIN),
        today=today,
    )


def _department_or_abort(department_id: int):
    department = org.get_department(department_id)
    if department is None:
        abort(404)
    if not reach.can_view_department(current_user, department):
        abort(403)
    return department


@bp.route("/new/<int:department_id>", methods=["GET", "POST"])
@roles_required(*HEADS_AND_HR)
def new_plan(department_id: int):
    department = _department_or_abort(department_id)
    now = utcnow()
    closed = [s for s in disclosure.result_surveys() if s.state(now) is SurveyState.CLOSED]
    form = PlanForm()
    locale = str(get_locale())
    form.survey_id.choices = [SelectChoice(s.id, s.name_in(locale)) for s in closed]
    wanted = id_arg("survey")
    if not form.is_submitted() and wanted in {s.id for s in closed}:
        form.survey_id.data = wanted
    if form.validate_on_submit():
        survey = next(s for s in closed if s.id == form.survey_id.data)
        try:
            plan = plans.create_plan(current_user, department, survey, form.dimensions.data, now)
        except plans.NotYourDepartment:
            abort(403)
        except plans.PlanError:
            form.dimensions.errors.append(_("Choose one to three dimensions."))
        else:
            flash(_("Focus plan created: now add its actions."), "success")
            return redirect(url_for("plans.plan", plan_id=plan.id))
    return render_template("plans/new.html", form=form, department=department, surveys=closed)


def _plan_or_abort(plan_id: int) -> FocusPlan:
    plan = plans.get_plan(plan_id)
    if plan is None:
        abort(404)
    if not reach.can_view_department(current_user, plan.department):
        abort(403)
    return plan


def _with_owners(form: _ActionFormT, plan: FocusPlan, kept: User | None = None) -> _ActionFormT:
    """``form`` with the plan's owner choices; ``kept`` (an edited action's owner) stays among
    them even after leaving the department, so it can be kept as it is."""
    people = plans.owner_choices(plan)
    if kept is not None and kept.id not in {person.id for person in people}:
        people.append(kept)
    form.owner_id.choices = [SelectChoice(NO_OWNER, _("Nobody yet"))] + [
        SelectChoice(person.id, person.name) for person in people
    ]
    return form


def _action_form(plan: FocusPlan) -> ActionForm:
    return _with_owners(ActionForm(), plan)


def _chosen_owner(form: ActionForm) -> int | None:
    return None if form.owner_id.data in (None, NO_OWNER) else form.owner_id.data


def _render_plan(plan: FocusPlan, form: ActionForm, dimensions_form: DimensionsForm | None = None):
    now = utcnow()
    return render_template(
        "plans/plan.html",
        plan=plan,
        form=form,
        dimensions_form=dimensions_form
        or DimensionsForm(dimensions=plan.dimensions, formdata=None),
        status_form=StatusForm(formdata=None),
        step_form=StepForm(formdata=None),
        status_labels=STATUS_LABELS,
        changes=focus_changes(plan, now),
        modules=[m for m in training.catalogue() if set(m.dimensions) & set(plan.dimensions)],
        today=now.date(),
    )


@bp.route("/<int:plan_id>")
@roles_required(*HEADS_AND_HR)
def plan(plan_id: int):
    found = _plan_or_abort(plan_id)
    return _render_plan(found, _action_form(found))


def _refuse_closed(plan: FocusPlan):
    flash(_("This plan is closed: it can no longer be changed."), "danger")
    return redirect(url_for("plans.plan", plan_id=plan.id))


@bp.route("/<int:plan_id>/actions", methods=["POST"])
@roles_required(*HEADS_AND_HR)
def add_action(plan_id: int):
    found = _plan_or_abort(plan_id)
    form = _action_form(found)
    if form.validate_on_submit():
        try:
            plans.add_action(
                current_user,
                found,
                form.text.data,
                _chosen_owner(form),
                form.due_on.data,
                utcnow().date(),
            )
        except plans.NotYourDepartment:
            abort(403)
        except plans.PlanClosed:
            return _refuse_closed(found)
        except plans.DueDateInPast:
            form.due_on.errors.append(_("Choose a due date from today on."))
        except plans.ActionError:
            form.text.errors.append(_("Write the action in at most 500 characters."))
        else:
            flash(_("Action added."), "success")
            return redirect(url_for("plans.plan", plan_id=found.id))
    elif found.is_closed:
        return _refuse_closed(found)
    return _render_plan(found, form)


@bp.route("/<int:plan_id>/dimensions", methods=["POST"])
@roles_required(*HEADS_AND_HR)
def edit_dimensions(plan_id: int):
    found = _plan_or_abort(plan_id)
    if found.is_closed:
        return _refuse_closed(found)
    form = DimensionsForm()
    if form.validate_on_submit():
        try:
            plans.edit_plan(current_user, found, form.dimensions.data)
        except plans.NotYourDepartment:
            abort(403)
        except plans.PlanClosed:
            return _refuse_closed(found)
        except plans.PlanError:
            form.dimensions.errors.append(_("Choose one to three dimensions."))
        else:
            flash(_("Focus dimensions saved."), "success")
            return redirect(url_for("plans.plan", plan_id=found.id))
    return _render_plan(found, _action_form(found), form)


def _action_or_abort(plan: FocusPlan, action_id: int) -> PlanAction:
    action = next((a for a in plan.actions if a.id == action_id), None)
    if action is None:
        abort(404)
    return action


@bp.route("/<int:plan_id>/actions/<int:action_id>", methods=["POST"])
@roles_required(*HEADS_AND_HR)
def update_action(plan_id: int, action_id: int):
    found = _plan_or_abort(plan_id)
    action = _action_or_abort(found, action_id)
    form = StatusForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the statuses."), "danger")
        return redirect(url_for("plans.plan", plan_id=found.id))
    try:
        plans.update_action(current_user, action, form.status.data, utcnow())
    except plans.NotYourDepartment:
        abort(403)
    except plans.PlanClosed:
        return _refuse_closed(found)
    flash(_("Status saved."), "success")
    return redirect(url_for("plans.plan", plan_id=found.id))


@bp.route("/<int:plan_id>/actions/<int:action_id>/edit", methods=["GET", "POST"])
@roles_required(*HEADS_AND_HR)
def edit_action(plan_id: int, action_id: int):
    """Correct an action's text, owner or due date."""
    found = _plan_or_abort(plan_id)
    action = _action_or_abort(found, action_id)
    if found.is_closed:
        return _refuse_closed(found)
    form = _with_owners(EditActionForm(), found, kept=action.owner)
    if not form.is_submitted():
        form.text.data = action.text
        form.owner_id.data = action.owner_id or NO_OWNER
        form.due_on.data = action.due_on
    if form.validate_on_submit():
        try:
            changed = plans.edit_action(
                current_user,
                action,
                form.text.data,
                _chosen_owner(form),
                form.due_on.data,
                utcnow().date(),
            )
        except plans.NotYourDepartment:
            abort(403)
        except plans.PlanClosed:
            return _refuse_closed(found)
        except plans.DueDateInPast:
            form.due_on.errors.append(_("Choose a due date from today on."))
        except plans.ActionError as exc:
            if exc.args == ("owner",):
                form.owner_id.errors.append(_("Choose an owner from the list."))
            else:
                form.text.errors.append(_("Write the action in at most 500 characters."))
        else:
            if changed:
                flash(_("Action saved."), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for("plans.plan", plan_id=found.id))
    return render_template(
        "plans/edit_action.html", plan=found, action=action, form=form, today=utcnow().date()
    )


@bp.route("/<int:plan_id>/actions/<int:action_id>/remove")
@roles_required(*HEADS_AND_HR)
def confirm_remove_action(plan_id: int, action_id: int):
    """The second step of removing an action: which one, and what is kept of it."""
    found = _plan_or_abort(plan_id)
    action = _action_or_abort(found, action_id)
    if found.is_closed:
        return _refuse_closed(found)
    return render_template(
        "plans/confirm_remove_action.html",
        plan=found,
        action=action,
        form=ConfirmForm(formdata=None, confirm="remove"),
    )


@bp.route("/<int:plan_id>/actions/<int:action_id>/remove", methods=["POST"])
@roles_required(*HEADS_AND_HR)
def remove_action(plan_id: int, action_id: int):
    found = _plan_or_abort(plan_id)
    action = _action_or_abort(found, action_id)
    if found.is_closed:
        return _refuse_closed(found)
    if not ConfirmForm().confirms("remove"):
        # Not confirmed (a forged form, an expired token): nothing is removed, and the person
        # is shown what it would do.
        return redirect(
            url_for("plans.confirm_remove_action", plan_id=found.id, action_id=action.id)
        )
    try:
        plans.remove_action(current_user, action)
    except plans.NotYourDepartment:
        abort(403)
    except plans.PlanClosed:
        return _refuse_closed(found)
    flash(_("Action removed."), "success")
    return redirect(url_for("plans.plan", plan_id=found.id))


@bp.route("/<int:plan_id>/<any(share, unshare, close):step>", methods=["POST"])
@roles_required(*HEADS_AND_HR)
def plan_step(plan_id: int, step: str):
    found = _plan_or_abort(plan_id)
    if not StepForm().validate_on_submit():
        abort(400)
    try:
        if step == "close":
            plans.close_plan(current_user, found, utcnow())
            flash(_("Plan closed."), "success")
        else:
            plans.share_plan(current_user, found, step == "share")
            if step == "share":
                flash(_("Plan shared: the department's employees see it on their home."), "success")
            else:
                flash(_("The plan is no longer shown to the department's employees."), "success")
    except plans.NotYourDepartment:
        abort(403)
    except plans.PlanClosed:
        return _refuse_closed(found)
    return redirect(url_for("plans.plan", plan_id=found.id))
