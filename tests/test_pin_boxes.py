"""Pins for verifiers/boxes.py found by mutation testing (scripts/mutation.sh): the box-list
parser's rules, answer-span edges, image sizes (non-square, zero, malformed), frames and the
IoU-threshold rules at their boundaries."""

import pytest

from orsta_bench.verifiers.base import ConfigError
from orsta_bench.verifiers.boxes import (
    THRESHOLDS,
    answer_span,
    dynamic_threshold,
    image_size,
    parse_box_list,
    resolve_threshold,
    to_unit,
)


def box(coords, label="a"):
    return {"bbox_2d": coords, "label": label}


def test_empty_and_none_text_parse_to_no_boxes():
    assert parse_box_list(None) is None
    assert parse_box_list("   ") is None


def test_double_brackets_are_flattened_like_the_server():
    """`[[...]]` around the list is read as `[...]` (both replacements are needed)."""
    assert parse_box_list('[[{"bbox_2d": [1, 2, 3, 4], "label": "a"}]]') == [box([1, 2, 3, 4])]


def test_backslashes_are_removed_before_json():
    assert parse_box_list('[{"bbox_2d": [1, 2, 3, 4], "label": "a\\\\b"}]') == [box([1, 2, 3, 4], "ab")]


@pytest.mark.parametrize("bad", [
    "5", '"s"', "null", '{"bbox_2d": [1, 2, 3, 4], "label": 3}',
    '{"bbox_2d": [1, 2, 3], "label": "a"}', '{"bbox_2d": [1, 2, 3, 4, 5], "label": "a"}',
    '{"bbox_2d": [], "label": "a"}', '{"bbox_2d": "1,2,3,4", "label": "a"}',
    '{"bbox_2d": ["1", 2, 3, 4], "label": "a"}',
    '{"bbox_2d": [5, 0, 4, 10], "label": "a"}', '{"bbox_2d": [0, 5, 10, 4], "label": "a"}',
])
def test_invalid_item_is_skipped_and_later_items_still_count(bad):
    """Non-dicts, non-string labels, boxes without exactly 4 numeric coordinates and inverted
    boxes are skipped, and parsing goes on to the next item."""
    text = f'[{bad}, {{"bbox_2d": [1, 2, 3, 4], "label": "a"}}]'
    assert parse_box_list(text) == [box([1, 2, 3, 4])]


@pytest.mark.parametrize("coords", [[0, 50, 40, 60], [50, 0, 60, 40], [5, 0, 5, 10], [0, 5, 10, 5]])
def test_valid_box_order_rule(coords):
    """x1 <= x2 and y1 <= y2 (each axis on its own; degenerate boxes are allowed)."""
    assert parse_box_list(f'[{{"bbox_2d": {coords}, "label": "a"}}]') == [box(coords)]


@pytest.mark.parametrize(("text", "span"), [
    ("<answer> A </answer>", "a"),
    ("think <answer>B</answer> and </answer>", "b"),
    ("<answer>one</answer><answer>two</answer>", "one"),
    ("</answer> <answer>C</answer>", "c"),
    ("x <ANSWER>d</ANSWER>", None),
    ("<answer>open", None),
    ("no tags", None),
])
def test_answer_span_is_the_first_lower_cased_span(text, span):
    assert answer_span(text) == span


def test_image_size_is_width_then_height():
    """[w, h] from image_size; [t, h, w] from the grid: a non-square image pins the order."""
    assert image_size({"image_size": [640, 480]}) == (640.0, 480.0)
    assert image_size({"image_grid_thw": [[1, 280, 560]]}) == (560.0, 280.0)
    assert image_size({}) is None


@pytest.mark.parametrize("size", [[0, 10], [10, 0], [-5, 10], [10, float("inf")], [True, 10],
                                  [10, 20, 30], [10], "10x20"])
def test_bad_image_size_is_a_config_error(size):
    with pytest.raises(ConfigError, match=r"context\.image_size must be \[width, height\] > 0"):
        image_size({"image_size": size})


@pytest.mark.parametrize("grid", [5, [[1, 280]], [[1, 0, 560]], [[-1, 28, 28]], [[1, 28, "w"]], ["abc"]])
def test_bad_image_grid_is_a_config_error(grid):
    with pytest.raises(ConfigError, match=r"context\.image_grid_thw must be"):
        image_size({"image_grid_thw": grid})


def test_frames_to_unit():
    assert to_unit([100, 200, 300, 400], "norm1000", None) == [0.1, 0.2, 0.3, 0.4]
    assert to_unit([0.1, 0.2, 0.3, 0.4], "norm1", None) == [0.1, 0.2, 0.3, 0.4]
    assert to_unit([10, 20, 30, 40], "pixel", (100.0, 200.0)) == [0.1, 0.1, 0.3, 0.2]
    with pytest.raises(ConfigError, match=r"^coords 'pixel' needs context\.image_size"):
        to_unit([1, 2, 3, 4], "pixel", None)


def test_dynamic_threshold_inputs():
    """total_steps=1 is valid; each bad input names its context field."""
    assert dynamic_threshold(0, 1) == 0.85
    assert dynamic_threshold(1, 1) == 0.99
    with pytest.raises(ConfigError, match=r"numeric context\.step, got None"):
        dynamic_threshold(None, 10)
    with pytest.raises(ConfigError, match=r"numeric context\.total_steps, got True"):
        dynamic_threshold(1, True)
    with pytest.raises(ConfigError, match=r"context\.total_steps must be > 0, got 0"):
        dynamic_threshold(1, 0)


def test_fixed_threshold_edges():
    """(0, 1]: 1 is a valid threshold, 0 is not; a fixed-only list is enforced with its values."""
    assert resolve_threshold(1, {}) == 1.0
    assert resolve_threshold(0.5, {}, THRESHOLDS) == 0.5
    with pytest.raises(ConfigError, match=r"IoU threshold must be a number in \(0, 1\]"):
        resolve_threshold(0, {})
    with pytest.raises(ConfigError, match=r"IoU threshold 0.52 is not one of \[0.5, 0.55"):
        resolve_threshold(0.52, {}, THRESHOLDS)


def test_bad_mode_names_the_field():
    from orsta_bench.verifiers.boxes import threshold_for

    with pytest.raises(ConfigError, match=r"context\.mode must be 'eval' or 'train', got 'test'"):
        threshold_for({"mode": "test"}, 0.5, "dynamic")
