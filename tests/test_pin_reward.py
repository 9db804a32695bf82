"""Pins for reward.py found by mutation testing (scripts/mutation.sh): every rule's boundary,
the "not applicable" (-1) pass-through, the weight arithmetic and the error details."""

import math

import pytest

from orsta_bench.reward import combine, reward_weights, score, score_sample, train_context
from orsta_bench.sample import Sample, VerifierCall
from orsta_bench.score import NOT_APPLICABLE, Score, Status
from orsta_bench.verifiers import registry
from orsta_bench.verifiers.base import ConfigError
from orsta_bench.verifiers.registry import VerifierEntry


@pytest.fixture
def fake_verifier(monkeypatch):
    """Install verifier `fake` whose behaviour a test sets; records what it was called with."""
    calls = []
    behaviour = {"fn": lambda text, ref, params, ctx: Score(value=1.0, accuracy=1.0)}

    def fn(text, reference, params, context):
        calls.append((text, reference, params, context))
        return behaviour["fn"](text, reference, params, context)

    real = registry.get_verifier
    monkeypatch.setattr(registry, "get_verifier",
                        lambda name: VerifierEntry("fake", fn, None, "") if name == "fake" else real(name))
    return calls, behaviour


@pytest.mark.parametrize("step", [True, False])
def test_train_context_rejects_a_bool_step(step):
    """bool is an int subclass; `isinstance(step, bool) or ...` must reject it (not `and`)."""
    with pytest.raises(ValueError, match="step must be an int"):
        train_context(step, 10)


def test_train_context_total_steps_boundary():
    """total_steps=1 is the smallest valid schedule; True (a bool) is not a step count."""
    assert train_context(0, 1)["total_steps"] == 1
    with pytest.raises(ValueError, match="total_steps"):
        train_context(0, True)


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_non_finite_weight_is_rejected(bad):
    """A non-finite weight is an error even though inf is not < 0 (`or`, not `and`)."""
    with pytest.raises(ValueError, match=r"params\.reward\.accuracy_weight must be a finite"):
        reward_weights("count", {"reward": {"accuracy_weight": bad}})


def test_weight_sum_not_difference_must_be_positive():
    """`a + f <= 0` is the rule: format heavier than accuracy is valid (a - f < 0 is fine)."""
    assert reward_weights("count", {"reward": {"accuracy_weight": 0.5, "format_weight": 1}}) == (0.5, 1.0)
    assert reward_weights("vtriune.detection", {"accuracy_ratio": 0.0, "format_ratio": 2}) == (0.0, 2.0)
    with pytest.raises(ValueError, match=r"^params\.accuracy_ratio \+ params\.format_ratio must be > 0$"):
        reward_weights("vtriune.detection", {"accuracy_ratio": 0.0, "format_ratio": 0.0})


@pytest.mark.parametrize(("verifier", "params", "field"), [
    ("vtriune.detection", {"accuracy_ratio": -1}, "params.accuracy_ratio "),
    ("vtriune.detection", {"format_ratio": "x"}, "params.format_ratio "),
    ("count", {"reward": {"accuracy_weight": -1}}, "params.reward.accuracy_weight "),
    ("count", {"reward": {"format_weight": True}}, "params.reward.format_weight "),
])
def test_weight_errors_name_the_field(verifier, params, field):
    """The error names the exact params field that is wrong (the fix the user has to make)."""
    with pytest.raises(ValueError) as caught:
        reward_weights(verifier, params)
    assert str(caught.value).startswith(field)


def test_reward_not_a_mapping_names_its_type():
    with pytest.raises(ValueError, match="params.reward must be a mapping, got list"):
        reward_weights("count", {"reward": [1]})


@pytest.mark.parametrize(("accuracy", "value"), [(NOT_APPLICABLE, 0.0), (0.5, NOT_APPLICABLE)])
def test_not_applicable_in_either_part_is_kept(accuracy, value):
    """-1 in accuracy OR in value means MEGA-Bench "not applicable": kept, never mixed."""
    assert combine(Score(value=value, accuracy=accuracy), 1.0, 0.1).value == NOT_APPLICABLE


def test_combine_is_the_normalised_weighted_mean():
    """value = acc*a/(a+f) + fmt*f/(a+f); weights that do not sum to 1 pin each operator."""
    assert combine(Score(accuracy=1.0, format=0.0), 2.0, 2.0).value == pytest.approx(0.5)
    assert combine(Score(accuracy=0.5, format=1.0), 3.0, 1.0).value == pytest.approx(0.625)


def test_non_object_params_error_detail():
    result = score("count", "4", 4, context=[])  # type: ignore[arg-type]
    assert (result.status, result.detail) == (Status.ERROR, "params and context must be JSON objects")


def test_verifier_gets_its_params_without_reward_and_text_of_any_response(fake_verifier):
    """`reward` is the combiner's key, never the verifier's; non-str responses become text."""
    calls, _ = fake_verifier
    score("fake", 5, "ref", {"reward": {"accuracy_weight": 1.0}, "k": 1}, {"mode": "eval"})
    score("fake", "é".encode(), "ref")
    assert calls[0] == ("5", "ref", {"k": 1}, {"mode": "eval"})
    assert calls[1][0] == "é"


def test_config_error_crash_and_wrong_return_are_error_records(fake_verifier):
    """Each failure is status error with a detail naming the verifier and the cause."""
    _, behaviour = fake_verifier

    def config_error(*_):
        raise ConfigError("bad reference")
    behaviour["fn"] = config_error
    result = score("fake", "x", "r")
    assert (result.status, result.detail) == (Status.ERROR, "verifier 'fake': bad reference")

    def crash(*_):
        raise KeyError("y" * 600)
    behaviour["fn"] = crash
    result = score("fake", "x", "r")
    assert result.status is Status.ERROR
    assert result.detail.startswith("verifier 'fake' crashed: KeyError: ") and len(result.detail) == 500

    behaviour["fn"] = lambda *_: 0.5
    result = score("fake", "x", "r")
    assert (result.status, result.detail) == (Status.ERROR, "verifier 'fake' returned float, not Score")

    result = score("fake", "x", "r", {"reward": {"accuracy_weight": -2}})
    assert result.status is Status.ERROR
    assert result.detail.startswith("verifier 'fake': params.reward.accuracy_weight")


def test_score_sample_passes_the_samples_params(fake_verifier):
    calls, _ = fake_verifier
    sample = Sample(id="s", task="t", data_source="t", messages=[], ground_truth="g",
                    verifier=VerifierCall("fake", {"k": 2}))
    score_sample(sample, "x", {"mode": "eval"})
    assert calls == [("x", "g", {"k": 2}, {"mode": "eval"})]
