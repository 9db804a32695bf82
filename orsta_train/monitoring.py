"""Source-level monitoring (V-Triune): per data source, every logging step.

The reward adapter turns each scored completion into a `CompletionRecord`; `source_metrics`
aggregates one generation batch into flat metric names that go through TRL's `log_metric`
(so TensorBoard / W&B see them; the reward pools records of all processes first), and
`MetricsFileCallback` appends every log line the trainer emits to OUTPUT/metrics.jsonl.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from orsta_train.first_step import UNSCORABLE

# The V-Triune reflection word list (lower-case substrings), see the rewards spec.
REFLECTION_WORDS = (
    "re-check", "re-evaluate", "re-examine", "re-think", "recheck", "reevaluate", "reexamine",
    "reevaluation", "rethink", "check again", "think again", "try again", "verify", "wait", "yet",
)
# A completion counts as correct when its accuracy part reaches this (binary verifiers: right).
CORRECT_AT = 0.5


def is_reflective(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in REFLECTION_WORDS)


@dataclass
class CompletionRecord:
    """One scored completion, reduced to what monitoring needs."""

    data_source: str
    value: float
    accuracy: float
    format: float
    status: str
    length: int
    clipped: bool  # length reached max_completion_length
    truncated: bool  # ended without an end-of-sequence token
    reflective: bool
    parts: dict[str, float] = field(default_factory=dict)

    @property
    def correct(self) -> bool:
        return self.accuracy >= CORRECT_AT


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _group_metrics(records: list[CompletionRecord]) -> dict[str, float]:
    out: dict[str, float | None] = {
        "n": float(len(records)),
        "reward": _mean([r.value for r in records]),
        "accuracy": _mean([r.accuracy for r in records]),
        "format": _mean([r.format for r in records]),
        "error_ratio": _mean([float(r.status in UNSCORABLE) for r in records]),
        "length_mean": _mean([float(r.length) for r in records]),
        "clip_ratio": _mean([float(r.clipped) for r in records]),
        "truncation_ratio": _mean([float(r.truncated) for r in records]),
        "reflection_ratio": _mean([float(r.reflective) for r in records]),
    }
    for label, chosen in (("correct", True), ("wrong", False)):
        group = [r for r in records if r.correct is chosen]
        out[f"length_mean_{label}"] = _mean([float(r.length) for r in group])
        out[f"clip_ratio_{label}"] = _mean([float(r.clipped) for r in group])
    out["accuracy_reflective"] = _mean([r.accuracy for r in records if r.reflective])
    out["accuracy_nonreflective"] = _mean([r.accuracy for r in records if not r.reflective])
    part_values: dict[str, list[float]] = defaultdict(list)
    for record in records:
        for name, value in record.parts.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                part_values[name].append(float(value))
    for name, values in part_values.items():
        out[f"part/{name}"] = _mean(values)
    # A group with no member (e.g. no reflective response) is left out, not logged as 0.
    return {key: value for key, value in out.items() if value is not None}


def source_metrics(records: list[CompletionRecord]) -> dict[str, float]:
    """`source/<data_source>/<metric>` for each source and `source/all/<metric>` for the batch."""
    by_source: dict[str, list[CompletionRecord]] = defaultdict(list)
    for record in records:
        by_source[record.data_source].append(record)
    metrics = {}
    for name, group in [("all", records), *sorted(by_source.items())]:
        for key, value in _group_metrics(group).items():
            metrics[f"source/{name}/{key}"] = value
    return metrics


class MetricsFileCallback(TrainerCallback):
    """Appends each log line (step, epoch and every metric) to a JSONL file, flushed at once, on
    the main process only. Resumed runs keep appending; the `step` field tells lines apart."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if not state.is_world_process_zero or not logs:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = {"step": state.global_step, **{k: _jsonable(v) for k, v in logs.items()}}
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, sort_keys=True) + "\n")


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if isinstance(value, (int, float, str, bool, type(None))) else str(value)
