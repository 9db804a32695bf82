"""Turning parsed answers (strings, lists, dicts) into sets, lists, dicts, boxes and points the
way the official MEGA-Bench metrics do, so equal inputs compare equal for the same reasons."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Iterable
from numbers import Number
from typing import Any

from orsta_bench.megabench.parsing import MAX_LITERAL_CHARS, NotALiteral, literal, parse_json


def freeze(obj: Any) -> Any:
    """A hashable version of nested dicts/lists/sets."""
    if isinstance(obj, dict):
        return frozenset((key, freeze(value)) for key, value in obj.items())
    if isinstance(obj, (list, tuple)):
        return tuple(freeze(item) for item in obj)
    if isinstance(obj, set):
        return frozenset(obj)
    return obj


def str_to_iterable(factory: Callable[..., Any], text: Any) -> Any:
    """Read "[a, b]", "(1, 2)", "a, b" into `factory` (list or set); non-strings give empty.

    Upstream quirks kept: a literal None gives "" and a bare number gives a one-item collection;
    an unparsable bracketed text is split on commas with its brackets dropped."""
    if not isinstance(text, str):
        return factory()
    text = text.strip(" ")
    if not text:
        return factory()
    closers = {"(": ")", "{": "}", "[": "]"}
    bracketed = text[0] in closers
    if bracketed and not text.endswith(closers[text[0]]):
        return factory()
    try:
        value = literal(text)
    except NotALiteral:
        inner = text[1:-1] if bracketed else text
        return factory(item.strip() for item in inner.split(","))
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        value = [value]
    try:
        return factory(value)
    except TypeError:
        return factory()


def str_to_set(text: Any) -> Any:
    return str_to_iterable(set, text)


def str_to_list(text: Any) -> Any:
    return str_to_iterable(list, text)


def cast_to_set(obj: Any) -> Any:
    frozen = freeze(obj)
    if isinstance(frozen, (frozenset, set, tuple)):
        return set(frozen)
    return str_to_set(frozen)


def cast_to_dict(obj: Any) -> Any:
    """Dicts stay dicts (recursively); strings holding JSON become their object."""
    if isinstance(obj, dict):
        return {key: cast_to_dict(value) for key, value in obj.items()}
    if isinstance(obj, str):
        parsed = parse_json(obj)
        return parsed if parsed else obj
    return obj


def str_to_bboxes(text: Any) -> list[Any]:
    """"[x1, y1, x2, y2]" or a list of such boxes -> list of 4-number boxes (others dropped)."""
    if not isinstance(text, str):
        return []
    try:
        boxes = literal(text)
    except NotALiteral:
        boxes = _json_or_empty(text)
    if len(boxes) == 4 and isinstance(boxes[0], Number):
        boxes = [boxes]
    if not isinstance(boxes, (tuple, list)):
        return []
    return [
        box
        for box in boxes
        if isinstance(box, (tuple, list)) and len(box) == 4 and all(isinstance(c, (int, float)) for c in box)
    ]


def str_to_coords(text: Any, dim: int = 2) -> list[Any]:
    if not isinstance(text, str):
        return []
    try:
        coords = literal(text)
    except NotALiteral:
        if not _syntax_error(text):
            raise  # upstream lets a ValueError out (the metric then scores 0)
        coords = _json_or_empty(text)
    return [
        c
        for c in coords
        if isinstance(c, (tuple, list)) and len(c) == dim and all(isinstance(v, (int, float)) for v in c)
    ]


def _json_or_empty(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return []


def _syntax_error(text: str) -> bool:
    """Whether ast.literal_eval failed on the text's syntax (upstream then tries JSON), not on a
    well-formed non-literal such as `[true]` (a ValueError upstream lets out, as any other error
    of the parse here goes out). Over-long text counts as no syntax error: it is not parsed."""
    if len(text) > MAX_LITERAL_CHARS:
        return False
    try:
        ast.parse(text.lstrip(" \t"), mode="eval")
    except SyntaxError:
        return True
    return False


def point_from_xml(text: Any) -> tuple[float, ...] | None:
    """`<point>x, y</point>` -> (x, y); None when absent, repeated or malformed."""
    if not isinstance(text, str):
        return None
    matches = re.findall(r"<point>(.*?)</point>", text)
    if len(matches) != 1:
        return None
    parts = matches[0].split(",")
    if len(parts) != 2:
        return None
    try:
        return tuple(float(part.strip()) for part in parts)
    except ValueError:
        return None


def bboxes_from_xml(text: Any) -> list[tuple[float, ...]]:
    if not isinstance(text, str):
        return []
    boxes = []
    for match in re.findall(r"<box>(.*?)</box>", text):
        parts = match.split(",")
        if len(parts) != 4:
            continue
        try:
            boxes.append(tuple(float(part.strip()) for part in parts))
        except ValueError:
            continue
    return boxes


def best_ious(predicted: Iterable[Any], target: Iterable[Any]) -> list[float]:
    """For each predicted box, its best IoU against any target box."""
    targets = list(target)
    scores = []
    for box in predicted:
        scores.append(max((_iou(box, other) for other in targets), default=0))
    return scores


def _iou(a: Any, b: Any) -> float:
    width = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0


def set_relevance(predicted: Iterable[Any], target: Iterable[Any], denominator: str) -> float:
    """Jaccard ("union"), precision ("pred"); both sets empty -> 1, as upstream."""
    pred, tget = set(predicted), set(target)
    size = {"union": len(pred | tget), "pred": len(pred)}[denominator]
    return 1 if not size else len(pred & tget) / size
