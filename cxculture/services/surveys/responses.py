"""Answering a survey: my surveys, drafts, submitting exactly once, and my own profile."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from functools import cache
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Table, bindparam, insert, inspect, select, update
from sqlalchemy.orm import joinedload, make_transient_to_detached, selectinload
from sqlalchemy.orm.attributes import instance_state

from cxculture.extensions import db
from cxculture.lexicons import lexicon_dir
from cxculture.models import (
    Answer,
    Invitation,
    Response,
    Survey,
    SurveyState,
    User,
)
from cxculture.models.surveys import TEXT_LIMIT, score_column
from cxculture.scoring import role_statement
from cxculture.scoring.dimensions import ADVOCACY_SCALE, DIMENSIONS, SCALE
from cxculture.scoring.scores import ItemKey, dimension_scores
from cxculture.scoring.scores import index as orientation_index
from cxculture.services.surveys.outline import QuestionnaireOutline, outline_of


class NotInvited(Exception):
    """This person has no invitation to this survey (or it does not exist): answer 404."""


class SurveyNotOpen(Exception):
    """The survey does not take answers now; any draft was kept."""

    def __init__(self, state: SurveyState):
        super().__init__(state)
        self.state = state


class AlreadySubmitted(Exception):
    """This invitation already has its response."""


class IncompleteAnswers(Exception):
    """Something required is missing or invalid; ``problems`` maps field names to codes."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(problems)
        self.problems = problems


@dataclass
class AnswerSet:
    """What a person filled in, complete or not."""

    values: dict[int, int] = field(default_factory=dict)  # item id -> 1..5
    role_statement: str = ""
    comment: str = ""
    advocacy: int | None = None  # the outcome question, 0..10, where the questionnaire asks it

    def as_draft(self) -> dict:
        return {
            "answers": {str(item_id): value for item_id, value in self.values.items()},
            "role_statement": self.role_statement,
            "comment": self.comment,
            "advocacy": self.advocacy,
        }

    @classmethod
    def from_draft(cls, draft: dict | None) -> AnswerSet:
        draft = draft or {}
        return cls(
            values={int(k): int(v) for k, v in (draft.get("answers") or {}).items()},
            role_statement=draft.get("role_statement") or "",
            comment=draft.get("comment") or "",
            advocacy=draft.get("advocacy"),
        )


def problems_with(answers: AnswerSet, outline: QuestionnaireOutline) -> dict[str, str]:
    """Why ``answers`` cannot be submitted, by field: ``missing``, ``out_of_range``, ``unknown``,
    ``too_long``. Empty when they can."""
    problems: dict[str, str] = {}
    known = outline.keys
    for item_id, value in answers.values.items():
        if item_id not in known:
            problems[f"item_{item_id}"] = "unknown"
        elif value not in SCALE:
            problems[f"item_{item_id}"] = "out_of_range"
    for item in outline.items:
        if item.id not in answers.values:
            problems[f"item_{item.id}"] = "missing"
    if outline.outcome_question is None:
        if answers.advocacy is not None:
            problems["advocacy"] = "unknown"
    elif answers.advocacy is None:
        problems["advocacy"] = "missing"
    elif answers.advocacy not in ADVOCACY_SCALE:
        problems["advocacy"] = "out_of_range"
    if not answers.role_statement.strip():
        problems["role_statement"] = "missing"
    for name in ("role_statement", "comment"):
        if len(getattr(answers, name)) > TEXT_LIMIT:
            problems[name] = "too_long"
    return problems


@dataclass(frozen=True)
class MySurvey:
    survey: Survey
    state: SurveyState
    has_submitted: bool
    has_draft: bool


_STATE_ORDER = {SurveyState.OPEN: 0, SurveyState.SCHEDULED: 1, SurveyState.CLOSED: 2}


