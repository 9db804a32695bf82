"""The supervised loop (nanoGPT style), the one SFT loop of the repository: the recipe trains on an
endless synth mixture with it (`run_sft`), and research/ drives it on its own batches (`sft_steps`).

For the recipe, samples are drawn and run through the processor in one background worker process
(a single worker keeps the stream order, so the run stays deterministic, byte for byte the same as
building them in-process) while the main process trains: generation overlaps the step instead of
preceding it.

Loss on the answer tokens only (and the closing <|im_end|>), with every tensor the processor
returns in the batch, `mm_token_type_ids` included, so the model learns with the same M-RoPE
positions that generation, the HF backend and TRL use. AdamW (no decay on embeddings, biases and
norms), linear warm-up, then cosine decay or a constant rate; the vision tower and merger may
have their own peak rate.
"""

from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEDULES = ("cosine", "constant")


@dataclass(frozen=True)
class SFTConfig:
    steps: int = 150
    batch_size: int = 16
    learning_rate: float = 2e-3
    min_lr_ratio: float = 0.05
    warmup_steps: int = 15
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0
    weights: dict[str, float] = field(default_factory=dict)  # task -> sampling weight
    log_every: int = 10
    restate: bool = False  # counting targets name the counted kind first (data.sft_target)
    schedule: str = "cosine"  # after warm-up: cosine to min_lr_ratio, or constant
    vision_learning_rate: float | None = None  # peak rate of the vision tower and merger (None: learning_rate)


def lr_at(step: int, cfg: SFTConfig) -> float:
    if step < cfg.warmup_steps:
        return cfg.learning_rate * (step + 1) / cfg.warmup_steps
    if cfg.schedule == "constant":
        return cfg.learning_rate
    progress = (step - cfg.warmup_steps) / max(1, cfg.steps - cfg.warmup_steps)
    cosine = 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
    return cfg.learning_rate * (cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * cosine)


def make_optimizer(model: Any, cfg: SFTConfig) -> Any:
    """AdamW with weight decay on the weight matrices only; with `vision_learning_rate`, the
    vision parameters form their own groups whose rate is scaled by vision/text (`lr_scale`)."""
    import torch

    from orsta_train.model import VISION_MARKERS

    split = cfg.vision_learning_rate is not None
    groups: dict[tuple[bool, bool], list[Any]] = {}
    for name, param in model.named_parameters():
        vision = split and any(marker in name for marker in VISION_MARKERS)
        decay = param.ndim >= 2 and "embed" not in name
        groups.setdefault((vision, not decay), []).append(param)
    scale = (cfg.vision_learning_rate or cfg.learning_rate) / cfg.learning_rate
    return torch.optim.AdamW(
        [{"params": params, "weight_decay": 0.0 if no_decay else cfg.weight_decay,
          "lr_scale": scale if vision else 1.0} for (vision, no_decay), params in sorted(groups.items())],
        lr=cfg.learning_rate, betas=(0.9, 0.98))


def sft_steps(model: Any, batches: Iterator[list[dict[str, Any]]], cfg: SFTConfig, pad_id: int,
              log_path: Path) -> Iterator[tuple[int, float]]:
    """Train `model` for `cfg.steps` steps on `batches` (lists of `data.encode_example` dicts),
    logging to `log_path`; yields (step, loss) after each step, so a caller can measure in
    between (it must put the model back in train mode)."""
    import torch

    from orsta_train.nano.data import collate

    optimizer = make_optimizer(model, cfg)
    model.train()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    with log_path.open("w") as log:
        for step in range(cfg.steps):
            examples = next(batches)
            batch = collate(examples, pad_id)
            for group in optimizer.param_groups:
                group["lr"] = lr_at(step, cfg) * group["lr_scale"]
            loss, per_task = answer_loss(model, batch, [e["task"] for e in examples])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.max_grad_norm)
            optimizer.step()
            for task, (total, count) in per_task.items():
                sums[task][0] += total
                sums[task][1] += count
            if (step + 1) % cfg.log_every == 0 or step + 1 == cfg.steps:
                record = {"step": step + 1, "loss": float(loss.detach()), "lr": lr_at(step, cfg),
                          "elapsed_s": round(time.perf_counter() - started, 1),
                          **{f"loss/{t}": s / max(c, 1) for t, (s, c) in sorted(sums.items())}}
                log.write(json.dumps(record) + "\n")
                log.flush()
                sums.clear()
            yield step + 1, float(loss.detach())
    model.eval()


def run_sft(model_dir: Path, spec_dir: Path, out_dir: Path, cfg: SFTConfig, seed: int,
            log_path: Path) -> Path:
    """Train the checkpoint in `model_dir` on the synth mixture of `spec_dir` (`cfg.weights`) and
    save the result (model + processor) to `out_dir`."""
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    from orsta_train.nano.batches import ExampleBatches

    torch.manual_seed(seed)
    processor = AutoProcessor.from_pretrained(str(model_dir))
    model = AutoModelForImageTextToText.from_pretrained(str(model_dir), dtype=torch.float32)
    batches = iter(torch.utils.data.DataLoader(
        ExampleBatches(spec_dir, cfg.weights, seed, str(model_dir), cfg.batch_size, cfg.restate),
        batch_size=None, num_workers=1, prefetch_factor=4))
    steps = sft_steps(model, batches, cfg, processor.tokenizer.pad_token_id, log_path)
    for _ in steps:  # run to the end
        pass
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    processor.save_pretrained(out_dir)
    return out_dir



def answer_loss(model: Any, batch: dict[str, Any], tasks: list[str]) -> tuple[Any, dict[str, tuple[float, int]]]:
    """Mean cross-entropy over the labelled (answer) tokens, and per-task token sums. The LM head
    runs only at positions that predict a label: most positions are prompt and image tokens."""
    import torch.nn.functional as F

    inputs = {k: v for k, v in batch.items() if k != "labels"}
    hidden = model.model(**inputs).last_hidden_state[:, :-1]
    labels = batch["labels"][:, 1:]
    mask = labels != -100
    token_loss = F.cross_entropy(model.lm_head(hidden[mask]).float(), labels[mask], reduction="none")
    rows = mask.nonzero()[:, 0].tolist()
    per_task: dict[str, tuple[float, int]] = {}
    for row, value in zip(rows, token_loss.detach().tolist(), strict=True):
        total, count = per_task.get(tasks[row], (0.0, 0))
        per_task[tasks[row]] = (total + value, count + 1)
    return token_loss.mean(), per_task
