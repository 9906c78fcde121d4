"""Response counts: how many were invited and how many answered, per group, guarded.

Counts are sums over invitations as scores are sums over responses, and go through the same
guard: a group shows its counts only when at least the minimum number of people were invited
there, and never when a hidden group's counts could be worked out from shown ones (a parent less
its shown children). Who answered is never shown; counts follow the department people were
invited in, so later moves change no past rate.

A survey closed for longer than a submission takes to land (``publishing.SETTLING``) has
invitations that can no longer change: nobody is invited to or answers a closed survey. Its
counts are read once per process and kept, keyed by its dates, so reopening or extending it
(which changes them) reads afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from cxculture.disclosure import measures
from cxculture.disclosure.publishing import SETTLING, closed_since
from cxculture.extensions import db
from cxculture.models import Invitation, Survey, SurveyState
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


KEPT_SURVEYS = 32  # closed surveys whose counts are kept per process, the oldest read dropped


class _Kept:
    """Settled surveys' counts per path and their guarded rows, per application."""

    def __init__(self) -> None:
        self.entries: OrderedDict[Hashable, tuple[dict[str | None, tuple[int, int]], ResponseRates]]
        self.entries = OrderedDict()
        self.lock = threading.Lock()


def _kept() -> _Kept:
    # One per application, so two apps in one process (tests, benchmarks) never share counts.
    kept: _Kept = current_app.extensions.setdefault("cxculture.kept_counts", _Kept())
    return kept


def _is_settled(survey: Survey, now: datetime) -> bool:
    return survey.state(now) is SurveyState.CLOSED and now >= closed_since(survey) + SETTLING


def _counted(
    survey: Survey, now: datetime | None
) -> tuple[dict[str | None, tuple[int, int]], ResponseRates]:
    """The survey's (invited, answered) per path and its guarded rates; kept for a survey that
    is closed and settled at ``now`` (read afresh without ``now``)."""
    minimum, _text_minimum = measures.minimums(survey)
    settled = now is not None and _is_settled(survey, now)
    kept_as = (survey.id, survey.launched_at, survey.closes_at, survey.closed_at, minimum)
    kept = _kept()
    if settled:
        with kept.lock:
            found = kept.entries.get(kept_as)
            if found is not None:
                kept.entries.move_to_end(kept_as)
                return found
    by_path = _invitation_counts([survey.id])[survey.id]
    counted = by_path, ResponseRates(minimum, _guarded(by_path, minimum))
    if settled:
        with kept.lock:
            kept.entries[kept_as] = counted
            while len(kept.entries) > KEPT_SURVEYS:
                kept.entries.popitem(last=False)
    return counted


def response_rates(survey: Survey, now: datetime | None = None) -> ResponseRates:
    """The survey's invitations and answers, per group, through the guard (as of ``now``: a
    survey closed and settled by then is counted once per process)."""
    return _counted(survey, now)[1]


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


def invitation_groups(survey: Survey, now: datetime | None = None) -> set[str]:
    """Every group people were invited in (what results may list, answered or not)."""
    if now is not None and _is_settled(survey, now):
        by_path = _counted(survey, now)[0]
        return {key for path in by_path for key in ancestors(path)}
    return {
        key
        for path in db.session.execute(
            select(Invitation.department_path).where(Invitation.survey_id == survey.id).distinct()
        ).scalars()
        for key in ancestors(path)
    }
