"""Hostile model output: every verifier returns a Score with a status, in bounded time, never raises.

Run in-process (no pool) so a hang or an exception here is a real bug, not something the pool hides."""

import math
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orsta_bench.reward import score, train_context
from orsta_bench.score import Status

BOX = "[{'bbox_2d': [10, 10, 50, 50], 'label': 'dog'}]"
CALLS = [
    ("math", "1/2", {}),
    ("count", 4, {"format_reward": "vtriune"}),
    ("number", "45", {"rel_tol": 0.05}),
    ("exact", "paris", {}),
    ("choice", "B", {"format_reward": "think_answer"}),
    ("ocr", "hello world", {"mode": "anls"}),
    ("iou", [10, 10, 50, 50], {"format_reward": "boxed"}),
    ("detection", [{"bbox_2d": [10, 10, 50, 50], "label": "dog"}], {"format_reward": "detection", "map": 0.5}),
    ("vtriune.mathverify", r"\boxed{4}", {}),
    ("vtriune.detection", f"<answer>\n{BOX}\n</answer>",
     {"verifier_parm": {"det_reward_ratio": {"iou_max_label_first": 1.0, "iou_completeness": 0.3, "map": 0.2}}}),
]
LEGIT = {Status.OK, Status.NO_ANSWER, Status.PARSE_ERROR}

HOSTILE = [
    "",
    " \n\t ",
    "\\boxed{" * 5000 + "4" + "}" * 5000,
    "\\boxed{}" * 20000,
    "{" * 20000,
    "}" * 20000 + "\\boxed{4",
    "$" + "\\frac{" * 300 + "1" + "}{2}" * 300 + "$",
    "\udcff\udcfe not utf-8 \x00\x01",
    "nan inf -inf NaN Infinity 1e999",
    "<answer>\n[{'bbox_2d': [50, 50, 10, 10], 'label': 'dog'}, {'bbox_2d': [-5, -5, -1, -1], 'label': 'dog'}]\n</answer>",
    '<answer>\n[{"bbox_2d": [0, 0, Infinity, 1e308], "label": "dog"}, {"bbox_2d": [NaN, 0, 1, 1], "label": "x"}]\n</answer>',
    "<answer>\n[" + ", ".join(f"{{'bbox_2d': [{i}, {i}, {i + 9}, {i + 9}], 'label': 'dog'}}" for i in range(2500)) + "]\n</answer>",
    "<answer>\n[{'bbox_2d': [10, 10, 50, 50], 'label': 'it\\'s a \"dog\"'}]\n</answer>",
    "<think>\n" + "wait, " * 100_000 + "\n</think>\n<answer>\n4\n</answer>",
    "x" * 1_000_000,
    "Answer: " + "9" * 5000,
    "<answer>" * 10000 + "</answer>" * 10000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize(("verifier", "reference", "params"), CALLS, ids=[c[0] for c in CALLS])
def test_hostile_inputs_are_scored(verifier, reference, params, text):
    start = time.perf_counter()
    result = score(verifier, text, reference, params, train_context(5, 10))
    elapsed = time.perf_counter() - start
    assert result.status in LEGIT, result.detail
    assert math.isfinite(result.value) and 0.0 <= result.value <= 1.0
    assert elapsed < 10, f"{verifier} took {elapsed:.1f} s"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=300) | st.from_regex(r"(<think>\n)?[\[\]{}\\boxed$0-9a-z ,.:'\"<>/\n-]{0,200}"))
def test_random_text_to_every_verifier(text):
    for verifier, reference, params in CALLS:
        result = score(verifier, text, reference, params, {"mode": "eval"})
        assert result.status in LEGIT, (verifier, result.detail)
        assert math.isfinite(result.value) and 0.0 <= result.value <= 1.0
