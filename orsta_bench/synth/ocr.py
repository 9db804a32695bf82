"""OCR: words, codes and short lines in the shipped fonts, sizes, colours, rotation and noise."""

from __future__ import annotations

import random
import string

import numpy as np
from PIL import Image, ImageDraw
from pydantic import Field, model_validator

from orsta_bench.synth.common import FONTS, Knobs, SynthItem, add_noise, font, new_canvas, scaled
from orsta_bench.synth.registry import register_generator

WORDS = (
    "apple", "river", "stone", "light", "paper", "orange", "window", "garden", "silver",
    "market", "yellow", "forest", "engine", "planet", "winter", "summer", "bridge", "castle",
    "pencil", "rabbit", "signal", "harbor", "copper", "velvet", "meadow", "puzzle", "rocket",
    "shadow", "thunder", "valley", "wonder", "crystal", "dragon", "falcon", "glacier",
    "island", "jungle", "lantern", "marble", "nectar", "oyster", "pepper", "quartz", "saddle",
    "temple", "umbrella", "violet", "walnut", "zephyr",
)
TEXT_COLORS = ((0, 0, 0), (20, 40, 120), (120, 20, 20), (20, 90, 40), (70, 70, 70))


class OcrKnobs(Knobs):
    min_words: int = Field(1, ge=1, le=8)
    max_words: int = Field(3, ge=1, le=8)
    max_rotation: float = Field(15.0, ge=0.0, le=45.0, description="degrees, either direction")
    min_font_size: int = Field(14, ge=8, le=96, description="pixels at a 224 canvas")
    max_font_size: int = Field(28, ge=8, le=96)
    fonts: list[str] = Field(default_factory=lambda: sorted(FONTS))
    codes: float = Field(0.3, ge=0.0, le=1.0, description="share of random letter-digit codes")

    @model_validator(mode="after")
    def _check(self) -> OcrKnobs:
        if self.min_words > self.max_words:
            raise ValueError(f"min_words ({self.min_words}) > max_words ({self.max_words})")
        if self.min_font_size > self.max_font_size:
            raise ValueError(f"min_font_size ({self.min_font_size}) > max_font_size ({self.max_font_size})")
        unknown = [name for name in self.fonts if name not in FONTS]
        if unknown or not self.fonts:
            raise ValueError(f"fonts {unknown or '[]'} not shipped; choose from {sorted(FONTS)}")
        return self


def _text(rng: random.Random, knobs: OcrKnobs) -> str:
    if rng.random() < knobs.codes:
        alphabet = string.ascii_uppercase + string.digits
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(4, 8)))
    words = [rng.choice(WORDS) for _ in range(rng.randint(knobs.min_words, knobs.max_words))]
    if rng.random() < 0.3:
        words[0] = words[0].capitalize()
    return " ".join(words)


def text_mask(text: str, font_name: str, font_size: int) -> tuple[Image.Image, tuple[int, int]]:
    """The text's antialiased coverage as an L image, and the draw offset used inside it."""
    face = font(font_name, font_size)
    left, top, right, bottom = face.getbbox(text)
    pad = 2
    mask = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
    offset = (pad - left, pad - top)
    ImageDraw.Draw(mask).text(offset, text, font=face, fill=255)
    return mask, offset


@register_generator("ocr", OcrKnobs)
def make_ocr(knobs: OcrKnobs, rng: random.Random, nrng: np.random.Generator) -> SynthItem:
    """Read rendered text exactly (case and spaces matter)."""
    size = knobs.image_size
    image, _ = new_canvas(knobs, rng)
    text = _text(rng, knobs)
    font_name = rng.choice(knobs.fonts)
    font_size = scaled(size, rng.randint(knobs.min_font_size, knobs.max_font_size))
    angle = round(rng.uniform(-knobs.max_rotation, knobs.max_rotation), 1)
    while True:  # shrink until the (rotated) text fits with a margin
        mask, offset = text_mask(text, font_name, font_size)
        if angle:
            mask = mask.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
        if (mask.width <= size - 8 and mask.height <= size - 8) or font_size <= 6:
            break
        font_size -= 1
    x = rng.randint(4, max(4, size - 4 - mask.width))
    y = rng.randint(4, max(4, size - 4 - mask.height))
    color = rng.choice(TEXT_COLORS)
    image.paste(color, (x, y, x + mask.width, y + mask.height), mask)
    return SynthItem(
        image=add_noise(image, nrng, knobs.noise), question="What text is written in the image?",
        ground_truth=text, answer=text,
        metadata={"text": text, "font": font_name, "font_size": font_size, "angle": angle,
                  "position": [x, y], "offset": list(offset), "color": list(color)},
    )
