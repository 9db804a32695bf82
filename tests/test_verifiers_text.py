"""math, count, number, exact, choice, ocr: hand-checked answers through the one reward function."""

import pytest

from orsta_bench.reward import score


def acc(verifier, response, reference, **params):
    result = score(verifier, response, reference, params)
    assert result.status.value != "error", result.detail
    return result.accuracy


@pytest.mark.parametrize(
    ("response", "reference", "expected"),
    [
        (r"\boxed{\frac{1}{2}}", "0.5", 1.0),
        ("Answer: 0.5", r"\frac{1}{2}", 1.0),
        ("3.0", "3", 1.0),
        ("x=2", "2", 1.0),
        ("50%", "0.5", 1.0),
        (r"\boxed{x^2+1}", "1+x^2", 1.0),
        (r"\boxed{10^{10}}", "10", 0.0),  # the whole power, not its leading number
        (r"\boxed{3}", "4", 0.0),
    ],
)
def test_math(response, reference, expected):
    assert acc("math", response, reference) == expected


def test_math_statuses():
    assert score("math", "", "1").status.value == "no_answer"
    assert score("math", r"\boxed{3}", ["x"]).status.value == "error"  # bad reference is a record error
    assert score("math", r"\boxed{3}", "1", {"answer_format": "nope"}).status.value == "error"


@pytest.mark.parametrize(
    ("response", "expected", "status"),
    [("There are 4 dogs.", 1.0, "ok"), ("four", 1.0, "ok"), ("4.0", 1.0, "ok"), ("I see 3, no 4", 1.0, "ok"),
     ("5", 0.0, "ok"), ("4.5", 0.0, "parse_error"), ("many", 0.0, "parse_error")],
)
def test_count(response, expected, status):
    result = score("count", response, 4)
    assert (result.accuracy, result.status.value) == (expected, status)


def test_number_relaxed_accuracy_boundary():
    assert acc("number", "104.9", "100", rel_tol=0.05) == 1.0
    assert acc("number", "105.1", "100", rel_tol=0.05) == 0.0
    assert acc("number", "Answer: 1,234", "1234") == 1.0
    assert acc("number", "45%", "45") == 1.0
    assert acc("number", "0.01", "0", abs_tol=0.01) == 1.0
    assert acc("number", "Yes.", "yes") == 1.0  # text references compare as text
    assert score("number", "nan", "1").status.value == "parse_error"
    assert score("number", "inf", "1").status.value == "parse_error"


def test_exact_options():
    assert acc("exact", "  Hello   World. ", "hello world") == 1.0
    assert acc("exact", "Hello", "hello", case_sensitive=True) == 0.0
    assert acc("exact", "paris", ["London", "Paris"]) == 1.0


@pytest.mark.parametrize(
    ("response", "expected"),
    [("(B) the cat", 1.0), ("B.", 1.0), ("B", 1.0), ("b", 1.0), ("Answer: B", 1.0), ("The answer is (B).", 1.0),
     ("**B**", 1.0), ("C) a dog", 0.0)],
)
def test_choice_letters(response, expected):
    assert acc("choice", response, "B") == expected


def test_choice_option_text_and_range():
    assert acc("choice", "the cat", "B", options=["a dog", "the cat"]) == 1.0
    result = score("choice", "E", "B", {"n_options": 4})
    assert result.status.value == "parse_error"
    assert score("choice", "a cat sat", "B").status.value == "parse_error"


def test_ocr_modes():
    assert acc("ocr", "Hello World", "Hello World", mode="exact") == 1.0
    assert acc("ocr", "hello  world", "Hello World", mode="exact") == 0.0
    assert acc("ocr", "hello  world", "Hello World", mode="normalized") == 1.0
    # ANLS: distance 1 over length 11 -> 1 - 1/11
    assert acc("ocr", "Hello Wrld", "hello world", mode="anls") == pytest.approx(1 - 1 / 11)
    assert acc("ocr", "completely different", "hello world", mode="anls") == 0.0
    assert acc("ocr", "x" * 1_000_000, "hello", mode="anls") == 0.0


def test_format_rewards_per_verifier():
    vt = "<think>\nhm\n</think>\n<answer>\n4\n</answer>"
    assert score("count", vt, 4, {"format_reward": "vtriune"}).format == 1.0
    assert score("count", "<think>hm</think><answer>4</answer>", 4, {"format_reward": "vtriune"}).format == 0.0
    assert score("count", "<think>a</think> <answer>4</answer>", 4, {"format_reward": "think_answer"}).format == 1.0
    assert score("count", "<answer>4</answer><think>a</think>", 4, {"format_reward": "think_answer"}).format == 0.0
    assert score("count", r"\boxed{4}", 4, {"format_reward": "boxed"}).format == 1.0
    assert score("count", "4", 4, {"format_reward": "boxed"}).format == 0.0
