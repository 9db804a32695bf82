"""`prompts_per_step` -> TRL's per-device batch and gradient accumulation.

The released recipe counts its batch in prompts over the whole job (1024 prompts x 8 rollouts per
optimizer step). TRL counts completions per device per micro-step and accumulates; its generation
batch defaults to one optimizer step (steps_per_generation = gradient_accumulation_steps), so one
rollout feeds exactly one update, as in verl with ppo_mini_batch_size = train_batch_size.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from orsta_train.config import ConfigError


@dataclass(frozen=True)
class BatchLayout:
    per_device_train_batch_size: int  # completions per process per micro-step
    gradient_accumulation_steps: int

    def global_completions(self, world_size: int) -> int:
        return self.per_device_train_batch_size * self.gradient_accumulation_steps * world_size


def world_size() -> int:
    """Processes in the job as torchrun/accelerate (WORLD_SIZE) or srun (SLURM_NTASKS) say."""
    for name in ("WORLD_SIZE", "SLURM_NTASKS"):
        value = os.environ.get(name)
        if value and value.isdigit() and int(value) > 0:
            return int(value)
    return 1


def divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def batch_layout(prompts_per_step: int, num_generations: int, max_micro_batch: int, processes: int) -> BatchLayout:
    """Each process gets prompts_per_step / processes prompts (all their rollouts) per step; its
    micro-batch is the largest divisor of that completion count not above `max_micro_batch`."""
    if prompts_per_step % processes:
        raise ConfigError(
            f"prompts_per_step: {prompts_per_step} prompts cannot be split evenly over {processes} "
            f"processes; run with a process count that divides it ({', '.join(map(str, divisors(prompts_per_step)))}) "
            "or set prompts_per_step to a multiple of the process count"
        )
    completions = prompts_per_step // processes * num_generations
    micro = max(d for d in divisors(completions) if d <= max_micro_batch)
    return BatchLayout(micro, completions // micro)
