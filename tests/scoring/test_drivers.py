"""Key drivers: Johnson's relative weights, their bootstrap intervals, and where to act first."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cxculture.scoring import drivers
from cxculture.scoring.drivers import (
    MIN_RESPONDENTS,
    Drivers,
    DriversUnavailable,
    Fallback,
    NoDimensionVariance,
    NoOutcomeVariance,
    RelativeWeights,
    TooFewRespondents,
    Unavailable,
    WeightIntervals,
    bootstrap_intervals,
    group_drivers,
    key_drivers,
    priorities,
    relative_weights,
)

# Motor Trend road tests of 32 cars (Henderson & Velleman 1981), R's ``mtcars`` data set.
MTCARS_COLUMNS = ("mpg", "cyl", "disp", "hp", "drat", "wt", "qsec", "vs", "am", "gear", "carb")
MTCARS = np.array(
    [
        (21.0, 6, 160.0, 110, 3.90, 2.620, 16.46, 0, 1, 4, 4),
        (21.0, 6, 160.0, 110, 3.90, 2.875, 17.02, 0, 1, 4, 4),
        (22.8, 4, 108.0, 93, 3.85, 2.320, 18.61, 1, 1, 4, 1),
        (21.4, 6, 258.0, 110, 3.08, 3.215, 19.44, 1, 0, 3, 1),
        (18.7, 8, 360.0, 175, 3.15, 3.440, 17.02, 0, 0, 3, 2),
        (18.1, 6, 225.0, 105, 2.76, 3.460, 20.22, 1, 0, 3, 1),
        (14.3, 8, 360.0, 245, 3.21, 3.570, 15.84, 0, 0, 3, 4),
        (24.4, 4, 146.7, 62, 3.69, 3.190, 20.00, 1, 0, 4, 2),
        (22.8, 4, 140.8, 95, 3.92, 3.150, 22.90, 1, 0, 4, 2),
        (19.2, 6, 167.6, 123, 3.92, 3.440, 18.30, 1, 0, 4, 4),
        (17.8, 6, 167.6, 123, 3.92, 3.440, 18.90, 1, 0, 4, 4),
        (16.4, 8, 275.8, 180, 3.07, 4.070, 17.40, 0, 0, 3, 3),
        (17.3, 8, 275.8, 180, 3.07, 3.730, 17.60, 0, 0, 3, 3),
        (15.2, 8, 275.8, 180, 3.07, 3.780, 18.00, 0, 0, 3, 3),
        (10.4, 8, 472.0, 205, 2.93, 5.250, 17.98, 0, 0, 3, 4),
        (10.4, 8, 460.0, 215, 3.00, 5.424, 17.82, 0, 0, 3, 4),
        (14.7, 8, 440.0, 230, 3.23, 5.345, 17.42, 0, 0, 3, 4),
        (32.4, 4, 78.7, 66, 4.08, 2.200, 19.47, 1, 1, 4, 1),
        (30.4, 4, 75.7, 52, 4.93, 1.615, 18.52, 1, 1, 4, 2),
        (33.9, 4, 71.1, 65, 4.22, 1.835, 19.90, 1, 1, 4, 1),
        (21.5, 4, 120.1, 97, 3.70, 2.465, 20.01, 1, 0, 3, 1),
        (15.5, 8, 318.0, 150, 2.76, 3.520, 16.87, 0, 0, 3, 2),
        (15.2, 8, 304.0, 150, 3.15, 3.435, 17.30, 0, 0, 3, 2),
        (13.3, 8, 350.0, 245, 3.73, 3.840, 15.41, 0, 0, 3, 4),
        (19.2, 8, 400.0, 175, 3.08, 3.845, 17.05, 0, 0, 3, 2),
        (27.3, 4, 79.0, 66, 4.08, 1.935, 18.90, 1, 1, 4, 1),
        (26.0, 4, 120.3, 91, 4.43, 2.140, 16.70, 0, 1, 5, 2),
        (30.4, 4, 95.1, 113, 3.77, 1.513, 16.90, 1, 1, 5, 2),
        (15.8, 8, 351.0, 264, 4.22, 3.170, 14.50, 0, 1, 5, 4),
        (19.7, 6, 145.0, 175, 3.62, 2.770, 15.50, 0, 1, 5, 6),
        (15.0, 8, 301.0, 335, 3.54, 3.570, 14.60, 0, 1, 5, 8),
        (21.4, 4, 121.0, 109, 4.11, 2.780, 18.60, 1, 1, 4, 2),
    ]
)


def mtcars(*names):
    return MTCARS[:, [MTCARS_COLUMNS.index(name) for name in names]]


MPG = mtcars("mpg")[:, 0]

# Likert-like tables: few distinct values, so constant and collinear columns turn up.
likert_tables = st.integers(min_value=1, max_value=6).flatmap(
    lambda p: hnp.arrays(np.float64, (40, p + 1), elements=st.integers(min_value=1, max_value=5))
)


def correlated(n, p, seed=0):
    """Correlated predictors and an outcome driven mostly by the first two."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p)) @ (np.eye(p) + 0.5)
    y = x[:, 0] + 0.5 * x[:, 1] + rng.normal(scale=2.0, size=n)
    return x, y


