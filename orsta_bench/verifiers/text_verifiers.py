"""Verifiers for short text answers: `count`, `number`, `exact`, `choice`."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field

from orsta_bench.score import Score
from orsta_bench.verifiers.base import (
    CommonParams,
    ConfigError,
    load_params,
    native_verifier,
    no_answer,
    result,
    unparsable,
)
from orsta_bench.verifiers.extract import extract_answer, normalise_unicode
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


@native_verifier("count", CountParams)
def count_verifier(response: str, reference: Any, params: dict[str, Any], context: dict[str, Any]) -> Score:
    """Integer match: the last whole number (or number word) in the answer equals the reference."""
    p = load_params(CountParams, params)
    gold = reference_number(reference)
    if gold is None or gold != int(gold):
        raise ConfigError(f"count reference must be an integer, got {reference!r}")
    extracted = extract_answer(response, p.answer_format)
    if not extracted.found:
        return no_answer(response, p, extracted.extractor)
    value = parse_count(extracted.text or "")
    if value is None:
        return unparsable(response, p, extracted.text or "", "a whole number", extracted.extractor)
    return result(1.0 if value == int(gold) else 0.0, response, p, parsed=value, extractor=extracted.extractor)


class NumberParams(CommonParams):
    rel_tol: float = Field(0.0, ge=0, description="relative tolerance (0.05 = ChartQA relaxed accuracy)")
    abs_tol: float = Field(0.0, ge=0)
    case_sensitive: bool = False


@native_verifier("number", NumberParams)
def number_verifier(response: str, reference: Any, params: dict[str, Any], context: dict[str, Any]) -> Score:
    """Numeric match within rel_tol/abs_tol; a non-numeric reference is compared as text."""
    p = load_params(NumberParams, params)
    references = reference_list(reference)
    extracted = extract_answer(response, p.answer_format)
    if not extracted.found:
        return no_answer(response, p, extracted.extractor)
    text = extracted.text or ""
    numeric = [reference_number(item) for item in references]
    if all(value is None for value in numeric):
        answer = normalize_text(text, p.case_sensitive, strip_punct=True)
        golds = [normalize_text(item, p.case_sensitive, strip_punct=True) for item in references]
        return result(1.0 if answer in golds else 0.0, response, p, parsed=answer, extractor=extracted.extractor)
    found = last_number(text)
    if found is None:
        return unparsable(response, p, text, "a number", extracted.extractor)
    value = found[0]
    correct = any(gold is not None and close_enough(value, gold, p.rel_tol, p.abs_tol) for gold in numeric)
    return result(1.0 if correct else 0.0, response, p, parsed=value, extractor=extracted.extractor)


class ExactParams(CommonParams):
    case_sensitive: bool = False
    collapse_space: bool = True
    strip_punct: bool = True


@native_verifier("exact", ExactParams)
def exact_verifier(response: str, reference: Any, params: dict[str, Any], context: dict[str, Any]) -> Score:
    """String equality after normalisation (case, whitespace, edge punctuation as configured)."""
    p = load_params(ExactParams, params)
    references = reference_list(reference)
    extracted = extract_answer(response, p.answer_format)
    if not extracted.found:
        return no_answer(response, p, extracted.extractor)
    answer = normalize_text(extracted.text or "", p.case_sensitive, p.collapse_space, p.strip_punct)
    golds = {normalize_text(item, p.case_sensitive, p.collapse_space, p.strip_punct) for item in references}
    return result(1.0 if answer in golds else 0.0, response, p, parsed=answer[:500], extractor=extracted.extractor)


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


@native_verifier("choice", ChoiceParams)
def choice_verifier(response: str, reference: Any, params: dict[str, Any], context: dict[str, Any]) -> Score:
    """Multiple choice: the letter read from the answer equals the reference letter."""
    p = load_params(ChoiceParams, params)
    golds = {item.strip().strip("().").upper() for item in reference_list(reference)}
    if not all(len(gold) == 1 and gold in LETTERS for gold in golds):
        raise ConfigError(f"choice reference must be option letters like 'B', got {reference!r}")
    extracted = extract_answer(response, p.answer_format)
    if not extracted.found:
        return no_answer(response, p, extracted.extractor)
    letter = read_letter(extracted.text or "", p.options)
    allowed = LETTERS[: p.n_options or (len(p.options) if p.options else 26)]
    if letter is None or letter not in allowed:
        return unparsable(response, p, extracted.text or "", f"an option letter ({allowed[0]}-{allowed[-1]})",
                          extracted.extractor)
    return result(1.0 if letter in golds else 0.0, response, p, parsed=letter, extractor=extracted.extractor)

