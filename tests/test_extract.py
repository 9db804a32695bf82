"""Answer extraction: each extractor, the precedence of `auto`, and hostile shapes in bounded time."""

import time

import pytest

from orsta_bench.verifiers.extract import (
    extract_answer,
    find_answer_line,
    find_answer_tag,
    find_boxed,
    parse_literal,
    strip_think,
)


def test_boxed_nested_and_escaped_braces():
    assert find_boxed(r"so \boxed{\frac{1}{2}} and \boxed{x^{2}}") == [r"\frac{1}{2}", "x^{2}"]
    assert find_boxed(r"\boxed{\{1,2\}}") == [r"\{1,2\}"]
    assert find_boxed(r"\boxed{\boxed{4}}") == [r"\boxed{4}"]  # outermost only
    assert find_boxed(r"\boxed{4") == []  # unclosed: ignored
    assert find_boxed(r"\fbox{7}") == ["7"]


def test_answer_tag_last_and_unclosed():
    assert find_answer_tag("<answer>1</answer> then <answer>2</answer>") == "2"
    assert find_answer_tag("<answer>open to the end") == "open to the end"
    assert find_answer_tag("none") is None


def test_answer_line_variants():
    assert find_answer_line("work\nAnswer: 42\n") == "42"
    assert find_answer_line("**Final Answer:** B") == "B"
    assert find_answer_line("So the answer is 7.") == "7"
    assert find_answer_line("nothing here") is None


def test_think_is_dropped():
    assert strip_think("<think>\nAnswer: 1\n</think>\nAnswer: 2") == "\nAnswer: 2"
    assert extract_answer("<think>\nAnswer: 1\n</think>\nAnswer: 2").text == "2"


@pytest.mark.parametrize(
    ("response", "fmt", "text", "extractor"),
    [
        ("<answer>\\boxed{5}</answer>", "auto", "5", "answer_tag"),
        ("x \\boxed{5} y", "auto", "5", "boxed"),
        ("Answer: 5", "auto", "5", "answer_line"),
        ("  5  ", "auto", "5", "plain"),
        ("```json\n[1, 2]\n```", "auto", "[1, 2]", "json"),
        ("Answer: 5", "boxed", None, "none"),  # a named format is strict
        ("<think>\nhm\n</think>\n<answer>\n5\n</answer>", "vtriune", "5", "answer_tag"),
        ("", "auto", None, "none"),
    ],
)
def test_extract_answer_formats(response, fmt, text, extractor):
    got = extract_answer(response, fmt)
    assert (got.text, got.extractor) == (text, extractor)


def test_parse_literal_repairs():
    assert parse_literal('[{"a": 1}]') == ([{"a": 1}], "json")
    assert parse_literal("[{'a': 1, 'b': True}]") == ([{"a": 1, "b": True}], "literal")
    assert parse_literal('[{"a": null},]') == ([{"a": None}], "repaired")
    truncated = '[{"a": 1}, {"a": 2}, {"a": 3'
    assert parse_literal(truncated) == ([{"a": 1}, {"a": 2}], "repaired")
    assert parse_literal("not a literal") == (None, "")


@pytest.mark.parametrize(
    "response",
    [
        "\\boxed{" * 200_000,
        "{" * 500_000 + "}" * 10,
        "Answer:" + " " * 500_000 + "x",
        "[" * 100_000,
        "<answer>" * 50_000,
        "x" * 2_000_000,
    ],
)
def test_hostile_text_is_linear(response):
    start = time.perf_counter()
    extract_answer(response)
    parse_literal(response)
    assert time.perf_counter() - start < 3.0