def my_surveys(user: User, now: datetime) -> list[MySurvey]:
    """The person's surveys: open ones first (soonest closing first), then upcoming, then past."""
    rows = db.session.execute(
        select(Invitation, Survey)
        .join(Survey, Survey.id == Invitation.survey_id)
        .where(Invitation.user_id == user.id, Invitation.withdrawn_at.is_(None))
    ).all()
    mine = [
        MySurvey(survey, survey.state(now), invitation.has_submitted, invitation.draft is not None)
        for invitation, survey in rows
    ]
    return sorted(mine, key=_listing_order)


def _listing_order(row: MySurvey) -> tuple[int, float]:
    if row.state is SurveyState.CLOSED:
        return (2, -row.survey.closes_at.timestamp())  # most recent first
    return (_STATE_ORDER[row.state], row.survey.closes_at.timestamp())  # closing soonest first


# The statements of the answer path, built once: each request only binds its values.
_PERSONS_INVITATION = (
    select(Invitation)
    .where(
        Invitation.survey_id == bindparam("survey_id"),
        Invitation.user_id == bindparam("user_id"),
        Invitation.withdrawn_at.is_(None),
    )
    # What the answer form and a submission need, in one round trip: the survey, its
    # questionnaire (whose items come from the per-process outline once it is frozen), and the
    # person's department, which the response records.
    .options(
        joinedload(Invitation.survey).joinedload(Survey.instrument),
        joinedload(Invitation.user).joinedload(User.department),
    )
)
_INVITATIONS = cast(Table, Invitation.__table__)
_RESPONSES = cast(Table, Response.__table__)
_ANSWERS = cast(Table, Answer.__table__)
# The claim: only one transaction can turn submitted_at from NULL to a time. A plain statement
# on the table: the session's copy of the invitation is not read again in this request.
_CLAIM = (
    update(_INVITATIONS)
    .where(_INVITATIONS.c.id == bindparam("invitation_id"), _INVITATIONS.c.submitted_at.is_(None))
    .values(submitted_at=bindparam("claimed_at"), draft=None, draft_saved_at=None)
)
_INSERT_RESPONSE = insert(_RESPONSES)
_INSERT_ANSWERS = insert(_ANSWERS)


def invitation_for(user: User, survey_id: int) -> Invitation:
    """The person's invitation to a launched survey; NotInvited otherwise (nothing revealed)."""
    invitation = db.session.execute(
        _PERSONS_INVITATION, {"survey_id": survey_id, "user_id": user.id}
    ).scalar_one_or_none()
    if invitation is None:
        raise NotInvited()
    return invitation


def save_draft(invitation: Invitation, answers: AnswerSet, now: datetime) -> None:
    """Keep what the person filled in so far, to finish later; AlreadySubmitted once answered.

    Checked by the update itself, not on the loaded invitation: a submission from another tab
    may land in between, and a draft kept after it would tie an anonymous answer to its person.
    """
    # DML gets a CursorResult (its rowcount); Session.execute is annotated as giving a Result.
    saved = cast(
        CursorResult[Any],
        db.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.submitted_at.is_(None))
            .values(draft=answers.as_draft(), draft_saved_at=now)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    if saved != 1:
        db.session.rollback()
        raise AlreadySubmitted()
    db.session.commit()


