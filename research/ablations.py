"""`python -m research.ablations`: short GRPO arms from the SFT checkpoint of a rebuild.

The arms (docs/NANO.md) run at equal compute (same steps, prompts per step and generations):

  joint           the recipe's four families, vision frozen
  joint_vision    the same with a trainable vision tower
  counting_only   one perception family      science_only   one reasoning family
  grounding_dynamic / grounding_strict / grounding_eval   grounding alone with V-Triune's dynamic
                  IoU threshold, a fixed strict 0.95, or the eval metric's 0.5 as reward

    python -m research.ablations --run DIR --arms joint_vision,counting_only --steps 10

`--set grpo.KEY=VALUE` overrides a GRPO setting of the recipe in every arm (e.g.
`--set grpo.learning_rate=3e-5`; research/common.py) and `--suffix` names such a variant's
folders (RUN/ablation_<arm>_<suffix>).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any

from orsta_train.nano.recipe import NanoRecipe, grpo_stage
from research.common import add_set_option, apply_sets, parse_assignments, settable

# Shared by every arm: shorter and smaller than the shipped GRPO phase.
ABLATION_GRPO: dict[str, Any] = {"prompts_per_step": 8, "learning_rate": 1e-4, "lr_scheduler_type": "constant"}
ARMS: dict[str, dict[str, Any]] = {
    "joint": {},
    "joint_vision": {"freeze_vision": False},
    "counting_only": {"tasks": ("synth_counting",)},
    "science_only": {"tasks": ("synth_science",)},
    "grounding_dynamic": {"tasks": ("synth_grounding",), "train_iou_threshold": "dynamic"},
    "grounding_strict": {"tasks": ("synth_grounding",), "train_iou_threshold": 0.95},
    "grounding_eval": {"tasks": ("synth_grounding",), "train_iou_threshold": 0.5},
}
FIXED = {"grpo.tasks", "grpo.save_steps", "grpo.max_steps"}  # set by the arm and --steps


def run_arm(run: Path, arm: str, steps: int, seed: int = 0, threads: int = 1,
            overrides: dict[str, Any] | None = None, suffix: str = "") -> Path:
    """One arm: the recipe's GRPO settings, then ABLATION_GRPO, the arm's, and `overrides` (GRPO
    setting names without the `grpo.` prefix), from RUN/sft into RUN/ablation_<arm>[_<suffix>]."""
    import torch

    torch.set_num_threads(threads)
    recipe = NanoRecipe(seed=seed)
    grpo = replace(recipe.grpo, max_steps=steps, save_steps=10 * steps,
                   **{**ABLATION_GRPO, **ARMS[arm], **(overrides or {})})
    name = f"ablation_{arm}_{suffix}" if suffix else f"ablation_{arm}"
    return grpo_stage(replace(recipe, grpo=grpo), run, start=run / "sft", name=name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m research.ablations", description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, required=True, help="a rebuild folder holding sft/")
    parser.add_argument("--arms", required=True, help=f"comma-separated: {','.join(ARMS)}")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    add_set_option(parser, "grpo.learning_rate=3e-5 (grpo.* keys but tasks, save_steps, max_steps)")
    parser.add_argument("--suffix", default="", help="folder suffix for a variant: RUN/ablation_<arm>_<suffix>")
    args = parser.parse_args(argv)
    sets = parse_assignments(args.set, "--set", parser)
    allowed = [key for key in settable(NanoRecipe().grpo, "grpo") if key not in FIXED]
    recipe = apply_sets(NanoRecipe(seed=args.seed), sets, allowed, parser)
    overrides = {key.removeprefix("grpo."): getattr(recipe.grpo, key.removeprefix("grpo.")) for key in sets}
    if args.suffix and not args.suffix.replace("-", "").replace("_", "").replace(".", "").isalnum():
        parser.error(f"--suffix {args.suffix!r}: use letters, digits, '-', '_' or '.'")
    arms = [a.strip() for a in args.arms.split(",") if a.strip()]
    unknown = [a for a in arms if a not in ARMS]
    if unknown or not arms:
        parser.error(f"--arms: unknown arm(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(ARMS)}")
    if not (args.run / "sft" / "config.json").is_file():
        parser.error(f"--run {args.run}: no sft/ checkpoint in it (run python -m orsta_train.nano first)")
    if args.steps < 1:
        parser.error("--steps must be >= 1")
    for arm in arms:
        print(run_arm(args.run, arm, args.steps, args.seed, args.threads, overrides, args.suffix))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
