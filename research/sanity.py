"""`python -m research.sanity`: can a nano architecture and learning rate learn *any* visual
question? A check of a few minutes to run before a long probe (docs/NANO.md, "What the pipeline can learn at all").

It trains the recipe's untrained base model with the recipe's SFT loop (`orsta_train.nano.sft`:
answer tokens only, real M-RoPE inputs; here a constant rate after 20 warm-up steps) on one of
five questions whose answers only the image holds (research/sanity_questions.py draws them),
each far easier than any synth task:

  count   1-4 large filled circles, one per cell of a 4x4 grid: "How many shapes ...?" (1-4)
  side    one large filled circle anywhere: "Is the shape on the left or the right?"
  colour  2-6 large circles of four colours, one per cell: "How many red shapes ...?" (1-4):
          the question names what to count, as in synth counting
  shape   2-6 large circles, squares and triangles, one per cell: "How many squares ...?" (1-4):
          telling shapes apart, as in synth counting (whose shapes are smaller, among distractors)
  red     1-4 red circles among 1-2 of other colours, always "How many red shapes ...?": telling
          colours apart without reading the question (beside colour, it separates seeing colours
          from following the question)

and writes OUTPUT/sanity.json with the held-out exact-answer rate and image sensitivity
(research/measure.py) every `--eval-every` steps (with `--save`, the model to OUTPUT/model).
Always giving the most frequent answer scores about 25% on count and red, 50% on side and
colour, 40% on shape (docs/NANO.md lists them).
`--restate '{kind} {answer}'` makes the target name what is counted before the count ("red 2"),
a one-word chain of thought.

    python -m research.sanity --output runs/sanity/count --question count --lr 3e-4
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from orsta_bench.api import write_json_atomic
from orsta_train.nano.sft import SFTConfig
from research.common import add_set_option, arch_recipe
from research.sanity_questions import QUESTIONS, question_example

WARMUP_STEPS = 20


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m research.sanity", description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True, type=Path, help="output folder (must not exist)")
    parser.add_argument("--question", required=True,
                        help=f"one of {', '.join(QUESTIONS)}, or several comma-separated (taken in turn "
                             "within each batch; --heldout images of each)")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-4,
                        help=f"AdamW learning rate after {WARMUP_STEPS} warm-up steps")
    parser.add_argument("--vision-lr", type=float, default=None,
                        help="learning rate of the vision tower and merger (default: --lr)")
    add_set_option(parser, "arch.rope_theta=1e6 (arch.* keys)")
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
    args.set, args.recipe = arch_recipe(args.set, args.seed, parser)
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


def question_batches(processor: Any, args: argparse.Namespace, rng: random.Random) -> Iterator[list[dict[str, Any]]]:
    """Endless batches of freshly drawn questions, the asked questions in turn within a batch."""
    while True:
        yield [question_example(processor, args.questions[i % len(args.questions)], rng, args.text_first,
                                args.restate) for i in range(args.batch_size)]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    from orsta_train.nano.recipe import build_stage
    from orsta_train.nano.sft import sft_steps
    from research.measure import measure_model

    torch.set_num_threads(args.threads)
    args.output.mkdir(parents=True)
    # The recipe's base stage: its tokenizer (trained on the recipe's training prompts) and model.
    base = build_stage(args.recipe, args.output)
    torch.manual_seed(args.seed)
    processor = AutoProcessor.from_pretrained(str(base))
    model = AutoModelForImageTextToText.from_pretrained(str(base), dtype=torch.float32)
    pad_id = processor.tokenizer.pad_token_id
    heldout_rng = random.Random(f"heldout-{args.seed}")
    heldout = [question_example(processor, question, heldout_rng, args.text_first, args.restate)
               for question in args.questions for _ in range(args.heldout)]
    cfg = SFTConfig(steps=args.steps, batch_size=args.batch_size, learning_rate=args.lr,
                    vision_learning_rate=args.vision_lr, warmup_steps=WARMUP_STEPS, schedule="constant",
                    log_every=args.eval_every)
    curve = [{"step": 0, **measure_model(model, pad_id, heldout)}]
    started = time.perf_counter()
    batches = question_batches(processor, args, random.Random(f"train-{args.seed}"))
    for step, loss in sft_steps(model, batches, cfg, pad_id, args.output / "sft_log.jsonl"):
        if step % args.eval_every == 0 or step == args.steps:
            point = {"step": step, "loss": round(loss, 4), "elapsed_s": round(time.perf_counter() - started, 1),
                     **measure_model(model, pad_id, heldout)}
            curve.append(point)
            model.train()
            print(json.dumps({k: point[k] for k in ("step", "loss", "exact_answer_rate")}), flush=True)
    report = {"question": args.question, "lr": args.lr, "vision_lr": args.vision_lr,
              "text_first": args.text_first, "restate": args.restate, "steps": args.steps, "batch_size": args.batch_size,
              "set": args.set, "arch": asdict(args.recipe.arch), "seed": args.seed, "curve": curve}
    if args.save:
        model.eval()
        model.save_pretrained(args.output / "model")
        processor.save_pretrained(args.output / "model")
    write_json_atomic(args.output / "sanity.json", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