def ols_r_squared(x, y):
    design = np.column_stack([np.ones(len(y)), x])
    coefficients = np.linalg.lstsq(design, y, rcond=None)[0]
    residuals = y - design @ coefficients
    centred = y - y.mean()
    return 1 - residuals @ residuals / (centred @ centred)


# The published example: the rwa package for R (Tonidandel & LeBreton's method, Johnson 2000),
# README and "Introduction" vignette: rwa(mtcars, "mpg", c("cyl", "disp", "hp", "gear")).


def test_the_published_mtcars_example_four_predictors():
    weights = relative_weights(mtcars("cyl", "disp", "hp", "gear"), MPG)
    assert weights.r_squared == pytest.approx(0.7791896, abs=1e-7)
    assert weights.raw == pytest.approx((0.2284797, 0.2221469, 0.2321744, 0.0963886), abs=1e-7)
    rescaled = tuple(100 * share for share in weights.shares)
    assert rescaled == pytest.approx((29.32274, 28.50999, 29.79691, 12.37037), abs=1e-5)
    assert weights.respondents == 32
    assert weights.dropped == 0
    # The package's "Sign" column: fewer cylinders, less displacement and power, more gears.
    assert [value > 0 for value in weights.correlations] == [False, False, False, True]


def test_the_published_mtcars_example_with_weight_added():
    # Same vignette: rwa(mtcars, "mpg", c("cyl", "disp", "hp", "gear", "wt")).
    weights = relative_weights(mtcars("cyl", "disp", "hp", "gear", "wt"), MPG)
    expected_raw = (0.18833374, 0.16479802, 0.18809142, 0.07345304, 0.23642417)
    assert weights.raw == pytest.approx(expected_raw, abs=1e-8)
    rescaled = tuple(100 * share for share in weights.shares)
    assert rescaled == pytest.approx(
        (22.128264, 19.362936, 22.099792, 8.630361, 27.778646), abs=1e-6
    )


# Properties


@settings(deadline=None)
@given(likert_tables)
def test_raw_weights_sum_to_the_r_squared_of_ordinary_least_squares(table):
    x, y = table[:, :-1], table[:, -1]
    try:
        weights = relative_weights(x, y)
    except DriversUnavailable:
        assume(False)
    assert sum(weights.raw) == pytest.approx(weights.r_squared, abs=1e-9)
    assert weights.r_squared == pytest.approx(ols_r_squared(x, y), abs=1e-8)
    assert min(weights.raw) >= 0
    if weights.r_squared > 1e-9:
        assert sum(weights.shares) == pytest.approx(1.0)


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_with_two_predictors_the_weights_are_the_shapley_decomposition(seed):
    # For two predictors Johnson's weights and general dominance (Shapley) weights coincide:
    # each predictor's R² alone and its increment over the other, averaged.
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(50, 2)) @ rng.normal(size=(2, 2))
    y = x @ rng.normal(size=2) + rng.normal(size=50)
    both = ols_r_squared(x, y)
    first, second = ols_r_squared(x[:, [0]], y), ols_r_squared(x[:, [1]], y)
    shapley = ((first + both - second) / 2, (second + both - first) / 2)
    assert relative_weights(x, y).raw == pytest.approx(shapley, abs=1e-9)


def test_with_uncorrelated_predictors_the_weights_are_the_squared_standardized_betas():
    # The 2^3 factorial design, four times over: three exactly uncorrelated +-1 columns.
    x = np.array(list(itertools.product((-1.0, 1.0), repeat=3)) * 4)
    y = np.random.default_rng(5).normal(size=32) + x @ (3.0, -1.0, 0.5)
    standardized_x = (x - x.mean(axis=0)) / x.std(axis=0)
    standardized_y = (y - y.mean()) / y.std()
    betas = np.linalg.lstsq(standardized_x, standardized_y, rcond=None)[0]
    assert relative_weights(x, y).raw == pytest.approx(tuple(betas**2), abs=1e-12)


