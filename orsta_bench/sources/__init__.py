"""Built-in sample sources; importing this package registers them (see registry.py)."""

from orsta_bench.megabench import source as _megabench_source  # noqa: F401
from orsta_bench.sources import jsonl, synthetic, vtriune  # noqa: F401
