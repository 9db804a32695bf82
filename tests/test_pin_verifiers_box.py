"""Pins of verifiers/box_verifiers.py (issue 22): how `iou` and `detection` read boxes from answers
and references, which boxes are valid, and the thresholds and frames they use. Expected values are
hand-computed IoUs (intersection / union of axis-aligned boxes) or the box that the documented
reading order picks."""

from __future__ import annotations

import pytest

from orsta_bench.reward import score, train_context
from orsta_bench.score import Status
from orsta_bench.verifiers.box_verifiers import box_from_value, predicted_boxes, read_box, valid_box

GT = [{"bbox_2d": [0, 0, 100, 100], "label": "dog"}]


@pytest.mark.parametrize(("value", "expected"), [
    ({"bbox": [1, 2, 3, 4]}, [1.0, 2.0, 3.0, 4.0]),
    ({"bbox_2d": [1, 2, 3, 4], "bbox": [5, 6, 7, 8]}, [1.0, 2.0, 3.0, 4.0]),  # bbox_2d first
    ([{"bbox": [1, 2, 3, 4]}, {"bbox": [5, 6, 7, 8]}], [1.0, 2.0, 3.0, 4.0]),  # the first item
    ([{"bbox_2d": [1, 2, 3, 4], "bbox": [5, 6, 7, 8]}], [1.0, 2.0, 3.0, 4.0]),
    ([[1, 2, 3, 4], [5, 6, 7, 8]], [1.0, 2.0, 3.0, 4.0]),
    ((1, 2, 3, 4), [1.0, 2.0, 3.0, 4.0]),
    ([True, 0, 1, 1], None),  # a bool is no coordinate
    ([10 ** 400, 0, 1, 1], None),  # too big for a float
    ([float("inf"), 0, 1, 1], None),
    ({"bbox_2d": [1, 2, 3]}, None),
    ({"x": 1}, None),
    ([], None),
])
def test_box_from_value(value, expected):
    assert box_from_value(value) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("[[1, 2, 3, 4], [5, 6, 7, 8]]", [1.0, 2.0, 3.0, 4.0]),  # a literal: its first box
    ("(0, 0, 1, 1), (2, 2, 3, 3), (10, 20, 30, 40)", [10.0, 20.0, 30.0, 40.0]),  # text: the last box
    ("[1e999, 0, 1, 1] or (10, 20, 30, 40)", [10.0, 20.0, 30.0, 40.0]),  # an infinite literal is skipped
    ("(10, 20, 30, 40)" + "x" * 19984, [10.0, 20.0, 30.0, 40.0]),
    ("(10, 20, 30, 40)" + "x" * 19985, None),  # text boxes only in the last 20,000 characters
    ("no box", None),
])
def test_read_box(text, expected):
    assert read_box(text) == expected


@pytest.mark.parametrize(("box", "expected"), [
    ([0, 0, 1, 1], True), ([1, 0, 1, 1], True), ([0, 1, 1, 1], True),  # zero width or height is a box
    ([0, 5, 3, 6], True), ([5, 0, 6, 3], True),
    ([2, 0, 1, 1], False), ([0, 2, 1, 1], False), ([0, 0, float("nan"), 1], False),
])
def test_valid_box(box, expected):
    assert valid_box(box) is expected


def test_iou_reference_errors_and_train_threshold():
    bad = score("iou", "[0, 0, 1, 1]", [5, 5, 1, 1])
    assert bad.status == Status.ERROR
    assert "iou reference must be one box [x1, y1, x2, y2] with x1<=x2, y1<=y2, got [5, 5, 1, 1]" in bad.detail
    # IoU 0.6: passes the train threshold 0.5 given in params
    trained = score("iou", "[0, 0, 100, 60]", [0, 0, 100, 100], {"train_iou_threshold": 0.5}, train_context(0, 10))
    assert (trained.accuracy, trained.parts) == (1.0, {"iou": pytest.approx(0.6), "threshold": 0.5})


def test_image_size_is_read_only_for_pixel_frames():
    """A context's image size (even a malformed one) does not matter to normalised frames."""
    result = score("iou", "[0, 0, 100, 100]", [0, 0, 100, 100], {}, {"image_size": "bad"})
    assert (result.status, result.accuracy) == (Status.OK, 1.0)


def test_predicted_boxes_read_a_single_object_and_truncation():
    one = '{"bbox_2d": [0, 0, 10, 10], "label": "Dog"}'
    assert predicted_boxes(one) == [{"bbox_2d": [0, 0, 10, 10], "label": "dog"}]
    unclosed = '{"bbox_2d": [0, 0, 10, 10], "label": "dog"'
    assert predicted_boxes(unclosed) == [{"bbox_2d": [0, 0, 10, 10], "label": "dog"}]
    cut = '{"bbox_2d": [0, 0, 10, 10], "label": "dog"}, {"bbox_2d": [5'
    assert predicted_boxes(cut) == [{"bbox_2d": [0, 0, 10, 10], "label": "dog"}]
    pair = '{"bbox_2d": [0, 0, 10, 10], "label": "dog"}, {"bbox_2d": [1, 1, 5, 5], "label": "cat"}'
    assert [b["label"] for b in predicted_boxes(pair)] == ["dog", "cat"]


@pytest.mark.parametrize("reference", [
    "[{'bbox_2d': [0, 0, 100, 100], 'label': 'Dog'}]",
    "<answer>\n[{'bbox_2d': [0, 0, 100, 100], 'label': 'DOG'}]\n</answer>",
    " reasoning <answer>[{'bbox_2d': [0, 0, 100, 100], 'label': 'dog'}]</answer> ",
])
def test_detection_string_references_are_read_lower_cased(reference):
    result = score("detection", "[{'bbox_2d': [0, 0, 100, 100], 'label': 'dog'}]", reference)
    assert (result.status, result.accuracy) == (Status.OK, 1.0)


def test_detection_list_reference_without_a_label_has_the_empty_label():
    reference = [{"bbox_2d": [0, 0, 100, 100]}]
    assert score("detection", '[{"bbox_2d": [0, 0, 100, 100], "label": ""}]', reference).accuracy == 1.0
    assert score("detection", '[{"bbox_2d": [0, 0, 100, 100], "label": "none"}]', reference).accuracy == 0.0


@pytest.mark.parametrize("reference", [None, 5, [], "no boxes", [{"label": "dog"}]])
def test_detection_reference_errors(reference):
    result = score("detection", "[{'bbox_2d': [0, 0, 1, 1], 'label': 'dog'}]", reference)
    assert result.status == Status.ERROR
    assert result.detail.endswith(
        ": detection reference must hold at least one valid {'bbox_2d': [x1,y1,x2,y2], 'label': str}")


def test_detection_iou_first_weight_alone_is_enough():
    """iou_max_iou_first counts among the accuracy weights: with it alone the verifier runs (a
    perfect box scores 1) and with every weight 0 it is a record error."""
    only = {"iou_max_label_first": 0.0, "iou_max_iou_first": 1.0}
    result = score("detection", "[{'bbox_2d': [0, 0, 100, 100], 'label': 'dog'}]", GT, only)
    assert (result.status, result.accuracy) == (Status.OK, 1.0)
    none = score("detection", "[]", GT, {"iou_max_label_first": 0.0})
    assert none.status == Status.ERROR
    assert none.detail.endswith(
        "detection: at least one of iou_max_label_first, iou_max_iou_first, map, map50, map75 must be > 0")