@pytest.mark.parametrize("order", list(itertools.permutations(range(4)))[1::5])
def test_permuting_the_columns_permutes_the_weights(order):
    x = mtcars("cyl", "disp", "hp", "gear")
    weights = relative_weights(x, MPG)
    permuted = relative_weights(x[:, list(order)], MPG)
    assert permuted.raw == pytest.approx([weights.raw[column] for column in order], abs=1e-12)
    assert permuted.r_squared == pytest.approx(weights.r_squared)


def test_weights_do_not_depend_on_units_or_direction_of_scales():
    x = mtcars("cyl", "disp", "hp", "gear")
    weights = relative_weights(x, MPG)
    # Litres instead of cubic inches, a reversed column, shifted origins, km per litre.
    rescaled = x * (1.0, 0.016387, -3.0, 25.0) + (10.0, -2.0, 1000.0, 0.0)
    changed = relative_weights(rescaled, MPG * 0.425144 + 7)
    assert changed.raw == pytest.approx(weights.raw, abs=1e-12)
    assert changed.r_squared == pytest.approx(weights.r_squared, abs=1e-12)


def test_a_constant_column_weighs_nothing_and_changes_nothing_else():
    x = mtcars("cyl", "disp", "hp")
    with_constant = np.column_stack([x[:, 0], np.full(32, 4.0), x[:, 1:]])
    weights = relative_weights(with_constant, MPG)
    alone = relative_weights(x, MPG)
    assert weights.constant == (1,)
    assert weights.raw[1] == 0
    assert weights.shares[1] == 0
    assert weights.raw[:1] + weights.raw[2:] == pytest.approx(alone.raw, abs=1e-12)
    assert not weights.is_collinear


def test_a_duplicated_column_shares_its_weight_with_its_twin():
    x = mtcars("cyl", "hp", "gear")
    twinned = np.column_stack([x, x[:, 1] * 2 + 1])
    weights = relative_weights(twinned, MPG)
    alone = relative_weights(x, MPG)
    assert weights.is_collinear
    assert weights.r_squared == pytest.approx(alone.r_squared, abs=1e-12)
    assert weights.raw[1] == pytest.approx(weights.raw[3], abs=1e-12)
    assert sum(weights.raw) == pytest.approx(weights.r_squared, abs=1e-12)


def test_a_column_that_is_the_sum_of_two_others_adds_nothing_to_r_squared():
    x = mtcars("cyl", "hp", "gear")
    combined = np.column_stack([x, x[:, 0] * 10 + x[:, 1]])
    weights = relative_weights(combined, MPG)
    assert weights.is_collinear
    assert weights.r_squared == pytest.approx(relative_weights(x, MPG).r_squared, abs=1e-12)
    assert sum(weights.raw) == pytest.approx(weights.r_squared, abs=1e-12)
    assert min(weights.raw) >= 0


def test_rows_with_a_missing_value_are_left_out_and_counted():
    x = mtcars("cyl", "disp", "hp", "gear").tolist()
    y = MPG.tolist()
    x_with_gaps = [*x, [None, 100.0, 100.0, 4.0], [6.0, float("nan"), 100.0, 4.0], [6, 1, 1, 3]]
    y_with_gaps = [*y, 20.0, 20.0, None]
    weights = relative_weights(x_with_gaps, y_with_gaps)
    assert weights.dropped == 3
    assert weights.respondents == 32
    assert weights.raw == relative_weights(x, y).raw


# Refusals: never a number from a handful of answers


def test_minimum_is_thirty():
    assert MIN_RESPONDENTS == 30


def test_refuses_below_the_minimum_and_says_how_many():
    x, y = correlated(MIN_RESPONDENTS - 1, 3)
    with pytest.raises(TooFewRespondents) as refusal:
        relative_weights(x, y)
    assert refusal.value.respondents == MIN_RESPONDENTS - 1
    assert refusal.value.reason is Unavailable.TOO_FEW_RESPONDENTS
    x, y = correlated(MIN_RESPONDENTS, 3)
    assert relative_weights(x, y).respondents == MIN_RESPONDENTS


def test_the_minimum_counts_complete_rows_only():
    x, y = correlated(40, 3)
    x[:11, 2] = np.nan
    with pytest.raises(TooFewRespondents) as refusal:
        relative_weights(x, y)
    assert refusal.value.respondents == 29


