"""Survey answers measured per exact department path: the raw material of releases.

Nothing here is guarded, so nothing here is shown: only the release layer
(``cxculture.disclosure``) reads these functions, decides what of them may be published, and
publishes sums of whole groups. Sums and counts are computed in SQL per exact path (the path a
response was given in), in one ``GROUP BY`` pass over the stored scores.
"""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, func, or_, select

from cxculture.extensions import db
from cxculture.models import Answer, InstrumentItem, Response, Survey
from cxculture.models.org import below_condition
from cxculture.models.surveys import ReleasedFigures, keyed_answer, score_column
from cxculture.paths import COMPANY, ancestors
from cxculture.scoring.dimensions import DETRACTOR_MAX, DIMENSIONS, PROMOTER_MIN
from cxculture.scoring.role_statement import CATEGORIES

CONSISTENT_READ_ATTEMPTS = 5


def minimums(survey: Survey) -> tuple[int, int]:
    """The group sizes below which numbers, and free text, stay hidden for this survey.

    The values copied at launch can be raised by configuration later, never lowered.
    """
    config = current_app.config
    numbers = max(survey.min_group_size or 0, config["CX_MIN_GROUP_SIZE"])
    text = max(survey.min_comment_group_size or 0, config["CX_MIN_COMMENT_GROUP_SIZE"])
    return numbers, max(text, numbers)


@dataclass
class Sums:
    """Sums over a set of responses: how many, the index (count, sum, sum of squares), each
    dimension (count, sum), the role categories (count each) and the outcome question
    (answered, promoters, detractors)."""

    n: int = 0
    index: list[float] = field(default_factory=lambda: [0, 0.0, 0.0])
    dimensions: dict[str, list[float]] = field(
        default_factory=lambda: {d: [0, 0.0] for d in DIMENSIONS}
    )
    categories: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    advocacy: list[int] = field(default_factory=lambda: [0, 0, 0])

    def add(self, other: Sums) -> None:
        self.n += other.n
        self.index = [mine + theirs for mine, theirs in zip(self.index, other.index, strict=True)]
        for dimension, (count, total) in other.dimensions.items():
            self.dimensions[dimension][0] += count
            self.dimensions[dimension][1] += total
        for category, count in other.categories.items():
            self.categories[category] += count
        self.advocacy = [
            mine + theirs for mine, theirs in zip(self.advocacy, other.advocacy, strict=True)
        ]

    def as_json(self) -> ReleasedFigures:
        return {
            "n": self.n,
            "index": list(self.index),
            "dimensions": {d: list(v) for d, v in self.dimensions.items()},
            "categories": dict(self.categories),
            "advocacy": list(self.advocacy),
        }


ItemCounts = dict[int, dict[int, int]]  # item id -> keyed answer (1-5) -> count


@dataclass(frozen=True)
class Measurement:
    """A survey's responses measured per exact path, all from the same set of responses."""

    sums: dict[str | None, Sums]
    items: dict[str | None, ItemCounts]

    @property
    def counts(self) -> dict[str | None, int]:
        return {path: sums.n for path, sums in self.sums.items() if sums.n}

    def group(self, key: str) -> tuple[Sums, ItemCounts]:
        """The sums and answer counts of the group ``key`` (its paths added up)."""
        total = Sums()
        items: ItemCounts = defaultdict(lambda: defaultdict(int))
        for path, sums in self.sums.items():
            if key in ancestors(path):
                total.add(sums)
                for item_id, values in self.items.get(path, {}).items():
                    for value, count in values.items():
                        items[item_id][value] += count
        return total, {item: dict(values) for item, values in items.items()}


