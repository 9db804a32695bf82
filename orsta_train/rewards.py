"""The one reward adapter between TRL's GRPOTrainer and orsta-bench's reward function.

For every completion it calls `orsta_bench.reward.score` (through `orsta_bench.scoring.
ScoringPool`, the killable workers evaluation uses too) with the sample's own verifier call and
a training context built from the trainer state (`step`, `total_steps`), so the dynamic IoU
threshold and the format weights of the spec apply exactly as in the V-Triune recipe. With
`overlap`, the trainer submits each generation batch as soon as it is decoded (`prescore`) and the
call collects the scores (orsta_train.score_ahead).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from orsta_bench.api import Sample, Score
from orsta_train.dataset import sample_from_record
from orsta_train.first_step import UNSCORABLE, check_first_step
from orsta_train.monitoring import CompletionRecord, is_reflective, source_metrics
from orsta_train.score_ahead import ScoreAhead

# UNSCORABLE statuses mean "the harness could not score this", not "the model was wrong": the row
# is skipped (None -> NaN in TRL, left out of the group statistics) instead of rewarded 0; a data
# source with nothing else in the first step stops the run (orsta_train.first_step).


def gather_lists(items: list[Any]) -> list[Any]:
    """Every process's items, in rank order (this process's alone when not distributed): per-
    source metrics are then weighted by how many completions each source had over the whole job
    (a mean of per-process means is not)."""
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return items
    parts: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(parts, items)
    return [item for part in parts for item in part]


def completion_text(completion: Any) -> str:
    """TRL hands conversational completions as [{"role": "assistant", "content": ...}]."""
    if isinstance(completion, str):
        return completion
    content = completion[-1]["content"] if completion else ""
    if isinstance(content, list):
        return "".join(part.get("text") or "" for part in content if isinstance(part, dict))
    return str(content or "")


def training_context(step: int, total_steps: int, grid: list[list[int]] | None, size: list[int] | None) -> dict[str, Any]:
    from orsta_bench.api import train_context

    extra: dict[str, Any] = {}
    if grid:
        extra["image_grid_thw"] = [list(map(int, row)) for row in grid]
    if size:
        extra["image_size"] = [int(v) for v in size]
    return train_context(step, max(int(total_steps), 1), **extra)


class OrstaReward:
    """A TRL reward function (a plain callable with `__name__`). Keeps the pool open between
    steps; `close()` stops its workers."""

    __name__ = "orsta_reward"

    def __init__(
        self,
        workers: int,
        timeout_s: float,
        max_completion_length: int,
        eos_token_ids: list[int],
        overlap: bool = False,
    ) -> None:
        from orsta_bench.api import ScoringPool

        self.pool = ScoringPool(workers=workers, timeout_s=timeout_s)
        self._pool_lock = threading.Lock()  # the pool serves one caller at a time
        # In-process scoring (workers 0) would hold the GIL and lose its timeout in a thread.
        self.ahead = ScoreAhead(self._score_jobs) if overlap and workers > 0 else None
        self.wait_s = 0.0  # time reward calls spent obtaining scores (the step waits for it)
        self.max_completion_length = max_completion_length
        self.eos_token_ids = set(eos_token_ids)
        self.last_contexts: list[dict[str, Any]] = []  # what the reward saw last call (tests, logs)
        self.last_records: list[CompletionRecord] = []
        self.first_step_checked = False  # orsta_train.first_step: once, in the first call
        self.last_completions: list[tuple[str, str, float, str]] = []  # (source, id, reward, text)

    def __call__(
        self,
        prompts: list[Any],
        completions: list[Any],
        completion_ids: list[list[int]],
        sample: list[str],
        image_grid_thw: list[list[list[int]]] | None = None,
        image_size: list[list[int]] | None = None,
        trainer_state: Any = None,
        log_metric: Callable[[str, float], None] | None = None,
        **_: Any,
    ) -> list[float | None]:
        samples, texts, contexts = self._inputs(completions, sample, image_grid_thw, image_size, trainer_state)
        started = time.perf_counter()
        jobs = self._jobs(samples, texts, contexts)
        scores = self.ahead.collect(jobs) if self.ahead is not None else self._score_jobs(jobs)
        self.wait_s += time.perf_counter() - started
        if not self.first_step_checked:
            self.first_step_checked = True
            check_first_step(samples, scores)  # collective: every rank calls it in its first step
        self.last_contexts = contexts
        self.last_records = [
            self._record(s, t, ids, score) for s, t, ids, score in zip(samples, texts, completion_ids, scores, strict=True)
        ]
        self.last_completions = [(s.data_source, s.id, score.value, t)
                                 for s, t, score in zip(samples, texts, scores, strict=True)]
        if log_metric is not None:
            # Every process logs the same job-wide values, so TRL's cross-process mean keeps them.
            for name, value in source_metrics(gather_lists(self.last_records)).items():
                log_metric(name, value)
            if self.ahead is not None:
                log_metric("reward/rescored", float(self.ahead.last_fallbacks))  # 0 unless TRL changed a text
        return [None if score.status.value in UNSCORABLE else score.value for score in scores]

    def start(self) -> None:
        """Start the scoring workers now: their imports and math-verify warm-up (about 0.6 s here)
        would otherwise land in the first training step."""
        from orsta_bench.api import ScoreJob

        self._score_jobs([ScoreJob("math", "\\boxed{1}", "1")])

    def prescore(self, rows: list[dict[str, Any]], completions: list[Any], trainer_state: Any) -> None:
        """Submit the completions just generated for `rows` (the batch's dataset rows, one per
        completion) so they are scored while the trainer computes log-probs; the reward call
        collects them (orsta_train.score_ahead)."""
        if self.ahead is None:
            return
        samples, texts, contexts = self._inputs(
            completions, [row["sample"] for row in rows], [row.get("image_grid_thw") for row in rows],
            [row.get("image_size") for row in rows], trainer_state)
        self.ahead.submit(self._jobs(samples, texts, contexts))

    def score(self, samples: list[Sample], texts: list[str], contexts: list[dict[str, Any]]) -> list[Score]:
        return self._score_jobs(self._jobs(samples, texts, contexts))

    @staticmethod
    def _inputs(completions: list[Any], records: list[str], grids: list[Any] | None, sizes: list[Any] | None,
                trainer_state: Any) -> tuple[list[Sample], list[str], list[dict[str, Any]]]:
        """Samples, completion texts and training contexts, as the reward call sees them."""
        step = int(getattr(trainer_state, "global_step", 0) or 0)
        total = int(getattr(trainer_state, "max_steps", 0) or 0)
        samples = [sample_from_record(record) for record in records]
        grids, sizes = grids or [None] * len(samples), sizes or [None] * len(samples)
        contexts = [training_context(step, total, grids[i], sizes[i]) for i in range(len(samples))]
        return samples, [completion_text(c) for c in completions], contexts

    @staticmethod
    def _jobs(samples: list[Sample], texts: list[str], contexts: list[dict[str, Any]]) -> list[Any]:
        from orsta_bench.api import ScoreJob

        return [ScoreJob.for_sample(s, t, c) for s, t, c in zip(samples, texts, contexts, strict=True)]

    def _score_jobs(self, jobs: list[Any]) -> list[Score]:
        with self._pool_lock:
            return self.pool.score_many(jobs)

    def _record(self, sample: Sample, text: str, ids: list[int], score: Score) -> CompletionRecord:
        ids = list(ids)
        return CompletionRecord(
            data_source=sample.data_source,
            value=score.value,
            accuracy=score.accuracy,
            format=score.format,
            status=score.status.value,
            length=len(ids),
            clipped=len(ids) >= self.max_completion_length,
            truncated=not ids or ids[-1] not in self.eos_token_ids,
            reflective=is_reflective(text),
            parts=dict(score.parts),
        )

    def close(self) -> None:
        if self.ahead is not None:
            self.ahead.close()
        self.pool.close()
