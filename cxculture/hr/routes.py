"""HR's pages: the organisation at a glance, running surveys from draft to closed, and the
tokens of the JSON API."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from cxculture import disclosure
from cxculture.access import roles_required
from cxculture.hr.forms import (
    ActionForm,
    ApiTokenForm,
    ConfirmForm,
    DeleteFreeTextForm,
    ExtendForm,
    RuleForm,
    SurveyForm,
    from_local,
)
from cxculture.models import Role, SurveyState, utcnow
from cxculture.query_params import number_arg, parse_id
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.services import audit, org, surveys, training
from cxculture.services.accounts import tokens
from cxculture.services.results import homes
from cxculture.services.surveys import previews, questionnaires, retention
from cxculture.services.training import assignments
from cxculture.templating import DIMENSION_LABELS, SURVEY_STATE_LABELS, format_moment

bp = Blueprint("hr", __name__)
HR_ONLY = roles_required(Role.HR_ADMIN)


@bp.route("/")
@HR_ONLY
def home():
    now = utcnow()
    return render_template(
        "hr/home.html", home=homes.hr_home(current_user, now, str(get_locale())), now=now
    )


def _survey_or_404(survey_id: int):
    survey = surveys.get_survey(survey_id)
    if survey is None:
        abort(404)
    return survey


def _fill_choices(form: SurveyForm) -> None:
    form.instrument_id.choices = [
        SelectChoice(i.id, f"{i.name_in(str(get_locale()))} v{i.version}")
        for i in questionnaires.list_instruments()
    ]
    form.department_ids.choices = [SelectChoice(row.id, row.path) for row in org.department_rows()]


@bp.route("/surveys")
@HR_ONLY
def surveys_index():
    now = utcnow()
    rows = [(survey, survey.state(now)) for survey in surveys.list_surveys()]
    return render_template("hr/surveys.html", rows=rows)


@bp.route("/surveys/new", methods=["GET", "POST"])
@HR_ONLY
def new_survey():
    form = SurveyForm()
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            survey = surveys.create_survey(form.spec(), current_user, utcnow())
        except surveys.InvalidSurveyDates:
            form.closes_at.errors.append(_("The survey must close after it opens, in the future."))
        else:
            flash(_("Survey created as a draft. Check it, then launch it."), "success")
            return redirect(url_for("hr.survey", survey_id=survey.id))
    return render_template("hr/survey_form.html", form=form, survey=None)


@bp.route("/surveys/<int:survey_id>/edit", methods=["GET", "POST"])
@HR_ONLY
def edit_survey(survey_id: int):
    survey = _survey_or_404(survey_id)
    form = SurveyForm() if SurveyForm().is_submitted() else SurveyForm.for_survey(survey)
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            surveys.update_survey(survey, form.spec(), current_user, utcnow())
        except surveys.InvalidSurveyDates:
            form.closes_at.errors.append(_("The survey must close after it opens, in the future."))
        except surveys.WrongState:
            flash(_("Only a draft can be edited."), "warning")
            return redirect(url_for("hr.survey", survey_id=survey.id))
        else:
            flash(_("Survey saved."), "success")
            return redirect(url_for("hr.survey", survey_id=survey.id))
    return render_template("hr/survey_form.html", form=form, survey=survey)


def _rule_form() -> RuleForm:
    form = RuleForm()
    form.dimension.choices = [SelectChoice(key, DIMENSION_LABELS[key]) for key in DIMENSIONS]
    locale = str(get_locale())
    form.module_id.choices = [  # the modules people can take: written and not archived
        SelectChoice(module.id, module.written_text_in(locale).title)
        for module in training.catalogue()
    ]
    return form


@bp.route("/surveys/<int:survey_id>")
@HR_ONLY
def survey(survey_id: int, rule_form: RuleForm | None = None):
    survey = _survey_or_404(survey_id)
    now = utcnow()
    return render_template(
        "hr/survey.html",
        survey=survey,
        state=survey.state(now),
        now=now,
        free_text=retention.free_text_status(survey, now),
        free_text_form=DeleteFreeTextForm(),
        progress=surveys.survey_progress(survey),
        snapshots=disclosure.snapshots_taken(survey),
        events=audit.events_for("survey", survey.id),
        action_form=ActionForm(),
        extend_form=ExtendForm(),
        rules=assignments.rules_of(survey),
        rule_form=rule_form or _rule_form(),
        titles=training.titles(str(get_locale())),
    )


@bp.route("/surveys/<int:survey_id>/rules", methods=["POST"])
@HR_ONLY
def add_rule(survey_id: int):
    survey = _survey_or_404(survey_id)
    form = _rule_form()
    if not form.validate_on_submit():
        return survey_page_with(survey_id, form)
    module = training.get_module_by_id(form.module_id.data)
    if module is None:
        abort(404)
    assignments.create_rule(
        current_user, survey, form.dimension.data, form.threshold.data, module, form.due_days.data
    )
    flash(_("Rule added. It applies when the survey closes."), "success")
    if survey.state(utcnow()) is SurveyState.CLOSED:
        assignments.apply_rules(survey, utcnow())
    return redirect(url_for("hr.survey", survey_id=survey.id))


def survey_page_with(survey_id: int, form: RuleForm):
    """The survey page again, with the rule form's errors."""
    return survey(survey_id, rule_form=form), 422


