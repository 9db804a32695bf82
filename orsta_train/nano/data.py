"""Training data for nano-Orsta: derived task specs on training seeds, and SFT batches.

Evaluation reads `tasks/synth/*.yaml` (seed 0). Training never sees those samples: each phase
writes one small spec per task that includes the shipped spec and overrides only the source seed
(and sample count), so prompts, verifiers and rewards are the shipped ones, byte for byte. SFT
targets are the oracle's answers (`orsta_bench.oracle.ideal_response`) in the format each
prompt asks for, optionally with the counted kind named first (`sft_target`).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from orsta_bench.api import Sample


def write_train_specs(out_dir: Path, tasks: list[str], seed: int, n: int,
                      verifier_params: dict[str, dict[str, Any]] | None = None,
                      source_knobs: dict[str, dict[str, Any]] | None = None) -> Path:
    """One `<task>.yaml` per task in `out_dir`: the shipped spec with source seed/n replaced and
    optional verifier params (e.g. a training IoU threshold) and source knobs (easier training
    data) merged in."""
    from orsta_bench.api import load_catalog, select_tasks

    out_dir.mkdir(parents=True, exist_ok=True)
    for loaded in select_tasks(load_catalog(None), ",".join(tasks)):
        source = {"seed": seed, "n": n, **(source_knobs or {}).get(loaded.name, {})}
        spec: dict[str, Any] = {"include": str(Path(loaded.path).resolve()), "source": source}
        params = (verifier_params or {}).get(loaded.name)
        if params:
            spec["verifier"] = {"params": params}
        (out_dir / f"{loaded.name}.yaml").write_text(yaml.safe_dump(spec, sort_keys=True))
    return out_dir


def sample_stream(spec_dir: Path, weights: dict[str, float], seed: int) -> Iterator[Sample]:
    """An endless, seeded mixture: each draw picks a task with probability proportional to its
    weight and takes that task's next sample (each task's samples come in index order)."""
    from orsta_bench.api import load_catalog

    specs = {s.name: s for s in load_catalog([spec_dir]) if weights.get(s.name, 0) > 0}
    names = sorted(specs)
    streams = {name: _cycle(specs[name]) for name in names}
    rng = random.Random(seed)
    w = [weights[name] for name in names]
    while True:
        name = rng.choices(names, w)[0]
        yield next(streams[name])


def _cycle(loaded: Any) -> Iterator[Sample]:
    from orsta_bench.api import iter_samples

    while True:
        yield from iter_samples(loaded, None)


def prompt_text(processor: Any, sample: Sample) -> tuple[str, list[Any]]:
    """The chat-templated prompt exactly as the HF backend builds it, and its PIL images."""
    from orsta_bench.api import to_hf_messages

    messages, images = to_hf_messages(sample.messages, sample.images)
    text = processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return text, [image.to_pil() for image in images]


def sft_target(sample: Sample, restate: bool = False) -> str:
    """The oracle's answer in the format the prompt asks for. With `restate`, a counting answer
    first names the kind it counts ("yellow square \\boxed{2}"): a few words of reasoning that put
    what the question asks for right before the count, which the sanity check found turns a
    150,000-sample plateau into about 19,000 samples (docs/NANO.md). Other tasks are unchanged."""
    from orsta_bench.api import ideal_response

    target = sample.metadata.get("synth", {}).get("target") if restate else None
    if isinstance(target, dict) and sample.metadata.get("answer_format") == "boxed":
        kind = " ".join(str(target[key]) for key in ("color", "shape") if target.get(key))
        return f"{kind} {ideal_response(sample)}"
    return ideal_response(sample)


def sft_example(processor: Any, sample: Sample, restate: bool = False) -> dict[str, Any]:
    """The SFT example of a synth sample: its prompt as the HF backend builds it, `sft_target`
    as the target."""
    text, images = prompt_text(processor, sample)
    return encode_example(processor, text, images, sft_target(sample, restate), sample.task)


def encode_example(processor: Any, text: str, images: list[Any], answer: str, task: str) -> dict[str, Any]:
    """Processor outputs for prompt + answer + <|im_end|>, and labels on the answer only.
    The answer is tokenized on its own so the labelled tokens are exactly what generation yields."""
    import torch

    inputs = processor(text=[text], images=images or None, return_tensors="pt")
    tokenizer = processor.tokenizer
    answer_ids = tokenizer(answer, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    answer_t = torch.tensor([answer_ids], dtype=inputs["input_ids"].dtype)
    ids = torch.cat([inputs["input_ids"], answer_t], dim=1)
    example = {
        "input_ids": ids[0],
        "attention_mask": torch.ones(ids.shape[1], dtype=torch.long),
        "mm_token_type_ids": torch.cat([inputs["mm_token_type_ids"][0], torch.zeros(len(answer_ids), dtype=torch.long)]),
        "labels": torch.cat([torch.full((inputs["input_ids"].shape[1],), -100), answer_t[0]]),
        "task": task,
    }
    if images:
        example["pixel_values"] = inputs["pixel_values"]
        example["image_grid_thw"] = inputs["image_grid_thw"]
    return example


def collate(examples: list[dict[str, Any]], pad_id: int) -> dict[str, Any]:
    """Left-pad to the longest example (as generation does) and stack the image tensors."""
    import torch

    width = max(len(e["input_ids"]) for e in examples)

    def pad(key: str, value: int) -> Any:
        return torch.stack([torch.cat([torch.full((width - len(e[key]),), value, dtype=e[key].dtype), e[key]])
                            for e in examples])

    batch = {"input_ids": pad("input_ids", pad_id), "attention_mask": pad("attention_mask", 0),
             "mm_token_type_ids": pad("mm_token_type_ids", 0), "labels": pad("labels", -100)}
    with_images = [e for e in examples if "pixel_values" in e]
    if with_images:
        batch["pixel_values"] = torch.cat([e["pixel_values"] for e in with_images])
        batch["image_grid_thw"] = torch.cat([e["image_grid_thw"] for e in with_images])
    return batch
