"""Pins for megabench/aggregate.py found by mutation testing (scripts/mutation.sh): empty tasks
and groups, the -1 ("not applicable") task in keyword breakdowns, and the metadata file used."""

import json

import pytest

from orsta_bench.megabench.aggregate import is_open_task, keyword_breakdown, summarize, task_score


@pytest.fixture
def meta_file(tmp_path):
    """A small task-metadata file: `b` has an empty app and no skills key."""
    meta = {
        "a": {"app": "Science", "skills": ["ocr", "math"], "input_format": "photo",
              "output_format": "numerical", "num_input": "1-image"},
        "b": {"app": "", "input_format": "photo", "output_format": "contextual",
              "num_input": "1-image"},
        "c": {"app": "Science", "skills": ["math"]},
    }
    path = tmp_path / "meta.json"
    path.write_text(json.dumps(meta))
    return str(path)


def test_empty_task_scores_zero_not_one():
    """An empty task scores 0.0 (the official rule), not 1.0 and not a division error."""
    assert task_score([]) == 0.0


def test_task_score_minus_one_counts_zero_in_the_denominator():
    assert task_score([1.0, -1.0, 0.0, 0.5]) == pytest.approx(1.5 / 4)


def test_empty_group_has_no_score():
    """With no Open task the Open score is None (not 0, not an error)."""
    assert summarize({"x": 0.5}, meta_path=None)["open"] == {"score": None, "num_tasks": 0, "complete": True,
                                                             "incomplete_tasks": []}


def test_keyword_breakdown_by_metadata_file(meta_file):
    """Keywords come from the given metadata; list values fan out, empty values add nothing."""
    result = keyword_breakdown({"a": 0.5, "b": 1.0, "c": 0.0}, meta_file)
    assert result["app"] == {"Science": {"score": 0.25, "num_tasks": 2}}
    assert result["skills"] == {"math": {"score": 0.25, "num_tasks": 2},
                                "ocr": {"score": 0.5, "num_tasks": 1}}
    assert result["input_format"] == {"photo": {"score": 0.75, "num_tasks": 2}}
    assert result["input_num"] == {"1-image": {"score": 0.75, "num_tasks": 2}}
    assert summarize({"a": 0.5, "b": 1.0, "c": 0.0}, meta_path=meta_file)["keywords"] == result


def test_minus_one_task_is_left_out_of_keywords_but_zero_is_kept(meta_file):
    """`score == -1` (not applicable) leaves the task out; a real 0 stays in; later tasks count."""
    result = keyword_breakdown({"a": -1, "c": 0.0, "b": 1.0}, meta_file)
    assert result["app"] == {"Science": {"score": 0.0, "num_tasks": 1}}
    assert result["output_format"] == {"contextual": {"score": 1.0, "num_tasks": 1}}
    only_minus_two = keyword_breakdown({"a": -2}, meta_file)
    assert only_minus_two["app"] == {"Science": {"score": -2.0, "num_tasks": 1}}


def test_task_missing_from_metadata_is_skipped(meta_file):
    result = keyword_breakdown({"unknown": 0.9, "c": 1.0}, meta_file)
    assert result["app"] == {"Science": {"score": 1.0, "num_tasks": 1}}


def test_judge_metric_in_global_aux_makes_an_open_task():
    info = {"field_score_function": {"a": "exact_str_match"},
            "global_aux_metrics": {"all": "gpt_4o_as_judge"}}
    assert is_open_task(info)
    assert not is_open_task({**info, "global_aux_metrics": {"all": "dict_equality"}})
