"""Built-in verifiers; importing this package registers them (see registry.py)."""
from orsta_bench.verifiers import megabench  # noqa: F401,E402  (MEGA-Bench verifiers)