def test_refuses_an_outcome_without_variance():
    x, _ = correlated(50, 3)
    with pytest.raises(NoOutcomeVariance):
        relative_weights(x, np.full(50, 72.5))
    with pytest.raises(NoOutcomeVariance):
        bootstrap_intervals(x, np.full(50, 72.5), draws=10)


def test_refuses_when_no_dimension_varies():
    _, y = correlated(50, 3)
    with pytest.raises(NoDimensionVariance):
        relative_weights(np.full((50, 3), 60.0), y)


@pytest.mark.parametrize(
    ("x", "y"),
    [
        pytest.param(np.ones((40, 2)), np.ones(39), id="lengths differ"),
        pytest.param(np.ones(40), np.ones(40), id="x not a table"),
        pytest.param(np.ones((40, 0)), np.ones(40), id="no dimension"),
        pytest.param(np.ones((40, 2)), np.ones((40, 1)), id="y not a column"),
        pytest.param(np.full((40, 2), np.inf), np.arange(40.0), id="infinite"),
        pytest.param([["high", "low"]] * 40, np.arange(40.0), id="text"),
    ],
)
def test_refuses_malformed_input(x, y):
    with pytest.raises(ValueError, match="must|could not convert"):
        relative_weights(x, y)


# Bootstrap intervals


def test_the_vectorised_resamples_equal_weights_refitted_on_each_resample():
    x, y = correlated(60, 4, seed=2)
    data = np.column_stack([x, y])
    z, _ = drivers._standardized(data)
    rng = np.random.default_rng(9)
    picks = rng.integers(0, 60, size=(5, 60))
    counts = np.array([np.bincount(row, minlength=60) for row in picks], dtype=float)
    raw, r_squared, _ = drivers._resampled_weights(z, counts)
    for draw, rows in enumerate(picks):
        refitted = relative_weights(x[rows], y[rows])
        assert tuple(raw[draw]) == pytest.approx(refitted.raw, abs=1e-10)
        assert r_squared[draw] == pytest.approx(refitted.r_squared, abs=1e-10)


def test_intervals_are_the_percentiles_of_weights_refitted_on_each_resample():
    # The resamples drawn as the function draws them: ``draws`` rows of ``n`` picks from the seed.
    x, y = correlated(40, 3, seed=6)
    draws, seed = 200, 8
    picks = np.random.default_rng(seed).integers(0, 40, size=(draws, 40))
    refitted = np.array([relative_weights(x[rows], y[rows]).raw for rows in picks])
    intervals = bootstrap_intervals(x, y, draws=draws, level=0.9, seed=seed)
    low, high = np.percentile(refitted, [5, 95], axis=0)
    assert intervals.raw_low == pytest.approx(tuple(low), abs=1e-10)
    assert intervals.raw_high == pytest.approx(tuple(high), abs=1e-10)


def test_intervals_cover_the_estimate():
    x, y = correlated(400, 6)
    weights = relative_weights(x, y)
    intervals = bootstrap_intervals(x, y, draws=1000, seed=1)
    assert intervals.usable_draws == 1000
    for index, raw in enumerate(weights.raw):
        assert intervals.raw_low[index] < raw < intervals.raw_high[index]
        share = weights.shares[index]
        assert intervals.share_low[index] < share < intervals.share_high[index]


def test_intervals_narrow_as_respondents_grow():
    small = bootstrap_intervals(*correlated(100, 4, seed=3), draws=500)
    large = bootstrap_intervals(*correlated(1600, 4, seed=3), draws=500)
    for index in range(4):
        small_width = small.raw_high[index] - small.raw_low[index]
        large_width = large.raw_high[index] - large.raw_low[index]
        # Sixteen times the answers: about a quarter of the width.
        assert large_width < small_width / 2


def test_intervals_are_the_same_on_every_read_and_change_with_the_seed():
    x, y = correlated(200, 3)
    first = bootstrap_intervals(x, y, draws=200)
    assert bootstrap_intervals(x, y, draws=200) == first
    assert bootstrap_intervals(x, y, draws=200, seed=7).raw_low != first.raw_low


def test_a_wider_level_gives_a_wider_interval():
    x, y = correlated(200, 3)
    narrow = bootstrap_intervals(x, y, draws=400, level=0.8)
    wide = bootstrap_intervals(x, y, draws=400, level=0.99)
    for index in range(3):
        assert wide.raw_low[index] <= narrow.raw_low[index]
        assert wide.raw_high[index] >= narrow.raw_high[index]


