"""Pins for verifiers/vtriune.py found by mutation testing (scripts/mutation.sh): the record the
detection verifier returns, the grid rescale (width/height, the 1000 scale, bad grids) and the
reference type check."""

import pytest

from orsta_bench.reward import score
from orsta_bench.score import Status
from orsta_bench.verifiers.base import ConfigError
from orsta_bench.verifiers.vtriune import _rescale, vtriune_detection

PARAMS = {"verifier_parm": {"det_reward_ratio": {"iou_max_label_first": 1.0}}}
GT = "<answer>[{'bbox_2d': [0, 0, 500, 500], 'label': 'dog'}]</answer>"


def test_raw_record_of_a_scored_answer():
    """The verifier's raw Score: value = accuracy, status ok, extractor, non-empty parts."""
    raw = vtriune_detection(GT, GT, PARAMS, {"iou_threshold": 0.5})
    assert (raw.value, raw.accuracy, raw.status, raw.detail, raw.extractor) == (
        1.0, 1.0, Status.OK, "", "answer_tag")
    assert raw.parts["threshold"] == 0.5 and raw.parts["iou_max_label_first"] == 1.0


def test_raw_record_without_an_answer():
    raw = vtriune_detection("no tags", GT, PARAMS, {})
    assert (raw.value, raw.status, raw.detail, raw.extractor, raw.parts) == (
        0.0, Status.NO_ANSWER, "no <answer>...</answer> span", "answer_tag", {})


def test_reference_must_be_the_ground_truth_string():
    result = score("vtriune.detection", GT, 5, PARAMS)
    assert result.status is Status.ERROR
    assert "reference must be the ground_truth string, got int" in result.detail


def test_rescale_uses_width_for_x_and_height_for_y_at_scale_1000():
    """Grid [t, h, w] = [1, 280, 560]: the far corner maps to exactly 1000 on both axes."""
    boxes = [{"bbox_2d": [560, 280, 560, 280], "label": "a"}, {"bbox_2d": [56, 14, 280, 140], "label": "b"}]
    assert [b["bbox_2d"] for b in _rescale(boxes, [[1, 280, 560]])] == [
        [1000, 1000, 1000, 1000], [100, 50, 500, 500]]


def test_rescale_drops_only_the_overflowing_box():
    boxes = [{"bbox_2d": [0, 0, 1e308, 1e308], "label": "a"}, {"bbox_2d": [0, 0, 28, 28], "label": "b"}]
    assert [b["label"] for b in _rescale(boxes, [[1, 28, 28]])] == ["b"]


@pytest.mark.parametrize("grid", [{0: [1, 28, 28]}, [[1, 28]], [[1, 0, 28]], [[1, -28, 28]],
                                  [[1, True, 28]], [[1, 28, "w"]]])
def test_bad_grid_is_a_config_error(grid):
    with pytest.raises(ConfigError, match=r"^context\.image_grid_thw must be \[\[t, h, w\], \.\.\.\] in pixels"):
        _rescale([{"bbox_2d": [0, 0, 1, 1], "label": "a"}], grid)
