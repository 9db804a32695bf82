"""Shared pieces of the synthetic generators: per-sample RNGs, fonts, colours, knobs, output type.

Determinism rules: sample i of a generator depends only on (generator, seed, i) through
`sample_rng`, text is drawn with the fonts shipped in orsta_bench/assets/fonts using Pillow's
basic layout (no system libraries such as raqm), so images are byte-identical everywhere with
the pinned Pillow.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from pydantic import BaseModel, ConfigDict, Field, model_validator

FONT_DIR = Path(__file__).resolve().parents[1] / "assets" / "fonts"
FONTS = {
    "sans": "DejaVuSans.ttf",
    "sans-bold": "DejaVuSans-Bold.ttf",
    "serif": "DejaVuSerif.ttf",
    "mono": "DejaVuSansMono.ttf",
}
BACKGROUND = (255, 255, 255)
INK = (0, 0, 0)
CLUTTER_GREY = (170, 170, 170)
# Saturated, well separated colours: a name in a prompt must mean one unmistakable colour.
COLORS: dict[str, tuple[int, int, int]] = {
    "red": (220, 30, 30),
    "green": (30, 160, 50),
    "blue": (30, 70, 220),
    "yellow": (235, 200, 20),
    "purple": (140, 40, 170),
    "orange": (245, 130, 20),
}


class Knobs(BaseModel):
    """Difficulty knobs every generator accepts (generator modules add their own)."""

    model_config = ConfigDict(extra="forbid")

    image_size: int = Field(224, ge=96, le=1024, description="square image side in pixels")
    noise: float = Field(0.0, ge=0.0, le=1.0, description="Gaussian pixel noise, sigma = noise*64")
    clutter: int = Field(0, ge=0, le=40, description="grey distractor strokes that are not objects")


def check_subset(name: str, chosen: list[str], allowed: tuple[str, ...]) -> None:
    """A list knob such as `kinds` must pick a non-empty subset of what the generator knows."""
    if not chosen or set(chosen) - set(allowed):
        raise ValueError(f"{name} must be a non-empty subset of {list(allowed)}, got {chosen}")


class CountRange(Knobs):
    """Knobs for scenes of several objects."""

    min_objects: int = Field(3, ge=1, le=30)
    max_objects: int = Field(8, ge=1, le=30)

    @model_validator(mode="after")
    def _ordered(self) -> CountRange:
        if self.min_objects > self.max_objects:
            raise ValueError(f"min_objects ({self.min_objects}) > max_objects ({self.max_objects})")
        return self


@dataclass
class SynthItem:
    """One generated sample before it meets a spec: image, prompt fields, exact ground truth.

    `answer` is the ground truth written the way the prompt asks for it (the oracle's text);
    `metadata` records what was drawn (pixel geometry) so tests can check truth against pixels."""

    image: Image.Image
    question: str
    ground_truth: Any
    answer: str
    fields: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)


def sample_rng(generator: str, seed: int, index: int) -> tuple[random.Random, np.random.Generator]:
    """Independent RNGs for one sample, a pure function of (generator, seed, index)."""
    digest = hashlib.sha256(f"orsta-synth/{generator}/{seed}/{index}".encode()).digest()
    value = int.from_bytes(digest[:8], "big")
    return random.Random(value), np.random.default_rng(value)


@lru_cache(maxsize=64)
def font(name: str = "sans", size: int = 14) -> ImageFont.FreeTypeFont:
    """A shipped font, loaded by path with the basic (library-independent) layout engine."""
    return ImageFont.truetype(str(FONT_DIR / FONTS[name]), size, layout_engine=ImageFont.Layout.BASIC)


def new_canvas(knobs: Knobs, rng: random.Random) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A white square canvas with the clutter already drawn, so objects always lie on top."""
    image = Image.new("RGB", (knobs.image_size, knobs.image_size), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw_clutter(draw, rng, knobs.image_size, knobs.clutter)
    return image, draw


def scaled(size: int, value: float) -> int:
    """A length designed for a 224-pixel canvas, scaled to `size`."""
    return max(1, round(value * size / 224))


def draw_clutter(draw: ImageDraw.ImageDraw, rng: random.Random, size: int, count: int) -> None:
    """Thin grey strokes: visual noise that is never an object and never a colour in COLORS."""
    for _ in range(count):
        x0, y0 = rng.randrange(size), rng.randrange(size)
        x1 = min(size - 1, max(0, x0 + rng.randint(-size // 6, size // 6)))
        y1 = min(size - 1, max(0, y0 + rng.randint(-size // 6, size // 6)))
        draw.line((x0, y0, x1, y1), fill=CLUTTER_GREY, width=1)


def add_noise(image: Image.Image, nrng: np.random.Generator, noise: float) -> Image.Image:
    """Gaussian pixel noise (sigma = noise * 64); no-op at 0 so clean images stay exact."""
    if noise <= 0:
        return image
    pixels = np.asarray(image, dtype=np.float32)
    pixels = pixels + nrng.normal(0.0, noise * 64.0, size=pixels.shape).astype(np.float32)
    return Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8), "RGB")


def to_norm1000(box: tuple[int, int, int, int], width: int, height: int) -> list[int]:
    """Inclusive pixel box -> [x1, y1, x2, y2] on the 0-1000 grid (Qwen2-VL convention).

    The right/bottom edge is the pixel's far side (x2 + 1), so a box covers the drawn pixels."""
    x1, y1, x2, y2 = box
    return [
        int(x1 * 1000 // width),
        int(y1 * 1000 // height),
        int(-(-(x2 + 1) * 1000 // width)),
        int(-(-(y2 + 1) * 1000 // height)),
    ]


def choice_block(options: list[str]) -> tuple[str, list[str]]:
    """Lettered options ("A. ...") and their letters."""
    letters = [chr(ord("A") + i) for i in range(len(options))]
    return "\n".join(f"{letter}. {text}" for letter, text in zip(letters, options, strict=True)), letters


def plural(word: str, count: int) -> str:
    return word if count == 1 else word + "es" if word.endswith("x") else word + "s"
