"""The Score record: what every verifier returns and what every consumer reads.

One shape for training rewards, evaluation scores and `orsta-bench score` output, so the
three can never disagree about what a number means (see docs/contracts.md).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Status(str, Enum):
    """Why a score is what it is. The first four count in task scores; the rest are excluded."""

    OK = "ok"
    NO_ANSWER = "no_answer"
    PARSE_ERROR = "parse_error"
    TIMEOUT = "timeout"
    ERROR = "error"
    NOT_SCORED = "not_scored"
    BACKEND_ERROR = "backend_error"

    @property
    def counts_in_score(self) -> bool:
        """Model outcomes (scored 0 when they fail) count; harness failures do not."""
        return self not in EXCLUDED_STATUSES


# The harness could not score the response (a verifier failure, an unsupported metric, a judge
# it may not call): training gives such a row no reward, and a result over it is partial.
UNSCORABLE_STATUSES = frozenset({Status.ERROR, Status.NOT_SCORED})
# Every harness failure, excluded from scores: the unscorable ones and a backend that gave no response.
EXCLUDED_STATUSES = UNSCORABLE_STATUSES | {Status.BACKEND_ERROR}
# A run with any of these failed (`orsta-bench run` exits 1): a scorer bug or no response at all.
# not_scored is excluded too, but expected (a metric that cannot run here says so).
FAILED_STATUSES = frozenset({Status.ERROR, Status.BACKEND_ERROR})

# MEGA-Bench's "not applicable" sentinel, kept exactly and handled by its aggregation only.
NOT_APPLICABLE = -1.0


@dataclass
class Score:
    """One scored response. `value` is the reward in training and the sample score in evaluation."""

    value: float = 0.0
    accuracy: float = 0.0
    format: float = 0.0
    status: Status = Status.OK
    detail: str = ""
    parsed: Any = None
    extractor: str = ""
    parts: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.status = Status(self.status)
        for name in ("value", "accuracy", "format"):
            number = float(getattr(self, name))
            if math.isnan(number):
                raise ValueError(f"Score.{name} is NaN")
            setattr(self, name, number)

    @property
    def counts_in_score(self) -> bool:
        return self.status.counts_in_score

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy. Field by field: dataclasses.asdict's generic recursion cost about
        0.13 ms per sample record, a third of the runner's per-sample overhead."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["status"] = self.status.value
        data["parsed"] = copy.deepcopy(self.parsed)
        data["parts"] = dict(self.parts)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Score:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)

    @classmethod
    def failure(cls, status: Status, detail: str, **extra: Any) -> Score:
        """A zero score that says why (no answer, parse error, timeout, error ...)."""
        return cls(value=0.0, accuracy=0.0, format=0.0, status=status, detail=detail, **extra)