ACTIONS = {
    # url part: (service, message on success given the service's count)
    "launch": (surveys.launch_survey, lambda n: _("Survey launched: %(n)d people invited.", n=n)),
    "close": (surveys.close_survey, lambda n: _("Survey closed.")),
    "reopen": (surveys.reopen_survey, lambda n: _("Survey reopened until its closing date.")),
    "remind": (
        surveys.send_reminders,
        lambda n: (
            _("Reminder queued for %(n)d people who have not answered.", n=n)
            if n is not None
            else _("Reminder queued for the people who have not answered.")
        ),
    ),
    "invite-newcomers": (
        surveys.invite_newcomers,
        lambda n: _("%(n)d people who joined the audience were invited.", n=n),
    ),
}


# The consequential ones: a second step names what they will do, and they refuse without it.
CONFIRMED = ("launch", "close")


def _done_already(action: str, state: SurveyState) -> str | None:
    """What to say when a confirmed action finds its work done (a double submit, two tabs)."""
    if action == "launch" and state is not SurveyState.DRAFT:
        return _("This survey has already been launched: nobody was invited twice.")
    if action == "close" and state is SurveyState.CLOSED:
        return _("This survey is already closed.")
    return None


@bp.route("/surveys/<int:survey_id>/<any(launch, close):action>")
@HR_ONLY
def confirm_survey_action(survey_id: int, action: str):
    """The second step of launching or closing early: what it will do, in numbers."""
    survey = _survey_or_404(survey_id)
    now = utcnow()
    state = survey.state(now)
    refusal = _done_already(action, state)
    if action == "close" and state is SurveyState.DRAFT:
        refusal = _("A draft cannot be closed: it has not been launched.")
    if refusal is not None:
        flash(refusal, "info")
        return redirect(url_for("hr.survey", survey_id=survey.id))
    form = ConfirmForm(formdata=None, confirm=action)
    if action == "launch":
        return render_template(
            "hr/confirm_launch.html",
            survey=survey,
            preview=previews.launch_preview(survey, now),
            # Each email as sent; the personal link is made per person as each email leaves.
            emails=previews.email_previews(survey, _("(personal link)")),
            has_passed=survey.closes_at <= now,
            form=form,
        )
    return render_template(
        "hr/confirm_close.html",
        survey=survey,
        preview=previews.close_preview(survey, now),
        minimum=disclosure.response_rates(survey).minimum,
        form=form,
    )


@bp.route(
    "/surveys/<int:survey_id>/<any(launch, close, reopen, remind, 'invite-newcomers'):action>",
    methods=["POST"],
)
@HR_ONLY
def survey_action(survey_id: int, action: str):
    survey = _survey_or_404(survey_id)
    if action in CONFIRMED and not ConfirmForm().confirms(action):
        # Not confirmed (an old page's one-click button, a forged form): nothing is done, and
        # the person is shown what it would do.
        return redirect(url_for("hr.confirm_survey_action", survey_id=survey.id, action=action))
    if ActionForm().validate_on_submit():
        service, message = ACTIONS[action]
        try:
            result = service(survey, current_user, utcnow())
        except surveys.WrongState as exc:
            done = _done_already(action, exc.state) if action in CONFIRMED else None
            flash(
                done
                or _(
                    "This cannot be done to a survey in the state “%(state)s”.",
                    state=SURVEY_STATE_LABELS[exc.state],
                ),
                "info" if done else "warning",
            )
        except surveys.EmptyAudience:
            flash(_("Nobody active is in this survey's audience yet."), "warning")
        except surveys.InvalidSurveyDates:
            flash(_("The closing date has passed: extend or edit the survey first."), "warning")
        else:
            flash(message(result if action == "remind" else result or 0), "success")
    return redirect(url_for("hr.survey", survey_id=survey.id))


