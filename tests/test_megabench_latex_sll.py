"""The fast LaTeX parse (SLL first) gives exactly what sympy's own LL run gives, result or error."""

from __future__ import annotations

import random

import pytest
from sympy import srepr

from orsta_bench.megabench.metrics import latex

if latex.parser_missing():
    pytest.skip(latex.parser_missing(), allow_module_level=True)

ATOMS = ["x", "2", "13", "0.5", "\\pi", "\\frac{1}{2}", "\\sqrt{3}", "a_1", "\\sin x", "|x|", "(x+1)", "3!", "x^2",
         "\\left(y\\right)", "\\infty", "2^{10}", "1,300", "50\\%", "\\overline{AB}", "\\log_2 8", ""]
JOINS = ["+", "-", "*", "/", "^", " ", "=", "<", "\\times", ",", "\\le", "!", "%", "$", "?", "{", "}", "(", ")", "_", "'"]


def _outcome(parse, text: str) -> str:
    try:
        return srepr(parse(text))
    except Exception as error:  # noqa: BLE001 (the error type is part of the outcome)
        return f"{type(error).__name__}: {error}"


def _sympy_ll(text: str):
    _, _, _, convert = latex._parser_classes()
    return convert(latex._ll_tree(text.strip()))


def test_sll_first_equals_sympy_ll_on_random_texts() -> None:
    rng = random.Random(20)
    texts = {"".join(rng.choice(ATOMS) + rng.choice(JOINS) for _ in range(rng.randint(1, 5))) for _ in range(400)}
    differ = [text for text in sorted(texts) if _outcome(latex._run_parser, text) != _outcome(_sympy_ll, text)]
    assert not differ, differ[:5]


@pytest.mark.parametrize("text", ["\\frac{12}{7}", "3x^2 + 5x", "x(3x + 5)", "2\\sqrt{3}", "1,300", "0.25"])
def test_plain_expressions_take_the_sll_path(text: str) -> None:
    tree = latex._sll_tree(text)
    assert tree is not None
    _, _, _, convert = latex._parser_classes()
    assert srepr(convert(tree)) == srepr(_sympy_ll(text))
