"""Seeded Qwen2.5-VL checkpoint folders built locally (no hub): the one builder behind the tiny
test model (models/tiny.py), nano-Orsta (orsta_train/nano/model.py) and the GPU benchmark's
model shapes (scripts/gpu_train_bench.py). Each caller picks sizes; the wiring of token ids,
M-RoPE, vision tower, greedy generation config and processor is written once, here."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def mrope_section(head_dim: int) -> list[int]:
    """The (time, height, width) split of head_dim/2 rotary frequencies: a quarter to time, the
    rest halved between height and width."""
    half = head_dim // 2
    section = [half // 4, (half - half // 4) // 2]
    section.append(half - sum(section))
    return section


def special_ids(tokenizer: Any) -> dict[str, int]:
    """bos/pad = <|endoftext|>, eos = <|im_end|> (Qwen's chat convention)."""
    return {"bos_token_id": tokenizer.convert_tokens_to_ids("<|endoftext|>"),
            "eos_token_id": tokenizer.convert_tokens_to_ids("<|im_end|>"),
            "pad_token_id": tokenizer.convert_tokens_to_ids("<|endoftext|>")}


def text_config(tokenizer: Any, *, hidden_size: int, num_hidden_layers: int, num_attention_heads: int,
                num_key_value_heads: int, intermediate_size: int, initializer_range: float = 0.02,
                rope_theta: float = 10000.0, section: list[int] | None = None,
                max_position_embeddings: int = 4096) -> dict[str, Any]:
    """The language model's config (a dict: Qwen2Config for text-only, text_config for VL);
    `section` defaults to `mrope_section(head_dim)`."""
    head_dim = hidden_size // num_attention_heads
    return {
        "vocab_size": len(tokenizer), "hidden_size": hidden_size, "intermediate_size": intermediate_size,
        "num_hidden_layers": num_hidden_layers, "num_attention_heads": num_attention_heads,
        "num_key_value_heads": num_key_value_heads, "max_position_embeddings": max_position_embeddings,
        "initializer_range": initializer_range,
        "rope_parameters": {"rope_type": "default", "rope_theta": rope_theta,
                            "mrope_section": list(section or mrope_section(head_dim))},
        **special_ids(tokenizer), "tie_word_embeddings": False,
    }


def qwen25vl_config(tokenizer: Any, text: dict[str, Any], *, vision_hidden_size: int, vision_depth: int,
                    vision_heads: int, vision_intermediate_size: int, fullatt_block_indexes: list[int],
                    window_size: int) -> Any:
    """A Qwen2_5_VLConfig: `text` (from text_config), a vision tower of the given sizes whose output
    matches the text width, and the image/video/vision-boundary token ids."""
    from transformers import Qwen2_5_VLConfig

    vision = {
        "depth": vision_depth, "hidden_size": vision_hidden_size, "intermediate_size": vision_intermediate_size,
        "num_heads": vision_heads, "out_hidden_size": text["hidden_size"],
        "fullatt_block_indexes": list(fullatt_block_indexes), "window_size": window_size,
        "initializer_range": text["initializer_range"],
    }
    tokens = {f"{name}_token_id": tokenizer.convert_tokens_to_ids(f"<|{token}|>") for name, token in (
        ("image", "image_pad"), ("video", "video_pad"), ("vision_start", "vision_start"),
        ("vision_end", "vision_end"))}
    return Qwen2_5_VLConfig(text_config=text, vision_config=vision, tie_word_embeddings=False, **tokens)


def seeded_qwen25vl(config: Any, seed: int) -> Any:
    """The model with weights drawn from torch's generator seeded with `seed`, in eval mode."""
    import torch
    from transformers import Qwen2_5_VLForConditionalGeneration

    torch.manual_seed(seed)
    return Qwen2_5_VLForConditionalGeneration(config).eval()


def save_qwen25vl(out_dir: str | Path, model: Any, tokenizer: Any, pixels: dict[str, Any]) -> Path:
    """Save `model` with a greedy generation config and a processor (the shared chat template;
    `pixels`: the image processor's min/max_pixels and any image_mean/std) to `out_dir`."""
    from transformers import (
        GenerationConfig,
        Qwen2_5_VLProcessor,
        Qwen2VLImageProcessor,
        Qwen2VLVideoProcessor,
    )

    from orsta_bench.models.tiny import CHAT_TEMPLATE

    text = model.config.text_config
    model.generation_config = GenerationConfig(eos_token_id=text.eos_token_id, pad_token_id=text.pad_token_id,
                                               bos_token_id=text.bos_token_id, do_sample=False)
    processor = Qwen2_5_VLProcessor(
        image_processor=Qwen2VLImageProcessor(**pixels), tokenizer=tokenizer,
        video_processor=Qwen2VLVideoProcessor(**pixels), chat_template=CHAT_TEMPLATE)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    processor.save_pretrained(out)
    return out
