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
    from orsta_bench.api import qwen25vl_config, text_config

    arch.check()
    text = text_config(
        tokenizer, hidden_size=arch.hidden_size, num_hidden_layers=arch.num_hidden_layers,
        num_attention_heads=arch.num_attention_heads, num_key_value_heads=arch.num_key_value_heads,
        intermediate_size=arch.intermediate_size, initializer_range=arch.initializer_range,
        rope_theta=arch.rope_theta, section=list(arch.mrope_section))
    return qwen25vl_config(tokenizer, text, vision_hidden_size=arch.vision_hidden_size,
                           vision_depth=arch.vision_depth, vision_heads=arch.vision_heads,
                           vision_intermediate_size=2 * arch.vision_hidden_size,
                           fullatt_block_indexes=list(range(arch.vision_depth)), window_size=arch.image_side)


def build_nano_model(out_dir: Path, tokenizer: Any, arch: NanoArch, seed: int) -> Path:
    """Write the untrained model, processor and generation config to `out_dir`."""
    import json

    from orsta_bench.api import save_qwen25vl, seeded_qwen25vl

    pixels = {"min_pixels": arch.image_side ** 2, "max_pixels": arch.image_side ** 2,
              "image_mean": list(arch.image_mean), "image_std": list(arch.image_std)}
    save_qwen25vl(out_dir, seeded_qwen25vl(qwen_config(arch, tokenizer), seed), tokenizer, pixels)
    (out_dir / "nano_arch.json").write_text(json.dumps(asdict(arch), indent=2))
    return out_dir
