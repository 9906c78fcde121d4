"""Survey results by department: SQL GROUP BY over stored scores, rolled up the department tree,
every figure through the anonymity guard.

Groups are the department paths the responses were given in (their snapshot), every ancestor
of those paths, and the company (the empty path). Sums and counts are computed in SQL per exact
path, then added up the tree in Python over those few rows; numbers of a group leave this module
only if ``suppressed_groups`` lets them.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, or_, select

from cxculture.extensions import db
from cxculture.models import Answer, InstrumentItem, Invitation, Response, Survey
from cxculture.models.org import PATH_SEPARATOR
from cxculture.models.surveys import score_column
from cxculture.scoring.anonymity import (
    COMPANY,
    Group,
    Guarded,
    ancestors,
    guard,
    parent_of,
    suppressed_groups,
)
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.scoring.role_statement import CATEGORIES, CUSTOMER_CATEGORIES
from cxculture.scoring.stats import Distribution, WaveChange, distribution_from_counts, wave_change
from cxculture.services.org import below_condition
from cxculture.services.responses import keyed


def minimums(survey: Survey) -> tuple[int, int]:
    """The group sizes below which numbers, and free text, stay hidden for this survey.

    The values copied at launch can be raised by configuration later, never lowered.
    """
    config = current_app.config
    numbers = max(survey.min_group_size or 0, config["CX_MIN_GROUP_SIZE"])
    text = max(survey.min_comment_group_size or 0, config["CX_MIN_COMMENT_GROUP_SIZE"])
    return numbers, max(text, numbers)


@dataclass
class _Sums:
    n: int = 0
    index_sum: float = 0.0
    index_n: int = 0
    dimensions: dict[str, list[float]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0.0])
    )
    categories: dict[str, int] = field(default_factory=lambda: defaultdict(int))


@dataclass(frozen=True)
class GroupResult:
    """One group's results; every number is None when the group is suppressed."""

    key: str
    depth: int
    is_suppressed: bool
    minimum: int
    n: int | None = None
    index: float | None = None
    dimensions: dict[str, float] = field(default_factory=dict)
    categories: dict[str, float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.key.rpartition(PATH_SEPARATOR)[2] if self.key else ""

    @property
    def customer_mention_rate(self) -> float | None:
        if self.is_suppressed or not self.categories:
            return None
        return sum(self.categories.get(c, 0.0) for c in CUSTOMER_CATEGORIES)


def _exact_path_sums(survey: Survey) -> dict[str | None, _Sums]:
    """Sums per exact department path: one GROUP BY pass over the survey's responses."""
    scores = [getattr(Response, score_column(d)) for d in DIMENSIONS]
    columns = [
        func.count(Response.id),
        func.sum(Response.orientation_index),
        func.count(Response.orientation_index),
    ]
    for score in scores:
        columns += [func.count(score), func.sum(score)]
    for category in CATEGORIES:
        columns.append(func.count(Response.id).filter(Response.role_category == category))
    sums: dict[str | None, _Sums] = {}
    for path, n, index_sum, index_n, *rest in db.session.execute(
        select(Response.department_path, *columns)
        .where(Response.survey_id == survey.id)
        .group_by(Response.department_path)
    ):
        group = sums[path] = _Sums(n=n, index_sum=index_sum or 0.0, index_n=index_n)
        for number, dimension in enumerate(DIMENSIONS):
            count, total = rest[2 * number], rest[2 * number + 1]
            group.dimensions[dimension] = [count, total or 0.0]
        for number, category in enumerate(CATEGORIES):
            group.categories[category] = rest[2 * len(DIMENSIONS) + number]
    return sums


def _rolled_up(sums: dict[str | None, _Sums]) -> dict[str, _Sums]:
    groups: dict[str, _Sums] = defaultdict(_Sums)
    for path, exact in sums.items():
        for key in ancestors(path):
            group = groups[key]
            group.n += exact.n
            group.index_sum += exact.index_sum
            group.index_n += exact.index_n
            for dimension, (n, total) in exact.dimensions.items():
                group.dimensions[dimension][0] += n
                group.dimensions[dimension][1] += total
            for category, n in exact.categories.items():
                group.categories[category] += n
    return groups


@dataclass(frozen=True)
class SurveyResults:
    """Every group of a survey after the guard, by key."""

    survey_id: int
    minimum: int
    comment_minimum: int
    groups: dict[str, GroupResult]

    @property
    def company(self) -> GroupResult:
        return self.groups[COMPANY]

    def departments(self, under: list[str] | None = None) -> list[GroupResult]:
        """The department groups in tree order, all or those under the ``under`` paths."""
        keys = sorted(key for key in self.groups if key)
        if under is not None:
            keys = [
                k for k in keys if any(k == p or k.startswith(p + PATH_SEPARATOR) for p in under)
            ]
        return [self.groups[key] for key in keys]


def survey_results(survey: Survey) -> SurveyResults:
    """The guarded results of every group of ``survey``."""
    minimum, comment_minimum = minimums(survey)
    groups = _rolled_up(_exact_path_sums(survey))
    groups.setdefault(COMPANY, _Sums())
    hidden = suppressed_groups(
        {key: Group(key, parent_of(key), sums.n) for key, sums in groups.items()}, minimum
    )
    results = {}
    for key, sums in groups.items():
        depth = key.count(PATH_SEPARATOR) if key else -1
        if key in hidden:
            results[key] = GroupResult(key, depth, True, minimum)
            continue
        results[key] = GroupResult(
            key,
            depth,
            False,
            minimum,
            n=sums.n,
            index=sums.index_sum / sums.index_n if sums.index_n else None,
            dimensions={d: t / n for d, (n, t) in sums.dimensions.items() if n},
            categories={c: sums.categories.get(c, 0) / sums.n for c in CATEGORIES},
        )
    return SurveyResults(survey.id, minimum, comment_minimum, results)


@dataclass(frozen=True)
class GroupReport:
    """One group's guarded results and, when it is shown, how its answers spread per dimension
    (favorable, neutral, unfavorable): what the department pages show, for the API."""

    group: GroupResult
    spread: dict[str, Distribution]


def group_report(survey: Survey, key: str) -> GroupReport:
    """The group ``key`` (a department path, or COMPANY) as the department pages take it: from
    the guard's decision over every group of the survey, so no combination of such reports
    shows more than the pages do. A group nobody answered in is hidden like a small one."""
    found = survey_results(survey)
    group = found.groups.get(key)
    if group is None:
        group = GroupResult(key, key.count(PATH_SEPARATOR) if key else -1, True, found.minimum)
    items = None if group.is_suppressed else item_results(survey, key, found)
    return GroupReport(group, items.dimensions if items is not None else {})


def _guard_decision(survey: Survey, key: str) -> tuple[int | None, int, int]:
    """(n of the group ``key``, or None when suppressed; the two minimums), counting only."""
    minimum, comment_minimum = minimums(survey)
    sizes: dict[str, int] = defaultdict(int)
    for path, n in db.session.execute(
        select(Response.department_path, func.count(Response.id))
        .where(Response.survey_id == survey.id)
        .group_by(Response.department_path)
    ):
        for ancestor in ancestors(path):
            sizes[ancestor] += n
    hidden = suppressed_groups({k: Group(k, parent_of(k), n) for k, n in sizes.items()}, minimum)
    n = None if key not in sizes or key in hidden else sizes[key]
    return n, minimum, comment_minimum


def _shown_size(survey: Survey, key: str, results: SurveyResults | None) -> tuple[int | None, int]:
    """The group's n when the guard shows it (else None), and the free-text minimum."""
    if results is None:
        n, _minimum, comment_minimum = _guard_decision(survey, key)
        return n, comment_minimum
    group = results.groups.get(key)
    n = None if group is None or group.is_suppressed else group.n
    return n, results.comment_minimum


def _group_condition(key: str):
    if key == COMPANY:
        return Response.id.is_not(None)
    return or_(
        Response.department_path == key,
        below_condition(Response.department_path, key),
    )


@dataclass(frozen=True)
class AnswerDistributions:
    """A shown group's answers per item, and per dimension (its items' answers pooled: there
    ``n`` counts answers, not people)."""

    items: dict[int, Distribution]
    dimensions: dict[str, Distribution]


def item_results(
    survey: Survey, key: str, results: SurveyResults | None = None
) -> AnswerDistributions | None:
    """n, mean score and favorable / neutral / unfavorable shares of the group ``key``, per item
    and per dimension; None when the guard hides the group."""
    n, _comment_minimum = _shown_size(survey, key, results)
    if n is None:
        return None
    value = keyed(Answer.value, InstrumentItem.is_reverse_keyed)
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for item_id, keyed_value, count in db.session.execute(
        select(Answer.item_id, value, func.count())
        .join(Response, Response.id == Answer.response_id)
        .join(InstrumentItem, InstrumentItem.id == Answer.item_id)
        .where(Response.survey_id == survey.id, _group_condition(key))
        .group_by(Answer.item_id, value)
    ):
        counts[item_id][int(keyed_value)] = count
    per_dimension: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    items: dict[int, Distribution] = {}
    for item in survey.instrument.items:
        found = distribution_from_counts(counts.get(item.id, {}))
        if found is not None:
            items[item.id] = found
        for answer, count in counts.get(item.id, {}).items():
            per_dimension[item.dimension][answer] += count
    dimensions = {
        dimension: found
        for dimension in DIMENSIONS
        if (found := distribution_from_counts(per_dimension.get(dimension, {}))) is not None
    }
    return AnswerDistributions(items, dimensions)


def group_statements(survey: Survey, key: str, results: SurveyResults | None = None):
    """The role statements and comments of a large enough group, shuffled, with nothing else."""
    n, comment_minimum = _shown_size(survey, key, results)
    if n is None or n < comment_minimum:
        return None
    rows = db.session.execute(
        select(Response.role_statement, Response.comment).where(
            Response.survey_id == survey.id, _group_condition(key)
        )
    ).all()
    texts = [text for row in rows for text in row if text]
    random.SystemRandom().shuffle(texts)  # no order that could follow submission or department
    return texts


def compare_waves(before: Survey, after: Survey, key: str) -> WaveChange | None:
    """The change of a group's index between two waves of the same questionnaire (Welch's
    t-test on respondents' index scores); None unless the group shows in both waves."""
    if before.instrument.key != after.instrument.key:
        return None
    waves = []
    for survey in (before, after):
        if _guard_decision(survey, key)[0] is None:
            return None
        waves.append(
            list(
                db.session.execute(
                    select(Response.orientation_index).where(
                        Response.survey_id == survey.id,
                        _group_condition(key),
                        Response.orientation_index.is_not(None),
                    )
                ).scalars()
            )
        )
    return wave_change(waves[0], waves[1])


def dimension_alphas(survey: Survey) -> dict[str, float | None]:
    """Cronbach's alpha per dimension, from variances computed in SQL."""
    value = keyed(Answer.value, InstrumentItem.is_reverse_keyed)
    base = (
        select(Answer.response_id, InstrumentItem.dimension, Answer.item_id, value.label("v"))
        .join(InstrumentItem, InstrumentItem.id == Answer.item_id)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey.id)
        .subquery()
    )
    items: dict[str, list[float]] = defaultdict(list)
    for dimension, n, mean, mean_square in db.session.execute(
        select(
            base.c.dimension, func.count(), func.avg(base.c.v), func.avg(base.c.v * base.c.v)
        ).group_by(base.c.dimension, base.c.item_id)
    ):
        if n > 1:
            items[dimension].append((float(mean_square) - float(mean) ** 2) * n / (n - 1))
    totals = (
        select(base.c.dimension, func.sum(base.c.v).label("t"))
        .group_by(base.c.response_id, base.c.dimension)
        .subquery()
    )
    alphas: dict[str, float | None] = {}
    for dimension, n, mean, mean_square in db.session.execute(
        select(
            totals.c.dimension,
            func.count(),
            func.avg(totals.c.t),
            func.avg(totals.c.t * totals.c.t),
        ).group_by(totals.c.dimension)
    ):
        k = len(items.get(dimension, []))
        total_variance = (float(mean_square) - float(mean) ** 2) * n / (n - 1) if n > 1 else 0.0
        if k < 2 or total_variance <= 1e-12:
            alphas[dimension] = None
        else:
            alphas[dimension] = k / (k - 1) * (1 - sum(items[dimension]) / total_variance)
    return {dimension: alphas.get(dimension) for dimension in DIMENSIONS}


@dataclass(frozen=True)
class ProfileRow:
    """One dimension of a person's own profile, beside the company's guarded figure."""

    dimension: str
    own: float
    company: Guarded


def personal_profile(invitation: Invitation) -> list[ProfileRow] | None:
    """The person's own stored dimension scores beside the company's (confidential surveys
    only; the company figure goes through the same guard as every other group)."""
    survey = invitation.survey
    if survey.is_anonymous or not invitation.has_submitted:
        return None
    response = db.session.execute(
        select(Response).where(Response.invitation_id == invitation.id)
    ).scalar_one_or_none()
    if response is None:
        return None
    found = survey_results(survey)
    company = found.company
    n = company.n if company.n is not None else 0
    return [
        ProfileRow(
            dimension,
            score,
            guard(
                n,
                company.dimensions.get(dimension),
                found.minimum,
                suppressed=company.is_suppressed,
            ),
        )
        for dimension, score in response.dimension_scores.items()
    ]
