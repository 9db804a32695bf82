"""Fuzz every verifier, MEGA-Bench parser and metric through the real ScoringPool.

Job i pairs call `i % len(calls)` with a hostile response drawn from `Random(seed, i)`, so any
violation can be replayed alone with `job(i, seed)`. Invariants checked on every score:
no exception leaves the pool, no verifier crash was caught by the safety net (status `error`),
value is finite and in [0, 1] (or -1 for MEGA-Bench), and the pool answers every item within its
time limit (a missed limit shows as status `timeout`, counted and reported).
"""

from __future__ import annotations

import math
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

from orsta_bench.score import Score
from orsta_bench.scoring import ScoreJob, ScoringPool
from reliability.calls import Call, all_calls, check_coverage
from reliability.hostile import hostile_response

TIMEOUT_S = 5.0
# Slack over the item limit for the gap between two answers: killing and replacing a worker.
RESTART_SLACK_S = 30.0


def job(index: int, seed: int, calls: list[Call] | None = None) -> tuple[str, Call, ScoreJob]:
    """The index-th fuzz job: (generator name, call, job); reproducible on its own."""
    calls = calls or all_calls()
    call = calls[index % len(calls)]
    generator, response = hostile_response(random.Random(f"{seed}:{index}"))
    return generator, call, ScoreJob(call.verifier, response, call.reference, call.params, call.context)


def violation(call: Call, result: Score) -> str | None:
    """Why `result` breaks an invariant, or None."""
    if result.status.value == "error":
        return f"status error: {result.detail[:300]}"
    for name in ("value", "accuracy", "format"):
        number = getattr(result, name)
        if not math.isfinite(number):
            return f"{name} is {number}"
    ok_range = 0.0 <= result.value <= 1.0 or (call.sentinel_allowed and result.value == -1.0)
    return None if ok_range else f"value {result.value} out of range"


def run_fuzz(n: int, seed: int = 0, workers: int = 2, timeout_s: float = TIMEOUT_S,
             progress: int = 0) -> dict[str, Any]:
    """Score `n` hostile responses; a report with counts, timings and the first violations."""
    calls = all_calls()
    meta: list[tuple[str, Call]] = []

    def jobs() -> Iterator[ScoreJob]:
        for index in range(n):
            generator, call, item = job(index, seed, calls)
            meta.append((generator, call))
            yield item

    statuses: Counter[str] = Counter()
    generators: Counter[str] = Counter()
    timeouts: Counter[str] = Counter()
    violations: list[dict[str, Any]] = []
    n_violations = done = 0
    escaped = None
    max_gap = 0.0
    started = last = time.perf_counter()
    try:
        with ScoringPool(workers=workers, timeout_s=timeout_s) as pool:
            for index, result in enumerate(pool.imap(jobs())):
                now = time.perf_counter()
                max_gap, last = max(max_gap, now - last), now
                generator, call = meta[index]
                meta[index] = ("", call)  # drop references as we go
                statuses[result.status.value] += 1
                generators[generator] += 1
                if result.status.value == "timeout":
                    timeouts[f"{call.verifier} <- {generator}"] += 1
                problem = violation(call, result)
                if problem:
                    n_violations += 1
                    if len(violations) < 20:
                        violations.append({"index": index, "verifier": call.verifier,
                                           "generator": generator, "problem": problem})
                done += 1
                if progress and done % progress == 0:
                    print(f"fuzz: {done}/{n} in {now - started:.0f} s", file=sys.stderr, flush=True)
            replaced = pool.n_replaced
    except Exception as error:  # an exception out of the pool is itself the finding
        escaped = f"{type(error).__name__}: {error}"[:500]
        replaced = -1
    wall = time.perf_counter() - started
    missing = check_coverage(calls)
    return {
        "check": "fuzz", "n": n, "scored": done, "seed": seed, "workers": workers,
        "timeout_s": timeout_s, "calls": len(calls), "verifiers": len({c.verifier for c in calls}),
        "uncovered": missing, "status_counts": dict(statuses), "generator_counts": dict(generators),
        "timeouts_by_call": dict(timeouts.most_common()),
        "violations": n_violations, "first_violations": violations, "escaped_exception": escaped,
        "workers_replaced": replaced, "max_gap_s": round(max_gap, 3), "wall_s": round(wall, 1),
        "passed": (escaped is None and done == n and n_violations == 0 and not missing
                   and max_gap <= timeout_s + RESTART_SLACK_S),
    }
