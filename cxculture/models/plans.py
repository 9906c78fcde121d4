"""Focus plans: what a department chose to work on after a wave, and the actions that follow."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, String
from sqlalchemy import text as sql_text  # "text" is also an action's column
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cxculture.models.base import Base, UTCDateTime, utcnow
from cxculture.models.org import Department, User
from cxculture.models.surveys import Survey

ACTION_STATUSES = ("not_started", "on_track", "off_track", "done")
MAX_FOCUS_DIMENSIONS = 3


class FocusPlan(Base):
    """One to three dimensions a department works on after ``survey`` (a closed wave), with
    its actions; shared plans show on the department's employees' homes."""

    __tablename__ = "focus_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), index=True
    )
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    dimensions: Mapped[list[str]] = mapped_column(JSON)  # 1 to 3 keys of DIMENSIONS
    is_shared: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sql_text("false")
    )
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    department: Mapped[Department] = relationship()
    survey: Mapped[Survey] = relationship()
    actions: Mapped[list[PlanAction]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        order_by="[PlanAction.due_on, PlanAction.id]",
    )

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def __repr__(self) -> str:
        return f"<FocusPlan {self.id} department={self.department_id}>"


class PlanAction(Base):
    """One step of a plan: what, who owns it, by when, and where it stands."""

    __tablename__ = "plan_actions"
    __table_args__ = (
        CheckConstraint(
            "status IN ('not_started', 'on_track', 'off_track', 'done')", name="status_known"
        ),
        CheckConstraint("length(trim(text)) > 0", name="text_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("focus_plans.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(
        String(16), default="not_started", server_default=sql_text("'not_started'")
    )
    # When it was marked done (None while it is not): "did it work?" counts the actions done
    # before the next wave opened.
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The day its owner was last reminded that it is overdue: once a day at most.
    reminded_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[FocusPlan] = relationship(back_populates="actions")
    owner: Mapped[User | None] = relationship()

    @property
    def is_done(self) -> bool:
        return self.status == "done"

    def is_overdue(self, today: date) -> bool:
        return not self.is_done and self.due_on < today

    def __repr__(self) -> str:
        return f"<PlanAction {self.id} plan={self.plan_id} {self.status}>"
