"""Key drivers: how much each dimension weighs on an outcome, and where a group should act first.

The weights are Johnson's (2000) relative weights: the outcome is regressed on the orthogonal
counterparts of the dimensions, and each dimension gets back the share of R² its counterparts
carry. Unlike regression coefficients they stay meaningful when the dimensions correlate with
each other, as survey dimensions always do, and they add up to R². They agree closely with the
Shapley (general dominance) decomposition at a fraction of the cost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

# Below 30 complete answers the weights describe who happened to answer more than the group:
# they rest on a correlation matrix, and a correlation from fewer than 30 rows carries a 95%
# interval wider than ±0.36 even when it is zero.
MIN_RESPONDENTS = 30
DEFAULT_DRAWS = 1000
# Past this the percentiles no longer move; the cap keeps memory bounded.
MAX_DRAWS = 100_000
DEFAULT_LEVEL = 0.95
# A fixed seed, so two reads of the same answers show the same intervals.
DEFAULT_SEED = 2000

# An eigenvalue of the dimensions' correlation matrix this small next to the largest one means
# some dimensions are an exact combination of others (one duplicated, say); its direction
# carries no information and is left out (a pseudo-inverse) instead of dividing by rounding.
_EIGEN_TOLERANCE = 1e-10
# In a resample, a standardized column whose variance is below this is constant: what is left
# is rounding (about 1e-13 for a rare value's square), not a spread.
_VARIANCE_TOLERANCE = 1e-9
# Rows times draws handled at once, so a company of 20,000 stays within about 40 MB.
_CHUNK_CELLS = 5_000_000


class Unavailable(StrEnum):
    """Why a group's own drivers cannot be computed."""

    TOO_FEW_RESPONDENTS = "too_few_respondents"
    NO_OUTCOME_VARIANCE = "no_outcome_variance"
    NO_DIMENSION_VARIANCE = "no_dimension_variance"
    # The group's figures do not come from the release taken at closing (they are an earlier
    # snapshot's), or its answers changed since: the weights would describe other people.
    NOT_RELEASED_AT_CLOSING = "not_released_at_closing"
    # Some answers lack a dimension score or the outcome: weights from the complete ones alone
    # would describe a subset of the released responses, which the release guard never checked.
    INCOMPLETE_ANSWERS = "incomplete_answers"


class DriversUnavailable(ValueError):
    """The answers cannot carry a drivers analysis; ``reason`` says why."""

    reason: Unavailable

    def __init__(self, message: str, respondents: int) -> None:
        super().__init__(message)
        self.respondents = respondents
        self.minimum = MIN_RESPONDENTS


class TooFewRespondents(DriversUnavailable):
    reason = Unavailable.TOO_FEW_RESPONDENTS

    def __init__(self, respondents: int) -> None:
        super().__init__(
            f"{respondents} complete answers, drivers need at least {MIN_RESPONDENTS}",
            respondents,
        )


class NoOutcomeVariance(DriversUnavailable):
    reason = Unavailable.NO_OUTCOME_VARIANCE

    def __init__(self, respondents: int) -> None:
        super().__init__("everyone gave the outcome the same value", respondents)


class NoDimensionVariance(DriversUnavailable):
    reason = Unavailable.NO_DIMENSION_VARIANCE

    def __init__(self, respondents: int) -> None:
        super().__init__("no dimension varies between respondents", respondents)


@dataclass(frozen=True)
class RelativeWeights:
    """Each column's raw weight (they sum to ``r_squared``) and share of it (they sum to 1)."""

    raw: tuple[float, ...]
    shares: tuple[float, ...]
    r_squared: float
    correlations: tuple[float, ...]  # each column with the outcome: the sign is the direction
    respondents: int  # complete rows used
    dropped: int  # rows left out for a missing value
    constant: tuple[int, ...]  # columns that never vary: weight 0
    is_collinear: bool  # some columns are exact combinations of others


@dataclass(frozen=True)
class WeightIntervals:
    """Bootstrap percentile intervals of the raw weights and of the shares."""

    raw_low: tuple[float, ...]
    raw_high: tuple[float, ...]
    share_low: tuple[float, ...]
    share_high: tuple[float, ...]
    level: float
    draws: int
    usable_draws: int  # draws where the outcome varied; the others are left out
    seed: int


