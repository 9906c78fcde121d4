"""Results as files, in the reader's language: the company table (CSV, XLSX) and a department's
PDF report. Numbers come from the guarded results only; a hidden group's cells stay empty."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_decimal, format_percent, get_locale, ngettext
from flask_babel import gettext as _

from cxculture import charts, pdf_report
from cxculture.disclosure import NOT_RELEASED, ActOn, AnswerDistributions, GroupResult
from cxculture.disclosure.drivers import ADVOCACY, CUSTOMER_MENTION
from cxculture.exports import Cell
from cxculture.models import Survey
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.scoring.drivers import Fallback, Priority, Unavailable
from cxculture.scoring.role_statement import CATEGORIES
from cxculture.scoring.stats import Distribution, WaveChange
from cxculture.services.results import dashboards
from cxculture.services.results.dashboards import HeadDashboard, OverviewRow
from cxculture.templating import CATEGORY_LABELS, DIMENSION_LABELS, format_day


def group_label(group: GroupResult) -> str:
    return group.key or _("Company")


def hidden_notice(group: GroupResult) -> str:
    """Why a group shows no figures, without saying how many answered."""
    if group.reason == NOT_RELEASED:
        return _("Not released yet: results come out when the survey closes")
    return _(
        "Hidden: fewer than %(n)d responses, or a smaller group could be worked out",
        n=group.minimum,
    )


def _one_decimal(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def overview_table(rows: Sequence[OverviewRow]) -> tuple[list[str], list[list[Cell]]]:
    """The header and one row per group (company first), numbers as numbers; a hidden group
    keeps its name, its response rate and its training, and nothing of its answers."""
    header = [
        _("Department"),
        _("Level"),
        _("Responses"),
        _("Customer Orientation Index"),
        *(str(DIMENSION_LABELS[d]) for d in DIMENSIONS),
        _("Customer mention rate (%)"),
        *(f"{CATEGORY_LABELS[c]} (%)" for c in CATEGORIES),
        _("Invited"),
        _("Responded"),
        _("Response rate (%)"),
        _("Enrolled in training"),
        _("Training completed"),
        _("Note"),
    ]
    table: list[list[Cell]] = []
    for row in rows:
        group = row.group
        cells: list[Cell] = [group_label(group), group.depth + 1]
        if group.is_suppressed:
            cells += [None] * (3 + len(DIMENSIONS) + len(CATEGORIES))
        else:
            cells += [
                group.n,
                _one_decimal(group.index),
                *(_one_decimal(group.dimensions.get(d)) for d in DIMENSIONS),
                _percent(group.customer_mention_rate),
                *(_percent(group.categories.get(c)) for c in CATEGORIES),
            ]
        cells += [row.invited, row.responded, _percent(row.response_rate)]
        cells += [row.enrolled, row.completed]
        cells.append(hidden_notice(group) if group.is_suppressed else "")
        table.append(cells)
    return header, table


def _number(value: float | None) -> str:
    return "—" if value is None else format_decimal(round(value), format="#,##0")


def index_sentence(view: HeadDashboard) -> str:
    company = view.company.index if not view.company.is_suppressed else None
    n = view.group.n or 0
    return ngettext(
        "Customer Orientation Index: %(index)s (company: %(company)s), from %(count)s response.",
        "Customer Orientation Index: %(index)s (company: %(company)s), from %(count)s responses.",
        n,
        index=_number(view.group.index),
        company=_number(company),
        count=format_decimal(n),
    )


def _signed_points(value: float) -> str:
    """An advocacy score as a signed whole number of points: +24, 0, -8."""
    points = round(value)
    return ("+" if points > 0 else "") + format_decimal(points)


def advocacy_sentence(view: HeadDashboard) -> str | None:
    """The group's answers to the outcome question, reported like a Net Promoter Score, beside
    the company's; None where the questionnaire did not ask it."""
    found = view.group.advocacy
    if found is None:
        return None
    company = view.company.advocacy if not view.company.is_suppressed else None
    return ngettext(
        "Customer advocacy: %(score)s (company: %(company)s) on a scale from -100 to +100, from "
        "%(count)s answer: %(promoters)s would recommend what we deliver (9 or 10), "
        "%(detractors)s would not (0 to 6).",
        "Customer advocacy: %(score)s (company: %(company)s) on a scale from -100 to +100, from "
        "%(count)s answers: %(promoters)s would recommend what we deliver (9 or 10), "
        "%(detractors)s would not (0 to 6).",
        found.answered,
        score=_signed_points(found.score),
        company=_signed_points(company.score) if company is not None else "—",
        count=format_decimal(found.answered),
        promoters=format_percent(found.promoters),
        detractors=format_percent(found.detractors),
    )


