"""Pins of verifiers/math_verifiers.py and mathverify.py (issue 22): what reaches math-verify
(brace checks, the answer's tail), how an answer is handed to it (bare text as a box's content,
text with its own delimiters as it is), and the statuses and details around it.

Equivalence values are analytic (3 is not 4; `the value $3$ then 4` ends with 4): math-verify
itself decides them, and these inputs have one right answer."""

from __future__ import annotations

import pytest

from orsta_bench.reward import score
from orsta_bench.score import Status
from orsta_bench.verifiers import mathverify as mv
from orsta_bench.verifiers.math_verifiers import MAX_ANSWER_CHARS, MAX_BRACE_DEPTH, latex_problem

PLAIN = {"answer_format": "plain"}


@pytest.mark.parametrize(("text", "problem"), [
    (r"\frac{1}{2}", None),
    ("{", "unbalanced braces"),
    ("}", "unbalanced braces"),
    ("}{", "unbalanced braces"),  # closing before opening, though the count ends at 0
    (r"\{ x", None),  # an escaped brace does not count
    ("\\\\{", "unbalanced braces"),  # an escaped backslash escapes nothing after it
    ("{" * MAX_BRACE_DEPTH + "}" * MAX_BRACE_DEPTH, None),
    ("{" * 41 + "}" * 41, "braces nested 41 deep (limit 40)"),
    ("{}" * 50, None),  # many groups, none deep
])
def test_latex_problem(text, problem):
    assert MAX_BRACE_DEPTH == 40
    assert latex_problem(text) == problem


def test_a_brace_problem_is_a_parse_error_naming_it():
    result = score("math", "{" * 41 + "1" + "}" * 41, "1", PLAIN)
    assert (result.status, result.accuracy) == (Status.PARSE_ERROR, 0.0)
    assert result.detail == "answer not parsed: braces nested 41 deep (limit 40)"
    assert result.parsed == ("{" * 41 + "1" + "}" * 41)
    long = score("math", "}" + "x" * 300, "1", PLAIN)
    assert (long.detail, long.parsed) == ("answer not parsed: unbalanced braces", ("}" + "x" * 300)[:200])


def test_only_the_answers_last_2000_characters_are_read():
    assert MAX_ANSWER_CHARS == 2000
    kept = score("math", "}" + " " * 1999 + "5", "5", PLAIN)  # the stray brace falls off
    assert (kept.status, kept.accuracy) == (Status.OK, 1.0)
    whole = score("math", "}" + " " * 1998 + "5", "5", PLAIN)
    assert whole.status == Status.PARSE_ERROR


def test_no_expression_and_wrong_answer_details():
    empty = score("math", "$$", "1", PLAIN)
    assert (empty.status, empty.detail, empty.parsed) == (
        Status.PARSE_ERROR, "math-verify found no expression in the answer", "$$")
    wrong = score("math", r"\boxed{3}", "4")
    assert (wrong.status, wrong.accuracy, wrong.parsed, wrong.extractor) == (Status.OK, 0.0, "3", "boxed")
    assert wrong.detail == "'3' is not equivalent to '4'"
    right = score("math", r"\boxed{0.5}", r"\frac{1}{2}")
    assert (right.accuracy, right.detail) == (1.0, "")


@pytest.mark.parametrize(("reference", "detail"), [
    ("", "math-verify cannot parse the reference ''"),
    ("$$", "math-verify cannot parse the reference '$$'"),
    (True, "reference must be a string or number, got bool"),
    ([1], "reference must be a string or number, got list"),
    (None, "reference must be a string or number, got NoneType"),
])
def test_bad_references_are_record_errors(reference, detail):
    result = score("math", "1", reference)
    assert result.status == Status.ERROR
    assert result.detail.endswith(detail)


def test_numeric_references():
    assert score("math", "4", 4, PLAIN).accuracy == 1.0
    assert score("math", "0.25", 0.25, PLAIN).accuracy == 1.0


@pytest.mark.parametrize("response", [
    "the value $3$ then 4", r"the value \[3\] then 4", r"the value \(3\) then 4",
])
def test_text_with_its_own_delimiters_is_parsed_as_it_is(response):
    """Read as a box's content, `the value 3 then 4` would be one product of symbols."""
    assert score("math", response, "4", PLAIN).accuracy == 1.0


def test_delimiter_marks_each_send_the_text_as_it_is():
    assert score("math", r"7 \(", "7", PLAIN).accuracy == 1.0
    assert score("math", r"3 \boxed", "3", PLAIN).accuracy == 1.0


def test_bare_text_is_a_box_content():
    assert mv.shown(mv.parse_answer("10^{10^{10}}")) == "10^{10^{10}}"
    assert mv.shown(mv.parse_answer("$$")) is None


def test_parse_and_verify_never_raise():
    assert mv.parse(None) == []  # type: ignore[arg-type]
    assert mv.verify(None, None) is False  # type: ignore[arg-type]
    assert mv.verify(mv.parse_answer("3"), mv.parse_answer("3")) is True
    assert mv.shown([]) is None


def test_vtriune_answer_config_reads_latex_only():
    """The released V-Triune server's extraction: no anchor-free fallback, so a bare number or
    a `$5$` without an answer anchor is not read; a box is."""
    config = mv.vtriune_answer_config()
    assert config is mv.vtriune_answer_config()  # built once
    assert mv.parse("the answer is 5", config=config) == []
    assert mv.shown(mv.parse(r"so \boxed{5}", config=config)) == "5"


def test_parse_answer_reads_every_match_first_match_only_the_rightmost():
    """math-verify tries matches from the right: any_match (the default here) goes on past an
    unparsable `$)($` to `$3$`; first_match (V-Triune's server) stops at it."""
    text = "$3$ then $)($"
    assert mv.shown(mv.parse_answer(text)) == ")("  # the fallback string is kept last
    assert score("math", text, "3", PLAIN).accuracy == 1.0
    assert mv.parse(text, first_match=True) == [")("]


def test_an_unclosed_display_math_is_no_expression():
    r"""`\[` marks text parsed as it is: `\[5` then holds no expression (as a box's content it
    would be an unparsable string, scored 0 as a wrong answer instead)."""
    result = score("math", r"\[5", "5", PLAIN)
    assert (result.status, result.detail) == (Status.PARSE_ERROR, "math-verify found no expression in the answer")


def test_parse_and_verify_work_off_the_main_thread():
    """math-verify's own timeouts use SIGALRM and raise in a worker thread; they are off here."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(mv.parse_answer, "3").result()[0] == 3
        assert pool.submit(mv.parse, "$3$").result()[0] == 3
        gold = mv.parse_answer("3")
        assert pool.submit(mv.verify, gold, mv.parse_answer("3.0")).result() is True


def test_a_failing_math_verify_gives_false_and_no_parse(monkeypatch):
    import math_verify

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(math_verify, "verify", broken)
    monkeypatch.setattr(math_verify, "parse", broken)
    assert mv.verify([1], [1]) is False
    assert mv.parse("1") == []


def test_shown_is_the_last_element():
    assert mv.shown([1, 2, "s"]) == "s"
    assert mv.shown(["only"]) == "only"
