"""Pins for verifiers/detection_math.py found by mutation testing (scripts/mutation.sh): COCO mAP
components on several boxes and labels against closed-form COCO values, labels that match
nothing, non-finite IoU, matcher and completeness edges."""

import numpy as np
import pytest

from orsta_bench.verifiers.detection_math import (
    coco_map,
    detection_reward,
    iou_matrix,
    match_iou_first,
    match_label_first,
    strategy_score,
)

# COCO 101-point interpolated AP of one category with 2 ground truths and detections
# [hit, miss] in that order (all confidence 1): precision 1 up to recall 0.5 -> 51/101.
HALF_RECALL_AP = 51 / 101


def b(coords, label="a"):
    return {"bbox_2d": coords, "label": label}


GTS = [b([0, 0, 100, 100]), b([200, 200, 300, 300]), b([0, 200, 100, 300], "c")]


def test_coco_components_with_several_boxes_and_labels():
    """Category a: one exact hit, one miss (AP 51/101 at every threshold); category c: IoU 0.6
    (AP 1 at 0.5-0.6, 0 above); an unknown label is dropped. COCO means over the two categories."""
    preds = [b([0, 0, 100, 100]), b([400, 400, 500, 500]), b([0, 200, 100, 260], "c"),
             b([0, 0, 10, 10], "zzz")]
    result = coco_map(preds, GTS)
    assert result["map50"] == pytest.approx((HALF_RECALL_AP + 1.0) / 2)
    assert result["map75"] == pytest.approx((HALF_RECALL_AP + 0.0) / 2)
    assert result["map"] == pytest.approx((HALF_RECALL_AP + 0.3) / 2)


def test_coco_keeps_the_models_order_for_tied_confidences():
    """[miss, hit] instead of [hit, miss]: precision 1/2 at recall 1/2 -> AP = 0.5 * 51/101."""
    preds = [b([400, 400, 500, 500]), b([0, 0, 100, 100])]
    result = coco_map(preds, GTS[:2])
    assert result == pytest.approx({"map": 0.5 * HALF_RECALL_AP, "map50": 0.5 * HALF_RECALL_AP,
                                    "map75": 0.5 * HALF_RECALL_AP})


def test_coco_box_width_and_height_from_corners():
    """A non-square box away from the origin: COCO xywh must be (x1, y1, x2-x1, y2-y1)."""
    gts = [b([100, 50, 400, 110])]
    assert coco_map([b([100, 50, 400, 110])], gts) == pytest.approx(
        {"map": 1.0, "map50": 1.0, "map75": 1.0})
    shifted = coco_map([b([100, 50, 400, 95])], gts)  # IoU 45/60 = 0.75
    assert shifted == pytest.approx({"map": 0.6, "map50": 1.0, "map75": 1.0})


def test_no_predicted_label_matches_gives_zero_map():
    assert coco_map([b([0, 0, 100, 100], "x")], GTS) == {"map": 0.0, "map50": 0.0, "map75": 0.0}


def test_non_finite_iou_counts_as_zero_and_disjoint_as_zero():
    huge = b([0.0, 0.0, 1e308, 1e308])
    assert iou_matrix([huge], [huge]).tolist() == [[0.0]]
    touching = iou_matrix([b([0, 0, 10, 10])], [b([10, 0, 20, 10]), b([0, 10, 10, 20]), b([5, 5, 15, 15])])
    assert touching[0].tolist() == pytest.approx([0.0, 0.0, 25 / 175])
    assert iou_matrix([], GTS).shape == (0, 3) and iou_matrix(GTS, []).shape == (3, 0)


def test_label_first_takes_the_best_unused_same_label_prediction_at_the_threshold():
    preds = [b([0, 0, 100, 60]), b([0, 0, 100, 100]), b([0, 0, 100, 100], "A")]
    gts = [b([0, 0, 100, 100]), b([0, 0, 100, 100]), b([0, 0, 100, 100]), b([0, 0, 100, 100], "q")]
    ious = iou_matrix(preds, gts)
    assert match_label_first(preds, gts, ious, 0.6) == [1.0, 1.0, pytest.approx(0.6)]
    assert match_label_first(preds, gts, ious, 0.61) == [1.0, 1.0]


