"""Taking snapshots: when a survey's results may be released afresh, and storing what was.

By default results come out once, when the survey closes (and again if it is reopened and
closes again). A survey HR switched to live results before launch is also released while it is
open, at most once per ``CX_LIVE_RESULTS_HOURS``. Either way the release guard
(``cxculture.scoring.releases``) decides which groups may be published afresh, given every
snapshot before; what it releases is stored, so every later read shows exactly that.

Snapshots are taken when someone reads results and one is due, so no scheduler is needed and a
survey that closes on its date is released on the first read after.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from cxculture.disclosure import measures, texts
from cxculture.extensions import db
from cxculture.models import ReleasedGroup, ResultSnapshot, Survey, SurveyState
from cxculture.scoring import releases

# A submission that passed the open check commits within moments; a snapshot taken this long
# after the close has seen every response the survey will ever have.
SETTLING = timedelta(minutes=5)


def snapshots_of(survey: Survey, with_groups: bool = True) -> list[ResultSnapshot]:
    """The survey's snapshots, oldest first, with the groups each released (read with them
    unless ``with_groups`` is false)."""
    query = (
        select(ResultSnapshot)
        .where(ResultSnapshot.survey_id == survey.id)
        .order_by(ResultSnapshot.seq)
    )
    if with_groups:
        query = query.options(selectinload(ResultSnapshot.groups))
    return list(db.session.execute(query).scalars())


def closed_since(survey: Survey) -> datetime:
    """When the survey last closed (early, or on its date)."""
    return survey.closed_at or survey.closes_at


def counts_of(snapshot: ResultSnapshot) -> dict[str | None, int]:
    return {path: n for path, n in snapshot.path_counts}


def _as_released(snapshot: ResultSnapshot) -> releases.Snapshot:
    return releases.Snapshot(
        counts_of(snapshot),
        frozenset(group.group_key for group in snapshot.groups),
        frozenset(snapshot.text_groups or ()),
    )


def _due(survey: Survey, snapshots: list[ResultSnapshot], now: datetime) -> str | None:
    """``closing``, ``live`` or None: what kind of snapshot is due now."""
    state = survey.state(now)
    last = snapshots[-1] if snapshots else None
    if state is SurveyState.CLOSED:
        closed = closed_since(survey)
        if last is None or not last.is_closing or last.taken_at < closed:
            return "closing"
        if last.taken_at < closed + SETTLING:
            return "closing"  # a submission may have landed just after the snapshot
        return None
    if state is SurveyState.OPEN and survey.live_results:
        every = timedelta(hours=current_app.config["CX_LIVE_RESULTS_HOURS"])
        if last is None or now - last.taken_at >= every:
            return "live"
    return None


def ensure_published(survey: Survey, now: datetime) -> list[ResultSnapshot]:
    """The survey's snapshots, after taking the one that is due now, if any (their groups are
    read when asked for)."""
    if survey.launched_at is None:
        return []
    # Without their groups: a reader reads only the groups it shows (``release_of``).
    snapshots = snapshots_of(survey, with_groups=False)
    kind = _due(survey, snapshots, now)
    if kind is None:
        return snapshots
    unchanged = bool(snapshots) and measures.response_counts(survey) == counts_of(snapshots[-1])
    if unchanged and (kind == "live" or snapshots[-1].is_closing):
        return snapshots  # nothing new to release, and texts already were if closing
    return _publish(survey, snapshots_of(survey), kind == "closing", now)


def _publish(
    survey: Survey, snapshots: list[ResultSnapshot], is_closing: bool, now: datetime
) -> list[ResultSnapshot]:
    measured = measures.measure(survey)
    counts = measured.counts
    if not counts and not snapshots:
        return snapshots  # nobody has answered: nothing to release, nothing to remember
    minimum, text_minimum = measures.minimums(survey)
    chosen = releases.next_snapshot(
        [_as_released(snapshot) for snapshot in snapshots],
        counts,
        minimum,
        text_minimum if is_closing else None,
    )
    shown_texts = texts.without_wave_differences(survey, chosen.texts, text_minimum)
    snapshot = ResultSnapshot(
        survey_id=survey.id,
        seq=len(snapshots) + 1,
        taken_at=now,
        is_closing=is_closing,
        path_counts=sorted(counts.items(), key=lambda pair: (pair[0] is not None, pair[0] or "")),
        text_groups=sorted(shown_texts),
    )
    if shown_texts:
        texts.fingerprint_released(survey, snapshot)
    for key in sorted(chosen.numbers):
        sums, items = measured.group(key)
        snapshot.groups.append(
            ReleasedGroup(
                group_key=key,
                n=sums.n,
                figures=sums.as_json(),
                items={
                    str(item): {str(v): c for v, c in values.items()}
                    for item, values in items.items()
                },
            )
        )
    db.session.add(snapshot)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # another reader took the same snapshot at the same moment
    return snapshots_of(survey)