def hidden_reason(minimum: int) -> str:
    """Why a group shows no figures, in one sentence that is the same whichever of the two
    causes applies (saying which would tell something of the group, or of a smaller one)."""
    return _(
        "To keep everyone's answers anonymous, this group shows no figures: either fewer than "
        "%(n)s people answered here, or its figures would let a smaller group's answers be "
        "worked out by comparing pages.",
        n=format_decimal(minimum),
    )


@dataclass(frozen=True)
class ChangeStatement:
    """A change between two waves in plain words, and the statistics behind it (for a details
    toggle, or the small print of the report)."""

    sentence: str
    details: list[str] = field(default_factory=list)


def _points(difference: float) -> tuple[int, str]:
    """The size of a change for the sentence: whole points, or tenths below one point (the
    whole number chooses the plural form)."""
    size = abs(difference)
    if round(size) >= 1:
        return round(size), format_decimal(round(size))
    return 0, format_decimal(size, format="0.#")


def change_statement(previous_name: str | None, change: WaveChange | None) -> ChangeStatement:
    """How a group's index moved since the wave before (``previous_name``: None for the first
    wave; ``change``: None when the group is hidden in one of the two)."""
    if previous_name is None:
        return ChangeStatement(
            _(
                "This is the first wave of this questionnaire: the next one will show whether "
                "this group has changed."
            )
        )
    if change is None:
        return ChangeStatement(
            _(
                "No comparison with “%(name)s”: this group's figures were hidden in one of the "
                "two waves.",
                name=previous_name,
            )
        )
    count, points = _points(change.difference)
    if not change.is_significant:
        sentence = _(
            "About the same as in “%(name)s”: the difference could be chance.", name=previous_name
        )
    elif change.difference > 0:
        sentence = ngettext(
            "Up %(points)s point since “%(name)s”: a real change, not chance.",
            "Up %(points)s points since “%(name)s”: a real change, not chance.",
            count,
            points=points,
            name=previous_name,
        )
    else:
        sentence = ngettext(
            "Down %(points)s point since “%(name)s”: a real change, not chance.",
            "Down %(points)s points since “%(name)s”: a real change, not chance.",
            count,
            points=points,
            name=previous_name,
        )
    return ChangeStatement(sentence, _change_details(previous_name, change))


def _signed(value: float) -> str:
    return format_decimal(value, format="+#,##0.0;-#,##0.0")


def _change_details(previous_name: str, change: WaveChange) -> list[str]:
    details = [
        _(
            "Index in “%(name)s”: %(before)s, from %(before_n)s responses; now %(after)s, from "
            "%(after_n)s responses.",
            name=previous_name,
            before=format_decimal(change.before_mean, format="#,##0.0"),
            before_n=format_decimal(change.before_n),
            after=format_decimal(change.after_mean, format="#,##0.0"),
            after_n=format_decimal(change.after_n),
        ),
        _(
            "Difference: %(diff)s; with 95%% confidence, the true change lies between %(low)s "
            "and %(high)s.",
            diff=_signed(change.difference),
            low=_signed(change.ci_low),
            high=_signed(change.ci_high),
        ),
    ]
    if change.p_value is not None:
        p_value = (
            _("p < %(p)s", p=format_decimal(0.001))
            if change.p_value < 0.001
            else _("p = %(p)s", p=format_decimal(change.p_value, format="0.###"))
        )
        details.append(_("Method: Welch's t-test on each person's index (%(p)s).", p=p_value))
    return details


def view_change(view: HeadDashboard) -> ChangeStatement | None:
    """The change statement of a shown group's page (None for a hidden group)."""
    if view.group.is_suppressed:
        return None
    previous = view.previous.name_in(str(get_locale())) if view.previous else None
    return change_statement(previous, view.change)


def step_labels() -> tuple[str, ...]:
    """The colour scale's steps in words and the reader's numbers: "under 15", "15–24"..."""
    labels = []
    for step in range(len(charts.HEAT_COLOURS)):
        low, high = charts.step_bounds(step)
        if low is None:
            labels.append(_("under %(n)s", n=format_decimal(charts.STEP_EDGES[0])))
        elif high is None:
            labels.append(_("%(n)s or more", n=format_decimal(low)))
        else:
            labels.append(f"{format_decimal(low)}–{format_decimal(high)}")
    return tuple(labels)


