"""The training catalogue for HR: list, create, write and translate, preview, archive."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from config import SUPPORTED_LOCALES
from cxculture.access import roles_required
from cxculture.catalogue.forms import ModuleForm, TextForm, quiz_problem
from cxculture.hr.forms import ActionForm, ConfirmForm
from cxculture.models import Role, utcnow
from cxculture.services import training
from cxculture.services.training import archiving

bp = Blueprint("catalogue", __name__)
HR_ONLY = roles_required(Role.HR_ADMIN)


def _module_or_404(slug: str):
    module = training.get_module(slug)
    if module is None:
        abort(404)
    return module


@bp.route("/")
@HR_ONLY
def index():
    return render_template(
        "catalogue/index.html",
        modules=training.catalogue(include_archived=True, include_unwritten=True),
        locales=SUPPORTED_LOCALES,
        form=ActionForm(),
    )


@bp.route("/new", methods=["GET", "POST"])
@HR_ONLY
def new():
    form = ModuleForm()
    if form.validate_on_submit():
        try:
            module = training.create_module(
                current_user,
                form.slug.data,
                form.dimensions.data,
                form.minutes.data,
                form.reflection_kind.data,
                form.audience.data,
            )
        except training.ModuleError:
            form.slug.errors.append(_("This short name is taken."))
        else:
            return redirect(url_for("catalogue.edit", slug=module.slug, locale="en"))
    return render_template("catalogue/new.html", form=form)


@bp.route("/<slug>/<any(en, pt_BR, es):locale>", methods=["GET", "POST"])
@HR_ONLY
def edit(slug: str, locale: str):
    module = _module_or_404(slug)
    existing = next((t for t in module.translations if t.locale == locale), None)
    reference = module.text_in("en") if locale != "en" else None
    form = TextForm()
    if not form.is_submitted() and existing is not None:
        form = TextForm(
            title=existing.title,
            body_markdown=existing.body_markdown,
            reflection_prompt=existing.reflection_prompt,
            quiz=training.quiz_source(existing),
        )
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = training.render_markdown(form.body_markdown.data)
        else:
            try:
                training.save_text(
                    current_user,
                    module,
                    locale,
                    form.title.data,
                    form.body_markdown.data,
                    form.reflection_prompt.data,
                    form.quiz.data,
                )
            except training.QuizInvalid as exc:
                form.quiz.errors.append(quiz_problem(exc.problem, exc.number))
            else:
                flash(_("Saved."), "success")
                return redirect(url_for("catalogue.edit", slug=slug, locale=locale))
    return render_template(
        "catalogue/edit.html",
        module=module,
        locale=locale,
        form=form,
        preview=preview,
        reference=reference if reference is not existing else None,
    )


@bp.route("/<slug>/archive")
@HR_ONLY
def confirm_archive(slug: str):
    """The second step of archiving: who has the module assigned, and what happens to them."""
    module = _module_or_404(slug)
    if module.archived_at is not None:
        flash(_("This module is already archived."), "info")
        return redirect(url_for("catalogue.index"))
    text = module.text_in(str(get_locale()))
    return render_template(
        "catalogue/confirm_archive.html",
        module=module,
        title=text.title if text else module.slug,
        impact=archiving.archive_impact(module, utcnow()),
        form=ConfirmForm(formdata=None, confirm="archive"),
    )


@bp.route("/<slug>/<any(archive, restore):action>", methods=["POST"])
@HR_ONLY
def archive(slug: str, action: str):
    module = _module_or_404(slug)
    if action == "archive" and not ConfirmForm().confirms("archive"):
        return redirect(url_for("catalogue.confirm_archive", slug=slug))  # not confirmed
    if ActionForm().validate_on_submit():
        text = module.text_in(str(get_locale()))
        title = text.title if text else module.slug
        # Archived or restored already (a double submit): nothing changes, nothing to say.
        changed = training.set_archived(current_user, module, action == "archive", utcnow())
        if changed and action == "archive":
            flash(_("“%(title)s” archived.", title=title), "success")
        elif changed:
            flash(_("“%(title)s” restored to the catalogue.", title=title), "success")
    return redirect(url_for("catalogue.index"))
