"""The `vtriune-release` preset and the released data rules: preset values, prompts_per_step on
any process count, the chain-of-thought rule, image resizing and the prompt-length check."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from orsta_bench.sample import Sample, SampleImage, VerifierCall, user_message
from orsta_bench.sources.base import iter_samples
from orsta_bench.sources.vtriune import FREEFORM_INSTRUCTION
from orsta_bench.spec.loader import load_spec
from orsta_train.build import grpo_kwargs
from orsta_train.config import ConfigError, TrainConfig, resolve_config
from orsta_train.dataset import RowOptions, iter_rows
from orsta_train.layout import batch_layout
from orsta_train.prompts import CotRule, PromptLengthError, prompt_tokens, resize_for_processor
from orsta_train.trainset import row_options

FIXTURE = Path(__file__).parent / "fixtures" / "vtriune" / "orsta_sample.parquet"
BASE = {"model": "tiny", "tasks": "synth", "output": "/tmp/unused"}
RULE = CotRule(("vtriune.mathverify",), "FREE", "TAGGED")


def to_rows(samples: list[Sample], processor, options: RowOptions) -> tuple[list[dict], int]:
    dropped: list[Sample] = []
    rows = list(iter_rows(samples, processor, options, dropped))
    return rows, len(dropped)


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from orsta_train.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=600, env={**os.environ, **(env or {})})


def test_print_config_shows_the_released_train_sh_defaults():
    result = _cli("--preset", "vtriune-release", "--model", "m", "--tasks", "orsta", "--output", "o",
                  "--print-config")
    assert result.returncode == 0, result.stderr
    cfg = json.loads(result.stdout)
    expected = {
        "beta": 0.001, "epsilon": 0.2, "epsilon_high": 0.28, "delta": 3.0, "loss_type": "dapo",
        "num_generations": 8, "prompts_per_step": 1024, "learning_rate": 1e-6,
        "lr_scheduler_type": "constant_with_warmup", "warmup_ratio": 0.05, "weight_decay": 0.01,
        "max_prompt_length": 8192, "max_completion_length": 2048, "min_pixels": 262144,
        "max_pixels": 4194304, "eval_before_train": True, "eval_steps": 0,
        "drop_overlong_prompts": False, "freeze_vision": True, "gradient_checkpointing": True,
        "num_train_epochs": 3.0, "save_steps": 5, "cot_rule": "release",
    }
    assert {key: cfg[key] for key in expected} == expected
    paper = resolve_config("vtriune", {}, BASE)
    assert paper.beta == 0.0 and paper.delta is None and paper.prompts_per_step is None


@pytest.mark.parametrize("processes", [1, 2, 8, 64, 1024])
def test_prompts_per_step_gives_the_global_batch_on_any_dividing_process_count(processes):
    layout = batch_layout(1024, 8, 16, processes)
    assert layout.global_completions(processes) == 1024 * 8
    assert layout.per_device_train_batch_size <= 16
    assert layout.per_device_train_batch_size * layout.gradient_accumulation_steps == 1024 // processes * 8


def test_prompts_per_step_on_a_non_dividing_count_names_the_valid_counts():
    with pytest.raises(ConfigError, match=r"over 3 processes.*\(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024\)"):
        batch_layout(1024, 8, 16, 3)
    result = _cli("--preset", "vtriune-release", "--model", "tiny", "--tasks", "synth", "--output",
                  "/tmp/never-written", env={"WORLD_SIZE": "3"})
    assert result.returncode == 2 and "1, 2, 4, 8" in result.stderr
    assert not Path("/tmp/never-written").exists()


def test_trl_gets_one_generation_batch_per_optimizer_step():
    from trl import GRPOConfig

    cfg = resolve_config("vtriune-release", {}, {**BASE, "device": "cpu", "prompts_per_step": 12})
    args = GRPOConfig(**grpo_kwargs(cfg, on_cpu=True, dtype="float32", banned_tokens=[], banned_ids=[]))
    assert args.per_device_train_batch_size == 16 and args.gradient_accumulation_steps == 6
    assert args.generation_batch_size == 12 * 8 and args.steps_per_generation == 6
    assert args.delta == 3.0 and args.beta == 0.001


@pytest.mark.parametrize("value", [False, True])
def test_gradient_checkpointing_value_reaches_trl_as_given(value):
    from trl import GRPOConfig

    cfg = TrainConfig(**{**BASE, "device": "cpu", "gradient_checkpointing": value})
    args = GRPOConfig(**grpo_kwargs(cfg, on_cpu=True, dtype="float32", banned_tokens=[], banned_ids=[]))
    assert args.gradient_checkpointing is value  # TRL's own default is True


def _fixture_samples(tmp_path: Path, instruction: str) -> dict[str, Sample]:
    spec = tmp_path / "vt.yaml"
    shutil.copy(FIXTURE, tmp_path / FIXTURE.name)  # data inside the spec's folder (path policy)
    spec.write_text(f"name: vt\nsuite: vt\ncategory: reasoning\nfamily: math\nsource: {{kind: vtriune, "
                    f"files: '{FIXTURE.name}', math_instruction: {instruction}}}\nverifier: {{name: vtriune.mathverify}}\n")
    return {s.id: s for s in iter_samples(load_spec(spec))}


@pytest.mark.parametrize("source_instruction", ["auto", "none"])
def test_cot_goes_once_to_math_verify_rows_only(tmp_path, tiny_processor, source_instruction):
    samples = _fixture_samples(tmp_path, source_instruction)
    rows, _ = to_rows(list(samples.values()), tiny_processor, RowOptions(cot=RULE))
    by_id = {json.loads(r["sample"])["id"]: r for r in rows}
    texts = {i: "".join(p.get("text") or "" for p in r["prompt"][-1]["content"]) for i, r in by_id.items()}
    assert texts["mm_math_0"] == "What is 2 + 2?\n\nFREE"  # format_ratio 0: free-form
    assert texts["puzzlevqa_7"].endswith("\n\nTAGGED") and texts["puzzlevqa_7"].count("TAGGED") == 1
    for text in texts.values():
        assert FREEFORM_INSTRUCTION not in text  # the source's own instruction is replaced, not doubled
    assert "FREE" not in texts["v3det_12"] and "TAGGED" not in texts["v3det_12"]  # detection: none


def test_cot_after_a_trailing_image_is_a_new_text_part():
    sample = Sample(id="1", task="t", data_source="s", ground_truth="4",
                    messages=[{"role": "user", "content": [{"type": "text", "text": "Q"}, {"type": "image"}]}],
                    verifier=VerifierCall("vtriune.mathverify", {"format_ratio": 0.0}))
    from orsta_train.dataset import to_trl_prompt

    prompt = to_trl_prompt(sample, RULE.instruction(sample))
    assert prompt[-1]["content"] == [{"type": "text", "text": "Q"}, {"type": "image"},
                                     {"type": "text", "text": "\n\nFREE"}]


def test_images_are_resized_into_the_pixel_bounds_before_the_processor():
    small = resize_for_processor(Image.new("L", (100, 50)), 512 * 512, 2048 * 2048)
    assert small.mode == "RGB" and small.size == (724, 362)  # int(100 * sqrt(262144 / 5000))
    large = resize_for_processor(Image.new("RGB", (3000, 2000)), 512 * 512, 2048 * 2048)
    assert large.size == (2508, 1672) and large.width * large.height <= 2048 * 2048
    same = resize_for_processor(Image.new("RGB", (600, 600)), 512 * 512, 2048 * 2048)
    assert same.size == (600, 600)


def _image_sample(i: int, text: str, size: tuple[int, int]) -> Sample:
    buffer = io.BytesIO()
    Image.new("RGB", size, (i * 20 % 255, 10, 10)).save(buffer, format="PNG")
    return Sample(id=f"s{i}", task="t", data_source="s", messages=user_message(text, 1), ground_truth="1",
                  verifier=VerifierCall("vtriune.mathverify", {}), images=[SampleImage(data=buffer.getvalue())])


def test_prompt_tokens_match_what_the_processor_builds(tiny_processor):
    for i, size in enumerate([(56, 56), (200, 120), (31, 97)]):
        sample = _image_sample(i, "How many dots are there? " * (i + 1), size)
        rows, _ = to_rows([sample], tiny_processor, RowOptions())
        row = rows[0]
        text = tiny_processor.apply_chat_template(row["prompt"], add_generation_prompt=True, tokenize=False)
        images = [Image.open(io.BytesIO(entry["bytes"])) for entry in row["images"]]
        real = tiny_processor(text=[text], images=images, return_tensors="pt")["input_ids"].shape[1]
        assert prompt_tokens(tiny_processor, row["prompt"], row["image_grid_thw"]) == real


def test_overlong_prompt_stops_naming_the_row_or_is_dropped_and_counted(tiny_processor):
    samples = [_image_sample(0, "short", (56, 56)), _image_sample(1, "long " * 300, (56, 56))]
    with pytest.raises(PromptLengthError, match=r"task 't' sample 's1': prompt is \d+ tokens, over max_prompt_length 64"):
        to_rows(samples, tiny_processor, RowOptions(max_prompt_length=64))
    rows, dropped = to_rows(samples, tiny_processor, RowOptions(max_prompt_length=64, drop_overlong=True))
    assert dropped == 1 and [json.loads(r["sample"])["id"] for r in rows] == ["s0"]


def test_row_options_follow_the_config():
    cfg = resolve_config("vtriune-release", {}, {**BASE, "cot_instruction_freeform": "Mine."})
    options = row_options(cfg)
    assert options.cot.freeform == "Mine." and options.max_prompt_length == 8192
    assert (options.min_pixels, options.max_pixels) == (262144, 4194304)
    assert row_options(resolve_config("vtriune", {}, {**BASE, "cot_rule": "none"})).cot is None


@pytest.fixture(scope="module")
def tiny_processor():
    from orsta_bench.models.tiny import tiny_model_path
    from orsta_train.model import load_processor

    return load_processor(tiny_model_path())


@pytest.mark.slow
@pytest.mark.parametrize("value", [False, True])
def test_gradient_checkpointing_setting_is_what_the_model_trains_with(value, tmp_path):
    from orsta_train.build import build

    cfg = resolve_config("cpu-smoke", {}, {**BASE, "output": str(tmp_path / "out"), "tasks": "synth_counting",
                                           "max_steps": 1, "gradient_checkpointing": value, "samples_per_task": 8})
    built = build(cfg)
    try:
        built.trainer.train()
    finally:
        built.reward.close()
    assert built.trainer.model.is_gradient_checkpointing is value
