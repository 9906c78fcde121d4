"""Password rules, as plain data: the forms and the CLI turn the problem codes into sentences."""

from __future__ import annotations

from enum import StrEnum

MIN_LENGTH = 12
MAX_LENGTH = 256


class PasswordProblem(StrEnum):
    """Why a new password is refused."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    CONTAINS_EMAIL = "contains_email"


def password_problems(password: str, email: str | None = None) -> list[PasswordProblem]:
    """Every rule ``password`` breaks for the account ``email``; empty when it is acceptable."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(PasswordProblem.TOO_SHORT)
    if len(password) > MAX_LENGTH:
        problems.append(PasswordProblem.TOO_LONG)
    if email:
        lowered = password.lower()
        local_part = email.lower().split("@", 1)[0]
        if email.lower() in lowered or (len(local_part) >= 4 and local_part in lowered):
            problems.append(PasswordProblem.CONTAINS_EMAIL)
    return problems
