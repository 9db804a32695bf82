"""LaTeX reading as the official evaluator does it: sympy's ANTLR `parse_latex`.

The official metrics (latex_expr_equality, text_with_latex_expr_equality and, through
`number_it`, both numerical matchers) parse with sympy's ANTLR LaTeX parser (sympy 1.13.2 with
antlr4-python3-runtime 4.11). Nothing else reproduces it: on 238 inputs latex2sympy2_extended
disagreed on 135. sympy's public `parse_latex` refuses any runtime but 4.11, and installing 4.11
would change math-verify's answers (its 4.11 parser fails on "50%"), so this module runs sympy's
own generated lexer/parser and sympy's own conversion on the installed runtime with only that
version check skipped (and an SLL attempt first, which ANTLR guarantees gives the same tree or
an error, then sympy's LL run); measured identical to the official parser on all 238 inputs and on every
fixture in tests/fixtures/megabench/official. Where that parser cannot be built (an ATN-v3
runtime such as 4.9.3, a sympy without these modules) the metrics are `not_scored` with the
reason from `parser_missing()`, never scored by a substitute parser.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from orsta_bench.megabench.metrics.strings import simple_str_match
from orsta_bench.megabench.metrics.timing import TimeLimit, time_limit


class LatexParserMissing(RuntimeError):
    """sympy's ANTLR LaTeX parser cannot be built here."""


@lru_cache(maxsize=1)
def _parser_classes() -> tuple[Any, Any, Any, Any]:
    """(lexer class, parser class, error listener class, converter) from sympy, version check off."""
    import antlr4  # noqa: F401  (sympy's generated code needs the runtime)
    from sympy.parsing.latex._antlr.latexlexer import LaTeXLexer
    from sympy.parsing.latex._antlr.latexparser import LaTeXParser
    from sympy.parsing.latex._parse_latex_antlr import MathErrorListener, convert_relation

    class Lexer(LaTeXLexer):
        def checkVersion(self, toolVersion: str) -> None:  # noqa: N802, N803 (antlr's names)
            """Silence the runtime/tool version print: the ATN format is the same (measured)."""

    class Parser(LaTeXParser):
        def checkVersion(self, toolVersion: str) -> None:  # noqa: N802, N803
            """As Lexer.checkVersion."""

    return Lexer, Parser, MathErrorListener, convert_relation


@lru_cache(maxsize=1)
def parser_missing() -> str:
    """"" when sympy's ANTLR LaTeX parser works here, else the reason (with the fix)."""
    try:
        _run_parser("1")
    except Exception as error:  # any failure to build or run it means: not available
        return (f"needs sympy's ANTLR LaTeX parser (sympy>=1.13.2,<1.15 with antlr4-python3-runtime "
                f">=4.10), which failed here: {type(error).__name__}: {str(error)[:120]}")
    return ""


def _run_parser(text: str) -> Any:
    """sympy's parse: the same tree from a fast SLL attempt when it succeeds, else sympy's own run."""
    _, _, _, convert = _parser_classes()
    text = text.strip()
    tree = _sll_tree(text)
    return convert(tree if tree is not None else _ll_tree(text))


def _ll_tree(text: str) -> Any:
    """The parse exactly as sympy's parse_latex runs it (full LL prediction, errors raised)."""
    import antlr4

    lexer_class, parser_class, listener_class, _ = _parser_classes()
    listener = listener_class(text)
    lexer = lexer_class(antlr4.InputStream(text))
    lexer.removeErrorListeners()
    lexer.addErrorListener(listener)
    parser = parser_class(antlr4.CommonTokenStream(lexer))
    parser.removeErrorListeners()
    parser.addErrorListener(listener)
    return parser.math().relation()


class _Bail(Exception):
    """Any lexer or parser error in the SLL attempt: sympy's own LL run decides instead."""


def _sll_tree(text: str) -> Any:
    """The tree from SLL prediction, or None. ANTLR guarantees that a parse in SLL mode either
    reports an error or gives the tree LL gives; LL's full-context predictions are not cached
    between parses (SLL's are), which made each parse take 5-70 ms. The text is lexed in full
    first, so a lexer error that LL's longer look-ahead would reach also sends it to LL."""
    import antlr4
    from antlr4.atn.PredictionMode import PredictionMode
    from antlr4.error.ErrorListener import ErrorListener

    class Bail(ErrorListener):
        def syntaxError(self, *args: Any) -> None:  # noqa: N802 (antlr's name)
            raise _Bail

    lexer_class, parser_class, _, _ = _parser_classes()
    try:
        lexer = lexer_class(antlr4.InputStream(text))
        lexer.removeErrorListeners()
        lexer.addErrorListener(Bail())
        tokens = antlr4.CommonTokenStream(lexer)
        tokens.fill()
        parser = parser_class(tokens)
        parser.removeErrorListeners()
        parser.addErrorListener(Bail())
        parser._interp.predictionMode = PredictionMode.SLL
        return parser.math().relation()
    except Exception:  # noqa: BLE001 (whatever went wrong, the LL run gives sympy's answer or error)
        return None


