"""Surveys: versioned instruments and their items, survey waves, invitations, responses, answers."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import NotRequired, TypedDict

from sqlalchemy import (
    JSON,
    Boolean,
    Case,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    case,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cxculture.models.base import Base, UTCDateTime, utcnow
from cxculture.models.org import Department, User
from cxculture.paths import PATH_MAX_LENGTH
from cxculture.scoring.dimensions import (
    ADVOCACY_MAX,
    ADVOCACY_MIN,
    DIMENSIONS,
    SCALE_MAX,
    SCALE_MIN,
)
from cxculture.scoring.role_statement import CATEGORIES
from cxculture.scoring.scores import flipped

TEXT_LIMIT = 2000  # characters of a free-text answer


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


class Instrument(Base):
    """A versioned questionnaire; frozen once a survey using it launches, so waves compare."""

    __tablename__ = "instruments"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    names: Mapped[dict[str, str]] = mapped_column(JSON)
    open_question: Mapped[dict[str, str]] = mapped_column(JSON)
    comment_prompt: Mapped[dict[str, str]] = mapped_column(JSON)
    # The 0-10 outcome question (customer advocacy), asked after the items; None in versions
    # that do not ask it.
    outcome_question: Mapped[dict[str, str] | None] = mapped_column(JSON)
    based_on_id: Mapped[int | None] = mapped_column(
        ForeignKey("instruments.id", ondelete="SET NULL")
    )
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list[InstrumentItem]] = relationship(
        back_populates="instrument",
        order_by="InstrumentItem.position",
        cascade="all, delete-orphan",
    )
    based_on: Mapped[Instrument | None] = relationship(remote_side="Instrument.id")

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    def name_in(self, locale: str) -> str:
        """The questionnaire's name in ``locale``, else in English."""
        return self.names.get(locale) or self.names.get("en") or self.key

    def __repr__(self) -> str:
        return f"<Instrument {self.key} v{self.version}>"


