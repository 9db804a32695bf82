"""The shipped nano-Orsta checkpoint: `--model nano` resolves to it, loads with the standard
classes, runs with real M-RoPE inputs, and answers its four trained families in their formats.

Its scores are not compared with the random model's: nano answers each family's prior, not the
image (docs/NANO.md), so beating a random model only shows that it learnt the answer formats,
which the end-to-end test below checks directly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orsta_bench.backends.errors import BackendConfigError
from orsta_bench.backends.resolve import nano_path, parse_model
from orsta_bench.models import nano


def test_model_nano_resolves_to_the_shipped_qwen2_5_vl_checkpoint() -> None:
    ref = parse_model("nano")
    assert (ref.backend, ref.builtin) == ("hf", "nano")
    folder = Path(nano_path())
    assert folder == nano.NANO_DIR
    config = json.loads((folder / "config.json").read_text())
    assert config["model_type"] == "qwen2_5_vl"
    rope = config["text_config"]["rope_parameters"]
    head_dim = config["text_config"]["hidden_size"] // config["text_config"]["num_attention_heads"]
    assert sum(rope["mrope_section"]) == head_dim // 2
    size = sum(f.stat().st_size for f in folder.iterdir())
    assert size < 12_000_000  # "a few MB" in the repository


def test_missing_checkpoint_files_give_the_rebuild_command(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(nano, "NANO_DIR", tmp_path)
    with pytest.raises(BackendConfigError) as error:
        nano_path()
    assert "python -m orsta_train.nano" in str(error.value) and str(tmp_path) in str(error.value)


def test_nano_forward_uses_mrope_positions() -> None:
    """The processor's mm_token_type_ids reach the model: 3-D positions differ from 1-D ones
    on the image tokens, and the logits change when they are dropped (so they are used)."""
    import torch
    from PIL import Image
    from transformers import AutoModelForImageTextToText, AutoProcessor

    processor = AutoProcessor.from_pretrained(str(nano.NANO_DIR))
    model = AutoModelForImageTextToText.from_pretrained(str(nano.NANO_DIR)).eval()
    messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "How many circles are in the image?"}]}]
    text = processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    inputs = processor(text=[text], images=[Image.new("RGB", (224, 224), "white")], return_tensors="pt")
    assert "mm_token_type_ids" in inputs
    with torch.no_grad():
        with_3d = model(**inputs).logits[0, -1]
        flat = {k: v for k, v in inputs.items() if k != "mm_token_type_ids"}
        without = model(**flat).logits[0, -1]
    assert not torch.allclose(with_3d, without, atol=1e-5)


TRAINED = ("synth_counting", "synth_grounding", "synth_chart", "synth_science")


@pytest.mark.slow
def test_nano_answers_every_trained_family_in_its_format_where_the_random_model_cannot(cli, tmp_path: Path) -> None:
    """Every nano answer on its trained families parses (status ok, no parse error or missing
    answer); the random tiny model, run the same way, does not manage that, so the check can fail."""
    failures = {}
    for model in ("nano", "tiny"):
        out = tmp_path / model
        done = cli("run", "--model", model, "--tasks", ",".join(TRAINED), "--limit", "30",
                   "--gen-kwargs", "max_new_tokens=40", "--output", str(out), "--no-progress", timeout=900)
        assert done.returncode == 0, done.stderr[-2000:]
        tasks = json.loads((out / "results.json").read_text())["tasks"]
        assert set(tasks) == set(TRAINED)
        failures[model] = {task: {status: count for status, count in row["status_counts"].items()
                                  if status != "ok" and count} for task, row in tasks.items()}
        for task, row in tasks.items():
            assert sum(row["status_counts"].values()) == 30, (model, task, row["status_counts"])
    assert failures["nano"] == dict.fromkeys(TRAINED, {})
    assert any(failures["tiny"].values()), failures["tiny"]
