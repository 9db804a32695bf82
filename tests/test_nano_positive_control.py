"""The trainer's positive control (slow, about 2 minutes on 2 cores; docs/NANO.md "The trainer
works", with its GRPO settings and 30 steps): a nano model that has half learnt
the sanity `count` question is trained with GRPO through `orsta-train`, on the `count`
verifier's reward only, and must then answer held-out images clearly better, as
`orsta-bench compare` measures it. Every part is the real one a user runs: the sanity check on
the recipe's SFT loop (`research.sanity --save`), the task export (`research.sanity_task`),
orsta-train with the vtriune preset on the M-RoPE model, `orsta-bench run` and `compare`, each
as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "docs" / "nano" / "control_grpo.yaml"
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
# research/ is not installed: the repository root goes on the path (the runs work in tmp_path).
PATH = {"PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)}


def _python(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd, timeout=900,
                          env={**os.environ, **OFFLINE, **PATH})
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-3000:])
    return done


def _accuracy(run: Path) -> float:
    return json.loads((run / "results.json").read_text())["tasks"]["sanity_count"]["score"]


def test_grpo_raises_held_out_accuracy_of_a_half_learnt_question(tmp_path: Path) -> None:
    _python("-m", "research.sanity", "--output", "sft", "--question", "count", "--lr", "3e-4",
            "--steps", "130", "--eval-every", "130", "--heldout", "50", "--threads", "2", "--save", cwd=tmp_path)
    _python("-m", "research.sanity_task", "--question", "count", "--n", "600", "--seed", "1",
            "--output", "train", cwd=tmp_path)
    _python("-m", "research.sanity_task", "--question", "count", "--n", "100", "--seed", "2",
            "--output", "heldout", cwd=tmp_path)
    _python("-c", "from orsta_train.cli import main; main()", "--config", str(CONFIG), "--model", "sft/model",
            "--tasks", "sanity_count", "--output", "grpo", "--max-steps", "30", "--set", "samples_per_task=600",
            "--set", "tasks_dir=[train]", cwd=tmp_path)

    for model, run in (("sft/model", "eval_sft"), ("grpo", "eval_grpo")):
        _python("-m", "orsta_bench.cli", "run", "--model", model, "--tasks", "sanity_count", "--tasks-dir",
                "heldout", "--output", run, "--no-progress", cwd=tmp_path)
    sft, grpo = _accuracy(tmp_path / "eval_sft"), _accuracy(tmp_path / "eval_grpo")
    print(f"held-out count accuracy: SFT {sft:.3f}, SFT+GRPO {grpo:.3f}")
    assert 0.35 <= sft <= 0.85, f"the SFT model should have half learnt the question, got {sft}"
    compared = json.loads(_python("-m", "orsta_bench.cli", "compare", "eval_sft", "eval_grpo", "--json",
                                  cwd=tmp_path).stdout)["tasks"]["sanity_count"]
    assert compared["n_paired"] == 100
    assert compared["ci_low"] > 0.1, compared
