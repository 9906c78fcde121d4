"""Survey statistics: Cronbach's alpha, change between two waves, and answer distributions."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scipy import stats as scipy_stats

from cxculture.scoring.scores import keyed_value, scale_to_100

FAVORABLE = frozenset({4, 5})
NEUTRAL = frozenset({3})
UNFAVORABLE = frozenset({1, 2})


def cronbach_alpha(rows: Sequence[Sequence[float | None]]) -> float | None:
    """Cronbach's alpha of a dimension's items from complete respondent rows (None if undefined)."""
    # The dimension has as many items as the longest row; a shorter row, or one with a missing
    # (None or NaN) answer, is incomplete and left out, as alpha needs every item of a row.
    k = max((len(row) for row in rows), default=0)
    # A row keeps all its answers exactly when none is missing; it is complete when that is k.
    present = (
        [float(value) for value in row if value is not None and not math.isnan(value)]
        for row in rows
    )
    complete = [values for values in present if len(values) == k]
    if k < 2 or len(complete) < 2:
        return None
    # statistics.variance is exact on its inputs, so a constant total gives exactly zero.
    total_variance = statistics.variance(sum(row) for row in complete)
    if total_variance == 0:
        return None
    item_variances: float = sum(statistics.variance(item) for item in zip(*complete, strict=True))
    return k / (k - 1) * (1 - item_variances / total_variance)


@dataclass(frozen=True)
class WaveChange:
    """The change of a mean score from one wave to the next, with its confidence interval."""

    before_n: int
    after_n: int
    before_mean: float
    after_mean: float
    difference: float
    ci_low: float
    ci_high: float
    p_value: float | None
    is_significant: bool


@dataclass(frozen=True)
class Moments:
    """What a wave comparison needs of a group's scores: how many, their sum, and the sum of
    their squares (sums, so a release can keep them without keeping anyone's score)."""

    n: int
    total: float
    squares: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Moments:
        return cls(len(values), math.fsum(values), math.fsum(v * v for v in values))

    @property
    def mean(self) -> float:
        return self.total / self.n

    @property
    def variance(self) -> float:
        """The sample variance. Scores that are all equal give exactly zero: what the sums lose
        to rounding (a few parts in 10^12 of the sum of squares) is not a spread."""
        spread = self.squares - self.total * self.total / self.n
        if spread <= 1e-12 * self.squares:
            return 0.0
        return spread / (self.n - 1)


def welch_degrees(first: float, first_df: float, second: float, second_df: float) -> float:
    """Welch-Satterthwaite degrees of freedom of a difference whose squared standard error is
    ``first + second`` (each with its own degrees of freedom), written with the shares of the
    sum so that tiny variances cannot underflow to a division by zero."""
    total = first + second
    return 1 / ((first / total) ** 2 / first_df + (second / total) ** 2 / second_df)


def wave_change(
    before: Sequence[float], after: Sequence[float], alpha: float = 0.05
) -> WaveChange | None:
    """Welch's t-test of after - before on respondents' 0-100 scores (None below 2 per wave)."""
    return wave_change_of(Moments.of(before), Moments.of(after), alpha)


def wave_change_of(before: Moments, after: Moments, alpha: float = 0.05) -> WaveChange | None:
    """Welch's t-test of after - before from each wave's moments (None below 2 per wave)."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha {alpha} outside (0, 1)")
    if before.n < 2 or after.n < 2:
        return None
    before_mean, after_mean = before.mean, after.mean
    difference = after_mean - before_mean
    before_term = before.variance / before.n
    after_term = after.variance / after.n
    standard_error = math.sqrt(before_term + after_term)
    p_value: float | None = None
    if standard_error == 0:
        # Both waves are constant, so the difference is exact; scipy would warn and give NaN.
        ci_low = ci_high = difference
        is_significant = difference != 0
    else:
        degrees = welch_degrees(before_term, before.n - 1, after_term, after.n - 1)
        margin = float(scipy_stats.t.ppf(1 - alpha / 2, degrees)) * standard_error
        ci_low, ci_high = difference - margin, difference + margin
        # The two-sided p-value of Welch's t, as ttest_ind(equal_var=False) gives it; calling
        # ttest_ind itself would warn ("catastrophic cancellation") whenever one wave is constant,
        # such as a small team all scoring 100.
        t_statistic = difference / standard_error
        p_value = float(2 * scipy_stats.t.sf(abs(t_statistic), degrees))
        is_significant = p_value < alpha
    return WaveChange(
        before_n=before.n,
        after_n=after.n,
        before_mean=before_mean,
        after_mean=after_mean,
        difference=difference,
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=p_value,
        is_significant=is_significant,
    )


@dataclass(frozen=True)
class Distribution:
    """How answers spread: their count, mean as a 0-100 score, and the shares of each side."""

    n: int
    mean_score: float
    favorable: float
    neutral: float
    unfavorable: float


def distribution(values: Sequence[int]) -> Distribution | None:
    """The distribution of reverse-keyed 1-5 answers (None for no answers)."""
    return distribution_from_counts(Counter(values))


def distribution_from_counts(counts: Mapping[int, int]) -> Distribution | None:
    """The distribution from ``{value: count}`` of reverse-keyed 1-5 answers (None for none)."""
    for value, count in counts.items():
        # keyed_value without a flip is the scale's range check, with its error message.
        keyed_value(value, is_reverse_keyed=False)
        if count < 0:
            raise ValueError(f"count {count} of answer {value} is negative")
    n = sum(counts.values())
    if n == 0:
        return None

    def share(side: frozenset[int]) -> float:
        return sum(counts.get(value, 0) for value in side) / n

    return Distribution(
        n=n,
        mean_score=scale_to_100(sum(value * count for value, count in counts.items()) / n),
        favorable=share(FAVORABLE),
        neutral=share(NEUTRAL),
        unfavorable=share(UNFAVORABLE),
    )