def test_iou_first_threshold_is_inclusive_and_labels_must_agree():
    preds = [b([0, 0, 100, 60]), b([200, 200, 300, 300], "x")]
    gts = [b([0, 0, 100, 100]), b([200, 200, 300, 300])]
    ious = iou_matrix(preds, gts)
    assert match_iou_first(preds, gts, ious, 0.6) == [0.0, pytest.approx(0.6)]
    assert match_iou_first(preds, gts, ious, 0.61) == [0.0]
    assert match_iou_first([], gts, np.zeros((0, 2)), 0.5) == []


def test_strategy_score_parts():
    """mean IoU over ground truths; completeness = 1 - (miss + false alarm) / 2; weighted mix."""
    scored = strategy_score([0.8], n_pred=2, n_gt=4, completeness_weight=0.25)
    assert scored == pytest.approx({"mean_iou": 0.2, "completeness": 1 - (0.75 + 0.5) / 2,
                                    "weighted": 0.2 * 0.75 + 0.375 * 0.25})
    assert strategy_score([], 0, 2, 0.5) == {"mean_iou": 0.0, "completeness": 0.5, "weighted": 0.25}


def test_detection_reward_mixes_map_components_with_the_size_penalty():
    """Only map50 weighted: accuracy = 0.6^|3-3| * map50; with one extra prediction 0.6 * ..."""
    preds = [b([0, 0, 100, 100]), b([400, 400, 500, 500]), b([0, 200, 100, 260], "c")]
    accuracy, parts = detection_reward(preds, GTS, 0.5, {"map50": 1.0})
    assert accuracy == pytest.approx((HALF_RECALL_AP + 1.0) / 2)
    assert parts["map50"] == pytest.approx(accuracy) and parts["size_penalty"] == 1.0
    more, parts = detection_reward(preds + [b([0, 0, 5, 5], "zzz")], GTS, 0.5, {"map": 1.0, "map75": 1.0})
    assert parts["size_penalty"] == pytest.approx(0.6)
    assert more == pytest.approx(0.6 * ((HALF_RECALL_AP + 0.3) / 2 + HALF_RECALL_AP / 2) / 2)


def test_detection_reward_without_boxes_or_weights_is_zero():
    assert detection_reward([], GTS, 0.5, {"map": 1.0}) == (0.0, {"size_penalty": 0.0})
    accuracy, parts = detection_reward(GTS, GTS, 0.5, {"iou_completeness": 1.0})
    assert accuracy == 0.0 and "map" not in parts


def test_iou_of_boxes_disjoint_on_one_axis_is_zero():
    """Overlapping in y but apart in x (or the reverse): zero, never a negative IoU."""
    ious = iou_matrix([b([0, 0, 10, 10])], [b([20, 0, 30, 10]), b([0, 20, 10, 30])])
    assert ious.tolist() == [[0.0, 0.0]]


def test_huge_integer_coordinates_are_computed_in_float_without_warnings():
    """JSON integers beyond int64 become float64 (IoU 1 here); inf/inf never warns or leaks NaN."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert iou_matrix([b([0, 0, 10**30, 10**30])], [b([0, 0, 10**30, 10**30])]).tolist() == [[1.0]]
        assert iou_matrix([b([0.0, 0.0, 1e308, 1e308])], [b([0, 0, 1, 1])]).tolist() == [[0.0]]


def test_label_first_skips_a_ground_truth_without_candidates_and_goes_on():
    preds = [b([0, 0, 100, 100])]
    gts = [b([0, 0, 100, 100], "q"), b([0, 0, 100, 100]), b([0, 0, 100, 100])]
    assert match_label_first(preds, gts, iou_matrix(preds, gts), 0.5) == [1.0]


def test_iou_first_uses_each_prediction_once_and_continues_past_used_pairs():
    """Pairs by IoU: (p0, g0) 0.9 first; (p0, g1) is skipped (p0 used); (p1, g1) then matches."""
    preds = [b([0, 0, 100, 90]), b([0, 50, 100, 100])]
    gts = [b([0, 0, 100, 100]), b([0, 0, 100, 80])]
    ious = iou_matrix(preds, gts)
    assert ious[0, 1] > ious[1, 1] >= 0.3
    assert match_iou_first(preds, gts, ious, 0.3) == pytest.approx([ious[0, 0], ious[1, 1]])


def test_iou_first_ties_go_to_the_earliest_prediction():
    """24 predictions with tied IoUs (1, 0.5 or 0.25 with the one ground truth): the earliest
    prediction with IoU 1 wins (prediction-major order, a stable sort); it has the wrong label."""
    kinds = [1, 1, 2, 2, 0, 0, 2, 2, 0, 0, 2, 1, 0, 2, 0, 1, 1, 1, 0, 0, 2, 2, 2, 1]
    shapes = {0: [0, 0, 100, 100], 1: [0, 0, 100, 50], 2: [0, 0, 100, 25]}
    preds = [b(shapes[k], "x" if index == kinds.index(0) else "a") for index, k in enumerate(kinds)]
    gts = [b([0, 0, 100, 100])]
    assert match_iou_first(preds, gts, iou_matrix(preds, gts), 0.2) == [0.0]


@pytest.mark.parametrize("box", [[99000, 0, 100000, 100000], [0, 99000, 100000, 100000]])
def test_coco_area_is_width_times_height(box):
    """COCO ignores ground truths with area above 1e10; a 1000 x 100000 box far from the origin
    has area 1e8 and must count (corner sums instead of differences would exceed 1e10)."""
    assert coco_map([b(box)], [b(box)]) == pytest.approx({"map": 1.0, "map50": 1.0, "map75": 1.0})


def test_coco_with_a_degenerate_ground_truth():
    """A zero-height ground truth (allowed by the parser) is a ground truth nobody can match."""
    result = coco_map([b([0, 0, 10, 10])], [b([0, 5, 100, 5]), b([0, 0, 10, 10])])
    assert result == pytest.approx({"map": HALF_RECALL_AP, "map50": HALF_RECALL_AP, "map75": HALF_RECALL_AP})


def test_coco_prints_nothing(capsys):
    """pycocotools' summary table must not reach stdout (it would corrupt `--json` output)."""
    coco_map([b([0, 0, 100, 100])], GTS)
    assert capsys.readouterr().out == ""


