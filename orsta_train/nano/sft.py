"""The supervised warm-up: a plain loop (nanoGPT style) over an endless synth mixture.

Samples are drawn and run through the processor in one background worker process (a single
worker keeps the stream order, so the run stays deterministic, byte for byte the same as building
them in-process) while the main process trains: generation overlaps the step instead of preceding it.

Loss on the answer tokens only (and the closing <|im_end|>), with every tensor the processor
returns in the batch, `mm_token_type_ids` included, so the model learns with the same M-RoPE
positions that generation, the HF backend and TRL use. AdamW, linear warm-up, cosine decay.
"""

from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


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


def lr_at(step: int, cfg: SFTConfig) -> float:
    if step < cfg.warmup_steps:
        return cfg.learning_rate * (step + 1) / cfg.warmup_steps
    progress = (step - cfg.warmup_steps) / max(1, cfg.steps - cfg.warmup_steps)
    cosine = 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
    return cfg.learning_rate * (cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * cosine)


def run_sft(model_dir: Path, spec_dir: Path, out_dir: Path, cfg: SFTConfig, seed: int,
            log_path: Path) -> Path:
    """Train the checkpoint in `model_dir` and save the result (model + processor) to `out_dir`."""
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    from orsta_train.nano.batches import ExampleBatches
    from orsta_train.nano.data import collate

    torch.manual_seed(seed)
    processor = AutoProcessor.from_pretrained(str(model_dir))
    model = AutoModelForImageTextToText.from_pretrained(str(model_dir), dtype=torch.float32)
    model.train()
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and "embed" not in n]
    other = [p for n, p in model.named_parameters() if not (p.ndim >= 2 and "embed" not in n)]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                                   {"params": other, "weight_decay": 0.0}],
                                  lr=cfg.learning_rate, betas=(0.9, 0.98))
    batches = iter(torch.utils.data.DataLoader(
        ExampleBatches(spec_dir, cfg.weights, seed, str(model_dir), cfg.batch_size, cfg.restate),
        batch_size=None, num_workers=1, prefetch_factor=4))
    pad_id = processor.tokenizer.pad_token_id
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    with log_path.open("w") as log:
        for step in range(cfg.steps):
            examples = next(batches)
            batch = collate(examples, pad_id)
            for group in optimizer.param_groups:
                group["lr"] = lr_at(step, cfg)
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
    model.eval()
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
