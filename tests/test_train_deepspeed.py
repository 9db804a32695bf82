"""DeepSpeed ZeRO-2 on CPU (gloo) through the same `orsta-train` entry point (slow; deepspeed comes with the dev extra; the first
engine start compiles a small op, ~30 s on 2 cores, cached afterwards)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_zero2_trains_a_few_steps_on_cpu(tmp_path: Path):
    out = tmp_path / "out"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           # a one-process distributed job, as `torchrun --nproc_per_node 1` would set up
           "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": "29517", "RANK": "0", "LOCAL_RANK": "0",
           "WORLD_SIZE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", "from orsta_train.cli import main; main()", "--model", "tiny",
         "--tasks", "synth_counting", "--max-steps", "3", "--output", str(out), "--deepspeed", "zero2",
         "--set", "save_steps=3"],
        capture_output=True, text=True, cwd=tmp_path, timeout=900, env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # DeepSpeed's own checkpoint layout: proof the engine (not plain torch) ran the steps.
    assert (out / "checkpoint-3" / "global_step3").is_dir()
    steps = [json.loads(line)["step"] for line in (out / "metrics.jsonl").read_text().splitlines()
             if "source/all/reward" in line]
    assert steps == [1, 2, 3]
    assert (out / "model.safetensors").is_file() and (out / "processor_config.json").is_file()


def test_zero3_two_processes_metrics_checkpoint_and_resume(tmp_path: Path):
    import socket

    out = tmp_path / "out"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "OMP_NUM_THREADS": "1"}

    def train(steps: int, *extra: str) -> subprocess.CompletedProcess:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        return subprocess.run(
            [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", str(port),
             "-m", "orsta_train.cli", "--model", "tiny", "--tasks", "synth_counting", "--max-steps", str(steps),
             "--output", str(out), "--deepspeed", "zero3", "--set", "save_steps=2", "--set", "samples_per_task=12",
             *extra],
            capture_output=True, text=True, cwd=tmp_path, timeout=900, env=env)

    first = train(2)
    assert first.returncode == 0, first.stderr[-3000:]
    assert first.stdout.count("trained 2 steps") == 1  # rank 0 only
    assert (out / "checkpoint-2" / "global_step2").is_dir()  # DeepSpeed's sharded state
    assert len(list((out / "checkpoint-2" / "global_step2").glob("*optim_states.pt"))) == 2  # one shard per rank
    resumed = train(3, "--resume", "last")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    lines = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    steps = [line["step"] for line in lines if "source/all/reward" in line]
    assert steps == [1, 2, 3]  # the resumed run continued at step 3, not from 1
    assert all(line["source/all/n"] == 8.0 for line in lines if "source/all/n" in line)  # both ranks' 4
    assert (out / "model.safetensors").is_file()
