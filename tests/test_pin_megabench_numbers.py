"""Pins metrics/numbers.py branch by branch (issue 22): units, pi, percent and currency cleaning,
the whitelist arithmetic walker and its size guards, list/tuple comparison, the 1% window, the
boxed timeout fallback and the RMSE clip. Metric values come from the OFFICIAL MEGA-Bench code
(tests/fixtures/megabench/official/latex_numbers.jsonl, made by make_latex_numbers.py); the guards,
which upstream does not have (it evals in a subprocess), are pinned against their documented
bounds with values computed by plain Python."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from orsta_bench.megabench.metrics import get_metric, numbers, run_metric
from orsta_bench.megabench.metrics.latex import parser_missing
from orsta_bench.megabench.metrics.timing import TimeLimit

OFFICIAL = Path(__file__).parent / "fixtures" / "megabench" / "official"
NUMBER_METRICS = {"general_single_numerical_match", "boxed_single_numerical_match", "normalized_rmse"}
NEEDS_PARSER = pytest.mark.skipif(bool(parser_missing()), reason=parser_missing() or "parser present")


def _rows() -> list[dict]:
    lines = (OFFICIAL / "latex_numbers.jsonl").read_text(encoding="utf-8").splitlines()
    return [row for row in map(json.loads, lines) if row["metric"] in NUMBER_METRICS]


def _params() -> list:
    """One param per row, with an ASCII id free of backslashes (mutmut passes ids back to pytest)."""
    return [pytest.param(row, id=f"{n}-{row['metric'][:5]}-" + re.sub(r"[^A-Za-z0-9 .,+*=()-]", "_", repr(row["response"]))[:40])
            for n, row in enumerate(_rows())]


@NEEDS_PARSER
@pytest.mark.parametrize("row", _params())
def test_number_metric_equals_official_on_cleaning_and_arithmetic_branches(row: dict) -> None:
    """pi as π/\\pi/2π/}π, " C", °C, °, ¥, $ and % cleaned as officially; sympy's printed
    arithmetic (unary signs, powers, E) and raw lists evaluated as Python would; tuples never
    match (even equal ones), a list never matches a number or a tuple, NaN is never within 1%,
    a non-number falls back to the simple string match, a number response is read as its str(),
    and normalized_rmse clips |p - g| at 0.1."""
    assert run_metric(get_metric(row["metric"]).fn, row["response"], row["reference"]) == row["official"]


@pytest.mark.parametrize("metric", ["general_single_numerical_match", "boxed_single_numerical_match"])
def test_a_list_against_a_number_scores_0_without_raising(metric: str) -> None:
    """Model output is hostile: a list where a number is expected is a 0, not an exception."""
    fn = get_metric(metric).fn
    assert (fn("[1, 2]", "5"), fn("(1, 2)", "5")) == (0.0, 0.0)


def test_integer_powers_are_refused_past_4096_estimated_bits() -> None:
    """The guard's bound (exponent times the base's bit length), at its edge: 2**2048 is
    2048 * 2 = 4096 and computed, 2**2049 and (-2)**2049 are refused; a base already past 4096
    bits is refused even to the first power; a negative exponent is never refused."""
    assert numbers.safe_arithmetic("2**2048") == 2**2048
    assert numbers.safe_arithmetic("2**2049") is None
    assert numbers.safe_arithmetic("(-2)**2049") is None
    huge = "1" * 1300  # 4316 bits
    assert numbers.safe_arithmetic(f"{huge}**1") is None
    assert numbers.safe_arithmetic("1" * 1200 + "**1") == int("1" * 1200)  # 3987 bits
    assert numbers.safe_arithmetic("2**-2") == 0.25
    assert numbers.safe_arithmetic("3*5000") == 15000  # a product is not a power


def test_repetitions_are_refused_past_a_million_items() -> None:
    """'5' * 1,000,000 is built, one more item is refused, whichever side the count is on and
    for lists as for strings; the bound is the longest operand times the largest count."""
    assert numbers.safe_arithmetic("'5' * 1000000") == "5" * 1_000_000
    assert numbers.safe_arithmetic("'5' * 1000001") is None
    assert numbers.safe_arithmetic("1000001 * '5'") is None
    assert numbers.safe_arithmetic("'55' * 500001") is None
    assert numbers.safe_arithmetic("[0] * 1000001") is None
    assert numbers.safe_arithmetic("[0, 0] * 500000") == [0] * 1_000_000


def test_texts_past_the_length_bound_are_not_evaluated() -> None:
    """Up to _MAX_EXPR_CHARS characters are evaluated; one more is refused."""
    limit = numbers._MAX_EXPR_CHARS
    text = "[" + "1," * (limit // 2 - 1) + "]"
    assert len(text) == limit and numbers.safe_arithmetic(text) == [1] * (limit // 2 - 1)
    assert numbers.safe_arithmetic(text[:-1] + " ]") is None


def test_the_walker_evaluates_only_whitelisted_arithmetic() -> None:
    """Unary signs, lists and tuples as Python gives them; names other than E, calls and
    comparisons are not arithmetic."""
    assert numbers.safe_arithmetic("[+1, -2, (3, +4)]") == [1, -2, (3, 4)]
    assert numbers.safe_arithmetic("E * 2") == 2.718 * 2
    for text in ("x", "abs(-1)", "1 < 2", "not 1", "7 % 3"):
        assert numbers.safe_arithmetic(text) is None, text


def test_boxed_timeout_falls_back_to_the_simple_match_of_the_boxed_reference(monkeypatch) -> None:
    """As upstream: when the 10 s limit fires inside the comparison, the whole response is
    simple-matched against the reference with its \\boxed{} already taken out."""
    def slow(response: str, reference: str) -> float:
        raise TimeLimit()

    monkeypatch.setattr(numbers, "general_single_numerical_match", slow)
    assert numbers.boxed_single_numerical_match("5", "\\boxed{5}") == 1
    assert numbers.boxed_single_numerical_match(5, "\\boxed{5}") == 1
    assert numbers.boxed_single_numerical_match("\\boxed{5}", "\\boxed{5}") == 0
