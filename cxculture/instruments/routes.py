"""Questionnaires: list the versions, copy one, and edit its items until it is used."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cxculture.access import roles_required
from cxculture.hr.forms import ActionForm
from cxculture.instruments.forms import ItemForm
from cxculture.models import InstrumentItem, Role
from cxculture.services.surveys import questionnaires

bp = Blueprint("instruments", __name__)
HR_ONLY = roles_required(Role.HR_ADMIN)


def _frozen() -> str:
    return _(
        "This questionnaire is used by a launched survey, so its items are frozen. "
        "Copy it to change them."
    )


def _instrument_or_404(instrument_id: int):
    instrument = questionnaires.get_instrument(instrument_id)
    if instrument is None:
        abort(404)
    return instrument


def _item_or_404(instrument_id: int, item_id: int) -> InstrumentItem:
    item = questionnaires.get_item(item_id)
    if item is None or item.instrument_id != instrument_id:
        abort(404)
    return item


@bp.route("/")
@HR_ONLY
def index():
    return render_template(
        "instruments/index.html", instruments=questionnaires.list_instruments(), form=ActionForm()
    )


@bp.route("/<int:instrument_id>")
@HR_ONLY
def show(instrument_id: int):
    return render_template(
        "instruments/show.html", instrument=_instrument_or_404(instrument_id), form=ActionForm()
    )


@bp.route("/<int:instrument_id>/copy", methods=["POST"])
@HR_ONLY
def copy(instrument_id: int):
    source = _instrument_or_404(instrument_id)
    if ActionForm().validate_on_submit():
        created = questionnaires.copy_instrument(source, current_user)
        flash(
            _("Version %(v)d created: edit its items before a survey uses it.", v=created.version),
            "success",
        )
        return redirect(url_for("instruments.show", instrument_id=created.id))
    return redirect(url_for("instruments.show", instrument_id=source.id))


@bp.route("/<int:instrument_id>/items/new", methods=["GET", "POST"])
@HR_ONLY
def add_item(instrument_id: int):
    instrument = _instrument_or_404(instrument_id)
    form = ItemForm()
    if form.validate_on_submit():
        try:
            questionnaires.add_item(
                instrument,
                form.dimension.data,
                form.is_reverse_keyed.data,
                form.texts(),
                current_user,
            )
        except questionnaires.InstrumentFrozen:
            flash(_frozen(), "warning")
        else:
            flash(_("Item added."), "success")
        return redirect(url_for("instruments.show", instrument_id=instrument.id))
    return render_template(
        "instruments/item_form.html", instrument=instrument, form=form, item=None
    )


@bp.route("/<int:instrument_id>/items/<int:item_id>", methods=["GET", "POST"])
@HR_ONLY
def edit_item(instrument_id: int, item_id: int):
    item = _item_or_404(instrument_id, item_id)
    form = ItemForm() if ItemForm().is_submitted() else ItemForm.for_item(item)
    if form.validate_on_submit():
        try:
            questionnaires.update_item(
                item, form.dimension.data, form.is_reverse_keyed.data, form.texts(), current_user
            )
        except questionnaires.InstrumentFrozen:
            flash(_frozen(), "warning")
        else:
            flash(_("Item saved."), "success")
        return redirect(url_for("instruments.show", instrument_id=instrument_id))
    return render_template(
        "instruments/item_form.html", instrument=item.instrument, form=form, item=item
    )


@bp.route(
    "/<int:instrument_id>/items/<int:item_id>/<any(up, down, remove):action>", methods=["POST"]
)
@HR_ONLY
def change_item(instrument_id: int, item_id: int, action: str):
    item = _item_or_404(instrument_id, item_id)
    if ActionForm().validate_on_submit():
        try:
            if action == "remove":
                questionnaires.remove_item(item, current_user)
            else:
                questionnaires.move_item(item, -1 if action == "up" else 1, current_user)
        except questionnaires.InstrumentFrozen:
            flash(_frozen(), "warning")
    return redirect(url_for("instruments.show", instrument_id=instrument_id))
