"""Evaluation and training score through the same function: for every built-in synthetic task, the
training reward at the end of the dynamic schedule equals the evaluation score wherever the spec's
thresholds agree, and always equals it once the training context pins the eval threshold."""

import pytest

from orsta_bench.oracle import ideal_response
from orsta_bench.reward import eval_context, score_sample, train_context
from orsta_bench.sources.base import iter_samples
from orsta_bench.spec.catalog import load_catalog, select_tasks

BOX_VERIFIERS = {"iou", "detection"}
SPECS = select_tasks(load_catalog(), "synth")
# task -> (family, category, verifier): the eight families and the verifier each is scored by.
ROUTING = {
    "synth_chart": ("chart", "reasoning", "number"),
    "synth_counting": ("counting", "perception", "count"),
    "synth_detection": ("detection", "perception", "detection"),
    "synth_grounding": ("grounding", "perception", "iou"),
    "synth_math": ("math", "reasoning", "math"),
    "synth_ocr": ("ocr", "perception", "ocr"),
    "synth_puzzle": ("puzzle", "reasoning", "choice"),
    "synth_science": ("science", "reasoning", "choice"),
}


def test_the_suite_is_the_eight_families_each_routed_to_its_verifier():
    """The parametrized test below then covers every family, each through its own verifier."""
    routed = {s.spec.name: (s.spec.family, s.spec.category, s.spec.verifier.name) for s in SPECS}
    assert routed == ROUTING


@pytest.mark.parametrize("loaded", SPECS, ids=lambda s: s.spec.name)
def test_train_at_end_of_schedule_equals_eval(loaded):
    for sample in iter_samples(loaded, limit=4):
        params = sample.verifier.params
        eval_threshold = params.get("eval_iou_threshold", 0.5)
        ideal = ideal_response(sample)
        for response in (ideal, "", "I am not sure.", ideal[: len(ideal) // 2]):
            evaluated = score_sample(sample, response, eval_context())
            end = score_sample(sample, response, train_context(100, 100))
            if sample.verifier.name not in BOX_VERIFIERS or eval_threshold == 0.99:
                assert end.to_dict() == evaluated.to_dict()
            pinned = score_sample(sample, response, train_context(100, 100, iou_threshold=eval_threshold))
            assert pinned.to_dict() == evaluated.to_dict()
        perfect = score_sample(sample, ideal, eval_context())
        assert perfect.value == pytest.approx(1.0), (sample.id, perfect.detail)
        assert score_sample(sample, ideal, train_context(100, 100)).value == pytest.approx(1.0)
