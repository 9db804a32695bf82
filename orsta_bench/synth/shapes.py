"""Scenes of coloured shapes: the drawing behind detection, grounding and counting.

Objects never overlap (a gap of a few pixels between bounding circles) and are drawn after the
clutter, so each object's box, measured from its own drawn pixels, is exact.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw

from orsta_bench.synth.common import COLORS, scaled

SHAPES = ("circle", "square", "triangle", "diamond")
SIZES = {"small": (8, 10), "large": (15, 18)}  # radius range on a 224 canvas
PLACEMENT_TRIES = 300


@dataclass
class Shape:
    shape: str
    color: str
    size: str
    cx: int
    cy: int
    r: int
    box: tuple[int, int, int, int] = (0, 0, 0, 0)  # inclusive pixel box of the drawn ink

    def describe(self, with_size: bool = False) -> str:
        return f"{self.size} {self.color} {self.shape}" if with_size else f"{self.color} {self.shape}"

    def to_dict(self) -> dict:
        return {"shape": self.shape, "color": self.color, "size": self.size,
                "center": [self.cx, self.cy], "r": self.r, "box": list(self.box)}


def _outline(shape: str, cx: int, cy: int, r: int) -> list[tuple[float, float]]:
    if shape == "triangle":
        return [(cx, cy - r), (cx + r * math.sqrt(3) / 2, cy + r / 2), (cx - r * math.sqrt(3) / 2, cy + r / 2)]
    if shape == "diamond":
        return [(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)]
    side = r * 0.8
    return [(cx - side, cy - side), (cx + side, cy - side), (cx + side, cy + side), (cx - side, cy + side)]


def draw_shape(draw: ImageDraw.ImageDraw, obj: Shape, fill: int | tuple[int, int, int] | None = None) -> None:
    """Paint `obj` in its colour (or `fill`, e.g. 255 on a mask)."""
    fill = COLORS[obj.color] if fill is None else fill
    if obj.shape == "circle":
        draw.ellipse((obj.cx - obj.r, obj.cy - obj.r, obj.cx + obj.r, obj.cy + obj.r), fill=fill)
    else:
        draw.polygon(_outline(obj.shape, obj.cx, obj.cy, obj.r), fill=fill)


def ink_box(obj: Shape) -> tuple[int, int, int, int]:
    """The inclusive pixel box of what `draw_shape` paints, measured on a private mask."""
    pad = 2
    side = 2 * (obj.r + pad) + 1
    mask = Image.new("L", (side, side), 0)
    local = Shape(obj.shape, obj.color, obj.size, obj.r + pad, obj.r + pad, obj.r)
    draw_shape(ImageDraw.Draw(mask), local, 255)
    left, top, right, bottom = mask.getbbox()  # type: ignore[misc]
    dx, dy = obj.cx - obj.r - pad, obj.cy - obj.r - pad
    return (left + dx, top + dy, right - 1 + dx, bottom - 1 + dy)


def place(rng: random.Random, placed: list[Shape], size: int, shape: str, color: str,
          size_name: str) -> Shape | None:
    """A non-overlapping position for a new object, or None when the canvas is too full."""
    low, high = SIZES[size_name]
    r = scaled(size, rng.randint(low, high))
    gap = scaled(size, 4)
    margin = r + 2
    for _ in range(PLACEMENT_TRIES):
        cx, cy = rng.randint(margin, size - 1 - margin), rng.randint(margin, size - 1 - margin)
        if all(math.hypot(cx - o.cx, cy - o.cy) > r + o.r + gap for o in placed):
            obj = Shape(shape, color, size_name, cx, cy, r)
            obj.box = ink_box(obj)
            placed.append(obj)
            return obj
    return None


def render(image: Image.Image, objects: list[Shape]) -> None:
    draw = ImageDraw.Draw(image)
    for obj in objects:
        draw_shape(draw, obj)


def random_kind(rng: random.Random) -> tuple[str, str, str]:
    """A random (shape, colour, size) triple."""
    return rng.choice(SHAPES), rng.choice(sorted(COLORS)), rng.choice(sorted(SIZES))
