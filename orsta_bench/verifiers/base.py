"""What every native verifier shares: common params, format rewards, config errors.

A verifier returns a Score whose `accuracy` and `format` are filled in; `orsta_bench.reward` is the
only place they are combined into `value`. Problems with the *record* (bad params, unreadable
reference, missing context) raise ConfigError and become status `error`; problems with the
*response* never raise: they are scores (no_answer, parse_error, 0).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from orsta_bench.registry import validated
from orsta_bench.score import Score, Status
from orsta_bench.verifiers.extract import (
    AnswerFormat,
    extract_answer,
    find_boxed,
    normalise_reference,
    normalise_unicode,
)
from orsta_bench.verifiers.registry import VerifierFn, register_verifier, verifier_params

FormatReward = Literal["none", "vtriune", "detection", "think_answer", "boxed"]
VTRIUNE_TAGS = ("<think>\n", "\n</think>\n", "\n<answer>\n", "\n</answer>")

P = TypeVar("P", bound=BaseModel)


class ConfigError(ValueError):
    """The record (params, reference, context) is wrong; not the model's fault."""


class CommonParams(BaseModel):
    """Params every native verifier accepts."""

    model_config = ConfigDict(extra="forbid")

    answer_format: AnswerFormat = "auto"
    format_reward: FormatReward = "none"


def native_verifier(name: str, params_model: type[BaseModel]) -> Callable[[VerifierFn], VerifierFn]:
    """Register a native verifier. It reads the response and the reference Unicode-normalised
    (`extract.normalise_unicode`), so `１２` and `12`, `Ｂ` and `B` score alike in every native
    verifier. MEGA-Bench and V-Triune compatible verifiers register without it: they keep the
    official behaviour."""

    def wrap(fn: VerifierFn) -> VerifierFn:
        @functools.wraps(fn)
        def normalised(response: str, reference: Any, params: dict[str, Any], context: dict[str, Any]) -> Score:
            text = normalise_unicode(response) if isinstance(response, str) else response
            return fn(text, normalise_reference(reference), params, context)

        return register_verifier(name, params_model)(normalised)

    return wrap


@dataclass(frozen=True)
class Answer:
    """What the shared opening read: the whole response (for the format part) and its answer."""

    response: str
    text: str
    extractor: str


Prepare = Callable[[Any, Any, dict[str, Any]], Any]
Judge = Callable[[Answer, Any, Any], Score]


def answer_verifier(name: str, params_model: type[CommonParams], prepare: Prepare | None = None
                    ) -> Callable[[Judge], VerifierFn]:
    """Register a native verifier from its judging step (as inspect_ai's str_match_scorer wraps
    a match function). The opening every native verifier shares runs first, in this order: the
    params are validated (ConfigError), `prepare(reference, params, context)` reads the reference
    and the context (ConfigError for a bad reference; default: the reference as is), the answer is
    extracted in `params.answer_format`, and a response without one gets the no_answer score.
    Then `judge(answer, prepared, params)` scores the answer."""

    def wrap(judge: Judge) -> VerifierFn:
        def verifier(response: str, reference: Any, params: dict[str, Any], context: dict[str, Any]) -> Score:
            p = load_params(params_model, params)
            prepared = reference if prepare is None else prepare(reference, p, context)
            extracted = extract_answer(response, p.answer_format)
            if not extracted.found:
                return no_answer(response, p, extracted.extractor)
            return judge(Answer(response, extracted.text or "", extracted.extractor), prepared, p)

        functools.update_wrapper(verifier, judge)  # the judge's docstring is the description
        return native_verifier(name, params_model)(verifier)

    return wrap


def load_params(model: type[P], params: dict[str, Any]) -> P:
    """Validate `params` (without the reward weights) or raise ConfigError naming the field."""
    try:
        return validated(model, verifier_params(params), "params")
    except ValueError as error:
        raise ConfigError(str(error)) from None


def vtriune_format(response: str) -> float:
    """V-Triune's four-tag format: 0.25 per tag occurring exactly once (newline-sensitive)."""
    return sum(0.25 for tag in VTRIUNE_TAGS if response.count(tag) == 1)


def detection_tags_ok(response: str) -> bool:
    """The tag half of V-Triune's binary detection format: `\\n<answer>\\n` present and
    `\\n</answer>` exactly once."""
    return "\n<answer>\n" in response and response.count("\n</answer>") == 1


def think_answer_format(response: str) -> float:
    """1.0 when `<think>...</think>` is followed by `<answer>...</answer>`, each exactly once."""
    tags = ("<think>", "</think>", "<answer>", "</answer>")
    if any(response.count(tag) != 1 for tag in tags):
        return 0.0
    positions = [response.find(tag) for tag in tags]
    return 1.0 if positions == sorted(positions) else 0.0


def format_score(kind: str, response: str, answer_found: bool) -> float:
    """The format part selected by a verifier's `format_reward` param.

    `answer_found` is the verifier's own verdict that a well-formed answer was read (for the
    detection format: at least one valid box)."""
    if kind == "none" or not isinstance(response, str):
        return 0.0
    if kind == "vtriune":
        return vtriune_format(response)
    if kind == "detection":
        return 1.0 if detection_tags_ok(response) and answer_found else 0.0
    if kind == "think_answer":
        return think_answer_format(response)
    if kind == "boxed":
        return 1.0 if find_boxed(response) else 0.0
    raise ConfigError(f"unknown format_reward {kind!r}")


def result(
    accuracy: float,
    response: str,
    params: CommonParams,
    *,
    status: Status = Status.OK,
    detail: str = "",
    parsed: Any = None,
    extractor: str,
    parts: dict[str, float] | None = None,
    answer_found: bool | None = None,
) -> Score:
    """A verifier's Score: accuracy and format filled in, value left for the reward module."""
    found = status == Status.OK if answer_found is None else answer_found
    return Score(
        value=accuracy,
        accuracy=accuracy,
        format=format_score(params.format_reward, response, found),
        status=status,
        detail=detail,
        parsed=parsed,
        extractor=extractor,
        parts=dict(parts or {}),
    )


def no_answer(response: str, params: CommonParams, extractor: str) -> Score:
    """Nothing in the response looks like an answer in the expected format."""
    fmt = params.answer_format
    detail = "empty response" if not (response or "").strip() else f"no answer found (answer_format={fmt})"
    return result(0.0, response, params, status=Status.NO_ANSWER, detail=detail, extractor=extractor)


def unparsable(response: str, params: CommonParams, text: str, what: str, extractor: str) -> Score:
    """An answer was found but it is not a valid `what`."""
    shown = text if len(text) <= 80 else text[:77] + "..."
    return result(
        0.0, response, params, status=Status.PARSE_ERROR,
        detail=f"answer {shown!r} is not {what}", parsed=shown, extractor=extractor,
    )
