"""The anonymity guard: a group's numbers are shown only when the group is large enough."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Guarded:
    """A group's figure after the guard: ``value`` is None whenever ``is_suppressed``."""

    n: int
    value: float | None
    minimum: int

    @property
    def is_suppressed(self) -> bool:
        return self.value is None


def guard(n: int, value: float | None, minimum: int) -> Guarded:
    """Let ``value`` through only for a group of at least ``minimum`` people."""
    if n < minimum:
        return Guarded(n=n, value=None, minimum=minimum)
    return Guarded(n=n, value=value, minimum=minimum)
