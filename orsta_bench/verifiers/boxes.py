"""Boxes: parsing V-Triune box lists, coordinate frames, IoU thresholds from the context.

The box-list parser follows the released V-Triune reward server step by step (see
../shared/specs/vtriune-rewards.md), so native and compatible verifiers read boxes the same way.
One deliberate difference: non-finite coordinates (NaN, Infinity, which JSON accepts) are dropped,
because they would turn the reward into NaN.
"""

from __future__ import annotations

import json
import math
from typing import Any, Literal

from orsta_bench.verifiers.base import ConfigError

Coords = Literal["norm1000", "norm1", "pixel"]
THRESHOLDS: tuple[float, ...] = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99)
Box = dict[str, Any]  # {"bbox_2d": [x1, y1, x2, y2], "label": str}


def parse_box_list(text: str | None) -> list[Box] | None:
    """Steps 2-6 of the server's parser on already-extracted, lower-cased answer text.

    None when nothing parses or no item is a valid box (the server's "no boxes")."""
    if not text or not text.strip():
        return None
    text = text.replace("[[", "[").replace("]]", "]")
    if not text.endswith("]"):
        text = text.rsplit("},", 1)[0] + "}]"
    text = text.replace("'", '"').replace("\\", "")
    try:
        items = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(items, list):
        return None
    boxes: list[Box] = []
    seen: set[tuple[Any, ...]] = set()
    for item in items:
        if not _valid_item(item):
            continue
        key = tuple(item["bbox_2d"])
        if key not in seen:
            seen.add(key)
            boxes.append(item)
    return boxes or None


def _valid_item(item: Any) -> bool:
    if not isinstance(item, dict) or not isinstance(item.get("label"), str):
        return False
    box = item.get("bbox_2d")
    if not isinstance(box, list) or len(box) != 4:
        return False
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in box):
        return False
    return box[0] <= box[2] and box[1] <= box[3]


def answer_span(text: str) -> str | None:
    """Step 1 of the server's parser: the first `<answer>...</answer>` span, stripped and
    lower-cased; None without tags."""
    start = text.find("<answer>")
    if start < 0:
        return None
    end = text.find("</answer>", start + len("<answer>"))
    if end < 0:
        return None
    return text[start + len("<answer>") : end].strip().lower()


def image_size(context: dict[str, Any]) -> tuple[float, float] | None:
    """(width, height) in pixels of the image the model saw, from `image_size` [w, h] or the first
    `image_grid_thw` entry [t, h, w] in pixels (V-Triune sends the patch grid times 14)."""
    size = context.get("image_size")
    if size is not None:
        if not (isinstance(size, (list, tuple)) and len(size) == 2 and all(_positive(v) for v in size)):
            raise ConfigError(f"context.image_size must be [width, height] > 0, got {size!r}")
        return float(size[0]), float(size[1])
    grid = context.get("image_grid_thw")
    if grid:
        first = grid[0] if isinstance(grid, (list, tuple)) else None
        if not (isinstance(first, (list, tuple)) and len(first) == 3 and all(_positive(v) for v in first)):
            raise ConfigError(f"context.image_grid_thw must be [[t, h, w], ...] > 0, got {grid!r}")
        return float(first[2]), float(first[1])
    return None


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0


def to_unit(box: list[float], coords: str, size: tuple[float, float] | None) -> list[float]:
    """A box in the 0-1 frame from the given frame (norm1000, norm1 or pixel with `size`)."""
    if coords == "norm1":
        return [float(v) for v in box]
    if coords == "norm1000":
        return [v / 1000.0 for v in box]
    if size is None:
        raise ConfigError("coords 'pixel' needs context.image_size [w, h] or context.image_grid_thw")
    width, height = size
    return [box[0] / width, box[1] / height, box[2] / width, box[3] / height]


def dynamic_threshold(step: Any, total_steps: Any) -> float:
    """V-Triune's schedule: r = step/total_steps; 0.85 while r <= 0.1, 0.95 while r <= 0.25, then 0.99."""
    for name, value in (("step", step), ("total_steps", total_steps)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ConfigError(f"dynamic IoU threshold needs a numeric context.{name}, got {value!r}")
    if total_steps <= 0:
        raise ConfigError(f"context.total_steps must be > 0, got {total_steps!r}")
    ratio = float(step) / float(total_steps)
    if ratio <= 0.1:
        return 0.85
    if ratio <= 0.25:
        return 0.95
    return 0.99


def resolve_threshold(setting: Any, context: dict[str, Any], fixed_only: tuple[float, ...] | None = None) -> float | str:
    """A number in (0, 1] or "average", from a setting of number | "average" | "dynamic"."""
    if setting == "dynamic":
        return dynamic_threshold(context.get("step"), context.get("total_steps"))
    if setting == "average":
        return "average"
    if isinstance(setting, (int, float)) and not isinstance(setting, bool) and 0 < setting <= 1:
        if fixed_only is not None and float(setting) not in fixed_only:
            raise ConfigError(f"IoU threshold {setting!r} is not one of {list(fixed_only)}")
        return float(setting)
    raise ConfigError(f"IoU threshold must be a number in (0, 1], 'average' or 'dynamic', got {setting!r}")


def threshold_for(context: dict[str, Any], eval_setting: Any, train_setting: Any) -> float | str:
    """Native box verifiers: context.iou_threshold wins; else the train setting in train mode,
    the eval setting otherwise."""
    if "iou_threshold" in context:
        return resolve_threshold(context["iou_threshold"], context)
    mode = context.get("mode", "eval")
    if mode not in ("eval", "train"):
        raise ConfigError(f"context.mode must be 'eval' or 'train', got {mode!r}")
    return resolve_threshold(train_setting if mode == "train" else eval_setting, context)
