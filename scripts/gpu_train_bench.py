"""GRPO step time through orsta-train vs bare TRL, same model, data and settings.

A Qwen2.5-VL-shaped model with random weights is built locally (no hub): the tokenizer and
processor of orsta-bench's tiny model, the text and vision sizes of the chosen shape. Both runs
use TRL's GRPOTrainer with the V-Triune settings (beta 0, clip 0.2/0.28, dapo loss, frozen vision
tower); orsta-train adds its dataset adapter, reward path (orsta_bench.reward through the
ScoringPool) and monitoring, bare TRL gets a trivial reward. Prints median step time (first step
excluded) and generated tokens/s for each.

    python scripts/gpu_train_bench.py --shape 3b --steps 4            # one GPU
    python scripts/gpu_train_bench.py --shape tiny --steps 2 --device cpu   # smoke test here

Needs torch, transformers, accelerate, trl, datasets and orsta-bench's light core
(pydantic, pyyaml, typer, rich, math-verify, pillow, numpy) importable.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

SHAPES = {  # text (hidden, layers, heads, kv heads, mlp) and vision (hidden, depth, mlp)
    "tiny": dict(text=(64, 2, 2, 1, 128), vision=(32, 2, 64), heads_v=2),
    "3b": dict(text=(2048, 36, 16, 2, 11008), vision=(1280, 32, 3420), heads_v=16),
    "7b": dict(text=(3584, 28, 28, 4, 18944), vision=(1280, 32, 3420), heads_v=16),
}


def build_model(shape: str, folder: Path, device: str, max_pixels: int) -> Path:
    import torch
    from transformers import AutoTokenizer, Qwen2_5_VLForConditionalGeneration

    from orsta_bench.api import build_tiny_model, qwen25vl_config, save_qwen25vl, text_config

    tokenizer = AutoTokenizer.from_pretrained(str(build_tiny_model(folder / "base", seed=0)))
    hidden, layers, heads, kv, mlp = SHAPES[shape]["text"]
    v_hidden, depth, v_mlp = SHAPES[shape]["vision"]
    text = text_config(tokenizer, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
                       num_key_value_heads=kv, intermediate_size=mlp, rope_theta=1e6)
    config = qwen25vl_config(tokenizer, text, vision_hidden_size=v_hidden, vision_depth=depth,
                             vision_heads=SHAPES[shape]["heads_v"], vision_intermediate_size=v_mlp,
                             fullatt_block_indexes=[d for d in range(depth) if d % 8 == 7] or [depth - 1],
                             window_size=56)
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    torch.manual_seed(0)
    with torch.device(device):
        model = Qwen2_5_VLForConditionalGeneration._from_config(config, dtype=dtype)
    out = save_qwen25vl(folder / f"model-{shape}", model, tokenizer,
                        {"min_pixels": 28 * 28 * 4, "max_pixels": max_pixels})
    del model
    return out


def write_task(folder: Path, n: int, side: int) -> Path:
    import numpy as np
    from PIL import Image

    tasks = folder / "tasks"
    tasks.mkdir()
    rng = np.random.default_rng(0)
    with (tasks / "rows.jsonl").open("w") as handle:
        for i in range(n):
            Image.fromarray(rng.integers(0, 255, (side, side, 3), dtype=np.uint8)).save(tasks / f"{i}.png")
            handle.write(json.dumps({"id": str(i), "question": "How many red dots are there? Answer with a number.",
                                     "answer": str(i % 7), "images": [f"{i}.png"]}) + "\n")
    (tasks / "bench.yaml").write_text(
        "name: bench_count\nsuite: bench\ncategory: perception\nfamily: counting\n"
        "source: {kind: jsonl, path: rows.jsonl}\nprompt: {template: '{question}'}\nverifier: {name: count}\n")
    return tasks


def step_stats(trainer, completions_per_step: int) -> tuple[float, float]:
    logs = [e for e in trainer.state.log_history if "step_time" in e]
    times = [e["step_time"] for e in logs[1:]] or [logs[0]["step_time"]]
    tokens = [e["completions/mean_length"] * completions_per_step / e["step_time"] for e in logs[1:] or logs]
    return statistics.median(times), statistics.median(tokens)


def run_orsta(model: Path, tasks: Path, out: Path, args: argparse.Namespace) -> tuple[float, float]:
    from orsta_train.build import build
    from orsta_train.config import resolve_config

    release = {  # what one GPU cannot hold of vtriune-release is overridden (named in the output)
        "prompts_per_step": args.prompts, "eval_before_train": False,
    } if args.preset == "vtriune-release" else {}
    cfg = resolve_config(args.preset, {}, {
        "model": str(model), "tasks": "bench_count", "tasks_dir": [str(tasks)], "output": str(out),
        "max_steps": args.steps, "num_generations": args.generations, **release,
        "per_device_train_batch_size": args.prompts * args.generations,
        "max_completion_length": args.max_completion, "cot_rule": "none", "heldout_fraction": 0.0,
        "report_to": ["none"], "save_steps": 10**6, "device": args.device, "reward_workers": 2,
        "gradient_checkpointing": args.device == "cuda",
    })
    print(f"orsta-train preset {args.preset}; overrides: prompts per step {args.prompts}, completion length "
          f"{args.max_completion}, {args.steps} steps, no evaluation", flush=True)
    built = build(cfg)
    try:
        built.trainer.train()
        return step_stats(built.trainer, args.prompts * args.generations)
    finally:
        built.reward.close()


def run_bare(model_dir: Path, tasks: Path, out: Path, args: argparse.Namespace) -> tuple[float, float]:
    import torch
    from datasets import Dataset
    from PIL import Image
    from transformers import AutoModelForImageTextToText, AutoProcessor
    from trl import GRPOConfig, GRPOTrainer

    from orsta_train.presets import PRESETS
    from orsta_train.prompts import resize_for_processor

    recipe = PRESETS[args.preset]
    rows = [json.loads(line) for line in (tasks / "rows.jsonl").read_text().splitlines()]
    data = Dataset.from_list([{
        "prompt": [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": r["question"]}]}],
        "images": [resize_for_processor(Image.open(tasks / r["images"][0]), recipe.get("min_pixels"),
                                        recipe.get("max_pixels"))],
    } for r in rows])
    on_cuda = args.device == "cuda"
    model = AutoModelForImageTextToText.from_pretrained(
        str(model_dir), dtype=torch.bfloat16 if on_cuda else torch.float32)
    for name, parameter in model.named_parameters():
        if "visual." in name:
            parameter.requires_grad_(False)
    config = GRPOConfig(
        output_dir=str(out), max_steps=args.steps, per_device_train_batch_size=args.prompts * args.generations,
        num_generations=args.generations, max_completion_length=args.max_completion,
        beta=recipe["beta"], delta=recipe.get("delta"), weight_decay=recipe.get("weight_decay", 0.0),
        epsilon=0.2, epsilon_high=0.28, loss_type="dapo", learning_rate=1e-6,
        lr_scheduler_type="constant_with_warmup", warmup_steps=0.05, temperature=1.0, logging_steps=1,
        report_to="none", save_steps=10**6, use_cpu=not on_cuda, bf16=on_cuda, seed=0,
        remove_unused_columns=False, disable_tqdm=True, gradient_checkpointing=on_cuda,
    )

    def length_reward(completions, **_):
        return [float(len(c[-1]["content"]) % 3) for c in completions]

    trainer = GRPOTrainer(model=model, reward_funcs=[length_reward], args=config, train_dataset=data,
                          processing_class=AutoProcessor.from_pretrained(str(model_dir)))
    trainer.train()
    return step_stats(trainer, args.prompts * args.generations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", choices=sorted(SHAPES), default="3b")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--prompts", type=int, default=8)
    parser.add_argument("--generations", type=int, default=8)
    parser.add_argument("--max-completion", type=int, default=256)
    parser.add_argument("--image-side", type=int, default=448)
    parser.add_argument("--device", choices=["cuda", "cpu"], default="cuda")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--preset", choices=["vtriune", "vtriune-release"], default="vtriune",
                        help="recipe of both runs (release: KL 0.001 with a reference model, dual clip, pixel bounds)")
    args = parser.parse_args()
    import torch

    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("no GPU visible; use --device cpu --shape tiny for a smoke run")
    folder = args.workdir or Path(tempfile.mkdtemp(prefix="gpu_train_bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    model = build_model(args.shape, folder, args.device, max_pixels=args.image_side * args.image_side)
    tasks = write_task(folder, max(args.prompts * args.steps, 8), args.image_side)
    print(f"model {args.shape} built in {time.perf_counter() - started:.1f}s at {model}", flush=True)
    results = {}
    for name, runner in (("bare-trl", run_bare), ("orsta-train", run_orsta)):
        if args.device == "cuda":
            torch.cuda.reset_peak_memory_stats()
        step_s, tokens_s = runner(model, tasks, folder / f"out-{name}", args)
        peak = torch.cuda.max_memory_allocated() / 2**30 if args.device == "cuda" else 0.0
        results[name] = {"step_s": step_s, "gen_tokens_per_s": tokens_s, "peak_gib": peak}
        gc.collect()
        if args.device == "cuda":
            torch.cuda.empty_cache()
    print(f"preset={args.preset} shape={args.shape} device={args.device} prompts={args.prompts} generations={args.generations} "
          f"max_completion={args.max_completion} image={args.image_side}px steps={args.steps} (median excl. first)")
    for name, r in results.items():
        print(f"{name:12s} step {r['step_s']:8.2f} s   {r['gen_tokens_per_s']:9.1f} generated tok/s   "
              f"peak {r['peak_gib']:.1f} GiB")
    ratio = results["orsta-train"]["step_s"] / results["bare-trl"]["step_s"]
    print(f"orsta-train / bare TRL step time: {ratio:.3f}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
