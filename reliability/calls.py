"""The verifier calls the fuzzer aims at: every registered verifier, every MEGA-Bench response
parser and every MEGA-Bench metric, each with a valid reference and params.

A call is a `ScoreJob` minus the response. References and params are ones a real task carries, so
whatever goes wrong is the response's doing. `check_coverage` fails loudly when a verifier or
metric is registered that this catalogue does not reach, so new verifiers cannot dodge the fuzzer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

GT_BOXES = '<answer>\n[{"bbox_2d": [10, 20, 300, 400], "label": "circle"}, ' \
    '{"bbox_2d": [500, 500, 900, 950], "label": "square"}]\n</answer>'
DET_REF = [{"bbox_2d": [10, 20, 300, 400], "label": "circle"}, {"bbox_2d": [500, 500, 900, 950], "label": "square"}]
TRAIN = {"mode": "train", "step": 3, "total_steps": 10}


@dataclass(frozen=True)
class Call:
    """One verifier with a fixed reference, params and context; the response varies."""

    verifier: str
    reference: Any
    params: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def sentinel_allowed(self) -> bool:
        """Only MEGA-Bench scores may be the documented -1 ("not applicable")."""
        return self.verifier.startswith("megabench")


def _vt_det(normalized: bool) -> dict[str, Any]:
    """An Orsta-Data-47k detection row's reward_model params."""
    ratio = {"iou_max_label_first": 1.0, "iou_completeness": 0.3, "map": 0.0}
    return {"verifier_parm": {"det_verifier_normalized": normalized, "det_reward_ratio": ratio}}


def native_calls() -> list[Call]:
    """Native and V-Triune verifiers, in eval and train contexts, with format rewards on."""
    fmt = {"reward": {"accuracy_weight": 1.0, "format_weight": 0.1}}
    return [
        Call("math", "\\frac{3}{4}", {"format_reward": "boxed", **fmt}),
        Call("math", 26, {"answer_format": "boxed"}),
        Call("count", 4, {"format_reward": "think_answer", **fmt}),
        Call("number", 0.25, {"rel_tol": 0.05}),
        Call("number", "12%", {"answer_format": "answer_line"}),
        Call("exact", "New York", {"answer_format": "answer_tag"}),
        Call("choice", "C", {"n_options": 5}),
        Call("choice", "B", {"options": ["red", "blue", "green"]}),
        Call("ocr", "falcon oyster", {"mode": "exact"}),
        Call("ocr", ["Stop", "STOP sign"], {"mode": "anls"}),
        Call("iou", [566, 441, 661, 536], {"coords": "norm1000", "format_reward": "detection", **fmt}),
        Call("iou", [0.1, 0.2, 0.5, 0.6], {"coords": "norm1", "reward_mode": "iou"}, TRAIN),
        Call("detection", DET_REF, {"format_reward": "detection", **fmt}),
        Call("detection", DET_REF, {"map": 0.5, "map50": 0.25, "iou_max_label_first": 0.25}, TRAIN),
        Call("vtriune.mathverify", "\\boxed{3}"),
        Call("vtriune.detection", GT_BOXES, _vt_det(True), {**TRAIN, "image_grid_thw": [[1, 28, 28]]}),
        Call("vtriune.detection", GT_BOXES, _vt_det(False)),
    ]


