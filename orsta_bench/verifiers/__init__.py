"""Built-in verifiers; importing this package registers them (see registry.py)."""

from orsta_bench.verifiers import (  # noqa: F401  (registers them)
    box_verifiers,
    math_verifiers,
    megabench,  # noqa: F401,E402  (MEGA-Bench verifiers)
    ocr,
    text_verifiers,
    vtriune,
)
