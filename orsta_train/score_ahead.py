"""Scoring off the GRPO step's critical path.

TRL computes the old/reference log-probs of a generation batch (one or two forward passes) between
generation and the reward call. orsta-train's trainer hands the freshly decoded completions to
`ScoreAhead.submit` as soon as generation returns, so the scoring workers run during those
passes; the reward call then `collect`s the finished scores. A job is only reused when it equals
the one the reward call builds (same verifier, text, reference and training context): any other
completion (or a batch never submitted) is scored synchronously and counted in `fallbacks`, so
rewards are always those of the text TRL scores, and a fallback count above 0 says the step
waited for scores.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

ScoreFn = Callable[[list[Any]], list[Any]]  # ScoreJob list -> Score list, in order


class ScoreAhead:
    """One batch of jobs scored in a background thread while the trainer goes on."""

    def __init__(self, score_jobs: ScoreFn) -> None:
        self._score_jobs = score_jobs
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="orsta-score-ahead")
        self._pending: tuple[list[Any], Future] | None = None
        self.reused = 0  # completions whose pre-submitted score was used
        self.fallbacks = 0  # completions scored in the reward call: not submitted, or changed since
        self.last_fallbacks = 0  # of those, in the last collected batch

    def submit(self, jobs: list[Any]) -> None:
        """Start scoring `jobs` now; a batch never collected (an aborted step) is dropped."""
        self._pending = (list(jobs), self._executor.submit(self._score_jobs, list(jobs)))

    def collect(self, jobs: list[Any]) -> list[Any]:
        """Scores of `jobs`, in order: pre-submitted ones where the job is unchanged, the rest
        scored now (all of them when nothing was submitted) and counted as fallbacks."""
        pending, self._pending = self._pending, None
        submitted, ready = ([], []) if pending is None else (pending[0], pending[1].result())  # re-raises
        scores: list[Any] = [ready[i] if i < len(submitted) and submitted[i] == job else None
                             for i, job in enumerate(jobs)]
        missing = [i for i, score in enumerate(scores) if score is None]
        if missing:
            for i, score in zip(missing, self._score_jobs([jobs[i] for i in missing]), strict=True):
                scores[i] = score
        self.last_fallbacks = len(missing)
        self.fallbacks += len(missing)
        self.reused += len(jobs) - len(missing)
        return scores

    def close(self) -> None:
        """Wait for a running batch (the pool bounds it by its per-item timeout) and stop."""
        self._pending = None
        self._executor.shutdown(wait=True, cancel_futures=True)

