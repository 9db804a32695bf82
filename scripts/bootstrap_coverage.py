"""Measure how often the bootstrap intervals behind results.json and compare cover the truth.

Simulates tasks of n Bernoulli(p) samples (a model's per-sample correctness) and reports:
  - coverage: the share of 95% `mean_interval`s that contain p (nominal 0.95);
  - null alarm rate: for paired re-runs of an unchanged model (each sample re-drawn from its own
    difficulty), the share of tasks whose paired-difference interval lies below 0 (nominal 0.025).
Percentile bootstrap intervals are known to under-cover for small n; this shows by how much.

    python scripts/bootstrap_coverage.py [--trials 1000] [--resamples 2000] [--seed 0]
"""

from __future__ import annotations

import argparse

import numpy as np

from orsta_bench.api import mean_interval, percentile_interval, stratum_draws


def coverage(n: int, p: float, trials: int, resamples: int, seed: int) -> float:
    generator = np.random.default_rng([seed, n, int(p * 1000)])
    covered = 0
    for trial in range(trials):
        values = (generator.random(n) < p).astype(float)
        ci = mean_interval(values, seed=seed, label=f"cov{trial}", n_resamples=resamples)
        covered += ci.low <= p <= ci.high
    return covered / trials


def null_alarm_rate(n: int, trials: int, resamples: int, seed: int) -> float:
    generator = np.random.default_rng([seed, n, 7])
    alarms = 0
    for trial in range(trials):
        difficulty = generator.uniform(0.05, 0.95, size=n)
        base = (generator.random(n) < difficulty).astype(float)
        cand = (generator.random(n) < difficulty).astype(float)
        draws = stratum_draws(cand - base, seed=seed, label=f"null{trial}", n_resamples=resamples)
        alarms += percentile_interval(draws)[1] < 0.0
    return alarms / trials


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--resamples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print("| n | p | coverage of 95% interval | null alarm rate (nominal 0.025) |")
    print("| ---: | ---: | ---: | ---: |")
    for n in (20, 50, 150, 500):
        alarm = null_alarm_rate(n, args.trials, args.resamples, args.seed)
        for p in (0.1, 0.5, 0.9):
            cov = coverage(n, p, args.trials, args.resamples, args.seed)
            print(f"| {n} | {p} | {cov:.3f} | {alarm:.3f} |", flush=True)


if __name__ == "__main__":
    main()
