"""The bootstrap module: right spread, honest coverage, seeded determinism, Holm's correction."""

from __future__ import annotations

import math

import numpy as np
import pytest

from orsta_bench.results.bootstrap import (
    holm_below,
    macro_interval,
    mean_interval,
    p_not_below,
    percentile_interval,
    resample_means,
    rng_for,
)


def test_binary_shortcut_has_the_binomial_spread() -> None:
    values = np.array([1.0] * 30 + [0.0] * 70)
    draws = resample_means(values, 20_000, np.random.default_rng(1))
    assert draws.mean() == pytest.approx(0.3, abs=0.002)
    assert draws.std() == pytest.approx(math.sqrt(0.3 * 0.7 / 100), rel=0.03)


def test_continuous_values_use_index_resampling_with_the_right_spread() -> None:
    values = np.random.default_rng(2).uniform(0, 1, size=500)  # 500 distinct levels
    draws = resample_means(values, 5_000, np.random.default_rng(3))
    assert draws.mean() == pytest.approx(values.mean(), abs=0.002)
    assert draws.std() == pytest.approx(values.std() / math.sqrt(values.size), rel=0.05)


def test_interval_covers_the_true_mean_about_95_percent_of_the_time() -> None:
    truth, n, trials = 0.3, 150, 400
    generator = np.random.default_rng(4)
    covered = 0
    for trial in range(trials):
        values = (generator.random(n) < truth).astype(float)
        ci = mean_interval(values, seed=trial, label="t", n_resamples=2_000)
        covered += ci.low <= truth <= ci.high
    assert 0.91 <= covered / trials <= 0.98


def test_same_seed_and_label_reproduce_and_other_labels_differ() -> None:
    values = np.random.default_rng(5).uniform(size=80)
    first = mean_interval(values, seed=7, label="task_a")
    assert mean_interval(values, seed=7, label="task_a") == first
    assert mean_interval(values, seed=7, label="task_b") != first
    assert mean_interval(values, seed=8, label="task_a") != first
    a = rng_for(0, "x").integers(0, 1_000_000, 5)
    assert list(a) == list(rng_for(0, "x").integers(0, 1_000_000, 5))


def test_macro_interval_is_the_mean_of_task_means_and_ignores_empty_tasks() -> None:
    big = np.array([1.0] * 900 + [0.0] * 100)  # 0.9 over 1,000 samples
    small = np.array([1.0] * 2 + [0.0] * 8)  # 0.2 over 10 samples
    ci = macro_interval([("big", big), ("small", small), ("empty", np.array([]))], seed=0)
    assert ci.estimate == pytest.approx(0.55)  # macro, not the pooled 0.893
    assert ci.low < 0.55 < ci.high
    # The small task dominates the uncertainty: far wider than the big task alone.
    alone = mean_interval(big, seed=0, label="big")
    assert (ci.high - ci.low) > 5 * (alone.high - alone.low)


def test_no_data_gives_nan_and_constant_data_a_point_interval() -> None:
    empty = mean_interval(np.array([]), seed=0, label="e")
    assert all(math.isnan(x) for x in (empty.estimate, empty.low, empty.high))
    constant = mean_interval(np.ones(20), seed=0, label="c")
    assert (constant.estimate, constant.low, constant.high) == (1.0, 1.0, 1.0)


def test_confidence_outside_zero_one_is_refused() -> None:
    with pytest.raises(ValueError, match="confidence"):
        percentile_interval(np.zeros(10), 1.5)


def test_p_value_is_small_only_when_the_distribution_is_below_the_threshold() -> None:
    below = np.random.default_rng(6).normal(-1.0, 0.1, size=10_000)
    assert p_not_below(below, 0.0) < 0.001
    assert p_not_below(below + 1.0, 0.0) > 0.5


def test_holm_flags_a_clear_drop_and_not_a_zero_difference() -> None:
    generator = np.random.default_rng(7)
    clear = generator.normal(-0.1, 0.01, size=10_000)
    zero = np.zeros(10_000)
    flags, adjusted = holm_below([zero, clear], 0.0)
    assert flags == [False, True]
    assert adjusted[1] < 0.05 <= adjusted[0]


def test_holm_correction_withholds_flags_that_one_uncorrected_test_would_give() -> None:
    # Each quantity alone: its 95% interval lies just below 0 (about 1.4% of mass above).
    generator = np.random.default_rng(8)
    weak = [generator.normal(-2.2, 1.0, size=20_000) for _ in range(10)]
    alone, _ = holm_below(weak[:1], 0.0, confidence=0.95)
    assert alone == [True]
    together, adjusted = holm_below(weak, 0.0, confidence=0.95)
    assert together == [False] * 10
    assert min(adjusted) > 0.05
