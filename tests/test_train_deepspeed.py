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
