"""Pins of megabench.metrics found by mutation testing (scripts/mutation.sh).

The symbolic planning simulator against official scores on a typed domain (values below).

The metric table (`get_metric`): every official name resolves case-insensitively to its own
implementation and kind, and each reason a metric cannot run is reported as `unavailable`
with that reason instead of a score.
"""

import sys

import pytest

import orsta_bench.megabench.metrics as metrics
from orsta_bench.megabench.metrics import (
    JUDGE_METRICS,
    Metric,
    get_metric,
    metric_names,
    run_metric,
)
from orsta_bench.megabench.metrics.planning import symbolic_planning_test


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


# A typed blocksworld (typed parameters "?x - block", "?x ?y - block", single-clause and
# negative preconditions/effects) and two problems. Scores by the official
# SymbolicPlanningMetricTest.match on the same plans.
DOMAIN = """(define (domain bw)
  (:requirements :strips :typing)
  (:types block table)
  (:predicates (on ?x - block ?y - block) (ontable ?x - block) (clear ?x - block) (handempty) (holding ?x - block))
  (:action pick-up
    :parameters (?x - block)
    :precondition (and (clear ?x) (ontable ?x) (handempty))
    :effect (and (not (ontable ?x)) (not (clear ?x)) (not (handempty)) (holding ?x)))
  (:action put-down
    :parameters (?x - block)
    :precondition (holding ?x)
    :effect (and (not (holding ?x)) (clear ?x) (handempty) (ontable ?x)))
  (:action stack
    :parameters (?x - block ?y - block)
    :precondition (and (holding ?x) (clear ?y))
    :effect (and (not (holding ?x)) (not (clear ?y)) (clear ?x) (handempty) (on ?x ?y)))
  (:action unstack
    :parameters (?x ?y - block)
    :precondition (and (on ?x ?y) (clear ?x) (handempty))
    :effect (and (holding ?x) (clear ?y) (not (clear ?x)) (not (handempty)) (not (on ?x ?y)))))"""
TASK = """(define (problem p1) (:domain bw)
  (:objects a b c - block)
  (:init (clear a) (clear b) (on b c) (ontable a) (ontable c) (handempty))
  (:goal (and (on a b) (on b c))))"""
TASK2 = """(define (problem p2) (:domain bw)
  (:objects a b c - block)
  (:init (clear a) (on a b) (ontable b) (handempty))
  (:goal (and (ontable a) (clear b))))"""
PLANS = [
    (TASK, '(pick-up a)\n(stack a b)', 1),
    (TASK, '(pick-up a)\n(stack a c)', 0),
    (TASK, '(pick-up b)\n(stack a b)', 0),
    (TASK, '(pick-up a)', 0),
    (TASK, '(pick-up a b)\n(stack a b)', 0),
    (TASK, '(pick-up a)\n(put-down a)\n(pick-up a)\n(stack a b)', 1),
    (TASK, '(unstack b c)\n(put-down b)\n(pick-up a)\n(stack a b)', 0),
    (TASK, '(unstack b c)\n(stack b a)', 0),
    (TASK, '(pick-up a)\n  (stack a b)', 0),
    (TASK, '(pick-up a)\n(stack a b)\n(unstack a b)\n(stack a b)', 1),
    (TASK2, '(unstack a b)\n(put-down a)', 1),
    (TASK2, '(unstack a b)', 0),
    (TASK2, '(unstack b a)\n(put-down b)', 0),
    (TASK2, '(unstack a b)\n(stack a b)\n(unstack a b)\n(put-down a)', 1),
    (TASK2, '', 0),
    (TASK, '(jump a)', 0),
]


@pytest.mark.parametrize(("task", "plan", "official"), PLANS)
def test_symbolic_planning_equals_official_on_a_typed_domain(task, plan, official):
    """Typed parameters are dropped from clauses, effects delete then add literals, plan lines
    must start with "(", and the goal is checked on the final state, as officially."""
    context = {"domain_pddl": DOMAIN, "task_pddl": task}
    assert run_metric(symbolic_planning_test, plan, context) == official
    assert run_metric(symbolic_planning_test, plan.split("\n"), context) == official


