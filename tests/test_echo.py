"""The echo cap on `parsed`: small answers pass unchanged, huge or deep ones become a marker
with a bounded preview, on every path through the scoring pool."""

import json

import pytest

from orsta_bench.echo import ECHO_MAX_CHARS, PREVIEW_CHARS, TRUNCATED_KEY, bounded_echo, preview
from orsta_bench.scoring import ScoreJob, ScoringPool, run_job


def test_small_answers_are_echoed_as_they_are():
    value = {"a": [1, 2.5, None, True, 'say "hi"'], "b": {"c": "d"}}
    assert bounded_echo(value) is value
    assert json.loads(preview(value)) == value  # the preview is the JSON itself while short
    assert bounded_echo("x" * (ECHO_MAX_CHARS - 100)) == "x" * (ECHO_MAX_CHARS - 100)


HUGE = {"fields": lambda: {f"f{i}": "y" * 1_000_000 for i in range(20)}, "items": lambda: ["z"] * 100_000,
        "int": lambda: 10 ** 100_000}


@pytest.mark.parametrize("kind", sorted(HUGE))
def test_huge_answers_become_a_marker_with_a_preview(kind):
    echoed = bounded_echo(HUGE[kind]())
    assert echoed[TRUNCATED_KEY] is True and "more than" in echoed["reason"]
    assert len(echoed["preview"]) <= PREVIEW_CHARS + 3
    assert len(json.dumps(echoed)) < 2 * PREVIEW_CHARS


def nested(depth: int) -> list:
    value: list = ["x"]
    for _ in range(depth - 1):
        value = [value]
    return value


def test_deep_answers_become_a_marker():
    echoed = bounded_echo(nested(10_000))
    assert "nested deeper than 50" in echoed["reason"] and echoed["preview"].startswith("[[[[")
    assert bounded_echo(nested(50)) == nested(50)  # a record holding it stays within the JSONL cap
    assert bounded_echo(nested(51))[TRUNCATED_KEY] is True


def megabench_job(fields: int, response_chars: int) -> ScoreJob:
    metric_info = {"field_score_function": {f"f{i}": "exact_str_match" for i in range(fields)},
                   "aggregation": {"function": "mean", "field_weights": {f"f{i}": 1 for i in range(fields)}},
                   "response_parse_function": "json"}
    return ScoreJob("megabench", "y" * response_chars, {f"f{i}": "x" for i in range(fields)},
                    {"metric_info": metric_info})


def test_scoring_caps_the_echo_but_not_the_score():
    small = run_job(megabench_job(3, 10))
    assert small.parsed == {"f0": "y" * 10, "f1": "y" * 10, "f2": "y" * 10}
    big = run_job(megabench_job(20, 1_000_000))  # json parse fails: each field = the whole response
    assert big.status.value == "parse_error" and big.parts["field:f0"] == 0.0
    assert big.parsed[TRUNCATED_KEY] is True


def test_pool_answers_an_unpicklable_job_alone():
    deep: list = []
    for _ in range(5_000):
        deep = [deep]
    jobs = [ScoreJob("count", "4", 4), ScoreJob("count", "4", 4, {}, {"x": deep}), ScoreJob("count", "5", 5)]
    with ScoringPool(workers=1, timeout_s=30) as pool:
        scores = pool.score_many(jobs)
    assert [s.status.value for s in scores] == ["ok", "error", "ok"]
    assert "cannot be sent to a scoring worker" in scores[1].detail
