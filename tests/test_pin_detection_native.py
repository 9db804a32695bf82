"""Pins for verifiers/detection_math.py found by mutation testing: the native verifiers' IoU table
(`native_ious`: identical boxes, overflow problems and their messages) against exact integer
geometry, and label-first matching against the released V-Triune matcher
(tests/fixtures/vtriune/label_first_cases.json, values from the released code; see its README)."""

import json
import random
import warnings
from pathlib import Path

import pytest

from orsta_bench.verifiers.detection_math import (
    detection_reward,
    iou_component,
    iou_matrix,
    match_label_first,
    native_ious,
    strategy_score,
)

CASES = json.loads((Path(__file__).parent / "fixtures" / "vtriune" / "label_first_cases.json").read_text())["cases"]
BIG = [0.0, 0.0, 1e154, 1e154]  # area 1e308: finite, but twice it overflows
SMALL = [0.0, 0.0, 1.0, 1.0]


def b(coords, label="a"):
    return {"bbox_2d": coords, "label": label}


@pytest.mark.parametrize("case", CASES, ids=range(len(CASES)))
def test_label_first_and_iou_equal_the_released_matcher(case):
    """IoU of every pair equals the released compute_iou; the label-first matches (first of tied
    IoUs, labels compared in lower case, IoU >= threshold) equal the released matcher's at each
    threshold, whether the table is an array or a list."""
    preds, gts = case["preds"], case["gts"]
    ious, problem = native_ious(preds, gts)
    assert problem is None
    assert ious.tolist() == case["official_ious"] == iou_matrix(preds, gts).tolist()
    for threshold, official in case["official_matched"].items():
        assert match_label_first(preds, gts, ious, float(threshold)) == official
        assert match_label_first(preds, gts, ious.tolist(), float(threshold)) == official
        component = iou_component(preds, gts, ious, "iou_max_label_first", float(threshold), 0.5)
        assert component == strategy_score(official, len(preds), len(gts), 0.5)


def test_label_first_tie_goes_to_the_first_prediction():
    """Both predictions have IoU 0.5 with the first ground truth: the released matcher takes the
    first (IoU 0.8 with the second ground truth stays unused at threshold 0.5)."""
    tie = CASES[0]
    ious = iou_matrix(tie["preds"], tie["gts"])
    assert ious.tolist() == [[0.5, 0.8], [0.5, 0.0]]
    assert match_label_first(tie["preds"], tie["gts"], ious, 0.5) == [0.5] == tie["official_matched"]["0.5"]


def test_empty_side_gives_an_empty_table_and_no_problem():
    ious, problem = native_ious([], [b(SMALL), b(BIG)])
    assert (ious.shape, problem) == ((0, 2), None)
    ious, problem = native_ious([b(SMALL)], [])
    assert (ious.shape, problem) == ((1, 0), None)


@pytest.mark.parametrize("coords", [[5, 0, 5, 10], [0, 5, 3, 5], [0, 5, 10, 5], [3, 3, 3, 3]])
def test_identical_degenerate_boxes_have_iou_zero(coords):
    """Only identical boxes with positive width AND height count as IoU 1; a zero-width or
    zero-height box has no area to overlap."""
    ious, problem = native_ious([b(coords)], [b(list(coords))])
    assert (ious.tolist(), problem) == ([[0.0]], None)


