"""Cronbach's alpha, Welch's test of change between waves, and answer distributions."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from cxculture.scoring.stats import (
    Distribution,
    cronbach_alpha,
    distribution,
    distribution_from_counts,
    wave_change,
)

answers = st.integers(min_value=1, max_value=5)


# Cronbach's alpha


def test_alpha_matches_a_hand_computed_example():
    # k = 3 items, 4 respondents; sample variances (n - 1 = 3):
    #   item 1: 1 2 3 4, mean 2.5,  squares 2.25+0.25+0.25+2.25     = 5    -> 5/3  = 20/12
    #   item 2: 2 3 3 5, mean 3.25, squares 1.5625+0.0625*2+3.0625  = 4.75 -> 19/12
    #   item 3: 3 3 4 5, mean 3.75, squares 0.5625*2+0.0625+1.5625  = 2.75 -> 11/12
    #   sum of item variances = 50/12 = 25/6
    #   totals: 6 8 10 14, mean 9.5, squares 12.25+2.25+0.25+20.25 = 35 -> 35/3
    #   alpha = 3/2 x (1 - (25/6) / (35/3)) = 3/2 x (1 - 5/14) = 3/2 x 9/14 = 27/28
    rows = [[1, 2, 3], [2, 3, 3], [3, 3, 4], [4, 5, 5]]
    assert cronbach_alpha(rows) == pytest.approx(27 / 28)


def test_alpha_is_one_when_items_agree_perfectly():
    rows = [[1, 1, 1], [3, 3, 3], [4, 4, 4], [5, 5, 5]]
    assert cronbach_alpha(rows) == pytest.approx(1.0)


def test_alpha_is_zero_when_items_are_uncorrelated():
    # The two items have zero covariance, so the total varies exactly as much as the items do.
    rows = [[1, 1], [1, 2], [2, 1], [2, 2]]
    assert cronbach_alpha(rows) == pytest.approx(0.0)


def test_alpha_can_be_negative_when_items_disagree():
    rows = [[1, 2], [2, 1], [3, 3], [4, 1], [1, 5]]
    alpha = cronbach_alpha(rows)
    assert alpha is not None
    assert alpha < 0


@given(
    st.integers(min_value=2, max_value=6).flatmap(
        lambda k: st.lists(st.lists(answers, min_size=k, max_size=k), min_size=2, max_size=30)
    )
)
def test_alpha_agrees_with_the_covariance_matrix_formula(rows):
    # Independent route: alpha = k/(k-1) x (1 - trace(C) / sum(C)) over the item covariances C.
    covariances = np.cov(np.array(rows, dtype=float), rowvar=False, ddof=1)
    k = len(rows[0])
    if np.sum(covariances) <= 1e-12:
        assert cronbach_alpha(rows) is None
    else:
        expected = k / (k - 1) * (1 - np.trace(covariances) / np.sum(covariances))
        assert cronbach_alpha(rows) == pytest.approx(expected)


def test_alpha_uses_only_complete_rows():
    rows = [[1, 2, 3], [2, 3, 3], [3, 3, 4], [4, 5, 5]]
    incomplete = [[5, None, 1], [1, 5], [float("nan"), 1, 5]]
    assert cronbach_alpha(rows + incomplete) == pytest.approx(cronbach_alpha(rows))


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param([], id="no rows"),
        pytest.param([[1], [3], [5]], id="one item"),
        pytest.param([[1, 2, 3]], id="one row"),
        pytest.param([[1, 2, 3], [4, None, 5]], id="one complete row"),
        pytest.param([[2, 2, 2], [2, 2, 2], [2, 2, 2]], id="all the same"),
        pytest.param([[1, 5], [2, 4], [5, 1]], id="constant totals"),
    ],
)
def test_alpha_is_none_when_undefined(rows):
    assert cronbach_alpha(rows) is None


# Change between two waves (Welch's t-test)

BEFORE = [55.0, 60.0, 62.5, 70.0, 48.0, 66.0, 58.0]
AFTER = [68.0, 75.0, 59.0, 80.0, 72.5, 90.0]


def test_wave_change_matches_scipy_welch_test():
    change = wave_change(BEFORE, AFTER)
    expected = scipy_stats.ttest_ind(AFTER, BEFORE, equal_var=False)
    interval = expected.confidence_interval(confidence_level=0.95)
    assert change is not None
    assert change.before_n == len(BEFORE)
    assert change.after_n == len(AFTER)
    assert change.before_mean == pytest.approx(np.mean(BEFORE))
    assert change.after_mean == pytest.approx(np.mean(AFTER))
    assert change.difference == pytest.approx(np.mean(AFTER) - np.mean(BEFORE))
    assert change.p_value == pytest.approx(expected.pvalue)
    assert change.ci_low == pytest.approx(interval.low)
    assert change.ci_high == pytest.approx(interval.high)
    assert change.ci_low < change.difference < change.ci_high


def test_wave_change_interval_follows_the_chosen_level():
    at_95 = wave_change(BEFORE, AFTER)
    at_80 = wave_change(BEFORE, AFTER, alpha=0.20)
    interval = scipy_stats.ttest_ind(AFTER, BEFORE, equal_var=False).confidence_interval(0.80)
    assert at_95 is not None
    assert at_80 is not None
    assert at_80.ci_low == pytest.approx(interval.low)
    assert at_95.ci_low < at_80.ci_low < at_80.difference < at_80.ci_high < at_95.ci_high


def test_wave_change_is_significant_for_a_clear_improvement():
    change = wave_change([40.0, 45.0, 50.0, 42.5, 47.5], [75.0, 80.0, 85.0, 77.5, 82.5, 90.0])
    assert change is not None
    assert change.p_value is not None
    assert change.p_value < 0.05
    assert change.is_significant
    assert change.ci_low > 0


def test_wave_change_is_not_significant_for_overlapping_waves():
    change = wave_change([40.0, 60.0, 55.0, 70.0, 45.0], [50.0, 65.0, 42.5, 72.5, 48.0])
    assert change is not None
    assert change.p_value is not None
    assert change.p_value >= 0.05
    assert not change.is_significant
    assert change.ci_low < 0 < change.ci_high


def test_wave_change_is_significant_only_below_alpha():
    change = wave_change(BEFORE, AFTER)
    assert change is not None
    assert change.p_value is not None
    stricter = wave_change(BEFORE, AFTER, alpha=change.p_value)
    assert stricter is not None
    assert not stricter.is_significant


def test_wave_change_between_two_constant_waves_is_exact():
    change = wave_change([50.0, 50.0, 50.0], [75.0, 75.0])
    assert change is not None
    assert change.difference == 25.0
    assert change.p_value is None
    assert change.ci_low == change.ci_high == 25.0
    assert change.is_significant


def test_wave_change_between_two_equal_constant_waves_is_no_change():
    change = wave_change([50.0, 50.0], [50.0, 50.0, 50.0])
    assert change is not None
    assert change.difference == 0.0
    assert change.p_value is None
    assert change.ci_low == change.ci_high == 0.0
    assert not change.is_significant


def test_wave_change_with_one_constant_wave_matches_scipy_without_warning():
    before, after = [100.0, 100.0, 100.0], [55.0, 60.0, 65.0, 70.0]
    change = wave_change(before, after)  # filterwarnings = error: any warning would fail here
    with warnings.catch_warnings():
        # scipy itself warns of catastrophic cancellation on the constant wave.
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = scipy_stats.ttest_ind(after, before, equal_var=False)
    interval = expected.confidence_interval(confidence_level=0.95)
    assert change is not None
    assert change.p_value == pytest.approx(expected.pvalue)
    assert change.ci_low == pytest.approx(interval.low)
    assert change.ci_high == pytest.approx(interval.high)
    assert change.is_significant


def test_wave_change_survives_tiny_variances():
    change = wave_change([0.0, 0.0], [0.0, 6.7e-130])
    assert change is not None
    assert change.p_value is not None
    assert change.ci_low <= change.difference <= change.ci_high


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param([], [50.0, 60.0], id="empty before"),
        pytest.param([50.0], [50.0, 60.0], id="one before"),
        pytest.param([50.0, 60.0], [70.0], id="one after"),
    ],
)
def test_wave_change_is_none_below_two_respondents_per_wave(before, after):
    assert wave_change(before, after) is None


@pytest.mark.parametrize("alpha", [0.0, 1.0, -0.05, 5.0])
def test_wave_change_rejects_an_alpha_outside_zero_to_one(alpha):
    with pytest.raises(ValueError, match="alpha"):
        wave_change(BEFORE, AFTER, alpha=alpha)


@given(
    st.lists(st.floats(min_value=0, max_value=100), min_size=2, max_size=20),
    st.lists(st.floats(min_value=0, max_value=100), min_size=2, max_size=20),
)
def test_wave_change_interval_always_contains_the_difference(before, after):
    change = wave_change(before, after)
    assert change is not None
    assert change.ci_low <= change.difference <= change.ci_high
    assert change.is_significant == (
        change.p_value < 0.05 if change.p_value is not None else change.difference != 0
    )


# Distributions


def test_distribution_of_a_known_list():
    result = distribution([1, 2, 3, 4, 5, 5])
    # Mean 20/6 = 3.33..., as a score (3.33... - 1) / 4 x 100 = 58.33...
    assert result == Distribution(
        n=6,
        mean_score=pytest.approx(175 / 3),
        favorable=pytest.approx(3 / 6),
        neutral=pytest.approx(1 / 6),
        unfavorable=pytest.approx(2 / 6),
    )


def test_distribution_of_all_favorable_answers():
    result = distribution([4, 5, 5, 4])
    assert result is not None
    assert result.favorable == 1.0
    assert result.neutral == result.unfavorable == 0.0
    assert result.mean_score == pytest.approx(87.5)


def test_distribution_of_nothing_is_none():
    assert distribution([]) is None
    assert distribution_from_counts({}) is None
    assert distribution_from_counts({3: 0, 5: 0}) is None


@given(st.lists(answers, min_size=1, max_size=200))
def test_distribution_shares_sum_to_one(values):
    result = distribution(values)
    assert result is not None
    assert result.n == len(values)
    assert result.favorable + result.neutral + result.unfavorable == pytest.approx(1.0)
    assert 0 <= result.mean_score <= 100


@given(st.dictionaries(answers, st.integers(min_value=0, max_value=50)))
def test_distribution_from_counts_equals_distribution_of_the_expanded_list(counts):
    expanded = [value for value, count in counts.items() for _ in range(count)]
    from_counts = distribution_from_counts(counts)
    assert from_counts == distribution(expanded)
    if from_counts is not None:
        assert math.isclose(from_counts.mean_score, (np.mean(expanded) - 1) / 4 * 100)


@pytest.mark.parametrize("bad", [0, 6, -1])
def test_distribution_rejects_answers_outside_the_scale(bad):
    with pytest.raises(ValueError, match="outside 1..5"):
        distribution([3, bad, 4])
    with pytest.raises(ValueError, match="outside 1..5"):
        distribution_from_counts({3: 2, bad: 1})


def test_distribution_from_counts_rejects_negative_counts():
    with pytest.raises(ValueError, match="negative"):
        distribution_from_counts({3: 2, 4: -1})
