"""The recipe-search probe (`python -m research.probe`): arguments, outputs, and what its two
measurements (research/measure.py) mean."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]


def probe(tmp_path: Path, *args: str, timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "research.probe", "--output", str(tmp_path / "p"), *args],
                          cwd=REPO, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize(("args", "message"), [
    (["--tasks", "synth_counting", "--set", "arch.no_such_key=1"], "unknown or fixed key 'arch.no_such_key'"),
    (["--tasks", "synth_counting", "--set", "sft.learning_rate=1"], "unknown or fixed key 'sft.learning_rate'"),
    (["--tasks", "synth_counting", "--set", "arch.image_side=100"], "multiple of 28"),
    (["--tasks", "synth_counting", "--set", "rope_theta"], "expected KEY=VALUE"),
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


@pytest.fixture(scope="module")
def shipped():
    from transformers import AutoModelForImageTextToText, AutoProcessor

    from orsta_bench.models.nano import nano_model_path

    processor = AutoProcessor.from_pretrained(str(nano_model_path()))
    return processor, AutoModelForImageTextToText.from_pretrained(str(nano_model_path())).eval()


def test_exact_answer_rate_is_the_share_of_greedy_answers_equal_to_the_target(shipped) -> None:
    """The teacher-forced measurement agrees, sample by sample, with greedy generation."""
    import torch

    from research.measure import measure_model
    from research.probe import heldout_examples

    processor, model = shipped
    tasks = ["synth_counting", "synth_science"]
    examples = heldout_examples(processor, tasks, 12)
    measured = measure_model(model, processor.tokenizer.pad_token_id, examples)
    greedy: dict[str, list[int]] = {task: [] for task in tasks}
    for example in examples:
        answer = example["labels"][example["labels"] != -100].tolist()
        prompt = len(example["input_ids"]) - len(answer)
        inputs = {"input_ids": example["input_ids"][None, :prompt], "attention_mask": example["attention_mask"][None, :prompt],
                  "mm_token_type_ids": example["mm_token_type_ids"][None, :prompt],
                  "pixel_values": example["pixel_values"], "image_grid_thw": example["image_grid_thw"]}
        with torch.no_grad():
            out = model.generate(**inputs, max_new_tokens=len(answer), do_sample=False)[0, prompt:].tolist()
        greedy[example["task"]].append(int(out == answer))
    assert 0 < sum(map(sum, greedy.values())) < len(examples)  # both outcomes occur here
    assert measured["exact_answer_rate"] == {task: round(100 * sum(v) / len(v), 1) for task, v in greedy.items()}
    assert measured["heldout_per_task"] == dict.fromkeys(tasks, 12)


def test_image_sensitivity_is_zero_when_every_image_is_the_same(shipped) -> None:
    from research.measure import measure_model
    from research.probe import heldout_examples

    processor, model = shipped
    examples = heldout_examples(processor, ["synth_chart"], 4)
    pad_id = processor.tokenizer.pad_token_id
    # The shipped model's chart answers follow the image (docs/NANO.md: sensitivity 0.94).
    assert measure_model(model, pad_id, examples)["image_sensitivity"]["synth_chart"] > 0.01
    same = measure_model(model, pad_id, [examples[0]] * 4)
    assert same["image_sensitivity"] == {"synth_chart": 0.0}


@pytest.mark.slow
def test_probe_trains_a_curriculum_with_arch_overrides_and_measures_every_checkpoint(tmp_path: Path) -> None:
    from transformers import AutoProcessor

    from research.measure import measure
    from research.probe import heldout_examples

    done = probe(tmp_path, "--tasks", "synth_counting,synth_science", "--steps", "3", "--batch-size", "4",
                 "--heldout", "6", "--set", "arch.image_mean=[1,1,1]", "--set", "arch.image_std=[0.5,0.5,0.5]",
                 "--source", "synth_counting.max_objects=4", "--easy-steps", "2", timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = tmp_path / "p"
    report = json.loads((out / "probe.json").read_text())
    assert report["samples_seen"] == 20 and report["source"] == {"synth_counting": {"max_objects": 4}}
    assert report["set"] == {"arch.image_mean": [1, 1, 1], "arch.image_std": [0.5, 0.5, 0.5]}
    # Each stage's numbers are the measurements of that stage's saved model on the shipped held-out samples.
    examples = heldout_examples(AutoProcessor.from_pretrained(str(out / "sft")), ["synth_counting", "synth_science"], 6)
    for stage, folder in (("base", "base"), ("easy", "easy"), ("sft", "sft")):
        assert report[stage] == measure(out / folder, examples), stage
    # The overrides reached the processor and the first phase's training specs only; the second
    # phase trains on the shipped knobs, and evaluation always uses the shipped specs.
    processor = json.loads((out / "sft" / "processor_config.json").read_text())
    assert processor["image_processor"]["image_mean"] == [1, 1, 1]
    assert yaml.safe_load((out / "easy_tasks" / "synth_counting.yaml").read_text())["source"]["max_objects"] == 4
    assert "max_objects" not in yaml.safe_load((out / "sft_tasks" / "synth_counting.yaml").read_text())["source"]
    assert len((out / "easy_log.jsonl").read_text().splitlines()) == 2
    assert len((out / "sft_log.jsonl").read_text().splitlines()) == 3
