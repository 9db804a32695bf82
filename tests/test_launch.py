"""Launch files: the SLURM wrapper maps srun's variables onto torch.distributed's, and the
accelerate config loads and points at the shipped ZeRO-3 file."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_slurm_wrapper_sets_the_torch_distributed_variables():
    env = {"PATH": os.environ["PATH"], "SLURM_PROCID": "11", "SLURM_LOCALID": "3", "SLURM_NTASKS": "16",
           "MASTER_ADDR": "node-a"}
    result = subprocess.run(["bash", str(REPO / "launch" / "slurm_env.sh"), "env"], capture_output=True,
                            text=True, env=env, timeout=30, check=True)
    seen = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    assert (seen["RANK"], seen["LOCAL_RANK"], seen["WORLD_SIZE"]) == ("11", "3", "16")
    assert (seen["MASTER_ADDR"], seen["MASTER_PORT"]) == ("node-a", "29500")


def test_slurm_wrapper_refuses_to_run_outside_srun():
    result = subprocess.run(["bash", str(REPO / "launch" / "slurm_env.sh"), "true"], capture_output=True,
                            text=True, env={"PATH": os.environ["PATH"]}, timeout=30)
    assert result.returncode != 0 and "not under srun" in result.stderr


def test_accelerate_config_uses_the_shipped_zero3_file():
    from accelerate.commands.config.config_args import load_config_from_file

    config = load_config_from_file(str(REPO / "launch" / "accelerate_zero3.yaml"))
    assert config.distributed_type.value == "DEEPSPEED" and config.num_processes == 8
    assert (REPO / config.deepspeed_config["deepspeed_config_file"]).is_file()
