"""orsta-train over two CPU processes (gloo): per-source metrics weighted by completion count
over the whole job, and a 2-process run (scoring overlapped with the reference pass) where only
rank 0 reports: one metrics line per step and one completion table holding both processes'
completions (slow, short)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rank_main(rank: int, port: int, out_dir: str) -> None:
    import torch.distributed as dist
    from transformers import TrainerState

    from orsta_bench.sample import Sample, VerifierCall, user_message
    from orsta_train.dataset import sample_record
    from orsta_train.rewards import OrstaReward

    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=2)
    # rank 0: one `a` completion, right; rank 1: three `a` completions, wrong, and one `b`, right.
    plan = [("a", "\\boxed{4}")] if rank == 0 else [("a", "\\boxed{5}")] * 3 + [("b", "\\boxed{4}")]
    samples = [Sample(id=f"{rank}-{i}", task="t", data_source=src, messages=user_message("2+2?", 0),
                      ground_truth="4", verifier=VerifierCall("vtriune.mathverify", {"format_ratio": 0.0}))
               for i, (src, _) in enumerate(plan)]
    logged: dict[str, float] = {}
    reward = OrstaReward(workers=0, timeout_s=10, max_completion_length=8, eos_token_ids=[0])
    try:
        reward(prompts=[None] * len(plan), completions=[[{"role": "assistant", "content": t}] for _, t in plan],
               completion_ids=[[1, 0]] * len(plan), sample=[sample_record(s) for s in samples],
               trainer_state=TrainerState(global_step=1, max_steps=2), log_metric=logged.__setitem__)
    finally:
        reward.close()
        dist.destroy_process_group()
    Path(out_dir, f"rank{rank}.json").write_text(json.dumps(logged))


def test_source_metrics_are_weighted_by_count_across_processes(tmp_path: Path):
    import torch.multiprocessing as mp

    mp.spawn(_rank_main, args=(_free_port(), str(tmp_path)), nprocs=2, join=True)
    logged = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert logged[0] == logged[1]  # every rank logs the job-wide value; TRL's mean over ranks keeps it
    metrics = logged[0]
    assert metrics["source/a/n"] == 4.0
    assert metrics["source/a/accuracy"] == 0.25  # 1 of 4; the mean of per-process means would be 0.5
    assert metrics["source/b/n"] == 1.0 and metrics["source/b/accuracy"] == 1.0
    assert metrics["source/all/accuracy"] == 0.4  # 2 of 5, not (1.0 + 0.25) / 2


def test_two_process_run_reports_once(tmp_path: Path):
    out = tmp_path / "out"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port",
         str(_free_port()), "-m", "orsta_train.cli", "--model", "tiny", "--tasks", "synth_counting",
         "--max-steps", "1", "--output", str(out), "--set", "samples_per_task=8",
         "--set", "reward_workers=1", "--set", "beta=0.01",  # scoring overlaps the reference pass
         "--set", "completion_table_steps=1", "--set", "completion_table_rows=2"],
        capture_output=True, text=True, cwd=tmp_path, timeout=600, env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.count("trained 1 steps; model and processor saved") == 1
    assert (out / "model.safetensors").is_file() and (out / "train_config.json").is_file()
    steps = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()
             if "source/all/reward" in line]
    assert [line["step"] for line in steps] == [1]  # one metrics line per step: only rank 0 writes the file
    assert steps[0]["reward/rescored"] == 0.0  # every rank's scores came from its batch submitted ahead
    table = [json.loads(line) for line in (out / "completion_tables.jsonl").read_text().splitlines()]
    # one table, written once by rank 0, with each process's completions gathered into it in turn
    assert [(row["step"], row["data_source"], row["process"]) for row in table] == [(1, "synth_counting", 0), (1, "synth_counting", 1)]
