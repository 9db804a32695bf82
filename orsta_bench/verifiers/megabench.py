"""MEGA-Bench verifiers: `megabench` (a whole query, official parsing + metrics + aggregation) and
the family `megabench.<metric>` (one official metric on a response string and a reference string).

`Score.value`/`accuracy` is the query score, which may be the sentinel -1 (no field applied);
`parts` holds each field's score under `field:<name>`. Fields whose metric cannot run here make
the sample `not_scored` with the reason. `params.mode` is "compatible" (default, the official
numbers) or "strict" (documented parser fixes, see orsta_bench/megabench/parsing.py).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from orsta_bench.score import Score, Status
from orsta_bench.verifiers.base import ConfigError
from orsta_bench.verifiers.registry import (
    VerifierEntry,
    register_verifier,
    register_verifier_family,
)

JUDGED_CONTEXT_KEY = "megabench_judged"  # field -> score given by a configured judge


class MegabenchParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Per sample (set by the megabench source or the score record); optional in a task spec.
    metric_info: dict[str, Any] | str | None = None
    mode: Literal["compatible", "strict"] = "compatible"
    # The run path carries each query's eval_context here; `context` (as in `orsta-bench score`)
    # is merged over it.
    eval_context: dict[str, Any] = Field(default_factory=dict)


def _as_dict(value: Any, what: str) -> dict[str, Any]:
    from orsta_bench.megabench.parsing import NotALiteral, literal

    if isinstance(value, dict):
        return value
    if value is None and what == "context":
        return {}
    try:
        parsed = literal(value)
    except NotALiteral:
        raise ConfigError(f"{what} must be a dict or a string holding a dict literal") from None
    if not isinstance(parsed, dict):
        raise ConfigError(f"{what} must be a dict, got {type(parsed).__name__}")
    return parsed


@register_verifier("megabench", MegabenchParams)
def megabench_query(response: str, reference: Any, params: dict[str, Any], context: dict[str, Any]) -> Score:
    """MEGA-Bench query score (official parser, metrics and field aggregation)."""
    from orsta_bench.megabench.query import MetricInfoError, score_query

    settings = MegabenchParams.model_validate(params)
    if settings.metric_info is None:
        raise ConfigError("params.metric_info is required (the dataset's metric_info dict)")
    metric_info = _as_dict(settings.metric_info, "params.metric_info")
    answer = _as_dict(reference, "reference (the answer dict)")
    eval_context = {**settings.eval_context, **_as_dict(context, "context")}
    judged = eval_context.pop(JUDGED_CONTEXT_KEY, None)
    try:
        result = score_query(metric_info, response, answer, eval_context, settings.mode, judged)
    except MetricInfoError as error:
        raise ConfigError(str(error)) from None
    parts = {f"field:{name}": float(value) for name, value in result.fields.items()}
    extractor = f"megabench.{metric_info.get('response_parse_function') or 'dummy'}"
    parsed = _jsonable(result.parsed)
    if result.not_scored:
        reasons = "; ".join(f"{name}: {why}" for name, why in sorted(result.not_scored.items()))
        return Score(0.0, 0.0, 0.0, Status.NOT_SCORED, reasons[:500], parsed, extractor, parts)
    status = Status.OK if result.parse_ok else Status.PARSE_ERROR
    detail = "" if result.parse_ok else "json parse failed: fields scored against the raw response"
    return Score(result.score, result.score, 0.0, status, detail, parsed, extractor, parts)


def _jsonable(value: Any) -> Any:
    """Parsed answers may hold tuples/sets (literal_eval); make them JSON-serialisable."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def _single_metric_entry(name: str) -> VerifierEntry | None:
    """`megabench.<metric>`: one official metric on (response string, reference string)."""
    from orsta_bench.megabench.metrics import get_metric, run_metric

    metric_name = name.partition(".")[2]
    try:
        metric = get_metric(metric_name)
    except KeyError:
        return None

    def verify(response: str, reference: Any, params: dict[str, Any], context: dict[str, Any]) -> Score:
        if metric.kind in ("judge", "unavailable", "unsupported"):
            return Score.failure(Status.NOT_SCORED, f"{metric.name}: {metric.reason or 'unsupported metric'}")
        # The official metric class's match(response, reference): the reference as given.
        other = _as_dict(context, "context") if metric.kind == "context" else reference
        value = run_metric(metric.fn, response, other)  # type: ignore[arg-type]
        return Score(value, value, 0.0, Status.OK, "", response, name, {f"field:{metric.name}": value})

    verify.__doc__ = f"MEGA-Bench metric {metric.name} on (response, reference) strings."
    return VerifierEntry(name, verify, None, verify.__doc__)


register_verifier_family("megabench", _single_metric_entry)
