"""A department head's home: the departments they head, sub-departments included."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from cxculture.access import roles_required
from cxculture.models import Role
from cxculture.services import org

bp = Blueprint("dashboards", __name__)


@bp.route("/")
@roles_required(Role.DEPT_HEAD)
def head_home():
    return render_template(
        "dashboards/head_home.html",
        departments=org.department_rows(current_user.headed_departments),
    )
