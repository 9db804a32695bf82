"""`python -m orsta_train.nano --output DIR`: rebuild nano-Orsta from nothing (docs/NANO.md).

Stages: base (tokenizer + untrained model), sft, grpo (orsta-train). The final model is
DIR/grpo; DIR/sft is the SFT-only checkpoint. Exit 2 on bad arguments, nothing written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orsta_train.nano.recipe import RECIPES, STAGES, rebuild, with_overrides


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m orsta_train.nano", description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True, type=Path, help="output folder (created)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--recipe", choices=sorted(RECIPES), default="shipped",
                        help="shipped (rebuilds the shipped checkpoint) or a candidate from docs/NANO.md")
    parser.add_argument("--stages", default=",".join(STAGES), help="comma-separated subset of base,sft,grpo")
    parser.add_argument("--sft-steps", type=int, default=None, help="override the recipe's SFT steps")
    parser.add_argument("--grpo-steps", type=int, default=None, help="override the recipe's GRPO steps")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    args = parser.parse_args(argv)
    stages = tuple(s.strip() for s in args.stages.split(",") if s.strip())
    bad = [s for s in stages if s not in STAGES]
    if bad or not stages:
        parser.error(f"--stages: unknown stage(s) {', '.join(bad) or '(none given)'}; use {','.join(STAGES)}")
    for flag in ("sft_steps", "grpo_steps", "threads"):
        value = getattr(args, flag)
        if value is not None and value < 1:
            parser.error(f"--{flag.replace('_', '-')} must be >= 1, got {value}")
    args.stages = stages
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from dataclasses import replace

    recipe = with_overrides(replace(RECIPES[args.recipe](), seed=args.seed, threads=args.threads),
                            args.sft_steps, args.grpo_steps)
    final = rebuild(recipe, args.output, args.stages)
    print(f"nano-Orsta stages {','.join(args.stages)} done: {final} "
          f"(evaluate: orsta-bench run --model {final} --tasks synth)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