@dataclass(frozen=True)
class Fallback:
    """Why a group is shown the company's drivers instead of its own."""

    reason: Unavailable
    respondents: int  # the group's complete answers
    minimum: int = MIN_RESPONDENTS


@dataclass(frozen=True)
class Drivers:
    """The weights and intervals of named dimensions; ``fallback`` is set when they are the
    company's standing in for a group's."""

    names: tuple[str, ...]
    weights: RelativeWeights
    intervals: WeightIntervals
    fallback: Fallback | None = None


def relative_weights(x: npt.ArrayLike, y: npt.ArrayLike) -> RelativeWeights:
    """Johnson's relative weights of the columns of ``x`` (respondents by dimensions) on ``y``.

    Rows with any missing value (None or NaN) are left out and counted; fewer than
    MIN_RESPONDENTS complete rows, an outcome everyone gave the same value, or dimensions none
    of which varies raise DriversUnavailable. A constant column gets weight 0, and columns that
    duplicate each other share what they explain together.
    """
    data, dropped = _complete_rows(x, y)
    z, constant = _standardized(data)
    n = z.shape[0]
    raw, r_squared, rank = _resampled_weights(z, np.ones((1, n)))
    correlations = z[:, :-1].T @ z[:, -1] / n
    weights = raw[0]
    total = float(r_squared[0])
    shares = weights / total if total > 0 else np.zeros_like(weights)
    return RelativeWeights(
        raw=_floats(weights),
        shares=_floats(shares),
        r_squared=total,
        correlations=_floats(correlations),
        respondents=n,
        dropped=dropped,
        constant=tuple(int(column) for column in np.flatnonzero(constant[:-1])),
        is_collinear=int(rank[0]) < int(np.count_nonzero(~constant[:-1])),
    )


