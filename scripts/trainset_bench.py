"""Start-up and memory of building the shared training set for N synthetic rows of Orsta's
shape (one image per prompt, a short question, a vtriune.* verifier call), CPU, tiny processor.

    python scripts/trainset_bench.py --rows 47000 --workdir /tmp/trainset-bench

Images are written once as JPEG files (distinct pixels, 448-1024 px sides, like a mixed VQA
set); the rows carry their paths. Reports: the main process's build time and peak RSS, then, in a
fresh process, the time to open the built set from disk (what every other rank does) and its
peak RSS, and the on-disk size.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss it is not inherited across
    exec, so a child's figure is its own)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_images(folder: Path, count: int, seed: int) -> list[Path]:
    import numpy as np
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    for index in range(count):
        path = folder / f"{index:06d}.jpg"
        if not path.exists():
            width, height = (int(v) for v in rng.integers(448, 1025, size=2))
            base = rng.integers(0, 255, size=(height // 16, width // 16, 3), dtype=np.uint8)
            Image.fromarray(base).resize((width, height)).save(path, quality=85)
        paths.append(path)
    return paths


def samples(paths: list[Path], rows: int, seed: int):
    from orsta_bench.api import Sample, SampleImage, VerifierCall, user_message

    rng = random.Random(seed)
    for index in range(rows):
        math = index % 2 == 0
        verifier = (VerifierCall("vtriune.mathverify", {"accuracy_ratio": 1.0, "format_ratio": 0.1}) if math
                    else VerifierCall("vtriune.detection", {"accuracy_ratio": 1.0, "format_ratio": 0.1}))
        question = " ".join(rng.choice(["what", "is", "the", "value", "of", "x", "box", "each", "dog"])
                            for _ in range(rng.randint(20, 80)))
        yield Sample(id=str(index), task="bench", data_source="math" if math else "detection",
                     messages=user_message(question, 1), ground_truth="4",
                     verifier=verifier, images=[SampleImage(path=str(paths[index % len(paths)]))])


def build(args: argparse.Namespace) -> None:
    from orsta_bench.api import tiny_model_path
    from orsta_train.dataset import RowOptions, iter_rows
    from orsta_train.model import load_processor
    from orsta_train.prompts import CotRule
    from orsta_train.trainset import write_split

    paths = make_images(args.workdir / "images", args.images, args.seed)
    processor = load_processor(tiny_model_path())
    options = RowOptions(CotRule(("vtriune.mathverify",), "Think.", "Think in tags."),
                         512 * 512, 2048 * 2048, 8192, False)
    out = args.workdir / "set"
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    count = write_split(iter_rows(samples(paths, args.rows, args.seed), processor, options, []), out / "train.arrow")
    seconds = time.perf_counter() - start
    peak = peak_rss_mb()
    print(json.dumps({"phase": "build (main process)", "rows": count, "seconds": round(seconds, 1),
                      "peak_rss_mb": round(peak), "disk_mb": round((out / "train.arrow").stat().st_size / 2**20)}))


def load(args: argparse.Namespace) -> None:
    start = time.perf_counter()
    from datasets import Dataset

    train = Dataset.from_file(str(args.workdir / "set" / "train.arrow"))
    opened = time.perf_counter() - start
    first = train[len(train) // 2]["images"][0].size
    peak = peak_rss_mb()
    print(json.dumps({"phase": "open (other ranks)", "rows": len(train), "seconds_incl_import": round(opened, 2),
                      "peak_rss_mb": round(peak), "decoded_one_image": list(first)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=47000)
    parser.add_argument("--images", type=int, default=2000, help="distinct image files (rows cycle over them)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/trainset-bench"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--phase", choices=["all", "load"], default="all")
    args = parser.parse_args()
    if args.phase == "load":
        load(args)
        return
    build(args)
    subprocess.run([sys.executable, __file__, "--phase", "load", "--workdir", str(args.workdir)], check=True)


if __name__ == "__main__":
    main()
