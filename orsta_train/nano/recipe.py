"""The nano-Orsta recipe and the pipeline that rebuilds it: tokenizer + model, SFT, GRPO.

Every number that shapes the shipped checkpoint lives in `NanoRecipe`, so the rebuild command,
the research scripts (research/, whose `--set` addresses these fields) and docs/NANO.md name one
source. GRPO is `orsta-train` itself: the recipe writes the orsta-train YAML config
(`OUTPUT/grpo.yaml`) and runs it through the same resolve/train path as the CLI
(`orsta-train --config OUTPUT/grpo.yaml` reruns that phase alone).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from orsta_train.nano.model import NanoArch
from orsta_train.nano.sft import SFTConfig

# The four families the recipe trains (two perception, two reasoning) and their SFT mixture
# weights; the other four synth families are never trained on (they stay at chance).
SFT_WEIGHTS = {"synth_counting": 1.0, "synth_grounding": 1.0, "synth_chart": 1.0, "synth_science": 1.0}
GRPO_TASKS = ("synth_counting", "synth_grounding", "synth_chart", "synth_science")
SFT_SEED_OFFSET = 1000  # training samples come from source seeds seed+1000 (SFT), seed+2000 (GRPO);
GRPO_SEED_OFFSET = 2000  # evaluation uses the shipped specs' seed 0, never seen in training


@dataclass(frozen=True)
class GRPOSettings:
    """The orsta-train keys the recipe sets (everything else: the `none` preset's defaults)."""

    max_steps: int = 30
    prompts_per_step: int = 8
    num_generations: int = 8
    learning_rate: float = 1e-4
    lr_scheduler_type: str = "constant"
    temperature: float = 1.0
    max_completion_length: int = 40
    freeze_vision: bool = True
    samples_per_task: int = 600
    train_iou_threshold: Any = 0.5  # grounding reward threshold: the eval metric (ablation: dynamic)
    tasks: tuple[str, ...] = GRPO_TASKS
    save_steps: int = 10  # checkpoint-10 doubles as the `joint` ablation arm (same settings)

    def orsta_train_config(self, model: Path, tasks_dir: Path, output: Path, seed: int) -> dict[str, Any]:
        return {
            "preset": "vtriune", "model": str(model), "tasks": ",".join(self.tasks),
            "tasks_dir": [str(tasks_dir)], "output": str(output), "seed": seed,
            "max_steps": self.max_steps, "num_generations": self.num_generations,
            "per_device_train_batch_size": self.prompts_per_step * self.num_generations,
            "learning_rate": self.learning_rate, "lr_scheduler_type": self.lr_scheduler_type,
            "warmup_ratio": 0.0, "temperature": self.temperature,
            "max_completion_length": self.max_completion_length, "freeze_vision": self.freeze_vision,
            "cot_rule": "none",  # evaluation prompts carry none: train on the same prompts
            "samples_per_task": self.samples_per_task, "heldout_fraction": 0.05,
            "heldout_max_per_task": 8, "eval_steps": 0, "reward_workers": 0, "device": "cpu",
            "dtype": "float32", "save_steps": self.save_steps, "save_total_limit": None, "report_to": ["none"], "logging_steps": 1,
        }


@dataclass(frozen=True)
class NanoRecipe:
    """The shipped recipe (its defaults rebuild `orsta_bench/models/nano_orsta`)."""

    seed: int = 0
    arch: NanoArch = field(default_factory=NanoArch)
    sft: SFTConfig = field(default_factory=lambda: SFTConfig(weights=dict(SFT_WEIGHTS)))
    grpo: GRPOSettings = field(default_factory=GRPOSettings)
    threads: int = 2

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)


def restate_recipe() -> NanoRecipe:
    """The candidate recipe (docs/NANO.md, "Naming the kind before the count"): SFT at a sane learning
    rate, white-centred pixels (CLIP's mean/std make the white background a large constant input
    and SFT learns to ignore the image) and counting targets that name the counted kind first;
    counting weighted 3:1:1:1 and 1,800 steps of 32, so the rebuild takes about 17 minutes."""
    sft = SFTConfig(steps=1800, batch_size=32, learning_rate=3e-4, warmup_steps=30, log_every=25, restate=True,
                    weights={**SFT_WEIGHTS, "synth_counting": 3.0})
    return NanoRecipe(arch=NanoArch(image_mean=[1.0, 1.0, 1.0], image_std=[0.5, 0.5, 0.5]), sft=sft)


RECIPES = {"shipped": NanoRecipe, "restate": restate_recipe}


def build_stage(recipe: NanoRecipe, output: Path) -> Path:
    from orsta_train.nano.base import build_base
    from orsta_train.nano.data import write_train_specs

    specs = write_train_specs(output / "sft_tasks", sorted(recipe.sft.weights),
                              recipe.seed + SFT_SEED_OFFSET, 10_000_000)
    return build_base(output / "base", specs, recipe.arch, recipe.seed, restate=recipe.sft.restate)


def sft_stage(recipe: NanoRecipe, output: Path) -> Path:
    from orsta_train.nano.sft import run_sft

    return run_sft(output / "base", output / "sft_tasks", output / "sft", recipe.sft, recipe.seed,
                   output / "sft_log.jsonl")


def grpo_stage(recipe: NanoRecipe, output: Path, start: Path | None = None, name: str = "grpo") -> Path:
    """GRPO through orsta-train from `start` (default: the SFT checkpoint) into OUTPUT/<name>."""
    import yaml

    from orsta_train.build import train
    from orsta_train.config import read_config_file, resolve_config
    from orsta_train.nano.data import write_train_specs

    g = recipe.grpo
    params = {"synth_grounding": {"train_iou_threshold": g.train_iou_threshold}}
    tasks_dir = write_train_specs(output / f"{name}_tasks", list(g.tasks), recipe.seed + GRPO_SEED_OFFSET,
                                  g.samples_per_task, params)
    config_path = output / f"{name}.yaml"
    values = g.orsta_train_config(start or output / "sft", tasks_dir, output / name, recipe.seed)
    config_path.write_text(yaml.safe_dump(values, sort_keys=True))
    train(resolve_config(None, read_config_file(config_path), {}))
    return output / name


STAGES = ("base", "sft", "grpo")


def rebuild(recipe: NanoRecipe, output: Path, stages: tuple[str, ...] = STAGES) -> Path:
    """Run the named stages in order; the final model is OUTPUT/grpo (or the last stage run)."""
    import torch

    torch.set_num_threads(recipe.threads)
    output.mkdir(parents=True, exist_ok=True)
    (output / "recipe.json").write_text(recipe.to_json())
    last = output
    for stage in stages:
        last = {"base": build_stage, "sft": sft_stage, "grpo": grpo_stage}[stage](recipe, output)
    return last


def with_overrides(recipe: NanoRecipe, sft_steps: int | None, grpo_steps: int | None) -> NanoRecipe:
    if sft_steps is not None:
        recipe = replace(recipe, sft=replace(recipe.sft, steps=sft_steps))
    if grpo_steps is not None:
        recipe = replace(recipe, grpo=replace(recipe.grpo, max_steps=grpo_steps))
    return recipe
