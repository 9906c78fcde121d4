"""Results as files, in the reader's language: the company table (CSV, XLSX) and a department's
PDF report. Numbers come from the guarded results only; a hidden group's cells stay empty."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask_babel import format_date, format_decimal, format_percent, get_locale
from flask_babel import gettext as _

from cxculture import pdf_report
from cxculture.disclosure import NOT_RELEASED, GroupResult
from cxculture.exports import Cell
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.scoring.role_statement import CATEGORIES
from cxculture.services.results.dashboards import HeadDashboard, OverviewRow
from cxculture.templating import CATEGORY_LABELS, DIMENSION_LABELS


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
    return _(
        "Customer Orientation Index: %(index)s (company: %(company)s), from %(n)d responses.",
        index=_number(view.group.index),
        company=_number(company),
        n=view.group.n,
    )


def change_sentence(view: HeadDashboard) -> str | None:
    if view.previous is None:
        return None
    if view.change is None:
        return _(
            "No comparison with “%(name)s”: the group was too small in one of the two waves.",
            name=view.previous.name,
        )
    change = view.change
    sentence = _(
        "Change since “%(name)s”: %(diff)s points (95%% confidence interval %(low)s to %(high)s).",
        name=view.previous.name,
        diff=f"{change.difference:+.1f}",
        low=f"{change.ci_low:+.1f}",
        high=f"{change.ci_high:+.1f}",
    )
    verdict = _("a real change") if change.is_significant else _("within normal variation")
    return f"{sentence} ({verdict})"


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


def department_pdf(view: HeadDashboard, titles: dict[int, str], today: date) -> bytes:
    """The department's report for a team meeting: what the results page shows of a released
    group, but the verbatim answers, which stay on screen."""
    locale = str(get_locale())
    survey = view.survey
    group = view.group
    title = f"{group.key} — {survey.name}"
    period = _(
        "Survey open from %(start)s to %(end)s; report of %(today)s.",
        start=format_date(survey.opens_at),
        end=format_date(survey.closes_at),
        today=format_date(today),
    )
    footer = _("%(title)s · for the team's own discussion", title=title)
    blocks: list[pdf_report.Block] = [pdf_report.Paragraph(period)]
    blocks.append(pdf_report.Paragraph(index_sentence(view), size=11))
    change = change_sentence(view)
    if change:
        blocks.append(pdf_report.Paragraph(change))
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
        ),
        pdf_report.Heading(_("In their own words")),
        pdf_report.Paragraph(categories_sentence(group)),
        pdf_report.Heading(_("Where to act")),
    ]
    for dimension, score, modules in view.where_to_act:
        names = "; ".join(m.written_text_in(locale).title for m in modules) or "—"
        label = DIMENSION_LABELS[dimension]
        blocks.append(pdf_report.Paragraph(f"{label} ({_number(score)}): {names}"))
    blocks.append(pdf_report.Heading(_("Training")))
    if view.training:
        blocks.append(
            pdf_report.Table(
                (_("Module"), _("Enrolled"), _("Completed"), _("Overdue")),
                tuple(
                    (titles.get(row.module_id, ""), str(row.enrolled), str(row.completed))
                    + (str(row.overdue),)
                    for row in view.training
                ),
            )
        )
    else:
        blocks.append(
            pdf_report.Paragraph(_("No module has been assigned to this department yet."))
        )
    if view.items:
        rows = [
            (number, item, view.items.items[item.id])
            for number, item in enumerate(survey.instrument.items, start=1)
            if item.id in view.items.items
        ]
        blocks += [
            pdf_report.Heading(_("Item by item")),
            pdf_report.AnswerBars(
                tuple(str(number) for number, _item, _found in rows),
                tuple((d.favorable, d.neutral, d.unfavorable) for _n, _i, d in rows),
                (_("Favorable"), _("Neutral"), _("Unfavorable")),
            ),
            pdf_report.Table(
                (_("Statement"), _("Favorable"), _("Neutral"), _("Unfavorable")),
                tuple(
                    (
                        f"{number}. {item.texts.get(locale) or item.texts['en']}",
                        format_percent(d.favorable),
                        format_percent(d.neutral),
                        format_percent(d.unfavorable),
                    )
                    for number, item, d in rows
                ),
            ),
        ]
    blocks.append(
        pdf_report.Paragraph(_("What people wrote is not printed: read it on screen."), size=8)
    )
    return pdf_report.report_pdf(title, blocks, footer)
