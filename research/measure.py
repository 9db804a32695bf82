"""What the probe and the sanity check measure on held-out SFT examples (teacher-forced):

  exact_answer_rate   per task, the share of examples whose whole answer is the argmax at every
                      answer position (what greedy decoding would produce)
  image_sensitivity   per task, the largest change of an answer-token probability when the
                      images of a held-out batch are rotated by one (0: the image is ignored)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def measure(model_dir: Path, examples: list[dict[str, Any]]) -> dict[str, Any]:
    """The measurements of a saved model."""
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    processor = AutoProcessor.from_pretrained(str(model_dir))
    model = AutoModelForImageTextToText.from_pretrained(str(model_dir), dtype=torch.float32).eval()
    return measure_model(model, processor.tokenizer.pad_token_id, examples)


def measure_model(model: Any, pad_id: int, examples: list[dict[str, Any]], chunk: int = 50) -> dict[str, Any]:
    """The same measurements of a model in memory (left in eval mode; callers that train set
    train mode again)."""
    import torch

    from orsta_train.nano.data import collate

    model.eval()
    hits: dict[str, list[int]] = {}
    sensitivity: dict[str, float] = {}
    with torch.no_grad():
        for start in range(0, len(examples), chunk):
            part = examples[start:start + chunk]
            batch = collate(part, pad_id)
            inputs = {k: v for k, v in batch.items() if k != "labels"}
            labels = batch["labels"][:, 1:]
            answer = labels != -100
            logits = model(**inputs).logits[:, :-1]
            exact = ((logits.argmax(-1) == labels) | ~answer).all(-1).tolist()
            change = [0.0] * len(part)
            if "pixel_values" in batch and len(part) > 1:
                # Every synth image is resized to image_side: equal patch rows per image.
                pixels = batch["pixel_values"]
                rotated = pixels.view(len(part), pixels.shape[0] // len(part), -1).roll(1, 0).reshape(pixels.shape)
                swapped = model(**{**inputs, "pixel_values": rotated}).logits[:, :-1]
                delta = (logits.softmax(-1) - swapped.softmax(-1)).abs().amax(-1) * answer
                change = delta.amax(-1).tolist()
            for example, ok, moved in zip(part, exact, change, strict=True):
                hits.setdefault(example["task"], []).append(int(ok))
                sensitivity[example["task"]] = max(sensitivity.get(example["task"], 0.0), moved)
    return {"exact_answer_rate": {task: round(100 * sum(v) / len(v), 1) for task, v in sorted(hits.items())},
            "heldout_per_task": {task: len(v) for task, v in sorted(hits.items())},
            "image_sensitivity": {task: float(f"{v:.3g}") for task, v in sorted(sensitivity.items())}}