def test_identical_boxes_with_overflowing_union_have_iou_one_among_others():
    """[BIG, SMALL] against itself: BIG with BIG overflows the union (iou_matrix gives 0) but is
    identical, so 1; the cross pairs keep their IoU 1/1e308; no problem is reported."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ious, problem = native_ious([b(BIG), b(SMALL)], [b(BIG), b(SMALL)])
    assert problem is None
    assert iou_matrix([b(BIG)], [b(BIG)]).tolist() == [[0.0]]
    assert ious.tolist() == [[1.0, pytest.approx(1e-308)], [pytest.approx(1e-308), 1.0]]


def test_json_integers_beyond_int64_are_floats():
    """Integer coordinates of 10**200 become float64 (area inf): identical boxes give 1, a pair
    with another box is an overflow problem, never a TypeError or a silent wrap-around."""
    huge = [0, 0, 10**200, 10**200]
    ious, problem = native_ious([b(huge)], [b(list(huge))])
    assert (ious.tolist(), problem) == ([[1.0]], None)
    _, problem = native_ious([b(huge)], [b([0, 0, 1, 1])])
    assert problem.startswith("area of the predicted box is not finite")
    _, problem = native_ious([b([0, 0, 1, 1])], [b(huge)])
    assert problem.startswith("area of the reference box is not finite")


@pytest.mark.parametrize(("preds", "gts", "expected"), [
    ([SMALL, [-1e308, 0.0, 1e308, 1.0]], [SMALL, [0.0, 0.0, 2.0, 1.0]],
     "area of the predicted box is not finite for predicted box 1 and reference box 0 (coordinates too"
     " large: [-1e+308, 0.0, 1e+308, 1.0] vs [0.0, 0.0, 1.0, 1.0] in the 0-1 frame)"),
    ([SMALL], [SMALL, [0.0, -1e308, 1.0, 1e308]],
     "area of the reference box is not finite for predicted box 0 and reference box 1 (coordinates too"
     " large: [0.0, 0.0, 1.0, 1.0] vs [0.0, -1e+308, 1.0, 1e+308] in the 0-1 frame)"),
    ([[0.0, 0.0, 1e154, 1.5e154]], [[0.0, 0.0, 1.1e154, 1.5e154]],
     "union is not finite for predicted box 0 and reference box 0 (coordinates too large:"
     " [0.0, 0.0, 1e+154, 1.5e+154] vs [0.0, 0.0, 1.1e+154, 1.5e+154] in the 0-1 frame)"),
])
def test_overflow_problem_names_the_first_pair_and_its_boxes(preds, gts, expected):
    """Areas are (x2 - x1) * (y2 - y1): a width or height of 2e308 overflows even though x1 + x2
    or y1 + y2 is 0; the first offending pair (prediction-major) is named with its coordinates."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, problem = native_ious([b(p) for p in preds], [b(g) for g in gts])
    assert problem == expected


@pytest.mark.parametrize(("pred", "gt", "overflows"), [
    # overlap 1e-10 x 1e-300: a tiny positive intersection, the union of ~1.6e308 areas overflows
    ([0.0, 0.0, 1.0, 1.6e308], [1 - 1e-10, -1.6e308, 2.0, 1e-300], True),
    # overlap 1e-200 x 1e-200 underflows to an intersection of 0: IoU 0, no problem
    ([-1.2e154, -1.2e154, 1e-200, 1e-200], [0.0, 0.0, 1.2e154, 1.2e154], False),
    # areas 1e308 + 0.7e308 fit; union = 1.7e308 - 0.7e308 must not add the intersection
    (BIG, [0.0, 0.0, 0.7e154, 1e154], False),
    # disjoint in x only, areas whose sum overflows: IoU 0, no problem
    ([0.0, 0.0, 1.2e154, 1.2e154], [2e154, 0.0, 3.2e154, 1.2e154], False),
])
def test_union_problem_only_for_a_positive_intersection(pred, gt, overflows):
    ious, problem = native_ious([b(pred)], [b(gt)])
    assert (problem is not None) == overflows
    if overflows:
        assert problem.startswith("union is not finite")
    else:
        assert 0.0 <= ious[0, 0] <= 0.7 + 1e-12


def test_union_overflow_exactly_when_boxes_overlap_brute_force():
    """400 random non-square box pairs on an integer grid scaled by 1e153, every area between
    0.9e308 and 1.7e308 (finite, any two sum past the float maximum): a union problem exactly
    when the boxes overlap with positive width and height, computed on the integers."""
    rng = random.Random(22)
    unit = 1e153
    shapes = [(w, h) for w in range(5, 35) for h in range(5, 35) if 90 <= w * h <= 170]
    flagged = 0
    for _ in range(400):
        boxes = []
        for _ in range(2):
            (w, h), x, y = rng.choice(shapes), rng.randrange(0, 25), rng.randrange(0, 25)
            boxes.append([x, y, x + w, y + h])
        p, g = boxes
        if p == g:
            continue
        overlap = min(p[2], g[2]) - max(p[0], g[0]) > 0 and min(p[3], g[3]) - max(p[1], g[1]) > 0
        _, problem = native_ious([b([v * unit for v in p])], [b([v * unit for v in g])])
        assert (problem is not None) == overlap, (p, g, problem)
        assert problem is None or problem.startswith("union is not finite")
        flagged += overlap
    assert 50 < flagged < 350  # both outcomes are exercised


def test_detection_reward_uses_the_iou_table_it_is_given():
    """The native verifier passes native_ious' table: identical boxes too large for iou_matrix
    (which gives 0) must score 1, not be recomputed."""
    ious, problem = native_ious([b(BIG)], [b(BIG)])
    assert problem is None
    accuracy, parts = detection_reward([b(BIG)], [b(BIG)], 0.5, {"iou_max_label_first": 1.0}, ious)
    assert (accuracy, parts["mean_iou"]) == (1.0, 1.0)
