"""My training, the catalogue, and a module: read it, check your knowledge, reflect."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from cxculture import disclosure
from cxculture.access import login_required
from cxculture.dashboards.effects import WordedRow, worded
from cxculture.models import Role, utcnow
from cxculture.services import training
from cxculture.services.results import effects as results_effects
from cxculture.services.results.effects import Effects
from cxculture.training.forms import CountForTeamForm, EnrolForm, ReflectionForm, quiz_form

bp = Blueprint("training", __name__)


def _module_or_404(slug: str):
    module = training.get_module(slug)
    if module is None or not module.translations:  # not written yet: nothing to take
        abort(404)
    return module


def _enrolment_or_404(slug: str):
    """The module and the person's enrolment in it; 404 for a module they have not taken."""
    found = _module_or_404(slug)
    enrolment = training.enrolment_of(current_user, found)
    if enrolment is None:
        abort(404)
    return found, enrolment


@bp.route("/")
@login_required
def mine():
    enrolments = training.my_training(current_user)
    catalogue = training.catalogue()
    taken = {enrolment.module_id for enrolment in enrolments}
    return render_template(
        "training/mine.html",
        enrolments=enrolments,
        # From the person's own answers, worked out for them now and shown to nobody else.
        suggested=[
            m for m in disclosure.my_suggestions(current_user, catalogue) if m.id not in taken
        ],
        catalogue=catalogue,
        today=utcnow().date(),
    )


def _render_module(
    module, enrolment, quiz=None, result=None, reflection=None, status=200, effects=None
):
    text = module.text_in(str(get_locale()))
    return render_template(
        "training/module.html",
        module=module,
        text=text,
        enrolment=enrolment,
        quiz=quiz or quiz_form(text),
        result=result,
        reflection=reflection or ReflectionForm(),
        enrol_form=EnrolForm(),
        count_form=CountForTeamForm(),
        effects=effects,
    ), status


def _module_effects(module) -> tuple[Effects, list[WordedRow]] | None:
    """For HR only: what the newest two waves say of the module (other departments' results
    are HR's to compare, not a head's)."""
    if not current_user.has_role(Role.HR_ADMIN):
        return None
    found = results_effects.module_effects(module, utcnow())
    return found, [worded(row) for row in found.rows]


@bp.route("/<slug>")
@login_required
def module(slug: str):
    found = _module_or_404(slug)
    enrolment = training.enrolment_of(current_user, found)
    if enrolment is None and found.archived_at is not None:
        abort(404)
    return _render_module(found, enrolment, effects=_module_effects(found))


@bp.route("/<slug>/enrol", methods=["POST"])
@login_required
def enrol(slug: str):
    found = _module_or_404(slug)
    if EnrolForm().validate_on_submit():
        try:
            training.enrol_self(current_user, found)
        except training.ModuleError:
            abort(404)
    return redirect(url_for("training.module", slug=slug))


@bp.route("/<slug>/count", methods=["POST"])
@login_required
def count_for_team(slug: str):
    """The person shares a completion made on their own before the module was assigned."""
    _found, enrolment = _enrolment_or_404(slug)
    if CountForTeamForm().validate_on_submit() and training.count_for_team(enrolment, utcnow()):
        flash(_("Done: your team now sees this module completed."), "success")
    return redirect(url_for("training.module", slug=slug))


@bp.route("/<slug>/quiz", methods=["POST"])
@login_required
def quiz(slug: str):
    found, enrolment = _enrolment_or_404(slug)
    text = found.text_in(str(get_locale()))
    form = quiz_form(text, request.form)
    form.validate()
    posted = {key for key in request.form if key.startswith("question_")}
    unknown = posted - set(form.question_fields)
    try:
        if unknown:
            raise training.QuizIncomplete({-1: "unknown"})
        result = training.submit_quiz(enrolment, text, form.answers(), utcnow())
    except training.QuizIncomplete as exc:
        for number, problem in exc.problems.items():
            name = f"question_{number}"
            message = (
                _("Please answer this question.")
                if problem == "missing"
                else _("Choose one of the options given.")
            )
            if name in form.question_fields and not form[name].errors:
                form[name].errors = [message]
            elif name not in form.question_fields:
                form.form_errors.append(_("This question is not part of the knowledge check."))
        return _render_module(found, enrolment, quiz=form, status=422)
    # The result, with what to do next, heads the page (the template); a flash would say it twice.
    return _render_module(found, enrolment, quiz=form, result=result)


@bp.route("/<slug>/reflection", methods=["POST"])
@login_required
def reflect(slug: str):
    found, enrolment = _enrolment_or_404(slug)
    form = ReflectionForm()
    if not form.validate_on_submit():
        return _render_module(found, enrolment, reflection=form, status=422)
    try:
        training.submit_reflection(enrolment, form.reflection.data, utcnow())
    except training.QuizIncomplete:
        flash(_("Pass the knowledge check first."), "warning")
    else:
        flash(_("Module completed. Thank you!"), "success")
    return redirect(url_for("training.module", slug=slug))
