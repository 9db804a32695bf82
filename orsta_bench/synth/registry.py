"""Generator registry: a name to its knob model and its per-sample drawing function."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from orsta_bench.synth.common import Knobs, SynthItem, sample_rng

MakeFn = Callable[[Any, random.Random, np.random.Generator], SynthItem]


@dataclass(frozen=True)
class Generator:
    name: str
    knobs: type[Knobs]
    make: MakeFn
    description: str


GENERATORS: dict[str, Generator] = {}


def register_generator(name: str, knobs: type[Knobs]) -> Callable[[MakeFn], MakeFn]:
    """Decorator; the function's docstring first line becomes the description."""

    def wrap(make: MakeFn) -> MakeFn:
        if name in GENERATORS:
            raise RuntimeError(f"synthetic generator {name!r} registered twice")
        description = (make.__doc__ or "").strip().splitlines()[0] if make.__doc__ else ""
        GENERATORS[name] = Generator(name, knobs, make, description)
        return make

    return wrap


def get_generator(name: str) -> Generator:
    import orsta_bench.synth  # noqa: F401  (registers the built-in generators)

    if name not in GENERATORS:
        raise KeyError(f"unknown synthetic generator {name!r} (known: {', '.join(sorted(GENERATORS))})")
    return GENERATORS[name]


def generate(name: str, seed: int, index: int, knobs: Knobs | None = None) -> SynthItem:
    """Sample `index` of generator `name`: a pure function of (name, seed, index, knobs)."""
    entry = get_generator(name)
    rng, nrng = sample_rng(name, seed, index)
    return entry.make(knobs if knobs is not None else entry.knobs(), rng, nrng)
