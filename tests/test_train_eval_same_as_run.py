"""Evaluation during training gives the scores `orsta-bench run` gives: same samples, same
greedy answers, same scores, sample by sample (one process) and in aggregate when the rows are
sharded over two processes (slow, tiny model, CPU)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

TASK, LIMIT, TOKENS = "synth_counting", 6, 24
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
# Evaluation exactly as orsta-bench run generates: no token suppression, the spec's greedy decoding.
EVAL_SET = ["--set", f"eval_tasks={TASK}", "--set", f"eval_samples_per_task={LIMIT}", "--set", "eval_before_train=true",
            "--set", f"eval_max_new_tokens={TOKENS}", "--set", "ban_vision_tokens=false", "--set", "samples_per_task=8"]


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    out = tmp_path_factory.mktemp("run") / "tiny"
    spec_dir = tmp_path_factory.mktemp("specs")
    # the shipped spec with max_new_tokens lowered (the same value the trainer is given)
    from orsta_bench.spec.catalog import load_catalog, select_tasks

    source = select_tasks(load_catalog(), TASK)[0].path
    text = source.read_text() + f"\ngeneration: {{max_new_tokens: {TOKENS}, temperature: 0.0}}\n"
    (spec_dir / source.name).write_text(text)
    for extra in source.parent.glob("_*.yaml"):
        (spec_dir / extra.name).write_text(extra.read_text())
    result = subprocess.run(
        [sys.executable, "-c", "from orsta_bench.cli.app import main; main()", "run", "--model", "tiny", "--tasks", TASK,
         "--tasks-dir", str(spec_dir), "--limit", str(LIMIT), "--output", str(out), "--workers", "0", "--batch-size", "1"],
        capture_output=True, text=True, timeout=600, env={**os.environ, **OFFLINE})
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    assert len(lines) == LIMIT
    return {"dir": str(spec_dir), **{line["id"]: (line["response"], line["score"]["value"]) for line in lines}}


def test_one_process_scores_equal_orsta_bench_run_sample_by_sample(bench_run, tmp_path: Path):
    from orsta_train.build import build
    from orsta_train.config import resolve_config

    cfg = resolve_config("cpu-smoke", {}, {
        "model": "tiny", "tasks": TASK, "output": str(tmp_path / "out"), "tasks_dir": [bench_run["dir"]],
        "eval_tasks": TASK, "eval_samples_per_task": LIMIT, "eval_max_new_tokens": TOKENS,
        "ban_vision_tokens": False, "samples_per_task": 8, "eval_batch_size": 1,
    })
    built = build(cfg)
    try:
        built.eval_callback.evaluate(0, 1)
    finally:
        built.reward.close()
    got = {r.sample_id: (r.text, r.value) for r in built.eval_callback.last_results}
    assert got == {k: v for k, v in bench_run.items() if k != "dir"}  # same answers, same scores
    assert all(text for text, _ in got.values())


def test_two_sharded_processes_give_the_same_aggregate(bench_run, tmp_path: Path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", str(port),
         "-m", "orsta_train.cli", "--model", "tiny", "--tasks", TASK, "--tasks-dir", bench_run["dir"],
         "--max-steps", "1", "--output", str(out), "--set", "eval_batch_size=1", *EVAL_SET],
        capture_output=True, text=True, timeout=600, cwd=tmp_path, env={**os.environ, **OFFLINE})
    assert result.returncode == 0, result.stderr[-3000:]
    evals = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()
             if "eval_orsta/all/score" in json.loads(line)]
    values = [pair[1] for key, pair in bench_run.items() if key != "dir"]
    assert evals[0]["step"] == 0 and evals[0]["eval_orsta/all/n"] == LIMIT
    assert evals[0]["eval_orsta/all/score"] == pytest.approx(sum(values) / len(values), abs=1e-12)
