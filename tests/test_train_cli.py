"""orsta-train's command line: flags generated from TrainConfig (help with every default), the
refusal to train over an earlier run, and the one-line console summary per step."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

from orsta_train.cli_flags import FLAG_NAMES
from orsta_train.config import TrainConfig
from orsta_train.console import silence_unactionable_warnings, summary_line


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from orsta_train.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=120,
                          env={**os.environ, "COLUMNS": "400", "TERM": "dumb", "NO_COLOR": "1"})


def _option_lines(help_text: str) -> dict[str, str]:
    """`--flag` -> the text of its row in the rich help table."""
    rows = {}
    for line in help_text.splitlines():
        words = line.strip("│ ").split()
        if words and words[0].startswith("--"):
            rows[words[0]] = line
    return rows


def test_help_describes_every_option_with_its_default(tmp_path: Path):
    result = _cli("--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = _option_lines(result.stdout)
    for name, flag in FLAG_NAMES.items():
        first = flag.split("/")[0]
        assert first in rows, f"{first} missing from --help"
        assert TrainConfig.model_fields[name].description in rows[first]
    assert "(default: 8)" in rows["--batch-size"] and "(default: 1e-06)" in rows["--learning-rate"]
    assert "(required)" in rows["--model"] and "nano" in rows["--model"] and "tiny" in rows["--model"]
    for flag in ("--preset", "--config", "--set", "--overwrite", "--print-config", "--resume"):
        assert flag in rows and "default:" in rows[flag], flag


def test_named_flags_reach_the_config(tmp_path: Path):
    result = _cli("--model", "tiny", "--tasks", "synth", "--output", "o", "--batch-size", "3",
                  "--resume", "last", "--no-vllm", "--tasks-dir", "a", "--tasks-dir", "b", "--print-config",
                  cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for text in ('"per_device_train_batch_size": 3', '"resume_from_checkpoint": "last"', '"use_vllm": false'):
        assert text in result.stdout
    assert '"tasks_dir": [\n    "a",\n    "b"\n  ]' in result.stdout


def _earlier_run(out: Path) -> None:
    (out / "checkpoint-2").mkdir(parents=True)
    (out / "train_config.json").write_text("{}")
    (out / "metrics.jsonl").write_text('{"step": 1}\n')


def test_an_earlier_run_is_refused_without_resume_or_overwrite(tmp_path: Path):
    out = tmp_path / "run"
    _earlier_run(out)
    result = _cli("--model", "tiny", "--tasks", "synth_counting", "--output", str(out), "--max-steps", "1",
                  cwd=tmp_path)
    assert result.returncode == 2
    assert str(out) in result.stderr and "--resume" in result.stderr and "--overwrite" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (out / "metrics.jsonl").read_text() == '{"step": 1}\n' and (out / "checkpoint-2").is_dir()


def test_resume_with_overwrite_is_refused(tmp_path: Path):
    out = tmp_path / "run"
    _earlier_run(out)
    result = _cli("--model", "tiny", "--tasks", "synth_counting", "--output", str(out), "--resume", "last",
                  "--overwrite", cwd=tmp_path)
    assert result.returncode == 2 and "contradict" in result.stderr
    assert (out / "checkpoint-2").is_dir()


def test_summary_line_names_step_loss_reward_accuracy_and_time():
    logs = {"loss": 0.0123, "reward": 0.45, "source/all/accuracy": 0.375, "grad_norm": 1.0}
    assert summary_line(3, 10, logs, 4.24) == "step 3/10  loss 0.0123  reward 0.450  accuracy 0.375  4.2 s/step"
    assert summary_line(0, 2, {"eval_orsta/all/score": 0.5}, 0.0) == "eval at step 0: held-out score 0.500"
    merged = summary_line(2, 2, {"loss": 0.5, "eval_orsta/all/score": 0.25}, 1.0)
    assert merged == "step 2/2  loss 0.5  1.0 s/step  held-out score 0.250"
    assert summary_line(2, 2, {"train_runtime": 3.6, "train_loss": 0.0}, 0.0) is None
    assert summary_line(2, 2, {"train_runtime": 3.6, "reward": 0.5}, 2.0) == "step 2/2  reward 0.500  2.0 s/step"


def test_only_the_known_transformers_futurewarning_is_silenced():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        silence_unactionable_warnings()
        message = "`gradient_checkpointing` is deprecated and will be removed in v6."
        warnings.warn_explicit(message, FutureWarning, "training_args.py", 1, module="transformers.training_args")
        warnings.warn_explicit(message, FutureWarning, "mine.py", 1, module="mymodule")
        warnings.warn_explicit("`other` is deprecated", FutureWarning, "x.py", 1, module="transformers.x")
        warnings.warn_explicit(message, UserWarning, "training_args.py", 1, module="transformers.training_args")
    assert [(str(w.message)[:8], w.category) for w in caught] == [
        ("`gradien", FutureWarning), ("`other` ", FutureWarning), ("`gradien", UserWarning)]


def test_overwrite_clears_the_earlier_runs_logs_and_checkpoints_only(tmp_path: Path):
    from orsta_train.output_guard import clear_earlier_run, refusal

    out = tmp_path / "run"
    _earlier_run(out)
    (out / "notes.txt").write_text("mine")
    assert refusal(out) is not None and refusal(tmp_path / "new") is None
    clear_earlier_run(out)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert refusal(out) is None


def test_missing_train_extra_is_a_clear_exit_2(tmp_path: Path):
    # sys.modules[name] = None makes the module unimportable, as in an install without the extra.
    code = "import sys; sys.modules['trl'] = None; from orsta_train.cli import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", code, "--model", "tiny", "--tasks", "synth", "--max-steps", "1",
         "--output", str(tmp_path / "run")], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "missing: trl" in result.stderr and "'.[train]'" in result.stderr
    assert not (tmp_path / "run").exists()
