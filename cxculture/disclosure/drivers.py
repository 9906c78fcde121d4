"""Key drivers as released: how much each dimension weighs on an outcome within a group, and so
where the group should act first.

The weights of a group are worked out from exactly the responses its closing snapshot released
(the same set its figures are sums over), only for groups that snapshot shows, and only from 30
complete answers up (``scoring.drivers.MIN_RESPONDENTS``). They are functions of the group's
sums of squares and cross-products, so whatever a reader works out by setting two groups' weights
side by side concerns a set of responses the release guard already keeps at or above the
minimum, as it does for every other figure. The bootstrap intervals are drawn from the rows
sorted by value, so they do not depend on who answered first. A group too small, or whose
answers cannot carry weights, is shown the company's weights instead, with the reason.

Each group's weights are worked out on the first reading after the closing snapshot and kept
(``ReleasedDrivers``), so every later reading shows the same numbers at no cost.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
from sqlalchemy.exc import IntegrityError

from cxculture.disclosure import measures
from cxculture.disclosure.release import Release
from cxculture.extensions import db
from cxculture.models import ReleasedDrivers, ResultSnapshot, Survey
from cxculture.paths import COMPANY
from cxculture.scoring import drivers
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.scoring.drivers import (
    Drivers,
    Fallback,
    RelativeWeights,
    Unavailable,
    WeightIntervals,
    WhereToAct,
)
from cxculture.scoring.role_statement import CUSTOMER_CATEGORIES

ADVOCACY = "advocacy"  # the 0-10 outcome question
CUSTOMER_MENTION = "customer_mention"  # the role statement names the customer served
OUTCOMES = (ADVOCACY, CUSTOMER_MENTION)


def outcomes(survey: Survey) -> tuple[str, ...]:
    """The outcomes the survey measured, the first one the default: advocacy where the
    questionnaire asks it, and the customer mention of the role statement always."""
    if survey.instrument.outcome_question is None:
        return (CUSTOMER_MENTION,)
    return OUTCOMES


@dataclass(frozen=True)
class ActOn:
    """Where a group should act first on one outcome. ``ranking`` is None when not even the
    company's answers carry weights; ``refusal`` then says why the group's own could not be
    used, and ``company_refusal`` why the company's could not stand in."""

    outcome: str
    ranking: WhereToAct | None
    refusal: Fallback | None = None
    company_refusal: Fallback | None = None


def where_to_act(release: Release, key: str, outcome: str) -> ActOn | None:
    """The group's dimensions ranked by impact on ``outcome`` and room to rise, from its own
    weights or, when it cannot carry them, the company's; None when the group is hidden or the
    survey did not measure ``outcome``."""
    group = release.group(key)
    if group.is_suppressed or outcome not in outcomes(release.survey):
        return None
    own = drivers_of(release, key, outcome)
    refusal: Fallback | None = None
    if isinstance(own, Drivers):
        chosen = own
    else:
        refusal = own
        company = own if key == COMPANY else drivers_of(release, COMPANY, outcome)
        if not isinstance(company, Drivers):
            return ActOn(outcome, None, refusal, company)
        chosen = replace(company, fallback=refusal)
    if set(group.dimensions) != set(DIMENSIONS):
        return ActOn(outcome, None, refusal)  # a dimension nobody scored: nothing to weigh it by
    return ActOn(outcome, drivers.priorities(group.dimensions, chosen), refusal)


def drivers_of(release: Release, key: str, outcome: str) -> Drivers | Fallback:
    """The group's own weights on ``outcome``, or why it has none (hidden groups included)."""
    group = release.group(key)
    snapshot_id = release.snapshot_of.get(key)
    if group.is_suppressed or snapshot_id is None or release.is_open or group.is_stale:
        return Fallback(Unavailable.NOT_RELEASED_AT_CLOSING, group.n or 0)
    kept = db.session.get(ReleasedDrivers, (snapshot_id, key, outcome))
    if kept is not None:
        return _from_payload(kept.payload)
    snapshot = db.session.get_one(ResultSnapshot, snapshot_id)
    rows = measures.group_rows(release.survey, key)
    if not snapshot.is_closing or len(rows) != group.n:
        # Released before closing, or answers erased since: these are not the released people.
        return Fallback(Unavailable.NOT_RELEASED_AT_CLOSING, group.n or 0)
    found = _weigh(rows, outcome)
    if isinstance(found, Drivers) and found.weights.dropped:
        found = Fallback(Unavailable.INCOMPLETE_ANSWERS, group.n or 0)
    try:
        with db.session.begin_nested():
            db.session.add(
                ReleasedDrivers(
                    snapshot_id=snapshot_id, group_key=key, outcome=outcome, payload=_payload(found)
                )
            )
        db.session.commit()
    except IntegrityError:
        pass  # another reader kept the same weights a moment before: they are identical
    return found


def _weigh(rows: list[measures.DriverRow], outcome: str) -> Drivers | Fallback:
    x = np.array(
        [[np.nan if value is None else value for value in values] for values, _, _ in rows],
        dtype=np.float64,
    ).reshape(len(rows), len(DIMENSIONS))
    if outcome == ADVOCACY:
        y = np.array([np.nan if answer is None else answer for _, answer, _ in rows])
    else:
        y = np.array([float(category in CUSTOMER_CATEGORIES) for _, _, category in rows])
    try:
        return drivers.key_drivers(x, y, DIMENSIONS)
    except drivers.DriversUnavailable as refusal:
        return Fallback(refusal.reason, refusal.respondents)


def _payload(found: Drivers | Fallback) -> dict[str, Any]:
    if isinstance(found, Fallback):
        return {"reason": found.reason.value, "respondents": found.respondents}
    return {
        "names": list(found.names),
        "weights": asdict(found.weights),
        "intervals": asdict(found.intervals),
    }


def _from_payload(payload: dict[str, Any]) -> Drivers | Fallback:
    if "reason" in payload:
        return Fallback(Unavailable(payload["reason"]), int(payload["respondents"]))

    def fields(stored: dict[str, Any]) -> dict[str, Any]:
        # JSON gives lists back where the dataclasses hold tuples.
        return {k: tuple(v) if isinstance(v, list) else v for k, v in stored.items()}

    return Drivers(
        names=tuple(payload["names"]),
        weights=RelativeWeights(**fields(payload["weights"])),
        intervals=WeightIntervals(**fields(payload["intervals"])),
    )
