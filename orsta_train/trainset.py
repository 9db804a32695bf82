"""The training set built once per job and shared: Arrow files on disk, images lazy.

The main process builds it into OUTPUT/.trainset/<key>/ and streams all the way: each task's
samples go to a scratch spool on disk as the source yields them (orsta_train.spool; only ids
stay in memory), the held-out split and the seeded mixture are drawn over those references, and
the rows are written in that order with datasets' ArrowWriter, WRITE_BATCH_ROWS at a time
(prompt-length check included), so its memory does not grow with the row count. The other
processes wait for it (TrainingArguments.main_process_first) and memory-map the same files.
Images are stored as their encoded bytes or file path and decoded when a batch reads them; only
an image outside [min_pixels, max_pixels] is decoded at build time, to be resized and
re-encoded. `key` hashes everything the rows depend on, so a changed config or spec builds a new
set and a resumed run reuses the old one.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from orsta_bench.api import SampleImage, atomic_folder
from orsta_train.spool import SpoolReader, SpoolWriter

DONE = "complete.json"
WRITE_BATCH_ROWS = 100  # rows per Arrow record batch (datasets' own choice for image sets)
SPOOL = "samples.spool.arrow"  # the build's scratch copy of the source, removed before it completes


def features() -> Any:
    from datasets import Features, Image, List, Value

    message = {"role": Value("string"), "content": List({"type": Value("string"), "text": Value("string")})}
    return Features({
        "prompt": List(message),
        "images": List(Image()),
        "sample": Value("string"),
        "data_source": Value("string"),
        "task": Value("string"),
        "image_grid_thw": List(List(Value("int64"))),
        "image_size": List(Value("int64")),
    })


def lazy_image(image: SampleImage, min_pixels: int | None, max_pixels: int | None) -> tuple[dict[str, Any], tuple[int, int]]:
    """The datasets Image value ({bytes, path}) and the size the processor will see. Reads only
    the header unless the image must be resized."""
    from PIL import Image

    from orsta_train.prompts import resize_for_processor, resized_size

    with Image.open(image.path if image.path is not None else io.BytesIO(image.data)) as opened:
        size = opened.size
        target = resized_size(*size, min_pixels, max_pixels)
        if target == size:
            return {"bytes": image.data, "path": image.path}, size
        resized = resize_for_processor(opened, min_pixels, max_pixels)
    buffer = io.BytesIO()
    resized.save(buffer, format="PNG", compress_level=1)
    return {"bytes": buffer.getvalue(), "path": None}, resized.size


def cache_key(parts: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def write_split(rows: Iterable[dict[str, Any]], path: Path, batch_rows: int = WRITE_BATCH_ROWS) -> int:
    """Write `rows` as they come, `batch_rows` at a time (the writer's buffer is all it holds)."""
    from datasets.arrow_writer import ArrowWriter

    count = 0
    with ArrowWriter(features=features(), path=str(path), writer_batch_size=batch_rows) as writer:
        for row in rows:
            writer.write(row)
            count += 1
        writer.finalize()
    return count


def build_or_load(folder: Path, build: Callable[[Path], dict[str, Any]], main_first: Any) -> tuple[Any, Any, dict[str, Any]]:
    """(train, held-out, build info) from `folder`, built there first by the main process:
    `build(staging)` writes train.arrow and heldout.arrow and returns what to record (counts)."""
    from datasets import Dataset

    with main_first:
        if not (folder / DONE).is_file():
            # A process-private staging folder: where OUTPUT is not shared between nodes, each
            # node builds its own copy, and two builders never write into one folder.
            try:
                with atomic_folder(folder) as staging:
                    info = build(staging)
                    (staging / DONE).write_text(json.dumps(info, sort_keys=True))
            except OSError:
                if not (folder / DONE).is_file():  # not another builder finishing first
                    raise
    info = json.loads((folder / DONE).read_text())
    train = Dataset.from_file(str(folder / "train.arrow"))
    heldout = Dataset.from_file(str(folder / "heldout.arrow"))
    return train, heldout, info


def eval_samples(specs: list[Any], limit: int | None) -> Iterator[Any]:
    """The evaluation tasks' samples in source order, streamed."""
    from orsta_bench.api import iter_samples

    for loaded in specs:
        yield from iter_samples(loaded, limit)


def row_options(cfg: Any) -> Any:
    from orsta_train.dataset import RowOptions
    from orsta_train.prompts import CotRule

    cot = None
    if cfg.cot_rule == "release":
        cot = CotRule(tuple(cfg.cot_verifiers), cfg.cot_instruction_freeform, cfg.cot_instruction_tagged)
    return RowOptions(cot, cfg.min_pixels, cfg.max_pixels, cfg.max_prompt_length, cfg.drop_overlong_prompts)


# Config keys the rows depend on (with the specs and the processor's image settings).
ROW_KEYS = ("tasks", "task_weights", "samples_per_task", "heldout_fraction", "heldout_max_per_task",
            "train_size", "seed", "cot_rule", "cot_verifiers", "cot_instruction_freeform",
            "cot_instruction_tagged", "min_pixels", "max_pixels", "max_prompt_length",
            "drop_overlong_prompts", "eval_tasks", "eval_samples_per_task")


def training_data(cfg: Any, specs: list[Any], processor: Any, args: Any,
                  eval_specs: list[Any] | None = None) -> tuple[Any, list[dict[str, Any]]]:
    """The training dataset (memory-mapped) and the evaluation rows (decoded): the samples of
    `eval_specs` when given, else the held-out split. Built once by the main process under
    OUTPUT/.trainset/<key>/ and read by every process."""
    from orsta_train import dataset as ds
    from orsta_train.config import ConfigError

    image_processor = processor.image_processor
    key = cache_key({
        "config": {k: getattr(cfg, k) for k in ROW_KEYS},
        "specs": {loaded.name: loaded.content_hash for loaded in specs},
        "eval_specs": {loaded.name: loaded.content_hash for loaded in eval_specs or []},
        "processor": {k: getattr(image_processor, k, None) for k in ("min_pixels", "max_pixels", "patch_size", "merge_size")},
        "chat_template": processor.tokenizer.chat_template,
    })

    def build(folder: Path) -> dict[str, Any]:
        spool_path = folder / SPOOL
        with SpoolWriter(spool_path) as spool:
            splits = ds.load_splits(specs, cfg.samples_per_task, cfg.heldout_fraction, cfg.heldout_max_per_task,
                                    keep=spool.add)
        train_refs = ds.mixture(splits, cfg.task_weights, cfg.train_size, cfg.seed)
        options = row_options(cfg)
        dropped: list[str] = []
        with SpoolReader(spool_path) as spooled:
            n_train = write_split(ds.iter_rows(map(spooled.get, train_refs), processor, options, dropped),
                                  folder / "train.arrow")
            n_dropped_train = len(dropped)
            heldout_samples = (eval_samples(eval_specs, cfg.eval_samples_per_task) if eval_specs
                               else map(spooled.get, [ref for split in splits for ref in split.heldout]))
            n_heldout = write_split(ds.iter_rows(heldout_samples, processor, options, dropped), folder / "heldout.arrow")
        spool_path.unlink()
        if not n_train:
            raise ConfigError("every training prompt is over max_prompt_length; raise it or lower max_pixels")
        if dropped:
            n_dropped_heldout = len(dropped) - n_dropped_train
            print(f"orsta-train: dropped {n_dropped_train} of {n_train + n_dropped_train} training and "
                  f"{n_dropped_heldout} of {n_heldout + n_dropped_heldout} held-out prompts over "
                  f"max_prompt_length {cfg.max_prompt_length} (drop_overlong_prompts)")
        return {"train": n_train, "heldout": n_heldout, "dropped": len(dropped)}

    folder = Path(cfg.output) / ".trainset" / key
    train, heldout, _ = build_or_load(folder, build, args.main_process_first(local=False, desc="training set"))
    return train, [dict(row) for row in heldout]
