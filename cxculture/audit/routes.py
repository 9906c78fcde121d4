"""HR's audit log: every recorded action, newest first, filtered, and as CSV."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import get_timezone
from flask_login import current_user

from cxculture.access import roles_required
from cxculture.audit.forms import AuditFilterForm
from cxculture.models import Role, utcnow
from cxculture.services import audit
from cxculture.services.audit.labels import AUDIT_LABELS

bp = Blueprint("audit", __name__)
HR_ONLY = roles_required(Role.HR_ADMIN)


@bp.route("/")
@HR_ONLY
def index():
    form = AuditFilterForm(formdata=request.args)
    if not form.validate():
        return render_template("audit/index.html", form=form, found=None), 400
    found = audit.search_events(form.filters(), form.page.data or 1)
    return render_template("audit/index.html", form=form, found=found, args=form.query_args())


@bp.route("/export.csv")
@HR_ONLY
def export():
    form = AuditFilterForm(formdata=request.args)
    if not form.validate():
        abort(400)
    labels = {code: str(label) for code, label in AUDIT_LABELS.items()}
    body = audit.export_events(form.filters(), current_user, get_timezone(), labels)
    filename = f"audit-log-{utcnow().date().isoformat()}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
