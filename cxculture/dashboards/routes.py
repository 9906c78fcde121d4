"""Department heads' pages: their departments, and the training they assign and follow.

HR uses the training page too, for every department."""

from __future__ import annotations

from datetime import datetime

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
from werkzeug.utils import secure_filename
from wtforms import SelectChoice

from cxculture import charts, disclosure, exports
from cxculture.access import roles_required
from cxculture.dashboards import reports
from cxculture.dashboards.forms import AssignForm
from cxculture.disclosure.themes import comment_themes
from cxculture.models import Role, Survey, SurveyState, utcnow
from cxculture.query_params import id_arg, number_arg, parse_id, text_arg
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.services import audit, org, training
from cxculture.services.org import reach
from cxculture.services.results import dashboards, homes
from cxculture.services.training import assignments
from cxculture.templating import DIMENSION_LABELS

MAX_LEVEL = 20  # deeper than any department tree; a larger level is a malformed filter
DEPARTMENT_KEY_MAX = 1000  # a department path's column size: a longer key names no department
HEATMAP_ROWS = 60  # more departments than this read better as the table alone
TEXT_PAGES_MAX = 100_000  # more pages of texts than any group writes; past the last, the last

bp = Blueprint("dashboards", __name__)


@bp.route("/")
@roles_required(Role.DEPT_HEAD)
def head_home():
    now = utcnow()
    return render_template(
        "dashboards/head_home.html",
        home=homes.head_home(current_user, now, str(get_locale())),
        now=now,
    )


def _assign_form() -> AssignForm:
    form = AssignForm()
    locale = str(get_locale())
    form.module_id.choices = [
        SelectChoice(module.id, module.written_text_in(locale).title)
        for module in training.catalogue()
    ]
    visible = None if current_user.has_role(Role.HR_ADMIN) else current_user.headed_departments
    form.department_id.choices = [
        SelectChoice(row.id, row.path) for row in org.department_rows(visible)
    ]
    return form


def _preselect(form: AssignForm) -> None:
    """Fill the module and department a link asked for (from "where to act"), if offered."""
    for field in (form.module_id, form.department_id):
        wanted = parse_id(request.args.get(field.name.removesuffix("_id")))
        if wanted in {choice.value for choice in field.choices}:
            field.data = wanted


@bp.route("/training", methods=["GET", "POST"])
@roles_required(Role.DEPT_HEAD, Role.HR_ADMIN)
def training_page():
    form = _assign_form()
    today = utcnow().date()
    posted = parse_id(request.form.get("department_id"))
    if posted is not None:
        # A department outside the person's reach is a 403, not a "not a valid choice".
        target = org.get_department(posted)
        if target is not None and not reach.can_view_department(current_user, target):
            abort(403)
    if request.method == "GET":
        _preselect(form)
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
    header, rows = assignments.completion_table(
        assignments.completion(current_user), training.titles(str(get_locale())), today
    )
    body = exports.csv_bytes(header, rows)
    audit.record_download(
        current_user, "training.completion_exported", "training", 0, rows=len(rows)
    )
    return _download(body, "text/csv", f"training-{today}.csv")


def _survey_param(surveys: list[Survey]) -> Survey | None:
    survey_id = id_arg("survey")
    if survey_id is None:
        return disclosure.default_survey(surveys, utcnow())
    chosen = next((survey for survey in surveys if survey.id == survey_id), None)
    if chosen is None:
        abort(404)
    return chosen


def _survey_or_404():
    survey = _survey_param(disclosure.result_surveys())
    if survey is None:
        abort(404)
    return survey


def _or_403(load, survey):
    """``load(current_user, survey, department, now)``, answering 403 out of reach and 404
    when none of the viewer's departments was surveyed."""
    try:
        department = text_arg("department", DEPARTMENT_KEY_MAX) or None
        return load(current_user, survey, department, utcnow())
    except assignments.NotYourDepartment:
        abort(403)
    except dashboards.NoDepartments:
        abort(404)