def test_draws_where_the_outcome_is_constant_are_left_out():
    # 34 of 35 people gave the outcome the same value; resamples without the 35th explain nothing.
    x, _ = correlated(35, 3)
    y = np.full(35, 50.0)
    y[0] = 80.0
    intervals = bootstrap_intervals(x, y, draws=300)
    assert 0 < intervals.usable_draws < 300
    assert all(np.isfinite(intervals.raw_low + intervals.raw_high))


def test_a_constant_column_has_a_zero_interval():
    x, y = correlated(100, 3)
    x[:, 1] = 3.0
    intervals = bootstrap_intervals(x, y, draws=200)
    assert (intervals.raw_low[1], intervals.raw_high[1]) == (0.0, 0.0)


def test_a_rarely_varying_column_stays_finite_when_a_resample_misses_it():
    x, y = correlated(40, 3)
    x[:, 2] = 0.0
    x[0, 2] = 1.0  # only one person differs, so most resamples hold it constant
    intervals = bootstrap_intervals(x, y, draws=300)
    assert intervals.raw_low[2] == 0.0
    assert all(np.isfinite(intervals.raw_high))


@pytest.mark.parametrize(
    ("draws", "level"), [(0, 0.95), (10**9, 0.95), (100, 0.0), (100, 1.0), (100, 95)]
)
def test_bootstrap_refuses_bad_settings(draws, level):
    x, y = correlated(50, 3)
    with pytest.raises(ValueError, match="draws|level"):
        bootstrap_intervals(x, y, draws=draws, level=level)


def test_many_respondents_are_resampled_in_chunks_with_the_same_result(monkeypatch):
    x, y = correlated(300, 3)
    whole = bootstrap_intervals(x, y, draws=50)
    monkeypatch.setattr(drivers, "_CHUNK_CELLS", 300 * 7)  # seven draws at a time
    chunked = bootstrap_intervals(x, y, draws=50)
    assert chunked.raw_low == pytest.approx(whole.raw_low, abs=1e-12)
    assert chunked.raw_high == pytest.approx(whole.raw_high, abs=1e-12)


# Groups and their fallback

NAMES = ("line_of_sight", "listen", "share")


def test_key_drivers_names_the_columns():
    result = key_drivers(*correlated(100, 3), NAMES, draws=100)
    assert result.names == NAMES
    assert result.fallback is None
    with pytest.raises(ValueError, match="names"):
        key_drivers(*correlated(100, 3), NAMES[:2], draws=100)
    with pytest.raises(ValueError, match="names"):
        key_drivers(*correlated(100, 3), ("listen", "listen", "share"), draws=100)


def test_a_large_enough_group_gets_its_own_drivers():
    company = key_drivers(*correlated(500, 3), NAMES, draws=100)
    group = group_drivers(*correlated(60, 3, seed=4), NAMES, company, draws=100)
    assert group.fallback is None
    assert group.weights.respondents == 60


def test_a_small_group_gets_the_company_drivers_and_the_reason_never_its_own_numbers():
    company = key_drivers(*correlated(500, 3), NAMES, draws=100)
    group = group_drivers(*correlated(12, 3, seed=4), NAMES, company, draws=100)
    assert group.fallback == Fallback(Unavailable.TOO_FEW_RESPONDENTS, respondents=12, minimum=30)
    assert group.weights == company.weights
    assert group.intervals == company.intervals


def test_a_group_whose_outcome_does_not_vary_gets_the_company_drivers():
    company = key_drivers(*correlated(500, 3), NAMES, draws=100)
    x, _ = correlated(40, 3)
    group = group_drivers(x, np.full(40, 3.0), NAMES, company, draws=100)
    assert group.fallback is not None
    assert group.fallback.reason is Unavailable.NO_OUTCOME_VARIANCE
    assert group.weights == company.weights


def test_group_and_company_must_measure_the_same_dimensions():
    company = key_drivers(*correlated(500, 3), NAMES, draws=100)
    with pytest.raises(ValueError, match="dimensions"):
        group_drivers(*correlated(60, 3), ("a", "b", "c"), company, draws=100)


# Where to act


