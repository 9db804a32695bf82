"""Math: quantities read from a figure (rectangle sides, triangle angles) or a rendered expression.

Figures are drawn to scale (one unit is a fixed number of pixels) so the picture and the labels
agree, and every answer is an integer.
"""

from __future__ import annotations

import math
import random

import numpy as np
from pydantic import Field, model_validator

from orsta_bench.synth.common import (
    INK,
    Knobs,
    SynthItem,
    add_noise,
    check_subset,
    font,
    new_canvas,
    scaled,
)
from orsta_bench.synth.registry import register_generator

KINDS = ("rectangle", "triangle", "expression")


class MathKnobs(Knobs):
    kinds: list[str] = Field(default_factory=lambda: list(KINDS))
    max_operand: int = Field(20, ge=2, le=999, description="largest number in an expression")
    terms: int = Field(3, ge=2, le=5, description="numbers in an expression")

    @model_validator(mode="after")
    def _check(self) -> MathKnobs:
        check_subset("kinds", self.kinds, KINDS)
        return self


def _rectangle(rng: random.Random, size: int, draw) -> tuple[str, int, dict]:
    w, h = rng.randint(2, 12), rng.randint(2, 12)
    unit = (size - scaled(size, 60)) // 12
    x0 = (size - w * unit) // 2
    y0 = (size - h * unit) // 2
    draw.rectangle((x0, y0, x0 + w * unit, y0 + h * unit), outline=INK, width=2)
    face = font("sans", scaled(size, 12))
    draw.text((x0 + w * unit // 2, y0 - scaled(size, 4)), f"{w} cm", font=face, fill=INK, anchor="mb")
    draw.text((x0 + w * unit + scaled(size, 4), y0 + h * unit // 2), f"{h} cm", font=face, fill=INK, anchor="lm")
    if rng.random() < 0.5:
        question, answer = "What is the area of the rectangle in square centimetres?", w * h
    else:
        question, answer = "What is the perimeter of the rectangle in centimetres?", 2 * (w + h)
    return question, answer, {"width": w, "height": h, "unit": unit, "origin": [x0, y0]}


def _triangle(rng: random.Random, size: int, draw) -> tuple[str, int, dict]:
    a = rng.randint(30, 100)
    b = rng.randint(25, min(110, 150 - a))
    c = 180 - a - b
    # A at the origin, B at (1, 0); C from the law of sines; then fit the figure to the canvas.
    side_ac = math.sin(math.radians(b)) / math.sin(math.radians(c))
    cx, cy = side_ac * math.cos(math.radians(a)), side_ac * math.sin(math.radians(a))
    low_x, high_x = min(0.0, cx), max(1.0, cx)
    margin = scaled(size, 36)
    scale = (size - 2 * margin) / max(high_x - low_x, cy)
    off_x = (size - (high_x - low_x) * scale) / 2 - low_x * scale
    base_y = (size + cy * scale) / 2
    pa, pb = (off_x, base_y), (off_x + scale, base_y)
    pc = (off_x + cx * scale, base_y - cy * scale)
    draw.polygon([pa, pb, pc], outline=INK, width=2)
    face = font("sans", scaled(size, 12))
    centroid = ((pa[0] + pb[0] + pc[0]) / 3, (pa[1] + pb[1] + pc[1]) / 3)
    for vertex, label in ((pa, f"{a}°"), (pb, f"{b}°"), (pc, "x")):
        dx, dy = centroid[0] - vertex[0], centroid[1] - vertex[1]
        reach = min(scaled(size, 30), math.hypot(dx, dy) * 0.7) / math.hypot(dx, dy)
        draw.text((vertex[0] + dx * reach, vertex[1] + dy * reach), label, font=face, fill=INK, anchor="mm")
    question = "Two angles of the triangle are marked. What is the angle x in degrees?"
    return question, c, {"angles": [a, b, c], "vertices": [list(pa), list(pb), list(pc)]}


def _expression(rng: random.Random, size: int, draw, knobs: MathKnobs) -> tuple[str, int, dict]:
    numbers = [rng.randint(1, knobs.max_operand) for _ in range(knobs.terms)]
    ops = [rng.choice("+-×") for _ in range(knobs.terms - 1)]
    text = str(numbers[0])
    for op, number in zip(ops, numbers[1:], strict=True):
        text += f" {op} {number}"
    value = _evaluate(numbers, ops)
    face = font("sans", scaled(size, 20))
    while face.getlength(text + " = ?") > size - 10 and face.size > 8:
        face = font("sans", face.size - 1)
    draw.text((size // 2, size // 2), text + " = ?", font=face, fill=INK, anchor="mm")
    question = "Compute the value of the expression in the image (× is multiplication, done before + and -)."
    return question, value, {"expression": text}


def _evaluate(numbers: list[int], ops: list[str]) -> int:
    """Multiplication first, then + and - left to right (no eval of any text)."""
    terms, signs = [numbers[0]], []
    for op, number in zip(ops, numbers[1:], strict=True):
        if op == "×":
            terms[-1] *= number
        else:
            terms.append(number)
            signs.append(op)
    total = terms[0]
    for sign, term in zip(signs, terms[1:], strict=True):
        total = total + term if sign == "+" else total - term
    return total


@register_generator("math", MathKnobs)
def make_math(knobs: MathKnobs, rng: random.Random, nrng: np.random.Generator) -> SynthItem:
    """Compute an integer from a figure drawn to scale or from a rendered expression."""
    size = knobs.image_size
    image, draw = new_canvas(knobs, rng)
    kind = rng.choice(knobs.kinds)
    if kind == "rectangle":
        question, answer, meta = _rectangle(rng, size, draw)
    elif kind == "triangle":
        question, answer, meta = _triangle(rng, size, draw)
    else:
        question, answer, meta = _expression(rng, size, draw, knobs)
    return SynthItem(
        image=add_noise(image, nrng, knobs.noise), question=question, ground_truth=answer,
        answer=str(answer), metadata={"kind": kind, **meta},
    )
