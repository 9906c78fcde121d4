"""Signed-in sessions, kept on the server so that logging out ends them for good."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cxculture.models.base import Base, UTCDateTime
from cxculture.models.org import User


class UserSession(Base):
    """One signed-in browser. The cookie carries a random token; only its SHA-256 is kept, so
    reading this table signs nobody in. Logging out deletes the row, and a cookie naming a row
    that is gone, expired, or older than the account's session version is refused."""

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<UserSession user={self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}>"
