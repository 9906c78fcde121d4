"""Micro-training: modules (one text per language) and each person's enrolment in a module."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cxculture.models.base import Base, UTCDateTime, utcnow
from cxculture.models.org import User
from cxculture.paths import PATH_MAX_LENGTH

REFLECTION_KINDS = ("role_statement", "free")
# Who a module is written for: everyone, or those who lead a team (suggested to heads only).
AUDIENCES = ("everyone", "heads")
# Who started an enrolment: the person (``self``: private to them, however it began, a module
# suggested from their own answers included), or a head, HR or a rule (``department``, ``rule``:
# what completion figures count).
ENROLMENT_SOURCES = ("self", "department", "rule")
ASSIGNED_SOURCES = ("department", "rule")


class Module(Base):
    """A short training module tied to one or more dimensions; archived ones stay readable."""

    __tablename__ = "modules"
    __table_args__ = (
        CheckConstraint("minutes BETWEEN 1 AND 30", name="minutes_short"),
        CheckConstraint(
            "reflection_kind IN ('role_statement', 'free')", name="reflection_kind_known"
        ),
        CheckConstraint("audience IN ('everyone', 'heads')", name="audience_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    dimensions: Mapped[list[str]] = mapped_column(JSON)
    minutes: Mapped[int] = mapped_column(Integer)
    reflection_kind: Mapped[str] = mapped_column(String(16))
    audience: Mapped[str] = mapped_column(
        String(16), default="everyone", server_default=text("'everyone'")
    )
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    translations: Mapped[list[ModuleText]] = relationship(
        back_populates="module", cascade="all, delete-orphan", order_by="ModuleText.locale"
    )

    def text_in(self, locale: str) -> ModuleText | None:
        """The module in ``locale``, else in English, else in any language it has."""
        by_locale = {t.locale: t for t in self.translations}
        return by_locale.get(locale) or by_locale.get("en") or next(iter(by_locale.values()), None)

    def written_text_in(self, locale: str) -> ModuleText:
        """``text_in`` for a module known to have a text (``catalogue`` lists only those, unless
        asked for the unwritten): one without any is an error, not None."""
        text = self.text_in(locale)
        if text is None:
            raise LookupError(f"module {self.slug} has no text")
        return text

    def __repr__(self) -> str:
        return f"<Module {self.slug}>"


class ModuleText(Base):
    """A module in one language: the Markdown as written, its sanitised HTML, and the quiz."""

    __tablename__ = "module_texts"
    __table_args__ = (
        UniqueConstraint("module_id", "locale"),
        CheckConstraint("pass_mark > 0 AND pass_mark <= 1", name="pass_mark_share"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    reflection_prompt: Mapped[str] = mapped_column(String(500))
    quiz: Mapped[list[dict]] = mapped_column(JSON)  # question, options, answer, explanation
    pass_mark: Mapped[float] = mapped_column(Float, default=0.8)

    module: Mapped[Module] = relationship(back_populates="translations")


class Enrolment(Base):
    """One person taking one module: why, by when, how far, and the outcome."""

    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("user_id", "module_id"),
        CheckConstraint("source IN ('self', 'department', 'rule')", name="source_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(
        ForeignKey("modules.id", ondelete="RESTRICT"), index=True
    )
    source: Mapped[str] = mapped_column(String(16))
    due_on: Mapped[date | None] = mapped_column(Date)
    # Who assigned it, to which department, with what word (department and rule assignments).
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL")
    )
    message: Mapped[str | None] = mapped_column(String(500))
    # When it was assigned. Progress from before (the person's own) stays theirs: others see the
    # module completed only once it is completed, or the person counts it, after this moment.
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    quiz_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    best_score: Mapped[float | None] = mapped_column(Float)
    quiz_passed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reflection: Mapped[str | None] = mapped_column(Text)
    reflection_category: Mapped[str | None] = mapped_column(String(24))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    module: Mapped[Module] = relationship()

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None

    @property
    def is_assigned(self) -> bool:
        return self.source in ASSIGNED_SOURCES

    @property
    def is_completed_before_assignment(self) -> bool:
        """Completed privately before a head, HR or a rule assigned it (not counted yet)."""
        return (
            self.is_assigned
            and self.completed_at is not None
            and self.assigned_at is not None
            and self.completed_at < self.assigned_at
        )

    def __repr__(self) -> str:
        return f"<Enrolment user={self.user_id} module={self.module_id}>"


class TrainingRule(Base):
    """HR's rule: when the survey closes, departments scoring below ``threshold`` on
    ``dimension`` (and large enough to be shown) get ``module``, due ``due_days`` later."""

    __tablename__ = "training_rules"
    __table_args__ = (
        CheckConstraint("threshold > 0 AND threshold <= 100", name="threshold_on_scale"),
        CheckConstraint("due_days BETWEEN 1 AND 365", name="due_days_sensible"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    dimension: Mapped[str] = mapped_column(String(32))
    threshold: Mapped[float] = mapped_column(Float)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="RESTRICT"))
    due_days: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    module: Mapped[Module] = relationship()


class RuleApplication(Base):
    """A rule applied to one department: recorded so that it never applies twice."""

    __tablename__ = "rule_applications"

    rule_id: Mapped[int] = mapped_column(
        ForeignKey("training_rules.id", ondelete="CASCADE"), primary_key=True
    )
    department_path: Mapped[str] = mapped_column(String(PATH_MAX_LENGTH), primary_key=True)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enrolled: Mapped[int] = mapped_column(Integer)
