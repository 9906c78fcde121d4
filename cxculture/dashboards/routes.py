"""Department heads' pages: their departments, and the training they assign and follow.

HR uses the training page too, for every department."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from cxculture.access import can_view_department, roles_required
from cxculture.dashboards.forms import AssignForm
from cxculture.models import Role, utcnow
from cxculture.services import assignments, org, training

bp = Blueprint("dashboards", __name__)


@bp.route("/")
@roles_required(Role.DEPT_HEAD)
def head_home():
    return render_template(
        "dashboards/head_home.html",
        departments=org.department_rows(current_user.headed_departments),
    )


def _assign_form() -> AssignForm:
    form = AssignForm()
    locale = str(get_locale())
    form.module_id.choices = [
        SelectChoice(module.id, module.text_in(locale).title) for module in training.catalogue()
    ]
    visible = None if current_user.has_role(Role.HR_ADMIN) else current_user.headed_departments
    form.department_id.choices = [
        SelectChoice(row.id, row.path) for row in org.department_rows(visible)
    ]
    return form


@bp.route("/training", methods=["GET", "POST"])
@roles_required(Role.DEPT_HEAD, Role.HR_ADMIN)
def training_page():
    form = _assign_form()
    today = utcnow().date()
    posted = request.form.get("department_id", "")
    if posted.isdigit():
        # A department outside the person's reach is a 403, not a "not a valid choice".
        target = org.get_department(int(posted))
        if target is not None and not can_view_department(current_user, target):
            abort(403)
    if form.validate_on_submit():
        department = org.get_department(form.department_id.data)
        module = training.get_module_by_id(form.module_id.data)
        if department is None or module is None:
            abort(404)
        try:
            created = assignments.assign_to_department(
                current_user, module, department, form.due_on.data, form.message.data, today
            )
        except assignments.NotYourDepartment:
            abort(403)
        except assignments.DueDateInPast:
            form.due_on.errors.append(_("Choose a due date from today on."))
        else:
            flash(_("Module assigned: %(n)d people enrolled.", n=created), "success")
            return redirect(url_for("dashboards.training_page"))
    rows = assignments.completion(current_user)
    return render_template(
        "dashboards/training.html",
        form=form,
        rows=rows,
        by_module=assignments.completion_by_module(rows, today),
        titles=training.titles(str(get_locale())),
        today=today,
        can_export=current_user.has_role(Role.HR_ADMIN),
    )


@bp.route("/training.csv")
@roles_required(Role.HR_ADMIN)
def training_csv():
    today = utcnow().date()
    body = assignments.completion_csv(
        assignments.completion(current_user), training.titles(str(get_locale())), today
    )
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=training-{today}.csv"},
    )
