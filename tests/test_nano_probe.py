"""The recipe-search probe (`python -m orsta_train.nano.probe`): arguments, outputs, measurements."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]


def probe(tmp_path: Path, *args: str, timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "orsta_train.nano.probe", "--output", str(tmp_path / "p"), *args],
                          cwd=REPO, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize(("args", "message"), [
    (["--tasks", "synth_counting", "--arch", "no_such_key=1"], "unknown key"),
    (["--tasks", "synth_counting", "--arch", "image_side=100"], "multiple of 28"),
    (["--tasks", "synth_counting", "--source", "synth_grounding.max_objects=3"], "not in --tasks"),
    (["--tasks", "synth_counting", "--source", "max_objects=3"], "TASK.KNOB"),
    (["--tasks", "synth_counting", "--source", "synth_counting.bogus=3"], "bogus"),
    (["--tasks", "synth_nope"], "synth_nope"),
    (["--tasks", "synth_counting", "--steps", "0"], "--steps"),
    (["--tasks", "synth_counting", "--easy-steps", "5"], "--easy-steps needs --source"),
])
def test_bad_arguments_exit_2_name_the_problem_and_write_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    done = probe(tmp_path, *args)
    assert done.returncode == 2, done.stderr[-2000:]
    assert message in done.stderr
    assert not (tmp_path / "p").exists()


@pytest.mark.slow
def test_probe_trains_a_curriculum_with_arch_overrides_and_measures_every_checkpoint(tmp_path: Path) -> None:
    done = probe(tmp_path, "--tasks", "synth_counting,synth_science", "--steps", "3", "--batch-size", "4",
                 "--heldout", "6", "--arch", "image_mean=[1,1,1]", "--arch", "image_std=[0.5,0.5,0.5]",
                 "--source", "synth_counting.max_objects=4", "--easy-steps", "2", timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = tmp_path / "p"
    report = json.loads((out / "probe.json").read_text())
    assert report["samples_seen"] == 20 and report["source"] == {"synth_counting": {"max_objects": 4}}
    for stage in ("base", "easy", "sft"):
        measured = report[stage]
        assert measured["heldout_per_task"] == {"synth_counting": 6, "synth_science": 6}
        assert all(0.0 <= rate <= 100.0 for rate in measured["exact_answer_rate"].values())
        assert set(measured["image_sensitivity"]) == {"synth_counting", "synth_science"}
        assert all(v >= 0.0 for v in measured["image_sensitivity"].values())
    # The overrides reached the processor and the first phase's training specs only; the second
    # phase trains on the shipped knobs, and evaluation always uses the shipped specs.
    processor = json.loads((out / "sft" / "processor_config.json").read_text())
    assert processor["image_processor"]["image_mean"] == [1, 1, 1]
    assert yaml.safe_load((out / "easy_tasks" / "synth_counting.yaml").read_text())["source"]["max_objects"] == 4
    assert "max_objects" not in yaml.safe_load((out / "sft_tasks" / "synth_counting.yaml").read_text())["source"]
    assert len((out / "easy_log.jsonl").read_text().splitlines()) == 2
    assert len((out / "sft_log.jsonl").read_text().splitlines()) == 3
