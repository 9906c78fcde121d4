"""Response counts: how many were invited and how many answered, per group, guarded.

Counts are sums over invitations as scores are sums over responses, and go through the same
guard: a group shows its counts only when at least the minimum number of people were invited
there, and never when a hidden group's counts could be worked out from shown ones (a parent less
its shown children). Who answered is never shown; counts follow the department people were
invited in, so later moves change no past rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select

from cxculture.disclosure import measures
from cxculture.extensions import db
from cxculture.models import Invitation, Survey
from cxculture.paths import COMPANY, ancestors
from cxculture.scoring.releases import group_sizes, next_snapshot


@dataclass(frozen=True)
class RateRow:
    """One group's counts; both None when the guard hides them."""

    key: str
    invited: int | None
    answered: int | None

    @property
    def is_hidden(self) -> bool:
        return self.invited is None

    @property
    def rate(self) -> float | None:
        if self.invited is None or self.answered is None or not self.invited:
            return None
        return self.answered / self.invited

    @property
    def name(self) -> str:
        return self.key.rpartition("/")[2] if self.key else ""

    @property
    def depth(self) -> int:
        return self.key.count("/") if self.key else -1


def _invitation_counts(survey_ids: list[int]) -> dict[int, dict[str | None, tuple[int, int]]]:
    """(invited, answered) per survey and department path at invitation. A leaver's withdrawn
    invitation still counts as invited: dropping it would change the count only for a leaver
    who had not answered, and so tell, to whoever knows who left, whether they had."""
    found: dict[int, dict[str | None, tuple[int, int]]] = {
        survey_id: {} for survey_id in survey_ids
    }
    if not survey_ids:
        return found
    for survey_id, path, invited, answered in db.session.execute(
        select(
            Invitation.survey_id,
            Invitation.department_path,
            func.count(Invitation.id),
            func.count(Invitation.submitted_at),
        )
        .where(Invitation.survey_id.in_(survey_ids))
        .group_by(Invitation.survey_id, Invitation.department_path)
    ):
        found[survey_id][path] = (invited, answered)
    return found


def _guarded(by_path: Mapping[str | None, tuple[int, int]], minimum: int) -> dict[str, RateRow]:
    invited = group_sizes({path: counts[0] for path, counts in by_path.items()})
    answered = group_sizes({path: counts[1] for path, counts in by_path.items()})
    shown = next_snapshot([], {p: c[0] for p, c in by_path.items() if c[0]}, minimum).numbers
    return {
        key: RateRow(key, invited[key], answered.get(key, 0))
        if key in shown
        else RateRow(key, None, None)
        for key in invited
    }


@dataclass(frozen=True)
class ResponseRates:
    """A survey's guarded counts: the company's, and every department's people were invited in
    (hidden ones included, with no numbers)."""

    minimum: int
    rows: dict[str, RateRow]

    @property
    def company(self) -> RateRow:
        return self.rows.get(COMPANY, RateRow(COMPANY, None, None))

    def departments(self) -> list[RateRow]:
        return [self.rows[key] for key in sorted(self.rows) if key]

    def get(self, key: str) -> RateRow:
        return self.rows.get(key, RateRow(key, None, None))


def response_rates(survey: Survey) -> ResponseRates:
    """The survey's invitations and answers, per group, through the guard."""
    minimum, _text_minimum = measures.minimums(survey)
    by_path = _invitation_counts([survey.id])[survey.id]
    return ResponseRates(minimum, _guarded(by_path, minimum))


def company_counts(surveys: list[Survey]) -> dict[int, RateRow]:
    """Each survey's company-wide counts, guarded (None below the minimum invited)."""
    by_survey = _invitation_counts([survey.id for survey in surveys])
    found = {}
    for survey in surveys:
        minimum, _text_minimum = measures.minimums(survey)
        found[survey.id] = _guarded(by_survey[survey.id], minimum).get(
            COMPANY, RateRow(COMPANY, None, None)
        )
    return found


def invitation_groups(survey: Survey) -> set[str]:
    """Every group people were invited in (what results may list, answered or not)."""
    return {
        key
        for path in db.session.execute(
            select(Invitation.department_path).where(Invitation.survey_id == survey.id).distinct()
        ).scalars()
        for key in ancestors(path)
    }
