"""SFT batches built in a DataLoader worker: sample generation and the processor run beside the
training step instead of before it (one worker keeps the seeded stream's order)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch


class ExampleBatches(torch.utils.data.IterableDataset):
    """Endless lists of `batch_size` SFT examples from the seeded task mixture."""

    def __init__(self, spec_dir: Path, weights: dict[str, float], seed: int, processor_dir: str,
                 batch_size: int, restate: bool = False) -> None:
        super().__init__()
        self.spec_dir, self.weights, self.seed = spec_dir, weights, seed
        self.processor_dir, self.batch_size, self.restate = processor_dir, batch_size, restate

    def __iter__(self) -> Iterator[list[dict[str, Any]]]:
        from transformers import AutoProcessor

        from orsta_train.nano.data import sample_stream, sft_example

        torch.set_num_threads(1)
        processor = AutoProcessor.from_pretrained(self.processor_dir)
        stream = sample_stream(self.spec_dir, self.weights, self.seed)
        while True:
            yield [sft_example(processor, next(stream), self.restate) for _ in range(self.batch_size)]
