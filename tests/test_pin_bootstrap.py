"""Known-answer pins for results/bootstrap.py found by mutation testing (scripts/mutation.sh):
percentile levels, the p-value's smoothing and cap, Holm's adjusted p-values, and resampling
checked against the exact (brute-force) bootstrap distribution of tiny samples."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from orsta_bench.results.bootstrap import (
    holm_below,
    macro_draws,
    macro_interval,
    mean_interval,
    p_not_below,
    percentile_interval,
    resample_means,
    stratum_draws,
)


def exact_bootstrap(values: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Every equally likely resample of a tiny sample: (distinct means, their probabilities)."""
    means = [sum(pick) / len(values) for pick in itertools.product(values, repeat=len(values))]
    levels, counts = np.unique(np.round(means, 12), return_counts=True)
    return levels, counts / counts.sum()


def test_percentile_levels_are_alpha_over_two_on_each_side():
    """On an evenly spaced grid 0..1 the 95% interval is exactly [0.025, 0.975]."""
    draws = np.arange(1001) / 1000.0
    assert percentile_interval(draws, 0.95) == pytest.approx((0.025, 0.975), abs=1e-12)
    assert percentile_interval(draws, 0.8) == pytest.approx((0.1, 0.9), abs=1e-12)


@pytest.mark.parametrize("confidence", [0.0, 1.0])
def test_confidence_bounds_are_exclusive(confidence):
    with pytest.raises(ValueError, match="confidence must be between 0 and 1"):
        percentile_interval(np.zeros(3), confidence)


def test_interval_of_no_draws_or_nan_draws_is_nan():
    assert all(math.isnan(x) for x in percentile_interval(np.array([])))
    assert all(math.isnan(x) for x in percentile_interval(np.array([0.1, np.nan, 0.2])))


def test_p_value_add_one_smoothing_and_cap():
    """p = min(1, 2 * (1 + #{draws >= t}) / (B + 1)), with ties counting as not below."""
    draws = np.array([0.0, 1.0, 2.0, 3.0])
    assert p_not_below(draws, 4.0) == pytest.approx(2 * 1 / 5)
    assert p_not_below(draws, 3.0) == pytest.approx(2 * 2 / 5)
    assert p_not_below(draws, 0.0) == 1.0
    assert p_not_below(np.array([]), 0.0) == 1.0
    assert p_not_below(np.array([np.nan, -5.0]), 0.0) == 1.0


def test_holm_adjusted_p_values_are_monotone_and_capped_at_one():
    """p = 0.4, 1.0, 0.02: adjusted = running max of min(1, (m - rank) * p) in p order."""
    low = np.full(99, -1.0)  # p = 2/100
    mid = np.concatenate([np.full(90, -1.0), np.full(9, 1.0)])  # p = 2*10/100
    high = np.concatenate([np.full(50, -1.0), np.full(49, 1.0)])  # p = 2*50/100 = 1
    flags, adjusted = holm_below([mid, high, low], 0.0, confidence=0.95)
    assert adjusted == pytest.approx([min(1.0, 2 * 0.2), 1.0, 3 * 0.02])
    assert flags == [False, False, True]


def test_holm_adjusts_after_stopping_and_caps_at_one():
    """p = 0.02, 0.2, 0.3, 0.36: the second is not flagged (testing stops) yet the later ones
    still get adjusted p-values (running max of (m - rank) * p); p = 0.6 twice: 2 * 0.6 -> 1."""
    a = np.full(99, -1.0)
    b = np.concatenate([np.full(90, -1.0), np.full(9, 1.0)])
    c = np.concatenate([np.full(85, -1.0), np.full(14, 1.0)])
    e = np.concatenate([np.full(82, -1.0), np.full(17, 1.0)])
    flags, adjusted = holm_below([a, b, c, e], 0.0, confidence=0.95)
    assert flags == [True, False, False, False]
    assert adjusted == pytest.approx([0.08, 0.6, 0.6, 0.6])
    flags, adjusted = holm_below([e, a, b, c], 0.0, confidence=0.95)
    assert adjusted == pytest.approx([0.6, 0.08, 0.6, 0.6])
    d = np.concatenate([np.full(70, -1.0), np.full(29, 1.0)])
    assert holm_below([d, d], 0.0)[1] == [1.0, 1.0]


def test_holm_second_quantity_is_tested_at_confidence_one_minus_alpha():
    """With m = 2 the second-ranked quantity is tested at 1 - alpha/1 (its 95% interval)."""
    clear = np.full(1000, -1.0)
    borderline = np.arange(1000) / 1000.0 - 0.98
    flags, _ = holm_below([clear, borderline], 0.0, confidence=0.95)
    assert flags == [True, True]


def test_holm_tests_the_kth_quantity_at_confidence_one_minus_alpha_over_m_minus_k():
    """Two identical quantities whose 95% interval lies below 0 but whose 97.5% interval does not:
    the first is tested at confidence 1 - 0.05/2, is not flagged, and testing stops."""
    draws = np.arange(1000) / 1000.0 - 0.98  # upper 97.5% quantile < 0 < upper 98.75% quantile
    flags, _ = holm_below([draws, draws], 0.0, confidence=0.95)
    assert flags == [False, False]
    alone, _ = holm_below([draws], 0.0, confidence=0.95)
    assert alone == [True]


