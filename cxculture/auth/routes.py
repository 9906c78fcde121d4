"""Log in, log out, change password."""

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
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from cxculture.access import login_required, public
from cxculture.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    SetPasswordForm,
)
from cxculture.extensions import limiter
from cxculture.services import accounts

bp = Blueprint("auth", __name__)


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
        if user is None:
            # The account holder hears of repeated failures by email, delivered after this
            # answer has gone (its timing must not tell whether the account exists).
            accounts.note_failed_login(form.email.data)
            # One message whatever went wrong, so nobody can learn which emails have accounts.
            flash(_("Wrong email or password."), "danger")
        else:
            login_user(accounts.start_session(user))
            return redirect(safe_next(form.next.data) or url_for("home.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@public
def logout():
    # CSRFProtect has already checked the token, as on every POST.
    _log_out()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm(current_user.email)
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
    form = SetPasswordForm(user.email)
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
def _password_reset() -> dict[str, bool]:
    return {"password_reset_is_open": password_reset_is_open()}


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