def parse_latex(text: str) -> Any:
    """sympy's ANTLR parse_latex (the official parser). It stops at the first token that cannot
    continue the expression and drops the rest ("2x, so x=3" -> 2*x, "2**10" -> 2)."""
    if parser_missing():
        raise LatexParserMissing(parser_missing())
    return _parsed(text)


@lru_cache(maxsize=4096)
def _parsed(text: str) -> Any:
    """Cached by text: a parse is deterministic and sympy expressions are immutable (errors are
    not cached); references and common answers recur across the queries of a run."""
    return _run_parser(text)


def _parse_errors() -> tuple[type[BaseException], ...]:
    """The exceptions upstream answers with a simple string match (others score 0)."""
    from sympy.core.sympify import SympifyError
    from sympy.parsing.latex.errors import LaTeXParsingError

    return (LaTeXParsingError, SympifyError, TypeError, TimeLimit, NotImplementedError)


_GREEK = dict(zip(
    "αβγδεζηθικλμνξοπρστυφχψωΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ",
    ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu",
     "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega", "Alpha", "Beta", "Gamma",
     "Delta", "Epsilon", "Zeta", "Eta", "Theta", "Iota", "Kappa", "Lambda", "Mu", "Nu", "Xi", "Omicron", "Pi", "Rho",
     "Sigma", "Tau", "Upsilon", "Phi", "Chi", "Psi", "Omega"], strict=True,
))


def normalize_latex(text: str) -> str:
    """Bars and macrons to \\overline, Greek letters to commands, math delimiters and
    environments dropped (the official normalisation; a leading lone macron raises, as there)."""
    text = text.replace("\\bar", "\\overline")
    out: list[str] = []
    for char in text:
        if char.isalpha():
            parts = unicodedata.normalize("NFD", char)
            out.append(f"\\overline{{{parts[0]}}}" if len(parts) > 1 and parts[1] == "\u0304" else char)
        elif char != "\u0304":
            out.append(char)
        else:
            out[-1] = f"\\overline{{{out[-1]}}}"
    text = "".join(out)
    text = re.sub(r"\\overline\{([^}]*)\}_([^{}\\ ]*)", r"\\overline{\1_\2}", text)
    text = re.sub(r"[α-ωΑ-Ω]", lambda m: "\\" + _GREEK[m.group()] + " ", text)
    text = re.sub(r"\\(begin|end)\{.*?\}(?:\[[^\[\]]*\])?", "", text)
    return re.sub(r"\\\(|\\\)|\\\[|\\\]", "", text)


def latex_expr_equality(response: Any, reference: Any) -> float:
    """Symbolic equality of two LaTeX expressions; a simple match of the normalised texts when
    either does not parse (or parsing runs past 15 s)."""
    if not isinstance(response, str) or not isinstance(reference, str):
        return 0
    response, reference = normalize_latex(response), normalize_latex(reference)
    try:
        with time_limit(15):
            return 1 if parse_latex(response).equals(parse_latex(reference)) else 0
    except _parse_errors():
        return simple_str_match(response, reference)


def _split_text_latex(text: str) -> tuple[list[str], list[str]]:
    texts, latex = [], []
    for part in re.split(r"(\$[^$]*\$)", text):
        if part.startswith("$") and part.endswith("$"):
            latex.append(part)
        else:
            texts.append(part.strip())
    return texts, latex


def text_with_latex_expr_equality(response: Any, reference: Any) -> float:
    """Text parts simple-match (commas dropped) and the $...$ parts, joined, are equal."""
    if not isinstance(response, str) or not isinstance(reference, str):
        return 0
    ref_text, ref_latex = _split_text_latex(reference)
    res_text, res_latex = _split_text_latex(response)
    text_ok = simple_str_match("".join(res_text).replace(",", ""), "".join(ref_text).replace(",", ""))

    def join(parts: list[str]) -> str:
        return " ".join(p[1:-1].strip().replace(",", "") for p in parts)

    latex_ok = latex_expr_equality(join(res_latex), join(ref_latex))
    return 1 if text_ok and latex_ok else 0
