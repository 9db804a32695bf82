"""Puzzles: continue a repeating pattern of coloured shapes, or a number sequence, from choices."""

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
    choice_block,
    font,
    new_canvas,
    scaled,
)
from orsta_bench.synth.registry import register_generator
from orsta_bench.synth.shapes import SHAPES, Shape, draw_shape

KINDS = ("pattern", "sequence")


class PuzzleKnobs(Knobs):
    kinds: list[str] = Field(default_factory=lambda: list(KINDS))
    shown: int = Field(5, ge=3, le=8, description="cells shown before the '?' cell")
    n_choices: int = Field(4, ge=2, le=6)

    @model_validator(mode="after")
    def _check(self) -> PuzzleKnobs:
        check_subset("kinds", self.kinds, KINDS)
        return self


def _cells(size: int, count: int) -> list[tuple[int, int, int, int]]:
    """A row of square cells across the middle of the canvas."""
    cell = (size - scaled(size, 16)) // count
    x0 = (size - cell * count) // 2
    y0 = (size - cell) // 2
    return [(x0 + i * cell, y0, x0 + (i + 1) * cell - 1, y0 + cell - 1) for i in range(count)]


def _options(rng: random.Random, answer: str, pool: list[str], n: int) -> tuple[list[str], int]:
    others = [p for p in dict.fromkeys(pool) if p != answer]
    options = [answer, *rng.sample(others, min(n - 1, len(others)))]
    rng.shuffle(options)
    return options, options.index(answer)


def _pattern(rng: random.Random, knobs: PuzzleKnobs, draw: ImageDraw.ImageDraw) -> tuple[str, list[str], int, dict]:
    period = rng.randint(2, 3)
    colors = sorted(COLORS)
    motif = [(rng.choice(SHAPES), rng.choice(colors)) for _ in range(period)]
    while len(set(motif)) < period:
        motif = [(rng.choice(SHAPES), rng.choice(colors)) for _ in range(period)]
    cells = _cells(knobs.image_size, knobs.shown + 1)
    seq = [motif[i % period] for i in range(knobs.shown + 1)]
    for (shape, color), (x0, y0, x1, y1) in zip(seq[:-1], cells[:-1], strict=True):
        draw.rectangle((x0, y0, x1, y1), outline=INK)
        r = (x1 - x0) * 3 // 8
        draw_shape(draw, Shape(shape, color, "large", (x0 + x1) // 2, (y0 + y1) // 2, r))
    _question_mark(draw, cells[-1], knobs.image_size)
    answer = f"{seq[-1][1]} {seq[-1][0]}"
    pool = [f"{c} {s}" for s in SHAPES for c in colors]
    options, index = _options(rng, answer, pool, knobs.n_choices)
    question = "The shapes follow a repeating pattern. Which shape belongs in the cell marked '?'?"
    return question, options, index, {"sequence": [list(item) for item in seq], "cells": [list(c) for c in cells]}


def _sequence(rng: random.Random, knobs: PuzzleKnobs, draw: ImageDraw.ImageDraw) -> tuple[str, list[str], int, dict]:
    start, step = rng.randint(1, 20), rng.choice([-3, -2, 2, 3, 4, 5, 6, 7])
    if rng.random() < 0.3:
        numbers = [start * 2**i for i in range(knobs.shown + 1)] if start < 10 else [start + step * i for i in range(knobs.shown + 1)]
    else:
        numbers = [start + step * i for i in range(knobs.shown + 1)]
    cells = _cells(knobs.image_size, knobs.shown + 1)
    face = font("sans-bold", max(8, (cells[0][2] - cells[0][0]) // 3))
    for number, (x0, y0, x1, y1) in zip(numbers[:-1], cells[:-1], strict=True):
        draw.rectangle((x0, y0, x1, y1), outline=INK)
        draw.text(((x0 + x1) // 2, (y0 + y1) // 2), str(number), font=face, fill=INK, anchor="mm")
    _question_mark(draw, cells[-1], knobs.image_size)
    answer = numbers[-1]
    pool = [str(answer + d) for d in (-2, -1, 1, 2, step, -step, 2 * step, 10)]
    options, index = _options(rng, str(answer), pool, knobs.n_choices)
    question = "The numbers follow a rule. Which number belongs in the cell marked '?'?"
    return question, options, index, {"numbers": numbers, "cells": [list(c) for c in cells]}


def _question_mark(draw: ImageDraw.ImageDraw, cell: tuple[int, int, int, int], size: int) -> None:
    x0, y0, x1, y1 = cell
    draw.rectangle(cell, outline=INK)
    draw.text(((x0 + x1) // 2, (y0 + y1) // 2), "?", font=font("sans-bold", max(8, (x1 - x0) // 2)), fill=INK, anchor="mm")


@register_generator("puzzle", PuzzleKnobs)
def make_puzzle(knobs: PuzzleKnobs, rng: random.Random, nrng: np.random.Generator) -> SynthItem:
    """Pick the option that continues a shape pattern or a number sequence (multiple choice)."""
    image, draw = new_canvas(knobs, rng)
    kind = rng.choice(knobs.kinds)
    maker = _pattern if kind == "pattern" else _sequence
    question, options, index, meta = maker(rng, knobs, draw)
    block, letters = choice_block(options)
    return SynthItem(
        image=add_noise(image, nrng, knobs.noise), question=f"{question}\n{block}",
        ground_truth=letters[index], answer=letters[index],
        fields={"options": block}, metadata={"kind": kind, "options": options, **meta},
    )
