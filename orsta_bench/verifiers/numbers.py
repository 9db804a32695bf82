"""Reading numbers out of answer text: integers for counting, reals for charts.

Tolerant of the ways models write numbers (1,234; $5; 45%; 1.2e3; "four"), strict about what is
not a number (NaN and infinities are never accepted)."""

from __future__ import annotations

import math
import re

_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?%?")
_WORDS = {
    word: value
    for value, word in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]
    )
}
_WORD = re.compile(r"\b(" + "|".join(_WORDS) + r")\b", re.IGNORECASE)
MAX_NUMBER_TEXT = 10_000  # scan only the tail of very long answers


def _numbers_at(text: str) -> list[tuple[int, float]]:
    """(position, value) of every finite number. The pattern admits only what float() reads
    (any Unicode decimal digits) once the commas and the % sign are dropped."""
    found: list[tuple[int, float]] = []
    for match in _NUMBER.finditer(text):
        value = float(match.group().removesuffix("%").replace(",", ""))
        if math.isfinite(value):
            found.append((match.start(), value))
    return found


def numbers_in(text: str) -> list[float]:
    """Every finite number in (the tail of) `text`, in order."""
    tail = text[-MAX_NUMBER_TEXT:].replace("−", "-")
    return [value for _, value in _numbers_at(tail)]


def last_number(text: str) -> float | None:
    """The last number in `text` (answers usually end with the value)."""
    found = numbers_in(text)
    return found[-1] if found else None


def parse_count(text: str) -> int | None:
    """A count: the last integer or number word (4, 4.0, "four"); None if absent or not whole."""
    tail = text[-MAX_NUMBER_TEXT:].replace("−", "-")
    candidates = _numbers_at(tail)
    candidates += [(m.start(), float(_WORDS[m.group(1).lower()])) for m in _WORD.finditer(tail)]
    if not candidates:
        return None
    _, value = max(candidates)
    return int(value) if value == int(value) else None


def reference_number(reference: object) -> float | None:
    """A numeric reference (number or numeric string); None when it is text."""
    if isinstance(reference, bool):
        return None
    if isinstance(reference, (int, float)):
        return float(reference) if math.isfinite(reference) else None
    if isinstance(reference, str):
        stripped = reference.strip().replace("−", "-").lstrip("$").rstrip("%").replace(",", "")
        try:
            value = float(stripped)
        except ValueError:
            return None
        return value if math.isfinite(value) else None
    return None


def close_enough(predicted: float, reference: float, rel_tol: float, abs_tol: float) -> bool:
    """|p - r| <= max(rel_tol * |r|, abs_tol); with both 0, exact equality."""
    return abs(predicted - reference) <= max(rel_tol * abs(reference), abs_tol)
