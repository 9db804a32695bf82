"""Pins of verifiers/text_verifiers.py, ocr.py and numbers.py (issue 22): how numbers, letters
and strings are read from answers and references, and ANLS. Every expected value is worked out
by hand from the documented rule (ANLS: 1 - edit distance / longer length when under the
threshold, else 0, as ST-VQA / DocVQA define it)."""

from __future__ import annotations

import pytest

from orsta_bench.reward import score
from orsta_bench.score import Status
from orsta_bench.verifiers.numbers import (
    MAX_NUMBER_TEXT,
    close_enough,
    last_number,
    numbers_in,
    parse_count,
    reference_number,
)
from orsta_bench.verifiers.ocr import anls
from orsta_bench.verifiers.text_verifiers import normalize_text, read_letter

# --- numbers.py -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("1,234,567 and 1,23", [1234567.0, 1.0, 23.0]),  # a broken group is two numbers
    ("-3.5e2% +7 .5", [-350.0, 7.0, 0.5]),  # the % sign is dropped, not divided
    ("v2 x.5 3", [3.0]),  # glued to a word or a dot: not a number
    ("1e999 nan inf 2", [2.0]),  # infinities are never numbers
    ("−5 and −0.25", [-5.0, -0.25]),  # U+2212 minus
    ("١٢ apples", [12.0]),  # Arabic-Indic digits are digits
])
def test_numbers_in(text, expected):
    assert numbers_in(text) == expected


def test_only_the_tail_of_a_long_answer_is_read():
    assert numbers_in("7" + " " * (MAX_NUMBER_TEXT - 1)) == [7.0]
    assert numbers_in("7" + " " * MAX_NUMBER_TEXT) == []
    assert parse_count("7" + " " * (MAX_NUMBER_TEXT - 1)) == 7
    assert parse_count("7" + " " * MAX_NUMBER_TEXT) is None
    assert last_number("no digits") is None
    assert last_number("3 then 4.5%") == 4.5


