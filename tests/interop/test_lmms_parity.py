"""The same model, the same exported synth tasks: lmms-eval (with the exported task folder)
and `orsta-bench run` give the same response and the same score for every sample. The model is
the shipped nano-Orsta, so some answers are right and the parity covers non-zero scores too.

Runs inside the lmms-eval venv (.ci/lmms-eval.sh). Both sides use what lmms-eval's qwen2_5_vl
model fixes: bfloat16 weights, batch size 1, greedy decoding, and the tiny processor's own pixel
bounds. lmms-eval exits 0 even when evaluation fails, so its output files are checked instead.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from orsta_bench.models.nano import nano_model_path
from orsta_bench.spec.catalog import load_catalog, select_tasks

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
LIMIT = 4
MAX_NEW_TOKENS = 24
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def run(args: list[str], log: Path, timeout: int = 420) -> None:
    with log.open("w") as handle:
        done = subprocess.run([sys.executable, *args], cwd=REPO, env=ENV, stdout=handle,
                              stderr=subprocess.STDOUT, timeout=timeout)
    assert done.returncode == 0, f"{args[:2]} exited {done.returncode}:\n{log.read_text()[-3000:]}"


def pixel_bounds(model: Path) -> tuple[int, int]:
    size = json.loads((model / "processor_config.json").read_text())["image_processor"]["size"]
    return size["shortest_edge"], size["longest_edge"]


def lmms_samples(folder: Path, tasks: list[str], log: Path) -> dict[tuple[str, str], tuple[str, float, str]]:
    results = sorted(folder.rglob("*_results.json"))
    assert results, f"lmms-eval wrote no results (it exits 0 on failure):\n{log.read_text()[-3000:]}"
    found: dict[tuple[str, str], tuple[str, float, str]] = {}
    for task in tasks:
        files = sorted(folder.rglob(f"*_samples_{task}.jsonl"))
        assert files, f"lmms-eval logged no samples for {task}"
        for line in files[-1].read_text().splitlines():
            score = json.loads(line)["orsta_score"]
            found[(task, score["id"])] = (score["response"], score["value"], score["status"])
    return found


def test_lmms_eval_and_orsta_bench_agree_per_sample(tmp_path):
    tasks = [spec.name for spec in select_tasks(load_catalog(), "synth")]
    model = nano_model_path()
    low, high = pixel_bounds(model)
    names = ",".join(tasks)
    run(["-m", "orsta_bench.cli", "export", "--tasks", names, "--format", "lmms-eval",
         "--output", str(tmp_path / "tasks"), "--limit", str(LIMIT)], tmp_path / "export.log")
    run(["-m", "lmms_eval", "--model", "qwen2_5_vl", "--model_args",
         f"pretrained={model},device=cpu,device_map=cpu,min_pixels={low},max_pixels={high}",
         "--tasks", names, "--include_path", str(tmp_path / "tasks"), "--batch_size", "1",
         "--limit", str(LIMIT), "--gen_kwargs", f"max_new_tokens={MAX_NEW_TOKENS}",
         "--log_samples", "--output_path", str(tmp_path / "lmms")], tmp_path / "lmms.log")
    run(["-m", "orsta_bench.cli", "run", "--model", str(model), "--tasks", names,
         "--limit", str(LIMIT), "--batch-size", "1", "--backend-args", "dtype=bfloat16,device=cpu",
         "--gen-kwargs", f"max_new_tokens={MAX_NEW_TOKENS}", "--output", str(tmp_path / "orsta"),
         "--no-progress"], tmp_path / "orsta.log")

    theirs = lmms_samples(tmp_path / "lmms", tasks, tmp_path / "lmms.log")
    ours = {}
    for line in (tmp_path / "orsta" / "samples.jsonl").read_text().splitlines():
        record = json.loads(line)
        score = record["score"]
        ours[(record["task"], record["id"])] = (record["response"], score["value"], score["status"])
    assert len(ours) == LIMIT * len(tasks)
    assert sorted(theirs) == sorted(ours)
    for key, (response, value, status) in ours.items():
        # lmms-eval hands process_results the response with surrounding whitespace stripped
        # (lmms_eval/api/task.py); the scores below must agree all the same.
        assert theirs[key][0] == response.strip(), f"{key}: the two harnesses generated different text"
        assert theirs[key][1:] == (value, status), f"{key}: same response, different score"
    assert any(value > 0 for _, value, _ in ours.values()), "parity only on zero scores proves little"
