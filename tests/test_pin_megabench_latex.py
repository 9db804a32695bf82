"""Pins metrics/latex.py branch by branch (issue 22): the normaliser (macrons precomposed,
combining and leading, \\bar and \\overline subscripts, Greek letters of both cases, environments,
math delimiters), the text/LaTeX split, lexer and parser errors, and the parse itself, against
values the OFFICIAL MEGA-Bench code gave (tests/fixtures/megabench/official/latex_numbers.jsonl and
parse_latex.jsonl, made by make_latex_numbers.py; see that folder's README.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from orsta_bench.megabench.metrics import get_metric, latex, run_metric

if latex.parser_missing():
    pytest.skip(latex.parser_missing(), allow_module_level=True)

OFFICIAL = Path(__file__).parent / "fixtures" / "megabench" / "official"
LATEX_METRICS = {"latex_expr_equality", "text_with_latex_expr_equality"}


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (OFFICIAL / name).read_text(encoding="utf-8").splitlines()]


def _safe(text: str) -> str:
    """An ASCII test id free of backslashes (mutmut passes ids back to pytest, which then misses them)."""
    return re.sub(r"[^A-Za-z0-9 .,+*=()-]", "_", text)[:40]


def _params(rows: list[dict], key: str) -> list:
    return [pytest.param(row, id=f"{n}-{_safe(repr(row[key]))}") for n, row in enumerate(rows)]


def _outcome(text: str) -> str:
    """str() of the parse, or `Type: message` of its error (the official fixture's form)."""
    try:
        return str(latex.parse_latex(text))
    except Exception as error:  # noqa: BLE001 (the error is the outcome)
        return f"{type(error).__name__}: {error}"


@pytest.mark.parametrize("row", _params([r for r in _rows("latex_numbers.jsonl") if r["metric"] in LATEX_METRICS], "response"))
def test_latex_metric_equals_official_on_normaliser_branches(row: dict) -> None:
    """Each normalisation step changes the score where the official one does: a combining macron
    overlines the letter before it (the third letter back stays), a leading one scores 0, an
    \\overline's plain subscript moves inside it, lower and upper Greek letters become commands,
    begin/end (with an optional [..] argument) and \\( \\[ delimiters vanish, a lexer error
    falls back to the simple string match, text commas (either side) and LaTeX commas are dropped
    and several $..$ parts are joined by a space."""
    assert run_metric(get_metric(row["metric"]).fn, row["response"], row["reference"]) == row["official"]


@pytest.mark.parametrize("row", _params(_rows("parse_latex.jsonl"), "text"))
def test_parse_latex_gives_the_official_result_or_error_message(row: dict) -> None:
    """The printed expression, or the error type and sympy's message (which quotes the text and
    marks the column), for lexer errors, parser errors and an empty text, as officially."""
    assert _outcome(row["text"]) == row["official"]


@pytest.mark.parametrize("text", ["x+1", "\\frac{12}{7}", "\\left(x+1\\right)^2", "2x, so x=3", "1,300"], ids=_safe)
def test_a_text_that_parses_in_sll_mode_never_runs_the_slow_ll_parse(monkeypatch, text: str) -> None:
    """The documented fast path: SLL first, sympy's LL run only when SLL reports an error."""
    expected = str(latex._run_parser(text))

    def no_ll(_text: str) -> None:
        raise AssertionError("the LL parse ran for a text SLL parses")

    monkeypatch.setattr(latex, "_ll_tree", no_ll)
    assert str(latex._run_parser(f"  {text} ")) == expected


@pytest.mark.parametrize("text", ["x?", "\\frac{1}{2", "(1, 2)"], ids=_safe)
def test_a_text_sll_rejects_is_decided_by_the_ll_parse(text: str) -> None:
    """An SLL error is not the answer: the LL run gives sympy's own error, message included."""
    assert latex._sll_tree(text) is None
    with pytest.raises(Exception, match="\n" + re.escape(text) + "\n") as error:
        latex._run_parser(text)
    assert type(error.value).__name__ == "LaTeXParsingError"


@pytest.mark.parametrize("metric", sorted(LATEX_METRICS))
def test_a_non_string_side_scores_0_without_raising(metric: str) -> None:
    """Model output is hostile: a None or number on either side is a 0, never an exception."""
    fn = get_metric(metric).fn
    assert (fn(None, "x"), fn("x", None), fn(1, 1)) == (0, 0, 0)


def test_missing_parser_error_says_why(monkeypatch) -> None:
    """parse_latex without the parser raises with parser_missing()'s reason, not a bare error."""
    monkeypatch.setattr(latex, "parser_missing", lambda: "needs sympy's ANTLR LaTeX parser (test)")
    with pytest.raises(latex.LatexParserMissing, match="needs sympy's ANTLR LaTeX parser"):
        latex.parse_latex("1")
