"""Reward cost in GRPO training (tiny model, CPU, synth tasks), in three separate figures:

    pytest benchmarks/bench_train.py --benchmark-only -s

1. start-up: starting the scoring workers (imports, math-verify warm-up); orsta-train pays it
   at build time, before the first step (OrstaReward.start);
2. steady cost per completion by verifier: the warm pool scoring batches of 64 answers (half the
   ideal answer, half a wrong one) per synth task, milliseconds per completion;
3. share of the step's critical path: time inside the reward adapter (scoring + monitoring, the
   pool already started) over the wall time of the training steps.
"""

from __future__ import annotations

import time
from pathlib import Path


def _startup_s() -> float:
    from orsta_train.rewards import OrstaReward

    reward = OrstaReward(workers=2, timeout_s=10, max_completion_length=32, eos_token_ids=[0])
    start = time.perf_counter()
    reward.start()
    elapsed = time.perf_counter() - start
    reward.close()
    return elapsed


def _steady_ms_per_completion() -> dict[str, float]:
    from orsta_bench.oracle import ideal_response
    from orsta_bench.reward import eval_context
    from orsta_bench.scoring import ScoreJob
    from orsta_bench.sources.base import iter_samples
    from orsta_bench.spec.catalog import load_catalog, select_tasks
    from orsta_train.rewards import OrstaReward

    reward = OrstaReward(workers=2, timeout_s=10, max_completion_length=32, eos_token_ids=[0])
    reward.start()
    out = {}
    try:
        for loaded in select_tasks(load_catalog(), "synth"):
            samples = list(iter_samples(loaded, 32))
            jobs = [ScoreJob.for_sample(s, text, eval_context()) for s in samples
                    for text in (ideal_response(s), "I think it is \\boxed{7}.")]
            start = time.perf_counter()
            reward.pool.score_many(jobs)
            out[f"{loaded.name} ({samples[0].verifier.name})"] = 1000 * (time.perf_counter() - start) / len(jobs)
    finally:
        reward.close()
    return out


def _step_share(tmp: Path, steps: int) -> dict[str, float]:
    from orsta_train.build import build
    from orsta_train.config import resolve_config

    cfg = resolve_config("cpu-smoke", {}, {
        "model": "tiny", "tasks": "synth_counting,synth_math", "output": str(tmp / f"out{time.time_ns()}"),
        "max_steps": steps, "num_generations": 8, "per_device_train_batch_size": 16,
        "max_completion_length": 32, "reward_workers": 2,
    })
    built = build(cfg)  # starts the scoring pool
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
    return {"steps": steps, "train_s": total, "reward_s": sum(spent), "reward_share": sum(spent) / total,
            "reward_calls_ms": [round(1000 * s, 1) for s in spent]}


def test_reward_cost(benchmark, tmp_path: Path):
    def run() -> dict:
        return {"startup_s": _startup_s(), "steady_ms": _steady_ms_per_completion(), **_step_share(tmp_path, 4)}

    result = benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info.update(result)
    print(f"\nscoring pool start-up (2 workers, before the first step): {result['startup_s']:.2f} s")
    for name, ms in result["steady_ms"].items():
        print(f"steady scoring, {name}: {ms:.2f} ms per completion")
    print(f"{result['steps']} GRPO steps (16 completions of <=32 tokens each): {result['train_s']:.2f} s, "
          f"reward {result['reward_s']:.3f} s = {100 * result['reward_share']:.1f}% of the step time "
          f"(calls: {result['reward_calls_ms']} ms)")
