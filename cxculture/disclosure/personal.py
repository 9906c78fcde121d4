"""What a person's own answers give back to that person alone: their profile and the modules
suggested for their weakest dimensions. Nothing here is stored apart from the response itself,
so no page, count, file, API field, audit entry or email for anyone else can carry it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from cxculture.disclosure.release import release_of
from cxculture.extensions import db
from cxculture.models import Invitation, Module, PrivacyMode, Response, Role, Survey, User
from cxculture.scoring.anonymity import Guarded, guard

SUGGESTION_THRESHOLD = 60.0  # a dimension scored below this gets a module
MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class ProfileRow:
    """One dimension of a person's own profile, beside the company's released figure."""

    dimension: str
    own: float
    company: Guarded


def _own_response(invitation: Invitation) -> Response | None:
    if invitation.survey.is_anonymous or not invitation.has_submitted:
        return None
    return db.session.execute(
        select(Response).where(Response.invitation_id == invitation.id)
    ).scalar_one_or_none()


def personal_profile(invitation: Invitation, now: datetime) -> list[ProfileRow] | None:
    """The person's own dimension scores beside the company's as released (confidential surveys
    only: an anonymous response is linked to nobody, so nobody gets it back)."""
    response = _own_response(invitation)
    if response is None:
        return None
    release = release_of(invitation.survey, now)
    company = release.company
    return [
        ProfileRow(
            dimension,
            score,
            guard(
                company.n or 0,
                company.dimensions.get(dimension),
                release.minimum,
                suppressed=company.is_suppressed,
            ),
        )
        for dimension, score in response.dimension_scores.items()
    ]


def written_for(user: User | None, modules: list[Module]) -> list[Module]:
    """The modules whose audience includes ``user``: those about leading a team go to heads only."""
    leads = user is not None and Role.DEPT_HEAD in user.roles
    return [m for m in modules if m.audience != "heads" or leads]


def suggested_modules(scores: dict[str, float], modules: list[Module]) -> list[Module]:
    """Up to three modules for the dimensions scored under the threshold, largest gap first."""
    gaps = sorted(
        (score, dimension) for dimension, score in scores.items() if score < SUGGESTION_THRESHOLD
    )
    chosen: list[Module] = []
    for _score, dimension in gaps:
        module = next((m for m in modules if dimension in m.dimensions and m not in chosen), None)
        if module is not None:
            chosen.append(module)
        if len(chosen) == MAX_SUGGESTIONS:
            break
    return chosen


def suggestions_for_invitation(invitation: Invitation, modules: list[Module]) -> list[Module]:
    """The modules suggested by the person's answer to this (confidential) survey."""
    response = _own_response(invitation)
    if response is None:
        return []
    return suggested_modules(response.dimension_scores, written_for(invitation.user, modules))


def my_suggestions(user: User, modules: list[Module]) -> list[Module]:
    """The modules suggested by the person's newest confidential answer."""
    response = db.session.execute(
        select(Response)
        .join(Survey, Survey.id == Response.survey_id)
        .where(Response.user_id == user.id, Survey.privacy_mode == PrivacyMode.CONFIDENTIAL)
        .order_by(Response.submitted_on.desc(), Survey.opens_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    if response is None:
        return []
    return suggested_modules(response.dimension_scores, written_for(user, modules))
