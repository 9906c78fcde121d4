"""What needs the reader of a home page, most urgent first: each item named by its kind, which
the page words and links to where it is done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cxculture.models import Survey, SurveyState, User
from cxculture.services.surveys.responses import my_surveys

RECENT_RESULTS = timedelta(days=14)  # results this fresh are news worth a line at the top

# Each kind of item with its urgency; the order here is the order on the page.
URGENT, SOON, NOTE = "urgent", "soon", "note"
ATTENTION_ORDER = {
    "survey_closing": URGENT,
    "emails_failed": URGENT,
    "training_overdue": URGENT,
    "own_survey": SOON,
    "roster_pending": SOON,
    "without_department": SOON,
    "headless": SOON,
    "results_out": NOTE,
    "draft_waiting": NOTE,
    "nothing_planned": NOTE,
}
RANK = {kind: rank for rank, kind in enumerate(ATTENTION_ORDER)}


@dataclass(frozen=True)
class Attention:
    """One thing that needs the reader; the page words it by ``kind`` and links it to where it
    is done (a survey, a person, a department, an upload...)."""

    kind: str
    count: int = 0
    survey: Survey | None = None
    target_id: int | None = None
    name: str | None = None
    when: datetime | date | None = None
    rate: float | None = None

    @property
    def urgency(self) -> str:
        return ATTENTION_ORDER[self.kind]


def ranked(items: list[Attention]) -> list[Attention]:
    return sorted(items, key=lambda item: RANK[item.kind])


def own_surveys(user: User, now: datetime) -> list[Attention]:
    """The reader's own open surveys not answered yet (heads and HR answer too)."""
    return [
        Attention("own_survey", survey=row.survey, when=row.survey.closes_at)
        for row in my_surveys(user, now)
        if row.state is SurveyState.OPEN and not row.has_submitted
    ]


def is_recent(survey: Survey, now: datetime) -> bool:
    """Closed within the last two weeks."""
    if survey.state(now) is not SurveyState.CLOSED:
        return False
    closed = min(survey.closed_at or survey.closes_at, survey.closes_at)
    return now - closed <= RECENT_RESULTS
