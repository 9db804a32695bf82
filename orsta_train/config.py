"""TrainConfig: every knob of an orsta-train run in one validated object.

Values come, in increasing priority, from a preset (orsta_train.presets: `vtriune` is the paper's
recipe, `vtriune-release` the released train.sh), a YAML `--config` file and command-line flags. Unknown keys are rejected with the close matches, so a
typo never silently trains with a default.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from orsta_bench.api import FREEFORM_INSTRUCTION, TAGGED_INSTRUCTION, parse_pairs
from orsta_train.presets import PRESETS


class ConfigError(ValueError):
    """A bad preset, config file or flag; the message names the key or file and the fix."""


class TrainConfig(BaseModel):
    """One training run. Field names follow TRL's GRPOConfig where they mean the same thing."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    # What to train on.
    model: str = Field(..., description=(
        "model to train: tiny (random test model), nano (the shipped nano-Orsta), a local checkpoint folder, "
        "hf:FOLDER or a cached hub id; oracle, vllm: and openai: serve only and are refused"))
    tasks: str = Field(..., description="--tasks selector: names, a suite or a glob")
    output: str = Field(..., description="output folder (checkpoints, metrics.jsonl, final model)")
    tasks_dir: list[str] = Field(default_factory=list, description="extra folders of task specs (repeatable)")
    task_weights: dict[str, float] = Field(default_factory=dict, description="per-task sampling weight (default 1)")
    samples_per_task: int | None = Field(None, gt=0, description="train+held-out samples read per task")
    heldout_fraction: float = Field(0.1, ge=0, lt=1)
    heldout_max_per_task: int = Field(16, ge=0)
    train_size: int | None = Field(None, gt=0, description="rows of the weighted mixture (default: sum of task sizes)")

    # Schedule.
    seed: int = Field(0, description="seed of sampling, data order and initialisation")
    max_steps: int = Field(-1, description="optimizer steps; -1: run num_train_epochs")
    num_train_epochs: float = Field(1.0, gt=0)
    prompts_per_step: int | None = Field(
        None, gt=0, description="prompts per optimizer step over all processes (sets batch and accumulation)")
    per_device_train_batch_size: int = Field(8, gt=0, description="completions per device per micro-step")
    gradient_accumulation_steps: int = Field(1, gt=0)
    learning_rate: float = Field(1e-6, gt=0, description="peak learning rate")
    lr_scheduler_type: str = "constant_with_warmup"
    warmup_ratio: float = Field(0.05, ge=0, lt=1)
    weight_decay: float = Field(0.0, ge=0)
    max_grad_norm: float = Field(1.0, gt=0)

    # GRPO (TRL GRPOConfig names).
    beta: float = Field(0.0, ge=0, description="KL weight; 0 means no reference model is loaded")
    epsilon: float = Field(0.2, gt=0)
    epsilon_high: float = Field(0.28, gt=0)
    loss_type: Literal["grpo", "dapo", "dr_grpo", "bnpo"] = "dapo"
    scale_rewards: Literal["group", "batch", "none"] = "group"
    delta: float | None = Field(None, gt=1, description="dual-clip bound of the ratio (TRL two-sided clipping)")
    num_generations: int = Field(8, ge=2, description="completions sampled per prompt (the GRPO group)")
    num_iterations: int = Field(1, gt=0)
    mask_truncated_completions: bool = False
    temperature: float = Field(1.0, gt=0)
    top_p: float = Field(1.0, gt=0, le=1)
    max_completion_length: int = Field(2048, gt=0, description="tokens generated per completion at most")
    max_prompt_length: int | None = Field(None, gt=0, description="tokens, images expanded; longer stops the run")
    drop_overlong_prompts: bool = Field(False, description="drop prompts over max_prompt_length (counted)")
    min_pixels: int | None = Field(None, gt=0, description="upscale smaller images before the processor")
    max_pixels: int | None = Field(None, gt=0, description="downscale larger images before the processor")

    # The V-Triune model-side recipe.
    freeze_vision: bool = Field(True, description="freeze the vision tower and its connector (merger)")
    ban_vision_tokens: bool = Field(True, description="forbid image/video pad tokens at generation")
    cot_rule: Literal["release", "none"] = Field(
        "release", description="release: one instruction appended to the prompt of cot_verifiers rows")
    cot_verifiers: list[str] = Field(default_factory=lambda: ["vtriune.mathverify"])
    cot_instruction_freeform: str = Field(FREEFORM_INSTRUCTION, description="rows with format_ratio 0")
    cot_instruction_tagged: str = Field(TAGGED_INSTRUCTION, description="rows with format_ratio > 0")

    # Rewards: scored by orsta_bench.reward in killable workers (orsta_bench.scoring.ScoringPool).
    reward_workers: int = Field(2, ge=0)
    reward_timeout_s: float = Field(10.0, gt=0)
    overlap_scoring: bool = Field(True, description=(
        "score each generation batch while TRL computes its log-probs (needs reward_workers > 0)"))

    # Logging, evaluation, checkpoints.
    logging_steps: int = Field(1, gt=0)
    report_to: list[str] = Field(default_factory=lambda: ["auto"])
    wandb_project: str | None = Field(None, description="W&B project (sets WANDB_PROJECT)")
    run_name: str | None = Field(None, description="run name in TensorBoard / W&B (default: output folder)")
    completion_table_steps: int = Field(0, ge=0, description="every N steps a per-source completions table; 0: off")
    completion_table_rows: int = Field(4, gt=0, description="rows per data source in that table")
    eval_steps: int = Field(0, ge=0, description="evaluate every N steps; 0: no periodic held-out evaluation")
    eval_before_train: bool = Field(False, description="evaluate once before the first step")
    eval_tasks: str | None = Field(None, description="--tasks selector of evaluation tasks (default: held-out rows)")
    eval_samples_per_task: int | None = Field(None, gt=0, description="samples read per evaluation task")
    eval_max_new_tokens: int | None = Field(None, gt=0, description="default: max_completion_length")
    eval_batch_size: int = Field(8, gt=0)
    save_steps: int = Field(500, gt=0)
    save_total_limit: int | None = Field(2, gt=0)
    resume_from_checkpoint: str | None = Field(None, description="a checkpoint folder, or 'last'")

    # Hardware and scale.
    device: Literal["auto", "cpu", "cuda"] = "auto"
    dtype: Literal["auto", "float32", "bfloat16"] = "auto"
    gradient_checkpointing: bool = Field(False, description="passed to TRL as given (TRL's default is on)")
    deepspeed: str | None = Field(None, description="zero2, zero3 or a DeepSpeed JSON path")
    use_vllm: bool = Field(False, description="generate with vLLM (needs the vllm extra)")
    vllm_mode: Literal["colocate", "server"] = Field("colocate", description="colocate or server")
    vllm_server_host: str = "0.0.0.0"
    vllm_server_port: int = 8000
    vllm_gpu_memory_utilization: float = Field(0.3, gt=0, le=1)
    vllm_tensor_parallel_size: int = Field(1, gt=0)

    @model_validator(mode="after")
    def _check(self) -> TrainConfig:
        if self.epsilon_high < self.epsilon:
            raise ValueError("epsilon_high must be >= epsilon (clip-higher)")
        if self.min_pixels and self.max_pixels and self.min_pixels > self.max_pixels:
            raise ValueError("min_pixels must be <= max_pixels")
        for task, weight in self.task_weights.items():
            if weight < 0:
                raise ValueError(f"task_weights.{task} must be >= 0")
        return self


