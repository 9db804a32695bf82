"""Learnability and the placeholder-token guard, in process with the tiny model (slow).

The task: a fixed answer ("1") under the `count` verifier, which the random tiny model hits by
chance now and then; GRPO must push the mean reward clearly up with a fixed seed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SPEC = """\
name: learn_one
suite: learn
category: reasoning
family: counting
source: {kind: jsonl, path: rows.jsonl}
prompt: {template: "{question}"}
verifier: {name: count}
"""


def _tasks(tmp_path: Path, n: int = 16) -> Path:
    from PIL import Image

    tasks = tmp_path / "tasks"
    tasks.mkdir()
    Image.new("RGB", (56, 56), (200, 30, 30)).save(tasks / "red.png")
    with (tasks / "rows.jsonl").open("w") as handle:
        for i in range(n):
            handle.write(json.dumps({"id": f"q{i}", "question": f"Write the number one ({i}).",
                                     "answer": "1", "images": ["red.png"]}) + "\n")
    (tasks / "learn_one.yaml").write_text(SPEC)
    return tasks


def _config(tmp_path: Path, **extra):
    from orsta_train.config import resolve_config

    base = {"model": "tiny", "tasks": "learn_one", "output": str(tmp_path / "out"),
            "tasks_dir": [str(_tasks(tmp_path))], "heldout_fraction": 0.0}
    return resolve_config("cpu-smoke", {}, {**base, **extra})


def test_grpo_learns_a_rewarded_answer(tmp_path: Path):
    from orsta_train.build import build

    cfg = _config(tmp_path, max_steps=40, learning_rate=3e-3, max_completion_length=6,
                  num_generations=8, per_device_train_batch_size=16, train_size=640, seed=0)
    built = build(cfg)
    try:
        built.trainer.train()
    finally:
        built.reward.close()
    rewards = [e["reward"] for e in built.trainer.state.log_history if "reward" in e]
    first, last = sum(rewards[:8]) / 8, sum(rewards[-8:]) / 8
    print(f"mean reward: first 8 steps {first:.3f}, last 8 steps {last:.3f}")
    assert len(rewards) == 40
    assert last > first + 0.3, (first, last, rewards)
    _assert_vision_frozen_language_moved(built.trainer.model)


def _assert_vision_frozen_language_moved(model) -> None:
    """The vision tower and its merger are bit-identical to the checkpoint; the LM is not."""
    from transformers import AutoModelForImageTextToText

    from orsta_bench.models.tiny import tiny_model_path

    before = AutoModelForImageTextToText.from_pretrained(str(tiny_model_path())).state_dict()
    after = model.state_dict()
    assert before.keys() == after.keys()
    vision = [n for n in after if "visual." in n]
    language = [n for n in after if "visual." not in n]
    assert vision and language
    assert all(after[n].equal(before[n]) for n in vision)
    assert any(not after[n].equal(before[n]) for n in language)
