"""Pins of megabench.metrics found by mutation testing (scripts/mutation.sh).

The metric table (`get_metric`): every official name resolves case-insensitively to its own
implementation and kind, and each reason a metric cannot run is reported as `unavailable`
with that reason instead of a score.
"""

import sys

import pytest

import orsta_bench.megabench.metrics as metrics
from orsta_bench.megabench.metrics import JUDGE_METRICS, Metric, get_metric, metric_names


def test_every_name_resolves_to_its_own_function_and_kind(monkeypatch):
    """Field and context metrics hand back their table entry, whatever the name's case."""
    monkeypatch.setattr(metrics.latex, "parser_missing", lambda: "")
    monkeypatch.setattr(metrics, "unavailable_reason", lambda: "")
    monkeypatch.setattr(metrics, "_jieba_missing", lambda: "")
    for name, fn in metrics._FIELD.items():
        assert get_metric(name.upper()) == Metric(name, "field", fn, "")
    for name, fn in metrics._CONTEXT.items():
        assert get_metric(name.upper()) == Metric(name, "context", fn, "")


def test_missing_jieba_makes_only_gleu_cn_unavailable(monkeypatch):
    monkeypatch.setitem(sys.modules, "jieba", None)  # import jieba -> ImportError
    monkeypatch.setattr(metrics.latex, "parser_missing", lambda: "")
    gleu = get_metric("gleu_cn")
    assert (gleu.kind, gleu.fn) == ("unavailable", None)
    assert "jieba" in gleu.reason and "orsta-bench[megabench]" in gleu.reason
    assert get_metric("exact_str_match").kind == "field"


def test_missing_latex_parser_makes_only_the_latex_metrics_unavailable(monkeypatch):
    monkeypatch.setattr(metrics.latex, "parser_missing", lambda: "no antlr")
    for name in metrics.LATEX_METRICS:
        assert get_metric(name) == Metric(name, "unavailable", None, "no antlr")
    assert get_metric("number_rel_diff_ratio").kind == "field"


def test_missing_sandbox_makes_only_program_judge_unavailable(monkeypatch):
    monkeypatch.setattr(metrics, "unavailable_reason", lambda: "no sandbox")
    assert get_metric("program_judge") == Metric("program_judge", "unavailable", None, "no sandbox")
    assert get_metric("symbolic_planning_test").kind == "context"


def test_judge_unavailable_and_unsupported_entries():
    for name in JUDGE_METRICS:
        assert get_metric(name.upper()) == Metric(
            name, "judge", None, "LLM judge metric; no judge configured")
    for name, reason in metrics._UNAVAILABLE.items():
        assert get_metric(name.upper()) == Metric(name, "unavailable", None, reason)
    for empty in (None, "", "UNSUPPORTED"):
        assert get_metric(empty) == Metric("unsupported", "unsupported", None, "")
    assert "unsupported" not in metric_names()


def test_unknown_metric_names_the_name():
    with pytest.raises(KeyError, match="unknown MEGA-Bench metric 'No_Such'"):
        get_metric("No_Such")