@pytest.mark.parametrize(("text", "expected"), [
    ("four then 3", 3), ("3 then FOUR", 4), ("twenty", 20), ("zero", 0), ("4.0", 4),
    ("4.5", None), ("none", None), ("−2", -2), ("fourteen, no, 12", 12),
])
def test_parse_count_takes_the_last_whole_number_or_word(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize(("reference", "expected"), [
    (3, 3.0), (2.5, 2.5), (True, None), (float("inf"), None), (float("nan"), None),
    ("$1,234", 1234.0), ("45%", 45.0), (" −3 ", -3.0), ("1,000.5", 1000.5),
    ("abc", None), ("inf", None), ("1e999", None), ("X1", None), ("1X", None), ([1], None),
])
def test_reference_number(reference, expected):
    assert reference_number(reference) == expected


def test_close_enough_uses_the_larger_tolerance():
    assert close_enough(105.0, 100.0, 0.05, 0.0)
    assert not close_enough(105.01, 100.0, 0.05, 0.0)
    assert close_enough(102.0, 100.0, 0.0, 2.0)
    assert close_enough(1.0, 1.0, 0.0, 0.0) and not close_enough(1.0, 1.0 + 1e-12, 0.0, 0.0)


def test_number_verifier_reads_reference_forms():
    assert score("number", "45", "45%").accuracy == 1.0
    assert score("number", "5", "$5").accuracy == 1.0
    assert score("number", "1234", "1,234").accuracy == 1.0
    assert score("number", "-3", "−3").accuracy == 1.0
    assert score("number", "X1", "X1").accuracy == 1.0  # a text reference compares as text
    many = score("number", "It is 7.", ["seven", "7"])
    assert (many.accuracy, many.parsed) == (1.0, 7.0)


# --- text_verifiers.py ----------------------------------------------------------------------------

def test_normalize_text_options():
    assert normalize_text("  Ｈello\n  World. ") == "hello world."
    assert normalize_text("«Hello»!", strip_punct=True) == "«hello»"
    assert normalize_text("XRAY!", case_sensitive=True, strip_punct=True) == "XRAY"
    assert normalize_text("a  b", collapse_space=False) == "a  b"
    assert score("exact", "XRAY", "RAY", {"case_sensitive": True}).accuracy == 0.0
    assert score("exact", "a  b", "a b", {"collapse_space": False}).accuracy == 0.0
    assert score("exact", "paris.", "paris", {"strip_punct": False}).accuracy == 0.0
    assert score("exact", "x" * 600, "y").parsed == "x" * 500


@pytest.mark.parametrize("reference", [[], True, [True], [{}], [None], {"a": 1}])
def test_bad_references_are_record_errors(reference):
    result = score("exact", "x", reference)
    assert result.status == Status.ERROR
    assert result.detail.endswith(": reference must be a string, a number, or a non-empty list of them")


def test_count_reference_must_be_whole():
    assert score("count", "4", "4.0").accuracy == 1.0
    for reference in (4.5, "abc"):
        result = score("count", "4", reference)
        assert result.status == Status.ERROR
        assert f"count reference must be an integer, got {reference!r}" in result.detail


@pytest.mark.parametrize(("text", "options", "expected"), [
    ("cat", ["dog", "cat"], "B"),  # a one-word option text, not the letter C
    ("the cat.", ["dog", "the cat"], "B"),
    ("the cat", ["dog", "the cat."], "B"),
    ("so the answer is b", None, "B"),
    ("option A, option B, the answer is D", None, "D"),  # the last named letter
    ("not (A), not (B), but (D)", None, "D"),  # the last letter in parentheses
    ("*" * 50 + "B", None, None),  # a leading letter is only looked for in the first 50 characters
    ("x (B)" + "z" * 1998, None, None),  # letters are read from the last 2000 characters
    ("x (B)" + "z" * 1997, None, "B"),
])
def test_read_letter(text, options, expected):
    assert read_letter(text, options) == expected


def test_choice_references():
    assert score("choice", "B", "(B).").accuracy == 1.0
    assert score("choice", "X", "X").accuracy == 1.0
    for reference in ("BC", "1"):
        result = score("choice", "B", reference)
        assert result.status == Status.ERROR
        assert f"choice reference must be option letters like 'B', got {reference!r}" in result.detail
    out_of_range = score("choice", "C", "B", {"options": ["dog", "cat"]})
    assert out_of_range.detail == "answer 'C' is not an option letter (A-B)"


# --- ocr.py ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("answer", "reference", "threshold", "expected"), [
    ("", "", 0.5, 1.0),
    ("a", "", 0.5, 0.0),
    ("ab", "ac", 0.5, 0.0),  # NLD 1/2 is not under 0.5
    ("abc", "abd", 0.5, 1 - 1 / 3),
    ("abcdxxxxxx", "abcd", 1.0, 1 - 6 / 10),  # over twice as long, scored when the threshold allows
    ("abcd", "abcdxxxxxx", 1.0, 1 - 6 / 10),
    ("abcdxxxxxx", "abcd", 0.6, 0.0),  # NLD 0.6
])
def test_anls(answer, reference, threshold, expected):
    assert anls(answer, reference, threshold) == pytest.approx(expected)


def test_ocr_modes_and_parts():
    assert score("ocr", "Hello World.", "Hello World").accuracy == 0.0  # normalized keeps punctuation
    assert score("ocr", "  Hello World ", "Hello World", {"mode": "exact"}).accuracy == 1.0
    best = score("ocr", "hello", ["help", "hallo", "x"], {"mode": "anls"})
    assert best.accuracy == pytest.approx(0.8)
    assert best.parts == pytest.approx({"anls": 0.8})
    assert score("ocr", "x" * 600, "x", {"mode": "exact"}).parsed == "x" * 500