def made_drivers(shares, correlations=(0.5, 0.5, 0.5), fallback=None):
    """Drivers with chosen shares (R² 0.5) and intervals of +-0.05 around them."""
    return Drivers(
        names=NAMES,
        weights=RelativeWeights(
            raw=tuple(share / 2 for share in shares),
            shares=tuple(shares),
            r_squared=0.5,
            correlations=tuple(correlations),
            respondents=120,
            dropped=0,
            constant=(),
            is_collinear=False,
        ),
        intervals=WeightIntervals(
            raw_low=tuple(share / 2 - 0.025 for share in shares),
            raw_high=tuple(share / 2 + 0.025 for share in shares),
            share_low=tuple(share - 0.05 for share in shares),
            share_high=tuple(share + 0.05 for share in shares),
            level=0.95,
            draws=1000,
            usable_draws=1000,
            seed=0,
        ),
        fallback=fallback,
    )


def test_dimensions_are_ranked_by_share_times_gap():
    # Priorities: 0.5 x 10 = 5, 0.3 x 60 = 18, 0.2 x 50 = 10.
    scores = {"line_of_sight": 90.0, "listen": 40.0, "share": 50.0}
    plan = priorities(scores, made_drivers((0.5, 0.3, 0.2)))
    assert [(p.name, p.rank) for p in plan.priorities] == [
        ("listen", 1),
        ("share", 2),
        ("line_of_sight", 3),
    ]
    listen = plan.priorities[0]
    assert listen.priority == pytest.approx(18.0)
    assert (listen.score, listen.gap, listen.share) == (40.0, 60.0, 0.3)
    assert (listen.share_low, listen.share_high) == pytest.approx((0.25, 0.35))
    assert listen.is_low_score  # below the group's mean of 60
    assert not listen.is_high_impact  # 0.3 is below an even third
    first = plan.priorities[2]
    assert first.is_high_impact
    assert not first.is_low_score
    assert plan.r_squared == 0.5
    assert plan.respondents == 120
    assert not plan.uses_company_drivers


def test_a_dimension_that_goes_against_the_outcome_is_not_a_priority():
    scores = {"line_of_sight": 20.0, "listen": 40.0, "share": 50.0}
    plan = priorities(scores, made_drivers((0.6, 0.3, 0.1), correlations=(-0.4, 0.5, 0.2)))
    last = plan.priorities[-1]
    assert last.name == "line_of_sight"
    assert last.priority == 0
    assert not last.goes_with_outcome


def test_ties_go_to_the_larger_share_then_to_the_order_of_dimensions():
    scores = {"line_of_sight": 60.0, "listen": 80.0, "share": 60.0}
    # 0.1 x 40 = 4, 0.2 x 20 = 4, 0.1 x 40 = 4 (shares need not sum to 1 to rank)
    plan = priorities(scores, made_drivers((0.1, 0.2, 0.1)))
    assert [p.priority for p in plan.priorities] == [4.0, 4.0, 4.0]
    assert [p.name for p in plan.priorities] == ["listen", "line_of_sight", "share"]


def test_the_company_fallback_is_said():
    fallback = Fallback(Unavailable.TOO_FEW_RESPONDENTS, respondents=8)
    scores = {"line_of_sight": 80.0, "listen": 60.0, "share": 60.0}
    plan = priorities(scores, made_drivers((0.5, 0.3, 0.2), fallback=fallback))
    assert plan.uses_company_drivers
    assert plan.fallback == fallback


@pytest.mark.parametrize(
    "scores",
    [
        pytest.param({"line_of_sight": 80.0, "listen": 60.0}, id="missing"),
        pytest.param({"line_of_sight": 80.0, "listen": 60.0, "share": 1, "x": 2}, id="extra"),
        pytest.param({"line_of_sight": 80.0, "listen": 60.0, "share": float("nan")}, id="NaN"),
        pytest.param({"line_of_sight": 80.0, "listen": 160.0, "share": 1}, id="over 100"),
        pytest.param({"line_of_sight": -1.0, "listen": 60.0, "share": 1}, id="negative"),
    ],
)
def test_priorities_refuse_bad_scores(scores):
    with pytest.raises(ValueError, match="score"):
        priorities(scores, made_drivers((0.5, 0.3, 0.2)))


def test_from_answers_to_a_plan():
    x, y = correlated(300, 3)
    plan = priorities(
        {"line_of_sight": 70.0, "listen": 70.0, "share": 70.0},
        key_drivers(x, y, NAMES, draws=200),
    )
    # Equal scores: the order is the order of impact, and the outcome is driven by the first.
    assert plan.priorities[0].name == "line_of_sight"
    assert sum(p.share for p in plan.priorities) == pytest.approx(1.0)
