"""The MEGA-Bench metric table: official metric name -> implementation and how it is called.

Kinds: "field" metrics take (parsed field value, reference value); "context" metrics take
(parsed value, eval_context); "judge" metrics need a configured LLM judge (see judge.py);
"unavailable" metrics need something this machine lacks (network, NLTK corpora) and yield
not_scored with `reason`. `run_metric` applies the official rule: any exception scores 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from orsta_bench.megabench.metrics import collections as col
from orsta_bench.megabench.metrics import geometry as geo
from orsta_bench.megabench.metrics import latex
from orsta_bench.megabench.metrics import numbers as num
from orsta_bench.megabench.metrics import strings as st
from orsta_bench.megabench.metrics.planning import symbolic_planning_test
from orsta_bench.megabench.metrics.program import program_judge
from orsta_bench.megabench.sandbox import SandboxError, unavailable_reason


@dataclass(frozen=True)
class Metric:
    name: str
    kind: str  # field | context | judge | unavailable
    fn: Callable[[Any, Any], float] | None = None
    reason: str = ""


def _jieba_missing() -> str:
    try:
        import jieba  # noqa: F401
    except ImportError:
        return "gleu_cn needs the `jieba` tokenizer: pip install 'orsta-bench[megabench]'"
    return ""


_FIELD: dict[str, Callable[[Any, Any], float]] = {
    "exact_str_match": st.exact_str_match,
    "simple_str_match": st.simple_str_match,
    "exact_str_match_case_insensitive": st.exact_str_match_case_insensitive,
    "code_result_exact_str_match": st.code_result_exact_str_match,
    "multi_ref_phrase": st.multi_ref_phrase,
    "near_str_match": st.near_str_match,
    "normalized_similarity_damerau_levenshtein": st.normalized_similarity_damerau_levenshtein,
    "gleu_cn": st.gleu_cn,
    "number_rel_diff_ratio": num.number_rel_diff_ratio,
    "positive_int_match": num.positive_int_match,
    "general_single_numerical_match": num.general_single_numerical_match,
    "boxed_single_numerical_match": num.boxed_single_numerical_match,
    "normalized_rmse": num.normalized_rmse,
    "angle_seq_float_rmse": num.angle_seq_float_rmse,
    "latex_expr_equality": latex.latex_expr_equality,
    "text_with_latex_expr_equality": latex.text_with_latex_expr_equality,
    "set_equality": col.set_equality,
    "set_equality_case_insensitive": col.set_equality_case_insensitive,
    "str_set_equality_line_break": col.str_set_equality_line_break,
    "str_set_equality_comma": col.str_set_equality_comma,
    "jaccard_index": col.jaccard_index,
    "jaccard_index_case_insensitive": col.jaccard_index_case_insensitive,
    "set_precision": col.set_precision,
    "chess_move_list_jaccard_index": col.chess_move_list_jaccard_index,
    "sequence_equality": col.sequence_equality,
    "sequence_equality_case_insensitive": col.sequence_equality_case_insensitive,
    "sequence_accuracy_case_insensitive": col.sequence_accuracy_case_insensitive,
    "longest_common_list_prefix_ratio": col.longest_common_list_prefix_ratio,
    "dict_equality": col.dict_equality,
    "dict_precision": col.dict_precision,
    "dict_exact_str_match_agg_recall": col.dict_exact_str_match_agg_recall,
    "dict_jaccard_agg_jaccard": col.dict_jaccard_agg_jaccard,
    "dict_set_equality_agg_jaccard": col.dict_set_equality_agg_jaccard,
    "dict_nbbox_iou_tuple_agg_jaccard": col.dict_nbbox_iou_tuple_agg_jaccard,
    "nbbox_iou_tuple": geo.nbbox_iou_tuple,
    "nbbox_iou_single": geo.nbbox_iou_single,
    "nbbox_iou_sequence": geo.nbbox_iou_sequence,
    "xml_nbbox_iou_single": geo.xml_nbbox_iou_single,
    "xml_norm_point_distance": geo.xml_norm_point_distance,
    "sequence_coords_similarity": geo.sequence_coords_similarity,
}
_CONTEXT: dict[str, Callable[[Any, Any], float]] = {
    "program_judge": program_judge,
    "symbolic_planning_test": symbolic_planning_test,
    "xml_norm_point_in_bbox": geo.xml_norm_point_in_bbox,
}
JUDGE_METRICS = frozenset({"gpt_4o_as_judge", "ascii_art_gpt4o_judge", "vlm_as_judge", "ascii_art_vlm_judge"})
_UNAVAILABLE = {
    "geo_proximity_location_dict": "needs a geocoding service (network); not configured",
    "constrained_generation": "needs NLTK corpora (punkt, wordnet) and the CMU pronouncing dictionary, "
    "which are not on PyPI; not configured",
    "nli_entailment": "needs an NLI model; not configured",
    "bleu": "needs sacrebleu; not configured",
}


# Metrics that read LaTeX with sympy's ANTLR parser upstream (numbers included): only that parser agrees.
LATEX_METRICS = frozenset({"general_single_numerical_match", "boxed_single_numerical_match",
                           "latex_expr_equality", "text_with_latex_expr_equality"})


def get_metric(name: str) -> Metric:
    """The entry for an official metric name (case-insensitive); KeyError when unknown."""
    key = (name or "unsupported").lower()
    if key in _FIELD:
        reason = _jieba_missing() if key == "gleu_cn" else ""
        reason = latex.parser_missing() if key in LATEX_METRICS else reason
        return Metric(key, "unavailable", None, reason) if reason else Metric(key, "field", _FIELD[key])
    if key in _CONTEXT:
        reason = unavailable_reason() if key == "program_judge" else ""
        return Metric(key, "unavailable", None, reason) if reason else Metric(key, "context", _CONTEXT[key])
    if key in JUDGE_METRICS:
        return Metric(key, "judge", None, "LLM judge metric; no judge configured")
    if key in _UNAVAILABLE:
        return Metric(key, "unavailable", None, _UNAVAILABLE[key])
    if key == "unsupported":
        return Metric(key, "unsupported")
    raise KeyError(f"unknown MEGA-Bench metric {name!r}")


def metric_names() -> list[str]:
    return sorted({*_FIELD, *_CONTEXT, *JUDGE_METRICS, *_UNAVAILABLE})


def run_metric(fn: Callable[[Any, Any], float], value: Any, other: Any) -> float:
    """Official rule: any exception scores 0. A NaN result is returned as -1: upstream's
    `score >= 0` filter drops NaN exactly as it drops the -1 sentinel. A failed sandbox is no
    model outcome: SandboxError propagates (status `error`)."""
    try:
        score = float(fn(value, other))
    except SandboxError:
        raise
    except Exception:
        return 0.0
    return -1.0 if math.isnan(score) else score
