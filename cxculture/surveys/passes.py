"""Answering without a password: the personal link of an invitation email and the answer-code
page (a shared tablet, a printed card). A pass opens one invitation's answer form and nothing
else; it lives in the browser's session, checked on every request.

The refusals say which problem it is, in the holder's language, and how to get a new link or
card; a code's refusals never tell whether somebody else's code exists."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
from flask_login import current_user

from cxculture import disclosure
from cxculture.access import public
from cxculture.extensions import limiter
from cxculture.i18n import SESSION_KEY
from cxculture.models import Invitation, utcnow
from cxculture.services.surveys import passes
from cxculture.services.surveys.passes import PassKind, PassProblem, PassRefused
from cxculture.surveys.forms import CodeForm
from cxculture.surveys.routes import answer_page

bp = Blueprint("passes", __name__)
HELD_KEY = "survey_pass"
DONE_KEY = "survey_pass_done"  # a code's answer went in: the kiosk's thank-you page
SEEN_KEY = "survey_pass_seen"  # when the pass was last used (seconds since the epoch)
# A code's form left alone this long on a shared tablet closes: whoever comes next must not
# answer in the name of the person who walked away. Long enough to answer in one sitting.
CODE_IDLE = timedelta(minutes=45)


def _held() -> passes.Pass | None:
    return passes.Pass.from_session(session.get(HELD_KEY))


def _start(invitation: Invitation, held: passes.Pass) -> None:
    """Keep the pass, and serve the holder in their own language."""
    session.pop(DONE_KEY, None)
    session[HELD_KEY] = held.as_session()
    session[SEEN_KEY] = utcnow().timestamp()
    user = invitation.user
    if user is not None and user.locale in current_app.config["CX_LOCALES"]:
        session[SESSION_KEY] = user.locale


def _refused(problem: PassRefused, kind: PassKind) -> ResponseReturnValue:
    status = {
        PassProblem.MALFORMED: 404,
        PassProblem.UNKNOWN: 404,
        PassProblem.REVOKED: 410,
        PassProblem.CLOSED: 410,
        PassProblem.USED: 200,
        PassProblem.NOT_YET_OPEN: 200,
    }[problem.problem]
    # Once the link or code is known to be theirs, the page speaks the holder's language.
    locale = problem.locale if problem.locale in current_app.config["CX_LOCALES"] else None
    with force_locale(locale) if locale else nullcontext():
        page = render_template(
            "surveys/pass_refused.html", problem=problem.problem, kind=kind, survey=problem.survey
        )
    return page, status


@bp.route("/s/<token>")
@public
def link(token: str):
    """A personal link from an invitation or reminder email: one click to the answer form."""
    try:
        invitation, held = passes.open_link(token, utcnow())
    except PassRefused as refused:
        return _refused(refused, PassKind.LINK)
    if current_user.is_authenticated and current_user.id == invitation.user_id:
        return redirect(url_for("surveys.answer", survey_id=invitation.survey_id))
    _start(invitation, held)
    # The token leaves the address bar at once: the form's address holds none.
    return redirect(url_for("passes.answer"))


def _code_key() -> str:
    return "answer-code:" + passes.normalise_code(request.form.get("code", ""))[:32]


def _failed(response) -> bool:
    return response.status_code != 302


def _breached(scope: str):
    def note(limit: RequestLimit) -> None:
        address = get_remote_address() if scope == "address" else None
        passes.note_code_attempts_limited(scope, address)

    return note


@bp.route("/code", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["CX_CODE_LIMIT_CODE"],
    key_func=_code_key,
    methods=["POST"],
    deduct_when=_failed,
    on_breach=_breached("code"),
)
@limiter.limit(
    lambda: current_app.config["CX_CODE_LIMIT_ADDRESS"],
    methods=["POST"],
    deduct_when=_failed,
    on_breach=_breached("address"),
)
def code():
    """The answer-code page, for a shared tablet or a phone: employee number and code."""
    session.pop(HELD_KEY, None)  # whoever used this device before is gone
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            invitation, held = passes.open_code(
                form.employee_number.data or "", form.code.data or "", utcnow()
            )
        except PassRefused as refused:
            if refused.problem in (PassProblem.MALFORMED, PassProblem.UNKNOWN):
                form.code.errors.append(_code_problem(refused.problem))
                status = 422
            else:
                return _refused(refused, PassKind.CODE)
        else:
            _start(invitation, held)
            return redirect(url_for("passes.answer"))
    elif form.is_submitted():
        status = 422
    return render_template("surveys/code.html", form=form), status


def _code_problem(problem: PassProblem) -> str:
    if problem is PassProblem.MALFORMED:
        return _(
            "An answer code has ten letters and digits, as printed on your card (for example "
            "7KQ2M-9XH4T). Check it and try again."
        )
    return _(
        "This employee number and code do not match. Check both against your card and try "
        "again, or ask HR for a new card."
    )


class _Elsewhere(Exception):
    """The pass opens no form now: answer with ``response`` instead."""

    def __init__(self, response: ResponseReturnValue):
        super().__init__()
        self.response = response


def _pass_invitation() -> tuple[Invitation, passes.Pass]:
    held = _held()
    if held is None:
        raise _Elsewhere(redirect(url_for("passes.code")))
    now = utcnow()
    seen = session.get(SEEN_KEY)
    if held.kind is PassKind.CODE and (
        not isinstance(seen, int | float) or now.timestamp() - seen > CODE_IDLE.total_seconds()
    ):
        session.pop(HELD_KEY, None)
        flash(
            _(
                "The form closed after %(minutes)d minutes without use, so that nobody answers "
                "in someone else's name on a shared device. Type your code again.",
                minutes=int(CODE_IDLE.total_seconds() // 60),
            ),
            "info",
        )
        raise _Elsewhere(redirect(url_for("passes.code")))
    session[SEEN_KEY] = now.timestamp()
    try:
        return passes.invitation_for_pass(held, now), held
    except PassRefused as refused:
        if refused.problem is PassProblem.USED and held.kind is PassKind.LINK:
            raise _Elsewhere(redirect(url_for("passes.thanks"))) from None
        session.pop(HELD_KEY, None)
        raise _Elsewhere(_refused(refused, held.kind)) from None


@bp.route("/s/answer", methods=["GET", "POST"])
@public
def answer():
    """The answer form a pass opens: the same form, drafts and exactly-once submission as for
    a logged-in person, except that a code (a shared device) keeps no draft."""
    try:
        invitation, held = _pass_invitation()
    except _Elsewhere as elsewhere:
        return elsewhere.response
    if held.kind is PassKind.LINK:
        return answer_page(
            invitation,
            thanks_url=url_for("passes.thanks"),
            after_save_url=url_for("passes.answer"),
        )

    def finished() -> None:
        session.pop(HELD_KEY, None)  # a used code is dead, and the tablet is free
        session[DONE_KEY] = True

    return answer_page(
        invitation,
        thanks_url=url_for("passes.thanks"),
        after_save_url=None,
        on_submitted=finished,
    )


@bp.route("/s/thanks")
@public
def thanks():
    """After answering: through a link, the person's own profile (their phone); through a code,
    a plain thank-you and the way back to the code page for the next person."""
    if session.pop(DONE_KEY, False):
        session.pop(SESSION_KEY, None)
        return render_template("surveys/code_thanks.html")
    held = _held()
    invitation = passes.invitation_of(held) if held and held.kind is PassKind.LINK else None
    if invitation is None:
        return redirect(url_for("passes.code"))
    if not invitation.has_submitted:
        return redirect(url_for("passes.answer"))
    return render_template(
        "surveys/thanks.html",
        survey=invitation.survey,
        profile=disclosure.personal_profile(invitation, utcnow()),
        suggested=[],
        open_state=None,
        through_link=True,
    )


@bp.route("/s/leave", methods=["POST"])
@public
def leave():
    """End a code's pass without answering: nothing is kept, the tablet is free."""
    session.pop(HELD_KEY, None)
    session.pop(SESSION_KEY, None)
    flash(_("Nothing was kept. The code still works until the survey closes."), "info")
    return redirect(url_for("passes.code"))
