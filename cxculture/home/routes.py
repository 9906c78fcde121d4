"""Send each person to the home of their role; the employee's own space; choosing a language."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, session, url_for
from flask_babel import get_locale
from flask_login import current_user
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from cxculture.access import login_required, public
from cxculture.auth.routes import safe_next
from cxculture.extensions import db
from cxculture.home.forms import LanguageForm
from cxculture.i18n import SESSION_KEY
from cxculture.models import Role, utcnow
from cxculture.services import accounts
from cxculture.services.results import homes

bp = Blueprint("home", __name__)


@bp.route("/")
@public
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.has_role(Role.HR_ADMIN):
        return redirect(url_for("hr.home"))
    if current_user.has_role(Role.DEPT_HEAD):
        return redirect(url_for("dashboards.head_home"))
    return redirect(url_for("home.employee_home"))


@bp.route("/me")
@login_required
def employee_home():
    now = utcnow()
    return render_template(
        "home/employee.html",
        user=current_user,
        home=homes.employee_home(current_user, now),
        now=now,
        form=LanguageForm(locale=str(get_locale()), next=url_for("home.employee_home")),
    )


@bp.route("/language", methods=["POST"])
@public
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            accounts.set_preferred_locale(current_user, form.locale.data)
        else:
            session[SESSION_KEY] = form.locale.data
    return redirect(safe_next(form.next.data) or url_for("home.index"))


@bp.route("/healthz")
@public
def healthz():
    """For load balancers and orchestrators: 200 when the database (and Redis, when one is
    configured) answers, 503 otherwise. Says nothing else about the installation."""
    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except SQLAlchemyError:
        db.session.rollback()
        checks["database"] = "unavailable"
    url = current_app.config.get("REDIS_URL")
    if url:
        try:
            Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2).ping()
            checks["redis"] = "ok"
        except RedisError:
            checks["redis"] = "unavailable"
    healthy = all(value == "ok" for value in checks.values())
    return jsonify(status="ok" if healthy else "unavailable", **checks), 200 if healthy else 503
