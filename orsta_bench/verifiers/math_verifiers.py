"""`math`: symbolic equivalence with math-verify (1/2 = 0.5 = \\frac{1}{2}, 3.0 = 3, x=2 vs 2, 50% = 0.5).

Used for the math, puzzle, science and chart families whenever the answer is a mathematical
expression. The reference may be a number or a string (LaTeX, `\\boxed{...}`, plain)."""

from __future__ import annotations

from typing import Any

from orsta_bench.score import Score, Status
from orsta_bench.verifiers import mathverify as mv
from orsta_bench.verifiers.base import Answer, CommonParams, ConfigError, answer_verifier, result

MAX_ANSWER_CHARS = 2_000  # a final answer longer than this is not an answer
MAX_BRACE_DEPTH = 40  # deeper LaTeX makes math-verify's parser crawl; no real answer nests this deep


def latex_problem(text: str) -> str | None:
    """Why `text` should not reach math-verify (unbalanced or absurdly nested braces), or None."""
    depth = deepest = 0
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif char == "}":
            depth -= 1
            if depth < 0:
                return "unbalanced braces"
    if depth:
        return "unbalanced braces"
    return f"braces nested {deepest} deep (limit {MAX_BRACE_DEPTH})" if deepest > MAX_BRACE_DEPTH else None


class MathParams(CommonParams):
    pass


def reference_text(reference: Any) -> str:
    if isinstance(reference, bool) or not isinstance(reference, (str, int, float)):
        raise ConfigError(f"reference must be a string or number, got {type(reference).__name__}")
    return str(reference)


def _math_reference(reference: Any, p: MathParams, context: dict[str, Any]) -> Any:
    gold = mv.parse_answer(reference_text(reference))
    if not gold:
        raise ConfigError(f"math-verify cannot parse the reference {reference!r}")
    return gold


@answer_verifier("math", MathParams, _math_reference)
def math_verifier(found: Answer, gold: Any, p: MathParams) -> Score:
    """Symbolic equivalence of the extracted answer and the reference (math-verify)."""
    response, text, extractor = found.response, found.text, found.extractor
    if len(text) > MAX_ANSWER_CHARS:
        text = text[-MAX_ANSWER_CHARS:]
    problem = latex_problem(text)
    if problem:
        return result(0.0, response, p, status=Status.PARSE_ERROR, extractor=extractor,
                      detail=f"answer not parsed: {problem}", parsed=text[:200])
    answer = mv.parse_answer(text)
    if not answer:
        return result(
            0.0, response, p, status=Status.PARSE_ERROR, extractor=extractor,
            detail="math-verify found no expression in the answer", parsed=text[:200],
        )
    correct = mv.verify(gold, answer)
    return result(
        1.0 if correct else 0.0, response, p, extractor=extractor, parsed=mv.shown(answer),
        detail="" if correct else f"{mv.shown(answer)!r} is not equivalent to {mv.shown(gold)!r}",
    )
