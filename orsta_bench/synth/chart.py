"""Charts with exact integer values on a labelled grid: value lookup, maximum, difference, sum.

One value unit is a whole number of pixels (`unit`), so a bar of value v is exactly v*unit
pixels tall and a line point sits exactly on the grid line of its value.
"""

from __future__ import annotations

import random

import numpy as np
from pydantic import Field, model_validator

from orsta_bench.synth.common import (
    COLORS,
    INK,
    Knobs,
    SynthItem,
    add_noise,
    font,
    new_canvas,
    scaled,
)
from orsta_bench.synth.registry import register_generator

CATEGORIES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TITLES = ("Visitors per day", "Orders per day", "Rainy hours", "Books read", "Cups sold")
GRID = (225, 225, 225)
QUESTIONS = ("value", "max", "diff", "sum")


class ChartKnobs(Knobs):
    kinds: list[str] = Field(default_factory=lambda: ["bar", "line"], description="bar and/or line")
    questions: list[str] = Field(default_factory=lambda: list(QUESTIONS))
    min_bars: int = Field(3, ge=2, le=len(CATEGORIES))
    max_bars: int = Field(6, ge=2, le=len(CATEGORIES))
    max_value: int = Field(10, ge=2, le=20)
    show_values: bool = Field(False, description="print each value above its bar/point")

    @model_validator(mode="after")
    def _check(self) -> ChartKnobs:
        if self.min_bars > self.max_bars:
            raise ValueError(f"min_bars ({self.min_bars}) > max_bars ({self.max_bars})")
        if not self.kinds or set(self.kinds) - {"bar", "line"}:
            raise ValueError(f"kinds must be a non-empty subset of ['bar', 'line'], got {self.kinds}")
        if not self.questions or set(self.questions) - set(QUESTIONS):
            raise ValueError(f"questions must be a non-empty subset of {list(QUESTIONS)}, got {self.questions}")
        return self


def _question(rng: random.Random, kind: str, cats: list[str], values: list[int]) -> tuple[str, int, list[int]]:
    """Question text, answer, and the indices of the categories it names."""
    if kind == "value":
        i = rng.randrange(len(cats))
        return f"What is the value for {cats[i]}?", values[i], [i]
    if kind == "max":
        return "What is the largest value shown in the chart?", max(values), []
    if kind == "diff":
        i, j = rng.sample(range(len(cats)), 2)
        if values[i] < values[j]:
            i, j = j, i
        return f"By how much does the value for {cats[i]} exceed the value for {cats[j]}?", values[i] - values[j], [i, j]
    return "What is the sum of all the values shown in the chart?", sum(values), []


@register_generator("chart", ChartKnobs)
def make_chart(knobs: ChartKnobs, rng: random.Random, nrng: np.random.Generator) -> SynthItem:
    """Read a bar or line chart with a labelled integer grid and answer with a number."""
    size = knobs.image_size
    image, draw = new_canvas(knobs, rng)
    kind = rng.choice(knobs.kinds)
    n = rng.randint(knobs.min_bars, knobs.max_bars)
    start = rng.randint(0, len(CATEGORIES) - n)
    cats = list(CATEGORIES[start:start + n])
    values = [rng.randint(1, knobs.max_value) for _ in cats]
    left, right, top, bottom = scaled(size, 26), scaled(size, 8), scaled(size, 22), scaled(size, 22)
    unit = (size - top - bottom) // knobs.max_value
    base = top + unit * knobs.max_value  # y of value 0
    small = font("sans", scaled(size, 9))
    step = 1 if knobs.max_value <= 10 else 2
    for v in range(0, knobs.max_value + 1):
        y = base - v * unit
        draw.line((left, y, size - right, y), fill=GRID)
        if v % step == 0:
            draw.text((left - scaled(size, 3), y), str(v), font=small, fill=INK, anchor="rm")
    draw.line((left, top, left, base), fill=INK)
    draw.line((left, base, size - right, base), fill=INK)
    draw.text((size // 2, scaled(size, 4)), rng.choice(TITLES), font=font("sans-bold", scaled(size, 11)), fill=INK, anchor="mt")
    slot = (size - right - left) / n
    color = COLORS[rng.choice(("blue", "green", "orange", "purple"))]
    marks: list[list[int]] = []
    for i, (cat, value) in enumerate(zip(cats, values, strict=True)):
        cx = round(left + slot * (i + 0.5))
        y = base - value * unit
        if kind == "bar":
            half = max(2, round(slot * 0.3))
            draw.rectangle((cx - half, y, cx + half, base - 1), fill=color)
            marks.append([cx - half, y, cx + half, base - 1])
        else:
            marks.append([cx, y])
        draw.text((cx, base + scaled(size, 3)), cat, font=small, fill=INK, anchor="mt")
        if knobs.show_values:
            draw.text((cx, y - scaled(size, 6)), str(value), font=small, fill=INK, anchor="mb")
    if kind == "line":
        draw.line([tuple(m) for m in marks], fill=color, width=2)
        for cx, y in marks:
            draw.ellipse((cx - 3, y - 3, cx + 3, y + 3), fill=color)
    ask = rng.choice(knobs.questions)
    question, answer, named = _question(rng, ask, cats, values)
    text = f"This {kind} chart shows integer values on the grid. {question}"
    return SynthItem(
        image=add_noise(image, nrng, knobs.noise), question=text, ground_truth=answer, answer=str(answer),
        metadata={"kind": kind, "ask": ask, "named": named, "categories": cats, "values": values, "unit": unit, "base": base,
                  "color": list(color), "marks": marks},
    )