def submit_response(
    invitation: Invitation,
    answers: AnswerSet,
    locale: str,
    now: datetime,
    *,
    keep_draft: bool = True,
) -> Response:
    """Store the response once. A second submission of the same invitation, even at the same
    moment, gets AlreadySubmitted; a closed survey keeps the answers as a draft (unless
    ``keep_draft`` is false: answers given on a shared device are never kept unsubmitted)."""
    survey = invitation.survey
    outline = outline_of(survey.instrument)
    problems = problems_with(answers, outline)
    if problems:
        raise IncompleteAnswers(problems)
    state = survey.state(now)
    if state is not SurveyState.OPEN:
        if keep_draft and not invitation.has_submitted:
            save_draft(invitation, answers, now)
        raise SurveyNotOpen(state)

    # The claim: only one transaction can turn submitted_at from NULL to a time. An anonymous
    # survey's invitation keeps the day only: a finer time would order the answers.
    is_confidential = not survey.is_anonymous
    submitted_at = now if is_confidential else datetime.combine(now.date(), time(), UTC)
    # The session's connection runs the plain statements: they touch no object it holds.
    connection = db.session.connection()
    claimed = connection.execute(
        _CLAIM, {"invitation_id": invitation.id, "claimed_at": submitted_at}
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise AlreadySubmitted()

    user = invitation.user
    department = user.department if user is not None else None
    response = Response(
        id=uuid.uuid4(),  # random, as the column's default; known before the insert
        survey_id=survey.id,
        invitation_id=invitation.id if is_confidential else None,
        user_id=user.id if is_confidential and user is not None else None,
        department_id=department.id if department else None,
        department_path=department.path if department else None,
        locale=locale,
        role_statement=answers.role_statement.strip(),
        comment=answers.comment.strip() or None,
        submitted_on=now.date(),
        advocacy=answers.advocacy,
    )
    score_response(response, answers.values, outline.keys)
    _store(connection, response, answers.values)
    db.session.commit()
    return response


@cache
def _response_columns() -> tuple[tuple[str, str], ...]:
    """(attribute, column) of every column of a response."""
    return tuple(
        (attribute.key, attribute.columns[0].key) for attribute in inspect(Response).column_attrs
    )


def _store(connection: Connection, response: Response, values: dict[int, int]) -> None:
    """Insert the response and its answers as two plain statements in the claim's transaction,
    then let the session hold the response as the stored row it now is (for callers that read
    or change it), without the unit of work's bookkeeping for rows nobody reads back here."""
    given = instance_state(response).dict
    connection.execute(
        _INSERT_RESPONSE,
        {column: given[key] for key, column in _response_columns() if key in given},
    )
    connection.execute(
        _INSERT_ANSWERS,
        [
            {"response_id": response.id, "item_id": item_id, "value": value}
            for item_id, value in values.items()
        ],
    )
    make_transient_to_detached(response)
    db.session.add(response)


def score_response(response: Response, values: dict[int, int], keys: Mapping[int, ItemKey]):
    """Compute once what results add up: dimension scores, the index, the role category.
    ``keys`` gives each item's dimension and direction (``QuestionnaireOutline.keys``)."""
    scores = dimension_scores(values, keys)
    for dimension in DIMENSIONS:
        setattr(response, score_column(dimension), scores.get(dimension))
    response.orientation_index = orientation_index(scores.values())
    if response.role_statement is None:
        return  # deleted after the retention period: the category it was given stays
    classified = role_statement.classify(response.role_statement, None, lexicon_dir())
    response.role_category = classified.category
    response.role_lang = classified.lang


def rescore(survey_id: int | None = None, batch: int = 500) -> tuple[int, int]:
    """Recompute every stored score and role category; (category changes, responses)."""
    ids = select(Response.id).order_by(Response.id)
    if survey_id is not None:
        ids = ids.where(Response.survey_id == survey_id)
    all_ids = list(db.session.execute(ids).scalars())
    changed = 0
    keys_of: dict[int, Mapping[int, ItemKey]] = {}
    for start in range(0, len(all_ids), batch):
        chunk = db.session.execute(
            select(Response)
            .where(Response.id.in_(all_ids[start : start + batch]))
            .options(selectinload(Response.answers))
        ).scalars()
        for response in chunk:
            if response.survey_id not in keys_of:
                survey = db.session.get_one(Survey, response.survey_id)
                keys_of[response.survey_id] = outline_of(survey.instrument).keys
            before = response.role_category
            values = {answer.item_id: answer.value for answer in response.answers}
            score_response(response, values, keys_of[response.survey_id])
            changed += before != response.role_category
        db.session.commit()
    return changed, len(all_ids)
