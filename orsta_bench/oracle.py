"""The ideal response to a sample: its ground truth written in the answer format its prompt asks for.

The oracle backend answers with this text; scoring it must give 1.0 on every built-in synthetic
task, which proves that generators, prompts, answer extraction and verifiers agree (the same
sanity check MEGA-Bench runs on its own pipeline).
"""

from __future__ import annotations

import json
from typing import Any

from orsta_bench.sample import Sample

THINK = "I read the image carefully and worked out the answer."


def answer_text(sample: Sample) -> str:
    """The bare answer: `metadata["answer_text"]` when the source wrote it, else the ground truth
    (strings as they are, numbers and structures as JSON)."""
    text = sample.metadata.get("answer_text")
    if isinstance(text, str):
        return text
    truth: Any = sample.ground_truth
    return truth if isinstance(truth, str) else json.dumps(truth)


def render_answer(answer: str, answer_format: str) -> str:
    """`answer` wrapped the way a prompt of `answer_format` (PromptSpec.format) asks for it."""
    if answer_format == "boxed":
        return f"\\boxed{{{answer}}}"
    if answer_format == "answer_tag":
        return f"<answer>{answer}</answer>"
    if answer_format == "vtriune":
        return f"<think>\n{THINK}\n</think>\n<answer>\n{answer}\n</answer>"
    if answer_format == "answer_line":
        return f"Answer: {answer}"
    if answer_format in ("json", "plain"):
        return answer
    raise ValueError(f"unknown answer format {answer_format!r} (one of boxed, answer_tag, vtriune,"
                     " answer_line, json, plain)")


def ideal_response(sample: Sample) -> str:
    """The response a perfect model gives to `sample` (format from `metadata["answer_format"]`)."""
    return render_answer(answer_text(sample), sample.metadata.get("answer_format", "plain"))