PREDS = [b([0, 0, 100, 100]), b([400, 400, 500, 500]), b([0, 200, 100, 260], "c")]
BASE_PARTS = {"size_penalty", "n_pred", "n_gt", "mean_iou", "completeness", "iou_max_label_first"}


@pytest.mark.parametrize(("ratios", "extra"), [
    ({"iou_max_label_first": 1.0}, set()),
    ({"map": 1.0}, {"map", "map50", "map75"}),
    ({"iou_max_iou_first": 0.5, "map50": 0.5}, {"iou_max_iou_first", "map", "map50", "map75"}),
])
def test_parts_report_exactly_the_computed_components(ratios, extra):
    """Missing ratio keys weigh 0; label-first details are always reported, other components
    only when computed (any mAP weight computes all three)."""
    _, parts = detection_reward(PREDS, GTS, 0.5, ratios)
    assert set(parts) == BASE_PARTS | extra
    assert (parts["n_pred"], parts["n_gt"]) == (3.0, 3.0)


def test_label_first_component_with_default_completeness_weight():
    """Without iou_completeness the component is the mean IoU alone: (1 + 0 + 0.6) / 3."""
    accuracy, parts = detection_reward(PREDS, GTS, 0.5, {"iou_max_label_first": 1.0})
    assert accuracy == pytest.approx(1.6 / 3) == parts["iou_max_label_first"]
    assert parts["mean_iou"] == pytest.approx(1.6 / 3) and parts["completeness"] == pytest.approx(2 / 3)


def test_mixed_components_are_normalised_by_the_weight_sum():
    """0.5 * iou_first + 0.25 * map50 over a weight sum of 0.75."""
    accuracy, parts = detection_reward(PREDS, GTS, 0.5, {"iou_max_iou_first": 0.5, "map50": 0.25})
    expected = (0.5 * parts["iou_max_iou_first"] + 0.25 * parts["map50"]) / 0.75
    assert accuracy == pytest.approx(expected)
    assert parts["iou_max_iou_first"] == pytest.approx(1.6 / 3)


def test_non_finite_weights_give_zero_not_nan():
    accuracy, _ = detection_reward(PREDS, GTS, 0.5, {"iou_max_label_first": float("inf")})
    assert accuracy == 0.0


def test_iou_first_component_uses_its_own_matcher():
    """One exact box with the wrong label: label-first matches nothing (completeness 0), IoU-first
    matches the pair with IoU counted 0 (completeness 1)."""
    _, parts = detection_reward([b([0, 0, 10, 10], "x")], [b([0, 0, 10, 10])], 0.5,
                                {"iou_max_iou_first": 1.0, "iou_completeness": 1.0})
    assert (parts["iou_max_iou_first"], parts["iou_max_label_first"]) == (1.0, 0.0)
