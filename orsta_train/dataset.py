"""Spec samples -> HF `datasets` rows that TRL's GRPOTrainer can train on.

A row holds what TRL needs (a conversational `prompt` with image placeholders and the `images`)
and everything the reward needs to score a completion, because reward functions only see dataset
columns: the sample record as JSON, its data source, and what the processor did to the images
(`image_grid_thw` in pixels and the resized `image_size`), so pixel-coordinate boxes can be
rescaled exactly as the model saw the image.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from orsta_bench.api import LoadedSpec, Sample, content_parts


class TrainDataError(ValueError):
    """A task that cannot be trained on (no samples, a verifier that cannot score); names the task."""


@dataclass
class TaskSplit:
    """One task's samples (or references to them with their `id`: load_splits' `keep`), split by
    sample id into train and held-out."""

    task: str
    train: list[Any]
    heldout: list[Any]


def heldout_key(task: str, sample_id: str) -> float:
    """A stable number in [0, 1) per (task, id): the split never moves when samples are added."""
    digest = hashlib.sha256(f"{task}\x00{sample_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_task(samples: list[Sample], task: str, fraction: float, max_heldout: int) -> TaskSplit:
    """Held-out = the samples whose id hashes below `fraction`, at most `max_heldout` of them."""
    ranked = sorted(samples, key=lambda s: heldout_key(task, s.id))
    heldout = [s for s in ranked if heldout_key(task, s.id) < fraction][:max_heldout]
    chosen = {s.id for s in heldout}
    return TaskSplit(task, [s for s in samples if s.id not in chosen], heldout)


def check_scorable(sample: Sample) -> None:
    """Score an empty response with a training context: a verifier that reports `error` or
    `not_scored` here (unknown verifier, needs a judge or network) cannot give rewards."""
    from orsta_bench.api import UNSCORABLE_STATUSES, score_sample, train_context

    score = score_sample(sample, "", train_context(0, 1))
    if score.status in UNSCORABLE_STATUSES:
        raise TrainDataError(
            f"task {sample.task!r}: verifier {sample.verifier.name!r} cannot score training samples "
            f"(status {score.status.value}: {score.detail or 'no detail'}); drop the task from --tasks "
            "or give it a verifier that runs offline"
        )


def load_splits(
    specs: list[LoadedSpec], limit: int | None, fraction: float, max_heldout: int,
    keep: Callable[[Sample], Any] = lambda sample: sample,
) -> list[TaskSplit]:
    """Each task's samples split into train and held-out. Every sample passes through `keep` as
    the source streams it, and the splits hold what `keep` returns (anything with the sample's
    `id`): orsta_train.spool keeps a small reference and the sample itself on disk."""
    from orsta_bench.api import iter_samples

    splits = []
    for loaded in specs:
        samples = []
        for sample in iter_samples(loaded, limit):
            if not samples:
                check_scorable(sample)
            samples.append(keep(sample))
        if not samples:
            raise TrainDataError(f"task {loaded.name!r} ({loaded.path}) produced no samples")
        split = split_task(samples, loaded.name, fraction, max_heldout)
        if not split.train:
            raise TrainDataError(
                f"task {loaded.name!r}: every sample went to the held-out split; lower heldout_fraction"
            )
        splits.append(split)
    return splits


def mixture(splits: list[TaskSplit], weights: dict[str, float], total: int | None, seed: int) -> list[Any]:
    """A shuffled training list where task t makes up a share w_t / sum(w) of `total` rows
    (default: as many rows as there are training samples). A task is cycled through in a
    seeded order, so a share larger than the task repeats samples as evenly as possible."""
    unknown = sorted(set(weights) - {s.task for s in splits})
    if unknown:
        raise TrainDataError(f"task_weights names tasks not in --tasks: {', '.join(unknown)}")
    w = [weights.get(s.task, 1.0) for s in splits]
    if sum(w) <= 0:
        raise TrainDataError("task_weights are all zero: nothing to train on")
    total = total or sum(len(s.train) for s in splits)
    exact = [total * x / sum(w) for x in w]
    counts = [int(x) for x in exact]
    for i in sorted(range(len(w)), key=lambda i: exact[i] - counts[i], reverse=True)[: total - sum(counts)]:
        counts[i] += 1
    rng = random.Random(seed)
    rows: list[Any] = []
    for split, count in zip(splits, counts, strict=True):
        order = split.train[:]
        rng.shuffle(order)
        rows.extend(order[i % len(order)] for i in range(count))
    rng.shuffle(rows)
    return rows


def to_trl_prompt(sample: Sample, cot: str | None = None) -> list[dict[str, Any]]:
    """Sample messages -> TRL conversational messages: image parts become `{"type": "image"}`
    (TRL fills them from the `images` column in order); the CoT instruction, if any, is appended
    once to the last message (orsta_train.prompts.apply_cot)."""
    from orsta_train.prompts import apply_cot

    out: list[dict[str, Any]] = []
    for message in sample.messages:
        parts = [{"type": "image"} if part.get("type") == "image" else {"type": "text", "text": part["text"]}
                 for part in content_parts(message)]
        out.append({"role": message["role"], "content": parts})
    return apply_cot(out, cot)


def image_geometry(image_processor: Any, sizes: list[tuple[int, int]], cache: dict | None = None) -> tuple[list[list[int]], list[int]]:
    """What the processor makes of images of these [width, height] sizes: `image_grid_thw` in
    pixels per image (patch grid times the patch size, as the V-Triune trainer sends it) and the
    first image's resized [width, height]. Empty without images. The grid depends only on the
    size, so the processor runs once per size (on a blank image; `cache` keeps the answers)."""
    from PIL import Image

    if not sizes:
        return [], []
    patch = int(getattr(image_processor, "patch_size", 14))
    pixels = []
    for size in sizes:
        value = cache.get(size) if cache is not None else None
        if value is None:
            blank = Image.new("RGB", size)
            t, h, w = image_processor(images=[blank], return_tensors="pt")["image_grid_thw"][0].tolist()
            value = [int(t), int(h) * patch, int(w) * patch]
            if cache is not None:
                cache[size] = value
        pixels.append(list(value))
    return pixels, [pixels[0][2], pixels[0][1]]


def sample_record(sample: Sample) -> str:
    """The sample as JSON without image bytes: all a reward needs to rebuild and score it."""
    data = sample.to_json_dict()
    data.pop("images")
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def sample_from_record(record: str) -> Sample:
    return Sample.from_json_dict(json.loads(record))


@dataclass(frozen=True)
class RowOptions:
    """How samples become training prompts (the released rules, see orsta_train.prompts)."""

    cot: Any = None  # an orsta_train.prompts.CotRule, or None for no instruction
    min_pixels: int | None = None
    max_pixels: int | None = None
    max_prompt_length: int | None = None
    drop_overlong: bool = False


def iter_rows(samples: Iterable[Sample], processor: Any, options: RowOptions, dropped: list[str]) -> Iterator[dict[str, Any]]:
    """Training rows with lazy images (datasets Image values: encoded bytes or a path), one
    sample at a time as `samples` yields them; the ids of samples dropped for an over-long prompt
    (only with options.drop_overlong; otherwise the first such sample raises PromptLengthError)
    are appended to `dropped`."""
    from orsta_train.prompts import check_length, prompt_tokens
    from orsta_train.trainset import lazy_image

    cache: dict = {}
    for sample in samples:
        entries = [lazy_image(image, options.min_pixels, options.max_pixels) for image in sample.images]
        images = [entry for entry, _ in entries]
        grid, size = image_geometry(processor.image_processor, [s for _, s in entries], cache)
        prompt = to_trl_prompt(sample, options.cot.instruction(sample) if options.cot else None)
        if options.max_prompt_length is not None:
            tokens = prompt_tokens(processor, prompt, grid)
            if tokens > options.max_prompt_length and options.drop_overlong:
                dropped.append(sample.id)
                continue
            check_length(tokens, options.max_prompt_length, sample)
        yield {
            "prompt": prompt,
            "images": images,
            "sample": sample_record(sample),
            "data_source": sample.data_source,
            "task": sample.task,
            "image_grid_thw": grid,
            "image_size": size,
        }
