"""Built-in sample sources; importing this package registers them (see registry.py)."""

from orsta_bench.sources import jsonl  # noqa: F401
