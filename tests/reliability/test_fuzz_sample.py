"""A small sample of the fuzzer (the full 100,000: python -m reliability.run --full)."""

from __future__ import annotations

import random

from orsta_bench.reward import score
from orsta_bench.score import Score, Status
from reliability.calls import Call, all_calls, check_coverage
from reliability.fuzz import job, run_fuzz, violation
from reliability.hostile import GENERATORS, hostile_response


def test_every_verifier_parser_and_metric_is_reached() -> None:
    assert check_coverage(all_calls()) == []


def test_generators_are_seeded() -> None:
    first = [hostile_response(random.Random(f"3:{i}")) for i in range(50)]
    again = [hostile_response(random.Random(f"3:{i}")) for i in range(50)]
    assert first == again
    assert job(17, 3)[2] == job(17, 3)[2]
    for generator, _ in GENERATORS:  # every generator runs and yields text or bytes
        assert isinstance(generator(random.Random(0)), (str, bytes))


def test_violation_flags_what_breaks_the_contract() -> None:
    count, mega = Call("count", 3), Call("megabench.exact_str_match", "B")
    assert violation(count, Score(value=1.5, accuracy=1.5)) == "value 1.5 out of range"
    assert violation(count, Score(value=-1.0, accuracy=-1.0)) == "value -1.0 out of range"
    assert violation(mega, Score(value=-1.0, accuracy=-1.0)) is None
    assert violation(count, Score(value=float("inf"))) == "value is inf"
    assert "status error" in violation(count, Score.failure(Status.ERROR, "crashed"))
    assert violation(count, Score.failure(Status.TIMEOUT, "slow")) is None


def test_fuzz_sample_through_the_real_pool() -> None:
    report = run_fuzz(200, seed=11, workers=2)
    assert report["escaped_exception"] is None
    assert report["first_violations"] == [] and report["violations"] == 0
    assert report["scored"] == 200 and report["passed"], report


def test_found_by_fuzzing_iou_huge_coordinate() -> None:
    result = score("iou", "[" + "9" * 400 + ", 0, 1, 1]", [566, 441, 661, 536], {}, {})
    assert violation(Call("iou", None), result) is None
