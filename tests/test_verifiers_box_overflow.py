"""Box coordinates so large that area, intersection or union overflow: identical boxes still
score 1, any other such pair is a parse_error that says so (never a silent IoU of 0)."""

import json

import pytest

from orsta_bench.reward import score
from orsta_bench.verifiers.detection_math import native_ious

HUGE = [0, 0, 1e308, 1e308]


def detection_answer(*boxes):
    return json.dumps([{"bbox_2d": box, "label": "cat"} for box in boxes])


@pytest.mark.parametrize("coords", ["norm1000", "norm1"])
def test_identical_huge_boxes_score_one(coords):
    result = score("iou", json.dumps(HUGE), HUGE, {"coords": coords})
    assert (result.status.value, result.value, result.parts["iou"]) == ("ok", 1.0, 1.0)
    result = score("detection", detection_answer(HUGE), [{"bbox_2d": HUGE, "label": "cat"}], {"coords": coords})
    assert (result.status.value, result.value) == ("ok", 1.0)


@pytest.mark.parametrize(("answer", "reference", "what"), [
    (HUGE, [0, 0, 10, 10], "area of the predicted box"),
    ([0, 0, 10, 10], HUGE, "area of the reference box"),
    ([-1e308, 0, 1e308, 1], [0, 0, 10, 1], "area of the predicted box"),
    ([0, 0, 1e308, 1e308], [0, 0, 1e308, 9e307], "area of the predicted box"),
])
def test_overflowing_geometry_is_a_parse_error_with_the_reason(answer, reference, what):
    params = {"coords": "norm1"}
    result = score("iou", json.dumps(answer), reference, params)
    assert result.status.value == "parse_error" and result.value == 0.0
    assert result.detail.startswith(what) and "not finite" in result.detail
    result = score("detection", detection_answer(answer), [{"bbox_2d": reference, "label": "cat"}], params)
    assert result.status.value == "parse_error" and what in result.detail


def test_union_overflow_is_reported_even_when_each_area_is_finite():
    boxes = [{"bbox_2d": [0.0, 0.0, 1e154, 1.5e154], "label": "a"}]
    others = [{"bbox_2d": [1e154, 0.0, 2e154, 1.5e154], "label": "a"}]
    _, problem = native_ious(boxes, [{"bbox_2d": [0.0, 0.0, 1.1e154, 1.5e154], "label": "a"}])
    assert problem is not None and problem.startswith("union")
    ious, problem = native_ious(boxes, others)
    assert problem is None and ious[0, 0] == 0.0  # touching, not overlapping: IoU 0 whatever the union


def test_ordinary_boxes_keep_their_iou():
    ious, problem = native_ious([{"bbox_2d": [0.1, 0.1, 0.9, 0.9], "label": "a"}],
                                [{"bbox_2d": [0.0, 0.0, 1.0, 1.0], "label": "a"}])
    assert problem is None and ious[0, 0] == pytest.approx(0.64)


MAP_ONLY = {"map": 0.5, "map50": 0.25, "map75": 0.25, "iou_max_label_first": 0.0, "iou_completeness": 0.0}


@pytest.mark.parametrize("coords", ["norm1000", "norm1"])
def test_identical_huge_boxes_score_one_with_map_weights(coords):
    """COCO ignores boxes with an area over 1e10 or infinite: mAP came back -1 ('no ground
    truth'), a score of -1 `ok`."""
    truth = [{"bbox_2d": HUGE, "label": "cat"}]
    result = score("detection", detection_answer(HUGE), truth, {"coords": coords, **MAP_ONLY})
    assert result.status.value == "ok" and result.value == pytest.approx(1.0)
    assert all(result.parts[key] == pytest.approx(1.0) for key in ("map", "map50", "map75"))


def test_map_of_boxes_beyond_the_frame_is_their_overlap_not_minus_one():
    truth = [{"bbox_2d": [0, 0, 1e9, 1e9], "label": "cat"}]
    half = detection_answer([0, 0, 1e9, 5e8])  # IoU 0.5: matched at 0.5, not at 0.75
    params = {"coords": "norm1", "iou_max_label_first": 0.0}
    assert score("detection", half, truth, {**params, "map50": 1.0}).value == pytest.approx(1.0)
    assert score("detection", half, truth, {**params, "map75": 1.0}).value == 0.0


def test_map_within_the_frame_is_unchanged():
    truth = [{"bbox_2d": [0.1, 0.1, 0.5, 0.5], "label": "cat"}, {"bbox_2d": [0.5, 0.5, 0.9, 0.8], "label": "dog"}]
    answer = json.dumps([{"bbox_2d": [0.1, 0.12, 0.5, 0.5], "label": "cat"}, {"bbox_2d": [0.6, 0.5, 0.9, 0.8], "label": "dog"}])
    from orsta_bench.verifiers.detection_math import coco_map

    preds = json.loads(answer)
    result = score("detection", answer, truth, {"coords": "norm1", **MAP_ONLY})
    assert result.parts["map"] == coco_map(preds, truth)["map"]
