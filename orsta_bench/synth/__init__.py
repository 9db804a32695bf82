"""Procedurally generated tasks for the eight V-Triune families, deterministic from a seed.

Importing this package registers the generators (see registry.py); `generate(name, seed, i)`
draws sample i. The `synthetic` source (orsta_bench.sources.synthetic) turns them into Samples.
"""

from orsta_bench.synth import chart, math_figs, ocr, puzzle, scene_tasks, science  # noqa: F401
from orsta_bench.synth.registry import GENERATORS, generate, get_generator

__all__ = ["GENERATORS", "generate", "get_generator"]