def _path_sums(survey: Survey) -> dict[str | None, Sums]:
    index = Response.orientation_index
    columns: list[ColumnElement[Any]] = [
        func.count(Response.id),
        func.count(index),
        func.sum(index),
        func.sum(index * index),
    ]
    for dimension in DIMENSIONS:
        score = getattr(Response, score_column(dimension))
        columns += [func.count(score), func.sum(score)]
    for category in CATEGORIES:
        columns.append(func.count(Response.id).filter(Response.role_category == category))
    advocacy = Response.advocacy
    columns += [
        func.count(advocacy),
        func.count(advocacy).filter(advocacy >= PROMOTER_MIN),
        func.count(advocacy).filter(advocacy <= DETRACTOR_MAX),
    ]
    found: dict[str | None, Sums] = {}
    # The columns are built in a loop, so SQLAlchemy cannot type the rows: path, responses,
    # the index's count, sum and sum of squares, then each dimension's count and sum, each
    # category's count, and the outcome's answered, promoters and detractors.
    rows: Iterable[tuple[str | None, int, int, float | None, float | None, *tuple[Any, ...]]]
    rows = db.session.execute(
        select(Response.department_path)
        .add_columns(*columns)
        .where(Response.survey_id == survey.id)
        .group_by(Response.department_path)
    )
    for path, n, index_n, index_sum, index_squares, *rest in rows:
        sums = found[path] = Sums(n=n, index=[index_n, index_sum or 0.0, index_squares or 0.0])
        for number, dimension in enumerate(DIMENSIONS):
            sums.dimensions[dimension] = [rest[2 * number], rest[2 * number + 1] or 0.0]
        for number, category in enumerate(CATEGORIES):
            sums.categories[category] = rest[2 * len(DIMENSIONS) + number]
        sums.advocacy = [int(count) for count in rest[2 * len(DIMENSIONS) + len(CATEGORIES) :]]
    return found


