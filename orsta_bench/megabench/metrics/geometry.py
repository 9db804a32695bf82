"""Box, point and coordinate metrics on normalised [0, 1] coordinates."""

from __future__ import annotations

import math
from numbers import Number
from typing import Any

import numpy as np

from orsta_bench.megabench.metrics.conversions import (
    bboxes_from_xml,
    best_ious,
    point_from_xml,
    str_to_bboxes,
    str_to_coords,
)
from orsta_bench.megabench.parsing import NotALiteral, literal


def nbbox_iou_tuple(response: Any, reference: Any) -> float:
    """Mean over predicted boxes of each box's best IoU with any target box."""
    pred = response if isinstance(response, (tuple, list)) else str_to_bboxes(response)
    gold = reference if isinstance(reference, (tuple, list)) else str_to_bboxes(reference)
    try:
        scores = best_ious(pred, gold)
    except Exception:
        return 0
    return sum(scores) / len(scores) if scores else 0


def nbbox_iou_single(response: Any, reference: Any) -> float:
    gold = literal(reference)
    try:
        pred = literal(response)
    except NotALiteral:
        return 0
    try:
        return best_ious([pred], [gold])[0]
    except Exception:
        return 0


def nbbox_iou_sequence(response: Any, reference: Any) -> float:
    """Mean IoU of boxes paired by position; a different count scores 0."""
    if not isinstance(response, (tuple, list)):
        response = str_to_bboxes(str(response))
    gold = reference if isinstance(reference, (tuple, list)) else str_to_bboxes(reference)
    if len(gold) != len(response):
        return 0
    return float(np.mean([best_ious([r], [t]) for r, t in zip(response, gold, strict=False)]))


def xml_nbbox_iou_single(response: Any, reference: Any) -> float:
    """IoU of `<box>x1, y1, x2, y2</box>` boxes (mean over predicted boxes of their best IoU)."""
    pred = response if isinstance(response, (tuple, list)) else bboxes_from_xml(response)
    gold = reference if isinstance(reference, (tuple, list)) else bboxes_from_xml(reference)
    if len(pred) == 0:
        return 0
    if isinstance(pred[0], Number) and len(pred) == 4:
        pred = [pred]
    scores = best_ious(pred, gold)  # one per predicted box: never empty here
    return sum(scores) / len(scores)


def _point(value: Any) -> tuple[float, ...]:
    if not isinstance(value, (tuple, list)):
        value = point_from_xml(value)
        if not value:
            raise ValueError("no point")
    elif len(value) != 2:
        raise ValueError("point is not 2-D")
    if not all(0 <= c <= 1 for c in value):
        raise ValueError("point not normalised")
    return tuple(value)


def xml_norm_point_distance(response: Any, reference: Any) -> float:
    """max(0, 1 - euclidean distance) between `<point>x, y</point>` points."""
    try:
        pred, gold = _point(response), _point(reference)
    except ValueError:
        return 0
    return max(0, 1 - math.dist(pred, gold))


def xml_norm_point_in_bbox(response: Any, eval_context: dict[str, Any]) -> float:
    """1 when the `<point>` lies in any of eval_context["bounding_boxes"]."""
    boxes = [str_to_bboxes(text)[0] for text in eval_context["bounding_boxes"]]
    if not boxes:
        raise ValueError("eval_context has no bounding_boxes")
    if not isinstance(response, (tuple, list)):
        response = point_from_xml(response)
        if not response:
            return 0
    elif len(response) != 2:
        return 0
    x, y = response
    return 1 if any(x0 <= x <= x1 and y0 <= y <= y1 for x0, y0, x1, y1 in boxes) else 0


def sequence_coords_similarity(response: Any, reference: Any) -> float:
    """Mean of exp(-10 d / sqrt 2) over paired keypoints; a shape mismatch scores 0."""
    pred = response if isinstance(response, (tuple, list)) else str_to_coords(response)
    gold = reference if isinstance(reference, (tuple, list)) else str_to_coords(reference)
    try:
        pred_array = np.array(pred)
    except ValueError:
        return 0
    gold_array = np.array(gold)
    if pred_array.shape != gold_array.shape:
        return 0
    distances = np.linalg.norm(pred_array - gold_array, axis=1) / np.sqrt(2)
    return float(np.mean(np.exp(-10 * distances)))
