"""Pins of the set/sequence/dict, string and box/point metrics and their conversion helpers,
found by mutation testing (scripts/mutation.sh, target megabench.metrics.rest).

Every expected value comes from tests/fixtures/megabench/official/metrics_rest.jsonl, written by
the OFFICIAL MEGA-Bench code on inputs we chose (make_official_rest.py, README.md there): each
metric row is the official `match`, each helper row the official conversion helper (or the
exception it let out), each gleu row NLTK's sentence_gleu, each query row the official evaluator.
"""

import json
import math
import sys
from pathlib import Path

import pytest

from orsta_bench.megabench.metrics import conversions, get_metric, run_metric, strings
from orsta_bench.megabench.metrics.geometry import sequence_coords_similarity
from orsta_bench.megabench.metrics.strings import _sentence_gleu
from orsta_bench.megabench.parsing import MAX_LITERAL_CHARS, NotALiteral
from orsta_bench.megabench.query import score_query
from tests.fixtures.megabench.official.make_official import canonical

ROWS = [json.loads(line) for line in
        (Path(__file__).parent / "fixtures/megabench/official/metrics_rest.jsonl").read_text("utf-8").splitlines()]


def decode(value):
    """Inverse of make_official.canonical: tagged tuples, sets and dicts back to Python."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if "__tuple__" in value:
            return tuple(decode(v) for v in value["__tuple__"])
        if "__set__" in value:
            return {decode(v) for v in value["__set__"]}
        return {decode(k): decode(v) for k, v in value["__dict__"]}
    return value


def same(ours, official):
    if isinstance(official, float) and math.isnan(official):
        return isinstance(ours, float) and math.isnan(ours)
    return ours == pytest.approx(official, abs=1e-12)


def rows_with(key):
    return [pytest.param(row, id=f"{row[key]}:{json.dumps(row.get('input', row.get('response')))[:60]}")
            for row in ROWS if key in row]


@pytest.mark.parametrize("row", rows_with("metric"))
def test_metric_equals_official_match(row):
    """Each metric, called as the evaluator calls it, gives the official match value (a NaN the
    official code returns is -1 here: both are dropped by the `score >= 0` filter). Where the
    official metric class returns without raising, our function called bare returns that value
    too (the dict metrics call the set and box metrics bare, as upstream)."""
    metric = get_metric(row["metric"])
    if metric.kind != "field" and metric.kind != "context":
        pytest.skip(metric.reason)
    official = row["official"]
    response, reference = decode(row["response"]), decode(row["reference"])
    assert same(run_metric(metric.fn, response, reference), -1.0 if math.isnan(official) else official)
    if not row["raised"]:
        assert same(float(metric.fn(response, reference)), official)


HELPER = {"str_to_list": conversions.str_to_list, "str_to_set": conversions.str_to_set,
          "cast_to_set": conversions.cast_to_set, "cast_to_dict": conversions.cast_to_dict,
          "freeze": conversions.freeze, "str_to_bboxes": conversions.str_to_bboxes,
          "str_to_coords": conversions.str_to_coords, "point_from_xml": conversions.point_from_xml,
          "bboxes_from_xml": conversions.bboxes_from_xml}


@pytest.mark.parametrize("row", [r for r in rows_with("helper") if r.values[0]["helper"] in HELPER])
def test_conversion_equals_official_helper(row):
    """Each conversion returns exactly what the official helper returns (types included: a
    tuple stays a tuple, a set a set); where the official helper raises, ours raises too."""
    fn = HELPER[row["helper"]]
    if "raises" in row:
        with pytest.raises(Exception):  # noqa: B017 - the metric turns any exception into 0
            fn(decode(row["input"]))
    else:
        assert canonical(fn(decode(row["input"]))) == row["official"]


@pytest.mark.parametrize("row", [r for r in rows_with("helper") if r.values[0]["helper"] == "best_ious"])
def test_best_ious_equal_official_calculate_iou(row):
    """Per predicted box, the best IoU over target boxes (0 when there is none or the union is
    empty), as the official calculate_iou."""
    predicted, target = row["input"]
    assert conversions.best_ious(predicted, target) == pytest.approx(row["official"], abs=1e-12)


@pytest.mark.parametrize("row", [r for r in rows_with("helper") if r.values[0]["helper"] == "sentence_gleu"])
def test_sentence_gleu_equals_nltk(row):
    """gleu_cn's n-gram core equals NLTK's sentence_gleu (n = 1..4) on the same tokens."""
    reference, hypothesis = row["input"]
    assert _sentence_gleu(reference, hypothesis) == pytest.approx(row["official"], abs=1e-12)


@pytest.mark.parametrize("row", rows_with("query"))
def test_json_parsed_tuples_score_as_official(row):
    """A JSON answer holding `(1, 2)` stays a tuple officially too: whole queries score the same."""
    result = score_query(row["metric_info"], row["response"], row["answer"])
    assert result.fields["a"] == pytest.approx(row["official"]["field"]["a"], abs=1e-12)
    assert result.score == pytest.approx(row["official"]["query"], abs=1e-12)


def test_gleu_cn_tokenises_with_jieba():
    """gleu_cn is the GLEU of jieba search-mode tokens (the fixture's gleu_cn rows pin values);
    here: identical texts score 1 and texts sharing no token score 0."""
    pytest.importorskip("jieba")
    assert strings.gleu_cn("我爱北京天安门", "我爱北京天安门") == 1
    assert strings.gleu_cn("你好", "再见") == 0


def test_coordinates_text_over_the_literal_cap_is_not_read():
    """Our hostile-input guard (no official equivalent): a keypoint text longer than
    MAX_LITERAL_CHARS is not parsed, so the metric scores 0; at the cap it is still read,
    through JSON when Python's parser rejects it (a trailing indented line, as upstream)."""
    head = "[[0.1, 0.2]]\n"
    at_cap = head + " " * (MAX_LITERAL_CHARS - len(head))
    assert conversions.str_to_coords(at_cap) == [[0.1, 0.2]]
    with pytest.raises(NotALiteral):
        conversions.str_to_coords(at_cap + " ")
    assert run_metric(sequence_coords_similarity, at_cap + " ", "[[0.1, 0.2]]") == 0


def test_missing_jieba_reason_names_the_install_command(monkeypatch):
    """Without jieba, gleu_cn is unavailable with the one-line fix docs/megabench.md gives."""
    monkeypatch.setitem(sys.modules, "jieba", None)  # import jieba -> ImportError
    assert get_metric("gleu_cn").reason == (
        "gleu_cn needs the `jieba` tokenizer: pip install 'orsta-bench[megabench]'")
