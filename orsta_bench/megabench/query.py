"""Score one MEGA-Bench query: parse the response, score each field, aggregate the fields.

Aggregation is the official one: "mean" is the field_weights-weighted mean over fields scoring
>= 0 (all negative -> -1), "min" the minimum of those. Global aux metrics score the whole parsed
response against the whole answer dict and are weighted by their name in field_weights.
A field whose metric cannot run here (judge not configured, needs network or NLTK corpora) makes
the whole query not_scored with the reason: never 0, never a substitute metric.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from orsta_bench.megabench.metrics import get_metric, run_metric
from orsta_bench.megabench.parsing import Mode, evaluate_as_string, parse_response


class MetricInfoError(ValueError):
    """The task's metric_info is malformed (a data problem, not a model outcome)."""


@dataclass
class QueryResult:
    score: float  # the query score; -1 when no field applied
    fields: dict[str, float] = field(default_factory=dict)
    parsed: Any = None
    parse_ok: bool = True
    not_scored: dict[str, str] = field(default_factory=dict)  # field -> reason
    judge_fields: dict[str, str] = field(default_factory=dict)  # field -> judge metric name


def aggregate_fields(scores: dict[str, float], function: str, weights: dict[str, float]) -> float:
    """The official per-query aggregation of field scores."""
    valid = {name: score for name, score in scores.items() if score >= 0}
    if not valid:
        return -1.0
    if function == "min":
        return float(min(valid.values()))
    if function != "mean":
        raise MetricInfoError(f"aggregation.function must be 'mean' or 'min', got {function!r}")
    missing = [name for name in valid if name not in weights]
    if missing:
        raise MetricInfoError(f"aggregation.field_weights has no weight for {missing}")
    field_weights = [weights[name] for name in valid]
    if sum(field_weights) == 0:
        raise MetricInfoError("aggregation.field_weights of the scored fields sum to 0")
    return float(np.average(list(valid.values()), weights=field_weights))


def score_query(
    metric_info: dict[str, Any],
    response: str,
    answer: dict[str, Any],
    eval_context: dict[str, Any] | None = None,
    mode: Mode = "compatible",
    judged: dict[str, float] | None = None,
) -> QueryResult:
    """Score one query. `judged` holds scores a configured judge already gave (field -> score)."""
    if not isinstance(metric_info, dict) or not isinstance(answer, dict):
        raise MetricInfoError("metric_info and the answer must be dicts")
    context = eval_context or {}
    aggregation = metric_info.get("aggregation", {})
    parser = metric_info.get("response_parse_function") or "dummy"
    try:
        parsed, ok = parse_response(parser, response, answer, mode)
    except ValueError as error:
        raise MetricInfoError(str(error)) from None
    result = QueryResult(score=-1.0, parsed=parsed, parse_ok=ok)
    for name, metric_name, is_aux in scored_fields(metric_info, answer):
        try:
            metric = get_metric(metric_name)
        except KeyError as error:
            raise MetricInfoError(error.args[0]) from None
        value = field_value(parsed, name, is_aux)
        if metric.kind == "judge":
            result.judge_fields[name] = metric.name
            if judged and name in judged:
                result.fields[name] = float(judged[name])
            else:
                result.not_scored[name] = f"{metric.name}: {metric.reason}"
        elif metric.kind == "unavailable":
            result.not_scored[name] = f"{metric.name}: {metric.reason}"
        elif metric.kind == "context":
            result.fields[name] = run_metric(metric.fn, value, context)  # type: ignore[arg-type]
        elif metric.kind == "field":
            reference = answer if is_aux else answer[name]
            result.fields[name] = run_metric(metric.fn, value, evaluate_as_string(reference))  # type: ignore[arg-type]
        # kind "unsupported": upstream leaves the field out of the aggregation.
    if not result.not_scored:
        result.score = aggregate_fields(
            result.fields, aggregation.get("function", "mean"), aggregation.get("field_weights", {})
        )
    return result


def scored_fields(metric_info: dict[str, Any], answer: dict[str, Any]) -> list[tuple[str, Any, bool]]:
    """(name, metric name, is aux) of every scored field. As upstream: the fields are the answer's
    keys ("##" keys included); a field_score_function entry for a key the answer lacks is ignored,
    a key without an entry is "unsupported"; aux metrics follow."""
    field_metrics = metric_info.get("field_score_function") or {}
    items = [(name, field_metrics.get(name), False) for name in answer]
    items += [(name, metric, True) for name, metric in (metric_info.get("global_aux_metrics") or {}).items()]
    return items


def field_value(parsed: Any, name: str, is_aux: bool) -> Any:
    """Aux metrics see the whole parsed response; fields see their entry (None when missing, as
    upstream: set metrics then score 0). A dummy-parsed string stands for every field."""
    if is_aux or not isinstance(parsed, dict):
        return parsed
    return parsed.get(name)
