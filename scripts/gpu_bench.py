"""GPU figures for docs/BENCHMARKS.md: hf backend prompts/s at several batch sizes on a
Qwen2.5-VL-7B-shaped model with random weights (built locally from a config, no hub), and the
harness overhead ratio (`orsta-bench run` wall time / the same backend generating the same
requests with nothing around it).

    python scripts/gpu_bench.py                                   # one H100/H200: 7b shape
    python scripts/gpu_bench.py --shape tiny --device cpu --batches 1,4 --new-tokens 8   # smoke

Prints one JSON line per measurement and a summary; `--json PATH` writes them all. The trainer
step comparison is scripts/gpu_train_bench.py (scripts/gpu_bench.sh runs both).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gpu_train_bench import build_model  # noqa: E402  (the same model builder as the train bench)

QUESTION = "Describe the image in detail."


def write_task(folder: Path, n: int, side: int, new_tokens: int) -> Path:
    """A jsonl task of `n` random side x side images (the run's input and the bare requests')."""
    import numpy as np
    from PIL import Image

    tasks = folder / "gen_tasks"
    tasks.mkdir(parents=True)
    rng = np.random.default_rng(0)
    with (tasks / "rows.jsonl").open("w") as handle:
        for i in range(n):
            Image.fromarray(rng.integers(0, 255, (side, side, 3), dtype=np.uint8)).save(tasks / f"{i}.png")
            handle.write(json.dumps({"id": str(i), "question": QUESTION, "answer": "x",
                                     "images": [f"{i}.png"]}) + "\n")
    (tasks / "genbench.yaml").write_text(
        "name: genbench\nsuite: genbench\ncategory: perception\nfamily: ocr\n"
        "source: {kind: jsonl, path: rows.jsonl}\nprompt: {template: '{question}'}\n"
        f"verifier: {{name: ocr}}\ngeneration: {{max_new_tokens: {new_tokens}}}\n")
    return tasks


def requests(tasks: Path) -> list:
    from orsta_bench.api import (
        ChatRequest,
        generation_for,
        iter_samples,
        load_catalog,
        select_tasks,
    )

    (loaded,) = select_tasks(load_catalog([tasks]), "genbench")
    settings = generation_for(loaded.spec, {}, 0)
    return [ChatRequest(f"{s.task}/{s.id}", s.messages, s.images, settings) for s in iter_samples(loaded)]


def throughput(model: Path, reqs: list, batch: int, device: str, dtype: str) -> dict:
    from orsta_bench.api import HFBackend

    backend = HFBackend(model, batch_size=batch, dtype=dtype, device=device)
    list(backend.generate(reqs[:1]))  # warm-up (kernels, allocator)
    started = time.perf_counter()
    out = list(backend.generate(reqs[:batch]))
    seconds = time.perf_counter() - started
    tokens = sum(r.completion_tokens or 0 for r in out)
    del backend
    _free(device)
    return {"what": "hf_throughput", "batch": batch, "prompts": len(out), "seconds": round(seconds, 3),
            "prompts_per_s": round(len(out) / seconds, 3), "gen_tokens_per_s": round(tokens / seconds, 1)}


def overhead(model: Path, tasks: Path, reqs: list, batch: int, device: str, dtype: str, out: Path) -> dict:
    from orsta_bench.api import HFBackend, RunConfig, Runner

    started = time.perf_counter()
    backend = HFBackend(model, batch_size=batch, dtype=dtype, device=device)
    assert len(list(backend.generate(reqs))) == len(reqs)
    raw = time.perf_counter() - started
    del backend
    _free(device)
    config = RunConfig(model=str(model), tasks="genbench", output=out, batch_size=batch, workers=2,
                       tasks_dir=[tasks], progress=False, backend_args={"dtype": dtype, "device": device})
    started = time.perf_counter()
    outcome = Runner(config).run()
    run = time.perf_counter() - started
    _free(device)
    assert outcome.n_new == len(reqs)
    return {"what": "harness_overhead", "samples": len(reqs), "batch": batch, "bare_s": round(raw, 2),
            "run_s": round(run, 2), "ratio": round(run / raw, 3),
            "overhead_ms_per_sample": round(1000 * (run - raw) / len(reqs), 1)}


def _free(device: str) -> None:
    import gc

    import torch

    gc.collect()
    if device.startswith("cuda"):
        torch.cuda.empty_cache()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", choices=["tiny", "3b", "7b"], default="7b")
    parser.add_argument("--device", choices=["cuda", "cpu"], default="cuda")
    parser.add_argument("--batches", default="1,8,32,64")
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--image-side", type=int, default=448)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    import torch

    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("no GPU visible; use --device cpu --shape tiny for a smoke run")
    batches = [int(b) for b in args.batches.split(",")]
    dtype = "bfloat16" if args.device == "cuda" else "float32"
    folder = args.workdir or Path(tempfile.mkdtemp(prefix="gpu_bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    model = build_model(args.shape, folder, args.device, max_pixels=args.image_side * args.image_side)
    tasks = write_task(folder, max(batches), args.image_side, args.new_tokens)
    reqs = requests(tasks)
    results = [{"what": "setup", "shape": args.shape, "device": args.device, "dtype": dtype,
                "gpu": torch.cuda.get_device_name() if args.device == "cuda" else "cpu",
                "new_tokens": args.new_tokens, "image_side": args.image_side,
                "build_s": round(time.perf_counter() - started, 1)}]
    print(json.dumps(results[-1]), flush=True)
    for batch in batches:
        results.append(throughput(model, reqs, batch, args.device, dtype))
        print(json.dumps(results[-1]), flush=True)
    results.append(overhead(model, tasks, reqs, max(batches), args.device, dtype, folder / "run"))
    print(json.dumps(results[-1]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
