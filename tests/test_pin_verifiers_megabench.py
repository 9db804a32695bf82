"""Pins of verifiers/megabench.py (issue 22): the `megabench` and `megabench.<metric>` verifiers'
wrapping of the official scorer (statuses, details, parts, record errors, JSON-ready answers).

Scores are the official MEGA-Bench evaluator's output in
tests/fixtures/megabench/official/queries.jsonl (see its README), official metric scores quoted
from tests/test_pin_megabench_metrics.py, or plain rules (exact_str_match of equal strings is 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orsta_bench.reward import score
from orsta_bench.score import Status
from orsta_bench.verifiers.base import ConfigError
from orsta_bench.verifiers.registry import get_verifier

QUERIES = Path(__file__).parent / "fixtures" / "megabench" / "official" / "queries.jsonl"
OFFICIAL_QUERIES = [json.loads(line) for line in QUERIES.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("row", OFFICIAL_QUERIES, ids=range(len(OFFICIAL_QUERIES)))
def test_megabench_verifier_gives_the_official_query_score(row):
    result = score("megabench", row["response"], row["answer"], {"metric_info": row["metric_info"]})
    assert result.value == pytest.approx(row["official"]["query"])
    assert result.accuracy == result.value
    assert result.format == 0.0
    assert result.parts == pytest.approx({f"field:{k}": v for k, v in row["official"]["field"].items()})
    parser = row["metric_info"].get("response_parse_function") or "dummy"
    assert result.extractor == f"megabench.{parser}"


def test_megabench_verifier_reads_literal_strings_and_merges_contexts():
    info = {"field_score_function": {"a": "exact_str_match"},
            "aggregation": {"function": "mean", "field_weights": {"a": 1}},
            "response_parse_function": "json"}
    result = score("megabench", '{"a": "x"}', "{'a': 'x'}", {"metric_info": repr(info)})
    assert (result.value, result.status, result.parsed) == (1.0, Status.OK, {"a": "x"})
    assert result.detail == ""
    no_parser = {k: v for k, v in info.items() if k != "response_parse_function"}
    assert score("megabench", "x", {"a": "x"}, {"metric_info": no_parser}).extractor == "megabench.dummy"


def test_megabench_verifier_record_errors():
    answer = {"a": "x"}
    missing = score("megabench", "x", answer, {})
    assert missing.status == Status.ERROR
    assert "params.metric_info is required" in missing.detail
    text = score("megabench", "x", answer, {"metric_info": "not a dict"})
    assert "params.metric_info must be a dict or a string holding a dict literal" in text.detail
    listed = score("megabench", "x", answer, {"metric_info": "[1, 2]"})
    assert "params.metric_info must be a dict, got list" in listed.detail
    bad_ref = score("megabench", "x", "[1]", {"metric_info": {"field_score_function": {"a": "exact_str_match"}}})
    assert "reference (the answer dict) must be a dict, got list" in bad_ref.detail
    unknown = score("megabench", "x", answer, {"metric_info": {"field_score_function": {"a": "no_metric"}}})
    assert unknown.status == Status.ERROR
    assert "no_metric" in unknown.detail
    bad_context = score("megabench", "x", answer, {"metric_info": {}}, {"context": 1})
    assert bad_context.status == Status.OK  # an unrelated context key is no error
    odd = get_verifier("megabench").fn
    with pytest.raises(ConfigError, match="context must be a dict or a string holding a dict literal"):
        odd("x", answer, {"metric_info": {}}, "not a dict")  # type: ignore[arg-type]


def test_megabench_context_none_is_no_context():
    """A None context stands for {} (the run path may pass none)."""
    info = {"field_score_function": {"a": "exact_str_match"}, "aggregation": {"field_weights": {"a": 1}}}
    result = get_verifier("megabench").fn("x", {"a": "x"}, {"metric_info": info}, None)  # type: ignore[arg-type]
    assert (result.value, result.status) == (1.0, Status.OK)


def test_megabench_judge_fields_are_not_scored_unless_judged():
    info = {"field_score_function": {"b": "gpt_4o_as_judge", "a": "vlm_as_judge"},
            "aggregation": {"function": "mean", "field_weights": {"a": 1, "b": 1}}}
    answer = {"a": "x", "b": "y"}
    result = score("megabench", "x", answer, {"metric_info": info})
    assert result.status == Status.NOT_SCORED
    assert (result.value, result.accuracy) == (0.0, 0.0)
    assert result.detail == ("a: vlm_as_judge: LLM judge metric; no judge configured; "
                             "b: gpt_4o_as_judge: LLM judge metric; no judge configured")
    judged = score("megabench", "x", answer, {"metric_info": info},
                   {"megabench_judged": {"a": 1.0, "b": 0.5}})
    assert (judged.status, judged.value) == (Status.OK, 0.75)
    assert judged.parts == {"field:a": 1.0, "field:b": 0.5}
    # the judged scores may come with the per-sample eval_context too
    via_params = score("megabench", "x", answer,
                       {"metric_info": info, "eval_context": {"megabench_judged": {"a": 0.0, "b": 0.5}}})
    assert via_params.value == 0.25


def test_megabench_not_scored_detail_is_bounded():
    info = {"field_score_function": {f"f{i:03d}": "vlm_as_judge" for i in range(30)}}
    answer = {f"f{i:03d}": "x" for i in range(30)}
    result = score("megabench", "x", answer, {"metric_info": info})
    assert result.status == Status.NOT_SCORED
    assert len(result.detail) == 500
    assert result.detail.startswith("f000: vlm_as_judge: ")


def test_megabench_failed_json_parse_is_a_parse_error():
    info = {"field_score_function": {"a": "exact_str_match"}, "response_parse_function": "json",
            "aggregation": {"field_weights": {"a": 1}}}
    result = score("megabench", "no json here", {"a": "x"}, {"metric_info": info})
    assert result.status == Status.PARSE_ERROR
    assert result.detail == "json parse failed: fields scored against the raw response"


def test_megabench_parsed_answer_is_made_json_ready():
    """Tuples become lists, sets sorted lists, other objects their repr; dict keys strings."""
    from orsta_bench.verifiers.megabench import _jsonable

    assert _jsonable({1: (1, 2), "s": {3, 1, 2}, "f": frozenset({"b", "a"}), "n": None}) == {
        "1": [1, 2], "s": [1, 2, 3], "f": ["a", "b"], "n": None}
    assert _jsonable([True, 1.5, "x", b"y", 2j]) == [True, 1.5, "x", "b'y'", "2j"]
    assert json.dumps(_jsonable({"k": [(1, {2})]})) == '{"k": [[1, [2]]]}'


def test_single_metric_verifier():
    exact = score("megabench.exact_str_match", "abc", "abc")
    assert (exact.value, exact.accuracy, exact.format, exact.status) == (1.0, 1.0, 0.0, Status.OK)
    assert (exact.detail, exact.parsed, exact.extractor) == ("", "abc", "megabench.exact_str_match")
    assert exact.parts == {"field:exact_str_match": 1.0}
    assert score("megabench.exact_str_match", "abc", "abd").value == 0.0


def test_single_metric_judge_and_unavailable_metrics_are_not_scored():
    judge = score("megabench.vlm_as_judge", "x", "y")
    assert (judge.status, judge.detail) == (Status.NOT_SCORED,
                                            "vlm_as_judge: LLM judge metric; no judge configured")
    unavailable = score("megabench.bleu", "x", "y")
    assert (unavailable.status, unavailable.detail) == (Status.NOT_SCORED, "bleu: needs sacrebleu; not configured")


def test_megabench_metric_names_are_the_whole_rest_case_insensitive():
    assert score("megabench.Exact_Str_Match", "abc", "abc").value == 1.0
    with pytest.raises(KeyError):
        get_verifier("megabench.x.exact_str_match")  # no metric is called "x.exact_str_match"


def test_megabench_unsupported_metric_is_not_scored():
    """`megabench.unsupported` (a field without a metric upstream) scores nothing, saying so."""
    result = score("megabench.unsupported", "x", "x")
    assert (result.status, result.detail) == (Status.NOT_SCORED, "unsupported: unsupported metric")


def test_single_context_metric_context_errors():
    entry = get_verifier("megabench.xml_norm_point_in_bbox")
    with pytest.raises(ConfigError, match="^context must be a dict or a string holding a dict literal$"):
        entry.fn("<point>0.4, 0.7</point>", "", {}, "not a dict")  # type: ignore[arg-type]
    literal = entry.fn("<point>0.4, 0.7</point>", "", {}, "{'bounding_boxes': ['[0.2, 0.3, 0.6, 0.7]']}")
    assert literal.value == 1.0  # type: ignore[arg-type]


def test_megabench_sets_sort_by_repr():
    """Mixed-type sets sort by repr, so they never fail to sort (and 10 comes before 9)."""
    from orsta_bench.verifiers.megabench import _jsonable

    assert _jsonable({1, "a"}) == ["a", 1]
    assert _jsonable({9, 10}) == [10, 9]


def test_single_context_metric_reads_the_context_not_the_reference():
    """xml_norm_point_in_bbox: a point inside the context's bbox scores 1 whatever the reference
    (the official scores of these two points: tests/test_pin_megabench_metrics.py OFFICIAL_SCORES)."""
    context = {"bounding_boxes": ["[0.2, 0.3, 0.6, 0.7]"]}
    inside = score("megabench.xml_norm_point_in_bbox", "<point>0.4, 0.7</point>", "ignored", {}, context)
    outside = score("megabench.xml_norm_point_in_bbox", "<point>0.4, 0.8</point>", "<point>0.4, 0.8</point>",
                    {}, context)
    assert (inside.value, outside.value) == (1.0, 0.0)
