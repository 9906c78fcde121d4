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

from cxculture import charts
from cxculture.access import can_view_department, roles_required
from cxculture.dashboards.forms import AssignForm
from cxculture.models import Role, utcnow
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.services import assignments, dashboards, org, training
from cxculture.templating import DIMENSION_LABELS

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


def _survey_param(surveys: list) -> object:
    raw = request.args.get("survey")
    if raw is None:
        return dashboards.default_survey(surveys, utcnow())
    if not raw.isdigit():
        abort(400)
    chosen = next((survey for survey in surveys if survey.id == int(raw)), None)
    if chosen is None:
        abort(404)
    return chosen


def _or_403(load, survey):
    """``load(current_user, survey, department)``, answering 403 out of the viewer's reach."""
    try:
        return load(current_user, survey, request.args.get("department") or None)
    except assignments.NotYourDepartment:
        abort(403)


@bp.route("/results")
@roles_required(Role.DEPT_HEAD, Role.HR_ADMIN)
def results_page():
    surveys = dashboards.result_surveys()
    survey = _survey_param(surveys)
    if survey is None:
        return render_template("dashboards/results.html", view=None, surveys=surveys)
    view = _or_403(dashboards.department_dashboard, survey)
    return render_template("dashboards/results.html", view=view, surveys=surveys)


@bp.route("/results/chart.png")
@roles_required(Role.DEPT_HEAD, Role.HR_ADMIN)
def results_chart():
    survey = _survey_param(dashboards.result_surveys())
    if survey is None:
        abort(404)
    found, group, _choices = _or_403(dashboards.department_results, survey)
    if group.is_suppressed:
        abort(404)  # no image of a group the guard hides
    keys = [d for d in DIMENSIONS if d in group.dimensions]
    image = charts.dimension_bars(
        tuple(str(DIMENSION_LABELS[d]) for d in keys),
        tuple(group.dimensions[d] for d in keys),
        tuple(found.company.dimensions.get(d) for d in keys),
        group.name,
        _("Company"),
    )
    return Response(image, mimetype="image/png")
