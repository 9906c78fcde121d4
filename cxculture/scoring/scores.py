"""Scores of the Customer Orientation Index: flip reverse-keyed items, rescale means to 0-100."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeVar

from cxculture.scoring.dimensions import DIMENSIONS, SCALE_MAX, SCALE_MIN


@dataclass(frozen=True)
class ItemKey:
    """What scoring needs to know of an item."""

    dimension: str
    is_reverse_keyed: bool


_Flipped = TypeVar("_Flipped", covariant=True)


class _Answer(Protocol[_Flipped]):
    """What can be taken from a number: an int gives an int; a SQL column of ints gives a SQL
    expression (not another column)."""

    def __rsub__(self, other: int, /) -> _Flipped: ...


def flipped(value: _Answer[_Flipped]) -> _Flipped:
    """A reverse-keyed item's answer turned the right way round (6 - x): the one place the rule
    lives, for a number here and for a SQL expression in the queries that add answers up."""
    return SCALE_MIN + SCALE_MAX - value


def keyed_value(value: int, is_reverse_keyed: bool) -> int:
    """The answer with reverse-keyed items flipped, so higher always means better."""
    if not SCALE_MIN <= value <= SCALE_MAX:
        raise ValueError(f"answer {value} outside {SCALE_MIN}..{SCALE_MAX}")
    return flipped(value) if is_reverse_keyed else value


def scale_to_100(mean: float) -> float:
    """A 1-5 mean as a 0-100 score: (mean - 1) / 4 x 100."""
    return (mean - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * 100


def dimension_scores(answers: Mapping[int, int], items: Mapping[int, ItemKey]) -> dict[str, float]:
    """One person's 0-100 score per dimension, from ``{item_id: value}`` over the instrument's
    ``items``. A dimension with fewer than half of its items answered is left out (missing)."""
    per_dimension = Counter(item.dimension for item in items.values())
    by_dimension: dict[str, list[int]] = defaultdict(list)
    for item_id, value in answers.items():
        item = items[item_id]
        by_dimension[item.dimension].append(keyed_value(value, item.is_reverse_keyed))
    return {
        dimension: scale_to_100(sum(values) / len(values))
        for dimension in DIMENSIONS
        if (values := by_dimension.get(dimension)) and 2 * len(values) >= per_dimension[dimension]
    }


def index(scores: Iterable[float]) -> float | None:
    """The Customer Orientation Index: the mean of the dimension scores (None without any)."""
    values = list(scores)
    return sum(values) / len(values) if values else None
