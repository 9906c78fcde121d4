"""Did it work: completion, the difference-in-differences by department, and its verdict."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from cxculture.scoring.effects import (
    COMPLETION_SHARE,
    MIN_DEPARTMENTS_PER_SIDE,
    DepartmentWaves,
    Verdict,
    completed,
    difference_in_differences,
)

NAN = float("nan")


def departments(treated_changes, control_changes, start=50.0):
    return [DepartmentWaves(start, start + change, True) for change in treated_changes] + [
        DepartmentWaves(start, start + change, False) for change in control_changes
    ]


# Completion


def test_completion_share_is_sixty_percent():
    assert COMPLETION_SHARE == 0.6


@pytest.mark.parametrize(
    ("assigned", "done", "expected"),
    [
        (5, 3, True),  # exactly 60%, which 0.6 as a float must not spoil
        (5, 2, False),
        (10, 6, True),
        (10, 5, False),
        (3, 2, True),
        (1, 1, True),
        (1, 0, False),
        (0, 0, False),  # nobody assigned: nothing was completed
    ],
)
def test_a_department_completed_when_enough_of_the_assigned_finished(assigned, done, expected):
    assert completed(assigned, done) is expected


def test_completion_is_exact_at_shares_that_floats_cannot_hold():
    # 0.1 as a binary float is slightly above 1/10; 1 of 10 is still exactly 10%.
    assert completed(10, 1, share=0.1)
    assert completed(10, 7, share=0.7)
    assert not completed(10, 6, share=0.7)
    assert completed(4, 4, share=1)


@pytest.mark.parametrize(
    ("assigned", "done", "share"),
    [(-1, 0, 0.6), (3, 4, 0.6), (3, -1, 0.6), (3, 2, 0), (3, 2, 1.5), (3, 2, NAN)],
)
def test_completion_refuses_impossible_counts(assigned, done, share):
    with pytest.raises(ValueError, match="assigned|share"):
        completed(assigned, done, share=share)


# The estimate


def test_exact_arithmetic_on_a_small_case():
    # Treated changes 4, 6, 8: mean 6, variance 4; control 1, 2, 3: mean 2, variance 1.
    # Difference 4; standard error sqrt(4/3 + 1/3) = sqrt(5/3);
    # Welch-Satterthwaite: (5/3)^2 / ((4/3)^2 / 2 + (1/3)^2 / 2) = (25/9) / (17/18) = 50/17.
    result = difference_in_differences(departments([4, 6, 8], [1, 2, 3]))
    assert result.treated.mean_change == 6
    assert result.control.mean_change == 2
    assert result.difference == 4
    assert result.standard_error == pytest.approx(math.sqrt(5 / 3))
    assert result.degrees_of_freedom == pytest.approx(50 / 17)
    margin = scipy_stats.t.ppf(0.975, 50 / 17) * math.sqrt(5 / 3)
    assert (result.ci_low, result.ci_high) == pytest.approx((4 - margin, 4 + margin))
    assert (result.treated.departments, result.control.departments) == (3, 3)
    assert result.dropped == 0
    assert not result.is_weighted


def test_the_change_is_after_minus_before_department_by_department():
    # Different starting points; only the changes matter: +10, +5, +12 against +1, -2, +4.
    waves = [
        DepartmentWaves(40, 50, True),
        DepartmentWaves(70, 75, True),
        DepartmentWaves(55.5, 67.5, True),
        DepartmentWaves(80, 81, False),
        DepartmentWaves(30, 28, False),
        DepartmentWaves(62, 66, False),
    ]
    result = difference_in_differences(waves)
    assert result.difference == pytest.approx(9 - 1)


@given(
    st.lists(st.floats(-50, 50), min_size=2, max_size=12),
    st.lists(st.floats(-50, 50), min_size=2, max_size=12),
)
def test_the_interval_is_welchs_t_interval_of_the_changes(treated, control):
    result = difference_in_differences(departments(treated, control, start=0.0))
    # The textbook formulas, with numpy's variances.
    a = np.var(treated, ddof=1) / len(treated)
    b = np.var(control, ddof=1) / len(control)
    difference = np.mean(treated) - np.mean(control)
    assert result.difference == pytest.approx(difference, abs=1e-9)
    assert result.standard_error == pytest.approx(math.sqrt(a + b), abs=1e-9)
    if a + b > 1e-6:
        degrees = (a + b) ** 2 / (a**2 / (len(treated) - 1) + b**2 / (len(control) - 1))
        assert result.degrees_of_freedom == pytest.approx(degrees, rel=1e-6)
        margin = scipy_stats.t.ppf(0.975, degrees) * math.sqrt(a + b)
        assert result.ci_low == pytest.approx(difference - margin, rel=1e-6, abs=1e-9)
        assert result.ci_high == pytest.approx(difference + margin, rel=1e-6, abs=1e-9)


def test_a_simulated_effect_is_recovered_within_its_interval():
    rng = np.random.default_rng(11)
    treated = rng.normal(6, 4, size=25)  # teams that trained rose 6 points more
    control = rng.normal(0, 4, size=30)
    result = difference_in_differences(departments(treated, control))
    assert result.ci_low < 6 < result.ci_high
    assert result.verdict is Verdict.CLEARLY_HIGHER


def test_the_interval_covers_the_true_effect_about_as_often_as_promised():
    rng = np.random.default_rng(12)
    covered = 0
    for _ in range(400):
        treated = rng.normal(3, 2, size=6)
        control = rng.normal(0, 5, size=9)
        result = difference_in_differences(departments(treated, control))
        covered += result.ci_low < 3 < result.ci_high
    assert 0.91 <= covered / 400 <= 0.98


# Verdicts


def test_the_minimum_is_three_departments_a_side():
    assert MIN_DEPARTMENTS_PER_SIDE == 3


def test_two_departments_on_a_side_are_too_few_even_with_a_large_difference():
    result = difference_in_differences(departments([20, 21], [0, 1, 2, 1]))
    assert result.verdict is Verdict.TOO_FEW_DEPARTMENTS
    assert result.difference == pytest.approx(19.5)  # the page may still say "rose 19 more"
    assert result.ci_low is not None


def test_a_clear_fall_is_clearly_lower():
    result = difference_in_differences(departments([-6, -5, -7, -6], [1, 0, 2]))
    assert result.verdict is Verdict.CLEARLY_LOWER


def test_an_interval_that_includes_zero_is_not_sure():
    result = difference_in_differences(departments([6, -4, 12], [1, 0, 2]))
    assert result.ci_low < 0 < result.ci_high
    assert result.verdict is Verdict.NOT_SURE


# Edge cases


def test_no_control_department_gives_no_estimate():
    result = difference_in_differences(departments([4, 5, 6], []))
    assert result.difference is None
    assert result.standard_error is None
    assert result.ci_low is None
    assert result.control.departments == 0
    assert result.verdict is Verdict.TOO_FEW_DEPARTMENTS


def test_no_department_at_all():
    result = difference_in_differences([])
    assert result.difference is None
    assert result.verdict is Verdict.TOO_FEW_DEPARTMENTS


def test_one_department_a_side_gives_a_difference_but_no_interval():
    result = difference_in_differences(departments([5], [2]))
    assert result.difference == 3
    assert result.standard_error is None
    assert result.ci_low is None
    assert result.verdict is Verdict.TOO_FEW_DEPARTMENTS


def test_identical_changes_everywhere_are_no_difference():
    result = difference_in_differences(departments([2, 2, 2], [2, 2, 2, 2]))
    assert result.difference == 0
    assert result.standard_error == 0
    assert (result.ci_low, result.ci_high) == (0, 0)
    assert result.verdict is Verdict.NOT_SURE


def test_identical_changes_within_each_side_give_an_exact_difference():
    result = difference_in_differences(departments([5, 5, 5], [2, 2, 2]))
    assert (result.difference, result.ci_low, result.ci_high) == (3, 3, 3)
    assert result.verdict is Verdict.CLEARLY_HIGHER


def test_a_constant_side_still_gives_an_interval_from_the_other():
    result = difference_in_differences(departments([5, 5, 5], [1, 2, 3]))
    # Only the control side varies: standard error sqrt(1/3), 2 degrees of freedom.
    assert result.standard_error == pytest.approx(math.sqrt(1 / 3))
    assert result.degrees_of_freedom == pytest.approx(2)


def test_departments_with_a_missing_score_are_left_out_and_counted():
    waves = [
        *departments([4, 6, 8], [1, 2, 3]),
        DepartmentWaves(NAN, 60, True),
        DepartmentWaves(50, NAN, False),
    ]
    result = difference_in_differences(waves)
    assert result.dropped == 2
    assert result.difference == 4
    assert (result.treated.departments, result.control.departments) == (3, 3)


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(DepartmentWaves(math.inf, 60, True), id="infinite"),
        pytest.param(DepartmentWaves(50, 60, True, respondents=0), id="no respondents"),
    ],
)
def test_refuses_impossible_departments(bad):
    rest = departments([4, 6, 8], [1, 2, 3])
    if bad.respondents is not None:
        rest = [d._replace(respondents=10) for d in rest]
    with pytest.raises(ValueError, match="finite|respondents"):
        difference_in_differences([*rest, bad])


def test_refuses_a_level_outside_zero_and_one():
    with pytest.raises(ValueError, match="level"):
        difference_in_differences(departments([4, 6, 8], [1, 2, 3]), level=95)


# Weighted by respondents


def test_equal_weights_give_the_unweighted_answer():
    plain = difference_in_differences(departments([4, 6, 8], [1, 2, 3]))
    weighted = difference_in_differences(
        [d._replace(respondents=12) for d in departments([4, 6, 8], [1, 2, 3])]
    )
    assert weighted.is_weighted
    assert weighted.difference == pytest.approx(plain.difference)
    assert weighted.standard_error == pytest.approx(plain.standard_error)
    assert weighted.degrees_of_freedom == pytest.approx(plain.degrees_of_freedom)


def test_weights_give_larger_departments_more_say():
    # Treated changes 0 (10 people) and 10 (30 people): weighted mean 7.5, not 5.
    waves = [
        DepartmentWaves(50, 50, True, respondents=10),
        DepartmentWaves(50, 60, True, respondents=30),
        DepartmentWaves(50, 51, False, respondents=20),
        DepartmentWaves(50, 53, False, respondents=20),
    ]
    result = difference_in_differences(waves)
    assert result.treated.mean_change == pytest.approx(7.5)
    assert result.control.mean_change == pytest.approx(2.0)
    # Kish's effective number of treated departments: 40^2 / (10^2 + 30^2) = 1.6.
    assert result.treated.degrees == pytest.approx(0.6)
    # Weighted variance 10 x 7.5^2 + 30 x 2.5^2 = 750 over 40 - 1000/40 = 15: 50;
    # variance of the weighted mean 50 x 1000 / 1600 = 31.25.
    assert result.treated.variance_of_mean == pytest.approx(31.25)


def test_unequal_weights_widen_the_interval_rather_than_narrow_it():
    plain = difference_in_differences(departments([4, 6, 8], [1, 2, 3]))
    waves = departments([4, 6, 8], [1, 2, 3])
    uneven = [d._replace(respondents=n) for d, n in zip(waves, (5, 5, 90, 5, 5, 90), strict=True)]
    weighted = difference_in_differences(uneven)
    assert weighted.ci_high - weighted.ci_low > plain.ci_high - plain.ci_low


def test_respondents_are_given_for_every_department_or_none():
    waves = departments([4, 6, 8], [1, 2, 3])
    waves[0] = waves[0]._replace(respondents=10)
    with pytest.raises(ValueError, match="every department"):
        difference_in_differences(waves)
