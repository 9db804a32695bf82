"""Pins of verifiers/extract.py (issue 22): Unicode normalisation, each extractor's exact reading
and the literal parser's repairs. Expected values are worked out by hand from each docstring's
rule (NFKC from the Unicode tables, JSON / Python literal syntax)."""

from __future__ import annotations

import pytest

from orsta_bench.verifiers.extract import (
    LITERAL_EVAL_MAX_CHARS,
    REFERENCE_NORMALISE_DEPTH,
    Extracted,
    extract_answer,
    find_answer_line,
    find_answer_tag,
    find_boxed,
    find_literal_span,
    normalise_reference,
    normalise_unicode,
    parse_literal,
    strip_fences,
    strip_think,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("plain ascii", "plain ascii"),
    ("１２ Ｂ", "12 B"),
    ("10³", "10^3"),
    ("x¹²", "x^{12}"),
    ("m⁻¹ s⁻²", "m^{-1} s^{-2}"),
    ("ﬁne\u00a0day", "fine day"),  # ligature and no-break space
    ("(a)⁽²⁾", "(a)^{(2)}"),
])
def test_normalise_unicode(text, expected):
    assert normalise_unicode(text) == expected


def nested(depth: int, leaf):
    for _ in range(depth):
        leaf = [leaf]
    return leaf


def test_normalise_reference_walks_lists_dicts_and_tuples_to_a_depth():
    assert normalise_reference({"ｋ": ("Ｂ", 1, None), "n": 2.5}) == {"ｋ": ["B", 1, None], "n": 2.5}
    assert REFERENCE_NORMALISE_DEPTH == 8
    assert normalise_reference(nested(8, "Ｂ")) == nested(8, "B")
    assert normalise_reference(nested(9, "Ｂ")) == nested(9, "Ｂ")  # deeper: left as it is
    assert normalise_reference({"a": nested(7, "Ｂ")}) == {"a": nested(7, "B")}
    assert normalise_reference({"a": nested(8, "Ｂ")}) == {"a": nested(8, "Ｂ")}


def test_extracted_found_needs_non_blank_text():
    assert Extracted("x", "plain").found
    assert not Extracted(" \n", "plain").found
    assert not Extracted(None, "none").found


def test_strip_think():
    assert strip_think("<think>a</think>b</think>c") == "c"
    assert strip_think("<think>a<think>b") == "a<think>b"  # only the first unclosed tag goes
    assert strip_think("no tags") == "no tags"
    assert strip_think("</think>x") == "x"  # a closing tag at the very start


@pytest.mark.parametrize(("text", "expected"), [
    (r"\boxed {x}", ["x"]),
    (r"\boxed{a}\boxed{b}", ["a", "b"]),
    (r"{\boxed{1}}", ["1"]),
    (r"\boxed{ {x} }", [" {x} "]),
    (r"}} \boxed{2}", ["2"]),  # closing braces before any opening one are skipped
    (r"\boxed{\}}", [r"\}"]),
    (r"\boxed{a{b}", []),  # never closed
    (r"\boxed", []),
    ("{x}", []),
])
def test_find_boxed(text, expected):
    assert find_boxed(text) == expected


def test_find_answer_tag():
    assert find_answer_tag("<answer>a</answer>") == "a"
    assert find_answer_tag("x</answer>") is None  # a closing tag alone is no answer
    assert find_answer_tag("<answer>a</answer> <answer>b") == "a"
    assert find_answer_tag("<answer>a<answer>b") == "b"  # unclosed: from the last opening tag


@pytest.mark.parametrize(("text", "expected"), [
    ("> **Answer**: x", "x"),
    ("# Final   answer: y", "y"),
    ("Answer：z", "z"),  # full-width colon
    ("Answer: 5\nAnswer:   \n", "5"),  # an empty answer line does not count
    ("Answer: _*6*_", "6"),
    ("ANSWER IS 3", "3"),
    ("the answer is: 7.\nmore", "7"),
    ("the answer is .", None),
    ("Answer: X", "X"),
    ("the answer is X.", "X"),
    ("the answer is 3, no, the answer is 4", "4"),  # the last "answer is"
    ("the answer is 7\na\nb", "7"),  # its line only
    ("the answer is", None),
])
def test_find_answer_line(text, expected):
    assert find_answer_line(text) == expected


