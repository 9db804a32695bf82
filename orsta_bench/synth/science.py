"""Science: simple physics set-ups read from a labelled diagram, answered from choices.

`seesaw`: masses at marked distances from a pivot; which way does it tip (torque balance).
`density`: two labelled blocks; which one is denser, or does a block float in water.
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
    choice_block,
    font,
    new_canvas,
    scaled,
)
from orsta_bench.synth.registry import register_generator

KINDS = ("seesaw", "density")


class ScienceKnobs(Knobs):
    kinds: list[str] = Field(default_factory=lambda: list(KINDS))
    max_distance: int = Field(5, ge=2, le=8, description="seesaw marks on each side of the pivot")

    @model_validator(mode="after")
    def _check(self) -> ScienceKnobs:
        check_subset("kinds", self.kinds, KINDS)
        return self


def _seesaw(rng: random.Random, knobs: ScienceKnobs, draw: ImageDraw.ImageDraw) -> tuple[str, list[str], int, dict]:
    size, marks = knobs.image_size, knobs.max_distance
    m_left, m_right = rng.randint(1, 9), rng.randint(1, 9)
    d_left, d_right = rng.randint(1, marks), rng.randint(1, marks)
    if rng.random() < 0.25:  # make balanced cases common enough to matter
        d_right = d_left * m_left // m_right if (d_left * m_left) % m_right == 0 and d_left * m_left // m_right <= marks else d_right
    torque = m_left * d_left - m_right * d_right
    pivot_x, beam_y = size // 2, size * 3 // 5
    unit = (size // 2 - scaled(size, 20)) // marks
    draw.line((pivot_x - marks * unit, beam_y, pivot_x + marks * unit, beam_y), fill=INK, width=3)
    draw.polygon([(pivot_x, beam_y + 2), (pivot_x - scaled(size, 10), beam_y + scaled(size, 20)),
                  (pivot_x + scaled(size, 10), beam_y + scaled(size, 20))], fill=(120, 120, 120))
    small = font("sans", scaled(size, 9))
    for k in range(1, marks + 1):
        for side in (-1, 1):
            x = pivot_x + side * k * unit
            draw.line((x, beam_y + 2, x, beam_y + scaled(size, 6)), fill=INK)
            draw.text((x, beam_y + scaled(size, 8)), str(k), font=small, fill=INK, anchor="mt")
    blocks = []
    for side, mass, distance, color in ((-1, m_left, d_left, "blue"), (1, m_right, d_right, "red")):
        x = pivot_x + side * distance * unit
        half = scaled(size, 9)
        box = (x - half, beam_y - 2 - 2 * half, x + half, beam_y - 2)
        draw.rectangle(box, fill=COLORS[color])
        draw.text((x, box[1] - scaled(size, 2)), f"{mass} kg", font=small, fill=INK, anchor="mb")
        blocks.append({"mass": mass, "distance": distance, "x": x, "box": list(box)})
    options = ["The left side goes down.", "The right side goes down.", "It stays balanced."]
    index = 0 if torque > 0 else 1 if torque < 0 else 2
    question = ("A light beam rests on a pivot. Numbers under the beam are distances in metres from the pivot;"
                " the blocks are labelled with their masses. What happens when the beam is released?")
    return question, options, index, {"blocks": blocks, "unit": unit, "pivot_x": pivot_x}


def _density(rng: random.Random, knobs: ScienceKnobs, draw: ImageDraw.ImageDraw) -> tuple[str, list[str], int, dict]:
    size = knobs.image_size
    face = font("sans", scaled(size, 10))
    blocks = []
    for i, name in enumerate(("P", "Q")):
        volume = rng.choice([10, 20, 25, 40, 50])
        mass = volume * rng.choice([2, 4, 5, 6, 8, 10, 12, 15, 20, 30]) // 10
        side = scaled(size, 40 + volume)  # bigger volume, bigger block
        cx = size // 4 + i * size // 2
        box = (cx - side // 2, size * 2 // 3 - side, cx + side // 2, size * 2 // 3)
        draw.rectangle(box, fill=COLORS["orange" if i else "purple"], outline=INK)
        draw.text((cx, box[3] + scaled(size, 4)), f"{name}: {mass} g, {volume} cm³", font=face, fill=INK, anchor="mt")
        blocks.append({"name": name, "mass": mass, "volume": volume, "box": list(box)})
    dens = [b["mass"] / b["volume"] for b in blocks]
    if rng.random() < 0.5:
        options = ["Block P is denser.", "Block Q is denser.", "They have the same density."]
        index = 0 if dens[0] > dens[1] else 1 if dens[1] > dens[0] else 2
        question = "Each block is labelled with its mass and volume. Which statement is true?"
    else:
        which = rng.randrange(2)
        options = ["It floats.", "It sinks.", "It floats exactly at the surface, fully submerged."]
        index = 0 if dens[which] < 1 else 1 if dens[which] > 1 else 2
        question = (f"Each block is labelled with its mass and volume. Water has a density of 1 g/cm³."
                    f" What happens to block {blocks[which]['name']} when it is put in water?")
    return question, options, index, {"blocks": blocks}


@register_generator("science", ScienceKnobs)
def make_science(knobs: ScienceKnobs, rng: random.Random, nrng: np.random.Generator) -> SynthItem:
    """Reason about a labelled physics diagram (torque, density) and pick the right statement."""
    image, draw = new_canvas(knobs, rng)
    kind = rng.choice(knobs.kinds)
    maker = _seesaw if kind == "seesaw" else _density
    question, options, index, meta = maker(rng, knobs, draw)
    block, letters = choice_block(options)
    return SynthItem(
        image=add_noise(image, nrng, knobs.noise), question=f"{question}\n{block}",
        ground_truth=letters[index], answer=letters[index],
        fields={"options": block}, metadata={"kind": kind, "options": options, **meta},
    )
