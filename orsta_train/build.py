"""Build and run TRL's GRPOTrainer from a TrainConfig.

TRL owns the GRPO loop, vLLM weight sync and the DeepSpeed integration; this module only
configures it: GRPOConfig from the recipe, the dataset adapter, the one reward adapter, the
monitoring and evaluation callbacks. The subclass adds exactly three things TRL lacks: removing
generated image/video placeholder tokens before log-probs are computed (V-Triune), handing the
decoded completions to the reward adapter as soon as generation returns (so scoring overlaps the
log-prob passes), and a way for the evaluation callback to log without taking the training
metrics with it.
"""

from __future__ import annotations

import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orsta_train.config import ConfigError, TrainConfig

DEEPSPEED_DIR = Path(__file__).parent / "deepspeed"


def strip_token_ids(
    completion_ids: list[list[int]], logprobs: list[list[float]] | None, drop: set[int], fill: int
) -> tuple[list[list[int]], list[list[float]] | None, int]:
    """Remove `drop` tokens from each completion (and their sampling log-probs). A completion
    made only of dropped tokens becomes [fill] (the end-of-sequence token), since TRL cannot
    score an empty completion. Returns the new ids, log-probs and how many tokens went."""
    new_ids: list[list[int]] = []
    new_logprobs: list[list[float]] | None = [] if logprobs is not None else None
    removed = 0
    for index, ids in enumerate(completion_ids):
        ids = list(ids)
        keep = [i for i, token in enumerate(ids) if token not in drop]
        removed += len(ids) - len(keep)
        new_ids.append([ids[i] for i in keep] or [fill])
        if new_logprobs is not None:
            new_logprobs.append([logprobs[index][i] for i in keep] or [0.0])
    return new_ids, new_logprobs, removed


def _trainer_class() -> type:
    from transformers import Trainer
    from trl import GRPOTrainer

    class OrstaGRPOTrainer(GRPOTrainer):
        """GRPOTrainer plus placeholder-token removal and an eval-safe log."""

        orsta_drop_ids: set[int] = set()
        orsta_reward: Any = None
        orsta_rows: list[dict[str, Any]] | None = None
        vision_tokens_removed = 0

        def _generate_single_turn(self, prompt_ids, images, multimodal_fields, num_generations, has_tool_images=False):
            completion_ids, logprobs = super()._generate_single_turn(
                prompt_ids, images, multimodal_fields, num_generations, has_tool_images
            )
            if not self.orsta_drop_ids:
                return completion_ids, logprobs
            completion_ids, logprobs, removed = strip_token_ids(
                completion_ids, logprobs, self.orsta_drop_ids, self.eos_token_ids[0]
            )
            self.vision_tokens_removed += removed
            self._log_metric("completions/vision_tokens_removed", float(removed))
            return completion_ids, logprobs

        def _generate_and_score_completions(self, inputs):
            self.orsta_rows = inputs  # the batch's dataset rows, one per completion, for _generate
            try:
                return super()._generate_and_score_completions(inputs)
            finally:
                self.orsta_rows = None

        def _generate(self, prompts):
            out = super()._generate(prompts)  # (..., completions, ...) decoded as the reward sees them
            if self.orsta_reward is not None and self.orsta_rows is not None:
                self.orsta_reward.prescore(self.orsta_rows, out[3], self.state)
            return out

        def log_extra(self, logs: dict[str, float]) -> None:
            """Log to every reporter without merging (and clearing) GRPO's pending train metrics."""
            Trainer.log(self, dict(logs))

    return OrstaGRPOTrainer


def device_and_dtype(cfg: TrainConfig) -> tuple[bool, str]:
    import torch

    if cfg.device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device: cuda was asked for but torch sees no GPU; use device: cpu or auto")
    on_cpu = cfg.device == "cpu" or (cfg.device == "auto" and not torch.cuda.is_available())
    dtype = cfg.dtype
    if dtype == "auto":
        dtype = "float32" if on_cpu else "bfloat16"
    if cfg.use_vllm and on_cpu:
        raise ConfigError("use_vllm needs a GPU (vLLM's TRL integration does not run on CPU); set use_vllm: false")
    return on_cpu, dtype


def deepspeed_config(value: str | None) -> str | None:
    """`zero2` / `zero3` name the shipped configs; anything else must be a JSON file."""
    if value is None:
        return None
    if value in ("zero2", "zero3"):
        return str(DEEPSPEED_DIR / f"{value}.json")
    path = Path(value).expanduser()
    if not path.is_file():
        raise ConfigError(f"deepspeed: {value!r} is neither zero2, zero3 nor an existing JSON file")
    return str(path)