def _cached(body: bytes, mimetype: str) -> Response:
    """A response the browser keeps and asks about again (ETag), answered 304 if unchanged."""
    response = Response(body, mimetype=mimetype)
    response.add_etag()
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.make_conditional(request)  # changes and returns the same response
    return response


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/results")
@roles_required(Role.DEPT_HEAD, Role.HR_ADMIN)
def results_page():
    surveys = disclosure.result_surveys()
    survey = _survey_param(surveys)
    if survey is None:
        return render_template("dashboards/results.html", view=None, surveys=surveys)
    try:
        view = dashboards.department_dashboard(
            current_user,
            survey,
            request.args.get("department") or None,
            utcnow(),
            # Only preselects the ranking: an outcome the survey did not measure gets the default.
            outcome=request.args.get("outcome"),
            texts_page=number_arg("texts_page", 1, 1, TEXT_PAGES_MAX),
        )
    except assignments.NotYourDepartment:
        abort(403)
    except dashboards.NoDepartments:
        return render_template("dashboards/results.html", view=None, chosen=survey, surveys=surveys)
    return render_template(
        "dashboards/results.html",
        view=view,
        surveys=surveys,
        titles=training.titles(str(get_locale())),
        index_sentence=reports.index_sentence(view) if not view.group.is_suppressed else "",
        advocacy_sentence=reports.advocacy_sentence(view),
        change=reports.view_change(view),
        hidden_reason=reports.hidden_reason(view.found.minimum),
        outcome_labels=reports.outcome_labels(),
        priority_reason=reports.priority_reason,
        fallback_sentence=reports.fallback_sentence,
        no_ranking_sentence=reports.no_ranking_sentence,
        # Counted from the released texts only (all of them, not the page shown): a group whose
        # texts are withheld gets none.
        themes=comment_themes(view.found, view.group.key, str(get_locale()))
        if view.statements
        else None,
        # The company's own page is HR's overview; a head reads its figures beside their own.
        company_link=url_for("dashboards.overview", survey=survey.id)
        if current_user.has_role(Role.HR_ADMIN)
        else None,
        chart_layouts=charts.LAYOUTS,
        phone_media=charts.PHONE_MEDIA,
    )


def _layout() -> charts.Layout:
    """The layout a chart's ``layout`` parameter asks for (the wide one by default)."""
    layout = charts.LAYOUTS.get(request.args.get("layout", charts.WIDE.name))
    if layout is None:
        abort(400)
    return layout


@bp.route("/results/chart.png")
@roles_required(Role.DEPT_HEAD, Role.HR_ADMIN)
def results_chart():
    found, group, _choices = _or_403(dashboards.department_results, _survey_or_404())
    if group.is_suppressed:
        abort(404)  # no image of a group the guard hides
    keys = [d for d in DIMENSIONS if d in group.dimensions]
    image = charts.dimension_bars(
        tuple(str(DIMENSION_LABELS[d]) for d in keys),
        tuple(group.dimensions[d] for d in keys),
        tuple(found.company.dimensions.get(d) for d in keys),
        group.name,
        _("Company"),
        _layout(),
        reports.neutral_label(),
    )
    return _cached(image, "image/png")


@bp.route("/results/items.png")
@roles_required(Role.DEPT_HEAD, Role.HR_ADMIN)
def results_items_chart():
    survey = _survey_or_404()
    found, group, _choices = _or_403(dashboards.department_results, survey)
    items = disclosure.answer_distributions(found, group.key)
    if items is None:
        abort(404)
    rows = reports.item_rows(survey, items, str(get_locale()))
    image = charts.answer_bars(
        tuple(label for label, _found in rows),
        tuple((d.favorable, d.neutral, d.unfavorable) for _label, d in rows),
        reports.answer_legend(),
        _layout(),
        tuple(reports.share_labels(d) for _label, d in rows),
    )
    return _cached(image, "image/png")


