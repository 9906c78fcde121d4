"""HR's page for reaching every invited person: answer-code cards to print for people without a
mailbox (or who never read it), and a personal link sent again (the old one stops working)."""

from __future__ import annotations

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.utils import secure_filename
from wtforms import SelectChoice

from cxculture import code_cards
from cxculture.access import roles_required
from cxculture.hr.reach_forms import CardsForm, SendLinkForm
from cxculture.models import Role, Survey, utcnow
from cxculture.services import org, surveys
from cxculture.services.mail import absolute_url
from cxculture.services.surveys import passes
from cxculture.templating import survey_name

bp = Blueprint("reach", __name__)
HR_ONLY = roles_required(Role.HR_ADMIN)
PROBLEMS = {
    "not_running": lambda: _("Links and codes work only while the survey is scheduled or open."),
    "no_email": lambda: _("This person has no email address: print them a card instead."),
    "not_invited": lambda: _("This person is not in this survey's audience."),
}


def _survey_or_404(survey_id: int) -> Survey:
    survey = surveys.get_survey(survey_id)
    if survey is None:
        abort(404)
    return survey


def _cards_form() -> CardsForm:
    form = CardsForm(prefix="cards")
    form.department_id.choices = [SelectChoice(0, _("Everyone invited"))] + [
        SelectChoice(row.id, row.path) for row in org.department_rows() if not row.is_archived
    ]
    return form


def _page(survey: Survey, cards: CardsForm, send: SendLinkForm, status: int = 200):
    return render_template(
        "hr/reach.html",
        survey=survey,
        cards=cards,
        send=send,
        code_page=absolute_url("passes.code"),
        state=survey.state(utcnow()),
    ), status


@bp.route("/<int:survey_id>/reach")
@HR_ONLY
def reach(survey_id: int):
    survey = _survey_or_404(survey_id)
    return _page(survey, _cards_form(), SendLinkForm(prefix="send"))


@bp.route("/<int:survey_id>/reach/cards", methods=["POST"])
@HR_ONLY
def cards(survey_id: int):
    survey = _survey_or_404(survey_id)
    form = _cards_form()
    if not form.validate_on_submit():
        return _page(survey, form, SendLinkForm(prefix="send"), 422)
    department = None
    if form.department_id.data:
        department = org.get_department(form.department_id.data)
        if department is None:
            abort(404)
    try:
        holders = passes.print_cards(
            survey,
            department,
            without_email_only=form.without_email_only.data,
            renew_codes=form.renew.data,
            actor=current_user,
            now=utcnow(),
        )
    except passes.PassesError as exc:
        flash(PROBLEMS[exc.code](), "warning")
        return redirect(url_for("reach.reach", survey_id=survey.id))
    if not holders:
        flash(_("Nobody invited to this survey matches: no cards to print."), "info")
        return redirect(url_for("reach.reach", survey_id=survey.id))
    body = _cards_pdf(survey, holders)
    response = make_response(body)
    response.headers["Content-Type"] = "application/pdf"
    name = secure_filename(f"codes-{survey.name}-{department.path if department else 'all'}")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    response.headers["Cache-Control"] = "no-store"  # codes open people's answer forms
    return response


def _cards_pdf(survey: Survey, holders: list[passes.CardHolder]) -> bytes:
    address = absolute_url("passes.code")
    qr = segno.make(address, error="m")
    modules = [[bool(value) for value in row] for row in qr.matrix_iter(scale=1, border=4)]
    cards = []
    for holder in holders:
        with force_locale(holder.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            cards.append(
                code_cards.Card(
                    heading=_("Customer survey: your answer code"),
                    survey=survey_name(survey, holder.locale),
                    name=holder.name,
                    number_line=(
                        _("Employee number: %(number)s", number=holder.employee_number)
                        if holder.employee_number
                        else _("Employee number: none (leave it empty)")
                    ),
                    code_label=_("Your code (it works once)"),
                    code=passes.printed_code(holder.code),
                    steps=_(
                        "Scan the square with a phone's camera, or open the address below on "
                        "any device; type your employee number and this code, and answer. "
                        "Keep the card to yourself: the code opens your survey."
                    ),
                    address=address,
                    closes=_(
                        "Open until %(date)s.",
                        date=format_datetime(survey.closes_at, "short"),
                    ),
                    privacy=_(
                        "Nobody sees your answers with your name: results are only given for "
                        "groups large enough that no one can be recognised."
                    ),
                )
            )
    return code_cards.cards_pdf(cards, modules, title=_("Answer codes"))


@bp.route("/<int:survey_id>/reach/link", methods=["POST"])
@HR_ONLY
def send_link(survey_id: int):
    survey = _survey_or_404(survey_id)
    form = SendLinkForm(prefix="send")
    if not form.validate_on_submit():
        return _page(survey, _cards_form(), form, 422)
    person = passes.find_person(form.who.data or "")
    if person is None:
        form.who.errors.append(_("Nobody in the roster has this email address or number."))
        return _page(survey, _cards_form(), form, 422)
    try:
        passes.send_link_again(survey, person, current_user, utcnow())
    except passes.PassesError as exc:
        form.who.errors.append(PROBLEMS[exc.code]())
        return _page(survey, _cards_form(), form, 422)
    flash(
        _(
            "A new personal link is on its way to %(name)s. The link in their earlier emails "
            "no longer works.",
            name=person.name,
        ),
        "success",
    )
    return redirect(url_for("reach.reach", survey_id=survey.id))
