"""iou and detection: hand-computed rewards, coordinate frames, threshold resolution."""

import pytest

from orsta_bench.reward import eval_context, score, train_context
from orsta_bench.score import Status
from orsta_bench.verifiers.base import ConfigError
from orsta_bench.verifiers.boxes import dynamic_threshold, parse_box_list, threshold_for


@pytest.mark.parametrize(
    ("step", "expected"), [(0, 0.85), (10, 0.85), (11, 0.95), (25, 0.95), (26, 0.99), (100, 0.99)]
)
def test_dynamic_schedule_boundaries(step, expected):
    assert dynamic_threshold(step, 100) == expected


def test_threshold_resolution_order():
    assert threshold_for(eval_context(), 0.5, "dynamic") == 0.5
    assert threshold_for(train_context(50, 100), 0.5, "dynamic") == 0.99
    assert threshold_for({"mode": "train", "iou_threshold": 0.7}, 0.5, "dynamic") == 0.7
    assert threshold_for({}, "average", "dynamic") == "average"
    for bad in ({"mode": "train"}, {"iou_threshold": 1.5}, {"mode": "test"}, {"iou_threshold": "dynamic", "step": 1,
                                                                               "total_steps": 0}):
        with pytest.raises(ConfigError):
            threshold_for(bad, 0.5, "dynamic")


def test_iou_one_box():
    params = {"reward_mode": "iou"}
    assert score("iou", "[0, 0, 100, 60]", [0, 0, 100, 100], params).accuracy == pytest.approx(0.6)
    assert score("iou", "[0, 0, 100, 60]", [0, 0, 100, 100]).accuracy == 1.0  # 0.6 >= 0.5
    assert score("iou", "[0, 0, 100, 40]", [0, 0, 100, 100]).accuracy == 0.0
    # average: thresholds 0.5, 0.55 and 0.6 pass for IoU 0.6 (>=) -> 3/11
    assert score("iou", "[0, 0, 100, 60]", [0, 0, 100, 100], {"eval_iou_threshold": "average"}).accuracy == 3 / 11
    assert score("iou", '{"bbox_2d": [0, 0, 100, 100], "label": "x"}', "[0, 0, 100, 100]").accuracy == 1.0


def test_iou_coordinate_frames():
    norm1 = {"coords": "norm1", "reference_coords": "norm1000"}
    assert score("iou", "(0.1, 0.1, 0.5, 0.5)", [100, 100, 500, 500], norm1).accuracy == 1.0
    pixel = {"coords": "pixel", "reference_coords": "norm1000"}
    assert score("iou", "[28, 28, 140, 140]", [100, 100, 500, 500], pixel, {"image_size": [280, 280]}).accuracy == 1.0
    grid = {"image_grid_thw": [[1, 280, 560]]}  # [t, h, w] in pixels
    assert score("iou", "[56, 28, 280, 140]", [100, 100, 500, 500], pixel, grid).accuracy == 1.0
    missing = score("iou", "[28, 28, 140, 140]", [100, 100, 500, 500], pixel)
    assert missing.status is Status.ERROR and "image_size" in missing.detail


def test_iou_bad_boxes():
    assert score("iou", "[50, 50, 10, 10]", [0, 0, 1, 1]).status is Status.PARSE_ERROR  # inverted
    assert score("iou", "no box", [0, 0, 1, 1]).status is Status.PARSE_ERROR
    assert score("iou", "[0, 0, 1, 1]", [5, 5, 1, 1]).status is Status.ERROR  # bad reference


GT = [{"bbox_2d": [0, 0, 100, 100], "label": "dog"}]


def test_detection_hand_computed():
    # dog IoU 0.5 (matched at 0.5), one false alarm: mean_iou .5, completeness 1-(0+.5)/2 = .75,
    # weighted .7*.5 + .3*.75 = .575, size penalty .6 -> .345
    response = "[{'bbox_2d': [0, 0, 100, 50], 'label': 'Dog'}, {'bbox_2d': [200, 200, 300, 300], 'label': 'cat'}]"
    result = score("detection", response, GT, {}, eval_context())
    assert result.accuracy == pytest.approx(0.345)
    assert result.parts["completeness"] == pytest.approx(0.75)
    assert result.parts["size_penalty"] == pytest.approx(0.6)
    # at 0.85 (training step 0) the dog no longer matches: everything is missed -> 0
    assert score("detection", response, GT, {}, train_context(0, 10)).accuracy == 0.0


def test_detection_weights_and_format():
    perfect = "<think>\nok\n</think>\n<answer>\n[{'bbox_2d': [0, 0, 100, 100], 'label': 'dog'}]\n</answer>"
    params = {"format_reward": "detection", "reward": {"accuracy_weight": 1.0, "format_weight": 0.1}}
    result = score("detection", perfect, GT, params)
    assert (result.accuracy, result.format, result.value) == (1.0, 1.0, pytest.approx(1.0))
    mixed = score("detection", perfect, GT, {"iou_max_label_first": 1.0, "map": 1.0})
    assert mixed.accuracy == pytest.approx((1.0 + 0.9999999999999998) / 2)
    none = score("detection", "<answer>\n[]\n</answer>", GT, params)
    assert none.status is Status.PARSE_ERROR and none.format == 0.0
    zero = score("detection", perfect, GT, {"iou_max_label_first": 0.0})
    assert zero.status is Status.ERROR


def test_detection_thousands_of_boxes_is_fast_and_penalised():
    boxes = ", ".join(f"{{'bbox_2d': [{i}, {i}, {i + 5}, {i + 5}], 'label': 'dog'}}" for i in range(3000))
    result = score("detection", f"[{boxes}]", GT, {"eval_iou_threshold": "average", "iou_max_iou_first": 0.5})
    assert result.status is Status.OK and result.accuracy < 1e-100


def test_box_list_parser_quirks():
    truncated = "[{'bbox_2d': [0, 0, 1, 1], 'label': 'a'}, {'bbox_2d': [0, 0, 2, 2], 'label': 'b'}, {'bbox_2d': [1"
    assert [b["label"] for b in parse_box_list(truncated)] == ["a", "b"]
    assert parse_box_list("[{'bbox_2d': [0, 0, 1, 1], 'label': 'a'}] trailing") is None
    dup = "[{'bbox_2d': [0, 0, 1, 1], 'label': 'a'}, {'bbox_2d': [0, 0, 1, 1], 'label': 'b'}]"
    assert [b["label"] for b in parse_box_list(dup)] == ["a"]
    assert parse_box_list('[{"bbox_2d": [0, 0, NaN, 1], "label": "a"}]') is None
    assert parse_box_list("[[{'bbox_2d': [0, 0, 1, 1], 'label': \"it's\"}]]") is None  # quote breaks JSON
