"""HR's "Did it work?" page: for two waves, how the departments that completed a module or a
focus plan between them changed against the others, in numbers and in one plain sentence.

The rows come from ``services.results.effects``, built from the release layer's figures only;
this module words them for the reader and serves the page."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, render_template
from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _

from cxculture.access import roles_required
from cxculture.dashboards.routes import bp
from cxculture.models import Module, Role, utcnow
from cxculture.query_params import id_arg
from cxculture.scoring.effects import COMPLETION_SHARE, MIN_DEPARTMENTS_PER_SIDE, Verdict
from cxculture.services.results import effects
from cxculture.services.results.effects import MODULE, EffectRow
from cxculture.templating import DIMENSION_LABELS


@dataclass(frozen=True)
class WordedRow:
    """A row with what the page prints: the numbers formatted and the sentences."""

    row: EffectRow
    dimension: str
    treated_change: str
    control_change: str
    difference: str
    interval: str
    sentence: str


def module_title(module: Module) -> str:
    text = module.text_in(str(get_locale()))
    return text.title if text is not None else module.slug


def signed(value: float | None) -> str:
    """A change in points, with its sign and one decimal ("—" when it is not shown)."""
    if value is None:
        return "—"
    return format_decimal(value, format="+#,##0.0;-#,##0.0")


def _points(difference: float) -> tuple[int, str]:
    """The size of a difference for the sentence: whole points, or tenths below one point (the
    whole number chooses the plural form)."""
    size = abs(difference)
    if round(size) >= 1:
        return round(size), format_decimal(round(size))
    return 0, format_decimal(size, format="0.#")


def _nothing_to_compare(row: EffectRow, title: str, dimension: str) -> str | None:
    """The sentence when a side is empty or too small to show a mean; None otherwise."""
    if row.kind == MODULE:
        if row.treated == 0:
            return _(
                "No team compared here had completed “%(module)s” when the second wave "
                "opened: there is nothing to compare.",
                module=title,
            )
        if row.control == 0:
            return _(
                "Every team compared here completed “%(module)s”: there are no other teams to "
                "compare with.",
                module=title,
            )
    else:
        if row.treated == 0:
            return _(
                "No team compared here had carried out a focus plan on %(dimension)s when the "
                "second wave opened: there is nothing to compare.",
                dimension=dimension,
            )
        if row.control == 0:
            return _(
                "Every team compared here carried out a focus plan on %(dimension)s: there are "
                "no other teams to compare with.",
                dimension=dimension,
            )
    if not row.has_numbers:
        return _(
            "Too few teams to compare: a side of one team would show that team's own change, "
            "which this page never does."
        )
    return None


def _module_direction(row: EffectRow, title: str, dimension: str) -> str:
    difference = row.difference or 0.0
    count, points = _points(difference)
    values = {"module": title, "dimension": dimension, "points": points}
    if points == "0":
        return _(
            "Teams that took “%(module)s” moved on %(dimension)s as much as teams that did not.",
            **values,
        )
    rose = (row.treated_change or 0.0) >= 0
    if difference > 0 and rose:
        return ngettext(
            "Teams that took “%(module)s” rose %(points)s point more on %(dimension)s than "
            "teams that did not.",
            "Teams that took “%(module)s” rose %(points)s points more on %(dimension)s than "
            "teams that did not.",
            count,
            **values,
        )
    if difference > 0:
        return ngettext(
            "Teams that took “%(module)s” fell %(points)s point less on %(dimension)s than "
            "teams that did not.",
            "Teams that took “%(module)s” fell %(points)s points less on %(dimension)s than "
            "teams that did not.",
            count,
            **values,
        )
    if rose:
        return ngettext(
            "Teams that took “%(module)s” rose %(points)s point less on %(dimension)s than "
            "teams that did not.",
            "Teams that took “%(module)s” rose %(points)s points less on %(dimension)s than "
            "teams that did not.",
            count,
            **values,
        )
    return ngettext(
        "Teams that took “%(module)s” fell %(points)s point more on %(dimension)s than teams "
        "that did not.",
        "Teams that took “%(module)s” fell %(points)s points more on %(dimension)s than teams "
        "that did not.",
        count,
        **values,
    )


def _plan_direction(row: EffectRow, dimension: str) -> str:
    difference = row.difference or 0.0
    count, points = _points(difference)
    values = {"dimension": dimension, "points": points}
    if points == "0":
        return _(
            "Teams that carried out a focus plan on %(dimension)s moved on it as much as teams "
            "that did not.",
            **values,
        )
    rose = (row.treated_change or 0.0) >= 0
    if difference > 0 and rose:
        return ngettext(
            "Teams that carried out a focus plan on %(dimension)s rose %(points)s point more "
            "on it than teams that did not.",
            "Teams that carried out a focus plan on %(dimension)s rose %(points)s points more "
            "on it than teams that did not.",
            count,
            **values,
        )
    if difference > 0:
        return ngettext(
            "Teams that carried out a focus plan on %(dimension)s fell %(points)s point less "
            "on it than teams that did not.",
            "Teams that carried out a focus plan on %(dimension)s fell %(points)s points less "
            "on it than teams that did not.",
            count,
            **values,
        )
    if rose:
        return ngettext(
            "Teams that carried out a focus plan on %(dimension)s rose %(points)s point less "
            "on it than teams that did not.",
            "Teams that carried out a focus plan on %(dimension)s rose %(points)s points less "
            "on it than teams that did not.",
            count,
            **values,
        )
    return ngettext(
        "Teams that carried out a focus plan on %(dimension)s fell %(points)s point more on "
        "it than teams that did not.",
        "Teams that carried out a focus plan on %(dimension)s fell %(points)s points more on "
        "it than teams that did not.",
        count,
        **values,
    )


def _certainty(row: EffectRow) -> str:
    if row.verdict is Verdict.TOO_FEW_DEPARTMENTS:
        return ngettext(
            "Too few teams to be sure: at least %(num)d on each side are needed.",
            "Too few teams to be sure: at least %(num)d on each side are needed.",
            MIN_DEPARTMENTS_PER_SIDE,
        )
    if row.verdict is Verdict.NOT_SURE:
        return _("Not sure: a difference this size could be chance.")
    if row.kind == MODULE:
        return _(
            "More than chance would explain; this shows an association, not proof that the "
            "module caused it."
        )
    return _(
        "More than chance would explain; this shows an association, not proof that the plans "
        "caused it."
    )


def effect_sentence(row: EffectRow) -> str:
    """What a row says in plain words: the difference, then how sure it is."""
    dimension = str(DIMENSION_LABELS.get(row.dimension, row.dimension))
    title = module_title(row.module) if row.module is not None else ""
    nothing = _nothing_to_compare(row, title, dimension)
    if nothing is not None:
        return nothing
    if row.kind == MODULE:
        direction = _module_direction(row, title, dimension)
    else:
        direction = _plan_direction(row, dimension)
    return _("%(difference)s %(certainty)s", difference=direction, certainty=_certainty(row))


def worded(row: EffectRow) -> WordedRow:
    interval = "—"
    if row.ci_low is not None and row.ci_high is not None:
        interval = _("%(low)s to %(high)s", low=signed(row.ci_low), high=signed(row.ci_high))
    return WordedRow(
        row,
        str(DIMENSION_LABELS.get(row.dimension, row.dimension)),
        signed(row.treated_change),
        signed(row.control_change),
        signed(row.difference),
        interval,
        effect_sentence(row),
    )


@bp.route("/results/effects")
@roles_required(Role.HR_ADMIN)
def effects_page():
    now = utcnow()
    choices = effects.second_waves(now)
    chosen = None
    survey_id = id_arg("survey")
    if survey_id is not None:
        chosen = next((survey for survey in choices if survey.id == survey_id), None)
        if chosen is None:
            abort(404)  # no such survey, or not a closed wave with one before it
    found = effects.effects_of(chosen, now)
    return render_template(
        "dashboards/effects.html",
        found=found,
        choices=choices,
        modules=[(module, [worded(row) for row in rows]) for module, rows in found.module_rows()],
        plans=[worded(row) for row in found.plan_rows()],
        completion_share=COMPLETION_SHARE,
        minimum_per_side=MIN_DEPARTMENTS_PER_SIDE,
        title_of=module_title,
    )