# A reference each metric reads (strings, as MEGA-Bench stores answers).
METRIC_REFERENCES: dict[str, Any] = {
    "angle_seq_float_rmse": "[30.0, 45.5, 90]",
    "boxed_single_numerical_match": "\\boxed{42}",
    "chess_move_list_jaccard_index": "['e4', 'Nf3']",
    "dict_equality": "{'a': '1', 'b': '2'}",
    "dict_exact_str_match_agg_recall": "{'x': '1', 'y': '2'}",
    "dict_jaccard_agg_jaccard": "{'a': ['1', '2'], 'b': ['3']}",
    "dict_nbbox_iou_tuple_agg_jaccard": "{'cat': [[0.1, 0.1, 0.4, 0.4]], 'dog': [[0.5, 0.5, 0.9, 0.9]]}",
    "dict_precision": "{'a': '1', 'b': '2'}",
    "dict_set_equality_agg_jaccard": "{'a': ['1', '2'], 'b': ['3']}",
    "general_single_numerical_match": "0.35",
    "jaccard_index": "['a', 'b', 'c']",
    "jaccard_index_case_insensitive": "['A', 'b']",
    "latex_expr_equality": "\\frac{1}{2}",
    "longest_common_list_prefix_ratio": "[1, 2, 3, 4]",
    "multi_ref_phrase": "['big apple', 'new york']",
    "nbbox_iou_sequence": "[[0.1, 0.1, 0.4, 0.4], [0.5, 0.5, 0.9, 0.9]]",
    "nbbox_iou_single": "[0.1, 0.1, 0.4, 0.4]",
    "nbbox_iou_tuple": "[[0.1, 0.1, 0.4, 0.4]]",
    "normalized_rmse": "[1.0, 2.0, 3.0]",
    "number_rel_diff_ratio": "12.5",
    "positive_int_match": "7",
    "sequence_accuracy_case_insensitive": "['a', 'B', 'c']",
    "sequence_coords_similarity": "[[1, 2], [3, 4]]",
    "sequence_equality": "[1, 2]",
    "sequence_equality_case_insensitive": "['A', 'b']",
    "set_equality": "['x', 'y']",
    "set_equality_case_insensitive": "['X', 'y']",
    "set_precision": "['x', 'y']",
    "str_set_equality_comma": "a, b, c",
    "str_set_equality_line_break": "a\nb",
    "text_with_latex_expr_equality": "The area is $\\pi r^2$",
    "xml_nbbox_iou_single": "<box>0.1 0.1 0.4 0.4</box>",
    "xml_norm_point_distance": "<point>0.25, 0.3</point>",
}
# Metrics that read the eval_context instead of a reference string.
METRIC_CONTEXTS: dict[str, dict[str, Any]] = {
    "program_judge": {"test_case": [{"input": ["1", "2"], "expected": "3"}]},
    "symbolic_planning_test": {"domain": "(define (domain d))", "problem": "(define (problem p))"},
    "xml_norm_point_in_bbox": {"bbox": [0.1, 0.1, 0.5, 0.5]},
}


def metric_calls() -> list[Call]:
    """`megabench.<metric>` for every official metric (judge / unavailable ones: not_scored)."""
    from orsta_bench.megabench.metrics import metric_names

    calls = []
    for name in metric_names():
        if name in METRIC_CONTEXTS:
            calls.append(Call(f"megabench.{name}", "", {}, METRIC_CONTEXTS[name]))
        else:
            calls.append(Call(f"megabench.{name}", METRIC_REFERENCES.get(name, "reference text")))
    return calls


def query_calls() -> list[Call]:
    """`megabench` whole queries: every response parser, one- and two-field, both modes."""
    from orsta_bench.megabench.parsing import PARSERS, SINGLE_FIELD_PARSERS

    calls = []
    for parser in PARSERS:
        for mode in ("compatible", "strict"):
            one = {"field_score_function": {"answer": "exact_str_match"}, "response_parse_function": parser,
                   "aggregation": {"function": "mean", "field_weights": {"answer": 1}}}
            calls.append(Call("megabench", {"answer": "B"}, {"metric_info": one, "mode": mode}))
        if parser in SINGLE_FIELD_PARSERS:
            continue
        two = {"field_score_function": {"a": "nbbox_iou_tuple", "b": "jaccard_index"},
               "response_parse_function": parser,
               "aggregation": {"function": "min", "field_weights": {"a": 1, "b": 2}}}
        calls.append(Call("megabench", {"a": "[[0, 0, 0.5, 0.5]]", "b": "['x', 'y']"}, {"metric_info": two}))
    return calls


def all_calls() -> list[Call]:
    return native_calls() + metric_calls() + query_calls()


def check_coverage(calls: list[Call]) -> list[str]:
    """Registered verifiers, parsers and metrics that no call reaches (should be empty)."""
    from orsta_bench.megabench.metrics import metric_names
    from orsta_bench.megabench.parsing import PARSERS
    from orsta_bench.verifiers.registry import verifier_names

    reached = {c.verifier for c in calls}
    parsers = {c.params["metric_info"]["response_parse_function"] for c in calls if c.verifier == "megabench"}
    missing = [v for v in verifier_names() if v not in reached]
    missing += [f"megabench.{m}" for m in metric_names() if f"megabench.{m}" not in reached]
    missing += [f"parser {p}" for p in PARSERS if p not in parsers]
    return missing