def _path_items(survey: Survey) -> tuple[dict[str | None, ItemCounts], dict[str | None, int]]:
    """Answer counts per path, item and keyed value; and responses per path, counted in the
    same statement (each response answers every item of its questionnaire)."""
    value = keyed_answer()
    items: dict[str | None, ItemCounts] = defaultdict(lambda: defaultdict(dict))
    answered: dict[str | None, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for path, item_id, keyed_value, count in db.session.execute(
        select(Response.department_path, Answer.item_id, value, func.count())
        .join(Response, Response.id == Answer.response_id)
        .join(InstrumentItem, InstrumentItem.id == Answer.item_id)
        .where(Response.survey_id == survey.id)
        .group_by(Response.department_path, Answer.item_id, value)
    ):
        items[path][item_id][int(keyed_value)] = count
        answered[path][item_id] += count
    counts = {path: max(per_item.values()) for path, per_item in answered.items()}
    return {path: dict(per_item) for path, per_item in items.items()}, counts


def measure(survey: Survey) -> Measurement:
    """Sums and answer counts per exact path, read as one consistent set of responses.

    Two statements could see different responses when one is submitted in between; responses
    are only ever added, so equal counts per path mean the same responses. Read again until
    they agree.
    """
    for _attempt in range(CONSISTENT_READ_ATTEMPTS):
        sums = _path_sums(survey)
        items, counts = _path_items(survey)
        if all(counts.get(path, 0) == found.n for path, found in sums.items()) and set(
            counts
        ) <= set(sums):
            return Measurement(sums, items)
    raise RuntimeError(f"survey {survey.id} kept changing while it was measured")


def response_counts(survey: Survey) -> dict[str | None, int]:
    """Responses per exact path (a cheap check of whether anything changed)."""
    return dict(
        db.session.execute(
            select(Response.department_path, func.count(Response.id))
            .where(Response.survey_id == survey.id)
            .group_by(Response.department_path)
        ).all()
    )


def _group_condition(key: str) -> ColumnElement[bool]:
    if key == COMPANY:
        return Response.id.is_not(None)
    return or_(Response.department_path == key, below_condition(Response.department_path, key))


def group_texts(survey: Survey, key: str) -> list[tuple[str | None, str | None]]:
    """The role statement and comment of every response in the group ``key``, shuffled."""
    rows = [
        (statement, comment)
        for statement, comment in db.session.execute(
            select(Response.role_statement, Response.comment).where(
                Response.survey_id == survey.id, _group_condition(key)
            )
        )
    ]
    # No order that could follow submission or department. One seed from the system's random
    # source per call: drawing from it for every swap cost a system call each.
    random.Random(secrets.randbits(128)).shuffle(rows)  # noqa: S311 (seeded from secrets)
    return rows


DriverRow = tuple[tuple[float | None, ...], int | None, str]  # scores, outcome answer, category


def texts_by_path(survey: Survey) -> dict[str | None, list[tuple[str | None, str | None]]]:
    """The role statement and comment of every response, by exact department path, in one read
    (for work over many groups at once; no order within a path is promised)."""
    found: dict[str | None, list[tuple[str | None, str | None]]] = defaultdict(list)
    for path, statement, comment in db.session.execute(
        select(Response.department_path, Response.role_statement, Response.comment).where(
            Response.survey_id == survey.id
        )
    ):
        found[path].append((statement, comment))
    return dict(found)


def group_rows(survey: Survey, key: str) -> list[DriverRow]:
    """Each response of the group ``key``: its dimension scores (in the order of DIMENSIONS),
    its outcome answer and its role category, sorted by value, so nothing computed from them
    depends on who answered first."""
    scores = [getattr(Response, score_column(dimension)) for dimension in DIMENSIONS]
    # The columns are built in a loop, so SQLAlchemy cannot type the rows: the scores, then the
    # outcome answer and the category.
    found: Iterable[tuple[Any, ...]] = db.session.execute(
        select(*scores, Response.advocacy, Response.role_category).where(
            Response.survey_id == survey.id, _group_condition(key)
        )
    )
    rows: list[DriverRow] = []
    for *values, advocacy, category in found:
        rows.append((tuple(values), advocacy, category))
    return sorted(rows, key=_row_order)


def _row_order(row: DriverRow) -> tuple[Any, ...]:
    values, advocacy, category = row
    return (
        tuple((value is None, value or 0.0) for value in values),
        (advocacy is None, advocacy or 0),
        category,
    )


def dimension_alphas(survey: Survey) -> dict[str, float | None]:
    """Cronbach's alpha per dimension over the whole survey, from variances computed in SQL."""
    value = keyed_answer()
    base = (
        select(Answer.response_id, InstrumentItem.dimension, Answer.item_id, value.label("v"))
        .join(InstrumentItem, InstrumentItem.id == Answer.item_id)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey.id)
        .subquery()
    )
    items: dict[str, list[float]] = defaultdict(list)
    # A subquery's columns are untyped: dimension, answers, and the means (numeric on
    # PostgreSQL, float on SQLite) of the answers and of their squares, per item.
    per_item: Iterable[tuple[str, int, Decimal | float, Decimal | float]]
    per_item = db.session.execute(
        select(
            base.c.dimension, func.count(), func.avg(base.c.v), func.avg(base.c.v * base.c.v)
        ).group_by(base.c.dimension, base.c.item_id)
    )
    for dimension, n, mean, mean_square in per_item:
        if n > 1:
            items[dimension].append((float(mean_square) - float(mean) ** 2) * n / (n - 1))
    totals = (
        select(base.c.dimension, func.sum(base.c.v).label("t"))
        .group_by(base.c.response_id, base.c.dimension)
        .subquery()
    )
    alphas: dict[str, float | None] = {}
    # The same per dimension, of respondents' totals.
    per_dimension: Iterable[tuple[str, int, Decimal | float, Decimal | float]]
    per_dimension = db.session.execute(
        select(
            totals.c.dimension,
            func.count(),
            func.avg(totals.c.t),
            func.avg(totals.c.t * totals.c.t),
        ).group_by(totals.c.dimension)
    )
    for dimension, n, mean, mean_square in per_dimension:
        k = len(items.get(dimension, []))
        total_variance = (float(mean_square) - float(mean) ** 2) * n / (n - 1) if n > 1 else 0.0
        if k < 2 or total_variance <= 1e-12:
            alphas[dimension] = None
        else:
            alphas[dimension] = k / (k - 1) * (1 - sum(items[dimension]) / total_variance)
    return {dimension: alphas.get(dimension) for dimension in DIMENSIONS}