@bp.route("/results/report.pdf")
@roles_required(Role.DEPT_HEAD, Role.HR_ADMIN)
def results_report():
    view = _or_403(dashboards.department_dashboard, _survey_or_404())
    if view.group.is_suppressed:
        abort(404)  # no report of a group the release layer hides
    today = utcnow().date()
    body = reports.department_pdf(view, training.titles(str(get_locale())), today)
    audit.record_download(
        current_user,
        "results.report_exported",
        "survey",
        view.survey.id,
        department=view.group.key,
        format="pdf",
    )
    name = secure_filename(
        f"{view.group.key or 'company'}-{view.survey.name_in(str(get_locale()))}"
    )
    return _download(body, "application/pdf", f"{name}.pdf")


def _level() -> int:
    return number_arg("level", 1, 1, MAX_LEVEL)


@bp.route("/overview")
@roles_required(Role.HR_ADMIN)
def overview():
    surveys = disclosure.result_surveys()
    survey = _survey_param(surveys)
    level = _level()
    now = utcnow()
    view = None if survey is None else dashboards.company_overview(survey, level, now)
    return render_template(
        "dashboards/overview.html",
        view=view,
        surveys=surveys,
        heatmap_shown=view is not None and _heatmap_shown(view),
        scale_step=charts.scale_step,
        step_labels=reports.step_labels(),
        scale_title=reports.scale_title(),
        hidden_notice=reports.hidden_notice,
        open_waves=set() if view is None else _open_waves(view.trend, now),
        chart_layouts=charts.LAYOUTS,
        phone_media=charts.PHONE_MEDIA,
    )


def _open_waves(trend: list[disclosure.TrendPoint], now: datetime) -> set[int]:
    """The ids of the waves in ``trend`` that are still open: their figures may change."""
    return {point.survey.id for point in trend if point.survey.state(now) is not SurveyState.CLOSED}


def _heatmap_shown(view: dashboards.Overview) -> bool:
    """Whether the overview draws its heatmap: some department at the level shows figures,
    and few enough rows that the picture reads better than the table alone."""
    shown = any(not row.group.is_suppressed for row in view.rows)
    return shown and len(view.rows) <= HEATMAP_ROWS


@bp.route("/overview/heatmap.png")
@roles_required(Role.HR_ADMIN)
def overview_heatmap():
    view = dashboards.company_overview(_survey_or_404(), _level(), utcnow(), with_trend=False)
    if not _heatmap_shown(view):
        abort(404)
    image = charts.heatmap(
        tuple(row.group.key for row in view.rows),
        tuple(str(DIMENSION_LABELS[d]) for d in DIMENSIONS),
        tuple(tuple(row.group.dimensions.get(d) for d in DIMENSIONS) for row in view.rows),
        reports.hidden_notice(next(row.group for row in view.rows if row.group.is_suppressed))
        if any(row.group.is_suppressed for row in view.rows)
        else "",
        _layout(),
        reports.step_labels(),
        reports.scale_title(),
    )
    return _cached(image, "image/png")


@bp.route("/overview/trend.png")
@roles_required(Role.HR_ADMIN)
def overview_trend():
    now = utcnow()
    trend = disclosure.company_trend(_survey_or_404(), now)
    still_open = _open_waves(trend, now)
    image = charts.trend_line(
        tuple(point.survey.name for point in trend),
        tuple(point.company.index for point in trend),
        _("Company"),
        tuple(point.survey.id in still_open for point in trend),
        _("still open"),
        _layout(),
        reports.neutral_label(),
    )
    return _cached(image, "image/png")


@bp.route("/overview.<any(csv, xlsx):kind>")
@roles_required(Role.HR_ADMIN)
def overview_export(kind: str):
    survey = _survey_or_404()
    header, rows = reports.overview_table(
        dashboards.overview_rows(survey, disclosure.release_of(survey, utcnow()))
    )
    name = secure_filename(survey.name)
    if kind == "csv":
        body, mimetype = exports.csv_bytes(header, rows), "text/csv"
    else:
        body = exports.xlsx_bytes(survey.name, header, rows)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    audit.record_download(
        current_user, "results.overview_exported", "survey", survey.id, format=kind
    )
    return _download(body, mimetype, f"{name}.{kind}")
