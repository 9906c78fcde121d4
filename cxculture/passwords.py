"""Password rules, as plain data: the forms and the CLI turn the problem codes into sentences."""

from __future__ import annotations

from enum import StrEnum
from functools import cache

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_SCORE = 3  # zxcvbn's 0-4 scale: 3 is "safely unguessable" for an online attack
# zxcvbn rates at most 72 characters (its work grows fast with length, and it refuses more):
# a longer password is rated on its first 72, where a weak one shows its pattern anyway.
RATED_LENGTH = 72


class PasswordProblem(StrEnum):
    """Why a new password is refused."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    CONTAINS_EMAIL = "contains_email"
    COMMON = "common"  # in the list of common passwords zxcvbn ships
    GUESSABLE = "guessable"  # a keyboard walk, a repeat, a sequence, a date...


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


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
    if MIN_LENGTH <= len(password) <= MAX_LENGTH:
        if password.lower() in common_passwords():
            problems.append(PasswordProblem.COMMON)
        elif (
            zxcvbn(password[:RATED_LENGTH], user_inputs=[email] if email else [])["score"]
            < MIN_SCORE
        ):
            problems.append(PasswordProblem.GUESSABLE)
    return problems