BOX = {"bounding_boxes": ["[0.2, 0.3, 0.6, 0.7]"]}
# (metric, response, reference or eval_context, official score): values from the official
# MetricType.from_string(name).match on the same inputs (xml_norm_point_in_bbox: its score).
OFFICIAL_SCORES = [
    ('xml_nbbox_iou_single', '<box>0, 0, 0.5, 0.5</box> <box>0.5, 0.5, 1, 1</box>', '<box>0, 0, 0.5, 0.5</box>', 0.5),
    ('xml_nbbox_iou_single', '<box>0, 0, 0.5</box> <box>0, 0, 0.5, 0.5</box>', '<box>0, 0, 0.5, 0.5</box>', 1.0),
    ('xml_nbbox_iou_single', '<box>0, 0, x, 0.5</box> <box>0, 0, 0.5, 0.5</box>', '<box>0, 0, 0.5, 0.5</box>', 1.0),
    ('xml_nbbox_iou_single', '<box>0, 0, 0.5, 0.5</box>', '<box>0, 0, 0.5</box> <box>0, 0, 0.5, 0.25</box>', 0.5),
    ('xml_nbbox_iou_single', [0, 0, 0.5, 0.5], '<box>0, 0, 0.5, 0.25</box>', 0.5),
    ('xml_nbbox_iou_single', [[0, 0, 0.5, 0.5], [0, 0, 0.5, 0.25]], [[0, 0, 0.5, 0.25]], 0.75),
    ('xml_nbbox_iou_single', '<box>0, 0, 0.5, 0.5</box>', [[0, 0, 0.25, 0.5]], 0.5),
    ('xml_nbbox_iou_single', 'no box', '<box>0, 0, 0.5, 0.5</box>', 0),
    ('xml_nbbox_iou_single', '<box>0, 0, 0.5, 0.5</box>', 'nothing', 0.0),
    ('xml_norm_point_distance', '<point>1, 1</point>', '<point>1, 0.5</point>', 0.5),
    ('xml_norm_point_distance', '<point>0, 0</point>', '<point>0.3, 0.4</point>', 0.5),
    ('xml_norm_point_distance', '<point>1.5, 0.5</point>', '<point>1, 0.5</point>', 0),
    ('xml_norm_point_distance', [0.2, 0.2], [0.2, 0.5], 0.7),
    ('xml_norm_point_distance', [0.2, 0.2, 0.1], [0.2, 0.5], 0),
    ('xml_norm_point_distance', 'none', '<point>1, 0.5</point>', 0),
    ('xml_norm_point_in_bbox', '<point>0.2, 0.5</point>', BOX, 1),
    ('xml_norm_point_in_bbox', '<point>0.6, 0.5</point>', BOX, 1),
    ('xml_norm_point_in_bbox', '<point>0.4, 0.3</point>', BOX, 1),
    ('xml_norm_point_in_bbox', '<point>0.4, 0.7</point>', BOX, 1),
    ('xml_norm_point_in_bbox', '<point>0.4, 0.8</point>', BOX, 0),
    ('xml_norm_point_in_bbox', '<point>0.7, 0.5</point>', BOX, 0),
    ('xml_norm_point_in_bbox', 'no point', BOX, 0),
    ('xml_norm_point_in_bbox', [0.4, 0.5], BOX, 1),
    ('xml_norm_point_in_bbox', [0.4, 0.5, 0.1], BOX, 0),
    ('xml_norm_point_in_bbox', [0.9, 0.9], BOX, 0),
    ('near_str_match', 'The  cat', 'cat', 0.0),
    ('near_str_match', 'a cat sat', 'cat sat', 1.0),
    ('near_str_match', 'A cat sat', 'cat sat', 1.0),
    ('near_str_match', 'Ça va bien', 'ca va bien', 1.0),
    ('near_str_match', 'the catalogue', 'catalogue', 1.0),
    ('str_set_equality_line_break', 'a\\nB', 'b\na', 1),
    ('str_set_equality_line_break', 'a\nb', 'a\\nb', 1),
    ('str_set_equality_line_break', 'a b\nc', 'c\na b', 1),
    ('str_set_equality_line_break', 'a b\nc', 'c\na\nb', 0),
    ('str_set_equality_line_break', 'a\nb', 'a\nc', 0),
    ('jaccard_index_case_insensitive', "[('A-b', 'c d')]", "[('ab', 'CD')]", 1.0),
    ('jaccard_index_case_insensitive', "[('a\\nb', 'c\\td'), ('x_y', 'z.w')]", "[('ab', 'cd'), ('xy', 'zw')]", 1.0),
    ('jaccard_index_case_insensitive', "[('a_b', 'c.d')]", "[('ab', 'cd'), ('q', 'r')]", 0.5),
    ('chess_move_list_jaccard_index', "['e4', 'Nf3!', 'Qh5#']", "['e4', 'Nf3', 'Qh5', 'Bc4']", 0.75),
    ('chess_move_list_jaccard_index', "['e4']", "['d4']", 0.0),
    ('longest_common_list_prefix_ratio', '[1, 2, 3]', '[1, 2]', 1.0),
    ('longest_common_list_prefix_ratio', '[1, 2]', '[1, 2, 3]', 0.6666666666666666),
    ('longest_common_list_prefix_ratio', '[1, 5, 3]', '[1, 2, 3]', 0.3333333333333333),
    ('dict_jaccard_agg_jaccard', "{'a': [1, 2], 'b': [3]}", "{'a': [1], 'c': [4]}", 0.16666666666666666),
    ('dict_jaccard_agg_jaccard', "{'a': [1, 2]}", "{'a': [1, 2], 'b': [5]}", 0.5),
    ('dict_jaccard_agg_jaccard', '[1, 2]', "{'a': [1, 2]}", 0),
    ('dict_jaccard_agg_jaccard', "{'a': [1, 2]}", "{'a': [2]}", 0.5),
    ('dict_set_equality_agg_jaccard', "{'a': [1, 2], 'b': [3]}", "{'a': [2, 1], 'b': [4]}", 0.5),
    ('dict_set_equality_agg_jaccard', "{'a': [1, 2], 'x': []}", "{'a': [2, 1], 'b': [4]}", 0.6666666666666666),
    ('dict_nbbox_iou_tuple_agg_jaccard', "{'a': [[0, 0, 0.5, 0.5]], 'b': [[0, 0, 1, 1]]}", "{'a': [[0, 0, 0.5, 0.25]], 'b': [[0, 0, 1, 1]]}", 0.75),
    ('code_result_exact_str_match', 'ab  ', '```\nab  \n```', 1),
    ('code_result_exact_str_match', 'ab', '```\nab  \n```', 0),
    ('number_rel_diff_ratio', 5, '4', 0.75),
    ('number_rel_diff_ratio', 3.0, '4', 0.75),
    ('positive_int_match', '3', '', 0),
    ('positive_int_match', '3', '0', 0),
    ('positive_int_match', '-1', '3', 0),
    ('positive_int_match', '0', '1', 0),
    ('positive_int_match', '1', '0', 0),
    ('positive_int_match', '-2', '0', -1),
    ('angle_seq_float_rmse', "['a']", '[1]', 0),
    ('angle_seq_float_rmse', '[0]', '[20]', 0.0),
    ('angle_seq_float_rmse', '[0]', '[0.5]', 0.95),
    ('angle_seq_float_rmse', '[0, 3]', '[10.5, 3]', 0.475),
    ('set_equality_case_insensitive', '[1, 2]', "['1', '2']", 0),
    ('str_set_equality_comma', '1, 2', '2, 1', 1),
    ('str_set_equality_comma', "[1, 'A']", "['a', 1]", 1),
    ('str_set_equality_comma', 'ß', 'ss', 0),
    ('jaccard_index_case_insensitive', "[True, 'A']", "['true', 'a']", 1.0),
    ('jaccard_index_case_insensitive', "[1, 'A']", "['1', 'b']", 0.3333333333333333),
    ('jaccard_index_case_insensitive', "[(1, 'a')]", "[('1', 'a')]", 0),
    ('jaccard_index_case_insensitive', '[1, 2]', '[1, 2]', 0),
    ('sequence_equality_case_insensitive', ['A', 'b'], "['a', 'B']", 1),
    ('sequence_equality_case_insensitive', "[1, 'A']", "['1', 'a']", 1),
    ('sequence_accuracy_case_insensitive', "['A', 'B', 'c']", "['a', 'b', 'd']", 0.6666666666666666),
    ('sequence_accuracy_case_insensitive', "['1', 2, 3]", "[1, 2, 'x']", 0),
]


