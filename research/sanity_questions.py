"""The sanity check's questions: large shapes on a white canvas, drawn with the synth suite's
shapes and colours (`orsta_bench.synth.shapes.draw_shape`), one per cell of a 4x4 grid, and a
question whose answer only the image holds (research/sanity.py lists them)."""

from __future__ import annotations

import random
import re
from typing import Any

from orsta_bench.api import Shape, draw_shape

CANVAS = 224
COLOURS = ("red", "green", "blue", "yellow")  # four of synth's colours (orsta_bench.synth.common.COLORS)
SHAPE_NAMES = ("circle", "square", "triangle")
QUESTIONS = ("count", "side", "colour", "shape", "red")


def draw_question(question: str, rng: random.Random) -> tuple[Any, str, str]:
    """A white canvas with large shapes, the question text, and the answer only the image holds."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (CANVAS, CANVAS), "white")
    draw = ImageDraw.Draw(image)
    cell = CANVAS // 4

    def paint(shape: str, cx: int, cy: int, r: int, colour: str) -> None:
        draw_shape(draw, Shape(shape, colour, "large", cx, cy, r))

    def in_cell(shape: str, where: int, colour: str | None = None) -> None:
        """Draw in grid cell `where` (radius first, then a random colour unless one is named)."""
        r = rng.randint(12, 20)
        paint(shape, cell // 2 + cell * (where % 4), cell // 2 + cell * (where // 4), r, colour or rng.choice(COLOURS))

    if question == "side":
        r = rng.randint(20, 35)
        cx, cy = rng.randint(r, CANVAS - 1 - r), rng.randint(r, CANVAS - 1 - r)
        paint("circle", cx, cy, r, rng.choice(COLOURS))
        return image, "Is the shape on the left or the right?", "left" if cx < CANVAS // 2 else "right"
    if question == "count":
        cells = rng.sample(range(16), rng.randint(1, 4))
        for where in cells:
            in_cell("circle", where)
        return image, "How many shapes are in the image?", str(len(cells))
    # colour / shape / red: 2-6 objects; the asked-for kind is present 1-4 times.
    field = 0 if question == "shape" else 1
    if question == "red":  # 1-4 red circles (equally often) and 1-2 of other colours
        target = "red"
        kinds = [("circle", "red")] * rng.randint(1, 4)
        kinds += [("circle", rng.choice(["green", "blue", "yellow"])) for _ in range(rng.randint(1, 2))]
    else:
        kinds = [(rng.choice(SHAPE_NAMES) if question == "shape" else "circle", rng.choice(COLOURS))
                 for _ in range(rng.randint(2, 6))]
        target = rng.choice(kinds)[field]
    while sum(kind[field] == target for kind in kinds) > 4:
        kinds.remove(next(kind for kind in kinds if kind[field] == target))
    for (shape, colour), where in zip(kinds, rng.sample(range(16), len(kinds)), strict=True):
        in_cell(shape, where, colour)
    text = f"How many {target}s are in the image?" if question == "shape" else f"How many {target} shapes are in the image?"
    return image, text, str(sum(kind[field] == target for kind in kinds))


def restated(question_text: str, answer: str, template: str) -> str:
    """The answer written with `template`, where {kind} is what the question counts: "{kind}
    {answer}" gives "red 2", a one-word chain of thought that puts the named kind right before the
    count. Questions that count nothing named keep the bare answer."""
    match = re.fullmatch(r"How many (\w+?)(?: shapes|s) are in the image\?", question_text)
    return template.replace("{kind}", match.group(1)).replace("{answer}", answer) if match else answer


def question_example(processor: Any, question: str, rng: random.Random, text_first: bool = False,
                     restate: str | None = None) -> dict[str, Any]:
    """The SFT example of one drawn question: image then question text, as every synth prompt
    is built, or the text first (`--text-first`); the answer optionally `restated`."""
    from orsta_train.nano.data import encode_example

    image, question_text, answer = draw_question(question, rng)
    if restate:
        answer = restated(question_text, answer, restate)
    parts = [{"type": "image"}, {"type": "text", "text": question_text}]
    messages = [{"role": "user", "content": parts[::-1] if text_first else parts}]
    text = processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return encode_example(processor, text, [image], answer, question)