def scale_title() -> str:
    return _(
        "Scores from 0 to 100: orange below the neutral middle (%(neutral)s), purple above; "
        "the darker, the further from it.",
        neutral=format_decimal(charts.NEUTRAL),
    )


def neutral_label() -> str:
    return _("%(n)s = neutral", n=format_decimal(charts.NEUTRAL))


def categories_sentence(group: GroupResult) -> str:
    shares = {c: format_percent(group.categories.get(c, 0)) for c in CATEGORIES}
    return _(
        "%(direct)s name the customer they serve; %(indirect)s serve someone who does; "
        "%(internal)s name only colleagues; %(none)s show no line of sight.",
        direct=shares["customer_direct"],
        indirect=shares["customer_indirect"],
        internal=shares["internal_only"],
        none=shares["no_line_of_sight"],
    )


def outcome_labels() -> dict[str, str]:
    """What each outcome of "where to act" is called."""
    return {
        ADVOCACY: _("Customer advocacy"),
        CUSTOMER_MENTION: _("Naming the customer"),
    }


def priority_reason(priority: Priority) -> str:
    """Why a dimension stands where it does on the "where to act" list."""
    if not priority.goes_with_outcome:
        return _(
            "A higher score does not go with a higher outcome here: raising it is not the lever."
        )
    if priority.is_high_impact and priority.is_low_score:
        return _("Weighs a lot and scores below this group's average: act here first.")
    if priority.is_high_impact:
        return _("Weighs a lot, and already scores above this group's average: keep it there.")
    if priority.is_low_score:
        return _("Scores below this group's average, but weighs little on the outcome.")
    return _("Weighs little on the outcome and scores above this group's average.")


def fallback_sentence(fallback: Fallback) -> str:
    """Why a group's ranking uses the company's weights (with the group's own scores)."""
    reasons = {
        Unavailable.TOO_FEW_RESPONDENTS: _(
            "This group has fewer than %(minimum)d complete answers, too few for weights of "
            "its own.",
            minimum=fallback.minimum,
        ),
        Unavailable.NO_OUTCOME_VARIANCE: _(
            "Everyone in this group gave the outcome the same answer, so its own answers "
            "cannot show what goes with it."
        ),
        Unavailable.NO_DIMENSION_VARIANCE: _(
            "Everyone in this group gave the dimensions the same scores, so its own answers "
            "cannot show what goes with the outcome."
        ),
        Unavailable.NOT_RELEASED_AT_CLOSING: _(
            "Weights come from the results released at closing, and this group's figures are "
            "not those."
        ),
        Unavailable.INCOMPLETE_ANSWERS: _(
            "Weights come only from groups where every answer is complete, and some of this "
            "group's are not."
        ),
    }
    return (
        reasons[fallback.reason]
        + " "
        + _("Its ranking uses the company's weights with this group's own scores.")
    )


def no_ranking_sentence(act: ActOn) -> str:
    """Why "where to act" goes by score alone: not even the company's weights can be used."""
    refusal = act.company_refusal or act.refusal
    if refusal is None:
        return _("Not every dimension has a score here, so there is nothing to weigh.")
    if refusal.reason is Unavailable.NOT_RELEASED_AT_CLOSING:
        return _("Each dimension's weight is worked out when the survey closes.")
    if refusal.reason is Unavailable.TOO_FEW_RESPONDENTS:
        return _(
            "The company has fewer than %(minimum)d complete answers, too few to weigh the "
            "dimensions.",
            minimum=refusal.minimum,
        )
    if refusal.reason is Unavailable.INCOMPLETE_ANSWERS:
        return _("Some of the company's answers are incomplete, so the dimensions are not weighed.")
    return _("The company's answers do not vary enough to weigh the dimensions.")


def _shade(value: float | None) -> str | None:
    return None if value is None else charts.HEAT_COLOURS[charts.scale_step(value)]


def answer_legend() -> tuple[str, str, str]:
    return (_("Favorable"), _("Neutral"), _("Unfavorable"))


def share_labels(found: Distribution) -> tuple[str, str, str]:
    """An item's three shares as the reader writes percentages."""
    return (
        format_percent(found.favorable),
        format_percent(found.neutral),
        format_percent(found.unfavorable),
    )