@pytest.mark.parametrize(("name", "response", "reference", "official"), OFFICIAL_SCORES)
def test_metric_equals_official_on_edge_inputs(name, response, reference, official):
    """Box/point edges (inclusive box borders, [0, 1] range, malformed <box> skipped, a bare
    4-number box), article dropping, line-set and squashed-tuple comparisons, list prefixes, the
    per-key means of dict metrics (keys missing on either side count), the -1 "both <= 0" rule
    of positive_int_match, the RMSE clip at 0 and 10, non-string items in case-insensitive
    collections and the untrimmed reference code block, as officially."""
    assert run_metric(get_metric(name).fn, response, reference) == pytest.approx(official, abs=1e-12)


def test_per_key_mean_over_the_union_of_keys():
    """The dict aggregators' shared core: a key on one side only scores inner([], ...) and
    counts in the mean; a non-dict response scores 0."""
    from orsta_bench.megabench.metrics.collections import _per_key_mean, jaccard_index

    def metric(response, reference):
        return _per_key_mean(jaccard_index, response, reference)

    assert metric("{'a': [1, 2], 'b': [3]}", "{'a': [1], 'c': [4]}") == pytest.approx(1 / 6)
    assert metric("{'a': [1, 2]}", "{'a': [1, 2], 'b': [5]}") == pytest.approx(0.5)
    assert metric("{'a': [1, 2]}", "{'a': [2]}") == pytest.approx(0.5)
    assert metric("[1, 2]", "{'a': [1, 2]}") == 0
