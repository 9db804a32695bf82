"""Reward cost in GRPO training (tiny model, CPU, synth tasks), in three separate figures:

    pytest benchmarks/bench_train.py --benchmark-only -s

1. start-up: starting the scoring workers (imports, math-verify warm-up); orsta-train pays it
   at build time, before the first step (OrstaReward.start);
2. steady cost per completion by verifier: the warm pool scoring batches of 64 answers (half the
   ideal answer, half a wrong one) per synth task, milliseconds per completion;
3. share of the step's critical path, with beta > 0 (a reference forward pass runs between
   generation and the reward call), without and with overlap_scoring, and with beta 0: the main
   thread's time in the reward adapter (submitting the batch + the reward call: waiting for
   scores, monitoring) and, within it, the wait for scores alone, over the sum of TRL's
   `step_time` (generation, log-prob passes, rewards, loss and backward of each step).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


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


def _step_share(tmp: Path, steps: int, overlap: bool, beta: float) -> dict[str, Any]:
    from orsta_train.build import build
    from orsta_train.config import resolve_config

    cfg = resolve_config("cpu-smoke", {}, {
        "model": "tiny", "tasks": "synth_counting,synth_math", "output": str(tmp / f"out{time.time_ns()}"),
        "max_steps": steps, "num_generations": 8, "per_device_train_batch_size": 16,
        "max_completion_length": 32, "reward_workers": 2, "beta": beta, "overlap_scoring": overlap,
    })
    built = build(cfg)  # starts the scoring pool
    reward, spent, marks = built.reward, [], {"prescore": [], "reward": []}

    def timed(function: Callable[..., Any], name: str) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent.append(time.perf_counter() - start)
                marks[name].append((start, time.perf_counter()))

        run.__name__ = getattr(function, "__name__", "timed")
        return run

    built.trainer.reward_funcs[0] = timed(reward, "reward")
    reward.prescore = timed(reward.prescore, "prescore")  # the submission runs on the main thread too
    try:
        built.trainer.train()
    finally:
        reward.close()
    step_s = sum(e["step_time"] for e in built.trainer.state.log_history if "step_time" in e)
    return {"overlap": overlap, "beta": beta, "steps": steps, "step_s": step_s, "adapter_s": sum(spent),
            "wait_s": reward.wait_s, "adapter_share": sum(spent) / step_s, "wait_share": reward.wait_s / step_s,
            "rescored": reward.ahead.fallbacks if reward.ahead else None,
            # from generation's end to the reward call: what TRL computes in between (log-prob passes)
            "window_ms": [round(1000 * (r[0] - p[1])) for p, r in zip(marks["prescore"], marks["reward"], strict=True)]}


def test_reward_cost(benchmark, tmp_path: Path):
    def run() -> dict:
        shares = [_step_share(tmp_path, 4, overlap, beta) for overlap, beta in ((False, 0.04), (True, 0.04), (True, 0.0))]
        return {"startup_s": _startup_s(), "steady_ms": _steady_ms_per_completion(), "shares": shares}

    result = benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info.update(result)
    print(f"\nscoring pool start-up (2 workers, before the first step): {result['startup_s']:.2f} s")
    for name, ms in result["steady_ms"].items():
        print(f"steady scoring, {name}: {ms:.2f} ms per completion")
    for r in result["shares"]:
        print(f"beta {r['beta']}, overlap_scoring {str(r['overlap']).lower()}: {r['steps']} GRPO steps of 16 "
              f"completions (<= 32 tokens), step time {r['step_s']:.2f} s; reward adapter on the main thread "
              f"{r['adapter_s']:.3f} s = {100 * r['adapter_share']:.2f}%, of which waiting for scores "
              f"{r['wait_s']:.3f} s = {100 * r['wait_share']:.2f}% (rescored: {r['rescored']}); generation to "
              f"reward call: {r['window_ms']} ms")
