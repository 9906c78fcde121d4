"""HR's home: the organisation at a glance."""

from __future__ import annotations

from flask import Blueprint, render_template

from cxculture.access import roles_required
from cxculture.models import Role
from cxculture.services import org

bp = Blueprint("hr", __name__)


@bp.route("/")
@roles_required(Role.HR_ADMIN)
def home():
    return render_template(
        "hr/home.html", summary=org.company_summary(), departments=org.department_rows()
    )