def item_rows(
    survey: Survey, found: AnswerDistributions, locale: str
) -> list[tuple[str, Distribution]]:
    """Each answered item as "3. Its text" in the reader's language, with its distribution."""
    return [
        (f"{number}. {item.texts.get(locale) or item.texts['en']}", found.items[item.id])
        for number, item in enumerate(survey.instrument.items, start=1)
        if item.id in found.items
    ]


def department_pdf(view: HeadDashboard, titles: dict[int, str], today: date) -> bytes:
    """The department's report for a team meeting: what the results page shows of a released
    group, but the verbatim answers, which stay on screen."""
    locale = str(get_locale())
    survey = view.survey
    group = view.group
    title = f"{group.key} — {survey.name_in(locale)}"
    period = _(
        "Survey open from %(start)s to %(end)s; report of %(today)s.",
        start=format_day(survey.opens_at),
        end=format_day(survey.closes_at),
        today=format_day(today),
    )
    footer = _("%(title)s · for the team's own discussion", title=title)
    blocks: list[pdf_report.Block] = [pdf_report.Paragraph(period)]
    blocks.append(pdf_report.Paragraph(index_sentence(view), size=11))
    advocacy = advocacy_sentence(view)
    if advocacy:
        blocks.append(pdf_report.Paragraph(advocacy))
    change = view_change(view)
    if change:
        blocks.append(pdf_report.Paragraph(change.sentence))
        blocks += [pdf_report.Paragraph(line, size=7.5) for line in change.details]
    keys = [d for d in DIMENSIONS if d in group.dimensions]
    labels = tuple(str(DIMENSION_LABELS[d]) for d in keys)
    blocks += [
        pdf_report.Heading(_("Dimensions")),
        pdf_report.DimensionBars(
            labels,
            tuple(group.dimensions[d] for d in keys),
            tuple(view.company.dimensions.get(d) for d in keys),
            group.name,
            _("Company"),
            neutral_label(),
        ),
        pdf_report.Table(
            (_("Dimension"), group.name, _("Company")),
            tuple(
                (
                    label,
                    _number(group.dimensions[d]),
                    _number(view.company.dimensions.get(d)),
                )
                for d, label in zip(keys, labels, strict=True)
            ),
            shades=tuple(
                (None, _shade(group.dimensions[d]), _shade(view.company.dimensions.get(d)))
                for d in keys
            ),
        ),
        pdf_report.Paragraph(scale_title(), size=8),
        pdf_report.Heading(_("In their own words")),
        pdf_report.Paragraph(categories_sentence(group)),
        pdf_report.Heading(_("Where to act")),
    ]
    act = view.where_to_act
    if act.is_ranked and act.act is not None:
        blocks.append(
            pdf_report.Paragraph(
                _(
                    "By impact on %(outcome)s and room to rise.",
                    outcome=outcome_labels()[act.act.outcome].lower(),
                ),
                size=8,
            )
        )
    for row in act.rows[: dashboards.WHERE_TO_ACT]:
        names = "; ".join(m.written_text_in(locale).title for m in row.modules) or "—"
        label = DIMENSION_LABELS[row.dimension]
        reason = f" {priority_reason(row.priority)}" if row.priority is not None else ""
        blocks.append(pdf_report.Paragraph(f"{label} ({_number(row.score)}):{reason} {names}"))
    blocks.append(pdf_report.Heading(_("Training")))
    if view.training:
        blocks.append(
            pdf_report.Table(
                (_("Module"), _("Enrolled"), _("Completed"), _("Overdue")),
                tuple(
                    (titles.get(row.module_id, ""), format_decimal(row.enrolled))
                    + (format_decimal(row.completed), format_decimal(row.overdue))
                    for row in view.training
                ),
            )
        )
    else:
        blocks.append(
            pdf_report.Paragraph(_("No module has been assigned to this department yet."))
        )
    if view.items:
        rows = item_rows(survey, view.items, locale)
        blocks += [
            pdf_report.Heading(_("Item by item")),
            pdf_report.AnswerBars(
                tuple(label for label, _found in rows),
                tuple((d.favorable, d.neutral, d.unfavorable) for _label, d in rows),
                answer_legend(),
                tuple(share_labels(d) for _label, d in rows),
            ),
            pdf_report.Table(
                (_("Statement"), _("Favorable"), _("Neutral"), _("Unfavorable")),
                tuple((label, *share_labels(d)) for label, d in rows),
            ),
        ]
    blocks.append(
        pdf_report.Paragraph(_("What people wrote is not printed: read it on screen."), size=8)
    )
    return pdf_report.report_pdf(title, blocks, footer)
