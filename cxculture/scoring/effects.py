"""Did it work: the change between two waves in departments that completed a training or plan,
against the change in departments that did not (a difference-in-differences by department)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple

from scipy import stats as scipy_stats

from cxculture.scoring.stats import welch_degrees

# A department counts as having completed when at least this share of the people assigned
# finished before the second wave opened: most of the team, so its answers could have moved,
# without letting one absence or late joiner disqualify a small team.
COMPLETION_SHARE = 0.6
# Fewer departments than this on either side and a difference is anecdote: with two, one unusual
# team decides it, and the interval's t quantile (12.7 at 1 degree of freedom) is uninformative.
MIN_DEPARTMENTS_PER_SIDE = 3
DEFAULT_LEVEL = 0.95


def completed(assigned: int, completed_before_open: int, share: float = COMPLETION_SHARE) -> bool:
    """Whether a department completed: at least ``share`` of the people assigned finished
    before the second wave opened (False when nobody was assigned)."""
    if assigned < 0 or not 0 <= completed_before_open <= assigned:
        raise ValueError(f"{completed_before_open} completed of {assigned} assigned")
    if not 0 < share <= 1:
        raise ValueError(f"share {share} outside (0, 1]")
    if assigned == 0:
        return False
    # Exact: 3 of 5 is 60%, and 0.6 as a binary float is a hair less or more than 3/5.
    return Fraction(completed_before_open, assigned) >= Fraction(str(share))


class DepartmentWaves(NamedTuple):
    """A department's score in the two waves, whether it completed, and (optionally) how many
    people answered, to weigh larger departments more."""

    before: float
    after: float
    is_treated: bool
    respondents: int | None = None


class Verdict(StrEnum):
    TOO_FEW_DEPARTMENTS = "too_few_departments"
    NOT_SURE = "not_sure"  # the interval includes zero
    CLEARLY_HIGHER = "clearly_higher"  # treated departments rose more (or fell less)
    CLEARLY_LOWER = "clearly_lower"


@dataclass(frozen=True)
class Side:
    """The departments on one side: how many, their mean change and its squared standard error."""

    departments: int
    mean_change: float | None
    variance_of_mean: float | None  # None below two departments
    degrees: float | None  # the side's share of Welch-Satterthwaite: n - 1, or effective n - 1


@dataclass(frozen=True)
class DidEstimate:
    """Mean change of the treated minus mean change of the others, with its interval."""

    treated: Side
    control: Side
    difference: float | None  # None when a side has no department
    standard_error: float | None  # None when a side has fewer than two
    degrees_of_freedom: float | None
    ci_low: float | None
    ci_high: float | None
    level: float
    dropped: int  # departments left out for a missing score
    is_weighted: bool
    verdict: Verdict


def difference_in_differences(
    departments: Sequence[DepartmentWaves], level: float = DEFAULT_LEVEL
) -> DidEstimate:
    """Welch's interval for mean change (treated) - mean change (others), department by department.

    Each department is one observation, its change after - before; the two sides' variances are
    not assumed equal (the trained departments are often chosen for their gaps, so they differ
    from the others), hence Welch's standard error and Welch-Satterthwaite degrees of freedom.
    With respondents, each side's mean is weighted by them and its variance uses Kish's effective
    number of departments. A department with a missing score in either wave is left out.
    """
    if not 0 < level < 1:
        raise ValueError(f"level {level} outside (0, 1)")
    given = [department.respondents is not None for department in departments]
    if any(given) and not all(given):
        raise ValueError("give respondents for every department or for none")
    is_weighted = bool(given) and all(given)
    kept = [d for d in departments if not (math.isnan(d.before) or math.isnan(d.after))]
    for department in kept:
        if math.isinf(department.before) or math.isinf(department.after):
            raise ValueError("scores must be finite (a missing score as NaN)")
        if department.respondents is not None and department.respondents < 1:
            raise ValueError(f"respondents {department.respondents} must be at least 1")
    treated = _side([d for d in kept if d.is_treated])
    control = _side([d for d in kept if not d.is_treated])
    difference: float | None = None
    if treated.mean_change is not None and control.mean_change is not None:
        difference = treated.mean_change - control.mean_change
    standard_error, degrees, ci_low, ci_high = _welch(treated, control, level)
    return DidEstimate(
        treated=treated,
        control=control,
        difference=difference,
        standard_error=standard_error,
        degrees_of_freedom=degrees,
        ci_low=ci_low,
        ci_high=ci_high,
        level=level,
        dropped=len(departments) - len(kept),
        is_weighted=is_weighted,
        verdict=_verdict(treated, control, ci_low, ci_high),
    )


def _welch(
    treated: Side, control: Side, level: float
) -> tuple[float | None, float | None, float | None, float | None]:
    """Standard error, degrees of freedom and interval of the difference (None below two
    departments a side)."""
    if (
        treated.mean_change is None
        or control.mean_change is None
        or treated.variance_of_mean is None
        or control.variance_of_mean is None
        or treated.degrees is None
        or control.degrees is None
    ):
        return None, None, None, None
    difference = treated.mean_change - control.mean_change
    total = treated.variance_of_mean + control.variance_of_mean
    standard_error = math.sqrt(total)
    if total == 0:
        # Every department on each side changed by the same amount: the difference is exact.
        return 0.0, None, difference, difference
    degrees = welch_degrees(
        treated.variance_of_mean, treated.degrees, control.variance_of_mean, control.degrees
    )
    margin = float(scipy_stats.t.ppf((1 + level) / 2, degrees)) * standard_error
    return standard_error, degrees, difference - margin, difference + margin


def _side(departments: Sequence[DepartmentWaves]) -> Side:
    """Mean change, variance of the mean and degrees of freedom of one side."""
    n = len(departments)
    if n == 0:
        return Side(departments=0, mean_change=None, variance_of_mean=None, degrees=None)
    changes = [d.after - d.before for d in departments]
    weights = [float(d.respondents) if d.respondents is not None else 1.0 for d in departments]
    total = math.fsum(weights)
    mean = math.fsum(w * c for w, c in zip(weights, changes, strict=True)) / total
    if n < 2:
        return Side(departments=n, mean_change=mean, variance_of_mean=None, degrees=None)
    squares = math.fsum(w * w for w in weights)
    # Reliability weights: the unbiased weighted variance, and the variance of the weighted
    # mean; with equal weights these are s² and s²/n, and effective n (Kish) is n.
    spread = math.fsum(w * (c - mean) ** 2 for w, c in zip(weights, changes, strict=True))
    variance = spread / (total - squares / total)
    effective_n = total * total / squares
    return Side(
        departments=n,
        mean_change=mean,
        variance_of_mean=variance * squares / (total * total),
        degrees=effective_n - 1,
    )


def _verdict(treated: Side, control: Side, ci_low: float | None, ci_high: float | None) -> Verdict:
    if min(treated.departments, control.departments) < MIN_DEPARTMENTS_PER_SIDE:
        return Verdict.TOO_FEW_DEPARTMENTS
    if ci_low is None or ci_high is None:  # not reached: three a side always give an interval
        return Verdict.TOO_FEW_DEPARTMENTS
    if ci_low > 0:
        return Verdict.CLEARLY_HIGHER
    if ci_high < 0:
        return Verdict.CLEARLY_LOWER
    return Verdict.NOT_SURE
