"""V-Triune's detection reward, shared by `detection` and `vtriune.detection`.

R_acc = sum_k ratio_k * size_penalty * component_k / sum_k ratio_k over the components
iou_max_label_first, iou_max_iou_first, map, map50, map75, with size_penalty = 0.6^|n_pred - n_gt|
and each IoU component = (1-c) * mean_IoU + c * completeness at the threshold (or averaged over
the 11 thresholds). Arithmetic is done in the released server's order so results match it
bit for bit. Difference: the IoU-first matcher records the pair it actually selected (the released
code records a stale pair; see docs/verifiers.md).
"""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np

from orsta_bench.verifiers.boxes import THRESHOLDS, Box

COMPONENTS = ("iou_max_iou_first", "iou_max_label_first", "map", "map50", "map75")
SIZE_PENALTY_BASE = 0.6


def iou_matrix(preds: list[Box], gts: list[Box]) -> np.ndarray:
    """IoU[i, j] of prediction i and ground truth j: continuous, 0 unless the overlap has positive
    width and height; non-finite results (overflow) count as 0."""
    if not preds or not gts:
        return np.zeros((len(preds), len(gts)))
    p = np.asarray([b["bbox_2d"] for b in preds], dtype=np.float64)[:, None, :]
    g = np.asarray([b["bbox_2d"] for b in gts], dtype=np.float64)[None, :, :]
    with np.errstate(all="ignore"):
        ix1, iy1 = np.maximum(p[..., 0], g[..., 0]), np.maximum(p[..., 1], g[..., 1])
        ix2, iy2 = np.minimum(p[..., 2], g[..., 2]), np.minimum(p[..., 3], g[..., 3])
        inter = (ix2 - ix1) * (iy2 - iy1)
        area_p = (p[..., 2] - p[..., 0]) * (p[..., 3] - p[..., 1])
        area_g = (g[..., 2] - g[..., 0]) * (g[..., 3] - g[..., 1])
        iou = inter / (area_p + area_g - inter)
    iou = np.where((ix2 <= ix1) | (iy2 <= iy1), 0.0, iou)
    return np.where(np.isfinite(iou), iou, 0.0)


def native_ious(preds: list[Box], gts: list[Box]) -> tuple[np.ndarray, str | None]:
    """The native verifiers' IoU: `iou_matrix`, except that identical boxes with positive width and
    height have IoU 1 whatever their size, and (ious, problem) names the first other pair whose
    area or union is not finite (overflow), which must not pass as IoU 0."""
    ious = iou_matrix(preds, gts)
    if not preds or not gts:
        return ious, None
    p = np.asarray([b["bbox_2d"] for b in preds], dtype=np.float64)[:, None, :]
    g = np.asarray([b["bbox_2d"] for b in gts], dtype=np.float64)[None, :, :]
    identical = np.all(p == g, axis=-1) & (p[..., 2] > p[..., 0]) & (p[..., 3] > p[..., 1])
    with np.errstate(all="ignore"):
        area_p = np.broadcast_to((p[..., 2] - p[..., 0]) * (p[..., 3] - p[..., 1]), identical.shape)
        area_g = np.broadcast_to((g[..., 2] - g[..., 0]) * (g[..., 3] - g[..., 1]), identical.shape)
        width = np.minimum(p[..., 2], g[..., 2]) - np.maximum(p[..., 0], g[..., 0])
        height = np.minimum(p[..., 3], g[..., 3]) - np.maximum(p[..., 1], g[..., 1])
        inter = np.where((width > 0) & (height > 0), width * height, 0.0)
        union = np.where(inter > 0, area_p + area_g - inter, 0.0)  # without overlap IoU is 0 anyway
    # The intersection needs no check: its sides are no longer than either box's, so it stays
    # finite whenever both areas are.
    checks = (("area of the predicted box", area_p), ("area of the reference box", area_g), ("union", union))
    for what, values in checks:
        bad = ~identical & ~np.isfinite(values)
        if bad.any():
            i, j = (int(k) for k in np.argwhere(bad)[0])
            return ious, (f"{what} is not finite for predicted box {i} and reference box {j} (coordinates "
                          f"too large: {preds[i]['bbox_2d']} vs {gts[j]['bbox_2d']} in the 0-1 frame)")
    return np.where(identical, 1.0, ious), None


def match_label_first(preds: list[Box], gts: list[Box], ious: np.ndarray | list[list[float]],
                      threshold: float) -> list[float]:
    """For each ground truth in order: the unused same-label prediction with the highest IoU
    (first on ties), kept when IoU >= threshold. Returns the matched IoUs in match order.
    Plain Python: for a handful of boxes, 11 thresholds of numpy calls cost more than the work."""
    table = ious.tolist() if isinstance(ious, np.ndarray) else ious
    labels = [box["label"].lower() for box in preds]
    used = [False] * len(preds)
    matched: list[float] = []
    for j, gt in enumerate(gts):
        label, best = gt["label"].lower(), -1
        for i, candidate in enumerate(labels):
            if candidate == label and not used[i] and (best < 0 or table[i][j] > table[best][j]):
                best = i
        if best >= 0 and table[best][j] >= threshold:
            matched.append(table[best][j])
            used[best] = True
    return matched


