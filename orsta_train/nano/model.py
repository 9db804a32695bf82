"""The nano-Orsta architecture: a seeded, untrained Qwen2.5-VL checkpoint folder.

Everything is a standard Qwen2.5-VL config, so the HF backend, TRL and the trainer run it through
exactly the code paths of a real checkpoint, with the real 3-D M-RoPE positions (the processor
returns `mm_token_type_ids`). `rope_theta` is small (20) from an argument: with a 4-8 token
image grid and Qwen's chunked `mrope_section` (height and width get the lowest frequencies),
theta 1e6 or 1e4 leaves image rows and columns almost indistinguishable, and a small theta gives
those sections usable rotations. The sanity check did not confirm it: theta 20 and 1e6 learn a
left/right question equally (docs/NANO.md, "What the pipeline can learn at all").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)  # Qwen2-VL's image processor defaults
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


@dataclass(frozen=True)
class NanoArch:
    """Sizes of the text and vision towers, the M-RoPE settings and the image resolution."""

    hidden_size: int = 128
    num_hidden_layers: int = 4
    num_attention_heads: int = 2
    num_key_value_heads: int = 2
    intermediate_size: int = 384
    rope_theta: float = 20.0
    mrope_section: list[int] = field(default_factory=lambda: [8, 12, 12])
    vision_hidden_size: int = 128
    vision_depth: int = 2
    vision_heads: int = 2
    image_side: int = 112  # the processor resizes every image to image_side x image_side
    # Pixel normalisation (the processor's image_mean/std). The shipped model keeps CLIP's values;
    # docs/NANO.md ("What was learned") measures white-centred ones (mean 1, std 0.5) against them.
    image_mean: list[float] = field(default_factory=lambda: list(CLIP_MEAN))
    image_std: list[float] = field(default_factory=lambda: list(CLIP_STD))
    vocab_size: int = 2048
    initializer_range: float = 0.02

    def check(self) -> None:
        head_dim = self.hidden_size // self.num_attention_heads
        if head_dim < 32 or head_dim % 8:
            raise ValueError(f"head_dim {head_dim} must be >= 32 (vLLM CPU attention) and a multiple of 8")
        if sum(self.mrope_section) != head_dim // 2:
            raise ValueError(f"mrope_section {self.mrope_section} must sum to head_dim/2 = {head_dim // 2}")
        if self.image_side % 28:
            raise ValueError(f"image_side {self.image_side} must be a multiple of 28 (patch 14 x merge 2)")


def qwen_config(arch: NanoArch, tokenizer: Any) -> Any:
    from transformers import Qwen2_5_VLConfig

    arch.check()
    ids = {name: tokenizer.convert_tokens_to_ids(token) for name, token in (
        ("bos_token_id", "<|endoftext|>"), ("eos_token_id", "<|im_end|>"), ("pad_token_id", "<|endoftext|>"))}
    text = {
        "vocab_size": len(tokenizer), "hidden_size": arch.hidden_size,
        "intermediate_size": arch.intermediate_size, "num_hidden_layers": arch.num_hidden_layers,
        "num_attention_heads": arch.num_attention_heads, "num_key_value_heads": arch.num_key_value_heads,
        "max_position_embeddings": 4096, "initializer_range": arch.initializer_range,
        "rope_parameters": {"rope_type": "default", "rope_theta": arch.rope_theta,
                            "mrope_section": list(arch.mrope_section)},
        "tie_word_embeddings": False, **ids,
    }
    vision = {
        "depth": arch.vision_depth, "hidden_size": arch.vision_hidden_size,
        "intermediate_size": 2 * arch.vision_hidden_size, "num_heads": arch.vision_heads,
        "out_hidden_size": arch.hidden_size, "fullatt_block_indexes": list(range(arch.vision_depth)),
        "window_size": arch.image_side, "initializer_range": arch.initializer_range,
    }
    return Qwen2_5_VLConfig(
        text_config=text, vision_config=vision, tie_word_embeddings=False,
        image_token_id=tokenizer.convert_tokens_to_ids("<|image_pad|>"),
        video_token_id=tokenizer.convert_tokens_to_ids("<|video_pad|>"),
        vision_start_token_id=tokenizer.convert_tokens_to_ids("<|vision_start|>"),
        vision_end_token_id=tokenizer.convert_tokens_to_ids("<|vision_end|>"),
    )


def build_nano_model(out_dir: Path, tokenizer: Any, arch: NanoArch, seed: int) -> Path:
    """Write the untrained model, processor and generation config to `out_dir`."""
    import json

    import torch
    from transformers import (
        GenerationConfig,
        Qwen2_5_VLForConditionalGeneration,
        Qwen2_5_VLProcessor,
        Qwen2VLImageProcessor,
        Qwen2VLVideoProcessor,
    )

    from orsta_bench.models.tiny import CHAT_TEMPLATE

    config = qwen_config(arch, tokenizer)
    torch.manual_seed(seed)
    model = Qwen2_5_VLForConditionalGeneration(config).eval()
    text = config.text_config
    model.generation_config = GenerationConfig(
        eos_token_id=text.eos_token_id, pad_token_id=text.pad_token_id,
        bos_token_id=text.bos_token_id, do_sample=False)
    pixels = {"min_pixels": arch.image_side ** 2, "max_pixels": arch.image_side ** 2,
              "image_mean": list(arch.image_mean), "image_std": list(arch.image_std)}
    processor = Qwen2_5_VLProcessor(
        image_processor=Qwen2VLImageProcessor(**pixels), tokenizer=tokenizer,
        video_processor=Qwen2VLVideoProcessor(**pixels), chat_template=CHAT_TEMPLATE)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    processor.save_pretrained(out_dir)
    (out_dir / "nano_arch.json").write_text(json.dumps(asdict(arch), indent=2))
    return out_dir
