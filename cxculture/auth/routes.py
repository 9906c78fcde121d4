"""Log in (with a password, or single sign-on with an OpenID provider), log out, change
password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from cxculture.access import login_required, public
from cxculture.auth import oidc
from cxculture.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    SetPasswordForm,
)
from cxculture.extensions import limiter
from cxculture.services import accounts
from cxculture.services.accounts import sso

bp = Blueprint("auth", __name__)

# What the login page says when single sign-on is refused: one message per cause the person
# can act on. "No active account uses this address" comes only after the provider verified the
# address, so it tells the person about their own address only, never about anyone else's.
SIGN_IN_REFUSED = {
    "denied": _l("Sign-in was cancelled at your company's sign-in page. Nothing was changed."),
    "provider_error": _l(
        "Your company's sign-in page could not sign you in. Try again; if it keeps failing, "
        "tell your HR team."
    ),
    "provider_unavailable": _l(
        "Your company's sign-in page cannot be reached right now. Try again in a few minutes."
    ),
    "issuer_mismatch": _l(
        "Single sign-on is not set up correctly, so it is refused for now. Tell your HR team."
    ),
    "bad_state": _l(
        "This sign-in had expired, was already used or was started elsewhere. Start again "
        "from this page."
    ),
    "bad_token": _l(
        "The answer from your company's sign-in page could not be verified, so nobody was "
        "signed in. Start again from this page."
    ),
    "no_email": _l(
        "Your company's sign-in page did not give an email address, so we cannot tell who you "
        "are. Ask your HR team."
    ),
    "unverified_email": _l(
        "Your company's sign-in page has not verified your email address, so it cannot sign "
        "you in here. Ask your HR team."
    ),
    "domain_not_allowed": _l(
        "Addresses at this domain cannot sign in here. Use your work account, or ask HR."
    ),
    "unknown_email": _l(
        "No active account in this company uses this address. Ask your HR team to check the "
        "address they have for you."
    ),
}
# A deactivated account gets the answer of an unknown address.
SIGN_IN_REFUSED["inactive_account"] = SIGN_IN_REFUSED["unknown_email"]
PASSWORD_REFUSED = _l("Wrong email or password.")
# Once password login is off, every failure gets this one answer, so it never tells who is a
# break-glass account.
PASSWORD_REFUSED_SSO_ONLY = _l(
    "Wrong email or password, or this account signs in with single sign-on only."
)
NEXT_KEY = "oidc_next"  # where to go after signing in with the provider


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _pair_key() -> str:
    """Rate-limit key of an account and the address trying it: failures from one address pause
    that address on that account only, so nobody can lock the account holder out."""
    email = accounts.normalise_email(request.form.get("email", ""))[:254]
    return f"login-pair:{get_remote_address()}:{email}"


def _failed(response) -> bool:
    """Only failed logins count against the limits; a successful one redirects."""
    return response.status_code != 302


def _log_out() -> None:
    """End this browser's session on the server, then forget it in the cookie."""
    if current_user.is_authenticated:
        accounts.end_session(current_user.session_token)
    logout_user()
    oidc.forget_id_token()


def _password_login_is_on() -> bool:
    return bool(current_app.config["CX_PASSWORD_LOGIN"])