class InstrumentItem(Base):
    """One 5-point agreement statement, belonging to one dimension, in every language."""

    __tablename__ = "instrument_items"
    __table_args__ = (
        UniqueConstraint("instrument_id", "code"),
        CheckConstraint(f"dimension IN ({_in(DIMENSIONS)})", name="dimension_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(
        ForeignKey("instruments.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    dimension: Mapped[str] = mapped_column(String(32))
    is_reverse_keyed: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer)
    texts: Mapped[dict[str, str]] = mapped_column(JSON)

    instrument: Mapped[Instrument] = relationship(back_populates="items")

    def __repr__(self) -> str:
        return f"<InstrumentItem {self.code} {self.dimension}>"


class PrivacyMode(StrEnum):
    """How a survey's answers relate to the person who gave them."""

    CONFIDENTIAL = "confidential"  # linked to the person, shown only to them
    ANONYMOUS = "anonymous"  # never linked: completion on the invitation, answers apart


class SurveyState(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


survey_departments = Table(
    "survey_departments",
    Base.metadata,
    Column("survey_id", ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True),
)


class Survey(Base):
    """A wave of the survey sent to an audience between two dates.

    The state is derived from the dates and two moments (launch, early close) rather than
    stored, so a survey opens and closes on its dates without a job or a click.
    """

    __tablename__ = "surveys"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        CheckConstraint(f"privacy_mode IN ({_in(tuple(PrivacyMode))})", name="privacy_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    instrument_id: Mapped[int] = mapped_column(
        ForeignKey("instruments.id", ondelete="RESTRICT"), index=True
    )
    privacy_mode: Mapped[str] = mapped_column(String(16))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    launched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The anonymity minimums in force at launch, kept with the survey: a later, lower setting
    # must never reveal a group of a past wave.
    min_group_size: Mapped[int | None] = mapped_column(Integer)
    min_comment_group_size: Mapped[int | None] = mapped_column(Integer)
    # When the retention period was over and the free-text answers were deleted.
    free_text_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Results released in snapshots while the survey is open (HR's choice before launch), rather
    # than only once it closes.
    live_results: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # What HR writes per language: {locale: {"name", "intro", "invitation", "reminder"}}. The
    # name in the default language is ``name``; every other text is optional.
    texts: Mapped[dict[str, dict[str, str]]] = mapped_column(
        JSON, default=dict, server_default=text("'{}'")
    )

    instrument: Mapped[Instrument] = relationship()
    departments: Mapped[list[Department]] = relationship(
        secondary=survey_departments, order_by="Department.path"
    )

    @property
    def is_whole_company(self) -> bool:
        return not self.departments

    @property
    def is_anonymous(self) -> bool:
        return self.privacy_mode == PrivacyMode.ANONYMOUS

    def text_in(self, field: str, locale: str) -> str:
        """HR's ``field`` (name, intro, invitation, reminder) in ``locale``; "" when not written
        in that language (callers fall back to the default language, then to the standard text)."""
        return (self.texts or {}).get(locale, {}).get(field, "").strip()

    def name_in(self, locale: str) -> str:
        """The survey's name in ``locale``, else the name HR gave it in the default language."""
        return self.text_in("name", locale) or self.name

    def state(self, now: datetime) -> SurveyState:
        """Where the survey stands at ``now``."""
        if self.launched_at is None:
            return SurveyState.DRAFT
        if self.closed_at is not None or now >= self.closes_at:
            return SurveyState.CLOSED
        if now >= self.opens_at:
            return SurveyState.OPEN
        return SurveyState.SCHEDULED

    def __repr__(self) -> str:
        return f"<Survey {self.id} {self.name!r}>"


class Invitation(Base):
    """A person invited to a survey; holds their draft and whether they have answered.

    In an anonymous survey ``submitted_at`` keeps only the day (midnight UTC): a finer time
    would order the answers and could be matched to the response stored with it."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("survey_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # The department at invitation time (and its path then, which a later move or rename does
    # not change): response rates count people where they were invited.
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL")
    )
    department_path: Mapped[str | None] = mapped_column(String(PATH_MAX_LENGTH))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    draft: Mapped[dict | None] = mapped_column(JSON)
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The personal link and the printed answer code (``services.surveys.passes``): random seeds
    # the tokens are derived from with the application's secret, and the tokens' hashes, which
    # are how a link or code finds its invitation. Neither token is stored.
    link_seed: Mapped[str | None] = mapped_column(String(32))
    link_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    code_seed: Mapped[str | None] = mapped_column(String(32))
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    survey: Mapped[Survey] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def has_submitted(self) -> bool:
        return self.submitted_at is not None

    def __repr__(self) -> str:
        return f"<Invitation {self.id} survey={self.survey_id} user={self.user_id}>"


class RevokedPass(Base):
    """The hash of a personal link or answer code that no longer opens anything (re-sent, new
    cards printed): kept so whoever holds it is told it was replaced, not that it is unknown."""

    __tablename__ = "revoked_passes"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # link or code
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Response(Base):
    """A submitted questionnaire. In anonymous surveys it names no person and no invitation,
    carries only the day it was given, and a random id, so nothing orders or links it.

    Its scores and the category of its role statement are computed once, at submission, so
    results are sums over stored numbers.
    """

    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint(f"role_category IN ({_in(CATEGORIES)})", name="role_category_known"),
        CheckConstraint(
            f"advocacy BETWEEN {ADVOCACY_MIN} AND {ADVOCACY_MAX}", name="advocacy_on_scale"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), unique=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    department_path: Mapped[str | None] = mapped_column(String(PATH_MAX_LENGTH), index=True)
    locale: Mapped[str] = mapped_column(String(10))
    # The free text: None once deleted after the retention period. The category of the role
    # statement, computed at submission, stays, so the results do not change.
    role_statement: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_on: Mapped[date] = mapped_column(Date)
    role_category: Mapped[str] = mapped_column(String(24), index=True)
    role_lang: Mapped[str] = mapped_column(String(2))
    orientation_index: Mapped[float | None] = mapped_column(Float)
    # The 0-10 outcome answer; None where the questionnaire does not ask it.
    advocacy: Mapped[int | None] = mapped_column(SmallInteger)

    # One 0-100 score per dimension (None when too few of its items were answered): columns
    # rather than rows, so a department's results are one pass over its responses.
    score_line_of_sight: Mapped[float | None] = mapped_column(Float)
    score_listen: Mapped[float | None] = mapped_column(Float)
    score_share: Mapped[float | None] = mapped_column(Float)
    score_act: Mapped[float | None] = mapped_column(Float)
    score_right_first_time: Mapped[float | None] = mapped_column(Float)
    score_lead: Mapped[float | None] = mapped_column(Float)

    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan")

    @property
    def dimension_scores(self) -> dict[str, float]:
        """The stored dimension scores that are present."""
        found = {d: getattr(self, score_column(d)) for d in DIMENSIONS}
        return {d: score for d, score in found.items() if score is not None}


class ResultSnapshot(Base):
    """One release of a survey's results: when it was taken, how many responses each exact
    department path held then (what later releases are checked against), and the groups whose
    free text it released. The groups whose figures it released are its ``groups``."""

    __tablename__ = "result_snapshots"
    __table_args__ = (UniqueConstraint("survey_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per survey
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    is_closing: Mapped[bool] = mapped_column(Boolean, default=False)
    # [[path or null, responses], ...]: cumulative counts per exact path at ``taken_at``.
    path_counts: Mapped[list] = mapped_column(JSON)
    text_groups: Mapped[list] = mapped_column(JSON, default=list)
    # Keyed fingerprints of the texts released per group (``disclosure.texts``): what a later
    # wave is compared with once these texts are deleted at the end of their retention. One per
    # released text, so read only by that comparison: every read of a release would otherwise
    # decode them all.
    text_fingerprints: Mapped[dict | None] = mapped_column(JSON, deferred=True)

    groups: Mapped[list[ReleasedGroup]] = relationship(
        back_populates="snapshot", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<ResultSnapshot survey={self.survey_id} #{self.seq}>"


class ReleasedFigures(TypedDict):
    """A released group's sums as its ``figures`` hold them (``disclosure.measures.Sums``)."""

    n: int
    index: list[float]  # responses with an index, its sum, the sum of its squares
    dimensions: dict[str, list[float]]  # dimension -> [responses with a score, their sum]
    categories: dict[str, int]  # role category -> responses
    # The outcome question: [answered, promoters, detractors]; absent from snapshots taken
    # before questionnaires could ask it.
    advocacy: NotRequired[list[int]]


class ReleasedGroup(Base):
    """One group's figures as a snapshot released them: sums over its responses (``figures``)
    and its answer counts per item and value (``items``), read only when shown."""

    __tablename__ = "released_groups"

    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("result_snapshots.id", ondelete="CASCADE"), primary_key=True
    )
    group_key: Mapped[str] = mapped_column(String(PATH_MAX_LENGTH), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    figures: Mapped[ReleasedFigures] = mapped_column(JSON)
    # item id -> keyed answer (1-5) -> count, keys as text (as JSON keeps them)
    items: Mapped[dict[str, dict[str, int]]] = mapped_column(JSON, deferred=True)

    snapshot: Mapped[ResultSnapshot] = relationship(back_populates="groups")


class ReleasedDrivers(Base):
    """A released group's key drivers of one outcome, worked out once from exactly the
    responses its closing snapshot released: the weights and intervals (``payload``), or why
    the group's answers cannot carry them."""

    __tablename__ = "released_drivers"

    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("result_snapshots.id", ondelete="CASCADE"), primary_key=True
    )
    group_key: Mapped[str] = mapped_column(String(PATH_MAX_LENGTH), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(24), primary_key=True)
    payload: Mapped[dict] = mapped_column(JSON)


def score_column(dimension: str) -> str:
    """The Response attribute holding the score of ``dimension``."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    return f"score_{dimension}"


class Answer(Base):
    """One agreement value (1-5) given to one item."""

    __tablename__ = "answers"
    __table_args__ = (
        CheckConstraint(f"value BETWEEN {SCALE_MIN} AND {SCALE_MAX}", name="value_on_scale"),
    )

    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("instrument_items.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    value: Mapped[int] = mapped_column(SmallInteger)


def keyed_answer() -> Case[int]:
    """SQL: an answer's value with reverse-keyed items flipped (``scoring.scores.flipped``), for
    queries that join answers to their items."""
    return case(
        (InstrumentItem.is_reverse_keyed.is_(True), flipped(Answer.value)), else_=Answer.value
    )
