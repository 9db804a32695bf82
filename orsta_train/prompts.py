"""Training prompts the released way: the chain-of-thought rule, image resizing before the
processor, and the prompt-length check.

Released behaviour (MiniMax-AI/One-RL-to-See-Them-All, verl/utils/dataset/rl_dataset.py):
- only rows whose verifier is `mathverify` get an instruction, one per row, appended to the text of
  the last message after a blank line ("\\n\\n"); rows with `format_ratio` 0 get a free-form
  (\\boxed{}) instruction, others a tagged (<think>/<answer>) one. The texts here are config values.
- every image is resized before the processor so its pixel count lies in [min_pixels, max_pixels]
  (aspect ratio kept, sides truncated to integers), then converted to RGB.
- a prompt longer than max_prompt_length (tokens after image expansion) is an error (truncation
  "error", filter_overlong_prompts False); it is never truncated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from orsta_bench.api import FREEFORM_INSTRUCTION, TAGGED_INSTRUCTION, Sample
from orsta_train.dataset import TrainDataError


class PromptLengthError(TrainDataError):
    """A prompt over max_prompt_length; the message names the task, the sample and the fix."""


@dataclass(frozen=True)
class CotRule:
    verifiers: tuple[str, ...]
    freeform: str
    tagged: str

    def instruction(self, sample: Sample) -> str | None:
        if sample.verifier.name not in self.verifiers:
            return None
        tagged = (sample.verifier.params.get("format_ratio") or 0) > 0
        return self.tagged if tagged else self.freeform


def _strip_source_instruction(text: str) -> str:
    """The vtriune source already appends its default instruction to mathverify rows at load time
    (orsta-bench run prompts carry it); remove it so the row ends up with exactly one."""
    for known in (FREEFORM_INSTRUCTION, TAGGED_INSTRUCTION):
        if text.endswith(f"\n\n{known}"):
            return text[: -len(known) - 2]
        if text == f"\n\n{known}":
            return ""
    return text


def apply_cot(messages: list[dict[str, Any]], instruction: str | None) -> list[dict[str, Any]]:
    """Append `instruction` once to the last message (TRL conversational parts): to its last part
    when that is text, else as a new text part after the images."""
    if not instruction:
        return messages
    content = messages[-1]["content"]
    if content and content[-1]["type"] == "text":
        base = _strip_source_instruction(content[-1]["text"])
        if base:
            content[-1]["text"] = f"{base}\n\n{instruction}"
            return messages
        content.pop()
    content.append({"type": "text", "text": f"\n\n{instruction}"})
    return messages


def resized_size(width: int, height: int, min_pixels: int | None, max_pixels: int | None) -> tuple[int, int]:
    """The size the release's resize gives: scaled down to max_pixels, then up to min_pixels,
    aspect ratio kept, sides truncated to integers."""
    if max_pixels and width * height > max_pixels:
        factor = math.sqrt(max_pixels / (width * height))
        width, height = int(width * factor), int(height * factor)
    if min_pixels and width * height < min_pixels:
        factor = math.sqrt(min_pixels / (width * height))
        width, height = int(width * factor), int(height * factor)
    return width, height


def resize_for_processor(image: Any, min_pixels: int | None, max_pixels: int | None) -> Any:
    """Scale a PIL image so that width x height lies within [min_pixels, max_pixels], as the
    release does before its processor; RGB out."""
    target = resized_size(image.width, image.height, min_pixels, max_pixels)
    if target != image.size:
        image = image.resize(target)
    return image if image.mode == "RGB" else image.convert("RGB")


def prompt_tokens(processor: Any, prompt: list[dict[str, Any]], grids: list[list[int]]) -> int:
    """Tokens of the chat-formatted prompt with every image expanded to its placeholder tokens,
    from the text alone plus the image grids (in pixels), without running the image processor."""
    text = processor.apply_chat_template(prompt, add_generation_prompt=True, tokenize=False)
    count = len(processor.tokenizer(text, add_special_tokens=False)["input_ids"])
    image_processor = processor.image_processor
    patch = int(getattr(image_processor, "patch_size", 14))
    merge = int(getattr(image_processor, "merge_size", 2))
    for t, h, w in grids:
        count += t * (h // patch) * (w // patch) // merge**2 - 1  # one placeholder in the text
    return count


def check_length(tokens: int, limit: int, sample: Sample) -> None:
    if tokens > limit:
        raise PromptLengthError(
            f"task {sample.task!r} sample {sample.id!r}: prompt is {tokens} tokens, over "
            f"max_prompt_length {limit} (images included); raise max_prompt_length, lower "
            "max_pixels, or set drop_overlong_prompts: true to drop such rows"
        )
