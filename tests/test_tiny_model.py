"""The tiny offline Qwen2.5-VL: seeded and reproducible, the traps of ENV-NOTES handled, reloads
with the Auto classes, and `orsta-bench build-tiny` refuses to overwrite."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

pytest.importorskip("torch")

from orsta_bench.models.tiny import build_tiny_model, tiny_model_path  # noqa: E402


def digest(path: Path) -> str:
    return hashlib.sha256((path / "model.safetensors").read_bytes()).hexdigest()


def test_same_seed_same_weights_other_seed_differs(tmp_path: Path) -> None:
    a = build_tiny_model(tmp_path / "a", seed=0)
    b = build_tiny_model(tmp_path / "b", seed=0)
    c = build_tiny_model(tmp_path / "c", seed=1)
    assert digest(a) == digest(b) != digest(c)
    assert (a / "tokenizer.json").read_bytes() == (b / "tokenizer.json").read_bytes()


def test_config_traps_and_reload() -> None:
    from transformers import AutoModelForImageTextToText, AutoProcessor

    path = tiny_model_path()
    config = json.loads((path / "config.json").read_text())
    text = config["text_config"]
    head_dim = text["hidden_size"] // text["num_attention_heads"]
    assert head_dim >= 32
    assert sum(text["rope_parameters"]["mrope_section"]) == head_dim // 2
    generation = json.loads((path / "generation_config.json").read_text())
    assert generation["eos_token_id"] is not None and generation["pad_token_id"] is not None
    processor = AutoProcessor.from_pretrained(path)
    assert processor.tokenizer.padding_side == "left"
    assert type(processor).__name__ == "Qwen2_5_VLProcessor"
    model = AutoModelForImageTextToText.from_pretrained(path)
    assert type(model).__name__ == "Qwen2_5_VLForConditionalGeneration"
    assert config["image_token_id"] == processor.tokenizer.convert_tokens_to_ids("<|image_pad|>")


def test_build_tiny_cli_refuses_non_empty_output(cli, tmp_path: Path) -> None:
    target = tmp_path / "model"
    target.mkdir()
    (target / "keep.txt").write_text("x")
    done = cli("build-tiny", "--output", str(target))
    assert done.returncode == 2 and "not empty" in done.stderr
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
