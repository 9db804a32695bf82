"""What a training run prints: one summary line per logged step (the full metric dict goes to
OUTPUT/metrics.jsonl, see monitoring.MetricsFileCallback), and no third-party deprecation noise
the user cannot act on."""

from __future__ import annotations

import time
import warnings
from typing import Any

from transformers import TrainerCallback

# FutureWarnings raised inside transformers when TRL and this package use the names TRL reads
# (gradient_checkpointing); renaming them is TRL's move, not the user's.
_DEPRECATED_BY_TRANSFORMERS = r"`(is_)?gradient_checkpointing` is deprecated"


def silence_unactionable_warnings() -> None:
    """Filter exactly the known FutureWarnings (category, module and message), nothing else."""
    warnings.filterwarnings("ignore", message=_DEPRECATED_BY_TRANSFORMERS, category=FutureWarning,
                            module=r"transformers\.")


def _number(logs: dict[str, Any], *keys: str) -> float | None:
    for key in keys:
        value = logs.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None


def summary_line(step: int, max_steps: int, logs: dict[str, Any], seconds: float) -> str | None:
    """`step 3/10  loss 0.0123  reward 0.450  accuracy 0.380  4.2 s/step`, with the held-out
    score when that step evaluated; None for a line of neither (metrics.jsonl has every line)."""
    score = _number(logs, "eval_orsta/all/score")
    loss, reward = _number(logs, "loss"), _number(logs, "reward", "source/all/reward")
    if loss is None and reward is None:
        return None if score is None else f"eval at step {step}: held-out score {score:.3f}"
    parts = [f"step {step}/{max_steps}" if max_steps > 0 else f"step {step}"]
    if loss is not None:  # TRL merges a last step's metrics into its closing line, which has no loss
        parts.append(f"loss {loss:.4g}")
    for label, keys in (("reward", ("reward", "source/all/reward")), ("accuracy", ("source/all/accuracy",))):
        value = _number(logs, *keys)
        if value is not None:
            parts.append(f"{label} {value:.3f}")
    parts.append(f"{seconds:.1f} s/step")
    if score is not None:
        parts.append(f"held-out score {score:.3f}")
    return "  ".join(parts)


class ConsoleSummaryCallback(TrainerCallback):
    """Replaces transformers' PrinterCallback (which prints every metric as a dict) on the main process."""

    def __init__(self) -> None:
        self._last_time = time.monotonic()
        self._last_step = 0

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._last_time, self._last_step = time.monotonic(), state.global_step

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if not state.is_world_process_zero or not logs:
            return
        now = time.monotonic()
        steps = max(state.global_step - self._last_step, 1)
        line = summary_line(state.global_step, state.max_steps, logs, (now - self._last_time) / steps)
        if "loss" in logs or "reward" in logs:
            self._last_time, self._last_step = now, state.global_step
        if line:
            print(line, flush=True)
