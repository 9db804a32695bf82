"""`python -m research.sanity_task`: write a sanity question as an ordinary task folder.

The folder holds PNG images, rows.jsonl and a spec with the `jsonl` source and the `count`
verifier (`exact` for `side`), so orsta-train's GRPO and `orsta-bench run`/`compare` can use it
like any task.

It is the positive control of docs/NANO.md: GRPO from a model that has half learnt a question
(`research.sanity --save`) must raise its held-out accuracy, or the trainer is what is wrong.

    python -m research.sanity_task --question count --n 2000 --seed 1 --output runs/pc/train
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from research.sanity_questions import QUESTIONS, draw_question

SPEC = """\
name: {name}
suite: sanity
category: perception
family: {family}
description: The nano sanity question '{question}' (research/sanity.py), seed {seed}.
source: {{kind: jsonl, path: rows.jsonl}}
prompt: {{template: "{{question}}"}}
verifier: {{name: {verifier}}}
generation: {{max_new_tokens: 8, temperature: 0.0}}
"""


def write_task(question: str, n: int, seed: int, output: Path) -> Path:
    """Draw `n` questions from the seeded stream and write them as a task folder; returns the spec.
    Built in a sibling temporary folder and renamed (`build_atomically`), so a failed run leaves
    nothing behind."""
    from orsta_bench.api import build_atomically

    name = f"sanity_{question}"
    verifier, family = ("exact", "spatial") if question == "side" else ("count", "counting")

    def build(folder: Path) -> None:
        rng = random.Random(f"task-{question}-{seed}")
        (folder / "images").mkdir()
        with (folder / "rows.jsonl").open("w", encoding="utf-8") as rows:
            for index in range(n):
                image, text, answer = draw_question(question, rng)
                image.save(folder / "images" / f"{index:05d}.png")
                rows.write(json.dumps({"id": f"{question}-{seed}-{index}", "question": text, "answer": answer,
                                       "images": [f"images/{index:05d}.png"]}) + "\n")
        (folder / f"{name}.yaml").write_text(
            SPEC.format(name=name, family=family, question=question, seed=seed, verifier=verifier), encoding="utf-8")

    build_atomically(output, build)
    return output / f"{name}.yaml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m research.sanity_task", description=__doc__.splitlines()[0])
    parser.add_argument("--question", required=True, choices=QUESTIONS)
    parser.add_argument("--n", type=int, default=200, help="number of samples")
    parser.add_argument("--seed", type=int, default=0, help="sample stream (use different seeds for train and eval)")
    parser.add_argument("--output", required=True, type=Path, help="task folder to create (must not exist)")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be >= 1")
    if args.output.exists():
        parser.error(f"--output {args.output} exists; give a new folder")
    print(write_task(args.question, args.n, args.seed, args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
