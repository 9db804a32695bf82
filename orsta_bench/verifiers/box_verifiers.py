"""`iou` (grounding: one box) and `detection` (V-Triune's detection reward, native params).

Both read the answer box(es) in the frame named by `coords` (norm1000 = Qwen2-VL 0-1000 grid,
norm1 = MEGA-Bench 0-1, pixel = Qwen2.5-VL absolute pixels of the resized image, converted with
context.image_size or context.image_grid_thw), the reference in `reference_coords` (default: the
same frame), and compare them in the 0-1 frame. The IoU threshold comes from the context:
context.iou_threshold if given, else `train_iou_threshold` in train mode, else `eval_iou_threshold`.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import Field

from orsta_bench.score import Score, Status
from orsta_bench.verifiers.base import (
    Answer,
    CommonParams,
    ConfigError,
    answer_verifier,
    result,
    unparsable,
)
from orsta_bench.verifiers.boxes import (
    THRESHOLDS,
    Coords,
    answer_span,
    image_size,
    parse_box_list,
    threshold_for,
    to_unit,
)
from orsta_bench.verifiers.detection_math import detection_reward, native_ious
from orsta_bench.verifiers.extract import find_literal_span, parse_literal

Unit = Annotated[float, Field(gt=0, le=1)]
Ratio = Annotated[float, Field(ge=0, le=1)]
_NUM = r"\s*([-+]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?)\s*"
_BOX_TEXT = re.compile(r"[\[(]" + ",".join([_NUM] * 4) + r"[\])]")


class BoxParams(CommonParams):
    coords: Coords = "norm1000"
    reference_coords: Coords | None = None
    eval_iou_threshold: Unit | Literal["average"] = 0.5
    train_iou_threshold: Unit | Literal["average", "dynamic"] = "dynamic"


def _is_box(value: Any) -> bool:
    return (
        isinstance(value, (list, tuple)) and len(value) == 4
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    )


def box_from_value(value: Any) -> list[float] | None:
    """[x1,y1,x2,y2], {"bbox_2d": [...]}, or a list whose first item is one of those."""
    if isinstance(value, dict):
        value = value.get("bbox_2d", value.get("bbox"))
    elif isinstance(value, list) and value and not _is_box(value):
        value = value[0]
        if isinstance(value, dict):
            value = value.get("bbox_2d", value.get("bbox"))
    return _finite_coords(value) if _is_box(value) else None


def _finite_coords(values: Any) -> list[float] | None:
    """Four finite floats, or None: a 400-digit or infinite coordinate is no box, not a crash."""
    try:
        coords = [float(v) for v in values]
    except (OverflowError, ValueError):
        return None
    return coords if all(math.isfinite(c) for c in coords) else None


def read_box(text: str) -> list[float] | None:
    """The answer box from text: a literal first, then the last "[x1, y1, x2, y2]" in the text."""
    value, _ = parse_literal(find_literal_span(text))
    box = box_from_value(value)
    if box is None:
        matches = _BOX_TEXT.findall(text[-20_000:])
        box = _finite_coords(matches[-1]) if matches else None
    return box


def valid_box(box: list[float]) -> bool:
    return all(math.isfinite(v) for v in box) and box[0] <= box[2] and box[1] <= box[3]


class IoUParams(BoxParams):
    reward_mode: Literal["threshold", "iou"] = Field(
        "threshold", description="threshold: 1 when IoU >= threshold (mean over thresholds for "
        "'average'); iou: the IoU itself"
    )


def _frame(p: BoxParams, context: dict[str, Any]) -> tuple[Any, Any]:
    """The IoU threshold and the image size (pixel coordinates only) the context gives."""
    threshold = threshold_for(context, p.eval_iou_threshold, p.train_iou_threshold)
    return threshold, image_size(context) if "pixel" in (p.coords, p.reference_coords) else None


def _iou_reference(reference: Any, p: IoUParams, context: dict[str, Any]) -> tuple[Any, Any, Any]:
    gold = box_from_value(parse_literal(reference)[0] if isinstance(reference, str) else reference)
    if gold is None or not valid_box(gold):
        raise ConfigError(f"iou reference must be one box [x1, y1, x2, y2] with x1<=x2, y1<=y2, got {reference!r}")
    return (gold, *_frame(p, context))


@answer_verifier("iou", IoUParams, _iou_reference)
def iou_verifier(found: Answer, prepared: tuple[Any, Any, Any], p: IoUParams) -> Score:
    """Grounding: IoU of one predicted box with the reference box, scored at the IoU threshold."""
    (gold, threshold, size), response, extractor = prepared, found.response, found.extractor
    box = read_box(found.text)
    if box is None or not valid_box(box):
        return unparsable(response, p, found.text, "a box [x1, y1, x2, y2] with x1<=x2, y1<=y2", extractor)
    unit_pred = to_unit(box, p.coords, size)
    unit_gold = to_unit(gold, p.reference_coords or p.coords, size)
    ious, problem = native_ious([{"bbox_2d": unit_pred}], [{"bbox_2d": unit_gold}])
    if problem:
        return result(0.0, response, p, status=Status.PARSE_ERROR, detail=problem, parsed=box,
                      extractor=extractor)
    iou = float(ious[0, 0])
    if p.reward_mode == "iou":
        accuracy = iou
    elif threshold == "average":
        accuracy = sum(1.0 for t in THRESHOLDS if iou >= t) / len(THRESHOLDS)
    else:
        accuracy = 1.0 if iou >= float(threshold) else 0.0
    parts = {"iou": iou}
    if threshold != "average":
        parts["threshold"] = float(threshold)
    return result(accuracy, response, p, parsed=box, extractor=extractor, parts=parts)


class DetectionParams(BoxParams):
    iou_max_label_first: Ratio = 1.0
    iou_max_iou_first: Ratio = 0.0
    map: Ratio = 0.0
    map50: Ratio = 0.0
    map75: Ratio = 0.0
    iou_completeness: Ratio = 0.3


def reference_boxes(reference: Any) -> list[dict[str, Any]]:
    """Ground-truth boxes from a list of {"bbox_2d", "label"} or a V-Triune string."""
    if isinstance(reference, str):
        text = reference.strip()
        span = answer_span(text)
        boxes = parse_box_list(span if span is not None else text.lower())
    elif isinstance(reference, list):
        boxes = [{"bbox_2d": b.get("bbox_2d"), "label": str(b.get("label", "")).lower()}
                 for b in reference if isinstance(b, dict)]
        boxes = parse_box_list_from_items(boxes)
    if not isinstance(reference, (str, list)) or not boxes:
        raise ConfigError("detection reference must hold at least one valid {'bbox_2d': [x1,y1,x2,y2], 'label': str}")
    return boxes


def parse_box_list_from_items(items: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    import json

    try:
        return parse_box_list(json.dumps(items))
    except (TypeError, ValueError):
        return None


def predicted_boxes(text: str) -> list[dict[str, Any]] | None:
    """Boxes from answer text with the V-Triune repairs; a single object is read as a list."""
    span = find_literal_span(text.strip().lower())
    if span.startswith("{"):
        span = "[" + span + ("]" if span.endswith("}") else "")  # span ends the stripped text
    return parse_box_list(span.strip())


def _detection_reference(reference: Any, p: DetectionParams, context: dict[str, Any]) -> tuple[Any, ...]:
    ratios = p.model_dump(include={"iou_max_label_first", "iou_max_iou_first", "map", "map50", "map75",
                                   "iou_completeness"})
    if sum(v for k, v in ratios.items() if k != "iou_completeness") <= 0:
        raise ConfigError("detection: at least one of iou_max_label_first, iou_max_iou_first, map, map50, map75 must be > 0")
    return (ratios, reference_boxes(reference), *_frame(p, context))


@answer_verifier("detection", DetectionParams, _detection_reference)
def detection_verifier(found: Answer, prepared: tuple[Any, ...], p: DetectionParams) -> Score:
    """V-Triune detection reward: label-first mean IoU at threshold + completeness, size penalty,
    optional IoU-first and COCO mAP components mixed by weights."""
    (ratios, gts, threshold, size), response, extractor = prepared, found.response, found.extractor
    preds = predicted_boxes(found.text)
    if preds is None:
        return result(0.0, response, p, status=Status.PARSE_ERROR, extractor=extractor,
                      detail="no valid {'bbox_2d': [x1,y1,x2,y2], 'label': str} in the answer", answer_found=False)
    unit_preds = [{"bbox_2d": to_unit(b["bbox_2d"], p.coords, size), "label": b["label"]} for b in preds]
    unit_gts = [{"bbox_2d": to_unit(b["bbox_2d"], p.reference_coords or p.coords, size), "label": b["label"]}
                for b in gts]
    ious, problem = native_ious(unit_preds, unit_gts)
    if problem:
        return result(0.0, response, p, status=Status.PARSE_ERROR, detail=problem, parsed=preds[:100],
                      extractor=extractor, answer_found=False)
    if any(ratios[key] > 0 for key in ("map", "map50", "map75")):
        unit_preds, unit_gts = _within_coco_area_range(unit_preds, unit_gts)
    accuracy, parts = detection_reward(unit_preds, unit_gts, threshold, ratios, ious)
    if threshold != "average":
        parts["threshold"] = float(threshold)
    return result(accuracy, response, p, parsed=preds[:100], extractor=extractor, parts=parts,
                  answer_found=True)


def _within_coco_area_range(preds: list[dict[str, Any]], gts: list[dict[str, Any]]
                            ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Boxes beyond the 0-1 frame scaled together by a power of two into it: COCO ignores boxes
    with an area over 1e10 (mAP -1, "no ground truth") or an infinite one (IoU NaN), so identical
    huge boxes scored -1 or 0. A power of two is exact, so IoUs do not change; boxes within the
    frame are left alone (the same mAP as before, bit for bit)."""
    largest = max(abs(c) for box in preds + gts for c in box["bbox_2d"])
    if largest <= 1.0:
        return preds, gts
    exponent = math.frexp(largest)[1]

    def scaled(boxes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**box, "bbox_2d": [math.ldexp(c, -exponent) for c in box["bbox_2d"]]} for box in boxes]

    return scaled(preds), scaled(gts)
