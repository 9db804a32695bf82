"""Counting, detection and grounding over scenes of coloured shapes (perception families).

Boxes are on the 0-1000 grid relative to width and height (Qwen2-VL convention), computed from
each object's own drawn pixels, so the ground truth is exact by construction.
"""

from __future__ import annotations

import json
import random

import numpy as np
from pydantic import Field

from orsta_bench.synth.common import (
    COLORS,
    CountRange,
    SynthItem,
    add_noise,
    new_canvas,
    plural,
    to_norm1000,
)
from orsta_bench.synth.registry import register_generator
from orsta_bench.synth.shapes import SHAPES, SIZES, Shape, place, random_kind, render


class CountingKnobs(CountRange):
    max_target: int = Field(6, ge=1, le=30, description="most instances of the counted kind")


def _fill(rng: random.Random, placed: list[Shape], size: int, total: int, avoid) -> None:
    """Add random distractors (kinds for which `avoid(shape, colour)` is false) up to `total`."""
    for _ in range(total * 4):
        if len(placed) >= total:
            return
        shape, color, size_name = random_kind(rng)
        if not avoid(shape, color):
            place(rng, placed, size, shape, color, size_name)


@register_generator("counting", CountingKnobs)
def make_counting(knobs: CountingKnobs, rng: random.Random, nrng: np.random.Generator) -> SynthItem:
    """Count the shapes of one kind (a shape, or a colour and shape) among distractors."""
    size = knobs.image_size
    image, _ = new_canvas(knobs, rng)
    total = rng.randint(knobs.min_objects, knobs.max_objects)
    by_color = rng.random() < 0.5
    shape, color = rng.choice(SHAPES), rng.choice(sorted(COLORS))
    wanted = rng.randint(1, min(knobs.max_target, total))
    placed: list[Shape] = []
    for _ in range(wanted):
        target_color = color if by_color else rng.choice(sorted(COLORS))
        place(rng, placed, size, shape, target_color, rng.choice(sorted(SIZES)))

    def matches(s: str, c: str) -> bool:
        return s == shape and (c == color or not by_color)

    _fill(rng, placed, size, total, matches)
    count = sum(matches(o.shape, o.color) for o in placed)
    render(image, placed)
    kind = f"{color} {shape}" if by_color else shape
    question = f"How many {plural(kind, 2)} are in the image?"
    return SynthItem(
        image=add_noise(image, nrng, knobs.noise), question=question, ground_truth=count,
        answer=str(count), fields={"target": kind},
        metadata={"objects": [o.to_dict() for o in placed], "target": {"shape": shape, "color": color if by_color else None}},
    )


class DetectionKnobs(CountRange):
    max_categories: int = Field(2, ge=1, le=len(SHAPES), description="most shape kinds asked for")


@register_generator("detection", DetectionKnobs)
def make_detection(knobs: DetectionKnobs, rng: random.Random, nrng: np.random.Generator) -> SynthItem:
    """Box every instance of one or more shape kinds; labels are the shape names."""
    size = knobs.image_size
    image, _ = new_canvas(knobs, rng)
    total = rng.randint(knobs.min_objects, knobs.max_objects)
    placed: list[Shape] = []
    while len(placed) < total:
        shape, color, size_name = random_kind(rng)
        if place(rng, placed, size, shape, color, size_name) is None:
            break
    present = sorted({o.shape for o in placed}, key=SHAPES.index)
    asked = sorted(rng.sample(present, rng.randint(1, min(knobs.max_categories, len(present)))), key=SHAPES.index)
    render(image, placed)
    targets = sorted((o for o in placed if o.shape in asked), key=lambda o: (o.box[1], o.box[0]))
    truth = [{"bbox_2d": to_norm1000(o.box, size, size), "label": o.shape} for o in targets]
    names = " and ".join(plural(a, 2) for a in asked)
    question = (f"Detect all {names} in the image. Label each box with its shape name"
                f" ({', '.join(asked)}).")
    return SynthItem(
        image=add_noise(image, nrng, knobs.noise), question=question, ground_truth=truth,
        answer=json.dumps(truth), fields={"categories": ", ".join(asked)},
        metadata={"objects": [o.to_dict() for o in placed], "categories": asked},
    )


GroundingKnobs = CountRange


def _referring_expression(target: Shape, objects: list[Shape], size: int) -> str | None:
    """The shortest unambiguous description of `target`, or None when none is clear enough."""
    same_kind = [o for o in objects if (o.shape, o.color) == (target.shape, target.color)]
    if len(same_kind) == 1:
        return f"the {target.describe()}"
    same_size = [o for o in same_kind if o.size == target.size]
    if len(same_size) == 1:
        return f"the {target.describe(with_size=True)}"
    clear = 2 * max(o.r for o in same_kind)  # extremes must differ by more than a whole object
    for word, key in (("leftmost", lambda o: o.cx), ("rightmost", lambda o: -o.cx),
                      ("topmost", lambda o: o.cy), ("bottommost", lambda o: -o.cy)):
        ordered = sorted(same_kind, key=key)
        if ordered[0] is target and key(ordered[1]) - key(ordered[0]) > clear:
            return f"the {word} {target.describe()}"
    return None


@register_generator("grounding", GroundingKnobs)
def make_grounding(knobs: GroundingKnobs, rng: random.Random, nrng: np.random.Generator) -> SynthItem:
    """Box the one object a referring expression describes (colour, size, position)."""
    size = knobs.image_size
    image, _ = new_canvas(knobs, rng)
    total = rng.randint(max(2, knobs.min_objects), max(2, knobs.max_objects))
    placed: list[Shape] = []
    while len(placed) < total:
        # Reuse kinds often so that size and position words are needed.
        kind = random_kind(rng) if not placed or rng.random() < 0.5 else (placed[-1].shape, placed[-1].color, rng.choice(sorted(SIZES)))
        if place(rng, placed, size, *kind) is None:
            break
    candidates = list(placed)
    rng.shuffle(candidates)
    target, expression = placed[0], f"the {placed[0].describe(with_size=True)}"
    for obj in candidates:
        found = _referring_expression(obj, placed, size)
        if found:
            target, expression = obj, found
            break
    else:  # no clear description: keep only the first object so the plain one is unique
        placed = placed[:1]
        target, expression = placed[0], f"the {placed[0].describe()}"
    render(image, placed)
    box = to_norm1000(target.box, size, size)
    return SynthItem(
        image=add_noise(image, nrng, knobs.noise), question=f"Locate {expression} in the image.",
        ground_truth=box, answer=json.dumps(box), fields={"expression": expression},
        metadata={"objects": [o.to_dict() for o in placed], "target_index": placed.index(target)},
    )
