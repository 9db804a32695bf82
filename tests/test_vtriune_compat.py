"""vtriune.mathverify / vtriune.detection reproduce the released V-Triune reward server.

Expected values are computed by hand from the formulas in ../shared/specs/vtriune-rewards.md, and
a plain-loop reading of that spec (`_spec_reward` below) is compared for exact float equality
with the vectorised implementation on random box sets."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orsta_bench.reward import score, train_context
from orsta_bench.score import Status

RELEASED = {"accuracy_ratio": 1.0, "format_ratio": 0.1, "verifier_parm": {
    "det_verifier_normalized": True, "det_reward_ratio": {"iou_max_label_first": 1.0, "iou_max_iou_first": 0.0,
                                                          "iou_completeness": 0.3, "map": 0.0, "map50": 0.0,
                                                          "map75": 0.0}}}
THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99)


def wrap(boxes):
    return "<answer>\n" + repr(boxes) + "\n</answer>"


def response(boxes):
    return "<think>\nlooking\n</think>\n" + wrap(boxes)


# ---------------------------------------------------------------- mathverify
@pytest.mark.parametrize(
    ("text", "gold", "accuracy"),
    [
        (r"<answer>\boxed{4}</answer>", r"\boxed{4}", 1.0),
        ("the answer is $4$", "4", 1.0),
        ("4", "4", 0.0),  # a bare number is not LaTeX: no answer
        (r"$\frac12$", "0.5", 0.0),  # math-verify 0.9.0 does not parse \frac12
        ("$\\boxed{3}$\n$\\boxed{4}$", "4", 1.0),  # delimited, on different lines: the last wins
        (r"\boxed{3}" + "\n" + r"\boxed{4}", "4", 0.0),  # bare boxes are read together as the set {3, 4}
        (r"<think>\boxed{4}</think> no more", "4", 1.0),  # a box inside <think> counts
        (r"\boxed{A}", r"\boxed{a}", 1.0),  # both lower-cased
        (r"\boxed{a}", "a", 0.0),  # a bare letter gold does not parse: 0, as the server
    ],
)
def test_mathverify_accuracy(text, gold, accuracy):
    assert score("vtriune.mathverify", text, gold, {"accuracy_ratio": 1.0, "format_ratio": 0.0}).accuracy == accuracy


def test_mathverify_format_and_final():
    good = "<think>\nx\n</think>\n<answer>\n\\boxed{4}\n</answer>"
    result = score("vtriune.mathverify", good, r"\boxed{4}", {})  # missing ratios: 1.0 / 0.1
    assert (result.accuracy, result.format) == (1.0, 1.0)
    assert result.value == 1.0 * 1.0 / 1.1 + 1.0 * 0.1 / 1.1
    half = "<think>\nx</think><answer>\n\\boxed{5}\n</answer>"  # only "<think>\n" and "\n</answer>" count
    assert score("vtriune.mathverify", half, "4", {}).format == 0.5
    twice = good + "<think>\n"
    assert score("vtriune.mathverify", twice, "4", {}).format == 0.75


# ---------------------------------------------------------------- detection
def det(resp, gt, context, params=RELEASED):
    return score("vtriune.detection", resp, gt, params, context)


def test_released_formula_hand_computed():
    gt = wrap([{"bbox_2d": [0, 0, 100, 100], "label": "dog"}, {"bbox_2d": [200, 200, 300, 300], "label": "cat"}])
    pred = [{"bbox_2d": [0, 0, 100, 90], "label": "dog"}, {"bbox_2d": [500, 500, 600, 600], "label": "cat"},
            {"bbox_2d": [700, 700, 800, 800], "label": "bus"}]
    # threshold 0.85: dog IoU .9 matched, cat missed. mean_iou .9/2 = .45; miss .5; fa 2/3;
    # completeness 1 - (.5 + 2/3)/2; weighted .7*.45 + .3*c; size penalty .6^1
    c = 1 - (0.5 + 2 / 3) / 2
    expected = 0.6 * (0.7 * 0.45 + 0.3 * c)
    result = det(response(pred), gt, train_context(0, 100))
    assert result.accuracy == pytest.approx(expected, abs=1e-15)
    assert result.format == 1.0
    assert result.value == pytest.approx(expected / 1.1 + 0.1 / 1.1, abs=1e-15)
    # at 0.95 the dog (IoU .9) no longer matches
    late = det(response(pred), gt, train_context(20, 100))
    assert late.accuracy == pytest.approx(0.6 * 0.3 * (1 - (1 + 1) / 2), abs=1e-15)


def test_perfect_box_map_quirk():
    gt = wrap([{"bbox_2d": [10, 10, 50, 50], "label": "dog"}])
    for key, expected in (("map", 0.9999999999999998), ("map50", 0.9999999999999999), ("map75", 0.9999999999999999)):
        params = {"verifier_parm": {"det_reward_ratio": {key: 1.0}}}
        assert det(response([{"bbox_2d": [10, 10, 50, 50], "label": "dog"}]), gt, {}, params).accuracy == expected


def test_rescale_from_grid_pixels():
    gt = wrap([{"bbox_2d": [100, 100, 500, 500], "label": "dog"}])
    pred = [{"bbox_2d": [61.6, 42, 308, 210], "label": "dog"}]  # grid w 616, h 420
    context = {"image_grid_thw": [[1, 420, 616]], "iou_threshold": 0.99}
    result = det(response(pred), gt, context)
    assert result.parsed == [{"bbox_2d": [100, 100, 500, 500], "label": "dog"}]
    assert result.accuracy == 1.0
    no_grid = det(response(pred), gt, {"iou_threshold": 0.5})  # no grid: no rescale
    assert no_grid.accuracy < 0.5


def test_format_rules():
    gt = wrap([{"bbox_2d": [0, 0, 10, 10], "label": "a"}])
    box = [{"bbox_2d": [0, 0, 10, 10], "label": "a"}]
    assert det("<answer>\n" + repr(box) + "\n</answer>", gt, {}).format == 0.0  # starts with <answer>
    assert det("x\n<answer>\n" + repr(box) + "\n</answer>", gt, {}).format == 1.0  # <think> not checked
    assert det("x\n<answer>\n[]\n</answer>", gt, {}).format == 0.0


def test_configuration_mistakes_are_errors():
    gt = wrap([{"bbox_2d": [0, 0, 10, 10], "label": "a"}])
    resp = response([{"bbox_2d": [0, 0, 10, 10], "label": "a"}])
    assert det(resp, gt, {"iou_threshold": "sometimes"}).status is Status.ERROR
    assert det(resp, gt, {"iou_threshold": 0.42}).status is Status.ERROR  # not one of the server's 11
    assert det(resp, gt, {"iou_threshold": "dynamic"}).status is Status.ERROR  # no step fields
    assert det(resp, gt, {"iou_threshold": "dynamic", "step": 1, "total_steps": 0}).status is Status.ERROR
    assert det(resp, gt, {}, {"verifier_parm": {"det_reward_ratio": {}}}).status is Status.ERROR
    assert det(resp, "[{'bbox_2d': [0, 0, 1, 1], 'label': 'a'}]", {}).status is Status.ERROR  # gt needs tags


# ------------------------------------------------- the spec, read as plain loops
def _iou(a, b):
    x1, y1, x2, y2 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    if x2 <= x1 or y2 <= y1:
        return 0.0
    inter = (x2 - x1) * (y2 - y1)
    return float(inter) / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def _label_first(preds, gts, t):
    used, ious = set(), []
    for g in gts:
        best, best_i = -1.0, None
        for i, p in enumerate(preds):
            if i not in used and p["label"] == g["label"]:
                value = _iou(p["bbox_2d"], g["bbox_2d"])
                if value > best:
                    best, best_i = value, i
        if best_i is not None and best >= t:
            used.add(best_i)
            ious.append(best)
    return ious


def _iou_first(preds, gts, t):
    free_p, free_g, ious = list(range(len(preds))), list(range(len(gts))), []
    while free_p and free_g:
        best, pair = -1.0, None
        for i in free_p:
            for j in free_g:
                value = _iou(preds[i]["bbox_2d"], gts[j]["bbox_2d"])
                if value > best:
                    best, pair = value, (i, j)
        if best < t:
            break
        i, j = pair
        ious.append(best if preds[i]["label"] == gts[j]["label"] else 0.0)
        free_p.remove(i)
        free_g.remove(j)
    return ious


def _weighted(ious, n_pred, n_gt, c):
    mean = sum(ious) / n_gt if ious else 0.0
    comp = 1.0 - ((n_gt - len(ious)) / n_gt + (n_pred - len(ious)) / n_pred) / 2.0
    return mean * (1.0 - c) + comp * c


def _spec_reward(preds, gts, t, ratios):
    c = ratios["iou_completeness"]
    pure = {}
    for key, matcher in (("iou_max_iou_first", _iou_first), ("iou_max_label_first", _label_first)):
        if t == "average":
            pure[key] = sum(_weighted(matcher(preds, gts, x), len(preds), len(gts), c) for x in THRESHOLDS) / 11
        else:
            pure[key] = _weighted(matcher(preds, gts, t), len(preds), len(gts), c)
    penalty = 0.6 ** abs(len(preds) - len(gts))
    keys = ("iou_max_iou_first", "iou_max_label_first")
    total = sum(pure[k] * penalty * ratios[k] for k in keys)
    return total / sum(ratios[k] for k in keys)


boxes = st.lists(
    st.tuples(st.integers(0, 60), st.integers(0, 60), st.integers(0, 60), st.integers(0, 60),
              st.sampled_from(["a", "b"])).map(
        lambda t: {"bbox_2d": [min(t[0], t[2]), min(t[1], t[3]), max(t[0], t[2]), max(t[1], t[3])], "label": t[4]}),
    min_size=1, max_size=6, unique_by=lambda b: tuple(b["bbox_2d"]))


@settings(max_examples=150, deadline=None)
@given(preds=boxes, gts=boxes, t=st.sampled_from([*THRESHOLDS, "average"]),
       c=st.sampled_from([0.0, 0.3, 1.0]), w=st.sampled_from([0.0, 0.5, 1.0]))
def test_matches_the_spec_exactly(preds, gts, t, c, w):
    ratios = {"iou_max_label_first": 1.0, "iou_max_iou_first": w, "iou_completeness": c,
              "map": 0.0, "map50": 0.0, "map75": 0.0}
    params = {"verifier_parm": {"det_reward_ratio": ratios}}
    result = det(response(preds), wrap(gts), {"iou_threshold": t}, params)
    assert result.accuracy == _spec_reward(preds, gts, t, ratios)


def test_iou_first_records_the_selected_pair():
    # the released code records a stale pair; the intended matcher pairs the highest-IoU boxes
    gts = [{"bbox_2d": [0, 0, 10, 10], "label": "a"}, {"bbox_2d": [20, 20, 30, 30], "label": "b"}]
    preds = [{"bbox_2d": [20, 20, 30, 30], "label": "b"}, {"bbox_2d": [0, 0, 10, 10], "label": "a"}]
    params = {"verifier_parm": {"det_reward_ratio": {"iou_max_iou_first": 1.0}}}
    assert det(response(preds), wrap(gts), {"iou_threshold": 0.5}, params).accuracy == 1.0
    random.seed(0)
