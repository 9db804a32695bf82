"""The reward function: weights, normalisation, statuses, the MEGA-Bench sentinel, contexts."""

import pytest

from orsta_bench import reward
from orsta_bench.reward import (
    combine,
    eval_context,
    reward_weights,
    score,
    score_sample,
    train_context,
)
from orsta_bench.sample import Sample, VerifierCall
from orsta_bench.score import NOT_APPLICABLE, Score, Status

VT = "<think>\nhm\n</think>\n<answer>\n5\n</answer>"


def test_vtriune_normalisation_formula():
    weights = {"reward": {"accuracy_weight": 1.0, "format_weight": 0.1}}
    result = score("count", VT, 4, {**weights, "format_reward": "vtriune"})
    assert (result.accuracy, result.format) == (0.0, 1.0)
    assert result.value == pytest.approx(0.1 / 1.1)
    right = score("count", VT.replace("5", "4"), 4, {**weights, "format_reward": "vtriune"})
    assert right.value == pytest.approx(1.0)


def test_default_is_accuracy_only():
    assert score("count", VT, 5, {"format_reward": "vtriune"}).value == 1.0
    assert reward_weights("count", {}) == (1.0, 0.0)
    assert reward_weights("vtriune.detection", {}) == (1.0, 0.1)
    assert reward_weights("vtriune.detection", {"format_ratio": 0.0}) == (1.0, 0.0)


@pytest.mark.parametrize(
    "params",
    [{"reward": {"accuracy_weight": 0, "format_weight": 0}}, {"reward": {"accuracy_weight": -1}},
     {"reward": {"acc": 1}}, {"reward": 3}],
)
def test_bad_weights_are_record_errors(params):
    result = score("count", "4", 4, params)
    assert result.status is Status.ERROR and "reward" in result.detail


def test_vtriune_ratio_none_is_absent_and_zero_is_an_error():
    none = score("vtriune.mathverify", r"\boxed{1}", "1", {"accuracy_ratio": None, "format_ratio": None})
    assert none.status is Status.OK and none.value == pytest.approx(1 / 1.1)  # server defaults 1.0 / 0.1
    both_zero = {"accuracy_ratio": 0.0, "format_ratio": 0.0}
    assert score("vtriune.mathverify", r"\boxed{1}", "1", both_zero).status is Status.ERROR


def test_unknown_verifier_and_crash_never_raise():
    assert score("cnt", "4", 4).status is Status.ERROR
    assert "did you mean count" in score("cnt", "4", 4).detail
    assert score("count", None, 4).status is Status.NO_ANSWER
    assert score("count", b"\xff\xfe4", 4).accuracy == 1.0  # bytes decoded leniently
    assert score("count", "4", 4, params="x").status is Status.ERROR  # type: ignore[arg-type]


def test_sentinel_passes_through_unchanged():
    raw = Score(value=NOT_APPLICABLE, accuracy=NOT_APPLICABLE)
    assert combine(raw, 1.0, 0.1).value == NOT_APPLICABLE
    excluded = Score(value=0.7, accuracy=0.7, status=Status.NOT_SCORED)
    assert combine(excluded, 1.0, 0.0).value == 0.0


def test_contexts():
    assert eval_context() == {"mode": "eval"}
    assert train_context(3, 10, image_grid_thw=[[1, 28, 28]]) == {
        "mode": "train", "step": 3, "total_steps": 10, "image_grid_thw": [[1, 28, 28]]}
    with pytest.raises(ValueError, match="total_steps"):
        train_context(0, 0)
    with pytest.raises(ValueError, match="step"):
        train_context(-1, 10)


def test_score_sample_uses_the_samples_own_call():
    sample = Sample(id="s1", task="t", data_source="t", messages=[], ground_truth=[[0, 0, 100, 100]][0],
                    verifier=VerifierCall("iou", {"eval_iou_threshold": 0.5, "train_iou_threshold": "dynamic",
                                                  "reward": {"accuracy_weight": 1.0, "format_weight": 0.0}}))
    response = "[0, 0, 100, 60]"  # IoU 0.6
    assert score_sample(sample, response, eval_context()).value == 1.0
    assert score_sample(sample, response, train_context(0, 10)).value == 0.0  # 0.85 early in training
    assert reward.score_sample(sample, response, {"iou_threshold": 0.6}).value == 1.0