def bootstrap_intervals(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    draws: int = DEFAULT_DRAWS,
    level: float = DEFAULT_LEVEL,
    seed: int = DEFAULT_SEED,
) -> WeightIntervals:
    """Percentile intervals of each raw weight and share over ``draws`` resamples of the rows.

    The same refusals as relative_weights apply. All draws are computed at once from the
    resampled sums of squares and cross-products, never by refitting row by row.
    """
    if not 1 <= draws <= MAX_DRAWS:
        raise ValueError(f"draws {draws} outside 1-{MAX_DRAWS}")
    if not 0 < level < 1:
        raise ValueError(f"level {level} outside (0, 1)")
    data, _ = _complete_rows(x, y)
    z, _ = _standardized(data)
    raw, r_squared = _bootstrap_draws(z, draws, seed)
    usable = np.isfinite(r_squared)
    raw, r_squared = raw[usable], r_squared[usable]
    if raw.shape[0] == 0:
        raise NoOutcomeVariance(z.shape[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(r_squared[:, None] > 0, raw / r_squared[:, None], 0.0)
    tails = [100 * (1 - level) / 2, 100 * (1 + level) / 2]
    raw_low, raw_high = np.percentile(raw, tails, axis=0)
    share_low, share_high = np.percentile(shares, tails, axis=0)
    return WeightIntervals(
        raw_low=_floats(raw_low),
        raw_high=_floats(raw_high),
        share_low=_floats(share_low),
        share_high=_floats(share_high),
        level=level,
        draws=draws,
        usable_draws=int(raw.shape[0]),
        seed=seed,
    )


def key_drivers(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    names: Sequence[str],
    *,
    draws: int = DEFAULT_DRAWS,
    level: float = DEFAULT_LEVEL,
    seed: int = DEFAULT_SEED,
) -> Drivers:
    """The relative weights of the named dimensions (the columns of ``x``) with intervals."""
    weights = relative_weights(x, y)
    if len(names) != len(weights.raw) or len(set(names)) != len(names):
        raise ValueError(f"{len(names)} names for {len(weights.raw)} columns, or repeated")
    intervals = bootstrap_intervals(x, y, draws=draws, level=level, seed=seed)
    return Drivers(names=tuple(names), weights=weights, intervals=intervals)


def group_drivers(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    names: Sequence[str],
    company: Drivers,
    *,
    draws: int = DEFAULT_DRAWS,
    level: float = DEFAULT_LEVEL,
    seed: int = DEFAULT_SEED,
) -> Drivers:
    """A group's own drivers, or the company's with the reason when the group's answers
    cannot carry them (too few, or no variance)."""
    if tuple(names) != company.names:
        raise ValueError("the group's dimensions differ from the company's")
    try:
        return key_drivers(x, y, names, draws=draws, level=level, seed=seed)
    except DriversUnavailable as refusal:
        fallback = Fallback(reason=refusal.reason, respondents=refusal.respondents)
        return replace(company, fallback=fallback)


@dataclass(frozen=True)
class Priority:
    """One dimension on the "where to act" list, with the figures that explain its place."""

    name: str
    rank: int  # 1 = act here first
    priority: float  # share x gap, in score points; 0 when the dimension goes against the outcome
    score: float
    gap: float  # 100 - score: room to rise
    share: float  # share of the explained outcome
    share_low: float
    share_high: float
    correlation: float
    goes_with_outcome: bool  # a higher score goes with a higher outcome
    is_high_impact: bool  # share above an even split between the dimensions
    is_low_score: bool  # score below the mean of the group's dimension scores


@dataclass(frozen=True)
class WhereToAct:
    """A group's dimensions, most urgent first, and whose answers the weights come from."""

    priorities: tuple[Priority, ...]
    r_squared: float
    respondents: int  # complete answers behind the weights
    fallback: Fallback | None  # set when the company's weights stand in for the group's

    @property
    def uses_company_drivers(self) -> bool:
        return self.fallback is not None


def priorities(scores: Mapping[str, float], drivers: Drivers) -> WhereToAct:
    """Rank a group's dimensions by impact share x gap (100 - its 0-100 score).

    The product is the part of the explained outcome still to be won in each dimension: a
    dimension that weighs a lot but already scores 95 has little left to give, and one that
    scores 30 but does not move the outcome gives nothing. A dimension whose score goes with a
    lower outcome is not something to raise for it, so its priority is 0. Ties go to the larger
    share, then to the order of ``drivers.names``.
    """
    names = drivers.names
    if set(scores) != set(names):
        raise ValueError("scores must name exactly the drivers' dimensions")
    for name in names:
        score = scores[name]
        if not 0 <= score <= 100:  # also false for NaN
            raise ValueError(f"score {score!r} of {name} outside 0-100")
    weights, intervals = drivers.weights, drivers.intervals
    mean_score = sum(scores[name] for name in names) / len(names)
    rows = []
    for index, name in enumerate(names):
        share = weights.shares[index]
        gap = 100 - scores[name]
        goes_with_outcome = weights.correlations[index] > 0
        rows.append(
            (
                share * gap if goes_with_outcome else 0.0,
                share,
                index,
                name,
                gap,
                goes_with_outcome,
            )
        )
    rows.sort(key=lambda row: (-row[0], -row[1], row[2]))
    ranked = tuple(
        Priority(
            name=name,
            rank=rank,
            priority=value,
            score=scores[name],
            gap=gap,
            share=share,
            share_low=intervals.share_low[index],
            share_high=intervals.share_high[index],
            correlation=weights.correlations[index],
            goes_with_outcome=goes_with_outcome,
            is_high_impact=share > 1 / len(names),
            is_low_score=scores[name] < mean_score,
        )
        for rank, (value, share, index, name, gap, goes_with_outcome) in enumerate(rows, 1)
    )
    return WhereToAct(
        priorities=ranked,
        r_squared=weights.r_squared,
        respondents=weights.respondents,
        fallback=drivers.fallback,
    )


def _complete_rows(x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[Array, int]:
    """The rows of [x | y] with no missing value, and how many were left out."""
    predictors = np.asarray(x, dtype=np.float64)
    outcome = np.asarray(y, dtype=np.float64)
    if predictors.ndim != 2 or predictors.shape[1] == 0:
        raise ValueError("x must be a table of respondents by dimensions")
    if outcome.ndim != 1 or outcome.shape[0] != predictors.shape[0]:
        raise ValueError("y must hold one outcome per row of x")
    data = np.column_stack([predictors, outcome])
    if np.isinf(data).any():
        raise ValueError("x and y must be finite (missing values as None or NaN)")
    complete = ~np.isnan(data).any(axis=1)
    data = data[complete]
    n = data.shape[0]
    if n < MIN_RESPONDENTS:
        raise TooFewRespondents(n)
    if np.ptp(data[:, -1]) == 0:
        raise NoOutcomeVariance(n)
    if (np.ptp(data[:, :-1], axis=0) == 0).all():
        raise NoDimensionVariance(n)
    return data, int(complete.size - n)


def _standardized(data: Array) -> tuple[Array, npt.NDArray[np.bool_]]:
    """Columns as z-scores (a constant column as zeros), and which columns are constant."""
    constant = np.ptp(data, axis=0) == 0
    centred = data - data.mean(axis=0)
    spread = np.where(constant, 1.0, centred.std(axis=0))
    return centred / spread, constant


def _bootstrap_draws(z: Array, draws: int, seed: int) -> tuple[Array, Array]:
    """Raw weights and R² of ``draws`` resamples of the rows of ``z``, a chunk at a time."""
    n = z.shape[0]
    rng = np.random.default_rng(seed)
    chunk = max(1, _CHUNK_CELLS // n)
    raw_parts: list[Array] = []
    total_parts: list[Array] = []
    for start in range(0, draws, chunk):
        size = min(chunk, draws - start)
        picks = rng.integers(0, n, size=(size, n))
        # Row i of ``counts`` says how often each respondent was drawn in resample i.
        offsets = (np.arange(size) * n)[:, None]
        counts = np.bincount((picks + offsets).ravel(), minlength=size * n).reshape(size, n)
        raw, r_squared, _ = _resampled_weights(z, counts.astype(np.float64))
        raw_parts.append(raw)
        total_parts.append(r_squared)
    return np.concatenate(raw_parts), np.concatenate(total_parts)


def _resampled_weights(z: Array, counts: Array) -> tuple[Array, Array, npt.NDArray[np.int_]]:
    """Raw weights (draws x dimensions), R² and rank for each row of ``counts``, the number of
    times each respondent of ``z`` (outcome last) enters a resample; R² and the weights are NaN
    for a resample where the outcome does not vary."""
    n, q = z.shape
    frequency = counts / counts.sum(axis=1, keepdims=True)
    means = frequency @ z
    products = (z[:, :, None] * z[:, None, :]).reshape(n, q * q)
    covariance = (frequency @ products).reshape(-1, q, q) - means[:, :, None] * means[:, None, :]
    variance = np.diagonal(covariance, axis1=1, axis2=2)
    varies = variance > _VARIANCE_TOLERANCE
    spread = np.sqrt(np.where(varies, variance, 1.0))
    correlation = covariance / (spread[:, :, None] * spread[:, None, :])
    # A column constant in a resample is uncorrelated with everything: weight 0 there.
    correlation = np.where(varies[:, :, None] & varies[:, None, :], correlation, 0.0)
    diagonal = np.arange(q)
    correlation[:, diagonal, diagonal] = 1.0
    raw, r_squared, rank = _johnson(correlation[:, :-1, :-1], correlation[:, :-1, -1])
    raw[~varies[:, :-1]] = 0.0  # exactly, not a rounding residue of the other columns
    flat = ~varies[:, -1]
    raw[flat] = np.nan
    r_squared[flat] = np.nan
    return raw, r_squared, rank


def _johnson(rxx: Array, rxy: Array) -> tuple[Array, Array, npt.NDArray[np.int_]]:
    """Johnson's raw weights from stacks of predictor correlations and their correlations with
    the outcome: with Rxx = V diag(l) V', Lambda = V diag(sqrt l) V' links the predictors to
    their orthogonal counterparts, beta = Lambda^-1 rxy regresses the outcome on those, and
    weight_j = sum_k Lambda_jk² beta_k²."""
    eigenvalues, vectors = np.linalg.eigh(rxx)
    kept = eigenvalues > _EIGEN_TOLERANCE * eigenvalues.max(axis=-1, keepdims=True)
    root = np.sqrt(np.where(kept, eigenvalues, 0.0))
    inverse_root = np.where(kept, 1 / np.sqrt(np.where(kept, eigenvalues, 1.0)), 0.0)
    transposed = np.swapaxes(vectors, -1, -2)
    link = (vectors * root[:, None, :]) @ transposed
    unlink = (vectors * inverse_root[:, None, :]) @ transposed
    beta_squared = ((unlink @ rxy[:, :, None])[:, :, 0]) ** 2
    raw = ((link**2) @ beta_squared[:, :, None])[:, :, 0]
    return raw, beta_squared.sum(axis=1), kept.sum(axis=1)


def _floats(values: Array) -> tuple[float, ...]:
    return tuple(float(value) for value in values)
