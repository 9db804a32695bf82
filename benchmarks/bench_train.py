"""Reward cost as a share of a GRPO step (tiny model, CPU, synth counting + math).

    pytest benchmarks/bench_train.py --benchmark-only -s

Prints the wall time of the steps, the time spent inside the orsta reward adapter (scoring in
the ScoringPool, monitoring included) and its share; the share is also in extra_info."""

from __future__ import annotations

import time
from pathlib import Path


def _run(tmp: Path, steps: int) -> dict[str, float]:
    from orsta_train.build import build
    from orsta_train.config import resolve_config

    cfg = resolve_config("cpu-smoke", {}, {
        "model": "tiny", "tasks": "synth_counting,synth_math", "output": str(tmp / f"out{time.time_ns()}"),
        "max_steps": steps, "num_generations": 8, "per_device_train_batch_size": 16,
        "max_completion_length": 32, "reward_workers": 2,
    })
    built = build(cfg)
    spent = []
    inner = built.trainer.reward_funcs[0]

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    timed.__name__ = inner.__name__
    built.trainer.reward_funcs[0] = timed
    start = time.perf_counter()
    try:
        built.trainer.train()
    finally:
        built.reward.close()
    total = time.perf_counter() - start
    return {"steps": steps, "train_s": total, "reward_s": sum(spent), "reward_share": sum(spent) / total}


def test_reward_share_of_grpo_step(benchmark, tmp_path: Path):
    result = benchmark.pedantic(_run, args=(tmp_path, 4), rounds=1, iterations=1)
    benchmark.extra_info.update(result)
    print(f"\n{result['steps']} GRPO steps (16 completions of <=32 tokens each): {result['train_s']:.2f} s, "
          f"reward {result['reward_s']:.3f} s = {100 * result['reward_share']:.1f}% of the step time")
