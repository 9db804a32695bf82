"""The one reward function: (verifier call, response, context) -> Score.

Evaluation, `orsta-bench score` and the trainer all call `score` / `score_sample`; nothing else
combines accuracy and format. The combination is V-Triune's normalised mix
    value = accuracy * a/(a+f) + format * f/(a+f)
with (a, f) from `params["reward"]` (native verifiers; default accuracy only) or from
`accuracy_ratio` / `format_ratio` (the `vtriune.*` verifiers; defaults 1.0 / 0.1 as the released
server). Any exception inside a verifier becomes status `error`: this never raises on model output.
"""

from __future__ import annotations

import math
from typing import Any

from orsta_bench.sample import Sample
from orsta_bench.score import NOT_APPLICABLE, Score, Status

VTRIUNE_PREFIX = "vtriune."


def eval_context(**extra: Any) -> dict[str, Any]:
    """The context of an evaluation: the spec's eval threshold applies to box verifiers."""
    return {"mode": "eval", **extra}


def train_context(step: int, total_steps: int, **extra: Any) -> dict[str, Any]:
    """The context of a training step: switches on the dynamic IoU schedule (step/total_steps)."""
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise ValueError(f"train_context: step must be an int >= 0, got {step!r}")
    if isinstance(total_steps, bool) or not isinstance(total_steps, int) or total_steps <= 0:
        raise ValueError(f"train_context: total_steps must be an int > 0, got {total_steps!r}")
    return {"mode": "train", "step": step, "total_steps": total_steps, **extra}


def reward_weights(verifier: str, params: dict[str, Any]) -> tuple[float, float]:
    """(accuracy weight, format weight) for a verifier call; ValueError on a bad configuration."""
    if verifier.startswith(VTRIUNE_PREFIX):
        a = params.get("accuracy_ratio")  # null means absent: the released server's defaults
        f = params.get("format_ratio")
        a, f = 1.0 if a is None else a, 0.1 if f is None else f
        names = ("accuracy_ratio", "format_ratio")
    else:
        weights = params.get("reward") or {}
        if not isinstance(weights, dict):
            raise ValueError(f"params.reward must be a mapping, got {type(weights).__name__}")
        unknown = set(weights) - {"accuracy_weight", "format_weight"}
        if unknown:
            raise ValueError(f"params.reward: unknown key(s) {sorted(unknown)}; use accuracy_weight, format_weight")
        a = weights.get("accuracy_weight", 1.0)
        f = weights.get("format_weight", 0.0)
        names = ("reward.accuracy_weight", "reward.format_weight")
    for name, weight in zip(names, (a, f), strict=True):
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight) or weight < 0:
            raise ValueError(f"params.{name} must be a finite number >= 0, got {weight!r}")
    if a + f <= 0:
        raise ValueError(f"params.{names[0]} + params.{names[1]} must be > 0")
    return float(a), float(f)


def combine(raw: Score, accuracy_weight: float, format_weight: float) -> Score:
    """Set `value` from the verifier's accuracy and format parts (the only place this happens)."""
    if not raw.counts_in_score:
        raw.value = 0.0
        return raw
    if raw.accuracy == NOT_APPLICABLE or raw.value == NOT_APPLICABLE:
        raw.value = NOT_APPLICABLE  # MEGA-Bench "not applicable": kept exactly
        return raw
    total = accuracy_weight + format_weight
    raw.value = raw.accuracy * accuracy_weight / total + raw.format * format_weight / total
    return raw


def score(
    verifier: str,
    response: Any,
    reference: Any,
    params: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
) -> Score:
    """Score one response with the named verifier. Never raises on model output."""
    from orsta_bench.verifiers.base import ConfigError
    from orsta_bench.verifiers.registry import get_verifier, verifier_params

    params = params if params is not None else {}
    context = context if context is not None else {}
    if not isinstance(params, dict) or not isinstance(context, dict):
        return Score.failure(Status.ERROR, "params and context must be JSON objects")
    try:
        entry = get_verifier(verifier)
    except KeyError as error:
        return Score.failure(Status.ERROR, str(error.args[0]))
    try:
        weights = reward_weights(verifier, params)
    except ValueError as error:
        return Score.failure(Status.ERROR, f"verifier {verifier!r}: {error}")
    text = _as_text(response)
    try:
        raw = entry.fn(text, reference, verifier_params(params), context)
    except ConfigError as error:
        return Score.failure(Status.ERROR, f"verifier {verifier!r}: {error}")
    except Exception as error:  # a verifier bug must not take down a run
        return Score.failure(Status.ERROR, f"verifier {verifier!r} crashed: {type(error).__name__}: {error}"[:500])
    if not isinstance(raw, Score):
        return Score.failure(Status.ERROR, f"verifier {verifier!r} returned {type(raw).__name__}, not Score")
    return combine(raw, *weights)


def score_sample(sample: Sample, response: Any, context: dict[str, Any] | None = None) -> Score:
    """Score a response to `sample` with the sample's own verifier call and ground truth."""
    return score(sample.verifier.name, response, sample.ground_truth, sample.verifier.params, context)


def _as_text(response: Any) -> str:
    """Responses are text; bytes are decoded leniently, None is the empty answer."""
    if isinstance(response, str):
        return response
    if response is None:
        return ""
    if isinstance(response, (bytes, bytearray)):
        return bytes(response).decode("utf-8", errors="replace")
    return str(response)