def check_vllm(cfg: TrainConfig) -> None:
    if cfg.use_vllm and importlib.util.find_spec("vllm") is None:
        raise ConfigError(
            "use_vllm is on but vLLM is not installed: pip install 'orsta-bench[vllm]' on a GPU "
            "machine (TRL 1.16 supports vLLM 0.22-0.31), or set use_vllm: false"
        )


def report_to(values: list[str]) -> list[str]:
    if values == ["auto"]:
        return ["tensorboard"] if importlib.util.find_spec("tensorboard") else ["none"]
    return values


def grpo_kwargs(cfg: TrainConfig, *, on_cpu: bool, dtype: str, banned_tokens: list[str],
                banned_ids: list[int], processes: int = 1) -> dict[str, Any]:
    """Everything GRPOConfig gets. vLLM options are configuration only (TRL runs vLLM).
    `prompts_per_step`, when set, decides batch and accumulation for `processes` processes."""
    from orsta_train.layout import batch_layout

    micro, accumulation = cfg.per_device_train_batch_size, cfg.gradient_accumulation_steps
    if cfg.prompts_per_step is not None:
        layout = batch_layout(cfg.prompts_per_step, cfg.num_generations, micro, processes)
        micro, accumulation = layout.per_device_train_batch_size, layout.gradient_accumulation_steps
    if cfg.use_vllm:
        generation_kwargs = {"bad_words": banned_tokens} if cfg.ban_vision_tokens else {}
    else:
        # TRL's default suppresses the image token only; this replaces it with the full list
        # (or with nothing, leaving removal alone in charge).
        generation_kwargs = {"suppress_tokens": banned_ids if cfg.ban_vision_tokens else []}
    kwargs: dict[str, Any] = {
        "output_dir": cfg.output,
        "seed": cfg.seed,
        "data_seed": cfg.seed,
        "max_steps": cfg.max_steps,
        "num_train_epochs": cfg.num_train_epochs,
        "per_device_train_batch_size": micro,
        "gradient_accumulation_steps": accumulation,
        "learning_rate": cfg.learning_rate,
        "lr_scheduler_type": cfg.lr_scheduler_type,
        "warmup_steps": cfg.warmup_ratio,
        "weight_decay": cfg.weight_decay,
        "max_grad_norm": cfg.max_grad_norm,
        "beta": cfg.beta,
        "epsilon": cfg.epsilon,
        "epsilon_high": cfg.epsilon_high,
        "delta": cfg.delta,
        "loss_type": cfg.loss_type,
        "scale_rewards": cfg.scale_rewards,
        "num_generations": cfg.num_generations,
        "num_iterations": cfg.num_iterations,
        "mask_truncated_completions": cfg.mask_truncated_completions,
        "temperature": cfg.temperature,
        "top_p": cfg.top_p,
        "max_completion_length": cfg.max_completion_length,
        "generation_kwargs": generation_kwargs,
        "logging_steps": cfg.logging_steps,
        "report_to": report_to(cfg.report_to),
        "run_name": cfg.run_name or Path(cfg.output).name,
        "save_steps": cfg.save_steps,
        "save_total_limit": cfg.save_total_limit,
        "use_cpu": on_cpu,
        "bf16": dtype == "bfloat16",
        "deepspeed": deepspeed_config(cfg.deepspeed),
        "remove_unused_columns": False,
        "dataloader_num_workers": 0,
        "disable_tqdm": True,
        "use_vllm": cfg.use_vllm,
        "gradient_checkpointing": cfg.gradient_checkpointing,  # always: TRL's own default is True
    }
    if cfg.use_vllm:
        kwargs.update({
            "vllm_mode": cfg.vllm_mode,
            "vllm_gpu_memory_utilization": cfg.vllm_gpu_memory_utilization,
            "vllm_tensor_parallel_size": cfg.vllm_tensor_parallel_size,
            "vllm_server_host": cfg.vllm_server_host,
            "vllm_server_port": cfg.vllm_server_port,
        })
    return kwargs


@dataclass
class Built:
    trainer: Any
    reward: Any
    eval_callback: Any
    processor: Any
    heldout_rows: list[dict[str, Any]]


