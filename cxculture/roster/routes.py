"""Roster import pages: upload a CSV, read the preview, apply it."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from cxculture.access import roles_required
from cxculture.models import Role, utcnow
from cxculture.roster.forms import ApplyForm, UploadForm
from cxculture.services.org import roster
from cxculture.services.org.roster.labels import ROSTER_FILE_ERRORS

bp = Blueprint("roster", __name__)
HR_ONLY = roles_required(Role.HR_ADMIN)
SHOWN = 200  # rows listed per kind of change in the preview; the counts give the rest


def _file_error(error: roster.RosterFileError) -> str:
    return str(ROSTER_FILE_ERRORS[error.code]) % {"detail": error.detail}


@bp.route("/", methods=["GET", "POST"])
@HR_ONLY
def upload():
    form = UploadForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            roster.read_roster(data, current_app.config["CX_ROSTER_MAX_MB"] * 1024 * 1024)
        except roster.RosterFileError as exc:
            form.file.errors.append(_file_error(exc))
        else:
            record = roster.store_upload(
                form.file.data.filename or "", data, form.deactivate_missing.data, current_user
            )
            return redirect(url_for("roster.preview", import_id=record.id))
    return render_template(
        "roster/upload.html",
        form=form,
        imports=roster.recent_imports(),
        columns=roster.COLUMN_NAMES,
        max_mb=current_app.config["CX_ROSTER_MAX_MB"],
    )


def _import_or_404(import_id: int):
    record = roster.get_import(import_id)
    if record is None:
        abort(404)
    return record


def _emptied():
    """A stored file emptied by an erasure: it named someone who asked to be forgotten."""
    flash(_("This file was emptied when a person it named was erased. Upload it again."), "warning")
    return redirect(url_for("roster.upload"))


@bp.route("/<int:import_id>")
@HR_ONLY
def preview(import_id: int):
    record = _import_or_404(import_id)
    if not record.content:
        return _emptied()
    parsed = roster.read_roster(record.content)  # it was read without error at upload
    plan = roster.plan_roster(
        parsed, deactivate_missing=record.deactivate_missing, actor=current_user
    )
    return render_template(
        "roster/preview.html",
        record=record,
        parsed=parsed,
        plan=plan,
        form=ApplyForm(),
        shown=SHOWN,
    )


@bp.route("/<int:import_id>/apply", methods=["POST"])
@HR_ONLY
def apply(import_id: int):
    record = _import_or_404(import_id)
    form = ApplyForm()
    if not form.validate_on_submit():
        abort(400)
    if record.applied_at is not None:
        flash(_("This file has already been applied. Upload it again to re-apply it."), "info")
        return redirect(url_for("roster.preview", import_id=record.id))
    if not record.content:
        return _emptied()
    try:
        plan = roster.apply_roster(
            roster.read_roster(record.content),
            deactivate_missing=record.deactivate_missing,
            actor=current_user,
            now=utcnow(),
            send_emails=form.send_emails.data,
            record=record,
        )
    except roster.RosterHasProblems:
        flash(
            _("Some rows are rejected: nothing was changed. Fix the file and upload it again."),
            "danger",
        )
    except IntegrityError:
        flash(
            _("People changed while the file was applied: nothing was changed. Try again."),
            "danger",
        )
    else:
        counts = plan.counts()
        flash(
            _(
                "Applied: %(created)d created, %(updated)d updated, %(deactivated)d deactivated, "
                "%(departments)d departments created.",
                created=counts["created"],
                updated=counts["updated"],
                deactivated=counts["deactivated"],
                departments=counts["departments_created"],
            ),
            "success",
        )
    return redirect(url_for("roster.preview", import_id=record.id))
