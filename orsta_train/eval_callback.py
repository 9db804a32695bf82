"""Periodic evaluation on held-out samples of the training specs, scored by orsta-bench.

Before the first step (`eval_before_train`, as the release does) and every `eval_steps` optimizer
steps the current policy answers each held-out prompt greedily (as
`orsta-bench run` does), each answer is scored by `orsta_bench.reward` in evaluation context, and
the scores are logged as `eval_orsta/<data_source>/<metric>` through the trainer's reporting (and
so into metrics.jsonl). All processes generate (ZeRO-3 needs every rank in each forward pass);
the main process scores and logs.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from transformers import TrainerCallback

from orsta_train.dataset import sample_from_record
from orsta_train.monitoring import is_reflective


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

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.rows and self.before_train:
            self.evaluate(state.global_step, state.max_steps)

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.rows and self.every and state.global_step % self.every == 0:
            self.evaluate(state.global_step, state.max_steps)

    def generate(self) -> list[str]:
        import torch
        from trl.data_utils import prepare_multimodal_messages
        from trl.models.utils import unwrap_model_for_generation

        trainer = self.trainer
        processor = trainer.processing_class
        texts: list[str] = []
        with unwrap_model_for_generation(trainer.model_wrapped, trainer.accelerator) as model, torch.no_grad():
            was_training = model.training
            model.eval()
            for start in range(0, len(self.rows), self.batch_size):
                batch = self.rows[start : start + self.batch_size]
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
        from orsta_bench.reward import eval_context

        texts = self.generate()
        if not self.trainer.accelerator.is_main_process:
            return {}
        samples = [sample_from_record(row["sample"]) for row in self.rows]
        contexts = []
        for row in self.rows:
            extra = {}
            if row.get("image_grid_thw"):
                extra["image_grid_thw"] = row["image_grid_thw"]
            if row.get("image_size"):
                extra["image_size"] = row["image_size"]
            contexts.append(eval_context(**extra))
        scores = self.trainer.orsta_reward.score(samples, texts, contexts)
        groups: dict[str, list[tuple[Any, str]]] = defaultdict(list)
        for sample, text, score in zip(samples, texts, scores, strict=True):
            if score.counts_in_score:
                groups[sample.data_source].append((score, text))
                groups["all"].append((score, text))
        metrics: dict[str, float] = {}
        for source, items in sorted(groups.items()):
            n = len(items)
            metrics[f"eval_orsta/{source}/score"] = sum(s.value for s, _ in items) / n
            metrics[f"eval_orsta/{source}/accuracy"] = sum(s.accuracy for s, _ in items) / n
            metrics[f"eval_orsta/{source}/reflection_ratio"] = sum(is_reflective(t) for _, t in items) / n
            metrics[f"eval_orsta/{source}/n"] = float(n)
        metrics["eval_orsta/excluded"] = float(sum(not s.counts_in_score for s in scores))
        self.history.append({"step": step, **metrics})
        self.trainer.log_extra(metrics)
        return metrics
