"""Generating 1,000 samples of each synthetic family (image drawn and PNG-encoded, as the
source does). Run: pytest benchmarks/bench_synth.py --benchmark-only"""

from __future__ import annotations

import pytest

from orsta_bench.sample import SampleImage
from orsta_bench.synth import GENERATORS, generate

SAMPLES = 1000


def make_many(name: str) -> int:
    total = 0
    for index in range(SAMPLES):
        item = generate(name, 0, index)
        total += len(SampleImage.from_pil(item.image).read_bytes())
    return total


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generate_1000(benchmark, name):
    encoded = benchmark.pedantic(make_many, args=(name,), rounds=1, iterations=1)
    assert encoded > SAMPLES * 100  # every sample produced a real PNG
