"""A released group as readers see it: its figures from the snapshot that released them, or the
reason it shows none."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from cxculture.paths import depth_of, name_of
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.scoring.role_statement import CATEGORIES, CUSTOMER_CATEGORIES
from cxculture.scoring.stats import Distribution, Moments, distribution_from_counts

if TYPE_CHECKING:
    from cxculture.models.surveys import ReleasedFigures

NOT_RELEASED = "not_released"  # the survey's results come out when it closes
SUPPRESSED = "suppressed"  # too few responses, or a smaller group could be worked out


@dataclass(frozen=True)
class GroupResult:
    """One group as released: every number is None when it is hidden, and ``reason`` says why
    (never how many answered). ``released_at`` and ``is_stale`` tell how fresh the figures are:
    a stale group shows the figures of an earlier snapshot because what changed since was too
    small to release."""

    key: str
    depth: int
    is_suppressed: bool
    minimum: int
    n: int | None = None
    index: float | None = None
    dimensions: dict[str, float] = field(default_factory=dict)
    categories: dict[str, float] = field(default_factory=dict)
    reason: str | None = None
    released_at: datetime | None = None
    is_stale: bool = False
    index_moments: Moments | None = None
    # The outcome question, where the questionnaire asked it: how many answered, and the
    # promoters' and detractors' shares of them.
    advocacy: Advocacy | None = None

    @property
    def name(self) -> str:
        return name_of(self.key)

    @property
    def customer_mention_rate(self) -> float | None:
        if self.is_suppressed or not self.categories:
            return None
        return sum(self.categories.get(c, 0.0) for c in CUSTOMER_CATEGORIES)


@dataclass(frozen=True)
class Advocacy:
    """A group's answers to the 0-10 outcome question, reported like a Net Promoter Score."""

    answered: int
    promoters: float  # shares of those who answered
    passives: float
    detractors: float

    @property
    def score(self) -> float:
        """Promoters minus detractors, in points from -100 to 100."""
        return 100 * (self.promoters - self.detractors)


def advocacy_of(figures: ReleasedFigures) -> Advocacy | None:
    """The released outcome counts as shares; None where nobody answered the question."""
    answered, promoters, detractors = figures.get("advocacy", (0, 0, 0))
    if not answered:
        return None
    return Advocacy(
        answered=int(answered),
        promoters=promoters / answered,
        passives=(answered - promoters - detractors) / answered,
        detractors=detractors / answered,
    )


def hidden(key: str, minimum: int, reason: str) -> GroupResult:
    return GroupResult(key, depth_of(key), True, minimum, reason=reason)


def shown(
    key: str, figures: ReleasedFigures, minimum: int, released_at: datetime, is_stale: bool
) -> GroupResult:
    """The group's published sums turned into what pages show: means and shares."""
    n = figures["n"]
    index_n, index_sum, index_squares = figures["index"]
    return GroupResult(
        key,
        depth_of(key),
        False,
        minimum,
        n=n,
        index=index_sum / index_n if index_n else None,
        dimensions={
            d: figures["dimensions"][d][1] / figures["dimensions"][d][0]
            for d in DIMENSIONS
            if figures["dimensions"][d][0]
        },
        categories={c: figures["categories"].get(c, 0) / n for c in CATEGORIES},
        released_at=released_at,
        is_stale=is_stale,
        # The count is stored among the sums (a list of floats), an int all the same.
        index_moments=Moments(int(index_n), index_sum, index_squares) if index_n else None,
        advocacy=advocacy_of(figures),
    )


@dataclass(frozen=True)
class AnswerDistributions:
    """A shown group's answers per item, and per dimension (its items' answers pooled: there
    ``n`` counts answers, not people)."""

    items: dict[int, Distribution]
    dimensions: dict[str, Distribution]


def distributions(
    items: Mapping[str, Mapping[str, int]], dimension_of: dict[int, str]
) -> AnswerDistributions:
    """Released answer counts (``{item id: {value: count}}``, keys as JSON keeps them) as
    favorable / neutral / unfavorable shares per item and per dimension."""
    per_item: dict[int, Distribution] = {}
    pooled: dict[str, dict[int, int]] = {}
    for raw_item, raw_counts in items.items():
        item_id = int(raw_item)
        counts = {int(value): count for value, count in raw_counts.items()}
        found = distribution_from_counts(counts)
        if found is not None:
            per_item[item_id] = found
        dimension = dimension_of.get(item_id)
        if dimension is not None:
            bucket = pooled.setdefault(dimension, {})
            for value, count in counts.items():
                bucket[value] = bucket.get(value, 0) + count
    return AnswerDistributions(
        per_item,
        {
            dimension: found
            for dimension in DIMENSIONS
            if (found := distribution_from_counts(pooled.get(dimension, {}))) is not None
        },
    )