def _absolute(endpoint: str) -> str:
    """``endpoint``'s address on CX_BASE_URL, as the provider must know it beforehand."""
    return current_app.config["CX_BASE_URL"] + url_for(endpoint)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["CX_LOGIN_LIMIT_PAIR"],
    key_func=_pair_key,
    methods=["POST"],
    deduct_when=_failed,
)
@limiter.limit(
    lambda: current_app.config["CX_LOGIN_LIMIT_ADDRESS"], methods=["POST"], deduct_when=_failed
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None and not sso.may_use_password(user):
            user = None  # password login is off for this account: the answer of a wrong one
        if user is None:
            # The account holder hears of repeated failures by email, delivered after this
            # answer has gone (its timing must not tell whether the account exists).
            accounts.note_failed_login(form.email.data)
            # One message whatever went wrong, so nobody can learn which emails have accounts.
            refused = PASSWORD_REFUSED if _password_login_is_on() else PASSWORD_REFUSED_SSO_ONLY
            flash(str(refused), "danger")
        else:
            if not _password_login_is_on():
                sso.note_break_glass_login(user)
            login_user(accounts.start_session(user))
            oidc.forget_id_token()
            return redirect(safe_next(form.next.data) or url_for("home.index"))
    # Password login off: the form only for the break-glass HR admins, who know its address.
    shows_password_form = (
        _password_login_is_on() or request.args.get("password") == "1" or form.is_submitted()
    )
    return render_template("auth/login.html", form=form, shows_password_form=shows_password_form)


@bp.route("/sso")
@public
# A provider that cannot be reached or names another issuer is refused here, with an entry.
@limiter.limit(lambda: current_app.config["CX_LOGIN_LIMIT_ADDRESS"])
def sso_start():
    """Send the person to the company's OpenID provider to sign in."""
    if not oidc.is_configured():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    session.pop(NEXT_KEY, None)
    if target := safe_next(request.args.get("next")):
        session[NEXT_KEY] = target
    try:
        return oidc.begin(_absolute("auth.sso_callback"))
    except sso.SignInRefused as refusal:
        return _sign_in_refused(refusal)


@bp.route("/sso/callback")
@public
# Every answer counts: each refusal is an audit entry, and the trail cannot be emptied.
@limiter.limit(lambda: current_app.config["CX_LOGIN_LIMIT_ADDRESS"])
def sso_callback():
    """Where the provider sends the person back: sign in the person its verified address
    names, or say on the login page why not."""
    if not oidc.is_configured():
        abort(404)
    try:
        answer = oidc.finish()
        user = sso.person_for_claims(answer.claims)
    except sso.SignInRefused as refusal:
        return _sign_in_refused(refusal)
    _log_out()  # whoever was logged in on this browser, this answer is for someone else
    login_user(accounts.start_session(user))
    oidc.keep_id_token(answer.id_token)
    return redirect(session.pop(NEXT_KEY, None) or url_for("home.index"))


def _sign_in_refused(refusal: sso.SignInRefused):
    sso.record_refusal(refusal)
    flash(str(SIGN_IN_REFUSED[refusal.reason]), "danger")
    return redirect(url_for("auth.login"))


@bp.route("/logout", methods=["POST"])
@public
def logout():
    # CSRFProtect has already checked the token, as on every POST.
    # Signed in with the provider: end the session there too (read before ours ends).
    provider_logout = oidc.end_session_url(_absolute("auth.login"))
    _log_out()
    flash(_("You have logged out."), "info")
    return redirect(provider_logout or url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    if not sso.may_use_password(current_user):
        abort(404)  # single sign-on only: there is no password to change
    form = ChangePasswordForm(current_user.email or "")
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except accounts.WrongPassword:
            form.current_password.errors.append(_("This is not your current password."))
        else:
            # Every session ended with the new session version; this browser gets a new one.
            login_user(accounts.start_session(current_user._get_current_object()))
            flash(_("Your password was changed. Other sessions have been logged out."), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    """The link sent to newcomers (and on HR's request): choose a password, then log in."""
    try:
        user = accounts.user_for_token(token)
    except accounts.InvalidLink:
        return render_template("auth/set_password.html", form=None), 400
    if not sso.may_use_password(user):
        return render_template("auth/set_password.html", form=None, sso_only=True), 403
    form = SetPasswordForm(user.email or "")  # a link is only ever good for an account with one
    if form.validate_on_submit():
        accounts.set_password_with_token(token, form.new_password.data)
        _log_out()  # whoever was logged in on this browser, the link is for someone else
        flash(_("Your password is set. Log in with your email and the new password."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, user=user)


def password_reset_is_open() -> bool:
    """Whether people ask for a set-password link themselves (a mail server can reach them),
    or ask HR for one: the login page and the forgot-password page both follow it."""
    return bool(current_app.config["CX_PASSWORD_RESET"])


@bp.context_processor
def _sign_in_choices() -> dict[str, object]:
    name = current_app.config["CX_OIDC_NAME"]
    label = (
        _("Sign in with %(provider)s", provider=name)
        if name
        else _("Sign in with your company account")
    )
    return {
        "password_reset_is_open": password_reset_is_open(),
        "password_login_is_on": _password_login_is_on(),
        "sso_label": label if oidc.is_configured() else None,
    }


def _email_key() -> str:
    return "reset-account:" + accounts.normalise_email(request.form.get("email", ""))[:254]


@bp.route("/forgot", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["CX_RESET_LIMIT"], key_func=_email_key, methods=["POST"])
@limiter.limit(lambda: current_app.config["CX_RESET_LIMIT_ADDRESS"], methods=["POST"])
def forgot_password():
    """Ask for a new set-password link; the answer never tells whether the account exists."""
    if not password_reset_is_open():
        abort(404)
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # Password login off: links only for the break-glass accounts, the same answer for all.
        if sso.may_reset_password(form.email.data):
            accounts.request_password_reset(form.email.data)  # the email goes after the answer
        flash(
            _(
                "If an active account uses this address, a link to set a new password is on "
                "its way. It works once and expires in %(days)d days.",
                days=current_app.config["CX_SET_PASSWORD_DAYS"],
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)
