"""Bootstrap confidence intervals: the one interval module behind results.json and compare.

Why a bootstrap: task scores are means of bounded, often binary, per-sample values, and suite
scores are macro means over tasks of very different sizes; a percentile bootstrap that resamples
samples *within* each task (stratified) needs no normality assumption and treats small tasks as
honestly uncertain. The paired bootstrap for compare is the same machinery applied to the
per-sample differences candidate - baseline.

Determinism: every stream is seeded from (seed, label), so a task's interval depends only on its
own samples, never on which other tasks were in the run or on their order.

Speed: resampling n values B times and averaging is equivalent in distribution to drawing the
counts of each distinct value from a multinomial; most scores take few distinct values (0/1, or
-1/0/1 for differences), so that costs O(B * levels) instead of O(B * n). Continuous values fall
back to index resampling in chunks that bound memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_RESAMPLES = 10_000
DEFAULT_CONFIDENCE = 0.95
DEFAULT_SEED = 0
_MAX_LEVELS = 64  # up to this many distinct values the multinomial shortcut is used
_CHUNK_CELLS = 1_000_000  # index-resampling chunk (cache-sized: faster than one block)


@dataclass(frozen=True)
class Interval:
    """A point estimate with its percentile bootstrap interval (NaN when there is no data)."""

    estimate: float
    low: float
    high: float


def rng_for(seed: int, label: str) -> np.random.Generator:
    """An independent, reproducible stream for one labelled quantity."""
    digest = int.from_bytes(hashlib.sha256(label.encode()).digest()[:8], "little")
    return np.random.default_rng([int(seed), digest])


def resample_means(values: np.ndarray, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Means of `n_resamples` bootstrap resamples (with replacement, same size) of `values`."""
    values = np.asarray(values, dtype=np.float64)
    n = values.size
    if n == 0:
        return np.full(n_resamples, np.nan)
    levels, inverse = np.unique(values, return_inverse=True)
    if levels.size == 1:
        return np.full(n_resamples, levels[0])
    if levels.size <= _MAX_LEVELS:
        probabilities = np.bincount(inverse, minlength=levels.size) / n
        counts = rng.multinomial(n, probabilities, size=n_resamples)
        return counts @ levels / n
    out = np.empty(n_resamples)
    index_type = np.int16 if n <= np.iinfo(np.int16).max else np.int32  # fewer random bytes
    rows = max(1, _CHUNK_CELLS // n)
    for start in range(0, n_resamples, rows):
        stop = min(n_resamples, start + rows)
        indices = rng.integers(0, n, size=(stop - start, n), dtype=index_type)
        out[start:stop] = values[indices].mean(axis=1)
    return out


def stratum_draws(values: np.ndarray, *, seed: int, label: str,
                  n_resamples: int = DEFAULT_RESAMPLES) -> np.ndarray:
    """Resample means of one stratum (a task, or a task's slice), seeded by its label."""
    return resample_means(values, n_resamples, rng_for(seed, label))


def macro_draws(strata_draws: Sequence[np.ndarray]) -> np.ndarray:
    """Resample distribution of a macro mean: average the strata's independent resample means."""
    if not strata_draws:
        raise ValueError("a macro mean needs at least one stratum")
    return np.mean(np.vstack(strata_draws), axis=0)


def percentile_interval(draws: np.ndarray, confidence: float = DEFAULT_CONFIDENCE
                        ) -> tuple[float, float]:
    """Two-sided percentile interval of a resample distribution."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), got {confidence}")
    if draws.size == 0 or np.isnan(draws).any():
        return (float("nan"), float("nan"))
    alpha = 1.0 - confidence
    low, high = np.quantile(draws, [alpha / 2.0, 1.0 - alpha / 2.0])
    return (float(low), float(high))


def mean_interval(values: np.ndarray, *, seed: int, label: str,
                  n_resamples: int = DEFAULT_RESAMPLES,
                  confidence: float = DEFAULT_CONFIDENCE) -> Interval:
    """Mean of one sample of values with its bootstrap interval."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return Interval(float("nan"), float("nan"), float("nan"))
    draws = stratum_draws(values, seed=seed, label=label, n_resamples=n_resamples)
    low, high = percentile_interval(draws, confidence)
    return Interval(float(values.mean()), low, high)


def macro_interval(strata: Sequence[tuple[str, np.ndarray]], *, seed: int,
                   n_resamples: int = DEFAULT_RESAMPLES,
                   confidence: float = DEFAULT_CONFIDENCE) -> Interval:
    """Macro mean over labelled strata (e.g. tasks of a suite), resampling within each stratum.

    Empty strata are left out (they have no score), as they are from the point estimate."""
    kept = [(label, np.asarray(v, dtype=np.float64)) for label, v in strata if len(v)]
    if not kept:
        return Interval(float("nan"), float("nan"), float("nan"))
    estimate = float(np.mean([v.mean() for _, v in kept]))
    draws = macro_draws([stratum_draws(v, seed=seed, label=label, n_resamples=n_resamples)
                         for label, v in kept])
    low, high = percentile_interval(draws, confidence)
    return Interval(estimate, low, high)


def p_not_below(draws: np.ndarray, threshold: float) -> float:
    """Two-sided-style bootstrap p-value for "the true value is below `threshold`".

    Twice the (add-one smoothed) share of resamples at or above the threshold, capped at 1; small
    when the whole distribution lies below it. Used to order tasks for the Holm procedure."""
    if draws.size == 0 or np.isnan(draws).any():
        return 1.0
    share = (1.0 + float(np.count_nonzero(draws >= threshold))) / (draws.size + 1.0)
    return min(1.0, 2.0 * share)


def holm_below(all_draws: Sequence[np.ndarray], threshold: float,
               confidence: float = DEFAULT_CONFIDENCE) -> tuple[list[bool], list[float]]:
    """Holm step-down over several quantities: which lie entirely below `threshold`.

    Quantities are ordered by p-value; the k-th (0-based) of m is tested with its interval at
    confidence 1 - alpha/(m-k) and is flagged when that interval's upper end is below the
    threshold; testing stops at the first that is not. Controls the family-wise error rate at
    alpha = 1 - confidence. Returns the flags and each quantity's Holm-adjusted p-value."""
    m = len(all_draws)
    alpha = 1.0 - confidence
    pvalues = [p_not_below(d, threshold) for d in all_draws]
    order = sorted(range(m), key=lambda i: pvalues[i])
    flags = [False] * m
    adjusted = [1.0] * m
    running = 0.0
    stopped = False
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[index]))
        adjusted[index] = running
        if stopped:
            continue
        _, high = percentile_interval(all_draws[index], 1.0 - alpha / (m - rank))
        if high == high and high < threshold:
            flags[index] = True
        else:
            stopped = True
    return flags, adjusted
