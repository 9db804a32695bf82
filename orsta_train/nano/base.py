"""Step 1 of the recipe: the tokenizer (trained on training-seed prompts and answers) and the
untrained nano model folder."""

from __future__ import annotations

from pathlib import Path

from orsta_train.nano.model import NanoArch, build_nano_model

SYSTEM_PROMPT = "You are a helpful assistant."


def tokenizer_corpus(spec_dir: Path, per_task: int, restate: bool = False) -> list[str]:
    """Prompt texts and SFT targets of the first `per_task` training samples of each task."""
    from orsta_bench.api import content_parts, iter_samples, load_catalog
    from orsta_train.nano.data import sft_target

    texts = [SYSTEM_PROMPT, "user", "assistant", "system"]
    for loaded in load_catalog([spec_dir]):
        for sample in iter_samples(loaded, per_task):
            texts.extend(part["text"] for message in sample.messages for part in content_parts(message)
                         if part.get("type") == "text")
            texts.append(sft_target(sample, restate))
    return texts


def build_base(out_dir: Path, spec_dir: Path, arch: NanoArch, seed: int, corpus_per_task: int = 150,
               restate: bool = False) -> Path:
    from orsta_train.nano.tokenizer import build_tokenizer

    tokenizer = build_tokenizer(tokenizer_corpus(spec_dir, corpus_per_task, restate), arch.vocab_size)
    return build_nano_model(out_dir, tokenizer, arch, seed)
