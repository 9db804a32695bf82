"""Query aggregation, the megabench verifiers, task / Core / Open / Overall and keyword scores."""

import pytest

from orsta_bench.megabench.aggregate import is_open_task, keyword_breakdown, summarize, task_score
from orsta_bench.megabench.query import MetricInfoError, aggregate_fields
from orsta_bench.reward import score
from orsta_bench.score import NOT_APPLICABLE, Status


def info(fields, parser="json", weights=None, function="mean", aux=None):
    data = {"field_score_function": fields, "response_parse_function": parser,
            "aggregation": {"function": function, "field_weights": weights or {k: 1 for k in fields}}}
    if aux:
        data["global_aux_metrics"] = aux
    return data


def test_field_aggregation_rules():
    assert aggregate_fields({"a": 1, "b": 0}, "mean", {"a": 3, "b": 1}) == 0.75
    assert aggregate_fields({"a": 1, "b": -1}, "mean", {"a": 1, "b": 5}) == 1  # -1 ignored
    assert aggregate_fields({"a": -1}, "mean", {"a": 1}) == -1
    assert aggregate_fields({"a": 0.2, "b": 0.9}, "min", {}) == 0.2
    with pytest.raises(MetricInfoError):
        aggregate_fields({"a": 1}, "mean", {})


def test_megabench_verifier_query_score_and_parts():
    mi = info({"x": "exact_str_match", "y": "positive_int_match"}, weights={"x": 1, "y": 3})
    result = score("megabench", 'Answer: {"x": "cat", "y": "2"}', {"x": "cat", "y": "3"}, {"metric_info": mi}, {})
    assert result.status is Status.OK and result.value == 0.25
    assert result.parts == {"field:x": 1.0, "field:y": 0.0}
    # stringified metric_info, reference and context are accepted (as stored in the dataset)
    again = score("megabench", 'Answer: {"x": "cat", "y": "3"}', repr({"x": "cat", "y": "3"}), {"metric_info": repr(mi)}, {})
    assert again.value == 1


def test_not_applicable_sentinel_is_kept():
    mi = info({"n": "positive_int_match"})
    result = score("megabench", 'Answer: {"n": "0"}', {"n": "0"}, {"metric_info": mi}, {})
    assert result.value == NOT_APPLICABLE and result.status is Status.OK


def test_json_failure_scores_fields_against_raw_response():
    mi = info({"a": "simple_str_match"})
    result = score("megabench", "cat", {"a": "cat"}, {"metric_info": mi}, {})
    assert result.status is Status.PARSE_ERROR and result.value == 1  # raw text equals "cat"


def test_global_aux_metric_sees_whole_answer_and_is_weighted():
    mi = info({"a": "exact_str_match"}, aux={"all": "dict_equality"}, weights={"a": 1, "all": 3})
    result = score("megabench", 'Answer: {"a": "1", "b": "2"}', {"a": "1", "b": "3"}, {"metric_info": mi}, {})
    assert result.parts == {"field:a": 1.0, "field:all": 0.0} and result.value == 0.25


def test_judge_and_network_metrics_are_not_scored_with_reason_then_judged():
    mi = info({"d": "gpt_4o_as_judge"}, parser="dummy")
    result = score("megabench", "a red square", {"d": "red"}, {"metric_info": mi}, {})
    assert result.status is Status.NOT_SCORED and "no judge configured" in result.detail
    judged = score("megabench", "a red square", {"d": "red"}, {"metric_info": mi}, {"megabench_judged": {"d": 0.8}})
    assert judged.status is Status.OK and judged.value == 0.8
    geo = score("megabench", 'Answer: {"p": "Paris"}', {"p": "x"}, {"metric_info": info({"p": "geo_proximity_location_dict"})}, {})
    assert geo.status is Status.NOT_SCORED and "network" in geo.detail


def test_bad_metric_info_is_an_error_not_a_zero():
    result = score("megabench", "Answer: 1", {"a": "1"}, {"metric_info": info({"a": "no_such_metric"})}, {})
    assert result.status is Status.ERROR and "no_such_metric" in result.detail
    assert score("megabench", "x", "not a dict", {"metric_info": info({"a": "exact_str_match"})}, {}).status is Status.ERROR


def test_single_metric_family():
    assert score("megabench.simple_str_match", "New York", "new-york", {}, {}).value == 1
    assert score("megabench.gpt_4o_as_judge", "x", "y", {}, {}).status is Status.NOT_SCORED
    assert score("megabench.nope", "x", "y", {}, {}).status is Status.ERROR


def test_task_core_open_overall_and_keywords():
    assert task_score([1, -1, 0.5, 0]) == 0.375  # -1 counts 0 and stays in the denominator
    scores = {"2d_image_jigsaw_puzzle_easy": 0.5, "Ad_count_detection": 1.0, "app_layout_understanding_leetcode": 0.2}
    summary = summarize(scores, open_tasks={"app_layout_understanding_leetcode"})
    assert summary["core"] == {"score": 0.75, "num_tasks": 2, "complete": True, "incomplete_tasks": []}
    assert summary["open"] == {"score": 0.2, "num_tasks": 1, "complete": True, "incomplete_tasks": []}
    partial = summarize(scores, open_tasks={"app_layout_understanding_leetcode"},
                        incomplete_tasks={"Ad_count_detection"})
    assert partial["core"]["complete"] is False and partial["core"]["incomplete_tasks"] == ["Ad_count_detection"]
    assert partial["overall"]["complete"] is False and partial["open"]["complete"] is True
    assert summary["overall"]["score"] == pytest.approx((0.75 * 2 + 0.2) / 3)
    apps = summary["keywords"]["app"]
    assert sum(v["num_tasks"] for v in apps.values()) == 3
    skills = keyword_breakdown({"2d_image_jigsaw_puzzle_easy": 0.5})["skills"]
    assert skills and all(v["score"] == 0.5 for v in skills.values())
    assert is_open_task(info({"a": "gpt_4o_as_judge"})) and not is_open_task(info({"a": "exact_str_match"}))