def match_iou_first(preds: list[Box], gts: list[Box], ious: np.ndarray, threshold: float) -> list[float]:
    """Global greedy by highest IoU over unmatched pairs (prediction-major order on ties), stopping
    below the threshold; a matched pair with different labels scores 0 but still counts as matched."""
    if not preds or not gts:
        return []
    flat = ious.ravel()
    order = np.argsort(-flat, kind="stable")
    used_p = np.zeros(len(preds), dtype=bool)
    used_g = np.zeros(len(gts), dtype=bool)
    matched: list[float] = []
    for index in order:
        value = flat[index]
        if value < threshold:
            break
        i, j = divmod(int(index), len(gts))
        if used_p[i] or used_g[j]:
            continue
        used_p[i] = used_g[j] = True
        same = preds[i]["label"].lower() == gts[j]["label"].lower()
        matched.append(value if same else 0.0)
        if used_p.all() or used_g.all():
            break
    return matched


def strategy_score(matched: list[float], n_pred: int, n_gt: int, completeness_weight: float) -> dict[str, float]:
    """mean IoU, completeness and their weighted mix for one matching at one threshold."""
    mean_iou = sum(matched) / n_gt if matched else 0.0
    miss = (n_gt - len(matched)) / n_gt
    false_alarm = 0.0 if n_pred == 0 else (n_pred - len(matched)) / n_pred
    completeness = 1.0 - (miss + false_alarm) / 2.0
    weighted = mean_iou * (1.0 - completeness_weight) + completeness * completeness_weight
    return {"mean_iou": float(mean_iou), "completeness": completeness, "weighted": float(weighted)}


def iou_component(
    preds: list[Box], gts: list[Box], ious: np.ndarray, strategy: str, threshold: float | str, c: float
) -> dict[str, float]:
    """One IoU component (weighted score) at a threshold, or averaged over the 11 thresholds."""
    matcher = match_label_first if strategy == "iou_max_label_first" else match_iou_first
    if threshold == "average":
        table = ious.tolist() if strategy == "iou_max_label_first" else ious
        scores = [strategy_score(matcher(preds, gts, table, t), len(preds), len(gts), c) for t in THRESHOLDS]
        return {"weighted": sum(s["weighted"] for s in scores) / len(THRESHOLDS)}
    return strategy_score(matcher(preds, gts, ious, float(threshold)), len(preds), len(gts), c)


def coco_map(preds: list[Box], gts: list[Box]) -> dict[str, float]:
    """COCO AP@[.5:.95], AP50, AP75 with every prediction at confidence 1; categories are the
    ground-truth labels in order of first appearance; other labels are dropped."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    categories: dict[str, int] = {}
    annotations = []
    for index, gt in enumerate(gts):
        category = categories.setdefault(gt["label"], len(categories))
        x1, y1, x2, y2 = gt["bbox_2d"]
        annotations.append({"id": index + 1, "image_id": 0, "category_id": category,
                            "bbox": [x1, y1, x2 - x1, y2 - y1], "area": (x2 - x1) * (y2 - y1), "iscrowd": 0})
    detections = []
    for pred in preds:
        if pred["label"] in categories:
            x1, y1, x2, y2 = pred["bbox_2d"]
            detections.append({"image_id": 0, "category_id": categories[pred["label"]],
                               "bbox": [x1, y1, x2 - x1, y2 - y1], "score": 1.0, "area": (x2 - x1) * (y2 - y1)})
    if not detections:
        return {"map": 0.0, "map50": 0.0, "map75": 0.0}
    with contextlib.redirect_stdout(io.StringIO()):
        truth = COCO()
        truth.dataset = {"images": [{"id": 0}], "annotations": annotations,
                         "categories": [{"id": i, "name": n} for n, i in categories.items()]}
        truth.createIndex()
        evaluator = COCOeval(truth, truth.loadRes(detections), "bbox")
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    stats = [float(v) for v in evaluator.stats[:3]]
    return {"map": stats[0], "map50": stats[1], "map75": stats[2]}


def detection_reward(
    preds: list[Box], gts: list[Box], threshold: float | str, ratios: dict[str, float],
    ious: np.ndarray | None = None,
) -> tuple[float, dict[str, float]]:
    """(accuracy, parts) of V-Triune's detection reward for parsed, same-frame boxes; `ious`
    defaults to `iou_matrix(preds, gts)`."""
    if not preds or not gts:
        return 0.0, {"size_penalty": 0.0}
    c = ratios.get("iou_completeness", 0.0)
    size_penalty = SIZE_PENALTY_BASE ** abs(len(preds) - len(gts))
    ious = iou_matrix(preds, gts) if ious is None else ious
    parts: dict[str, float] = {"size_penalty": size_penalty, "n_pred": float(len(preds)), "n_gt": float(len(gts))}
    pure: dict[str, float] = {}
    for strategy in ("iou_max_iou_first", "iou_max_label_first"):
        if ratios.get(strategy, 0.0) > 0 or strategy == "iou_max_label_first":
            detail = iou_component(preds, gts, ious, strategy, threshold, c)
            pure[strategy] = detail["weighted"]
            if strategy == "iou_max_label_first":
                parts.update({k: v for k, v in detail.items() if k != "weighted"})
        else:
            pure[strategy] = 0.0
    computed = {k for k in pure if k == "iou_max_label_first" or ratios.get(k, 0.0) > 0}
    if any(ratios.get(k, 0.0) > 0 for k in ("map", "map50", "map75")):
        pure.update(coco_map(preds, gts))
        computed |= {"map", "map50", "map75"}
    else:
        pure.update({"map": 0.0, "map50": 0.0, "map75": 0.0})
    norm = sum(float(ratios.get(k, 0.0)) for k in COMPONENTS)
    if norm <= 0:
        return 0.0, parts
    total = 0.0
    for key in COMPONENTS:
        if key in computed:
            parts[key] = pure[key]
        total += pure[key] * size_penalty * float(ratios.get(key, 0.0))
    accuracy = total / norm
    return (accuracy if math.isfinite(accuracy) else 0.0), parts

