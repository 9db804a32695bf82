"""`python -m research.probe`: a short supervised probe of one nano recipe change.

For the recipe search (docs/NANO.md, "What was learned"). It builds a base model with the given
architecture overrides (`--set arch.KEY=VALUE`, see research/common.py), runs the recipe's SFT loop
on the named synth tasks (training seeds; `--source` knobs make the training data easier, for all
steps or, with `--easy-steps`, for a first phase before the shipped knobs: a curriculum), and
writes OUTPUT/probe.json with the exact-answer rate and image sensitivity (research/measure.py) of
the base and trained models on the shipped held-out samples (seed 0):

    python -m research.probe --output runs/probe --tasks synth_counting --steps 600 \\
        --set arch.image_mean=[1,1,1] --set arch.image_std=[0.5,0.5,0.5] --source synth_counting.max_objects=4
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from orsta_bench.api import write_json_atomic
from orsta_train.nano.recipe import SFT_SEED_OFFSET
from orsta_train.nano.sft import SFTConfig
from research.common import add_set_option, arch_recipe, parse_assignments
from research.measure import measure


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m research.probe", description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True, type=Path, help="output folder (must not exist)")
    parser.add_argument("--tasks", required=True, help="comma-separated synth task names")
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    add_set_option(parser, "arch.rope_theta=1e6 (arch.* keys)")
    parser.add_argument("--source", action="append", default=[],
                        help="TASK.KNOB=VALUE: training-only source knob (repeatable; evaluation keeps the shipped specs)")
    parser.add_argument("--easy-steps", type=int, default=0,
                        help="curriculum: first train this many steps with the --source knobs, then --steps with the shipped knobs")
    parser.add_argument("--restate", action="store_true",
                        help="counting targets name the counted kind first ('red circle \\boxed{2}')")
    parser.add_argument("--heldout", type=int, default=100, help="held-out samples per task")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    args.set, args.recipe = arch_recipe(args.set, args.seed, parser)
    knobs = parse_assignments(args.source, "--source", parser)
    args.source = {}
    for key, value in knobs.items():
        task, dot, knob = key.partition(".")
        if not dot or not knob:
            parser.error(f"--source {key!r}: expected TASK.KNOB=VALUE")
        args.source.setdefault(task, {})[knob] = value
    args.tasks = [t.strip() for t in args.tasks.split(",") if t.strip()]
    if stray := sorted(set(args.source) - set(args.tasks)):
        parser.error(f"--source names task(s) not in --tasks: {', '.join(stray)}")
    for flag in ("steps", "batch_size", "heldout", "threads"):
        if getattr(args, flag) < 1:
            parser.error(f"--{flag.replace('_', '-')} must be >= 1")
    if args.easy_steps < 0 or (args.easy_steps and not args.source):
        parser.error("--easy-steps needs --source knobs (the easier data) and must be >= 0")
    if args.output.exists():
        parser.error(f"--output {args.output} exists; give a new folder")
    return args


def write_probe_specs(out_dir: Path, tasks: list[str], seed: int, knobs: dict[str, dict[str, Any]]) -> Path:
    """The recipe's training specs, with the probe's source knobs merged in; checked by loading."""
    from orsta_bench.api import load_catalog
    from orsta_train.nano.data import write_train_specs

    write_train_specs(out_dir, tasks, seed, 10_000_000, source_knobs=knobs)
    load_catalog([out_dir])  # a bad knob fails here, naming the file and field
    return out_dir


def heldout_examples(processor: Any, tasks: list[str], per_task: int, restate: bool = False) -> list[dict[str, Any]]:
    from orsta_bench.api import iter_samples, load_catalog, select_tasks
    from orsta_train.nano.data import sft_example

    return [sft_example(processor, sample, restate) for loaded in select_tasks(load_catalog(None), ",".join(tasks))
            for sample in iter_samples(loaded, per_task)]


def _sft_config(args: argparse.Namespace, steps: int) -> SFTConfig:
    return SFTConfig(steps=steps, batch_size=args.batch_size, learning_rate=args.lr,
                     warmup_steps=max(1, min(30, steps // 10)), weights=dict.fromkeys(args.tasks, 1.0),
                     log_every=max(1, steps // 20), restate=args.restate)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import torch

    from orsta_bench.api import SelectionError, SpecError
    from orsta_train.nano.base import build_base
    from orsta_train.nano.sft import run_sft

    torch.set_num_threads(args.threads)
    args.output.mkdir(parents=True)
    seed = args.seed + SFT_SEED_OFFSET
    try:
        specs = write_probe_specs(args.output / "sft_tasks", args.tasks, seed,
                                  {} if args.easy_steps else args.source)
        easy = (write_probe_specs(args.output / "easy_tasks", args.tasks, seed, args.source)
                if args.easy_steps else None)
    except (SpecError, SelectionError) as error:
        shutil.rmtree(args.output)
        print(f"error: {error}", file=sys.stderr)
        return 2
    base = build_base(args.output / "base", specs, args.recipe.arch, args.seed, restate=args.restate)
    start = base
    if easy is not None:
        start = run_sft(base, easy, args.output / "easy", _sft_config(args, args.easy_steps), args.seed,
                        args.output / "easy_log.jsonl")
    trained = run_sft(start, specs, args.output / "sft", _sft_config(args, args.steps), args.seed,
                      args.output / "sft_log.jsonl")
    from transformers import AutoProcessor

    examples = heldout_examples(AutoProcessor.from_pretrained(str(trained)), args.tasks, args.heldout, args.restate)
    report = {"tasks": args.tasks, "steps": args.steps, "easy_steps": args.easy_steps,
              "batch_size": args.batch_size, "lr": args.lr, "restate": args.restate, "set": args.set,
              "arch": asdict(args.recipe.arch), "source": args.source,
              "samples_seen": (args.easy_steps + args.steps) * args.batch_size,
              "base": measure(base, examples), "sft": measure(trained, examples)}
    if easy is not None:
        report["easy"] = measure(start, examples)
    write_json_atomic(args.output / "probe.json", report)
    print(json.dumps({"sft": report["sft"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
