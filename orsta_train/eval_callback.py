"""Periodic evaluation on held-out samples of the training specs, scored by orsta-bench.

Before the first step (`eval_before_train`, as the release does) and every `eval_steps` optimizer
steps the current policy answers each held-out prompt greedily (as
`orsta-bench run` does), each answer is scored by `orsta_bench.reward` in evaluation context, and
the scores are logged as `eval_orsta/<data_source>/<metric>` through the trainer's reporting (and
so into metrics.jsonl). The rows are sharded over the processes by (task, sample id) with the
helper distributed `orsta-bench run` uses (orsta_bench.distributed); each process generates and
scores its shard (under ZeRO-3 the generation model is gathered whole, so shards may differ in
size), and the main process aggregates everyone's scores and logs.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from transformers import TrainerCallback

from orsta_train.dataset import sample_from_record
from orsta_train.monitoring import is_reflective
from orsta_train.rewards import gather_lists


@dataclass(frozen=True)
class EvalResult:
    """One scored evaluation answer, small enough to gather from every process."""

    task: str
    sample_id: str
    data_source: str
    value: float
    accuracy: float
    reflective: bool
    counts: bool  # counts_in_score (not error / not_scored)
    text: str


def eval_metrics(results: list[EvalResult]) -> dict[str, float]:
    """`eval_orsta/<source>/{score,accuracy,reflection_ratio,n}`, `all` included, and the number
    of answers left out of the score."""
    groups: dict[str, list[EvalResult]] = defaultdict(list)
    for result in results:
        if result.counts:
            groups[result.data_source].append(result)
            groups["all"].append(result)
    metrics: dict[str, float] = {}
    for source, items in sorted(groups.items()):
        n = len(items)
        metrics[f"eval_orsta/{source}/score"] = sum(r.value for r in items) / n
        metrics[f"eval_orsta/{source}/accuracy"] = sum(r.accuracy for r in items) / n
        metrics[f"eval_orsta/{source}/reflection_ratio"] = sum(r.reflective for r in items) / n
        metrics[f"eval_orsta/{source}/n"] = float(n)
    metrics["eval_orsta/excluded"] = float(sum(not r.counts for r in results))
    return metrics


class HeldoutEvalCallback(TrainerCallback):
    def __init__(self, rows: list[dict[str, Any]], every: int, max_new_tokens: int, batch_size: int,
                 banned_ids: list[int], before_train: bool = False) -> None:
        self.rows = rows
        self.before_train = before_train
        self.every = every
        self.max_new_tokens = max_new_tokens
        self.batch_size = batch_size
        self.banned_ids = banned_ids
        self.trainer: Any = None  # set by build.py once the trainer exists
        self.history: list[dict[str, float]] = []
        self.last_results: list[EvalResult] = []  # main process: every answer of the last evaluation

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.rows and self.before_train:
            self.evaluate(state.global_step, state.max_steps)

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.rows and self.every and state.global_step % self.every == 0:
            self.evaluate(state.global_step, state.max_steps)

    def shard(self) -> list[dict[str, Any]]:
        from orsta_bench.api import take_shard

        accelerator = self.trainer.accelerator

        def key(row: dict[str, Any]) -> tuple[str, str]:
            record = json.loads(row["sample"])
            return record["task"], record["id"]

        return list(take_shard(self.rows, key, accelerator.process_index, accelerator.num_processes))

    def generate(self, rows: list[dict[str, Any]]) -> list[str]:
        import torch
        from trl.data_utils import prepare_multimodal_messages
        from trl.models.utils import unwrap_model_for_generation

        trainer = self.trainer
        processor = trainer.processing_class
        texts: list[str] = []
        with unwrap_model_for_generation(trainer.model_wrapped, trainer.accelerator) as model, torch.no_grad():
            was_training = model.training
            model.eval()
            for start in range(0, len(rows), self.batch_size):
                batch = rows[start : start + self.batch_size]
                conversations = [prepare_multimodal_messages(row["prompt"], row["images"]) for row in batch]
                inputs = processor.apply_chat_template(
                    conversations, add_generation_prompt=True, tokenize=True, return_dict=True,
                    return_tensors="pt", padding=True,
                ).to(model.device)
                output = model.generate(
                    **inputs, do_sample=False, max_new_tokens=self.max_new_tokens,
                    suppress_tokens=self.banned_ids or None,
                )
                new_tokens = output[:, inputs["input_ids"].shape[1] :]
                texts.extend(processor.batch_decode(new_tokens, skip_special_tokens=True))
            if was_training:
                model.train()
        return texts

    def evaluate(self, step: int, total_steps: int) -> dict[str, float]:
        from orsta_bench.api import eval_context

        rows = self.shard()
        texts = self.generate(rows)
        samples = [sample_from_record(row["sample"]) for row in rows]
        contexts = []
        for row in rows:
            extra = {}
            if row.get("image_grid_thw"):
                extra["image_grid_thw"] = row["image_grid_thw"]
            if row.get("image_size"):
                extra["image_size"] = row["image_size"]
            contexts.append(eval_context(**extra))
        scores = self.trainer.orsta_reward.score(samples, texts, contexts)
        mine = [EvalResult(s.task, s.id, s.data_source, score.value, score.accuracy, is_reflective(text),
                           score.counts_in_score, text) for s, text, score in zip(samples, texts, scores, strict=True)]
        results = gather_lists(mine)
        if not self.trainer.accelerator.is_main_process:
            return {}
        metrics = eval_metrics(results)
        self.last_results = sorted(results, key=lambda r: (r.task, r.sample_id))
        self.history.append({"step": step, **metrics})
        self.trainer.log_extra(metrics)
        return metrics
