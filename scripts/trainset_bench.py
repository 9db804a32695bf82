"""Start-up and memory of building the shared training set for N synthetic rows of Orsta's
shape, through the trainer's own path (orsta_train.trainset.training_data), CPU, tiny processor.

    python scripts/trainset_bench.py --rows 47000 --workdir /tmp/trainset-bench

The source is a V-Triune parquet file like Orsta-Data-47k's: one image per row stored as its
encoded bytes (JPEG, 448-1024 px sides, `--images` distinct ones cycled), a 20-80-word prompt,
half vtriune.mathverify and half vtriune.detection; the `vtriune-release` preset's row settings
(CoT rule, 512²-2048² pixel bounds, max_prompt_length 8192). Three fresh processes: prepare
(writes the images and the parquet file once per row count), build (what the main process does:
peak RSS and seconds) and open (what every other rank does).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

TASK = "bench_orsta_shape"


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss it is not inherited across
    exec, so a child's figure is its own)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_images(folder: Path, count: int, seed: int) -> list[bytes]:
    import numpy as np
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    encoded = []
    for index in range(count):
        path = folder / f"{index:06d}.jpg"
        width, height = (int(v) for v in rng.integers(448, 1025, size=2))
        base = rng.integers(0, 255, size=(height // 16, width // 16, 3), dtype=np.uint8)
        if not path.exists():
            Image.fromarray(base).resize((width, height)).save(path, quality=85)
        encoded.append(path.read_bytes())
    return encoded


def samples(images: list[bytes], rows: int, seed: int):
    from orsta_bench.api import Sample, SampleImage, VerifierCall, user_message

    rng = random.Random(seed)
    for index in range(rows):
        math = index % 2 == 0
        verifier = (VerifierCall("vtriune.mathverify", {"accuracy_ratio": 1.0, "format_ratio": 0.1}) if math
                    else VerifierCall("vtriune.detection", {"accuracy_ratio": 1.0, "format_ratio": 0.1}))
        question = " ".join(rng.choice(["what", "is", "the", "value", "of", "x", "box", "each", "dog"])
                            for _ in range(rng.randint(20, 80)))
        truth = "4" if math else '[{"bbox_2d": [1, 2, 30, 40], "label": "dog"}]'
        yield Sample(id=str(index), task=TASK, data_source="math" if math else "detection",
                     messages=user_message(question, 1), ground_truth=truth,
                     verifier=verifier, images=[SampleImage(data=images[index % len(images)])])


def parquet_path(args: argparse.Namespace) -> Path:
    return args.workdir / f"orsta_shape_{args.rows}.parquet"


def prepare(args: argparse.Namespace) -> None:
    from orsta_bench.api import sample_to_row, write_vtriune

    images = make_images(args.workdir / "images", args.images, args.seed)
    if not parquet_path(args).exists():
        rows = (sample_to_row(s, extension=False) for s in samples(images, args.rows, args.seed))
        write_vtriune(rows, parquet_path(args), extension=False)
    spec = args.workdir / f"{TASK}.yaml"
    spec.write_text(f"name: {TASK}\nsuite: bench\ncategory: reasoning\nfamily: math\n"
                    f"source: {{kind: vtriune, files: '{parquet_path(args)}', math_instruction: none}}\n"
                    "verifier: {name: vtriune.mathverify}\n", encoding="utf-8")


class _OneProcess:
    """What training_data needs of TrainingArguments when there is one process."""

    def main_process_first(self, local: bool = True, desc: str = "") -> contextlib.AbstractContextManager:
        return contextlib.nullcontext()


def build(args: argparse.Namespace) -> None:
    from orsta_bench.api import load_spec, tiny_model_path
    from orsta_train.config import resolve_config
    from orsta_train.model import load_processor
    from orsta_train.trainset import training_data

    output = args.workdir / "out"
    shutil.rmtree(output, ignore_errors=True)
    cfg = resolve_config("vtriune-release", {}, {"model": "tiny", "tasks": TASK, "output": str(output),
                                                 "heldout_max_per_task": 64})
    spec = load_spec(args.workdir / f"{TASK}.yaml", [args.workdir])
    processor = load_processor(tiny_model_path())
    start = time.perf_counter()
    train, heldout = training_data(cfg, [spec], processor, _OneProcess())
    seconds = time.perf_counter() - start
    peak = peak_rss_mb()
    (folder,) = (output / ".trainset").iterdir()
    disk = sum(f.stat().st_size for f in folder.iterdir()) / 2**20
    print(json.dumps({"phase": "build (main process)", "rows": len(train), "heldout": len(heldout),
                      "seconds": round(seconds, 1), "peak_rss_mb": round(peak), "disk_mb": round(disk),
                      "load_average": [round(v, 1) for v in os.getloadavg()]}))


def load(args: argparse.Namespace) -> None:
    start = time.perf_counter()
    from datasets import Dataset

    (folder,) = (args.workdir / "out" / ".trainset").iterdir()
    train = Dataset.from_file(str(folder / "train.arrow"))
    opened = time.perf_counter() - start
    first = train[len(train) // 2]["images"][0].size
    peak = peak_rss_mb()
    print(json.dumps({"phase": "open (other ranks)", "rows": len(train), "seconds_incl_import": round(opened, 2),
                      "peak_rss_mb": round(peak), "decoded_one_image": list(first)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=47000)
    parser.add_argument("--images", type=int, default=2000, help="distinct images (rows cycle over them)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/trainset-bench"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--phase", choices=["all", "prepare", "build", "load"], default="all")
    args = parser.parse_args()
    phases = {"prepare": prepare, "build": build, "load": load}
    if args.phase != "all":
        phases[args.phase](args)
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    for phase in phases:  # each in a fresh process: one phase's memory is not another's
        subprocess.run([sys.executable, __file__, "--phase", phase, "--rows", str(args.rows), "--images",
                        str(args.images), "--workdir", str(args.workdir), "--seed", str(args.seed)], check=True)


if __name__ == "__main__":
    main()
