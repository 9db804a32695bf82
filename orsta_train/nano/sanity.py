"""`python -m orsta_train.nano.sanity`: can a nano architecture and learning rate learn *any*
visual question? A check of a few minutes to run before a long probe (docs/NANO.md, "Sanity checks").

It trains an untrained nano model with the recipe's loss (answer tokens only, real M-RoPE inputs)
on one of five questions whose answers only the image holds, each far easier than any synth task:

  count   1-4 large filled circles, one per cell of a 4x4 grid: "How many shapes ...?" (1-4)
  side    one large filled circle anywhere: "Is the shape on the left or the right?"
  colour  2-6 large circles of four colours, one per cell: "How many red shapes ...?" (1-4):
          the question names what to count, as in synth counting
  shape   2-6 large circles, squares and triangles, one per cell: "How many squares ...?" (1-4):
          telling shapes apart, as in synth counting (whose shapes are smaller, among distractors)
  red     1-4 red circles among 1-2 of other colours, always "How many red shapes ...?": telling
          colours apart without reading the question (beside colour, it separates seeing colours
          from following the question)

and writes OUTPUT/sanity.json with the held-out exact-answer rate and image sensitivity (as in
`orsta_train.nano.probe`) every `--eval-every` steps (with `--save`, the model to OUTPUT/model).
Always giving the most frequent answer scores about 25% on count and red, 50% on side and
colour, 40% on shape (docs/NANO.md lists them).
`--restate '{kind} {answer}'` makes the target name what is counted before the count ("red 2"),
a one-word chain of thought.

    python -m orsta_train.nano.sanity --output runs/sanity/count --question count --lr 3e-4
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from orsta_train.nano.model import NanoArch
from orsta_train.nano.probe import parse_assignments

CANVAS = 224
PALETTE = {"red": (220, 30, 30), "green": (30, 160, 50), "blue": (30, 70, 220), "yellow": (230, 170, 20)}
SHAPE_NAMES = ("circle", "square", "triangle")
QUESTIONS = ("count", "side", "colour", "shape", "red")


def _draw_shape(draw: Any, shape: str, cx: int, cy: int, r: int, fill: tuple[int, int, int]) -> None:
    if shape == "circle":
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill)
    elif shape == "square":
        draw.rectangle([cx - r, cy - r, cx + r, cy + r], fill=fill)
    else:
        draw.polygon([(cx, cy - r), (cx + r, cy + r), (cx - r, cy + r)], fill=fill)


def draw_question(question: str, rng: random.Random) -> tuple[Any, str, str]:
    """A white canvas with large shapes, the question text, and the answer only the image holds."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (CANVAS, CANVAS), "white")
    draw = ImageDraw.Draw(image)
    cell = CANVAS // 4

    def in_cell(shape: str, where: int, colour: str | None = None) -> None:
        """Draw in grid cell `where` (radius first, then a random colour unless one is named)."""
        r = rng.randint(12, 20)
        fill = PALETTE[colour] if colour else rng.choice(list(PALETTE.values()))
        _draw_shape(draw, shape, cell // 2 + cell * (where % 4), cell // 2 + cell * (where // 4), r, fill)

    if question == "side":
        r = rng.randint(20, 35)
        cx, cy = rng.randint(r, CANVAS - 1 - r), rng.randint(r, CANVAS - 1 - r)
        _draw_shape(draw, "circle", cx, cy, r, rng.choice(list(PALETTE.values())))
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
        kinds = [(rng.choice(SHAPE_NAMES) if question == "shape" else "circle", rng.choice(list(PALETTE)))
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


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m orsta_train.nano.sanity", description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True, type=Path, help="output folder (must not exist)")
    parser.add_argument("--question", required=True,
                        help=f"one of {', '.join(QUESTIONS)}, or several comma-separated (taken in turn "
                             "within each batch; --heldout images of each)")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-4, help="AdamW learning rate after 20 warm-up steps")
    parser.add_argument("--vision-lr", type=float, default=None,
                        help="learning rate of the vision tower and merger (default: --lr)")
    parser.add_argument("--arch", action="append", default=[], help="NanoArch KEY=VALUE (repeatable)")
    parser.add_argument("--text-first", action="store_true",
                        help="put the question before the image (synth prompts put the image first)")
    parser.add_argument("--restate", metavar="TEMPLATE", default=None,
                        help="write the answer as TEMPLATE with {kind} (what is counted) and {answer}, "
                             "e.g. '{kind} {answer}' gives 'red 2' instead of '2'")
    parser.add_argument("--eval-every", type=int, default=50)
    parser.add_argument("--heldout", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--save", action="store_true",
                        help="also save the trained model to OUTPUT/model (a checkpoint orsta-bench and "
                             "orsta-train load, e.g. to start GRPO from a partly learnt question)")
    args = parser.parse_args(argv)
    args.questions = tuple(q.strip() for q in args.question.split(","))
    if unknown := [q for q in args.questions if q not in QUESTIONS]:
        parser.error(f"--question: unknown {', '.join(unknown)}; choose from {', '.join(QUESTIONS)}")
    args.arch = parse_assignments(args.arch, "--arch", parser)
    try:
        NanoArch(**args.arch).check()
    except (TypeError, ValueError) as error:
        parser.error(f"--arch: {error}")
    for flag in ("steps", "batch_size", "eval_every", "heldout", "threads"):
        if getattr(args, flag) < 1:
            parser.error(f"--{flag.replace('_', '-')} must be >= 1")
    if args.vision_lr is None:
        args.vision_lr = args.lr
    if not (args.lr > 0 and args.vision_lr > 0):
        parser.error("--lr and --vision-lr must be > 0")
    if args.restate is not None and "{answer}" not in args.restate:
        parser.error(f"--restate {args.restate!r} must contain {{answer}} (and usually {{kind}})")
    if args.output.exists():
        parser.error(f"--output {args.output} exists; give a new folder")
    return args


def two_rate_adamw(model: Any, lr: float, vision_lr: float) -> Any:
    """AdamW with one peak rate for the vision tower and merger and one for the rest; each
    group keeps its peak in `peak_lr` for the warm-up."""
    import torch

    from orsta_train.model import VISION_MARKERS

    groups: dict[bool, list[Any]] = {True: [], False: []}
    for name, param in model.named_parameters():
        groups[any(marker in name for marker in VISION_MARKERS)].append(param)
    return torch.optim.AdamW([{"params": groups[False], "peak_lr": lr}, {"params": groups[True], "peak_lr": vision_lr}],
                             lr=lr, betas=(0.9, 0.98), weight_decay=0.01)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    from orsta_train.nano.data import collate
    from orsta_train.nano.probe import measure_model
    from orsta_train.nano.recipe import NanoRecipe, build_stage
    from orsta_train.nano.sft import answer_loss

    torch.set_num_threads(args.threads)
    args.output.mkdir(parents=True)
    arch = NanoArch(**args.arch)
    # The recipe's base stage: its tokenizer (trained on the recipe's training prompts) and model.
    base = build_stage(NanoRecipe(seed=args.seed, arch=arch), args.output)
    torch.manual_seed(args.seed)
    processor = AutoProcessor.from_pretrained(str(base))
    model = AutoModelForImageTextToText.from_pretrained(str(base), dtype=torch.float32)
    pad_id = processor.tokenizer.pad_token_id
    heldout_rng = random.Random(f"heldout-{args.seed}")
    heldout = [question_example(processor, question, heldout_rng, args.text_first, args.restate)
               for question in args.questions for _ in range(args.heldout)]
    train_rng = random.Random(f"train-{args.seed}")
    optimizer = two_rate_adamw(model, args.lr, args.vision_lr)
    curve = [{"step": 0, **measure_model(model, pad_id, heldout)}]
    started = time.perf_counter()
    model.train()
    for step in range(1, args.steps + 1):
        examples = [question_example(processor, args.questions[i % len(args.questions)], train_rng,
                                     args.text_first, args.restate) for i in range(args.batch_size)]
        for group in optimizer.param_groups:
            group["lr"] = group["peak_lr"] * min(1.0, step / 20)
        loss, _ = answer_loss(model, collate(examples, pad_id), [e["task"] for e in examples])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step % args.eval_every == 0 or step == args.steps:
            point = {"step": step, "loss": round(float(loss.detach()), 4),
                     "elapsed_s": round(time.perf_counter() - started, 1), **measure_model(model, pad_id, heldout)}
            curve.append(point)
            model.train()
            print(json.dumps({k: point[k] for k in ("step", "loss", "exact_answer_rate")}), flush=True)
    report = {"question": args.question, "lr": args.lr, "vision_lr": args.vision_lr,
              "text_first": args.text_first, "restate": args.restate, "steps": args.steps, "batch_size": args.batch_size,
              "arch": asdict(arch), "seed": args.seed, "curve": curve}
    if args.save:
        model.eval()
        model.save_pretrained(args.output / "model")
        processor.save_pretrained(args.output / "model")
    tmp = args.output / "sanity.json.tmp"
    tmp.write_text(json.dumps(report, indent=2))
    tmp.replace(args.output / "sanity.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
