"""The six dimensions of the Customer Orientation Index and the 5-point agreement scale."""

from __future__ import annotations

DIMENSIONS: tuple[str, ...] = (
    "line_of_sight",
    "listen",
    "share",
    "act",
    "right_first_time",
    "lead",
)
SCALE_MIN = 1
SCALE_MAX = 5
SCALE = tuple(range(SCALE_MIN, SCALE_MAX + 1))
