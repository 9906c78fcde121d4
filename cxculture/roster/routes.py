"""Roster import pages: upload a CSV or XLSX file, read the preview, apply it."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from cxculture.access import roles_required
from cxculture.models import Role, utcnow
from cxculture.roster.forms import ApplyForm, UploadForm
from cxculture.services.org import roster
from cxculture.services.org.roster.labels import (
    column_name,
    column_synonyms,
    file_error_message,
    problem_value,
)

bp = Blueprint("roster", __name__)
HR_ONLY = roles_required(Role.HR_ADMIN)
SHOWN = 200  # rows listed per kind of change in the preview; the counts give the rest


def _locale() -> str:
    return str(get_locale())


# Whether a file needs each column: an employee number or an email is needed on every row,
# and either column may be left out of a file that has the other.
NEEDED = {
    "employee_number": _l("Required on rows without an email"),
    "email": _l("Required on rows without an employee number"),
}


def _columns() -> list[tuple[str, str, list[str], str]]:
    """Each column as the reader's language names it: (key, name, other names, whether and
    when it is required)."""
    locale = _locale()
    return [
        (
            key,
            column_name(key, locale),
            column_synonyms(key, locale),
            str(_("Required") if key in roster.REQUIRED else NEEDED.get(key, _l("Optional"))),
        )
        for key in roster.COLUMN_NAMES
    ]


@bp.route("/", methods=["GET", "POST"])
@HR_ONLY
def upload():
    form = UploadForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            roster.read_roster(data, current_app.config["CX_ROSTER_MAX_MB"] * 1024 * 1024)
        except roster.RosterFileError as exc:
            form.file.errors.append(file_error_message(exc, _locale()))
        else:
            record = roster.store_upload(
                form.file.data.filename or "", data, form.deactivate_missing.data, current_user
            )
            return redirect(url_for("roster.preview", import_id=record.id))
    return render_template(
        "roster/upload.html",
        form=form,
        imports=roster.recent_imports(),
        columns=_columns(),
        max_mb=current_app.config["CX_ROSTER_MAX_MB"],
        max_rows=roster.MAX_ROWS,
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
    """The file against the people as they are; once applied, what applying it changed."""
    record = _import_or_404(import_id)
    if record.applied_at is not None:
        return render_template(
            "roster/result.html",
            record=record,
            result=roster.import_result(record, SHOWN),
            shown=SHOWN,
        )
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
        shown=SHOWN,
        column=lambda key: column_name(key, _locale()),
        problem_value=lambda problem: problem_value(problem, _locale()),
    )


@bp.route("/<int:import_id>/apply")
@HR_ONLY
def confirm_apply(import_id: int):
    """The second step of applying: how many people are created, updated and deactivated,
    and which departments appear, planned against the people as they are now."""
    record = _import_or_404(import_id)
    if record.applied_at is not None:
        return redirect(url_for("roster.preview", import_id=record.id))
    if not record.content:
        return _emptied()
    plan = roster.plan_roster(
        roster.read_roster(record.content),
        deactivate_missing=record.deactivate_missing,
        actor=current_user,
    )
    if not plan.is_applicable:  # the preview lists the rejected rows
        return redirect(url_for("roster.preview", import_id=record.id))
    return render_template(
        "roster/confirm_apply.html",
        record=record,
        plan=plan,
        form=ApplyForm(formdata=None, confirm="apply"),
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
    if not form.confirms("apply"):  # not confirmed (an old page's button): nothing is done
        return redirect(url_for("roster.confirm_apply", import_id=record.id))
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
    except roster.AlreadyApplied:  # by a submit a moment ago (a double click, two tabs)
        flash(_("This file has already been applied. Upload it again to re-apply it."), "info")
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
        # The one banner of the result page (the page itself lists what changed).
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
