"""Generator registry: a name to its knob model and its per-sample drawing function."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from orsta_bench.registry import Registry, first_doc_line
from orsta_bench.synth.common import Knobs, SynthItem, sample_rng

MakeFn = Callable[[Any, random.Random, np.random.Generator], SynthItem]


@dataclass(frozen=True)
class Generator:
    name: str
    knobs: type[Knobs]
    make: MakeFn
    description: str


GENERATORS: Registry[Generator] = Registry("synthetic generator", "orsta_bench.synth")


def register_generator(name: str, knobs: type[Knobs]) -> Callable[[MakeFn], MakeFn]:
    """Decorator; the function's docstring first line becomes the description."""

    def wrap(make: MakeFn) -> MakeFn:
        GENERATORS.add(name, Generator(name, knobs, make, first_doc_line(make)))
        return make

    return wrap


def get_generator(name: str) -> Generator:
    return GENERATORS.lookup(name)


def generate(name: str, seed: int, index: int, knobs: Knobs | None = None) -> SynthItem:
    """Sample `index` of generator `name`: a pure function of (name, seed, index, knobs)."""
    entry = get_generator(name)
    rng, nrng = sample_rng(name, seed, index)
    return entry.make(knobs if knobs is not None else entry.knobs(), rng, nrng)
