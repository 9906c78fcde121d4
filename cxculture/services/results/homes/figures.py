"""Figures every home shares: training as the Team training page counts it, and the newest
survey whose results are out, as the release layer released them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from cxculture import disclosure
from cxculture.disclosure import Release
from cxculture.models import Survey, SurveyState
from cxculture.services.training.assignments import (
    CompletionRow,
    ModuleCompletion,
    completion_by_module,
)

SCANNED = 5  # newest surveys whose results may be out, looked through for one that has some


@dataclass(frozen=True)
class TrainingStatus:
    """Assigned modules in the reader's reach: per module as the Team training page counts
    them, and the enrolments past their due date (names included: training records are not
    survey answers, and that page names them too)."""

    modules: list[ModuleCompletion]
    overdue: list[CompletionRow]
    next_due: dict[int, date] = field(default_factory=dict)  # per module, of those not done

    @property
    def open_modules(self) -> list[ModuleCompletion]:
        """Modules someone has still to complete, most overdue first."""
        waiting = [m for m in self.modules if m.completed < m.enrolled]
        return sorted(waiting, key=lambda m: (-m.overdue, self.next_due.get(m.module_id, date.max)))

    @property
    def enrolled(self) -> int:
        return sum(m.enrolled for m in self.modules)

    @property
    def completed(self) -> int:
        return sum(m.completed for m in self.modules)

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.enrolled if self.enrolled else None

    def overdue_by_department(self) -> list[tuple[str, int]]:
        """Departments (people's current ones) by how many enrolments are overdue there."""
        counted = Counter(row.department for row in self.overdue)
        return sorted(counted.items(), key=lambda pair: (-pair[1], pair[0]))


def training_status(rows: list[CompletionRow], today: date) -> TrainingStatus:
    """The Team training page's figures from its own rows (``assignments.completion``)."""
    next_due: dict[int, date] = {}
    for row in rows:
        if not row.completed and row.due_on is not None:
            next_due[row.module_id] = min(row.due_on, next_due.get(row.module_id, date.max))
    overdue = sorted(
        (row for row in rows if row.is_overdue(today)),
        key=lambda row: (row.due_on or date.max, row.department, row.person),
    )
    return TrainingStatus(completion_by_module(rows, today), overdue, next_due)


def has_results(survey: Survey, now: datetime) -> bool:
    """Whether results may be out: closed, or open with live results chosen before launch."""
    state = survey.state(now)
    return state is SurveyState.CLOSED or (state is SurveyState.OPEN and survey.live_results)


def latest_release(now: datetime, keys: list[str] | None = None) -> Release | None:
    """The newest survey whose results may be out, as released, and among them the newest that
    released something (the newest such survey when none did). With ``keys``, only surveys
    those departments (or ones below them) were invited to."""
    fallback = None
    candidates = [survey for survey in disclosure.result_surveys() if has_results(survey, now)]
    for survey in candidates[:SCANNED]:
        found = disclosure.release_of(survey, now)
        if keys is not None and not found.departments(keys):
            continue
        if found.is_released:
            return found
        fallback = fallback or found
    return fallback