def build(cfg: TrainConfig) -> Built:
    """Everything up to `trainer.train()`; raises ConfigError / ModelSetupError / TrainDataError."""
    from transformers import PrinterCallback, set_seed
    from trl import GRPOConfig

    from orsta_bench.api import load_catalog, select_tasks
    from orsta_train.completions_log import CompletionTableCallback
    from orsta_train.console import ConsoleSummaryCallback, silence_unactionable_warnings
    from orsta_train.eval_callback import HeldoutEvalCallback
    from orsta_train.layout import batch_layout, world_size
    from orsta_train.model import VISION_PAD_TOKENS, setup_policy, vision_pad_ids
    from orsta_train.monitoring import MetricsFileCallback
    from orsta_train.rewards import OrstaReward
    from orsta_train.trainset import training_data

    silence_unactionable_warnings()
    check_vllm(cfg)
    if cfg.wandb_project:
        os.environ["WANDB_PROJECT"] = cfg.wandb_project  # read by transformers' W&B callback
    processes = world_size()
    if cfg.prompts_per_step is not None:  # fail on a bad process count before loading the model
        batch_layout(cfg.prompts_per_step, cfg.num_generations, cfg.per_device_train_batch_size, processes)
    on_cpu, dtype = device_and_dtype(cfg)
    set_seed(cfg.seed)
    catalog = load_catalog([Path(p) for p in cfg.tasks_dir] or None)
    specs = select_tasks(catalog, cfg.tasks)
    eval_specs = select_tasks(catalog, cfg.eval_tasks) if cfg.eval_tasks else None
    model, processor, _ = setup_policy(cfg, dtype)
    banned_ids = vision_pad_ids(processor)
    args = GRPOConfig(**grpo_kwargs(cfg, on_cpu=on_cpu, dtype=dtype,
                                    banned_tokens=list(VISION_PAD_TOKENS), banned_ids=banned_ids,
                                    processes=processes))

    train_dataset, heldout_rows = training_data(cfg, specs, processor, args, eval_specs)

    eos = model.generation_config.eos_token_id
    eos_ids = [eos] if isinstance(eos, int) else list(eos or [processor.tokenizer.eos_token_id])
    reward = OrstaReward(cfg.reward_workers, cfg.reward_timeout_s, cfg.max_completion_length, eos_ids,
                         overlap=cfg.overlap_scoring)
    reward.start()  # before the first step, not inside it
    eval_callback = HeldoutEvalCallback(
        heldout_rows, cfg.eval_steps, cfg.eval_max_new_tokens or cfg.max_completion_length,
        cfg.eval_batch_size, banned_ids if cfg.ban_vision_tokens else [], before_train=cfg.eval_before_train,
    )
    tables = CompletionTableCallback(reward, cfg.completion_table_steps, cfg.completion_table_rows,
                                     Path(cfg.output) / "completion_tables.jsonl")
    callbacks = [MetricsFileCallback(Path(cfg.output) / "metrics.jsonl"), eval_callback, tables]
    trainer = _trainer_class()(
        model=model, reward_funcs=[reward], args=args, train_dataset=train_dataset,
        processing_class=processor, callbacks=callbacks,
    )
    trainer.remove_callback(PrinterCallback)  # its metric dicts go to metrics.jsonl instead
    trainer.add_callback(ConsoleSummaryCallback())
    trainer.orsta_drop_ids = set(banned_ids)
    trainer.orsta_reward = reward
    eval_callback.trainer = trainer
    tables.trainer = trainer
    return Built(trainer, reward, eval_callback, processor, heldout_rows)


def resume_arg(cfg: TrainConfig) -> str | bool | None:
    if cfg.resume_from_checkpoint is None:
        return None
    if cfg.resume_from_checkpoint == "last":
        if not any(Path(cfg.output).glob("checkpoint-*")):
            raise ConfigError(f"resume_from_checkpoint: last, but {cfg.output} holds no checkpoint-* folder")
        return True
    if not Path(cfg.resume_from_checkpoint).is_dir():
        raise ConfigError(f"resume_from_checkpoint: {cfg.resume_from_checkpoint} is not a folder")
    return cfg.resume_from_checkpoint


def train(cfg: TrainConfig) -> Built:
    """Train, then save the final model and processor at the output root (evaluable with
    `orsta-bench run --model OUTPUT`) together with the resolved configuration."""
    resume = resume_arg(cfg)
    built = build(cfg)
    output = Path(cfg.output)
    main = built.trainer.accelerator.is_main_process
    if main:
        output.mkdir(parents=True, exist_ok=True)
        (output / "train_config.json").write_text(json.dumps(cfg.model_dump(), indent=2, sort_keys=True))
    try:
        built.trainer.train(resume_from_checkpoint=resume)
        built.trainer.save_model(str(output))  # every rank takes part (ZeRO-3 gathers); rank 0 writes
        if main:
            built.processor.save_pretrained(str(output))
    finally:
        built.reward.close()
    shut_down_distributed(built.trainer.accelerator)
    return built


def shut_down_distributed(accelerator: Any) -> None:
    """Every rank leaves together and closes the process group: a rank that exits while the
    others still save lets the communication threads die uncleanly (seen: SIGABRT, ZeRO-3, gloo)."""
    import torch.distributed as dist

    accelerator.wait_for_everyone()
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
