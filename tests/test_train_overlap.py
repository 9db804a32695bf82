"""Scoring ahead (overlap_scoring) in a real GRPO run with the tiny model (slow): the same seed
gives the same rewards and the same training metrics with and without it, every completion's
score comes from the batch submitted before the log-prob passes, and a completion whose text
changes after submission is scored again (orsta_train.score_ahead)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_train_learn import _tasks

pytestmark = pytest.mark.slow

TIMING = {"step_time", "train_runtime", "train_samples_per_second", "train_steps_per_second"}


def _train(tmp_path: Path, overlap: bool, steps: int, change_first_text: bool = False) -> tuple[Any, list]:
    """Train `steps` steps (beta > 0: a reference pass runs between generation and rewards);
    returns the built run and every reward call's values."""
    from orsta_train.build import build
    from orsta_train.config import resolve_config

    tmp_path.mkdir(parents=True, exist_ok=True)
    cfg = resolve_config("cpu-smoke", {}, {
        "model": "tiny", "tasks": "learn_one", "tasks_dir": [str(_tasks(tmp_path))], "heldout_fraction": 0.0,
        "output": str(tmp_path / "out"), "max_steps": steps, "learning_rate": 3e-3, "max_completion_length": 6,
        "num_generations": 8, "per_device_train_batch_size": 16, "train_size": 64, "seed": 0, "beta": 0.04,
        "reward_workers": 2, "overlap_scoring": overlap,
    })
    built = build(cfg)
    values: list = []
    inner = built.trainer.reward_funcs[0]

    def recorded(*args: Any, completions: list, **kwargs: Any) -> list:
        if change_first_text:  # as if TRL had rewritten a completion after generation
            completions = [[{"role": "assistant", "content": "1"}], *completions[1:]]
        out = inner(*args, completions=completions, **kwargs)
        values.append(out)
        return out

    recorded.__name__ = inner.__name__
    built.trainer.reward_funcs[0] = recorded
    try:
        built.trainer.train()
    finally:
        built.reward.close()
    return built, values


def _metrics(built: Any) -> list[dict]:
    return [{k: v for k, v in entry.items() if k not in TIMING | {"reward/rescored"}}
            for entry in built.trainer.state.log_history]


def test_overlap_gives_the_same_rewards_and_metrics(tmp_path: Path):
    steps = 3
    ahead, ahead_values = _train(tmp_path / "ahead", overlap=True, steps=steps)
    plain, plain_values = _train(tmp_path / "plain", overlap=False, steps=steps)
    assert plain.reward.ahead is None
    assert len(ahead_values) == steps and ahead_values == plain_values
    assert any(v for call in ahead_values for v in call)  # some reward, so the losses depend on it
    assert _metrics(ahead) == _metrics(plain)
    assert (ahead.reward.ahead.reused, ahead.reward.ahead.fallbacks) == (steps * 16, 0)
    assert [e["reward/rescored"] for e in ahead.trainer.state.log_history if "reward/rescored" in e] == [0.0] * steps


def test_a_text_changed_after_submission_is_scored_again(tmp_path: Path):
    built, values = _train(tmp_path, overlap=True, steps=1, change_first_text=True)
    assert values[0][0] == 1.0  # "1" is the count answer: scored as the new text, not the generated one
    assert (built.reward.ahead.reused, built.reward.ahead.fallbacks) == (15, 1)
    assert built.trainer.state.log_history[0]["reward/rescored"] == 1.0
