"""`orsta-train --model tiny --tasks synth` end to end as a user runs it (subprocess, offline,
CPU): per-source metrics, held-out evaluation, final model at the output root, and resume from
the saved step (slow). The frozen-tower check lives in test_train_learn.py, where the reward
surely varies and so the language model surely moves."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}


def _train(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from orsta_train.cli import main; main()", *args],
        capture_output=True, text=True, cwd=cwd, timeout=900, env={**os.environ, **OFFLINE},
    )


def _metrics(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("train") / "out"
    result = _train("--model", "tiny", "--tasks", "synth", "--max-steps", "2", "--output", str(out),
                    "--eval-steps", "2", "--set", "save_steps=2", "--set", "samples_per_task=12", "--set", "eval_before_train=true",
                    "--set", "completion_table_steps=2", "--set", "completion_table_rows=1",
                    cwd=out.parent)
    assert result.returncode == 0, result.stderr[-3000:]
    (out.parent / "console.txt").write_text(result.stdout)
    (out.parent / "stderr.txt").write_text(result.stderr)
    return out


def test_console_shows_one_summary_line_per_step_and_metrics_go_to_the_file(run: Path):
    console = (run.parent / "console.txt").read_text().splitlines()
    steps = [line for line in console if line.startswith("step ")]
    assert [line.split()[1] for line in steps] == ["1/2", "2/2"]
    assert all(" reward " in line and " accuracy " in line and "s/step" in line for line in steps)
    assert " loss " in steps[0]
    assert not any("source/all/reward" in line for line in console)  # the metric dicts are in metrics.jsonl
    assert "FutureWarning" not in (run.parent / "stderr.txt").read_text()


def test_two_steps_write_per_source_metrics(run: Path):
    lines = _metrics(run)
    steps = [line for line in lines if "source/all/reward" in line]
    assert [line["step"] for line in steps] == [1, 2]
    for line in steps:
        sources = {key.split("/")[1] for key in line if key.startswith("source/")} - {"all"}
        assert sources and sources <= {f"synth_{f}" for f in (
            "math", "puzzle", "science", "chart", "detection", "grounding", "counting", "ocr")}
        for source in sources:
            for metric in ("reward", "accuracy", "format", "length_mean", "clip_ratio",
                           "truncation_ratio", "reflection_ratio"):
                assert f"source/{source}/{metric}" in line
    evals = [line for line in lines if "eval_orsta/all/score" in line]
    assert [e["step"] for e in evals] == [0, 2] and evals[0]["eval_orsta/all/n"] > 0  # before training too


def test_completion_table_every_n_steps_one_row_per_source(run: Path):
    rows = [json.loads(line) for line in (run / "completion_tables.jsonl").read_text().splitlines()]
    assert rows and {row["step"] for row in rows} == {2}
    sources = [row["data_source"] for row in rows]
    assert len(sources) == len(set(sources)) and all(s.startswith("synth_") for s in sources)
    assert all(isinstance(row["completion"], str) and isinstance(row["reward"], float) for row in rows)


def test_output_root_loads_as_a_checkpoint(run: Path):
    from transformers import AutoModelForImageTextToText, AutoProcessor

    processor = AutoProcessor.from_pretrained(str(run))
    model = AutoModelForImageTextToText.from_pretrained(str(run))
    assert processor.image_token == "<|image_pad|>"
    assert model.config.image_token_id == processor.tokenizer.convert_tokens_to_ids("<|image_pad|>")
    assert json.loads((run / "train_config.json").read_text())["max_steps"] == 2


def test_training_again_into_a_finished_run_is_refused(run: Path):
    before = (run / "metrics.jsonl").read_text()
    result = _train("--model", "tiny", "--tasks", "synth", "--max-steps", "1", "--output", str(run), cwd=run.parent)
    assert result.returncode == 2
    assert str(run) in result.stderr and "--resume" in result.stderr and "--overwrite" in result.stderr
    assert (run / "metrics.jsonl").read_text() == before


def test_overwrite_replaces_a_finished_run(run: Path, tmp_path: Path):
    copy = tmp_path / "copy"
    shutil.copytree(run, copy)
    result = _train("--model", "tiny", "--tasks", "synth", "--max-steps", "1", "--output", str(copy),
                    "--overwrite", "--set", "samples_per_task=12", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert [line["step"] for line in _metrics(copy)] == [1, 1]  # the step line and TRL's closing line
    assert not (copy / "checkpoint-2").exists() and not (copy / "completion_tables.jsonl").exists()


def test_resume_continues_from_the_saved_step(run: Path):
    assert (run / "checkpoint-2").is_dir()
    result = _train("--model", "tiny", "--tasks", "synth", "--max-steps", "3", "--output", str(run),
                    "--resume", "last", "--set", "save_steps=1", "--set", "samples_per_task=12",
                    cwd=run.parent)
    assert result.returncode == 0, result.stderr[-3000:]
    steps = [line["step"] for line in _metrics(run) if "source/all/reward" in line]
    assert steps == [1, 2, 3]  # steps 1-2 not redone; step 3 trained after resuming
    state = json.loads((run / "checkpoint-3" / "trainer_state.json").read_text())
    assert state["global_step"] == 3