def _unknown_key_error(key: str, where: str) -> ConfigError:
    close = difflib.get_close_matches(key, list(TrainConfig.model_fields), n=3)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    return ConfigError(f"{where}: unknown key {key!r}.{hint} (docs/training.md lists every key)")


def read_config_file(path: Path) -> dict[str, Any]:
    """A YAML mapping of TrainConfig keys (a `preset:` key is allowed too)."""
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as error:
        raise ConfigError(f"--config {path}: cannot read ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"--config {path}: not valid YAML: {error}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"--config {path}: must be a mapping of keys to values, got {type(data).__name__}")
    for key in data:
        if key != "preset" and key not in TrainConfig.model_fields:
            raise _unknown_key_error(str(key), f"--config {path}")
    return data


def parse_set_items(items: list[str]) -> dict[str, Any]:
    """`--set key=value` items (a dash in a key reads as `_`); values typed as
    orsta_bench.keyvalue documents (numbers, booleans, [lists])."""
    try:
        pairs = parse_pairs(items, "--set", "temperature=0.9")
    except ValueError as error:
        raise ConfigError(str(error)) from None
    out: dict[str, Any] = {}
    for raw_key, value in pairs.items():
        key = raw_key.replace("-", "_")
        if key not in TrainConfig.model_fields:
            raise _unknown_key_error(key, f"--set {raw_key}={value!r}")
        out[key] = value
    return out


def resolve_config(
    preset: str | None, file_values: dict[str, Any], overrides: dict[str, Any]
) -> TrainConfig:
    """preset < config file < command line; the file may name the preset (the flag wins).
    With no preset named, `--model tiny` (a random test model) gets cpu-smoke, others vtriune."""
    model = overrides.get("model") or file_values.get("model")
    name = preset or file_values.get("preset") or ("cpu-smoke" if model == "tiny" else "vtriune")
    if name not in PRESETS:
        raise ConfigError(f"--preset {name!r} is not known; choose one of {', '.join(PRESETS)}")
    merged = {**PRESETS[name], **{k: v for k, v in file_values.items() if k != "preset"}}
    merged.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return TrainConfig(**merged)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'config'}: {e['msg']}" for e in error.errors()
        )
        raise ConfigError(f"invalid training configuration (preset {name!r}): {problems}") from None