@pytest.mark.parametrize("values", [[0.0, 1.0, 5.0], [0.0, 0.0, 1.0, 1.0]])
def test_resampling_matches_the_exact_bootstrap_distribution(values):
    """Frequencies of resample means equal the brute-force distribution over all n^n resamples."""
    levels, probabilities = exact_bootstrap(values)
    draws = np.round(resample_means(np.array(values), 200_000, np.random.default_rng(0)), 12)
    observed = np.array([np.mean(draws == level) for level in levels])
    assert observed == pytest.approx(probabilities, abs=0.004)


def test_interval_and_p_value_match_the_exact_bootstrap():
    """95% interval = the exact distribution's 2.5% / 97.5% quantile atoms; p against the exact tail."""
    values = [0.0, 1.0, 5.0]
    levels, probabilities = exact_bootstrap(values)
    cdf = np.cumsum(probabilities)
    exact_low = levels[np.searchsorted(cdf, 0.025)]
    exact_high = levels[np.searchsorted(cdf, 0.975)]
    ci = mean_interval(np.array(values), seed=0, label="x", n_resamples=200_000)
    assert (ci.estimate, ci.low, ci.high) == pytest.approx((2.0, exact_low, exact_high))
    draws = stratum_draws(np.array(values), seed=0, label="x", n_resamples=200_000)
    exact_tail = probabilities[levels >= 3.0].sum()
    assert p_not_below(draws, 3.0) == pytest.approx(2 * exact_tail, abs=0.005)


def test_index_resampling_never_draws_outside_the_sample():
    """Continuous values (> 64 levels) resample by index: the huge first and last values are each
    picked with probability 1/n (a range from -1 doubles the last, one from 1 never picks the first)."""
    values = np.concatenate([[1000.0], np.arange(98, dtype=float) / 100.0, [2000.0]])
    draws = resample_means(values, 20_000, np.random.default_rng(1))
    assert draws.mean() == pytest.approx(values.mean(), rel=0.02)
    assert draws.std() == pytest.approx(values.std() / math.sqrt(values.size), rel=0.05)


def test_index_resampling_of_a_large_sample_uses_every_index():
    """Past the int16 range the index type widens; the last values are still reachable."""
    n = 40_000
    values = np.zeros(n)
    values[-100:] = np.arange(1, 101) * 1000.0  # > 64 levels, all mass at the end
    draws = resample_means(values, 60, np.random.default_rng(2))
    assert draws.mean() == pytest.approx(values.mean(), rel=0.05)


def test_macro_draws_and_interval_inputs():
    with pytest.raises(ValueError, match="^a macro mean needs at least one stratum$"):
        macro_draws([])
    empty = macro_interval([("a", np.array([]))], seed=0)
    assert all(math.isnan(x) for x in (empty.estimate, empty.low, empty.high))
    strata = [np.array([0.0, 1.0]), np.array([1.0, 1.0]), np.array([0.5, 0.0])]
    assert macro_draws(strata).tolist() == pytest.approx([0.5, 2 / 3])  # mean over strata


def test_empty_sample_resamples_to_nan_and_one_value_to_itself():
    assert np.isnan(resample_means(np.array([]), 5, np.random.default_rng(0))).tolist() == [True] * 5
    assert percentile_interval(np.array([0.3])) == (0.3, 0.3)
    one = mean_interval(np.array([0.7]), seed=0, label="one")
    assert (one.estimate, one.low, one.high) == (0.7, 0.7, 0.7)


def test_intervals_use_the_given_resamples_and_confidence():
    values = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.25, 0.5])
    draws = stratum_draws(values, seed=4, label="t", n_resamples=300)
    ci = mean_interval(values, seed=4, label="t", n_resamples=300, confidence=0.8)
    assert (ci.low, ci.high) == percentile_interval(draws, 0.8)
    other = np.array([1.0, 0.0, 0.0])
    macro = macro_interval([("t", values), ("u", other)], seed=4, n_resamples=300, confidence=0.8)
    expected = percentile_interval(macro_draws(
        [draws, stratum_draws(other, seed=4, label="u", n_resamples=300)]), 0.8)
    assert (macro.estimate, macro.low, macro.high) == pytest.approx((
        (values.mean() + other.mean()) / 2, *expected))


@pytest.mark.parametrize(("values", "resamples", "low", "high"), [
    (np.repeat(np.arange(64) / 63.0, 2), 500, 0.4510044642857143, 0.5510912698412699),
    (np.arange(32767) / 32767.0, 20, 0.49716113922676003, 0.5027311673965821),
    (np.arange(32768) / 32768.0, 20, 0.49776550666429104, 0.5019057800760492),
])
def test_published_intervals_are_reproducible(values, resamples, low, high):
    """Same data, seed and label give the same interval in every version: the stream seeding
    (sha256 of the label, little-endian), the multinomial shortcut up to 64 levels and the int16
    index type up to n = 32767 are part of what a results.json reproduces. Values recorded from
    this implementation; change them only with a note that published intervals change."""
    ci = mean_interval(values, seed=3, label="golden", n_resamples=resamples)
    assert (ci.low, ci.high) == (low, high)
