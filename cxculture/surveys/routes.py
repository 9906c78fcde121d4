"""My surveys, the answer form (draft or submit), and the thank-you page with my profile."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from cxculture import disclosure
from cxculture.access import login_required
from cxculture.models import Invitation, SurveyState, utcnow
from cxculture.services import training
from cxculture.services.surveys import responses
from cxculture.services.surveys.outline import outline_of
from cxculture.services.surveys.texts import survey_text
from cxculture.surveys.forms import answer_form, answers_as_sent, posted_answer_form

bp = Blueprint("surveys", __name__)


def _invitation_or_404(survey_id: int):
    try:
        return responses.invitation_for(current_user, survey_id)
    except responses.NotInvited:
        abort(404)  # the same answer whether the survey exists or not


@bp.route("/")
@login_required
def mine():
    return render_template("surveys/mine.html", rows=responses.my_surveys(current_user, utcnow()))


@bp.route("/<int:survey_id>", methods=["GET", "POST"])
@login_required
def answer(survey_id: int):
    invitation = _invitation_or_404(survey_id)
    return answer_page(
        invitation,
        thanks_url=url_for("surveys.thanks", survey_id=survey_id),
        after_save_url=url_for("surveys.mine"),
    )


def answer_page(
    invitation: Invitation,
    *,
    thanks_url: str,
    after_save_url: str | None,
    on_submitted: Callable[[], None] | None = None,
) -> ResponseReturnValue:
    """The answer form of ``invitation``, shown or handled: for a logged-in person and for a
    personal link or answer code alike, so an answer started one way and finished another is
    one response. ``after_save_url`` None: no drafts (a shared device: the kiosk's codes);
    ``on_submitted`` runs once the response is stored."""
    survey = invitation.survey
    now = utcnow()
    state = survey.state(now)
    can_save = after_save_url is not None
    if invitation.has_submitted:
        if request.method == "POST":
            flash(_("You have already submitted your answers to this survey."), "info")
        return redirect(thanks_url)
    locale = str(get_locale())

    def page(form) -> str:
        intro = survey_text(survey, "intro", locale, current_app.config["BABEL_DEFAULT_LOCALE"])
        return render_template(
            "surveys/answer.html",
            survey=survey,
            state=state,
            invitation=invitation,
            can_save=can_save,
            intro=intro,
            form=form,
        )

    if request.method == "GET":
        draft = responses.AnswerSet.from_draft(invitation.draft if can_save else None)
        return page(form=answer_form(survey.instrument, locale, draft=draft))

    # A submission sent as the page sends it is read straight away; anything else goes
    # through the form, which also says what is wrong.
    answers = answers_as_sent(request.form, outline_of(survey.instrument))
    form, is_valid = (None, True)
    if answers is None:
        form, is_valid = posted_answer_form(survey.instrument, locale, request.form)
        answers = form.answers()
    if (form is None or form.submit.data) and is_valid:
        try:
            responses.submit_response(invitation, answers, locale, now, keep_draft=can_save)
        except responses.IncompleteAnswers as exc:
            if form is None:
                form, _is_valid = posted_answer_form(survey.instrument, locale, request.form)
            form.show_problems(exc.problems)
        except responses.SurveyNotOpen:
            if after_save_url:
                flash(
                    _("This survey is not taking answers now. Your answers are kept as a draft."),
                    "warning",
                )
                return redirect(after_save_url)
            flash(_("This survey is not taking answers now."), "warning")
        except responses.AlreadySubmitted:
            flash(_("You have already submitted your answers to this survey."), "info")
            return redirect(thanks_url)
        else:
            if on_submitted is not None:
                on_submitted()
            return redirect(thanks_url)
    elif form is not None and form.save.data and is_valid and after_save_url:
        try:
            responses.save_draft(invitation, answers, now)
        except responses.AlreadySubmitted:  # submitted from another tab meanwhile
            flash(_("You have already submitted your answers to this survey."), "info")
            return redirect(thanks_url)
        flash(
            _("Your answers are saved. You can finish later, until the survey closes."), "success"
        )
        return redirect(after_save_url)
    if form is None:  # a closed survey, and answers given on a shared device
        form, _is_valid = posted_answer_form(survey.instrument, locale, request.form)
    return page(form=form), 422


@bp.route("/<int:survey_id>/thanks")
@login_required
def thanks(survey_id: int):
    invitation = _invitation_or_404(survey_id)
    if not invitation.has_submitted:
        return redirect(url_for("surveys.answer", survey_id=survey_id))
    # The person's own answers come back to them alone; nothing of this is stored.
    profile = disclosure.personal_profile(invitation, utcnow())
    suggested = (
        disclosure.suggestions_for_invitation(invitation, training.catalogue()) if profile else []
    )
    return render_template(
        "surveys/thanks.html",
        survey=invitation.survey,
        profile=profile,
        suggested=suggested,
        open_state=SurveyState.OPEN,
    )