def test_strip_fences():
    assert strip_fences("```python\na\n``` and ```\nb\n```") == "b"
    assert strip_fences("  no fence  ") == "no fence"
    assert strip_fences("``` only one") == "``` only one"


@pytest.mark.parametrize(("response", "fmt", "text", "extractor"), [
    (None, "auto", None, "none"),
    ("  ", "plain", None, "none"),
    ("x\nAnswer: 4", "answer_line", "4", "answer_line"),
    ("no line", "answer_line", None, "none"),
    ("```\n[1]\n```", "json", "[1]", "json"),
    (" [1] ", "json", "[1]", "json"),
    ("<think>t</think> 5 ", "plain", "5", "plain"),
    (r"<answer> </answer> \boxed{3}", "auto", "3", "boxed"),
    (r"<answer>\boxed{1} \boxed{2}</answer>", "answer_tag", "2", "answer_tag"),
    ("<answer> 7 </answer>", "answer_tag", "7", "answer_tag"),
    ("7", "answer_tag", None, "none"),
    ("7", "vtriune", None, "none"),  # vtriune reads the tag only, as answer_tag
    ("x\nAnswer: 4", "plain", "x\nAnswer: 4", "plain"),  # plain reads everything
    (r"\boxed{ 8 }", "boxed", "8", "boxed"),
    ("see\n```\n[2]\n```", "auto", "[2]", "json"),
])
def test_extract_answer(response, fmt, text, extractor):
    got = extract_answer(response, fmt)
    assert (got.text, got.extractor) == (text, extractor)


@pytest.mark.parametrize(("text", "expected"), [
    ("[1, 2] and more", ([1, 2], "repaired")),  # prose after the literal
    ('[{"a": 1}, {"b": 2}] and more', ([{"a": 1}, {"b": 2}], "repaired")),  # every item kept
    ('[{"a": 1}, {"b": 2}, oops]', (None, "")),  # garbage inside a closed list is not dropped
    ('[{"a": [1]}, {"a": [2', ([{"a": [1]}], "repaired")),  # truncated: closed after the last item
    ("{'a': true}", ({"a": True}, "repaired")),  # single quotes with a JSON-only word
    ("[[1], [2]] and more", ([[1], [2]], "repaired")),
    ('{"a": {"b": 1}} and more', ({"a": {"b": 1}}, "repaired")),
    ("[] x", ([], "repaired")),
    ("[1]x", ([1], "repaired")),
    ('{"a": 1} ok', ({"a": 1}, "repaired")),
    ("{'a': None, 'b': False}", ({"a": None, "b": False}, "literal")),
    ('[{"a": true,}, ]', ([{"a": True}], "repaired")),  # JSON with trailing commas
    ("[None, True, False,] !", ([None, True, False], "repaired")),
    ("(1, 2)", ((1, 2), "literal")),
    ("```json\n[3]\n```", ([3], "json")),
    ("   ", (None, "")),
    ("[1, 2", (None, "")),
    ("] x", (None, "")),
    ("[" * 100_000, (None, "")),
])
def test_parse_literal(text, expected):
    assert parse_literal(text) == expected


def test_parse_literal_of_non_text_and_long_python_literals():
    assert parse_literal(None) == (None, "")  # type: ignore[arg-type]
    tuple_text = "(" + "1, " * ((LITERAL_EVAL_MAX_CHARS - 4) // 3) + "11)"
    assert len(tuple_text) == LITERAL_EVAL_MAX_CHARS
    assert parse_literal(tuple_text)[1] == "literal"
    longer = "(" + "1, " * (LITERAL_EVAL_MAX_CHARS // 3 + 1) + ")"
    assert parse_literal(longer) == (None, "")  # too long to hand to literal_eval


def test_find_literal_span():
    assert find_literal_span("see {a} [1]") == "{a} [1]"
    assert find_literal_span("see [1] {a}") == "[1] {a}"
    assert find_literal_span("none") == "none"
    assert find_literal_span("[1] [2]") == "[1] [2]"
    assert find_literal_span("[1] {a}") == "[1] {a}"  # the first bracket, at position 0 too
    assert find_literal_span("x {a} {b}") == "{a} {b}"
