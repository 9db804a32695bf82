"""math-verify, called the way this project needs it: no signal timeouts, no log noise.

math-verify's own timeout uses SIGALRM, which only works in a process's main thread and makes
results depend on machine speed. It is switched off here; `orsta_bench.scoring.ScoringPool`
bounds the time from outside instead.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

logging.getLogger("math_verify").setLevel(logging.CRITICAL)


def parse(text: str, config: Any = None, first_match: bool = False) -> list[Any]:
    """math-verify `parse` with its timeout off; [] on any failure."""
    import math_verify

    kwargs: dict[str, Any] = {"parsing_timeout": None}
    if config is not None:
        kwargs["extraction_config"] = config
    if first_match:
        kwargs["extraction_mode"] = "first_match"
    try:
        return math_verify.parse(text, **kwargs)
    except Exception:
        return []


def parse_answer(text: str) -> list[Any]:
    """Parse an already-extracted answer. Bare text is read as the content of a `\\boxed{}`, so
    LaTeX such as `10^{10^{10}}` or `x^2+1` is parsed whole (math-verify's anchor-free
    extraction would keep only a leading number); text with its own math delimiters is parsed
    as it is."""
    if any(mark in text for mark in ("$", "\\(", "\\[", "\\boxed")):
        return parse(text)
    return parse("\\boxed{" + text + "}") or parse(text)


def verify(gold: list[Any], answer: list[Any]) -> bool:
    """math-verify `verify` with its timeout off; False on any failure."""
    import math_verify

    try:
        return bool(math_verify.verify(gold, answer, timeout_seconds=None))
    except Exception:
        return False


@lru_cache(maxsize=1)
def vtriune_answer_config() -> list[Any]:
    """The prediction extraction of V-Triune's released server: LaTeX only, `\\boxed` first,
    no anchor-free fallback, strict normalisation (no nits, no malformed-operator repair)."""
    import math_verify
    from latex2sympy2_extended import NormalizationConfig

    return [
        math_verify.LatexExtractionConfig(
            normalization_config=NormalizationConfig(
                nits=False, malformed_operators=False, basic_latex=True, boxed="all", units=True
            ),
            boxed_match_priority=0,
            try_extract_without_anchor=False,
        )
    ]


def shown(parsed: list[Any]) -> str | None:
    """The human-readable form math-verify keeps as the last element of a parse."""
    return str(parsed[-1]) if parsed else None