@bp.route("/surveys/<int:survey_id>/extend", methods=["POST"])
@HR_ONLY
def extend_survey(survey_id: int):
    survey = _survey_or_404(survey_id)
    form = ExtendForm()
    if form.validate_on_submit():
        try:
            surveys.extend_survey(survey, from_local(form.closes_at.data), current_user, utcnow())
        except surveys.WrongState:
            flash(_("Only a launched survey that was not closed early can be extended."), "warning")
        except surveys.InvalidSurveyDates:
            flash(_("The new closing time must be later than the current one."), "warning")
        else:
            flash(_("Closing time moved."), "success")
    else:
        flash(_("Give the new closing time."), "warning")
    return redirect(url_for("hr.survey", survey_id=survey.id))


@bp.route("/surveys/<int:survey_id>/retry-emails", methods=["POST"])
@HR_ONLY
def retry_emails(survey_id: int):
    survey = _survey_or_404(survey_id)
    if ActionForm().validate_on_submit():
        surveys.retry_emails(survey, current_user)
        flash(_("Sending the queued emails again."), "info")
    return redirect(url_for("hr.survey", survey_id=survey.id))


@bp.route("/surveys/<int:survey_id>/delete-free-text", methods=["POST"])
@HR_ONLY
def delete_free_text(survey_id: int):
    survey = _survey_or_404(survey_id)
    if not DeleteFreeTextForm().validate_on_submit():
        flash(_("Tick the box to confirm: nothing was deleted."), "warning")
        return redirect(url_for("hr.survey", survey_id=survey.id))
    try:
        deleted = retention.delete_free_text(survey, current_user, utcnow())
    except retention.RetentionNotOver as exc:
        flash(
            _(
                "What people wrote is kept for %(days)d days after the survey closes: it can be "
                "deleted from %(date)s.",
                days=exc.days,
                date=format_moment(exc.available_from),
            ),
            "warning",
        )
    except retention.SurveyNotClosed:
        flash(_("Only a closed survey's free-text answers can be deleted."), "warning")
    except retention.FreeTextAlreadyDeleted:
        flash(_("This survey's free-text answers were already deleted."), "info")
    else:
        flash(
            ngettext(
                "The free text of %(num)d response was deleted. Scores and results stay.",
                "The free text of %(num)d responses was deleted. Scores and results stay.",
                deleted,
            ),
            "success",
        )
    return redirect(url_for("hr.survey", survey_id=survey.id))


OUTBOX_MAX_PAGE = 10**9 - 1  # a larger page number is malformed, not just past the end


def _outbox_filter() -> surveys.OutboxFilter:
    """The outbox's filters from the query: empty means all, anything malformed is a 400 and a
    survey that does not exist a 404."""
    status, survey = request.args.get("status", ""), request.args.get("survey", "")
    try:
        chosen = surveys.OutboxStatus(status) if status else None
    except ValueError:
        abort(400)
    survey_id = parse_id(survey) if survey else None
    if survey and survey_id is None:
        abort(400)
    if survey_id is not None and surveys.get_survey(survey_id) is None:
        abort(404)
    return surveys.OutboxFilter(survey_id, chosen)


@bp.route("/outbox")
@HR_ONLY
def outbox():
    filters = _outbox_filter()
    found = surveys.search_outbox(filters, number_arg("page", 1, 1, OUTBOX_MAX_PAGE))
    return render_template(
        "hr/outbox.html",
        search=found,
        filters=filters,
        survey_choices=surveys.outbox_surveys(filters.survey_id),
        status_of=surveys.outbox_status,
    )


@bp.route("/api-tokens", methods=["GET", "POST"])
@HR_ONLY
def api_tokens_page():
    form = ApiTokenForm()
    if form.validate_on_submit():
        try:
            issued = tokens.issue_token(
                form.name.data, form.scopes.data, current_user, utcnow(), form.valid_days.data
            )
        except tokens.InvalidTokenRequest as exc:
            form[exc.field].errors.append(_("Check this field."))
        else:
            # The secret is on this one page and nowhere else: no redirect, no cache.
            response = make_response(
                render_template(
                    "hr/api_token_created.html", issued=issued, labels=tokens.SCOPE_LABELS
                )
            )
            response.headers["Cache-Control"] = "no-store"
            return response
    return render_template(
        "hr/api_tokens.html",
        form=form,
        tokens=tokens.list_tokens(),
        status_of=lambda token: tokens.token_status(token, utcnow()),
    )


@bp.route("/api-tokens/<int:token_id>/revoke", methods=["POST"])
@HR_ONLY
def revoke_api_token(token_id: int):
    token = tokens.get_token(token_id)
    if token is None:
        abort(404)
    if ActionForm().validate_on_submit():
        tokens.revoke_token(token, current_user, utcnow())
        flash(_("Token “%(name)s” revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for("hr.api_tokens_page"))
