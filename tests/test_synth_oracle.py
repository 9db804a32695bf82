"""The oracle scores 1.0 on every synth task through the one scoring path; wrong answers do not.

This is the end-to-end agreement check of generators, prompts, answer extraction and verifiers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orsta_bench.backends.base import ChatRequest, GenerationSettings
from orsta_bench.backends.oracle import OracleBackend
from orsta_bench.oracle import ideal_response, render_answer
from orsta_bench.reward import eval_context, score_sample
from orsta_bench.sample import Sample
from orsta_bench.sources.base import iter_samples
from orsta_bench.spec.loader import load_spec

TASK_DIR = Path(__file__).resolve().parents[1] / "tasks" / "synth"
TASKS = sorted(p.stem for p in TASK_DIR.glob("synth_*.yaml"))
LIMIT = 25
CATEGORY = {"math": "reasoning", "puzzle": "reasoning", "science": "reasoning", "chart": "reasoning",
            "detection": "perception", "grounding": "perception", "counting": "perception", "ocr": "perception"}


def samples(task: str, limit: int = LIMIT) -> list[Sample]:
    return list(iter_samples(load_spec(TASK_DIR / f"{task}.yaml"), limit))


def wrong_answer(sample: Sample) -> str:
    """A plausible but wrong answer of the right type, in the prompt's format."""
    truth = sample.ground_truth
    if isinstance(truth, bool) or not isinstance(truth, (int, str, list)):
        raise AssertionError(f"unexpected ground truth {truth!r}")
    if isinstance(truth, int):
        text = str(truth + 1)
    elif isinstance(truth, str) and len(truth) == 1 and truth.isupper():
        text = "B" if truth == "A" else "A"
    elif isinstance(truth, str):
        text = truth[:-1] + ("x" if truth[-1] != "x" else "y")
    elif truth and isinstance(truth[0], dict):  # detection: one box too few, another moved
        moved = [dict(item) for item in truth]
        moved[0]["bbox_2d"] = [min(1000, v + 150) for v in moved[0]["bbox_2d"]]
        text = json.dumps(moved[:-1] if len(moved) > 1 else moved)
    else:  # grounding: the box moved by half its size
        x1, y1, x2, y2 = truth
        dx = (x2 - x1) // 2 + 1
        text = json.dumps([x1 + dx, y1, x2 + dx, y2])
    return render_answer(text, sample.metadata["answer_format"])


@pytest.mark.parametrize("task", TASKS)
def test_oracle_scores_one_and_wrong_answers_less(task):
    loaded = load_spec(TASK_DIR / f"{task}.yaml")
    assert loaded.spec.suite == "synth"
    assert loaded.spec.category == CATEGORY[loaded.spec.family]
    for sample in samples(task):
        perfect = score_sample(sample, ideal_response(sample), eval_context())
        assert perfect.status.value == "ok" and perfect.value == 1.0, (sample.id, ideal_response(sample), perfect)
        wrong = score_sample(sample, wrong_answer(sample), eval_context())
        assert wrong.counts_in_score and wrong.value < 1.0, (sample.id, wrong_answer(sample), wrong)


def test_oracle_answers_in_the_prompt_format():
    sample = samples("synth_grounding", 1)[0]
    text = ideal_response(sample)
    assert text.startswith("<think>\n") and "\n</think>\n<answer>\n" in text and text.endswith("\n</answer>")
    assert json.loads(text.split("<answer>\n")[1].split("\n</answer>")[0]) == sample.ground_truth
    assert ideal_response(samples("synth_math", 1)[0]).startswith("\\boxed{")
    assert ideal_response(samples("synth_science", 1)[0]).startswith("Answer: ")
    with pytest.raises(ValueError, match="unknown answer format"):
        render_answer("1", "latex")


def test_oracle_backend_returns_the_answer_it_is_given():
    batch = samples("synth_counting", 3)
    requests = [ChatRequest(s.id, s.messages, s.images, GenerationSettings(), ideal_response(s)) for s in batch]
    requests.append(ChatRequest("missing", batch[0].messages, batch[0].images, GenerationSettings()))
    backend = OracleBackend()
    responses = {r.request_id: r for r in backend.generate(requests)}
    for sample in batch:
        response = responses[sample.id]
        assert response.error is None and response.text == ideal_response(sample)
        assert score_sample(sample, response.text, eval_context()).value == 1.0
    assert responses["missing"].error and "oracle_answer" in responses["missing"].error
    assert backend.describe()["backend"] == "oracle"


def test_cli_validates_and_lists_the_synth_suite(cli):
    validated = cli("validate", str(TASK_DIR))
    assert validated.returncode == 0, validated.stdout + validated.stderr
    listed = cli("list", "--tasks", "synth", "--tasks-dir", str(TASK_DIR), env={"COLUMNS": "200"})
    assert listed.returncode == 0, listed.stdout + listed.stderr
    for task in TASKS:
        assert task in listed.stdout
