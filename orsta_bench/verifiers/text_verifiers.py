"""Verifiers for short text answers: `count`, `number`, `exact`, `choice`."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field

from orsta_bench.score import Score
from orsta_bench.verifiers.base import (
    Answer,
    CommonParams,
    ConfigError,
    answer_verifier,
    result,
    unparsable,
)
from orsta_bench.verifiers.extract import normalise_unicode
from orsta_bench.verifiers.numbers import close_enough, last_number, parse_count, reference_number


def normalize_text(text: str, case_sensitive: bool = False, collapse_space: bool = True,
                   strip_punct: bool = False) -> str:
    """Unicode-normalised (as every native verifier's input), optional lower-casing, whitespace
    collapsing and edge punctuation stripping."""
    text = normalise_unicode(text)
    if not case_sensitive:
        text = text.casefold()
    if collapse_space:
        text = " ".join(text.split())
    if strip_punct:
        text = text.strip(" .,;:!?\"'`*()[]")
    return text.strip()


def reference_list(reference: Any) -> list[str]:
    """A string reference or a list of acceptable strings."""
    items = reference if isinstance(reference, list) else [reference]
    if not items or not all(isinstance(item, (str, int, float)) and not isinstance(item, bool) for item in items):
        raise ConfigError("reference must be a string, a number, or a non-empty list of them")
    return [str(item) for item in items]


class CountParams(CommonParams):
    pass


def _count_reference(reference: Any, p: CountParams, context: dict[str, Any]) -> int:
    gold = reference_number(reference)
    if gold is None or gold != int(gold):
        raise ConfigError(f"count reference must be an integer, got {reference!r}")
    return int(gold)


@answer_verifier("count", CountParams, _count_reference)
def count_verifier(answer: Answer, gold: int, p: CountParams) -> Score:
    """Integer match: the last whole number (or number word) in the answer equals the reference."""
    value = parse_count(answer.text)
    if value is None:
        return unparsable(answer.response, p, answer.text, "a whole number", answer.extractor)
    return result(1.0 if value == gold else 0.0, answer.response, p, parsed=value, extractor=answer.extractor)


class NumberParams(CommonParams):
    rel_tol: float = Field(0.0, ge=0, description="relative tolerance (0.05 = ChartQA relaxed accuracy)")
    abs_tol: float = Field(0.0, ge=0)
    case_sensitive: bool = False


def _references(reference: Any, p: CommonParams, context: dict[str, Any]) -> list[str]:
    return reference_list(reference)


@answer_verifier("number", NumberParams, _references)
def number_verifier(answer: Answer, references: list[str], p: NumberParams) -> Score:
    """Numeric match within rel_tol/abs_tol; a non-numeric reference is compared as text."""
    response, text, extractor = answer.response, answer.text, answer.extractor
    numeric = [reference_number(item) for item in references]
    if all(value is None for value in numeric):
        normalised = normalize_text(text, p.case_sensitive, strip_punct=True)
        golds = [normalize_text(item, p.case_sensitive, strip_punct=True) for item in references]
        return result(1.0 if normalised in golds else 0.0, response, p, parsed=normalised, extractor=extractor)
    value = last_number(text)
    if value is None:
        return unparsable(response, p, text, "a number", extractor)
    correct = any(gold is not None and close_enough(value, gold, p.rel_tol, p.abs_tol) for gold in numeric)
    return result(1.0 if correct else 0.0, response, p, parsed=value, extractor=extractor)


class ExactParams(CommonParams):
    case_sensitive: bool = False
    collapse_space: bool = True
    strip_punct: bool = True


@answer_verifier("exact", ExactParams, _references)
def exact_verifier(answer: Answer, references: list[str], p: ExactParams) -> Score:
    """String equality after normalisation (case, whitespace, edge punctuation as configured)."""
    text = normalize_text(answer.text, p.case_sensitive, p.collapse_space, p.strip_punct)
    golds = {normalize_text(item, p.case_sensitive, p.collapse_space, p.strip_punct) for item in references}
    return result(1.0 if text in golds else 0.0, answer.response, p, parsed=text[:500], extractor=answer.extractor)


LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LEAD_LETTER = re.compile(r"^[\s*_]*[(\[]?([A-Z])[)\]]?(?=[\s.:,)*_]|$)")
_NAMED_LETTER = re.compile(r"(?:answer|option|choice)\s*(?:is|:)?\s*[*_]*[(\[]?([A-Z])[)\]]?(?![A-Za-z])", re.IGNORECASE)
_PAREN_LETTER = re.compile(r"\(([A-Z])\)")


class ChoiceParams(CommonParams):
    n_options: int | None = Field(None, ge=1, le=26, description="letters allowed: the first n")
    options: list[str] | None = Field(None, description="option texts in order, to read text answers")


def read_letter(text: str, options: list[str] | None) -> str | None:
    """The chosen letter: "(B) the cat", "B.", "B", "Answer: B", "option (B)", or an option text."""
    stripped = text.strip()
    if len(stripped) == 1 and stripped.isalpha():
        return stripped.upper()
    tail = stripped[-2000:]
    match = _LEAD_LETTER.match(stripped[:50])
    if match:
        return match.group(1)
    named = list(_NAMED_LETTER.finditer(tail))
    if named:
        return named[-1].group(1).upper()
    if options:
        answer = normalize_text(stripped, strip_punct=True)
        for index, option in enumerate(options):
            if answer == normalize_text(option, strip_punct=True):
                return LETTERS[index]
    paren = _PAREN_LETTER.findall(tail)
    return paren[-1] if paren else None


def _choice_references(reference: Any, p: ChoiceParams, context: dict[str, Any]) -> set[str]:
    golds = {item.strip().strip("().").upper() for item in reference_list(reference)}
    if not all(len(gold) == 1 and gold in LETTERS for gold in golds):
        raise ConfigError(f"choice reference must be option letters like 'B', got {reference!r}")
    return golds


@answer_verifier("choice", ChoiceParams, _choice_references)
def choice_verifier(answer: Answer, golds: set[str], p: ChoiceParams) -> Score:
    """Multiple choice: the letter read from the answer equals the reference letter."""
    letter = read_letter(answer.text, p.options)
    allowed = LETTERS[: p.n_options or (len(p.options) if p.options else 26)]
    if letter is None or letter not in allowed:
        return unparsable(answer.response, p, answer.text, f"an option letter ({allowed[0]}-{allowed[-1]})",
                          answer.extractor)
    return result(1.0 if letter in golds else 0.0, answer.response, p, parsed=letter, extractor=answer.extractor)

