"""Charts with exact integer values: value lookup, maximum, difference, sum.

Bar and line charts sit on a labelled grid where one value unit is a whole number of pixels
(`unit`), so a bar of value v is exactly v*unit pixels tall and a line point sits exactly on the
grid line of its value. Pie charts show percentages (multiples of 5) in a legend, and each
wedge's angle is its share of 360 degrees.
"""

from __future__ import annotations

import random

import numpy as np
from PIL import ImageDraw
from pydantic import Field, model_validator

from orsta_bench.synth.common import (
    COLORS,
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

CATEGORIES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TITLES = ("Visitors per day", "Orders per day", "Rainy hours", "Books read", "Cups sold")
GRID = (225, 225, 225)
QUESTIONS = ("value", "max", "diff", "sum")
KINDS = ("bar", "line", "pie")
PIE_COLORS = ("blue", "orange", "green", "purple", "yellow", "red")


class ChartKnobs(Knobs):
    kinds: list[str] = Field(default_factory=lambda: list(KINDS), description="bar, line, pie")
    questions: list[str] = Field(default_factory=lambda: list(QUESTIONS))
    min_bars: int = Field(3, ge=2, le=len(CATEGORIES))
    max_bars: int = Field(6, ge=2, le=len(CATEGORIES))
    max_value: int = Field(10, ge=2, le=20, description="bar/line values are 1..max_value")
    show_values: bool = Field(False, description="print each value above its bar/point")

    @model_validator(mode="after")
    def _check(self) -> ChartKnobs:
        if self.min_bars > self.max_bars:
            raise ValueError(f"min_bars ({self.min_bars}) > max_bars ({self.max_bars})")
        check_subset("kinds", self.kinds, KINDS)
        check_subset("questions", self.questions, QUESTIONS)
        return self


def _question(rng: random.Random, ask: str, cats: list[str], values: list[int], pie: bool) -> tuple[str, int, list[int]]:
    """Question text, answer, and the indices of the categories it names."""
    what = "percentage" if pie else "value"
    if ask == "value":
        i = rng.randrange(len(cats))
        return f"What is the {what} for {cats[i]}?", values[i], [i]
    if ask == "max":
        return f"What is the largest {what} shown in the chart?", max(values), []
    if ask == "diff":
        i, j = rng.sample(range(len(cats)), 2)
        if values[i] < values[j]:
            i, j = j, i
        return f"By how much does the {what} for {cats[i]} exceed the {what} for {cats[j]}?", values[i] - values[j], [i, j]
    if pie:  # the sum of all percentages is always 100: ask for two of them
        i, j = sorted(rng.sample(range(len(cats)), 2))
        return f"What is the sum of the percentages for {cats[i]} and {cats[j]}?", values[i] + values[j], [i, j]
    return "What is the sum of all the values shown in the chart?", sum(values), []


def _grid_chart(draw: ImageDraw.ImageDraw, rng: random.Random, knobs: ChartKnobs, kind: str,
                cats: list[str]) -> tuple[list[int], dict]:
    """A bar or line chart on an integer grid; returns the values and what was drawn where."""
    size = knobs.image_size
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
    slot = (size - right - left) / len(cats)
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
    return values, {"unit": unit, "base": base, "color": list(color), "marks": marks}


def _pie_chart(draw: ImageDraw.ImageDraw, rng: random.Random, knobs: ChartKnobs,
               cats: list[str]) -> tuple[list[int], dict]:
    """Wedges of integer percentages (multiples of 5) with a legend naming each percentage."""
    size = knobs.image_size
    cuts = sorted(rng.sample(range(1, 20), len(cats) - 1))
    values = [5 * (b - a) for a, b in zip([0, *cuts], [*cuts, 20], strict=True)]
    radius = scaled(size, 62)
    cx, cy = scaled(size, 72), size // 2 + scaled(size, 8)
    legend_x = cx + radius + scaled(size, 10)
    small = font("sans", scaled(size, 10))
    start = -90.0
    wedges = []
    for i, (cat, value) in enumerate(zip(cats, values, strict=True)):
        colour = COLORS[PIE_COLORS[i]]
        end = start + 3.6 * value
        draw.pieslice((cx - radius, cy - radius, cx + radius, cy + radius), start, end, fill=colour)
        y = cy - scaled(size, 8) * len(cats) + scaled(size, 16) * i
        draw.rectangle((legend_x, y, legend_x + scaled(size, 9), y + scaled(size, 9)), fill=colour)
        draw.text((legend_x + scaled(size, 13), y + scaled(size, 5)), f"{cat}: {value}%", font=small, fill=INK, anchor="lm")
        wedges.append({"color": list(colour), "start": start, "end": end})
        start = end
    return values, {"center": [cx, cy], "radius": radius, "legend_x": legend_x, "wedges": wedges}


@register_generator("chart", ChartKnobs)
def make_chart(knobs: ChartKnobs, rng: random.Random, nrng: np.random.Generator) -> SynthItem:
    """Read a bar, line or pie chart with exact integer values and answer with a number."""
    size = knobs.image_size
    image, draw = new_canvas(knobs, rng)
    kind = rng.choice(knobs.kinds)
    n = rng.randint(knobs.min_bars, min(knobs.max_bars, len(PIE_COLORS)) if kind == "pie" else knobs.max_bars)
    first = rng.randint(0, len(CATEGORIES) - n)
    cats = list(CATEGORIES[first:first + n])
    draw.text((size // 2, scaled(size, 4)), rng.choice(TITLES), font=font("sans-bold", scaled(size, 11)), fill=INK, anchor="mt")
    if kind == "pie":
        values, drawn = _pie_chart(draw, rng, knobs, cats)
        intro = "This pie chart shows integer percentages."
    else:
        values, drawn = _grid_chart(draw, rng, knobs, kind, cats)
        intro = f"This {kind} chart shows integer values on the grid."
    ask = rng.choice(knobs.questions)
    question, answer, named = _question(rng, ask, cats, values, kind == "pie")
    return SynthItem(
        image=add_noise(image, nrng, knobs.noise), question=f"{intro} {question}", ground_truth=answer,
        answer=str(answer),
        metadata={"kind": kind, "ask": ask, "named": named, "categories": cats, "values": values, **drawn},
    )
