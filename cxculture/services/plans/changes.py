"""How each focus dimension moved: the department's released score at the plan's wave beside
the latest later wave of the same questionnaire, from the release layer only (never computed
from answers here), and only when the department is shown in both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from cxculture import disclosure
from cxculture.extensions import db
from cxculture.models import FocusPlan, Instrument, Survey


@dataclass(frozen=True)
class FocusChange:
    """A focus dimension's released score at the plan's wave and at ``later`` (None: not
    released in both, so nothing is shown)."""

    dimension: str
    before: float | None
    after: float | None = None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True)
class FocusChanges:
    later: Survey | None  # the latest later wave that has released results, if any
    rows: list[FocusChange]


def _later_waves(survey: Survey) -> list[Survey]:
    """Launched waves of the same questionnaire that opened after ``survey``, newest first."""
    return list(
        db.session.execute(
            select(Survey)
            .join(Instrument, Instrument.id == Survey.instrument_id)
            .where(
                Instrument.key == survey.instrument.key,
                Survey.launched_at.is_not(None),
                Survey.opens_at > survey.opens_at,
                Survey.id != survey.id,
            )
            .order_by(Survey.opens_at.desc())
        ).scalars()
    )


def focus_changes(plan: FocusPlan, now: datetime) -> FocusChanges:
    """Each focus dimension at the plan's wave and at the latest later released wave."""
    key = plan.department.path
    first = disclosure.release_of(plan.survey, now).group(key)
    before = {} if first.is_suppressed else first.dimensions
    later = None
    after: dict[str, float] = {}
    for survey in _later_waves(plan.survey):
        found = disclosure.release_of(survey, now)
        if found.is_released:
            later = survey
            group = found.group(key)
            after = {} if group.is_suppressed or not before else group.dimensions
            break
    return FocusChanges(
        later,
        [
            FocusChange(d, before.get(d), after.get(d) if d in before else None)
            for d in plan.dimensions
        ],
    )
