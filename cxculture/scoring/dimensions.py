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

# The outcome question: how likely, from 0 to 10, the person would recommend what the company
# delivers to a friend or relative. Reported the way a Net Promoter Score is: the share who
# answer 9 or 10 (promoters) minus the share who answer 0 to 6 (detractors), from -100 to 100.
ADVOCACY_MIN = 0
ADVOCACY_MAX = 10
ADVOCACY_SCALE = tuple(range(ADVOCACY_MIN, ADVOCACY_MAX + 1))
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
