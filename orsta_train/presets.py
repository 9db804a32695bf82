"""Named starting points for a TrainConfig (every value stays overridable).

`vtriune` is the paper's description (V-Triune, arXiv 2505.18129, training section); `vtriune-
release` is what the released code runs (MiniMax-AI/One-RL-to-See-Them-All: scripts/train.sh and
the verl config it drives, verl/trainer/config/ppo_trainer.yaml, verl/utils/dataset/rl_dataset.py).
docs/training.md tables both with the source of each value and the TRL equivalent.
"""

from __future__ import annotations

from typing import Any

VTRIUNE: dict[str, Any] = {
    "beta": 0.0,
    "epsilon": 0.2,
    "epsilon_high": 0.28,
    "loss_type": "dapo",
    "num_generations": 8,
    "learning_rate": 1e-6,
    "lr_scheduler_type": "constant_with_warmup",
    "warmup_ratio": 0.05,
    "temperature": 1.0,
    "top_p": 1.0,
    "max_completion_length": 2048,
    "freeze_vision": True,
    "ban_vision_tokens": True,
    "cot_rule": "release",
}

VTRIUNE_RELEASE: dict[str, Any] = {
    **VTRIUNE,
    "beta": 0.001,  # ACTOR_USE_KL_LOSS=True, ACTOR_KL_LOSS_COEFF=0.001 (type "mse": TRL has k3 only)
    "delta": 3.0,  # ENABLE_DUAL_CLIP=True (read in core_algos.py); clip_ratio_c: 3.0 in ppo_trainer.yaml
    "prompts_per_step": 1024,  # DATA_TRAIN_BATCH_SIZE = ACTOR_PPO_GLOBAL_BSZ = 1024
    "weight_decay": 0.01,  # actor.optim.weight_decay in ppo_trainer.yaml
    "max_grad_norm": 1.0,  # actor.grad_clip
    "num_train_epochs": 3.0,  # TRAIN_TOTAL_EPOCHS
    "max_prompt_length": 8192,  # DATA_MAX_PROMPT_LENGTH, truncation=error, no filtering
    "drop_overlong_prompts": False,  # DATA_FILTER_OVERLONG_PROMPTS=False
    "min_pixels": 512 * 512,  # process_image() defaults in rl_dataset.py
    "max_pixels": 2048 * 2048,
    "eval_before_train": True,  # EVAL_BEFORE_TRAIN=True; TRAIN_TEST_FREQ=-5 (never during)
    "eval_steps": 0,
    "save_steps": 5,  # TRAIN_SAVE_FREQ
    "wandb_project": "v_triune",  # TRAIN_PROJECT_NAME (used when report_to includes wandb)
    "gradient_checkpointing": True,  # model.enable_gradient_checkpointing=True
    "per_device_train_batch_size": 16,  # ACTOR_PPO_MICRO_BSZ (completions per GPU per micro-step)
}

# Small, fast settings for CPU smoke runs with the tiny model.
CPU_SMOKE: dict[str, Any] = {
    **VTRIUNE,
    "cot_rule": "none",
    "num_generations": 4,
    "per_device_train_batch_size": 4,
    "max_completion_length": 16,
    "learning_rate": 1e-4,
    "warmup_ratio": 0.0,
    "samples_per_task": 24,
    "heldout_max_per_task": 4,
    "reward_workers": 0,
    "device": "cpu",
    "dtype": "float32",
    "save_steps": 1000,
    "report_to": ["none"],
}

PRESETS: dict[str, dict[str, Any]] = {
    "vtriune": VTRIUNE, "vtriune-release": VTRIUNE_RELEASE, "cpu-smoke": CPU_SMOKE, "none": {},
}
