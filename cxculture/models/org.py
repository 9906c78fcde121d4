"""The organisation: departments as a tree, people, and who heads which department."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from config import SUPPORTED_LOCALES
from cxculture.models.base import Base, UTCDateTime
from cxculture.paths import PATH_MAX_LENGTH, PATH_SEPARATOR


class Role(StrEnum):
    """What a person may do. Everyone is an employee; heading a department makes a head."""

    HR_ADMIN = "hr_admin"
    DEPT_HEAD = "dept_head"
    EMPLOYEE = "employee"


department_heads = Table(
    "department_heads",
    Base.metadata,
    Column(
        "department_id",
        ForeignKey("departments.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Department(Base):
    """A unit of the company; ``path`` spells its place in the tree, e.g. ``Operations/Sales``."""

    __tablename__ = "departments"
    __table_args__ = (
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        CheckConstraint("name NOT LIKE '%/%'", name="name_without_separator"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    path: Mapped[str] = mapped_column(String(PATH_MAX_LENGTH), unique=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # An archived department takes no new people; its past results stay where they were.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    parent: Mapped[Department | None] = relationship(
        back_populates="children", remote_side="Department.id"
    )
    children: Mapped[list[Department]] = relationship(
        back_populates="parent", order_by="Department.name"
    )
    heads: Mapped[list[User]] = relationship(
        secondary=department_heads, back_populates="headed_departments", order_by="User.name"
    )
    members: Mapped[list[User]] = relationship(back_populates="department")

    @property
    def depth(self) -> int:
        """How many levels below the top this department sits (0 for a top-level one)."""
        return self.path.count(PATH_SEPARATOR)

    def __repr__(self) -> str:
        return f"<Department {self.id} {self.path!r}>"


class User(UserMixin, Base):
    """A person in the company who may log in."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        # People without a mailbox (store, field and contact-center staff) are known by their
        # employee number and answer surveys with printed codes.
        CheckConstraint("email IS NOT NULL OR employee_number IS NOT NULL", name="email_or_number"),
        CheckConstraint(
            "locale IS NULL OR locale IN ({})".format(
                ", ".join(f"'{code}'" for code in SUPPORTED_LOCALES)
            ),
            name="locale_supported",
        ),
        # A person's id is never given to anyone else, even after they are erased: the audit
        # trail keeps it (PostgreSQL's sequences never reuse one; SQLite needs AUTOINCREMENT).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    employee_number: Mapped[str | None] = mapped_column(String(64), unique=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    locale: Mapped[str | None] = mapped_column(String(10))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    is_hr_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Bumped on password change or deactivation: every session holding the old value ends.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    department: Mapped[Department | None] = relationship(back_populates="members")
    manager: Mapped[User | None] = relationship(remote_side="User.id")
    headed_departments: Mapped[list[Department]] = relationship(
        secondary=department_heads, back_populates="heads", order_by="Department.path"
    )

    # Not a column: the random token of the browser session this object was signed in with
    # (accounts.start_session sets it at login, accounts.load_session_user on every request).
    # Only its SHA-256 is stored, in user_sessions. (Annotated for type checkers only: the ORM
    # maps the names annotated at run time.)
    if TYPE_CHECKING:
        session_token: str | None = None
    else:
        session_token = None

    def get_id(self) -> str:
        """The identity Flask-Login keeps in the session cookie: this browser's session token.

        Without one (an object no session was started for) it is the id and session version,
        which names no stored session, so a cookie holding it signs nobody in."""
        if self.session_token is not None:
            return self.session_token
        return f"{self.id}.{self.session_version}"

    @property
    def roles(self) -> frozenset[Role]:
        """Every role this person holds."""
        roles = {Role.EMPLOYEE}
        if self.is_hr_admin:
            roles.add(Role.HR_ADMIN)
        if self.headed_departments:
            roles.add(Role.DEPT_HEAD)
        return frozenset(roles)

    def has_role(self, role: Role) -> bool:
        """Whether this person holds ``role``."""
        return role in self.roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r}>"


def below_condition(column, path: str):
    """SQL condition: the department path in ``column`` is strictly below ``path``. Compared
    with substr and '=' rather than LIKE, which ignores case on SQLite and would make 'Ops'
    cover 'OPS/Sales'."""
    prefix = path + PATH_SEPARATOR
    return func.substr(column, 1, len(prefix)) == prefix
